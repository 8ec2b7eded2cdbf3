"""NRR and GRR for a month or a span of months, and what moved them.

A span is **chained** by default: the product of its monthly rates. Every month's Start already
holds the customers won in the months before, so summing a span's movements over its first
Start would mix new customers into the cohort. ``method="sum"`` is for ledgers whose rows are
true cohort totals: (first Start + sum of movements) / first Start.

Both methods split NRR exactly into ``1 + expansion - contraction - churn`` points. For a chained
span each month's movements are weighted by the cohort's NRR so far, from the telescoping sum
``prod(x) - 1 = sum((x_i - 1) * prod(x_j for j < i))``, so a change between two periods splits
exactly into what expansion, contraction and churn contributed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from engine import _messages as say
from engine._benchmarks import MIN_BENCHMARK_MONTHS
from engine._ledger import ZERO, Ledger, LedgerRow
from engine._month import Month
from engine._periods import Period, fit_period

Method = Literal["chained", "sum", "cohort"]
Driver = Literal["expansion", "contraction", "churn"]
METHODS: tuple[Method, ...] = ("chained", "sum", "cohort")
Derived = Literal["short", "asked"]
_LEDGER_METHODS: tuple[Method, ...] = ("chained", "sum")  # cohort needs a customer table (engine._cohort)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Components:
    """NRR = 1 + expansion - contraction - churn, each a share of the starting revenue."""

    expansion: Decimal
    contraction: Decimal
    churn: Decimal


@dataclass(frozen=True, kw_only=True)
class Retention:
    """NRR and GRR over a period, with the money and the rates behind them.

    ``nrr`` and ``grr`` are ratios (1.08 is 108%), None when not defined (a month started at
    zero); ``undefined`` then says why.
    """

    period: Period
    method: Method
    rows: tuple[LedgerRow, ...]
    nrr: Decimal | None
    grr: Decimal | None
    components: Components | None
    new_business: Decimal | None  # implied new MRR won in the span; None if a next row is missing, or `vanished`
    next_start: Decimal | None  # Start of the month after the span, when the ledger has it
    undefined: str | None = None
    notes: tuple[str, ...] = ()  # caveats about this answer (not about the ledger)
    # MRR that left between the span's rows unrecorded (a next Start below an End): the new business won beside it
    # is not known, so neither is the quick ratio
    vanished: Decimal = ZERO

    @property
    def start(self) -> Decimal:
        return self.rows[0].start

    @property
    def end(self) -> Decimal:
        return self.rows[-1].end

    @property
    def expansion(self) -> Decimal:
        return sum((r.expansion for r in self.rows), ZERO)

    @property
    def churn(self) -> Decimal:
        return sum((r.churn for r in self.rows), ZERO)

    @property
    def downgrade(self) -> Decimal:
        return sum((r.downgrade for r in self.rows), ZERO)

    @property
    def quick_ratio(self) -> Decimal | None:
        """(new + expansion) / (churn + contraction); None without new business or losses."""
        losses = self.churn + self.downgrade
        if self.new_business is None or not losses:
            return None
        return (self.new_business + self.expansion) / losses

    @property
    def growth(self) -> Decimal | None:
        """Total MRR growth over the span: next month's Start against the first Start."""
        if self.next_start is None or not self.start:
            return None
        return self.next_start / self.start - ONE


def _chain(rows: Sequence[LedgerRow]) -> tuple[Decimal, Decimal, Components] | str:
    nrr = grr = ONE
    e = d = c = ZERO
    for row in rows:
        if not row.start:
            return say.undefined_zero_start(row.month)
        weight = nrr
        e += weight * row.expansion / row.start
        d += weight * row.downgrade / row.start
        c += weight * row.churn / row.start
        nrr *= row.end / row.start
        grr *= (row.start - row.churn - row.downgrade) / row.start
    return nrr, grr, Components(e, d, c)


