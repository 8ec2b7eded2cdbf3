"""``nrr fill`` on a customer tab: its derived seven-column ledger, written to a tab of the same spreadsheet.

The customer table stays as people keep it; nrr writes the ledger it implies (Start = the month
before's total, Expanded, Churned, Downgraded, then End and NRR) to the tab ``[ledger] template_tab``
(``NRR`` by default), creating it from the template when it is missing. Every rule of ``sheets._fill``
holds, the derived inputs now being values nrr owns like the computed ones:

- **Rows are matched by month.** A derived month goes to the row whose Month cell reads as that
  month. A month the tab does not have yet goes below the last row that holds anything in the input
  columns (Month to Downgraded), in month order, its Month cell written as a date; the template's End
  and NRR formulas on those rows are kept, and rows past them get the values. A month on two rows is
  refused.
- A cell is written while it is still nrr's: blank, or holding what nrr wrote last time (remembered per
  month in the tab's developer metadata). A formula is kept; a value a person typed that differs from
  the customer table is reported, gets an ``nrr:`` note, and is left, unless ``overwrite``.
- Right before writing, the tab's header and month column are read again and each write is aimed at
  its month's row now; new months follow the last month row if rows moved.
- Everything (the new tab too) is one batchUpdate; a second fill with nothing to change writes nothing.

A fill is three reads (the customer tab, the ledger tab, its header and month column) and one write;
when the tab is created, two reads.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from engine import Field, Ledger, LedgerRow, Month, a1, check_ledger, is_blank, quote_sheet
from sheets import _messages as say
from sheets._errors import SheetNotFound, SheetsError
from sheets._fill import (
    COMPUTED,
    NOTE_PREFIX,
    Change,
    FillResult,
    NoLedgerHeader,
    Refusal,
    _aim_notes,
    _Cell,
    _desired,
    _grid,
    _months_by_row,
    _plan_notes,
    _Position,
    _recheck,
    _record_requests,
    _report_plan,
    _show,
    _show_old,
    _Snapshot,
    _title,
    _update,
    _verdict,
    snapshot,
)
from sheets._source import GoogleSheetSource, Worksheet
from sheets._spec import SheetRef
from sheets._template import HEADERS, TEMPLATE_ROWS, new_sheet_id, template_formulas, template_requests

INPUTS: tuple[Field, ...] = ("start", "expansion", "churn", "downgrade")
_INPUT_COLUMNS: tuple[Field, ...] = ("month", *INPUTS)
_SHEETS_EPOCH = dt.date(1899, 12, 30)  # day 0 of Google Sheets serial dates


def serial(month: Month) -> int:
    """The Sheets serial number of the month's first day (shown as ``Feb 2026`` by the template's format)."""
    return (dt.date(month.year, month.month, 1) - _SHEETS_EPOCH).days


def fill_derived(source: GoogleSheetSource, ledger: Ledger, *, template_tab: str, overwrite: bool = False,
                 dry_run: bool = False) -> FillResult:
    """Write ``ledger`` (derived from the customer tab ``source``) to the tab ``template_tab``."""
    customer_tab = ledger.sheet or source.worksheet().title
    if customer_tab == template_tab:
        raise SheetsError(say.template_tab_is_source(template_tab))
    target = GoogleSheetSource(SheetRef(source.ref.spreadsheet_id, title=template_tab), source.client,
                               source.cache, label=f"gsheet:{source.ref.spreadsheet_id}/{template_tab}")
    try:
        sheet: Worksheet | None = target.worksheet()
    except SheetNotFound:
        sheet = None
    seen = _template_snapshot(template_tab) if sheet is None else _existing(target, sheet)
    result = FillResult(template_tab, dry_run, errors=0, warnings=len(ledger.warnings),
                        preamble=[say.derived_fill(customer_tab, template_tab, len(ledger), sheet is None)])
    wanted: dict[_Position, str] = {}
    planned, new_months = _plan(seen, ledger, customer_tab, overwrite, result, wanted)
    notes = _plan_notes(seen, wanted, result)
    if not planned and not notes:
        return result
    if dry_run:
        _report_plan(planned, notes, result)
        return result
    if sheet is None:
        requests = template_requests(seen.sheet.sheet_id, template_tab, len(ledger) + 100)
        requests += [_value(seen.sheet.sheet_id, c, c.row) for c in planned]
        result.written = planned
    else:
        found = _recheck(target, seen)
        if found is None:
            result.refused.append(Refusal(seen.quoted, None, say.header_changed()))
            return result
        rows_now, shift = _rows_now(seen, found, new_months)
        requests = (_aim(seen, planned, rows_now, new_months, shift, result)
                    + _aim_notes(seen, notes, rows_now, result))
    if requests:
        source.client.batch_update(source.ref.spreadsheet_id, requests + _record_requests(seen, result.written))
        source.cache.forget(source.ref.spreadsheet_id)
    return result


def _existing(target: GoogleSheetSource, sheet: Worksheet) -> _Snapshot:
    try:
        seen = snapshot(target, sheet)
    except NoLedgerHeader as exc:
        raise SheetsError(say.template_tab_unreadable(sheet.title, str(exc).splitlines()[0])) from exc
    if isinstance(seen, Ledger):
        raise SheetsError(say.template_tab_unreadable(sheet.title, "it holds a customer table"))
    return seen


def _template_snapshot(title: str) -> _Snapshot:
    """The tab as the template will make it: headers, and the End and NRR formulas in their rows."""
    cells: dict[_Position, _Cell] = {(0, c): _Cell(value=h) for c, h in enumerate(HEADERS)}
    for r in range(2, TEMPLATE_ROWS + 2):
        end, nrr = template_formulas(r)
        cells[(r - 1, 5)], cells[(r - 1, 6)] = _Cell(formula=end), _Cell(formula=nrr)
    check = check_ledger(_grid(cells), sheet=title)
    assert check.layout is not None
    return _Snapshot(Worksheet(new_sheet_id(), title), quote_sheet(title), cells, check, check.layout, [], {})


def _plan(seen: _Snapshot, ledger: Ledger, customer_tab: str, overwrite: bool, result: FillResult,
          notes: dict[_Position, str]) -> tuple[list[Change], set[Month]]:
    """Every cell of the derived ledger the ownership rules allow writing, at the rows the read saw, and
    the months that need a new row; a cell typed by hand is refused in ``result``, its note in ``notes``."""
    columns = seen.layout.columns
    rows: dict[Month, list[int]] = {}
    for number, month in sorted(_months_by_row(seen.cells, seen.layout).items()):
        rows.setdefault(month, []).append(number)
    filled = [r + 1 for (r, c), cell in seen.cells.items()
              if r + 1 > seen.layout.header_row and any(columns.get(f) == c for f in _INPUT_COLUMNS)
              and (cell.formula or not is_blank(cell.value))]
    next_row = max([seen.layout.header_row, *filled]) + 1
    planned: list[Change] = []
    new_months: set[Month] = set()
    for row in ledger.rows:
        found = rows.get(row.month, [])
        if len(found) > 1:
            result.refused.append(Refusal(a1(found[1], columns["month"]), row.month, say.month_twice(seen.sheet.title)))
            continue
        if found:
            at = found[0]
        else:
            at, next_row = next_row, next_row + 1
            new_months.add(row.month)
            planned.append(Change(at, columns["month"], row.month, "month", None, Decimal(serial(row.month))))
        planned += _plan_row(seen, row, at, customer_tab, overwrite, result, notes)
    return planned, new_months


def _plan_row(seen: _Snapshot, row: LedgerRow, at: int, customer_tab: str, overwrite: bool,
              result: FillResult, notes: dict[_Position, str]) -> list[Change]:
    planned: list[Change] = []
    ours = seen.record.get(str(row.month), {})
    for f in (*INPUTS, *COMPUTED):
        column, desired = seen.layout.columns.get(f), _desired(row, f)
        if column is None or desired is None:
            continue
        cell = seen.cells.get((at - 1, column), _Cell())
        verdict = _verdict(cell, desired, f, ours.get(f), overwrite)
        if verdict == "write":
            planned.append(Change(at, column, row.month, f, cell.value, desired))
        elif verdict == "formula":
            result.formulas_kept += 1
        elif verdict == "unchanged":
            result.unchanged += 1
        else:
            title = _title(f, seen.check.unit)
            reason = (say.derived_typed(title, _show_old(f, cell.value), _show(f, desired), customer_tab)
                      if f in INPUTS else say.typed_by_hand(title, _show_old(f, cell.value), _show(f, desired)))
            result.refused.append(Refusal(a1(at, column), row.month, reason))
            notes[(at - 1, column)] = NOTE_PREFIX + reason
    return planned


def _rows_now(seen: _Snapshot, found: dict[Month, int],
              new_months: set[Month]) -> tuple[dict[Month, int], int | None]:
    """Month -> its one row now, for the months the tab had; and how many rows the last month on one row
    moved (the new months' rows move with it), None when it is gone or now on two rows (then nobody
    knows where the new rows should go)."""
    before = _months_by_row(seen.cells, seen.layout)
    rows = {m: r for m, r in found.items() if m not in new_months}
    seen_times = Counter(before.values())
    once = [r for r, m in before.items() if seen_times[m] == 1]
    if not once:
        return rows, 0
    last_then = max(once)
    now = rows.get(before[last_then])
    return rows, None if now is None else now - last_then


def _aim(seen: _Snapshot, planned: list[Change], rows_now: dict[Month, int], new_months: set[Month],
         shift: int | None, result: FillResult) -> list[dict[str, Any]]:
    """One write per planned cell, at its month's row now. A new month goes to its planned row, moved as
    the last month row moved; it is refused if someone put that month on a row meanwhile."""
    requests: list[dict[str, Any]] = []
    taken = set(rows_now)
    for change in planned:
        if change.month in new_months:
            target: int | None = None if change.month in taken or shift is None else change.row + shift
        else:
            target = rows_now.get(change.month)
        if target is None:
            result.refused.append(Refusal(change.cell, change.month, say.row_moved()))
            continue
        requests.append(_value(seen.sheet.sheet_id, change, target))
        result.written.append(Change(target, change.column, change.month, change.field, change.old, change.new))
    return requests


def _value(sheet_id: int, change: Change, row: int) -> dict[str, Any]:
    """The cell's value; a new Month cell is a date shown as ``Feb 2026``, whatever the column's format."""
    value: dict[str, Any] = {"userEnteredValue": {"numberValue": float(change.new)}}
    if change.field == "month":
        value["userEnteredFormat"] = {"numberFormat": {"type": "DATE", "pattern": "mmm yyyy"}}
        return _update(sheet_id, row - 1, change.column, value, "userEnteredValue,userEnteredFormat.numberFormat")
    return _update(sheet_id, row - 1, change.column, value, "userEnteredValue")
