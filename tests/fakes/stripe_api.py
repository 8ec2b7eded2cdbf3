"""A small emulator of Stripe's API: invoices with their lines, customers, the account.

Served over real HTTP on 127.0.0.1 (port 0) by the standard library, so the official ``stripe``
library talks to it through ``STRIPE_API_BASE``. Its objects follow Stripe's published OpenAPI
description (github.com/stripe/openapi, ``openapi/fixtures3.json``: ``invoice``, ``line_item``,
``customer``, ``account``, the ``list`` object) and the fields the pinned library (stripe 16,
API version 2026-10-28) reads:

- list objects: ``{"object": "list", "data": [...], "has_more": ..., "url": ...}``, newest first
  (``created`` descending), ``limit`` 1 to 100 (default 10), ``starting_after`` an object id,
  ``created[gte]``/``created[gt]``/``created[lte]``/``created[lt]`` and ``status`` filters,
  ``expand[]=data.customer``;
- an invoice carries at most ``inline_lines`` (10) lines inline; ``lines.has_more`` means the rest
  are read from ``/v1/invoices/{id}/lines``;
- lines in both shapes Stripe has served: the current one (``parent.subscription_item_details``,
  ``pricing.price_details``, ``taxes`` with ``tax_behavior``) and the legacy one (API versions
  before 2025-03-31: ``type``, ``subscription``, ``proration``, ``price`` with ``recurring``,
  ``tax_amounts`` with ``inclusive``, ``amount_excluding_tax``);
- errors as Stripe sends them: 401 for an unknown key, 403 for a restricted key without the
  permission (its ``rak_..._read`` name in the message), 404 ``resource_missing``, 429 with
  ``Retry-After`` when asked (``rate_limit``).

It counts requests per route (``counts``), can wait ``latency`` seconds before each answer
(for the bench), and its account can change between syncs (``set_status``, ``delete_invoice``).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import operator
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes._server import LocalHandler, LocalServer

SECRET_KEY = "sk_test_51EmulatorKey000000000000"
LIVE_KEY = "sk_live_51EmulatorKey000000000000"
#: restricted keys and the permissions each holds (Stripe's ``rak_`` names)
RESTRICTED_KEY = "rk_test_51EmulatorInvoicesCustomers"
NO_INVOICES_KEY = "rk_test_51EmulatorCustomersOnly00"
ACCOUNT_ID = "acct_1EmulatorAcct000"
DAY = 86400
INVOICE_STATUSES = ("draft", "open", "paid", "uncollectible", "void")
#: the permission each route needs from a restricted key
_PERMISSION = {"invoices": "rak_invoice_read", "customers": "rak_customer_read", "account": "rak_account_read"}


def _error(status: int, message: str, type_: str = "invalid_request_error", **more: Any) -> tuple[int, Any]:
    return status, {"error": {"message": message, "type": type_, **more}}


@dataclass
class Line:
    """One invoice line as the emulator keeps it; ``body`` renders it in the requested shape."""

    id: str
    amount: int  # cents, before discounts; including tax when the tax is inclusive
    start: int  # service period, epoch seconds (inclusive ends, as Stripe has them)
    end: int
    subscription: str | None = None
    proration: bool = False
    discount: int = 0
    tax: int = 0
    tax_inclusive: bool = False
    price: str = "price_1Basic"
    interval: str = "month"
    interval_count: int = 1
    description: str | None = None
    legacy: bool = False  # the shape of API versions before 2025-03-31

    def body(self, invoice: Invoice) -> dict[str, Any]:
        discounts = ([{"amount": self.discount, "discount": "di_1Emulator"}] if self.discount else [])
        common: dict[str, Any] = {
            "id": self.id, "object": "line_item", "amount": self.amount, "currency": invoice.currency,
            "description": self.description, "discount_amounts": discounts, "discountable": not self.proration,
            "discounts": [d["discount"] for d in discounts], "invoice": invoice.id, "livemode": invoice.livemode,
            "metadata": {}, "period": {"start": self.start, "end": self.end}, "quantity": 1,
        }
        if self.legacy:
            excluding = self.amount - self.discount - (self.tax if self.tax_inclusive else 0)
            taxes = ([{"amount": self.tax, "inclusive": self.tax_inclusive, "tax_rate": "txr_1Emulator",
                       "taxability_reason": "standard_rated", "taxable_amount": excluding}] if self.tax else [])
            return {**common, "type": "subscription" if self.subscription else "invoiceitem",
                    "subscription": self.subscription,
                    "subscription_item": f"si_{self.subscription[4:]}" if self.subscription else None,
                    "invoice_item": None if self.subscription else f"ii_{self.id[3:]}",
                    "proration": self.proration, "proration_details": {"credited_items": None},
                    "price": {"id": self.price, "object": "price", "active": True, "currency": invoice.currency,
                              "product": "prod_1Emulator", "type": "recurring" if self.subscription else "one_time",
                              "recurring": ({"interval": self.interval, "interval_count": self.interval_count,
                                             "usage_type": "licensed"} if self.subscription else None),
                              "unit_amount": self.amount},
                    "plan": None, "tax_amounts": taxes, "tax_rates": [],
                    "amount_excluding_tax": excluding, "unit_amount_excluding_tax": str(excluding)}
        if self.subscription:
            parent: dict[str, Any] = {"type": "subscription_item_details", "invoice_item_details": None,
                                      "subscription_item_details": {
                                          "invoice_item": None, "proration": self.proration,
                                          "proration_details": {"credited_items": None},
                                          "subscription": self.subscription,
                                          "subscription_item": f"si_{self.subscription[4:]}"}}
        else:
            parent = {"type": "invoice_item_details", "subscription_item_details": None,
                      "invoice_item_details": {"invoice_item": f"ii_{self.id[3:]}", "proration": self.proration,
                                               "proration_details": {"credited_items": None},
                                               "subscription": None}}
        taxes = ([{"amount": self.tax, "tax_behavior": "inclusive" if self.tax_inclusive else "exclusive",
                   "tax_rate_details": {"tax_rate": "txr_1Emulator"}, "taxability_reason": "standard_rated",
                   "taxable_amount": self.amount - self.discount, "type": "tax_rate_details"}] if self.tax else [])
        return {**common, "parent": parent, "pretax_credit_amounts": [],
                "pricing": {"type": "price_details", "price_details": {"price": self.price,
                                                                      "product": "prod_1Emulator"},
                            "unit_amount_decimal": str(self.amount)},
                "subscription": self.subscription, "subtotal": self.amount, "taxes": taxes}


@dataclass
class Invoice:
    id: str
    customer: str
    status: str
    created: int
    lines: list[Line]
    currency: str = "usd"
    livemode: bool = False
    number: str | None = None
    customer_name: str | None = None

    def body(self, account: StripeAccount, *, inline: int, expand_customer: bool) -> dict[str, Any]:
        total = sum(line.amount - line.discount + (0 if line.tax_inclusive else line.tax) for line in self.lines)
        subtotal = sum(line.amount for line in self.lines)
        shown = self.lines[:inline]
        customer: Any = self.customer
        if expand_customer:
            customer = account.customer_body(self.customer)
        period = [line.start for line in self.lines] or [self.created]
        paid = self.status == "paid"
        return {
            "id": self.id, "object": "invoice", "account_country": "US", "account_name": account.name,
            "amount_due": 0 if self.status in ("void", "draft") else total, "amount_paid": total if paid else 0,
            "amount_remaining": 0 if paid or self.status == "void" else total, "attempt_count": int(paid),
            "attempted": paid, "auto_advance": self.status == "draft", "billing_reason": "subscription_cycle",
            "collection_method": "charge_automatically", "created": self.created, "currency": self.currency,
            "customer": customer, "customer_email": None, "customer_name": self.customer_name,
            "description": None, "discounts": [], "due_date": None,
            "effective_at": None if self.status == "draft" else self.created, "hosted_invoice_url": None,
            "lines": {"object": "list", "data": [line.body(self) for line in shown],
                      "has_more": len(self.lines) > len(shown), "total_count": len(self.lines),
                      "url": f"/v1/invoices/{self.id}/lines"},
            "livemode": self.livemode, "metadata": {}, "number": self.number,
            "parent": None, "period_end": self.created, "period_start": min(period),
            "status": self.status,
            "status_transitions": {"finalized_at": None if self.status == "draft" else self.created,
                                   "marked_uncollectible_at": None, "paid_at": self.created if paid else None,
                                   "voided_at": None},
            "subtotal": subtotal, "subtotal_excluding_tax": subtotal, "total": total,
            "total_discount_amounts": [], "total_excluding_tax": total, "total_taxes": [],
        }


@dataclass
class Customer:
    id: str
    name: str | None
    created: int
    metadata: dict[str, str] = field(default_factory=dict)
    email: str | None = None
    deleted: bool = False

    def body(self, livemode: bool) -> dict[str, Any]:
        if self.deleted:
            return {"id": self.id, "object": "customer", "deleted": True}
        return {"id": self.id, "object": "customer", "address": None, "balance": 0, "created": self.created,
                "currency": "usd", "default_source": None, "delinquent": False, "description": None,
                "discount": None, "email": self.email, "invoice_prefix": self.id[4:12].upper(),
                "invoice_settings": {"custom_fields": None, "default_payment_method": None, "footer": None,
                                     "rendering_options": None},
                "livemode": livemode, "metadata": dict(self.metadata), "name": self.name,
                "next_invoice_sequence": 1, "phone": None, "preferred_locales": [], "shipping": None,
                "tax_exempt": "none", "test_clock": None}


@dataclass
class StripeAccount:
    """What one Stripe account holds. Objects are listed newest first, as Stripe lists them."""

    name: str = "Acme Analytics, Inc."
    id: str = ACCOUNT_ID
    livemode: bool = False
    customers: dict[str, Customer] = field(default_factory=dict)
    invoices: dict[str, Invoice] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.RLock = field(default_factory=threading.RLock)
    _listed: tuple[list[Invoice], dict[str, int]] | None = field(default=None, repr=False)

    def listed_invoices(self) -> tuple[list[Invoice], dict[str, int]]:
        """Every invoice newest first, and each one's place: kept until an invoice is added or deleted."""
        if self._listed is None:
            order = sorted(self.invoices.values(), key=_newest)
            self._listed = order, {invoice.id: n for n, invoice in enumerate(order)}
        return self._listed

    def _id(self, prefix: str) -> str:
        return f"{prefix}_1Emu{next(self._ids):010d}"

    def add_customer(self, name: str | None, created: int, metadata: dict[str, str] | None = None,
                     id: str | None = None) -> Customer:
        with self.lock:
            customer = Customer(id or self._id("cus"), name, created, dict(metadata or {}))
            self.customers[customer.id] = customer
            return customer

    def line(self, amount: int, start: int, end: int, **more: Any) -> Line:
        """A line (``amount`` cents, service period ``start`` to ``end``) with a fresh id."""
        return Line(self._id("il"), amount, start, end, **more)

    def add_invoice(self, customer: str | Customer, created: int, lines: list[Line], status: str = "paid",
                    **more: Any) -> Invoice:
        assert status in INVOICE_STATUSES
        with self.lock:
            cid = customer.id if isinstance(customer, Customer) else customer
            name = self.customers[cid].name if cid in self.customers else None
            invoice = Invoice(self._id("in"), cid, status, created, list(lines), livemode=self.livemode,
                              customer_name=name, **more)
            self.invoices[invoice.id] = invoice
            self._listed = None
            return invoice

    def set_status(self, invoice_id: str, status: str) -> None:
        assert status in INVOICE_STATUSES
        with self.lock:
            self.invoices[invoice_id].status = status

    def delete_invoice(self, invoice_id: str) -> None:
        """A draft deleted: gone from lists, 404 when asked for."""
        with self.lock:
            assert self.invoices[invoice_id].status == "draft", "Stripe deletes drafts only"
            del self.invoices[invoice_id]
            self._listed = None

    def customer_body(self, customer_id: str) -> dict[str, Any]:
        customer = self.customers.get(customer_id)
        if customer is None:
            return {"id": customer_id, "object": "customer", "deleted": True}
        return customer.body(self.livemode)

    def body(self) -> dict[str, Any]:
        return {"id": self.id, "object": "account", "business_profile": {"name": self.name, "url": None,
                                                                         "support_email": None},
                "business_type": "company", "charges_enabled": True, "country": "US", "created": 1_600_000_000,
                "default_currency": "usd", "details_submitted": True, "email": "billing@example.com",
                "metadata": {}, "payouts_enabled": True,
                "settings": {"dashboard": {"display_name": self.name, "timezone": "Etc/UTC"}},
                "type": "standard"}


