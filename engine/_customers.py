"""Reading customer tables: one MRR figure per customer per month, read from a grid into a ``CustomerTable``.

The jobs around it live beside it: header recognition in ``engine._customer_headers`` (the total-row words
shared with the ledger's reader in ``engine._headers``), money cells to cents in ``engine._amounts``, the
table and its movements in ``engine._table``, and the ledger a table implies in ``engine._ledger``
(``derive_ledger``); ``engine._ledger_table`` prints it.

Two forms are recognised from the headers, with the same forgiving matching as the ledger's:

- long: one row per customer and month (Customer or Customer ID, Month, MRR; other columns are
  attributes such as Segment or Plan);
- wide: one row per customer, one column per month (headed by a date, a serial number or a month
  such as ``Jan 2026``); a blank cell is 0.

Money is kept in integer cents, so sums are exact and fast: 10,000 customers over 60 months is
600,000 small ints in per-customer lists. The movements follow dbt's mrr-playbook: new,
expansion, contraction, churn and reactivation, month m against month m-1.

    >>> table = read_customers([["Customer", "Month", "MRR"], ["Acme", "2026-01", "100"],
    ...                         ["Acme", "2026-02", "120"], ["Beta", "2026-02", "50"]]).table
    >>> [(str(m.month), m.start, m.expansion, m.new) for m in table.movements]
    [('2026-02', 10000, 2000, 5000)]
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from engine import _messages as say
from engine._amounts import currency_mark, parse_cents
from engine._cells import (
    MONTH_EXPECTED,
    Cell,
    infer_date_order,
    is_blank,
    is_empty,
    parse_month,
    show,
)
from engine._customer_headers import (
    CustomerHeader,
    find_customer_header,
    header_currency,
    header_tokens,
    in_cents,
    missing_roles,
    named_header,
    read_customer_header,
    repeats_header,
    table_form,
)
from engine._errors import AmountError, CellError
from engine._fields import Unit
from engine._fx import CODE, FxRates, FxUse, convert_cents, currency_code, fx_use, round_half_even
from engine._headers import (
    SUBTOTAL,
    any_total_label,
    holds_an_id,
    is_period_label,
    is_total_label,
    match_header,
    subtotal_of,
    total_labels,
)
from engine._issues import Issue, Severity, a1
from engine._month import Month
from engine._options import NO_OPTIONS, ReadOptions
from engine._table import CustomerTable, compared, fewer_gc_pauses


@dataclass
class CustomerCheck:
    """What ``read_customers`` found: the table (None when there are errors) and every issue."""

    table: CustomerTable | None
    issues: list[Issue] = field(default_factory=list)



#: a customer key that is a whole number written as a float (``1001.0``): a column of them reads ``1001``
FLOAT_KEY = r"^\s*[0-9]+\.0+\s*$"
#: a customer key that is a whole number, written as one or as a float (``1001``, ``00123``, ``1001.0``)
WHOLE_KEY = r"^\s*([0-9]+)(\.0+)?\s*$"
_WHOLE_ID = re.compile(WHOLE_KEY)


def _distinct(body: Sequence[Sequence[Cell]], col: int) -> set[Cell]:
    """The distinct cells of column ``col`` (None for a row too short to have one), at C speed when every row has
    it; a cell that cannot be hashed (``Decimal('sNaN')``, which no source sends but a grid may hold) is left out."""
    try:
        if body and min(map(len, body)) > col:
            return set(map(operator.itemgetter(col), body))
        return {row[col] if col < len(row) else None for row in body}
    except TypeError:
        return {v for row in body if not _unhashable(v := row[col] if col < len(row) else None)}


def _unhashable(value: Cell) -> bool:
    return isinstance(value, Decimal) and value.is_snan()


def _text(value: Cell) -> str | None:
    """A key or attribute cell as text: IDs stay text (``00123``); ``123.0`` from a sheet is ``123``."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _usual_names(pairs: Iterable[tuple[Cell, Cell]]) -> dict[Cell, str]:
    """Each key's name as most of its rows write it (ties: the first in sort order), not as its first row does;
    a blank name does not count, and a key with none is left out.

    >>> _usual_names([("7", "ACME INC"), ("7", "Acme Inc"), ("7", "Acme Inc"), ("8", None)])
    {'7': 'Acme Inc'}
    """
    counts = collections.Counter((key, text) for key, name in pairs if (text := _text(name)) is not None)
    best: dict[Cell, tuple[int, str]] = {}
    for (key, text), n in counts.items():
        if key not in best or (-n, text) < (-best[key][0], best[key][1]):
            best[key] = (n, text)
    return {key: text for key, (_, text) in best.items()}


class _Builder:
    """Customers in order of first appearance, each with a row of cents per month."""

    def __init__(self, count: int, attributes: Sequence[str]) -> None:
        self.count = count
        self.index: dict[str, int] = {}
        self.names: list[str] = []
        self.mrr: list[list[int]] = []
        self.rows: list[list[int]] = []  # the sheet row each figure came from (0: none)
        self.attribute_names = list(attributes)
        self.attributes: dict[str, list[list[str | None]]] = {a: [] for a in attributes}
        self.lazy: Callable[[], Mapping[str, tuple[list[str | None], ...]]] | None = None
        self.summed = False  # whether rows a Subscription, Plan or Product column told apart were summed
        #: (key, name cell) of every row read one by one, when the table has a name column beside the key
        self.named: list[tuple[str, Cell]] = []

    def customer(self, key: str, name: str) -> int:
        c = self.index.get(key)
        if c is None:
            c = self.index[key] = len(self.names)
            self.names.append(name)
            self.mrr.append([0] * self.count)
            self.rows.append([0] * self.count)
            for a in self.attribute_names:
                self.attributes[a].append([None] * self.count)
        return c


def read_customers(grid: Sequence[Sequence[Cell]], *, sheet: str | None = None, first_row: int = 1,
                   options: ReadOptions = NO_OPTIONS) -> CustomerCheck:
    """The customer table in ``grid`` with every error and warning, one line each, naming the cell.

    With ``options.fx``, figures in other currencies than the reporting one (a Currency column's, or as a
    figure is written: ``€50``, ``EUR 50``) are converted into it month by month (``engine._fx``); without,
    a table in more than one currency is refused."""
    index: int | str | None = named_header(grid, options.columns, first_row) if options.columns else \
        find_customer_header(grid)
    if index is None or isinstance(index, str):
        message = say.no_header("MRR") if index is None else index
        return CustomerCheck(None, [Issue(severity="error", code="no_header", message=message, cells=(),
                                          month=None, sheet=sheet)])
    header = read_customer_header(grid[index], index, options.columns)
    if options.columns and table_form(header) != "long":
        return CustomerCheck(None, [Issue(severity="error", code="no_header", sheet=sheet, cells=(), month=None,
                                          message=say.named_columns_short(options.columns, index + first_row,
                                                                          missing_roles(header)))])
    with fewer_gc_pauses():
        try:
            return _Reader(grid, sheet, first_row, header, options.fx, options.today).run()
        except TypeError:  # a cell that cannot be hashed (Decimal('sNaN'), which no source sends): read again with
            # each such cell a quiet NaN, which is named as not an amount or not a month like any other
            if not any(_unhashable(v) for row in grid for v in row):
                raise
            quiet = [[Decimal("NaN") if _unhashable(v) else v for v in row] for row in grid]
            return _Reader(quiet, sheet, first_row, header, options.fx, options.today).run()


