"""Mutations of a valid workbook, as a damaged or hostile file would have them, and the command line run on
each in this process: the core of tests/test_xlsx_fuzz.py (a few hundred, fixed seed) and bench/xlsx_fuzz.py
(thousands, with the count of internal errors)."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import random
import re
import signal
import zipfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from nrr.cli import main as nrr_main

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = (("validate",), ("report", "last-month", "--today", "2026-11-05"))
# values an XML attribute is given: references out of range, wrong types, numbers no sheet holds
ATTRIBUTE_VALUES = ("", "-1", "0", "x", "A0", "ZZZ1", "XFD1048576", "A1:XFD1048576", "A1048577", "99999999999",
                    "1e308", "s", "str", "inlineStr", "e", "b", "d", "n", "999", "2147483648", "A1:A99999999",
                    "\u00e9\u00e9", "1.5", "true", "rId99")


def build_workbooks(folder: Path, rows: int | None = None) -> list[Path]:
    """The example ledger and customer table as workbooks: numbers as numbers, months as dates and text; their
    first ``rows`` rows after the header, or all."""

    def ledger_row(row: list[str]) -> list[object]:
        figures: list[object] = [float(v.replace("$", "").replace(",", "").replace("%", "")) if v else None
                                 for v in row[1:]]
        if isinstance(figures[-1], float):
            figures[-1] = f"{figures[-1]}%"
        return [dt.datetime.strptime(row[0], "%b %Y"), *figures]

    def customer_row(row: list[str]) -> list[object]:
        return [row[0], row[1], row[2], float(row[3]), *row[4:]]

    return [_workbook(folder / "ledger.xlsx", "Ledger", ROOT / "examples" / "ledger.csv", ledger_row, rows),
            _workbook(folder / "customers.xlsx", "Customers", ROOT / "examples" / "customers.csv", customer_row,
                      rows)]


def _workbook(path: Path, title: str, source: Path, convert: Callable[[list[str]], list[object]],
              rows: int | None = None) -> Path:
    """``source``'s rows in a one-sheet workbook at ``path``: its header as it is, each row through ``convert``."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    with source.open(newline="") as handle:
        header, *body = list(csv.reader(handle))
    sheet.append(header)
    for row in body[:rows]:
        sheet.append(convert(row))
    book.save(path)
    return path


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def _zip(members: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members:
            archive.writestr(info.filename, content)
    return out.getvalue()


def _xml_member(rng: random.Random, members: list[tuple[zipfile.ZipInfo, bytes]]) -> int:
    """A member to change, the worksheets and shared strings most often: they hold the cells."""
    weights = [8 if "worksheets/" in info.filename or "sharedStrings" in info.filename else 1
               for info, _ in members]
    return rng.choices(range(len(members)), weights)[0]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def cut_file(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(len(data))]


def cut_member(rng: random.Random, data: bytes) -> bytes:
    members = _members(data)
    i = _xml_member(rng, members)
    info, content = members[i]
    members[i] = (info, content[:rng.randrange(len(content) + 1)])
    return _zip(members)


def drop_member(rng: random.Random, data: bytes) -> bytes:
    members = _members(data)
    del members[rng.randrange(len(members))]
    return _zip(members)


def flip_in_member(rng: random.Random, data: bytes) -> bytes:
    members = _members(data)
    i = _xml_member(rng, members)
    info, content = members[i]
    members[i] = (info, flip_bytes(rng, content) if content else content)
    return _zip(members)


_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')


def change_attribute(rng: random.Random, data: bytes) -> bytes:
    members = _members(data)
    i = _xml_member(rng, members)
    info, content = members[i]
    found = list(_ATTRIBUTE.finditer(content))
    for _ in range(rng.randint(1, 3)) if found else ():
        m = rng.choice(found)
        value = rng.choice(ATTRIBUTE_VALUES).encode()
        content = content[:m.start(2)] + value + content[m.end(2):]
        found = list(_ATTRIBUTE.finditer(content))
    members[i] = (info, content)
    return _zip(members)


MUTATIONS: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    flip_bytes, cut_file, cut_member, drop_member, flip_in_member, change_attribute, change_attribute)


def mutate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """One mutation of a workbook's bytes, and its name."""
    mutation = rng.choice(MUTATIONS)
    return mutation.__name__, mutation(rng, data)


class Timeout(BaseException):  # not an Exception: the command line's last line of defence must not catch it
    pass


def run(path: Path, command: tuple[str, ...], timeout: float = 0) -> tuple[int | str, str]:
    """The exit code of ``nrr COMMAND --ledger PATH`` and what it wrote to stderr."""
    err = io.StringIO()
    console = Console(file=err, width=200)

    def expire(*_: object) -> None:
        raise Timeout

    if timeout:
        signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        code: int | str = nrr_main([*command, "--ledger", str(path)], env={}, stdout=Console(file=io.StringIO()),
                                   stderr=console)
    except Timeout:
        code = "timeout"
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return code, err.getvalue()


def fuzz(cases: int, seed: int, folder: Path, timeout: float = 0,
         report: Callable[[int, str, tuple[str, ...], int | str, str], None] | None = None,
         commands: tuple[tuple[str, ...], ...] = COMMANDS, rows: int | None = None) -> collections.Counter[str]:
    """Run ``cases`` mutations of workbooks of ``rows`` rows (or the examples' all); counts by outcome
    (``exit 0``, ``exit 1``, ``exit 70``, ``timeout``)."""
    rng = random.Random(seed)
    bases = [p.read_bytes() for p in build_workbooks(folder, rows)]
    outcomes: collections.Counter[str] = collections.Counter()
    for case in range(cases):
        name, data = mutate(rng, rng.choice(bases))
        path = folder / f"case{case}.xlsx"  # a new name each case: the file cache keys on path, time and size
        path.write_bytes(data)
        for command in commands:
            code, said = run(path, command, timeout)
            outcomes[f"exit {code}" if isinstance(code, int) else code] += 1
            if report is not None:
                report(case, name, command, code, said)
        path.unlink()
    return outcomes
