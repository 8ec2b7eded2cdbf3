from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Month
from engine._month import fiscal_year_first_month

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
