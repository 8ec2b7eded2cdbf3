"""Stripe's webhook events, verified: ``Stripe-Signature`` is ``t=TIMESTAMP,v1=HMAC,...``, the HMAC-SHA256 of
``TIMESTAMP.BODY`` with the endpoint's signing secret (``whsec_...``). An event is accepted when one ``v1``
matches (compared in constant time) and its timestamp is within ``TOLERANCE`` of now; anything else is
refused and nothing in it is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from engine import whole_number
from stripe_source._errors import WebhookRefused

TOLERANCE = dt.timedelta(minutes=5)


def verify_event(payload: bytes, header: str | None, secret: str, now: dt.datetime) -> dict[str, Any]:
    """The event in ``payload`` once ``header`` proves Stripe sent it within ``TOLERANCE`` of ``now``."""
    if not header:
        raise WebhookRefused("no Stripe-Signature header")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and (sent := whole_number(value, 15)) is not None:
            timestamp = sent
        elif name == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise WebhookRefused("Stripe-Signature has no timestamp or no v1 signature")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected.encode(), s.encode()) for s in signatures):
        raise WebhookRefused("no v1 signature matches the signing secret")
    if abs(now.timestamp() - timestamp) > TOLERANCE.total_seconds():
        raise WebhookRefused(f"the signature's timestamp is more than {TOLERANCE.seconds // 60} minutes from now")
    try:
        event = json.loads(payload)
    except ValueError:
        raise WebhookRefused("the body is not JSON") from None
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise WebhookRefused("the body is not an event")
    return event


def stale_kind(event_type: str) -> str | None:
    """What an event makes stale: ``invoices``, ``customers``, or None (an event nrr does not read)."""
    if event_type.startswith("invoice."):
        return "invoices"
    if event_type.startswith("customer."):
        return "customers"
    return None
