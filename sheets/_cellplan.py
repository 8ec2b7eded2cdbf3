"""The steps of a fill, shared by a seven-column tab (``sheets._fill``) and a customer tab's derived
ledger (``sheets._derived``): one read of the cells with their formulas, notes and our metadata
(``snapshot``), a verdict per computed cell (``judge_cell``), the values and notes planned, then aimed at
the rows their months are on right before the one write. The rules are ``sheets._fill``'s docstring.
"""


from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from engine import (
    FIELD_TITLES,
    NO_OPTIONS,
    CellError,
    Field,
    Layout,
    Ledger,
    LedgerCheck,
    LedgerRow,
    Month,
    ReadOptions,
    a1,
    check_ledger,
    column_letter,
    infer_date_order,
    is_blank,
    nrr_formula,
    parse_money,
    parse_month,
    parse_ratio,
    quote_sheet,
)
from sheets import _messages as say
from sheets._errors import NoLedgerHeader
from sheets._source import GoogleSheetSource, Worksheet, apply_shown

METADATA_KEY = "nrr.fill"
NOTE_PREFIX = "nrr: "
COMPUTED: tuple[Field, ...] = ("end", "nrr", "grr")
MONEY: frozenset[Field] = frozenset({"start", "expansion", "churn", "downgrade", "end"})
_INPUTS: tuple[Field, ...] = ("start", "expansion", "churn", "downgrade")  # what the computed cells are worked out from
_CENT = Decimal("0.01")
_RATIO = Decimal("0.000001")


@dataclass
class Cell:
    value: Any = None
    formula: str | None = None
    note: str | None = None
    shown: str | None = None  # what the cell shows (its formattedValue): its currency, a percent


@dataclass(frozen=True, kw_only=True)
class Change:
    """One computed cell written (or to be written, in a dry run)."""

    row: int  # 1-based, where it was written
    column: int
    month: Month
    field: Field
    old: Any
    new: Decimal
    formula: str | None = None  # the formula written instead of the value (the inverted NRR formula's fix)

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


@dataclass(kw_only=True)
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
    preamble: list[str] = field(default_factory=list)  # said before the changes (a customer tab's fill)
    unit: str = "MRR"  # the ledger's: an ARR ledger's cells are said as ARR (End of Period)

    def lines(self) -> list[str]:
        """The report people read: every change, every refusal, then the totals."""
        unit = self.unit
        verb = "would write" if self.dry_run else "wrote"
        out = list(self.preamble)
        out += [say.fill_change(verb, c.cell, c.month.name, field_title(c.field, unit), c.formula, c.old) if c.formula
                else say.fill_change(verb, c.cell, c.month.name, field_title(c.field, unit),
                                     c.month.name if c.field == "month" else show_value(c.field, c.new),
                                     show_old(c.field, c.old)) for c in self.written]
        out += [f"refused: {r}" for r in self.refused]
        out.append(say.fill_summary(self.sheet, verb, len(self.written), self.unchanged, self.formulas_kept,
                                    len(self.refused), len(self.notes_added), len(self.notes_removed),
                                    self.errors, self.warnings))
        return out


def field_title(f: Field, unit: str) -> str:
    return FIELD_TITLES[f].replace("MRR", unit)


def show_value(f: Field, value: Decimal) -> str:
    return f"{value:,.2f}" if f in MONEY else f"{value * 100:.2f}%"


def show_old(f: Field, value: Any) -> str:
    """A cell's value as it was, as ``nrr validate`` reads it: a rate typed 108 is 108%, not 10800%."""
    if is_blank(value):
        return "blank"
    if isinstance(value, int | float):
        if f not in MONEY:
            try:
                return show_value(f, parse_ratio(value)[0])
            except CellError:
                pass
        return show_value(f, Decimal(str(value)))
    return f"'{value}'"


def _python(value: dict[str, Any] | None) -> Any:
    if not value:
        return None
    if "errorValue" in value:
        return "#ERROR!"
    return next(iter(value.values()))


