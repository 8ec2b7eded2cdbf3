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
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from engine import _messages as say
from engine._cells import parse_month
from engine._errors import CellError, NotInLedgerYet, OutsideLedger, PeriodSyntaxError, QueryError
from engine._ledger import Ledger
from engine._month import MONTH_WORDS, YEARS, Month

EXAMPLES = (
    "last-month", "this-month", "last-quarter", "this-quarter", "last-year", "ytd", "ttm",
    "last-12-months", "2026-03", "Mar 2026", "march", "Q3 2026", "2026-Q3", "q3", "FY2027",
    "2026-01..2026-06",
)

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """A run of whole months, ``first`` to ``last`` inclusive, with the label people see."""

    first: Month
    last: Month
    label: str
    to_date: bool = False
    #: the months of the whole quarter or year this period is the start of (3 for a quarter to date,
    #: 12 for a year to date); 0 when the period is whole. Its change is then measured against the
    #: same months of the quarter or year before, not the months just before it.
    span: int = 0

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


def fiscal_year_name(fy: int, fiscal_year_start: int) -> str:
    """``2026`` for a calendar year, ``FY2026`` for a fiscal one; four digits always (``FY0002``)."""
    return f"{fy:04d}" if fiscal_year_start == 1 else f"FY{fy:04d}"


def label_span(first: Month, last: Month, fiscal_year_start: int = 1) -> str:
    """A name for a run of months: ``March 2026``, ``Q1 2026``, ``FY2027``, ``12 months to Oct 2026``."""
    n = last - first + 1
    if n == 1:
        return first.name
    fy_name = fiscal_year_name(first.fiscal_year(fiscal_year_start), fiscal_year_start)
    if _quarter_or_year(first, last, fiscal_year_start):
        return fy_name if n == 12 else f"Q{(first.month - fiscal_year_start) % 12 // 3 + 1} {fy_name}"
    if n == 12:
        return f"12 months to {last.short}"
    return f"{first.short} to {last.short}"


def _quarter_or_year(first: Month, last: Month, fiscal_year_start: int) -> bool:
    """Whether ``first``..``last`` is a quarter or a year of the (fiscal) calendar, as ``label_span`` names one."""
    n, offset = last - first + 1, (first.month - fiscal_year_start) % 12
    return (n == 3 and offset % 3 == 0) or (n == 12 and offset == 0)


def drop_format_characters(text: str) -> str:
    """``text`` without Unicode's format characters (category Cf: a zero-width space, a byte order mark, a word
    joiner), which text copied from Docs, Notion or a web page carries unseen.

    >>> drop_format_characters("\ufefflast-quarter\u200b")
    'last-quarter'
    """
    return text if text.isascii() else "".join(c for c in text if unicodedata.category(c) != "Cf")


#: en dash, em dash, minus sign, figure dash, non-breaking hyphen: a hyphen in a period
_WHOLE_MONTH = r"(?:\d{4}[-\u2010-\u2012/]\d{1,2}|[a-z]{3,9}\.? \d{4})"
_DASHED_RANGE = re.compile(rf"({_WHOLE_MONTH})\s*[\u2013\u2014]\s*(?={_WHOLE_MONTH})")
_PUNCTUATION = str.maketrans(dict.fromkeys("\u2013\u2014\u2212\u2012\u2011\u2010", "-"))


