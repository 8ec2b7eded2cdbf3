"""``nrr ledger``: the table a person reads at any terminal width, and the CSV, for both kinds of source."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from rich.console import Console

from nrr.cli import main
from tests.helpers import HEADER
from tests.test_cli import run

CUSTOMERS = ["Customer,Month,MRR",
             "A,2026-01,100000", "D,2026-01,5000",
             "A,2026-02,120000", "B,2026-02,50000",  # A expands, B is new, D churns
             "A,2026-03,90000.50", "C,2026-03,30000", "D,2026-03,2000"]  # A contracts, B churns, C new, D is back
LEDGER = [",".join(HEADER[:5]), "2026-01,182400,3724,1622,811", "2026-02,1200000,15000.50,40000,2500"]


def ledger(tmp_path: Path, lines: list[str], *flags: str, width: int = 80) -> tuple[int, list[str]]:
    path = tmp_path / "source.csv"
    path.write_text("\n".join(lines) + "\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(["ledger", "--ledger", str(path), *flags], env={},
                clock=lambda: dt.datetime(2026, 4, 2, tzinfo=dt.UTC),
                stdout=Console(file=out, width=width, highlight=False),
                stderr=Console(file=err, width=width, highlight=False))
    assert err.getvalue() == ""
    return code, [line.rstrip() for line in out.getvalue().splitlines()]


def rule(*widths: int) -> str:
    """The line under a table's header: ``━`` across each column and its padding, ``╇`` between them."""
    return "╇".join("━" * w for w in widths)


def test_a_customer_tables_ledger_fits_80_columns_in_two_blocks_each_led_by_the_month(tmp_path: Path) -> None:
    """Money as nrr report shows it ($120,000, whole units); nrr ledger --csv keeps every cent."""
    assert ledger(tmp_path, CUSTOMERS) == (0, [
        "        ┃    Start ┃ Expanded ┃ Churned ┃ Downgraded ┃          ┃",
        "Month   ┃      MRR ┃      MRR ┃     MRR ┃        MRR ┃  End MRR ┃     NRR",
        rule(8, 10, 10, 9, 12, 10, 8),
        "2026-02 │ $105,000 │  $20,000 │  $5,000 │         $0 │ $120,000 │ 114.29%",
        "2026-03 │ $170,000 │       $0 │ $50,000 │    $30,000 │  $90,000 │  52.94%",
        "",
        "Month   ┃ New MRR ┃ Reactivation MRR",
        rule(8, 9, 17),
        "2026-02 │ $50,000 │               $0",
        "2026-03 │ $30,000 │           $2,000",
    ])


def test_a_customer_tables_ledger_is_one_table_when_the_terminal_is_wide_enough(tmp_path: Path) -> None:
    assert ledger(tmp_path, CUSTOMERS, width=120) == (0, [
        "Month   ┃ Start MRR ┃ Expanded MRR ┃ Churned MRR ┃ Downgraded MRR ┃  End MRR ┃     NRR ┃ New MRR ┃ "
        "Reactivation MRR",
        rule(8, 11, 14, 13, 16, 10, 9, 9, 17),
        "2026-02 │  $105,000 │      $20,000 │      $5,000 │             $0 │ $120,000 │ 114.29% │ $50,000 │ "
        "              $0",
        "2026-03 │  $170,000 │           $0 │     $50,000 │        $30,000 │  $90,000 │  52.94% │ $30,000 │ "
        "          $2,000",
    ])


def test_a_seven_column_ledger_fits_80_columns_with_its_headers_on_two_lines(tmp_path: Path) -> None:
    assert ledger(tmp_path, LEDGER) == (0, [
        "        ┃            ┃ Expanded ┃ Churned ┃ Downgraded ┃            ┃",
        "Month   ┃  Start MRR ┃      MRR ┃     MRR ┃        MRR ┃    End MRR ┃     NRR",
        rule(8, 12, 10, 9, 12, 12, 8),
        "2026-01 │   $182,400 │   $3,724 │  $1,622 │       $811 │   $183,691 │ 100.71%",
        "2026-02 │ $1,200,000 │  $15,000 │ $40,000 │     $2,500 │ $1,172,500 │  97.71%",
    ])


def test_the_csv_keeps_the_templates_headers_and_every_cent(tmp_path: Path) -> None:
    assert ledger(tmp_path, CUSTOMERS, "--csv") == (0, [
        "Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR,MRR (End of Period),NRR Rate,New MRR,"
        "Reactivation MRR",
        "2026-02,105000.00,20000.00,5000.00,0.00,120000.00,114.29%,50000.00,0.00",
        "2026-03,170000.00,0.00,50000.00,29999.50,90000.50,52.94%,30000.00,2000.00",
    ])
    assert ledger(tmp_path, LEDGER, "--csv") == (0, [
        "Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR,MRR (End of Period),NRR Rate",
        "2026-01,182400.00,3724.00,1622.00,811.00,183691.00,100.71%",
        "2026-02,1200000.00,15000.50,40000.00,2500.00,1172500.50,97.71%",
    ])