def _sum(rows: Sequence[LedgerRow]) -> tuple[Decimal, Decimal | None, Components] | str:
    """(first Start + movements) / first Start. Losses beyond the first Start came from revenue won
    later in the span, so the rows are not one cohort: then GRR (and NRR, if it goes below 0) is
    not meaningful, rather than a floored 0.00% nobody can act on."""
    start = rows[0].start
    if not start:
        return say.undefined_zero_start(rows[0].month)
    e = sum((r.expansion for r in rows), ZERO)
    d = sum((r.downgrade for r in rows), ZERO)
    c = sum((r.churn for r in rows), ZERO)
    nrr = (start + e - d - c) / start
    if nrr < 0:
        return say.sum_not_meaningful(c + d, start, rows[0].month)
    grr = (start - d - c) / start
    return nrr, (grr if grr >= 0 else None), Components(e / start, d / start, c / start)


def _not_cohort_totals(rows: Sequence[LedgerRow]) -> str | None:
    """For the sum method: the first month whose Start is not the previous month's End."""
    for before, after in itertools.pairwise(rows):
        if after.start != before.end:
            return say.sum_needs_cohort_rows(after.month, before.month, gained=after.start > before.end)
    return None


def compute_retention(ledger: Ledger, period: Period, method: Method = "chained") -> Retention:
    """NRR and GRR for ``period``; raises ``QueryError`` when the ledger does not cover it.

    >>> row = LedgerRow(month=Month(2026, 1), start=Decimal(100000), expansion=Decimal(15000), churn=Decimal(5000),
    ...                 downgrade=Decimal(2000))
    >>> january = Period(first=Month(2026, 1), last=Month(2026, 1), label="January 2026")
    >>> r = compute_retention(Ledger.of(row), january)
    >>> r.nrr, r.grr
    (Decimal('1.08'), Decimal('0.93'))
    """
    if method not in _LEDGER_METHODS:
        raise ValueError(f"method is one of {_LEDGER_METHODS}, not {method!r}")
    period = fit_period(period, ledger)
    rows = tuple(r for m in period.months if (r := ledger.get(m)) is not None)
    result = _chain(rows) if method == "chained" else _sum(rows)
    news = [ledger.implied_new(m) for m in period.months]
    # a next Start below an End is MRR lost without a record (the ledger warns of it), not "no new business":
    # whatever was won that month is hidden by the loss, so the span's new business is not known
    vanished = sum((-n for n in news if n is not None and n < 0), ZERO)
    new_business = None if vanished or any(n is None for n in news) else sum(
        (n for n in news if n is not None), ZERO)
    following = ledger.get(period.last + 1)
    next_start = following.start if following else ledger.starts_ahead.get(period.last + 1)
    notes: tuple[str, ...] = ()
    if method == "sum" and (note := _not_cohort_totals(rows)):
        notes = (note,)
    if isinstance(result, str):
        return Retention(period=period, method=method, rows=rows, nrr=None, grr=None, components=None,
                         new_business=new_business, next_start=next_start, undefined=result, notes=notes,
                         vanished=vanished)
    nrr, grr, components = result
    if grr is None:
        losses = sum((r.churn + r.downgrade for r in rows), ZERO)
        notes = (say.sum_grr_not_meaningful(losses, rows[0].start, rows[0].month), *notes)
    return Retention(period=period, method=method, rows=rows, nrr=nrr, grr=grr, components=components,
                     new_business=new_business, next_start=next_start, undefined=None, notes=notes,
                     vanished=vanished)