@dataclass(frozen=True, slots=True, kw_only=True)
class _Ask:
    """A period query, normalised, with the day it is asked on and the fiscal-year start."""

    query: str  # as typed (less its format characters), for messages
    text: str  # lower case, runs of spaces as one
    key: str  # ``text`` with spaces and underscores as hyphens: ``last 12 months`` -> ``last-12-months``
    current: Month  # the month in progress
    fys: int  # the fiscal year's first month

    @classmethod
    def of(cls, query: str, today: dt.date, fiscal_year_start: int) -> _Ask:
        # dashes and an ellipsis as smart punctuation writes them (Slack, Docs, Excel): 2026–01…2026–03
        query = drop_format_characters(query)
        # an en or em dash between two whole months is a range (2026-01–2026-06, Jan 2026 — Mar 2026); elsewhere a
        # hyphen (2026–Q3, last–quarter)
        text = _DASHED_RANGE.sub(r"\1..", query.strip().lower())
        text = re.sub(r"\s+", " ", text.translate(_PUNCTUATION).replace("\u2026", ".."))
        return cls(query=query, text=text, key=re.sub(r"[\s_]+", "-", text), current=Month.of(today),
                   fys=fiscal_year_start)

    @property
    def closed(self) -> Month:
        """The latest closed month."""
        return self.current - 1

    @property
    def this_fy(self) -> int:
        return self.current.fiscal_year(self.fys)

    def fiscal_year_name(self, fy: int) -> str:
        return fiscal_year_name(fy, self.fys)

    def month(self, year: int, month: int) -> Month:
        """``Month(year, month)``, or the query is no period: year 0 (``0000``, or ``FY0001`` beginning in July of year
        0) is not in the calendar."""
        if year not in YEARS:
            raise PeriodSyntaxError(say.outside_calendar(self.query))
        return Month(year, month)

    def fiscal_year_first(self, fy: int) -> Month:
        """The first month of fiscal year ``fy``, which a fiscal year not starting in January begins the year before."""
        return self.month(fy if self.fys == 1 else fy - 1, self.fys)

    def quarter_first(self, fy: int, q: int) -> Month:
        return self.fiscal_year_first(fy) + 3 * (q - 1)

    def this_quarter_first(self) -> Month:
        return self.quarter_first(self.this_fy, self.current.fiscal_quarter(self.fys))

    def span(self, first: Month, last: Month) -> str:
        return label_span(first, last, self.fys)

    def unknown(self) -> PeriodSyntaxError:
        return PeriodSyntaxError(say.unknown_period(self.query, EXAMPLES))

    def to_date(self, first: Month, last: Month, label: str) -> Period:
        """The whole named span, or up to the month in progress ("to date") when it includes it."""
        if first > self.current:
            raise QueryError(say.not_started(label, self.closed))
        if last >= self.current:
            return Period(first=first, last=self.current, label=f"{label} to date", to_date=True, span=last - first + 1)
        return Period(first=first, last=last, label=label)


def resolve_period(query: str, today: dt.date, fiscal_year_start: int = 1) -> Period:
    """The months ``query`` names on ``today``.

    >>> resolve_period("last-quarter", dt.date(2026, 11, 22)).label
    'Q3 2026'
    >>> resolve_period("FY2027", dt.date(2026, 11, 22), fiscal_year_start=7).first
    Month(year=2026, month=7)
    """
    if not 1 <= fiscal_year_start <= 12:
        raise ValueError("fiscal_year_start is a month number, 1..12")
    ask = _Ask.of(query, today, fiscal_year_start)
    for step in _STEPS:
        if (period := step(ask)) is not None:
            return period
    month = _month_of(ask.text, ask)
    return ask.to_date(month, month, month.name)


# --- relative periods: last-month, this-quarter, ytd, ttm, ... ---------------------------------

def _last_month(ask: _Ask) -> Period:
    return Period(first=ask.closed, last=ask.closed, label=ask.closed.name)


def _this_month(ask: _Ask) -> Period:
    return Period(first=ask.current, last=ask.current, label=f"{ask.current.name} to date", to_date=True)


def _last_quarter(ask: _Ask) -> Period:
    first = ask.this_quarter_first() - 3
    return Period(first=first, last=first + 2, label=ask.span(first, first + 2))


def _this_quarter(ask: _Ask) -> Period:
    first = ask.this_quarter_first()
    return Period(first=first, last=ask.current, label=f"{ask.span(first, first + 2)} to date", to_date=True, span=3)


