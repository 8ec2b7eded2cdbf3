"""Filling the computed columns without losing anything the sheet's people typed.

The rules: only computed cells (MRR (End of Period), NRR Rate, GRR Rate) are written; a formula
is never replaced; a cell is overwritten only while it is still ours (blank, or holding the
value we wrote last time, remembered per month in the sheet's developer metadata); a value a
person typed is reported, not replaced, unless ``overwrite``. Right before writing, the month
column is read again and every write is aimed at its month's row: if rows moved the writes
follow them, if a month vanished or the header changed the write is refused. Notes explain the
problems by cell; ours start with ``nrr:`` and only ours are ever changed or removed.

One fill is at most two reads (the cells with formulas, notes and metadata; then the header and
month column) and one write (values, notes and metadata in one batchUpdate).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine import (
    FIELD_TITLES,
    CellError,
    Field,
    Layout,
    LedgerRow,
    Month,
    a1,
    check_ledger,
    column_letter,
    infer_date_order,
    is_blank,
    parse_money,
    parse_month,
    parse_ratio,
    quote_sheet,
)
from sheets import _messages as say
from sheets._errors import SheetsError
from sheets._source import GoogleSheetSource

METADATA_KEY = "nrr.fill"
NOTE_PREFIX = "nrr: "
COMPUTED: tuple[Field, ...] = ("end", "nrr", "grr")
_CENT = Decimal("0.01")
_RATIO = Decimal("0.000001")


@dataclass
class _Cell:
    value: Any = None
    formula: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Change:
    """One computed cell written (or to be written, in a dry run)."""

    row: int  # 1-based, where it was written
    column: int
    month: Month
    field: Field
    old: Any
    new: Decimal

    @property
    def cell(self) -> str:
        return a1(self.row, self.column)


@dataclass(frozen=True)
class Refusal:
    cell: str
    month: Month | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.cell} ({self.month.name})" if self.month else self.cell
        return f"{where}: {self.reason}"


@dataclass
class FillResult:
    """What a fill changed, kept, and refused."""

    sheet: str
    dry_run: bool
    written: list[Change] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    unchanged: int = 0
    formulas_kept: int = 0
    notes_added: list[str] = field(default_factory=list)
    notes_removed: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0

    def lines(self, unit: str = "MRR") -> list[str]:
        """The report people read: every change, every refusal, then the totals."""
        verb = "would write" if self.dry_run else "wrote"
        out = [say.fill_change(verb, c.cell, c.month.name, _title(c.field, unit), _show(c.field, c.new),
                               _show_old(c.field, c.old)) for c in self.written]
        out += [f"refused: {r}" for r in self.refused]
        out.append(say.fill_summary(self.sheet, verb, len(self.written), self.unchanged, self.formulas_kept,
                                    len(self.refused), len(self.notes_added), len(self.notes_removed),
                                    self.errors, self.warnings))
        return out


def _title(f: Field, unit: str) -> str:
    return FIELD_TITLES[f].replace("MRR", unit)


def _show(f: Field, value: Decimal) -> str:
    return f"{value:,.2f}" if f == "end" else f"{value * 100:.2f}%"


def _show_old(f: Field, value: Any) -> str:
    if is_blank(value):
        return "blank"
    if isinstance(value, int | float):
        return _show(f, Decimal(str(value)))
    return f"'{value}'"


def _python(value: dict[str, Any] | None) -> Any:
    if not value:
        return None
    if "errorValue" in value:
        return "#ERROR!"
    return next(iter(value.values()))


def _cells(entry: dict[str, Any]) -> dict[tuple[int, int], _Cell]:
    cells: dict[tuple[int, int], _Cell] = {}
    for block in entry.get("data", []):
        r0, c0 = block.get("startRow", 0), block.get("startColumn", 0)
        for dr, row in enumerate(block.get("rowData", [])):
            for dc, value in enumerate(row.get("values", [])):
                if not value:
                    continue
                typed = value.get("userEnteredValue") or {}
                cells[(r0 + dr, c0 + dc)] = _Cell(
                    value=_python(value.get("effectiveValue")),
                    formula=typed.get("formulaValue"),
                    note=value.get("note"),
                )
    return cells


def _grid(cells: dict[tuple[int, int], _Cell]) -> list[list[Any]]:
    if not cells:
        return []
    rows = max(r for r, _ in cells) + 1
    cols = max(c for _, c in cells) + 1
    grid: list[list[Any]] = [[None] * cols for _ in range(rows)]
    for (r, c), cell in cells.items():
        grid[r][c] = cell.value
    return grid


def _desired(row: LedgerRow, f: Field) -> Decimal | None:
    if f == "end":
        return row.end.quantize(_CENT)
    ratio = row.nrr if f == "nrr" else row.grr
    return None if ratio is None else ratio.quantize(_RATIO)


def _same(current: Any, desired: Decimal, f: Field) -> bool:
    """Whether a cell already shows ``desired``, within the rounding its digits allow."""
    try:
        found, rounding = parse_money(current) if f == "end" else parse_ratio(current)
    except CellError:
        return False
    return abs(found - desired) <= max(rounding, _CENT / 2 if f == "end" else _RATIO / 2)


def _record(entry: dict[str, Any]) -> tuple[list[int], dict[str, dict[str, str]]]:
    """Our metadata: the ids of the records to replace, and what we wrote per month."""
    ids: list[int] = []
    record: dict[str, dict[str, str]] = {}
    for meta in entry.get("developerMetadata", []):
        if meta.get("metadataKey") != METADATA_KEY:
            continue
        ids.append(meta["metadataId"])
        try:
            loaded = json.loads(meta.get("metadataValue", "{}"))
        except json.JSONDecodeError:
            continue
        if isinstance(loaded, dict):
            record.update(loaded)
    return ids, record


def fill_sheet(source: GoogleSheetSource, *, overwrite: bool = False, dry_run: bool = False) -> FillResult:
    """Write the computed columns of ``source``'s worksheet; see the module docstring for the rules."""
    client, spreadsheet_id = source.client, source.ref.spreadsheet_id
    sheet = source.worksheet()
    quoted = quote_sheet(sheet.title)
    entry = client.grid(spreadsheet_id, quoted)
    cells = _cells(entry)
    check = check_ledger(_grid(cells), sheet=sheet.title)
    layout = check.layout
    if layout is None:
        raise SheetsError("\n".join(str(i) for i in check.errors))
    result = FillResult(sheet.title, dry_run, errors=len(check.errors), warnings=len(check.warnings))
    meta_ids, record = _record(entry)

    planned: list[Change] = []
    for row in check.rows:
        for f in COMPUTED:
            column = layout.columns.get(f)
            desired = _desired(row, f)
            if column is None or desired is None:
                continue
            cell = cells.get((row.row - 1, column), _Cell())
            if cell.formula:
                result.formulas_kept += 1
                continue
            if is_blank(cell.value):
                planned.append(Change(row.row, column, row.month, f, cell.value, desired))
            elif _same(cell.value, desired, f):
                result.unchanged += 1
            elif overwrite or (
                    (ours := record.get(str(row.month), {}).get(f)) is not None
                    and _same(cell.value, Decimal(ours), f)):
                planned.append(Change(row.row, column, row.month, f, cell.value, desired))
            else:
                result.refused.append(Refusal(a1(row.row, column), row.month, say.typed_by_hand(
                    _title(f, check.unit), _show_old(f, cell.value), _show(f, desired))))

    # notes: one per problem cell; a cell we are about to correct needs no note
    fixing = {(c.row - 1, c.column) for c in planned}
    wanted: dict[tuple[int, int], list[str]] = defaultdict(list)
    for issue in check.issues:
        for ref in issue.cells:
            r, c = _parse_a1(ref)
            if issue.code.endswith("_disagrees") and (r, c) in fixing:
                continue
            wanted[(r, c)].append(issue.message)
    note_ops: dict[tuple[int, int], str | None] = {}
    for position, messages in wanted.items():
        text = NOTE_PREFIX + " ".join(dict.fromkeys(messages))
        existing = cells.get(position, _Cell()).note
        if existing == text:
            continue
        if existing and not existing.startswith(NOTE_PREFIX):
            result.refused.append(Refusal(a1(position[0] + 1, position[1]), None, say.note_not_ours()))
            continue
        note_ops[position] = text
    for position, cell in cells.items():
        if cell.note and cell.note.startswith(NOTE_PREFIX) and position not in wanted:
            note_ops[position] = None

    if not planned and not note_ops:
        return result
    if dry_run:
        result.written = planned
        result.notes_added = [a1(r + 1, c) for (r, c), t in note_ops.items() if t]
        result.notes_removed = [a1(r + 1, c) for (r, c), t in note_ops.items() if t is None]
        return result

    moves = _recheck(source, quoted, layout, cells)
    if moves is None:
        result.refused.append(Refusal(quoted, None, say.header_changed()))
        return result
    requests: list[dict[str, Any]] = []
    month_at = _months_by_row(cells, layout)
    for change in planned:
        target = moves.get(change.month)
        if target is None:
            result.refused.append(Refusal(change.cell, change.month, say.row_moved()))
            continue
        moved = Change(target, change.column, change.month, change.field, change.old, change.new)
        requests.append(_update(sheet.sheet_id, target - 1, change.column,
                                {"userEnteredValue": {"numberValue": float(change.new)}}, "userEnteredValue"))
        result.written.append(moved)
        record.setdefault(str(change.month), {})[change.field] = str(change.new)
    shifted = any(moves.get(m) != r for r, m in month_at.items())
    for (r, c), note in note_ops.items():
        month = month_at.get(r + 1)
        target_row = moves.get(month) if month is not None else (None if shifted else r + 1)
        if target_row is None:
            continue
        requests.append(_update(sheet.sheet_id, target_row - 1, c, {"note": note} if note else {}, "note"))
        (result.notes_added if note else result.notes_removed).append(a1(target_row, c))
    if not requests:
        return result
    if result.written:
        requests += [{"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {
            "metadataId": i}}}} for i in meta_ids]
        requests.append({"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": METADATA_KEY, "metadataValue": json.dumps(record, separators=(",", ":")),
            "location": {"sheetId": sheet.sheet_id}, "visibility": "DOCUMENT"}}})
    client.batch_update(spreadsheet_id, requests)
    source.cache.forget(spreadsheet_id)
    return result


