"""Verifying the ID token Google sends with every add-on request.

Signature against Google's certs (cached for their Cache-Control max-age, fetched again once when
a token names an unknown key, at most once a minute), issuer, expiry, audience (our endpoint URL, never skipped) and the
``email`` claim (the add-on's service account). Anything else is refused before any work.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import requests
from google.auth import exceptions as auth_exceptions
from google.auth import jwt

from nrr.addon._errors import TokenRejected

REFETCH_AFTER = 60.0  # seconds between fetches caused by unknown key ids
GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")


class IdTokenVerifier:
    """Checks ``Authorization: Bearer <ID token>`` headers of Workspace add-on requests."""

    def __init__(self, audience: str, service_account: str, *, certs_url: str,
                 clock: Callable[[], float] = time.monotonic,
                 session: requests.Session | None = None) -> None:
        if not audience or not service_account:
            raise ValueError("an audience and the add-on's service account are required")
        self.audience = audience.rstrip("/")
        self.service_account = service_account
        self.certs_url = certs_url
        self.clock = clock
        self.session = session or requests.Session()
        self.session.trust_env = False
        self.fetches = 0
        self._certs: dict[str, str] = {}
        self._expires = 0.0
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def certs(self, *, refresh: bool = False) -> dict[str, str]:
        """Google's certs, from the cache while it is fresh. ``refresh`` (a token named a key we do not
        have: Google may have rotated them) fetches again, but at most once a minute, because anyone
        can send a token naming an unknown key."""
        with self._lock:
            recently = self._fetched_at is not None and self.clock() - self._fetched_at < REFETCH_AFTER
            if (refresh and not recently) or not self._certs or self.clock() >= self._expires:
                self._fetched_at = self.clock()
                try:
                    response = self.session.get(self.certs_url, timeout=10)
                    response.raise_for_status()
                    certs = response.json()
                except (requests.RequestException, ValueError) as exc:
                    if self._certs:  # keep serving with the keys we have
                        return self._certs
                    raise TokenRejected(f"cannot fetch Google's certs ({type(exc).__name__})") from None
                self.fetches += 1
                match = re.search(r"max-age=(\d+)", response.headers.get("Cache-Control", ""))
                self._certs = dict(certs)
                self._expires = self.clock() + (int(match[1]) if match else 3600)
            return self._certs

    def verify(self, authorization: str | None, paths: Sequence[str] = ()) -> dict[str, Any]:
        """The token's claims, or ``TokenRejected`` saying why. ``paths``: the URL paths the
        request may carry as its audience besides the endpoint URL itself."""
        if not authorization or not authorization.startswith("Bearer ") or len(authorization) < 20:
            raise TokenRejected("no bearer token")
        token = authorization.removeprefix("Bearer ").strip()
        audiences = [self.audience, *(self.audience + p for p in paths)]
        try:
            header = jwt.decode_header(token)  # type: ignore[no-untyped-call]
        except (ValueError, auth_exceptions.GoogleAuthError):
            raise TokenRejected("malformed token") from None
        certs = self.certs()
        if header.get("kid") not in certs:
            certs = self.certs(refresh=True)
        try:
            claims: dict[str, Any] = jwt.decode(token, certs=certs, audience=audiences)  # type: ignore[no-untyped-call]
        except (ValueError, auth_exceptions.GoogleAuthError) as exc:
            raise TokenRejected(str(exc).split("\n")[0]) from None
        if claims.get("iss") not in GOOGLE_ISSUERS:
            raise TokenRejected(f"wrong issuer {claims.get('iss')!r}")
        if claims.get("email") != self.service_account:
            raise TokenRejected(f"wrong service account {claims.get('email')!r}")
        if claims.get("email_verified") is False:
            raise TokenRejected("email not verified")
        return claims
