"""The chained NRR from month totals against the exact 12-month cohort NRR, on simulated customer tables.

A small version of bench/approximation.py (which prints the full grid of scenarios): customers join
every month at a rate growing by ``growth`` a year; each month a paying customer churns for good
(``early`` in its first 6 months, 1.5% after), expands (6%: x 1.05..1.4) or contracts (2%: x 0.6..0.95).
Alike, the chained figure lands on the cohort's within noise; when new customers churn early it lands
well below, the more so the faster the company grows. The bounds hold with margin over 40 seeds
(3,000 customers, 36 months): gap alike, 100%/yr -2.2..+2.1 pts, flat -0.7..+0.6; early churn at
7%/mo, flat -4.0..-2.3, 100%/yr -17.5..-11.1.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from engine import (
    Cell,
    Ledger,
    Method,
    Month,
    build_report,
    derive_ledger,
    ledger_table,
    read_customers,
    read_ledger,
    resolve_period,
)

FIRST = Month(2023, 1)
MONTHS = 36
CUSTOMERS = 3000
SEED = 7
LATE_CHURN, EARLY_MONTHS, EXPANSION, CONTRACTION = 0.015, 6, 0.06, 0.02


def simulate(growth: float, early: float, seed: int = SEED) -> list[list[Cell]]:
    """A long-form customer table; customers join from 120 months before it, so it holds every age."""
    rng = random.Random(seed)
    rise = (1 + growth) ** (1 / 12)

    def hazard(age: int) -> float:
        return early if age <= EARLY_MONTHS else LATE_CHURN

    def survival(age: int) -> float:
        alive = 1.0
        for a in range(1, age + 1):
            alive *= 1 - hazard(a)
        return alive

    joins = range(-120, MONTHS)
    scale = CUSTOMERS / sum(rise ** t * (1 if t >= 0 else survival(-t)) for t in joins)
    grid: list[list[Cell]] = [["Customer ID", "Month", "MRR"]]
    due, joined = 0.0, 0
    for t in joins:
        due += scale * rise ** t
        for _ in range(int(due)):
            joined += 1
            cents = round(rng.uniform(50, 500) * 100)
            for month in range(t, MONTHS):
                if month > t:
                    if rng.random() < hazard(month - t):
                        break
                    roll = rng.random()
                    if roll < EXPANSION:
                        cents = round(cents * rng.uniform(1.05, 1.4))
                    elif roll < EXPANSION + CONTRACTION:
                        cents = round(cents * rng.uniform(0.6, 0.95))
                if month >= 0:
                    grid.append([f"{joined:06d}", str(FIRST + month), f"{cents // 100}.{cents % 100:02d}"])
        due -= int(due)
    return grid


def month_totals(ledger: Ledger) -> list[list[Cell]]:
    """The seven-column ledger a user without a customer table has, as ``nrr ledger`` prints it."""
    headers, rows = ledger_table(ledger)
    grid: list[list[Cell]] = [[*headers]]
    grid.extend([*row] for row in rows)
    return grid


def ttm(ledger: Ledger, method: Method) -> Decimal:
    """The benchmarked figure of ``nrr report ttm`` the month after the table's last."""
    after = FIRST + MONTHS
    trailing = build_report(ledger, resolve_period("ttm", dt.date(after.year, after.month, 5)), method=method).trailing
    assert trailing is not None and trailing.nrr is not None and trailing.cohort == (method == "cohort")
    return trailing.nrr


def gap(growth: float, early: float) -> float:
    """Chained (from the month totals) minus the 12-month cohort NRR, in points."""
    table = read_customers(simulate(growth, early)).table
    assert table is not None
    ledger = derive_ledger(table)
    return float((ttm(read_ledger(month_totals(ledger)), "chained") - ttm(ledger, "cohort")) * 100)


@pytest.mark.parametrize(("growth", "early", "low", "high"), [
    pytest.param(1.0, LATE_CHURN, -3, 3, id="alike, growing 100% a year: within noise"),
    pytest.param(0.0, LATE_CHURN, -1, 1, id="alike, flat: within 1 pt"),
    pytest.param(0.0, 0.07, -6, -1.5, id="new churn early, flat: a few pts low"),
    pytest.param(1.0, 0.07, -20, -9, id="new churn early, growing 100% a year: 9-20 pts low"),
])
def test_chained_against_the_cohort(growth: float, early: float, low: float, high: float) -> None:
    assert low < gap(growth, early) < high


def test_month_totals_give_the_derived_ledgers_chained_figure() -> None:
    table = read_customers(simulate(0.5, 0.07)).table
    assert table is not None
    assert ttm(read_ledger(month_totals(derive_ledger(table))), "chained") == ttm(derive_ledger(table), "chained")
