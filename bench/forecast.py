"""How close ``nrr forecast`` comes to what customers really paid a year later, beside the naive projection.

Run: ``.venv/bin/python bench/forecast.py [--customers 4000] [--months 48] [--seeds 3] [--replays 40]``.

Each scenario simulates a customer table (``random.Random(seed)``, integer cents), cuts it 12 months before
its end and forecasts from the cut, as ``nrr forecast --json`` would on a truncated copy: the engine reads
the months up to the cut only. The truth is what the customers paying at the cut pay 12 months later. The
naive projection is the base at the cut times its 12-month NRR (the customers paying a year before the cut,
their MRR at the cut over their MRR then). A miss is (projection - truth) / truth.

That truth is one draw: which of those customers churn, expand or come back in the 12 months is chance, which
no projection can know. The expected truth is its mean: the 12 months after the cut are replayed ``--replays``
times for exactly the customers paying at the cut, each from its state then (what it pays, its age, its
size), by the same monthly step as the simulation (``advance``), each replay with a random stream of its own
(seeded by scenario, seed and replay); a customer who leaves in those months may come back in "win-back", as
in the simulation; the expected truth is what they pay in the 12th month, averaged over the replays. The
realized truth's distance from it is the process noise, which the band is meant to cover beside the
projection's own error.

The simulation: customers join every month (from ten years before the table, so it holds every age) at a
rate that changes as the scenario says; each pays 50-2,000 a month (log-uniform: most are small); every
month a paying customer churns, expands (x1.05-1.4) or contracts (x0.6-0.95); in "win-back" a customer that
left comes back at its last MRR with a chance of 3% a month. Its churn hazard is the
scenario's ``early`` in its first 6 months and ``churn`` after (in "decaying churn" it falls from one to the
other over the first year or so: ``churn + (early - churn) * exp(-(age - 1) / 6)``), lower for big customers
(x0.5 at 2,000 and over, x1.5 at 50 and under): big customers churn less, so counting logos would run low. In
"moving upmarket" what new customers pay grows 35% a year, so today's young customers are bigger than the
history's were at their age. Segments (SMB, Mid-market,
Enterprise) follow size and get rates of their own where they have the history.

It prints one line per scenario: the base at the cut, the truth, the expected truth and nrr's projection (of
the first seed), nrr's miss against the truth and against the expected truth (mean and worst over the seeds),
the process noise ((truth - expected) / expected: mean of its absolute value, and worst), the replays' spread
(the standard deviation of their truths over their mean, averaged over the seeds: how far one truth
typically falls from the expected; the expected itself is off by about that over the square root of
``--replays``), how many times the truth and the expected truth were inside the band, the band's width
(high - low over the projection, the widest), the naive projection (first seed) and its miss, and the
seconds per forecast (the slowest). Asserts nothing about the forecast, only that the replays start from the
table's own customers at the cut.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Cell, CustomerTable, Month, build_forecast, forecast_as_of, read_customers

FIRST = Month(2022, 1)
PREHISTORY = 120


@dataclass(frozen=True)
class Scenario:
    """How customers join and behave; hazards are monthly probabilities."""

    name: str
    growth: float  # the yearly growth of the customers won per month, before ``turn``
    later: float  # ... and from ``turn`` months before the table's end
    turn: int = 30
    early: float = 0.06
    churn: float = 0.015
    expansion: float = 0.05
    contraction: float = 0.02
    winback: float = 0.0  # the chance a customer that left comes back, each month
    upmarket: float = 0.0  # the yearly growth of what new customers pay (their churn follows what they pay)
    decaying: bool = False  # churn falls from ``early`` toward ``churn`` over the first year or so, not in a step

    def joins(self, t: int, months: int) -> float:
        """Customers won per month at month ``t`` (relative)."""
        pivot = months - self.turn
        if t <= pivot:
            return float((1 + self.growth) ** (t / 12))
        return float((1 + self.growth) ** (pivot / 12) * (1 + self.later) ** ((t - pivot) / 12))


SCENARIOS = (
    Scenario("steady", 0.0, 0.0),
    Scenario("steady, growing", 0.3, 0.3),
    Scenario("accelerating", 0.0, 1.5),
    Scenario("decelerating", 1.0, -0.5),
    Scenario("early churn, accelerating", 0.2, 2.0, early=0.12),
    Scenario("steady, win-back", 0.3, 0.3, winback=0.03),
    Scenario("moving upmarket", 0.3, 0.3, upmarket=0.35),
    Scenario("decaying churn, accelerating", 0.0, 1.5, early=0.10, decaying=True),
)


@dataclass(slots=True)
class Customer:
    """A simulated customer's state at a month: all that decides its months ahead."""

    cents: int  # what it pays, or paid when it left
    age: int  # months since it joined
    damp: float  # its churn hazard's multiplier by size
    segment: str  # follows what it paid when it joined; it moves nothing
    paying: bool = True


