"""Billing data to MRR per customer per month: the normalization rules, in one place.

Billing data (invoice line items, a subscriptions table, a per-month table with a billing interval) is
turned into the same ``CustomerTable`` a customer table gives, so every answer downstream is unchanged.
The readers of files and Google Sheets (``engine._billing_read``) and the live Stripe source build the
records below and hand them here; nothing else decides what counts.

The rules (the README's "Billing data" says the same to people):

1. **MRR is recurring revenue per month**: a line's amount less its discounts; tax is apart (the amount is
   the line's amount before tax; a reader whose amount column includes tax takes the tax off first).
2. **A recurring line is spread evenly over n calendar months**, starting with the month its service
   period starts; n is the period's length in months rounded to the nearest whole, at least 1 (days over
   30.436875, the mean month: monthly 1, quarterly 3, annual 12, two years 24).
3. **MRR is a rate**: an amount billed for n months is the amount over n in each of them, rounded to the cent
   (half to even), the same in every month (``monthly_rate(100000, 12) == 8333``: 1,000.00 a year is
   83.33 a month). Like a proration's rate, the months need not add up to the amount by a few cents: a split
   that made them add up (83.34 to April, 83.33 after) showed a customer whose plan never changed as
   contracting by a cent in May (fuzz 16).
4. **One-off lines never count**: a line with no subscription, or with a service period under a day (one that
   ends before it starts is an error, not a one-off).
   Lines on void, draft and uncollectible invoices never count; paid and open ones do (Chargebee's
   ``posted``/``payment_due``/``not_paid``, Recurly's ``past_due``/``closed``, Zuora's ``Posted`` are open
   or paid). Refunds and credit notes are cash, not MRR: a credit line, or a non-proration line whose net
   amount is below 0, is left out. A line whose net amount is 0 (a $0 trial, a 100% coupon) is not paying.
5. **Prorations** (a plan, price or quantity change mid-period, a mid-period cancellation with credit): a
   proration line is a change of rate, not a payment for its months. Its net amount over its period's
   exact length in months (whole calendar months plus the days left over as a part of their month) is a
   monthly rate, counted in each month whose last day its period covers. An upgrade on 15 January from
   100 to 200 a month credits about -54.84 and charges about 109.68 for 15 January to 1 February: rates of
   -100 and +200, so January ends at 200, as the customer pays on 31 January. The rate is rounded to the
   cent, so a proration's months need not add up to its amount. ChartMogul's documented rule differs: it
   books a change on the day it happens and keeps daily precision; nrr's figures are month-end states, so
   a change shows in the month whose last day it reaches (one that is undone within the month never shows).
6. **Metered usage** lines are recurring lines of their subscription: spread over their usage period like
   any other (so usage billed in arrears counts in the months it was used, not the month invoiced).
   **Quantity changes** show through their proration lines, then the next full line. **A mid-period
   cancellation** without a credit keeps the MRR to the end of the period paid for; with a proration
   credit the credit's rate takes it off from the month whose last day it covers. ChartMogul records
   churn at the cancellation date by default; nrr counts what is paid on each month's last day.
7. **A subscription row** counts its MRR in each month it is live on the last day of: from its start
   date's month, through its end date's month when the end date is that month's last day, else through
   the month before (the end date is inclusive). A row ending on the day another of its customer's rows starts has
   handed that day over: the new row is the one live at its end. A blank end is live through today's month (``today``,
   from ``--today`` or the runtime's clock: the engine has none; without it, the latest month the table
   names). A row's MRR is its MRR column (already monthly, whatever billing frequency stands beside it),
   else its amount over its billing frequency's months, else its ARR or ACV over 12; an amount billed for
   n months is split into its n months by rule 3, cycle after cycle from its start month.
8. **A per-month table with a billing interval** (amounts in their invoice month): an amount spreads
   over the n months from its month, n by its interval (annual 12, semi-annual 6, quarterly 3, monthly 1),
   split by rule 3.

A table of invoice lines (or of per-month amounts) runs from the first month a counted line covers through
the latest month a counted line starts in, and never past today's month: later months are not in the export
yet (a monthly customer's next invoice is not there, so counting an annual plan's later months would show
every monthly customer as churned). A subscriptions table runs through today's month (or the latest month
it names), so a subscription that ended shows as churn.
A month where a customer's figures add up below 0 (a credit larger than the line it corrects) is read as 0,
with a warning naming the customer and month.

    >>> lines = [BillingLine(customer_id="cus_1", subscription_id="sub_1", amount_cents=120000,
    ...                      period_start=dt.date(2026, 1, 1), period_end=dt.date(2027, 1, 1)),
    ...          BillingLine(customer_id="cus_1", amount_cents=5000, period_start=dt.date(2026, 1, 1),
    ...                      period_end=dt.date(2026, 1, 1)),
    ...          BillingLine(customer_id="cus_2", subscription_id="sub_2", amount_cents=2500,
    ...                      period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 4, 1))]
    >>> result = normalize_lines(lines, options=ReadOptions(today=Month(2026, 3)))
    >>> result.table.mrr, dict(result.normalization.left_out)
    (((10000, 10000, 10000), (0, 0, 2500)), {'one_off': 1})
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from engine import _messages as say
from engine._fx import CurrencyParts, FxRates, currency_code
from engine._issues import Issue
from engine._month import Month
from engine._options import NO_OPTIONS, ReadOptions
from engine._table import CustomerTable

SourceKind = Literal["ledger", "customer_months", "subscriptions", "invoice_lines"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("ledger", "customer_months", "subscriptions", "invoice_lines")

#: why a line or row was left out, in the order the summary names them
LeftOut = Literal["one_off", "void", "draft", "uncollectible", "credit", "trial", "incomplete", "no_period",
                  "not_started"]
LEFT_OUT: tuple[LeftOut, ...] = ("one_off", "void", "draft", "uncollectible", "credit", "trial", "incomplete",
                                 "no_period", "not_started")

MEAN_MONTH_DAYS = 30.436875  # 365.2425 / 12
_DAY = dt.timedelta(days=1)

# invoice statuses as Stripe, Chargebee, Recurly, Paddle and Zuora write them, in lower case
_STATUS_LEFT_OUT: dict[str, LeftOut] = {
    "void": "void", "voided": "void", "deleted": "void", "canceled": "void", "cancelled": "void",
    "draft": "draft", "pending": "draft",
    "uncollectible": "uncollectible", "failed": "uncollectible", "written_off": "uncollectible",
    "written off": "uncollectible", "bad_debt": "uncollectible", "bad debt": "uncollectible",
}
_STATUS_COUNTED = {"paid", "open", "posted", "payment_due", "payment due", "not_paid", "not paid", "past_due",
                   "past due", "closed", "processing", "billed", "completed", "succeeded", "due", "unpaid",
                   "overdue", "partially_paid", "partially paid", "issued", "sent", "finalized"}


def monthly_rate(total: int, n: int) -> int:
    """The monthly rate of ``total`` cents billed for ``n`` months: ``total / n`` rounded to the cent, half to even.

    >>> monthly_rate(1000, 3), monthly_rate(-1000, 3), monthly_rate(1200, 12), monthly_rate(5, 2), monthly_rate(7, 2)
    (333, -333, 100, 2, 4)
    """
    rate, rest = divmod(total, n)
    if 2 * rest > n or (2 * rest == n and rate % 2):
        rate += 1
    return rate


def monthly_cents(total: int, n: int) -> list[int]:
    """``total`` cents billed for ``n`` months as what each of them holds: its monthly rate, n times."""
    return [monthly_rate(total, n)] * n


def period_months(start: dt.date, end: dt.date) -> int:
    """A recurring line's n: its period's length in months, rounded to the nearest whole, at least 1.

    >>> [period_months(dt.date(2026, 1, 1), dt.date(2026, m, 1)) for m in (2, 4, 7)]
    [1, 3, 6]
    >>> period_months(dt.date(2026, 2, 1), dt.date(2026, 3, 1)), period_months(dt.date(2026, 1, 1),
    ...                                                                          dt.date(2026, 12, 31))
    (1, 12)
    """
    days = (end - start) / _DAY
    return max(1, int(days / MEAN_MONTH_DAYS + 0.5))


def _month_end(month: Month) -> dt.date:
    """The last day of ``month``: the day a month's MRR is counted on."""
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1) - _DAY


