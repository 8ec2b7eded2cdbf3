"""``nrr init-sheet``: a new worksheet holding the NRR template (or an empty customer table), ready to
fill in."""

from __future__ import annotations

import itertools
import random
from typing import Any

from engine import FIELD_TITLES, SYMBOL_CODES
from sheets import _messages as say
from sheets._errors import SheetsError
from sheets._source import GoogleSheetSource

TEMPLATE_ROWS = 36  # three years of months with their formulas in place
HEADERS = [FIELD_TITLES[f] for f in ("month", "start", "expansion", "churn", "downgrade", "end", "nrr")]
#: a customer table in long form: the key, the name shown, the month, the amount, then two example attributes
CUSTOMER_HEADERS = ["Customer ID", "Customer", "Month", "MRR", "Segment", "Plan"]
CUSTOMER_ROWS = 1000


def template_formulas(row: int) -> tuple[str, str]:
    """The template's End and NRR formulas for a 1-based ``row``."""
    end = f'=IF(B{row}="","",B{row}+C{row}-D{row}-E{row})'
    nrr = f'=IF(OR(B{row}="",B{row}=0),"",F{row}/B{row})'
    return end, nrr


def _format(sheet_id: int, first_col: int, last_col: int, kind: str, pattern: str) -> dict[str, Any]:
    return {"repeatCell": {
        "range": {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": first_col,
                  "endColumnIndex": last_col},
        "cell": {"userEnteredFormat": {"numberFormat": {"type": kind, "pattern": pattern}}},
        "fields": "userEnteredFormat.numberFormat"}}


def _add_sheet(sheet_id: int, title: str, headers: list[str], rows: int) -> list[dict[str, Any]]:
    """A new tab with a bold, frozen header row."""
    return [
        {"addSheet": {"properties": {"sheetId": sheet_id, "title": title, "gridProperties": {
            "rowCount": rows, "columnCount": len(headers), "frozenRowCount": 1}}}},
        {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                         "rows": [{"values": [{"userEnteredValue": {"stringValue": h},
                                               "userEnteredFormat": {"textFormat": {"bold": True}}}
                                              for h in headers]}],
                         "fields": "userEnteredValue,userEnteredFormat.textFormat.bold"}},
    ]


def money_pattern(currency: str) -> str:
    """A money column's number format in ``currency`` (the ``[company] currency``): what the sheet shows is what
    nrr reads, so a template in dollars would make a euro ledger's answers dollars.

    >>> [money_pattern(c) for c in ("USD", "EUR", "GBP", "CHF")]
    ['$#,##0.00', '[$€]#,##0.00', '[$£]#,##0.00', '[$CHF] #,##0.00']
    """
    symbol = next((s for s, code in SYMBOL_CODES.items() if code == currency and len(s) == 1), None)
    if currency == "USD":
        return "$#,##0.00"
    return f"[${symbol}]#,##0.00" if symbol else f"[${currency}] #,##0.00"


def template_requests(sheet_id: int, title: str, rows: int = 0, currency: str = "USD") -> list[dict[str, Any]]:
    """The batchUpdate requests that add tab ``title`` (id ``sheet_id``) holding the template: headers,
    formats (money in ``currency``), a frozen header row and the End and NRR formulas for ``TEMPLATE_ROWS`` rows;
    the grid has room for ``rows`` months more than that, at least 100."""
    return [
        *_add_sheet(sheet_id, title, HEADERS, TEMPLATE_ROWS + max(rows, 100)),
        {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 1, "columnIndex": 5},
                         "rows": [{"values": [{"userEnteredValue": {"formulaValue": f}}
                                              for f in template_formulas(r)]}
                                  for r in range(2, TEMPLATE_ROWS + 2)],
                         "fields": "userEnteredValue"}},
        _format(sheet_id, 0, 1, "DATE", "mmm yyyy"),
        _format(sheet_id, 1, 6, "CURRENCY", money_pattern(currency)),
        _format(sheet_id, 6, 7, "PERCENT", "0.00%"),
    ]


def customer_requests(sheet_id: int, title: str, currency: str = "USD") -> list[dict[str, Any]]:
    """The batchUpdate requests that add tab ``title`` holding an empty customer table in long form:
    IDs as text (so ``00123`` keeps its zeros), months as dates, MRR as currency."""
    return [
        *_add_sheet(sheet_id, title, CUSTOMER_HEADERS, CUSTOMER_ROWS),
        _format(sheet_id, 0, 1, "TEXT", "@"),
        _format(sheet_id, 2, 3, "DATE", "mmm yyyy"),
        _format(sheet_id, 3, 4, "CURRENCY", money_pattern(currency)),
    ]


def new_sheet_id(rng: random.Random | None = None) -> int:
    return (rng or random.Random()).randrange(1, 2**31 - 1)


def init_sheet(source: GoogleSheetSource, title: str = "Ledger", *,
               rng: random.Random | None = None, customers: bool = False, free_title: bool = False,
               currency: str = "USD") -> str:
    """Add a worksheet named ``title`` with the template (with ``customers``, an empty customer table), its money
    shown in ``currency``;
    refuses to replace an existing tab, or with ``free_title`` (the add-on, which has no --title) names it
    ``Ledger 2``, ``Ledger 3``... (fuzz 18: the add-on's button could never work beside a Ledger tab)."""
    client, spreadsheet_id = source.client, source.ref.spreadsheet_id
    meta = client.metadata(spreadsheet_id, refresh=True)
    titles = {s["properties"]["title"] for s in meta.get("sheets", [])}
    if free_title:
        title = next(t for n in itertools.count(1) if (t := title if n == 1 else f"{title} {n}") not in titles)
    if title in titles:
        raise SheetsError(say.worksheet_exists(title))
    sheet_id = new_sheet_id(rng)
    requests = (customer_requests(sheet_id, title, currency) if customers
                else template_requests(sheet_id, title, currency=currency))
    client.batch_update(spreadsheet_id, requests)
    client.metadata(spreadsheet_id, refresh=True)
    spreadsheet = meta.get("properties", {}).get("title", spreadsheet_id)
    if customers:
        return say.customer_tab_added(title, spreadsheet, CUSTOMER_HEADERS)
    return say.template_added(title, spreadsheet, TEMPLATE_ROWS)
