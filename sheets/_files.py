"""Ledger files: a CSV, TSV or XLSX file as a ledger source.

A file yields the same ``Cells`` as a Google Sheet, so both are checked by the same rules.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import datetime as dt
import io
import itertools
import re
import threading
import warnings
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from engine import (
    NO_OPTIONS,
    Cell,
    Cells,
    FxRates,
    Issue,
    LedgerSource,
    ReadOptions,
    a1,
    digest_bytes,
    fewer_gc_pauses,
    read_decimal_commas,
    redact_url,
)
from sheets import _messages as say
from sheets._cache import FastRead, read_fast
from sheets._columnar import sniff_delimiter
from sheets._decode import OLE, binary_kind, decode
from sheets._errors import SourceError
from sheets._shown import ShownFormats
from sheets._tables import PEEK_ROWS, peeked, tables_elsewhere

if TYPE_CHECKING:
    import zipfile

FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
# a file's cells, reused while its modification and change times and size are unchanged
_FILE_CACHE: dict[tuple[str, str | None, int, int, int, FastRead | None, FxRates | None, tuple[tuple[str, str], ...]],
                  Cells] = {}
_FILE_CACHE_LOCK = threading.Lock()
# openpyxl warns on stderr about parts it drops (a data validation extension, a defined name it cannot read):
# a workbook is read or refused in words, and those warnings give a person nothing to do
warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")


@dataclass(frozen=True, kw_only=True)
class FileSource:
    """A CSV, TSV or XLSX file; ``path.xlsx#Title`` picks a worksheet (default: the first)."""

    path: Path
    worksheet: str | None = None
    label: str = ""  # the spec as the user wrote it, for messages
    options: ReadOptions = NO_OPTIONS  # what reading its table needs from outside (exchange rates)
    #: a large CSV customer table read column by column and cached (``sheets._cache``); None: the row reader only
    fast: FastRead | None = None

    @property
    def name(self) -> str:
        return self.label or (f"{self.path}#{self.worksheet}" if self.worksheet else str(self.path))

    def read_cells(self) -> Cells:
        return self._cached().with_options(self.options)

    def _cached(self) -> Cells:
        try:
            stat = self.path.stat()
        except OSError:
            stat = None
        key = (str(self.path), self.worksheet, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, self.fast,
               self.options.fx, self.options.columns) if stat else None
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
        try:  # a folder the user may not enter: stat itself is refused
            found, folder = self.path.is_file(), self.path.is_dir()
        except OSError as exc:
            raise SourceError(f"{self.path}: cannot be read ({exc.strerror}).") from None
        if folder:
            raise SourceError(say.ledger_is_folder(self.name))
        if not found:
            raise SourceError(say.no_such_file(self.name))
        suffix = self.path.suffix.lower()
        try:
            if suffix in (".xlsx", ".xlsm"):
                return self._read_xlsx()
            if self.fast is not None and not self.options.columns and (cells := read_fast(self.path, self.fast)) \
                    is not None and not _converted(cells, self.options):  # columns named: the row reader reads them
                return cells
            data = self.path.read_bytes()
            grid, notes = _read_delimited(self.path, data)
            return Cells(grid=grid, sheet=None, source_digest=digest_bytes(data), delimited=True, notes=notes)
        except OSError as exc:
            raise SourceError(f"{self.path}: cannot be read ({exc.strerror}).") from None

    def _read_xlsx(self) -> Cells:
        not_a_workbook = _not_a_workbook(self.path)
        if not_a_workbook:
            raise SourceError(f"{self.path}: {not_a_workbook}")
        data = self.path.read_bytes()  # the fingerprint's bytes are the ones read, however the file changes
        # without a worksheet named, the first rows of the others are read too (from the same open workbook): the
        # first may be a cover, or one tab of several by year
        book = _xlsx_grid(self.path, data, self.worksheet, peek=None if self.worksheet else PEEK_ROWS,
                          as_written={title for role, title in self.options.columns if role != "mrr"})
        title, grid = book.title, book.grid
        cells = Cells(grid=grid, sheet=title, source_digest=digest_bytes(data))
        # never calculated: no formula has a value (one returning "" reads as empty in a saved file, so a sheet
        # whose other formulas have values was calculated). Refused, unless every such formula is in a column nrr
        # computes itself (a ledger's End and NRR Rate, as a script with openpyxl writes them): blank, they are
        # computed, as blank End and NRR cells are
        if book.uncomputed and not book.computed and not _only_computed(cells, book.uncomputed):
            raise SourceError(say.formulas_without_values(str(self.path), title,
                                                          [a1(r, c) for r, c in book.uncomputed]))
        if not book.others:
            return cells
        holding = tables_elsewhere(grid, title, book.others)
        if holding is not None:  # a cover or notes sheet first (one titled "NRR summary" too): say which holds one
            raise SourceError(say.first_worksheet_without_table(str(self.path), title, book.titles,
                                                                holding[0] if holding else None, holding[1:]))
        first = peeked(grid[:PEEK_ROWS], title)
        others = {t: peeked(g, t) for t, g in book.others.items()}
        # tabs by year, by region: the first is read, and the others of its kind holding other months are named
        # with how to read them (a customer tab beside a ledger, or a copy of the same months, is not)
        mine = first.check.ledger
        alike = [t for t, c in others.items() if mine is not None and (theirs := c.check.ledger) is not None
                 and (theirs.customer_table is None) == (mine.customer_table is None)
                 and any(r.month not in mine for r in theirs.rows)]
        if alike:
            note = Issue(severity="warning", code="other_worksheets",
                         message=say.other_worksheets_hold_tables(str(self.path), title, alike))
            return replace(cells, notes=(note,))
        return cells


