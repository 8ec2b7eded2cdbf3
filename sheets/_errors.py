"""Errors of the ledger sources (files and Google Sheets); each message says what to do.

    NrrError (engine)
    └── SourceError                 a ledger source cannot be opened, read or written
        └── SheetsError             a Google Sheet cannot be read or written
            ├── SheetsAuthError     no credentials, or a key Google refuses
            ├── SheetNotShared      the service account has no access (403)
            ├── UserAccessRefused   Google refused the person's own access token (401, 403)
            ├── SheetNotFound       no spreadsheet or worksheet by that id, gid or title
            ├── NoLedgerHeader      ``nrr fill``: the worksheet has no ledger header to fill under
            ├── FirstTabWithoutTable no tab named, and the first holds no table (a cover page)
            ├── SheetsQuotaError    Google's rate limit held past the retry budget (429)
            └── SheetsUnavailable   Google (or the network) failed past the retry budget
"""

from __future__ import annotations

from engine import NrrError


class SourceError(NrrError):
    """A ledger source cannot be opened or read (no such file, unsupported format, ...)."""


class SheetsError(SourceError):
    """A Google Sheet cannot be read or written."""


class SheetsAuthError(SheetsError):
    """No service-account credentials, or a key Google refuses."""


class SheetNotShared(SheetsError):
    """The sheet is not shared with the service account (``email``)."""

    def __init__(self, message: str, email: str = "") -> None:
        super().__init__(message)
        self.email = email


class UserAccessRefused(SheetsError):
    """Google refused the person's own access to the spreadsheet (the add-on's requests)."""


class SheetNotFound(SheetsError):
    """No spreadsheet, or no worksheet, by that id, gid or title."""


class SheetRangeGone(SheetNotFound):
    """Google could not find the worksheet a range names (renamed or deleted since the metadata was read)."""


class SheetsQuotaError(SheetsError):
    """Google's per-minute quota stayed exhausted past the retry budget."""


class SheetsUnavailable(SheetsError):
    """Google Sheets or the network kept failing past the retry budget."""


class NoLedgerHeader(SheetsError):
    """The worksheet has no ledger header to fill under (the reader's errors say why)."""


class FirstTabWithoutTable(SheetsError):
    """No tab was named and the first holds no table (a cover page); ``holding``: the tabs that do, maybe none."""

    def __init__(self, message: str, holding: list[str]) -> None:
        super().__init__(message)
        self.holding = holding