#: the month cells a table none of whose months reads names one by one; more are counted in one more error
BAD_MONTHS_NAMED = 20


class _Reader:
    def __init__(self, grid: Sequence[Sequence[Cell]], sheet: str | None, first_row: int,
                 header: CustomerHeader, fx: FxRates | None = None, today: Month | None = None) -> None:
        self.grid, self.sheet, self.first_row, self.header = grid, sheet, first_row, header
        self.fx = fx
        #: the month in progress, when known: a month from it on is not missing between the others (it has not
        #: closed; a row of a month ahead, laid out early or a year typed wrong, is warned of by ``months_ahead``)
        self.today = today
        #: with rates, read row by row: each customer-month's figures in other currencies than the reporting one
        self.parts: dict[tuple[int, int], dict[str, int]] | None = {} if fx is not None else None
        self.codes: dict[str, None] = {}  # with rates, read row by row: every currency a figure is in
        self.mark_of: dict[str, str | None] = {}  # a figure's text -> the currency it is written in
        self.unstated: tuple[str, str] | None = None  # the first figure with no currency: (cell, as shown)
        self.converted: tuple[FxUse, ...] = ()
        self.issues: list[Issue] = []
        amount_col = header.roles.get("amount")
        amount_header = grid[header.index][amount_col] if amount_col is not None else ""
        self.unit: Unit = "ARR" if isinstance(amount_header, str) and {"arr", "annual"} & header_tokens(amount_header) \
            else "MRR"
        if amount_col is None and (header.month_unit == "ARR" or any(
                isinstance(v, str) and (m := match_header(v)) and m.unit == "ARR" for v in grid[header.index])):
            self.unit = "ARR"  # ARR Nov 2025, ARR Dec 2025; or an ARR column beside the months
        #: the figures are cents (a column headed ``mrr_cents``): read as such, and said in a warning
        self.in_cents = isinstance(amount_header, str) and in_cents(amount_header)
        self.key_col = header.roles.get("id", header.roles.get("name"))
        self.name_col = header.roles.get("name", self.key_col)
        self.currencies: dict[str, str] = {}  # code -> its first cell
        self.marks: dict[str, str] = {}  # the currency figures are written in ($, EUR ...) -> its first cell
        #: the key column, the first data row's sheet row and each key's row index, when read column by column
        self.fast_rows: tuple[list[Cell], int, Sequence[int]] | None = None
        self.totals: dict[str, list[str]] = {}  # a total row's label -> the cells that hold it
        #: ``Total Acme Holdings`` under the rows of Acme Holdings' sub-customers (QuickBooks Desktop's Sales by
        #: Customer): a key or name cell "Total X" where X is another row's customer
        self.subtotals = self.find_subtotals()
        #: a customer's rows in one month with different values of an attribute: (key, column) -> its index, the
        #: first such month's index, the values, the cells of the first two rows and how many months
        self.split: dict[tuple[str, int], tuple[int, int, set[str], list[str], set[int]]] = {}
        #: what each held attribute value weighs, when a customer has several rows: the figure of its row
        self.weights: dict[tuple[int, int, int], int] = {}

    def add(self, severity: Severity, code: str, message: str, cells: Sequence[str] = (),
            month: Month | None = None) -> None:
        self.issues.append(Issue(severity=severity, code=code, message=message, cells=tuple(cells), month=month,
                                 sheet=self.sheet))

    def data(self) -> range:
        return range(self.header.index + 1, len(self.grid))

    def run(self) -> CustomerCheck:
        form = table_form(self.header)
        if form == "wide" and self.header.unreadable_months:
            row = self.grid[self.header.index]
            for col, expected in self.header.unreadable_months.items():
                self.add("error", "bad_month", say.unreadable("Month", show(row[col]), expected),
                         [a1(self.first_row + self.header.index, col)])
            return CustomerCheck(None, self.issues)
        builder = self.read_long() if form == "long" else self.read_wide()
        for col, text in self.header.total_columns.items():
            self.add("warning", "total_column", say.total_column(text), [a1(self.first_row + self.header.index, col)])
        if self.in_cents:
            col = self.header.roles["amount"]
            title = str(self.grid[self.header.index][col]).strip()
            self.add("warning", "read_as_cents", say.read_as_cents(self.unit, title),
                     [a1(self.first_row + self.header.index, col)])
        if builder is not None and self.fx is not None and not any(i.severity == "error" for i in self.issues):
            self.convert(builder, self.fx)
        elif len(self.currencies) > 1:
            title = str(self.grid[self.header.index][self.header.roles["currency"]]).strip()
            self.add("error", "mixed_currency", say.currencies_mixed(title, list(self.currencies.items())),
                     list(self.currencies.values()))
        said = {c for i in self.issues if i.code == "bad_currency" for c in i.cells}
        for code, cell in self.currencies.items():  # "British Pound": no code to say figures in, said once
            if not CODE.fullmatch(code) and cell not in said:
                self.add("error", "bad_currency", say.not_a_currency_code(code.title()), [cell])
        named = self.header_currency()
        if named is not None and "currency" in self.header.roles and any(c != named for c in self.currencies):
            # MRR (USD) beside a Currency column of EUR: either could be wrong, and each gives another answer
            col, currency_col = self.header.roles["amount"], self.header.roles["currency"]
            header_cell = a1(self.first_row + self.header.index, col)
            others = [(code, cell) for code, cell in self.currencies.items() if code != named]
            self.add("error", "mixed_currency", say.header_currency_disagrees(
                str(self.grid[self.header.index][col]).strip(), named, header_cell,
                str(self.grid[self.header.index][currency_col]).strip(), others),
                [header_cell, *(cell for _, cell in others)])
        elif named is not None and any(code != named for code in self.marks):  # MRR (EUR) over $100
            col = self.header.roles["amount"]
            listed = {named: a1(self.first_row + self.header.index, col), **self.marks}
            self.add("error", "mixed_currency", say.figures_in_currencies(self.unit, list(listed.items())),
                     list(listed.values()))
        elif len(self.marks) > 1 and (self.fx is None or builder is None):
            self.add("error", "mixed_currency", say.figures_in_currencies(self.unit, list(self.marks.items())),
                     list(self.marks.values()))
        for label, cells in self.totals.items():
            self.add("warning", "total_row", say.total_rows(label, len(cells)), cells)
        if builder is not None:
            self.warn_split(builder)
            self.warn_alike(builder)  # with the errors too: fixing them should not bring new warnings to light
        if builder is None or any(i.severity == "error" for i in self.issues):
            return CustomerCheck(None, self.issues)
        if not builder.names:
            self.add("error", "empty", say.customers_empty())
            return CustomerCheck(None, self.issues)
        return CustomerCheck(self.table(builder), self.issues)

    def table(self, b: _Builder) -> CustomerTable:
        attributes = {a: tuple(b.attributes[a]) for a in b.attribute_names}
        currency = next(iter(self.currencies), None) if len(self.currencies) == 1 else None
        summed_by = next((a for a, col in self.header.attributes.items() if col == self.header.distinguisher),
                         None) if b.summed else None
        if currency is None and not self.currencies and len(self.marks) == 1:
            currency = next(iter(self.marks))  # every figure written €1,200: the table is in euros
        if currency is None and not self.currencies and not self.marks:
            currency = self.header_currency()  # MRR (EUR)
        if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
            currency = None  # "$" or "US dollar": not a code to show money in
        if self.converted:
            currency = self.converted[0].reporting
        header = self.grid[self.header.index]
        keys = tuple(str(header[c]).strip() for c in dict.fromkeys((self.key_col, self.name_col))
                     if c is not None and c < len(header))
        names = b.names
        if b.named:  # each customer shown with the name most of its rows have, not its first row's
            usual = _usual_names(b.named)
            names = [usual.get(key) or name for key, name in zip(b.index, b.names, strict=True)]
        return CustomerTable(first=self.first, count=b.count, keys=tuple(b.index), names=tuple(names),
                             mrr=tuple(map(tuple, b.mrr)),
                             attribute_names=tuple(b.attribute_names), fill_attributes=b.lazy or (lambda: attributes),
                             unit=self.unit, currency=currency, summed_by=summed_by, key_headers=keys,
                             conversions=self.converted)

    def repeated(self, key: str, sub: str | None, this_month: bool) -> str:
        """Why a customer's second row is an error: no column tells its rows apart, or this one shares its value."""
        col = self.header.distinguisher
        if col is None:
            return say.customer_repeated(key) if this_month else say.customer_repeated_row(key)
        return say.customer_rows_share(key, str(self.grid[self.header.index][col]).strip(), sub, this_month)

    def cell(self, row: Sequence[Cell], col: int | None) -> Cell:
        return row[col] if col is not None and col < len(row) else None

    def key(self, row: Sequence[Cell]) -> tuple[str, str] | None:
        key = _text(self.cell(row, self.key_col))
        if key is None:
            return None
        return key, _text(self.cell(row, self.name_col)) or key

    def mark(self, value: Cell, cell: str) -> None:
        """Note the currency a readable figure is written in, with the first cell that shows it."""
        code = currency_mark(value)
        if type(value) is str:
            self.mark_of[value] = code
        if code is not None:
            self.marks.setdefault(code, cell)

    def amount(self, value: Cell, sheet_row: int, col: int, month: Month | None) -> int | None:
        try:
            cents = parse_cents(value, self.in_cents)
            self.mark(value, a1(sheet_row, col))
            return cents
        except AmountError as exc:
            if exc.expected is not None:
                self.add("error", "bad_amount", say.unreadable(self.unit, show(value), exc.expected),
                         [a1(sheet_row, col)], month)
            else:
                assert exc.value is not None
                self.add("error", "negative", say.customer_negative(self.unit, exc.value, show(value)),
                         [a1(sheet_row, col)], month)
            return None

    def find_subtotals(self) -> frozenset[str]:
        """The key and name cells that read ``Total X`` where X is another row's customer (``subtotals``)."""
        cols = {c for c in (self.key_col, self.name_col) if c is not None}
        body = self.grid[self.header.index + 1:]
        texts = {v for c in cols for v in _distinct(body, c) if type(v) is str}
        if not texts or not SUBTOTAL.search("\n".join(texts)):
            return frozenset()  # the common case: one search, at C speed
        names = {compared(v) for v in texts}
        return frozenset(v for v in texts if (of := subtotal_of(v)) is not None and compared(of) in names)

    def without_totals(self, body: Sequence[Sequence[Cell]]) -> Sequence[Sequence[Cell]]:
        """``body`` without its total rows (a customer or name cell that reads as a total, or a subtotal), found
        among the distinct labels: ``body`` itself, as it is, when it has none. Nothing is noted (``total_row``
        notes them)."""
        cols = [c for c in dict.fromkeys((self.key_col, self.name_col)) if c is not None]
        totals = {t for c in cols for t in total_labels(_distinct(body, c))} | self.subtotals
        if not totals:
            return body
        return [row for row in body
                if not any(isinstance(v := self.cell(row, c), str) and v in totals and self.reads_as_total(row, c)
                           for c in cols)]

    def reads_as_total(self, row: Sequence[Cell], col: int | None) -> bool:
        """Whether the row's cell in ``col`` marks it a total row. A name that reads as one (``Subtotal Labs``,
        ``Sum``, ``Total Fitness`` beside a customer Fitness) on a row with a customer ID of its own is a customer's
        name (fuzz 16: Subtotal Labs' churn was left out); on a row whose ID cell is blank, a dash or a total's label
        too, it marks a total."""
        value = self.cell(row, col)
        if not isinstance(value, str) or not (value in self.subtotals or is_total_label(value)):
            return False
        if col is not None and col == self.name_col and self.key_col is not None and self.key_col != col:
            return not holds_an_id(self.cell(row, self.key_col))
        return True

    def total_row(self, row: Sequence[Cell], sheet_row: int) -> bool:
        """A row whose customer, name or (long form) month cell reads as a total: noted, for one warning
        per label, and left out."""
        for col in dict.fromkeys((self.key_col, self.name_col, self.header.roles.get("month"))):
            value = self.cell(row, col)
            if isinstance(value, str) and self.reads_as_total(row, col):
                self.totals.setdefault(value.strip(), []).append(a1(sheet_row, col or 0))
                return True
        return False

    def header_currency(self) -> str | None:
        """The currency the figure column's header names (``MRR (EUR)``, ``MRR (€)``), if any."""
        col = self.header.roles.get("amount")
        return None if col is None else header_currency(str(self.grid[self.header.index][col]))

    def currency(self, row: Sequence[Cell], sheet_row: int) -> str | None:
        """The row's Currency cell as a code (``eur`` and ``€`` are EUR), noted with its first cell."""
        col = self.header.roles["currency"]
        text = _text(self.cell(row, col))
        if text is None or not text.strip():
            return None
        code = currency_code(text)
        self.currencies.setdefault(code, a1(sheet_row, col))
        return code

    def part(self, c: int, i: int, code: str | None, value: Cell, cents: int, sheet_row: int, col: int) -> None:
        """With rates: note that customer ``c`` has ``cents`` in month ``i`` in ``code``, the row's currency, else
        the one the figure is written in (``€50``); a figure with neither is noted as unstated."""
        if self.parts is None or not cents:
            return
        if code is None and type(value) is str:
            code = self.mark_of.get(value, "")
            if code == "":
                code = self.mark_of[value] = currency_mark(value)
        if code is None:
            if self.unstated is None:  # the blank Currency cell, else the figure that says none
                self.unstated = (a1(sheet_row, self.header.roles.get("currency", col)), show(value))
            return
        if code not in self.codes:
            self.codes[code] = None
        assert self.fx is not None
        if code != self.fx.reporting:
            held = self.parts.setdefault((c, i), {})
            held[code] = held.get(code, 0) + cents

    def convert(self, b: _Builder, fx: FxRates) -> None:
        """Every figure into ``fx``'s reporting currency, customer-month by customer-month, rounded half to even
        once; or the errors that stop it: a currency without a rate (with the nrr.toml lines that give it), a
        month before a currency's first monthly rate, a figure with no currency among several."""
        if self.converted:
            return  # already, column by column (``fast_convert``)
        firsts = {**self.marks, **self.currencies}
        stated = set(self.codes) if self.codes else set(self.currencies) | set(self.marks)
        firsts = {code: cell for code, cell in firsts.items() if code in stated}
        ordered = sorted(stated, key=lambda code: firsts.get(code, ""))
        if len(stated) <= 1:
            code = next(iter(stated), None)
            if code is None:
                code = self.header_currency()  # MRR (EUR)
            if code is None or code == fx.reporting or not fx.knows(code) or not CODE.fullmatch(code):
                return  # one currency and no rate for it: the table is answered in it, as without rates
            self.convert_all(b, fx, code)
            return
        listed = [(code, firsts.get(code, "")) for code in ordered]
        for code in ordered:
            if not CODE.fullmatch(code):  # "US Dollar": not a code a rate can be given for
                self.add("error", "bad_currency", say.not_a_currency_code(code), [firsts.get(code, "")])
        if any(not CODE.fullmatch(code) for code in ordered):
            return
        missing = [code for code in ordered if not fx.knows(code)]
        if missing:
            what = (f"The {str(self.grid[self.header.index][self.header.roles['currency']]).strip()} column holds"
                    if "currency" in self.header.roles else f"The {self.unit} figures are in")
            self.add("error", "mixed_currency", say.currencies_without_rates(what, listed, missing, fx.reporting),
                     [cell for _, cell in listed])
            return
        if self.unstated is not None:
            column = self.grid[self.header.index][self.header.roles["currency"]] if "currency" in self.header.roles \
                else None
            self.add("error", "no_currency", say.figure_without_currency(
                self.unit, self.unstated[1], listed, str(column).strip() if column is not None else None),
                [self.unstated[0]])
            return
        assert self.parts is not None
        months: dict[str, set[int]] = {code: set() for code in stated if code != fx.reporting}
        for (_, i), held in self.parts.items():
            for code in held:
                months[code].add(i)
        if not self.rates_cover(fx, months, firsts):
            return
        for (c, i), held in self.parts.items():  # the rest of the customer-month is in the reporting currency
            own = b.mrr[c][i] - sum(held.values())
            b.mrr[c][i] = convert_cents({**held, fx.reporting: own} if own else held, fx, self.first + i)
        self.converted = tuple(fx_use(code, fx, (self.first + i for i in months[code]))
                               for code in ordered if code != fx.reporting and months[code])

    def rates_cover(self, fx: FxRates, months: Mapping[str, set[int]], firsts: Mapping[str, str]) -> bool:
        """Whether every currency has a rate in every month it has figures; an error for the first that has not."""
        ok = True
        for code, used in months.items():
            for i in sorted(used):
                if fx.rate(code, self.first + i) is None:
                    first = min(fx.monthly.get(code) or {self.first + i})
                    self.add("error", "no_rate", say.currency_rate_missing_month(
                        code, self.first + i, first, fx.monthly_source), [firsts.get(code, "")] if firsts.get(code)
                        else [], self.first + i)
                    ok = False
                    break
        return ok

    def convert_all(self, b: _Builder, fx: FxRates, code: str) -> None:
        """A table in one currency, not the reporting one: every figure times its month's rate."""
        used = {i for row in b.mrr for i, cents in enumerate(row) if cents}
        firsts = {**self.marks, **self.currencies}
        if not self.rates_cover(fx, {code: used}, firsts):
            return
        for i in used:
            rate = fx.rate(code, self.first + i)
            assert rate is not None
            p, q = rate.as_integer_ratio()
            for row in b.mrr:
                if row[i]:
                    row[i] = round_half_even(row[i] * p, q)
        self.converted = (fx_use(code, fx, (self.first + i for i in used)),)

    def weigh(self, values: list[str | None], c: int, col: int, i: int, cell: Cell, cents: int, held_cents: int,
              key: str, rows: tuple[int, int]) -> None:
        """Another row of customer ``c`` in month ``i`` whose ``col`` reads ``cell``: the customer takes the value
        of its row with the largest figure that month, ties by the value first in sort order, so the order of
        the rows does not matter. ``held_cents``: the first row's figure (what the value held weighs, until
        another row's wins). Different values are noted, for one warning per customer and column naming the
        cells of ``rows`` (the sheet rows of the first row and this one)."""
        weight = self.weights.setdefault((c, col, i), held_cents)
        value = _text(cell)
        if value is None:
            return
        held = values[i]
        if held is None or not held.strip():
            values[i], self.weights[(c, col, i)] = value, cents
            return
        if compared(value) != compared(held) and col != self.header.distinguisher:
            split = self.split.get((key, col))
            if split is None or i < split[1]:  # named by its earliest month, whatever the rows' order (as in SQL)
                seen, months = (set(), set()) if split is None else (split[2], split[4])
                split = self.split[(key, col)] = (c, i, seen, [a1(r, col) for r in rows], months)
            split[2].update((held, value))
            split[4].add(i)
        if (-cents, value) < (-weight, held):
            values[i], weight = value, cents
        self.weights[(c, col, i)] = weight

    def warn_split(self, b: _Builder) -> None:
        """One warning per customer and attribute whose rows in one month disagree, naming the value it takes."""
        titles = {col: name for name, col in self.header.attributes.items()}
        for (key, col), (c, i, values, cells, months) in self.split.items():
            title = titles[col]
            chosen = b.attributes[title][c][i]
            assert chosen is not None
            self.add("warning", "rows_disagree", say.customer_rows_disagree(
                key, title, sorted(values), chosen, self.unit, len(months)), cells, self.first + i)

    def set_attributes(self, b: _Builder, c: int, row: Sequence[Cell], i: int | None) -> None:
        for name, col in self.header.attributes.items():
            value = _text(self.cell(row, col))
            if value is None:
                continue
            values = b.attributes[name][c]
            if i is None:
                values[:] = [value] * b.count
            elif values[i] is None:
                values[i] = value

    # -- long form --

    def read_long(self) -> _Builder | None:
        """One row per customer and month. The loop is the hot path of a 300,000-row table: plain
        text figures and months take a fast path; anything else goes through the engine's parsers."""
        month_col = self.header.roles["month"]
        amount_col = self.header.roles["amount"]
        key_col = self.key_col if self.key_col is not None else 0
        self.whole_keys(key_col)
        rows = self.data()
        grid, first_row = self.grid, self.first_row
        body = grid[self.header.index + 1:]
        distinct = {v for v in _distinct(body, month_col) if not is_blank(v)}
        order = infer_date_order([v for v in distinct if isinstance(v, str)])
        months: dict[Cell, Month | None] = {}
        why: dict[Cell, str] = {}  # what an unreadable month cell should be instead
        for value in distinct:
            try:
                months[value] = parse_month(value, order)
            except CellError as exc:
                months[value], why[value] = None, exc.expected
        found = [m for m in months.values() if m is not None]
        if not found:
            if not distinct:
                self.add("error", "empty", say.customers_empty())
            else:
                self.report_bad_months(months, why, month_col)
            return None
        unlanded = self.unlanded(body, months, month_col, amount_col)
        if unlanded:
            found = [m for m in found if m not in unlanded]
        self.first = min(found)
        present = set(found)
        missing = [m for m in (self.first + i for i in range(max(found) - self.first))
                   if m not in present and not self.begun_after(m)]
        if missing:
            self.add("error", "missing_month", say.month_rows_missing(missing, self.unit))
        builder = _Builder(max(found) - self.first + 1, list(self.header.attributes))
        index_of = {v: (m - self.first if m is not None and m not in unlanded else None) for v, m in months.items()}
        distinguisher = self.header.distinguisher
        subscriptions: dict[tuple[int, int], dict[str | None, int]] = {}
        name_col = self.name_col if self.name_col is not None else key_col
        attributes = [(col, builder.attributes[name]) for name, col in self.header.attributes.items()]
        with_currency = "currency" in self.header.roles
        width = max(key_col, name_col, month_col, amount_col, *(col for col, _ in attributes),
                    self.header.roles.get("currency", 0)) + 1  # every column read by index, the currency's too
        if self.fast_long(builder, index_of, width):
            return builder
        index, mrr, sources = builder.index, builder.mrr, builder.rows
        # total rows are rare: look for their labels once, column by column, not on every row
        totals = bool(self.subtotals) or any(any_total_label(_distinct(body, col))
                                             for col in {key_col, name_col, month_col})
        known: dict[str, int] = {}  # figures repeat month after month: each text is parsed once
        for r in rows:
            row = grid[r]
            if len(row) < width:
                row = [*row, *([None] * (width - len(row)))]
            key, month_cell, amount_cell = row[key_col], row[month_col], row[amount_col]
            sheet_row = first_row + r
            if totals and self.total_row(row, sheet_row):
                continue
            if type(key) is not str or not key or key.isspace():
                if is_blank(key) and is_blank(amount_cell) and (name_col == key_col or is_blank(row[name_col])
                                                                 or is_blank(month_cell)):
                    # no customer and no figure: a blank row, or a date spine's month with nobody in it; nor a
                    # month and a figure: a note under the table in the name's column (Salesforce's "Confidential
                    # Information - Do Not Distribute" footer, with Account Name before Account ID)
                    continue
                if (text := self.key(row)) is None:
                    name = _text(row[name_col]) if name_col != key_col else None
                    title = str(self.grid[self.header.index][key_col]).strip()
                    message = (say.customer_id_missing(name, title) if name is not None
                               else say.customer_missing(self.unit))
                    self.add("error", "no_customer", message, [a1(sheet_row, key_col)])
                    continue
                key = text[0]
            i = index_of.get(month_cell)
            if i is None and months.get(month_cell) in unlanded:
                continue  # a month not closed yet: said once, in ``unlanded``
            if i is None and type(month_cell) is str and (is_total_label(month_cell) or is_period_label(month_cell)):
                self.totals.setdefault(month_cell.strip(), []).append(a1(sheet_row, month_col))
                continue
            if i is None and ((is_blank(amount_cell) and is_blank(month_cell))
                              or repeats_header(row, self.grid[self.header.index])):
                continue  # a note under the table, or the header again where two exports were pasted together
            if i is None:
                found_text = "(blank)" if is_blank(month_cell) else show(month_cell)
                self.add("error", "bad_month", say.unreadable("Month", found_text, why.get(month_cell, MONTH_EXPECTED)),
                         [a1(sheet_row, month_col)])
                continue
            code = self.currency(row, sheet_row) if with_currency else None
            cents = known.get(amount_cell) if type(amount_cell) is str else None
            if cents is None:
                try:
                    cents = parse_cents(amount_cell, self.in_cents)
                except AmountError:
                    self.amount(amount_cell, sheet_row, amount_col, self.first + i)
                    continue
                if type(amount_cell) is str:
                    known[amount_cell] = cents
                    self.mark(amount_cell, a1(sheet_row, amount_col))
            c = index.get(key)
            if c is None:
                c = builder.customer(key, _text(row[name_col]) or key)
            if name_col != key_col:
                builder.named.append((key, row[name_col]))
            earlier = sources[c][i]
            if earlier:
                sub = _text(self.cell(row, distinguisher))
                seen = subscriptions.get((c, i))
                if seen is None:
                    first_sub = _text(self.cell(grid[earlier - first_row], distinguisher))
                    seen = subscriptions[(c, i)] = {first_sub: earlier}
                if distinguisher is None or sub in seen:
                    cells = [a1(seen.get(sub, earlier), key_col), a1(sheet_row, key_col)]
                    self.add("error", "repeated_customer", self.repeated(key, sub, True), cells, self.first + i)
                    continue
                seen[sub] = sheet_row
                for col, values in attributes:
                    self.weigh(values[c], c, col, i, row[col], cents, mrr[c][i], key, (earlier, sheet_row))
                mrr[c][i] += cents
                self.part(c, i, code, amount_cell, cents, sheet_row, amount_col)
                builder.summed = True
                continue
            sources[c][i] = sheet_row
            mrr[c][i] = cents
            self.part(c, i, code, amount_cell, cents, sheet_row, amount_col)
            for col, values in attributes:
                value = row[col]
                if value and values[c][i] is None:  # a cell of spaces is blank, as ``_text`` reads it
                    values[c][i] = value if type(value) is str and not value.isspace() else _text(value)
        return builder

    def whole_keys(self, key_col: int) -> None:
        """A customer column of whole numbers, some written otherwise than the rest, is read as one ID per number:
        ``1001.0`` (pandas writes an ID column so when a cell of it is blank) is ``1001``, as a database's float
        column and a spreadsheet's number cells are; ``123`` (a typed number) beside ``00123`` (pasted text, or a
        number shown in the format 00000) is ``00123``, with a warning. Fuzz 16 read 1001.0 and 1001, and 123 and
        00123, as two customers each: NRR 0% for 100%."""
        start = self.header.index + 1
        body = self.grid[start:]
        if not body or min(map(len, body)) <= key_col:
            return
        keys = _distinct(body, key_col)
        if all(type(k) is str and "." not in k and k[:1] != "0" for k in keys):
            return  # the common case: no key written as a float or with a leading zero, nor as a number cell
        digits: dict[Cell, str] = {}  # each key's digits as written
        for k in keys:
            if is_empty(k):
                continue
            if (type(k) is int and k >= 0) or (type(k) is float and k >= 0 and k.is_integer()):
                digits[k] = str(int(k))
            elif type(k) is str and (m := _WHOLE_ID.fullmatch(k)):
                digits[k] = m[1]
            else:
                return  # not every key a whole number: each is read as written
        numbers = {k: int(d) for k, d in digits.items()}
        spelled: dict[int, set[str]] = collections.defaultdict(set)  # each number's spellings
        for k, n in numbers.items():
            spelled[n].add(digits[k])
        shown = {n: max(texts, key=len) for n, texts in spelled.items()}  # with its leading zeros, as shown
        whole: dict[Cell, Cell] = {k: shown[n] for k, n in numbers.items() if k != shown[n]}
        if not whole:
            return
        if twice := [texts for _, texts in sorted(spelled.items()) if len(texts) > 1]:
            first = sorted(twice[0], key=len)
            self.add("warning", "ids_written_two_ways", say.ids_written_two_ways(first[-1], first[0], len(twice)))
        self.grid = [*self.grid[:start], *((*row[:key_col], whole.get(row[key_col], row[key_col]), *row[key_col + 1:])
                                           for row in body)]

    def unlanded(self, body: Sequence[Sequence[Cell]], months: Mapping[Cell, Month | None], month_col: int,
                 amount_col: int) -> set[Month]:
        """The table's last months when no row of theirs holds a figure (every MRR cell blank, not 0): a month not
        closed yet, written ahead by a date spine or a template. Read as paying nothing, they would say every
        customer churned; they are left out instead, with a warning. A blank among figures is still 0."""
        width = max(month_col, amount_col) + 1
        long = body if not body or min(map(len, body)) >= width else [row for row in body if len(row) >= width]
        if not any(map(is_empty, _distinct(long, amount_col))):
            return set()  # the common case, at C speed: no blank figure at all (a blank line is no figure's)
        figured: set[Month] = set()
        rows: collections.Counter[Month] = collections.Counter()
        for row in self.without_totals(long):  # a total row's 0 (a SUM over the blanks) is not a figure
            if (month := months.get(row[month_col]) if not _unhashable(row[month_col]) else None) is None:
                continue
            if is_empty(row[amount_col]):
                rows[month] += 1
            else:
                figured.add(month)
        if not figured or not rows:
            return set()  # no figure anywhere (the other checks say what is wrong), or no blank one
        first, last = min(figured), max(figured)
        if leading := sorted(m for m in rows if m < first):  # before anyone paid: nobody churned then
            self.add("warning", "month_before_figures",
                     say.months_before_figures(leading, sum(rows[m] for m in leading), self.unit))
        if unfilled := sorted(m for m in rows if first < m < last and m not in figured):
            self.add("error", "month_without_figures",
                     say.months_unfilled(unfilled, sum(rows[m] for m in unfilled), self.unit))
        unlanded = [last + k for k in range(1, max(rows) - last + 1)] if max(rows) > last else []
        if unlanded:
            self.add("warning", "month_not_landed",
                     say.months_not_landed(unlanded, sum(rows[m] for m in unlanded), self.unit))
        return {*leading, *unlanded}

    def unlanded_columns(self, by_month: Mapping[Month, int], last: Month) -> list[Month]:
        """The last month columns of a wide table when every customer's cell in them is blank (a total row's aside):
        a month headed ahead of time, not closed yet. Left out with a warning, as ``unlanded`` leaves out a long
        table's; so are the first ones when they are blank (before anyone paid: ``self.first`` moves past them).
        A blank cell among figures is still 0."""
        rows = self.without_totals(self.grid[self.header.index + 1:])
        unlanded: list[Month] = []
        month = last
        while month > self.first and all(is_empty(self.cell(row, by_month[month])) for row in rows):
            unlanded.insert(0, month)
            month -= 1
        def customers() -> int:  # with a figure in some month: counted only for a message
            return sum(1 for row in rows if not all(is_empty(self.cell(row, by_month[m])) for m in by_month))

        leading: list[Month] = []
        while self.first < month and all(is_empty(self.cell(row, by_month[self.first])) for row in rows):
            leading.append(self.first)
            self.first += 1
        if leading:
            self.add("warning", "month_before_figures",
                     say.months_before_figures(leading, customers(), self.unit, "column"),
                     [a1(self.first_row + self.header.index, by_month[m]) for m in leading])
        if unlanded and month >= self.first:
            self.add("warning", "month_not_landed", say.months_not_landed(unlanded, customers(), self.unit, "column"),
                     [a1(self.first_row + self.header.index, by_month[m]) for m in unlanded])
        unfilled = [m for m in sorted(by_month) if self.first <= m < month
                    and all(is_empty(self.cell(row, by_month[m])) for row in rows)]
        if unfilled and (count := customers()):
            self.add("error", "month_without_figures",
                     say.months_unfilled(unfilled, count, self.unit, "column"),
                     [a1(self.first_row + self.header.index, by_month[m]) for m in unfilled])
        return unlanded

    def fast_long(self, builder: _Builder, index_of: Mapping[Cell, int | None], width: int) -> bool:
        """Fill ``builder`` column by column, mostly at C speed, when the table is clean: every row with
        a customer, a month and a readable figure, no customer twice in a month, one currency. False
        (the builder untouched) otherwise: the row-by-row loop then finds and names each problem."""
        body = self.grid[self.header.index + 1:]
        numbers: Sequence[int] = range(len(body))  # each kept row's index in the body, for its sheet row
        if body and min(map(len, body)) < width:  # a short row: fine if it is blank (it holds nothing)
            numbers = [i for i, row in enumerate(body) if len(row) >= width or not all(map(is_blank, row))]
            body = [body[i] for i in numbers]
            if body and min(map(len, body)) < width:
                return False
        roles = self.header.roles
        key_col = self.key_col if self.key_col is not None else 0
        name_col = self.name_col if self.name_col is not None else key_col

        def column(col: int) -> list[Cell]:
            return list(map(operator.itemgetter(col), body))

        keys = column(key_col)
        currencies: list[Cell] | None = None  # with rates: a Currency column holding several, each a known code
        if "currency" in roles and len(distinct := set(currencies := column(roles["currency"]))) > 1:
            fx = self.fx
            if fx is None or not all(type(v) is str and fx.knows(currency_code(v)) for v in distinct):
                return False
        else:
            currencies = None
        customers = dict.fromkeys(keys)
        if any(type(k) is not str or not k or k.isspace() for k in customers) or any_total_label(customers) or \
                self.subtotals:
            return False
        if name_col != key_col and any_total_label(set(column(name_col))):
            return False
        amounts = column(roles["amount"])
        known: dict[Cell, int] = {}
        for value in set(amounts):
            try:
                known[value] = parse_cents(value, self.in_cents)
            except AmountError:
                return False
        marks = {m for v in known if (m := currency_mark(v)) is not None}
        if len(marks) > 1 or (marks and currencies is not None):
            return False  # figures in two currencies: the row-by-row reader names the first cell of each
        if marks:
            code = marks.pop()
            self.marks[code] = a1(self.first_row + self.header.index + 1 + next(
                r for r, v in enumerate(amounts) if currency_mark(v) == code), roles["amount"])
        months = list(map(index_of.get, column(roles["month"])))
        if None in months:
            return False
        if currencies is not None and (used := self.fast_currencies(currencies, months, amounts, known)) is None:
            return False
        index = {k: c for c, k in enumerate(customers)}
        cust = list(map(index.__getitem__, keys))
        count = builder.count
        flat = list(map(operator.add, map(operator.mul, cust, itertools.repeat(count)), months))
        if len(set(flat)) != len(flat):
            return False
        names: dict[Cell, str] = {}
        if name_col == key_col:
            names = {k: k for k in customers if isinstance(k, str)}
        else:
            pairs = set(zip(keys, column(name_col), strict=True))
            if len(pairs) == len(customers):  # the common case: one name per key
                names = {key: _text(name) or str(key) for key, name in pairs}
            else:  # a key written with several names is shown with the one most of its rows have
                usual = _usual_names(zip(keys, column(name_col), strict=True))
                names = {key: usual.get(key) or str(key) for key in customers}
        builder.index = {k: c for k, c in index.items() if isinstance(k, str)}
        builder.names = [names[k] for k in customers]
        # every figure into one flat list at C speed (``flat`` holds no index twice), then a row per customer
        cells = [0] * (len(customers) * count)
        collections.deque(map(cells.__setitem__, flat, map(known.__getitem__, amounts)), maxlen=0)
        if currencies is not None and used is not None:
            self.fast_convert(cells, flat, currencies, months, used, numbers)
        builder.mrr = [cells[c:c + count] for c in range(0, len(cells), count)]
        first_row = self.first_row + self.header.index + 1
        builder.rows = [[] for _ in customers]
        self.fast_rows = (keys, first_row, numbers)
        columns = dict(self.header.attributes)

        def fill() -> Mapping[str, tuple[list[str | None], ...]]:
            out = {}
            for name, col in columns.items():
                values: list[list[str | None]] = [[None] * count for _ in customers]
                for c, i, row in zip(cust, months, body, strict=True):
                    value = row[col]
                    if value:  # a cell of spaces is blank, as ``_text`` reads it
                        values[c][i] = (value if type(value) is str and not value.isspace()  # type: ignore[index]
                                        else _text(value))
                out[name] = tuple(values)
            return out

        builder.lazy = fill
        if "currency" in roles and body and currencies is None:
            self.currency(body[0], first_row)
        return True

    def fast_currencies(self, currencies: Sequence[Cell], months: Sequence[int | None], amounts: Sequence[Cell],
                        known: Mapping[Cell, int]) -> dict[str, set[int]] | None:
        """The months each currency other than the reporting one has figures in, when every one has a rate in
        each; None otherwise (the row-by-row reader then names what is missing)."""
        assert self.fx is not None
        fx = self.fx
        used: dict[str, set[int | None]] = {}
        codes = {v: currency_code(str(v)) for v in set(currencies)}
        for value, i, amount in zip(currencies, months, amounts, strict=True):
            code = codes[value]
            if code != fx.reporting and known[amount]:
                used.setdefault(code, set()).add(i)
        for code, indexes in used.items():
            if any(fx.rate(code, self.first + i) is None for i in indexes if i is not None):
                return None
        return {code: {i for i in indexes if i is not None} for code, indexes in used.items()}

    def fast_convert(self, cells: list[int], flat: Sequence[int], currencies: Sequence[Cell],
                     months: Sequence[int | None], used: Mapping[str, set[int]], numbers: Sequence[int]) -> None:
        """A clean table whose Currency column holds several currencies, each with its rates: every figure in
        another currency than the reporting one times its month's rate (one row per customer-month here, so each
        is rounded once, half to even)."""
        assert self.fx is not None
        fx = self.fx
        codes = {v: currency_code(str(v)) for v in set(currencies)}
        ratios: dict[tuple[str, int | None], tuple[int, int]] = {}
        for code, indexes in used.items():
            for i in indexes:
                rate = fx.rate(code, self.first + i)
                assert rate is not None
                ratios[(code, i)] = rate.as_integer_ratio()
        col = self.header.roles["currency"]
        first_row = self.first_row + self.header.index + 1
        order: dict[str, int] = {}  # each currency's first row
        for r, (f, value, month) in enumerate(zip(flat, currencies, months, strict=True)):
            code = codes[value]
            if code not in order:
                order[code] = r
                self.currencies[code] = a1(first_row + numbers[r], col)
            if code != fx.reporting and cells[f]:
                p, q = ratios[(code, month)]
                cells[f] = round_half_even(cells[f] * p, q)
        self.converted = tuple(fx_use(code, fx, (self.first + i for i in used[code]))
                               for code in sorted(used, key=order.__getitem__))

    def report_bad_months(self, months: Mapping[Cell, Month | None], why: Mapping[Cell, str], month_col: int) -> None:
        """An error for each month cell no month reads from (a column none of whose cells is a month): the first
        ``BAD_MONTHS_NAMED`` each named, the rest counted in one more error (a 3,300-row table written 1/1/25 was
        3,293 lines)."""
        bad = [(r, value) for r in self.data() if not is_blank(value := self.cell(self.grid[r], month_col))
               and months.get(value) is None]
        for r, value in bad[:BAD_MONTHS_NAMED]:
            self.add("error", "bad_month", say.unreadable("Month", show(value), why.get(value, MONTH_EXPECTED)),
                     [a1(self.first_row + r, month_col)])
        if len(bad) > BAD_MONTHS_NAMED:
            self.add("error", "bad_month", say.more_bad_months(len(bad) - BAD_MONTHS_NAMED),
                     [a1(self.first_row + bad[BAD_MONTHS_NAMED][0], month_col) + ":" +
                      a1(self.first_row + bad[-1][0], month_col)])

    def begun_after(self, month: Month) -> bool:
        """Whether ``month`` is the month in progress or one not begun: never missing between the others."""
        return self.today is not None and month >= self.today

    # -- wide form --

    def read_wide(self) -> _Builder | None:
        header_row = self.first_row + self.header.index
        by_month = {m: col for col, m in self.header.months.items()}
        for month in sorted(set(self.header.repeated_months)):
            cols = [a1(header_row, col) for col, m in self.header.months.items() if m == month]
            self.add("error", "repeated_month", say.month_column_repeated(month), cols, month)
        self.first = min(by_month)
        last = max(by_month)
        missing = [m for m in (self.first + i for i in range(last - self.first + 1))
                   if m not in by_month and not self.begun_after(m)]
        if missing:
            self.add("error", "missing_month", say.month_columns_missing(missing))
        if self.issues:
            return None
        last -= len(self.unlanded_columns(by_month, last))
        count = last - self.first + 1
        columns = [by_month[self.first + i] for i in range(count)]
        builder = _Builder(count, list(self.header.attributes))
        width = max(columns) + 1
        pick = operator.itemgetter(*columns)
        known: dict[str | None, int] = {None: 0}  # figures repeat month after month: each text is parsed once
        lookup = cast(Callable[[Cell], int | None], known.get)  # None for a text not seen yet, or a number
        subscriptions: dict[int, dict[str | None, int]] = {}  # a customer's rows by subscription
        # total rows are rare: look for their labels once, column by column, not on every row (as ``read_long``)
        body = self.grid[self.header.index + 1:]
        totals = bool(self.subtotals) or any(any_total_label(_distinct(body, col))
                                             for col in {self.key_col, self.name_col} if col is not None)
        for r in self.data():
            row = self.grid[r]
            sheet_row = self.first_row + r
            figures: Sequence[Cell]
            if len(row) < width:
                figures = tuple(self.cell(row, col) for col in columns)
            else:
                figures = pick(row) if count > 1 else (pick(row),)
            if totals and self.total_row(row, sheet_row):
                continue
            # (a row's first written cell is nearly always a figure: its truthy cells are looked at first, then,
            # in the rare row where each is blank, its falsy ones, of which a number 0 is a figure)
            if all(map(is_blank, filter(None, figures))) and all(is_blank(v) for v in figures if not v):
                continue  # no figure in any month: a note under the table ("Accrual basis ...") or a blank row
            text = self.key(row)
            if text is None:
                self.add("error", "no_customer", say.customer_missing(self.unit), [a1(sheet_row, self.key_col or 0)])
                continue
            try:
                cents = list(map(lookup, figures))
            except TypeError:  # a figure that cannot be hashed (Decimal('sNaN')): each is read on its own
                cents = [None] * len(figures)
            if None in cents:  # a text not seen yet, or a number or date from a workbook
                for i in [i for i, v in enumerate(cents) if v is None]:
                    # a customer's new figure repeats along its row: read once, then found in ``known``
                    value = figures[i]
                    hit = known.get(value) if type(value) is str else None
                    cents[i] = hit if hit is not None else self.wide_amount(value, sheet_row, columns[i], i, known)
            code = self.currency(row, sheet_row) if "currency" in self.header.roles else None
            key, name = text
            sub = _text(self.cell(row, self.header.distinguisher))
            if self.name_col != self.key_col:
                builder.named.append((key, self.cell(row, self.name_col)))
            if key in builder.index:  # another subscription of the same customer is summed; a repeat is an error
                c = builder.index[key]
                seen = subscriptions.setdefault(c, {self.wide_sub(builder.rows[c][0]): builder.rows[c][0]})
                if self.header.distinguisher is None or sub in seen:
                    earlier = seen.get(sub, builder.rows[c][0])
                    self.add("error", "repeated_customer", self.repeated(key, sub, False),
                             [a1(earlier, self.key_col or 0), a1(sheet_row, self.key_col or 0)])
                    continue
                seen[sub] = sheet_row
                for name, col in self.header.attributes.items():
                    for i, v in enumerate(cents):
                        self.weigh(builder.attributes[name][c], c, col, i, self.cell(row, col), v or 0,
                                   builder.mrr[c][i], key, (builder.rows[c][0], sheet_row))
                builder.mrr[c][:] = [a + (v or 0) for a, v in zip(builder.mrr[c], cents, strict=True)]
                self.wide_parts(c, code, figures, cents, columns, sheet_row)
                builder.summed = True
                continue
            c = builder.customer(key, name)
            builder.rows[c][0] = sheet_row
            builder.mrr[c][:] = [v or 0 for v in cents]
            self.wide_parts(c, code, figures, cents, columns, sheet_row)
            self.set_attributes(builder, c, row, None)
        return builder

    def wide_parts(self, c: int, code: str | None, figures: Sequence[Cell], cents: Sequence[int | None],
                   columns: Sequence[int], sheet_row: int) -> None:
        """With rates: each month's figure of a wide row by its currency (``part``)."""
        if self.parts is None:
            return
        if code is None and self.unstated is not None:
            # nothing to note unless a figure is written in a currency (€50): every text read has its mark in
            # ``mark_of`` (``mark``), so a row of plain figures is passed over at C speed, not cell by cell (3.4M
            # figures of a 100,000-customer table: a second)
            try:
                if not any(map(cast(Callable[[Cell], str | None], self.mark_of.get), figures)):
                    return
            except TypeError:  # a figure that cannot be hashed: each is looked at below
                pass
        for i, v in enumerate(cents):
            if v:
                self.part(c, i, code, figures[i], v, sheet_row, columns[i])

    def wide_sub(self, sheet_row: int) -> str | None:
        """The Subscription, Plan or Product of a wide table's sheet row."""
        return _text(self.cell(self.grid[sheet_row - self.first_row], self.header.distinguisher))

    def wide_amount(self, value: Cell, sheet_row: int, col: int, i: int, known: dict[str | None, int]) -> int | None:
        """Month ``i``'s figure of a wide row not in ``known`` yet, its cents kept there when it is a text (None
        when unreadable: the error is added)."""
        try:
            cents = parse_cents(value, self.in_cents)
        except AmountError:
            return self.amount(value, sheet_row, col, self.first + i)
        if type(value) is str:
            known[value] = cents
            self.mark(value, a1(sheet_row, col))  # a text's first cell: the currency it is written in
        return cents

    def warn_alike(self, b: _Builder) -> None:
        groups: dict[str, list[str]] = defaultdict(list)
        for key in b.index:
            groups[compared(key)].append(key)
        for keys in groups.values():
            if len(keys) > 1:
                for other in keys[1:]:
                    cells = [a1(self.first_row_of(b, k), self.key_col or 0) for k in (keys[0], other)]
                    self.add("warning", "alike_customers", say.customers_alike(keys[0], other), cells)

    def first_row_of(self, b: _Builder, key: str) -> int:
        if self.fast_rows is not None:
            keys, first, numbers = self.fast_rows
            return first + numbers[keys.index(key)]
        return min((r for r in b.rows[b.index[key]] if r), default=0)


def billed_per_period(table: CustomerTable, sheet: str | None, rows: Sequence[int] | None = None) -> list[Issue]:
    """A warning for the customers of a plain customer table who pay one month in twelve (or three) with nothing
    between: annual (quarterly) plans booked in their invoice month, which count n times their MRR in one month
    and 0 in the others. ``rows``: the only customers (by index) that can be such, when the caller knows."""
    found: dict[int, list[str]] = {12: [], 3: []}
    chosen = range(len(table.names)) if rows is None else rows
    for name, series in ((table.labels[c], table.mrr[c]) for c in chosen):
        paid = list(itertools.compress(range(len(series)), series))  # the months it pays in
        # one gap between all of them, 12 or 3 (most customers pay in the next month: gap 1, looked at no further)
        if len(paid) < 2 or (gap := paid[1] - paid[0]) not in found:
            continue
        if all(b - a == gap for a, b in itertools.pairwise(paid)):
            found[gap].append(name)
    return [Issue(severity="warning", code="billed_per_period", message=say.billed_per_period(n, names),
                  sheet=sheet)
            for n, names in found.items() if names]
