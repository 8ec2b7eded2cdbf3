"""The nrr command, end to end: real files, real argument parsing, captured output."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from nrr.cli import main
from tests.helpers import EXAMPLE_CONFIG, EXAMPLE_LEDGER, HEADER, ROOT

NOW = dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC)


def run(*argv: str, env: dict[str, str] | None = None, now: dt.datetime = NOW) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env=env or {}, clock=lambda: now,
                stdout=Console(file=out, width=120, highlight=False),
                stderr=Console(file=err, width=120, highlight=False))
    return code, out.getvalue(), err.getvalue()


def report_json(*argv: str, **kw: Any) -> dict[str, Any]:
    code, out, err = run("report", *argv, "--json", **kw)
    assert (code, err) == (0, "")
    return json.loads(out)  # type: ignore[no-any-return]


def test_json_report_has_the_documented_shape() -> None:
    data = report_json("last-quarter", "--ledger", str(EXAMPLE_LEDGER))
    assert data["period"] == {"label": "Q3 2026", "first_month": "2026-07", "last_month": "2026-09",
                              "to_date": False}
    assert data["method"] == "chained"
    assert (data["nrr_pct"], data["grr_pct"]) == (98.72, 91.73)
    assert (data["start_mrr"], data["expansion"], data["churn"], data["downgrade"]) == (
        "602291.00", "45272.00", "48128.00", "5952.00")
    assert [m["month"] for m in data["months"]] == ["2026-07", "2026-08", "2026-09"]
    assert data["months"][2] == {"month": "2026-09", "start_mrr": "652094.00", "expansion": "16570.00",
                                 "churn": "37821.00", "downgrade": "1929.00", "end_mrr": "628914.00",
                                 "nrr_pct": 96.45, "grr_pct": 93.9}
    assert data["trailing_12m"] == {"nrr_pct": 109.61, "grr_pct": 83.44, "annualized": False,
                                    "months": 12, "as_of": "2026-09"}
    bench = data["benchmark"]
    assert (bench["tier"], bench["segment_median_pct"], bench["gap_to_median_pts"]) == ("good", 108.0, 1.61)
    assert bench["source"] == "2026 SaaS NRR benchmarks by customer segment"
    assert data["quick_ratio"] == 1.81
    assert data["change"]["vs"] == "Q2 2026" and data["change"]["driver"] == "churn"
    assert data["warnings"] == []


def test_a_configured_funding_benchmark_is_shown_with_its_own_source(tmp_path: Path) -> None:
    """``funding = "bootstrapped"`` gave funding_median_pct 104.0 in JSON under the segments' source only, and the
    terminal never showed it (fuzz 14): the figure applied is named, with where it comes from."""
    config = tmp_path / "nrr.toml"
    config.write_text(f'[company]\nfunding = "bootstrapped"\n[ledger]\nsource = "{EXAMPLE_LEDGER}"\n')
    data = report_json("ttm", "--config", str(config), "--today", "2026-11-05")
    bench = data["benchmark"]
    assert (bench["funding_median_pct"], bench["funding_p90_pct"], bench["funding_source"]) == (
        104.0, 118.0, "SaaS Capital, bootstrapped B2B SaaS ($3M-$20M ARR)")
    code, out, _ = run("report", "ttm", "--config", str(config), "--today", "2026-11-05")
    assert code == 0 and ("Bootstrapped median 104% (+5.6 pts), 90th percentile 118%; source: SaaS Capital, "
                          "bootstrapped B2B SaaS ($3M-$20M ARR).") in " ".join(out.split())


def test_today_comes_from_the_clock_in_the_configured_zone(tmp_path: Path) -> None:
    config = tmp_path / "nrr.toml"
    config.write_text(f'[ledger]\nsource = "{EXAMPLE_LEDGER}"\n[calendar]\ntimezone = "Asia/Tokyo"\n')
    # 2026-10-31 16:30 UTC is already 1 November in Tokyo: last month is October there
    late = dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.UTC)
    assert report_json("--config", str(config), now=late)["period"]["label"] == "October 2026"
    assert report_json("--ledger", str(EXAMPLE_LEDGER), now=late)["period"]["label"] == "September 2026"


def test_today_and_fiscal_year_flags() -> None:
    data = report_json("last-quarter", "--ledger", str(EXAMPLE_LEDGER), "--today", "2026-11-05",
                       "--fiscal-year-start", "July")
    assert data["period"]["label"] == "Q1 FY2027"
    data = report_json("Mar", "2026", "--ledger", str(EXAMPLE_LEDGER), "--method", "sum")
    assert data["period"]["label"] == "March 2026" and data["method"] == "sum"


def test_default_period_is_last_month_and_text_output_reads_well() -> None:
    code, out, err = run("report", "--config", str(EXAMPLE_CONFIG))
    assert code == 0 and err == ""
    assert "October 2026" in out and "NRR 101.14%" in out and "GRR 98.85%" in out
    assert "Tier: Good" in out and "Mid-market median 108%" in out
    assert "Source: 2026 SaaS NRR benchmarks by customer segment" in out


def test_errors_are_one_clear_line_on_stderr_and_exit_1() -> None:
    code, out, err = run("report", "Q1 2027", "--ledger", str(EXAMPLE_LEDGER))
    assert (code, out) == (1, "")
    assert err == "Q1 2027 has not started yet; the latest closed month is October 2026.\n"
    code, _, err = run("report", "this-month", "--ledger", str(EXAMPLE_LEDGER))
    # not "or answer as of then with --today 2026-11-01": today is in November already, and the flag changes nothing
    assert err == ("November 2026 is not in the ledger yet; the latest month is October 2026. It is the month in "
                   "progress, with no row yet: ask for a period that ends by then (2026-10).\n")
    code, _, err = run("report", "this-month", "--ledger", str(EXAMPLE_LEDGER), "--today", "2026-12-03")
    # nor with a December day: this-month as of 2026-11-01 is November, refused in turn (a fresh-eyes try); only a
    # flag the question is answered with is offered, as last-month is
    assert err == ("December 2026 is not in the ledger yet; the latest month is October 2026. Ask for a period "
                   "that ends by then (2026-10).\n")
    assert "--today" not in run("report", "2026-12", "--ledger", str(EXAMPLE_LEDGER), "--today", "2026-12-03")[2]
    for question in ("this-quarter", "Q4 2026"):  # as of 2026-11-01 these are Q4 2026 to date: October, answered
        assert run("report", question, "--ledger", str(EXAMPLE_LEDGER), "--today", "2026-12-03")[2].endswith(
            "or answer as of then with --today 2026-11-01.\n")
        assert run("report", question, "--ledger", str(EXAMPLE_LEDGER), "--today", "2026-11-01")[0] == 0
    code, _, err = run("report", "last-month", "--ledger", str(EXAMPLE_LEDGER), "--today", "2027-01-03")
    assert err.endswith("or answer as of then with --today 2026-11-01.\n")
    assert run("report", "last-month", "--ledger", str(EXAMPLE_LEDGER), "--today", "2026-11-01")[0] == 0
    code, _, err = run("report", "--ledger", "nope.csv")
    assert (code, err) == (1, "nope.csv: no such ledger file. Pass --ledger PATH or set [ledger] source "
                              "in nrr.toml.\n")
    code, _, err = run("report", "--ledger", "ledger.pdf")
    assert err == "ledger.pdf: not a ledger source I can read. Use a .csv, .tsv or .xlsx file.\n"


def test_bad_command_lines_exit_2() -> None:
    assert run("report", "--method", "average")[0] == 2
    assert run("report", "--today", "yesterday")[0] == 2
    assert run("frobnicate")[0] == 2
    code, out, err = run("report", "banana", "--ledger", str(EXAMPLE_LEDGER))
    assert (code, out) == (2, "") and err.startswith("'banana' is not a period I know. Try one of: last-month,")
    assert run("report", "2026-06..2026-01", "--ledger", str(EXAMPLE_LEDGER))[0] == 2
    assert run("digest", "--month", "October", "--channel", "C1", "--dry-run", "--ledger", str(EXAMPLE_LEDGER))[0] == 2


def test_validate_lists_every_issue_and_exits_1_on_errors(tmp_path: Path) -> None:
    bad = tmp_path / "ledger.csv"
    bad.write_text(",".join(HEADER) + "\n2026-01,100,10,5,0,999,\n2026-02,x,0,0,0,,\n")
    code, out, _ = run("validate", "--ledger", str(bad))
    assert code == 1
    assert out.splitlines() == [
        "error: B3 (February 2026): MRR (Start of Period) 'x' is not an amount such as 100000, 100000.50 or "
        "$100,000.",
        "warning: F2 (January 2026): MRR (End of Period) says 999.00 but Start + Expanded - Churned - "
        "Downgraded = 105.00; using 105.00.",
        f"{bad}: 1 error(s), 1 warning(s); the ledger cannot be used until the errors are fixed.",
    ]
    code, out, _ = run("validate", "--ledger", str(EXAMPLE_LEDGER))
    assert code == 0
    assert out == f"{EXAMPLE_LEDGER}: valid, 34 months (2024-01 to 2026-10), 0 warning(s).\n"


def test_a_report_shows_three_warnings_and_counts_the_rest_validate_and_json_keep_them_all(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(",".join(HEADER) + "".join(f"\n2026-0{m},100,5,5,0,999," for m in range(1, 6)) + "\n")
    warnings = [f"warning: F{m + 1} ({month} 2026): MRR (End of Period) says 999.00 but Start + Expanded - Churned - "
                "Downgraded = 100.00; using 100.00." for m, month in enumerate(("January", "February", "March",
                                                                                "April", "May"), 1)]
    code, out, err = run("report", "--ledger", str(ledger), "--today", "2026-06-03")
    assert (code, err) == (0, "")
    assert out.splitlines()[-4:] == [*warnings[:3], "...and 2 more warnings: run nrr validate to see them all."]
    code, out, _ = run("validate", "--ledger", str(ledger))
    assert out.splitlines()[:-1] == warnings
    assert len(report_json("--ledger", str(ledger), "--today", "2026-06-03")["warnings"]) == 5


def test_report_refuses_an_invalid_ledger_naming_the_cells(tmp_path: Path) -> None:
    bad = tmp_path / "ledger.csv"
    bad.write_text(",".join(HEADER[:5]) + "\n2026-01,100,10,5,0\n2026-01,100,10,5,0\n")
    code, out, err = run("report", "--ledger", str(bad))
    assert (code, out) == (1, "")
    assert err == ("A2 and A3 (January 2026): This month appears more than once; keep one row per month "
                   "(delete or merge the others).\n")


def test_xlsx_ledgers_and_worksheet_choice(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Ledger")
    sheet.append(HEADER[:5])
    sheet.append([dt.datetime(2026, 10, 1), 100000, 15000, 5000, 2000])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    assert report_json("--ledger", f"{path}#Ledger")["nrr_pct"] == 108.0
    code, _, err = run("report", "--ledger", str(path))
    assert code == 1 and err == (f"{path}: its first worksheet, 'Notes', holds no header row of a ledger or a "
                                 f"customer table; 'Ledger' does: --ledger '{path}#Ledger' "
                                 "(the workbook has 'Notes', 'Ledger').\n")
    code, _, err = run("report", "--ledger", f"{path}#Missing")
    assert err == f"{path}: no worksheet 'Missing'; it has 'Notes', 'Ledger'.\n"


def test_semicolon_csv_from_a_european_locale(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text("\ufeff" + ";".join(HEADER[:5]) + "\n2026-10;100000;15000;5000;2000\n", encoding="utf-8")
    assert report_json("--ledger", str(path))["nrr_pct"] == 108.0


def test_a_european_csv_with_decimal_commas_is_read_column_by_column(tmp_path: Path) -> None:
    """Excel's CSV in most of Europe: semicolons, 1.234,56, and rows that leave a last Notes cell out. Its header
    was blamed (the sniffer chose the comma), and with the right delimiter each figure was refused (fuzz 14)."""
    path = tmp_path / "ledger.csv"
    path.write_text("Month;MRR (Start of Period);Expanded MRR;Churned MRR;Downgraded MRR;MRR (End of Period);NRR Rate;"
                    "Notes\n2025-11;100.000,00;5.000,50;2.000,00;1.000,00;102.000,50;102,00%;\n"
                    "2025-12;104.000,00;3.000,00;1.000,00;0,00;106.000,00;101,92%\n", encoding="utf-8")
    data = report_json("2025-12", "--ledger", str(path), "--today", "2026-01-15")
    assert (data["start_mrr"], data["expansion"], data["churn"], data["nrr_pct"]) == (
        "104000.00", "3000.00", "1000.00", 101.92)
    # the file decides, not each column (review: whole amounts beside 102,00% were refused); a title line with
    # commas above a semicolon table does not decide the delimiter
    whole = tmp_path / "whole.csv"
    whole.write_text("Acme GmbH, NRR ledger, 2025\nMonth;MRR (Start of Period);Expanded MRR;Churned MRR;"
                     "Downgraded MRR;NRR Rate\n2025-11;100.000;5.000;2.000;1.000;102,00%\n"
                     "2025-12;102.000;3.000;1.000;0;101,96%\n", encoding="utf-8")
    data = report_json("2025-12", "--ledger", str(whole), "--today", "2026-01-15")
    assert (data["start_mrr"], data["expansion"], data["churn"]) == ("102000.00", "3000.00", "1000.00")
    assert data["warnings"] == ["F3: Read with decimal commas, as this file writes its figures ('102,00%'): 1.200,50 "
                                "is 1200.50, 1.200 is 1200 and 1,5 is 1.5. If the file means otherwise, write its "
                                "figures with a decimal point."]
    # one rate of 101,196% in a European file is no thousands comma (review: every figure was refused); a Notes
    # column holding semicolons leaves a comma file a comma file (review: the naive split chose the semicolon)
    rate = tmp_path / "rate.csv"
    rate.write_text("Month;MRR (Start of Period);Expanded MRR;Churned MRR;Downgraded MRR;NRR Rate\n"
                    "2025-11;18240,00;372,40;162,20;81,10;100,71%\n2025-12;18369,10;400,00;150,00;30,00;101,196%\n")
    assert report_json("2025-12", "--ledger", str(rate), "--today", "2026-01-15")["start_mrr"] == "18369.10"
    notes = tmp_path / "notes.csv"
    notes.write_text('Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR,Notes\n'
                     '2025-11,"$1,200","$100",$20,$10,upsell; two seats\n2025-12,"$1,270",$50,$20,$0,ok; fine\n')
    assert report_json("2025-12", "--ledger", str(notes), "--today", "2026-01-15")["start_mrr"] == "1270.00"
    # a US file's thousands commas keep it a US file, whatever two typos or a Seats column of 1,5 write (fuzz 15:
    # its figures were read a thousand times smaller)
    seats = tmp_path / "seats.csv"
    seats.write_text('Customer,Month,MRR,Seats\nAlpha,2025-01,"1,000","1,5"\nBeta,2025-01,"2,500","2,5"\n'
                     'Alpha,2025-02,"1,200",1\nBeta,2025-02,"2,000",2\n')
    assert report_json("2025-02", "--ledger", str(seats), "--today", "2025-03-05")["start_mrr"] == "3500.00"
    # one stray decimal comma in a US file reads no "1,000" as 1: that cell alone is refused
    stray = tmp_path / "stray.csv"
    stray.write_text('Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR\n'
                     '2025-10,"100,000","5,000","2,000","1,000"\n2025-11,"102,000","3,000","1,000","0,00"\n')
    code, out, err = run("validate", "--ledger", str(stray))
    assert code == 1 and [line for line in (out + err).splitlines() if line.startswith("error")] == [
        "error: E3 (November 2025): Downgraded MRR '0,00' is not an amount that reads one way only: 0,00 has a "
        "decimal comma; write 0.00."]
    # a file written both ways cannot be read one way: each cell refused, as before
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("Month;MRR (Start of Period);Expanded MRR;Churned MRR;Downgraded MRR\n"
                     "2025-11;100.000,00;5000;2000;1000\n2025-12;1,200.50;3000;1000;0\n", encoding="utf-8")
    code, out, err = run("validate", "--ledger", str(mixed))
    assert code == 1 and "B2 (November 2025): MRR (Start of Period) '100.000,00' is not an amount that reads one way" \
        in out + err, out + err


@pytest.mark.parametrize("raised", [OSError(12, "Cannot allocate memory"),
                                    ImportError("libpolars.so: failed to map segment from shared object"),
                                    ValueError("Memory allocation failed : growing buffer")])
def test_memory_running_out_in_other_words_is_said_as_memory(monkeypatch: pytest.MonkeyPatch,
                                                             raised: Exception) -> None:
    """At a memory limit the failure may be ENOMEM's words, a shared library that could not be mapped, or libxml2's
    (review): each is memory running out, not an internal error."""
    import nrr.cli

    def broken(*_: object) -> int:
        raise raised

    monkeypatch.setitem(nrr.cli.COMMANDS, "validate", broken)
    code, _, err = run("validate")
    assert code == 1 and err.startswith("nrr validate: ran out of memory ("), err


def test_internal_errors_are_one_line_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import nrr.cli

    def broken(*_: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setitem(nrr.cli.COMMANDS, "validate", broken)
    code, _, err = run("validate")
    assert code == 70
    assert err == ("nrr: internal error (RuntimeError: boom). Run again with NRR_DEBUG=1 to see the "
                   "traceback, and report it.\n")


def test_a_librarys_error_record_prints_no_traceback_in_a_one_shot_command(tmp_path: Path) -> None:
    """SQLAlchemy's pool logs "Exception during reset or similar" with its traceback when it cannot roll back a
    DuckDB connection left with no memory; logging's last resort printed it after nrr's own words (flaky under
    ``prlimit``: test_a_process_memory_limit_is_said_in_words_never_a_traceback). A database's ledger is read so;
    a file's never opens one, and its report does not import logging to quiet it."""
    import subprocess

    import duckdb

    with duckdb.connect(str(tmp_path / "t.duckdb")) as con:
        con.execute("CREATE TABLE mrr AS SELECT 'A' AS customer_id, DATE '2026-01-01' AS month, 100.0 AS mrr")
    ledger = f"{tmp_path / 't.duckdb'}#mrr"
    script = ("import logging, sys\n"
              "from nrr.cli import main\n"
              f"code = main(['validate', '--ledger', {ledger!r}], env={{'NRR_CONFIG': ''}})\n"
              "try:\n    raise MemoryError('bad allocation')\n"
              "except MemoryError:\n"
              "    logging.getLogger('sqlalchemy.pool.impl.QueuePool').error('Exception during reset', exc_info=True)\n"
              "sys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False,
                          cwd=ROOT)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    asked = ["report", "2026-10", "--json", "--ledger", str(EXAMPLE_LEDGER)]
    done = subprocess.run([sys.executable, "-c", "import sys\nfrom nrr.cli import main\n"
                           f"main({asked!r}, env={{'NRR_CONFIG': ''}})\n"
                           "print('logging' in sys.modules, file=sys.stderr)"],
                          capture_output=True, text=True, timeout=60, check=False, cwd=ROOT)
    assert done.stderr == "False\n", done.stderr


