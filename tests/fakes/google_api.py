"""A small, faithful fake of the Google Sheets API v4 and Google's OAuth token endpoint.

Served over real HTTP on 127.0.0.1 (port 0) by the standard library, so the real gspread and
google-auth talk to it. It answers the way the recorded exchanges in shared/fixtures show:
ranges unquoted for simple titles, no ``values`` key for an empty range, trailing empty cells
and rows trimmed, serial-number dates. It counts requests per operation and can answer 429,
500 or 403 on demand, or slowly. It records the bearer token of every Sheets request, and tells
the service account's tokens (from its token endpoint) from people's own (``user_token``), each
reaching only what Google would let it reach.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import jwt

from tests.fakes._server import LocalHandler, LocalServer

SERVICE_ACCOUNT = "nrr-bot@nrr-test.iam.gserviceaccount.com"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # one per test session
PRIVATE_PEM = _KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode()
PUBLIC_PEM = _KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


_ID_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # signs add-on ID tokens
ID_KEY_ID = "idkey-1"


def _self_signed(key: rsa.RSAPrivateKey) -> str:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "accounts.google.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


ID_CERT_PEM = _self_signed(_ID_KEY)


def mint_id_token(claims: dict[str, Any], key: rsa.RSAPrivateKey | None = None, kid: str = ID_KEY_ID) -> str:
    """An RS256 ID token as Google would sign it (with the test key unless ``key`` is given)."""
    token: bytes = jwt.encode(_signer(key or _ID_KEY, kid), claims)  # type: ignore[no-untyped-call]
    return token.decode()


@functools.cache
def _signer(key: rsa.RSAPrivateKey, kid: str) -> Any:
    """google-auth's signer of ``key``, made once: reading a PEM key back checks it (some 35 ms of CPU), and the
    add-on's tests mint about 75 tokens."""
    from google.auth import crypt

    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return crypt.RSASigner.from_string(pem, kid)  # type: ignore[no-untyped-call]


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def quote_title(title: str) -> str:
    return title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'" + title.replace("'", "''") + "'"


@dataclass
class FakeCell:
    value: Any = None  # float | str | bool | None: what the cell shows, unformatted
    formula: str | None = None
    note: str | None = None
    number_format: str | None = None  # "DATE", "PERCENT", "CURRENCY", "NUMBER"
    #: the format's pattern ("[$€]#,##0.00"); None: the en_US locale's default for its type ("$#,##0.00")
    pattern: str | None = None


@dataclass
class FakeSheet:
    sheet_id: int
    title: str
    index: int
    cells: dict[tuple[int, int], FakeCell] = field(default_factory=dict)
    row_count: int = 1000
    column_count: int = 26
    frozen_rows: int = 0

    def properties(self) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": self.row_count, "columnCount": self.column_count}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        return {"sheetId": self.sheet_id, "title": self.title, "index": self.index, "sheetType": "GRID",
                "gridProperties": grid}

    def cell(self, row: int, col: int) -> FakeCell:
        return self.cells.setdefault((row, col), FakeCell())

    def set_rows(self, rows: list[list[Any]], top: int = 0) -> None:
        """Fill cells from Python values; ``"=..."`` strings are formulas, ``Formula`` keeps a value."""
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                cell = self.cell(top + r, c)
                if isinstance(value, Formula):
                    cell.formula, cell.value = value.text, value.value
                elif isinstance(value, str) and value.startswith("="):
                    cell.formula, cell.value = value, None
                else:
                    cell.formula, cell.value = None, value
        self.row_count = max(self.row_count, top + len(rows))

    def insert_rows(self, at: int, count: int = 1) -> None:
        """Shift rows down from ``at`` (0-based), as a person inserting rows would."""
        moved = {((r + count) if r >= at else r, c): cell for (r, c), cell in self.cells.items()}
        self.cells = moved
        self.row_count += count

    def extent(self) -> tuple[int, int]:
        used = [k for k, v in self.cells.items() if v.value not in (None, "") or v.formula]
        if not used:
            return 0, 0
        return max(r for r, _ in used) + 1, max(c for _, c in used) + 1


@dataclass(frozen=True)
class Formula:
    text: str
    value: Any = None