def _cells(entry: dict[str, Any]) -> dict[tuple[int, int], Cell]:
    cells: dict[tuple[int, int], Cell] = {}
    for block in entry.get("data", []):
        r0, c0 = block.get("startRow", 0), block.get("startColumn", 0)
        for dr, row in enumerate(block.get("rowData", [])):
            for dc, value in enumerate(row.get("values", [])):
                if not value:
                    continue
                typed = value.get("userEnteredValue") or {}
                cells[(r0 + dr, c0 + dc)] = Cell(
                    value=_python(value.get("effectiveValue")),
                    formula=typed.get("formulaValue"),
                    note=value.get("note"),
                    shown=value.get("formattedValue"),
                )
    return cells


def values_grid(cells: dict[tuple[int, int], Cell], options: ReadOptions = NO_OPTIONS) -> list[list[Any]]:
    """The grid the reader checks: each cell's value, as its format shows it (``2.7%``, ``EUR 100000``) as the
    reader of a Google Sheet has it, so fill and validate check the same cells (the values alone filled a 2.7%
    Churned MRR, which validate refuses, as 0.03)."""
    if not cells:
        return []
    rows = max(r for r, _ in cells) + 1
    cols = max(c for _, c in cells) + 1
    grid: list[list[Any]] = [[None] * cols for _ in range(rows)]
    shown: list[list[Any]] = [[None] * cols for _ in range(rows)]
    for (r, c), cell in cells.items():
        grid[r][c], shown[r][c] = cell.value, cell.shown
    apply_shown(grid, shown, options)
    return grid


def desired_value(row: LedgerRow, f: Field) -> Decimal | None:
    if f in MONEY:
        amount: Decimal = getattr(row, f)
        return amount.quantize(_CENT)
    ratio = row.nrr if f == "nrr" else row.grr
    return None if ratio is None else ratio.quantize(_RATIO)


def _same(current: Any, desired: Decimal, f: Field) -> bool:
    """Whether a cell already shows ``desired``, within the rounding its digits allow."""
    try:
        found, rounding = parse_money(current) if f in MONEY else parse_ratio(current)
    except CellError:
        return False
    return abs(found - desired) <= max(rounding, _CENT / 2 if f in MONEY else _RATIO / 2)


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


Position = tuple[int, int]  # 0-based (row, column)
Verdict = Literal["write", "formula", "unchanged", "typed"]


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """What the first read saw: every cell with its formula and note, the ledger checked from their
    values, and what our metadata says we wrote. Every later step plans from this one read."""

    sheet: Worksheet
    quoted: str
    cells: dict[Position, Cell]
    check: LedgerCheck
    layout: Layout
    meta_ids: list[int]
    record: dict[str, dict[str, str]]


def snapshot(source: GoogleSheetSource, sheet: Worksheet) -> Snapshot | Ledger:
    """One read of ``sheet`` (values, formulas, notes, metadata), checked; see ``_read``."""
    quoted = quote_sheet(sheet.title)
    entry = source.client.grid(source.ref.spreadsheet_id, quoted)
    cells = _cells(entry)
    check = check_ledger(values_grid(cells, source.options), sheet=sheet.title, options=source.options)
    if check.ledger is not None and check.ledger.customers is not None:
        return check.ledger
    if check.layout is None:
        if (refusal := source.first_tab_refusal(sheet, values_grid(cells))) is not None:
            raise refusal
        raise NoLedgerHeader("\n".join(str(i) for i in check.errors))
    meta_ids, record = _record(entry)
    return Snapshot(sheet=sheet, quoted=quoted, cells=cells, check=check, layout=check.layout, meta_ids=meta_ids,
                    record=record)


def _computed_cells(seen: Snapshot) -> Iterator[tuple[LedgerRow, Field, int, Decimal]]:
    """Each computed cell the sheet has a column for and the ledger gives a value: (row, field,
    column, value wanted), row by row. A month that starts at 0 has no NRR or GRR to write."""
    for row in seen.check.rows:
        for f in COMPUTED:
            column = seen.layout.columns.get(f)
            desired = desired_value(row, f)
            if column is not None and desired is not None:
                yield row, f, column, desired


