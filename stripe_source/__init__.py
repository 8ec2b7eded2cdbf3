"""Stripe as a ledger source: invoices and customers read with the official ``stripe`` library, kept in the
state database and synced, then normalized by the engine's billing rules.

The ``stripe`` library is imported on first request, and the package's modules on first use of one of their
names (PEP 562), so naming the source, or a command on a CSV asking whether its ledger is ``stripe``, costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from stripe_source._errors import (
    StripeError,
    StripeKeyError,
    StripePermissionError,
    StripeUnavailable,
    WebhookRefused,
)
from stripe_source._messages import key_reads, sync_busy, sync_lines
from stripe_source._spec import SOURCE_NAME, is_stripe_spec

if TYPE_CHECKING:
    from stripe_source._client import DEFAULT_API_BASE, StripeApi, key_mode
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
        StripeCells,
        StripeSource,
        StripeStore,
        StripeSummary,
        account_name,
        billing_lines,
        customer_rows,
    )
    from stripe_source._sync import Saved, SyncResult, SyncStore, sync
    from stripe_source._webhook import TOLERANCE, stale_kind, verify_event

# imported on first use (PEP 562): a command on a CSV or a sheet asks only whether its ledger is ``stripe``
_LAZY = {
    "stripe_source._client": ("DEFAULT_API_BASE", "StripeApi", "key_mode"),
    "stripe_source._records": ("FINAL_STATUSES", "StripeCustomer", "StripeInvoice", "StripeLine", "read_customer",
                               "read_invoice", "read_line"),
    "stripe_source._source": ("CUSTOMERS_TAB", "StripeCells", "StripeSource", "StripeStore", "StripeSummary",
                              "account_name", "billing_lines", "customer_rows"),
    "stripe_source._sync": ("Saved", "SyncResult", "SyncStore", "sync"),
    "stripe_source._webhook": ("TOLERANCE", "stale_kind", "verify_event"),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}


if not TYPE_CHECKING:  # hidden from mypy, which knows each lazy name's type from the imports above

    def __getattr__(name: str) -> Any:
        if name not in _MODULE_OF:
            raise AttributeError(f"module 'stripe_source' has no attribute {name!r}")
        value = getattr(importlib.import_module(_MODULE_OF[name]), name)
        globals()[name] = value
        return value


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
