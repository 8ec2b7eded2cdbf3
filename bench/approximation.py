"""How far the chained trailing-12-month NRR from month totals lands from the exact 12-month cohort figure.

Run: ``.venv/bin/python bench/approximation.py [--customers 5000] [--months 48] [--seeds 5]``.

A seven-column ledger holds month totals only, so nrr chains its twelve monthly NRRs; a customer table
gives the exact figure: the customers paying in the month before the twelve, their MRR in the last month
over their MRR then. The product says how far apart the two are (the benchmark line's approximation
note); this checks that sentence on simulated customer tables.

Each table is simulated (``random.Random(seed)``, integer cents) with customers joining every month at a
rate that grows by ``growth`` a year, from long enough before the table's first month that its customers
have every age. Every following month a paying customer churns (and never comes back), expands or
contracts; its churn hazard is ``early`` in its first ``early_months`` months and ``churn`` after. In the
"alike" scenario the two hazards are equal, so new and old customers behave alike; "alike, win-back" adds
churned customers coming back (the month totals count a return as new business, the cohort counts it in).

Each table then goes through the engine's public API as a user's would: the long-form grid to
``read_customers``, its derived ledger as a seven-column grid to ``read_ledger``, and ``build_report``
for ``ttm`` on both: the chained figure from the month totals, the cohort figure from the customer table.
It prints one line per scenario: the realized MRR growth over the trailing year, the cohort NRR, and the
gap (chained - cohort, in points) over the seeds: mean, min and max, and the mean gap of the sum method
on the same month totals (``nrr report --method sum``; n/a when it is not meaningful); then the
approximation note the product shows with a chained figure. 5,000 customers and 5 seeds take about 20 s.

Asserts nothing about the numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from random import Random

from engine import derive_ledger

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import (
    Cell,
    Ledger,
    Month,
    approximation_note,
    build_report,
    ledger_table,
    read_customers,
    read_ledger,
    resolve_period,
)

FIRST = Month(2022, 1)
PREHISTORY = 120  # months of customers joining before the table starts, so that it holds every age


@dataclass(frozen=True)
class Scenario:
    """How customers join and behave: hazards are monthly probabilities."""

    name: str
    growth: float  # the yearly growth of the number of customers won per month (1.0: twice as many a year on)
    early: float  # the churn hazard in a customer's first ``early_months`` months
    early_months: int = 6
    churn: float = 0.015  # the churn hazard after that
    expansion: float = 0.06  # an expansion: MRR x 1.05..1.4
    contraction: float = 0.02  # a contraction: MRR x 0.6..0.95
    winback: float = 0.0  # the chance a churned customer comes back, at its last MRR

    def hazard(self, age: int) -> float:
        """The chance to churn in the month a customer turns ``age`` months old (1 is its second month)."""
        return self.early if age <= self.early_months else self.churn

    @property
    def early_label(self) -> str:
        """``7%/mo for 6 mo (35% gone)``: the early hazard and the share of new customers it takes."""
        if self.early == self.churn:
            return f"none ({self.churn:.1%}/mo throughout)"
        lost = 1 - (1 - self.early) ** self.early_months
        return f"{self.early:.0%}/mo for {self.early_months} mo ({lost:.0%} gone)"


def survival(scenario: Scenario, age: int) -> float:
    """The chance a customer still pays ``age`` months after joining."""
    alive = 1.0
    for a in range(1, age + 1):
        alive *= 1 - scenario.hazard(a)
    return alive


def simulate(scenario: Scenario, customers: int, months: int, seed: int) -> list[list[Cell]]:
    """A long-form customer table (one row per paying customer and month) of about ``customers`` customers
    over ``months`` months from ``FIRST``."""
    rng = Random(seed)
    rise = (1 + scenario.growth) ** (1 / 12)
    joins = range(-PREHISTORY, months)
    expected = sum(rise ** t * (1 if t >= 0 else survival(scenario, -t)) for t in joins)
    scale = customers / expected
    labels = [str(FIRST + i) for i in range(months)]
    grid: list[list[Cell]] = [["Customer ID", "Month", "MRR"]]
    due = 0.0
    joined = 0
    for t in joins:
        due += scale * rise ** t
        for _ in range(int(due)):
            joined += 1
            key = f"{joined:06d}"
            cents = round(rng.uniform(50, 500) * 100)
            paying = True
            for month, age in zip(range(t, months), range(months - t), strict=True):
                if age and not paying:
                    if not scenario.winback:
                        break
                    paying = rng.random() < scenario.winback
                elif age and rng.random() < scenario.hazard(age):
                    paying = False
                elif age:
                    roll = rng.random()
                    if roll < scenario.expansion:
                        cents = round(cents * rng.uniform(1.05, 1.4))
                    elif roll < scenario.expansion + scenario.contraction:
                        cents = round(cents * rng.uniform(0.6, 0.95))
                if paying and month >= 0:
                    grid.append([key, labels[month], f"{cents // 100}.{cents % 100:02d}"])
        due -= int(due)
    return grid


def totals_grid(ledger: Ledger) -> list[list[Cell]]:
    """The month totals a user without a customer table has: the seven-column ledger, as ``nrr ledger``
    prints it."""
    headers, rows = ledger_table(ledger)
    grid: list[list[Cell]] = [[*headers]]
    grid.extend([*row] for row in rows)
    return grid


@dataclass(frozen=True)
class Outcome:
    """One table's trailing-12-month figures: from its month totals, and its cohort's."""

    chained: Decimal
    summed: Decimal | None  # the sum method on the same month totals (None: not meaningful)
    cohort: Decimal
    growth: Decimal  # MRR in the last month over 12 months before, minus 1
    note: str | None  # what the product says about the chained figure

    @property
    def gap(self) -> float:
        """Chained minus cohort, in points."""
        return float((self.chained - self.cohort) * 100)

    @property
    def summed_gap(self) -> float | None:
        return None if self.summed is None else float((self.summed - self.cohort) * 100)


def measure(grid: list[list[Cell]]) -> Outcome:
    """The chained TTM NRR from the table's month totals and its 12-month cohort NRR, through the engine."""
    table = read_customers(grid).table
    assert table is not None
    today = dt.date((table.last + 1).year, (table.last + 1).month, 5)
    period = resolve_period("ttm", today)
    totals = read_ledger(totals_grid(derive_ledger(table)))
    chained = build_report(totals, period, method="chained").trailing
    summed = build_report(totals, period, method="sum").trailing
    cohort = build_report(derive_ledger(table), period, method="cohort").trailing
    assert chained is not None and chained.nrr is not None and not chained.cohort
    assert summed is not None and not summed.cohort
    assert cohort is not None and cohort.nrr is not None and cohort.cohort
    growth = Decimal(table.total(table.last)) / Decimal(table.total(table.last - 12)) - 1
    return Outcome(chained.nrr, summed.nrr, cohort.nrr, growth, approximation_note(chained))