_SHOWN = Decimal("0.0001")  # a ratio shown as a percentage with 2 decimals
_TENTHS = Decimal("0.001")  # ... with 1 (a quantum of its own: _SHOWN * 10 is 0.0010, which quantizes to 4 places)


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """How a period's NRR and GRR moved against the period before it, and what moved them.

    ``nrr`` and ``grr`` are the differences of the two figures as shown (percentages to 2 decimals, rounded
    half up), so whoever subtracts the figures shown gets the change shown; ``expansion + contraction +
    churn`` is the exact change (points of NRR; positive helped), within 0.01 pts of ``nrr``.
    """

    previous: Retention
    nrr: Decimal
    grr: Decimal
    expansion: Decimal
    contraction: Decimal
    churn: Decimal

    @property
    def parts(self) -> dict[Driver, Decimal]:
        """The change in points from each movement (positive helped NRR), exact."""
        return {"expansion": self.expansion, "contraction": self.contraction, "churn": self.churn}

    @property
    def shown(self) -> dict[Driver, Decimal]:
        """The parts as every surface shows them, to 0.01 pts (a ratio to 4 decimals), rounded together so they add
        up to the change shown (``nrr``): each rounded half up, then the hundredths the rounding lost or gained
        given to the parts it moved most (rounded one by one, three parts missed their sum by 0.015 pts; to their
        exact sum, +0.53 pts beside a change of +0.54). The driver, "mostly" and "despite" are read from these, the
        figures the JSON gives and the sentence shows to two decimals: a part shown as 0.00 moved nothing, and none
        is named with a figure that says otherwise."""
        return self._together(_SHOWN)

    @property
    def shown_tenths(self) -> dict[Driver, Decimal]:
        """The parts to 0.1 pts, rounded together as ``shown`` is, to add up to the change shown to 0.1 pts (fuzz 22:
        "NRR +0.5 pts" beside parts of +0.5, -0.3 and +0.4)."""
        return self._together(_TENTHS)

    def _together(self, quantum: Decimal) -> dict[Driver, Decimal]:
        exact = self.parts
        shown = {k: v.quantize(quantum, rounding=ROUND_HALF_UP) for k, v in exact.items()}
        total = self.nrr.quantize(quantum, rounding=ROUND_HALF_UP)
        moved: set[Driver] = set()
        while missed := total - sum(shown.values()):  # each part moved by one quantum at most
            step = quantum if missed > 0 else -quantum
            # the part the rounding moved most the other way first, never past 0: a part that fell is not shown
            # rising, nor one that rose falling, to make up a sum
            k = max((k for k in exact if k not in moved and (shown[k] + step) * exact[k] >= 0),
                    key=lambda k: (exact[k] - shown[k]) * step, default=None)
            if k is None:
                break
            shown[k] += step
            moved.add(k)
        return shown

    @property
    def drivers(self) -> tuple[Driver, ...]:
        """The parts that moved NRR the way it went, largest first as shown (ties in the order expansion,
        contraction, churn); a part of 0.00 pts moved nothing. None when NRR did not move.

        A fall is never explained by something that pushed up: only parts that pulled the way NRR went are here.
        """
        shown = self.shown
        if self.nrr == 0:
            return ()
        moved = [k for k, v in shown.items() if v != 0 and (v > 0) == (self.nrr > 0)]
        return tuple(sorted(moved, key=lambda k: -abs(shown[k])))

    @property
    def driver(self) -> Driver | None:
        """The movement that moved NRR the way it went most: when NRR fell, the part that pulled it down most;
        when it rose, the part that lifted it most. None when NRR did not move."""
        return self.drivers[0] if self.drivers else None

    @property
    def mostly(self) -> bool:
        """Whether the driver did more than half of what moved NRR its way (the parts that went with the change, as
        shown): "mostly more churn" is then true; with churn 2.0 of 5.0 pts, or half of it, it is not."""
        drivers, shown = self.drivers, self.shown
        return bool(drivers) and abs(shown[drivers[0]]) * 2 > sum(abs(shown[k]) for k in drivers)

    @property
    def against(self) -> tuple[Driver, ...]:
        """The parts that pushed against the change, as shown, largest first (ties in the order expansion,
        contraction, churn): NRR fell despite more expansion and fewer downgrades. Empty when every part moved with
        it, or by 0.00 pts (the same rate in both periods but for a division's last digits is not "despite")."""
        shown = self.shown
        if self.nrr == 0:
            return ()
        against = [k for k, v in shown.items() if v != 0 and (v > 0) != (self.nrr > 0)]
        return tuple(sorted(against, key=lambda k: -abs(shown[k])))

    @property
    def despite(self) -> Driver | None:
        """The part that pushed hardest against the change (``against``'s first), when one did."""
        return self.against[0] if self.against else None


def as_shown(ratio: Decimal) -> Decimal:
    """A ratio rounded as it is shown, a percentage to 2 decimals half up: ``1.031249`` -> ``1.0312``."""
    return ratio.quantize(_SHOWN, rounding=ROUND_HALF_UP)


