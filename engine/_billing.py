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
3. **Cents are exact**: an amount is split into n parts whose sum is the amount; the cents left over by the
   even split go one each to the earliest months (``split_cents(1000, 3) == [334, 333, 333]``).
4. **One-off lines never count**: a line with no subscription, or with a service period under a day.
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
   the month before (the end date is inclusive). A blank end is live through today's month (``today``,
   from ``--today`` or the runtime's clock: the engine has none; without it, the latest month the table
   names). A row's MRR is its MRR column (already monthly, whatever billing frequency stands beside it),
   else its amount over its billing frequency's months, else its ARR or ACV over 12; an amount billed for
   n months is split into its n months by rule 3, cycle after cycle from its start month.
8. **A per-month table with a billing interval** (amounts in their invoice month): an amount spreads
   over the n months from its month, n by its interval (annual 12, semi-annual 6, quarterly 3, monthly 1),
   split by rule 3.

A table runs from the first month a counted line or row covers to the last, and never past today's month
when ``today`` is given (a spread into months not yet come is not yet MRR); a subscriptions table runs
through today's month (or the latest month it names), so a subscription that ended shows as churn.
A month where a customer's figures add up below 0 (a credit larger than the line it corrects) is read as 0,
with a warning naming the customer and month.

    >>> lines = [BillingLine(customer_id="cus_1", subscription_id="sub_1", amount_cents=120000,
    ...                      period_start=dt.date(2026, 1, 1), period_end=dt.date(2027, 1, 1)),
    ...          BillingLine(customer_id="cus_1", amount_cents=5000, period_start=dt.date(2026, 1, 1),
    ...                      period_end=dt.date(2026, 1, 1))]
    >>> result = normalize_lines(lines, options=ReadOptions(today=Month(2026, 3)))
    >>> result.table.mrr, dict(result.normalization.left_out)
    (((10000, 10000, 10000),), {'one_off': 1})
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from engine import _messages as say
from engine._issues import Issue
from engine._month import Month
from engine._options import ReadOptions
from engine._table import CustomerTable