def scenarios() -> list[Scenario]:
    growths = (0.0, 0.5, 1.0, 2.0)
    alike = [Scenario("alike", g, 0.015) for g in growths]
    early = [Scenario("new churn early", g, e) for e in (0.04, 0.07, 0.10) for g in growths]
    fast = [Scenario("new churn early", g, 0.20, early_months=3) for g in growths]
    winback = [Scenario("alike, win-back", g, 0.015, winback=0.02) for g in growths]
    return alike + early + fast + winback


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=5000, help="about this many customers per table")
    parser.add_argument("--months", type=int, default=48, help="months in each table (at least 13)")
    parser.add_argument("--seeds", type=int, default=5, help="tables per scenario, seeds 1..N")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"{args.customers:,} customers over {args.months} months, {args.seeds} seeds per scenario; "
          "gap = chained - cohort, in points")
    print(f"{'scenario':<16} {'new/mo grows':>12}  {'early churn':<30} {'MRR growth':>10} {'cohort NRR':>10}"
          f" {'gap mean':>8} {'min':>6} {'max':>6} {'summed gap':>10}")
    note = None
    for scenario in scenarios():
        outcomes = [measure(simulate(scenario, args.customers, args.months, seed)) for seed in
                    range(1, args.seeds + 1)]
        gaps = [o.gap for o in outcomes]
        summed = [g for o in outcomes if (g := o.summed_gap) is not None]
        growth = statistics.fmean(float(o.growth) for o in outcomes)
        cohort = statistics.fmean(float(o.cohort) for o in outcomes)
        note = note or outcomes[0].note
        summed_text = f"{statistics.fmean(summed):+.1f}" if len(summed) == len(outcomes) else "n/a"
        print(f"{scenario.name:<16} {scenario.growth:>11.0%}/yr {scenario.early_label:<30} {growth:>10.0%}"
              f" {cohort:>10.1%} {statistics.fmean(gaps):>+8.1f} {min(gaps):>+6.1f} {max(gaps):>+6.1f}"
              f" {summed_text:>10}")
    print(f"the product's note on a chained figure: {note}")
    print(f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