def exact_months(start: dt.date, end: dt.date) -> float:
    """A period's exact length in months: whole calendar months from ``start``, then the days left over as a
    part of the month they fall in. 1 July to 1 January is 6.0; 15 to 31 January (16 days) is 16/31.

    >>> exact_months(dt.date(2026, 7, 1), dt.date(2027, 1, 1))
    6.0
    >>> round(exact_months(dt.date(2026, 1, 15), dt.date(2026, 2, 1)), 4)
    0.5484
    """
    whole = (end.year - start.year) * 12 + end.month - start.month
    if _add_months(start, whole) > end:
        whole -= 1
    anchor = _add_months(start, whole)
    following = _add_months(start, whole + 1)
    return whole + (end - anchor) / (following - anchor)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    month = Month(year, month0 + 1)
    return dt.date(year, month0 + 1, min(day.day, _month_end(month).day))


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def ends_before(start: dt.date, end: dt.date) -> bool:
    """Whether ``end`` is before ``start``: to the second when both have a time, else by their days (a date and a
    datetime do not compare in Python).

    >>> ends_before(dt.date(2026, 3, 1), dt.datetime(2026, 2, 1, 10)), ends_before(dt.datetime(2026, 3, 1, 10),
    ...                                                                            dt.date(2026, 3, 1))
    (True, False)
    """
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        return end < start
    return _as_date(end) < _as_date(start)


