"""The ledger as text rows under the template's headers, for ``nrr ledger``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from engine._fields import FIELD_TITLES, Field
from engine._ledger import Ledger
from engine._messages import rate
from engine._month import Month
from engine._table import MonthMovements, cents_to_decimal


def ledger_table(ledger: Ledger) -> tuple[list[str], list[list[str]]]:
    """The ledger as text rows under the template's headers, for ``nrr ledger``: money with 2 decimals,
    NRR as a percentage; a ledger derived from a customer table adds New and Reactivation MRR.

    >>> from engine import derive_ledger, read_customers
    >>> table = read_customers([["Customer", "Month", "MRR"], ["A", "2026-01", "100"], ["A", "2026-02", "90"],
    ...                         ["B", "2026-02", "30"]]).table
    >>> ledger_table(derive_ledger(table))
    (['Month', 'MRR (Start of Period)', 'Expanded MRR', 'Churned MRR', 'Downgraded MRR', 'MRR (End of Period)', \
'NRR Rate', 'New MRR', 'Reactivation MRR'], [['2026-02', '100.00', '0.00', '0.00', '10.00', '90.00', '90.00%', \
'30.00', '0.00']])
    """
    unit = ledger.unit
    fields: tuple[Field, ...] = ("month", "start", "expansion", "churn", "downgrade", "end", "nrr")
    headers = [FIELD_TITLES[f].replace("MRR", unit) for f in fields]
    extra: dict[Month, MonthMovements] = {}
    if ledger.customers is not None:
        headers += [f"New {unit}", f"Reactivation {unit}"]
        extra = {m.month: m for m in ledger.customers.movements}
    rows = []
    for r in ledger.rows:
        # half up, as the report and its JSON round (100.125% is 100.13% there and here; it had been 100.12% here)
        row = [str(r.month), *map(_money, (r.start, r.expansion, r.churn, r.downgrade, r.end)),
               "" if r.nrr is None else rate(r.nrr, 2)]
        if (m := extra.get(r.month)) is not None:
            row += [_money(cents_to_decimal(m.new)), _money(cents_to_decimal(m.reactivation))]
        rows.append(row)
    return headers, rows


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
