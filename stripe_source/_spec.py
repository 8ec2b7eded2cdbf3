"""Naming the Stripe source: what ``--ledger stripe`` is, known without loading the rest of the package."""

from __future__ import annotations

SOURCE_NAME = "stripe"


def is_stripe_spec(spec: str) -> bool:
    """``stripe`` names the Stripe account of ``STRIPE_API_KEY``."""
    return spec.strip().lower() == SOURCE_NAME
