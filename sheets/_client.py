"""The Sheets API client: gspread's HTTP client with service-account credentials (or, for the
add-on, one person's own access token), retries within a time budget, routing to a local
emulator, and Google's errors turned into plain ones.

``SHEETS_API_URL`` (e.g. ``http://127.0.0.1:8085``) sends every Google API call the adapter makes
(Sheets, and google-auth's IAM lookup after a token refresh) to that base URL; the OAuth token
exchange goes wherever the key file's ``token_uri`` says. gspread copies its URL constants at
import, so the routing is done by a transport adapter on the requests sessions instead.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gspread
import requests
from google.auth.credentials import Credentials
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from google.auth.transport import DEFAULT_REFRESH_STATUS_CODES
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.urls import SPREADSHEET_VALUES_URL
from gspread.utils import quote
from requests.adapters import HTTPAdapter

from engine import digest_bytes, whole_number
from sheets import _messages as say
from sheets._errors import (
    SheetNotFound,
    SheetNotShared,
    SheetRangeGone,
    SheetsAuthError,
    SheetsError,
    SheetsQuotaError,
    SheetsUnavailable,
    UserAccessRefused,
)
from sheets._flight import Flights

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
GOOGLE_API_HOSTS = ("sheets.googleapis.com", "iamcredentials.googleapis.com")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_BEARER = re.compile(r"[A-Za-z0-9._~+/-]+=*")  # RFC 6750 b64token: safe in a header, nothing else


def credentials_from_env(env: Mapping[str, str]) -> service_account.Credentials:
    """Service-account credentials from ``GOOGLE_SERVICE_ACCOUNT_JSON`` or the key file that
    ``GOOGLE_APPLICATION_CREDENTIALS`` names; scope: spreadsheets only."""
    if env.get(say.ENV_JSON):
        variable, text = say.ENV_JSON, env[say.ENV_JSON]
    elif env.get(say.ENV_PATH):
        variable, path = say.ENV_PATH, env[say.ENV_PATH]
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise SheetsAuthError(say.unreadable_key_file(exc.strerror or type(exc).__name__)) from None
    else:
        raise SheetsAuthError(say.no_credentials())
    try:
        info = json.loads(text)
    except json.JSONDecodeError:
        raise SheetsAuthError(say.bad_key(variable, "not JSON")) from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise SheetsAuthError(say.bad_key(variable, '"type" is not "service_account"'))
    try:
        make = service_account.Credentials.from_service_account_info
        credentials: service_account.Credentials = make(info, scopes=list(SCOPES))  # type: ignore[no-untyped-call]
        return credentials
    except (ValueError, KeyError, GoogleAuthError) as exc:
        raise SheetsAuthError(say.bad_key(variable, str(exc) or type(exc).__name__)) from None


class _Router(HTTPAdapter):
    """Sends requests for Google API hosts to a local base URL instead (emulators, tests)."""

    def __init__(self, routes: Mapping[str, str]) -> None:
        super().__init__()
        self.routes = {host: base.rstrip("/") for host, base in routes.items()}

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        base = self.routes.get(parts.netloc)
        if base is not None:
            request.url = base + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, *args, **kwargs)


def _session(routes: Mapping[str, str]) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy or netrc surprises: the base URLs are the whole truth
    if routes:
        session.mount("https://", _Router(routes))
    return session


class _RetryingHTTPClient(gspread.HTTPClient):
    """gspread's HTTP client, retrying 408/429/5xx and network failures with exponential
    backoff and full jitter, honouring Retry-After, within a time budget."""

    def __init__(self, credentials: Credentials, *, routes: Mapping[str, str],
                 budget: float, clock: Callable[[], float], sleep: Callable[[float], None],
                 rng: Callable[[], float], refreshable: bool = True) -> None:
        auth_request = Request(_session(routes))
        refresh = DEFAULT_REFRESH_STATUS_CODES if refreshable else ()
        session = AuthorizedSession(credentials, auth_request=auth_request,  # type: ignore[no-untyped-call]
                                    refresh_status_codes=refresh)
        session.trust_env = False
        if routes:
            session.mount("https://", _Router(routes))
        super().__init__(auth=credentials, session=session)
        self.auth = credentials
        self.timeout = (5, 30)
        self.budget, self.clock, self.sleep, self.rng = budget, clock, sleep, rng

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        deadline = self.clock() + self.budget
        attempt = 0
        while True:
            try:
                return super().request(*args, **kwargs)
            except APIError as exc:
                if exc.code not in RETRY_STATUSES:
                    raise
                retry_after = exc.response.headers.get("Retry-After")
                failure: Exception = exc
            except (requests.ConnectionError, requests.Timeout) as exc:
                retry_after, failure = None, exc
            delay = min(32.0, 0.5 * 2**attempt) * self.rng()
            if retry_after and (seconds := whole_number(retry_after, 5)) is not None:
                delay = max(delay, float(seconds))
            if self.clock() + delay > deadline:
                raise failure
            self.sleep(delay)
            attempt += 1


class SheetsClient:
    """The few Sheets API calls the adapter makes, with Google's failures made plain.

    ``clock``/``sleep``/``rng`` are injected so tests never wait on a backoff.
    """

    def __init__(self, credentials: service_account.Credentials, *, api_url: str | None = None,
                 retry_budget: float = 20.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: Callable[[], float] = random.random) -> None:
        self.email: str = credentials.service_account_email
        self._connect(credentials, api_url=api_url, retry_budget=retry_budget, clock=clock, sleep=sleep,
                      rng=rng)

    def _connect(self, credentials: Credentials, *, api_url: str | None, retry_budget: float,
                 clock: Callable[[], float], sleep: Callable[[float], None], rng: Callable[[], float],
                 refreshable: bool = True) -> None:
        routes = dict.fromkeys(GOOGLE_API_HOSTS, api_url) if api_url else {}
        self.retry_budget = retry_budget
        self.http = _RetryingHTTPClient(credentials, routes=routes, budget=retry_budget, clock=clock,
                                        sleep=sleep, rng=rng, refreshable=refreshable)
        self._metadata: dict[str, dict[str, Any]] = {}
        self._metadata_flights: Flights[dict[str, Any]] = Flights()
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the HTTP connections (a client made for one request is closed after it)."""
        self.http.session.close()

    def _refused(self, spreadsheet_id: str, exc: APIError, writing: bool = False) -> SheetsError:
        """What a 401 or 403 means for these credentials; on a write, the sheet was read, so it is shared, as
        Viewer (fuzz 18: told it was not shared at all)."""
        if exc.code == 403 and writing:
            return SheetNotShared(say.shared_to_read_only(self.email, spreadsheet_id), self.email)
        if exc.code == 403:
            return SheetNotShared(say.not_shared(self.email, spreadsheet_id), self.email)
        return SheetsError(say.rejected(exc.code, str(exc.error.get("message", ""))))

    @contextmanager
    def _errors(self, spreadsheet_id: str, *, writing: bool = False) -> Iterator[None]:
        try:
            yield
        except APIError as exc:
            if exc.code in (401, 403):
                raise self._refused(spreadsheet_id, exc, writing) from exc
            if exc.code == 404:
                raise SheetNotFound(say.spreadsheet_not_found(spreadsheet_id)) from exc
            if exc.code == 400 and "Unable to parse range" in str(exc.error.get("message", "")):
                raise SheetRangeGone(say.rejected(exc.code, str(exc.error.get("message", "")))) from exc
            if exc.code == 429:
                raise SheetsQuotaError(say.quota(self.retry_budget, "write" if writing else "read")) from exc
            if exc.code in RETRY_STATUSES:
                raise SheetsUnavailable(say.unavailable(f"HTTP {exc.code}", self.retry_budget)) from exc
            raise SheetsError(say.rejected(exc.code, str(exc.error.get("message", "")))) from exc
        except RefreshError as exc:
            raise self._credentials_refused(exc) from exc
        except (requests.ConnectionError, requests.Timeout, TransportError) as exc:
            raise SheetsUnavailable(say.unavailable(type(exc).__name__, self.retry_budget)) from exc

    def _credentials_refused(self, exc: RefreshError) -> SheetsError:
        """What a failed token exchange means for these credentials."""
        reason = exc.args[0] if exc.args else "refused"
        if isinstance(reason, str) and ("invalid_grant" in reason or "invalid_client" in reason):
            return SheetsAuthError(say.key_refused(self.email, reason.split(":")[0]))
        return SheetsUnavailable(say.unavailable(f"token exchange: {reason}", self.retry_budget))

    def metadata(self, spreadsheet_id: str, *, refresh: bool = False) -> dict[str, Any]:
        """The spreadsheet's title and sheet properties, fetched once and kept."""
        with self._lock:
            cached = self._metadata.get(spreadsheet_id)
        if cached is not None and not refresh:
            return cached

        def fetch() -> dict[str, Any]:
            with self._errors(spreadsheet_id):
                data: dict[str, Any] = self.http.spreadsheets_get(
                    spreadsheet_id, params={"fields": "spreadsheetId,properties.title,sheets.properties"})
            with self._lock:
                self._metadata[spreadsheet_id] = data
            return data

        return self._metadata_flights.run(spreadsheet_id, fetch)

    def values(self, spreadsheet_id: str, a1_range: str, *,
               render: str = "UNFORMATTED_VALUE") -> list[list[Any]]:
        """One values request: numbers unformatted and dates as serial numbers (locale-proof)."""
        return self.values_read(spreadsheet_id, a1_range, render=render)[0]

    def values_read(self, spreadsheet_id: str, a1_range: str, *,
                    render: str = "UNFORMATTED_VALUE") -> tuple[list[list[Any]], str]:
        """``values``, with the digest of the answer's bytes: the ledger's fingerprint, without hashing the grid."""
        with self._errors(spreadsheet_id):
            response = self.http.request("get", SPREADSHEET_VALUES_URL % (spreadsheet_id, quote(a1_range)), params={
                "valueRenderOption": render, "dateTimeRenderOption": "SERIAL_NUMBER"})
            data = response.json()
        return list(data.get("values", [])), digest_bytes(response.content)

    def batch_values(self, spreadsheet_id: str, ranges: Sequence[str], *,
                     render: str = "UNFORMATTED_VALUE") -> list[list[list[Any]]]:
        with self._errors(spreadsheet_id):
            data = self.http.values_batch_get(spreadsheet_id, list(ranges), params={
                "valueRenderOption": render, "dateTimeRenderOption": "SERIAL_NUMBER"})
        return [list(vr.get("values", [])) for vr in data.get("valueRanges", [])]

    def grid(self, spreadsheet_id: str, a1_range: str) -> dict[str, Any]:
        """Cells with what was typed (formulas included), their values, what they show and their notes, and the
        sheet's developer metadata: everything a safe write-back needs, in one request."""
        fields = ("sheets(properties,developerMetadata,data(startRow,startColumn,rowData.values("
                  "userEnteredValue,effectiveValue,formattedValue,note)))")
        with self._errors(spreadsheet_id):
            data = self.http.spreadsheets_get(spreadsheet_id, params={
                "ranges": a1_range, "includeGridData": "true", "fields": fields})
        sheets: list[dict[str, Any]] = data.get("sheets", [])
        return sheets[0] if sheets else {}

    def batch_update(self, spreadsheet_id: str, requests_: Sequence[Mapping[str, Any]]) -> list[Any]:
        with self._errors(spreadsheet_id, writing=True):
            data = self.http.batch_update(spreadsheet_id, {"requests": list(requests_)})
        return list(data.get("replies", []))


