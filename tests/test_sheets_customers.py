"""A customer tab in Google Sheets: nrr fill writes its derived ledger to the NRR tab, nrr init-sheet
--customers makes an empty one. Real gspread over HTTP against the fake, as in test_sheets.py."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from nrr.config import LedgerSettings, Settings
from nrr.runtime import Runtime
from sheets import METADATA_KEY, NOTE_PREFIX, SheetsError, fill_sheet
from tests.fakes.google_api import FakeGoogle
from tests.helpers import HEADER
from tests.test_sheets import NOW, Clock, env_for, run

SHEET_ID = "1CustomerSheet0123456789abcdefgh"
CUSTOMERS: list[list[Any]] = [
    ["Customer ID", "Customer", "Month", "MRR", "Segment"],
    ["001", "Acme", "2026-01", 1000, "Enterprise"],
    ["002", "Beta", "2026-01", 500, "SMB"],
    ["001", "Acme", "2026-02", 1200, "Enterprise"],  # expansion 200
    ["002", "Beta", "2026-02", 400, "SMB"],  # contraction 100
    ["003", "Gamma", "2026-02", 300, "SMB"],  # new 300
    ["001", "Acme", "2026-03", 1200, "Enterprise"],
    ["003", "Gamma", "2026-03", 300, "SMB"],  # Beta churns 400
]
FEB, MAR = 46054, 46082  # serial numbers of 1 Feb and 1 Mar 2026


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        fake.add_spreadsheet(SHEET_ID, {"Customers": [list(r) for r in CUSTOMERS]})
        yield fake


def runtime(fake: FakeGoogle, template_tab: str = "NRR") -> Runtime:
    clock = Clock()
    return Runtime(_file=Settings(ledger=LedgerSettings(source=f"gsheet:{SHEET_ID}/Customers",
                                                     template_tab=template_tab)),
                   env=env_for(fake), clock=lambda: NOW, monotonic=clock, sleep=clock.sleep)


def fill(fake: FakeGoogle, **kw: Any) -> Any:
    rt = runtime(fake, kw.pop("template_tab", "NRR"))
    return fill_sheet(rt.sheet_source(rt.settings.ledger.source), template_tab=rt.settings.ledger.template_tab,
                      **kw)


def values(fake: FakeGoogle, tab: str = "NRR", rows: int = 4, cols: int = 7) -> list[list[Any]]:
    sheet = fake.spreadsheets[SHEET_ID].sheet(tab)
    out = []
    for r in range(rows):
        row = []
        for c in range(cols):
            cell = sheet.cells.get((r, c))
            row.append(None if cell is None else (cell.formula or cell.value))
        out.append(row)
    return out


def after_the_tab_is_read(fake: FakeGoogle, change: Callable[[Any], None]) -> None:
    """Run ``change`` on the spreadsheet between fill's read of the NRR tab and its write (the first grid
    read is the customer tab's), as a person editing the tab meanwhile."""
    fake.after["spreadsheets.get(grid)"] = lambda book: fake.after.update({"spreadsheets.get(grid)": change})


def test_fill_on_a_customer_tab_creates_the_nrr_tab_from_the_template_in_one_write(google: FakeGoogle) -> None:
    code, out, err = run("fill", "--ledger", f"gsheet:{SHEET_ID}/Customers", env=env_for(google))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "'Customers' is a customer table: its derived ledger (2 month(s)) goes to a new tab 'NRR' (from the "
        "template), one row per month.",
        "wrote A2 (February 2026): Month February 2026 (was blank)",
        "wrote B2 (February 2026): MRR (Start of Period) 1,500.00 (was blank)",
        "wrote C2 (February 2026): Expanded MRR 200.00 (was blank)",
        "wrote D2 (February 2026): Churned MRR 0.00 (was blank)",
        "wrote E2 (February 2026): Downgraded MRR 100.00 (was blank)",
        "wrote A3 (March 2026): Month March 2026 (was blank)",
        "wrote B3 (March 2026): MRR (Start of Period) 1,900.00 (was blank)",
        "wrote C3 (March 2026): Expanded MRR 0.00 (was blank)",
        "wrote D3 (March 2026): Churned MRR 400.00 (was blank)",
        "wrote E3 (March 2026): Downgraded MRR 0.00 (was blank)",
        "NRR: wrote 10 cell(s); 0 already right, 4 formula(s) kept, 0 refused; notes: 0 added, 0 removed; the "
        "ledger has 0 error(s) and 0 warning(s).",
    ]
    assert values(google) == [
        HEADER,
        [FEB, 1500.0, 200.0, 0.0, 100.0, '=IF(B2="","",B2+C2-D2-E2)', '=IF(OR(B2="",B2=0),"",F2/B2)'],
        [MAR, 1900.0, 0.0, 400.0, 0.0, '=IF(B3="","",B3+C3-D3-E3)', '=IF(OR(B3="",B3=0),"",F3/B3)'],
        [None, None, None, None, None, '=IF(B4="","",B4+C4-D4-E4)', '=IF(OR(B4="",B4=0),"",F4/B4)'],
    ]
    book = google.spreadsheets[SHEET_ID]
    assert book.sheet("NRR").frozen_rows == 1 and book.sheet("NRR").cells[(1, 0)].number_format == "DATE"
    assert values(google, "Customers", 8, 5) == CUSTOMERS  # the customer tab is never written
    assert google.writes() == 1 and google.reads() == 1  # the customer tab; the new tab needs no read
    (meta,) = book.developer_metadata
    assert meta["metadataKey"] == METADATA_KEY and meta["location"]["sheetId"] == book.sheet("NRR").sheet_id
    assert json.loads(meta["metadataValue"])["2026-03"] == {
        "start": "1900.00", "expansion": "0.00", "churn": "400.00", "downgrade": "0.00"}