def advance(scenario: Scenario, customer: Customer, rng: Random) -> bool:
    """Moves ``customer`` on a month: it churns, expands, contracts or, having left, comes back. False (and
    nothing moves) when it has left and the scenario has no win-back: it is gone for good."""
    if not customer.paying and not scenario.winback:
        return False
    customer.age += 1
    if not customer.paying:
        customer.paying = rng.random() < scenario.winback  # back at what it paid when it left
        return True
    age = customer.age
    if scenario.decaying:
        hazard = (scenario.churn + (scenario.early - scenario.churn) * math.exp(-(age - 1) / 6)) * customer.damp
    else:
        hazard = (scenario.early if age <= 6 else scenario.churn) * customer.damp
    if rng.random() < hazard:
        customer.paying = False
        return True
    roll = rng.random()
    if roll < scenario.expansion:
        customer.cents = round(customer.cents * rng.uniform(1.05, 1.4))
    elif roll < scenario.expansion + scenario.contraction:
        customer.cents = round(customer.cents * rng.uniform(0.6, 0.95))
    return True


@dataclass(frozen=True)
class Simulation:
    """A simulated table, and the state at the cut (12 months before its end) of each customer paying then."""

    grid: list[list[Cell]]
    payers: list[Customer]


def simulate(scenario: Scenario, customers: int, months: int, seed: int) -> Simulation:
    """A long-form table of about ``customers`` customers paying over ``months`` months from FIRST."""
    rng = Random(seed)
    joins = range(-PREHISTORY, months)
    scale = customers / sum(scenario.joins(t, months) * (1 if t >= 0 else 0.97 ** -t) for t in joins)
    labels = [str(FIRST + i) for i in range(months)]
    grid: list[list[Cell]] = [["Customer ID", "Month", "MRR", "Segment"]]
    payers: list[Customer] = []
    cut = months - 13
    due, joined = 0.0, 0
    for t in joins:
        due += scale * scenario.joins(t, months)
        for _ in range(int(due)):
            joined += 1
            scale_up = (1 + scenario.upmarket) ** (t / 12)
            cents = round(math.exp(rng.uniform(math.log(50), math.log(2000))) * 100 * scale_up)
            segment = "Enterprise" if cents >= 80000 else "Mid-market" if cents >= 25000 else "SMB"
            size = (math.log(cents / 100) - math.log(50)) / (math.log(2000) - math.log(50))  # 0 small .. 1 big
            customer = Customer(cents, 0, 1.5 - min(max(size, 0.0), 1.0), segment)
            for month in range(t, months):
                if month > t and not advance(scenario, customer, rng):
                    break
                if customer.paying and month >= 0:
                    cents = customer.cents
                    grid.append([f"{joined:06d}", labels[month], f"{cents // 100}.{cents % 100:02d}", segment])
                    if month == cut:
                        payers.append(replace(customer))
        due -= int(due)
    return Simulation(grid, payers)


def expect(scenario: Scenario, payers: list[Customer], seed: int, replays: int) -> list[int]:
    """What ``payers`` pay 12 months on in each of ``replays`` replays of those months (cents), each from its
    own seeded stream."""
    totals = []
    for replay in range(replays):
        rng = Random(f"{scenario.name} / seed {seed} / replay {replay}")
        total = 0
        for payer in payers:
            customer = replace(payer)
            for _ in range(12):
                if not advance(scenario, customer, rng):
                    break
            total += customer.cents if customer.paying else 0
        totals.append(total)
    return totals


def paid(table: CustomerTable, payers: Month, month: Month) -> int:
    """Cents the customers paying in ``payers`` pay in ``month``."""
    i, j = table.index(payers), table.index(month)
    return sum(series[j] for series in table.mrr if series[i])


@dataclass(frozen=True)
class Outcome:
    base: Decimal
    truth: Decimal
    expected: Decimal  # the mean of the replays' truths
    spread: float  # the replays' truths' standard deviation over their mean, in %
    projected: Decimal
    low: Decimal
    high: Decimal
    naive: Decimal
    method: str
    seconds: float

    def miss(self, value: Decimal) -> float:
        return float((value - self.truth) / self.truth * 100)

    def expected_miss(self, value: Decimal) -> float:
        return float((value - self.expected) / self.expected * 100)

    @property
    def inside(self) -> bool:
        return self.low <= self.truth <= self.high

    @property
    def expected_inside(self) -> bool:
        return self.low <= self.expected <= self.high

    @property
    def width(self) -> float:
        return float((self.high - self.low) / self.projected * 100)