@dataclass(frozen=True, kw_only=True)
class _Workbook:
    title: str  # the worksheet read
    titles: list[str]
    grid: list[list[Cell]]
    uncomputed: list[tuple[int, int]]  # formula cells without a saved value (sheet row, column)
    computed: bool  # whether any formula has one
    others: dict[str, list[list[Cell]]]  # the other worksheets' first rows, when asked for


# what nrr reads from a workbook, checked before it is parsed and while its rows are read. openpyxl reads
# about 1.5 MB of sheet XML a second (a 345,000-row table is 117 MB and 76 s; the same table as CSV: 0.8 s)
XLSX_MAX_MB = 256  # unpacked, all parts: zipfile never inflates a part beyond the size its directory declares
XLSX_MAX_RATIO = 100  # a part larger than XLSX_RATIO_FROM_MB inflating more than this: spreadsheets pack 5-20x
XLSX_RATIO_FROM_MB = 10
XLSX_MAX_ROWS = 1_048_576  # Excel's limit
XLSX_MAX_CELLS = 10_000_000  # blank cells padding a row count: a row of 16,384 columns is 16,384 cells


def _only_computed(cells: Cells, formulas: list[tuple[int, int]]) -> bool:
    """Whether every one of these formula cells (sheet row, column) is one nrr does not read: below a seven-column
    ledger's header in a column it computes (End, NRR Rate, GRR Rate), or in a customer table's total column or
    total row, which it leaves out."""
    from sheets._cellplan import parse_a1

    check = cells.check
    if check.layout is not None:
        layout = check.layout
        computed = {col for f, col in layout.columns.items() if f in ("end", "nrr", "grr")}
        return all(row > layout.header_row and col in computed for row, col in formulas)
    columns = {col for i in check.issues if i.code == "total_column" for _, col in map(parse_a1, i.cells)}
    rows = {row + 1 for i in check.issues if i.code == "total_row" for row, _ in map(parse_a1, i.cells)}
    return bool(columns or rows) and all(col in columns or row in rows for row, col in formulas)


