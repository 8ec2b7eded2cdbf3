"""A customer table kept where it lives (a database), asked for aggregates rather than read row by row.

The in-memory ``CustomerTable`` holds every customer's figure for every month; a warehouse table may hold
millions of rows, so its source answers the few sums a cohort answer needs instead (``CustomerAggregates``),
and the engine's report, sentences and JSON are built from them by the same code. Every sum here is additive,
so a segment made of several spellings of one value (``SMB``, ``smb ``) is the sum of their parts.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeAlias

from engine._fields import Unit
from engine._month import Month
from engine._table import CustomerTable, MonthMovements

Kind = Literal["churn", "contraction", "expansion"]


@dataclass(frozen=True, kw_only=True)
class CohortSums:
    """The customers paying in ``before`` (a-1) and what they pay in ``last`` (b), summed in cents.

    ``movers``: for each kind, (amount in cents, customer's name) of the largest movers, at least the top N
    asked for with every tie at the N-th amount, in any order (``engine.compute_cohort`` orders and cuts them).
    """

    customers: int
    retained: int
    start: int
    end: int
    kept: int  # sum of min(b, a-1)
    expansion: int
    contraction: int
    churn: int
    movers: Mapping[Kind, tuple[tuple[int, str], ...]] = field(default_factory=dict)

    def __add__(self, other: CohortSums) -> CohortSums:
        kinds: tuple[Kind, ...] = ("churn", "contraction", "expansion")
        return CohortSums(customers=self.customers + other.customers, retained=self.retained + other.retained,
                          start=self.start + other.start, end=self.end + other.end, kept=self.kept + other.kept,
                          expansion=self.expansion + other.expansion, contraction=self.contraction + other.contraction,
                          churn=self.churn + other.churn,
                          movers={k: (*self.movers.get(k, ()), *other.movers.get(k, ())) for k in kinds})


NO_COHORT = CohortSums(customers=0, retained=0, start=0, end=0, kept=0, expansion=0, contraction=0, churn=0)


@dataclass(frozen=True)
class Acquisition:
    """The customers whose first payment fell in ``month``: how many, and what they paid at each age
    (``paid[0]``: in ``month`` itself; ``paid[k]``: k months on), in cents, to the table's last month."""

    month: Month
    customers: int
    paid: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class CohortMonths:
    """The customers first paying in month index ``first`` (of the table) whose value of the segment column in the
    month asked about is ``segment`` (as written, blank None; a spelling of its own, so segments add up) and whose
    first month's cents fall in size band ``size`` (``size_band``), their money summed by month index, from the
    table's first month to the month asked about, in cents."""

    first: int
    segment: str | None
    size: int
    members: int
    money: tuple[int, ...]
    churned: tuple[int, ...]  # [t]: what the customers who stopped paying in t paid in t - 1
    returns: tuple[int, ...]  # [t]: what the customers who came back in t (paying nothing in t - 1) pay in t


@dataclass(frozen=True, kw_only=True)
class ForecastSums:
    """Everything a forecast as of a month reads of a customer table, summed in cents (``engine.build_forecast``):
    the customers paying by then by acquisition month and segment (``CohortMonths``); the money that came back
    ``k`` months after its churn, by month of return (``back[k][t]``, k up to the returns asked for); and over
    the months of the window before it, of the customers paying in a month: what they paid (``paid``), what they
    paid the next (``next``), and ``moved``, the sum of ``(next - paid)² × 2**20 // paid`` over each customer's
    month (the squared change over what it paid, in units of 2**-20 cent, rounded down: an integer, so a
    database sums it exactly); and the customers paying in the month, and the sum of their cents squared."""

    groups: tuple[CohortMonths, ...]
    back: tuple[tuple[int, ...], ...]
    paid: int
    next: int
    moved: int
    customers: int
    squares: int


#: the size bands of a customer's first month's cents (``size_band``): from $2, $4, $8, ... (each twice the last)
SIZE_BANDS = tuple(100 * 2**k for k in range(1, 23))


def size_band(cents: int) -> int:
    """The size band of an amount in cents: how many of ``SIZE_BANDS`` it reaches (0 below $2)."""
    return bisect.bisect_right(SIZE_BANDS, cents)


#: ``ForecastSums.moved``'s unit: 2**-MOVED_BITS of a cent
MOVED_BITS = 20


class CustomerAggregates(Protocol):
    """What the engine asks of a customer table it cannot hold: its shape, its month-by-month movements
    and the sums of a cohort, of a segment's customers, of the acquisition cohorts."""

    @property
    def first(self) -> Month: ...
    @property
    def count(self) -> int: ...
    @property
    def last(self) -> Month: ...
    @property
    def unit(self) -> Unit: ...
    @property
    def currency(self) -> str | None: ...
    @property
    def attribute_names(self) -> tuple[str, ...]: ...
    @property
    def key_headers(self) -> tuple[str, ...]: ...
    @property
    def summed_by(self) -> str | None: ...
    @property
    def customer_count(self) -> int: ...
    @property
    def movements(self) -> tuple[MonthMovements, ...]: ...
    @property
    def spellings(self) -> Mapping[str, Mapping[str, str]]: ...

    def __contains__(self, month: object) -> bool: ...

    def index(self, month: Month) -> int: ...

    def total(self, month: Month) -> int: ...

    def attribute(self, column: str) -> str | None: ...

    def cohort_sums(self, before: Month, last: Month, top: int) -> CohortSums:
        """The cohort of the customers paying in ``before``, to ``last``, with the top ``top`` movers."""
        ...

    def segments(self, column: str, month: Month) -> Mapping[str, CustomerAggregates]:
        """The customers paying in ``month`` by their value of ``column`` then (as ``segment_members``
        groups them: blank is the latest value before, else the first; spelled as ``spellings`` says),
        each group a table of its own."""
        ...

    def empty(self) -> CustomerAggregates:
        """The same table with no customers."""
        ...

    def acquisitions(self) -> tuple[Acquisition, ...]:
        """Every acquisition month's customers and what they paid at each age, oldest first."""
        ...

    def forecast_sums(self, month: Month, column: str | None, returns: int, window: int) -> ForecastSums:
        """A forecast's sums as of ``month`` (``ForecastSums``): segments by their value of ``column`` then (the
        latest before, else the first, as ``CustomerTable.value_at``), returns up to ``returns`` months after a
        churn, the change of the ``window`` months before ``month``."""
        ...


#: a customer table in memory, or one a database answers for
Customers: TypeAlias = "CustomerTable | CustomerAggregates"