SourceKind = Literal["ledger", "customer_months", "subscriptions", "invoice_lines"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("ledger", "customer_months", "subscriptions", "invoice_lines")

#: why a line or row was left out, in the order the summary names them
LeftOut = Literal["one_off", "void", "draft", "uncollectible", "credit", "trial", "no_period", "not_started"]
LEFT_OUT: tuple[LeftOut, ...] = ("one_off", "void", "draft", "uncollectible", "credit", "trial", "no_period",
                                 "not_started")

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


def split_cents(total: int, n: int) -> list[int]:
    """``total`` cents in ``n`` parts that add up to it; the leftover cents go one each to the first parts.

    >>> split_cents(1000, 3), split_cents(-1000, 3), split_cents(1200, 12)[:2]
    ([334, 333, 333], [-334, -333, -333], [100, 100])
    """
    sign = -1 if total < 0 else 1
    base, rest = divmod(abs(total), n)
    return [sign * (base + 1) if i < rest else sign * base for i in range(n)]


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

    @property
    def sentence(self) -> str:
        """``read as invoice lines: 2,410 lines, 212 customers, 26 months; annual and quarterly plans spread
        over their months; 18 one-off lines and 9 void invoices left out``."""
        return say.read_as(self.kind, self.read, self.customers, self.months, dict(self.spread), dict(self.left_out))

    def to_dict(self) -> dict[str, Any]:
        """The JSON ``normalization`` object."""
        return {"read": self.read, "used": self.used,
                "left_out": {reason: self.left_out.get(reason, 0) for reason in LEFT_OUT},
                "spread": {str(n): count for n, count in sorted(self.spread.items())},
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

    def __init__(self, attribute_names: Sequence[str]) -> None:
        self.index: dict[str, int] = {}
        self.names: list[str] = []
        self.cents: list[dict[int, int]] = []
        self.attribute_names = list(attribute_names)
        #: (customer, month index, attribute) -> (weight, value): the value of the largest contribution
        self.values: dict[tuple[int, int, str], tuple[int, str]] = {}
        self.first: int | None = None  # the first and last month index any counted line or row covers
        self.last: int | None = None
        self.rows: dict[int, int] = {}  # customer -> its first sheet row

    def customer(self, key: str, name: str | None, row: int) -> int:
        c = self.index.get(key)
        if c is None:
            c = self.index[key] = len(self.names)
            self.names.append(name or key)
            self.cents.append({})
            self.rows[c] = row
        return c

    def cover(self, first: int, last: int) -> None:
        self.first = first if self.first is None else min(self.first, first)
        self.last = last if self.last is None else max(self.last, last)

    def add(self, c: int, first: int, parts: Sequence[int], attributes: Mapping[str, str | None]) -> None:
        self.cover(first, first + len(parts) - 1)
        months = self.cents[c]
        for i, cents in enumerate(parts):
            months[first + i] = months.get(first + i, 0) + cents
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
        end = self.last if last is None else min(last, self.last)
        if end < first:
            return None, issues, 0
        count = end - first + 1
        mrr: list[tuple[int, ...]] = []
        negative: list[tuple[str, Month]] = []
        for c, months in enumerate(self.cents):
            series = [months.get(first + i, 0) for i in range(count)]
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
        values = self.values
        names = tuple(self.attribute_names)

        def fill() -> Mapping[str, tuple[list[str | None], ...]]:
            out: dict[str, tuple[list[str | None], ...]] = {
                a: tuple([None] * count for _ in keys) for a in names}
            for (c, m, a), (_, value) in values.items():
                if first <= m <= end:
                    out[a][c][m - first] = value
            return out

        table = CustomerTable(first=Month.from_index(first), count=count, keys=keys, names=tuple(self.names),
                              mrr=tuple(mrr), attribute_names=names, fill_attributes=fill, unit="MRR",
                              currency=currency, summed_by=None, key_headers=key_headers)
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
              cell: Callable[[int], str] | None) -> str | None:
    """The one currency of the data (None when none is named); an error when there are several."""
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
    currency = _currency(codes, sheet, issues, cell)
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


def normalize_lines(lines: Iterable[BillingLine], *, options: ReadOptions | None = None, sheet: str | None = None,
                    attribute_names: Sequence[str] = (), key_headers: tuple[str, ...] = (),
                    cell: Callable[[int], str] | None = None) -> BillingResult:
    """Invoice line items to MRR per customer per month, by the module's rules 1-6.

    ``attribute_names``: the attribute columns the lines carry (Plan, Segment), for ``--by`` and
    ``--where``. ``cell``: a sheet row to the cell messages name (a currency's first cell).
    """
    options = options or ReadOptions()
    acc = _Months(attribute_names)
    left_out: dict[str, int] = dict.fromkeys(LEFT_OUT, 0)
    spread: dict[int, int] = {}
    unknown: dict[str, int] = {}
    codes: dict[str, int] = {}
    issues: list[Issue] = []
    read = used = prorations = 0
    parts_of: dict[tuple[int, int], list[int]] = {}  # (cents, n) -> the split: plans repeat
    month_of: dict[dt.date, int] = {}
    for line in lines:
        read += 1
        if line.credit:
            left_out["credit"] += 1
            continue
        reason = _status_reason(line.invoice_status, unknown, line.row)
        if reason is not None:
            left_out[reason] += 1
            continue
        if line.subscription_id is None:
            left_out["one_off"] += 1
            continue
        start, end = line.period_start, line.period_end
        if start is None or end is None:
            left_out["no_period"] += 1
            continue
        if _under_a_day(start, end):
            left_out["one_off"] += 1
            continue
        net = line.amount_cents - line.discount_cents
        if line.currency:
            codes.setdefault(line.currency.upper(), line.row)
        day = _as_date(start)
        first = month_of.get(day)
        if first is None:
            first = month_of[day] = day.year * 12 + day.month - 1
        if line.proration:
            used += 1
            prorations += 1
            _prorate(acc, line, net, _as_date(start), _as_date(end))
            continue
        if net == 0:
            left_out["trial"] += 1
            continue
        if net < 0:
            left_out["credit"] += 1
            continue
        n = period_months(start, end)
        parts = parts_of.get((net, n))
        if parts is None:
            parts = parts_of[(net, n)] = split_cents(net, n)
        c = acc.customer(line.customer_id, line.customer_name, line.row)
        acc.add(c, first, parts, line.attributes)
        used += 1
        if n > 1:
            spread[n] = spread.get(n, 0) + 1
    if unknown:
        issues.append(Issue(severity="warning", code="unknown_status",
                            message=say.billing_unknown_status(list(unknown.items())), sheet=sheet))
    last = options.today.index if options.today is not None else None
    return _finish(acc, "invoice_lines", read, used, left_out, spread, prorations, last, codes, issues, sheet,
                   key_headers, cell)


def _prorate(acc: _Months, line: BillingLine, net: int, start: dt.date, end: dt.date) -> None:
    """Rule 5: a proration's monthly rate, in each month whose last day its period covers."""
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
        c = acc.customer(line.customer_id, line.customer_name, line.row)
        acc.add(c, Month.of(start).index, parts, line.attributes if rate > 0 else {})


def normalize_subscriptions(rows: Iterable[SubscriptionRow], *, options: ReadOptions | None = None,
                            sheet: str | None = None, attribute_names: Sequence[str] = (),
                            key_headers: tuple[str, ...] = (),
                            cell: Callable[[int], str] | None = None) -> BillingResult:
    """A subscriptions table to MRR per customer per month, by the module's rule 7."""
    options = options or ReadOptions()
    rows = list(rows)
    acc = _Months(attribute_names)
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
    for row in rows:
        if row.trial or row.cents == 0:
            left_out["trial"] += 1
            continue
        first = Month.of(row.start).index
        through = last
        if row.end is not None:
            end = _as_date(row.end)
            through = min(last, Month.of(end).index - (0 if end == _month_end(Month.of(end)) else 1))
        if first > last:
            left_out["not_started"] += 1
            continue
        if row.currency:
            codes.setdefault(row.currency.upper(), row.row)
        used += 1
        c = acc.customer(row.customer_id, row.customer_name, row.row)
        acc.cover(first, last)  # the table runs through ``last``: a row that ended shows as churn
        if through < first:
            continue  # ended before its first month's last day: never live at a month's end
        n = max(1, row.months)
        cycle = split_cents(row.cents, n)
        parts = [cycle[i % n] for i in range(through - first + 1)]
        acc.add(c, first, parts, row.attributes)
        if n > 1:
            spread[n] = spread.get(n, 0) + 1
    return _finish(acc, "subscriptions", len(rows), used, left_out, spread, 0, last, codes, issues, sheet,
                   key_headers, cell)


def normalize_month_amounts(rows: Iterable[MonthAmount], *, options: ReadOptions | None = None,
                            sheet: str | None = None, attribute_names: Sequence[str] = (),
                            key_headers: tuple[str, ...] = (),
                            cell: Callable[[int], str] | None = None) -> BillingResult:
    """A per-month table with a billing interval to MRR per customer per month, by the module's rule 8."""
    options = options or ReadOptions()
    acc = _Months(attribute_names)
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
        if row.currency:
            codes.setdefault(row.currency.upper(), row.row)
        if row.cents == 0:
            continue
        used += 1
        n = max(1, row.months)
        acc.add(c, first, split_cents(row.cents, n), row.attributes)
        if n > 1:
            spread[n] = spread.get(n, 0) + 1
    last = options.today.index if options.today is not None else None
    return _finish(acc, "customer_months", read, used, left_out, spread, 0, last, codes, issues, sheet,
                   key_headers, cell)
