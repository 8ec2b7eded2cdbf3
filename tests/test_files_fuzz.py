"""Whole files, as bytes on disk, through the real file source and reader: random bytes, every
encoding Excel writes, numbers such as 1e999 and NaN, digits from other scripts, 10,000 columns,
random workbooks. The reader either answers or raises the ledger's own error (an ``NrrError`` with
words for a person): never a traceback, never a number that is not finite.

Cases: 200 random byte files, 300 ledger-like CSVs in random encodings and delimiters, 60 random
workbooks and 100 random byte files named .xlsx, plus one 10,000-column CSV and one 10,000-column
workbook: 662 files each run of the suite (hypothesis draws new ones each time).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from engine import Cell, NrrError, check_source, read_decimal_commas
from sheets import open_file_source, sniff_delimiter
from tests.helpers import HEADER, examples

SUSPECT = ["1e999", "-1e999", "NaN", "nan", "Infinity", "-inf", "١٢٣٬٤٥٦", "１２３", "٣٠٠", "12 500", "1.200,50",
           "$ -", "—", "(5,000)", "9" * 400, "0." + "0" * 300 + "1", "=B2/F2", "#DIV/0!", "2026-13", "Feb 30 2026",
           "\u200b100", "100\u00a0000", "€1.200,50", "USD", "", " ", "2026-01", "Jan 2026", "45000", "108%"]
cell = st.one_of(st.sampled_from(SUSPECT), st.text(max_size=12),
                 st.decimals(allow_nan=True, allow_infinity=True).map(str),
                 st.floats(allow_nan=True, allow_infinity=True).map(repr))
def fuzz(count: int) -> settings:
    return settings(max_examples=examples(count), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def answers_or_says_why(path: Path) -> None:
    """The contract: an answer with finite numbers, or an NrrError with a message."""
    try:
        check = check_source(open_file_source(str(path)))
    except NrrError as exc:
        assert str(exc).strip()
        return
    for issue in check.issues:
        assert str(issue).strip()
    if check.ledger is not None:
        for row in check.ledger:
            assert row.start.is_finite() and row.end.is_finite()
            assert row.nrr is None or row.nrr.is_finite()


@fuzz(80)
@given(st.binary(max_size=2048))
def test_random_bytes_as_a_csv(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes(data)
    answers_or_says_why(path)


@fuzz(120)
@given(st.lists(st.lists(cell, min_size=1, max_size=8), max_size=10), st.booleans(),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]), st.sampled_from([",", ";", "\t"]))
def test_ledger_like_csv_in_any_encoding(tmp_path: Path, body: list[list[str]], header: bool, encoding: str,
                                         delimiter: str) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows([HEADER, *body] if header else body)
    path = tmp_path / "ledger.csv"
    path.write_bytes(out.getvalue().encode(encoding, errors="replace"))
    answers_or_says_why(path)


@fuzz(30)
@given(st.lists(st.lists(st.one_of(cell, st.floats(allow_nan=False, allow_infinity=False), st.integers(),
                                   st.none()), min_size=1, max_size=7), max_size=8))
def test_random_workbooks(tmp_path: Path, body: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    rows: list[list[object]] = [list(HEADER), *body]
    for row in rows:
        # openpyxl cannot write control characters, and would write a leading "=" as a formula
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v).replace("=", "'=") if isinstance(v, str) else v for v in row])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    answers_or_says_why(path)


@fuzz(50)
@given(st.one_of(st.binary(max_size=1024), st.binary(max_size=1024).map(lambda b: b"PK\x03\x04" + b)))
def test_random_bytes_named_xlsx(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(data)
    answers_or_says_why(path)


def test_ten_thousand_columns(tmp_path: Path) -> None:
    wide = [*HEADER, *(f"Extra {i}" for i in range(10_000))]
    row = ["2026-01", "100000", "1000", "500", "200", "", "", *("x" for _ in range(10_000))]
    path = tmp_path / "ledger.csv"
    path.write_text(",".join(wide) + "\n" + ",".join(row) + "\n")
    answers_or_says_why(path)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(wide)
    sheet.append(row)
    book.save(tmp_path / "ledger.xlsx")
    answers_or_says_why(tmp_path / "ledger.xlsx")


@fuzz(120)
@given(st.text(alphabet="a1,;\t \n\r\"", max_size=60))
def test_a_csv_reads_as_the_csv_module_reads_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "table.csv"
    path.write_bytes(text.encode())
    try:
        grid = open_file_source(str(path)).read_cells().grid
    except NrrError:
        return
    delimiter = sniff_delimiter(path, text)  # the choice is tested on its own: here, the cells it splits
    rows: list[tuple[Cell, ...]] = [tuple(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    if "," in text and (delimiter != "," or '"' in text):  # a column written with decimal commas reads them
        rows = read_decimal_commas(rows)[0]
    assert list(map(list, grid)) == list(map(list, rows))
