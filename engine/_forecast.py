"""Forecasts: what today's customers will pay in the coming months, learnt from the table's own history.

The **age-aware method**: a customer's prospects depend on how long it has paid (new customers churn
early) and on its segment. From the customer table, every acquisition cohort's money month by month
(the cohort triangle's sums) gives the money-weighted monthly retention of customers of each age: what
the customers of that age paid the next month over what they paid, summed in cents over every cohort
and month the table holds (ages 0 to 11 one by one, 12-23 together, and 24 and over with the customers
already paying when the table starts, whose age it cannot tell). Each of today's customers then keeps
what it pays in ``as_of`` and follows the rates of its age, month by month as it ages, per segment where
the segment has enough history: the share of their money the customers paying in a month keep the next, and
the share that churns, of which what came back in the table's history 1 to 12 months after a churn comes
back. Money-weighted, because big customers churn less: a survival curve of
customer counts times the survivors' growth runs low.

Big customers churn less, so a base whose young customers are bigger (or smaller) than the history's were at
their age goes another way than the history's rates say. Each customer's **size band** (what it paid in its first
month, in bands doubling from $2: ``engine.size_band``) moves the rates of its age and segment by what that
band's whole history showed against them: its churn, as a multiple of the churn those rates expected of its
customers (pulled toward 1 when the band's history expects few churns: as if 10 more had come as expected),
and what its customers who stayed gained or lost a month beyond those rates (pulled toward none as if 200 more
customer-months had shown none). One factor per band over every age, so a thin band borrows the age curve
of the company or its segment.

The customers already paying in the table's first month are left out of the rates for its first six
months: some were won just before and still churn as new customers do, which would count as the mature
customers' churn.

The **band** (95%) combines the projection's spread over resamplings of the history the rates are learnt
from (cohorts for the first 24 months of age, calendar months after; seeded, so deterministic) with the
spread of what today's customers themselves do: one customer's money-weighted month-to-month variance,
times the months ahead, times how concentrated today's base is. A change in how customers behave is not
in it; the backtest shows how far that has moved the method before.

The table is read only as sums (``ForecastSums``: by acquisition month and segment, month by month), added up in
memory or, for a table in a database, by the database: both give the same forecast to the cent.

A table shorter than 13 months cannot teach retention by age; the **simple method** applies its average
monthly retention of paying customers to today's base instead, and says so.

    >>> from engine import read_customers
    >>> rows = [["Customer", "Month", "MRR"]] + [[c, f"2026-{m:02d}", "100"] for c in "AB" for m in (1, 2, 3)]
    >>> forecast = build_forecast(read_customers(rows).table, Month(2026, 3), months=2)
    >>> forecast.method, str(forecast.base_mrr), [str(m.mrr) for m in forecast.months]
    ('simple', '200.00', ['200.00', '200.00'])
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Generic, Literal, TypeVar

from engine import _messages as say
from engine._aggregates import MOVED_BITS, Customers, ForecastSums
from engine._cohort import compute_cohort
from engine._errors import QueryError
from engine._forecast_sums import forecast_sums
from engine._fx import currency_code
from engine._month import Month
from engine._table import CustomerTable, cents_to_decimal, compared

ForecastMethod = Literal["age-aware", "simple"]

#: the months of history (as_of and those before it) the age-aware method needs: a year of ages to learn from
MIN_AGE_AWARE_MONTHS = 13
#: ages learnt one by one; then 12-23 together; then 24 and over (MATURE) with the customers of the first month
YOUNG_AGES = 12
MATURE = YOUNG_AGES + 1
_MATURE_AGE = 24
#: months after a churn in which a customer's return is counted as the same customer coming back
RETURN_MONTHS = 12
#: months of the table's start whose customers' ages are too unsure to learn from (``_unknown_ages``)
UNKNOWN_AGE_MONTHS = 6
#: a segment is named as having rates of its own once that many customer-months of it show an age
MIN_SEGMENT_OBSERVATIONS = 200
#: a size band's own churn counts as if this many churns more had shown its segment's and ages' (``_band_factors``),
#: the change in its stayers' money as if this many customer-months more had
CHURNS_CREDIBILITY = Decimal(10)
CREDIBILITY = Decimal(200)
#: resamplings of the history for the band, and the seed that makes them the same every run
RESAMPLES = 100
SEED = 19
#: the share of the projection's spread the band covers, and its z
BAND_COVERAGE = 95
#: the fewest month-to-month changes a band is drawn from and said to cover the spread (two months are one change:
#: resampled, it varies not at all, and a band of no width looked like certainty)
BAND_MIN_CHANGES = 3
_Z = 1.96
DEFAULT_MONTHS = 12
MAX_MONTHS = 120

_CENTS = Decimal("0.01")


@dataclass(frozen=True, kw_only=True)
class ForecastMonth:
    """One projected month: what today's customers are projected to pay, and the band around it."""

    month: Month
    mrr: Decimal
    low: Decimal
    high: Decimal