def _under_a_day(start: dt.date, end: dt.date) -> bool:
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        return end - start < _DAY
    return _as_date(end) <= _as_date(start)


@dataclass(frozen=True, kw_only=True, slots=True)
class BillingLine:
    """One invoice line item, as a file's reader or the live Stripe source builds it.

    Money is in integer cents of ``currency``. ``amount_cents`` is the line's amount before tax and before
    ``discount_cents`` (a positive amount taken off); ``tax_cents`` is kept apart, never counted.
    ``subscription_id`` None is a one-off line. ``period_start``/``period_end`` are the line's service
    period (a date, or a datetime when the source has times). ``credit`` marks a refund or credit-note line.
    ``row`` is the sheet row it was read from (0 when built in code), for messages.
    """

    customer_id: str
    customer_name: str | None = None
    invoice_id: str | None = None
    invoice_status: str | None = None
    subscription_id: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    amount_cents: int
    discount_cents: int = 0
    tax_cents: int = 0
    currency: str | None = None
    proration: bool = False
    credit: bool = False
    attributes: Mapping[str, str | None] = field(default_factory=dict)
    row: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class SubscriptionRow:
    """One row of a subscriptions table: live from ``start`` through ``end`` (inclusive; None: still live),
    paying ``cents`` every ``months`` months (an MRR column is ``months=1``; ARR or ACV is ``months=12``)."""

    customer_id: str
    customer_name: str | None = None
    start: dt.date
    end: dt.date | None = None
    cents: int
    months: int = 1
    trial: bool = False
    #: its first payment never succeeded (Stripe's ``incomplete``, ``incomplete_expired``): never paying
    incomplete: bool = False
    currency: str | None = None
    attributes: Mapping[str, str | None] = field(default_factory=dict)
    row: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class MonthAmount:
    """One row of a per-month table with a billing interval: ``cents`` invoiced in ``month`` for ``months``
    months (the interval: 12 for annual, 3 for quarterly, 1 for monthly)."""

    customer_id: str
    customer_name: str | None = None
    month: Month
    cents: int
    months: int = 1
    currency: str | None = None
    attributes: Mapping[str, str | None] = field(default_factory=dict)
    row: int = 0