def judge_cell(cell: Cell, desired: Decimal, f: Field, ours: str | None, overwrite: bool) -> Verdict:
    """What the ownership rules allow for one computed cell.

    A formula is kept; a blank cell is written; a cell already showing ``desired`` is left alone; a
    cell still holding ``ours`` (what we wrote last time) is ours to update; anything else was typed
    by a person and is replaced only with ``overwrite``.
    """
    if cell.formula:
        return "formula"
    if is_blank(cell.value):
        return "write"
    if _same(cell.value, desired, f):
        return "unchanged"
    if overwrite or (ours is not None and _same(cell.value, Decimal(ours), f)):
        return "write"
    return "typed"


def _inverted(seen: Snapshot) -> set[Position]:
    """The NRR cells whose formula computes 2 - End/Start: those the reader's column warning names
    whose value is off (it shows 2 - End/Start), and any whose text is one of the inverted forms."""
    named = {position for issue in seen.check.issues if issue.code == "nrr_inverted"
             for ref in issue.cells for position in _parse_range(ref)}
    found: set[Position] = set()
    for row, f, column, desired in _computed_cells(seen):
        cell = seen.cells.get((row.row - 1, column), Cell())
        if f != "nrr" or not cell.formula:
            continue
        if ((row.row - 1, column) in named and not _same(cell.value, desired, f)) or _inverted_text(
                cell.formula, seen.layout, row.row):
            found.add((row.row - 1, column))
    return found


def _inverted_text(formula: str, layout: Layout, row: int) -> bool:
    """Whether ``formula`` is (Start - End)/Start + 1 for ``row``, as some templates give it, or
    1 + (Start - End)/Start or 2 - End/Start: alone, or as an argument (inside an IF)."""
    if "end" not in layout.columns:
        return False
    s, e = a1(row, layout.columns["start"]), a1(row, layout.columns["end"])
    text = formula.upper().replace(" ", "").replace("$", "")
    forms = (f"({s}-{e})/{s}+1", f"(({s}-{e})/{s})+1", f"1+({s}-{e})/{s}", f"2-{e}/{s}", f"2-({e}/{s})")
    return any(re.search(rf"(?:^=|[(,]){re.escape(form)}(?:$|[),])", text) for form in forms)


def plan_values(seen: Snapshot, overwrite: bool, fix_formulas: bool, result: FillResult) -> list[Change]:
    """The computed cells to write, at the rows the first read saw; formulas kept and values
    already right are counted in ``result``, values typed by hand are refused there. An inverted
    NRR formula is planned as its fix with ``fix_formulas``, and refused without."""
    planned: list[Change] = []
    inverted = _inverted(seen)
    for row, f, column, desired in _computed_cells(seen):
        cell = seen.cells.get((row.row - 1, column), Cell())
        if (row.row - 1, column) in inverted:
            assert cell.formula is not None
            right = nrr_formula(seen.layout.columns, row.row)
            if fix_formulas:
                planned.append(Change(row=row.row, column=column, month=row.month, field=f, old=cell.formula,
                                      new=desired, formula=right))
            else:
                result.refused.append(Refusal(a1(row.row, column), row.month, say.inverted_formula(
                    field_title(f, seen.check.unit), cell.formula, right)))
            continue
        verdict = judge_cell(cell, desired, f, seen.record.get(str(row.month), {}).get(f), overwrite)
        if verdict == "write":
            planned.append(Change(row=row.row, column=column, month=row.month, field=f, old=cell.value, new=desired))
        elif verdict == "formula":
            result.formulas_kept += 1
        elif verdict == "unchanged":
            result.unchanged += 1
        else:
            result.refused.append(Refusal(a1(row.row, column), row.month, say.typed_by_hand(
                field_title(f, seen.check.unit), show_old(f, cell.value), show_value(f, desired))))
    return planned