@pytest.mark.parametrize("at_limit", [True, False])
def test_an_error_at_the_address_space_limit_is_said_as_memory(at_limit: bool) -> None:
    """CI, under ``prlimit --as=300MB``: "nrr: internal error (SystemError: error return without exception set)",
    a C extension whose allocation failed without saying so. A process that reached its limit says memory ran out,
    naming what was raised; the same error below the limit is still an internal error."""
    import subprocess

    script = ("import resource, sys\n"
              "import nrr.cli\n"
              "size = next(int(line.split()[1]) << 10 for line in open('/proc/self/status') "
              "if line.startswith('VmSize:'))\n"
              "limit = size + (256 << 20)\n"
              f"if {at_limit}:\n"
              "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
              "def command(args, runtime, out):\n"
              "    held = []\n"
              "    try:\n"
              "        while len(held) < 64:\n"
              "            held.append(bytearray(8 << 20))\n"
              "    except MemoryError:\n"
              "        pass\n"
              "    held.clear()\n"
              "    raise SystemError('error return without exception set')\n"
              "nrr.cli.COMMANDS['validate'] = command\n"
              f"sys.exit(nrr.cli.main(['validate', '--ledger', {str(EXAMPLE_LEDGER)!r}], env={{'NRR_CONFIG': ''}}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False,
                          cwd=ROOT)
    assert "Traceback" not in done.stderr, done.stderr
    if at_limit:
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith("nrr validate: ran out of memory (SystemError: error return without exception "
                                      "set): the process reached its memory limit"), done.stderr
    else:
        assert done.returncode == 70, done.stderr
        assert done.stderr.startswith("nrr: internal error (SystemError: error return"), done.stderr
    # a real bug raised after the process came near its limit is still an internal error (review: a KeyError was
    # said as memory running out)
    bug = script.replace("raise SystemError('error return without exception set')", "raise KeyError('segment')")
    done = subprocess.run([sys.executable, "-c", bug], capture_output=True, text=True, timeout=60, check=False,
                          cwd=ROOT)
    assert done.returncode == 70 and done.stderr.startswith("nrr: internal error (KeyError: 'segment')"), done.stderr


