"""Naming a Google Sheet: ``gsheet:ID``, ``gsheet:ID/TAB`` or the sheet's URL. Pure text; no Google
library is imported to recognise one, so a command on a CSV never pays for them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from engine import whole_number
from sheets import _messages as say
from sheets._errors import SheetsError

#: a sheet's address, also as Google's address bar shows it to someone signed into several accounts (``/u/1/d/``)
_URL = re.compile(r"https?://docs\.google\.com/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)")
_ID = re.compile(r"[A-Za-z0-9_-]{10,}")


@dataclass(frozen=True)
class SheetRef:
    """Which spreadsheet and which worksheet (by gid, by title, or the first)."""

    spreadsheet_id: str
    gid: int | None = None
    title: str | None = None

    def __str__(self) -> str:
        if self.title:
            return f"gsheet:{self.spreadsheet_id}/{self.title}"
        if self.gid is not None:
            return f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit#gid={self.gid}"
        return f"gsheet:{self.spreadsheet_id}"


def is_sheet_spec(spec: str) -> bool:
    spec = spec.strip()
    return spec.startswith("gsheet:") or bool(_URL.match(spec))


def parse_sheet_spec(spec: str) -> SheetRef:
    """``https://docs.google.com/spreadsheets/d/ID/edit#gid=N``, ``gsheet:ID`` or ``gsheet:ID/TITLE``."""
    spec = spec.strip()
    if m := _URL.match(spec):
        parts = urlsplit(spec)
        gid_text = parse_qs(parts.fragment).get("gid") or parse_qs(parts.query).get("gid")
        gid = whole_number(gid_text[0], 15) if gid_text else None
        return SheetRef(m[1], gid=gid)
    if spec.startswith("gsheet:"):
        ident, _, title = spec.removeprefix("gsheet:").partition("/")
        if _ID.fullmatch(ident):
            return SheetRef(ident, title=title.strip() or None)
    raise SheetsError(say.bad_source(spec))
