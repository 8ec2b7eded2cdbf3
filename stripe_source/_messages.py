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


def retrying(reason: str, wait: float, waited: float, budget: float) -> str:
    return (f"Stripe did not answer ({reason}); trying again in {wait:g} s ({waited:g} s waited so far, at most "
            f"{budget:g} s).")


def rate_limited(waited: float) -> str:
    return (f"Stripe kept answering 429 (rate limited) for {waited:.0f} s; try again in a minute, or sync less "
            "often ([stripe] sync_minutes).")


def as_of(problem: str, synced_at: object) -> str:
    import datetime as dt

    when = f"{synced_at:%Y-%m-%d %H:%M} UTC" if isinstance(synced_at, dt.datetime) else str(synced_at)
    return f"{problem} These figures are as of the last sync, {when}."


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def sync_lines(*, full: bool, resumed: bool, requests: int, new: int, changed: list[tuple[str, str, str]],
               dropped: int, customers_read: int, customers_changed: int, mode: str, kept: dict[str, int],
               shown: int = 10) -> list[str]:
    """What ``nrr sync`` prints: what it did, what changed, what is kept."""
    kind = "full sync" if full else "sync"
    head = (f"Stripe ({mode} mode): {'resumed the interrupted ' + kind if resumed else kind.capitalize()} in "
            f"{_count(requests, 'request')}.")
    if not (new or changed or dropped or customers_changed):
        what = "Nothing changed since the last sync."
    else:
        parts = [f"{_count(new, 'new invoice')}" if new else "",
                 f"{_count(len(changed), 'invoice')} changed status" if changed else "",
                 f"{_count(dropped, 'invoice')} gone (deleted drafts)" if dropped else "",
                 f"{_count(customers_changed, 'customer')} new or changed" if customers_changed else ""]
        what = "Changed: " + "; ".join(p for p in parts if p) + "."
    lines = [head, what]
    lines += [f"  {invoice}: {before} -> {after}" for invoice, before, after in changed[:shown]]
    if len(changed) > shown:
        lines.append(f"  ...and {len(changed) - shown:,} more.")
    lines.append(f"Kept: {_count(kept['invoices'], 'invoice')}, {_count(kept['lines'], 'line')}, "
                 f"{_count(kept['customers'], 'customer')}.")
    return lines


def sync_busy() -> str:
    return ("Another nrr instance is syncing Stripe right now (it holds the sync's lease for up to 2 minutes); "
            "run nrr sync again in a moment.")


def key_reads(restricted: bool, mode: str) -> str:
    """``nrr doctor``'s line for a key that reads what nrr needs."""
    if restricted:
        return f"a restricted key in {mode} mode; it reads invoices and customers"
    return (f"a secret key in {mode} mode; it reads invoices and customers (a restricted key with Invoices: Read "
            "and Customers: Read is enough)")