class UserSheetsClient(SheetsClient):
    """The same calls, made with one person's own OAuth access token instead of the service account.

    The Sheets add-on gets the token from each request's event (``userOAuthToken``); it can reach
    the files that person can reach and has granted the add-on (``drive.file``). The token is held
    by this client only, which lives for one request: it is never logged, never put in a message,
    never refreshed (there is nothing to refresh it with) and never cached with what it read.
    A 401 or 403 is "Google refused your access", said without the token.
    """

    def __init__(self, token: str, *, api_url: str | None = None, retry_budget: float = 20.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 rng: Callable[[], float] = random.random) -> None:
        if not _BEARER.fullmatch(token):  # a header requests would refuse, quoting it
            raise UserAccessRefused(say.user_token_refused())
        credentials = user_credentials.Credentials(token)  # type: ignore[no-untyped-call]
        self._connect(credentials, api_url=api_url, retry_budget=retry_budget, clock=clock, sleep=sleep,
                      rng=rng, refreshable=False)

    def _refused(self, spreadsheet_id: str, exc: APIError, writing: bool = False) -> SheetsError:
        if exc.code == 401:
            return UserAccessRefused(say.user_token_refused())
        return UserAccessRefused(say.user_access_refused(spreadsheet_id))

    def _credentials_refused(self, exc: RefreshError) -> SheetsError:
        return UserAccessRefused(say.user_token_refused())
