"""Recognising billing data from its header row: which column holds what, and which kind of billing data the
table is (invoice line items, an invoice-level export, a subscriptions table, a per-month table with a billing
interval), as customer tables are recognised in ``engine._customer_headers``.

The column names are the ones the billing systems' own exports and warehouse tables use:

- Stripe (Sigma and Data Pipeline ``invoice_line_items``: ``invoice_id``, ``subscription``, ``amount`` in
  cents, ``currency``, ``period_start``, ``period_end``, ``proration``, ``type``; the Dashboard's invoice
  export: ``Customer``, ``Amount Due``, ``Status``, ``Period Start (UTC)``, ``Period End (UTC)``,
  ``Subscription``, ``Date (UTC)``; llooker/stripe_block ``invoice_lines.view.lkml``, docs.stripe.com);
- Chargebee (``invoice_line_items``: ``customer_id``, ``subscription_id``, ``invoice_id``, ``amount``,
  ``discount_amount``, ``date_from``, ``date_to``, ``entity_type``; datacatalog.chargebee.com);
- ChartMogul's line-item schema (``AMOUNT_IN_CENTS``, ``DISCOUNT_AMOUNT_IN_CENTS``, ``TAX_AMOUNT_IN_CENTS``,
  ``SERVICE_PERIOD_START``, ``SERVICE_PERIOD_END``; dev.chartmogul.com), which Recurly, Paddle
  (``billing_period_starts_at``, ``subtotal``, ``tax``, ``total``) and Zuora (``Service Start Date``,
  ``Service End Date``, ``Charge Amount``, ``Tax Amount``, ``Account Number``) exports map onto by word.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from engine._cells import Cell
from engine._customer_headers import CURRENCY_CODES, customer_role, header_tokens
from engine._headers import HEADER_SEARCH_ROWS

BillingRole = Literal["id", "name", "subscription", "invoice", "status", "start", "end", "cancel", "amount",
                      "discount", "tax", "currency", "proration", "type", "mrr", "arr", "frequency", "count",
                      "date", "month", "quantity", "discount_pct", "tax_rate", "discount_duration", "trial_end",
                      "coupon"]
Kind = Literal["invoice_lines", "invoices", "subscriptions", "customer_months"]

_ID = {"id", "ids", "uuid", "number", "no", "code", "key", "name"}
_PERIOD = {"period", "service", "line", "item", "date", "at", "utc", "billing", "subscription", "contract", "term",
           "effective", "on", "gmt", "z", "invoice"}  # Zuora's data sources prefix the object: Invoice Item: ...
_START = {"start", "starts", "from", "begin", "beginning", "started", "activated"}  # Recurly's activated_at
_END = {"end", "ends", "ended", "to", "until", "through", "thru", "expiry", "expires", "expiration"}
_CANCEL = {"cancel", "canceled", "cancelled", "cancellation", "churn", "churned"}
_AMOUNT = {"amount", "price", "subtotal", "total", "charge", "billed", "value"}
_AMOUNT_OK = {"amount", "line", "item", "in", "cents", "net", "subtotal", "total", "excluding", "excl", "ex", "tax",
              "unit", "before", "pre", "due", "paid", "remaining", "price", "plan", "value", "billed", "invoice",
              "charge", "decimal", "sub", "units", "major", "gross", "incl", "including", "inc", "with", "after", "vat",
              "gst", "taxes", *CURRENCY_CODES}
#: Amount incl. tax, Amount with VAT, Gross Amount: the tax is in it (a Tax column beside it comes off)
_WITH_TAX = {"incl", "including", "inc", "with", "after"}
_TAX = {"tax", "taxes", "vat", "gst"}
#: what a figure per month (or per year) is called beside the period's word: ``Monthly Amount``, ``Yearly Revenue``
_PER_PERIOD = {"amount", "revenue", "value", "charge"}  # not a price or a fee: per unit, times a quantity
_NOT_ATTRIBUTE = {"id", "ids", "uuid", "number", "no", "description", "email", "url", "link", "quantity", "qty",
                  "created", "updated", "at", "time", "timestamp", "memo", "note", "notes", "unit", "amount", "cents",
                  "percent", "balance", "paid", "due", "remaining", "total", "subtotal", "fee", "fees", "hosted",
                  "pdf", "livemode", "metadata", "date", "count", "address", "phone", "discountable", "attempted",
                  "attempt", "period", "tax", "discount", "rate", "price", "key", "code", "utc"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    role: BillingRole
    index: int
    title: str
    cents: bool = False  # the figures are in cents (``amount_in_cents``)
    with_tax: bool = False  # a Total: tax is taken off
    tax_named: bool = False  # the header says the tax is in it (Amount incl. tax, Gross Amount), not only a Total
    #: a Net amount or a Total has its discount off already (Net Price beside a Discount; Paddle's, Stripe's and
    #: Chargebee's total is after discount and tax): a discount column beside it is not taken off again
    discount_off: bool = False
    billing_period: bool = False  # headed Billing Period: a frequency, unless its cells are months
    invoice_level: bool = False  # Amount Due / Amount Paid: an invoice's, not a line's
    per_unit: bool = False  # Unit Price, unit_amount, plan_unit_price: a price per unit, times the Quantity


def billing_role(header: str) -> Column | None:
    """What a billing export's column holds, from its header (index 0); None for anything else.

    >>> [c.role if (c := billing_role(h)) else None for h in ("Period Start (UTC)", "date_to", "Amount Due",
    ...  "discount_amount", "Billing frequency", "MRR", "ACV", "Subscription ID", "Plan")]
    ['start', 'end', 'amount', 'discount', 'frequency', 'mrr', 'arr', 'subscription', None]
    >>> [c.role if (c := billing_role(h)) else None for h in ("Current MRR", "Current Period Start", "Trial Start")]
    ['mrr', None, None]
    >>> [c.role if (c := billing_role(h)) else None for h in ("Trial End (UTC)", "Billing Period",
    ...  "billing_period_unit", "plan_interval_length", "plan_interval_unit")]
    ['trial_end', 'frequency', 'frequency', 'count', 'frequency']
    """
    words = header_tokens(header)
    if not words:
        return None
    title = header.strip()
    role = customer_role(header)
    if words & {"customer", "account"} and words <= {"customer", "account", "external", "id", "uuid", "code", "key"}:
        role = "id"  # ChartMogul's customer_external_id
    if role in ("id", "name"):
        return Column(role=role, index=0, title=title)
    if "subscription" in words and words <= {"subscription", *_ID}:
        return Column(role="subscription", index=0, title=title)
    if "invoice" in words and words <= {"invoice", *_ID}:
        return Column(role="invoice", index=0, title=title)
    if words & {"status", "state"} and words <= {"invoice", "subscription", "status", "state", "payment"}:
        return Column(role="status", index=0, title=title)
    if "trial" in words and words & _END and words <= {"trial", *_END, *_PERIOD}:
        return Column(role="trial_end", index=0, title=title)  # Stripe's Trial End (UTC): paid from then on
    if words & {"current", "trial", "next", "renewal", "renews"} and not words & {"mrr", "arr"}:
        return None  # a current period or a trial: not the subscription's start or end (Current MRR is MRR)
    if words & _START and words <= _START | _PERIOD:
        return Column(role="start", index=0, title=title)
    if words & _END and words <= _END | _PERIOD:
        return Column(role="end", index=0, title=title)
    if words & _CANCEL and words <= _CANCEL | _PERIOD:
        return Column(role="cancel", index=0, title=title)
    if "mrr" in words and words <= {"mrr", "amount", "current", "net", "total", "monthly", "in", "cents",
                                    *CURRENCY_CODES}:
        return Column(role="mrr", index=0, title=title, cents="cents" in words)  # mrr_cents, as in a customer table
    if words & {"monthly", "month"} and words & _PER_PERIOD and words <= {"monthly", "month", "per", "recurring",
                                                                          *_PER_PERIOD, *CURRENCY_CODES}:
        return Column(role="mrr", index=0, title=title)  # Monthly Amount, Amount (monthly), Monthly Revenue
    if words & {"annual", "annually", "yearly", "year"} and words & _PER_PERIOD and \
            words <= {"annual", "annually", "yearly", "year", "per", "recurring", *_PER_PERIOD, *CURRENCY_CODES}:
        return Column(role="arr", index=0, title=title)  # Annual Amount, Yearly Revenue
    if (words & {"arr", "acv"} and words <= {"arr", "acv", "amount", "current", "net", "total", "in", "cents",
                                             *CURRENCY_CODES}) or words >= {"annual", "contract", "value"}:
        return Column(role="arr", index=0, title=title, cents="cents" in words)
    # a percentage or a rate (Discount %, Percent Off, Tax Rate, Tax %: read as amounts, 20% of tax was 20.00 off a
    # Total) and how long a discount lasts: not applied, and a warning says so
    rate = "%" in title or bool(words & {"percent", "percentage", "pct", "rate"})
    if rate and words & {"discount", "discounts", "coupon", "off"} and words <= {
            "discount", "discounts", "coupon", "off", "percent", "percentage", "pct", "rate"}:
        return Column(role="discount_pct", index=0, title=title)
    if rate and words & _TAX and words <= {*_TAX, "sales", "percent", "percentage", "pct", "rate"}:
        return Column(role="tax_rate", index=0, title=title)
    if words & {"discount", "coupon"} and words & {"duration", "months"} and words <= {
            "discount", "coupon", "duration", "in", "months"}:
        return Column(role="discount_duration", index=0, title=title)
    if words & {"coupon", "coupons", "promo", "promotion"} and words <= {"coupon", "coupons", "promo", "promotion",
                                                                         "code", "codes", "id", "name"}:
        return Column(role="coupon", index=0, title=title)  # Stripe's Coupon: a code, its discount not known here
    # Discount, Discount Amount, Coupon Amount, Amount Off (Stripe's coupon); a bare Coupon is its code, and a
    # Discount % (Salesforce's, QuickBooks') a percentage, not money to take off
    if "%" not in title and (words & {"discount", "discounts"} or (words & {"coupon", "coupons"} and words & {
            "amount", "value"}) or words >= {"amount", "off"}) and \
            words <= {"discount", "discounts", "amount", "in", "cents", "total", "item", "level", "line", "coupon",
                      "coupons", "invoice", "value", "off", *CURRENCY_CODES}:
        return Column(role="discount", index=0, title=title, cents="cents" in words)
    if words & _TAX and words <= {*_TAX, "amount", "in", "cents", "total", "sales", "invoice", "item", "line",
                                  *CURRENCY_CODES}:
        return Column(role="tax", index=0, title=title, cents="cents" in words)
    if words & {"currency", "curr", "ccy", "cur"} and words <= {"currency", "curr", "ccy", "cur", "code", "iso"}:
        return Column(role="currency", index=0, title=title)
    if words & {"proration", "prorated", "prorate"}:
        return Column(role="proration", index=0, title=title)
    if words & {"type", "kind"} and words <= {"type", "kind", "line", "item", "entity", "charge", "category", "invoice",
                                              "processing"}:
        return Column(role="type", index=0, title=title)
    billing_period = words >= {"billing", "period"} and words <= {"billing", "period", "plan"}
    if (words & {"frequency", "interval", "cycle", "recurrence", "periodicity"} and not words & {"count", "length"}) \
            or words >= {"period", "unit"} or billing_period:
        # Billing Period (Annual, Monthly; its cells months instead, ``find_billing_header`` makes it the month), or
        # Chargebee's billing_period beside its billing_period_unit: a count of that unit (``read_billing_header``),
        # as Recurly's plan_interval_length is
        return Column(role="frequency", index=0, title=title, billing_period=billing_period)
    if words & {"interval", "frequency", "period"} and words & {"count", "length"}:
        return Column(role="count", index=0, title=title)
    if words & {"quantity", "qty", "seats", "licenses", "units"} and words <= {"quantity", "qty", "seats", "licenses",
                                                                               "units", "plan", "subscription", "item"}:
        return Column(role="quantity", index=0, title=title)
    if role == "month":
        if words & {"date"} and words <= {"invoice", "date", "billing"}:
            return Column(role="date", index=0, title=title)
        return Column(role="month", index=0, title=title)
    if words & {"date", "created", "issued", "invoiced"} and words <= {"invoice", "date", "created", "issued", "utc",
                                                                       "at", "invoiced", "on", "finalized"}:
        return Column(role="date", index=0, title=title)
    taxed = bool(words & _TAX and words & _WITH_TAX) or "gross" in words
    if (words & _AMOUNT or words in ({"net"}, {"gross"})) and words <= _AMOUNT_OK and \
            not (words & _TAX and not words & {"excluding", "excl", "ex", "before", "pre"} and not taxed):
        pre_tax = {"subtotal", "excluding", "excl", "ex", "before", "pre"}
        return Column(role="amount", index=0, title=title, cents="cents" in words,
                      with_tax=taxed or ("total" in words and not words & pre_tax), tax_named=taxed,
                      discount_off=bool(words & {"net", "total"}),
                      invoice_level=bool(words & {"due", "paid", "remaining"}), per_unit="unit" in words)
    return None


def _amount_rank(c: Column) -> int:
    """Which of several amount columns is the line's: a plain amount, then a subtotal, a total, an amount due."""
    if c.invoice_level:
        return 3
    if c.per_unit:  # Chargebee's plan_amount beside its plan_unit_price: the whole amount is read
        return 1
    return 2 if c.with_tax else 1 if "sub" in header_tokens(c.title) or "subtotal" in header_tokens(c.title) else 0