def problem_notes(seen: Snapshot, planned: list[Change],
                   first: dict[Position, list[str]] | None = None) -> dict[Position, str]:
    """The note each problem cell should carry: its issues' messages, each once, after our prefix
    (after the messages ``first`` gives a cell: a customer tab's refusals).

    A computed cell we are about to correct needs no note saying it disagrees, and a formula the
    inverted-column warning names only by its value (a 100% month) needs none while its text is right.
    """
    fixing = {(c.row - 1, c.column) for c in planned}
    inverted = _inverted(seen)
    messages: dict[Position, list[str]] = defaultdict(list, {p: list(m) for p, m in (first or {}).items()})
    for issue in seen.check.issues:
        for position in (p for ref in issue.cells for p in _parse_range(ref)):
            if issue.code.endswith(("_disagrees", "_inverted")) and position in fixing:
                continue
            if issue.code == "nrr_inverted" and seen.cells.get(position, Cell()).formula and position not in inverted:
                continue
            messages[position].append(issue.message)
    return {position: NOTE_PREFIX + " ".join(dict.fromkeys(texts)) for position, texts in messages.items()}


def plan_notes(seen: Snapshot, wanted: dict[Position, str], result: FillResult) -> dict[Position, str | None]:
    """The notes to write (their text) and to remove (None).

    A wanted note is written unless the cell already says it; a person's note is never replaced
    (refused in ``result``); our notes on cells that have no problem any more are removed. A note is ours when it
    is one line starting ``nrr: ``, as nrr writes it: one a person added a line to (a reply: "108,500 is right, do
    not change") is theirs now, neither rewritten nor removed (fuzz 18: the reply was erased by the next fill).
    """
    ops: dict[Position, str | None] = {}
    for position, text in wanted.items():
        existing = seen.cells.get(position, Cell()).note
        if existing == text:
            continue
        if existing and not _ours(existing):
            result.refused.append(Refusal(a1(position[0] + 1, position[1]), None, say.note_not_ours()))
            continue
        ops[position] = text
    for position, cell in seen.cells.items():
        if cell.note and _ours(cell.note) and position not in wanted:
            ops[position] = None
    return ops


def _ours(note: str) -> bool:
    """Whether a cell's note is one nrr wrote and nobody added to: one line, starting ``nrr: ``."""
    return note.startswith(NOTE_PREFIX) and "\n" not in note.strip()


def report_plan(planned: list[Change], notes: dict[Position, str | None], result: FillResult) -> None:
    """A dry run reports what it would write, at the rows the first read saw."""
    result.written = planned
    result.notes_added = [a1(r + 1, c) for (r, c), text in notes.items() if text]
    result.notes_removed = [a1(r + 1, c) for (r, c), text in notes.items() if text is None]


def aim_values(seen: Snapshot, planned: list[Change], rows_now: dict[Month, int],
                result: FillResult) -> list[dict[str, Any]]:
    """One write per planned value, aimed at its month's row as the sheet is now.

    Rows inserted or deleted since the first read move the writes with their months; a month
    that vanished or now appears twice is refused, so no number lands on another month's row.
    """
    requests: list[dict[str, Any]] = []
    for change in planned:
        target = rows_now.get(change.month)
        if target is None:
            result.refused.append(Refusal(change.cell, change.month, say.row_moved()))
            continue
        formula = nrr_formula(seen.layout.columns, target) if change.formula else None
        requests.append(_entered(seen.sheet.sheet_id, target, change, formula))
        result.written.append(Change(row=target, column=change.column, month=change.month, field=change.field,
                                     old=change.old, new=change.new, formula=formula))
    return requests


