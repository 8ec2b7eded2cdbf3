"""Cohort answers from a customer table: NRR, GRR and logo retention as investors define them.

For a period whose months run a..b, the cohort is the customers paying in month a-1:

- NRR = the cohort's MRR in b / its MRR in a-1;
- GRR = sum of min(MRR in b, MRR in a-1) / its MRR in a-1;
- logo retention = the share of the cohort still paying in b.

A customer that churns mid-period and returns by b counts with what it pays in b; new customers
are never in the cohort. The movers (churn, contraction, expansion from a-1 to b) add up to
End - Start exactly, in cents.

    >>> from engine._customers import read_customers
    >>> table = read_customers([["Customer", "Month", "MRR"], ["A", "2026-01", "100"], ["B", "2026-01", "100"],
    ...                         ["A", "2026-02", "150"], ["C", "2026-02", "70"]]).table
    >>> cohort = compute_cohort(table, Month(2026, 2), Month(2026, 2))
    >>> cohort.nrr, cohort.grr, cohort.logo_retention
    (Decimal('0.75'), Decimal('0.5'), Decimal('0.5'))
"""

from __future__ import annotations

import itertools
import operator
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from engine import _messages as say
from engine._aggregates import CohortSums, Customers
from engine._benchmarks import Benchmark, Profile, Segment, compare_benchmarks
from engine._dense import dense_cohort, dense_groups
from engine._errors import BeforeTable, NotInLedgerYet, QueryError
from engine._ledger import Ledger
from engine._month import Month
from engine._retention import Method, Trailing, trailing_12m
from engine._table import CustomerTable, cents_to_decimal, compared, no_attribute

MoverKind = Literal["churn", "contraction", "expansion"]
MOVER_KINDS: tuple[MoverKind, ...] = ("churn", "contraction", "expansion")
TOP_MOVERS = 5
COHORT_LABEL = "12-month cohort"


@dataclass(frozen=True, slots=True)
class Mover:
    """One customer's move from a-1 to b: the amount is what it lost (churn, contraction) or gained."""

    customer: str
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class Cohort:
    """The customers paying in ``before`` (a-1) and what they pay in ``last`` (b); money in cents."""

    before: Month
    last: Month
    customers: int
    retained: int
    start: int
    end: int
    kept: int  # sum of min(b, a-1): the retained part
    expansion: int
    contraction: int
    churn: int
    movers: Mapping[MoverKind, tuple[Mover, ...]]
    segment: str | None = None

    @property
    def nrr(self) -> Decimal | None:
        return Decimal(self.end) / Decimal(self.start) if self.start else None

    @property
    def grr(self) -> Decimal | None:
        return Decimal(self.kept) / Decimal(self.start) if self.start else None

    @property
    def logo_retention(self) -> Decimal | None:
        return Decimal(self.retained) / Decimal(self.customers) if self.customers else None

    @property
    def start_mrr(self) -> Decimal:
        return cents_to_decimal(self.start)

    @property
    def end_mrr(self) -> Decimal:
        return cents_to_decimal(self.end)

    def others(self, kind: MoverKind, shown: int | None = None) -> Decimal:
        """What the movers of ``kind`` past the first ``shown`` listed (all listed: None) moved together: the
        kind's sum less the listed ones', so that every list says all it leaves out."""
        total = {"churn": self.churn, "contraction": self.contraction, "expansion": self.expansion}[kind]
        listed = self.movers[kind][:shown] if shown is not None else self.movers[kind]
        return cents_to_decimal(total) - sum((m.amount for m in listed), Decimal(0))


@dataclass(frozen=True)
class SegmentCohort:
    """One segment's cohort (customers by their value in a-1) and the benchmark its own segment sets."""

    cohort: Cohort
    benchmark: Benchmark | None

    @property
    def segment(self) -> str:
        assert self.cohort.segment is not None
        return self.cohort.segment


