"""Filling the computed columns without losing anything the sheet's people typed.

The rules: only computed cells (MRR (End of Period), NRR Rate, GRR Rate) are written; a formula
is never replaced, but for one: an NRR formula computing 2 - End/Start (the inverted formula some
templates give) is reported, and replaced by End/Start only with ``fix_formulas``;
a cell is overwritten only while it is still ours (blank, or holding the
value we wrote last time, remembered per month in the sheet's developer metadata); a value a
person typed is reported, not replaced, unless ``overwrite``. Right before writing, the month
column is read again and every write is aimed at its month's row: if rows moved the writes
follow them, if a month vanished or the header changed the write is refused. Then the cells about
to be written and the figures they were worked out from are read again: a cell someone typed into
meanwhile is left (and reported), and a row whose figures changed gets none of its computed cells.
Notes explain the problems by cell; ours start with ``nrr:`` and only ours are ever changed or removed.

One fill is at most three reads (the cells with formulas, notes and metadata; the header and
month column; the cells about to be written, with their rows' figures) and one write (values,
notes and metadata in one batchUpdate).

A customer tab is not filled itself: its derived seven-column ledger goes to another tab by these
same rules (``sheets._derived``).
"""

from __future__ import annotations

from engine import Ledger
from sheets import _messages as say
from sheets._cellplan import (
    FillResult,
    Refusal,
    Snapshot,
    aim_notes,
    aim_values,
    keep_unchanged,
    plan_notes,
    plan_values,
    problem_notes,
    recheck,
    record_requests,
    report_plan,
    snapshot,
    write_requests,
)
from sheets._derived import fill_derived
from sheets._source import GoogleSheetSource


def fill_sheet(source: GoogleSheetSource, *, overwrite: bool = False, dry_run: bool = False,
               fix_formulas: bool = False, template_tab: str = "NRR", currency: str = "USD") -> FillResult:
    """Write the computed columns of ``source``'s worksheet; see the module docstring for the rules.

    When the worksheet is a customer table, its derived seven-column ledger is written to the tab
    ``template_tab`` of the same spreadsheet instead, by the same rules and flags (see ``sheets._derived``; a new
    tab shows money in the table's currency, else in ``currency``).
    """
    seen = _read(source)
    if isinstance(seen, Ledger):
        return fill_derived(source, seen, template_tab=template_tab, overwrite=overwrite, dry_run=dry_run,
                            fix_formulas=fix_formulas, currency=currency)
    result = FillResult(sheet=seen.sheet.title, dry_run=dry_run, errors=len(seen.check.errors),
                        warnings=len(source.notes) + len(seen.check.warnings),
                        preamble=[n.message for n in source.notes],  # the tab read instead of a cover page
                        unit=seen.check.unit)
    planned = plan_values(seen, overwrite, fix_formulas, result)
    notes = plan_notes(seen, problem_notes(seen, planned), result)
    if not planned and not notes:
        return result
    if dry_run:
        report_plan(planned, notes, result)
        return result
    rows_now = recheck(source, seen)
    if rows_now is None:
        result.refused.append(Refusal(seen.quoted, None, say.header_changed()))
        return result
    planned, notes = keep_unchanged(source, seen, planned, notes, rows_now, result)
    requests = aim_values(seen, planned, rows_now, result) + aim_notes(seen, notes, rows_now, result)
    if requests:
        write_requests(source, requests + record_requests(seen, result.written))
    return result


def _read(source: GoogleSheetSource) -> Snapshot | Ledger:
    """Read the worksheet once (values, formulas, notes and metadata) and check it as a ledger; a
    customer table gives its derived ledger instead.

    A sheet without a ledger header cannot be filled: the reader's errors say why.
    """
    sheet = source.worksheet()
    return snapshot(source, sheet)