def _last_year(ask: _Ask) -> Period:
    first = ask.fiscal_year_first(ask.this_fy - 1)
    return Period(first=first, last=first + 11, label=ask.fiscal_year_name(ask.this_fy - 1))


def _year_to_date(ask: _Ask) -> Period:
    first = ask.fiscal_year_first(ask.this_fy)
    if ask.closed < first:
        raise QueryError(say.no_closed_month_yet(ask.fiscal_year_name(ask.this_fy), first))
    return Period(first=first, last=ask.closed, label=f"{ask.fiscal_year_name(ask.this_fy)} year to date", span=12)


def _trailing_12_months(ask: _Ask) -> Period:
    return Period(first=ask.closed - 11, last=ask.closed, label=f"Trailing 12 months to {ask.closed.short}")


_RELATIVE: dict[str, Callable[[_Ask], Period]] = {
    "last-month": _last_month, "this-month": _this_month, "last-quarter": _last_quarter,
    "this-quarter": _this_quarter, "last-year": _last_year, "ytd": _year_to_date, "ttm": _trailing_12_months,
}


def _relative(ask: _Ask) -> Period | None:
    alias = _ALIASES.get(ask.key)
    return None if alias is None else _RELATIVE[alias](ask)


#: the most months ``last-N-months`` reaches back: ten years
MAX_LAST_MONTHS = 120


def _last_n_months(ask: _Ask) -> Period | None:
    """``last-6-months``, ``l6m``: the ``n`` closed months to the latest."""
    if not (m := _LAST_N.fullmatch(ask.key)):
        return None
    n = int(m[1] or m[2])
    if not 1 <= n <= MAX_LAST_MONTHS:
        raise PeriodSyntaxError(say.last_n_months_range(ask.query, MAX_LAST_MONTHS))
    if n == 12:  # past-12-months, l12m: the trailing 12 months, named as ``ttm`` names them
        return _trailing_12_months(ask)
    closed = ask.closed
    return Period(first=closed - (n - 1), last=closed, label=closed.name if n == 1 else f"{n} months to {closed.short}")


# --- named periods: a range, a month, a quarter, a fiscal or calendar year ---------------------

def _range(ask: _Ask) -> Period | None:
    """``2026-01..2026-06``, ``Jan 2026 to Mar 2026``."""
    if ".." not in ask.text and " to " not in ask.text:
        return None
    left, _, right = ask.text.partition(".." if ".." in ask.text else " to ")
    first, last = _month_of(left.strip(), ask), _month_of(right.strip(), ask)
    if last < first:
        raise PeriodSyntaxError(say.backwards_range(first, last))
    if last > ask.current and first <= ask.current and not _quarter_or_year(first, last, ask.fys):
        # a span named only by its ends, the last not begun: answered "to date" it was compared with the months a
        # span of its length before (2026-01..2030-01 with Dec 2021 to Oct 2022); a quarter or a year runs to date
        raise QueryError(say.range_ends_ahead(first, last, ask.current))
    return ask.to_date(first, last, ask.span(first, last))


def _month_name(ask: _Ask) -> Period | None:
    """``march``: the latest March that has started."""
    if ask.text not in MONTH_WORDS:
        return None
    number, current = MONTH_WORDS[ask.text], ask.current
    month = Month(current.year if number <= current.month else current.year - 1, number)
    return ask.to_date(month, month, month.name)


def _quarter(ask: _Ask) -> Period | None:
    """``Q3 2026``, ``2026-Q3``, ``FY27 Q3``; a bare ``q3`` is the latest fiscal Q3 that has started."""
    if not (m := _QUARTER.fullmatch(ask.text)):
        return None
    q = int(m[1] or m[4] or m[6])
    year = m[2] or m[3] or m[5]
    if year:
        fy = _full_year(year)
    else:
        fy = ask.this_fy if ask.quarter_first(ask.this_fy, q) <= ask.current else ask.this_fy - 1
    first = ask.quarter_first(fy, q)
    return ask.to_date(first, first + 2, ask.span(first, first + 2))


