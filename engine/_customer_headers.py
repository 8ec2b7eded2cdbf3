"""Recognising a customer table from its header row: which column is the customer (its ID, its name), the
month, the figure and its currency, which are attributes (Segment, Plan), and which month each column of a wide
table is. The words are forgiving, as the ledger's are (``engine._headers``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from engine import _messages as say
from engine._amounts import SYMBOL_CODES
from engine._cells import (
    Cell,
    infer_date_order,
    is_blank,
    parse_month,
    three_part_date,
)
from engine._errors import CellError
from engine._headers import HEADER_SEARCH_ROWS, is_total_label
from engine._month import MONTH_WORDS, Month

Role = Literal["id", "name", "month", "amount", "currency"]




_CUSTOMER_WORDS = {"customer", "customers", "account", "accounts", "company", "client", "clients", "organization",
                   "organisation", "org", "kunde", "kunden", "cliente", "clientes", "klant"}  # (German, Spanish, Dutch)


_ID_WORDS = {"id", "ids", "key", "number", "no", "code", "uuid", "oid"}

#: what else a SaaS bills, named with an ID word only (Tenant ID, Workspace ID, HubSpot's Record ID): the customer's
#: key (alone, User or Record is a column of something else: an owner, a note)
#: of them, those that name a customer alone (Tenant, Subscriber Name)
_ALONE = {"tenant", "tenants", "subscriber", "subscribers", "merchant", "merchants"}
_ENTITY_WORDS = {"tenant", "tenants", "workspace", "workspaces", "subscriber", "subscribers", "record", "merchant",
                 "merchants"}  # (not User ID, Team ID, Site ID: a salesperson's, a team's, beside the customer's)


_NAME_WORDS = {"name", "names"}


_MONTH_WORDS = {"month", "period", "date", "billing", "invoice", "reporting", "start", "of"}
_MONTH_ABROAD = {"monat", "mois", "mes", "mese", "maand", "datum"}  # "month" in European Excel's languages


CURRENCY_CODES = {"usd", "eur", "gbp", "jpy", "inr", "cad", "aud", "nzd", "brl", "cny", "chf", "sek", "nok", "dkk"}


_AMOUNT_WORDS = {"mrr", "revenue", "amount", "arr", "monthly", "recurring", "annual", "total", "value", "net",
                 "current", *CURRENCY_CODES}  # MRR (EUR), Net MRR
#: words that qualify MRR or ARR itself (``Subscription MRR``, ``Billed MRR``): a figure column only beside those
#: words, never beside a bare Amount or Revenue (``Invoiced Amount`` is what was invoiced, not MRR)
_MRR_QUALIFIERS = {"subscription", "subscriptions", "committed", "billed", "paid", "gross", "actual", "normalized",
                   "normalised", "adjusted", "reported", "booked", "invoiced", "contracted"}


#: words saying a figure column holds cents, not whole currency units: ``mrr_cents``, ``Amount in cents``
_CENTS_WORDS = {"cents", "cent"}


_CURRENCY_WORDS = {"currency", "ccy", "cur", "curr"}


#: words that may stand beside a currency word: Chargebee's ``currency_code``, ``Currency Code``, ``Billing Currency``
_CURRENCY_EXTRA = {"code", "iso", "billing", "invoice", "transaction"}


DISTINGUISHING_WORDS = {"subscription", "subscriptions", "plan", "plans", "product", "products", "sku"}


def _telling(words: set[str] | frozenset[str]) -> tuple[bool, bool]:
    """How surely a column of these header words tells a customer's rows in a month apart: a subscription (its ID)
    before a plan or a product, and an ID before a name."""
    subscription = bool(words & {"subscription", "subscriptions"}) and words - {"subscription", "subscriptions"} <= \
        _ID_WORDS  # Subscription, Subscription ID: not a Subscription Status, Tier or Type
    return subscription, bool(words & _ID_WORDS)


def header_currency(header: str) -> str | None:
    """The currency a figure column's header names (``MRR (EUR)``, ``mrr_usd``, ``MRR (€)``, ``€ MRR``); None for
    none, or for two.

    >>> [header_currency(h) for h in ("MRR (EUR)", "mrr_usd", "MRR (€)", "£ ARR", "MRR", "EUR or USD MRR", "MRR (CA$)")]
    ['EUR', 'USD', 'EUR', 'GBP', None, None, None]
    """
    named = {w.upper() for w in header_tokens(header) & CURRENCY_CODES}
    # a symbol after a letter is another currency's: CA$, A$, NZ$, R$ are not US dollars
    named |= {SYMBOL_CODES[symbol] for symbol in re.findall(r"(?<![^\W\d_])[$€£¥₹]", header)}
    return named.pop() if len(named) == 1 else None


def header_tokens(header: str) -> set[str]:
    text = header.lower().replace("monthly recurring revenue", "mrr").replace("annual recurring revenue", "arr")
    return set(re.findall(r"[a-z0-9]+", text))


def customer_role(header: str) -> Role | None:
    """What a customer table's column holds, from its header; None for an attribute (Segment, Plan).

    >>> [customer_role(h) for h in ("Customer ID", "customer_id", "Company", "Billing Month", "ARR", "Plan")]
    ['id', 'id', 'name', 'month', 'amount', None]
    >>> [customer_role(h) for h in ("Record ID", "Tenant ID", "workspace_id", "customer_oid", "User ID", "ID")]
    ['id', 'id', 'id', 'id', None, None]
    >>> [customer_role(h) for h in ("currency", "currency_code", "Currency Code", "curr", "CCY")]
    ['currency', 'currency', 'currency', 'currency', 'currency']
    >>> [customer_role(h) for h in ("mrr_cents", "Amount in cents", "arr_cents", "Revenue in EUR", "MRR in")]
    ['amount', 'amount', 'amount', 'amount', None]
    >>> [customer_role(h) for h in ("Sum of MRR", "SUM of ARR", "MRR Sum", "Sum of Expansion MRR", "Sum of Amount")]
    ['amount', 'amount', 'amount', None, None]
    >>> [customer_role(h) for h in ("Subscriptions Total MRR", "Subscriptions Expansion MRR")]
    ['amount', None]
    """
    words = header_tokens(header)
    if not words:
        return None
    if words & _CUSTOMER_WORDS and words <= _CUSTOMER_WORDS | _ID_WORDS | _NAME_WORDS:
        return "id" if words & _ID_WORDS else "name"
    if words == {"row", "labels"} or (words & _ALONE and words <= _ALONE | _NAME_WORDS):
        return "name"  # an Excel pivot table's rows, a customer each; a Tenant, a Subscriber
    if words & _ENTITY_WORDS and words & _ID_WORDS and words <= _ENTITY_WORDS | _ID_WORDS:
        return "id"  # Tenant ID, workspace_id, Subscriber ID, user_id: two customers of one name had been one
    if words & {"month", "period", "date", *_MONTH_ABROAD} and words <= _MONTH_WORDS | _MONTH_ABROAD:
        return "month"  # (Monat, Mois, Mes)
    allowed = _AMOUNT_WORDS | _MRR_QUALIFIERS if words & {"mrr", "arr"} else _AMOUNT_WORDS
    if "sum" in words and words & {"mrr", "arr"}:  # a pivot table's or Metabase's aggregate of it: Sum of MRR
        allowed = allowed | {"sum", "of"}
    # 'in' only beside cents or a currency (MRR in EUR): MRR In alone is a movement (money coming in)
    if words & {"mrr", "revenue", "amount", "arr"} and (words <= allowed or (
            words & (_CENTS_WORDS | CURRENCY_CODES) and words <= allowed | _CENTS_WORDS | {"in"})):
        return "amount"
    if words & _CURRENCY_WORDS and words <= _CURRENCY_WORDS | _CURRENCY_EXTRA:
        return "currency"
    return None


def in_cents(header: str) -> bool:
    """Whether a figure column's header says it holds cents (``mrr_cents``, ``amount_in_cents``): 10000 is 100.00.

    >>> [in_cents(h) for h in ("mrr_cents", "MRR (cents)", "amount_in_cents", "MRR", "Percent")]
    [True, True, True, False, False]
    """
    return bool(header_tokens(header) & _CENTS_WORDS)


def _figure_rank(header: str) -> tuple[bool, bool, bool, bool]:
    """Which of two figure columns is read (the lower): one that says MRR before revenue (one-time fees in it), an
    amount or ARR, whether in cents or not; then one that is not a sum of it (``MRR Sum``, a pivot's) before one
    that is; then one in units before one in cents (``mrr``, then ``mrr_cents``);
    then one that names no currency before one that does (``MRR`` beside ``MRR in USD``, a conversion of it);
    else the first.

    >>> sorted(["revenue", "mrr_cents", "MRR in USD", "MRR", "ARR", "amount_cents"], key=_figure_rank)
    ['MRR', 'MRR in USD', 'mrr_cents', 'revenue', 'ARR', 'amount_cents']
    >>> sorted(["MRR Sum", "MRR"], key=_figure_rank)  # a sum of it (a pivot's) after the column itself
    ['MRR', 'MRR Sum']
    """
    tokens = header_tokens(header)
    return "mrr" not in tokens, "sum" in tokens, in_cents(header), header_currency(header) is not None


@dataclass(kw_only=True)
class CustomerHeader:
    index: int
    roles: dict[Role, int]
    attributes: dict[str, int]
    distinguisher: int | None
    months: dict[int, Month]  # wide form: column -> month
    repeated_months: list[Month]
    #: wide form: month headers that cannot be read without a guess (``January``, ``3/4/2026``) -> what would do
    unreadable_months: dict[int, str] = field(default_factory=dict)
    #: wide form: a column headed ``Total`` beside the months, which sums them -> its header
    total_columns: dict[int, str] = field(default_factory=dict)
    #: wide form: the unit the month headers name (``ARR Nov 2025``), if they name one
    month_unit: Literal["MRR", "ARR"] | None = None


#: ``[ledger] columns``' roles, as the header's roles
NAMED_ROLES: dict[str, Role] = {"customer": "id", "name": "name", "month": "month", "mrr": "amount"}


def _named_column(row: Sequence[Cell], title: str) -> int | None:
    """The column of ``row`` headed ``title``: as written (outer spaces aside), else in another case."""
    texts = [v.strip() if isinstance(v, str) else None for v in row]
    return next((c for c, t in enumerate(texts) if t == title.strip()), None) if title.strip() in texts else next(
        (c for c, t in enumerate(texts) if t is not None and t.casefold() == title.strip().casefold()), None)


def repeats_header(row: Sequence[Cell], header: Sequence[Cell]) -> bool:
    """Whether ``row`` is the header again (two exports pasted together): a cell in it, and each cell blank or its
    column's title, in any case."""

    def same(col: int, value: Cell) -> bool:
        title = header[col] if col < len(header) else None
        return isinstance(value, str) and isinstance(title, str) and value.strip().casefold() == \
            title.strip().casefold()

    return any(not is_blank(v) for v in row) and all(is_blank(v) or same(col, v) for col, v in enumerate(row))


def names_a_column(grid: Sequence[Sequence[Cell]], columns: Sequence[tuple[str, str]]) -> bool:
    """Whether a row near the top holds any of the columns ``columns`` ([ledger] columns) names: none, and they were
    named for another table (a warehouse's, another tab of the workbook), so the header rules read this one."""
    return any(_named_column(row, title) is not None for row in grid[:HEADER_SEARCH_ROWS] for _, title in columns)


def named_header(grid: Sequence[Sequence[Cell]], columns: Sequence[tuple[str, str]],
                 first_row: int = 1) -> int | str:
    """The index of the first row holding every column ``columns`` ([ledger] columns) names, or why none does."""
    best: tuple[int, int] | None = None  # the most names found in one row, and that row's index
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = sum(_named_column(row, title) is not None for _, title in columns)
        if found == len(columns):
            return index
        if found and (best is None or found > best[0]):
            best = (found, index)
    row = grid[best[1]] if best is not None else ()
    absent = [title for _, title in columns if _named_column(row, title) is None]
    titles = [v.strip() for v in row if isinstance(v, str) and v.strip()]
    return say.named_columns_missing(columns, absent, None if best is None else first_row + best[1], titles)


def _name_columns(header: CustomerHeader, row: Sequence[Cell], columns: Sequence[tuple[str, str]]) -> None:
    """``header`` with the columns ``[ledger] columns`` names in their roles: a column the header rules had read in
    such a role is an attribute, and the table is long (one row per customer and month)."""
    claimed = {NAMED_ROLES[role]: col for role, title in columns if (col := _named_column(row, title)) is not None}
    taken = set(claimed.values())
    for role, col in list(header.roles.items()):
        if role not in claimed and col in taken:
            del header.roles[role]
    for role, col in claimed.items():
        earlier = header.roles.get(role)
        header.roles[role] = col
        if earlier is not None and earlier not in taken and isinstance(row[earlier], str):
            header.attributes[str(row[earlier]).strip()] = earlier
    header.attributes = dict(sorted(((t, c) for t, c in header.attributes.items() if c not in taken),
                                    key=lambda item: item[1]))
    if header.distinguisher in taken:
        header.distinguisher = None
    if "month" in claimed:
        header.months.clear()
        header.repeated_months.clear()
        header.unreadable_months.clear()
        header.total_columns.clear()


def read_customer_header(row: Sequence[Cell], index: int,
                         columns: Sequence[tuple[str, str]] = ()) -> CustomerHeader:
    """What each column of the header row ``row`` holds, by the header rules; ``columns`` ([ledger] columns) name
    some by role first."""
    header = _read_customer_header(row, index)
    if columns:
        _name_columns(header, row, columns)
    return header


_UNIT_IN_MONTH = re.compile(r"(?i)\b(mrr|arr|monthly recurring revenue|annual recurring revenue|revenue)\b")


def unit_month(text: str) -> tuple[Literal["MRR", "ARR"], str] | None:
    """A wide table's month header that names its unit too (``ARR Nov 2025``, ``Jan 2024 MRR``, ``MRR (Jan-24)``):
    the unit and the month's text; None for any other header.

    >>> unit_month("ARR Nov 2025"), unit_month("Jan 2024 MRR"), unit_month("MRR (Jan-24)"), unit_month("MRR")
    (('ARR', 'Nov 2025'), ('MRR', 'Jan 2024'), ('MRR', 'Jan-24'), None)
    """
    units = {m[1].lower() for m in _UNIT_IN_MONTH.finditer(text)}
    if len(units) != 1:
        return None
    rest = _UNIT_IN_MONTH.sub(" ", text).strip(" -_:()[]")
    if not rest or not _looks_like_month(rest):
        return None
    return ("ARR" if units.pop() in ("arr", "annual recurring revenue") else "MRR"), rest


def month_units(row: Sequence[Cell]) -> dict[str, list[str]]:
    """A row's month headers that name their unit (``MRR Jan 2025``, ``ARR Mar 2025``), by unit: one unit is the
    months', two are a table that mixes them."""
    units: dict[str, list[str]] = {}
    for value in row:
        if isinstance(value, str) and (found := unit_month(value)) is not None:
            units.setdefault(found[0], []).append(value.strip())
    return units


def _read_customer_header(row: Sequence[Cell], index: int) -> CustomerHeader:
    header = CustomerHeader(index=index, roles={}, attributes={}, distinguisher=None, months={}, repeated_months=[])
    # month columns headed 2/1/2026, 3/1/2026: the row says which part is the month, as a month column does
    order = infer_date_order([v for v in row if isinstance(v, str)])
    # months headed with their unit (ARR Nov 2025): read as months when every such header names the same unit
    units = month_units(row)
    for col, value in enumerate(row):
        if is_blank(value) or isinstance(value, bool):
            continue
        if _a_number(value) and not _serial_day(value) and not _MONTH_NUMBER.fullmatch(str(value).strip()):
            month = None  # 26600.00 or 12000 in a row read for a header: a figure, not a month (it was October 1972)
        elif not isinstance(value, str) or (not customer_role(value) and _looks_like_month(value)):
            try:
                month = parse_month(value, order)
            except CellError:
                month = None
                if isinstance(value, str) and three_part_date(value):
                    header.unreadable_months[col] = say.MONTH_HEADER_AMBIGUOUS
                    continue
                if isinstance(value, str) and len(units) == 1 and (found := unit_month(value)) is not None:
                    with contextlib.suppress(CellError):
                        month = parse_month(found[1], order)
                    if month is not None:
                        header.month_unit = found[0]
            if month is not None:
                if month in header.months.values():
                    header.repeated_months.append(month)
                header.months[col] = month
                continue
        if not isinstance(value, str):
            continue
        text = value.strip()
        role = customer_role(text)
        if role is None and text.lower().rstrip(".") in MONTH_WORDS:
            header.unreadable_months[col] = say.MONTH_WITH_YEAR
            continue
        if role == "name" and "name" in header.roles and "id" not in header.roles:
            # Stripe's Customer (cus_... ids) beside Customer Name: the bare column is the key, the other the name
            earlier = header.roles["name"]
            before, now = header_tokens(str(row[earlier])), header_tokens(text)
            if now - _NAME_WORDS == before and now & _NAME_WORDS:
                header.roles["id"], header.roles["name"] = earlier, col
                continue
            if before - _NAME_WORDS == now and before & _NAME_WORDS:
                header.roles["id"] = col
                continue
        if role == "amount" and "amount" in header.roles and _figure_rank(text) < _figure_rank(
                str(row[header.roles["amount"]])):  # revenue, then mrr: the MRR is read, the other is an attribute
            earlier = header.roles.pop("amount")
            header.attributes = dict(sorted({**header.attributes, str(row[earlier]).strip(): earlier}.items(),
                                            key=lambda item: item[1]))
        if role == "id" and "id" in header.roles and header_tokens(text) & _CUSTOMER_WORDS and not header_tokens(
                str(row[header.roles["id"]])) & _CUSTOMER_WORDS:
            # Customer ID after a Tenant ID or Record ID: the customer's own is the key, the other an attribute
            earlier = header.roles.pop("id")
            header.attributes = dict(sorted({**header.attributes, str(row[earlier]).strip(): earlier}.items(),
                                            key=lambda item: item[1]))
        if role is not None and role not in header.roles:
            header.roles[role] = col
            continue
        if is_total_label(text):
            header.total_columns[col] = text
        header.attributes[text] = col
        words = header_tokens(text)
        if words & DISTINGUISHING_WORDS and (header.distinguisher is None or _telling(words) > _telling(
                header_tokens(str(row[header.distinguisher])))):
            # the first such column, unless a later one tells rows apart better: a Subscription beside a Plan (two
            # seats of one plan are two subscriptions; with the Plan chosen they were refused), an ID (Plan Id)
            header.distinguisher = col
    if "id" in header.roles and "name" not in header.roles:
        # beside a customer's ID, a column headed Name (Stripe's customer export), Full Name or Display Name is the
        # customer's name, shown for the ID, not a segment (a fresh-eyes try: movers were shown by their IDs)
        named = next((t for t, col in header.attributes.items() if col != header.distinguisher and
                      (w := header_tokens(t)) & _NAME_WORDS and w <= _NAME_WORDS | {"display", "full"}), None)
        if named is not None:
            header.roles["name"] = header.attributes.pop(named)
    numbers = [c for c in header.months if _a_number(row[c])]
    if numbers and len(numbers) == len(header.months) and (len(numbers) < 2 or sorted(
            header.months[c] for c in numbers) != [min(header.months.values()) + k for k in range(len(numbers))]):
        # months only as numbers (202501, 202502 ...) head a table as a run of them: one alone, or months apart,
        # are figures (a total row's 201203 above the header had read as March 2012)
        header.months.clear()
    if header.months and not {"id", "name"} & header.roles.keys():
        # QuickBooks' Sales by Customer Summary heads its names with a blank cell: the blank left of the months,
        # with nothing written before it (a title row with its run date, a customer's row with a blank cell: no header)
        first = next((col for col in range(min(header.months)) if not is_blank(row[col])), min(header.months))
        blank = 0 if first > 0 else None
        if blank is not None:
            header.roles["name"] = blank
    if header.months and "month" not in header.roles:  # wide: a Total column sums the months, no attribute
        for text in header.total_columns.values():
            del header.attributes[text]
    else:
        header.total_columns.clear()
    return header


def _a_number(value: Cell) -> bool:
    """A number, or its digits as text: as a month header only a day's serial number, as a cell any figure."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and value.strip().replace(".", "", 1).isdigit())


#: a month written as a number: 202501 (YYYYMM), 01.2025, 2025.01 (a figure such as 26600.00 is none of these)
_MONTH_NUMBER = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])|(?:0?[1-9]|1[0-2])\.(?:19|20)\d\d"
                           r"|(?:19|20)\d\d\.(?:0?[1-9]|1[0-2])")


def _serial_day(value: Cell) -> bool:
    """Whether a number may head a month column as a day's serial number (Google's and Excel's date headers, served
    as numbers): whole, and a day from 1990 to 2099."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return False
    try:
        number = float(value)
    except ValueError:
        return False
    return number.is_integer() and 32874 <= number <= 73050 and not (isinstance(value, str) and "." in value)