def test_a_second_fill_with_nothing_to_change_writes_nothing(google: FakeGoogle) -> None:
    fill(google)
    before = google.writes()
    result = fill(google)
    assert (result.written, result.refused, result.unchanged, result.formulas_kept) == ([], [], 8, 4)
    assert google.writes() == before


def test_rows_are_matched_by_month_and_a_new_month_goes_below_the_last(google: FakeGoogle) -> None:
    google.spreadsheets[SHEET_ID].sheets.append(  # a ledger tab kept by hand: March above February, no formulas
        _tab(google, "NRR", [HEADER, [MAR, None, None, None, None], ["Feb 2026", 1500, 200, 0, 100, 1600, 1.0667],
                              ["Notes below"]]))
    google.spreadsheets[SHEET_ID].sheet("Customers").set_rows([["001", "Acme", "2026-04", 1500, "Enterprise"]],
                                                               top=8)
    result = fill(google)
    assert [c.cell for c in result.written] == ["B2", "C2", "D2", "E2", "F2", "G2", "A5", "B5", "C5", "D5", "E5",
                                                "F5", "G5"]
    assert result.unchanged == 6  # February's row was right already
    assert values(google, rows=5) == [
        HEADER,
        [MAR, 1900.0, 0.0, 400.0, 0.0, 1500.0, 0.789474],
        ["Feb 2026", 1500, 200, 0, 100, 1600, 1.0667],
        ["Notes below", None, None, None, None, None, None],
        [46113, 1500.0, 300.0, 300.0, 0.0, 1500.0, 1.0],  # Acme grows, Gamma churns
    ]


def test_a_value_typed_by_hand_is_reported_with_a_note_and_kept_unless_overwrite(google: FakeGoogle) -> None:
    fill(google)
    sheet = google.spreadsheets[SHEET_ID].sheet("NRR")
    sheet.cell(2, 3).value = 450  # D3, March's churn, typed over
    sheet.cell(1, 1).note = "Checked by Ana"  # someone else's note, on B2
    result = fill(google)
    message = ("Churned MRR holds 450.00, typed by hand, but the customer table 'Customers' gives 400.00; left "
               "as it is (nrr fill --overwrite replaces it).")
    assert [str(r) for r in result.refused] == [f"D3 (March 2026): {message}"]
    assert sheet.cells[(2, 3)].value == 450 and sheet.cells[(2, 3)].note == NOTE_PREFIX + message
    result = fill(google, overwrite=True)
    assert [c.cell for c in result.written] == ["D3"] and result.notes_removed == ["D3"]
    assert sheet.cells[(2, 3)].value == 400.0 and sheet.cells[(2, 3)].note is None
    assert sheet.cells[(1, 1)].note == "Checked by Ana"


def test_our_values_follow_the_customer_table_and_formulas_are_kept(google: FakeGoogle) -> None:
    fill(google)
    sheet = google.spreadsheets[SHEET_ID].sheet("NRR")
    sheet.cell(1, 2).formula, sheet.cell(1, 2).value = "=200", 200  # someone's formula for February's Expanded
    google.spreadsheets[SHEET_ID].sheet("Customers").cell(7, 3).value = 350  # Gamma pays 350 in March
    result = fill(google)
    assert [(c.cell, str(c.new)) for c in result.written] == [("C3", "50.00")]
    assert result.refused == [] and sheet.cells[(1, 2)].formula == "=200"


