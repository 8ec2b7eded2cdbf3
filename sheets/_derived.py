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
- The tab as it will be once those inputs are written is then filled by ``sheets._fill``'s own steps, as
  a seven-column ledger: End, NRR and GRR by its rows, an inverted NRR formula reported (replaced with
  ``fix_formulas``), its problems noted, its errors and warnings counted (with the customer table's).
  A formula in End, NRR or GRR on a row whose inputs change is judged by its text alone, since its value
  was computed from the old inputs.
- Right before writing, the tab's header and month column are read again and each write is aimed at
  its month's row now; new months follow the last month row if rows moved, and one someone put on a row
  meanwhile is refused. Then the cells about to be written are read again: one someone typed into
  meanwhile is left, and a row whose figures changed gets none of its End, NRR and GRR.
- Everything (the new tab too) is one batchUpdate; a second fill with nothing to change writes nothing.

A fill is four reads (the customer tab, the ledger tab, its header and month column, the cells about to be
written) and one write;
when the tab is created, two reads.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from decimal import Decimal

from engine import Field, Ledger, LedgerRow, Month, a1, check_ledger, is_blank, quote_sheet
from sheets import _messages as say
from sheets._cellplan import (
    COMPUTED,
    Cell,
    Change,
    FillResult,
    Position,
    Refusal,
    Snapshot,
    aim_notes,
    aim_values,
    desired_value,
    field_title,
    judge_cell,
    keep_unchanged,
    months_by_row,
    parse_a1,
    plan_notes,
    plan_values,
    problem_notes,
    recheck,
    record_requests,
    report_plan,
    show_old,
    show_value,
    snapshot,
    values_grid,
)
from sheets._errors import NoLedgerHeader, SheetNotFound, SheetsError
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
                 dry_run: bool = False, fix_formulas: bool = False, currency: str = "USD") -> FillResult:
    """Write ``ledger`` (derived from the customer tab ``source``) to the tab ``template_tab`` (a new one shows its
    money in the table's own currency, else in ``currency``, the ``[company] currency``).

    The derived inputs (Month to Downgraded) are planned first; the tab as it will be once they are written
    is then filled as any seven-column ledger is (``sheets._fill``): its End, NRR and GRR, its inverted NRR
    formulas (fixed with ``fix_formulas``), its problems' notes and its warnings."""
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
    result = FillResult(sheet=template_tab, dry_run=dry_run, unit=ledger.unit,
                        preamble=[say.derived_fill(customer_tab, template_tab, len(ledger), sheet is None,
                                                   ledger.normalization.sentence if ledger.normalization else None)])
    typed: dict[Position, list[str]] = {}
    inputs, new_months = _plan(seen, ledger, customer_tab, overwrite, result, typed)
    tab = _project(seen, inputs)
    result.errors, result.warnings = len(tab.check.errors), len(ledger.warnings) + len(tab.check.warnings)
    planned = sorted(inputs + plan_values(tab, overwrite, fix_formulas, result), key=lambda c: (c.row, c.column))
    result.refused.sort(key=lambda r: parse_a1(r.cell))  # row by row, as the changes
    notes = plan_notes(tab, problem_notes(tab, planned, typed), result)
    if not planned and not notes:
        return result
    if dry_run:
        report_plan(planned, notes, result)
        return result
    if sheet is None:
        requests = template_requests(seen.sheet.sheet_id, template_tab, len(ledger) + 100,
                                     currency=ledger.own_currency or currency)
        found: dict[Month, int] = {}
    else:
        rechecked = recheck(target, seen)
        if rechecked is None:
            result.refused.append(Refusal(seen.quoted, None, say.header_changed()))
            return result
        requests, found = [], rechecked
    rows_now = _rows_now(seen, found, planned, new_months)
    if sheet is not None:  # a tab made by this write has nothing anyone could have typed into
        planned, notes = keep_unchanged(target, seen, planned, notes, rows_now, result, planned_on=tab)
    requests += aim_values(tab, planned, rows_now, result) + aim_notes(tab, notes, rows_now, result)
    if requests:
        source.client.batch_update(source.ref.spreadsheet_id, requests + record_requests(seen, result.written))
        source.cache.forget(source.ref.spreadsheet_id)
    return result


def _existing(target: GoogleSheetSource, sheet: Worksheet) -> Snapshot:
    try:
        seen = snapshot(target, sheet)
    except NoLedgerHeader as exc:
        raise SheetsError(say.template_tab_unreadable(sheet.title, str(exc).splitlines()[0])) from exc
    if isinstance(seen, Ledger):
        raise SheetsError(say.template_tab_unreadable(sheet.title, "it holds a customer table"))
    return seen