@dataclass(frozen=True, kw_only=True)
class Backtest:
    """The same method run as of ``as_of`` (12 months before the forecast's), against what those customers pay
    in the forecast's own month."""

    as_of: Month
    month: Month  # the month predicted: the forecast's as_of
    method: ForecastMethod
    predicted_mrr: Decimal
    actual_mrr: Decimal

    @property
    def error_pct(self) -> Decimal | None:
        """(predicted - actual) / actual in percent, 2 decimals; None when the customers pay nothing."""
        if not self.actual_mrr:
            return None
        return ((self.predicted_mrr - self.actual_mrr) / self.actual_mrr * 100).quantize(_CENTS, ROUND_HALF_UP)


@dataclass(frozen=True, kw_only=True)
class Target:
    """What new business a target needs: ``amount`` by ``by``, in the table's unit."""

    amount: Decimal
    by: Month
    months: int  # the months after as_of (or the last closed month, when later) to ``by``: new business to win
    projected_mrr: Decimal
    recent_new_mrr_per_month: Decimal
    recent_months: int  # the months that average is over (12, or fewer on a shorter table)

    @property
    def gap(self) -> Decimal:
        """The target minus what today's customers are projected to pay then (negative: already covered)."""
        return self.amount - self.projected_mrr

    @property
    def new_mrr_needed_per_month(self) -> Decimal:
        """The gap spread evenly over the months until ``by``; 0 when today's customers already cover it."""
        return max(self.gap / self.months, Decimal(0)).quantize(_CENTS, ROUND_HALF_UP)


@dataclass(frozen=True, kw_only=True)
class Forecast:
    """A projection of today's customers' money (no new business), with its band, backtest and target."""

    as_of: Month
    base_mrr: Decimal
    customers: int
    method: ForecastMethod
    history: int  # months of the table up to as_of
    months: tuple[ForecastMonth, ...]
    backtest: Backtest | None
    target: Target | None
    segment_column: str | None  # the attribute whose segments have rates of their own
    segments: tuple[str, ...]  # the segments that had enough history for rates of their own
    simple_rate: Decimal | None  # the simple method's monthly retention
    resamples: int
    actual: tuple[tuple[Month, Decimal], ...]  # every customer's total by month, to as_of (for charts)
    unit: str = "MRR"
    currency: str | None = None
    #: the last closed month when the table ends before it (the projection starts from the table's last month)
    latest_closed: Month | None = None

    @property
    def behind_sentence(self) -> str | None:
        """Said first when the table ends before the last closed month: the projection's first months are past."""
        if self.latest_closed is None or self.latest_closed <= self.as_of:
            return None
        return say.forecast_table_behind(self.as_of, self.latest_closed)

    @property
    def reach_sentence(self) -> str | None:
        """Said when the projection reaches further ahead than the history it is learnt from goes back: 120 months
        from 6 carried 103.4% a month to 55 times today's MRR, with no word (a fresh-eyes try)."""
        if not self.customers or len(self.months) <= self.history:
            return None
        return say.forecast_reach(len(self.months), self.history)

    @property
    def method_sentence(self) -> str:
        """The method in one sentence, labelled a projection."""
        if not self.customers:
            return say.forecast_nobody(self.as_of)
        if self.method == "simple":
            assert self.simple_rate is not None
            return say.forecast_simple(self.customers, self.as_of, self.history, self.simple_rate,
                                       MIN_AGE_AWARE_MONTHS)
        return say.forecast_age_aware(self.customers, self.as_of, self.history, self.segment_column, self.segments)

    @property
    def band_known(self) -> bool:
        """Whether the band says how far the projection could be off: learnt from ``BAND_MIN_CHANGES``
        month-to-month changes or more (resampling one or two gives a band of no width, which is no band)."""
        return bool(self.customers) and self.history - 1 >= BAND_MIN_CHANGES

    @property
    def band_sentence(self) -> str | None:
        """What the band covers (nothing with nobody to project)."""
        if not self.customers:
            return None
        if not self.band_known:
            return say.forecast_band_thin(self.history - 1)
        return say.forecast_band(BAND_COVERAGE, self.resamples, self.method == "simple")

    def amount(self, value: Decimal) -> str:
        """Money as the sentences show it: ``$1,234,567``."""
        return say.currency_amount(value, self.currency or "USD")

    @property
    def headline(self) -> str:
        """``Projection of today's customers' MRR from October 2026: $88,649 from 30 customers, ...``."""
        last = self.months[-1]
        return say.forecast_headline(self.unit, self.as_of, self.amount(self.base_mrr), self.customers, last.month,
                                     self.amount(last.mrr))

    @property
    def line(self) -> str:
        """One line for a digest, the App Home or the add-on: where today's base is headed, with its band."""
        last, known = self.months[-1], self.band_known
        return say.forecast_line(last.month, self.amount(last.mrr), self.amount(last.low) if known else None,
                                 self.amount(last.high) if known else None, self.amount(self.base_mrr), self.as_of)

    @property
    def backtest_sentence(self) -> str | None:
        b = self.backtest
        if b is None:
            return None
        return say.forecast_backtest(self.amount(b.predicted_mrr), self.amount(b.actual_mrr), b.error_pct, b.as_of,
                                     b.month, b.method == "simple")

    @property
    def target_sentence(self) -> str | None:
        t = self.target
        if t is None:
            return None
        return say.forecast_target(self.amount(t.amount), self.unit, t.by, self.amount(t.projected_mrr), t.gap,
                                   self.amount(abs(t.gap)), self.amount(t.new_mrr_needed_per_month), t.months,
                                   t.by - (t.months - 1), self.amount(t.recent_new_mrr_per_month), t.recent_months)