def _update(sheet_id: int, row: int, column: int, value: dict[str, Any], fields: str) -> dict[str, Any]:
    return {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": column},
                            "rows": [{"values": [value]}], "fields": fields}}


def _parse_a1(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch.upper()) - 64
    return int(digits) - 1, column - 1


def _months_by_row(cells: dict[tuple[int, int], _Cell], layout: Layout) -> dict[int, Month]:
    """1-based row -> month, as the first read saw the month column."""
    column = layout.columns["month"]
    values = {r: cell.value for (r, c), cell in cells.items() if c == column and r + 1 > layout.header_row}
    order = infer_date_order([v for v in values.values() if isinstance(v, str)])
    out: dict[int, Month] = {}
    for r, value in values.items():
        try:
            out[r + 1] = parse_month(value, order)
        except CellError:
            continue
    return out


def _recheck(source: GoogleSheetSource, quoted: str, layout: Layout,
             cells: dict[tuple[int, int], _Cell]) -> dict[Month, int] | None:
    """Read the header and month column again; month -> its one row now, or None if the header
    moved. Months that now appear twice are left out, so nothing is written to them."""
    header_row = layout.header_row
    month_col = column_letter(layout.columns["month"])
    header_now, months_now = source.client.batch_values(
        source.ref.spreadsheet_id,
        [f"{quoted}!{header_row}:{header_row}", f"{quoted}!{month_col}:{month_col}"])
    header = header_now[0] if header_now else []
    for column in layout.columns.values():
        before = cells.get((header_row - 1, column), _Cell()).value
        now = header[column] if column < len(header) else None
        if str(before or "").strip() != str(now or "").strip():
            return None
    rows: dict[Month, list[int]] = defaultdict(list)
    values = [(i + 1, row[0]) for i, row in enumerate(months_now) if row and i + 1 > header_row]
    order = infer_date_order([v for _, v in values if isinstance(v, str)])
    for number, value in values:
        try:
            rows[parse_month(value, order)].append(number)
        except CellError:
            continue
    return {month: found[0] for month, found in rows.items() if len(found) == 1}
