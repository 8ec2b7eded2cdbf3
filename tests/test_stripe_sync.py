"""The Stripe sync against the emulator: pagination, lines beyond the inline page, both line shapes,
status changes, deleted drafts, 401/403/429, at most 3 requests on a repeat, and a kill -9 mid-sync."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from nrr.state import StateStore
from stripe_source import (
    StripeApi,
    StripeKeyError,
    StripePermissionError,
    StripeUnavailable,
    read_invoice,
    read_line,
    sync,
)
from tests.fakes.stripe_api import (
    NO_INVOICES_KEY,
    RESTRICTED_KEY,
    SECRET_KEY,
    FakeStripe,
    StripeAccount,
    month_start,
    monthly_account,
)
from tests.helpers import POSTGRES_URL, ROOT

NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
JAN, FEB, MAR, APR = (month_start(2026, m) for m in (1, 2, 3, 4))


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server")
    from sqlalchemy import create_engine, text

    name = f"nrr_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def store(state_url: str) -> Iterator[StateStore]:
    s = StateStore(state_url)
    yield s
    s.close()


def api_for(fake: FakeStripe, key: str = SECRET_KEY, sleeps: Sleeps | None = None) -> StripeApi:
    return StripeApi(key=key, base=fake.url, sleep=sleeps or Sleeps())


def small_account() -> StripeAccount:
    account = StripeAccount()
    acme = account.add_customer("Acme Inc", JAN - 86400, {"segment": "Enterprise", "plan": "Pro"})
    bolt = account.add_customer("Bolt LLC", JAN - 86400, {"segment": "SMB"})
    for n, start in enumerate((JAN, FEB, MAR)):
        account.add_invoice(acme, start + 60, [account.line(100_000, start, (JAN, FEB, MAR, APR)[n + 1],
                                                            subscription="sub_1Acme")])
    account.add_invoice(bolt, JAN + 120, [account.line(12_000, JAN, month_start(2027, 1), subscription="sub_1Bolt",
                                                       interval="year", legacy=True)])
    return account


def kept_lines(store: StateStore) -> list[tuple[str, str, int]]:
    rows, _ = store.stripe_rows()
    return sorted((r["invoice"], r["id"], r["amount"]) for r in rows)


def test_first_sync_reads_every_invoice_line_and_customer(store: StateStore) -> None:
    with FakeStripe(small_account()) as fake:
        result = sync(api_for(fake), store, NOW)
        assert (result.full, result.invoices_read, result.lines_read, result.customers_read) == (True, 4, 4, 2)
        assert fake.counts == {"GET /v1/customers": 1, "GET /v1/invoices": 1}
        assert fake.api_versions == {"2026-10-28.endive"}  # the pinned library's version
    assert store.stripe_counts() == {"invoices": 4, "lines": 4, "customers": 2}
    _, customers = store.stripe_rows()
    assert {c.name: dict(c.metadata) for c in customers.values()} == {
        "Acme Inc": {"segment": "Enterprise", "plan": "Pro"}, "Bolt LLC": {"segment": "SMB"}}


def test_pages_of_100_and_lines_beyond_the_inline_ten(store: StateStore) -> None:
    account = monthly_account(30, 8)  # 216 invoices: three pages
    big = account.add_customer("Many Seats Co", JAN, {"segment": "Enterprise"})
    many = account.add_invoice(big, APR, [account.line(1_000 + n, APR, month_start(2026, 5), subscription="sub_1Seats")
                                          for n in range(125)])
    with FakeStripe(account) as fake:
        result = sync(api_for(fake), store, NOW)
        assert fake.counts["GET /v1/invoices"] == 3  # 217 invoices, 100 a page
        assert fake.counts["GET /v1/invoices/{id}/lines"] == 2  # 10 inline, then 100 and 15
    assert result.invoices_read == len(account.invoices) == 217
    rows, _ = store.stripe_rows()
    mine = [r for r in rows if r["invoice"] == many.id]
    assert [r["amount"] for r in mine] == [1_000 + n for n in range(125)]  # all, once, in order
    assert len(rows) == 216 + 125


def test_a_repeat_with_nothing_new_makes_at_most_3_requests(store: StateStore) -> None:
    account = monthly_account(50, 6)
    with FakeStripe(account) as fake:
        sync(api_for(fake), store, NOW)
        fake.reset_counts()
        result = sync(api_for(fake), store, NOW + dt.timedelta(minutes=5))
        assert fake.total <= 3, fake.counts
        assert result.requests == fake.total
        assert (result.new, result.changed, result.dropped) == ([], [], [])


def test_status_changes_and_new_invoices_between_syncs(store: StateStore) -> None:
    account = small_account()
    acme = next(c for c in account.customers.values() if c.name == "Acme Inc")
    draft = account.add_invoice(acme, APR + 60, [account.line(100_000, APR, month_start(2026, 5),
                                                               subscription="sub_1Acme")], status="draft")
    old_open = account.add_invoice(acme, JAN + 30, [account.line(5_000, JAN, FEB, subscription="sub_1Acme")],
                                   status="open")
    with FakeStripe(account) as fake:
        sync(api_for(fake), store, NOW)
        account.set_status(draft.id, "open")
        account.set_status(old_open.id, "void")
        newer = account.add_invoice(acme, APR + 3600, [account.line(7_000, APR, month_start(2026, 5),
                                                                    subscription="sub_1Acme")])
        fake.reset_counts()
        result = sync(api_for(fake), store, NOW + dt.timedelta(hours=1))
        assert fake.total <= 3, fake.counts
    assert result.new == [newer.id]
    assert sorted(result.changed) == sorted([(draft.id, "draft", "open"), (old_open.id, "open", "void")])
    statuses = {r["invoice"]: r["status"] for r in store.stripe_rows()[0]}
    assert statuses[old_open.id] == "void" and statuses[draft.id] == "open"


def test_an_old_open_invoice_is_fetched_alone_rather_than_relisting_months(store: StateStore) -> None:
    account = monthly_account(150, 6)  # 900 invoices after the open one
    first = account.add_customer("Late Payer", JAN - 10, {})
    late = account.add_invoice(first, month_start(2024, 12), [account.line(900, JAN, FEB, subscription="sub_1Late")],
                               status="open")
    with FakeStripe(account) as fake:
        sync(api_for(fake), store, NOW)
        account.set_status(late.id, "paid")
        fake.reset_counts()
        result = sync(api_for(fake), store, NOW + dt.timedelta(minutes=1))
        assert fake.counts["GET /v1/invoices/{id}"] == 1
        assert fake.total == 2  # a page of invoices, and the open one
    assert result.changed == [(late.id, "open", "paid")]


def test_a_deleted_draft_is_dropped(store: StateStore) -> None:
    account = small_account()
    acme = next(iter(account.customers.values()))
    draft = account.add_invoice(acme, APR, [account.line(1, APR, month_start(2026, 5), subscription="s")],
                                status="draft")
    with FakeStripe(account) as fake:
        sync(api_for(fake), store, NOW)
        account.delete_invoice(draft.id)
        result = sync(api_for(fake), store, NOW + dt.timedelta(minutes=1))
    assert result.dropped == [draft.id]
    assert store.stripe_counts()["invoices"] == 4


def test_both_line_shapes_read_alike() -> None:
    account = StripeAccount()
    customer = account.add_customer("Acme", JAN)
    kwargs = {"subscription": "sub_1X", "proration": True, "discount": 1_000, "tax": 1_500, "tax_inclusive": True}
    invoice = account.add_invoice(customer, JAN, [account.line(10_000, JAN, FEB, **kwargs),
                                                  account.line(10_000, JAN, FEB, legacy=True, **kwargs)])
    body = invoice.body(account, inline=10, expand_customer=True)
    read, lines = read_invoice(body)
    assert read.customer == customer.id and read.customer_name == "Acme"
    current, legacy = ((line.subscription, line.proration, line.amount, line.discount, line.tax_included,
                        line.start, line.end) for line in lines)
    assert current == legacy == ("sub_1X", True, 10_000, 1_000, 1_500, JAN, FEB)
    exclusive = read_line(account.line(10_000, JAN, FEB, tax=800).body(invoice), invoice.id, 0)
    assert (exclusive.amount, exclusive.tax_included, exclusive.subscription) == (10_000, 0, None)


def test_a_wrong_key_names_stripe_api_key(store: StateStore) -> None:
    with FakeStripe(small_account()) as fake, pytest.raises(StripeKeyError) as caught:
        sync(StripeApi(key="sk_test_revoked000000000000", base=fake.url, sleep=Sleeps()), store, NOW)
    assert str(caught.value) == (
        "Stripe refused STRIPE_API_KEY (Invalid API Key provided): the key is wrong, "
        "revoked or expired. Create a new restricted key (Invoices: Read, Customers: Read) in the Dashboard and "
        "set STRIPE_API_KEY to it.")


def test_a_host_that_refuses_the_connection_is_said_in_one_whole_sentence(store: StateStore) -> None:
    import socket

    # A port bound but never listened on refuses connections, and holding it keeps another test's fake
    # server (running beside this one) from taking it.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{closed.getsockname()[1]}"
        with pytest.raises(StripeUnavailable) as caught:
            sync(StripeApi(key=SECRET_KEY, base=base, sleep=Sleeps(), retry_budget=0), store, NOW)
    assert str(caught.value) == f"Stripe could not be reached at {base} (Connection refused); try again later."


def test_an_unreachable_stripe_is_said_at_each_wait_not_waited_on_in_silence(
        store: StateStore, caplog: pytest.LogCaptureFixture) -> None:
    import socket

    sleeps = Sleeps()
    with socket.socket() as closed:  # bound, never listened on, held: see the test above
        closed.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{closed.getsockname()[1]}"
        with pytest.raises(StripeUnavailable):
            sync(StripeApi(key=SECRET_KEY, base=base, sleep=sleeps), store, NOW)
    assert sleeps.calls == [0.5, 1, 2, 4, 8, 16, 32]  # 63.5 s; the next wait would pass the 120 s budget
    said = [r.getMessage() for r in caplog.records if r.name == "nrr.stripe"]
    assert len(said) == 7 and said[:2] == [
        "Stripe did not answer (Connection refused); trying again in 0.5 s (0 s waited so far, at most 120 s).",
        "Stripe did not answer (Connection refused); trying again in 1 s (0.5 s waited so far, at most 120 s)."]
    assert all(SECRET_KEY not in line for line in said)


def test_a_key_without_invoice_access_says_which_permission_to_add(store: StateStore) -> None:
    with FakeStripe(small_account()) as fake:
        sync(api_for(fake, RESTRICTED_KEY), store, NOW)  # invoices and customers: enough
        with pytest.raises(StripePermissionError) as caught:
            sync(api_for(fake, NO_INVOICES_KEY), store, NOW)
    assert caught.value.permission == "rak_invoice_read"
    assert str(caught.value) == (
        "STRIPE_API_KEY cannot read what nrr needs: Stripe says it lacks Invoices: Read (rak_invoice_read). Edit "
        "the restricted key in the Dashboard (Developers > API keys) and give it Invoices: Read.")


def test_429s_wait_their_retry_after_then_carry_on(store: StateStore, caplog: pytest.LogCaptureFixture) -> None:
    sleeps = Sleeps()
    account = monthly_account(60, 4)
    with FakeStripe(account) as fake:
        fake.rate_limit(2, retry_after=3, route="GET /v1/invoices")
        result = sync(api_for(fake, sleeps=sleeps), store, NOW)
        assert fake.counts["GET /v1/invoices"] == 3 + 2
    assert sleeps.calls == [3.0, 3.0]
    assert result.invoices_read == len(account.invoices)
    assert [r.getMessage() for r in caplog.records if r.name == "nrr.stripe"] == [  # each wait said before it
        "Stripe did not answer (429, rate limited); trying again in 3 s (0 s waited so far, at most 120 s).",
        "Stripe did not answer (429, rate limited); trying again in 3 s (3 s waited so far, at most 120 s)."]


def test_429s_past_the_budget_say_so(store: StateStore) -> None:
    with FakeStripe(small_account()) as fake:
        fake.rate_limit(100, retry_after=30)
        api = StripeApi(key=SECRET_KEY, base=fake.url, sleep=Sleeps(), retry_budget=100)
        with pytest.raises(StripeUnavailable) as caught:
            sync(api, store, NOW)
    assert str(caught.value) == ("Stripe kept answering 429 (rate limited) for 90 s; try again in a minute, or "
                                 "sync less often ([stripe] sync_minutes).")


def test_an_interrupted_sync_resumes_without_losing_or_doubling(store: StateStore) -> None:
    account = monthly_account(40, 6)  # 240 invoices: 3 pages
    with FakeStripe(account) as fake:
        pages = 0

        def stop_after_two() -> None:
            nonlocal pages
            pages += 1
            if pages == 2:  # two invoice pages
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            sync(api_for(fake), store, NOW, on_page=stop_after_two)
        assert store.stripe_counts()["invoices"] == 200
        fake.reset_counts()
        result = sync(api_for(fake), store, NOW)
        assert result.resumed and fake.counts == {"GET /v1/invoices": 1, "GET /v1/customers": 1}
    expected = sorted((i.id, line.id, line.amount) for i in account.invoices.values() for line in i.lines)
    assert kept_lines(store) == expected


def test_kill_9_mid_sync_then_resume(tmp_path: Path) -> None:
    """A real process killed with SIGKILL while it syncs: the next sync loses and doubles nothing."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    account = monthly_account(100, 10)  # 1,000 invoices: 10 pages
    with FakeStripe(account, latency=0.02) as fake:
        script = (
            "import datetime as dt, sys\n"
            "from nrr.state import StateStore\n"
            "from stripe_source import StripeApi, sync\n"
            "store = StateStore(sys.argv[1])\n"
            "def page():\n"
            "    print('page', flush=True)\n"
            "api = StripeApi(key=sys.argv[2], base=sys.argv[3])\n"
            "sync(api, store, dt.datetime(2026, 12, 5, tzinfo=dt.UTC), on_page=page)\n"
        )
        child = subprocess.Popen([sys.executable, "-c", script, url, SECRET_KEY, fake.url], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert child.stdout is not None
        for _ in range(5):  # five invoice pages written
            assert child.stdout.readline().strip() == "page"
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        store = StateStore(url)
        kept = store.stripe_counts()["invoices"]
        assert 400 <= kept < 1000
        assert json.loads(json.dumps(store.stripe_progress()))["run"]["stage"] == "invoices"
        result = sync(StripeApi(key=SECRET_KEY, base=fake.url), store, NOW)
    assert result.resumed
    expected = sorted((i.id, line.id, line.amount) for i in account.invoices.values() for line in i.lines)
    assert kept_lines(store) == expected
    store.close()
