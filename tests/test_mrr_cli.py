"""nrr mrr: the MRR per customer per month every figure comes from, as CSV to audit and as a terminal view
that fits 80 columns; refused in words on a seven-column ledger."""

from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from rich.console import Console

from nrr.cli import main
from tests.helpers import EXAMPLE_LEDGER, ROOT
from tests.test_cli import NOW

CUSTOMERS = str(ROOT / "examples" / "customers.csv")


def run(*argv: str, width: int = 80) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env={}, clock=lambda: NOW, stdout=Console(file=out, width=width, highlight=False),
                stderr=Console(file=err, width=width, highlight=False))
    return code, out.getvalue(), err.getvalue()


def flat(lines: list[str]) -> str:
    """Lines the terminal wrapped, as one line of words."""
    return " ".join(" ".join(lines).split())


def test_csv_exact_bytes_ordered_by_customer_then_month_without_the_months_at_zero(tmp_path: Path) -> None:
    source = tmp_path / "billing.csv"
    source.write_text("Customer ID,Customer,Month,MRR,Segment\n"
                      "C2,Beta Ltd,2026-02,\"$1,200.5\",SMB\n"
                      "C10,Acme Inc,2026-01,100,Enterprise\n"
                      "C2,Beta Ltd,2026-01,0,SMB\n"
                      "C10,Acme Inc,2026-03,99.99,\n"
                      "C10,\"Acme, Inc\",2026-02,100,Enterprise\n")
    code, out, err = run("mrr", "--csv", "--ledger", str(source))
    assert (code, err) == (0, "")
    # C10 before C2 (as text sorts); Beta's January at 0 is left out; Acme's name as most rows write it
    assert out == ("customer_id,customer,month,mrr,Segment\n"
                   "C10,Acme Inc,2026-01,100.00,Enterprise\n"
                   "C10,Acme Inc,2026-02,100.00,Enterprise\n"
                   "C10,Acme Inc,2026-03,99.99,\n"
                   "C2,Beta Ltd,2026-02,1200.50,SMB\n")


def test_csv_of_a_wide_table_in_two_currencies_is_in_the_reporting_currency(tmp_path: Path) -> None:
    (tmp_path / "wide.csv").write_text("Customer,Currency,Jan 2026,Feb 2026\nA,USD,100,100\nB,eur,10.05,\n")
    (tmp_path / "nrr.toml").write_text('[ledger]\nsource = "wide.csv"\n[fx]\nEUR = 1.10\n')
    code, out, err = run("mrr", "--csv", "--config", str(tmp_path / "nrr.toml"))
    assert (code, err) == (0, "")
    assert out == ("customer_id,customer,month,mrr\n"
                   "A,A,2026-01,100.00\n"
                   "A,A,2026-02,100.00\n"
                   "B,B,2026-01,11.06\n")  # 10.05 x 1.10 = 11.055: half to even


def test_an_arr_table_is_shown_as_mrr(tmp_path: Path) -> None:
    (tmp_path / "arr.csv").write_text("Customer,Month,ARR\nA,2026-01,1200\nA,2026-02,100\n")
    code, out, _ = run("mrr", "--csv", "--ledger", str(tmp_path / "arr.csv"))
    assert (code, out) == (0, "customer_id,customer,month,mrr\nA,A,2026-01,100.00\nA,A,2026-02,8.33\n")