@dataclass(frozen=True, kw_only=True)
class Normalization:
    """What normalization did: how many lines or rows it read, used, and left out by reason
    (``LEFT_OUT``), and how many recurring ones it spread over more than one month, by n."""

    kind: SourceKind
    read: int
    used: int
    left_out: Mapping[str, int]
    spread: Mapping[int, int]
    prorations: int = 0
    customers: int = 0
    months: int = 0
    #: the distinct invoices whose lines were left out for their status (void, draft, uncollectible), when the
    #: lines name their invoice
    invoices_left_out: Mapping[str, int] = field(default_factory=dict)

    @property
    def sentence(self) -> str:
        """``read as invoice lines: 2,410 lines, 212 customers, 26 months; annual and quarterly plans spread
        over their months; 18 one-off lines and 9 void invoices left out``."""
        return say.read_as(self.kind, self.read, self.customers, self.months, dict(self.spread), dict(self.left_out),
                           dict(self.invoices_left_out))

    def to_dict(self) -> dict[str, Any]:
        """The JSON ``normalization`` object."""
        return {"read": self.read, "used": self.used,
                "left_out": {reason: self.left_out.get(reason, 0) for reason in LEFT_OUT},
                "spread": {str(n): count for n, count in sorted(self.spread.items())},
                "invoices_left_out": {r: self.invoices_left_out.get(r, 0) for r in ("void", "draft", "uncollectible")},
                "prorations": self.prorations, "customers": self.customers, "months": self.months,
                "summary": self.sentence}


@dataclass(frozen=True)
class BillingResult:
    """A normalization's table (None when there are errors), what it did, and every issue."""

    table: CustomerTable | None
    normalization: Normalization
    issues: tuple[Issue, ...] = ()


class _Months:
    """Customers in order of first appearance, each with its cents per absolute month index."""

    def __init__(self, attribute_names: Sequence[str], fx: FxRates | None = None) -> None:
        #: with rates: the figures in other currencies than the reporting one, converted in ``table``
        self.fx_parts = CurrencyParts(fx) if fx is not None else None
        self.converting = False
        self.index: dict[str, int] = {}
        self.names: list[str] = []
        self.cents: list[dict[int, int]] = []
        self.attribute_names = list(attribute_names)
        #: (customer, month index, attribute) -> (weight, value): the value of the largest contribution
        self.values: dict[tuple[int, int, str], tuple[int, str]] = {}
        #: weighed only when a question needs the attributes (``--by``, ``--where``): each counted line's customer,
        #: first month, n, net cents and index into ``deferred_columns`` (compact arrays: a million lines are 25 MB)
        self.deferred = (array("l"), array("l"), array("l"), array("q"), array("l"))
        self.deferred_columns: list[tuple[str, Sequence[str | None]]] = []
        self.first: int | None = None  # the first and last month index any counted line or row covers
        self.last: int | None = None
        self.latest_start: int | None = None  # the latest month a counted line or row starts in
        self.rows: dict[int, int] = {}  # customer -> its first sheet row

    def customer(self, key: str, name: str | None, row: int) -> int:
        c = self.index.get(key)
        if c is None:
            c = self.index[key] = len(self.names)
            self.names.append(name or key)
            self.cents.append({})
            self.rows[c] = row
        return c

    def started(self, month: int) -> None:
        if self.latest_start is None or month > self.latest_start:
            self.latest_start = month

    def cover(self, first: int, last: int) -> None:
        self.first = first if self.first is None else min(self.first, first)
        self.last = last if self.last is None else max(self.last, last)

    def add(self, c: int, first: int, parts: Sequence[int], attributes: Mapping[str, str | None],
            currency: str | None = None) -> None:
        """Add ``parts`` (cents) to customer ``c`` from month index ``first``; ``currency`` is the parts' own, for
        a conversion into the reporting currency where rates are given."""
        if self.fx_parts is not None:
            self.fx_parts.add(c, first, parts, currency)
        self.cover(first, first + len(parts) - 1)
        months = self.cents[c]
        for i, cents in enumerate(parts):
            months[first + i] = months.get(first + i, 0) + cents
        if attributes:
            self.weigh(c, first, parts, attributes)

    def weigh(self, c: int, first: int, parts: Sequence[int], attributes: Mapping[str, str | None]) -> None:
        """Each month a customer takes the attribute values of its largest contribution (ties: first in order)."""
        if attributes:
            for i, cents in enumerate(parts):
                for name, value in attributes.items():
                    if value:
                        key = (c, first + i, name)
                        held = self.values.get(key)
                        if held is None or (-cents, value) < (-held[0], held[1]):
                            self.values[key] = (cents, value)

    def table(self, last: int | None, currency: str | None, sheet: str | None,
              key_headers: tuple[str, ...]) -> tuple[CustomerTable | None, list[Issue], int]:
        """The table through month index ``last`` (None: the last month covered), the warnings, and its month
        count."""
        issues: list[Issue] = []
        if self.first is None or self.last is None:
            return None, issues, 0
        first = self.first
        end = self.last if self.latest_start is None else self.latest_start
        end = end if last is None else min(last, end)
        if end < first:
            return None, issues, 0
        count = end - first + 1
        mrr: list[tuple[int, ...]] = []
        negative: list[tuple[str, Month]] = []
        for c, months in enumerate(self.cents):
            series = [months.get(first + i, 0) for i in range(count)]
            if self.converting and self.fx_parts is not None:
                series = [self.fx_parts.total(c, first + i, v) for i, v in enumerate(series)]
            if min(series, default=0) < 0:
                for i, cents in enumerate(series):
                    if cents < 0:
                        negative.append((self.names[c], Month.from_index(first + i)))
                        series[i] = 0
            mrr.append(tuple(series))
        if negative:
            issues.append(Issue(severity="warning", code="negative_mrr", message=say.billing_negative_mrr(negative),
                                sheet=sheet))
        keys = tuple(self.index)
        names = tuple(self.attribute_names)

        def fill() -> Mapping[str, tuple[list[str | None], ...]]:
            columns = self.deferred_columns
            for c, at, n, net, k in zip(*self.deferred, strict=True):
                self.weigh(c, at, monthly_cents(net, n), {a: column[k] for a, column in columns})
            self.deferred = (array("l"), array("l"), array("l"), array("q"), array("l"))
            out: dict[str, tuple[list[str | None], ...]] = {
                a: tuple([None] * count for _ in keys) for a in names}
            for (c, m, a), (_, value) in self.values.items():
                if first <= m <= end:
                    out[a][c][m - first] = value
            return out

        table = CustomerTable(first=Month.from_index(first), count=count, keys=keys, names=tuple(self.names),
                              mrr=tuple(mrr), attribute_names=names, fill_attributes=fill, unit="MRR",
                              currency=currency, summed_by=None, key_headers=key_headers,
                              conversions=self.fx_parts.uses(first, end)
                              if self.converting and self.fx_parts is not None else ())
        return table, issues, count


