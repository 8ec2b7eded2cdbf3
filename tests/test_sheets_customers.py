"""A customer tab in Google Sheets: nrr fill writes its derived ledger to the NRR tab, nrr init-sheet
--customers makes an empty one. Real gspread over HTTP against the fake, as in test_sheets.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
    return Runtime(Settings(LedgerSettings(f"gsheet:{SHEET_ID}/Customers", template_tab=template_tab)),
                   env_for(fake), lambda: NOW, clock, clock.sleep)


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
    google.after["spreadsheets.get(grid)"] = lambda book: book.sheet("NRR").insert_rows(1)
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
