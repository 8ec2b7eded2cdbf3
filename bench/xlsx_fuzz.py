"""Mutated workbooks through the command line: how many end in an internal error (exit 70)?

Run: ``.venv/bin/python bench/xlsx_fuzz.py [--cases 3000] [--seed 15]``. It builds two valid workbooks
(the example ledger and the example customer table as .xlsx), mutates each case's copy one way (bytes
flipped in the file, the file cut short, a ZIP member cut short, dropped, or with bytes flipped inside its
XML, an XML attribute given another value), then runs ``nrr validate --ledger FILE`` and ``nrr report
last-month --ledger FILE`` in this process (``nrr.cli.main``) and prints the exit codes, the count of
internal errors (exit 70) and what raised them. Every file a person could have must end in 0 or 1 with
words; none in 70. A case is given 20 s (``--timeout``) and the process 3 GB of address space, so a
workbook that runs away is counted as ``timeout`` or a ``MemoryError`` instead of taking the machine.
``--bomb`` times ``nrr validate`` (a new process) on a 1 GiB zip bomb instead: wall, peak memory, exit code.

The mutations are in tests/xlsx_mutations.py; tests/test_xlsx_fuzz.py runs a few hundred of them with a fixed
seed in a few seconds.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.xlsx_mutations import fuzz  # noqa: E402


def zip_bomb(path: Path, unpacked_mb: int = 1024) -> Path:
    """A workbook whose only sheet is ``unpacked_mb`` MB of XML rows with no <dimension>, packed a few hundred
    times over: the file of issue #15 that ran past 240 s at 2.17 GB."""
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    row = b"".join(b'<row><c t="inlineStr"><is><t>Customer %d</t></is></c><c><v>%d</v></c></row>' % (i, i * 7)
                   for i in range(20))
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, source.read(info))
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(unpacked_mb * 2 ** 20 // len(row)):
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return path


def time_bomb(timeout: float) -> None:
    """``nrr validate`` on the zip bomb in a new process: wall time, peak memory, what it said."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        path = zip_bomb(Path(tmp) / "bomb.xlsx")
        print(f"zip bomb: {path.stat().st_size / 2 ** 20:.1f} MB packed, 1024 MB of sheet XML")
        started = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-m", "nrr", "validate", "--ledger", str(path)], capture_output=True,
                                  text=True, timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})
            said = (done.stdout + done.stderr).strip()
            code: int | str = done.returncode
        except subprocess.TimeoutExpired:
            said, code = f"still running after {timeout:.0f} s", "timeout"
        took = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"nrr validate --ledger bomb.xlsx: exit {code} in {took:.2f} s, peak {peak:.0f} MB: {said}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per command")
    parser.add_argument("--show", type=int, default=5, help="internal errors to print in full")
    parser.add_argument("--bomb", action="store_true", help="time nrr validate on a 1 GiB zip bomb instead")
    args = parser.parse_args()
    if args.bomb:
        time_bomb(args.timeout * 3)
        return
    limit = 3 * 1024 ** 3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    raised: collections.Counter[str] = collections.Counter()
    shown = [0]

    def note(case: int, name: str, command: tuple[str, ...], code: int | str, said: str) -> None:
        if code == 70 or code == "timeout":
            what = re.search(r"internal error \((\w+)", said)
            raised[f"{name}: {what[1] if what else code}"] += 1
            if shown[0] < args.show:
                shown[0] += 1
                print(f"case {case} ({name}, nrr {command[0]}): {said.strip() or code}")

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = fuzz(args.cases, args.seed, Path(tmp), args.timeout, note)
    took = time.perf_counter() - started
    runs = sum(outcomes.values())
    print(f"{args.cases} mutated workbooks (seed {args.seed}), {runs} runs of nrr validate / nrr report "
          f"in {took:.0f} s: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    bad = outcomes["exit 70"] + outcomes["timeout"]
    print(f"internal errors (exit 70) or timeouts: {bad} of {runs} runs")
    for what, count in raised.most_common():
        print(f"  {count:6d}  {what}")


if __name__ == "__main__":
    main()
