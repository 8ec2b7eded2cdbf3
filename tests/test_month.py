from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import MONTH_WORDS, Month, fiscal_year_first_month, parse_month_number

months = st.builds(Month, st.integers(1900, 2200), st.integers(1, 12))


def test_arithmetic_crosses_year_ends() -> None:
    assert Month(2026, 11) + 2 == Month(2027, 1)
    assert Month(2026, 1) - 1 == Month(2025, 12)
    assert Month(2026, 3) - Month(2025, 12) == 3
    assert Month(2025, 12) < Month(2026, 1)


@given(months, st.integers(-500, 500))
def test_adding_then_subtracting_is_identity(month: Month, n: int) -> None:
    assert (month + n) - n == month
    assert (month + n) - month == n


def test_names() -> None:
    assert str(Month(2026, 3)) == "2026-03"
    assert Month(2026, 3).name == "March 2026"
    assert Month(2026, 3).short == "Mar 2026"
    assert Month.of(dt.date(2026, 3, 31)) == Month(2026, 3)


@pytest.mark.parametrize("bad", [0, 13, -1])
def test_rejects_impossible_months(bad: int) -> None:
    with pytest.raises(ValueError):
        Month(2026, bad)


@pytest.mark.parametrize(
    ("month", "start", "fiscal_year", "quarter"),
    [
        (Month(2026, 1), 1, 2026, 1),
        (Month(2026, 12), 1, 2026, 4),
        (Month(2026, 1), 2, 2026, 4),  # Feb start: January closes FY2026
        (Month(2026, 2), 2, 2027, 1),
        (Month(2026, 7), 7, 2027, 1),  # July start: FY2027 runs Jul 2026 - Jun 2027
        (Month(2026, 6), 7, 2026, 4),
        (Month(2026, 10), 7, 2027, 2),
    ],
)
def test_fiscal_years_are_named_after_the_year_they_end_in(
        month: Month, start: int, fiscal_year: int, quarter: int) -> None:
    assert month.fiscal_year(start) == fiscal_year
    assert month.fiscal_quarter(start) == quarter
    first = fiscal_year_first_month(fiscal_year, start)
    assert first <= month < first + 12


@pytest.mark.parametrize("value", [7, "7", "07", " 07 ", "July", "july", "JUL", " jul "])
def test_a_month_number_from_a_setting(value: object) -> None:
    assert parse_month_number(value) == 7


@pytest.mark.parametrize("value", [0, 13, "0", "13", "", "Juli", "Ju", "7.0", 7.0, True, None, "Q3", "-7"])
def test_a_month_number_names_what_would_do(value: object) -> None:
    with pytest.raises(ValueError) as info:
        parse_month_number(value)
    assert str(info.value) == "a month: a number 1-12 or a name such as July"


def test_one_table_of_month_words() -> None:
    assert len(MONTH_WORDS) == 24  # 12 names, 11 abbreviations (May is both), "sept"
    assert MONTH_WORDS["september"] == MONTH_WORDS["sep"] == MONTH_WORDS["sept"] == 9
    assert all(parse_month_number(word) == number for word, number in MONTH_WORDS.items())
