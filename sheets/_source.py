"""A Google Sheet as a ledger source: one read of its values (and of what its numbers show) per TTL, whatever the
burst of queries."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine import NO_OPTIONS, Cells, ReadOptions, digest_bytes, quote_sheet
from sheets import _messages as say
from sheets._client import SheetsClient
from sheets._errors import SheetNotFound, SheetRangeGone
from sheets._flight import Flights
from sheets._shown import ShownFormats
from sheets._spec import SheetRef


class LedgerCache:
    """Cells per worksheet for ``ttl`` seconds, with request coalescing: callers that arrive
    while a read is in flight share its result instead of reading again."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._entries: dict[tuple[str, str], tuple[float, Cells]] = {}
        self._flights: Flights[Cells] = Flights()
        self._guard = threading.Lock()

    def get(self, key: tuple[str, str], load: Callable[[], Cells]) -> Cells:
        with self._guard:
            hit = self._entries.get(key)
        if hit is not None and hit[0] > self.clock():
            return hit[1]

        def read() -> Cells:
            cells = load()
            with self._guard:
                self._entries[key] = (self.clock() + self.ttl, cells)
            return cells

        return self._flights.run(key, read)

    def forget(self, spreadsheet_id: str) -> None:
        """Drop what is cached for a spreadsheet (after we wrote to it)."""
        with self._guard:
            for key in [k for k in self._entries if k[0] == spreadsheet_id]:
                del self._entries[key]


@dataclass
class Worksheet:
    sheet_id: int
    title: str


class GoogleSheetSource:
    """A worksheet of a Google Sheet, read through the cache."""

    def __init__(self, ref: SheetRef, client: SheetsClient, cache: LedgerCache, label: str = "",
                 options: ReadOptions = NO_OPTIONS) -> None:
        self.ref, self.client, self.cache = ref, client, cache
        self.options = options  # what reading its table needs from outside (exchange rates)
        self.label = label or str(ref)

    @property
    def name(self) -> str:
        return self.label

    def worksheet(self, *, fresh: bool = False) -> Worksheet:
        """The worksheet the ref names, from cached metadata (fetched again once if missing; ``fresh``: fetched
        again first)."""
        for refresh in (fresh, True):
            meta = self.client.metadata(self.ref.spreadsheet_id, refresh=refresh)
            found = _pick(meta, self.ref)
            if found is not None:
                return found
        titles = [s["properties"]["title"] for s in meta.get("sheets", [])]
        what = f"with gid {self.ref.gid}" if self.ref.gid is not None else f"'{self.ref.title}'"
        raise SheetNotFound(say.worksheet_not_found(what, meta.get("properties", {}).get("title", ""),
                                                    titles))

    def read_cells(self) -> Cells:
        """The worksheet's cells. A tab renamed since its metadata was read (a gid's title, kept by a running
        server) is looked up again once: every read of it failed with Google's 400 until a restart (fuzz 18)."""
        try:
            return self._read(self.worksheet())
        except SheetRangeGone:
            return self._read(self.worksheet(fresh=True))

    def _read(self, sheet: Worksheet) -> Cells:
        def load() -> Cells:
            values, digest = self.client.values_read(self.ref.spreadsheet_id, quote_sheet(sheet.title))
            if any(type(v) is int or type(v) is float for row in values for v in row):
                # what the numbers show, as a workbook's formats show it and its CSV export writes it: a sheet
                # formatted in euros is in euros, a 2.7% cell in a money column is the percent it shows
                shown, shown_digest = self.client.values_read(self.ref.spreadsheet_id, quote_sheet(sheet.title),
                                                              render="FORMATTED_VALUE")
                formats = ShownFormats()
                for r, (row, texts) in enumerate(zip(values, shown, strict=False)):
                    formats.note_shown(r, row, texts)
                formats.apply(values, {title for role, title in self.options.columns if role != "mrr"})
                digest = digest_bytes(f"{digest} {shown_digest}".encode())  # a format changed is a ledger changed
            return Cells(grid=values, sheet=sheet.title, source_digest=digest)

        return self.cache.get((self.ref.spreadsheet_id, sheet.title), load).with_options(self.options)


def _pick(meta: dict[str, Any], ref: SheetRef) -> Worksheet | None:
    sheets = [s["properties"] for s in meta.get("sheets", [])]
    for props in sheets:
        if (ref.gid is not None and props.get("sheetId") == ref.gid) or (
                ref.title is not None and props.get("title") == ref.title):
            return Worksheet(props["sheetId"], props["title"])
    if ref.gid is None and ref.title is None and sheets:
        first = min(sheets, key=lambda p: p.get("index", 0))
        return Worksheet(first["sheetId"], first["title"])
    return None