def _template_snapshot(title: str) -> Snapshot:
    """The tab as the template will make it: headers, and the End and NRR formulas in their rows."""
    cells: dict[Position, Cell] = {(0, c): Cell(value=h) for c, h in enumerate(HEADERS)}
    for r in range(2, TEMPLATE_ROWS + 2):
        end, nrr = template_formulas(r)
        cells[(r - 1, 5)], cells[(r - 1, 6)] = Cell(formula=end), Cell(formula=nrr)
    check = check_ledger(values_grid(cells), sheet=title)
    assert check.layout is not None
    return Snapshot(sheet=Worksheet(new_sheet_id(), title), quoted=quote_sheet(title), cells=cells, check=check,
                    layout=check.layout, meta_ids=[], record={})


def _plan(seen: Snapshot, ledger: Ledger, customer_tab: str, overwrite: bool, result: FillResult,
          typed: dict[Position, list[str]]) -> tuple[list[Change], set[Month]]:
    """Every input cell of the derived ledger (Month to Downgraded) the ownership rules allow writing, at the
    rows the read saw, and the months that need a new row; a cell typed by hand is refused in ``result``,
    and what its note says in ``typed``."""
    columns = seen.layout.columns
    rows: dict[Month, list[int]] = {}
    for number, month in sorted(months_by_row(seen.cells, seen.layout).items()):
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
            planned.append(Change(row=at, column=columns["month"], month=row.month, field="month", old=None,
                                  new=Decimal(serial(row.month))))
        planned += _plan_row(seen, row, at, customer_tab, overwrite, result, typed)
    return planned, new_months


def _plan_row(seen: Snapshot, row: LedgerRow, at: int, customer_tab: str, overwrite: bool,
              result: FillResult, typed: dict[Position, list[str]]) -> list[Change]:
    planned: list[Change] = []
    ours = seen.record.get(str(row.month), {})
    for f in INPUTS:
        column, desired = seen.layout.columns.get(f), desired_value(row, f)
        if column is None or desired is None:
            continue
        cell = seen.cells.get((at - 1, column), Cell())
        verdict = judge_cell(cell, desired, f, ours.get(f), overwrite)
        if verdict == "write":
            planned.append(Change(row=at, column=column, month=row.month, field=f, old=cell.value, new=desired))
        elif verdict == "formula":
            result.formulas_kept += 1
        elif verdict == "unchanged":
            result.unchanged += 1
        else:
            reason = say.derived_typed(field_title(f, seen.check.unit), show_old(f, cell.value), show_value(f, desired),
                                       customer_tab)
            result.refused.append(Refusal(a1(at, column), row.month, reason))
            typed[(at - 1, column)] = [reason]
    return planned


def _project(seen: Snapshot, planned: list[Change]) -> Snapshot:
    """The tab as it will be once the ``planned`` inputs are written, checked again as a ledger: what the
    seven-column fill then plans from. A formula in End, NRR or GRR on a row whose inputs change reads as
    blank, since what it shows now is computed from the old inputs (it is still judged by its text)."""
    cells = dict(seen.cells)
    rows = {c.row - 1 for c in planned}
    for change in planned:
        old = cells.get((change.row - 1, change.column), Cell())
        new = int(change.new) if change.field == "month" else float(change.new)
        cells[(change.row - 1, change.column)] = Cell(value=new, note=old.note)
    for column in (seen.layout.columns[f] for f in COMPUTED if f in seen.layout.columns):
        for r in rows:
            cell = cells.get((r, column))
            if cell is not None and cell.formula:
                cells[(r, column)] = Cell(formula=cell.formula, note=cell.note)
    return replace(seen, cells=cells, check=check_ledger(values_grid(cells), sheet=seen.sheet.title))


def _rows_now(seen: Snapshot, found: dict[Month, int], planned: list[Change],
              new_months: set[Month]) -> dict[Month, int]:
    """Month -> the row its cells go to now. A month the tab had goes to its one row now (``found``, from
    the second read); a new month to the row planned for it, moved as the last month on one row moved, since
    the new rows sit below it. A new month gets no row when that last month is gone or now on two rows
    (nobody knows where the new rows went), nor when someone put the month on a row meanwhile."""
    rows = {m: r for m, r in found.items() if m not in new_months}
    before = months_by_row(seen.cells, seen.layout)
    times = Counter(before.values())
    once = [r for r, m in before.items() if times[m] == 1]
    shift: int | None = 0
    if once:
        now = found.get(before[max(once)])
        shift = None if now is None else now - max(once)
    if shift is not None:
        rows |= {c.month: c.row + shift for c in planned if c.field == "month" and c.month not in found}
    return rows