@dataclass(kw_only=True)
class BillingHeader:
    index: int
    columns: dict[BillingRole, Column] = field(default_factory=dict)
    attributes: dict[str, int] = field(default_factory=dict)
    kind: Kind | None = None
    #: an invoice's own amounts are here (Amount Due, Amount Paid): Stripe's Dashboard invoice export, whose period
    #: columns are not the service period, whatever other amount columns stand beside them
    invoice_level: bool = False
    #: what a table that looks like billing data lacks, to say so: (what it looks like, missing column names)
    gap: tuple[str, list[str]] | None = None
    #: a discount or tax column read in cents because the amount beside it is (its header does not say), to say so
    cents_beside: list[Column] = field(default_factory=list)
    unit_price_beside: str | None = None  # the amount read is a whole one, this price per unit beside it

    def col(self, role: BillingRole) -> int | None:
        c = self.columns.get(role)
        return c.index if c else None


def read_billing_header(row: Sequence[Cell], index: int, months: frozenset[int] = frozenset()) -> BillingHeader:
    """The header in ``row`` (the grid's ``index``); ``months``: the columns that hold months whatever their header
    says (a Billing Period of 2026-01, not of Annual)."""
    header = BillingHeader(index=index)
    amounts: list[Column] = []
    for col, value in enumerate(row):
        if not isinstance(value, str) or not value.strip():
            continue
        found = Column(role="month", index=0, title=value.strip()) if col in months else billing_role(value)
        if found is None:
            if not header_tokens(value) & _NOT_ATTRIBUTE:
                header.attributes[value.strip()] = col
            continue
        found = dataclasses.replace(found, index=col)
        if found.role == "amount":
            amounts.append(found)
            continue
        if found.role == "name" and "name" in header.columns and "id" not in header.columns:
            # Stripe's Customer (cus_... ids) beside Customer Name: the bare column is the key
            earlier = header.columns["name"]
            if header_tokens(found.title) > header_tokens(earlier.title):
                header.columns["id"], header.columns["name"] = earlier, found
                continue
        if found.role == "frequency" and (other := header.columns.get("frequency")) is not None \
                and "count" not in header.columns and ("unit" in header_tokens(found.title)) != (
                    "unit" in header_tokens(other.title)):
            # billing_period (1, 3) beside billing_period_unit (month, year): a count of the unit
            unit, count = (found, other) if "unit" in header_tokens(found.title) else (other, found)
            header.columns["frequency"], header.columns["count"] = unit, dataclasses.replace(count, role="count")
            continue
        if found.role not in header.columns or (found.role == "type" and "processing" in header_tokens(found.title)):
            header.columns[found.role] = found  # Zuora's Processing Type (charge, discount) over its Charge Type
    if amounts:
        header.columns["amount"] = min(amounts, key=_amount_rank)
        #: the amount read is a whole one beside a price per unit (plan_amount beside plan_unit_price): the
        #: Quantity is in it already
        if not header.columns["amount"].per_unit:
            header.unit_price_beside = next((c.title for c in amounts if c.per_unit), None)
        if header.columns["amount"].cents:  # a bare Discount beside Amount in cents was taken off in dollars
            for role in ("discount", "tax"):
                if (column := header.columns.get(role)) is not None and not column.cents:
                    header.columns[role] = dataclasses.replace(column, cents=True)
                    header.cents_beside.append(column)
        header.invoice_level = any(c.invoice_level for c in amounts) and not any(
            "line" in header_tokens(str(v)) for v in row if isinstance(v, str))
    if "end" not in header.columns and "cancel" in header.columns and "status" not in header.columns:
        # with a Status, Stripe's Canceled At beside active is when a cancellation was asked for, to take effect at
        # the period's end: the end only of a subscription whose status says it ended (``_billing_read``)
        header.columns["end"] = header.columns.pop("cancel")
    _classify(header)
    return header