def _looks_like_month(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def table_form(header: CustomerHeader) -> Literal["long", "wide"] | None:
    if not ({"id", "name"} & header.roles.keys()):
        return None
    if "month" in header.roles and "amount" in header.roles:
        return "long"
    if (header.months or header.unreadable_months) and "month" not in header.roles:
        return "wide"
    return None


def missing_roles(header: CustomerHeader) -> list[str]:
    """The ``[ledger] columns`` roles a long customer table needs that ``header`` has no column for."""
    needs = (("customer", ("id", "name")), ("month", ("month",)), ("mrr", ("amount",)))
    return [role for role, held in needs if not any(r in header.roles for r in held)]


def find_customer_header(grid: Sequence[Sequence[Cell]]) -> int | None:
    """The index of the row that heads a customer table, or None when the grid is not one. A row whose months are
    only numbers (``45970``, a day's serial number) under a row that names a customer column is a customer's
    figures under a header nrr could not read, not a header (fuzz 14: ``Acme,,45970,46000`` under ``ARR Nov
    2025`` took Acme's figures for November and December and left Acme out)."""
    named: list[Sequence[Cell]] = []  # the rows above that name a customer column
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        header = read_customer_header(row, index)
        if table_form(header) is not None:
            return None if _figures(header, row, named) else index
        if {"id", "name"} & header.roles.keys():
            named.append(row)
    return None


def _figures(header: CustomerHeader, row: Sequence[Cell], named: Sequence[Sequence[Cell]]) -> bool:
    """Whether a row read as a wide header is a customer's figures: its months only numbers, under a row that names
    a customer column and heads each of those columns in words (a title row, ``Customers``, heads none of them;
    Google's date headers, served as serial numbers, stay a header)."""
    if not header.months or not all(map(_a_number, (row[c] for c in header.months))):
        return False
    return any(all(c < len(above) and isinstance(text := above[c], str) and text.strip() for c in header.months)
               for above in named)


Needed = Literal["customer", "month", "amount"]


def customer_header_gap(grid: Sequence[Sequence[Cell]]) -> tuple[Needed, int] | None:
    """The first row with two of a customer table's three columns (customer, month, figure) but not the third:
    which one it lacks and the row's index; None when no row comes that close.

    >>> customer_header_gap([["Title"], ["Customer", "Month", "Amount Due"]])
    ('amount', 1)
    """
    named: list[Sequence[Cell]] = []
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        header = read_customer_header(row, index)
        if _figures(header, row, named):
            return None
        if {"id", "name"} & header.roles.keys():
            named.append(row)
        has: dict[Needed, bool] = {"customer": bool({"id", "name"} & header.roles.keys()),
                                   "month": "month" in header.roles or bool(header.months),
                                   "amount": "amount" in header.roles}
        missing = [role for role, present in has.items() if not present]
        if len(missing) == 1:
            return missing[0], index
    return None
