"""Ledger files: a CSV, TSV or XLSX file as a ledger source.

A file yields the same ``Cells`` as a Google Sheet, so both are checked by the same rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from dataclasses import dataclass
from pathlib import Path

from engine import Cell, Cells, LedgerSource
from sheets._errors import SourceError

FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
# a file's cells, reused while its modification time and size are unchanged
_FILE_CACHE: dict[tuple[str, str | None, int, int], Cells] = {}
_FILE_CACHE_LOCK = threading.Lock()


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
    # the csv module splits the lines itself: a quoted cell may hold a line break ("Churned\nMRR")
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def open_file_source(spec: str, base_dir: Path | None = None) -> LedgerSource:
    """The file a ledger spec names (a path relative to ``base_dir``; ``book.xlsx#Tab`` picks a tab)."""
    spec = spec.strip()
    path_text, _, worksheet = spec.partition("#")
    path = Path(path_text).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if path.suffix.lower() not in FILE_SUFFIXES:
        raise SourceError(
            f"{spec}: not a ledger source I can read. Use a .csv, .tsv or .xlsx file.")
    return FileSource(path, worksheet or None, spec)