def _status_reason(status: str | None, unknown: dict[str, int], row: int) -> LeftOut | None:
    if status is None:
        return None
    text = " ".join(status.split()).casefold()
    if not text or text in _STATUS_COUNTED:
        return None
    reason = _STATUS_LEFT_OUT.get(text)
    if reason is None:
        unknown.setdefault(status.strip(), row)
    return reason


def _currency(codes: Mapping[str, int], sheet: str | None, issues: list[Issue],
              cell: Callable[[int], str] | None, acc: _Months | None = None) -> str | None:
    """The one currency of the data (None when none is named); an error when there are several, unless they
    have rates (``ReadOptions.fx``): then the reporting currency, the others converted into it."""
    if acc is not None and acc.fx_parts is not None:
        problems = acc.fx_parts.problems({c: cell(row) if cell else f"row {row}" for c, row in codes.items()},
                                         "The billing data holds")
        if problems is not None:
            issues.extend(Issue(severity="error", code="mixed_currency", message=m, sheet=sheet) for m in problems)
            acc.converting = not problems
            return acc.fx_parts.fx.reporting if not problems else None
    if len(codes) > 1:
        firsts = [(code, cell(row) if cell else f"row {row}") for code, row in codes.items()]
        issues.append(Issue(severity="error", code="mixed_currency", message=say.billing_currencies(firsts),
                            sheet=sheet))
        return None
    return next(iter(codes), None)


def _finish(acc: _Months, kind: SourceKind, read: int, used: int, left_out: dict[str, int],
            spread: dict[int, int], prorations: int, last: int | None, codes: dict[str, int],
            issues: list[Issue], sheet: str | None, key_headers: tuple[str, ...],
            cell: Callable[[int], str] | None) -> BillingResult:
    currency = _currency(codes, sheet, issues, cell, acc)
    table, more, count = acc.table(last, currency, sheet, key_headers)
    issues.extend(more)
    if table is None and not any(i.severity == "error" for i in issues):
        issues.append(Issue(severity="error", code="empty",
                            message=say.billing_nothing_counted(kind, read, left_out), sheet=sheet))
    summary = Normalization(kind=kind, read=read, used=used, left_out={k: v for k, v in left_out.items() if v},
                            spread=spread, prorations=prorations, customers=len(acc.names) if table else 0,
                            months=count)
    if any(i.severity == "error" for i in issues):
        table = None
    return BillingResult(table, summary, tuple(issues))


