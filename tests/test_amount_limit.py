"""Absurd amounts: ``$`` and 27 digits, a workbook's 1e308, a 309-digit number from Google Sheets. Every
reader (the seven-column ledger, a customer table long and wide, from a CSV, a workbook or a Google Sheet)
refuses an amount above 10^15 naming its cell, as an error a person can fix: it was a
``decimal.InvalidOperation`` in the customer readers (exit 70, "Something went wrong" in Slack)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from engine import Cell, check_ledger, read_customers
from tests.fakes.google_api import FakeGoogle
from tests.helpers import HEADER
from tests.test_sheets import env_for, run

TOO_LARGE = ("is not an amount up to 1,000,000,000,000,000 (10^15), the largest nrr reads: check the cell for a "
             "typo or an ID pasted into it.")
ABSURD: list[Cell] = ["$" + "9" * 27, "9" * 40, "1000000000000000.01", 1e308, 10 ** 30, 10 ** 15 + 1,
                      Decimal("1E+20"), "(" + "9" * 30 + ")"]


def long_table(figure: Cell) -> list[list[Cell]]:
    return [["Customer", "Month", "MRR"], ["Acme", "2026-01", figure], ["Acme", "2026-02", 100]]


def wide_table(figure: Cell) -> list[list[Cell]]:
    return [["Customer", "Jan 2026", "Feb 2026"], ["Acme", figure, 100], ["Beta", 1, 2]]


def shown(figure: Cell) -> str:
    return f"'{figure}'" if isinstance(figure, str) else str(figure)


@pytest.mark.parametrize("figure", ABSURD, ids=repr)
def test_a_customer_table_refuses_an_absurd_amount_naming_its_cell(figure: Cell) -> None:
    for grid, cell in ((long_table(figure), "C2"), (wide_table(figure), "B2")):
        check = read_customers(grid)
        assert check.table is None
        assert [(i.code, i.cells, i.message) for i in check.issues] == [
            ("bad_amount", (cell,), f"MRR {shown(figure)} {TOO_LARGE}")]


@pytest.mark.parametrize("figure", ABSURD, ids=repr)
def test_the_ledger_refuses_an_absurd_amount_naming_its_cell(figure: Cell) -> None:
    check = check_ledger([HEADER, ["2026-01", figure, 0, 0, 0, None, None], ["2026-02", 100, 0, 0, 0, None, None]])
    assert check.ledger is None
    assert [(i.code, i.cells, i.message) for i in check.issues] == [
        ("bad_amount", ("B2",), f"MRR (Start of Period) {shown(figure)} {TOO_LARGE}")]


@pytest.mark.parametrize("figure", ["1000000000000000", 10 ** 15, 1e15, "$999,999,999,999,999.99"], ids=repr)
def test_amounts_up_to_the_limit_are_read(figure: Cell) -> None:
    check = read_customers(long_table(figure))
    assert check.table is not None, check.issues
    assert check.table.total(check.table.first) == round(Decimal(str(figure).replace("$", "").replace(",", "")) * 100)
    assert check_ledger([HEADER, ["2026-01", figure, 0, 0, 0, None, None]]).ledger is not None


@pytest.mark.parametrize("rows", [long_table(10 ** 30), wide_table(1e308)], ids=["long", "wide"])
def test_a_workbook_with_an_absurd_amount_is_an_error_not_an_internal_error(tmp_path: Path,
                                                                            rows: list[list[Cell]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "customers.xlsx")
    code, out, err = run("validate", "--ledger", str(tmp_path / "customers.xlsx"), env={})
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == f"error: Sheet!{'C2' if rows[0][1] == 'Month' else 'B2'} (January 2026): MRR " \
                                  f"{'1e+30' if rows[0][1] == 'Month' else '1e+308'} {TOO_LARGE}"


@pytest.mark.parametrize("figure", [1e308, 10 ** 30], ids=repr)
def test_a_google_sheet_with_an_absurd_number_is_an_error_not_an_internal_error(figure: Any) -> None:
    # UNFORMATTED_VALUE gives the number itself: 1e308 comes as a 309-digit integer
    with FakeGoogle() as fake:
        fake.add_spreadsheet("1AbsurdSheet0123456789abcdefghij", {"Customers": long_table(figure)})
        code, out, err = run("validate", "--ledger", "gsheet:1AbsurdSheet0123456789abcdefghij/Customers",
                             env=env_for(fake))
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == f"error: Customers!C2 (January 2026): MRR {int(figure)} {TOO_LARGE}"