def test_a_row_inserted_while_filling_keeps_every_number_on_its_month(google: FakeGoogle) -> None:
    fill(google)
    google.spreadsheets[SHEET_ID].sheet("Customers").set_rows([["001", "Acme", "2026-04", 1500, "Enterprise"]],
                                                               top=8)
    after_the_tab_is_read(google, lambda book: book.sheet("NRR").insert_rows(1))
    result = fill(google)
    assert [c.cell for c in result.written] == ["A5", "B5", "C5", "D5", "E5"]
    assert values(google, rows=5)[4][:5] == [46113, 1500.0, 300.0, 300.0, 0.0]
    assert values(google, rows=5)[1] == [None] * 7  # the inserted row is left empty


def test_a_month_on_two_rows_is_refused_and_the_rest_is_written(google: FakeGoogle) -> None:
    google.spreadsheets[SHEET_ID].sheets.append(
        _tab(google, "NRR", [HEADER, [MAR, 1], ["Mar 2026", 2]]))
    result = fill(google)
    assert [str(r) for r in result.refused] == [
        "A3 (March 2026): this month is on more than one row of 'NRR'; not written. Keep one row per month."]
    assert [c.cell for c in result.written][:2] == ["A4", "B4"]  # February, below the last row
    assert values(google, rows=4)[1][:2] == [MAR, 1] and values(google, rows=4)[3][:2] == [FEB, 1500.0]
    assert google.spreadsheets[SHEET_ID].sheet("NRR").cells[(3, 0)].number_format == "DATE"


def test_a_dry_run_on_a_missing_tab_creates_nothing(google: FakeGoogle) -> None:
    result = fill(google, dry_run=True)
    assert len(result.written) == 10 and google.writes() == 0
    assert [s.title for s in google.spreadsheets[SHEET_ID].sheets] == ["Customers"]
    assert result.lines()[-1].startswith("NRR: would write 10 cell(s)")


def test_the_template_tab_is_configurable_and_never_the_customer_tab(google: FakeGoogle) -> None:
    fill(google, template_tab="Derived")
    assert values(google, "Derived", 2, 2) == [["Month", "MRR (Start of Period)"], [FEB, 1500.0]]
    with pytest.raises(SheetsError) as info:
        fill(google, template_tab="Customers")
    assert str(info.value) == ("The customer table is the tab 'Customers', where nrr fill would write its "
                               "derived ledger; set [ledger] template_tab in nrr.toml to another tab's name.")
    google.spreadsheets[SHEET_ID].sheets.append(_tab(google, "Odd", [["Hello", "World"]]))
    with pytest.raises(SheetsError) as info:
        fill(google, template_tab="Odd")
    assert str(info.value).startswith("Tab 'Odd' has no ledger header nrr can write the derived ledger under (")


def test_init_sheet_customers_adds_an_empty_customer_tab(google: FakeGoogle) -> None:
    code, out, err = run("init-sheet", f"gsheet:{SHEET_ID}", "--customers", env=env_for(google))
    assert (code, out, err) == (1, "", "A worksheet named 'Customers' already exists; nothing was changed. Pass "
                                       "--title NAME for a new tab.\n")  # the default title, taken here
    code, out, err = run("init-sheet", f"gsheet:{SHEET_ID}", "--customers", "--title", "Accounts",
                         env=env_for(google))
    assert (code, err) == (0, "")
    assert out == ("Added worksheet 'Accounts' to 'Revenue': an empty customer table (Customer ID, Customer, "
                   "Month, MRR, Segment, Plan), one row per customer and month, with formats and a frozen header "
                   "row. Segment and Plan are example attributes: rename, remove or add columns as you need.\n")
    sheet = google.spreadsheets[SHEET_ID].sheet("Accounts")
    assert [sheet.cells[(0, c)].value for c in range(6)] == ["Customer ID", "Customer", "Month", "MRR", "Segment",
                                                            "Plan"]
    assert sheet.frozen_rows == 1
    assert [sheet.cell(1, c).number_format for c in range(4)] == ["TEXT", None, "DATE", "CURRENCY"]