@dataclass(frozen=True)
class Fault:
    status: int
    retry_after: float | None
    route: str | None  # None: any route


class FakeStripe(LocalServer):
    """Stripe's API for one account on 127.0.0.1. ``keys`` maps each accepted key to the permissions it
    holds (None: a secret key, everything)."""

    def __init__(self, account: StripeAccount | None = None, *, latency: float = 0.0,
                 keys: dict[str, frozenset[str] | None] | None = None, inline_lines: int = 10) -> None:
        self.account = account or StripeAccount()
        self.latency = latency
        self.inline_lines = inline_lines
        self.keys: dict[str, frozenset[str] | None] = keys if keys is not None else {
            SECRET_KEY: None, LIVE_KEY: None,
            RESTRICTED_KEY: frozenset({"rak_invoice_read", "rak_customer_read"}),
            NO_INVOICES_KEY: frozenset({"rak_customer_read"})}
        self.counts: Counter[str] = Counter()
        self.requests: list[str] = []
        self.api_versions: set[str] = set()
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        super().__init__(self._handler())

    @property
    def total(self) -> int:
        """Requests answered so far (errors included)."""
        return sum(self.counts.values())

    def reset_counts(self) -> None:
        with self._lock:
            self.counts.clear()
            self.requests.clear()

    def rate_limit(self, times: int = 1, retry_after: float = 1.0, route: str | None = None) -> None:
        """Answer the next ``times`` requests (to ``route``, e.g. ``"GET /v1/invoices"``) with 429."""
        with self._lock:
            self._faults += [Fault(429, retry_after, route)] * times

    def fail(self, status: int, times: int = 1, route: str | None = None) -> None:
        with self._lock:
            self._faults += [Fault(status, None, route)] * times

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(LocalHandler):
            def do_GET(self) -> None:
                if fake.latency:
                    time.sleep(fake.latency)
                status, body, headers = fake._route("GET", self.path, self.headers)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{fake.total:08d}")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _route(self, method: str, raw_path: str, headers: Any) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/")
        query = parse_qs(parts.query, keep_blank_values=True)
        segments = path.split("/")[1:]  # ["v1", "invoices", "in_...", "lines"]
        route = "/".join("{id}" if s.startswith(("in_", "cus_")) else s for s in segments)
        name = f"{method} /{route}"
        with self._lock:
            self.counts[name] += 1
            self.requests.append(raw_path)
            if headers.get("Stripe-Version"):
                self.api_versions.add(headers["Stripe-Version"])
            fault = next((f for f in self._faults if f.route in (None, name)), None)
            if fault is not None:
                self._faults.remove(fault)
        key = (headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        if key not in self.keys:
            shown = key[:8] + "*" * max(0, len(key) - 12) + key[-4:] if len(key) > 12 else key
            return (*_error(401, f"Invalid API Key provided: {shown}"), {})
        if fault is not None and fault.status == 429:
            return (*_error(429, "Request rate limit exceeded. Learn more about rate limits here "
                                 "https://stripe.com/docs/rate-limits.", code="rate_limit"),
                    {"Retry-After": f"{fault.retry_after:g}"})
        if fault is not None:
            return (*_error(fault.status, "An unknown error occurred", type_="api_error"), {})
        if len(segments) < 2 or segments[0] != "v1":
            return (*_error(404, f"Unrecognized request URL (GET: {path})."), {})
        resource = segments[1]
        allowed = self.keys[key]
        need = _PERMISSION.get(resource)
        if allowed is not None and need is not None and need not in allowed:
            return (*_error(403, f"The provided key '{key[:8]}***{key[-4:]}' does not have the required "
                                 f"permissions for this endpoint on account '{self.account.id}'. Having the "
                                 f"'{need}' permission would allow this request to continue."), {})
        with self.account.lock:
            try:
                return (*self._answer(segments[1:], query), {})
            except _BadRequest as exc:
                return (*_error(400, str(exc), param=exc.param), {})

    def _answer(self, segments: list[str], query: dict[str, list[str]]) -> tuple[int, Any]:
        account = self.account
        expand = set(query.get("expand[]", []))
        if segments == ["account"]:
            return 200, account.body()
        if segments == ["customers"]:
            _only(expand, set())
            people = [c for c in account.customers.values() if not c.deleted]
            return 200, _page(sorted(people, key=_newest), query, "/v1/customers",
                              lambda c: c.body(account.livemode))
        if segments[0] == "customers" and len(segments) == 2:
            customer = account.customers.get(segments[1])
            if customer is None:
                return _missing("customer", segments[1])
            return 200, customer.body(account.livemode)
        if segments == ["invoices"]:
            _only(expand, {"data.customer"})
            items, positions = account.listed_invoices()
            if "status" in query:
                status = query["status"][0]
                if status not in INVOICE_STATUSES:
                    raise _BadRequest(f"Invalid status: must be one of {', '.join(INVOICE_STATUSES)}", "status")
                items = [i for i in items if i.status == status]
            if "customer" in query:
                items = [i for i in items if i.customer == query["customer"][0]]
            return 200, _page(items, query, "/v1/invoices",
                              lambda i: i.body(account, inline=self.inline_lines,
                                               expand_customer="data.customer" in expand),
                              positions=positions if items is account.listed_invoices()[0] else None)
        if segments[0] == "invoices" and len(segments) in (2, 3):
            invoice = account.invoices.get(segments[1])
            if invoice is None:
                return _missing("invoice", segments[1])
            if len(segments) == 2:
                _only(expand, {"customer"})
                return 200, invoice.body(account, inline=self.inline_lines, expand_customer="customer" in expand)
            if segments[2] == "lines":
                _only(expand, set())
                return 200, _page(invoice.lines, query, f"/v1/invoices/{invoice.id}/lines",
                                  lambda line: line.body(invoice), filters=False)
        raise _BadRequest(f"Unrecognized request URL (GET: /v1/{'/'.join(segments)}).", None)


class _BadRequest(Exception):
    def __init__(self, message: str, param: str | None) -> None:
        super().__init__(message)
        self.param = param


def _only(expand: set[str], allowed: set[str]) -> None:
    for path in sorted(expand - allowed):
        raise _BadRequest(f"This property cannot be expanded ({path}).", "expand")


def _missing(kind: str, id: str) -> tuple[int, Any]:
    return _error(404, f"No such {kind}: '{id}'", code="resource_missing", param="id")


def _newest(item: Invoice | Customer) -> tuple[int, str]:
    return (-item.created, _reverse(item.id))


def _reverse(id: str) -> str:
    """Ties on ``created`` go newest id first, as Stripe's do."""
    return "".join(chr(0x10FFFF - ord(c)) for c in id)


def _page(items: list[Any], query: dict[str, list[str]], url: str, render: Any, *, filters: bool = True,
          positions: dict[str, int] | None = None) -> dict[str, Any]:
    """One page of a list object: ``limit``, ``starting_after`` and the ``created`` filters."""
    try:
        limit = int(query.get("limit", ["10"])[0])
    except ValueError:
        raise _BadRequest("Invalid integer: limit", "limit") from None
    if not 1 <= limit <= 100:
        raise _BadRequest("This value must be greater than or equal to 1 and less than or equal to 100.", "limit")
    if filters:
        tests: dict[str, Callable[[int, int], bool]] = {
            "gte": operator.ge, "gt": operator.gt, "lte": operator.le, "lt": operator.lt}
        for op, test in tests.items():
            if f"created[{op}]" in query:
                bound = int(query[f"created[{op}]"][0])
                items = [i for i in items if test(i.created, bound)]
                positions = None
    start = 0
    if "starting_after" in query:
        after = query["starting_after"][0]
        if positions is None:
            positions = {i.id: n for n, i in enumerate(items)}
        if after not in positions:
            raise _BadRequest(f"No such object: '{after}'", "starting_after")
        start = positions[after] + 1
    chunk = items[start:start + limit]
    return {"object": "list", "data": [render(i) for i in chunk], "has_more": start + limit < len(items),
            "url": url}


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """A ``Stripe-Signature`` header for ``payload``, as Stripe signs webhook events."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def event(type_: str, obj: dict[str, Any], created: int) -> bytes:
    """A webhook event's body (``invoice.paid``, ``customer.updated``, ...)."""
    return json.dumps({"id": f"evt_1Emu{created}", "object": "event", "api_version": "2026-10-28.endive",
                       "created": created, "data": {"object": obj}, "livemode": False, "pending_webhooks": 1,
                       "request": {"id": None, "idempotency_key": None}, "type": type_}).encode()


def month_start(year: int, month: int) -> int:
    """Epoch seconds of the first instant of a month (UTC)."""
    import calendar

    return calendar.timegm((year, month, 1, 0, 0, 0))


def monthly_account(customers: int, months: int, *, first: tuple[int, int] = (2025, 1), lines_per_invoice: int = 1,
                    account: StripeAccount | None = None, segments: tuple[str, ...] = ("SMB", "Enterprise"),
                    seed: int = 7, churn: bool = True) -> StripeAccount:
    """An account whose ``customers`` each pay a monthly invoice for ``months`` months (the bench's and
    the larger tests' data): deterministic, a few churns and upgrades along the way."""
    import random

    rng = random.Random(seed)
    account = account or StripeAccount()
    year, month = first
    starts = []
    for _ in range(months + 1):
        starts.append(month_start(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for n in range(customers):
        segment = segments[n % len(segments)]
        customer = account.add_customer(f"Customer {n:05d}", starts[0] - DAY + n, {"segment": segment})
        price = (rng.randint(5, 40) * 1000) * (10 if segment == "Enterprise" else 1)
        churn_at = rng.randint(3, months * 2) if churn else months
        for m in range(min(months, churn_at)):
            if m and m % 6 == 0 and rng.random() < 0.3:
                price += 500
            per_line = price // lines_per_invoice
            lines = [account.line(per_line, starts[m], starts[m + 1], subscription=f"sub_1Emu{n:08d}")
                     for _ in range(lines_per_invoice)]
            account.add_invoice(customer, starts[m] + 3600 + n, lines)
    return account
