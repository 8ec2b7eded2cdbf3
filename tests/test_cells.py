"""Cell parsers: forgiving in form, strict in meaning."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import CellError, Month, NrrError, infer_date_order, parse_money, parse_month, parse_ratio


@pytest.mark.parametrize(
    "value",
    ["2026-01", "Jan 2026", "January 2026", "01/2026", "1/2026", "2026-01-01", "2026-01-31",
     "jan-26", "Jan-2026", "January, 2026", "1 Jan 2026", "1-Jan-26", "15-Jan-2026",
     "202601", "2026/01", 46023, 46023.0,
     "46023", dt.date(2026, 1, 15), dt.datetime(2026, 1, 1, 0, 0), "2026-01-01T00:00:00",
     " Jan 2026 ", "2026-01-31T23:59:59Z", "2026-01-31T10:00:00.000Z", "2026-01-15T08:00:00+09:00",
     "2026-01-31 00:00:00 UTC", "Jan 31, 2026", "January 15 2026", 202601, 202601.0, Decimal(202601),
     "202601.0", "202601.00",
     # a spreadsheet's CSV export of a date-time, US and UK (fuzz 18: refused where the sheet itself read)
     "1/31/2026 23:45:36", "31/01/2026 23:45:36", "1/31/2026 11:45 PM"],
)
def test_months_in_every_common_form(value: object) -> None:
    assert parse_month(value) == Month(2026, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["Q1 2026", "2026", 2026, "Jan", "13/2026", "2026-13", "soon", "",
                                   None, True, 12.5, "Total", 202613, 202600, 202601.5, 99999999,
                                   "202601.5", "202613.0",
                                   "jan 0001", "Jan 0026"])  # four digits are the year written, not 2001 (fuzz 13)
def test_not_months(value: object) -> None:
    with pytest.raises(CellError):
        parse_month(value)  # type: ignore[arg-type]


def test_day_month_order_comes_from_the_column() -> None:
    with pytest.raises(CellError):
        parse_month("03/04/2026")
    assert parse_month("03/04/2026", "MDY") == Month(2026, 3)
    assert parse_month("03/04/2026", "DMY") == Month(2026, 4)
    assert infer_date_order(["01/01/2026", "02/01/2026", "03/01/2026"]) == "MDY"
    assert infer_date_order(["01/01/2026", "01/02/2026", "01/03/2026"]) == "DMY"
    assert infer_date_order(["31/01/2026"]) == "DMY"
    assert infer_date_order(["01/31/2026"]) == "MDY"
    assert infer_date_order(["01/01/2026"]) is None


@pytest.mark.parametrize(
    ("value", "amount"),
    [("100000", "100000"), ("100000.50", "100000.50"), ("$100,000", "100000"), ("(5,000)", "-5000"),
     ("$ (2,000.00)", "-2000.00"), ("$(3,000.00)", "-3000.00"),  # accounting format's negatives (fuzz 6)
     ("-5000", "-5000"), ("$-5,000", "-5000"), ("-$5,000", "-5000"), ("USD 1,200", "1200"),
     ("1,200 EUR", "1200"), ("€1,200.50", "1200.50"), ("£ 7", "7"), (108000, "108000"),
     (108000.4, "108000.4"), (Decimal("3.10"), "3.10"), ("1234.567", "1234.567"),
     ("0.005", "0.005"), ("$0.125", "0.125")],  # no thousands group follows a 0: three decimals, one reading
)
def test_money(value: object, amount: str) -> None:
    assert parse_money(value)[0] == Decimal(amount)  # type: ignore[arg-type]


# 0,200 is a decimal comma: no thousands grouping starts with a group of 0 (it was read as 200)
@pytest.mark.parametrize("value", ["€1.200,50", "1.200", "1200,50", "1,20", "1.200.000", "0,200", "$0,200",
                                   "00,200", "012,500"])
def test_ambiguous_money_is_refused_not_guessed(value: str) -> None:
    with pytest.raises(CellError, match="reads one way only"):
        parse_money(value)


@pytest.mark.parametrize("value", ["12O0", "abc", "100k", "", None, True, dt.date(2026, 1, 1), float("nan")])
def test_not_money(value: object) -> None:
    with pytest.raises(CellError):
        parse_money(value)  # type: ignore[arg-type]


def test_money_rounding_is_half_the_last_digit_written() -> None:
    assert parse_money("108,000")[1] == Decimal("0.5")
    assert parse_money("108,000.40")[1] == Decimal("0.005")
    assert parse_money(108000.4)[1] == Decimal("0.05")


@pytest.mark.parametrize(
    ("value", "ratio"),
    [("108%", "1.08"), ("1.08", "1.08"), ("108", "1.08"), (1.08, "1.08"), (108, "1.08"),
     ("107.6 %", "1.076"), ("96.45%", "0.9645"), (0.93, "0.93"),
     # French Excel's rate: a no-break space (or a narrow one) before the % (read as not a rate: a fresh-eyes try)
     ("101.20\u00a0%", "1.012"), ("99.5\u202f%", "0.995")],
)
def test_rates(value: object, ratio: str) -> None:
    assert parse_ratio(value)[0] == Decimal(ratio)  # type: ignore[arg-type]


def test_a_rates_rounding_is_never_wider_than_half_a_point() -> None:
    # a Sheet's 100% arrives as the number 1: read within 50 points, it passed for a month at 140% (fuzz 18)
    assert [parse_ratio(v)[1] for v in (1, "1", 1.1, "108%", "96.45%", 0.985)] == [
        Decimal("0.005"), Decimal("0.005"), Decimal("0.005"), Decimal("0.005"), Decimal("0.00005"), Decimal("0.0005")]


@given(st.one_of(st.none(), st.text(max_size=20), st.integers(), st.floats(allow_nan=True),
                 st.booleans(), st.dates(), st.decimals(allow_nan=True)))
def test_parsers_only_ever_raise_cell_error(value: Any) -> None:
    for parse in (parse_money, parse_ratio, parse_month):
        with contextlib.suppress(CellError):
            parse(value)


def test_a_cell_error_is_an_engine_error_and_still_a_value_error() -> None:
    with pytest.raises(NrrError) as info:
        parse_month("soon")
    assert isinstance(info.value, CellError) and isinstance(info.value, ValueError)
    assert str(info.value) == info.value.expected == \
        "a month such as 2026-03, Mar 2026, March 2026, 03/2026, 202603 or a date"


@pytest.mark.parametrize("text", ["$ -", "-", "–", "—", "$0.00", "USD -", "(-)"])
def test_accounting_zeros_are_zero(text: str) -> None:
    assert parse_money(text)[0] == 0


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("12 500", "an amount without spaces between its digits: write 12500 or 12,500, not 12 500"),
        ("$1,234.5.6", "an amount such as 100000, 100000.50 or $100,000"),
        # each hint fits its cell (fuzz 16: '120.000' was told not to write 1.200,50)
        ("1.200,50", "an amount that reads one way only: 1.200,50 has a decimal comma and dots between thousands; "
                     "write 1200.50"),
        ("1200,50", "an amount that reads one way only: 1200,50 has a decimal comma; write 1200.50"),
        ("1.200", "an amount that reads one way only: 1.200 is 1,200 with a dot between thousands, or 1.200 with a "
                  "decimal point; write 1200 for the one, 1.20 for the other"),
        ("1,2000", "an amount that reads one way only: 1,2000 has commas where no thousands are (1,200,000 has one "
                   "every three digits); write 12000, or 1.2000 if the comma is a decimal one"),
        # a negative keeps its sign, and three decimals are not offered as a rewrite of themselves (review)
        ("-1.200", "an amount that reads one way only: 1.200 is 1,200 with a dot between thousands, or 1.200 with a "
                   "decimal point; write -1200 for the one, -1.20 for the other"),
        ("1.234", "an amount that reads one way only: 1.234 is 1,234 with a dot between thousands, or 1.234 with a "
                  "decimal point; write 1234 if it is the one"),
        ("12abc", "an amount such as 100000, 100000.50 or $100,000"),
    ],
)
def test_each_unreadable_amount_gets_the_hint_that_fits_it(text: str, hint: str) -> None:
    with pytest.raises(CellError) as info:
        parse_money(text)
    assert info.value.expected == hint