@dataclass(frozen=True, kw_only=True)
class LineColumns:
    """Invoice lines as columns, one entry per line: what ``normalize_lines`` loops over. A file's reader builds
    these directly (a million ``BillingLine`` objects would cost more than the rules), so both paths share one
    loop. ``net`` is the amount less discounts, in cents."""

    customer: Sequence[str]
    name: Sequence[str | None]
    status: Sequence[str | None]
    subscription: Sequence[str | None]
    start: Sequence[dt.date | None]
    end: Sequence[dt.date | None]
    net: Sequence[int]
    proration: Sequence[bool]
    credit: Sequence[bool]
    currency: Sequence[str | None]
    row: Sequence[int]
    attributes: Mapping[str, Sequence[str | None]] = field(default_factory=dict)
    #: each line's invoice (its cell, read only for the lines left out for their invoice's status), when known
    invoice: Sequence[object] = ()


def normalize_lines(lines: Iterable[BillingLine], *, options: ReadOptions = NO_OPTIONS, sheet: str | None = None,
                    attribute_names: Sequence[str] = (), key_headers: tuple[str, ...] = (),
                    cell: Callable[[int], str] | None = None) -> BillingResult:
    """Invoice line items to MRR per customer per month, by the module's rules 1-6.

    ``attribute_names``: the attribute columns the lines carry (Plan, Segment), for ``--by`` and
    ``--where``. ``cell``: a sheet row to the cell messages name (a currency's first cell).
    """
    lines = list(lines)
    columns = LineColumns(
        customer=[x.customer_id for x in lines], name=[x.customer_name for x in lines],
        status=[x.invoice_status for x in lines], subscription=[x.subscription_id for x in lines],
        start=[x.period_start for x in lines], end=[x.period_end for x in lines],
        net=[x.amount_cents - x.discount_cents for x in lines], proration=[x.proration for x in lines],
        credit=[x.credit for x in lines], currency=[x.currency for x in lines], row=[x.row for x in lines],
        attributes={a: [x.attributes.get(a) for x in lines] for a in attribute_names},
        invoice=[x.invoice_id for x in lines])
    return normalize_line_columns(columns, options=options, sheet=sheet, attribute_names=attribute_names,
                                  key_headers=key_headers, cell=cell)


_UNSEEN = object()


