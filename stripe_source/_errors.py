"""Errors of the Stripe source; each message says what to do.

    NrrError (engine)
    └── StripeError                 Stripe cannot be read
        ├── StripeKeyError          no key, or a key Stripe refuses (wrong, revoked, expired): 401
        ├── StripePermissionError   a restricted key without a permission it needs: 403
        ├── StripeUnavailable       Stripe (or the network) kept failing, or kept answering 429, past the budget
        └── WebhookRefused          a webhook request whose Stripe-Signature does not verify
"""

from __future__ import annotations

from engine import NrrError


class StripeError(NrrError):
    """Stripe cannot be read."""


class StripeKeyError(StripeError):
    """No STRIPE_API_KEY, or a key Stripe refuses."""


class StripePermissionError(StripeError):
    """A restricted key lacks a read permission nrr needs (``permission``: Stripe's ``rak_`` name)."""

    def __init__(self, message: str, permission: str | None = None) -> None:
        super().__init__(message)
        self.permission = permission


class StripeUnavailable(StripeError):
    """Stripe or the network kept failing (or rate-limiting) past the retry budget."""


class WebhookRefused(StripeError):
    """A webhook request whose signature does not verify (or is too old, or not an event)."""
