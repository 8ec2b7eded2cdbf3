"""Which sheet of a workbook or a spreadsheet holds a table: the rule the .xlsx reader and a Google Sheet share
(a cover page first, the ledger on the second tab)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine import HEADER_SEARCH_ROWS, Cell, Cells

PEEK_ROWS = HEADER_SEARCH_ROWS + 2  # a sheet's first rows: its header, and the months under it


def tables_elsewhere(first: Sequence[Sequence[Cell]], title: str,
                     others: Mapping[str, Sequence[Sequence[Cell]]]) -> list[str] | None:
    """When a workbook's first sheet (``first``: its rows) holds no header of a ledger, a customer table or billing
    data, the other sheets whose first rows (``others``, by title, in order) hold one, maybe none; None when the
    first holds one. The rule of a workbook and of a Google Sheet alike."""
    if not _no_header(peeked(first[:PEEK_ROWS], title)):
        return None
    return [t for t, rows in others.items() if not _no_header(peeked(rows, t))]


def peeked(grid: Sequence[Sequence[Cell]], title: str) -> Cells:
    """A sheet's first rows as cells of their own, to see what kind of table it holds."""
    return Cells(grid=grid, sheet=title, source_digest="")


def _no_header(cells: Cells) -> bool:
    """Whether a sheet's first rows hold no header of a ledger, a customer table or billing data."""
    return any(i.code == "no_header" for i in cells.check.errors)
