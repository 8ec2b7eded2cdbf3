"""Ledger sources: where the grid of cells comes from (a CSV, TSV or XLSX file here).

Every source yields the same thing, a grid of cell values, and the engine's one reader turns it
into a ledger, so a file and a Google Sheet are checked by the same rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from engine import Cell, Grid, Ledger, LedgerCheck, LedgerError, check_ledger
from nrr._errors import SourceError

FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
# a file's cells, reused while its modification time and size are unchanged
_FILE_CACHE: dict[tuple[str, str | None, int, int], Cells] = {}
_FILE_CACHE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Cells:
    """A grid read from a source, with the name messages use for it.

    The ledger is read from the grid once per ``Cells``, however many answers use it: a cached
    grid means a cached ledger.
    """

    grid: Grid
    sheet: str | None  # worksheet title, for A1 references (None for a flat file)
    first_row: int = 1

    @functools.cached_property
    def check(self) -> LedgerCheck:
        return check_ledger(self.grid, sheet=self.sheet, first_row=self.first_row)

    @property
    def ledger(self) -> Ledger:
        if self.check.ledger is None:
            raise LedgerError(tuple(self.check.issues))
        return self.check.ledger


class LedgerSource(Protocol):
    """Anything that can hand over the ledger's cells."""

    @property
    def name(self) -> str: ...

    def read_cells(self) -> Cells: ...


@dataclass(frozen=True)
class FileSource:
    """A CSV, TSV or XLSX file; ``path.xlsx#Title`` picks a worksheet (default: the first)."""

    path: Path
    worksheet: str | None = None
    label: str = ""  # the spec as the user wrote it, for messages

    @property
    def name(self) -> str:
        return self.label or (f"{self.path}#{self.worksheet}" if self.worksheet else str(self.path))

    def read_cells(self) -> Cells:
        try:
            stat = self.path.stat()
        except OSError:
            stat = None
        key = (str(self.path), self.worksheet, stat.st_mtime_ns, stat.st_size) if stat else None
        with _FILE_CACHE_LOCK:
            cached = _FILE_CACHE.get(key) if key else None
        if cached is not None:
            return cached
        cells = self._read()
        if key is not None:
            with _FILE_CACHE_LOCK:
                _FILE_CACHE.clear()  # one ledger file in use at a time is the common case
                _FILE_CACHE[key] = cells
        return cells

    def _read(self) -> Cells:
        if not self.path.is_file():
            raise SourceError(
                f"{self.name}: no such ledger file. Pass --ledger PATH or set [ledger] source "
                "in nrr.toml.")
        suffix = self.path.suffix.lower()
        try:
            if suffix in (".xlsx", ".xlsm"):
                return self._read_xlsx()
            return Cells(_read_delimited(self.path), None)
        except OSError as exc:
            raise SourceError(f"{self.path}: cannot be read ({exc.strerror}).") from None

    def _read_xlsx(self) -> Cells:
        import openpyxl  # imported here: only XLSX users pay for it
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, KeyError, ValueError, OSError) as exc:
            raise SourceError(f"{self.path}: not a readable XLSX workbook ({exc}).") from None
        try:
            if self.worksheet is None:
                sheet = book.worksheets[0]
            elif self.worksheet in book.sheetnames:
                sheet = book[self.worksheet]
            else:
                raise SourceError(
                    f"{self.path}: no worksheet '{self.worksheet}'; it has "
                    f"{', '.join(repr(n) for n in book.sheetnames)}.")
            grid: list[list[Cell]] = [[_xlsx_cell(v) for v in row]
                                      for row in sheet.iter_rows(values_only=True)]
            return Cells(grid, sheet.title)
        finally:
            book.close()


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | bool | dt.date):
        return value
    return str(value)


def _read_delimited(path: Path) -> list[list[Cell]]:
    text = path.read_text(encoding="utf-8-sig")
    sample = text[:8192]
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    return [list(row) for row in csv.reader(text.splitlines(), delimiter=delimiter)]


def open_source(spec: str, base_dir: Path | None = None) -> LedgerSource:
    """The source a ledger spec names: a file path (relative to ``base_dir``)."""
    spec = spec.strip()
    path_text, _, worksheet = spec.partition("#")
    path = Path(path_text).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if path.suffix.lower() not in FILE_SUFFIXES:
        raise SourceError(
            f"{spec}: not a ledger source I can read. Use a .csv, .tsv or .xlsx file.")
    return FileSource(path, worksheet or None, spec)


def load_ledger(source: LedgerSource) -> Ledger:
    """The validated ledger from ``source``; ``LedgerError`` lists every problem by cell."""
    return source.read_cells().ledger


def check_source(source: LedgerSource) -> LedgerCheck:
    """Every error and warning in ``source``'s ledger (for ``nrr validate``)."""
    return source.read_cells().check
