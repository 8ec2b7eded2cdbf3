"""The words a person reads about Stripe: one place, so the terminal, Slack and doctor say the same."""

from __future__ import annotations

#: Stripe's restricted-key permission names, as its Dashboard shows them
PERMISSIONS = {"rak_invoice_read": "Invoices: Read", "rak_customer_read": "Customers: Read",
               "rak_account_read": "Account: Read"}


def no_key() -> str:
    return ("STRIPE_API_KEY is not set: nrr needs it to read invoices and customers from Stripe. Create a "
            "restricted key (Dashboard > Developers > API keys > Create restricted key, with Invoices: Read and "
            "Customers: Read) and set STRIPE_API_KEY to it.")


def key_refused(detail: str) -> str:
    return (f"Stripe refused STRIPE_API_KEY ({detail}): the key is wrong, revoked or expired. Create a new "
            "restricted key (Invoices: Read, Customers: Read) in the Dashboard and set STRIPE_API_KEY to it.")


def permission_missing(permission: str | None) -> str:
    shown = PERMISSIONS.get(permission or "", permission or "the read permission for invoices and customers")
    return (f"STRIPE_API_KEY cannot read what nrr needs: Stripe says it lacks {shown}"
            + (f" ({permission})" if permission and permission in PERMISSIONS else "")
            + f". Edit the restricted key in the Dashboard (Developers > API keys) and give it {shown}.")


def unavailable(detail: str, base: str) -> str:
    return f"Stripe could not be reached at {base} ({detail}); try again later."


def rate_limited(waited: float) -> str:
    return (f"Stripe kept answering 429 (rate limited) for {waited:.0f} s; try again in a minute, or sync less "
            "often ([stripe] sync_minutes).")


def as_of(problem: str, synced_at: object) -> str:
    import datetime as dt

    when = f"{synced_at:%Y-%m-%d %H:%M} UTC" if isinstance(synced_at, dt.datetime) else str(synced_at)
    return f"{problem} These figures are as of the last sync, {when}."
