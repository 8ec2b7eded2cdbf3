"""What nrr keeps of Stripe's objects, read from the API's JSON: an invoice, its lines, a customer.

Both line shapes Stripe has served are read into one record:

- current (API 2025-03-31 on): ``parent.subscription_item_details.subscription`` and ``.proration``
  (or ``parent.invoice_item_details``), ``pricing.price_details.price``, ``taxes[]`` with
  ``tax_behavior`` ``inclusive``/``exclusive``;
- legacy: ``subscription``, ``proration``, ``price.id``, ``tax_amounts[]`` with ``inclusive``.

Money stays in integer cents as Stripe sends it: ``amount`` is before discounts and includes an
inclusive tax; ``discount`` is the sum of ``discount_amounts``; ``tax_included`` the inclusive tax
inside ``amount`` (exclusive tax is on top of it and never in it). The normalization rules
(engine) decide what of it is MRR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: statuses an invoice never leaves (``uncollectible`` may still be paid or voided)
FINAL_STATUSES = frozenset({"paid", "void"})


@dataclass(frozen=True, kw_only=True)
class StripeLine:
    """One invoice line, in integer cents."""

    id: str
    invoice: str
    position: int  # its place on the invoice, from 0
    amount: int
    discount: int
    tax_included: int
    currency: str
    start: int  # service period, epoch seconds
    end: int
    subscription: str | None
    proration: bool
    price: str | None
    description: str | None


@dataclass(frozen=True, kw_only=True)
class StripeInvoice:
    id: str
    customer: str
    customer_name: str | None
    status: str
    created: int
    currency: str
    livemode: bool
    lines_complete: bool  # False while ``lines.has_more``: the rest come from /v1/invoices/{id}/lines

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True, kw_only=True)
class StripeCustomer:
    id: str
    name: str | None
    created: int
    metadata: Mapping[str, str] = field(default_factory=dict)


def _id(value: Any) -> str | None:
    """An expandable field's id, whether Stripe sent the id or the expanded object."""
    if value is None or isinstance(value, str):
        return value
    return str(value.get("id")) if isinstance(value, Mapping) else None


def read_line(data: Mapping[str, Any], invoice: str, position: int) -> StripeLine:
    """One ``line_item`` object, current or legacy shape."""
    parent = data.get("parent") or {}
    details = parent.get("subscription_item_details") or parent.get("invoice_item_details") or None
    if details is not None:  # current shape
        subscription = _id(details.get("subscription"))
        proration = bool(details.get("proration"))
        pricing = (data.get("pricing") or {}).get("price_details") or {}
        price = _id(pricing.get("price"))
        taxes = data.get("taxes") or []
        included = sum(int(t.get("amount") or 0) for t in taxes if t.get("tax_behavior") == "inclusive")
    else:  # legacy shape
        subscription = _id(data.get("subscription"))
        proration = bool(data.get("proration"))
        price = _id(data.get("price"))
        taxes = data.get("tax_amounts") or []
        included = sum(int(t.get("amount") or 0) for t in taxes if t.get("inclusive"))
    period = data.get("period") or {}
    discounts = data.get("discount_amounts") or []
    return StripeLine(
        id=str(data["id"]), invoice=invoice, position=position, amount=int(data.get("amount") or 0),
        discount=sum(int(d.get("amount") or 0) for d in discounts), tax_included=included,
        currency=str(data.get("currency") or ""), start=int(period.get("start") or 0),
        end=int(period.get("end") or 0), subscription=subscription, proration=proration, price=price,
        description=data.get("description"))


def read_invoice(data: Mapping[str, Any]) -> tuple[StripeInvoice, list[StripeLine]]:
    """An ``invoice`` object and the lines it carries inline."""
    customer = data.get("customer")
    name = data.get("customer_name")
    if isinstance(customer, Mapping) and not name:
        name = customer.get("name")
    lines = data.get("lines") or {}
    invoice = StripeInvoice(
        id=str(data["id"]), customer=_id(customer) or "", customer_name=name, status=str(data.get("status") or ""),
        created=int(data.get("created") or 0), currency=str(data.get("currency") or ""),
        livemode=bool(data.get("livemode")), lines_complete=not lines.get("has_more"))
    return invoice, [read_line(line, invoice.id, n) for n, line in enumerate(lines.get("data") or [])]


def read_customer(data: Mapping[str, Any]) -> StripeCustomer:
    metadata = data.get("metadata") or {}
    return StripeCustomer(id=str(data["id"]), name=data.get("name"), created=int(data.get("created") or 0),
                          metadata={str(k): str(v) for k, v in metadata.items()})


def utc_date(seconds: int) -> dt.date:
    """The UTC date of an epoch timestamp (Stripe's periods are UTC instants)."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()