def _entered(sheet_id: int, row: int, change: Change, formula: str | None) -> dict[str, Any]:
    """The write of one planned cell at ``row``: its formula or its value; a Month cell (a customer tab's new
    month) is a date shown as ``Feb 2026``, whatever the column's format."""
    entered = {"formulaValue": formula} if formula else {"numberValue": float(change.new)}
    if change.field == "month":
        value = {"userEnteredValue": entered,
                 "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "mmm yyyy"}}}
        return _update(sheet_id, row - 1, change.column, value, "userEnteredValue,userEnteredFormat.numberFormat")
    return _update(sheet_id, row - 1, change.column, {"userEnteredValue": entered}, "userEnteredValue")


def aim_notes(seen: Snapshot, notes: dict[Position, str | None], rows_now: dict[Month, int],
               result: FillResult) -> list[dict[str, Any]]:
    """One write per note change, aimed at the row it belongs to now.

    A note on a month's row follows its month (and is dropped if the month is gone); a note on any
    other row stays where it was, but only while no month has moved, as nothing says where it went.
    """
    targets = _note_rows(seen, notes, rows_now)
    requests: list[dict[str, Any]] = []
    for (r, c), note in notes.items():
        target_row = targets[(r, c)]
        if target_row is None:
            continue
        requests.append(_update(seen.sheet.sheet_id, target_row - 1, c, {"note": note} if note else {}, "note"))
        (result.notes_added if note else result.notes_removed).append(a1(target_row, c))
    return requests


def _note_rows(seen: Snapshot, notes: dict[Position, str | None],
               rows_now: dict[Month, int]) -> dict[Position, int | None]:
    """The 1-based row each note goes to now (``aim_notes``' rule), None where it is dropped."""
    month_at = months_by_row(seen.cells, seen.layout)
    shifted = any(rows_now.get(m) != r for r, m in month_at.items())
    return {(r, c): rows_now.get(month) if (month := month_at.get(r + 1)) is not None else (None if shifted else r + 1)
            for r, c in notes}


def keep_unchanged(source: GoogleSheetSource, seen: Snapshot, planned: list[Change], notes: dict[Position, str | None],
                   rows_now: dict[Month, int], result: FillResult, planned_on: Snapshot | None = None,
                   ) -> tuple[list[Change], dict[Position, str | None]]:
    """The planned values and notes whose cells still hold what the first read (``seen``) saw, read again in one
    request (values and formulas, as that read) right before the write, at the rows ``rows_now`` aims them at.

    A value or formula someone put in a planned cell meanwhile is left and reported, as one typed by hand is (fill
    re-read only the header and month column, and wrote over it "(was blank)"); a row whose figures (Start,
    Expanded, Churned, Downgraded) changed gets none of its computed cells, which were worked out from the old ones
    and would have been recorded as nrr's own; a note changed meanwhile is left. ``planned_on``: the snapshot the
    notes were planned on, when it is not ``seen`` (a customer tab's projection of its new rows).

    This narrows the window, it does not close it: Sheets has no conditional write, so a cell typed into between
    this read and the batchUpdate that follows it is still written over.
    """
    targets = [rows_now.get(c.month) for c in planned]
    note_rows = _note_rows(planned_on or seen, notes, rows_now)
    rows = [r for r in (*targets, *note_rows.values()) if r is not None]
    if not rows:
        return planned, notes
    last = max([*seen.layout.columns.values(), *(c for cols in seen.layout.parts.values() for c in cols),
                *(c for _, c in notes)])
    now = _cells(source.client.grid(source.ref.spreadsheet_id, f"{seen.quoted}!A1:{column_letter(last)}{max(rows)}"))

    def changed(row: int, target: int, column: int) -> bool:
        return not _same_cell(seen.cells.get((row - 1, column), Cell()), now.get((target - 1, column), Cell()))

    unit = seen.check.unit
    kept: list[Change] = []
    for change, target in zip(planned, targets, strict=True):
        title = field_title(change.field, unit)
        if target is None:
            kept.append(change)  # its month's row is gone: aim_values refuses it
        elif changed(change.row, target, change.column):
            found = now.get((target - 1, change.column), Cell())
            result.refused.append(Refusal(a1(target, change.column), change.month, say.changed_while_filling(
                title, found.formula or show_old(change.field, found.value))))
        elif change.field in COMPUTED and (inputs := [field_title(f, unit) for f in _INPUTS if any(
                changed(change.row, target, column) for column in seen.layout.read_columns(f))]):
            result.refused.append(Refusal(a1(target, change.column), change.month,
                                          say.inputs_changed_while_filling(inputs, title)))
        else:
            kept.append(change)
    kept_notes: dict[Position, str | None] = {}
    for (r, c), note in notes.items():
        target = note_rows[(r, c)]
        if target is not None and seen.cells.get((r, c), Cell()).note != now.get((target - 1, c), Cell()).note:
            result.refused.append(Refusal(a1(target, c), None, say.note_changed_while_filling()))
        else:
            kept_notes[(r, c)] = note
    return kept, kept_notes


def _same_cell(before: Cell, now: Cell) -> bool:
    """Whether a cell holds what it held: the same formula (or none) and the same value, blank being blank."""
    def value(cell: Cell) -> Any:
        return None if is_blank(cell.value) else cell.value

    return before.formula == now.formula and value(before) == value(now)


def record_requests(seen: Snapshot, written: list[Change]) -> list[dict[str, Any]]:
    """Replace our metadata with a record that also holds what was just written, so the next fill
    knows those cells are still ours. Nothing written, nothing to remember; a formula is the sheet's."""
    written = [c for c in written if c.formula is None and c.field != "month"]
    if not written:
        return []
    record = {month: dict(fields) for month, fields in seen.record.items()}
    for change in written:
        record.setdefault(str(change.month), {})[change.field] = str(change.new)
    requests: list[dict[str, Any]] = [{"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {
        "metadataId": i}}}} for i in seen.meta_ids]
    requests.append({"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": METADATA_KEY, "metadataValue": json.dumps(record, separators=(",", ":")),
        "location": {"sheetId": seen.sheet.sheet_id}, "visibility": "DOCUMENT"}}})
    return requests


