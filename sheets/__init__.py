"""The Google Sheets adapter: a sheet as a ledger source, safe write-back, the add-in backend."""

from sheets._client import SCOPES, SheetsClient, credentials_from_env
from sheets._errors import (
    SheetNotFound,
    SheetNotShared,
    SheetsAuthError,
    SheetsError,
    SheetsQuotaError,
    SheetsUnavailable,
)
from sheets._fill import FillResult, fill_sheet
from sheets._source import GoogleSheetSource, LedgerCache, SheetRef, is_sheet_spec, parse_sheet_spec
from sheets._template import init_sheet

__all__ = [
    "SCOPES", "FillResult", "GoogleSheetSource", "LedgerCache", "SheetNotFound", "SheetNotShared",
    "SheetRef", "SheetsAuthError", "SheetsClient", "SheetsError", "SheetsQuotaError",
    "SheetsUnavailable", "credentials_from_env", "fill_sheet", "init_sheet", "is_sheet_spec",
    "parse_sheet_spec",
]
