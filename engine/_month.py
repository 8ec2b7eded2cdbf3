"""`Month`: a calendar month as a value, with the arithmetic periods need; the names of months."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import total_ordering
from typing import overload

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: Every word that names a month on its own, lower case: full names, three-letter abbreviations
#: and "sept". Cells (``Sept 2026``), period queries (``march``) and settings (``fiscal_year_start
#: = "jul"``) all read month names from here.
MONTH_WORDS: Mapping[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}


#: the years a ``Month`` can be in (``datetime``'s)
YEARS = range(1, 10000)


@total_ordering
@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month, e.g. ``Month(2026, 3)`` for March 2026.

    Months order, subtract (``Month(2026, 3) - Month(2025, 12) == 3``), and add or take away
    whole months (``Month(2026, 11) + 2 == Month(2027, 1)``, ``Month(2026, 1) - 1``).
    """

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, not {self.month}")
        if self.year not in YEARS:
            raise ValueError(f"year must be 1..9999, not {self.year}")

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month a date falls in."""
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Month:
        year, month0 = divmod(index, 12)
        return cls(year, month0 + 1)

    @property
    def index(self) -> int:
        """Months since year 0: a total order that turns month arithmetic into integers."""
        return self.year * 12 + self.month - 1

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    @overload
    def __sub__(self, other: Month) -> int: ...
    @overload
    def __sub__(self, other: int) -> Month: ...
    def __sub__(self, other: Month | int) -> int | Month:
        """``Month - Month`` is a count of months; ``Month - int`` is an earlier month."""
        if isinstance(other, int):
            return Month.from_index(self.index - other)
        return self.index - other.index

    def __lt__(self, other: Month) -> bool:
        return self.index < other.index

    def fiscal_year(self, start_month: int) -> int:
        """The fiscal year this month is in, named after the calendar year it ends in.

        With a fiscal year starting in July, July 2026 is in FY2027.
        """
        return self.year + 1 if start_month != 1 and self.month >= start_month else self.year

    def fiscal_quarter(self, start_month: int) -> int:
        """1..4: the quarter of the fiscal year (starting in ``start_month``) this month is in."""
        return (self.month - start_month) % 12 // 3 + 1

    @property
    def name(self) -> str:
        """``"March 2026"``; a year before 1000 with its four digits (``January 0001``, not a day: ``January 1``)."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year:04d}"

    @property
    def short(self) -> str:
        """``"Mar 2026"``."""
        return f"{MONTH_NAMES[self.month - 1][:3]} {self.year:04d}"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def fiscal_year_first_month(fiscal_year: int, start_month: int) -> Month:
    """The first month of fiscal year ``fiscal_year`` (named after the year it ends in)."""
    return Month(fiscal_year if start_month == 1 else fiscal_year - 1, start_month)


def parse_month_number(value: object) -> int:
    """A month of the year as a number, from a setting: ``7``, ``"07"``, ``"July"`` and ``"jul"`` are all 7.

    >>> parse_month_number("July"), parse_month_number(" 07 "), parse_month_number("Sept")
    (7, 7, 9)

    Anything else raises ``ValueError`` whose text completes "... is not ...".
    """
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit() and 1 <= int(text) <= 12:
            return int(text)
        if text in MONTH_WORDS:
            return MONTH_WORDS[text]
    raise ValueError("a month: a number 1-12 or a name such as July")


def month_runs(months: Sequence[Month]) -> list[list[Month]]:
    """Consecutive months grouped, in order: ``[Mar, Apr, Jun]`` -> ``[[Mar, Apr], [Jun]]``."""
    runs: list[list[Month]] = []
    for month in months:
        if runs and month - runs[-1][-1] == 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs
