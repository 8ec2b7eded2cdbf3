"""Fresh figures from Stripe: the webhook that marks the sync stale, and the scheduler's syncs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from slack_sdk import WebClient

from bot import Delivery
from engine import Month
from nrr.config import DigestSchedule, LedgerSettings, Settings, SlackSettings, StateSettings, StripeSettings
from nrr.runtime import Runtime
from nrr.scheduling import DigestService, occurrence_for
from nrr.server import build_app
from tests.fakes.servers import serve
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.fakes.stripe_api import SECRET_KEY, FakeStripe, event, month_start, sign
from tests.helpers import TLS
from tests.test_stripe_cli import NOW, example_account

SECRET = "whsec_test_emulator"
REFUSED = ("Stripe-Signature does not verify with STRIPE_WEBHOOK_SECRET (or its timestamp is more than 5 minutes "
           "off); nothing was read.")


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with FakeStripe(example_account()) as server:
        yield server


def make_runtime(fake: FakeStripe, tmp_path: Path, clock: Clock, **settings: object) -> Runtime:
    base = Settings(ledger=LedgerSettings(source="stripe"),
                    state=StateSettings(url=f"sqlite:///{tmp_path / 'state.db'}"),
                    slack=SlackSettings(enabled=False), stripe=StripeSettings(sync_minutes=30),
                    **settings)  # type: ignore[arg-type]
    env = {"STRIPE_API_KEY": SECRET_KEY, "STRIPE_API_BASE": fake.url, "STRIPE_WEBHOOK_SECRET": SECRET}
    return Runtime(_file=base, env=env, clock=clock, sleep=lambda _: None)


def post(url: str, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json", **({"Stripe-Signature": signature} if signature else {})}
    return httpx.post(f"{url}/stripe/webhook", content=body, headers=headers, verify=TLS)


def test_a_verified_invoice_event_makes_the_next_answer_sync(fake: FakeStripe, tmp_path: Path) -> None:
    clock = Clock(NOW)
    runtime = make_runtime(fake, tmp_path, clock)
    source = runtime.stripe_source()
    source.read_cells()  # the first read syncs
    fake.reset_counts()
    cells = source.read_cells()  # within [stripe] sync_minutes: no request, and the same read
    assert fake.total == 0 and runtime.stripe_source().read_cells() is cells
    body = event("invoice.paid", {"id": "in_1", "object": "invoice"}, int(NOW.timestamp()))
    with serve(build_app(runtime)) as url:
        response = post(url, body, sign(body, SECRET, int(NOW.timestamp()) - 60))
    assert (response.status_code, response.json()) == (200, {"received": True})
    assert source.read_cells() is not cells
    assert fake.counts == {"GET /v1/invoices": 1}  # synced: no new customer named, so no customers read
    fake.reset_counts()
    source.read_cells()
    assert fake.total == 0  # the mark is cleared by the sync


def test_a_customer_event_rereads_every_customer(fake: FakeStripe, tmp_path: Path) -> None:
    clock = Clock(NOW)
    runtime = make_runtime(fake, tmp_path, clock)
    runtime.stripe_source().read_cells()
    acme = next(c for c in fake.account.customers.values() if c.name == "Acme Inc")
    acme.metadata["segment"] = "Mid-Market"
    body = event("customer.updated", {"id": acme.id, "object": "customer"}, int(NOW.timestamp()))
    with serve(build_app(runtime)) as url:
        assert post(url, body, sign(body, SECRET, int(NOW.timestamp()))).status_code == 200
    cells = runtime.stripe_source().read_cells()
    table = cells.ledger.customers
    assert table is not None
    result = runtime.stripe_source().last_sync
    assert result is None or result.customers_changed in (0, 1)
    _, customers = runtime.state().stripe_rows()
    assert customers[acme.id].metadata["segment"] == "Mid-Market"


@pytest.mark.parametrize("how", ["tampered", "wrong secret", "too old", "from the future", "no header", "not v1"])
def test_anything_unverified_is_400_and_nothing_is_read(fake: FakeStripe, tmp_path: Path, how: str) -> None:
    runtime = make_runtime(fake, tmp_path, Clock(NOW))
    now = int(NOW.timestamp())
    body = event("invoice.paid", {"id": "in_1"}, now)
    signature: str | None = {
        "tampered": sign(body, SECRET, now), "wrong secret": sign(body, "whsec_other", now),
        "too old": sign(body, SECRET, now - 301), "from the future": sign(body, SECRET, now + 301),
        "no header": None, "not v1": sign(body, SECRET, now).replace("v1=", "v0=")}[how]
    sent = body.replace(b"invoice.paid", b"invoice.void") if how == "tampered" else body
    with serve(build_app(runtime)) as url:
        response = post(url, sent, signature)
    assert (response.status_code, response.text) == (400, REFUSED)
    assert runtime.state().stripe_stale() is None


def test_an_event_within_five_minutes_is_taken(fake: FakeStripe, tmp_path: Path) -> None:
    runtime = make_runtime(fake, tmp_path, Clock(NOW))
    now = int(NOW.timestamp())
    body = event("charge.succeeded", {"id": "ch_1"}, now)  # verified, but nothing nrr reads
    with serve(build_app(runtime)) as url:
        assert post(url, body, sign(body, SECRET, now - 299)).status_code == 200
    assert runtime.state().stripe_stale() is None


def test_no_webhook_route_without_its_secret(fake: FakeStripe, tmp_path: Path) -> None:
    runtime = make_runtime(fake, tmp_path, Clock(NOW))
    runtime = Runtime(_file=runtime.settings, env={k: v for k, v in runtime.env.items()
                                                   if k != "STRIPE_WEBHOOK_SECRET"}, clock=runtime.clock)
    with serve(build_app(runtime)) as url:
        assert post(url, b"{}", "t=1,v1=00").status_code == 404


def test_the_scheduler_does_not_sync_a_ledger_that_is_not_stripe(fake: FakeStripe, tmp_path: Path) -> None:
    from dataclasses import replace

    runtime = make_runtime(fake, tmp_path, Clock(NOW))
    runtime = replace(runtime, _file=replace(runtime.settings, ledger=LedgerSettings(source="ledger.csv")))
    assert DigestService(runtime, runtime.state(), None).sync_stripe(NOW) is None
    assert fake.total == 0


def test_the_scheduler_syncs_every_sync_minutes(fake: FakeStripe, tmp_path: Path) -> None:
    clock = Clock(NOW)
    service = DigestService(make_runtime(fake, tmp_path, clock), make_runtime(fake, tmp_path, clock).state(), None)
    first = service.sync_stripe(NOW)
    assert first is not None and first.full
    clock.now = NOW + dt.timedelta(minutes=29)
    assert service.sync_stripe(clock.now) is None  # not yet due
    clock.now = NOW + dt.timedelta(minutes=30)
    again = service.sync_stripe(clock.now)
    assert again is not None and not again.full and again.requests <= 3


def test_a_digest_syncs_stripe_right_before_it(fake: FakeStripe, tmp_path: Path) -> None:
    clock = Clock(NOW)
    schedule = DigestSchedule(channel="C0REVENUE1", name="revenue", include=("month", "movements"))
    runtime = make_runtime(fake, tmp_path, clock, digests=(schedule,))
    runtime.stripe_source().read_cells()  # synced at NOW
    late = fake.account.add_customer("Late Co", month_start(2026, 2), {"segment": "SMB"})
    fake.account.add_invoice(late, month_start(2026, 2) + 7200,
                             [fake.account.line(40_000, month_start(2026, 2), month_start(2026, 3),
                                                subscription="sub_1Late")])
    clock.now = NOW + dt.timedelta(minutes=5)  # well within [stripe] sync_minutes
    fake.reset_counts()
    with FakeSlack() as slack:
        delivery = Delivery(WebClient(token=BOT_TOKEN, base_url=slack.api_url), lambda _: None)
        service = DigestService(runtime, runtime.state(), delivery)
        report = service.run_digest(occurrence_for(schedule, Month(2026, 2)), clock.now)
        posted = slack.posts("chat.postMessage")
    assert report.posted == ["digest:C0REVENUE1:2026-02"]
    assert fake.counts["GET /v1/invoices"] == 1  # synced first
    assert posted and "Late Co" in {c.name for c in runtime.state().stripe_rows()[1].values()}
