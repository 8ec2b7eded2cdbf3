"""The ledger: one row per month of the seven-column NRR template, validated."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from engine._aggregates import Customers
from engine._fields import Field, Unit
from engine._issues import Issue, a1
from engine._month import Month
from engine._table import CustomerTable, cents_to_decimal

if TYPE_CHECKING:
    from engine._billing import Normalization, SourceKind  # billing data only: loaded when it is read

ZERO = Decimal(0)


def nrr_formula(columns: Mapping[Field, int], row: int) -> str:
    """The NRR Rate formula for a sheet row, End/Start in the sheet's own columns: ``=F2/B2``.

    Without an End column, End is spelled out: ``=(B2+C2-D2-E2)/B2``.
    """
    start = a1(row, columns["start"])
    if "end" in columns:
        return f"={a1(row, columns['end'])}/{start}"
    expansion, churn, downgrade = (a1(row, columns[f]) for f in ("expansion", "churn", "downgrade"))
    return f"=({start}+{expansion}-{churn}-{downgrade})/{start}"


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerRow:
    """One month of the ledger. Losses (churn, downgrade) are stored as positive amounts."""

    month: Month
    start: Decimal
    expansion: Decimal
    churn: Decimal
    downgrade: Decimal
    row: int = 0  # 1-based row in the source grid; 0 when the row was built in code

    def __post_init__(self) -> None:
        for name in ("start", "expansion", "churn", "downgrade"):
            value = getattr(self, name)
            if not isinstance(value, Decimal):
                raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
            if value < 0:
                raise ValueError(f"{name} must not be negative ({self.month}: {value})")
        if self.churn + self.downgrade > self.start:
            raise ValueError(f"{self.month}: churn plus downgrade exceeds the start MRR")

    @property
    def end(self) -> Decimal:
        """The starting cohort's MRR at month end: Start + Expanded - Churned - Downgraded."""
        return self.start + self.expansion - self.churn - self.downgrade

    @property
    def nrr(self) -> Decimal | None:
        """(Start + Expanded - Churned - Downgraded) / Start; None when Start is 0."""
        return self.end / self.start if self.start else None

    @property
    def grr(self) -> Decimal | None:
        """(Start - Churned - Downgraded) / Start; None when Start is 0."""
        return (self.start - self.churn - self.downgrade) / self.start if self.start else None


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the ledger's fields sit in the source grid (for write-back and messages)."""

    header_row: int  # 1-based
    columns: Mapping[Field, int]  # 0-based column per recognised field
    extras: Mapping[str, int] = field(default_factory=dict)  # other headers, kept aside
    #: more columns added up to a movement's (Upsell beside Cross-sell MRR): read, never written
    parts: Mapping[Field, tuple[int, ...]] = field(default_factory=dict)

    def read_columns(self, f: Field) -> tuple[int, ...]:
        """Every column ``f``'s figure is read from: its own and those added up to it."""
        return (self.columns[f], *self.parts.get(f, ())) if f in self.columns else ()


