"""Periods: what ``last-quarter``, ``Q3 2026`` or ``2026-01..2026-06`` mean on a given day.

One grammar serves the CLI and the Slack command. Relative periods resolve against ``today`` and
the fiscal-year start; a fiscal year is named after the calendar year it ends in (with a July
start, FY2027 runs July 2026 to June 2027). Quarters are fiscal quarters, and the year in
``Q3 2026`` is the fiscal year (the calendar year when the fiscal year starts in January).
Only closed months count, unless the query names the month, quarter or year in progress: then
the answer is "to date".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from engine import _messages as say
from engine._cells import CellError, parse_month
from engine._errors import QueryError
from engine._ledger import Ledger
from engine._month import MONTH_NAMES, Month, fiscal_year_first_month

EXAMPLES = (
    "last-month", "this-month", "last-quarter", "this-quarter", "last-year", "ytd", "ttm",
    "last-12-months", "2026-03", "Mar 2026", "march", "Q3 2026", "2026-Q3", "q3", "FY2027",
    "2026-01..2026-06",
)

_MONTH_ONLY = {name.lower(): i + 1 for i, name in enumerate(MONTH_NAMES)}
_MONTH_ONLY.update({name[:3].lower(): i + 1 for i, name in enumerate(MONTH_NAMES)})
_MONTH_ONLY["sept"] = 9
_QUARTER = re.compile(
    r"q([1-4])(?:[\s\-]*(?:fy)?\s*(\d{4}|\d{2}))?|(?:fy)?\s*(\d{4})[\s\-]*q([1-4])|fy\s*(\d{4}|\d{2})[\s\-]*q([1-4])"
)
_FISCAL_YEAR = re.compile(r"fy\s*'?(\d{4}|\d{2})")
_LAST_N = re.compile(r"(?:last|trailing|past)-(\d{1,3})-months?|l(\d{1,3})m")
_ALIASES = {
    "last-month": "last-month", "previous-month": "last-month", "this-month": "this-month",
    "current-month": "this-month", "mtd": "this-month",
    "last-quarter": "last-quarter", "previous-quarter": "last-quarter",
    "this-quarter": "this-quarter", "current-quarter": "this-quarter", "qtd": "this-quarter",
    "last-year": "last-year", "previous-year": "last-year", "ytd": "ytd", "year-to-date": "ytd",
    "this-year": "ytd", "ttm": "ttm", "ltm": "ttm", "trailing-12-months": "ttm",
    "last-12-months": "ttm", "t12m": "ttm", "l12m": "ttm",
}


@dataclass(frozen=True, slots=True)
class Period:
    """A run of whole months, ``first`` to ``last`` inclusive, with the label people see."""

    first: Month
    last: Month
    label: str
    to_date: bool = False

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a period cannot end ({self.last}) before it starts ({self.first})")

    @property
    def months(self) -> tuple[Month, ...]:
        return tuple(self.first + i for i in range(len(self)))

    def __len__(self) -> int:
        return self.last - self.first + 1

    def __contains__(self, month: object) -> bool:
        return isinstance(month, Month) and self.first <= month <= self.last


def label_span(first: Month, last: Month, fiscal_year_start: int = 1) -> str:
    """A name for a run of months: ``March 2026``, ``Q1 2026``, ``FY2027``, ``12 months to Oct 2026``."""
    n = last - first + 1
    if n == 1:
        return first.name
    fy = first.fiscal_year(fiscal_year_start)
    fy_name = str(fy) if fiscal_year_start == 1 else f"FY{fy}"
    offset = (first.month - fiscal_year_start) % 12
    if n == 3 and offset % 3 == 0:
        return f"Q{offset // 3 + 1} {fy_name}"
    if n == 12 and offset == 0:
        return fy_name
    if n == 12:
        return f"12 months to {last.short}"
    return f"{first.short} to {last.short}"


def _to_date(first: Month, last: Month, current: Month, fiscal_year_start: int, label: str) -> Period:
    """The whole named span, or up to the month in progress ("to date") when it includes it."""
    if first > current:
        raise QueryError(say.not_started(label, current - 1))
    if last >= current:
        return Period(first, current, f"{label} to date", to_date=True)
    return Period(first, last, label)


def resolve_period(query: str, today: dt.date, fiscal_year_start: int = 1) -> Period:
    """The months ``query`` names on ``today``.

    >>> resolve_period("last-quarter", dt.date(2026, 11, 22)).label
    'Q3 2026'
    >>> resolve_period("FY2027", dt.date(2026, 11, 22), fiscal_year_start=7).first
    Month(year=2026, month=7)
    """
    if not 1 <= fiscal_year_start <= 12:
        raise ValueError("fiscal_year_start is a month number, 1..12")
    text = re.sub(r"\s+", " ", query.strip().lower())
    key = re.sub(r"[\s_]+", "-", text)
    current = Month.of(today)
    closed = current - 1
    fys = fiscal_year_start

    def fiscal_year_name(fy: int) -> str:
        return str(fy) if fys == 1 else f"FY{fy}"

    def quarter_first(fy: int, q: int) -> Month:
        return fiscal_year_first_month(fy, fys) + 3 * (q - 1)

    def full_year(y: str) -> int:
        return int(y) + 2000 if len(y) == 2 else int(y)

    alias = _ALIASES.get(key)
    if alias == "last-month":
        return Period(closed, closed, closed.name)
    if alias == "this-month":
        return Period(current, current, f"{current.name} to date", to_date=True)
    this_q = quarter_first(current.fiscal_year(fys), current.fiscal_quarter(fys))
    if alias == "last-quarter":
        first = this_q - 3
        return Period(first, first + 2, label_span(first, first + 2, fys))
    if alias == "this-quarter":
        return Period(this_q, current, f"{label_span(this_q, this_q + 2, fys)} to date", to_date=True)
    this_fy = current.fiscal_year(fys)
    if alias == "last-year":
        first = fiscal_year_first_month(this_fy - 1, fys)
        return Period(first, first + 11, fiscal_year_name(this_fy - 1))
    if alias == "ytd":
        first = fiscal_year_first_month(this_fy, fys)
        if closed < first:
            raise QueryError(say.no_closed_month_yet(fiscal_year_name(this_fy), first))
        return Period(first, closed, f"{fiscal_year_name(this_fy)} year to date")
    if alias == "ttm":
        return Period(closed - 11, closed, f"Trailing 12 months to {closed.short}")
    if m := _LAST_N.fullmatch(key):
        n = int(m[1] or m[2])
        if not 1 <= n <= 120:
            raise QueryError(say.unknown_period(query, EXAMPLES))
        return Period(closed - (n - 1), closed,
                      closed.name if n == 1 else f"{n} months to {closed.short}")

    if ".." in text or " to " in text:
        left, _, right = text.partition(".." if ".." in text else " to ")
        first, last = _month_of(left.strip(), query), _month_of(right.strip(), query)
        if last < first:
            raise QueryError(say.backwards_range(first, last))
        return _to_date(first, last, current, fys, label_span(first, last, fys))
    if text in _MONTH_ONLY:
        number = _MONTH_ONLY[text]
        month = Month(current.year if number <= current.month else current.year - 1, number)
        return _to_date(month, month, current, fys, month.name)
    if m := _QUARTER.fullmatch(text):
        q = int(m[1] or m[4] or m[6])
        year = m[2] or m[3] or m[5]
        if year:
            fy = full_year(year)
        else:  # the latest fiscal Q<q> that has started
            fy = this_fy if quarter_first(this_fy, q) <= current else this_fy - 1
        first = quarter_first(fy, q)
        return _to_date(first, first + 2, current, fys, label_span(first, first + 2, fys))
    if m := _FISCAL_YEAR.fullmatch(text):
        fy = full_year(m[1])
        first = fiscal_year_first_month(fy, fys)
        return _to_date(first, first + 11, current, fys, f"FY{fy}")
    if re.fullmatch(r"\d{4}", text):
        first = Month(int(text), 1)
        return _to_date(first, first + 11, current, fys, text)
    month = _month_of(text, query)
    return _to_date(month, month, current, fys, month.name)


def _month_of(text: str, query: str) -> Month:
    if text in _MONTH_ONLY or re.fullmatch(r"\d{5,}", text):
        raise QueryError(say.unknown_period(query, EXAMPLES))
    try:
        return parse_month(text)
    except CellError:
        raise QueryError(say.unknown_period(query, EXAMPLES)) from None


def fit_period(period: Period, ledger: Ledger) -> Period:
    """``period`` as the ledger can answer it, or ``QueryError`` saying which months it lacks.

    A period "to date" ends at the ledger's latest month when the month in progress has no row.
    """
    first_month, last_month = ledger.first_month, ledger.last_month
    if first_month is None or last_month is None:
        raise QueryError(say.ledger_empty())
    if period.to_date and period.last > last_month >= period.first:
        period = Period(period.first, last_month, period.label, to_date=True)
    if period.last > last_month:
        raise QueryError(say.not_in_ledger_yet(max(period.first, last_month + 1), last_month))
    if period.first < first_month:
        raise QueryError(say.before_ledger(period.label, period.first, first_month))
    missing = ledger.missing(period.first, period.last)
    if missing:
        raise QueryError(say.period_has_gaps(period.label, missing))
    return period


def previous_period(period: Period, fiscal_year_start: int = 1) -> Period:
    """The period of the same length just before ``period`` (for "change vs previous")."""
    n = len(period)
    first = period.first - n
    return Period(first, period.first - 1, label_span(first, period.first - 1, fiscal_year_start))
