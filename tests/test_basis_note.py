"""The benchmark basis of a seven-column ledger says what it is: an approximation of the 12-month cohort."""

from __future__ import annotations

import datetime as dt

from engine import approximation_note, build_report, read_ledger, report_to_dict, resolve_period
from tests.helpers import EXAMPLE_LEDGER
from tests.test_cli import report_json, run

NOTE = ("chained from month totals: an approximation of the 12-month cohort figure, low when new customers churn "
        "early (common in SMB): in simulations 1-8 pts for a flat company, 4-35 pts for one growing 50-100% a year, "
        "up to 41 pts at 200%; add a customer tab for the exact one")


def test_the_terminal_and_the_json_say_a_chained_figure_approximates_the_cohort() -> None:
    code, out, _ = run("report", "last-quarter", "--ledger", str(EXAMPLE_LEDGER))
    assert code == 0
    assert f"Benchmark basis: NRR 109.61%, GRR 83.44% (trailing 12 months to Sep 2026; {NOTE})" in out
    assert report_json("last-quarter", "--ledger", str(EXAMPLE_LEDGER))["benchmark"]["basis_note"] == NOTE


def test_the_sum_method_says_summed_and_which_way_it_departs_from_the_cohort() -> None:
    """It said the summed figure "runs below the 12-month cohort figure" whatever new customers did: 200.00% was
    said to run below a cohort figure of 100.00% where new customers expanded (fuzz 14)."""
    data = report_json("last-quarter", "--ledger", str(EXAMPLE_LEDGER), "--method", "sum")
    assert data["benchmark"]["basis_note"] == (
        "summed from month totals: new customers' movements count against the first Start, so it departs from the "
        "12-month cohort figure, below it when new customers churn or shrink and above it when they expand, the more "
        "so the faster the company grows; add a customer tab for the exact one")


def test_a_customer_table_needs_no_note() -> None:
    rows = [["Customer", "Month", "MRR"]] + [[c, f"2025-{m:02d}" if m <= 12 else f"2026-{m - 12:02d}", "100"]
                                              for c in ("A", "B") for m in range(1, 15)]
    report = build_report(read_ledger(rows), resolve_period("2026-02", dt.date(2026, 3, 2)))
    assert report.trailing is not None and report.trailing.cohort
    assert approximation_note(report.trailing) is None
    assert report_to_dict(report)["benchmark"]["basis_note"] is None


def test_a_customer_table_too_short_for_the_cohort_is_not_told_to_add_one() -> None:
    rows = [["Customer", "Month", "MRR"]] + [[c, f"2026-{m:02d}", "100"] for c in ("A", "B") for m in range(1, 10)]
    report = build_report(read_ledger(rows), resolve_period("2026-09", dt.date(2026, 10, 2)))
    assert report.trailing is not None and not report.trailing.cohort and report.trailing.nrr is not None
    # the figure is chained, and says so; it is not told to add the customer tab it has
    assert approximation_note(report.trailing) == (
        "chained from the customer table's month totals until it holds the 13 months a 12-month cohort needs")
    assert report_to_dict(report)["benchmark"]["basis_note"] == approximation_note(report.trailing)