@dataclass(frozen=True, kw_only=True)
class Ledger:
    """A validated ledger: months in order, no duplicates; warnings kept for display.

    Build one with ``read_ledger`` (from a grid of cells) or ``Ledger.of`` (from rows).
    """

    rows: tuple[LedgerRow, ...]
    warnings: tuple[Issue, ...] = ()
    unit: Unit = "MRR"
    sheet: str | None = None
    layout: Layout | None = None
    pending: tuple[Month, ...] = ()  # months listed with no figures yet
    #: the Start of the month after the last row, where it is known: a last month left out as not closed yet (its
    #: movements blank), or a customer table's month after its last (everything paid in the last): the last row's
    #: implied new business and growth read it
    starts_ahead: Mapping[Month, Decimal] = field(default_factory=dict, compare=False)
    #: the currency a seven-column ledger's figures are written in, when they say (``€1,030``: EUR); None: unsaid
    #: (a customer table's is its own, ``customers.currency``)
    currency: str | None = None
    #: the customer table this ledger was derived from, when it was (its answers are then cohort figures)
    customers: Customers | None = field(default=None, repr=False, compare=False)
    #: what billing data the customer table was normalized from, when it was (``engine._billing``)
    normalization: Normalization | None = field(default=None, repr=False, compare=False)
    _by_month: Mapping[Month, LedgerRow] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_month = {r.month: r for r in self.rows}
        if len(by_month) != len(self.rows):
            raise ValueError("a ledger holds one row per month")
        ordered = tuple(sorted(self.rows, key=lambda r: r.month))
        object.__setattr__(self, "rows", ordered)
        object.__setattr__(self, "_by_month", by_month)

    @property
    def customer_table(self) -> CustomerTable | None:
        """The customer table when it is held in memory (read from a file, a sheet, Stripe); None for a seven-column
        ledger and for a database's table, which answers only sums (``in_database`` tells the two apart)."""
        return self.customers if isinstance(self.customers, CustomerTable) else None

    @property
    def own_currency(self) -> str | None:
        """The currency the money says it is in: a customer table's own (a Currency column, ``MRR (EUR)``), else the
        one a seven-column ledger's figures show (``€1,030``); None when unsaid (the settings' stands). Every answer
        and every rendering of the ledger is in it."""
        own = self.customers.currency if self.customers is not None else None
        return own or self.currency

    @property
    def in_database(self) -> bool:
        """Whether the customer table is a database's, answered where it lives (``engine.CustomerAggregates``)."""
        return self.customers is not None and not isinstance(self.customers, CustomerTable)

    @property
    def source_kind(self) -> SourceKind:
        """What the source was: ``ledger`` rows, ``customer_months``, ``subscriptions`` or ``invoice_lines``."""
        if self.normalization is not None:
            return self.normalization.kind
        return "ledger" if self.customers is None else "customer_months"

    @classmethod
    def of(cls, *rows: LedgerRow, unit: Unit = "MRR") -> Ledger:
        return cls(rows=tuple(rows), unit=unit)

    def __iter__(self) -> Iterator[LedgerRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, month: object) -> bool:
        return month in self._by_month

    def get(self, month: Month) -> LedgerRow | None:
        return self._by_month.get(month)

    @property
    def first_month(self) -> Month | None:
        return self.rows[0].month if self.rows else None

    @property
    def last_month(self) -> Month | None:
        return self.rows[-1].month if self.rows else None

    def latest_through(self, month: Month) -> Month | None:
        """The ledger's latest month up to ``month`` (the last closed one, for answers that count closed months);
        None when every row is later."""
        return max((row.month for row in self.rows if row.month <= month), default=None)

    def missing(self, first: Month, last: Month) -> tuple[Month, ...]:
        """The months from ``first`` to ``last`` (inclusive) that have no row."""
        return tuple(first + i for i in range(last - first + 1) if first + i not in self._by_month)

    def implied_new(self, month: Month) -> Decimal | None:
        """New-business MRR won during ``month``: next month's Start minus this month's End.

        None when either row is missing (the next month is not in the ledger yet).
        """
        row, following = self.get(month), self.get(month + 1)
        if row is None:
            return None
        start = following.start if following is not None else self.starts_ahead.get(month + 1)
        return None if start is None else start - row.end


def derive_ledger(table: Customers, warnings: tuple[Issue, ...] = (), sheet: str | None = None) -> Ledger:
    """The seven-column ledger a customer table implies: Start = the month before's total, End = Start + E - C - D.
    The ledger keeps the table (``customers``), so cohort answers can follow its customers."""
    d = cents_to_decimal
    movements = table.movements
    rows = tuple(LedgerRow(month=m.month, start=d(m.start), expansion=d(m.expansion), churn=d(m.churn),
                           downgrade=d(m.contraction)) for m in movements)
    # the month after the last starts with everything paid in the last: its new business and quick ratio are known
    # (fuzz 16: "n/a, needs April's Start" of a table that holds March's every figure)
    ahead = {movements[-1].month + 1: d(movements[-1].total)} if movements else {}
    return Ledger(rows=rows, warnings=warnings, unit=table.unit, sheet=sheet, customers=table, starts_ahead=ahead)
