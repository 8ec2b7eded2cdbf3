"""Where a problem is and what it is: A1 addresses, quoted sheet titles, and the ``Issue`` every reader
reports (``Ledger!C7 (March 2026): Churned MRR is ...``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from engine._messages import and_list
from engine._month import Month

Severity = Literal["error", "warning"]


def column_letter(index: int) -> str:
    """0 -> ``A``, 25 -> ``Z``, 26 -> ``AA``: the A1-notation letters of a 0-based column."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def a1(row: int, column: int) -> str:
    """A1 notation for a 1-based row and a 0-based column: ``a1(7, 2) == "C7"``."""
    return f"{column_letter(column)}{row}"


def quote_sheet(title: str) -> str:
    """A sheet title as it stands before ``!`` in A1 notation (quoted unless plain). A title that reads
    as a reference itself (``NRR`` is a column, ``Q3`` a cell) is quoted, or Sheets would take it as one.

    >>> quote_sheet("Ledger"), quote_sheet("NRR"), quote_sheet("Q3 ledger")
    ('Ledger', "'NRR'", "'Q3 ledger'")
    """
    if title.replace("_", "").isalnum() and not re.fullmatch(r"[A-Za-z]{1,3}\d*|[Rr]\d*[Cc]\d*", title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    """One problem in a ledger: where it is, what is wrong and what to do.

    ``str(issue)`` reads like ``Ledger!C7 (March 2026): Churned MRR is ...``.
    """

    severity: Severity
    code: str
    message: str
    cells: tuple[str, ...] = ()
    month: Month | None = None
    sheet: str | None = None

    @property
    def where(self) -> str:
        prefix = f"{quote_sheet(self.sheet)}!" if self.sheet and self.cells else ""
        place = and_list([prefix + c for c in self.cells])
        if self.month is not None:
            place = f"{place} ({self.month.name})" if place else self.month.name
        if not place and self.sheet:
            place = self.sheet
        return place

    def __str__(self) -> str:
        where = self.where
        return f"{where}: {self.message}" if where else self.message