def _tab(google: FakeGoogle, title: str, rows: list[list[Any]]) -> Any:
    from tests.fakes.google_api import FakeSheet

    book = google.spreadsheets[SHEET_ID]
    sheet = FakeSheet(book.next_sheet_id + len(book.sheets) + 7, title, len(book.sheets))
    sheet.set_rows(rows)
    return sheet



def test_a_customer_tab_with_errors_is_not_filled_and_says_where(google: FakeGoogle) -> None:
    google.spreadsheets[SHEET_ID].sheet("Customers").cell(3, 3).value = -5
    code, out, err = run("fill", "--ledger", f"gsheet:{SHEET_ID}/Customers", env=env_for(google))
    assert (code, out) == (1, "")
    assert err == ("Customers!D4 (February 2026): MRR -5.00 is negative; a customer pays 0 or more in a month "
                   "(record a credit as a lower figure, not below 0).\n")
    assert google.writes() == 0


def test_a_dry_run_from_the_command_line_on_an_existing_tab(google: FakeGoogle) -> None:
    fill(google)
    google.spreadsheets[SHEET_ID].sheet("Customers").cell(7, 3).value = 350  # Gamma pays 350 in March
    code, out, err = run("fill", "--ledger", f"gsheet:{SHEET_ID}/Customers", "--dry-run", env=env_for(google))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "'Customers' is a customer table: its derived ledger (2 month(s)) goes to tab 'NRR', one row per month.",
        "would write C3 (March 2026): Expanded MRR 50.00 (was 0.00)",
        "NRR: would write 1 cell(s); 7 already right, 4 formula(s) kept, 0 refused; notes: 0 added, 0 removed; the "
        "ledger has 0 error(s) and 0 warning(s).",
    ]
    assert google.writes() == 1  # the first fill's only


# --- the NRR tab is a seven-column ledger, filled by the same rules -------------------------------------

def _recalculate(google: FakeGoogle, rows: range) -> None:
    """Give the NRR tab's End and NRR formulas the values Sheets shows for them (the fake does not compute):
    the template's End/Start, or 2 - End/Start for an inverted NRR formula."""
    sheet = google.spreadsheets[SHEET_ID].sheet("NRR")
    for n in rows:
        start, expanded, churned, downgraded = (sheet.cells[(n - 1, c)].value for c in range(1, 5))
        end = start + expanded - churned - downgraded
        sheet.cells[(n - 1, 5)].value = end
        nrr = sheet.cells[(n - 1, 6)]
        nrr.value = round(2 - end / start if str(nrr.formula).startswith("=(B") else end / start, 6)


def _invert(google: FakeGoogle) -> None:
    """The NRR tab after a fill, its NRR formulas replaced by the inverted ones some templates give."""
    fill(google)
    sheet = google.spreadsheets[SHEET_ID].sheet("NRR")
    for n in (2, 3):
        sheet.cells[(n - 1, 6)].formula = f"=(B{n}-F{n})/B{n}+1"
    _recalculate(google, range(2, 4))


INVERTED_COLUMN = NOTE_PREFIX + (
    "NRR Rate holds 2 - End/Start, the inverted formula some templates give ((Start - End)/Start + 1): February "
    "2026 shows 93.33% where retention is 106.67%, and 1 more month is off the same way. nrr uses End/Start: put "
    "=F2/B2 in G2 and copy it down the column (in a Google Sheet, nrr fill --fix-formulas replaces the inverted "
    "formulas).")


def test_an_inverted_nrr_formula_on_the_nrr_tab_is_reported_and_left_without_the_flag(google: FakeGoogle) -> None:
    _invert(google)
    before = google.writes()
    code, out, err = run("fill", "--ledger", f"gsheet:{SHEET_ID}/Customers", env=env_for(google))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "'Customers' is a customer table: its derived ledger (2 month(s)) goes to tab 'NRR', one row per month.",
        *(f"refused: G{n} ({month} 2026): NRR Rate holds =(B{n}-F{n})/B{n}+1, which computes 2 - End/Start (the "
          f"inverted formula some templates give); left as it is (nrr fill --fix-formulas replaces it with "
          f"=F{n}/B{n})." for n, month in ((2, "February"), (3, "March"))),
        "NRR: wrote 0 cell(s); 8 already right, 2 formula(s) kept, 2 refused; notes: 2 added, 0 removed; the "
        "ledger has 0 error(s) and 1 warning(s).",
    ]
    sheet = google.spreadsheets[SHEET_ID].sheet("NRR")
    assert [sheet.cells[(n, 6)].formula for n in (1, 2)] == ["=(B2-F2)/B2+1", "=(B3-F3)/B3+1"]
    assert [sheet.cells[(n, 6)].note for n in (1, 2)] == [INVERTED_COLUMN, INVERTED_COLUMN]
    assert google.writes() == before + 1  # the notes, in one write
    fill(google)
    assert google.writes() == before + 1  # and a second fill has nothing to change