def cohort_before(table: Customers, first: Month) -> Month:
    """Month a-1 of a period starting at ``first``; ``QueryError`` naming it when the table lacks it."""
    before = first - 1
    if first > table.last:  # the period is after the table, not before it
        raise NotInLedgerYet(say.not_in_ledger_yet(first, table.last), table.last)
    if before not in table:
        raise BeforeTable(say.cohort_month_missing(before, table.first, table.last),
                          say.cohort_month_missing(before, table.first, table.last, advice=False))
    return before


def compute_cohort(table: Customers, first: Month, last: Month, *, top: int = TOP_MOVERS,
                   members: Iterable[int] | None = None, segment: str | None = None) -> Cohort:
    """The cohort answer for the months ``first``..``last`` (``members``: only these customers)."""
    ia, ib = table.index(cohort_before(table, first)), table.index(last)
    if not 0 <= ib < table.count:
        raise NotInLedgerYet(say.not_in_ledger_yet(last, table.last), table.last)
    if not isinstance(table, CustomerTable):  # a database's table: its sums, asked where it lives
        assert members is None, "a database's segment is a table of its own (CustomerAggregates.segments)"
        return _summed_cohort(table.cohort_sums(first - 1, last, top), first - 1, last, top, segment)
    if table.dense is not None:
        return _dense_cohort(table, ia, ib, top, members, segment)
    mrr: Sequence[Sequence[int]] = table.mrr
    names: Sequence[str] = table.labels
    if members is not None:
        chosen = list(members)
        mrr, names = [mrr[c] for c in chosen], [names[c] for c in chosen]
    # column by column, at C speed: the customers paying in a-1, what they paid then and pay in b
    paid = list(map(operator.itemgetter(ia), mrr))
    befores = list(itertools.compress(paid, paid))
    nows = list(itertools.compress(map(operator.itemgetter(ib), mrr), paid))
    customers, start, end = len(befores), sum(befores), sum(nows)
    kept = sum(map(min, befores, nows))
    gone = list(map(operator.not_, nows))  # churned: nothing in b
    churn = sum(itertools.compress(befores, gone))
    deltas = list(map(operator.sub, nows, befores))
    up = list(map((0).__lt__, deltas))
    expansion = sum(itertools.compress(deltas, up))
    contraction = -sum(filter((0).__gt__, deltas)) - churn  # every fall, less the churned customers' whole MRR
    movers: dict[MoverKind, tuple[Mover, ...]] = {"churn": (), "contraction": (), "expansion": ()}
    if top > 0:
        who = list(itertools.compress(names, paid))
        cut = list(map(operator.and_, map((0).__gt__, deltas), map(operator.not_, gone)))  # fell, still paying
        movers = {"churn": _top(list(itertools.compress(befores, gone)), list(itertools.compress(who, gone)), top),
                  "contraction": _top(list(map(operator.neg, itertools.compress(deltas, cut))),
                                      list(itertools.compress(who, cut)), top),
                  "expansion": _top(list(itertools.compress(deltas, up)), list(itertools.compress(who, up)), top)}
    return Cohort(before=table.first + ia, last=last, customers=customers, retained=customers - gone.count(True),
                  start=start, end=end, kept=kept, expansion=expansion,
                  contraction=contraction, churn=churn, movers=movers, segment=segment)


def _dense_cohort(table: CustomerTable, ia: int, ib: int, top: int, members: Iterable[int] | None,
                  segment: str | None) -> Cohort:
    """``compute_cohort`` over a dense table: the sums vectorised, the movers picked from the few candidates."""
    assert table.dense is not None
    found = dense_cohort(table.dense, ia, ib, None if members is None else list(members), top)
    movers: dict[MoverKind, tuple[Mover, ...]] = {"churn": (), "contraction": (), "expansion": ()}
    if top > 0:
        for kind in MOVER_KINDS:
            pairs = found.candidates[kind]
            movers[kind] = _top([a for a, _ in pairs], [table.labels[c] for _, c in pairs], top)
    return Cohort(before=table.first + ia, last=table.first + ib, customers=found.customers, retained=found.retained,
                  start=found.start, end=found.end, kept=found.kept, expansion=found.expansion,
                  contraction=found.contraction, churn=found.churn, movers=movers, segment=segment)


