"""The period grammar, around year ends, fiscal years and the month in progress."""

from __future__ import annotations

import datetime as dt

import pytest

from engine import Month, Period, PeriodSyntaxError, QueryError, fit_period, resolve_period
from tests.helpers import ledger, row

TODAY = dt.date(2026, 11, 22)


def months(period: Period) -> tuple[str, str]:
    return str(period.first), str(period.last)


@pytest.mark.parametrize(
    ("query", "first", "last", "label", "to_date"),
    [
        ("last-month", "2026-10", "2026-10", "October 2026", False),
        ("last month", "2026-10", "2026-10", "October 2026", False),
        ("this-month", "2026-11", "2026-11", "November 2026 to date", True),
        ("last-quarter", "2026-07", "2026-09", "Q3 2026", False),
        ("this-quarter", "2026-10", "2026-11", "Q4 2026 to date", True),
        ("last-year", "2025-01", "2025-12", "2025", False),
        ("ytd", "2026-01", "2026-10", "2026 year to date", False),
        ("ttm", "2025-11", "2026-10", "Trailing 12 months to Oct 2026", False),
        ("last-12-months", "2025-11", "2026-10", "Trailing 12 months to Oct 2026", False),
        ("last-6-months", "2026-05", "2026-10", "6 months to Oct 2026", False),
        # named as ttm names them: "past 12 months" had said "12 months to Oct 2026" (a fresh-eyes try)
        ("past 12 months", "2025-11", "2026-10", "Trailing 12 months to Oct 2026", False),
        ("l12m", "2025-11", "2026-10", "Trailing 12 months to Oct 2026", False),
        ("2026-03", "2026-03", "2026-03", "March 2026", False),
        ("Mar 2026", "2026-03", "2026-03", "March 2026", False),
        ("march", "2026-03", "2026-03", "March 2026", False),
        ("december", "2025-12", "2025-12", "December 2025", False),
        ("november", "2026-11", "2026-11", "November 2026 to date", True),
        ("Q3 2026", "2026-07", "2026-09", "Q3 2026", False),
        ("2026-Q3", "2026-07", "2026-09", "Q3 2026", False),
        ("q3", "2026-07", "2026-09", "Q3 2026", False),
        ("q4", "2026-10", "2026-11", "Q4 2026 to date", True),
        ("Q1", "2026-01", "2026-03", "Q1 2026", False),
        ("FY2025", "2025-01", "2025-12", "FY2025", False),
        ("2025", "2025-01", "2025-12", "2025", False),
        ("2026-01..2026-06", "2026-01", "2026-06", "Jan 2026 to Jun 2026", False),
        ("Jan 2026..Mar 2026", "2026-01", "2026-03", "Q1 2026", False),
    ],
)
def test_grammar(query: str, first: str, last: str, label: str, to_date: bool) -> None:
    period = resolve_period(query, TODAY)
    assert (months(period), period.label, period.to_date) == ((first, last), label, to_date)


@pytest.mark.parametrize(
    ("query", "today", "first", "last", "label"),
    [
        ("last-month", dt.date(2026, 1, 1), "2025-12", "2025-12", "December 2025"),
        ("last-quarter", dt.date(2026, 1, 15), "2025-10", "2025-12", "Q4 2025"),
        ("last-year", dt.date(2026, 1, 1), "2025-01", "2025-12", "2025"),
        ("ttm", dt.date(2026, 1, 31), "2025-01", "2025-12", "Trailing 12 months to Dec 2025"),
        ("this-quarter", dt.date(2026, 1, 1), "2026-01", "2026-01", "Q1 2026 to date"),
        ("q4", dt.date(2026, 2, 1), "2025-10", "2025-12", "Q4 2025"),
    ],
)
def test_year_ends(query: str, today: dt.date, first: str, last: str, label: str) -> None:
    period = resolve_period(query, today)
    assert (months(period), period.label) == ((first, last), label)


@pytest.mark.parametrize(
    ("query", "start", "first", "last", "label"),
    [
        # February start (FY2027 = Feb 2026 - Jan 2027): Nov 2026 is in fiscal Q4 (Nov-Jan)
        ("last-quarter", 2, "2026-08", "2026-10", "Q3 FY2027"),
        ("this-quarter", 2, "2026-11", "2026-11", "Q4 FY2027 to date"),
        ("last-year", 2, "2025-02", "2026-01", "FY2026"),
        ("ytd", 2, "2026-02", "2026-10", "FY2027 year to date"),
        ("FY2027", 2, "2026-02", "2026-11", "FY2027 to date"),
        ("Q1 FY2027", 2, "2026-02", "2026-04", "Q1 FY2027"),
        ("Q1 2027", 2, "2026-02", "2026-04", "Q1 FY2027"),
        ("q1", 2, "2026-02", "2026-04", "Q1 FY2027"),
        # July start (FY2027 = Jul 2026 - Jun 2027)
        ("last-quarter", 7, "2026-07", "2026-09", "Q1 FY2027"),
        ("last-year", 7, "2025-07", "2026-06", "FY2026"),
        ("ytd", 7, "2026-07", "2026-10", "FY2027 year to date"),
        ("FY2026", 7, "2025-07", "2026-06", "FY2026"),
        ("FY27", 7, "2026-07", "2026-11", "FY2027 to date"),
        ("Q3 FY2026", 7, "2026-01", "2026-03", "Q3 FY2026"),
        ("2026-07..2027-06", 7, "2026-07", "2026-11", "FY2027 to date"),
    ],
)
def test_fiscal_years(query: str, start: int, first: str, last: str, label: str) -> None:
    period = resolve_period(query, TODAY, fiscal_year_start=start)
    assert (months(period), period.label) == ((first, last), label)