# --- the history, summed by cohort --------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class _Group:
    """The customers of one acquisition month (index ``first``), segment and size band (of their first month's
    cents): their money summed by month."""

    first: int
    segment: str | None
    size: int
    members: int
    money: tuple[int, ...]  # cents, months 0..origin of the table
    churned: tuple[int, ...]  # [t]: what the customers who stopped paying in t paid in t - 1
    returns: tuple[int, ...]  # [t]: what the customers who came back in t (paying nothing in t - 1) pay in t

    @property
    def cell(self) -> _Cell:
        return self.segment, self.size


@dataclass(frozen=True)
class _Returns:
    """Churned money by month, and the money that came back ``k`` months after its churn, by month of return,
    for k up to RETURN_MONTHS: how much of what churns comes back, and when."""

    churned: tuple[int, ...]  # [c]: the money churned in month c (paid in c - 1, nothing in c)
    back: tuple[tuple[int, ...], ...]  # [k][r]: the money back in month r, k = r - c months after its churn

    def shares(self, origin: int) -> list[Decimal]:
        """[k]: the share of churned money paying again k months on (0 for k = 0), from the months up to
        ``origin``: the returns by then, each kept at what it came back with."""
        out = [Decimal(0)]
        for k in range(1, RETURN_MONTHS + 1):
            exposed = sum(self.churned[: max(0, origin - k + 1)])
            back = sum(self.back[k][: origin + 1])
            out.append(out[-1] + (Decimal(back) / Decimal(exposed) if exposed else Decimal(0)))
        return out


def _sums(table: Customers, origin: int, column: str | None) -> ForecastSums:
    """What the forecast as of month index ``origin`` reads of the table, summed in memory or by its database."""
    month = table.first + origin
    if isinstance(table, CustomerTable):
        return forecast_sums(table, month, column, RETURN_MONTHS, _PROCESS_MONTHS)
    return table.forecast_sums(month, column, RETURN_MONTHS, _PROCESS_MONTHS)


def _groups(sums: ForecastSums, origin: int) -> tuple[list[_Group], _Returns]:
    """The customers paying by month index ``origin``, grouped by acquisition month, segment (a value's
    spellings one segment) and size band, each group's cents summed month by month up to ``origin``; and the churns
    and returns of every customer (``_Returns``)."""
    n = origin + 1
    merged: dict[tuple[int, str | None, int], list[list[int]]] = {}
    members: dict[tuple[int, str | None, int], int] = {}
    for part in sums.groups:
        key = (part.first, (compared(part.segment) or None) if part.segment is not None else None, part.size)
        into = merged.setdefault(key, [[0] * n, [0] * n, [0] * n])
        for values, added in zip(into, (part.money, part.churned, part.returns), strict=True):
            values[:] = map(operator.add, values, added)
        members[key] = members.get(key, 0) + part.members
    groups = [_Group(first=first, segment=segment, size=size, members=members[first, segment, size],
                     money=tuple(money), churned=tuple(churned), returns=tuple(returns))
              for (first, segment, size), (money, churned, returns) in sorted(
                  merged.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2]))]
    all_churned = [sum(column) for column in zip(*(g.churned for g in groups), strict=True)] or [0] * n
    return groups, _Returns(tuple(all_churned), sums.back)


def _unknown_ages(origin: int) -> int:
    """The months of the table's start left out of the rates: the customers already paying then may have been
    won just before, still in their early months, so their first months there would count early churn as the
    mature customers'. Six months, or fewer while the table is too short to spare them (a year of history stays).
    """
    return max(0, min(UNKNOWN_AGE_MONTHS, origin - YOUNG_AGES))


def _bucket(first: int, age: int) -> int:
    """The age bucket of a transition from ``age`` to ``age + 1`` months; the first month's customers are mature."""
    if first == 0 or age >= _MATURE_AGE:
        return MATURE
    return age if age < YOUNG_AGES else YOUNG_AGES


#: a rate's number: Decimal for the projection, float for the band's resamplings
_N = TypeVar("_N", Decimal, float)
#: a segment and size band: the customers whose rates are learnt together (segment None: no segment)
_Cell = tuple[str | None, int]


@dataclass
class _Sums:
    """Money-weighted sums by cell (segment and size band) and age bucket: for each, ``[num, den, churn, obs]``,
    each a list by bucket: what the customers paying in a month pay the next (num), what they paid (den), what
    those who stopped paid (churn), and customer-months (obs)."""

    cells: dict[_Cell, list[list[int]]]

    def over(self, cells: Sequence[_Cell]) -> list[list[int]]:
        """The sums of several cells added up."""
        parts = [self.cells[cell] for cell in cells]
        return [[sum(column) for column in zip(*(part[i] for part in parts), strict=True)] for i in range(4)]


