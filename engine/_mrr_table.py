"""The MRR of each customer in each month, as every figure is computed from it, for ``nrr mrr``: CSV rows to
audit and a terminal view that fits 80 columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from engine import _messages as say
from engine._fx import conversion_sentence, round_half_even
from engine._table import CustomerTable, cents_to_decimal

#: the CSV's own columns; the table's attribute columns follow them
MRR_COLUMNS = ("customer_id", "customer", "month", "mrr")


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def monthly_cents(table: CustomerTable) -> Sequence[Sequence[int]]:
    """Each customer's figure per month in cents, as MRR: an ARR table's divided by 12, to the cent, half to even."""
    if table.unit == "MRR":
        return table.mrr
    return [[round_half_even(c, 12) for c in row] for row in table.mrr]


def customer_order(table: CustomerTable) -> list[int]:
    """The customers by their key (the ID, else the name), as text sorts."""
    return sorted(range(len(table.keys)), key=table.keys.__getitem__)


def mrr_csv(table: CustomerTable) -> Iterator[str]:
    """``nrr mrr --csv`` in chunks: ``customer_id,customer,month,mrr`` then one column per attribute, a row per
    customer and month it pays in (months at 0 are left out), by customer then month; month ``YYYY-MM``,
    money with 2 decimals in the table's currency (after any conversion).

    >>> from engine import read_customers
    >>> table = read_customers([["Customer", "Month", "MRR", "Plan"], ["B", "2026-01", "$1,200", "Pro"],
    ...                         ["A", "2026-02", "5.5", "Basic"]]).table
    >>> print("".join(mrr_csv(table)), end="")
    customer_id,customer,month,mrr,Plan
    A,A,2026-02,5.50,Basic
    B,B,2026-01,1200.00,Pro
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = table.attribute_names
    writer.writerow([*MRR_COLUMNS, *names])
    attributes = [table.attributes[n] for n in names] if names else []
    months = [str(table.first + i) for i in range(table.count)]
    cents = monthly_cents(table)
    for n, c in enumerate(customer_order(table)):
        key, name, row = table.keys[c], table.names[c], cents[c]
        values = [a[c] for a in attributes]
        writer.writerows([key, name, months[i], _money(v), *(a[i] or "" for a in values)]
                         for i, v in enumerate(row) if v)
        if n % 500 == 499:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


#: the most customers the terminal lists one by one; beyond, the largest, and the others as one row
MRR_VIEW_CUSTOMERS = 100


def mrr_view(table: CustomerTable, width: int = 80, currency: str = "USD",
             limit: int = MRR_VIEW_CUSTOMERS) -> list[str]:
    """The terminal's view: customers (by key) against the latest months that fit in ``width`` columns, money
    as reports show it with cents, ``-`` for a month a customer pays nothing in, customers paying nothing in
    those months left out (and counted), a Total row, and a hint to ``--csv`` for every month and attribute.
    With more than ``limit`` customers paying, the ``limit`` largest in the latest month, largest first, and
    the others summed on one row."""
    currency = table.currency or currency
    cents = monthly_cents(table)
    order = customer_order(table)

    def shown(value: int) -> str:
        return say.currency_amount(cents_to_decimal(value), currency, 2) if value else "-"

    totals = [sum(row[i] for row in cents) for i in range(table.count)]
    cell = max(len(shown(t)) for t in totals) + 2 if totals else 10
    cell = max(cell, 10)
    fit = max(1, min(table.count, (width - 24) // cell))
    columns = range(table.count - fit, table.count)
    paying = [c for c in order if any(cents[c][i] for i in columns)]
    rest: list[int] = []
    if len(paying) > limit:  # the largest in the latest month, ties by key
        ranked = sorted(paying, key=lambda c: -cents[c][table.count - 1])
        paying, rest = ranked[:limit], ranked[limit:]
    other = say.mrr_view_others(len(rest))
    name_width = min(24, max([len("Customer"), len("Total"), *(len(table.names[c]) for c in paying),
                              len(other) if rest else 0]))
    fit = max(1, min(table.count, (width - name_width) // cell))
    columns = range(table.count - fit, table.count)
    lines = [say.mrr_view_title(len(order), table.first, table.last, currency, table.unit, fit, table.count)]
    if rest:
        lines.append(say.mrr_view_largest(limit, table.last))
    lines.append("Customer".ljust(name_width) + "".join(str(table.first + i).rjust(cell) for i in columns))
    for c in paying:
        name = table.names[c]
        name = name if len(name) <= name_width else name[:name_width - 1] + "…"
        lines.append(name.ljust(name_width) + "".join(shown(cents[c][i]).rjust(cell) for i in columns))
    if rest:
        lines.append(other[:name_width].ljust(name_width)
                     + "".join(shown(sum(cents[c][i] for c in rest)).rjust(cell) for i in columns))
    lines.append("Total".ljust(name_width) + "".join(shown(totals[i]).rjust(cell) for i in columns))
    left_out = sum(1 for c in order if not any(cents[c][i] for i in columns))
    lines.append(say.mrr_view_hint(left_out, fit < table.count))
    if (note := conversion_sentence(table.conversions)) is not None:
        lines.append(note)
    return lines
