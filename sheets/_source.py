"""A Google Sheet as a ledger source: one read of its values (and of what its numbers show) per TTL, whatever the
burst of queries."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine import NO_OPTIONS, Cells, Issue, ReadOptions, digest_bytes, quote_sheet
from sheets import _messages as say
from sheets._client import SheetsClient
from sheets._errors import FirstTabWithoutTable, SheetNotFound, SheetRangeGone
from sheets._flight import Flights
from sheets._shown import ShownFormats
from sheets._spec import SheetRef
from sheets._tables import PEEK_ROWS, tables_elsewhere


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
        self.notes: tuple[Issue, ...] = ()  # what the reader says of the tab it chose (``with_table``)

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

    def first_tab_refusal(self, sheet: Worksheet, grid: list[list[Any]]) -> FirstTabWithoutTable | None:
        """When no tab is named and the first (``sheet``, whose cells are ``grid``) holds no header of a ledger, a
        customer table or billing data while the spreadsheet has other tabs: the refusal naming the tab that holds
        one and how to read it, as a workbook's (``sheets._tables.tables_elsewhere``); their first rows are read in
        one request. It said only "Cover: No header row found" where the same workbook as .xlsx named the tab."""
        # the first tab's own rows first: a ledger there (nearly always) costs no request at all
        if self.ref.title is not None or self.ref.gid is not None or tables_elsewhere(grid, sheet.title, {}) is None:
            return None
        tabs = sorted((s["properties"] for s in self.client.metadata(self.ref.spreadsheet_id).get("sheets", [])),
                      key=lambda p: p.get("index", 0))
        others = [p for p in tabs if p["sheetId"] != sheet.sheet_id]
        if not others:
            return None
        peeked = self.client.batch_values(self.ref.spreadsheet_id,
                                          [f"{quote_sheet(p['title'])}!1:{PEEK_ROWS}" for p in others])
        holding = tables_elsewhere(grid, sheet.title, {p["title"]: rows for p, rows in zip(others, peeked,
                                                                                           strict=False)}) or []
        found = next((p for p in others if holding and p["title"] == holding[0]), None)
        # gsheet:ID/TITLE strips the title; one with spaces around it is named by its gid
        spec = None if found is None else str(SheetRef(self.ref.spreadsheet_id, title=found["title"]) if (
            found["title"] == found["title"].strip()) else SheetRef(self.ref.spreadsheet_id, gid=found["sheetId"]))
        return FirstTabWithoutTable(say.first_worksheet_without_table(
            self.label, sheet.title, [p["title"] for p in tabs], found and found["title"], holding[1:], spec=spec,
            book="spreadsheet"), holding)

    def with_table(self) -> GoogleSheetSource:
        """This source, or, when it names no tab and its first holds no table while another does, that one, read
        with a warning saying so (the add-on, which reads whatever spreadsheet is open, has no --ledger to name a
        tab with)."""
        try:
            self.read_cells()
        except FirstTabWithoutTable as exc:
            if not exc.holding:
                raise
            sheet = self.worksheet()
            chosen = GoogleSheetSource(SheetRef(self.ref.spreadsheet_id, title=exc.holding[0]), self.client,
                                       self.cache, label=self.label, options=self.options)
            chosen.notes = (Issue(severity="warning", code="other_worksheets",
                                  message=say.read_tab_holding_table(sheet.title, exc.holding[0])),)
            return chosen
        return self

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
            if (refusal := self.first_tab_refusal(sheet, values)) is not None:
                raise refusal
            if any(type(v) is int or type(v) is float for row in values for v in row):
                # what the numbers show, as a workbook's formats show it and its CSV export writes it: a sheet
                # formatted in euros is in euros, a 2.7% cell in a money column is the percent it shows
                shown, shown_digest = self.client.values_read(self.ref.spreadsheet_id, quote_sheet(sheet.title),
                                                              render="FORMATTED_VALUE")
                apply_shown(values, shown, self.options)
                digest = digest_bytes(f"{digest} {shown_digest}".encode())  # a format changed is a ledger changed
            return Cells(grid=values, sheet=sheet.title, source_digest=digest, notes=self.notes)

        return self.cache.get((self.ref.spreadsheet_id, sheet.title), load).with_options(self.options)


def apply_shown(values: list[list[Any]], shown: list[list[Any]], options: ReadOptions) -> None:
    """Write into ``values`` what its number cells show (``shown``: the same cells' formatted text), as a
    workbook's formats and a CSV export show them: ``sheets._shown.ShownFormats``. ``nrr fill`` reads its grid
    this way too, so it checks the cells validate checks (it read 2.7% in a money column as 0.03)."""
    formats = ShownFormats()
    for r, (row, texts) in enumerate(zip(values, shown, strict=False)):
        formats.note_shown(r, row, texts)
    formats.apply(values, {title for role, title in options.columns if role != "mrr"})


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