@dataclass(frozen=True, kw_only=True)
class _Rates(Generic[_N]):
    """For each cell (segment and size band) and age bucket, the company's or its segment's moved by its size band
    (``_rates``): the share of their money the customers paying in a month keep the next (``keep``) and the share
    that churns (``churn``); and the share of churned money that comes back k months on (``back``). In Decimal for
    the projection, in floats for the band's resamplings."""

    keep: list[_N]
    churn: list[_N]
    cells: dict[_Cell, tuple[list[_N], list[_N]]]
    segments: tuple[str, ...]  # the segments whose own history counted at some age
    back: list[_N]

    def of(self, cell: _Cell, bucket: int) -> tuple[_N, _N]:
        keep, churn = self.cells.get(cell) or (self.keep, self.churn)
        return keep[bucket], churn[bucket]


def _rates(sums: _Sums, back: list[_N], number: Callable[[int | Decimal], _N]) -> _Rates[_N] | None:
    """The rates from the sums; None when the history shows no transition at all.

    Each age's rates are the company's, or a segment's own where it has ``MIN_SEGMENT_OBSERVATIONS`` customer-months
    of that age. A size band then moves them for its customers by what its whole history showed against them:
    its churn, as a multiple of what its customers' segment and age rates expected (``_band_factors``), and what
    its customers who stayed grew or shrank beyond theirs. ``number`` is Decimal, or float for a resampling."""
    def ratios(values: list[int], den: list[int]) -> list[_N]:
        pooled = number(sum(values)) / number(sum(den))
        mature = number(values[MATURE]) / number(den[MATURE]) if den[MATURE] else pooled
        return [number(values[b]) / number(den[b]) if den[b] else mature for b in range(MATURE + 1)]

    company = sums.over(list(sums.cells))
    if not sum(company[1]):
        return None
    keep, churn = ratios(company[0], company[1]), ratios(company[2], company[1])
    parents: dict[str, tuple[list[_N], list[_N]]] = {}
    for segment in sorted({s for s, _ in sums.cells if s is not None}):
        num, den, churned, obs = sums.over([cell for cell in sums.cells if cell[0] == segment])
        enough = [bool(den[b]) and obs[b] >= MIN_SEGMENT_OBSERVATIONS for b in range(MATURE + 1)]
        if any(enough):
            parents[segment] = ([number(num[b]) / number(den[b]) if enough[b] else keep[b]
                                 for b in range(MATURE + 1)],
                                [number(churned[b]) / number(den[b]) if enough[b] else churn[b]
                                 for b in range(MATURE + 1)])

    def parent(cell: _Cell) -> tuple[list[_N], list[_N]]:
        return parents.get(cell[0], (keep, churn)) if cell[0] is not None else (keep, churn)

    factors = _band_factors(sums, parent, number)
    cells: dict[_Cell, tuple[list[_N], list[_N]]] = {}
    nought, one = number(0), number(1)
    for cell in sums.cells:
        (keeps, churns), (times, more) = parent(cell), factors[cell[1]]
        cells[cell] = ([max(k + c * (1 - times) + more, nought) for k, c in zip(keeps, churns, strict=True)],
                       [min(c * times, one) for c in churns])
    return _Rates(keep=keep, churn=churn, cells=cells, segments=tuple(parents), back=back)


def _band_factors(sums: _Sums, parent: Callable[[_Cell], tuple[list[_N], list[_N]]],
                  number: Callable[[int | Decimal], _N]) -> dict[int, tuple[_N, _N]]:
    """For each size band: how many times the churn its customers' segment and age rates expected its history
    showed, and how much more of their money a month its customers who stayed kept than those rates said;
    each pulled toward none, as the history is thin (``CHURNS_CREDIBILITY`` churns expected,
    ``CREDIBILITY`` customer-months)."""
    seen: dict[int, list[_N]] = {}
    for cell, (num, den, churned, obs) in sums.cells.items():
        keeps, churns = parent(cell)
        into = seen.setdefault(cell[1], [number(0)] * 6)
        for b in range(MATURE + 1):
            if not den[b]:
                continue
            into[0] += churned[b]  # the churn seen
            into[1] += churns[b] * den[b]  # ... and expected
            into[2] += churns[b] * obs[b]  # the churns expected, in customers
            into[3] += num[b] + churned[b] - den[b] - (keeps[b] + churns[b] - 1) * den[b]  # the stayers' change beyond
            into[4] += den[b]
            into[5] += obs[b]
    factors: dict[int, tuple[_N, _N]] = {}
    churns_credibility, credibility = number(CHURNS_CREDIBILITY), number(CREDIBILITY)
    for band, (churned_seen, expected, events, change, paid, months) in seen.items():
        times = churned_seen / expected if expected else number(1)
        times = 1 + (times - 1) * events / (events + churns_credibility)
        more = change / paid * months / (months + credibility) if paid else number(0)
        factors[band] = (times, more)
    return factors


