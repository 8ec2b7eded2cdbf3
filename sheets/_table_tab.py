"""A whole tab nrr owns, written from a table (``nrr fill --from stripe``'s customers tab), never over a person's edits.

The tab is nrr's while it holds exactly what nrr wrote there last time (``previous``, the digest of those
values, kept by the caller); then it is replaced whole, in one batchUpdate. A tab that is missing is created.
A tab someone changed since is reported and left, unless ``overwrite``; ``dry_run`` writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine import quote_sheet
from sheets._source import GoogleSheetSource
from sheets._template import new_sheet_id

Value = str | float | int | None


@dataclass(frozen=True, kw_only=True)
class TabWrite:
    """What ``write_tab`` did, in words, and the digest of what the tab now holds from nrr (None: not nrr's)."""

    line: str
    digest: str | None


def values_digest(rows: Sequence[Sequence[Value]]) -> str:
    """The digest of a tab's values as the Sheets API reads them back (trailing blanks trimmed, numbers as
    numbers), so a tab read back compares equal to the rows written."""
    clean = []
    for row in rows:
        cells = [round(float(v), 2) if isinstance(v, int | float) and not isinstance(v, bool) else (v or None)
                 for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        clean.append(cells)
    while clean and not clean[-1]:
        clean.pop()
    return hashlib.sha256(json.dumps(clean).encode()).hexdigest()


def write_tab(source: GoogleSheetSource, title: str, rows: Sequence[Sequence[Value]], *, previous: str | None,
              overwrite: bool = False, dry_run: bool = False) -> TabWrite:
    """Make tab ``title`` of ``source``'s spreadsheet hold ``rows``; see the module docstring."""
    client, spreadsheet_id = source.client, source.ref.spreadsheet_id
    meta = client.metadata(spreadsheet_id, refresh=True)
    sheet = next((s["properties"] for s in meta.get("sheets", []) if s["properties"]["title"] == title), None)
    want = values_digest(rows)
    width = max((len(r) for r in rows), default=0)
    requests: list[dict[str, Any]] = []
    if sheet is None:
        sheet_id = new_sheet_id()
        requests.append({"addSheet": {"properties": {
            "sheetId": sheet_id, "title": title,
            "gridProperties": {"rowCount": len(rows) + 1000, "columnCount": width + 24, "frozenRowCount": 1}}}})
        old_rows, old_width, verb = 0, 0, "created"
    else:
        sheet_id = sheet["sheetId"]
        current = client.values(spreadsheet_id, quote_sheet(title))
        have = values_digest(current)
        if have == want:
            return TabWrite(line=f"'{title}': already up to date ({len(rows) - 1:,} rows).", digest=want)
        if have != previous and not overwrite:
            return TabWrite(line=f"'{title}': changed since nrr last wrote it; left as it is (--overwrite replaces "
                                 "it with the figures).", digest=None)
        old_rows, old_width, verb = len(current), max((len(r) for r in current), default=0), "rewrote"
        grid = sheet.get("gridProperties", {})
        if grid.get("rowCount", 0) < len(rows) or grid.get("columnCount", 0) < width:
            requests.append({"updateSheetProperties": {
                "properties": {"sheetId": sheet_id, "gridProperties": {
                    "rowCount": max(grid.get("rowCount", 0), len(rows) + 1000),
                    "columnCount": max(grid.get("columnCount", 0), width + 24)}},
                "fields": "gridProperties.rowCount,gridProperties.columnCount"}})
    span = max(width, old_width)
    requests.append({"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
        "rows": [{"values": [_cell(row[c] if r < len(rows) and c < len(row) else None) for c in range(span)]}
                 for r, row in enumerate([*rows, *[[]] * max(0, old_rows - len(rows))])],
        "fields": "userEnteredValue"}})
    line = f"'{title}': {verb} with {len(rows) - 1:,} rows" + (" (dry run: nothing written)." if dry_run else ".")
    if not dry_run:
        client.batch_update(spreadsheet_id, requests)
        source.cache.forget(spreadsheet_id)
    return TabWrite(line=line, digest=None if dry_run else want)


def _cell(value: Value) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}