def write_requests(source: GoogleSheetSource, requests: list[dict[str, Any]]) -> None:
    """Apply values, notes and metadata in one batchUpdate, which Sheets applies all or nothing,
    then drop the cached ledger so the next read sees the new cells."""
    source.client.batch_update(source.ref.spreadsheet_id, requests)
    source.cache.forget(source.ref.spreadsheet_id)


def _update(sheet_id: int, row: int, column: int, value: dict[str, Any], fields: str) -> dict[str, Any]:
    return {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": column},
                            "rows": [{"values": [value]}], "fields": fields}}


def parse_a1(ref: str) -> Position:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch.upper()) - 64
    return int(digits) - 1, column - 1


def _parse_range(ref: str) -> list[Position]:
    """``G2`` or a run of one column, ``G2:G13``: every cell it covers."""
    first, _, last = ref.partition(":")
    (top, column), (bottom, _) = parse_a1(first), parse_a1(last or first)
    return [(r, column) for r in range(top, bottom + 1)]


def _read_months(values: list[tuple[int, Any]]) -> list[tuple[int, Month]]:
    """(row, month) for each cell of a month column that reads as a month; the date order of
    ``a/b/yyyy`` texts is inferred from the whole column, as the reader does."""
    order = infer_date_order([v for _, v in values if isinstance(v, str)])
    months: list[tuple[int, Month]] = []
    for row, value in values:
        try:
            months.append((row, parse_month(value, order)))
        except CellError:
            continue
    return months


def months_by_row(cells: dict[Position, Cell], layout: Layout) -> dict[int, Month]:
    """1-based row -> month, as the first read saw the month column."""
    column = layout.columns["month"]
    return dict(_read_months([(r + 1, cell.value) for (r, c), cell in cells.items()
                              if c == column and r + 1 > layout.header_row]))


def recheck(source: GoogleSheetSource, seen: Snapshot) -> dict[Month, int] | None:
    """Read the header and month column again; month -> its one row now, or None if the header
    moved. Months that now appear twice are left out, so nothing is written to them."""
    header_row = seen.layout.header_row
    month_col = column_letter(seen.layout.columns["month"])
    header_now, months_now = source.client.batch_values(
        source.ref.spreadsheet_id,
        [f"{seen.quoted}!{header_row}:{header_row}", f"{seen.quoted}!{month_col}:{month_col}"])
    if not _same_header(seen, header_now[0] if header_now else []):
        return None
    rows: dict[Month, list[int]] = defaultdict(list)
    for number, month in _read_months([(i + 1, row[0]) for i, row in enumerate(months_now)
                                       if row and i + 1 > header_row]):
        rows[month].append(number)
    return {month: found[0] for month, found in rows.items() if len(found) == 1}


def _same_header(seen: Snapshot, header: list[Any]) -> bool:
    """Whether every column the ledger uses still has the title the first read saw there."""
    header_row = seen.layout.header_row
    for column in [*seen.layout.columns.values(), *(c for cols in seen.layout.parts.values() for c in cols)]:
        before = seen.cells.get((header_row - 1, column), Cell()).value
        now = header[column] if column < len(header) else None
        if str(before or "").strip() != str(now or "").strip():
            return False
    return True