def normalize_line_columns(lines: LineColumns, *, options: ReadOptions = NO_OPTIONS, sheet: str | None = None,
                           attribute_names: Sequence[str] = (), key_headers: tuple[str, ...] = (),
                           cell: Callable[[int], str] | None = None) -> BillingResult:
    """``normalize_lines`` on lines given as columns: the one loop that applies rules 1-6, in integer cents,
    each distinct status, period and amount worked out once."""
    acc = _Months(attribute_names, options.fx)
    left_out: dict[str, int] = dict.fromkeys(LEFT_OUT, 0)
    spread: dict[int, int] = {}
    unknown: dict[str, int] = {}
    codes: dict[str, int] = {}
    issues: list[Issue] = []
    used = prorations = 0
    spans: dict[tuple[dt.date, dt.date], tuple[int, int]] = {}  # (start, end) -> (first month index, n); n 0: one-off,
    # -1: the period ends before it starts
    backwards: list[int] = []  # the rows of lines whose period ends before it starts
    reasons: dict[str | None, LeftOut | None] = {None: None}
    invoices: dict[str, set[str]] = {}  # reason -> the invoices left out for their status
    index, cents_of = acc.index, acc.cents
    attribute_columns = [(a, lines.attributes[a]) for a in attribute_names if a in lines.attributes]
    acc.deferred_columns = attribute_columns
    defer_c, defer_first, defer_n, defer_net, defer_k = (column.append for column in acc.deferred)
    low = high = latest = None
    converting = options.fx is not None and bool(options.fx.flat or options.fx.monthly)  # lines via acc.add
    last_currency: str | None = None
    for k, (key, status, sub, start, end, net, prorated, credit) in enumerate(zip(
            lines.customer, lines.status, lines.subscription, lines.start, lines.end, lines.net, lines.proration,
            lines.credit, strict=True)):
        if credit:
            left_out["credit"] += 1
            continue
        reason = reasons.get(status, _UNSEEN)
        if reason is _UNSEEN:
            reason = reasons[status] = _status_reason(status, unknown, lines.row[k])
        if reason is not None:
            left_out[reason] += 1  # type: ignore[index]
            if lines.invoice and (invoice := lines.invoice[k]) is not None and str(invoice).strip():
                invoices.setdefault(reason, set()).add(str(invoice).strip())  # type: ignore[arg-type]
            continue
        if sub is None:
            left_out["one_off"] += 1
            continue
        if start is None or end is None:
            left_out["no_period"] += 1
            continue
        span = spans.get((start, end))
        if span is None:
            day = _as_date(start)
            span = spans[(start, end)] = (day.year * 12 + day.month - 1,
                                          -1 if ends_before(start, end) else
                                          0 if _under_a_day(start, end) else period_months(start, end))
        first, n = span
        if n < 0:  # not a one-off: left out as one, its customer showed as churned
            backwards.append(lines.row[k])
            continue
        if not n:
            left_out["one_off"] += 1
            continue
        currency = lines.currency[k]
        if currency is not None and currency != last_currency:
            codes.setdefault(currency_code(currency), lines.row[k])
            last_currency = currency
        if prorated:
            used += 1
            prorations += 1
            attributes = {a: column[k] for a, column in attribute_columns}
            _prorate(acc, key, lines.name[k], lines.row[k], attributes, net, _as_date(start), _as_date(end),
                     currency)
            continue
        if net <= 0:
            left_out["trial" if net == 0 else "credit"] += 1
            continue
        c = index.get(key)
        if c is None:
            c = acc.customer(key, lines.name[k], lines.row[k])
        months = cents_of[c]
        if converting:  # each line's own currency goes with its parts, to be converted month by month
            acc.add(c, first, monthly_cents(net, n), {}, currency)
            if n > 1:
                spread[n] = spread.get(n, 0) + 1
        elif n == 1:
            months[first] = months.get(first, 0) + net
        else:
            rate = monthly_rate(net, n)
            for i in range(first, first + n):
                months[i] = months.get(i, 0) + rate
            spread[n] = spread.get(n, 0) + 1
        if attribute_columns:
            defer_c(c)
            defer_first(first)
            defer_n(n)
            defer_net(net)
            defer_k(k)
        if latest is None or first > latest:
            latest = first
        if low is None or first < low:
            low = first
        if high is None or first + n - 1 > high:
            high = first + n - 1
        used += 1
    if low is not None and high is not None:
        acc.cover(low, high)
    if latest is not None:
        acc.started(latest)
    if backwards:
        issues.append(Issue(severity="error", code="end_before_start",
                            message=say.billing_lines_end_before_start(backwards), sheet=sheet))
    if unknown:
        issues.append(Issue(severity="warning", code="unknown_status",
                            message=say.billing_unknown_status(list(unknown.items())), sheet=sheet))
    last = options.today.index if options.today is not None else None
    result = _finish(acc, "invoice_lines", len(lines.customer), used, left_out, spread, prorations, last, codes,
                     issues, sheet, key_headers, cell)
    if not invoices:
        return result
    summary = replace(result.normalization, invoices_left_out={r: len(ids) for r, ids in invoices.items()})
    return replace(result, normalization=summary)


def _prorate(acc: _Months, key: str, name: str | None, row: int, attributes: Mapping[str, str | None], net: int,
             start: dt.date, end: dt.date, currency: str | None = None) -> None:
    """Rule 5: a proration's monthly rate, in each month whose last day its period covers. A period from a
    month's first day to a month's last day (Zuora's inclusive Service End Date) is whole months."""
    if start.day == 1 and end == _month_end(Month.of(end)):
        end = end + _DAY
    length = exact_months(start, end)
    if length <= 0:
        return
    rate = int(abs(net) / length + 0.5) * (1 if net >= 0 else -1)
    month = Month.of(start)
    parts: list[int] = []
    while _month_end(month) <= end:
        parts.append(rate)
        month = month + 1
    if parts:
        c = acc.customer(key, name, row)
        acc.add(c, Month.of(start).index, parts, attributes if rate > 0 else {}, currency)