def _summed_cohort(sums: CohortSums, before: Month, last: Month, top: int, segment: str | None) -> Cohort:
    """The cohort a database summed: its movers ordered and cut as ``_top`` orders them."""
    movers = {kind: tuple(Mover(name, cents_to_decimal(amount)) for amount, name in
                          sorted(sums.movers.get(kind, ()), key=lambda m: (-m[0], m[1]))[:max(top, 0)])
              for kind in MOVER_KINDS}
    return Cohort(before=before, last=last, customers=sums.customers, retained=sums.retained, start=sums.start,
                  end=sums.end, kept=sums.kept, expansion=sums.expansion, contraction=sums.contraction,
                  churn=sums.churn, movers=movers, segment=segment)


def annual_figure(ledger: Ledger, as_of: Month) -> Trailing | None:
    """The figure benchmarks compare as of ``as_of``: a customer table's 12-month cohort (the customers
    paying in ``as_of - 12``) when the table holds that month; else the trailing 12 months of the month
    totals, chained (annualized and indicative from 6 to 11 months). None when ``as_of`` is not in the ledger."""
    table = ledger.customers
    if table is not None and as_of - 12 in table and as_of in table:
        if not any(table.total(table.first + i) for i in range(as_of - 12 - table.first + 1)):
            # nobody paid yet a year before (the table's first months all 0): no cohort, the months since chained
            return trailing_12m(ledger, as_of, "chained")
        cohort = compute_cohort(table, as_of - 11, as_of, top=0)
        undefined = None if cohort.start else say.undefined_zero_start(as_of - 11)
        return Trailing(as_of=as_of, nrr=cohort.nrr, grr=cohort.grr, months=12, annualized=False, undefined=undefined,
                        cohort=True)
    return trailing_12m(ledger, as_of, "chained")


def annual_series(ledger: Ledger, last: Month, count: int, method: Method | None = None) -> list[Trailing]:
    """The annual figures of the ``count`` months to ``last``, for a chart: a customer table's 12-month cohorts
    (``method`` None or cohort), else the trailing 12 months combined by ``method`` (default chained); a month
    without a whole year's figure of that kind is left out."""
    if ledger.customers is not None and method in (None, "cohort"):
        series = [annual_figure(ledger, last - i) for i in reversed(range(count))]
        return [t for t in series if t is not None and t.nrr is not None and t.cohort]
    how: Method = "chained" if method in (None, "cohort") else method
    totals = [trailing_12m(ledger, last - i, how) for i in reversed(range(count))]
    return [t for t in totals if t is not None and t.nrr is not None and not t.annualized]


def _top(amounts: Sequence[int], names: Sequence[str], n: int) -> tuple[Mover, ...]:
    """The ``n`` largest amounts, ties by name: the n-th largest amount found by sorting the amounts alone, then
    only the amounts at least that large sorted with their names (at C speed, where a heap would loop in Python)."""
    if n <= 0 or not amounts:
        return ()
    floor = sorted(amounts, reverse=True)[min(n, len(amounts)) - 1]
    keep = list(map(floor.__le__, amounts))
    best = sorted(zip(map(operator.neg, itertools.compress(amounts, keep)), itertools.compress(names, keep),
                      strict=True))[:n]
    return tuple(Mover(name, cents_to_decimal(-amount)) for amount, name in best)


def _column(table: Customers, column: str) -> str:
    name = table.attribute(column)
    if name is None:
        wanted = compared(column)
        if any(compared(k) == wanted for k in table.key_headers):
            raise QueryError(say.customer_column_is_no_segment(column, list(table.attribute_names)))
        raise QueryError(no_attribute(table.attribute_names, column))
    if name == table.summed_by:
        raise QueryError(say.attribute_sums_rows(name, [a for a in table.attribute_names if a != name]))
    return name


_same = compared