def test_the_terminal_view_fits_80_columns_with_totals_and_the_hint() -> None:
    code, out, err = run("mrr", "--ledger", CUSTOMERS)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert max(map(len, lines)) <= 80
    assert flat(lines[:2]) == ("MRR per customer per month, USD: 40 customers, Jan 2025 to Oct 2026; the last 5 of "
                               "22 months shown.")
    lines = lines[1:]
    assert lines[1].split() == ["Customer", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert lines[2].split() == ["Acme", "Inc", "-", "$8,116.00", "$8,116.00", "$8,116.00", "$8,116.00"]
    assert lines[-3].split()[0] == "Total"
    assert flat(lines[-2:]) == ("9 customers paying nothing in these months are left out. nrr mrr --csv lists every "
                                "month, customer and attribute, one row per customer and month paid.")
    # the Total row adds up every customer's figure of the month, as the CSV lists them
    _, csv_out, _ = run("mrr", "--csv", "--ledger", CUSTOMERS)
    october = sum(Decimal(line.split(",")[3]) for line in csv_out.splitlines()[1:] if ",2026-10," in line)
    assert (lines[-3].split()[-1], october) == ("$88,649.32", Decimal("88649.32"))


def test_a_wider_terminal_shows_more_months() -> None:
    _, out, _ = run("mrr", "--ledger", CUSTOMERS, width=120)
    assert out.splitlines()[1].split()[1:] == [f"2026-{m:02}" for m in range(3, 11)]


def test_a_seven_column_ledger_is_refused_saying_what_table_it_needs() -> None:
    code, out, err = run("mrr", "--ledger", str(EXAMPLE_LEDGER), width=400)
    assert (code, out) == (1, "")
    assert err == (f"{EXAMPLE_LEDGER}: nrr mrr lists each customer's MRR month by month, so it needs a customer "
                   "table (Customer, Month, MRR: one figure per customer per month, or one column per month); this "
                   "is a seven-column ledger of month totals. Point --ledger at a customer tab or file.\n")


def test_many_customers_show_the_largest_and_the_others_on_one_row() -> None:
    from engine import mrr_view, read_customers

    table = read_customers([["Customer", "Month", "MRR"], ["A", "2026-01", "5"], ["B", "2026-01", "30"],
                            ["C", "2026-01", "20"], ["D", "2026-01", "1"], ["E", "2025-12", "9"]]).table
    assert table is not None
    assert mrr_view(table, 80, limit=2) == [
        "MRR per customer per month, USD: 5 customers, Dec 2025 to Jan 2026.",
        "The 2 largest customers in Jan 2026, largest first; the others summed on one row.",
        "Customer   2025-12   2026-01",
        "B                -    $30.00",
        "C                -    $20.00",
        "3 others     $9.00     $6.00",  # A and D in January, E in December
        "Total        $9.00    $56.00",
        "nrr mrr --csv lists every customer and attribute, one row per customer and month paid."]


def test_csv_from_a_google_sheet_tab() -> None:
    from tests.fakes.google_api import FakeGoogle
    from tests.test_sheets import env_for

    with FakeGoogle() as google:
        google.add_spreadsheet("1MrrSheet0123456789abcdefghijk", {"Customers": [
            ["Customer ID", "Customer", "Month", "MRR", "Plan"], ["002", "Beta", 46054, 400, "Pro"],
            ["001", "Acme", 46054, 1000.5, "Team"], ["002", "Beta", 46082, 0, "Pro"]]})
        out, err = io.StringIO(), io.StringIO()
        code = main(["mrr", "--csv", "--ledger", "gsheet:1MrrSheet0123456789abcdefghijk/Customers"],
                    env=env_for(google), clock=lambda: NOW, stdout=Console(file=out), stderr=Console(file=err))
    assert (code, err.getvalue()) == (0, "")
    assert out.getvalue() == ("customer_id,customer,month,mrr,Plan\n"
                              "001,Acme,2026-02,1000.50,Team\n"
                              "002,Beta,2026-02,400.00,Pro\n")


def test_a_reader_that_closes_the_pipe_early_ends_it_quietly(tmp_path: Path) -> None:
    """`nrr mrr --csv | head -1`: an internal error (BrokenPipeError) had been said, exit 70 (a fresh-eyes try)."""
    table = tmp_path / "big.csv"
    with table.open("w") as f:
        f.write("Customer,Month,MRR\n")
        for n in range(3000):
            f.writelines(f"C{n},2026-{m:02d},{100 + n}\n" for m in range(1, 11))
    nrr = Path(sys.executable).with_name("nrr")
    with subprocess.Popen([str(nrr), "mrr", "--csv", "--ledger", str(table), "--today", "2026-11-05"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b"customer_id,")
        process.stdout.close()
        said = process.stderr.read()
        code = process.wait(timeout=60)
    assert code == 141 and b"internal error" not in said and said == b""
