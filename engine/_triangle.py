"""Cohort triangles: NRR by acquisition cohort against age, from a customer table.

A customer's acquisition month is the month of its first payment in the table; its cohort is that
month, or the (fiscal) quarter it falls in. At age k (months since each customer's own acquisition
month) the cohort's NRR is what its customers pay k months on over what they paid when acquired,
summed in cents. An age is shown only once every customer of the cohort has reached it, so each
row ends where the table does: a triangle. Customers already paying in the table's first month
are that month's cohort, labelled "or earlier" (the table cannot tell when they were won).

    >>> from engine._customers import read_customers
    >>> table = read_customers([["Customer", "Month", "MRR"], ["A", "2026-01", "100"], ["A", "2026-02", "120"],
    ...                         ["B", "2026-02", "50"], ["A", "2026-03", "90"], ["B", "2026-03", "60"]]).table
    >>> [(row.label, row.customers, [None if v is None else str(v) for v in row.nrr])
    ...  for row in cohort_triangle(table).rows]
    [('Jan 2026 or earlier', 1, ['1', '1.2', '0.9']), ('Feb 2026', 1, ['1', '1.2'])]
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from engine import _messages as say
from engine._aggregates import Acquisition, Customers
from engine._errors import QueryError
from engine._ledger import Ledger
from engine._month import Month
from engine._periods import label_span
from engine._table import CustomerTable, cents_to_decimal

CohortBy = Literal["month", "quarter"]
COHORT_BY: tuple[CohortBy, ...] = ("month", "quarter")


@dataclass(frozen=True, kw_only=True)
class CohortRow:
    """One acquisition cohort: ``nrr[k]`` is its NRR at age k months (None when its start MRR is 0)."""

    label: str
    first: Month  # the cohort's first month
    customers: int
    start: int  # cents: what its customers paid in their acquisition months
    nrr: tuple[Decimal | None, ...]

    @property
    def start_mrr(self) -> Decimal:
        return cents_to_decimal(self.start)


@dataclass(frozen=True, kw_only=True)
class CohortTriangle:
    """Every acquisition cohort of a table, oldest first; ``ages`` is the longest row's length."""

    by: CohortBy
    rows: tuple[CohortRow, ...]
    unit: str = "MRR"
    last: Month | None = None  # the table's latest month: what the triangle is as of
    currency: str | None = None  # the table's own, when it names one

    @property
    def ages(self) -> int:
        return max((len(r.nrr) for r in self.rows), default=0)


def ledger_triangle(ledger: Ledger, by: CohortBy = "month", fiscal_year_start: int = 1,
                    as_of: Month | None = None) -> CohortTriangle:
    """The triangle of a ledger derived from a customer table; ``QueryError`` for a seven-column one."""
    if ledger.customers is None:
        raise QueryError(say.cohorts_need_customers())
    return cohort_triangle(ledger.customers, by, fiscal_year_start, as_of)


def cohort_triangle(table: Customers, by: CohortBy = "month", fiscal_year_start: int = 1,
                    as_of: Month | None = None) -> CohortTriangle:
    """NRR by acquisition cohort (month or fiscal quarter of first payment) against age in months, to the table's
    last month or ``as_of`` (the latest closed month) when that is earlier: a table laid out ahead (0 in the months
    to come) would show every cohort falling to 0% in months that have not happened."""
    found = acquisitions(table) if isinstance(table, CustomerTable) else table.acquisitions()
    last = table.last if as_of is None else min(as_of, table.last)
    if last < table.last:
        found = tuple(Acquisition(month=a.month, customers=a.customers, paid=a.paid[:last - a.month + 1])
                      for a in found if a.month <= last)
    groups: dict[Month, list[Acquisition]] = {}
    for acquired in found:
        month = acquired.month
        key = month - (month.month - fiscal_year_start) % 3 if by == "quarter" else month
        groups.setdefault(key, []).append(acquired)
    rows = []
    for key in sorted(groups):
        members = groups[key]
        ages = min(len(a.paid) for a in members)  # every member has reached ages 0..ages-1
        start = sum(a.paid[0] for a in members)
        nrr = tuple(Decimal(sum(a.paid[k] for a in members)) / Decimal(start) if start else None
                    for k in range(ages))
        label = key.short if by == "month" else label_span(key, key + 2, fiscal_year_start)
        if any(a.month == table.first for a in members):  # paying when the table starts: won then or any time before
            label = say.cohort_or_earlier(label)
        rows.append(CohortRow(label=label, first=key, customers=sum(a.customers for a in members), start=start,
                              nrr=nrr))
    return CohortTriangle(by=by, rows=tuple(rows), unit=table.unit, last=last, currency=table.currency)


def acquisitions(table: CustomerTable) -> tuple[Acquisition, ...]:
    """Every acquisition month's customers and what they paid at each age, from a table in memory."""
    n = table.count
    groups: dict[int, list[tuple[int, ...]]] = {}
    for series in table.mrr:
        i = next((j for j, v in enumerate(series) if v), None)
        if i is not None:
            groups.setdefault(i, []).append(tuple(series))
    return tuple(Acquisition(table.first + i, len(members), tuple(sum(s[j] for s in members) for j in range(i, n)))
                 for i, members in sorted(groups.items()))