def segment_members(table: CustomerTable, column: str, month: Month) -> dict[str, list[int]]:
    """Customers by their value of ``column`` in ``month`` (blank: ``(none)``), in order of first sight; values
    that differ only in case or spacing are one segment, named as most of the column's cells spell it
    (``table.spellings``), so a segment has one name in every month."""
    name = _column(table, column)
    i = table.index(month)
    groups: dict[str, list[int]] = defaultdict(list)
    spelled = table.spellings[name]
    labels: dict[str | None, str] = {None: "(none)"}  # each value's segment, worked out once per value
    if table.dense is not None:
        kept = table.derived.get(("segments", name, i))
        if isinstance(kept, dict):
            return dict(kept)
        for held, members in dense_groups(table.dense, name, i):
            group = "(none)" if held is None else spelled.get(_same(held), "(none)")
            groups[group] = sorted(groups[group] + members) if group in groups else members
        table.derived[("segments", name, i)] = dict(groups)
        return groups
    paying = list(itertools.compress(range(len(table.mrr)), map(operator.itemgetter(i), table.mrr)))
    values = table.attributes[name]
    for c, value in zip(paying, map(operator.itemgetter(i), map(values.__getitem__, paying)), strict=True):
        if value is None:  # no value that month: its latest before, else its first
            value = table.value_at(name, c, i)
        label = labels.get(value)
        if label is None:
            label = labels[value] = spelled.get(_same(value), "(none)")
        groups[label].append(c)
    return groups


def segment_tables(table: Customers, column: str, month: Month) -> dict[str, Customers]:
    """The customers paying in ``month`` by their value of ``column`` (``segment_members``), each a table."""
    if isinstance(table, CustomerTable):
        return {label: table.subset(members) for label, members in segment_members(table, column, month).items()}
    return dict(table.segments(_column(table, column), month))


def where_table(table: Customers, month: Month, where: tuple[str, str]) -> tuple[str, Customers]:
    """The segment ``where`` names (``where_members``) and the table of its customers paying in ``month``."""
    if isinstance(table, CustomerTable):
        label, members = where_members(table, month, where)
        return label, table.subset(members)
    column, value = where
    groups = segment_tables(table, column, month)
    found = next((g for g in groups if _same(g) == _same(value)), None)
    if found is None:
        raise QueryError(say.where_matches_nobody(_column(table, column), value, month, sorted(groups)))
    return found, groups[found]


def parse_where(text: str) -> tuple[str, str]:
    """``Segment=Enterprise`` -> ``("Segment", "Enterprise")``."""
    column, sep, value = text.partition("=")
    if not sep or not column.strip() or not value.strip():
        raise QueryError(say.where_syntax(text))
    return column.strip(), value.strip()


def where_members(table: CustomerTable, month: Month, where: tuple[str, str]) -> tuple[str, list[int]]:
    """The segment ``where`` (column, value) names, as the table spells it, and its customers paying in
    ``month``; ``QueryError`` when nobody paying then has that value."""
    column, value = where
    groups = segment_members(table, column, month)
    wanted = _same(value)
    label = next((g for g in groups if _same(g) == wanted), None)
    if label is None:
        raise QueryError(say.where_matches_nobody(_column(table, column), value, month, list(groups)))
    return label, groups[label]


_SEGMENT_WORDS: dict[str, Segment] = {"enterprise": "enterprise", "ent": "enterprise", "midmarket": "mid-market",
                                      "mid": "mid-market", "mm": "mid-market", "smb": "smb", "small": "smb",
                                      "smallbusiness": "smb", "smallandmediumbusiness": "smb"}


def benchmark_segment(name: str) -> Segment | None:
    """The benchmark segment a segment's name means: ``Mid-Market`` -> mid-market; None for ``EMEA``.

    >>> benchmark_segment("Mid-Market"), benchmark_segment("SMB"), benchmark_segment("EMEA")
    ('mid-market', 'smb', None)
    """
    key = re.sub(r"[^a-z]", "", name.lower())
    return _SEGMENT_WORDS.get(key) or _SEGMENT_WORDS.get(key.removesuffix("s"))


