"""What a columnar reader needs from the engine to build a customer table without the row reader, and the rules
that send it back to the row reader.

A source that reads a large table column by column (``sheets``' columnar path) asks ``columnar_plan`` (a long
table) or ``wide_plan`` (a column per month) which column is what, from the header row alone, as the row reader
would decide it; checks each column against
the plain shapes below; and hands the grid of cents to ``dense_customer_check``. Whatever it finds unusual (a
figure not plainly written, a blank or total label, a repeat, two customers alike, a month missing) is not
judged here: the source reads the file again with the row reader, which names each problem's cell, so no
message depends on which path read the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine import _messages as say
from engine._amounts import SYMBOL_CODES
from engine._billing_headers import find_billing_header
from engine._cells import DOTTED_MONTH, Cell, infer_date_order, parse_month
from engine._customer_headers import CustomerHeader, header_currency, read_customer_header, table_form
from engine._customers import _Reader, billed_per_period
from engine._dense import DenseGrid, PackedTexts
from engine._errors import CellError
from engine._fields import Unit
from engine._fx import currency_code
from engine._issues import Issue, a1
from engine._ledger import derive_ledger
from engine._month import Month
from engine._reader import LedgerCheck, _find_header, with_months_paying_nothing
from engine._table import compared, dense_table

#: a figure the columnar path reads itself: digits with at most two decimals, at most 15 digits in all (below the
#: engine's limit, 10^15, and exact as a double); anything else (a sign, a symbol, a comma, a blank) goes to the
#: row reader
PLAIN_FIGURE = r"^[0-9]{1,13}(\.[0-9]{1,2})?$"
#: a figure with four decimals or more (a float written out: ``1200.5000``, ``99.99000000000001``), which the row
#: reader rounds half up to the cent: the third decimal says which way. Three decimals are not among them: the row
#: reader refuses ``1.200`` as ambiguous (a thousands separator?), naming the cell
LONG_FIGURE = r"^[0-9]{1,13}\.[0-9]{4,}$"
#: a currency symbol the engine reads as its currency (``SYMBOL_CODES``), as a regular expression's class
_SYMBOL = "[" + "".join(SYMBOL_CODES) + "]"
#: a figure that starts with a currency symbol
SYMBOL_FIRST = f"^{_SYMBOL}"
#: a plain figure written with a currency symbol before it (``$1200.50``, as a spreadsheet formatted as currency
#: exports it when no thousands separator is shown); one symbol for the whole column, which then names the currency
MARKED_FIGURE = rf"^{_SYMBOL}[0-9]{{1,13}}(\.[0-9]{{1,2}})?$"
#: a figure whose thousands are grouped with commas (``1,250.50``, ``$12,000``), as a spreadsheet formatted with a
#: thousands separator exports it: read column by column only beside a figure with a decimal point (``250.50``),
#: which tells the row reader the file's decimals are points, not commas (``engine.read_decimal_commas``)
GROUPED_FIGURE = rf"^{_SYMBOL}?[1-9][0-9]{{0,2}}(,[0-9]{{3}}){{1,3}}(\.[0-9]{{1,2}})?$"
#: a figure the row reader passes over when it looks for decimal points and commas: a month written with a dot
#: (``2025.10``, ``engine.decimal_comma_cell``), a currency symbol before it or not
DOTTED_FIGURE = rf"^{_SYMBOL}?(?:{DOTTED_MONTH})$"
#: a figure in a column of cents (``mrr_cents``) the columnar path reads itself: whole cents, at most 15 digits;
#: anything else (a decimal point, which the row reader rounds to the cent, a sign, a separator) goes to the row reader
PLAIN_CENTS = r"^[0-9]{1,15}$"


@dataclass(frozen=True, kw_only=True)
class ColumnarPlan:
    """The columns of a long customer table headed by the first row: its customer key and name, month, figure,
    currency and attributes (by header), what the figures are (MRR or ARR) and the currency the header names."""

    key: int
    name: int
    month: int
    amount: int
    currency: int | None
    attributes: tuple[tuple[str, int], ...]
    unit: Unit
    key_headers: tuple[str, ...]
    header_currency: str | None
    #: the figure's header when it says the figures are cents (``mrr_cents``): read as such, with the row reader's
    #: warning
    cents_header: str | None = None
    #: the Subscription, Plan or Product column whose rows of one customer and month are summed (``CustomerHeader``)
    distinguisher: int | None = None


@dataclass(frozen=True, kw_only=True)
class WidePlan:
    """The columns of a wide customer table headed by the first row (one row per customer, a column per month):
    its customer key and name, attributes, and each month's column, every month from the first to the last."""

    key: int
    name: int
    months: tuple[int, ...]  # the columns of the months in calendar order, from ``first``
    first: Month
    attributes: tuple[tuple[str, int], ...]
    unit: Unit
    key_headers: tuple[str, ...]


