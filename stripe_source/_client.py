"""Stripe's API through the official ``stripe`` library: list pages, retrieve one, count requests.

The library does not retry a rate limit by itself, and its own retries sleep on the wall clock, so
it is built with ``max_network_retries=0`` and the retries are made here: a 429 waits its
``Retry-After`` (or 1 s), a connection error or a 5xx waits 0.5 s, 1 s, 2 s, ... through the
injected ``sleep``, until ``retry_budget`` seconds of waiting are spent. Each wait is said first, as a warning of
the ``nrr.stripe`` logger (a line on stderr from the command line), so a sync that waits is not a silent one.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from stripe_source import _messages as say
from stripe_source._errors import StripeKeyError, StripePermissionError, StripeUnavailable

_log = logging.getLogger("nrr.stripe")

DEFAULT_API_BASE = "https://api.stripe.com"
PAGE = 100  # the largest page Stripe's list endpoints give


def key_mode(key: str) -> str:
    """``live`` or ``test``, from the key's prefix (``sk_live_``, ``rk_test_``, ...)."""
    return "live" if "_live_" in key[:9] else "test"


def key_fingerprint(key: str) -> str:
    """A digest that tells keys apart without keeping them."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(kw_only=True)
class StripeApi:
    """Reads from Stripe with ``key``; ``requests`` counts the HTTP requests made (retries included)."""

    key: str
    base: str = DEFAULT_API_BASE
    sleep: Callable[[float], None] = time.sleep
    retry_budget: float = 120.0
    requests: int = 0
    _client: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.key:
            raise StripeKeyError(say.no_key())

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, sleep: Callable[[float], None] = time.sleep,
                 retry_budget: float = 120.0) -> StripeApi:
        """The key from ``STRIPE_API_KEY`` (only there), the address from ``STRIPE_API_BASE``."""
        return cls(key=env.get("STRIPE_API_KEY", "").strip(),
                   base=(env.get("STRIPE_API_BASE") or DEFAULT_API_BASE).rstrip("/"), sleep=sleep,
                   retry_budget=retry_budget)

    @property
    def mode(self) -> str:
        return key_mode(self.key)

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.key)

    def _stripe(self) -> Any:
        if self._client is None:
            import stripe

            self._client = stripe.StripeClient(self.key, base_addresses={"api": self.base}, max_network_retries=0)
        return self._client

    def _call(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET ``path``: the JSON as Stripe sent it. The library makes the request (auth, version, errors);
        its typed objects are skipped: building them costs 0.2 s of CPU a page of 100 invoices."""
        import stripe

        waited, backoff = 0.0, 0.5
        while True:
            self.requests += 1
            try:
                response = self._stripe().raw_request("get", path, **dict(params or {}))
                return dict(response.data)
            except stripe.RateLimitError as exc:
                after = _retry_after(exc.headers)
                wait = 1.0 if after is None else after
                if waited + wait > self.retry_budget:
                    raise StripeUnavailable(say.rate_limited(waited)) from None
                reason = "429, rate limited"
            except stripe.AuthenticationError as exc:
                said = _said(exc)  # "Invalid API Key provided: sk_test_****1234": the key stays out of messages
                raise StripeKeyError(say.key_refused(said.split(":")[0] if "provided:" in said else said)) from None
            except stripe.PermissionError as exc:
                permission = _permission(_said(exc))
                raise StripePermissionError(say.permission_missing(permission), permission) from None
            except (stripe.APIConnectionError, stripe.APIError) as exc:
                wait = backoff
                backoff *= 2
                if waited + wait > self.retry_budget:
                    raise StripeUnavailable(say.unavailable(_said(exc), self.base)) from None
                reason = _said(exc)
            _log.warning(say.retrying(reason, wait, waited, self.retry_budget))
            self.sleep(wait)
            waited += wait

    @property
    def restricted(self) -> bool:
        return self.key.startswith("rk_")

    def probe(self) -> None:
        """Read one invoice and one customer: a key Stripe refuses, or one without either permission, raises
        (``StripeKeyError``, ``StripePermissionError``) saying what to do. Two requests, nothing kept."""
        self._call("/v1/invoices", {"limit": 1})
        self._call("/v1/customers", {"limit": 1})

    def account(self) -> dict[str, Any]:
        return self._call("/v1/account")

    def invoice(self, invoice_id: str) -> dict[str, Any] | None:
        """One invoice, or None when Stripe has no such invoice (a draft deleted)."""
        import stripe

        try:
            return self._call(f"/v1/invoices/{quote(invoice_id, safe='')}")
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404:
                return None
            raise

    def pages(self, resource: str, params: Mapping[str, Any], starting_after: str | None = None,
              ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Each page of a list (``invoices``, ``customers``, or ``invoices/ID/lines``), newest first, with
        whether more follow; ``starting_after`` resumes after that object."""
        while True:
            query = {**params, "limit": PAGE, **({"starting_after": starting_after} if starting_after else {})}
            page = self._call(f"/v1/{quote(resource, safe='/')}", query)
            data = list(page.get("data") or [])
            more = bool(page.get("has_more")) and bool(data)
            yield data, more
            if not more:
                return
            starting_after = str(data[-1]["id"])


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


def _said(exc: Exception) -> str:
    """What Stripe's library said, in a few words: for a connection that failed, its cause (``Connection
    refused``, ``Name or service not known``, ``ReadTimeout``), not the library's advice wrapped mid-sentence
    (``... If this problem persists,``); else the message's first line."""
    import re

    message = str(getattr(exc, "user_message", None) or str(exc) or type(exc).__name__).strip()
    cause = re.search(r"\[Errno -?\d+\] ([^\"'()\n]+)", message) or re.search(r"Network error: (\w+)", message)
    if cause:
        return cause[1].strip()
    return message.splitlines()[0]


def _permission(message: str) -> str | None:
    import re

    found = re.search(r"'(rak_[a-z_]+)'", message)
    return found[1] if found else None