def _classify(h: BillingHeader) -> None:
    has = h.columns.keys()
    if not has & {"id", "name"}:
        return
    amount = h.columns.get("amount")
    money = amount is not None or bool(has & {"mrr", "arr"})
    lineish = bool(has & {"subscription", "invoice", "status", "proration", "type", "discount", "tax"})
    if "start" in has and "activated" in header_tokens(h.columns["start"].title) and "status" in has \
            and not has & {"invoice", "type", "month"}:
        # Recurly's activated_at: a subscription's start, never an invoice line's service period
        if has & {"mrr", "arr", "frequency"} and money:
            h.kind = "subscriptions"
        else:
            h.gap = ("a subscriptions table", ["billing interval (plan_interval_length and plan_interval_unit, or a "
                                               "Billing frequency) or MRR"])
        return
    if "month" in has:  # a Month column: a customer table, billed per month when it has an interval
        if amount is not None and "frequency" in has:
            h.kind = "customer_months"
        return
    if "start" in has and not has & {"end", "frequency"} and not lineish \
            and header_tokens(h.columns["start"].title) & {"period", "month"}:
        return  # period_start, Month Start with MRR and no end: each row is a month's (a customer table), not a
        # subscription live from then on
    if h.invoice_level and "subscription" not in has and has & {"start", "date"}:
        h.gap = ("an invoice-level export", ["Subscription (to read each plan's interval from its invoices' cadence; "
                                             "better, export the invoice line items with their service periods)"])
    elif "start" in has and "end" in has and amount is not None and lineish and not has & {"mrr", "arr", "frequency"}:
        h.kind = "invoices" if h.invoice_level else "invoice_lines"
    elif h.invoice_level and "subscription" in has and has & {"date", "start"}:
        h.kind = "invoices"
    elif "start" in has and ("end" in has or "frequency" in has or "arr" in has or "mrr" in has) and money:
        if has & {"mrr", "arr"} or "frequency" in has:
            h.kind = "subscriptions"
        else:
            h.gap = ("a subscriptions table", ["MRR (or an amount with a Billing frequency, or ARR)"])
    elif "date" in has and amount is not None and "frequency" in has and "start" not in has:
        h.kind = "customer_months"
    elif "start" in has and "end" in has and not money and "date" not in has:  # a start and an end, and no
        # date of its own: never a customer table whose month is the Start
        h.gap = ("a subscriptions table", ["MRR (or an amount with a Billing frequency, or ARR)"])
    elif "start" in has and money and lineish:
        h.gap = ("invoice lines", ["Period End (each line's service period end)"])
    elif "end" in has and money and lineish and "start" not in has:
        h.gap = ("invoice lines", ["Period Start (each line's service period start)"])
    elif amount is not None and "subscription" in has and has & {"invoice", "status"} and "start" not in has:
        h.gap = ("invoice lines", ["Period Start and Period End (each line's service period)"])