def normalize_subscriptions(rows: Iterable[SubscriptionRow], *, options: ReadOptions = NO_OPTIONS,
                            sheet: str | None = None, attribute_names: Sequence[str] = (),
                            key_headers: tuple[str, ...] = (),
                            cell: Callable[[int], str] | None = None) -> BillingResult:
    """A subscriptions table to MRR per customer per month, by the module's rule 7."""
    rows = list(rows)
    acc = _Months(attribute_names, options.fx)
    left_out: dict[str, int] = dict.fromkeys(LEFT_OUT, 0)
    spread: dict[int, int] = {}
    codes: dict[str, int] = {}
    issues: list[Issue] = []
    if options.today is not None:
        last = options.today.index
    else:  # the latest month the table names
        dates = [d for r in rows for d in (r.start, r.end) if d is not None]
        last = max((Month.of(d).index for d in dates), default=0)
    used = 0
    # a customer's rows starting each day that count (paying, not a trial nor incomplete): only such a row takes a
    # day over from one that ends on it (a $0 trial starting then had taken the last paid month away; a review)
    starting = Counter((r.customer_id, _as_date(r.start)) for r in rows
                       if not (r.incomplete or r.trial or r.cents == 0))
    for row in rows:
        if row.incomplete:  # as Stripe's own MRR and ChartMogul leave them out
            left_out["incomplete"] += 1
            continue
        if row.trial or row.cents == 0:
            left_out["trial"] += 1
            continue
        first = Month.of(row.start).index
        through = last
        if row.end is not None:
            end = _as_date(row.end)
            if starting[(row.customer_id, end)] > (_as_date(row.start) == end):
                # handed over to another of the customer's rows that day: that one is live at the day's end, and
                # counted both, a plan changed on a month's last day doubled that month
                end -= _DAY
            through = min(last, Month.of(end).index - (0 if end == _month_end(Month.of(end)) else 1))
        if first > last:
            left_out["not_started"] += 1
            continue
        if row.currency:
            codes.setdefault(currency_code(row.currency), row.row)
        used += 1
        c = acc.customer(row.customer_id, row.customer_name, row.row)
        acc.cover(first, last)  # the table runs through ``last``: a row that ended shows as churn
        if through < first:
            continue  # ended before its first month's last day: never live at a month's end
        n = max(1, row.months)
        acc.add(c, first, [monthly_rate(row.cents, n)] * (through - first + 1), row.attributes, row.currency)
        if n > 1:
            spread[n] = spread.get(n, 0) + 1
    return _finish(acc, "subscriptions", len(rows), used, left_out, spread, 0, last, codes, issues, sheet,
                   key_headers, cell)


def normalize_month_amounts(rows: Iterable[MonthAmount], *, options: ReadOptions = NO_OPTIONS,
                            sheet: str | None = None, attribute_names: Sequence[str] = (),
                            key_headers: tuple[str, ...] = (),
                            cell: Callable[[int], str] | None = None) -> BillingResult:
    """A per-month table with a billing interval to MRR per customer per month, by the module's rule 8."""
    acc = _Months(attribute_names, options.fx)
    left_out: dict[str, int] = dict.fromkeys(LEFT_OUT, 0)
    spread: dict[int, int] = {}
    codes: dict[str, int] = {}
    issues: list[Issue] = []
    read = used = 0
    for row in rows:
        read += 1
        c = acc.customer(row.customer_id, row.customer_name, row.row)
        first = row.month.index
        acc.cover(first, first)
        acc.started(first)
        if row.currency:
            codes.setdefault(currency_code(row.currency), row.row)
        if row.cents == 0:
            continue
        used += 1
        n = max(1, row.months)
        acc.add(c, first, monthly_cents(row.cents, n), row.attributes, row.currency)
        if n > 1:
            spread[n] = spread.get(n, 0) + 1
    last = options.today.index if options.today is not None else None
    return _finish(acc, "customer_months", read, used, left_out, spread, 0, last, codes, issues, sheet,
                   key_headers, cell)