@dataclass(frozen=True, kw_only=True)
class _History:
    """The retention sums of the history to ``origin``, by block: each cohort's young ages (by cell) and each
    calendar month's mature customers (by cell), so that resampling blocks is a weighted sum. A cohort's young
    blocks in a cell are one flat list (bucket by bucket, the four sums of each), and a cell's mature blocks four
    lists over the months, so that a resampling adds lists at C speed, not a Python step a sum."""

    cohorts: tuple[int, ...]  # the acquisition months with young blocks
    months: int  # the calendar months with mature blocks: 0 .. months - 1
    young: dict[_Cell, list[tuple[int, list[int]]]]  # (cohort position, [bucket * 4 + component])
    mature: dict[_Cell, tuple[list[int], list[list[int]]]]  # (the months it has blocks in, [component][month])

    @classmethod
    def of(cls, groups: Sequence[_Group], origin: int) -> _History:
        young: dict[tuple[int, _Cell], list[int]] = {}
        mature: dict[_Cell, tuple[list[int], list[list[int]]]] = {}
        unknown = _unknown_ages(origin)
        for group in groups:
            start = unknown if group.first == 0 else group.first
            for t in range(start, min(origin, len(group.money) - 1)):
                bucket = _bucket(group.first, t - group.first)
                block = (group.money[t + 1] - group.returns[t + 1],  # the customers paying in t, in t + 1
                         group.money[t], group.churned[t + 1], group.members)
                if bucket == MATURE:
                    seen, components = mature.setdefault(group.cell, ([0] * origin, [[0] * origin for _ in range(4)]))
                    seen[t] = 1
                    for component, value in enumerate(block):
                        components[component][t] += value
                else:
                    flat = young.setdefault((group.first, group.cell), [0] * (4 * MATURE))
                    for component, value in enumerate(block):
                        flat[4 * bucket + component] += value
        cohorts = tuple(sorted({first for first, _ in young}))
        position = {first: i for i, first in enumerate(cohorts)}
        by_cell: dict[_Cell, list[tuple[int, list[int]]]] = {}
        for (first, cell), flat in young.items():
            by_cell.setdefault(cell, []).append((position[first], flat))
        return cls(cohorts=cohorts, months=max(origin, 0), young=by_cell, mature=mature)

    def sums(self, cohort_weights: dict[int, int] | None = None, month_weights: dict[int, int] | None = None
             ) -> _Sums:
        """The sums; the weights resample cohorts (young buckets) and calendar months (the mature bucket). A cell
        counts when one of its blocks is drawn, even if that block's sums are nought."""
        cohort_w = None if cohort_weights is None else [cohort_weights.get(c, 0) for c in self.cohorts]
        month_w = None if month_weights is None else [month_weights.get(t, 0) for t in range(self.months)]
        cells: dict[_Cell, list[list[int]]] = {}
        for cell, blocks in self.young.items():
            total: list[int] | None = None
            for position, flat in blocks:
                weight = 1 if cohort_w is None else cohort_w[position]
                if weight:
                    scaled = flat if weight == 1 else list(map(operator.mul, flat, itertools.repeat(weight)))
                    total = scaled if total is None else list(map(operator.add, total, scaled))
            if total is not None:
                cells[cell] = [[*total[component::4], 0] for component in range(4)]
        for cell, (seen, components) in self.mature.items():
            weights = seen if month_w is None else month_w
            if any(map(operator.mul, weights, seen)):
                into = cells.get(cell) or cells.setdefault(cell, [[0] * (MATURE + 1) for _ in range(4)])
                for component, values in enumerate(components):
                    into[component][MATURE] = sum(map(operator.mul, weights, values))
        return _Sums(cells)


def _project(groups: Sequence[_Group], origin: int, horizon: int, rates: _Rates[Decimal]) -> list[Decimal]:
    """Cents today's customers are projected to pay in origin + 1 .. origin + horizon: each group's money kept
    month by month at the rates of its age, plus what comes back of what they churned."""
    out = [Decimal(0)] * horizon
    lost = [Decimal(0)] * horizon  # churned in month h, by every group: what comes back is the same share of it
    for group in groups:
        base = group.money[origin] if group.first <= origin else 0
        if not base:
            continue
        kept = Decimal(base)
        age = origin - group.first
        for h in range(horizon):
            keep, churn = rates.of(group.cell, _bucket(group.first, age + h))
            lost[h] += kept * churn
            kept *= keep
            out[h] += kept
    for h in range(horizon):
        out[h] += sum((lost[j] * rates.back[h - j] for j in range(max(0, h - RETURN_MONTHS), h)), Decimal(0))
    return out


#: a group of today's customers for the band's resamplings: its cell, its cents today, and its age bucket in each
#: month ahead
_Spread = tuple[_Cell, float, tuple[int, ...]]


def _spread_groups(groups: Sequence[_Group], origin: int, horizon: int) -> list[_Spread]:
    """The groups paying at ``origin``, each with the age buckets of its months ahead, worked out once for all the
    resamplings; a cell's mature groups as one (they keep the mature rates every month ahead)."""
    young: list[_Spread] = []
    mature: dict[_Cell, int] = {}
    for group in groups:
        if group.first > origin or not group.money[origin]:
            continue
        if _bucket(group.first, origin - group.first) == MATURE:
            mature[group.cell] = mature.get(group.cell, 0) + group.money[origin]
        else:
            young.append((group.cell, float(group.money[origin]),
                          tuple(_bucket(group.first, origin - group.first + h) for h in range(horizon))))
    return [*young, *((cell, float(cents), (MATURE,) * horizon) for cell, cents in mature.items())]


