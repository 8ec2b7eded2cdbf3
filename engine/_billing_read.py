"""Reading billing data from a grid of cells (a CSV or XLSX file, a Google Sheet tab): each row to the records
``engine._billing`` normalizes (``BillingLine``, ``SubscriptionRow``, ``MonthAmount``), with every unreadable
cell named. The rules themselves live in ``engine._billing``; this module only reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from engine import _messages as say
from engine._amounts import currency_mark
from engine._billing import (
    BillingLine,
    BillingResult,
    LineColumns,
    MonthAmount,
    Normalization,
    SubscriptionRow,
    ends_before,
    normalize_line_columns,
    normalize_lines,
    normalize_month_amounts,
    normalize_subscriptions,
    period_months,
)
from engine._billing_headers import FREQUENCY_MONTHS, BillingHeader, BillingRole
from engine._cells import (
    MONEY_LIMIT,
    SHEETS_EPOCH,
    Cell,
    DateOrder,
    infer_date_order,
    is_blank,
    is_empty,
    is_error_value,
    parse_money,
    parse_month,
    show,
)
from engine._customer_headers import header_currency, header_tokens
from engine._errors import CellError
from engine._fx import CODE, currency_code
from engine._headers import is_total_label
from engine._issues import Issue, a1
from engine._month import MONTH_WORDS, Month
from engine._options import NO_OPTIONS, ReadOptions

_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
                   r"(?:\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?")
_SLASHED = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_NAMED = re.compile(r"(?:(\d{1,2})[\s\-/]+([A-Za-z]+)\.?,?[\s\-/]+(\d{4})"
                    r"|([A-Za-z]+)\.?[\s\-/]+(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/]+(\d{4}))"
                    r"(?:[ ,T]+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp][Mm])?)?(?:\s*(?:Z|UTC|GMT))?")
DATE_EXPECTED = "a date such as 2026-03-15, 2026-03-15 10:00, 15 Mar 2026 or 03/15/2026"
T = TypeVar("T")
BAD = dt.date(1, 1, 1)  # a date cell that could not be read (its error is added)
_PLAIN_MONEY = re.compile(r"(-)?(\d{1,15})(?:\.(\d{1,2}))?")  # a plain figure: read without Decimal
_TRUE = {"true", "yes", "y", "1", "t", "x", "prorated", "proration"}
_ONE_OFF_TYPES = {"adhoc", "one_time", "one-time", "one time", "onetime", "one_off", "one-off", "setup",
                  "plan_setup", "addon_setup", "setup_fee", "setup fee",  # Chargebee's entity types of setup fees
                  "charge_item_price", "non_recurring", "non-recurring"}
_CREDIT_TYPES = {"credit", "credit_note", "credit note", "creditnote", "refund", "credit_memo", "credit memo"}
_DISCOUNT_TYPES = {"discount", "coupon"}
#: a billing frequency that says the amount is paid once (told to write monthly, a one-off fee would become MRR)
_ONE_OFF_FREQUENCIES = {"one time", "onetime", "once", "one off", "single", "non recurring", "setup"}
_TRIAL_STATUS = {"trialing", "in_trial", "trial", "free_trial", "free trial", "trialling"}
#: a subscription that has ended: with no end date, it cannot be told when it stopped paying
_ENDED_STATUS = {"canceled", "cancelled", "churned", "expired", "ended", "terminated", "inactive", "lost",
                 "non_renewing_ended", "closed"}
#: words of a status that has ended (Cancelled by customer, Deleted), unless it says the end is still to come
_ENDED_WORDS = re.compile(r"\b(?:cancell?ed|deleted|churned|expired|terminated|ended|closed)\b")
_PENDING_WORDS = re.compile(r"pending|cancell?ing|grace|active|trial")
#: a subscription paying nothing while it lasts, with no end of its own
_PAUSED_STATUS = {"paused", "suspended", "on_hold", "on hold"}
#: a subscription whose first payment never succeeded (Stripe's): not MRR, as Stripe and ChartMogul count it
_INCOMPLETE_STATUS = {"incomplete", "incomplete_expired"}
#: a subscription paying from its start to its end (Stripe's, Chargebee's, Recurly's, Zuora's, a CRM's)
_LIVE_STATUS = {"active", "activated", "live", "current", "past_due", "unpaid", "non_renewing", "future", "renewed",
                "in_force"}
#: every status read: any other is counted as live, with a warning naming its first cell
_KNOWN_STATUS = {w.replace(" ", "_") for w in _TRIAL_STATUS | _ENDED_STATUS | _PAUSED_STATUS | _INCOMPLETE_STATUS
                 | _LIVE_STATUS}


def _text(value: Cell) -> str | None:
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_date(value: Cell, order: DateOrder | None = None) -> dt.date:
    """A date cell: a date or datetime, an ISO date with or without a time, ``15 Mar 2026``, ``03/15/2026``
    (``order`` from the column), a Sheets serial day, or a Unix timestamp (a warehouse's). A datetime is kept
    when the cell has a time; its zone does not move it. Years 1900-2200 only, as months are read.

    >>> parse_date("2026-03-15 10:00:00 UTC"), parse_date(46023), parse_date("1767225600")
    (datetime.datetime(2026, 3, 15, 10, 0), datetime.date(2026, 1, 1), datetime.datetime(2026, 1, 1, 0, 0))
    >>> parse_date("15-Jan-2026"), parse_date("Jan 15, 2026 10:30 AM")
    (datetime.date(2026, 1, 15), datetime.date(2026, 1, 15))
    """
    found = _parse_date(value, order)
    if not 1900 <= found.year <= 2200:
        raise CellError(DATE_EXPECTED)
    return found


def _parse_date(value: Cell, order: DateOrder | None) -> dt.date:
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            raise CellError(DATE_EXPECTED) from None
        if number != number:  # NaN
            raise CellError(DATE_EXPECTED)
        if 1e9 <= number < 1e10:
            return dt.datetime.fromtimestamp(number, dt.UTC).replace(tzinfo=None)
        if 18264 <= number <= 73050:
            return dt.datetime.combine(SHEETS_EPOCH, dt.time()) + dt.timedelta(days=number) \
                if number % 1 else SHEETS_EPOCH + dt.timedelta(days=int(number))
        raise CellError(DATE_EXPECTED)
    text = str(value).strip()
    try:
        if m := _DATE.fullmatch(text):
            if m[4] is not None:
                return dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0))
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _SLASHED.fullmatch(text):
            first, second, year = int(m[1]), int(m[2]), int(m[3])
            if first > 12 or (order == "DMY" and second <= 12):
                day, month = first, second
            elif second > 12 or order == "MDY" or first == second:
                month, day = first, second
            else:
                raise CellError("a date the column makes unambiguous (day/month or month/day?); write the dates as "
                                "2026-04-03, or with the month named (3 Apr 2026)")
            return dt.date(year, month, day)
        if m := _NAMED.fullmatch(text):
            if m[1]:
                day, word, year = int(m[1]), m[2], int(m[3])
            else:
                word, day, year = m[4], int(m[5]), int(m[6])
            named = MONTH_WORDS.get(word.lower())
            if named is not None:
                return dt.date(year, named, day)
        if text.isdigit() and 9 <= len(text) <= 10:
            return _parse_date(int(text), order)
    except CellError:
        raise  # day/month or month/day: said so, not "is not a date such as ... 03/15/2026"
    except ValueError:
        raise CellError(DATE_EXPECTED) from None
    raise CellError(DATE_EXPECTED)


class _Reader:
    def __init__(self, grid: Sequence[Sequence[Cell]], header: BillingHeader, sheet: str | None, first_row: int,
                 options: ReadOptions) -> None:
        self.grid, self.header, self.sheet, self.first_row, self.options = grid, header, sheet, first_row, options
        self.issues: list[Issue] = []
        self.money: dict[tuple[Cell, bool], int] = {}
        self.dates: dict[Cell, dt.date] = {}
        self.orders: dict[int, DateOrder | None] = {}
        self.rows_cache: list[tuple[int, Sequence[Cell]]] = []
        self.width: int | None = None  # the shortest data row's length
        self.marks: dict[str, str] = {}  # the currency an amount is written in ($, EUR ...) -> its first cell
        self.fallback: str | None = None  # with no Currency column, the one currency the amounts are in
        head = grid[header.index]
        self.key_headers = tuple(str(head[c]).strip() for c in dict.fromkeys(
            x for x in (header.col("id"), header.col("name")) if x is not None))

    def add(self, code: str, message: str, cells: Sequence[str] = (), severity: str = "error") -> None:
        self.issues.append(Issue(severity="error" if severity == "error" else "warning", code=code, message=message,
                                 cells=tuple(cells), sheet=self.sheet))

    def cell_of(self, role: BillingRole) -> Callable[[int], str]:
        col = self.header.col(role) or 0
        return lambda row: a1(row, col)

    def rows(self) -> list[tuple[int, Sequence[Cell]]]:
        """(sheet row, cells) of every data row: blank rows, total rows and repeated headers left out."""
        out = []
        key = self.header.col("id")
        key = (key if key is not None else self.header.col("name")) or 0
        head = self.grid[self.header.index]
        heading = head[key] if key < len(head) else None
        title = heading.strip().casefold() if isinstance(heading, str) else None
        skip: dict[str, bool] = {}  # each key text: a total label or the header again (asked once per customer)
        first = self.first_row
        for index in range(self.header.index + 1, len(self.grid)):
            cells = self.grid[index]
            value = cells[key] if key < len(cells) else None
            if type(value) is str and value:
                left_out = skip.get(value)
                if left_out is None:
                    left_out = skip[value] = is_total_label(value) or value.strip().casefold() == title or (
                        not value.strip() and all(is_blank(v) for v in cells))
                if left_out:
                    continue
            elif not cells or all(is_blank(v) for v in cells):
                continue
            out.append((first + index, cells))
        return out

    def get(self, cells: Sequence[Cell], role: BillingRole) -> Cell:
        col = self.header.col(role)
        return cells[col] if col is not None and col < len(cells) else None

    def customer(self, cells: Sequence[Cell], row: int) -> tuple[str, str | None] | None:
        key = _text(self.get(cells, "id")) or _text(self.get(cells, "name"))
        if key is None:
            col = self.header.col("id")
            col = col if col is not None else self.header.col("name")
            self.add("no_customer", say.billing_no_customer(), [a1(row, col or 0)])
            return None
        return key, _text(self.get(cells, "name"))

    def cents(self, cells: Sequence[Cell], role: BillingRole, row: int, *, blank_ok: bool = True) -> int | None:
        value = self.get(cells, role)
        column = self.header.columns[role]
        if is_error_value(value):  # #REF! is no blank: read as 0, a broken formula made a customer churn
            self.add("bad_amount", say.unreadable(column.title, show(value), say.AMOUNT_IS_ERROR_VALUE),
                     [a1(row, column.index)])
            return None
        if is_blank(value):
            if blank_ok:
                return 0
            self.add("blank_amount", say.billing_blank(column.title), [a1(row, column.index)])
            return None
        key = (value, column.cents)
        try:
            found = self.money.get(key)
        except TypeError:
            found = None
        if found is not None:
            return found
        try:
            amount, _ = parse_money(value)
        except CellError as exc:
            self.add("bad_amount", say.unreadable(column.title, show(value), exc.expected), [a1(row, column.index)])
            return None
        cents = int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)) if column.cents else \
            int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if isinstance(value, str):
            self.money[key] = cents
            if (code := currency_mark(value)) is not None:
                self.marks.setdefault(code, a1(row, column.index))
        return cents

    def paying(self, cells: Sequence[Cell], role: BillingRole, row: int, cents: int | None) -> int | None:
        """A subscription's or a month's amount, None when below 0 (the error is added): netted into the customer's
        other rows, a -100 cancelled a 100 with no word said. A credit is cash, as on invoice lines, and a row is
        no place for it."""
        if cents is None or cents >= 0:
            return cents
        column = self.header.columns[role]
        self.add("negative_amount", say.billing_negative(column.title, show(self.get(cells, role))),
                 [a1(row, column.index)])
        return None

    def net(self, cells: Sequence[Cell], row: int, cents: int) -> int | None:
        """A subscription's or a month's amount as an invoice line's is read: less its discount, and less its tax
        when the amount is a Total (tax in it; an Amount or a Subtotal is before tax). None: a cell unreadable, or a
        discount above the amount (the error is added)."""
        h = self.header
        tax = self.cents(cells, "tax", row) if "tax" in h.columns and h.columns["amount"].with_tax else 0
        discount = self.cents(cells, "discount", row) if "discount" in h.columns and not h.columns[
            "amount"].discount_off else 0
        if tax is None or discount is None:
            return None
        net = cents - tax - abs(discount)
        if net < 0 <= cents - tax and discount:
            column, amount = h.columns["discount"], h.columns["amount"]
            said = [f"{c.title} {show(self.get(cells, c.role))}" for c in (column, amount)]
            self.add("discount_above_amount", say.discount_above_amount(*said),
                     [a1(row, column.index), a1(row, amount.index)])
            return None
        return net

    def date(self, cells: Sequence[Cell], role: BillingRole, row: int) -> dt.date | None:
        """The date in the row's ``role`` column; None when blank; ``BAD`` when unreadable (the error is added)."""
        value = self.get(cells, role)
        if is_error_value(value):  # #N/A is no blank: a blank End would keep the subscription paying
            column = self.header.columns[role]
            self.add("bad_date", say.unreadable(column.title, show(value), say.DATE_IS_ERROR_VALUE),
                     [a1(row, column.index)])
            return BAD
        if is_blank(value):
            return None
        if isinstance(value, str) and (found := self.dates.get(value)) is not None:
            return found
        col = self.header.columns[role].index
        if col not in self.orders:
            self.orders[col] = infer_date_order([v for _, r in self.rows_cache if isinstance(v := (
                r[col] if col < len(r) else None), str)])
        try:
            found = parse_date(value, self.orders[col])
        except CellError as exc:
            self.add("bad_date", say.unreadable(self.header.columns[role].title, show(value), exc.expected),
                     [a1(row, col)])
            return BAD
        if isinstance(value, str):
            self.dates[value] = found
        return found

    def attributes(self, cells: Sequence[Cell]) -> dict[str, str | None]:
        return {name: _text(cells[col]) if col < len(cells) else None for name, col in self.header.attributes.items()}

    def times_quantity(self, cells: Sequence[Cell], row: int, cents: int) -> int | None:
        """A per-unit amount times the row's quantity (blank: 1)."""
        value = self.get(cells, "quantity")
        if is_empty(value):
            return cents
        try:
            quantity, _ = parse_money(value)
        except CellError:
            quantity = Decimal(-1)
        if quantity < 0:
            column = self.header.columns["quantity"]
            self.add("bad_quantity", say.unreadable(column.title, show(value), "a number of units such as 3"),
                     [a1(row, column.index)])
            return None
        total = cents * quantity
        if abs(total) > MONEY_LIMIT * 100:  # each factor is readable, their product is not an amount
            column = self.header.columns["quantity"]
            self.add("bad_quantity", say.quantity_too_large(column.title, show(value)), [a1(row, column.index)])
            return None
        return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def months_of(self, cells: Sequence[Cell], row: int) -> int | None:
        """A row's billing frequency in months (times an interval count when there is one)."""
        value = self.get(cells, "frequency")
        column = self.header.columns["frequency"]
        if is_error_value(value):
            self.add("bad_frequency", say.billing_bad_frequency(column.title, show(value)), [a1(row, column.index)])
            return None
        if is_blank(value):
            self.add("blank_frequency", say.billing_blank(column.title), [a1(row, column.index)])
            return None
        text = " ".join(str(_text(value) or "").lower().replace("_", " ").split())
        months = FREQUENCY_MONTHS.get(text) or FREQUENCY_MONTHS.get(text.rstrip("s"))
        if months is None and (m := re.fullmatch(r"(?:every )?(\d+) ?(month|year)s?", text)):
            months = int(m[1]) * (12 if m[2] == "year" else 1)
        if months is None and text.replace("-", " ").replace("_", " ") in _ONE_OFF_FREQUENCIES:
            self.add("bad_frequency", say.billing_one_off_frequency(column.title, show(value)), [a1(row, column.index)])
            return None
        if not months:  # every 0 months was read as monthly
            self.add("bad_frequency", say.billing_bad_frequency(column.title, show(value)), [a1(row, column.index)])
            return None
        value = self.get(cells, "count")
        if is_empty(value):
            return months
        try:  # 0, -3, 1.5 or x were read as 1
            count = Decimal(str(_text(value)).replace(",", ""))
            times = int(count) if count.is_finite() and count == count.to_integral_value() and 1 <= count <= 1200 \
                else None
        except ArithmeticError:
            times = None
        if times is None:
            column = self.header.columns["count"]
            self.add("bad_count", say.billing_bad_count(column.title, show(value)), [a1(row, column.index)])
            return None
        return months * times

    # -- the kinds --

    def column(self, role: BillingRole) -> list[Cell]:
        """The role's cell in every data row (None where the column is absent or the row short)."""
        col = self.header.col(role)
        rows = self.rows_cache
        if col is None:
            return [None] * len(rows)
        if self.width is None:
            self.width = min(map(len, map(operator.itemgetter(1), rows)), default=0)
        if rows and self.width > col:
            return list(map(operator.itemgetter(col), map(operator.itemgetter(1), rows)))
        return [cells[col] if col < len(cells) else None for _, cells in rows]

    @staticmethod
    def mapped(values: list[Cell], read: Callable[[Cell], T]) -> list[T]:
        """``read`` once per distinct value of a column, mapped over the column at C speed."""
        try:
            seen = {value: read(value) for value in set(values)}
        except TypeError:  # an unhashable cell (Decimal('sNaN')): each read on its own
            return [read(value) for value in values]
        return list(map(seen.__getitem__, values))

    def texts(self, role: BillingRole) -> list[str | None]:
        return self.mapped(self.column(role), _text)

    def api_cents(self) -> bool:
        """Whether the lines are a billing system's own rows, whose amounts are integer cents: Stripe's (Sigma,
        Data Pipeline, a warehouse sync: ``amount``, ``period_start``, ``period_end`` as the API names them, with
        lower-case currency codes) or Chargebee's (``amount``, ``date_from``, ``date_to``). Then they are read in
        cents, and a warning says so."""
        head = self.grid[self.header.index]
        names = {role: head[c.index] for role, c in self.header.columns.items()}
        shape = (names.get("amount"), names.get("start"), names.get("end"))
        if shape == ("amount", "period_start", "period_end"):
            system = "Stripe"
            codes = {v for v in self.texts("currency") if v is not None} if "currency" in names else set()
            if not codes or not all(re.fullmatch(r"[a-z]{3}", c) for c in codes):
                return False
        elif shape == ("amount", "date_from", "date_to"):
            system = "Chargebee"
        else:
            return False
        try:
            amounts = [v for v in set(self.column("amount")) if not is_blank(v)]  # each distinct figure once
        except TypeError:  # an unhashable cell (Decimal('sNaN')): not a whole number anyway
            return False
        if not amounts or not all(_whole(v) for v in amounts):
            return False
        self.add("api_cents", say.billing_api_cents(system), [a1(self.first_row + self.header.index,
                                                                    self.header.columns["amount"].index)], "warning")
        return True

    def lines(self) -> BillingResult:
        h = self.header
        amount = h.columns["amount"]
        rows = self.rows_cache
        bad: set[int] = set()

        keys = self.texts("id") if "id" in h.columns else self.texts("name")
        if "id" in h.columns and "name" in h.columns and None in keys:
            keys = [k or n for k, n in zip(keys, self.texts("name"), strict=True)]
        for k, key in enumerate(keys):
            if key is None:
                bad.add(k)
                col = h.col("id")
                col = col if col is not None else h.col("name")
                self.add("no_customer", say.billing_no_customer(), [a1(rows[k][0], col or 0)])
        names = self.texts("name") if "name" in h.columns else list(keys)

        api_cents = self.api_cents()

        def money(role: BillingRole, blank_ok: bool) -> list[int]:
            column = h.columns[role]
            if api_cents and role in ("amount", "discount", "tax"):
                column = dataclasses.replace(column, cents=True)
            values = self.column(role)

            scale = 1 if column.cents else 100

            def read(value: Cell) -> object:
                if type(value) is str and (m := _PLAIN_MONEY.fullmatch(value)) and not (
                        column.cents and (m[3] or "").strip("0")):  # 1200.5, -49.00: read without Decimal
                    frac = m[3] or ""
                    cents = int(m[2]) * scale + (int(frac.ljust(2, "0")) if frac and not column.cents else 0)
                    return -cents if m[1] else cents
                if is_blank(value):
                    return BAD if not blank_ok or is_error_value(value) else 0  # #REF! is said, never read as 0
                try:
                    found, _ = parse_money(value)
                except CellError:
                    return BAD
                return int(found.quantize(Decimal(1), rounding=ROUND_HALF_UP)) if column.cents else \
                    int((found * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

            out = self.mapped(values, read)
            marked = {code for v in {v for v in values if type(v) is str}
                      if not _PLAIN_MONEY.fullmatch(v) and (code := currency_mark(v))}
            if marked - self.marks.keys():  # each currency's first cell, in the order the rows show them
                for k, v in enumerate(values):
                    if type(v) is str and (code := currency_mark(v)) is not None and code not in self.marks:
                        self.marks[code] = a1(rows[k][0], column.index)
            for k, got in enumerate(out):
                if got is BAD:
                    bad.add(k)
                    value = values[k]
                    try:
                        parse_money(value)
                        why = say.billing_blank(column.title)
                    except CellError as exc:
                        why = say.unreadable(column.title, show(value), say.AMOUNT_IS_ERROR_VALUE
                                             if is_error_value(value) else exc.expected)
                    self.add("bad_amount", why, [a1(rows[k][0], column.index)])
            return [v if type(v) is int else 0 for v in out]

        cents = money("amount", False)
        tax = money("tax", True) if "tax" in h.columns else [0] * len(rows)
        discount = money("discount", True) if "discount" in h.columns else [0] * len(rows)

        def dates(role: BillingRole) -> list[dt.date | None]:
            column = h.columns[role]
            values = self.column(role)
            order = infer_date_order(list({v for v in values if isinstance(v, str)}))
            errors: dict[Cell, str] = {}

            def read(value: Cell) -> object:
                if is_error_value(value):
                    errors[show(value)] = say.DATE_IS_ERROR_VALUE
                    return BAD
                if is_blank(value):
                    return None
                try:
                    return parse_date(value, order)
                except CellError as exc:
                    errors[show(value)] = exc.expected
                    return BAD

            out = self.mapped(values, read)
            for k, got in enumerate(out):
                if got is BAD:
                    bad.add(k)
                    shown = show(values[k])
                    self.add("bad_date", say.unreadable(column.title, shown, errors.get(shown, DATE_EXPECTED)),
                             [a1(rows[k][0], column.index)])
            return out  # type: ignore[return-value]

        starts, ends = dates("start"), dates("end")
        backwards = {(start, end) for start, end in set(zip(starts, ends, strict=True))  # each pair once
                     if start is not None and end is not None and BAD not in (start, end) and ends_before(start, end)}
        for k, pair in enumerate(zip(starts, ends, strict=True) if backwards else ()):
            if pair in backwards:
                bad.add(k)
                self.add("end_before_start", say.billing_end_before_start(h.columns["end"].title,
                                                                           h.columns["start"].title),
                         [a1(rows[k][0], h.columns["end"].index)])
        kinds = self.mapped(self.column("type"), lambda v: (_text(v) or "").casefold()) if "type" in h.columns \
            else None
        if "subscription" in h.columns:
            subs = self.texts("subscription")
        else:  # no subscription column: every line with a service period is recurring
            subs = ["-"] * len(rows)
        if kinds is not None:
            subs = [None if kind in _ONE_OFF_TYPES else sub for sub, kind in zip(subs, kinds, strict=True)]
        credit = [kind in _CREDIT_TYPES for kind in kinds] if kinds is not None else [False] * len(rows)
        discounts = [kind in _DISCOUNT_TYPES for kind in kinds] if kinds is not None else [False] * len(rows)
        with_tax = amount.with_tax
        off = 0 if amount.discount_off else 1
        net = [c - (t if with_tax else 0) - off * abs(d) for c, t, d in zip(cents, tax, discount, strict=True)]
        proration = self.mapped(self.column("proration"), lambda v: (_text(v) or "").casefold() in _TRUE) \
            if "proration" in h.columns else [False] * len(rows)
        if any(discounts):  # a discount line (Zuora's) changes its subscription's rate over its period
            proration = [p or d for p, d in zip(proration, discounts, strict=True)]
        statuses = self.texts("status") if "status" in h.columns else [None] * len(rows)
        currencies = self.texts("currency") if "currency" in h.columns else [self.fallback] * len(rows)
        attributes = {a: self.mapped([cells[c] if c < len(cells) else None for _, cells in rows], _text)
                      for a, c in h.attributes.items()}
        lines = LineColumns(customer=[k or "" for k in keys], name=names, status=statuses, subscription=subs,
                            start=starts, end=ends, net=net, proration=proration, credit=credit, currency=currencies,
                            row=[r for r, _ in rows], attributes=attributes,
                            invoice=self.column("invoice") if "invoice" in h.columns else ())
        if bad:
            lines = _keep(lines, [k for k in range(len(rows)) if k not in bad])
        return normalize_line_columns(
            lines,
            options=self.options, sheet=self.sheet, attribute_names=list(h.attributes),
            key_headers=self.key_headers, cell=self.cell_of("currency"))

    def invoices(self) -> BillingResult:
        """An invoice-level export (Stripe's Dashboard invoices): its own period is not the service period, so
        each subscription's interval is read from the cadence of its invoices, where that cadence is certain."""
        h = self.header
        when: BillingRole = "date" if "date" in h.columns else "start"
        found: list[tuple[int, str, str | None, str | None, dt.date, int, int, Sequence[Cell]]] = []
        for row, cells in self.rows_cache:
            who = self.customer(cells, row)
            cents = self.cents(cells, "amount", row, blank_ok=False)
            tax = self.cents(cells, "tax", row) if "tax" in h.columns else 0
            day = self.date(cells, when, row)
            if who is None or cents is None or tax is None or day is BAD:
                continue
            if day is None:
                self.add("blank_date", say.billing_blank(h.columns[when].title), [a1(row, h.columns[when].index)])
                continue
            # an Amount Due or a Total has the tax in it and the discount taken off; a Subtotal the other way round
            after = h.columns["amount"].with_tax or h.columns["amount"].invoice_level
            discount = 0 if after or "discount" not in h.columns else self.cents(cells, "discount", row) or 0
            found.append((row, who[0], who[1], _text(self.get(cells, "subscription")), day,
                          cents - tax if after else cents, discount, cells))
        by_sub: dict[str, list[dt.date]] = defaultdict(list)
        first_row: dict[str, int] = {}
        for row, _, _, sub, day, *_ in found:
            if sub is not None:
                by_sub[sub].append(day)
                first_row.setdefault(sub, row)
        interval: dict[str, int] = {}
        uncertain: list[tuple[str, int]] = []
        for sub, days in by_sub.items():
            ordered = sorted({d if not isinstance(d, dt.datetime) else d.date() for d in days})
            gaps = {period_months(a, b) for a, b in itertools.pairwise(ordered)}
            if len(gaps) == 1:
                interval[sub] = gaps.pop()
            else:
                uncertain.append((sub, first_row[sub]))
        if uncertain:
            sub_col = h.col("subscription") or 0
            self.add("invoice_level", say.billing_invoice_level(
                [(sub, a1(row, sub_col)) for sub, row in uncertain], len(by_sub)),
                [a1(row, sub_col) for _, row in uncertain[:3]])
            return BillingResult(None, Normalization(kind="invoice_lines", read=len(found), used=0, left_out={},
                                                     spread={}))  # its issues are the reader's
        lines = []
        for row, key, name, sub, day, cents, discount, cells in found:
            n = interval.get(sub or "", 1)
            start = day.date() if isinstance(day, dt.datetime) else day
            end = (dt.date(start.year + (start.month + n - 1) // 12, (start.month + n - 1) % 12 + 1, 1)
                   + dt.timedelta(days=start.day - 1))
            lines.append(BillingLine(customer_id=key, customer_name=name, subscription_id=sub,
                                     invoice_status=_text(self.get(cells, "status")), period_start=start,
                                     period_end=end, amount_cents=cents, discount_cents=abs(discount),
                                     currency=_text(self.get(cells, "currency")) or self.fallback,
                                     attributes=self.attributes(cells) if h.attributes else {}, row=row))
        return normalize_lines(lines, options=self.options, sheet=self.sheet, attribute_names=list(h.attributes),
                               key_headers=self.key_headers, cell=self.cell_of("currency"))

    def subscriptions(self) -> BillingResult:
        h = self.header
        rows: list[SubscriptionRow] = []
        role: BillingRole = "mrr" if "mrr" in h.columns else "arr" if "arr" in h.columns else "amount"
        if role != "amount" and (discount := h.columns.get("discount")) is not None:
            self.add("discount_not_taken_off", say.discount_not_taken_off(discount.title, h.columns[role].title),
                     [a1(self.first_row + self.header.index, discount.index)], "warning")
        per_unit = False  # Stripe's Amount is per unit, times its Quantity; Seats, Licenses or Units are not
        if role == "amount" and (units := h.columns.get("quantity")) is not None:
            amount = h.columns["amount"].title
            # a Unit Price (Recurly's unit_amount) is per unit whatever the Quantity's header; a whole amount beside
            # one (Chargebee's plan_amount beside plan_unit_price) has the quantity in it already
            per_unit = h.columns["amount"].per_unit or (h.unit_price_beside is None and bool(
                header_tokens(units.title) & {"quantity", "qty"}))
            unit_price = h.unit_price_beside
            self.add("quantity_multiplied" if per_unit else "quantity_not_multiplied",
                     say.unit_price_multiplied(amount, units.title) if h.columns["amount"].per_unit
                     else say.quantity_multiplied(amount, units.title) if per_unit
                     else say.quantity_in_whole(amount, unit_price, units.title) if unit_price is not None
                     else say.quantity_not_multiplied(amount, units.title),
                     [a1(self.first_row + self.header.index, units.index)], "warning")
        unknown: dict[str, str] = {}  # each status nrr does not know, shown -> its first cell
        scheduled: dict[int, str] = {}  # rows live with a cancellation date: asked for, not taken effect yet
        for row, cells in self.rows_cache:
            who = self.customer(cells, row)
            cents = self.paying(cells, role, row, self.cents(cells, role, row, blank_ok=False))
            start = self.date(cells, "start", row)
            end = self.date(cells, "end", row) if "end" in h.columns else None
            status = (_text(self.get(cells, "status")) or "").strip().casefold()
            word = "_".join(status.replace("-", " ").split())  # Incomplete Expired, non-renewing
            if word and word not in _KNOWN_STATUS:
                unknown.setdefault(show(self.get(cells, "status")), a1(row, h.columns["status"].index))
            if end is None and "cancel" in h.columns and (status in _ENDED_STATUS or (
                    _ENDED_WORDS.search(status) and not _PENDING_WORDS.search(status))):
                # Cancelled, Deleted, Cancelled by customer: it ended when it was cancelled
                end = self.date(cells, "cancel", row)
            elif end is None and "cancel" in h.columns and not is_empty(self.get(cells, "cancel")) and (
                    word in _LIVE_STATUS | _TRIAL_STATUS or _PENDING_WORDS.search(status)):
                scheduled.setdefault(row, show(self.get(cells, "status")))  # asked to cancel, paying till it ends
            trial_end = self.date(cells, "trial_end", row) if "trial_end" in h.columns else None
            if start not in (None, BAD) and trial_end not in (None, BAD) and trial_end > start:
                # a trial pays nothing: paid from its end (Stripe's Trial End), and never when it ended by then
                if end not in (None, BAD) and end <= trial_end:
                    if who is not None:  # read, and counted among the rows left out as a trial (it had gone unsaid)
                        rows.append(SubscriptionRow(customer_id=who[0], customer_name=who[1], start=start, end=end,
                                                    cents=0, months=1, trial=True, row=row,
                                                    currency=_text(self.get(cells, "currency")) or self.fallback))
                    continue
                start = trial_end
            if start is None:
                column = h.columns["start"]
                self.add("blank_start", say.billing_blank(column.title), [a1(row, column.index)])
                continue
            months = 1 if role == "mrr" else 12 if role == "arr" else self.months_of(cells, row)
            if cents is not None and per_unit:
                cents = self.times_quantity(cells, row, cents)
            if cents is not None and role == "amount":
                cents = self.net(cells, row, cents)
            if who is None or cents is None or start is BAD or end is BAD or months is None:
                continue
            if end is not None and ends_before(start, end):
                self.add("end_before_start", say.billing_end_before_start(
                    h.columns["end"].title, h.columns["start"].title), [a1(row, h.columns["end"].index)])
                continue
            if end is None and status in _ENDED_STATUS | _PAUSED_STATUS:
                column = h.columns["status"]
                where = h.columns["end"].title if "end" in h.columns else None
                if status in _ENDED_STATUS:
                    self.add("ended_without_end", say.subscription_ended_without_end(
                        column.title, show(self.get(cells, "status")), where), [a1(row, column.index)])
                    continue
                self.add("paused_counted", say.subscription_paused_counted(
                    column.title, show(self.get(cells, "status")), where), [a1(row, column.index)], "warning")
            rows.append(SubscriptionRow(customer_id=who[0], customer_name=who[1], start=start, end=end, cents=cents,
                                        months=months, trial=status in _TRIAL_STATUS,
                                        incomplete=word in _INCOMPLETE_STATUS,
                                        currency=_text(self.get(cells, "currency")) or self.fallback,
                                        attributes=self.attributes(cells) if h.attributes else {}, row=row))
        if scheduled:
            first = min(scheduled)
            self.add("cancel_scheduled", say.cancel_scheduled(h.columns["cancel"].title, h.columns["status"].title,
                                                             len(scheduled), scheduled[first]),
                     [a1(first, h.columns["cancel"].index)], "warning")
        if unknown:
            self.add("unknown_status", say.subscription_unknown_status(h.columns["status"].title, list(unknown)),
                     list(unknown.values())[:5], "warning")
        return normalize_subscriptions(rows, options=self.options, sheet=self.sheet,
                                       attribute_names=list(h.attributes), key_headers=self.key_headers,
                                       cell=self.cell_of("currency"))

    def month_amounts(self) -> BillingResult:
        h = self.header
        role: BillingRole = "month" if "month" in h.columns else "date"
        col = h.columns[role].index
        order = infer_date_order([v for _, r in self.rows_cache if isinstance(v := (r[col] if col < len(r) else None),
                                                                                 str)])
        rows: list[MonthAmount] = []
        for row, cells in self.rows_cache:
            who = self.customer(cells, row)
            cents = self.paying(cells, "amount", row, self.cents(cells, "amount", row))
            if cents is not None:
                cents = self.net(cells, row, cents)
            value = self.get(cells, role)
            try:
                month: Month | None = parse_month(value, order)
            except CellError as exc:
                self.add("bad_month", say.unreadable(h.columns[role].title, show(value), exc.expected), [a1(row, col)])
                month = None
            frequency = self.get(cells, "frequency")
            months = self.months_of(cells, row) if not is_empty(frequency) else 1
            if who is None or cents is None or month is None or months is None:
                continue
            rows.append(MonthAmount(customer_id=who[0], customer_name=who[1], month=month, cents=cents, months=months,
                                    currency=_text(self.get(cells, "currency")) or self.fallback,
                                    attributes=self.attributes(cells) if h.attributes else {}, row=row))
        return normalize_month_amounts(rows, options=self.options, sheet=self.sheet,
                                       attribute_names=list(h.attributes), key_headers=self.key_headers,
                                       cell=self.cell_of("currency"))

    def data_currency(self) -> str | None:
        """With no Currency column, the one currency the amount column's header (``MRR (EUR)``, ``MRR (€)``) and
        its cells (``€1,200``) name, for every row to be converted from it as from a Currency cell; None for none,
        or for several (refused as mixed once the cells are read). The header is noted as a mark, so that cells
        written in another currency are refused as mixed too."""
        h = self.header
        if "currency" in h.columns:
            return None
        named: set[str] = set()
        for role in ("amount", "mrr", "arr"):
            if (column := h.columns.get(role)) is None:
                continue
            if (code := header_currency(column.title)) is not None:
                self.marks.setdefault(code, a1(self.first_row + h.index, column.index))
                named.add(code)
            named |= {code for v in {v for v in self.column(role) if type(v) is str}
                      if (code := currency_mark(v)) is not None}
        return named.pop() if len(named) == 1 and CODE.fullmatch(next(iter(named))) else None

    def header_against_column(self) -> None:
        """An amount column whose header names a currency (``Amount (USD)``) beside a Currency column that names
        another: refused, naming both, for either could be the wrong one."""
        h = self.header
        if "currency" not in h.columns:
            return
        codes: dict[str, str] = {}  # each code's first cell
        for (row, _), value in zip(self.rows_cache, self.column("currency"), strict=True):
            if (text := _text(value)) is not None:
                codes.setdefault(currency_code(text), a1(row, h.columns["currency"].index))
        for role in ("amount", "mrr", "arr"):
            column = h.columns.get(role)
            named = None if column is None else header_currency(column.title)
            if column is None or named is None or not set(codes) - {named}:
                continue
            header_cell = a1(self.first_row + h.index, column.index)
            others = [(code, cell) for code, cell in codes.items() if code != named]
            self.add("mixed_currency", say.header_currency_disagrees(column.title, named, header_cell,
                                                                     h.columns["currency"].title, others),
                     [header_cell, *(cell for _, cell in others)])
            return

    def not_applied(self) -> None:
        """A percentage discount, a tax rate beside an amount with its tax in it, and a discount's duration are not
        applied (rates would need a cell's format to tell 20% from 0.2): a warning names each, so that none is
        ignored with no word said."""
        h = self.header
        amount = h.columns.get("amount") or h.columns.get("mrr") or h.columns.get("arr")
        said = amount.title if amount is not None else "the amount"
        header_row = self.first_row + h.index
        for beside in h.cents_beside:
            self.add("read_in_cents", say.read_in_cents_beside(beside.title, said), [a1(header_row, beside.index)],
                     "warning")
        if (pct := h.columns.get("discount_pct")) is not None:
            self.add("discount_not_applied", say.percent_discount_not_applied(pct.title, said),
                     [a1(header_row, pct.index)], "warning")
        if (rate := h.columns.get("tax_rate")) is not None and amount is not None and amount.with_tax \
                and "tax" not in h.columns:
            self.add("tax_rate_not_applied", say.tax_rate_not_applied(rate.title, said),
                     [a1(header_row, rate.index)], "warning")
        elif amount is not None and amount.tax_named and "tax" not in h.columns:
            # Amount incl. tax, Gross Amount, and nothing to take the tax off with: counted with it, said so
            self.add("tax_not_taken_off", say.tax_in_amount_not_taken_off(said), [a1(header_row, amount.index)],
                     "warning")
        if (coupon := h.columns.get("coupon")) is not None and "discount" not in h.columns and \
                (codes := [t for v in self.column("coupon") if (t := _text(v)) is not None and t.strip()]):
            first = next(r for r, cells in self.rows_cache if _text(self.get(cells, "coupon")))
            self.add("coupon_not_applied", say.coupon_not_applied(coupon.title, len(codes), codes[0]),
                     [a1(first, coupon.index)], "warning")
        duration = h.columns.get("discount_duration")
        discount = h.columns.get("discount") or h.columns.get("discount_pct")
        if duration is not None and discount is not None and any(
                (text := _text(v)) is not None and text.casefold() != "forever" for v in self.column(duration.role)):
            self.add("discount_not_applied", say.discount_duration_not_applied(duration.title, discount.title),
                     [a1(header_row, duration.index)], "warning")

    def run(self) -> BillingResult:
        self.rows_cache = self.rows()
        self.fallback = self.data_currency()
        kind = self.header.kind
        if kind is not None:
            self.not_applied()
        if kind is None:
            assert self.header.gap is not None
            looks, missing = self.header.gap
            self.add("missing_column", say.billing_missing(looks, missing, self.first_row + self.header.index))
            return BillingResult(None, Normalization(kind="invoice_lines", read=0, used=0, left_out={}, spread={}),
                                 tuple(self.issues))
        if kind == "invoice_lines":
            result = self.lines()
        elif kind == "invoices":
            result = self.invoices()
        elif kind == "subscriptions":
            result = self.subscriptions()
        else:
            result = self.month_amounts()
        self.header_against_column()
        if len(self.marks) > 1:  # $1,200 beside €50, with no currency column to say so
            self.add("mixed_currency", say.figures_in_currencies("billing", list(self.marks.items())),
                     list(self.marks.values()))
        mine = [i for i in result.issues if not (i.code == "empty" and any(j.severity == "error" for j in self.issues))]
        issues = (*self.issues, *mine)  # "nothing counts" says nothing more when the rows' own errors are named
        table = result.table if not any(i.severity == "error" for i in self.issues) else None
        if table is not None and table.currency is None and len(self.marks) == 1:
            code = next(iter(self.marks))  # every amount written $1,200: the data is in dollars
            table = dataclasses.replace(table, currency=code) if re.fullmatch(r"[A-Z]{3}", code) else table
        return BillingResult(table, result.normalization, issues)


def _keep(lines: LineColumns, keep: Sequence[int]) -> LineColumns:
    """The lines at ``keep`` only (those whose cells could all be read)."""
    def pick(values: Sequence[T]) -> list[T]:
        return [values[k] for k in keep]

    return LineColumns(customer=pick(lines.customer), name=pick(lines.name), status=pick(lines.status),
                       subscription=pick(lines.subscription), start=pick(lines.start), end=pick(lines.end),
                       net=pick(lines.net), proration=pick(lines.proration), credit=pick(lines.credit),
                       currency=pick(lines.currency), row=pick(lines.row),
                       attributes={a: pick(v) for a, v in lines.attributes.items()},
                       invoice=pick(lines.invoice) if lines.invoice else ())


def read_billing(grid: Sequence[Sequence[Cell]], header: BillingHeader, *, sheet: str | None = None,
                 first_row: int = 1, options: ReadOptions = NO_OPTIONS) -> BillingResult:
    """The billing data under ``header`` normalized to a customer table, with every error and warning."""
    return _Reader(grid, header, sheet, first_row, options).run()


def _whole(value: object) -> bool:
    """Whether a cell holds a whole number as a billing system's cents are held: an int, digits, or a database's
    NUMERIC(38,0) column's Decimal of no decimal places (read as dollars, every figure was 100 times too high). A
    float cannot say: a DOUBLE column holds 12000.00 dollars and 12000 cents alike, so it is read as written."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, str):
        return re.fullmatch(r"-?\d+", value.strip()) is not None
    if isinstance(value, Decimal):
        return value.is_finite() and value.as_tuple().exponent == 0
    return False