@dataclass
class FakeSpreadsheet:
    spreadsheet_id: str
    title: str
    sheets: list[FakeSheet]
    shared_with: set[str] = field(default_factory=lambda: {SERVICE_ACCOUNT})  # editors
    viewers: set[str] = field(default_factory=set)  # may read, not write
    developer_metadata: list[dict[str, Any]] = field(default_factory=list)
    next_sheet_id: int = 1_000_000

    def sheet(self, title: str | None = None, sheet_id: int | None = None) -> FakeSheet:
        for s in self.sheets:
            if (title is not None and s.title == title) or (sheet_id is not None and s.sheet_id == sheet_id):
                return s
        if title is None and sheet_id is None:
            return self.sheets[0]
        raise KeyError(title or sheet_id)


class ApiError(Exception):
    def __init__(self, code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


def _parse_range(book: FakeSpreadsheet, text: str) -> tuple[FakeSheet, int, int, int, int]:
    """``'My Sheet'!A2:F`` -> (sheet, r0, c0, r1, c1), end-exclusive, clipped to the grid."""
    title: str | None = None
    ref = text
    if "!" in text:
        title, ref = text.rsplit("!", 1)
        if title.startswith("'") and title.endswith("'"):
            title = title[1:-1].replace("''", "'")
    elif len(text) > 1 and text.startswith("'") and text.endswith("'"):  # a whole sheet, quoted
        title, ref = text[1:-1].replace("''", "'"), ""
    elif not re.fullmatch(r"[A-Za-z]{0,3}\d*(:[A-Za-z]{0,3}\d*)?", text) or text == "":
        title, ref = text, ""
    try:
        sheet = book.sheet(title) if title is not None else book.sheets[0]
    except KeyError:
        raise ApiError(400, "INVALID_ARGUMENT", f"Unable to parse range: {text}") from None
    if not ref:
        return sheet, 0, 0, sheet.row_count, sheet.column_count
    parts = ref.split(":")
    if len(parts) > 2:
        raise ApiError(400, "INVALID_ARGUMENT", f"Unable to parse range: {text}")
    m0 = re.fullmatch(r"([A-Za-z]*)(\d*)", parts[0])
    m1 = re.fullmatch(r"([A-Za-z]*)(\d*)", parts[-1])
    if not m0 or not m1 or not (m0[1] or m0[2]):
        raise ApiError(400, "INVALID_ARGUMENT", f"Unable to parse range: {text}")
    c0 = column_index(m0[1]) if m0[1] else 0
    r0 = int(m0[2]) - 1 if m0[2] else 0
    if len(parts) == 1:
        return sheet, r0, c0, r0 + 1, c0 + 1
    c1 = column_index(m1[1]) + 1 if m1[1] else sheet.column_count
    r1 = int(m1[2]) if m1[2] else sheet.row_count
    return sheet, r0, c0, min(r1, sheet.row_count), min(c1, sheet.column_count)


def _a1(sheet: FakeSheet, r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{quote_title(sheet.title)}!{column_letters(c0)}{r0 + 1}:{column_letters(c1 - 1)}{r1}"


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _render(cell: FakeCell | None, option: str) -> Any:
    if cell is None:
        return ""
    if option == "FORMULA" and cell.formula:
        return cell.formula
    value = cell.value
    if value is None:
        return ""
    if option == "FORMATTED_VALUE":
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | float):
            return _formatted(value, cell.number_format, cell.pattern)
        return str(value)
    return _number(value)


def _formatted(value: float, kind: str | None, pattern: str | None) -> str:
    """A number as the Sheets UI shows it in an en_US spreadsheet: its pattern's currency (``$``, ``[$€]``,
    ``[$CHF] ``), grouping and decimals, and a percent times 100; the locale's default for a type alone."""
    if kind not in ("PERCENT", "CURRENCY", "NUMBER"):
        return str(_number(value))
    pattern = pattern or {"PERCENT": "0.00%", "CURRENCY": "$#,##0.00", "NUMBER": "#,##0.00"}[kind]
    places = re.search(r"\.(0+)", pattern)
    decimals = len(places[1]) if places else 0
    if "%" in pattern:
        return f"{value * 100:.{decimals}f}%"
    symbol = re.match(r'\[\$([^\]-]*)[^\]]*\]\s?|\$|"([^"]*)"', pattern)
    mark = "" if symbol is None else "$" if symbol[0] == "$" else (symbol[1] or symbol[2] or "") + (
        " " if symbol[0].endswith(" ") else "")
    grouped = f"{abs(value):,.{decimals}f}" if "," in pattern else f"{abs(value):.{decimals}f}"
    return f"{'-' if value < 0 else ''}{mark}{grouped}"


def _typed(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": str(value)}


class FakeGoogle(LocalServer):
    """Sheets API v4 + OAuth token endpoint. Use as a context manager; ``url`` is its base URL."""

    def __init__(self) -> None:
        self.spreadsheets: dict[str, FakeSpreadsheet] = {}
        self.counts: Counter[str] = Counter()
        self.faults: deque[int] = deque()
        self.latency = 0.0
        self.open = threading.Event()  # clear it to hold every Sheets call until it is set again
        self.open.set()
        self.tokens: set[str] = set()  # the service account's, issued by /token
        self.user_tokens: dict[str, tuple[str, frozenset[str]]] = {}  # token -> (person, files granted)
        self.requests: list[tuple[str, str, Any]] = []  # (operation, path, body) of Sheets calls
        self.bearers: list[tuple[str, str]] = []  # (operation, bearer token) of Sheets calls
        self.after: dict[str, Any] = {}  # operation -> callable(book), run once after it is answered
        self._lock = threading.RLock()
        super().__init__(self._handler())

    def key_info(self, email: str = SERVICE_ACCOUNT) -> dict[str, str]:
        """A service-account key file whose token_uri points here."""
        return {"type": "service_account", "project_id": "nrr-test", "private_key_id": "test-key-1",
                "private_key": PRIVATE_PEM, "client_email": email, "client_id": "1",
                "token_uri": f"{self.url}/token"}

    # -- test set-up --

    def add_spreadsheet(self, spreadsheet_id: str, sheets: dict[str, list[list[Any]]],
                        title: str = "Revenue") -> FakeSpreadsheet:
        book = FakeSpreadsheet(spreadsheet_id, title, [])
        for i, (name, rows) in enumerate(sheets.items()):
            sheet = FakeSheet(sheet_id=0 if i == 0 else 1000 + i, title=name, index=i)
            sheet.set_rows(rows)
            book.sheets.append(sheet)
        self.spreadsheets[spreadsheet_id] = book
        return book

    def user_token(self, email: str, *spreadsheet_ids: str) -> str:
        """An access token of ``email``'s own, as Google puts in an add-on event: with ``drive.file``
        it reaches the spreadsheets given here (the files they granted the add-on), and of those
        only what the person may open (``shared_with`` to edit, ``viewers`` to read)."""
        with self._lock:
            token = f"ya29.user-{len(self.user_tokens) + 1}-{email.split('@')[0]}"
            self.user_tokens[token] = (email, frozenset(spreadsheet_ids))
        return token

    def expire(self, token: str) -> None:
        """The token stops working, as an hour-old access token does (401)."""
        with self._lock:
            self.user_tokens.pop(token, None)

    def fail_next(self, *statuses: int) -> None:
        self.faults.extend(statuses)

    def sheets_calls(self) -> int:
        return sum(n for op, n in self.counts.items() if op.startswith(("spreadsheets.", "values.")))

    def reads(self) -> int:
        """Requests that read cells (metadata lookups are counted apart)."""
        return sum(self.counts[op] for op in ("values.get", "values.batchGet", "spreadsheets.get(grid)"))

    def writes(self) -> int:
        writes = ("values.batchUpdate", "values.update", "spreadsheets.batchUpdate")
        return sum(self.counts[op] for op in writes)

    # -- the server --

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(LocalHandler):
            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _send(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                if self.path.startswith("/oauth2/v1/certs"):
                    self.send_header("Cache-Control", "public, max-age=19800, must-revalidate, no-transform")
                self.end_headers()
                self.wfile.write(data)

            def _dispatch(self, method: str) -> None:
                body = self._body()
                try:
                    status, payload = fake._route(method, self.path, self.headers, body)
                except ApiError as exc:
                    status, payload = exc.code, {"error": {"code": exc.code, "message": exc.message,
                                                           "status": exc.status}}
                self._send(status, payload)

            def do_GET(self) -> None:
                self._dispatch("GET")

            def do_POST(self) -> None:
                self._dispatch("POST")

            def do_PUT(self) -> None:
                self._dispatch("PUT")

        return Handler

    def _route(self, method: str, raw_path: str, headers: Any, body: bytes) -> tuple[int, Any]:
        parts = urlsplit(raw_path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        if path == "/token" and method == "POST":
            self.counts["token"] += 1
            return self._token(body)
        if path == "/oauth2/v1/certs" and method == "GET":
            self.counts["certs"] += 1
            return 200, {ID_KEY_ID: ID_CERT_PEM}
        if path.endswith("/allowedLocations"):
            self.counts["allowedLocations"] += 1
            return 200, {"locations": ["us-central1"], "encodedLocations": "0x1"}
        m = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(.*)", path)
        if not m:
            raise ApiError(404, "NOT_FOUND", f"No route for {method} {path}")
        spreadsheet_id, rest = m[1], m[2]
        operation = self._operation(method, rest, query)
        with self._lock:
            self.counts[operation] += 1
            payload = json.loads(body) if body else None
            self.requests.append((operation, raw_path, payload))
            token = (headers.get("Authorization") or "").removeprefix("Bearer ")
            self.bearers.append((operation, token))
            fault = self.faults.popleft() if self.faults else None
        self.open.wait()
        if self.latency:
            time.sleep(self.latency)
        if fault:
            raise {429: ApiError(429, "RESOURCE_EXHAUSTED",
                                 "Quota exceeded for quota metric 'Read requests' and limit 'Read requests "
                                 "per minute per user' of service 'sheets.googleapis.com'."),
                   403: ApiError(403, "PERMISSION_DENIED", "The caller does not have permission"),
                   }.get(fault, ApiError(fault, "INTERNAL", "Internal error encountered."))
        with self._lock:
            person = self.user_tokens.get(token)
        if token not in self.tokens and person is None:
            raise ApiError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        book = self.spreadsheets.get(spreadsheet_id)
        if book is None:
            raise ApiError(404, "NOT_FOUND", "Requested entity was not found.")
        who, granted = person if person is not None else (SERVICE_ACCOUNT, None)
        writing = operation in ("values.batchUpdate", "values.update", "spreadsheets.batchUpdate")
        allowed = who in book.shared_with or (who in book.viewers and not writing)
        if not allowed or (granted is not None and spreadsheet_id not in granted):
            raise ApiError(403, "PERMISSION_DENIED", "The caller does not have permission")
        with self._lock:
            answer = self._sheets_call(operation, book, rest, query, payload)
            hook = self.after.pop(operation, None)
            if hook is not None:
                hook(book)
            return 200, answer

    @staticmethod
    def _operation(method: str, rest: str, query: dict[str, list[str]]) -> str:
        if rest == "":
            grid = query.get("includeGridData", ["false"])[0] == "true"
            return "spreadsheets.get(grid)" if grid else "spreadsheets.get"
        if rest == ":batchUpdate":
            return "spreadsheets.batchUpdate"
        if rest == "/values:batchGet":
            return "values.batchGet"
        if rest == "/values:batchUpdate":
            return "values.batchUpdate"
        if rest.startswith("/values/"):
            return "values.get" if method == "GET" else "values.update"
        return f"unknown {method} {rest}"

    def _token(self, body: bytes) -> tuple[int, Any]:
        form = parse_qs(body.decode())
        assertion = form.get("assertion", [""])[0]
        try:
            claims = jwt.decode(  # type: ignore[no-untyped-call]
                assertion, certs=PUBLIC_PEM,
                audience=["https://oauth2.googleapis.com/token", f"{self.url}/token"])
        except Exception as exc:  # a key we did not issue: the real endpoint says invalid_grant
            self.last_token_error = repr(exc)
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        if "spreadsheets" not in str(claims.get("scope", "")):
            return 400, {"error": "invalid_scope", "error_description": "Bad scope."}
        token = f"ya29.fake-{len(self.tokens) + 1}"
        self.tokens.add(token)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    # -- Sheets operations --

    def _sheets_call(self, operation: str, book: FakeSpreadsheet, rest: str, query: dict[str, list[str]],
                     payload: Any) -> Any:
        if operation.startswith("spreadsheets.get"):
            return self._get(book, query)
        if operation == "values.get":
            return self._values(book, unquote(rest.removeprefix("/values/")), query)
        if operation == "values.batchGet":
            return {"spreadsheetId": book.spreadsheet_id,
                    "valueRanges": [self._values(book, r, query) for r in query.get("ranges", [])]}
        if operation == "values.batchUpdate":
            return self._values_update(book, payload)
        if operation == "spreadsheets.batchUpdate":
            return self._batch_update(book, payload)
        raise ApiError(404, "NOT_FOUND", operation)

    def _get(self, book: FakeSpreadsheet, query: dict[str, list[str]]) -> Any:
        fields = "".join(query.get("fields", []))
        grid = query.get("includeGridData", ["false"])[0] == "true" or "data" in fields
        out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id,
                               "properties": {"title": book.title, "locale": "en_US", "timeZone": "Etc/GMT"},
                               "sheets": []}
        ranges = query.get("ranges", [])
        wanted = {id(_parse_range(book, r)[0]): _parse_range(book, r) for r in ranges}
        for sheet in book.sheets:
            entry: dict[str, Any] = {"properties": sheet.properties()}
            meta = [d for d in book.developer_metadata if d["location"].get("sheetId") == sheet.sheet_id]
            if meta:
                entry["developerMetadata"] = meta
            if grid and (not ranges or id(sheet) in wanted):
                _, r0, c0, r1, c1 = wanted.get(id(sheet), (sheet, 0, 0, sheet.row_count, sheet.column_count))
                rows_out = []
                last_row, last_col = sheet.extent()
                for r in range(r0, min(r1, max(last_row, r0))):
                    values = []
                    for c in range(c0, min(c1, last_col)):
                        cell = sheet.cells.get((r, c))
                        v: dict[str, Any] = {}
                        if cell is not None:
                            if cell.formula:
                                v["userEnteredValue"] = {"formulaValue": cell.formula}
                            elif cell.value not in (None, ""):
                                v["userEnteredValue"] = _typed(cell.value)
                            if cell.value not in (None, ""):
                                v["effectiveValue"] = _typed(cell.value)
                                v["formattedValue"] = _render(cell, "FORMATTED_VALUE")
                            if cell.note:
                                v["note"] = cell.note
                        values.append(v)
                    while values and not values[-1]:
                        values.pop()
                    rows_out.append({"values": values} if values else {})
                while rows_out and not rows_out[-1]:
                    rows_out.pop()
                entry["data"] = [{"startRow": r0, "startColumn": c0, "rowData": rows_out}]
            if not ranges or id(sheet) in wanted or not grid:
                out["sheets"].append(entry)
        return out

    def _values(self, book: FakeSpreadsheet, rng: str, query: dict[str, list[str]]) -> Any:
        sheet, r0, c0, r1, c1 = _parse_range(book, rng)
        option = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        rows = []
        for r in range(r0, r1):
            row = [_render(sheet.cells.get((r, c)), option) for c in range(c0, c1)]
            while row and row[-1] == "":
                row.pop()
            rows.append(row)
        while rows and not rows[-1]:
            rows.pop()
        out: dict[str, Any] = {"range": _a1(sheet, r0, c0, r1, c1), "majorDimension": "ROWS"}
        if rows:
            out["values"] = rows
        return out

    def _values_update(self, book: FakeSpreadsheet, payload: Any) -> Any:
        user_entered = payload.get("valueInputOption") == "USER_ENTERED"
        cells = 0
        for data in payload.get("data", []):
            sheet, r0, c0, _, _ = _parse_range(book, data["range"])
            for dr, row in enumerate(data.get("values", [])):
                for dc, value in enumerate(row):
                    cell = sheet.cell(r0 + dr, c0 + dc)
                    if user_entered and isinstance(value, str) and value.startswith("="):
                        cell.formula, cell.value = value, None
                    else:
                        cell.formula, cell.value = None, value
                    cells += 1
        return {"spreadsheetId": book.spreadsheet_id, "totalUpdatedCells": cells}

    def _batch_update(self, book: FakeSpreadsheet, payload: Any) -> Any:
        replies: list[Any] = []
        for request in payload.get("requests", []):
            (kind, body), = request.items()
            if kind == "addSheet":
                props = body.get("properties", {})
                if any(s.title == props.get("title") for s in book.sheets):
                    raise ApiError(400, "INVALID_ARGUMENT",
                                   "Invalid requests[0].addSheet: A sheet with the name "
                                   f"\"{props['title']}\" "
                                   "already exists. Please enter another name.")
                book.next_sheet_id += 1
                sheet = FakeSheet(props.get("sheetId", book.next_sheet_id), props["title"], len(book.sheets))
                grid = props.get("gridProperties", {})
                sheet.frozen_rows = grid.get("frozenRowCount", 0)
                book.sheets.append(sheet)
                replies.append({"addSheet": {"properties": sheet.properties()}})
            elif kind == "updateCells":
                sheet = book.sheet(sheet_id=body["start"]["sheetId"])
                r0, c0 = body["start"].get("rowIndex", 0), body["start"].get("columnIndex", 0)
                fields = body.get("fields", "*")
                for dr, row in enumerate(body.get("rows", [])):
                    for dc, value in enumerate(row.get("values", [])):
                        cell = sheet.cell(r0 + dr, c0 + dc)
                        if "userEnteredValue" in fields or fields == "*":
                            entered = value.get("userEnteredValue")
                            if entered is None:
                                if fields != "note":
                                    cell.formula, cell.value = None, None
                            elif "formulaValue" in entered:
                                cell.formula, cell.value = entered["formulaValue"], None
                            else:
                                cell.formula, cell.value = None, next(iter(entered.values()))
                        if "note" in fields or fields == "*":
                            cell.note = value.get("note") or None
                        number = value.get("userEnteredFormat", {}).get("numberFormat", {})
                        if number.get("type"):
                            cell.number_format, cell.pattern = number["type"], number.get("pattern")
                replies.append({})
            elif kind == "repeatCell":
                rng = body["range"]
                sheet = book.sheet(sheet_id=rng["sheetId"])
                number = body.get("cell", {}).get("userEnteredFormat", {}).get("numberFormat", {})
                rows = range(rng.get("startRowIndex", 0), rng.get("endRowIndex", sheet.row_count))
                columns = range(rng.get("startColumnIndex", 0), rng.get("endColumnIndex", sheet.column_count))
                for r in rows:
                    for c in columns:
                        cell = sheet.cell(r, c)
                        cell.number_format, cell.pattern = number.get("type"), number.get("pattern")
                replies.append({})
            elif kind == "updateSheetProperties":
                sheet = book.sheet(sheet_id=body["properties"]["sheetId"])
                frozen = body["properties"].get("gridProperties", {}).get("frozenRowCount")
                if frozen is not None:
                    sheet.frozen_rows = frozen
                replies.append({})
            elif kind == "createDeveloperMetadata":
                meta = dict(body["developerMetadata"])
                meta["metadataId"] = len(book.developer_metadata) + 1 + sum(
                    d["metadataId"] for d in book.developer_metadata)
                book.developer_metadata.append(meta)
                replies.append({"createDeveloperMetadata": {"developerMetadata": meta}})
            elif kind == "deleteDeveloperMetadata":
                lookup = body["dataFilter"]["developerMetadataLookup"]
                gone = [d for d in book.developer_metadata
                        if all(d.get(k) == v for k, v in lookup.items()
                               if k in ("metadataId", "metadataKey"))]
                book.developer_metadata = [d for d in book.developer_metadata if d not in gone]
                replies.append({"deleteDeveloperMetadata": {"deletedDeveloperMetadata": gone}})
            else:
                raise ApiError(400, "INVALID_ARGUMENT", f"Unsupported request {kind}")
        return {"spreadsheetId": book.spreadsheet_id, "replies": replies}