def test_fix_formulas_on_the_nrr_tab_replaces_exactly_the_inverted_ones(google: FakeGoogle) -> None:
    _invert(google)
    before = google.writes()
    code, out, err = run("fill", "--ledger", f"gsheet:{SHEET_ID}/Customers", "--fix-formulas", "--dry-run",
                         env=env_for(google))
    assert (code, err, google.writes()) == (0, "", before)
    assert out.splitlines()[1:3] == ["would write G2 (February 2026): NRR Rate =F2/B2 (was =(B2-F2)/B2+1)",
                                     "would write G3 (March 2026): NRR Rate =F3/B3 (was =(B3-F3)/B3+1)"]
    code, out, err = run("fill", "--ledger", f"gsheet:{SHEET_ID}/Customers", "--fix-formulas", env=env_for(google))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "'Customers' is a customer table: its derived ledger (2 month(s)) goes to tab 'NRR', one row per month.",
        "wrote G2 (February 2026): NRR Rate =F2/B2 (was =(B2-F2)/B2+1)",
        "wrote G3 (March 2026): NRR Rate =F3/B3 (was =(B3-F3)/B3+1)",
        "NRR: wrote 2 cell(s); 8 already right, 2 formula(s) kept, 0 refused; notes: 0 added, 0 removed; the "
        "ledger has 0 error(s) and 1 warning(s).",
    ]
    sheet = google.spreadsheets[SHEET_ID].sheet("NRR")
    assert [sheet.cells[(n, 6)].formula for n in (1, 2)] == ["=F2/B2", "=F3/B3"]
    assert [sheet.cells[(n, 5)].formula for n in (1, 2)] == ['=IF(B2="","",B2+C2-D2-E2)', '=IF(B3="","",B3+C3-D3-E3)']
    assert google.writes() == before + 1
    (meta,) = google.spreadsheets[SHEET_ID].developer_metadata
    assert "nrr" not in json.loads(meta["metadataValue"])["2026-02"]  # a formula is the sheet's, not a value of ours
    _recalculate(google, range(2, 4))
    result = fill(google, fix_formulas=True)
    assert (result.written, result.refused, result.warnings) == ([], [], 0)
    assert google.writes() == before + 1


def test_a_fixed_formula_on_the_nrr_tab_follows_its_month_to_the_row_it_moved_to(google: FakeGoogle) -> None:
    _invert(google)
    after_the_tab_is_read(google, lambda book: book.sheet("NRR").insert_rows(1))
    result = fill(google, fix_formulas=True)
    assert [(c.cell, c.formula) for c in result.written] == [("G3", "=F3/B3"), ("G4", "=F4/B4")]
    sheet = google.spreadsheets[SHEET_ID].sheet("NRR")
    assert [sheet.cells[(n, 6)].formula for n in (2, 3)] == ["=F3/B3", "=F4/B4"]


def test_the_nrr_tab_s_own_warnings_are_counted_and_noted_with_the_customer_table_s(google: FakeGoogle) -> None:
    google.spreadsheets[SHEET_ID].sheets.append(  # kept by hand: February's End typed over, no formulas
        _tab(google, "NRR", [HEADER, [FEB, 1500, 200, 0, 100, 1700, 1.0667]]))
    google.spreadsheets[SHEET_ID].sheet("Customers").set_rows([["", "Total", "2026-03", 1500, ""]], top=8)
    code, out, err = run("fill", "--ledger", f"gsheet:{SHEET_ID}/Customers", env=env_for(google))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "'Customers' is a customer table: its derived ledger (2 month(s)) goes to tab 'NRR', one row per month.",
        "wrote A3 (March 2026): Month March 2026 (was blank)",
        "wrote B3 (March 2026): MRR (Start of Period) 1,900.00 (was blank)",
        "wrote C3 (March 2026): Expanded MRR 0.00 (was blank)",
        "wrote D3 (March 2026): Churned MRR 400.00 (was blank)",
        "wrote E3 (March 2026): Downgraded MRR 0.00 (was blank)",
        "wrote F3 (March 2026): MRR (End of Period) 1,500.00 (was blank)",
        "wrote G3 (March 2026): NRR Rate 78.95% (was blank)",
        "refused: F2 (February 2026): MRR (End of Period) holds 1,700.00, typed by hand, but the formula gives "
        "1,600.00; left as it is (nrr fill --overwrite replaces it).",
        "NRR: wrote 7 cell(s); 5 already right, 0 formula(s) kept, 1 refused; notes: 1 added, 0 removed; the "
        "ledger has 0 error(s) and 2 warning(s).",  # the typed End, and the Total row of the customer tab
    ]
    assert google.spreadsheets[SHEET_ID].sheet("NRR").cells[(1, 5)].note == NOTE_PREFIX + (
        "MRR (End of Period) says 1,700.00 but Start + Expanded - Churned - Downgraded = 1,600.00; using 1,600.00.")