def _fiscal_year(ask: _Ask) -> Period | None:
    """``FY2027``, ``fy27``."""
    if not (m := _FISCAL_YEAR.fullmatch(ask.text)):
        return None
    fy = _full_year(m[1])
    first = ask.fiscal_year_first(fy)
    return ask.to_date(first, first + 11, f"FY{fy:04d}")


def _calendar_year(ask: _Ask) -> Period | None:
    """``2026``: January to December. With a fiscal year that starts later it is labelled
    ``Calendar 2026``, so it is never mistaken for FY2026 (which ``last-year`` may mean)."""
    if not re.fullmatch(r"\d{4}", ask.text):
        return None
    first = ask.month(int(ask.text), 1)
    return ask.to_date(first, first + 11, ask.text if ask.fys == 1 else f"Calendar {ask.text}")


_STEPS: tuple[Callable[[_Ask], Period | None], ...] = (
    _relative, _last_n_months, _range, _month_name, _quarter, _fiscal_year, _calendar_year,
)


def _full_year(y: str) -> int:
    return int(y) + 2000 if len(y) == 2 else int(y)


def _month_of(text: str, ask: _Ask) -> Month:
    """One month, as a cell would give it (``2026-03``, ``Mar 2026``), or the query is not understood."""
    if text in MONTH_WORDS or re.fullmatch(r"\d{5,}", text):
        raise ask.unknown()
    try:
        return parse_month(text)
    except CellError:
        raise ask.unknown() from None


def fit_period(period: Period, ledger: Ledger) -> Period:
    """``period`` as the ledger can answer it, or ``QueryError`` saying which months it lacks.

    A period "to date" ends at the ledger's latest month when the month in progress has no row, and only then: a
    closed month missing too (November, asked in December of a ledger ending in October) is said, as it is for a
    period of closed months, not answered "to date" without it.
    """
    first_month, last_month = ledger.first_month, ledger.last_month
    if first_month is None or last_month is None:
        raise QueryError(say.ledger_empty())
    if period.to_date and period.last - 1 > last_month >= period.first:
        raise NotInLedgerYet(say.not_in_ledger_yet(last_month + 1, last_month), last_month)
    if period.to_date and period.last > last_month >= period.first:
        period = Period(first=period.first, last=last_month, label=period.label, to_date=True, span=period.span)
    if period.last > last_month:
        raise NotInLedgerYet(say.not_in_ledger_yet(max(period.first, last_month + 1), last_month), last_month)
    if period.first < first_month:
        raise OutsideLedger(say.before_ledger(period.label, period.first, first_month,
                                              derived=ledger.customers is not None))
    missing = ledger.missing(period.first, period.last)
    if missing:
        raise OutsideLedger(say.period_has_gaps(period.label, missing, [m for m in missing if m in ledger.pending]))
    return period


def previous_period(period: Period, fiscal_year_start: int = 1) -> Period:
    """The period to compare ``period`` with: the same length just before it, or, for the start of a
    quarter or year (``Q4 2026 to date``, ``FY2027 year to date``), the same months of the quarter or
    year before (October is compared with July, not with September).

    >>> q4 = Period(first=Month(2026, 10), last=Month(2026, 10), label="Q4 2026 to date", to_date=True, span=3)
    >>> previous_period(q4).label
    'July 2026'
    >>> previous_period(Period(first=Month(2025, 1), last=Month(2025, 12), label="FY2025")).label
    'FY2024'
    """
    n = len(period)
    first = period.first - (period.span if period.span > len(period) else n)
    last = first + n - 1
    label = label_span(first, last, fiscal_year_start)
    if period.label.startswith("FY") and label.isdigit():  # FY2025 is compared with FY2024, not with "2024"
        label = f"FY{label}"
    return Period(first=first, last=last, label=label)