def _xlsx_grid(path: Path, data: bytes, worksheet: str | None, peek: int | None = None,
               as_written: Collection[str] = ()) -> _Workbook:
    """A worksheet's cells, with the workbook's titles, its formula cells without a saved value and whether any
    formula has one; with ``peek``, the first ``peek`` rows of every other worksheet too. Whatever openpyxl's ZIP and
    XML layers raise on a damaged file (openpyxl parses rows lazily, so inside the row loop too) is a
    ``SourceError`` naming the file."""
    import openpyxl  # imported here: only XLSX users pay for it

    where, done = "it", 0  # done: the last row read whole
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises whatever its XML and ZIP layers raise
        raise SourceError(say.workbook_damaged(str(path), where, _detail(exc))) from None
    try:
        titles = list(values.sheetnames)
        if not titles:
            raise SourceError(say.workbook_without_sheets(str(path)))
        if worksheet is None:
            title = titles[0]
        elif worksheet in titles:
            title = worksheet
        else:
            raise SourceError(f"{path}: no worksheet '{worksheet}'; it has {', '.join(repr(n) for n in titles)}.")
        where = f"worksheet '{title}'"
        grid: list[list[Cell]] = []
        uncomputed: list[tuple[int, int]] = []  # (sheet row, column)
        computed = False
        read = 0
        formats = ShownFormats()
        rows = zip(values[title].iter_rows(), formulas[title].iter_rows(values_only=True), strict=False)
        for r, (cells, typed) in enumerate(rows, start=1):
            read += len(cells)
            if read > XLSX_MAX_CELLS or r > XLSX_MAX_ROWS:
                what = f"{XLSX_MAX_CELLS:,} cells" if read > XLSX_MAX_CELLS else f"{XLSX_MAX_ROWS:,} rows"
                raise SourceError(say.worksheet_too_large(str(path), title, what))
            row = [_xlsx_cell(cell.value) for cell in cells]
            grid.append(row)  # a gap of empty rows: a million is quick
            if row:
                formats.note(len(grid) - 1, row, cells)
                for c, (v, f) in enumerate(zip(row, typed, strict=False)):
                    if isinstance(f, str) and f.startswith("="):
                        computed = computed or v is not None
                        if v is None:
                            uncomputed.append((r, c))
            done = r
        formats.apply(grid, as_written)
        others: dict[str, list[list[Cell]]] = {}
        for other in titles if peek else ():
            try:
                if other != title:
                    others[other] = [[_xlsx_cell(v) for v in row] if row else []
                                     for row in values[other].iter_rows(max_row=peek, values_only=True)]
            except MemoryError:
                raise
            except Exception:
                continue
        return _Workbook(title=title, titles=titles, grid=grid, uncomputed=uncomputed, computed=computed,
                         others=others)
    except (SourceError, MemoryError):
        raise
    except Exception as exc:  # a damaged part found while its rows are parsed
        if done:
            where = f"worksheet '{title}' after row {done}"
        raise SourceError(say.workbook_damaged(str(path), where, _detail(exc))) from None
    finally:
        values.close()
        formulas.close()


#: a currency in a number format: [$€-2], [$EUR], "€", € or $ outside quotes (a locale such as [$-409] names none)
def _detail(exc: Exception) -> str:
    """A parser's failure in a few words, printable: ``ParseError: unclosed token: line 1, column 9``."""
    text = " ".join(str(exc).split())
    text = "".join(c if c.isprintable() else "?" for c in text)
    return f"{type(exc).__name__}: {text[:100]}{'...' if len(text) > 100 else ''}" if text else type(exc).__name__


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | bool | dt.date):
        return value
    return str(value)


_SEP_LINE = re.compile(r"sep=(.)\r?\n")  # Excel's line telling it the delimiter: ``sep=;``
_DOTS = re.compile(r"\.\d{3}\.\d{3}(?![\d.])")  # 1.234.567: a file whose dots group thousands