def test_formulas_on_a_row_whose_figures_change_are_not_judged_by_their_old_values(google: FakeGoogle) -> None:
    fill(google)
    _recalculate(google, range(2, 4))
    google.spreadsheets[SHEET_ID].sheet("Customers").cell(7, 3).value = 350  # Gamma pays 350 in March
    result = fill(google)
    assert [c.cell for c in result.written] == ["C3"]  # F3 still shows 1,500 until Sheets recalculates
    assert (result.refused, result.notes_added, result.warnings) == ([], [], 0)


def test_a_new_month_someone_puts_on_a_row_while_filling_is_not_written_twice(google: FakeGoogle) -> None:
    fill(google)
    google.spreadsheets[SHEET_ID].sheet("Customers").set_rows([["001", "Acme", "2026-04", 1500, "Enterprise"]],
                                                               top=8)
    after_the_tab_is_read(google, lambda book: book.sheet("NRR").set_rows([["Apr 2026", 1500]], top=9))
    result = fill(google)
    assert result.written == []
    assert [str(r) for r in result.refused][:1] == [
        "A4 (April 2026): this month's row was deleted or duplicated while filling; not written. Run nrr fill "
        "again."]
    assert values(google, rows=4)[3][:5] == [None] * 5 and google.writes() == 1  # the first fill's only


def test_a_value_typed_on_the_nrr_tab_while_filling_is_left_and_its_row_s_figures_are_not_written(
        google: FakeGoogle) -> None:
    # the NRR tab was re-read only in its header and month column before the write: 7777 typed into B2 and =B2+1
    # into B3 between fill's read and its write were overwritten with the derived Start, reported "(was blank)"
    fill(google)
    sheet = google.spreadsheets[SHEET_ID].sheet("NRR")
    for r in (1, 2):
        for c in range(1, 7):
            sheet.cells.pop((r, c))
    google.spreadsheets[SHEET_ID].developer_metadata.clear()  # nothing on the tab is nrr's any more

    def meanwhile(book: Any) -> None:
        nrr = book.sheet("NRR")
        nrr.cell(1, 1).value = 7777
        nrr.cell(2, 1).formula, nrr.cell(2, 1).value = "=B2+1", 7778

    after_the_tab_is_read(google, meanwhile)
    result = fill(google)
    assert values(google, rows=3)[1:] == [[FEB, 7777, 200.0, 0.0, 100.0, None, None],
                                          [MAR, "=B2+1", 0.0, 400.0, 0.0, None, None]]
    assert [str(r) for r in result.refused] == [
        "B2 (February 2026): MRR (Start of Period) changed while nrr was filling (it holds 7,777.00 now); left as "
        "it is. Run nrr fill again.",
        "F2 (February 2026): MRR (Start of Period) changed while nrr was filling; MRR (End of Period) was not "
        "written, as it was worked out from the figures before. Run nrr fill again.",
        "G2 (February 2026): MRR (Start of Period) changed while nrr was filling; NRR Rate was not written, as it "
        "was worked out from the figures before. Run nrr fill again.",
        "B3 (March 2026): MRR (Start of Period) changed while nrr was filling (it holds =B2+1 now); left as it is. "
        "Run nrr fill again.",
        "F3 (March 2026): MRR (Start of Period) changed while nrr was filling; MRR (End of Period) was not "
        "written, as it was worked out from the figures before. Run nrr fill again.",
        "G3 (March 2026): MRR (Start of Period) changed while nrr was filling; NRR Rate was not written, as it "
        "was worked out from the figures before. Run nrr fill again."]