def measure(scenario: Scenario, simulation: Simulation, months: int, seed: int, replays: int) -> Outcome:
    grid = simulation.grid
    full = read_customers(grid).table
    assert full is not None
    cut = full.last - 12
    assert cut == FIRST + (months - 13), "the table's last month is the simulation's"
    truncated = read_customers([grid[0], *(row for row in grid[1:] if str(row[1]) <= str(cut))]).table
    assert truncated is not None
    started = time.perf_counter()
    forecast = build_forecast(truncated, forecast_as_of(truncated, cut))
    seconds = time.perf_counter() - started
    twelfth = forecast.months[11]
    base = Decimal(paid(full, cut, cut)).scaleb(-2)
    assert sum(payer.cents for payer in simulation.payers) == paid(full, cut, cut), "the replays start from the cut"
    totals = expect(scenario, simulation.payers, seed, replays)
    mean = sum(totals) / len(totals)
    spread = math.sqrt(sum((total - mean) ** 2 for total in totals) / max(len(totals) - 1, 1)) / mean * 100
    nrr12 = Decimal(paid(full, cut - 12, cut)) / Decimal(paid(full, cut - 12, cut - 12))
    return Outcome(base, Decimal(paid(full, cut, full.last)).scaleb(-2), Decimal(sum(totals)) / len(totals) / 100,
                   spread, twelfth.mrr, twelfth.low, twelfth.high, base * nrr12, forecast.method, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=4000, help="about this many customers per table")
    parser.add_argument("--months", type=int, default=48, help="months in each table (at least 26)")
    parser.add_argument("--seeds", type=int, default=3, help="tables per scenario, seeds 1..N")
    parser.add_argument("--replays", type=int, default=40, help="replays of the last 12 months per table")
    parser.add_argument("--scenario", default="", help="only the scenarios whose name holds this text")
    args = parser.parse_args()
    print(f"about {args.customers:,} customers over {args.months} months, cut 12 months before the end; "
          f"{args.seeds} seeds per scenario; miss = (projection - truth) / truth at the 12th month; "
          f"expected = the mean truth of {args.replays} replays from the cut ({dt.date.today()})")
    print("| scenario | base at cut | truth | expected | nrr | nrr miss (mean, worst) |"
          " nrr miss vs expected (mean, worst) | truth vs expected (mean abs, worst) | replay sd |"
          " truth in band | expected in band | band width | naive | naive miss (mean, worst) | s/forecast |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | :---: | ---: | ---: | ---: | ---: |")
    for scenario in (s for s in SCENARIOS if args.scenario in s.name):
        outcomes = [measure(scenario, simulate(scenario, args.customers, args.months, seed), args.months, seed,
                            args.replays)
                    for seed in range(1, args.seeds + 1)]
        o = outcomes[0]
        nrr = [x.miss(x.projected) for x in outcomes]
        nrr_expected = [x.expected_miss(x.projected) for x in outcomes]
        noise = [x.expected_miss(x.truth) for x in outcomes]
        naive = [x.miss(x.naive) for x in outcomes]
        inside = sum(x.inside for x in outcomes)
        expected_inside = sum(x.expected_inside for x in outcomes)
        print(f"| {scenario.name} | {o.base:,.0f} | {o.truth:,.0f} | {o.expected:,.0f} | {o.projected:,.0f} |"
              f" {sum(nrr) / len(nrr):+.2f}%, {max(nrr, key=abs):+.2f}% |"
              f" {sum(nrr_expected) / len(nrr_expected):+.2f}%, {max(nrr_expected, key=abs):+.2f}% |"
              f" {sum(map(abs, noise)) / len(noise):.2f}%, {max(noise, key=abs):+.2f}% |"
              f" {sum(x.spread for x in outcomes) / len(outcomes):.2f}% |"
              f" {inside}/{len(outcomes)} | {expected_inside}/{len(outcomes)} |"
              f" {max(x.width for x in outcomes):.1f}% | {o.naive:,.0f} |"
              f" {sum(naive) / len(naive):+.2f}%, {max(naive, key=abs):+.2f}% |"
              f" {max(x.seconds for x in outcomes):.2f} |", flush=True)


if __name__ == "__main__":
    main()