def _customer_header(header: Sequence[Cell], form: str) -> tuple[CustomerHeader, _Reader] | None:
    """The header's roles and the row reader that would read a customer table of ``form`` under it; None when the
    row heads something else (a seven-column ledger, billing data, the other form, no table)."""
    grid = [header]
    if _find_header(grid) is not None or find_billing_header(grid) is not None:  # a ledger, or billing data
        return None
    customer = read_customer_header(header, 0)
    if table_form(customer) != form:
        return None
    return customer, _Reader(grid, None, 1, customer)


def _key_and_name(header: Sequence[Cell], reader: _Reader) -> tuple[int, int, tuple[str, ...]]:
    key = reader.key_col if reader.key_col is not None else 0
    name = reader.name_col if reader.name_col is not None else key
    return key, name, tuple(str(header[c]).strip() for c in dict.fromkeys((key, name)) if c < len(header))


def wide_plan(header: Sequence[Cell]) -> WidePlan | None:
    """The plan for a wide customer table whose header is ``header`` (the first row), as the row reader reads it;
    None when the row heads something else, or something the row reader has a word for: a month header it cannot
    read, a month twice or missing, a Total column, a Currency column (a currency per row)."""
    found = _customer_header(header, "wide")
    if found is None:
        return None
    customer, reader = found
    if customer.unreadable_months or customer.repeated_months or customer.total_columns or \
            "currency" in customer.roles:
        return None
    by_month = {m: col for col, m in customer.months.items()}
    first, last = min(by_month), max(by_month)
    if len(by_month) != last - first + 1:
        return None
    key, name, titles = _key_and_name(header, reader)
    return WidePlan(key=key, name=name, months=tuple(by_month[first + i] for i in range(len(by_month))),
                    first=first, attributes=tuple(customer.attributes.items()), unit=reader.unit,
                    key_headers=titles)


def columnar_plan(header: Sequence[Cell]) -> ColumnarPlan | None:
    """The plan for a long customer table whose header is ``header`` (the first row), as the row reader reads it;
    None when the row heads something else (a seven-column ledger, a wide table, no table)."""
    found = _customer_header(header, "long")
    if found is None:
        return None
    customer, reader = found
    key, name, titles = _key_and_name(header, reader)
    roles = customer.roles
    return ColumnarPlan(key=key, name=name, month=roles["month"], amount=roles["amount"],
                        currency=roles.get("currency"), attributes=tuple(customer.attributes.items()),
                        unit=reader.unit, key_headers=titles,
                        header_currency=header_currency(str(header[roles["amount"]])),
                        cents_header=str(header[roles["amount"]]).strip() if reader.in_cents else None,
                        distinguisher=customer.distinguisher)


