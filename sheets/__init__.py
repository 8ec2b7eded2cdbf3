"""The ledger sources: CSV, TSV and XLSX files, and Google Sheets (read, filled, templated).

Naming a source and reading a file need no Google library; the Google names below are imported
on first use (PEP 562), so ``nrr report`` on a CSV never loads gspread, google-auth or requests.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sheets._cache import FastRead, cache_dir_from, cached_table, fast_read_from_env, finish_cache_writes
from sheets._columnar import POLARS_FROM, columnar_available, polars_new_enough, sniff_delimiter
from sheets._errors import (
    SheetNotFound,
    SheetNotShared,
    SheetsAuthError,
    SheetsError,
    SheetsQuotaError,
    SheetsUnavailable,
    SourceError,
    UserAccessRefused,
)
from sheets._files import FILE_SUFFIXES, FileSource, open_file_source
from sheets._messages import FILE_ADVICE
from sheets._spec import SheetRef, is_sheet_spec, parse_sheet_spec

if TYPE_CHECKING:
    from sheets._cellplan import METADATA_KEY, NOTE_PREFIX, FillResult
    from sheets._client import SCOPES, SheetsClient, UserSheetsClient, credentials_from_env
    from sheets._derived import fill_derived
    from sheets._fill import fill_sheet
    from sheets._source import GoogleSheetSource, LedgerCache, Worksheet
    from sheets._table_tab import TabWrite, write_tab
    from sheets._template import init_sheet

_GOOGLE = {
    "SCOPES": "sheets._client", "SheetsClient": "sheets._client", "credentials_from_env": "sheets._client",
    "UserSheetsClient": "sheets._client",
    "FillResult": "sheets._cellplan", "fill_sheet": "sheets._fill",
    "fill_derived": "sheets._derived", "METADATA_KEY": "sheets._cellplan",
    "NOTE_PREFIX": "sheets._cellplan",
    "GoogleSheetSource": "sheets._source", "LedgerCache": "sheets._source", "Worksheet": "sheets._source",
    "init_sheet": "sheets._template", "TabWrite": "sheets._table_tab", "write_tab": "sheets._table_tab",
}


def __getattr__(name: str) -> Any:
    if name in _GOOGLE:
        value = getattr(importlib.import_module(_GOOGLE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sheets' has no attribute {name!r}")


__all__ = [
    "FILE_ADVICE", "FILE_SUFFIXES",
    "METADATA_KEY",
    "NOTE_PREFIX",
    "POLARS_FROM",
    "SCOPES",
    "FastRead",
    "FileSource",
    "FillResult",
    "GoogleSheetSource",
    "LedgerCache",
    "SheetNotFound",
    "SheetNotShared",
    "SheetRef",
    "SheetsAuthError",
    "SheetsClient",
    "SheetsError",
    "SheetsQuotaError",
    "SheetsUnavailable",
    "SourceError",
    "TabWrite",
    "UserAccessRefused",
    "UserSheetsClient",
    "Worksheet",
    "cache_dir_from",
    "cached_table",
    "columnar_available",
    "credentials_from_env",
    "fast_read_from_env",
    "fill_derived",
    "fill_sheet",
    "finish_cache_writes",
    "init_sheet",
    "is_sheet_spec",
    "open_file_source",
    "parse_sheet_spec",
    "polars_new_enough",
    "sniff_delimiter",
    "write_tab",
]