def compare_retention(current: Retention, previous: Retention) -> Change | None:
    """The change from ``previous`` to ``current``; None when either is not defined."""
    if (current.components is None or previous.components is None or current.nrr is None
            or previous.nrr is None or current.grr is None or previous.grr is None):
        return None
    now, before = current.components, previous.components
    return Change(
        previous=previous,
        nrr=as_shown(current.nrr) - as_shown(previous.nrr),
        grr=as_shown(current.grr) - as_shown(previous.grr),
        expansion=now.expansion - before.expansion,
        contraction=before.contraction - now.contraction,
        churn=before.churn - now.churn,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Trailing:
    """The trailing-12-month NRR and GRR as of a month: the figure benchmarks compare.

    With fewer than 12 months of history, the chained rate over the months there are is
    annualized (``annualized`` is True, ``months`` says how many it rests on).
    """

    as_of: Month
    nrr: Decimal | None
    grr: Decimal | None
    months: int
    annualized: bool
    undefined: str | None = None
    notes: tuple[str, ...] = ()  # caveats of the figure (the sum method over rows that are not one cohort)
    cohort: bool = False  # the 12-month cohort of a customer table, not a chain of month totals
    #: how month totals were combined (None for a 12-month cohort)
    totals: Method | None = None
    #: from the month totals derived from a customer table: ``short`` (too short for its 12-month cohort) or
    #: ``asked`` (a method other than cohort was asked for); None for a seven-column ledger or a cohort figure
    derived: Derived | None = None
    #: the months missing from the ledger that cut the figure short (the ledger holds months before them)
    gap: tuple[Month, ...] = ()

    @property
    def indicative(self) -> bool:
        """Annualized from 6 to 11 months: worth a look, not yet a figure to benchmark with confidence."""
        return self.annualized and self.nrr is not None


def trailing_12m(ledger: Ledger, as_of: Month, method: Method = "chained") -> Trailing | None:
    """The trailing 12 months to ``as_of``; with 6 to 11 months of history, annualized (indicative);
    with fewer, no figure (``undefined`` says how many more months it needs). None without ``as_of``."""
    if as_of not in ledger:
        return None
    n = 0
    while n < 12 and (as_of - n) in ledger:
        n += 1
    first = as_of - (n - 1)
    # months before the ledger's first recurring revenue (a template laid out ahead, its rows all 0) are no
    # history: the figure is the months since, annualized as a shorter ledger's is (fuzz 21: no benchmark at all
    # for a year, "12 months, not annualized", where the same ledger without its empty rows had one)
    revenue = next((row.month for row in ledger if row.start), None)  # the first month that starts with any
    before_revenue = False
    if revenue is not None and first < revenue <= as_of:
        before_revenue, n, first = True, as_of - revenue + 1, revenue
    # a month missing inside the ledger cuts the figure to the months after it (fuzz 16: annualized from 7 months,
    # without saying why, of a ledger with 13)
    missing: list[Month] = []  # the months missing just before the figure's first, when the ledger holds earlier
    month = first - 1
    while n < 12 and ledger.first_month is not None and month > ledger.first_month and month not in ledger:
        missing.insert(0, month)
        month -= 1
    gap = tuple(missing) if month in ledger else ()
    result = compute_retention(ledger, Period(first=first, last=as_of, label=f"{say.months(n)} to {as_of.short}"),
                               method)
    if result.nrr is None:
        return Trailing(as_of=as_of, nrr=None, grr=None, months=n, annualized=n < 12, undefined=result.undefined,
                        notes=result.notes, gap=gap)
    if n < MIN_BENCHMARK_MONTHS:
        return Trailing(as_of=as_of, nrr=None, grr=None, months=n, annualized=True,
                        undefined=say.too_little_history(n, as_of, MIN_BENCHMARK_MONTHS, gap), gap=gap)
    totals = method
    derived: Derived | None = None  # from a customer table's month totals: too short for its cohort, or asked
    if ledger.customers is not None:
        derived = "asked" if as_of - 12 in ledger.customers and not before_revenue else "short"
    if n == 12:
        return Trailing(as_of=as_of, nrr=result.nrr, grr=result.grr, months=n, annualized=False, notes=result.notes,
                        totals=totals, derived=derived)
    power = Decimal(12) / n
    grr = None if result.grr is None else (result.grr ** power if result.grr else ZERO)
    return Trailing(as_of=as_of, nrr=result.nrr ** power, grr=grr, months=n, annualized=True, notes=result.notes,
                    totals=totals, derived=derived, gap=gap)