def test_a_missing_extra_is_named_with_the_command_that_installs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sheets

    for name in ("sheets._client", "sheets._source", "sheets._fill", "sheets._cellplan", "sheets._template"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    for name in ("SheetsClient", "GoogleSheetSource", "LedgerCache", "fill_sheet", "init_sheet"):
        monkeypatch.delitem(vars(sheets), name, raising=False)
    monkeypatch.setitem(sys.modules, "gspread", None)  # what an install without nrr[sheets] looks like
    code, out, err = run("fill", "--ledger", "gsheet:1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789")
    assert (code, out) == (1, "")
    assert err == ("nrr fill needs the sheets extra, which is not installed: pip install 'nrr[sheets]' "
                   "(or 'nrr[all]').\n")


def test_a_quoted_header_with_a_line_break_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text('Month,"MRR (Start\nof Period)",Expanded MRR,"Churned\nMRR",Downgraded MRR\r\n'
                    '2026-01,"100,000",15000,5000,2000\r\n', encoding="utf-8")
    data = report_json("2026-01", "--ledger", str(path), "--today", "2026-02-03")
    assert (data["nrr_pct"], data["churn"]) == (108.0, "5000.00")


def short_ledger(tmp_path: Path, months: int) -> str:
    path = tmp_path / "ledger.csv"
    rows = [",".join(HEADER[:5])] + [f"2026-{m:02d},100000,9000,500,300" for m in range(1, months + 1)]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def test_one_month_of_history_gets_no_tier_and_says_how_many_more_it_needs(tmp_path: Path) -> None:
    ledger = short_ledger(tmp_path, 1)
    data = report_json("2026-01", "--ledger", ledger, "--today", "2026-02-03")
    assert data["benchmark"] is None
    assert (data["trailing_12m"]["nrr_pct"], data["trailing_12m"]["months"]) == (None, 1)
    assert data["trailing_12m"]["undefined"].startswith("no annual figure yet")
    code, out, _ = run("report", "2026-01", "--ledger", ledger, "--today", "2026-02-03")
    assert code == 0 and "Tier" not in out and "annualized" not in out
    assert ("Benchmarks: No annual figure yet: benchmarks compare a year of retention, and the ledger has 1 month "
            "of history to January 2026; it needs 5 more months for an indicative figure (6 months), 11 more "
            "months for the trailing 12 months.") in out.replace("\n", " ")


def test_eight_months_are_annualized_and_labelled_indicative(tmp_path: Path) -> None:
    ledger = short_ledger(tmp_path, 8)
    data = report_json("2026-08", "--ledger", ledger, "--today", "2026-09-03")
    assert data["benchmark"]["indicative"] is True and data["trailing_12m"]["annualized"] is True
    code, out, _ = run("report", "2026-08", "--ledger", ledger, "--today", "2026-09-03")
    assert code == 0 and "(annualized from 8 months to Aug 2026, indicative; chained from month totals: " in out


def test_a_missing_single_month_is_named_once(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(",".join(HEADER[:5]) + "\n2026-04,100,0,0,0\n2026-06,100,0,0,0\n")
    code, _, err = run("report", "May 2026", "--ledger", str(path), "--today", "2026-07-03")
    assert (code, err) == (1, "May 2026 has no row in the ledger. Add it, or ask for another month.\n")
    data = report_json("2026-04", "--ledger", str(path), "--today", "2026-07-03")
    assert data["change"] is None
    assert data["change_unavailable"] == ("No comparison with the period before: March 2026 is before the ledger "
                                          "starts; the first month is April 2026.")
    # the terminal says it too, where the change line would be (fuzz 14: it left the line out without a word)
    code, out, _ = run("report", "2026-04", "--ledger", str(path), "--today", "2026-07-03")
    assert code == 0 and "No comparison with the period before: March 2026 is before the ledger" in " ".join(
        out.replace("│", " ").split())


def test_a_single_month_sum_report_carries_its_benchmark_basis_caveat() -> None:
    data = report_json("2026-10", "--method", "sum", "--ledger", str(EXAMPLE_LEDGER), "--today", "2026-11-05")
    assert data["warnings"] == [
        "Benchmark basis (the trailing 12 months): The sum method treats the rows as one cohort, but December "
        "2025's Start is not November 2025's End (new customers joined in between); the chained method fits this "
        "ledger."]


def test_mrr_growth_says_what_it_is_measured_against() -> None:
    data = report_json("last-quarter", "--ledger", str(EXAMPLE_LEDGER), "--today", "2026-11-05")
    assert (data["mrr_growth_pct"], data["mrr_growth_basis"]) == (7.25, "next_month_start")
    _, out, _ = run("report", "last-quarter", "--ledger", str(EXAMPLE_LEDGER), "--today", "2026-11-05")
    assert "MRR growth is measured from the Start of Jul 2026 to the Start of Oct 2026 (the month after the span)." \
        in " ".join(line.strip("│ ") for line in out.splitlines())


def test_a_customer_report_says_why_its_money_rows_are_not_the_cohort() -> None:
    _, out, _ = run("report", "ttm", "--ledger", str(ROOT / "examples" / "customers.csv"), "--today", "2026-11-05")
    flat = " ".join(line.strip("│ ") for line in out.splitlines())
    assert ("The movements above are every customer's, month by month, new customers' included; the cohort figures "
            "follow the 29 customers paying in Oct 2025: $58,944 then, $62,606 in Oct 2026.") in flat


def test_a_cohort_of_one_customer_is_one_customer_not_one_customers(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("Customer,Segment,Month,MRR\nAcme,SMB,2026-01,100\nAcme,SMB,2026-02,100\nAcme,SMB,2026-03,150\n")
    for where in ((), ("--where", "Segment=SMB")):
        _, out, _ = run("report", "2026-03", "--ledger", str(path), "--today", "2026-04-05", *where)
        flat = " ".join(line.strip("│ ") for line in out.splitlines())
        assert "1 customers" not in flat and "1 SMB customers" not in flat
    _, out, _ = run("report", "2026-03", "--ledger", str(path), "--today", "2026-04-05")
    flat = " ".join(line.strip("│ ") for line in out.splitlines())
    assert "(cohort: 1 customer paying in Feb 2026)" in flat
    assert "the cohort figures follow the 1 customer paying in Feb 2026: $100 then, $150 in Mar 2026." in flat


def test_a_quick_ratio_with_nothing_lost_says_why_it_is_not_shown(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text("Month,Starting MRR,Expansion MRR,Churn MRR,Contraction MRR\n"
                    "2026-01,1000,100,0,0\n2026-02,1200,0,0,0\n")
    _, out, _ = run("report", "2026-01", "--ledger", str(path), "--today", "2026-03-05")
    assert [" ".join(line.strip("│ ").split()) for line in out.splitlines() if "Quick ratio" in line] == [
        "Quick ratio n/a (no churn or contraction)"]


def test_a_customer_table_whose_rows_stop_before_the_currency_column_reads(tmp_path: Path) -> None:
    """An export that drops a row's trailing blank cells: 'internal error (IndexError ...)', exit 70."""
    path = tmp_path / "customers.csv"
    path.write_text("Customer,Month,MRR,Currency\nAcme,2026-01,100,USD\nBeta,2026-01,50\nAcme,2026-02,100,USD\n"
                    "Beta,2026-02,40\n")
    data = report_json("2026-02", "--ledger", str(path), "--today", "2026-03-05")
    assert (data["nrr_pct"], data["currency"]) == (93.33, "USD")


def test_a_report_with_no_state_database_yet_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    # the example names sqlite:///nrr-state.db; run where that file does not exist: no Slack setup can be there
    import subprocess

    code = ("import sys; from nrr.cli import main; "
            f"main(['report', '--config', {str(EXAMPLE_CONFIG)!r}, '--today', '2026-11-05'], env={{}}); "
            "print('sqlalchemy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False"
    assert not (tmp_path / "nrr-state.db").exists()


def test_a_json_report_on_a_csv_loads_only_what_it_uses(tmp_path: Path) -> None:
    """Start-up is most of a small file's answer: no rich for JSON, nor Stripe's, a warehouse's, billing data's,
    the forecast's or the digest's modules (each package loads them on first use), nor zipfile, nor polars for a
    small table."""
    import subprocess

    code = ("import sys; from nrr.cli import main; "
            f"main(['report', 'ttm', '--json', '--ledger', {str(ROOT / 'examples' / 'customers.csv')!r}, "
            "'--today', '2026-11-05'], env={}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'zipfile', 'polars', 'numpy') "
            "or m in ('stripe_source._source', 'warehouse._source', 'engine._billing', 'engine._forecast', "
            "'engine._digest')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_a_month_refused_on_a_sheet_with_a_table_not_read_says_so(tmp_path: Path) -> None:
    # the 2025 table beside the 2024 one was not read: "not in the ledger yet" alone sent the user looking for rows
    # that are there (a fresh-eyes try)
    path = tmp_path / "years.csv"
    path.write_text(",".join([*HEADER[:5], "", *HEADER[:5]]) + "\n2024-12,1000,30,10,5,,2025-01,1015,0,0,0\n")
    code, _, err = run("report", "2025-01", "--ledger", str(path), "--today", "2025-03-10")
    assert (code, err) == (1, "January 2025 is not in the ledger yet; the latest month is December 2024. Ask for a "
                              "period that ends by then (2024-12). Part of the sheet is not read, a second table "
                              "beside or under the ledger: nrr validate says where.\n")


def test_the_period_offered_instead_avoids_a_month_without_figures(tmp_path: Path) -> None:
    # "(2025-03..2025-05)" was offered, and refused in turn for March's blank row (fuzz 6)
    path = tmp_path / "ledger.csv"
    path.write_text("Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR\n"
                    "2025-01,100000,5000,2000,1000\n2025-02,102000,4000,3000,500\n2025-03,,,,\n2025-04,105500,2000,5000,1000\n"
                    "2025-05,101500,2000,5000,1000\n", encoding="utf-8")
    code, _, err = run("report", "Q2 2025", "--ledger", str(path), "--today", "2025-07-10")
    assert (code, err) == (1, "June 2025 is not in the ledger yet; the latest month is May 2025. Ask for a period that "
                              "ends by then (2025-04..2025-05), or answer as of then with --today 2025-06-01.\n")
    assert run("report", "2025-04..2025-05", "--ledger", str(path), "--today", "2025-07-10")[0] == 0


@pytest.mark.parametrize(("value", "on"), [("1", True), ("yes", True), ("0", False), ("false", False), ("", False),
                                           ("off", False)])
def test_nrr_debug_0_or_false_is_off(value: str, on: bool) -> None:
    from nrr.cli import debug_on

    assert debug_on({"NRR_DEBUG": value}) is on  # 0 and false had turned it on (fuzz 8)


def test_files_settings_and_flags_a_person_could_have_are_said_in_words(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Each was an internal error (exit 70) or a misleading message (fuzz 13)."""
    code, _, err = run("validate", "--ledger", str(tmp_path))
    assert (code, err) == (1, f"{tmp_path}: is a folder, not a ledger file. Pass the file inside it with --ledger "
                              "PATH or set [ledger] source in nrr.toml.\n")
    config = tmp_path / "nrr.toml"
    config.write_text('[company]\ncurrency = "EUR"\n', encoding="utf-16")  # Notepad's "Unicode"
    code, _, err = run("validate", "--config", str(config), "--ledger", str(EXAMPLE_LEDGER))
    assert (code, err) == (1, f"{config}: the file is UTF-16; save it as UTF-8 (in Notepad: Save As, Encoding "
                              "UTF-8) and start again.\n")
    config.write_bytes(b'\xef\xbb\xbf[company]\ncurrency = "EUR"\n')  # UTF-8 with a byte-order mark: read
    assert run("validate", "--config", str(config), "--ledger", str(EXAMPLE_LEDGER))[0] == 0
    code, _, err = run("validate", "--ledger", "postgresql://nrr@127.0.0.1:abc/db#t")
    assert code == 1 and "the URL cannot be read (Port could not be cast to integer value as 'abc')" in err
    capsys.readouterr()
    assert run("report", "ttm", "--today", "0001-01-01", "--ledger", str(EXAMPLE_LEDGER))[0] == 2
    assert "'0001-01-01' is outside the years nrr answers for (1900 to 9998)" in capsys.readouterr().err
    assert run("report", "--by", " ", "--ledger", str(EXAMPLE_LEDGER))[0] == 2
    assert "a column name is needed, such as --by Segment" in capsys.readouterr().err
    assert run("serve", "--port", "99999")[0] == 2
    assert "'99999' is not a port: a whole number from 0 to 65535" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://", "sqlite:///:memory:"])
def test_a_state_database_held_in_memory_is_refused(url: str) -> None:
    # forgotten when nrr stops: `nrr digest` run twice posted the month twice (fuzz 13)
    from nrr import ConfigError
    from nrr.state import StateStore

    with pytest.raises(ConfigError, match="is held in memory and forgotten when nrr stops"):
        StateStore(url)


def test_a_file_whose_name_holds_a_hash_is_read_as_that_file(tmp_path: Path) -> None:
    # "ledger #2.csv: not a ledger source I can read. Use a .csv ..." ('#2.csv' taken for a worksheet; fuzz 13)
    path = tmp_path / "Q#3" / "ledger #2.csv"
    path.parent.mkdir()
    path.write_bytes(EXAMPLE_LEDGER.read_bytes())
    code, out, _ = run("validate", "--ledger", str(path))
    assert code == 0 and out.startswith(f"{path}: valid")


def test_validate_warns_of_rows_for_months_not_begun(tmp_path: Path) -> None:
    # a row for December 2026 on 5 May 2026 was accepted without a word; every answer leaves it out (a newcomer's try)
    path = tmp_path / "l.csv"
    path.write_text("Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR\n2026-01,100,0,0,0\n"
                    "2026-02,100,0,0,0\n2026-03,100,0,0,0\n2026-12,100,0,0,0\n", encoding="utf-8")
    code, out, _ = run("validate", "--ledger", str(path), "--today", "2026-05-05")
    assert code == 0
    assert ("warning: December 2026 has not begun yet (this is May 2026): every answer leaves it out until it "
            "closes. If it is a year typed wrong, correct the month.") in " ".join(out.split())
    assert out.rstrip().endswith("2 warning(s).")
    code, out, _ = run("validate", "--ledger", str(EXAMPLE_LEDGER), "--today", "2026-11-05")
    assert "not begun" not in out  # the month in progress is no warning, nor is a ledger ending before it


def test_a_month_typed_years_ahead_is_not_a_gap_of_the_months_between(tmp_path: Path) -> None:
    # 2052-06 for 2025-06 warned "No row for January 2027 to May 2052 (305 months missing ...)" beside the
    # "has not begun" warning, in nrr validate and every report (a fresh-eyes try): months not begun are not missing
    rows = [f"{y}-{m:02d},100,0,0,0" for y in (2025, 2026) for m in range(1, 13)]
    rows[5] = "2052-06,100,0,0,0"
    path = tmp_path / "typo.csv"
    path.write_text("Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    code, out, _ = run("validate", "--ledger", str(path), "--today", "2027-01-10")
    said = " ".join(out.split())
    assert code == 0 and "No row for June 2025 (1 month missing" in said and "June 2052 has not begun" in said
    assert "January 2027" not in said.replace("(this is January 2027)", "") and said.endswith("2 warning(s).")
    code, out, _ = run("report", "last-month", "--json", "--ledger", str(path), "--today", "2027-01-10")
    warnings = json.loads(out)["warnings"]
    assert code == 0 and len(warnings) == 1 and "June 2025" in warnings[0]
    # a gap that runs into the month in progress is missing up to the month before it
    rows = [f"2026-{m:02d},100,0,0,0" for m in range(1, 4)] + ["2026-12,100,0,0,0"]
    path.write_text("Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    code, out, _ = run("validate", "--ledger", str(path), "--today", "2026-06-05")
    assert "No row for April 2026 to May 2026 (2 months missing between March 2026 and December 2026)" in \
        " ".join(out.split())


def test_json_shows_no_negative_zero(tmp_path: Path) -> None:
    # a contraction change of -0.00004 points was printed as "contraction_pts": -0.0 (a fresh-eyes try)
    path = tmp_path / "l.csv"
    path.write_text("Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR\n2026-01,100000,2000,1000,0\n"
                    "2026-02,100000,3000,1000,1000\n2026-03,100000,3000,1000,1000.4\n", encoding="utf-8")
    code, out, _ = run("report", "Mar 2026", "--json", "--ledger", str(path), "--today", "2026-06-05")
    assert code == 0 and "-0.0," not in out and '"contraction_pts": 0.0' in out


def test_revenue_vanished_between_rows_is_why_the_quick_ratio_is_not_shown(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR\n2026-01,100000,1000,500,200\n"
                    "2026-02,90000,1000,500,200\n", encoding="utf-8")
    code, out, _ = run("report", "Jan 2026", "--json", "--ledger", str(path), "--today", "2026-05-05")
    answer = json.loads(out)
    assert code == 0 and answer["vanished_mrr"] == "10300.00" and answer["new_business"] is None
    assert answer["quick_ratio"] is None and answer["mrr_growth_pct"] == -10.0
    code, out, _ = run("report", "Jan 2026", "--ledger", str(path), "--today", "2026-05-05")
    assert "n/a ($10,300 vanished between the rows unrecorded)" in out and "New business" not in out


def test_a_mistyped_option_is_told_with_its_commands_usage(capsys: pytest.CaptureFixture[str]) -> None:
    # "usage: nrr [-h] COMMAND ..." said nothing of report's options (a newcomer's try)
    code, _, _ = run("report", "--ledgr", "x")
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("usage: nrr report [-h] [--ledger SOURCE]")
    assert err.rstrip().endswith("nrr report: error: unrecognized arguments: --ledgr")


def test_a_ledger_in_another_currency_than_the_configured_one_is_answered_in_its_own_with_a_warning(
        tmp_path: Path) -> None:
    # a sheet made by an older template shows $ whatever [company] currency says: its euros were answered as dollars
    # without a word (a review)
    path = tmp_path / "l.csv"
    path.write_text("Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR\n2026-01,$100,$5,$1,$1\n"
                    "2026-02,$103,$5,$1,$1\n", encoding="utf-8")
    config = tmp_path / "nrr.toml"
    config.write_text('[company]\ncurrency = "EUR"\n', encoding="utf-8")
    code, out, _ = run("report", "2026-02", "--ledger", str(path), "--config", str(config), "--json",
                       "--today", "2026-03-05")
    data = json.loads(out)
    assert code == 0 and data["currency"] == "USD"
    assert data["warnings"] == [
        "The ledger's money is in USD, as its figures or its Currency column show, and [company] currency is EUR: "
        "every figure here is in USD. If its figures are in EUR, show them so (format the money cells as EUR; a "
        "template nrr made before December 2026 shows $ whatever the currency), or set [company] currency to USD."]
    config.write_text("[company]\nsegment = \"smb\"\n", encoding="utf-8")  # no currency named: no warning
    code, out, _ = run("report", "2026-02", "--ledger", str(path), "--config", str(config), "--json",
                       "--today", "2026-03-05")
    assert json.loads(out)["warnings"] == []


def test_a_sheet_named_after_a_csv_is_refused_not_dropped(tmp_path: Path) -> None:
    # 'l.csv#Sheet1' validated l.csv without a word about the tab it named (a newcomer's try)
    path = tmp_path / "l.csv"
    path.write_bytes(EXAMPLE_LEDGER.read_bytes())
    code, out, err = run("validate", "--ledger", f"{path}#Sheet1")
    assert (code, out) == (1, "")
    assert " ".join(err.split()) == (f"{path}#Sheet1: {path} is a text file, one table with no sheets, so #Sheet1 "
                                     f"names nothing in it; pass {path} alone, or the workbook (.xlsx) that holds "
                                     "the Sheet1 tab.")


def test_a_state_url_written_postgres_is_postgresql() -> None:
    # Heroku's DATABASE_URL form: "Can't load plugin: sqlalchemy.dialects:postgres" (fuzz 13)
    from tests.helpers import POSTGRES_URL

    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server (.ci/run starts one where it can)")
    _, out, err = run("doctor", env={"NRR_STATE_URL": "postgres://" + POSTGRES_URL.split("://", 1)[1]})
    assert "Can't load plugin" not in out + err


def test_a_csv_named_tsv_is_read_by_its_commas(tmp_path: Path) -> None:
    # "No 'Month', ... columns in the header" though it held them all, split at tabs (fuzz 13)
    path = tmp_path / "ledger.tsv"
    path.write_bytes(EXAMPLE_LEDGER.read_bytes())
    code, out, _ = run("validate", "--ledger", str(path))
    assert code == 0 and out.startswith(f"{path}: valid")


def test_a_huge_cell_is_quoted_by_its_first_characters(tmp_path: Path) -> None:
    # a 200,000-character cell was said back whole in its error (fuzz 13's long line)
    path = tmp_path / "long.csv"
    path.write_text(",".join(HEADER[:5]) + "\n2026-01,100,1,1,1\n2026-02," + "x" * 200_000 + ",1,1,1\n")
    code, out, err = run("validate", "--ledger", str(path))
    assert code == 1 and len(out + err) < 1000 and "'xxxxxxxx" in out + err


def test_a_period_to_date_benchmarks_the_trailing_year_to_the_last_closed_month(tmp_path: Path) -> None:
    """Fuzz 16: with this month's first days in the ledger, `this-month` benchmarked a trailing 12 months to this
    month, a few days of it counted as a whole month; the basis is the 12 months to the last closed one."""
    path = tmp_path / "ledger.csv"
    path.write_text(EXAMPLE_LEDGER.read_text(encoding="utf-8").rstrip("\n") + "\n2026-11,653317,100,0,0,,\n",
                    encoding="utf-8")
    closed = report_json("ttm", "--ledger", str(path), "--today", "2026-11-05")
    for period in ("this-month", "this-quarter"):
        data = report_json(period, "--ledger", str(path), "--today", "2026-11-05")
        assert data["period"]["to_date"] is True
        assert data["trailing_12m"] == closed["trailing_12m"] and data["trailing_12m"]["as_of"] == "2026-10"
    # without this month's row, a period to date ends in the latest closed month, benchmarked to it (fuzz 17: to
    # September, one closed month short)
    for period in ("this-quarter", "2026", "ytd", "last-month"):
        data = report_json(period, "--ledger", str(EXAMPLE_LEDGER), "--today", "2026-11-05")
        assert data["trailing_12m"] == closed["trailing_12m"], period


def test_a_period_to_dates_segment_benchmarks_are_to_the_last_closed_month_too(tmp_path: Path) -> None:
    """Fuzz 21: `this-month --by Segment` benchmarked each segment's 12-month cohort to the month in progress, two
    customers not invoiced yet: Enterprise 69.05% Critical, where the company's figure and `--where` took April."""
    rows = ["Customer ID,Customer,Month,MRR,Segment"]
    pays = {"A": ("Alpha", "Enterprise", 2000), "B": ("Beta", "Enterprise", 3000), "C": ("Cobalt", "SMB", 800),
            "D": ("Delta", "SMB", 600)}
    for key, (name, segment, mrr) in pays.items():
        for i in range(17):  # Jan 2025 to May 2026, May in progress: Beta and Delta not invoiced yet
            month = f"{2025 + (i >= 12)}-{i % 12 + 1:02d}"
            paid = 0 if i == 16 and key in "BD" else mrr + 50 * i
            rows.append(f"{key},{name},{month},{paid},{segment}")
    path = tmp_path / "customers.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    data = report_json("this-month", "--by", "Segment", "--ledger", str(path), "--today", "2026-05-12")
    assert data["trailing_12m"]["as_of"] == "2026-04"
    for segment in data["segments"]:
        alone = report_json("this-month", "--where", f"Segment={segment['segment']}", "--ledger", str(path),
                            "--today", "2026-05-12")
        assert segment["benchmark"]["nrr_pct"] == alone["trailing_12m"]["nrr_pct"], segment["segment"]
        assert alone["trailing_12m"]["as_of"] == "2026-04"
    april = report_json("2026-04", "--by", "Segment", "--ledger", str(path), "--today", "2026-05-12")
    assert [s["benchmark"] for s in data["segments"]] == [s["benchmark"] for s in april["segments"]]


def test_a_ledger_laid_out_before_its_first_revenue_is_benchmarked_on_the_months_since(tmp_path: Path) -> None:
    """Fuzz 21: two rows of zeros ahead of the first revenue (a template laid out early) left the ledger without an
    annual figure for a year ("12 months, not annualized", "February 2025 started with no recurring revenue"), where
    the same ledger without them was annualized from 11 months."""
    lines = ["Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR"]
    start = 1000
    for i in range(11):  # Mar 2025 to Jan 2026
        lines.append(f"{2025 + (i >= 10)}-{(i + 2) % 12 + 1:02d},{start},50,20,10")
        start += 20
    path, zeros = tmp_path / "ledger.csv", tmp_path / "zeros.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    zeros.write_text("\n".join([lines[0], "2025-01,0,0,0,0", "2025-02,0,0,0,0", *lines[1:]]) + "\n", encoding="utf-8")
    plain, laid_out = (report_json("2026-01", "--ledger", str(p), "--today", "2026-02-10") for p in (path, zeros))
    assert laid_out["trailing_12m"] == plain["trailing_12m"]
    assert (plain["trailing_12m"]["months"], plain["trailing_12m"]["annualized"]) == (11, True)
    assert laid_out["benchmark"] == plain["benchmark"] and laid_out["benchmark"] is not None
    # a customer table whose first months are all 0: no 12-month cohort of nobody, the months since chained
    table = tmp_path / "customers.csv"
    table.write_text("Customer,Month,MRR\nA,2025-01,0\nA,2025-02,0\n" + "".join(
        f"{c},{2025 + (i >= 10)}-{(i + 2) % 12 + 1:02d},{base + 10 * i}\n" for c, base in (("A", 1000), ("B", 500))
        for i in range(11)), encoding="utf-8")
    data = report_json("2026-01", "--ledger", str(table), "--today", "2026-02-10")
    assert data["trailing_12m"]["nrr_pct"] is not None and data["trailing_12m"]["annualized"] is True
    assert data["benchmark"] is not None


def test_a_month_missing_inside_the_ledger_is_named_where_it_cuts_the_annual_figure_short(tmp_path: Path) -> None:
    """Fuzz 16: a ledger of 13 months missing July was benchmarked 'annualized from 7 months', without saying why."""
    lines = EXAMPLE_LEDGER.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "ledger.csv"
    path.write_text("\n".join(line for line in lines if not line.startswith("Jul 2026")) + "\n", encoding="utf-8")
    data = report_json("2026-10", "--ledger", str(path), "--today", "2026-11-05")
    assert data["trailing_12m"]["months"] == 3 and data["trailing_12m"]["missing_months"] == ["2026-07"]
    assert "July 2026 is missing from the ledger" in data["trailing_12m"]["undefined"]
    code, out, _ = run("report", "2026-10", "--ledger", str(path), "--today", "2026-11-05")
    assert code == 0 and "July 2026 is missing from the ledger" in out
    path.write_text("\n".join(line for line in lines if not line.startswith("Feb 2026")) + "\n", encoding="utf-8")
    data = report_json("2026-10", "--ledger", str(path), "--today", "2026-11-05")
    assert (data["trailing_12m"]["annualized"], data["trailing_12m"]["months"]) == (True, 8)
    assert data["trailing_12m"]["missing_months"] == ["2026-02"] and data["benchmark"]["indicative"] is True
    code, out, _ = run("report", "2026-10", "--ledger", str(path), "--today", "2026-11-05")
    assert "(annualized from 8 months to Oct 2026, indicative; February 2026 is missing from the ledger: only the " \
           "months after it count; add its row for 12;" in " ".join(out.split())
    # a run of months missing is named whole (review: "add December's row", November missing too)
    path.write_text("\n".join(line for line in lines if not line.startswith(("Jan 2026", "Feb 2026"))) + "\n",
                    encoding="utf-8")
    data = report_json("2026-10", "--ledger", str(path), "--today", "2026-11-05")
    assert data["trailing_12m"]["missing_months"] == ["2026-01", "2026-02"]
    code, out, _ = run("report", "2026-10", "--ledger", str(path), "--today", "2026-11-05")
    assert "January 2026 to February 2026 are missing from the ledger: only the months after them count; add " \
           "their rows for 12" in " ".join(out.split())


def test_running_out_of_memory_gives_back_the_rows_read_and_the_reserve_before_saying_so() -> None:
    """Fuzz 24: a 300,000-row subscriptions table under `prlimit --as=800MB` ended, run to run, in the one-line
    message, a bare chain of MemoryErrors, or a hang in the handler itself: the frames the error unwound still held
    every row read, and the handler's own allocations failed. It now gives back a reserve held from the start, and
    the unwound frames' locals, first (the whole command at the limit: 5 runs of 5 said it in one line, in 5 s)."""
    import gc
    import weakref

    from nrr import cli

    class Rows:  # what a reader holds at the limit
        pass

    def read() -> None:
        rows = Rows()
        held.append(weakref.ref(rows))
        raise MemoryError

    held: list[weakref.ref[Rows]] = []
    cli._hold_reserve()
    reserve = cli._RESERVE[-1]
    gc.disable()  # only the frames' clearing may free the rows
    try:
        try:
            read()
        except MemoryError as exc:
            assert held[0]() is not None  # the traceback keeps the reader's frame, and its rows
            cli._let_go(exc)
            assert held[0]() is None and not cli._RESERVE and reserve.closed
    finally:
        gc.enable()


def test_a_reports_months_are_never_cut_to_fit_a_narrow_terminal(tmp_path: Path) -> None:
    # at 80 columns a $48M ARR ledger's month table showed GRR "94.4…", digits missing from a figure (a fresh-eyes
    # try): the columns that do not fit go in a block of their own, as nrr ledger's do
    rows = [f"2025-{m:02d},{48078901.55 + 300000 * m:.2f},1234567.91,2345678.12,345678.01" for m in range(1, 13)]
    path = tmp_path / "arr.csv"
    path.write_text("Month,Starting ARR,Expansion ARR,Churn ARR,Contraction ARR\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    out = io.StringIO()
    code = main(["report", "last-quarter", "--ledger", str(path), "--today", "2026-01-05"], env={},
                stdout=Console(file=out, width=80, highlight=False), stderr=Console(file=io.StringIO(), width=80))
    shown = out.getvalue()
    assert code == 0 and "…" not in shown and "94.73%" in shown and "$51,678,902" in shown, shown


def test_a_ledger_in_euros_prints_as_csv_that_reads_back_in_euros(tmp_path: Path) -> None:
    # nrr ledger --csv printed plain figures under the template's headers: read back, a EUR ledger was in dollars
    # (a fresh-eyes try); the currency goes under the headers, as "MRR (EUR)" is read, and USD stays bare
    path = tmp_path / "euro.csv"
    path.write_text("Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR\n"
                    '2026-01,"€100,000","€1,000",€500,€200\n2026-02,"€100,300","€1,000",€500,€200\n', encoding="utf-8")
    code, printed, _ = run("ledger", "--csv", "--ledger", str(path))
    assert code == 0 and printed.splitlines()[0] == (
        "Month,MRR (Start of Period) (EUR),Expanded MRR (EUR),Churned MRR (EUR),Downgraded MRR (EUR),"
        "MRR (End of Period) (EUR),NRR Rate")
    again = tmp_path / "again.csv"
    again.write_text(printed, encoding="utf-8")
    asked = ("Jan 2026", "--today", "2026-05-10")
    first, second = report_json(*asked, "--ledger", str(path)), report_json(*asked, "--ledger", str(again))
    assert second["currency"] == first["currency"] == "EUR" and second["nrr_pct"] == first["nrr_pct"]
    code, printed, _ = run("ledger", "--csv", "--ledger", str(EXAMPLE_LEDGER))
    assert printed.splitlines()[0].startswith("Month,MRR (Start of Period),Expanded MRR,")


def test_nrr_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    # "nrr --version": "the following arguments are required: COMMAND" (a newcomer's try)
    from importlib.metadata import version

    assert main(["--version"]) == 0 and capsys.readouterr().out == f"nrr {version('nrr')}\n"