def segment_cohorts(table: Customers, first: Month, last: Month, column: str, profile: Profile, *,
                    top: int = TOP_MOVERS, year: Customers | None = None,
                    arr: Decimal | None = None, annual_last: Month | None = None,
                    currency: str = "USD") -> tuple[SegmentCohort, ...]:
    """Each segment's cohort, largest start first, each against its own segment's benchmark.

    The benchmark compares the segment's 12-month cohort to ``annual_last`` (default ``last``; a period to date
    passes the last closed month, as the company's figure takes: fuzz 21) (annual, as benchmarks are),
    with customers in the segment they were in 12 months before; None when the table is shorter.
    ``year``: the customers those cohorts are drawn from when ``table`` is already a segment's (its
    customers 12 months before, not only the ones still there at the period's start); ``arr``: the
    company's, which picks the stage (default: ``table``'s) when ``currency``, the money's, is US dollars.
    """
    annual_last = last if annual_last is None else annual_last
    if not isinstance(table, CustomerTable) or not isinstance(year, CustomerTable | None):
        return _summed_segments(table, first, last, column, profile, top, year, arr, annual_last, currency)
    groups = segment_members(table, column, cohort_before(table, first))
    source = table if year is None else year
    annual: dict[str, list[int]] = {}  # by the compared form: a segment is one whatever its spelling
    if annual_last - 12 in source:
        annual = {_same(label): members
                  for label, members in segment_members(source, column, annual_last - 12).items()}
    arr = company_arr(table, last) if arr is None else arr
    out = []
    for label, members in groups.items():
        cohort = compute_cohort(table, first, last, top=top, members=members, segment=label)
        benchmark = None
        annual_members = annual.get(_same(label))
        annual_cohort = None if annual_members is None else compute_cohort(
            source, annual_last - 11, annual_last, top=0, members=annual_members)
        if annual_cohort is not None and annual_cohort.nrr is not None:
            seg = benchmark_segment(label)
            own = replace(profile, segment=seg, own_segment=True) if seg else profile
            benchmark = compare_benchmarks(annual_cohort.nrr, annual_cohort.grr, own, arr=arr, currency=currency)
        out.append(SegmentCohort(cohort, benchmark))
    return tuple(sorted(out, key=lambda s: (-s.cohort.start, s.segment)))


def _summed_segments(table: Customers, first: Month, last: Month, column: str, profile: Profile, top: int,
                     year: Customers | None, arr: Decimal | None, annual_last: Month,
                     currency: str) -> tuple[SegmentCohort, ...]:
    """``segment_cohorts`` for a table a database answers for: each segment a table of its own."""
    groups = segment_tables(table, column, cohort_before(table, first))
    source = table if year is None else year
    annual = {}
    if annual_last - 12 in source:
        annual = {_same(label): members
                  for label, members in segment_tables(source, column, annual_last - 12).items()}
    arr = company_arr(table, last) if arr is None else arr
    out = []
    for label, members in groups.items():
        cohort = compute_cohort(members, first, last, top=top, segment=label)
        benchmark = None
        year_table = annual.get(_same(label))
        annual_cohort = None if year_table is None else compute_cohort(year_table, annual_last - 11, annual_last,
                                                                       top=0)
        if annual_cohort is not None and annual_cohort.nrr is not None:
            seg = benchmark_segment(label)
            own = replace(profile, segment=seg, own_segment=True) if seg else profile
            benchmark = compare_benchmarks(annual_cohort.nrr, annual_cohort.grr, own, arr=arr, currency=currency)
        out.append(SegmentCohort(cohort, benchmark))
    return tuple(sorted(out, key=lambda s: (-s.cohort.start, s.segment)))


def company_arr(table: Customers, month: Month) -> Decimal:
    """The company's ARR in ``month``: it picks the stage benchmarks, for every segment alike."""
    end = cents_to_decimal(table.total(month))
    return end * 12 if table.unit == "MRR" else end