def _read_delimited(path: Path, data: bytes | None = None) -> tuple[list[tuple[Cell, ...]], tuple[Issue, ...]]:
    """The file's rows, and a note when its figures were read with decimal commas (naming the cell that shows it)."""
    text = decode(path, data)
    if not text.strip():
        raise SourceError(say.not_text(str(path), "it is empty; export the ledger again"))
    if hint := _SEP_LINE.match(text):  # read as a blank row, so the sheet's row numbers stay right
        delimiter, rows = hint[1], [(), *_split(path, text[hint.end():], hint[1], 1)]
    else:
        delimiter = sniff_delimiter(path, text)
        rows = _split(path, text, delimiter, 0)
    # a decimal comma (Excel's CSV in most of Europe) can stand only in a file parted by another delimiter, or
    # in a quoted cell: any other file is passed as it is
    # (a file of whole figures grouped by dots, 1.234.567, is parted by semicolons: the search, 20 ms over 2 MB, is
    # made only then)
    if ("," not in text or (delimiter == "," and '"' not in text)) and (delimiter == "," or not _DOTS.search(text)):
        return rows, ()
    read, at = read_decimal_commas(rows)
    if at is None:
        return rows, ()
    r, c = at
    note = Issue(severity="warning", code="decimal_commas", cells=(a1(r + 1, c),),
                 message=say.read_with_decimal_commas(str(rows[r][c]).strip()))
    return read, (note,)


@fewer_gc_pauses()  # rows hold no cycles: the collector need not walk every cell read so far, again and again
def _split(path: Path, text: str, delimiter: str, rows_above: int) -> list[tuple[Cell, ...]]:
    """The rows of ``text``, its cells split at ``delimiter`` (``rows_above``: the file's lines before it)."""
    # the csv module splits the lines itself: a quoted cell may hold a line break ("Churned\nMRR")
    # one str object per distinct text: a customer table repeats its months, names and figures on
    # every row, and sharing them keeps a 300,000-row table's grid to a fraction of the memory
    shared: dict[str, str] = {}
    share = shared.setdefault
    try:
        plain = _plain_lines(text)
        if plain is not None:  # no quotes: each line splits at the delimiter exactly as csv would split it
            lines, empty = plain
            rows: list[tuple[Cell, ...]] = [tuple(map(share, row, row))
                                            for row in map(str.split, lines, itertools.repeat(delimiter))]
            for i in [i for i, line in enumerate(lines) if not line] if "" in lines else ():
                rows[i] = ()  # csv reads an empty line as a row with no cells
            return rows + [()] * empty
        rows = [tuple(map(share, row, row)) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
        if rows and rows[-1] and "\n" in str(rows[-1][-1]):  # the last cell runs over lines: a quote left open?
            try:
                collections.deque(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True), 0)
            except csv.Error as exc:
                if "end of data" in str(exc):  # and not a stray quote earlier that csv reads as is
                    raise SourceError(say.not_text(str(path), say.quote_left_open(
                        a1(rows_above + len(rows), len(rows[-1]) - 1)))) from None
        return rows
    except csv.Error as exc:  # a quote left open swallows the rest of the file into one huge cell
        limit = csv.field_size_limit()
        long = next((n for n, line in enumerate(text.splitlines(), rows_above + 1) if len(line) > limit), None)
        if "field larger" in str(exc) and long is not None and '"' not in text:  # no quote: the line itself
            raise SourceError(say.not_text(str(path), f"line {long} holds a cell longer than {limit:,} characters, "
                                                      "more than a table's cell holds; is the file a table?")) from None
        raise SourceError(say.not_text(str(path), f"it does not read as CSV ({exc}); look for a quote (\") "
                                                  "that is opened and never closed")) from None


def _plain_lines(text: str) -> tuple[list[str], int] | None:
    """The lines of a text the csv module would read as plain lines split at the delimiter, a third
    faster, and how many empty lines end it (an editor's or an export's trailing blank lines): no quote,
    no NUL, every CR part of a CRLF. None otherwise (csv reads it). An empty line is a row with no cells."""
    if '"' in text or "\0" in text:
        return None
    end = "\r\n" if "\r" in text else "\n"
    empty = 0
    while text.endswith(end * 2):
        text, empty = text[:-len(end)], empty + 1
    if text.endswith(end):
        text = text[:-len(end)]
    lines = text.split(end)
    if end == "\r\n" and not text.count("\r") == text.count("\n") == len(lines) - 1:
        return None  # a CR or LF on its own: csv ends a line there too
    return lines, empty


def _converted(cells: Cells, options: ReadOptions) -> bool:
    """Whether ``options``' rates convert the currency a table read column by column names (``MRR (EUR)``, a
    Currency column of EUR) into another reporting currency: that read keeps the figures as written, so the row
    reader reads the file instead, and converts them customer-month by customer-month."""
    table = cells.ledger.customer_table if cells.prepared is not None else None
    code, fx = (table.currency if table is not None else None), options.fx
    return fx is not None and code is not None and code != fx.reporting and fx.knows(code)