def find_billing_header(grid: Sequence[Sequence[Cell]]) -> BillingHeader | None:
    """The header of billing data (its ``kind`` set), or the first that looks like billing data but lacks a
    column the rules need (its ``gap`` set); None when the grid is not billing data."""
    gap: BillingHeader | None = None
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        header = read_billing_header(row, index)
        frequency = header.columns.get("frequency")
        if frequency is not None and frequency.billing_period and not _frequencies_below(grid, index, frequency.index):
            header = read_billing_header(row, index, frozenset({frequency.index}))  # its months, as an invoice's
        if header.kind is not None:
            return header
        if header.gap is not None and gap is None:
            gap = header
    return gap


def _frequencies_below(grid: Sequence[Sequence[Cell]], index: int, col: int) -> bool:
    """Whether the first cells under the header (row ``index``) in column ``col`` are billing frequencies (Annual,
    monthly, 12) rather than months (2026-01): what a column headed Billing Period holds, exports differing."""
    seen = [str(v).strip().lower() for row in grid[index + 1:index + 21] if col < len(row)
            and (v := row[col]) is not None and str(v).strip()]
    return all(v in FREQUENCY_MONTHS or v.rstrip("s") in FREQUENCY_MONTHS or v.isdigit() for v in seen)


#: billing frequency words -> months
FREQUENCY_MONTHS = {
    "month": 1, "monthly": 1, "months": 1, "mo": 1, "mth": 1, "m": 1, "1": 1, "1m": 1, "every month": 1,
    "quarter": 3, "quarterly": 3, "quarters": 3, "q": 3, "3": 3, "3m": 3, "every 3 months": 3,
    "semiannual": 6, "semi-annual": 6, "semi annual": 6, "semi-annually": 6, "semiannually": 6,
    "half-yearly": 6, "half yearly": 6, "biannual": 6, "bi-annual": 6, "6": 6, "6m": 6, "every 6 months": 6,
    "year": 12, "yearly": 12, "annual": 12, "annually": 12, "years": 12, "yr": 12, "y": 12, "12": 12, "12m": 12,
    "1y": 12, "every year": 12, "every 12 months": 12,
    "biennial": 24, "biennially": 24, "2 years": 24, "two years": 24, "24": 24, "2y": 24, "every 2 years": 24,
    "3 years": 36, "three years": 36, "triennial": 36, "36": 36, "3y": 36,
}