def month_indexes(values: Sequence[str]) -> tuple[Month, int, list[int]] | None:
    """The first month, the number of months and each value's month index, when every value reads as a month and
    no month between the first and the last is missing; None otherwise (the row reader says which cell)."""
    order = infer_date_order(list(values))
    try:
        months = [parse_month(v, order) for v in values]
    except CellError:
        return None
    if not months:
        return None
    first, last = min(months), max(months)
    if len(set(months)) != last - first + 1:
        return None
    return first, last - first + 1, [m - first for m in months]


def any_alike(keys: Sequence[str]) -> bool:
    """Whether two of these customer keys differ only in case or spacing (the row reader warns of them)."""
    return len({compared(k) for k in keys}) != len(keys)


def currency_codes(written: Iterable[str]) -> set[str]:
    """The currencies a Currency column's distinct cells name, as the row reader reads them (``eur`` and ``€`` are
    EUR; a blank cell names none)."""
    return {currency_code(v) for v in written if v.strip()}


def table_currency(plan: ColumnarPlan, currencies: Sequence[str] = ()) -> str | None:
    """The table's currency code, as the row reader finds it: the Currency column's one value, else the one the
    figure's header names (``MRR (EUR)``); None when neither is a three-letter code."""
    currency = currencies[0].strip().upper() if len(currencies) == 1 else plan.header_currency
    return currency if currency is not None and re.fullmatch(r"[A-Z]{3}", currency) else None


def dense_customer_check(first: Month, count: int, keys: Sequence[str], names: Sequence[str], grid: DenseGrid,
                         attribute_names: Sequence[str], unit: Unit = "MRR", currency: str | None = None,
                         key_headers: tuple[str, ...] = (), shared: frozenset[str] | None = None,
                         cents_column: tuple[int, str] | None = None, summed_by: str | None = None,
                         total_rows: Sequence[tuple[str, int, int]] = ()) -> LedgerCheck:
    """The checked ledger of a customer table read column by column (or kept so): ``grid`` holds ``keys``' cents
    (customers in order of first sight), ``names`` each one's name (each a sequence, or ``PackedTexts``).
    ``cents_column``: the figure's column and header, when the header says it holds cents (warned of, as the row
    reader does); ``summed_by``: the attribute that told apart the rows of a customer and month that were summed;
    ``total_rows``: the rows left out as totals, each as its label, sheet row and column (warned of, label by label,
    as the row reader warns of them)."""
    keys, names = (t if isinstance(t, PackedTexts) else tuple(t) for t in (keys, names))
    total_rows = tuple((str(label), int(row), int(col)) for label, row, col in total_rows)
    table = dense_table(first, count, keys, names, grid, attribute_names, unit, currency, key_headers, shared=shared,
                        cents_column=cents_column, summed_by=summed_by, total_rows=total_rows)
    # the row reader's one warning about a clean table: customers paying one month in twelve (or three). Only a
    # customer with two paid months and no two in a row can be one, a few at most: those are looked at one by one
    paid = grid.cents != 0
    maybe = (paid.sum(axis=1) >= 2) & ~(paid[:, 1:] & paid[:, :-1]).any(axis=1)
    warnings = billed_per_period(table, None, rows=[int(c) for c in maybe.nonzero()[0]])
    totals: dict[str, list[str]] = {}
    for label, row, col in total_rows:
        totals.setdefault(label, []).append(a1(row, col))
    warnings[:0] = [Issue(severity="warning", code="total_row", message=say.total_rows(label, len(cells)),
                          cells=tuple(cells)) for label, cells in totals.items()]
    if cents_column is not None:  # the header on the file's first line, as the columnar path reads it
        col, title = cents_column
        warnings.insert(0, Issue(severity="warning", code="read_as_cents", message=say.read_as_cents(unit, title),
                                 cells=(a1(1, col),)))
    ledger = with_months_paying_nothing(derive_ledger(table, tuple(warnings)), warnings)
    return LedgerCheck(ledger=ledger, issues=warnings, rows=ledger.rows, layout=None, unit=ledger.unit)
