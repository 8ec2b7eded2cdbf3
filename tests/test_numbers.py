"""The numbers a customer table's answer shows agree with each other and with what was read: a segment
keeps its name and its benchmark whatever spelling its rows use, a change is the difference of the figures
shown, every money figure says what it is the money of; and the fingerprint comes from the bytes read."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import openpyxl

from engine import Month, build_report, read_customers, read_ledger, report_to_dict, resolve_period, segment_values
from sheets import open_file_source
from tests.fakes.google_api import FakeGoogle
from tests.helpers import HEADER, ROOT

TODAY = dt.date(2026, 2, 5)  # last month: January 2026


def months(first: Month, count: int) -> list[str]:
    return [str(first + i) for i in range(count)]


def table_with_spellings() -> list[list[Any]]:
    """14 months, December 2024 to January 2026: A's segment is written ``Smb`` in December 2025 alone (its row
    first in the file), ``SMB`` in every other month, as B's and C's always are; D is Enterprise."""
    rows: list[list[Any]] = [["Customer", "Month", "MRR", "Segment"]]
    for month in months(Month(2024, 12), 14):
        rows.append(["A", month, "100", "Smb" if month == "2025-12" else "SMB"])
    for name, segment, mrr in (("B", "SMB", "200"), ("C", "SMB", "50"), ("D", "Enterprise", "1000")):
        rows += [[name, month, mrr, segment] for month in months(Month(2024, 12), 14)]
    rows.sort(key=lambda r: (r[1] != "2025-12", r[1]) if r[0] != "Customer" else (False, ""))  # December first
    return rows


def test_a_segment_keeps_its_benchmark_when_spelled_otherwise_a_year_before() -> None:
    # last month (Jan 2026): the cohort is December's customers, the benchmark's the 12-month cohort of Jan 2025
    report = build_report(read_ledger(table_with_spellings()), resolve_period("last-month", TODAY), by="segment")
    assert report.segments is not None
    by_name = {s.segment: s for s in report.segments}
    assert set(by_name) == {"SMB", "Enterprise"}  # the spelling most cells have, not December's first row's
    smb = by_name["SMB"]
    assert smb.benchmark is not None and smb.benchmark.segment.segment == "smb"
    assert [s["benchmark"] is not None for s in report_to_dict(report)["segments"]] == [True, True]


def test_a_segment_value_answers_in_its_usual_spelling() -> None:
    table = read_customers(table_with_spellings()).table
    assert table is not None
    assert segment_values(table)["smb"] == (("Segment", "SMB"),)
    report = build_report(read_ledger(table_with_spellings()), resolve_period("last-month", TODAY),
                          where=("Segment", "smb"))
    assert report.cohort is not None and report.cohort.segment == "SMB"


# --- the fingerprint -----------------------------------------------------------------------------------------------

def test_a_files_fingerprint_is_of_its_bytes_and_follows_them(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes((ROOT / "examples" / "ledger.csv").read_bytes())
    cells = open_file_source(str(path)).read_cells()
    assert cells.source_digest == hashlib.sha256(path.read_bytes()).hexdigest()
    same = cells.fingerprint
    path.write_bytes(b'"Month"' + path.read_bytes().removeprefix(b"Month"))  # the same cells, other bytes
    os.utime(path, ns=(1, 1))
    again = open_file_source(str(path)).read_cells()
    assert again.grid == cells.grid and again.fingerprint != same
    assert again.source_digest == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_workbooks_fingerprint_is_of_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Ledger"
    for r in (HEADER, ["2026-01", 100, 10, 0, 0, None, None], ["2026-02", 110, 0, 5, 0, None, None]):
        sheet.append(r)
    book.save(path)
    cells = open_file_source(str(path)).read_cells()
    assert cells.source_digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(cells.ledger) == 2


def test_a_sheets_fingerprint_is_of_the_values_answer() -> None:
    from nrr.config import LedgerSettings, Settings, SheetsSettings
    from nrr.runtime import Runtime

    with FakeGoogle() as google:
        google.add_spreadsheet("1FingerprintSheet0000000000", {"Ledger": [
            HEADER, ["2026-01", 100, 10, 0, 0], ["2026-02", 110, 0, 5, 0]]})
        env = {"GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info()), "SHEETS_API_URL": google.url}
        runtime = Runtime(_file=Settings(ledger=LedgerSettings(source="gsheet:1FingerprintSheet0000000000/Ledger"),
                                   sheets=SheetsSettings(cache_ttl=0.0)), env=env)
        first, second = runtime.cells(), runtime.cells()
        assert first is not second and first.source_digest is not None
        assert first.fingerprint == second.fingerprint
        google.spreadsheets["1FingerprintSheet0000000000"].sheet("Ledger").set_rows([["2026-03", 105, 0, 0, 0]],
                                                                                     top=4)
        assert runtime.cells().fingerprint != first.fingerprint


# --- a change is the difference of the figures shown ---------------------------------------------------------------

def test_a_change_is_the_difference_of_the_two_figures_shown() -> None:
    # January 99.995% shows as 100.00%, February 100.004% as 100.00%: the change shows as 0.00, not 0.01
    ledger = read_ledger([HEADER, ["2026-01", "200000", "0", "10", "0"], ["2026-02", "100000", "4", "0", "0"]])
    out = report_to_dict(build_report(ledger, resolve_period("2026-02", dt.date(2026, 3, 5))))
    change = out["change"]
    assert (out["nrr_pct"], change["previous_nrr_pct"], change["nrr_pts"]) == (100.0, 100.0, 0.0)
    assert (out["grr_pct"], change["previous_grr_pct"], change["grr_pts"]) == (100.0, 100.0, 0.0)


# --- whose money --------------------------------------------------------------------------------------------------

def customers_ledger() -> Any:
    with (ROOT / "examples" / "customers.csv").open(newline="") as handle:
        return read_ledger(list(csv.reader(handle)))


def test_every_money_figure_says_whose_money_it_is() -> None:
    ttm = resolve_period("ttm", dt.date(2026, 11, 5))
    out = report_to_dict(build_report(customers_ledger(), ttm))
    # the month totals grow with new customers (End/Start 150.4%); NRR is the cohort's own End/Start
    assert out["money_basis"] == "month totals (all customers)"
    assert (out["start_mrr"], out["end_mrr"], out["nrr_pct"]) == ("58944.33", "88649.32", 106.21)
    cohort = out["cohort"]
    assert round(float(cohort["end_mrr"]) / float(cohort["start_mrr"]) * 100, 2) == out["nrr_pct"]
    smb = report_to_dict(build_report(customers_ledger(), ttm, where=("Segment", "SMB")))
    assert smb["money_basis"] == "month totals (the segment's customers in the month before the period)"
    chained = report_to_dict(build_report(customers_ledger(), ttm, method="chained"))
    assert chained["money_basis"] == "month totals (all customers)"
    ledger = read_ledger([HEADER, ["2026-01", "100", "10", "0", "0"], ["2026-02", "110", "0", "5", "0"]])
    assert report_to_dict(build_report(ledger, resolve_period("2026-02", TODAY)))["money_basis"] == "ledger rows"


# --- names as most rows write them ------------------------------------------------------------------------------

def id_and_name_rows(plan: bool = False) -> list[list[Any]]:
    """Customer 7's name is written ``ACME INC`` on its first row only, ``Acme Inc`` on the 12 after it."""
    rows: list[list[Any]] = [["Customer ID", "Customer", "Month", "MRR", *(["Plan"] if plan else [])]]
    for i, month in enumerate(months(Month(2025, 1), 13)):
        rows.append(["7", "ACME INC" if i == 0 else "Acme Inc", month, "100" if i < 12 else "0",
                     *(["Pro"] if plan else [])])
        rows.append(["8", "Beta", month, "50", *(["Pro"] if plan else [])])
        if plan:  # a second subscription: summed, so read row by row
            rows.append(["8", "Beta", month, "5", "Seats"])
    return rows


