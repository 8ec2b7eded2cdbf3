"""The add-on on a customer tab: the homepage shows the cohort figures and the top movers, every name
escaped, read with the person's own token (real HTTP, as in test_addon.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from engine import Month
from tests.fakes.google_api import FakeGoogle, mint_id_token
from tests.test_addon import ADA, SHEET_ID, addon_server, claims, event, post

FIRST = Month(2025, 1)
MONTHS = [FIRST + i for i in range(14)]  # January 2025 to February 2026


def customer_rows() -> list[list[Any]]:
    """Acme grows in the last month, Bad & Co churns in December, Cobalt shrinks, Delta holds, Echo is new."""
    def mrr(name: str, m: Month) -> int:
        last = m == MONTHS[-1]
        return {"Acme Inc": 1500 if last else 1000, "<b>Bad</b> & Co": 0 if m >= Month(2025, 12) else 800,
                "Cobalt": 400 if last else 600, "Delta": 400, "Echo": 300 if m >= Month(2025, 6) else 0}[name]

    names = ["Acme Inc", "<b>Bad</b> & Co", "Cobalt", "Delta", "Echo"]
    return [["Customer", "Month", "MRR"]] + [[n, str(m), mrr(n, m)] for m in MONTHS for n in names if mrr(n, m)]


@pytest.fixture
def customers() -> Iterator[tuple[str, FakeGoogle]]:
    with FakeGoogle() as google:
        google.add_spreadsheet(SHEET_ID, {"Customers": customer_rows()}).shared_with = {ADA}
        with addon_server(google, {"SHEETS_API_URL": google.url}, ledger=f"gsheet:{SHEET_ID}") as (url, _):
            yield url, google


def home(url: str, google: FakeGoogle) -> dict[str, Any]:
    response = post(url, "/addon/homepage", mint_id_token(claims()), event(google.user_token(ADA, SHEET_ID)))
    assert response.status_code == 200
    card: dict[str, Any] = response.json()["action"]["navigations"][0]["pushCard"]
    return card


def test_the_homepage_shows_the_cohort_figures_and_the_top_movers(customers: tuple[str, FakeGoogle]) -> None:
    url, google = customers
    card = home(url, google)
    assert card["header"] == {"title": "Net Revenue Retention", "subtitle": "Customers"}
    widgets = card["sections"][0]["widgets"]
    texts = [w["decoratedText"] for w in widgets if "decoratedText" in w]
    assert texts[0] == {  # the cohort paying in Feb 2025: 2,800 then, 2,300 in Feb 2026; 1,800 kept; 3 of 4 pay
        "topLabel": "12-month cohort to Feb 2026", "text": "NRR 82.14% · GRR 64.29% · logo retention 75.00%",
        "bottomLabel": "3 of 4 customers paying in Feb 2025 still pay", "wrapText": True}
    assert texts[1] == {  # paying in January 2026: 2,300, then 2,600; 2,100 kept; all 4 still pay
        "topLabel": "February 2026", "text": "NRR 113.04% · GRR 91.30% · logo retention 100.00%",
        "bottomLabel": "4 of 4 customers paying in Jan 2026 still pay; latest month in the table", "wrapText": True}
    assert texts[2]["topLabel"] == "Benchmark" and texts[2]["text"].startswith("Critical")
    # the tier names the figure it compares and its basis, which is not the latest month's shown above it
    assert texts[2]["bottomLabel"] == ("NRR 82.14%, 12-month cohort to Feb 2026; -25.9 pts vs the mid-market median "
                                       "108%; source: 2026 SaaS NRR benchmarks by customer segment")
    movers = {t["topLabel"]: (t["text"], t["bottomLabel"]) for t in texts[3:-1]}
    basis = "12-month cohort, from Feb 2025 to Feb 2026"
    # worded by the engine's mover_groups, as the terminal and Slack word them: titles and signs alike
    assert movers == {"Churned": ("&lt;b&gt;Bad&lt;/b&gt; &amp; Co: -$800", basis),
                      "Contracted": ("Cobalt: -$200", basis),
                      "Expanded": ("Acme Inc: +$500", basis)}
    # the engine's forecast line: the February 2026 customers (2,600) a year on, with its band
    assert texts[-1]["topLabel"] == "Projection"
    assert texts[-1]["text"].startswith("February 2027: today's customers are projected to pay $")
    assert texts[-1]["text"].endswith(", from $2,600 in February 2026.")
    assert texts[-1]["bottomLabel"] == ("today's customers only, no new business; nrr forecast (or /nrr forecast) "
                                        "has the method and band")
    assert "<b>Bad" not in json.dumps(card)
    assert widgets[-2] == {"textParagraph": {"text": "Customer table valid: 5 customers, 14 months, 0 warning(s)."}}
    assert google.counts["values.get"] == 2  # one read (values, and as shown), with Ada's own token


def test_fill_from_the_addon_writes_the_derived_ledger_to_the_nrr_tab(customers: tuple[str, FakeGoogle]) -> None:
    url, google = customers
    response = post(url, "/addon/fill", mint_id_token(claims()), event(google.user_token(ADA, SHEET_ID)))
    action = response.json()["renderActions"]["action"]
    assert action["notification"]["text"].startswith("NRR: wrote 65 cell(s)")
    assert google.spreadsheets[SHEET_ID].sheet("NRR").cells[(1, 1)].value == 2800.0  # Feb 2025's Start


def test_a_customer_table_of_one_month_says_when_its_figures_start() -> None:
    with FakeGoogle() as google:
        google.add_spreadsheet(SHEET_ID, {"Customers": [["Customer", "Month", "MRR"], ["Acme", "2026-01", 100]]}
                               ).shared_with = {ADA}
        with addon_server(google, {"SHEETS_API_URL": google.url}, ledger=f"gsheet:{SHEET_ID}") as (url, _):
            widgets = home(url, google)["sections"][0]["widgets"]
    assert widgets[0] == {"textParagraph": {"text": "The customer table has one month so far (January 2026); its "
                                                    "figures start with the next month, compared with this one."}}
    assert widgets[1] == {"textParagraph": {"text": "Customer table valid: 1 customer, 1 month, 0 warning(s)."}}


def test_months_not_closed_are_left_out_as_slack_leaves_them_out() -> None:
    # today is 22 November 2026 (test_addon's clock): November is entered for one customer of three so far. The card
    # said "12-month cohort to Nov 2026" and listed as churned the customers not entered yet (fuzz 22); /nrr answers
    # October, the last closed month
    months = [Month(2025, 10) + i for i in range(14)]  # October 2025 to November 2026
    rows: list[list[Any]] = [["Customer", "Month", "MRR"]]
    rows += [[name, str(m), mrr] for m in months for name, mrr in (("Acme", 1000), ("Bolt", 500), ("Coda", 250))
             if m < Month(2026, 11) or name == "Acme"]
    with FakeGoogle() as google:
        google.add_spreadsheet(SHEET_ID, {"Customers": rows}).shared_with = {ADA}
        with addon_server(google, {"SHEETS_API_URL": google.url}, ledger=f"gsheet:{SHEET_ID}") as (url, _):
            card = home(url, google)
    widgets = card["sections"][0]["widgets"]
    texts = [w["decoratedText"] for w in widgets if "decoratedText" in w]
    assert texts[0]["topLabel"] == "12-month cohort to Oct 2026"
    assert texts[0]["text"] == "NRR 100.00% · GRR 100.00% · logo retention 100.00%"
    assert texts[1]["topLabel"] == "October 2026"
    assert texts[1]["bottomLabel"].endswith("; latest closed month in the table")
    assert "Churned" not in json.dumps(card)
    paragraphs = [w["textParagraph"]["text"] for w in widgets if "textParagraph" in w]
    assert "November 2026 has not closed yet, so it is left out: the figures end in October 2026." in paragraphs


def test_a_table_with_no_month_closed_says_when_its_figures_come() -> None:
    rows: list[list[Any]] = [["Customer", "Month", "MRR"], ["Acme", "2026-11", 1000], ["Acme", "2026-12", 1200]]
    with FakeGoogle() as google:
        google.add_spreadsheet(SHEET_ID, {"Customers": rows}).shared_with = {ADA}
        with addon_server(google, {"SHEETS_API_URL": google.url}, ledger=f"gsheet:{SHEET_ID}") as (url, _):
            card = home(url, google)
    paragraphs = [w["textParagraph"]["text"] for w in card["sections"][0]["widgets"] if "textParagraph" in w]
    assert paragraphs[0] == "December 2026 has not closed yet: the figures come once December 2026 has."
    # December has not begun on 22 November: a warning, counted as nrr validate counts it (a review: 0 here, 1 there)
    assert paragraphs[-1] == "Customer table valid: 1 customer, 2 months, 1 warning(s)."
    assert "NRR" not in json.dumps(card["sections"][0]["widgets"][0])
