"""Stripe as a ledger source: invoices and customers read with the official ``stripe`` library, kept in the
state database and synced, then normalized by the engine's billing rules.

The ``stripe`` library is imported on first request, so naming the source costs nothing.
"""

from __future__ import annotations

from stripe_source._client import DEFAULT_API_BASE, StripeApi, key_mode
from stripe_source._errors import (
    StripeError,
    StripeKeyError,
    StripePermissionError,
    StripeUnavailable,
    WebhookRefused,
)
from stripe_source._messages import key_reads, sync_busy, sync_lines
from stripe_source._records import (
    FINAL_STATUSES,
    StripeCustomer,
    StripeInvoice,
    StripeLine,
    read_customer,
    read_invoice,
    read_line,
)
from stripe_source._source import (
    CUSTOMERS_TAB,
    SOURCE_NAME,
    StripeCells,
    StripeSource,
    StripeStore,
    StripeSummary,
    account_name,
    billing_lines,
    customer_rows,
    is_stripe_spec,
)
from stripe_source._sync import Saved, SyncResult, SyncStore, sync
from stripe_source._webhook import TOLERANCE, stale_kind, verify_event

__all__ = [
    "CUSTOMERS_TAB",
    "DEFAULT_API_BASE",
    "FINAL_STATUSES",
    "SOURCE_NAME",
    "TOLERANCE",
    "Saved",
    "StripeApi",
    "StripeCells",
    "StripeCustomer",
    "StripeError",
    "StripeInvoice",
    "StripeKeyError",
    "StripeLine",
    "StripePermissionError",
    "StripeSource",
    "StripeStore",
    "StripeSummary",
    "StripeUnavailable",
    "SyncResult",
    "SyncStore",
    "WebhookRefused",
    "account_name",
    "billing_lines",
    "customer_rows",
    "is_stripe_spec",
    "key_mode",
    "key_reads",
    "read_customer",
    "read_invoice",
    "read_line",
    "stale_kind",
    "sync",
    "sync_busy",
    "sync_lines",
    "verify_event",
]
