"""A segment's report is the segment's throughout: its money, its months, its 12-month cohort against its own
segment's benchmark, and segments within it that add up to it. On examples/customers.csv, by hand from the table
where the figures are small enough, else against the cohort figures the engine itself reports."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal as D

from engine import (
    Ledger,
    Profile,
    build_report,
    funding_sentence,
    profile_sentence,
    read_ledger,
    report_to_dict,
    resolve_period,
    segment_lines,
)
from tests.helpers import ROOT

TODAY = dt.date(2026, 11, 5)


def ledger() -> Ledger:
    with (ROOT / "examples" / "customers.csv").open(newline="") as handle:
        return read_ledger(list(csv.reader(handle)))


def test_a_segments_money_and_months_are_its_own() -> None:
    whole = build_report(ledger(), resolve_period("ttm", TODAY))
    smb = build_report(ledger(), resolve_period("ttm", TODAY), where=("segment", "smb"))
    assert smb.cohort is not None and whole.cohort is not None
    assert (smb.cohort.segment, smb.cohort.customers) == ("SMB", 15)
    # the panel and the month table start from the segment's cohort, not the company's 58,944.33
    assert (smb.retention.start, whole.retention.start) == (D("4966.86"), D("58944.33"))
    assert smb.retention.rows[0].start == smb.cohort.start_mrr
    assert smb.retention.rows[-1].end == smb.cohort.end_mrr == D("3407.57")


def test_a_segment_is_benchmarked_on_its_own_12_month_cohort_against_its_own_segment() -> None:
    smb = build_report(ledger(), resolve_period("ttm", TODAY), where=("segment", "SMB"))
    assert smb.trailing is not None and smb.trailing.cohort and smb.benchmark is not None
    assert f"{smb.trailing.nrr:.4f}" == "0.6861"  # the segment's, not the company's 1.0621
    assert (smb.benchmark.segment.segment, smb.benchmark.segment.median) == ("smb", D("0.97"))
    assert profile_sentence(smb.benchmark) is None  # the data chose the segment; nothing was assumed
    # ...and nothing named the funding: it is not compared, and the profile stays assumed (the funding line
    # 'VC-backed median 106%' was shown, and the JSON said "assumed": false, of a company that named none)
    assert funding_sentence(smb.benchmark) is None
    assert report_to_dict(smb)["benchmark"]["profile"] == {"segment": "smb", "funding": "vc", "assumed": True}
    for report in (build_report(ledger(), resolve_period("ttm", TODAY), by="segment").segments or ()):
        assert report.benchmark is None or funding_sentence(report.benchmark) is None
    named = build_report(ledger(), resolve_period("ttm", TODAY), where=("segment", "SMB"),
                         profile=Profile(funding="bootstrapped"))
    assert named.benchmark is not None and named.benchmark.profile.segment == "smb"
    assert (funding_sentence(named.benchmark) or "").startswith("Bootstrapped median 104%")


def test_segments_within_a_segment_add_up_to_it() -> None:
    smb = build_report(ledger(), resolve_period("ttm", TODAY), where=("segment", "smb"), by="plan")
    assert smb.cohort is not None and smb.segments is not None
    assert sum(s.cohort.customers for s in smb.segments) == smb.cohort.customers == 15
    assert sum(s.cohort.start_mrr for s in smb.segments) == smb.cohort.start_mrr
    assert sum(s.cohort.end_mrr for s in smb.segments) == smb.cohort.end_mrr


def test_a_quarters_segment_tier_names_the_12_month_figure_it_rests_on() -> None:
    quarter = build_report(ledger(), resolve_period("last-quarter", TODAY), by="segment")
    assert quarter.segments is not None
    assert [f"{line.segment}: {line.figures}" for line in segment_lines(quarter.segments)] == [
        "Enterprise: NRR 102.5% · GRR 100.0% · logo retention 100.0% (5 of 5) · 12-month cohort 118.4%: Strong for "
        "enterprise (+0.4 pts vs its 118% median)",
        "Mid-Market: NRR 96.1% · GRR 94.8% · logo retention 100.0% (10 of 10) · 12-month cohort 105.7%: Good for "
        "mid-market (-2.3 pts vs its 108% median)",
        "SMB: NRR 92.3% · GRR 89.7% · logo retention 93.3% (14 of 15) · 12-month cohort 64.3%: Critical for SMB "
        "(-32.7 pts vs its 97% median)"]


def test_a_segments_json_benchmark_carries_the_figure_it_compared() -> None:
    data = report_to_dict(build_report(ledger(), resolve_period("last-quarter", TODAY), by="segment"))
    enterprise = data["segments"][0]
    assert (enterprise["segment"], enterprise["nrr_pct"]) == ("Enterprise", 102.54)  # the quarter's cohort
    assert {k: enterprise["benchmark"][k] for k in ("basis", "nrr_pct", "tier", "segment", "gap_to_median_pts")} == {
        "basis": "12-month cohort", "nrr_pct": 118.35, "tier": "strong", "segment": "enterprise",
        "gap_to_median_pts": 0.35}


def test_segments_within_a_segment_draw_their_12_month_cohorts_a_year_back() -> None:
    """SMB's plans against their benchmarks as of Oct 2026 are the same whether the period is the trailing 12
    months or the last month: each year's cohort is the plan's SMB customers in Oct 2025, not the survivors."""
    figures = {}
    for period in ("ttm", "last-month"):
        data = report_to_dict(build_report(ledger(), resolve_period(period, TODAY), where=("segment", "smb"),
                                           by="plan"))
        figures[period] = {s["segment"]: s["benchmark"]["nrr_pct"] for s in data["segments"]}
    assert figures["ttm"] == figures["last-month"] == {"Growth": 74.58, "Starter": 60.99}


def test_a_segment_has_no_annual_figure_until_the_table_holds_its_year() -> None:
    with (ROOT / "examples" / "customers.csv").open(newline="") as handle:
        rows = [r for r in csv.reader(handle) if r[2] == "Month" or r[2] <= "2025-10"]  # Jan .. Oct 2025
    report = build_report(read_ledger(rows), resolve_period("last-month", dt.date(2025, 11, 10)),
                          where=("segment", "smb"))
    assert report.benchmark is None and report.trailing is not None and report.trailing.nrr is None
    assert report.trailing.undefined == ("no annual figure for SMB yet: a segment's 12-month cohort is its "
                                         "customers in October 2024, and the customer table starts in January 2025")


def test_a_segments_cohort_wins_no_new_business_and_says_what_came_back() -> None:
    from engine import cohort_money_sentence

    report = build_report(ledger(), resolve_period("ttm", dt.date(2026, 7, 15)), where=("segment", "smb"))
    data = report_to_dict(report)
    assert (data["new_business"], data["quick_ratio"]) == (None, None)  # returning members are not new business
    assert cohort_money_sentence(report) == (
        "The movements above are those of the 16 SMB customers paying in Jun 2025, month by month: $5,197 then, "
        "$3,796 in Jun 2026; $1,029 of it from customers who left and came back.")


def test_a_chained_figure_asked_of_a_customer_table_says_so() -> None:
    data = report_to_dict(build_report(ledger(), resolve_period("ttm", TODAY), method="chained"))
    assert data["benchmark"]["basis_note"] == ("chained from the customer table's month totals, as asked: the cohort "
                                               "method (the default) gives the exact 12-month cohort figure")


def test_by_the_customer_column_says_it_names_customers() -> None:
    import pytest

    from engine import QueryError

    with pytest.raises(QueryError) as exc:
        build_report(ledger(), resolve_period("ttm", TODAY), by="Customer ID")
    assert str(exc.value) == ("'Customer ID' names each customer, so it splits nothing into segments; its attribute "
                              "columns are: Segment, Plan.")