def test_a_ledger_written_in_euros_is_answered_in_euros_and_one_of_two_currencies_is_refused(tmp_path: Path) -> None:
    """Its figures were shown as dollars, and $1,000 beside €100 were added up, both without a word (fuzz 4)."""
    path = tmp_path / "ledger.csv"
    header = "Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR,MRR (End of Period),NRR Rate\n"
    path.write_text(header + 'Jan 2025,"€1,000",€100,€50,€20,"€1,030",103%\nFeb 2025,"€1,030",€50,€0,€0,"€1,080",\n')
    code, out, _ = run("report", "2025-02", "--json", "--ledger", str(path), "--today", "2025-03-10")
    assert code == 0 and json.loads(out)["currency"] == "EUR"
    code, out, _ = run("report", "2025-02", "--ledger", str(path), "--today", "2025-03-10")
    assert code == 0 and "€1,030" in out and "$" not in out
    code, out, _ = run("ledger", "--ledger", str(path), "--today", "2025-03-10")  # its money, as the report shows it
    assert code == 0 and "€1,030" in out and "$" not in out
    config = tmp_path / "nrr.toml"  # figures written in dollars are dollars, whatever the company's currency
    config.write_text('[company]\ncurrency = "EUR"\n')
    path.write_text(header + 'Jan 2025,"$1,000",$100,$50,$20,"$1,030",103%\n')
    code, out, _ = run("report", "2025-01", "--json", "--ledger", str(path), "--config", str(config),
                       "--today", "2025-03-10")
    assert code == 0 and json.loads(out)["currency"] == "USD"
    path.write_text(header + 'Jan 2025,"$1,000",€100,€50,€20,"€1,030",103%\n')
    code, out, err = run("validate", "--ledger", str(path))
    assert (code, err) == (1, "")
    assert out.startswith("error: B2 and C2: The MRR figures are in more than one currency (USD from B2, EUR from "
                          "C2); added up they would mean nothing.")


def test_months_listed_with_no_figures_between_filled_ones_are_named(tmp_path: Path) -> None:
    """They were passed over as months to come: no warning, and "has no row in the ledger" for a row that is there."""
    path = tmp_path / "ledger.csv"
    path.write_text(",".join(HEADER) + "\nJan 2025,1000,100,50,20,1030,103%\nFeb 2025,1030,0,0,0,1030,\n"
                    "Mar 2025,,,,,,\nApr 2025,,,,,,\nMay 2025,1100,0,0,0,1100,\nJun 2025,,,,,,\n")
    code, out, _ = run("validate", "--ledger", str(path))
    assert code == 0 and out.splitlines()[0] == (
        "warning: A4:A5: March 2025 to April 2025 are listed with no figures, between February 2025 and May 2025, "
        "which have them; periods that span them are refused until they are filled in.")
    assert run("report", "2025-03", "--ledger", str(path), "--today", "2025-07-10")[2] == (
        "March 2025's row in the ledger has no figures yet. Fill it in, or ask for another month.\n")
    assert run("report", "2025-06", "--ledger", str(path), "--today", "2025-07-10")[2].startswith(
        "June 2025 is not in the ledger yet")  # a month still to come, after the last filled one


def test_the_ledgers_rates_are_rounded_as_the_report_rounds_them(tmp_path: Path) -> None:
    """100.125% is 100.13% in nrr ledger, as in nrr report and its JSON (a fresh-eyes try: the ledger said 100.12%)."""
    lines = [",".join(HEADER[:5]), "2026-01,80000,100,0,0", "2026-02,80100,0,100,0"]
    code, out = ledger(tmp_path, lines, "--csv")
    assert code == 0 and out[1] == "2026-01,80000.00,100.00,0.00,0.00,80100.00,100.13%"
    path = tmp_path / "source.csv"
    report = json.loads(run("report", "2026-01", "--json", "--ledger", str(path), "--today", "2026-04-02")[1])
    assert report["nrr_pct"] == 100.13


def test_the_ledger_says_what_it_read_its_rows_with(tmp_path: Path) -> None:
    """An End the figures do not add up to is said as a report says it: after the table, or on stderr beside the
    CSV, which stays a CSV (a fresh-eyes try: nrr ledger said nothing of it)."""
    path = tmp_path / "source.csv"
    path.write_text(",".join(HEADER[:6]) + "\n2026-01,1000,100,0,0,1200\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(["ledger", "--csv", "--ledger", str(path)], env={},
                clock=lambda: dt.datetime(2026, 4, 2, tzinfo=dt.UTC),
                stdout=Console(file=out, width=200), stderr=Console(file=err, width=200))
    assert code == 0 and out.getvalue().splitlines()[1] == "2026-01,1000.00,100.00,0.00,0.00,1100.00,110.00%"
    assert err.getvalue() == ("warning: F2 (January 2026): MRR (End of Period) says 1,200.00 but Start + Expanded - "
                              "Churned - Downgraded = 1,100.00; using 1,100.00.\n")
    code, text = ledger(tmp_path, [",".join(HEADER[:6]), "2026-01,1000,100,0,0,1200"], width=200)
    assert text[-1] == err.getvalue().strip()


def test_a_german_file_of_whole_figures_is_read_by_its_dots(tmp_path: Path) -> None:
    """1.234.567 can only group thousands, so 12.000 beside it is twelve thousand (a fresh-eyes try: each figure was
    refused as reading two ways)."""
    lines = ["Month;Starting ARR;Expansion ARR;Churned ARR;Contraction ARR", "2025-01;1.234.567;12.000;1.500;250"]
    path = tmp_path / "source.csv"
    path.write_text("\n".join(lines) + "\n")
    code, out, err = run("ledger", "--csv", "--ledger", str(path))
    assert code == 0 and out.splitlines()[1].startswith("2025-01,1234567.00,12000.00,1500.00,250.00,"), (out, err)