@pytest.mark.parametrize("query", ["2026-01..2030-01", "2026-09..2026-12", "Jun 2026 to May 2027"])
def test_a_range_that_ends_in_a_month_not_begun_is_refused_naming_the_ranges_to_ask(query: str) -> None:
    # "2026-01..2030-01" was answered as "Jan 2026 to Jan 2030 to date" and compared with Dec 2021 to Oct 2022, a
    # span of its length before (a fresh-eyes try); a range that is a quarter or a year still runs to date
    with pytest.raises(QueryError) as info:
        resolve_period(query, TODAY)
    first = query[:7] if query[4] == "-" else "2026-06"
    assert str(info.value).startswith("The range ends in ") and "has not begun (this is November 2026)" in \
        str(info.value) and f"({first}..2026-10)" in str(info.value) and f"({first}..2026-11)" in str(info.value)
    assert resolve_period("2026-10..2026-11", TODAY).label == "Oct 2026 to Nov 2026 to date"
    assert resolve_period("2026-10..2026-12", dt.date(2026, 12, 1)).label == "Q4 2026 to date"
    assert resolve_period("2026-01..2026-12", TODAY).label == "2026 to date"


def test_ytd_in_the_first_fiscal_month_has_no_closed_month() -> None:
    with pytest.raises(QueryError) as info:
        resolve_period("ytd", dt.date(2026, 7, 3), fiscal_year_start=7)
    assert str(info.value) == (
        "FY2027 began in July 2026 and has no closed month yet; try this-month or last-year.")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("banana", "'banana' is not a period I know. Try one of: last-month, this-month, last-quarter, "
                   "this-quarter, last-year, ytd, ttm, last-12-months, 2026-03, Mar 2026, march, Q3 2026, "
                   "2026-Q3, q3, FY2027, 2026-01..2026-06."),
        ("Q1 2027", "Q1 2027 has not started yet; the latest closed month is October 2026."),
        ("2026-06..2026-01", "The range ends (January 2026) before it starts (June 2026); put the earlier "
                             "month first."),
    ],
)
def test_query_errors(query: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        resolve_period(query, TODAY)
    assert str(info.value) == message


def test_fit_to_ledger() -> None:
    book = ledger(*(row(f"2026-{m:02d}", "100") for m in (1, 2, 3, 4, 5, 6, 7, 8, 9)), row("2026-11", "100"))
    with pytest.raises(QueryError) as info:
        fit_period(resolve_period("last-month", dt.date(2026, 12, 5)), ledger(row("2026-09", "1")))
    assert str(info.value) == "November 2026 is not in the ledger yet; the latest month is September 2026."
    with pytest.raises(QueryError) as info:
        fit_period(resolve_period("2025-12", TODAY), book)
    assert str(info.value) == "December 2025 is before the ledger starts; the first month is January 2026."
    with pytest.raises(QueryError) as info:
        fit_period(resolve_period("ttm", TODAY), book)
    assert str(info.value) == (
        "Trailing 12 months to Oct 2026 starts in November 2025, before the ledger does; the first month "
        "is January 2026.")
    with pytest.raises(QueryError) as info:
        fit_period(resolve_period("2026-08..2026-11", dt.date(2026, 12, 1)), book)
    assert str(info.value) == (
        "Aug 2026 to Nov 2026 spans months the ledger does not have: October 2026. Add them to the "
        "ledger, or ask for a period that avoids them.")
    # a period "to date" ends at the ledger's latest month when the month in progress has no row
    short = ledger(row("2026-10", "100"))
    assert months(fit_period(resolve_period("this-quarter", TODAY), short)) == ("2026-10", "2026-10")
    with pytest.raises(QueryError) as info:
        fit_period(resolve_period("this-month", TODAY), short)
    assert str(info.value) == "November 2026 is not in the ledger yet; the latest month is October 2026."
    # and only then: asked in December, 2026 to date without November answered "to date" as of October (fuzz 5)
    with pytest.raises(QueryError) as info:
        fit_period(resolve_period("2026", dt.date(2026, 12, 20)), ledger(row("2026-09", "90"), row("2026-10", "100")))
    assert str(info.value) == "November 2026 is not in the ledger yet; the latest month is October 2026."


def test_month_in_progress_is_only_included_when_named() -> None:
    assert resolve_period("last-quarter", dt.date(2026, 10, 1)).last == Month(2026, 9)
    assert resolve_period("ttm", dt.date(2026, 10, 31)).last == Month(2026, 9)
    assert resolve_period("this-quarter", dt.date(2026, 10, 31)).last == Month(2026, 10)


def test_a_bare_year_says_it_is_calendar_when_the_fiscal_year_is_not() -> None:
    today = dt.date(2026, 11, 5)
    assert resolve_period("2025", today, 7).label == "Calendar 2025"
    assert resolve_period("last-year", today, 7).label == "FY2026"
    assert resolve_period("2025", today, 1).label == "2025"


@pytest.mark.parametrize("typed", ["2026\u201301..2026\u201303", "2026-01\u20262026-03", "2026\u221201..2026\u221203",
                                   # an en or em dash between two whole months is the range's (a fresh-eyes try)
                                   "2026-01\u20132026-03", "2026-01 \u2014 2026-03", "Jan 2026 \u2013 Mar 2026"])
def test_dashes_and_an_ellipsis_from_smart_punctuation_read_as_typed_plainly(typed: str) -> None:
    # Slack, Docs and Excel write these; refused, they looked the same as the examples offered (fuzz 7)
    assert months(resolve_period(typed, TODAY)) == ("2026-01", "2026-03")
    assert resolve_period("last\u2013quarter", TODAY) == resolve_period("last-quarter", TODAY)


@pytest.mark.parametrize(("query", "start"), [
    ("0000", 1), ("fy0000", 1), ("q1 0000", 1), ("0000-q4", 1), ("FY0000 Q2", 1), ("0000", 7),
    ("fy0001", 7), ("q1 0001", 7), ("fy0001 q3", 2), ("Q4 FY0001", 12),
])
def test_a_period_in_year_0_is_outside_the_calendar(query: str, start: int) -> None:
    # it was a ValueError from Month: an internal error, exit 70 in a terminal (fuzz 10)
    with pytest.raises(PeriodSyntaxError) as info:
        resolve_period(query, TODAY, start)
    assert str(info.value) == (
        f"'{query}' is outside the calendar, whose years run from 1 to 9999: ask for a period the ledger covers.")


@pytest.mark.parametrize(("query", "start", "first", "last"), [
    ("0001", 1, "0001-01", "0001-12"), ("fy0001", 1, "0001-01", "0001-12"), ("fy0002", 7, "0001-07", "0002-06"),
    ("q4 0001", 1, "0001-10", "0001-12"), ("9999", 7, "9999-01", "9999-12"), ("fy9999 q4", 7, "9999-04", "9999-06"),
])
def test_the_calendars_first_and_last_years_are_periods(query: str, start: int, first: str, last: str) -> None:
    assert months(resolve_period(query, dt.date(9999, 12, 31), start)) == (first, last)


def test_a_year_before_1000_is_written_with_four_digits() -> None:
    # "0001 starts in January 1" read as a day; "FY1", "Q1 1" (fuzz 10)
    assert (Month(1, 1).name, Month(1, 1).short) == ("January 0001", "Jan 0001")
    assert resolve_period("q1 0001", dt.date(9999, 12, 31)).label == "Q1 0001"
    assert resolve_period("fy0002", dt.date(9999, 12, 31), 7).label == "FY0002"


def test_a_fiscal_year_is_compared_with_the_fiscal_year_before_by_that_name() -> None:
    from engine import previous_period

    # /nrr fy25 headed FY2025 and compared it "vs 2024" (fuzz 10)
    assert previous_period(resolve_period("fy25", TODAY)).label == "FY2024"
    assert previous_period(resolve_period("2025", TODAY)).label == "2024"


def test_a_period_before_a_customer_tables_first_month_with_movements_says_why() -> None:
    from engine import check_ledger

    table = check_ledger([["Customer", "Month", "MRR"], ["A", "2025-01", "100"], ["A", "2025-02", "110"]]).ledger
    assert table is not None
    with pytest.raises(QueryError) as info:
        fit_period(resolve_period("2025-01..2025-02", TODAY), table)
    # it said 2025 started "before the ledger does" beside "the customer table covers January 2025" (fuzz 10)
    assert str(info.value) == (
        "Jan 2025 to Feb 2025 starts in January 2025; a month's figures compare it with the month before, and the "
        "customer table starts in January 2025, so the first month that can be answered is February 2025.")


@pytest.mark.parametrize("typed", ["last-quarter\u200b", "\ufefflast-quarter", "last\u2060-quarter",
                                   "last-\u200dquarter", "\u200elast-quarter\u00ad"])
def test_format_characters_pasted_with_a_period_are_dropped(typed: str) -> None:
    # "'last-quarter' is not a period I know. Try one of: ..., last-quarter, ..." (fuzz 10)
    assert resolve_period(typed, TODAY) == resolve_period("last-quarter", TODAY)
    assert months(resolve_period("q3\u20602026", TODAY)) == ("2026-07", "2026-09")


@pytest.mark.parametrize("query", ["last-121-months", "last-0-months"])
def test_last_n_months_out_of_range_says_the_range(query: str) -> None:
    # "not a period I know" though the README says any N (fuzz 13)
    with pytest.raises(PeriodSyntaxError, match=r"last-N-months takes N from 1 to 120 \(ten years\)"):
        resolve_period(query, TODAY)