def _not_a_workbook(path: Path) -> str | None:
    """Why a file named .xlsx is not an XLSX workbook, when that can be told; None when it may be one."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if head.startswith(OLE):
        return binary_kind(path.read_bytes())
    if head.startswith(b"PK\x03\x04"):
        import zipfile  # an XLSX file's check only: a CSV's start-up never loads it

        try:
            with zipfile.ZipFile(path) as archive:
                parts = archive.infolist()
                names = {part.filename for part in parts}
                if too_large := _too_large(parts):
                    return too_large
                mimetype = archive.read("mimetype")[:200].decode("ascii", "replace") if "mimetype" in names else ""
        except MemoryError:
            raise
        except Exception:  # BadZipFile, OSError, and what a damaged directory makes zipfile raise besides
            return "it is a damaged ZIP file, not a readable workbook; save it again from Excel or Sheets"
        if "opendocument.spreadsheet" in mimetype:
            return "it is an OpenDocument spreadsheet (.ods); save it as .xlsx or export it as CSV"
        if "xl/workbook.xml" not in names:
            return "it is a ZIP archive but not an Excel workbook; export the ledger as .xlsx or CSV"
        return None
    if not head.strip():
        return "it is empty; export the ledger again"
    if binary_kind(head) is None:
        return "it is a text file (a CSV?) with an .xlsx name; rename it to .csv"
    return "it is not an Excel workbook (.xlsx); export the ledger as .xlsx or CSV"


def _too_large(parts: list[zipfile.ZipInfo]) -> str | None:
    """Why a workbook is refused before it is parsed, from the sizes its ZIP directory declares: too large
    unpacked, or a part packed far tighter than any spreadsheet program packs (a ZIP bomb). None if neither."""
    mb = 2 ** 20
    for part in parts:
        if part.file_size > XLSX_RATIO_FROM_MB * mb and part.file_size > XLSX_MAX_RATIO * max(part.compress_size, 1):
            return say.workbook_bomb(part.filename, part.file_size // max(part.compress_size, 1), part.file_size // mb)
    unpacked = sum(part.file_size for part in parts)
    if unpacked > XLSX_MAX_MB * mb:
        return say.workbook_too_large(unpacked // mb, XLSX_MAX_MB)
    return None


def open_file_source(spec: str, base_dir: Path | None = None, options: ReadOptions = NO_OPTIONS,
                     fast: FastRead | None = None) -> LedgerSource:
    """The file a ledger spec names (a path relative to ``base_dir``; ``book.xlsx#Tab`` picks a tab); ``options``:
    what reading its table needs from outside (exchange rates, today's month); ``fast``: how a large CSV customer
    table is read and cached (``fast_read_from_env``)."""
    def resolved(text: str) -> Path:
        path = Path(text).expanduser()
        return base_dir / path if not path.is_absolute() and base_dir is not None else path

    spec = spec.strip()
    path_text, _, worksheet = spec.partition("#")
    path = resolved(path_text)
    with contextlib.suppress(OSError):
        if "#" in spec and (whole := resolved(spec)).is_file():  # ledger #2.csv: a # in its name, not a worksheet
            path, worksheet = whole, ""
    if path.suffix.lower() not in FILE_SUFFIXES:
        with contextlib.suppress(OSError):
            if path.is_dir():
                raise SourceError(say.ledger_is_folder(spec))
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", spec):  # mysql://u:pw@h/db: said without its password
            raise SourceError(say.not_a_database(redact_url(spec)))
        raise SourceError(
            f"{spec}: not a ledger source I can read. Use a .csv, .tsv or .xlsx file.")
    if worksheet and path.suffix.lower() not in (".xlsx", ".xlsm"):  # said, not dropped: the file is all one table
        raise SourceError(say.csv_has_no_sheets(spec, path_text.strip(), worksheet))
    return FileSource(path=path, worksheet=worksheet or None, label=spec, options=options, fast=fast)