def test_a_customer_is_shown_with_the_name_most_of_its_rows_have() -> None:
    for rows in (id_and_name_rows(), id_and_name_rows(plan=True)):
        table = read_customers(rows).table
        assert table is not None and table.names == ("Acme Inc", "Beta")
        report = build_report(read_ledger(rows), resolve_period("ttm", TODAY))
        assert report.cohort is not None
        assert [m.customer for m in report.cohort.movers["churn"]] == ["Acme Inc"]


# --- a customer whose rows in one month name different segments ---------------------------------------------------

def two_subscriptions(reverse: bool = False) -> list[list[Any]]:
    """Acme pays 100 on its Pro row (segment SMB) and 300 on its Seats row (Enterprise) in every month of 2025;
    Beta is SMB. ``reverse``: the same rows, the other way round."""
    body: list[list[Any]] = []
    for month in months(Month(2025, 1), 13):
        body += [["Acme", month, "100", "Pro", "SMB"], ["Acme", month, "300", "Seats", "Enterprise"],
                 ["Beta", month, "50", "Pro", "SMB"]]
    return [["Customer", "Month", "MRR", "Plan", "Segment"], *(body[::-1] if reverse else body)]


def test_a_customer_with_rows_in_two_segments_counts_in_the_one_of_its_largest_mrr_whatever_the_order() -> None:
    answers = []
    for rows in (two_subscriptions(), two_subscriptions(reverse=True)):
        report = build_report(read_ledger(rows), resolve_period("ttm", dt.date(2026, 2, 5)), by="Segment")
        assert report.segments is not None
        answers.append([(s.segment, s.cohort.customers, s.cohort.start) for s in report.segments])
    assert answers[0] == answers[1] == [("Enterprise", 1, 40000), ("SMB", 1, 5000)]


def test_rows_that_disagree_on_a_segment_are_a_warning_naming_the_customer() -> None:
    issues = [i for i in read_customers(two_subscriptions()).issues if i.code == "rows_disagree"]
    assert [(str(i), i.cells) for i in issues] == [(
        "E2 and E3 (January 2025): 'Acme' has rows with different Segment in one month ('Enterprise', 'SMB'; 13 "
        "months like this): each month it counts in the Segment of its largest MRR, here 'Enterprise' (ties: the "
        "first in sort order). Give its rows one Segment if that is not right.", ("E2", "E3"))]


def test_in_the_wide_form_too_each_month_follows_the_larger_row() -> None:
    header = ["Customer", "Plan", "Segment", *months(Month(2025, 1), 13)]
    small, large = ["Acme", "Pro", "SMB", *["100"] * 13], ["Acme", "Seats", "Enterprise", *["300"] * 13]
    beta = ["Beta", "Pro", "SMB", *["50"] * 13]
    found = []
    for body in ([small, large, beta], [beta, large, small]):
        report = build_report(read_ledger([header, *body]), resolve_period("ttm", dt.date(2026, 2, 5)), by="Segment")
        assert report.segments is not None
        found.append([(s.segment, s.cohort.customers, s.cohort.start) for s in report.segments])
        assert [i.code for i in report.warnings] == ["rows_disagree"]
    assert found[0] == found[1] == [("Enterprise", 1, 40000), ("SMB", 1, 5000)]
