"""Damaged and hostile workbooks: bytes flipped, parts cut short or dropped, XML attributes changed, a ZIP
bomb, rows and columns no sheet holds. ``nrr validate`` answers or refuses each in words naming the file
(exit 0 or 1), never with an internal error (exit 70): openpyxl parses rows lazily, inside the row loop,
where its ``ParseError``, ``ValueError``, ``zlib.error`` ... escaped. bench/xlsx_fuzz.py runs thousands."""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.helpers import examples
from tests.test_sheets import run
from tests.xlsx_mutations import fuzz

SHEET_XML = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s<sheetData>%s'
             b'</sheetData></worksheet>')
HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Customer</t></is></c></row>'


def workbook(path: Path, sheet_xml: bytes, extra: dict[str, bytes] | None = None) -> Path:
    """A workbook saved by openpyxl with its first worksheet's XML replaced (and ``extra`` parts added)."""
    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else
                         source.read(info))
        for name, content in (extra or {}).items():
            out.writestr(name, content)
    return path


def validate(path: Path) -> tuple[int, str]:
    code, out, err = run("validate", "--ledger", str(path), env={})
    return code, out + err


@pytest.mark.filterwarnings("ignore::UserWarning")  # as nrr runs: openpyxl's warnings are not errors there
def test_mutated_workbooks_never_end_in_an_internal_error(tmp_path: Path) -> None:
    # 60 rows a workbook: enough for every part a mutation damages; bench/xlsx_fuzz.py runs the examples whole
    cases = examples(80)
    outcomes = fuzz(cases, 15, tmp_path, commands=(("validate",),), rows=60)
    assert set(outcomes) <= {"exit 0", "exit 1"}, outcomes
    assert outcomes["exit 1"] > cases // 2  # the mutations damage most workbooks: they are refused in words


def test_a_worksheet_cut_short_is_refused_naming_the_file_and_what_to_do(tmp_path: Path) -> None:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(2, 3000))
    path = workbook(tmp_path / "cut.xlsx", (SHEET_XML % (b'<dimension ref="A1:A2999"/>', HEADER_ROW + rows))[:-300])
    assert validate(path) == (1, f"{path}: not a readable XLSX workbook: worksheet 'Sheet' after row 2993 is damaged "
                                 "(ParseError: unclosed token: line 1, column 140488); open it in Excel or "
                                 "Google Sheets and save it again, or export the table as CSV.\n")


def test_a_zip_bomb_is_refused_from_its_declared_sizes_before_it_is_parsed(tmp_path: Path) -> None:
    # 13 MB of sheet XML packed into 33 KB, no <dimension>: the 1 GiB bomb of the issue, smaller
    rows = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 270_000
    path = workbook(tmp_path / "bomb.xlsx", SHEET_XML % (b"", HEADER_ROW + rows))
    started = time.perf_counter()
    code, said = validate(path)
    assert time.perf_counter() - started < 1
    assert (code, re.sub(r"\d[\d,]* times its packed size \(\d+ MB\)", "N times its packed size (M MB)", said)) == (
        1, f"{path}: its part xl/worksheets/sheet1.xml unpacks to N times its packed size (M MB), which no "
           "spreadsheet program writes: the file is damaged or built to exhaust memory; save it again from Excel or "
           "Sheets, or export the table as CSV\n")


def test_a_workbook_declaring_more_than_256_mb_unpacked_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = workbook(tmp_path / "large.xlsx", SHEET_XML % (b"", HEADER_ROW),
                    {f"xl/media/image{i}.png": b"\x89PNG" for i in range(30)})
    data = bytearray(path.read_bytes())
    directory = data.index(b"PK\x01\x02")  # the central directory, which zipfile reads sizes from
    for i in range(30):  # each image's entry declares 9 MB unpacked: below the ratio check, 270 MB in all
        entry = data.index(f"xl/media/image{i}.png".encode(), directory) - 46  # the name follows 46 bytes of header
        struct.pack_into("<I", data, entry + 24, 9 * 2 ** 20)
    path.write_bytes(bytes(data))
    assert validate(path) == (1, f"{path}: it unpacks to 270 MB, more than the 256 MB nrr reads from a workbook; keep "
                                 "the table on a workbook of its own, or export it as CSV (read in seconds at any "
                                 "size)\n")


@pytest.mark.parametrize(("xml", "what"), [
    (SHEET_XML % (b"", HEADER_ROW + b'<row r="999999999"><c r="A999999999"><v>1</v></c></row>'), "1,048,576 rows"),
    (SHEET_XML % (b'<dimension ref="A1:ZZZ600"/>', HEADER_ROW + b'<row r="600"><c r="A600"><v>1</v></c></row>'),
     "10,000,000 cells"),
], ids=["rows", "cells"])
def test_rows_and_cells_beyond_what_a_sheet_holds_are_refused(tmp_path: Path, xml: bytes, what: str) -> None:
    path = workbook(tmp_path / "huge.xlsx", xml)
    assert validate(path) == (1, f"{path}: worksheet 'Sheet' holds more than {what}, more than nrr reads from a "
                                 "workbook; keep only the table on the worksheet, or export it as CSV.\n")


def test_a_workbook_without_worksheets_is_refused_in_words(tmp_path: Path) -> None:
    workbook(tmp_path / "book.xlsx", SHEET_XML % (b"", HEADER_ROW))
    with zipfile.ZipFile(tmp_path / "book.xlsx") as source, \
            zipfile.ZipFile(tmp_path / "empty.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/workbook.xml":
                content = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", content)
            out.writestr(info.filename, content)
    path = tmp_path / "empty.xlsx"
    assert validate(path) == (1, f"{path}: the workbook has no worksheet; open it in Excel or Google Sheets and save "
                                 "it again, or export the table as CSV.\n")
