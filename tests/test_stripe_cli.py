"""``--ledger stripe`` and ``nrr sync`` through the command line, against the Stripe emulator."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from nrr.cli import main
from tests.fakes.stripe_api import SECRET_KEY, FakeStripe, StripeAccount, month_start

NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)


def months(first: tuple[int, int], count: int) -> list[int]:
    year, month = first
    out = []
    for _ in range(count + 1):
        out.append(month_start(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def example_account() -> StripeAccount:
    """Jan 2025 to Feb 2026, worked by hand:

    - Acme (Enterprise): 1,000.00 a month, 1,200.00 from Jan 2026 (an expansion);
    - Bolt (SMB): 500.00 a month through Dec 2025, then nothing (churn in Jan 2026);
    - Cora (SMB): 12,000.00 a year from Mar 2025, one invoice in the legacy line shape: 1,000.00 a month;
    - Dune: a voided invoice in Jan 2026 (never counted), and a one-off setup fee on a paid invoice;
    - Eve: new in Feb 2026 at 300.00, with 25 lines on one invoice (more than Stripe puts inline).

    ttm to Feb 2026: the cohort paying in Feb 2025 is Acme 1,000 + Bolt 500; in Feb 2026 Acme 1,200:
    NRR 1,200 / 1,500 = 80.00%, GRR 1,000 / 1,500 = 66.67%.
    """
    account = StripeAccount()
    starts = months((2025, 1), 14)
    acme = account.add_customer("Acme Inc", starts[0] - 86400, {"segment": "Enterprise"})
    bolt = account.add_customer("Bolt LLC", starts[0] - 86400, {"segment": "SMB"})
    cora = account.add_customer("Cora GmbH", starts[2] - 86400, {"segment": "SMB"})
    dune = account.add_customer("Dune Ltd", starts[12] - 86400, {"segment": "SMB"})
    eve = account.add_customer("Eve Co", starts[13] - 86400, {"segment": "SMB"})
    for m in range(14):
        price = 120_000 if m >= 12 else 100_000
        account.add_invoice(acme, starts[m] + 60, [account.line(price, starts[m], starts[m + 1],
                                                                subscription="sub_1Acme")])
        if m < 12:
            account.add_invoice(bolt, starts[m] + 120, [account.line(50_000, starts[m], starts[m + 1],
                                                                     subscription="sub_1Bolt")])
    account.add_invoice(cora, starts[2] + 180, [account.line(1_200_000, starts[2], month_start(2026, 3),
                                                             subscription="sub_1Cora", interval="year",
                                                             legacy=True)])
    account.add_invoice(dune, starts[12] + 240, [account.line(999_900, starts[12], starts[13],
                                                              subscription="sub_1Dune")], status="void")
    account.add_invoice(dune, starts[12] + 300, [account.line(25_000, starts[12], starts[12])])  # one-off
    account.add_invoice(eve, starts[13] + 60, [account.line(1_200, starts[13], starts[14], subscription="sub_1Eve")
                                               for _ in range(25)])
    return account


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with FakeStripe(example_account()) as server:
        yield server


def env_for(fake: FakeStripe, tmp_path: Path, key: str = SECRET_KEY) -> dict[str, str]:
    return {"STRIPE_API_KEY": key, "STRIPE_API_BASE": fake.url,
            "NRR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}"}


def run(*argv: str, env: dict[str, str], now: dt.datetime = NOW) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env=env, clock=lambda: now, stdout=Console(file=out, width=120, highlight=False),
                stderr=Console(file=err, width=120, highlight=False))
    return code, out.getvalue(), err.getvalue()


def report(env: dict[str, str], *argv: str) -> dict[str, Any]:
    code, out, err = run("report", *argv, "--ledger", "stripe", "--json", env=env)
    assert (code, err) == (0, ""), err
    return json.loads(out)  # type: ignore[no-any-return]


def test_report_from_stripe_by_the_billing_rules(fake: FakeStripe, tmp_path: Path) -> None:
    env = env_for(fake, tmp_path)
    ttm = report(env, "ttm", "--by", "segment")
    assert (ttm["nrr_pct"], ttm["grr_pct"], ttm["method"]) == (80.0, 66.67, "cohort")
    assert ttm["source_kind"] == "invoice_lines"
    assert ttm["normalization"]["summary"].startswith("read as invoice lines: 54 lines, 4 customers, 14 months;")
    assert ttm["normalization"]["left_out"]["void"] == 1 and ttm["normalization"]["invoices_left_out"]["void"] == 1
    assert ttm["cohort"]["start_mrr"] == "1500.00" and ttm["cohort"]["end_mrr"] == "1200.00"
    assert {s["segment"]: s["nrr_pct"] for s in ttm["segments"]} == {"Enterprise": 120.0, "SMB": 0.0}
    fake.reset_counts()
    last = report(env, "last-month")  # a second run: nothing new, at most 3 requests
    assert fake.total <= 3, fake.counts
    # cohort paying in Jan 2026: Acme 1,200 and Cora 1,000 (the voided 9,999 of Dune's never counted)
    assert (last["nrr_pct"], last["cohort"]["start_mrr"], last["cohort"]["customers"]) == (100.0, "2200.00", 2)


def test_today_given_reads_stripe_as_of_its_month(fake: FakeStripe, tmp_path: Path) -> None:
    # --today 2026-01-20: February's invoices are not counted, so the last closed month is December 2025
    env = env_for(fake, tmp_path)
    assert report(env, "last-month", "--today", "2026-01-20")["period"]["label"] == "December 2025"
    assert report(env, "last-month")["period"]["label"] == "February 2026"  # the clock's: 2026-03-05


def test_ledger_csv_from_stripe(fake: FakeStripe, tmp_path: Path) -> None:
    code, out, err = run("ledger", "--ledger", "stripe", "--csv", env=env_for(fake, tmp_path))
    assert (code, err) == (0, "")
    rows = out.splitlines()
    assert rows[-1].startswith("2026-02,2200.00,0.00,0.00,0.00,2200.00,")  # Eve's 300 is new business
    assert "2026-01,2500.00,200.00,500.00,0.00,2200.00," in out  # Acme +200, Bolt -500


def test_mrr_csv_from_stripe_lists_each_customers_months_and_a_repeat_is_one_request(fake: FakeStripe,
                                                                                   tmp_path: Path) -> None:
    env = env_for(fake, tmp_path)
    code, out, err = run("mrr", "--csv", "--ledger", "stripe", env=env)
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["customer_id", "customer", "month", "mrr", "segment"]
    by = {(r["customer"], r["month"]): r["mrr"] for r in rows}
    # Cora's 12,000.00 a year, legacy line shape: 1,000.00 in each of its 12 months from March 2025
    assert [by.get(("Cora GmbH", f"2025-{m:02d}")) for m in (2, 3, 12)] == [None, "1000.00", "1000.00"]
    assert by[("Acme Inc", "2026-01")] == "1200.00" and ("Dune Ltd", "2026-01") not in by  # void and one-off
    assert by[("Eve Co", "2026-02")] == "300.00"  # 25 lines of 12.00, read past the inline page
    fake.reset_counts()
    assert run("mrr", "--csv", "--ledger", "stripe", env=env) == (0, out, "")
    assert fake.total <= 3, fake.counts


def test_sync_prints_what_changed(fake: FakeStripe, tmp_path: Path) -> None:
    env = env_for(fake, tmp_path)
    code, out, _ = run("sync", env=env)
    assert code == 0
    assert out.splitlines() == [
        "Stripe (test mode): Full sync in 3 requests.",
        "Changed: 30 new invoices; 5 customers new or changed.",
        "Kept: 30 invoices, 54 lines, 5 customers."]
    open_one = fake.account.add_invoice("cus_1Emu0000000001", NOW.timestamp().__int__() - 60,
                                        [fake.account.line(120_000, month_start(2026, 3), month_start(2026, 4),
                                                           subscription="sub_1Acme")], status="draft")
    code, out, _ = run("sync", env=env, now=NOW + dt.timedelta(minutes=1))
    assert out.splitlines()[1] == "Changed: 1 new invoice."
    fake.account.set_status(open_one.id, "open")
    code, out, _ = run("sync", env=env, now=NOW + dt.timedelta(minutes=2))
    assert out.splitlines()[1:3] == ["Changed: 1 invoice changed status.", f"  {open_one.id}: draft -> open"]
    code, out, _ = run("sync", env=env, now=NOW + dt.timedelta(minutes=3))
    assert out.splitlines()[:2] == ["Stripe (test mode): Sync in 1 request.", "Nothing changed since the last sync."]


def test_a_wrong_key_exits_1_naming_stripe_api_key(fake: FakeStripe, tmp_path: Path) -> None:
    code, out, err = run("report", "--ledger", "stripe", env=env_for(fake, tmp_path, "sk_test_wrong0000000000000"))
    assert (code, out) == (1, "")
    assert err.startswith("Stripe refused STRIPE_API_KEY (Invalid API Key provided): the key is wrong, revoked")


def test_no_key_says_how_to_make_one(fake: FakeStripe, tmp_path: Path) -> None:
    env = {k: v for k, v in env_for(fake, tmp_path).items() if k != "STRIPE_API_KEY"}
    for argv in (("sync",), ("report", "--ledger", "stripe")):
        code, _, err = run(*argv, env=env)
        assert code == 1
        assert err.startswith("STRIPE_API_KEY is not set: nrr needs it to read invoices and customers from Stripe.")
    # refused before the state database is opened: no nrr-state.db is left behind, which every report in that
    # folder would then open for the setup made from Slack (a newcomer's try found one)
    assert not (tmp_path / "state.db").exists()


def test_429s_in_the_middle_are_waited_out(fake: FakeStripe, tmp_path: Path) -> None:
    fake.rate_limit(3, retry_after=0)
    assert report(env_for(fake, tmp_path), "ttm")["nrr_pct"] == 80.0
    assert fake.counts["GET /v1/invoices"] == 1 + 3


def test_stripe_unreachable_answers_from_the_last_sync_as_of(fake: FakeStripe, tmp_path: Path) -> None:
    env = env_for(fake, tmp_path)
    assert run("sync", env=env)[0] == 0
    fake.fail(500, times=1000)
    env_later = {**env, "NRR_CONFIG": str(tmp_path / "nrr.toml")}
    (tmp_path / "nrr.toml").write_text("[stripe]\nretry_budget = 0\n")
    code, out, err = run("report", "ttm", "--ledger", "stripe", "--json", env=env_later,
                         now=NOW + dt.timedelta(hours=1))
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["nrr_pct"] == 80.0
    assert data["warnings"][0] == (
        f"Stripe could not be reached at {fake.url} (An unknown error occurred); try again later. These figures "
        "are as of the last sync, 2026-03-05 09:00 UTC.")