def _project_spread(spread: Sequence[_Spread], horizon: int, rates: _Rates[float]) -> list[float]:
    """``_project`` in floats, for the band's resamplings: a spread, not money, and a hundred of them."""
    out = [0.0] * horizon
    lost = [0.0] * horizon
    for cell, base, buckets in spread:
        keeps, churns = rates.cells.get(cell) or (rates.keep, rates.churn)
        kept = base
        for h, bucket in enumerate(buckets):
            lost[h] += kept * churns[bucket]
            kept *= keeps[bucket]
            out[h] += kept
    back = rates.back
    for h in range(horizon):
        out[h] += sum(lost[j] * back[h - j] for j in range(max(0, h - RETURN_MONTHS), h))
    return out


def _simple_rate(groups: Sequence[_Group], origin: int) -> Decimal | None:
    """The average monthly retention of paying customers: what they pay the next month over what they pay, pooled,
    as a month's NRR counts it (a customer coming back after a month without paying is not retained money: counted,
    a table where half the money churned and came back read as 100% a month, fuzz 21)."""
    num = den = 0
    for group in groups:
        for t in range(group.first, origin):
            num += group.money[t + 1] - group.returns[t + 1]
            den += group.money[t]
    return Decimal(num) / Decimal(den) if den else None


def _cents(value: Decimal) -> Decimal:
    return cents_to_decimal(int(value.to_integral_value(ROUND_HALF_UP)))


# --- the forecast --------------------------------------------------------------------------------------------

def forecast_as_of(table: Customers, latest_closed: Month) -> Month:
    """The month a forecast starts from: the last closed month, or the table's latest if it ends before."""
    if latest_closed < table.first:
        raise QueryError(say.forecast_before_table(latest_closed, table.first))
    return min(latest_closed, table.last)


def segment_column(table: Customers) -> str | None:
    """The attribute whose segments get rates of their own: a column named Segment, when the table has one."""
    column = table.attribute("segment")
    return None if column is None or column == table.summed_by else column


def _projection(table: Customers, origin: int, horizon: int, column: str | None,
                prepared: tuple[list[_Group], _Returns] | None = None
                ) -> tuple[ForecastMethod, list[Decimal], list[_Group], _Rates[Decimal] | None, Decimal | None]:
    groups, returns = prepared or _groups(_sums(table, origin, column), origin)
    if origin + 1 >= MIN_AGE_AWARE_MONTHS:
        rates = _rates(_History.of(groups, origin).sums(), returns.shares(origin), Decimal)
        if rates is not None:
            return "age-aware", _project(groups, origin, horizon, rates), groups, rates, None
    rate = _simple_rate(groups, origin)
    if rate is None:
        raise QueryError(say.forecast_needs_two_months(table.first + origin, table.first))
    base = sum(g.money[origin] for g in groups)
    return "simple", [Decimal(base) * rate ** (h + 1) for h in range(horizon)], groups, None, rate


def _band(sums: ForecastSums, groups: list[_Group], origin: int, horizon: int, projection: list[Decimal],
          rates: _Rates[Decimal] | None) -> list[float]:
    """The band's relative half-width for each month ahead: the spread of the projection over resamplings of
    the history it is learnt from, and the spread of what today's customers do (``_process``), combined."""
    variance = [0.0] * horizon
    rng = _SplitMix(SEED)
    history = _History.of(groups, origin)
    cohorts, months = list(history.cohorts), list(range(origin))
    spread = _spread_groups(groups, origin, horizon)
    back = [float(share) for share in rates.back] if rates is not None else []
    resampled: list[list[float]] = [[] for _ in range(horizon)]
    for _ in range(RESAMPLES):
        if rates is not None:  # the age-aware method
            cohort_weights = _multinomial(rng, cohorts)
            month_weights = _multinomial(rng, months)
            resampled_rates = _rates(history.sums(cohort_weights, month_weights), back, float)
            if resampled_rates is None:
                continue
            values = _project_spread(spread, horizon, resampled_rates)
        else:
            month_weights = _multinomial(rng, months)
            num = sum(month_weights[t] * (g.money[t + 1] - g.returns[t + 1]) for g in groups
                      for t in range(g.first, origin) if t in month_weights)
            den = sum(month_weights[t] * g.money[t] for g in groups for t in range(g.first, origin)
                      if t in month_weights)
            if not den:
                continue
            base = sum(g.money[origin] for g in groups)
            values = [base * (num / den) ** (h + 1) for h in range(horizon)]
        for h in range(horizon):
            if projection[h] and values[h]:
                resampled[h].append(math.log(values[h] / float(projection[h])))
    for h in range(horizon):
        if len(resampled[h]) > 1:
            mean = sum(resampled[h]) / len(resampled[h])
            variance[h] += sum((x - mean) ** 2 for x in resampled[h]) / (len(resampled[h]) - 1)
    churn_like, concentration = _process(sums)
    for h in range(horizon):
        variance[h] += (h + 1) * churn_like * concentration
    return list(itertools.accumulate((_Z * math.sqrt(v) for v in variance), max))  # never narrower further out


