"""``nrr init-sheet``: a new worksheet holding the NRR template, ready to fill in."""

from __future__ import annotations

import random
from typing import Any

from engine import FIELD_TITLES
from sheets import _messages as say
from sheets._errors import SheetsError
from sheets._source import GoogleSheetSource

TEMPLATE_ROWS = 36  # three years of months with their formulas in place
HEADERS = [FIELD_TITLES[f] for f in ("month", "start", "expansion", "churn", "downgrade", "end", "nrr")]


def _formulas(row: int) -> list[dict[str, Any]]:
    end = f'=IF(B{row}="","",B{row}+C{row}-D{row}-E{row})'
    nrr = f'=IF(OR(B{row}="",B{row}=0),"",F{row}/B{row})'
    return [{"userEnteredValue": {"formulaValue": end}}, {"userEnteredValue": {"formulaValue": nrr}}]


def _format(sheet_id: int, first_col: int, last_col: int, kind: str, pattern: str) -> dict[str, Any]:
    return {"repeatCell": {
        "range": {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": first_col,
                  "endColumnIndex": last_col},
        "cell": {"userEnteredFormat": {"numberFormat": {"type": kind, "pattern": pattern}}},
        "fields": "userEnteredFormat.numberFormat"}}


def init_sheet(source: GoogleSheetSource, title: str = "Ledger", *,
               rng: random.Random | None = None) -> str:
    """Add a worksheet named ``title`` with the template; refuses to replace an existing tab."""
    client, spreadsheet_id = source.client, source.ref.spreadsheet_id
    meta = client.metadata(spreadsheet_id, refresh=True)
    if any(s["properties"]["title"] == title for s in meta.get("sheets", [])):
        raise SheetsError(say.worksheet_exists(title))
    sheet_id = (rng or random.Random()).randrange(1, 2**31 - 1)
    requests: list[dict[str, Any]] = [
        {"addSheet": {"properties": {"sheetId": sheet_id, "title": title, "gridProperties": {
            "rowCount": TEMPLATE_ROWS + 100, "columnCount": len(HEADERS), "frozenRowCount": 1}}}},
        {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                         "rows": [{"values": [{"userEnteredValue": {"stringValue": h},
                                               "userEnteredFormat": {"textFormat": {"bold": True}}}
                                              for h in HEADERS]}],
                         "fields": "userEnteredValue,userEnteredFormat.textFormat.bold"}},
        {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 1, "columnIndex": 5},
                         "rows": [{"values": _formulas(r)} for r in range(2, TEMPLATE_ROWS + 2)],
                         "fields": "userEnteredValue"}},
        _format(sheet_id, 0, 1, "DATE", "mmm yyyy"),
        _format(sheet_id, 1, 6, "CURRENCY", "$#,##0.00"),
        _format(sheet_id, 6, 7, "PERCENT", "0.00%"),
    ]
    client.batch_update(spreadsheet_id, requests)
    client.metadata(spreadsheet_id, refresh=True)
    return say.template_added(title, meta.get("properties", {}).get("title", spreadsheet_id), TEMPLATE_ROWS)