#: the months before the forecast's whose changes measure the spread of one customer's money from month to month
_PROCESS_MONTHS = 12


def _process(sums: ForecastSums) -> tuple[float, float]:
    """How much one customer's money moves in a month (the money-weighted variance of next month over this, for
    the customers paying, over the last 12 months), and how concentrated today's base is (the sum of squared
    amounts over the squared total: 1 / n for n customers paying alike). Their product, times the months ahead,
    is the relative variance of what today's customers will pay that comes from which of them churn or grow.
    Exact sums of every customer's months (``ForecastSums``), so a database's table gives the same band."""
    base = sum(g.money[-1] for g in sums.groups)
    if not sums.paid or not base:
        return 0.0, 0.0
    # next² / paid = paid + 2 (next - paid) + (next - paid)² / paid, summed over each customer's months
    square = 2 * sums.next - sums.paid + Fraction(sums.moved, 1 << MOVED_BITS)
    mean = Fraction(sums.next, sums.paid)
    return max(float(square / sums.paid - mean * mean), 0.0), float(Fraction(sums.squares, base * base))


class _SplitMix:
    """splitmix64: a small seeded generator of our own, so the engine needs no ``random`` and the band is the same
    on every run and every machine."""

    _MASK = (1 << 64) - 1

    def __init__(self, seed: int) -> None:
        self.state = seed & self._MASK

    def below(self, n: int) -> int:
        """A number in 0..n-1."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & self._MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self._MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self._MASK
        return (z ^ (z >> 31)) % n


def _multinomial(rng: _SplitMix, items: Sequence[int]) -> dict[int, int]:
    """Each item drawn with replacement as many times as there are items: how often each was drawn."""
    weights: dict[int, int] = {}
    for _ in items:
        item = items[rng.below(len(items))]
        weights[item] = weights.get(item, 0) + 1
    return weights


def build_forecast(table: Customers, as_of: Month, *, months: int = DEFAULT_MONTHS,
                   target: tuple[Decimal, Month] | None = None, band: bool = True,
                   latest_closed: Month | None = None) -> Forecast:
    """Project what the customers paying in ``as_of`` will pay in each of the next ``months`` months.

    Only the table's months up to ``as_of`` are read, so a forecast as of an earlier month is the one the
    table would have given then. ``target`` (amount, month) adds what new business it needs; its month must be
    after ``latest_closed``, the last closed month when the forecast is asked (``forecast_as_of``), which the
    answer names when the table ends before it.
    """
    if as_of not in table:
        raise QueryError(say.forecast_before_table(as_of, table.first))
    if not 1 <= months <= MAX_MONTHS:
        raise QueryError(say.forecast_months_range(months, MAX_MONTHS))
    if target is not None and target[1] <= max(as_of, latest_closed or as_of):
        # a month already over is no target (fuzz 21: a table ending in October answered a target for December
        # when February was closed, and named October "the last closed month")
        raise QueryError(say.forecast_target_past(target[1], max(as_of, latest_closed or as_of),
                                                  latest_closed is not None))
    if target is not None and target[1] - as_of > MAX_MONTHS:
        raise QueryError(say.forecast_target_far(target[1], as_of, MAX_MONTHS))
    horizon = max(months, target[1] - as_of if target is not None else 0)
    origin = table.index(as_of)
    column = segment_column(table)
    sums = _sums(table, origin, column)
    prepared = _groups(sums, origin)
    method, projection, groups, rates, simple = _projection(table, origin, horizon, column, prepared)
    widths = _band(sums, groups, origin, horizon, projection, rates) if band else [0.0] * horizon
    base = sum(g.money[origin] for g in groups)
    projected: list[ForecastMonth] = []
    for h in range(months):
        mrr = _cents(projection[h])
        width = Decimal(repr(widths[h]))
        low, high = projection[h] * max(1 - width, Decimal(0)), projection[h] * (1 + width)
        projected.append(ForecastMonth(month=as_of + h + 1, mrr=mrr, low=_cents(low), high=_cents(high)))
    year_ago = as_of - 12
    backtest = None
    if year_ago in table and year_ago > table.first:
        b_origin = table.index(year_ago)
        # without segments, the groups are the same a year before (each group's months after it are not read)
        earlier = None if column is not None else ([g for g in groups if g.first <= b_origin], prepared[1])
        try:
            b_method, b_projection, _, _, _ = _projection(table, b_origin, 12, column, earlier)
        except QueryError:  # nobody had paid two months a year ago: nothing to backtest, the forecast still stands
            pass
        else:
            actual = compute_cohort(table, year_ago + 1, as_of, top=0).end  # the customers paying then, now
            backtest = Backtest(as_of=year_ago, month=as_of, method=b_method, predicted_mrr=_cents(b_projection[11]),
                                actual_mrr=cents_to_decimal(actual))
    goal = None
    if target is not None:
        amount, by = target
        recent = [m for m in table.movements if as_of - 12 < m.month <= as_of]
        # the months still to come in which new business can be won: after the last closed month, when the table
        # ends before it (a review: the gap was spread over four months already over and the one to come)
        won_from = max(as_of, latest_closed or as_of)
        goal = Target(amount=amount, by=by, months=by - won_from, projected_mrr=_cents(projection[by - as_of - 1]),
                      recent_new_mrr_per_month=(cents_to_decimal(sum(m.new for m in recent)) / max(len(recent), 1)
                                                ).quantize(_CENTS, ROUND_HALF_UP),
                      recent_months=len(recent))
    names = {compared(v): v for v in table.spellings.get(column, {}).values()} if column else {}
    segments = tuple(names.get(s, s) for s in rates.segments) if rates is not None else ()
    start = max(table.first, as_of - 23)
    actual_series = tuple((m, cents_to_decimal(table.total(m))) for m in (start + i for i in range(as_of - start + 1)))
    return Forecast(as_of=as_of, base_mrr=cents_to_decimal(base),
                    customers=sums.customers, method=method, history=origin + 1,
                    months=tuple(projected), backtest=backtest, target=goal, segment_column=column,
                    segments=segments, simple_rate=simple, resamples=RESAMPLES if band else 0,
                    actual=actual_series, unit=table.unit, currency=table.currency,
                    latest_closed=latest_closed if latest_closed is not None and latest_closed > as_of else None)


_MOST = Decimal(10) ** 15  # as the readers refuse a larger amount
_SCALES = {"k": 3, "m": 6, "mm": 6, "b": 9, "bn": 9}


#: a target's currency written before or after it: ``$2M``, ``USD 2M``, ``2M EUR``, ``€750k``
_TARGET_CURRENCY = re.compile(r"^\s*(?:([$€£¥])|([A-Za-z]{3})(?=\s*[\d.]))?\s*(.*?)\s*(?:\s([A-Za-z]{3}))?\s*$")
#: commas only as thousands separators: 2,000,000 or 2,500,000.50 (1,5M is a decimal comma, 10x off if dropped)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def parse_amount(text: str, currency: str | None = None) -> Decimal:
    """A target amount as people write it: ``2000000``, ``2,000,000``, ``$2M``, ``1.5m``, ``750k``, ``USD 2M``,
    ``2M EUR``. ``currency``: the table's; a target written in another is refused, as is a comma that is not a
    thousands separator (``1,5M``: read without it, ten times the target).

    >>> [str(parse_amount(t)) for t in ("2000000", "$2M", "1.5m", "750k", "2,500,000.50", "2M eur")]
    ['2000000.00', '2000000.00', '1500000.00', '750000.00', '2500000.50', '2000000.00']
    """
    m = _TARGET_CURRENCY.match(text.replace("_", ""))
    if m is None:
        raise QueryError(say.forecast_bad_amount(text))
    written = m[1] or m[2] or m[4]
    cleaned = m[3]
    lower = cleaned.lower()
    places = 0
    for suffix, power in sorted(_SCALES.items(), key=lambda kv: -len(kv[0])):
        if lower.endswith(suffix):
            cleaned, places = cleaned[: -len(suffix)].strip(), power
            break
    if "," in cleaned:
        if not _THOUSANDS.fullmatch(cleaned):
            raise QueryError(say.forecast_amount_comma(text))
        cleaned = cleaned.replace(",", "")
    if written is not None and currency is not None and currency_code(written) != currency:
        raise QueryError(say.forecast_target_currency(text, currency_code(written), currency))
    try:
        amount: Decimal = (Decimal(cleaned) * Decimal(10) ** places).quantize(_CENTS, ROUND_HALF_UP)
        if not amount.is_finite() or amount <= 0 or amount > _MOST:
            raise ArithmeticError
    except ArithmeticError:
        raise QueryError(say.forecast_bad_amount(text)) from None
    return amount


def forecast_to_dict(forecast: Forecast) -> dict[str, object]:
    """The forecast as ``nrr forecast --json`` prints it (money as strings with 2 decimals)."""
    b, t, known = forecast.backtest, forecast.target, forecast.band_known
    return {
        "as_of": str(forecast.as_of),
        "base_mrr": _money(forecast.base_mrr),
        "method": forecast.method,
        # low and high null when the band is not known: equal to the projection, they read as certainty
        "months": [{"month": str(m.month), "mrr": _money(m.mrr), "low": _money(m.low) if known else None,
                    "high": _money(m.high) if known else None} for m in forecast.months],
        "backtest": None if b is None else {
            "as_of": str(b.as_of), "predicted_mrr": _money(b.predicted_mrr), "actual_mrr": _money(b.actual_mrr),
            "error_pct": None if b.error_pct is None else float(b.error_pct)},
        "target": None if t is None else {
            "amount": _money(t.amount), "by": str(t.by), "projected_mrr": _money(t.projected_mrr),
            "gap": _money(t.gap), "new_mrr_needed_per_month": _money(t.new_mrr_needed_per_month),
            "recent_new_mrr_per_month": _money(t.recent_new_mrr_per_month)},
    }


def _money(amount: Decimal) -> str:
    return str(amount.quantize(_CENTS, ROUND_HALF_UP))
