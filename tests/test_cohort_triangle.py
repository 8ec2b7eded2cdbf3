"""Cohort triangles: NRR by acquisition cohort against age, hand-computed on a small table."""

from __future__ import annotations

import io
import sys
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from engine import CustomerTable, Month, QueryError, cohort_triangle, ledger_triangle, read_customers, read_ledger
from nrr.cli import main
from tests.helpers import EXAMPLE_LEDGER, ROOT
from tests.test_cli import run

# A: won in Jan, grows, shrinks, churns in Apr. B and C: won in Feb; C churns in Mar. D: won in Apr.
ROWS = [["Customer", "Month", "MRR"],
        ["A", "2026-01", "100"], ["A", "2026-02", "120"], ["A", "2026-03", "90"],
        ["B", "2026-02", "50"], ["B", "2026-03", "60"], ["B", "2026-04", "40"],
        ["C", "2026-02", "200"],
        ["D", "2026-04", "10"]]


def table() -> CustomerTable:
    found = read_customers(ROWS)
    assert found.table is not None
    return found.table


def test_month_cohorts_against_age() -> None:
    triangle = cohort_triangle(table())
    assert [(r.label, r.customers, r.start_mrr, r.nrr) for r in triangle.rows] == [
        # A alone: 120/100, 90/100, 0/100; paying when the table starts, so won then or before
        ("Jan 2026 or earlier", 1, D("100.00"), (D(1), D("1.2"), D("0.9"), D(0))),
        ("Feb 2026", 2, D("250.00"), (D(1), D(60) / D(250), D(40) / D(250))),  # B and C: (60+0)/250, (40+0)/250
        ("Apr 2026", 1, D("10.00"), (D(1),)),
    ]
    assert triangle.ages == 4


def test_quarter_cohorts_count_each_customers_age_from_its_own_first_month() -> None:
    rows = cohort_triangle(table(), "quarter").rows
    # Q1: A (Jan), B and C (Feb), 350 at age 0; age 1: A's Feb 120 + B's Mar 60 + C's Mar 0 = 180;
    # age 2: A's Mar 90 + B's Apr 40 = 130; age 3 is past the table for B and C, so the row ends there
    assert [(r.label, r.customers, r.start, r.nrr) for r in rows] == [
        ("Q1 2026 or earlier", 3, 35000, (D(1), D(180) / D(350), D(130) / D(350))),
        ("Q2 2026", 1, 1000, (D(1),)),
    ]


def test_fiscal_quarters_follow_the_fiscal_year_start() -> None:
    rows = cohort_triangle(table(), "quarter", fiscal_year_start=2).rows  # Nov-Jan, then Feb-Apr
    assert [(r.label, r.customers) for r in rows] == [("Q4 FY2026 or earlier", 1), ("Q1 FY2027", 3)]


def test_a_seven_column_ledger_has_no_cohorts() -> None:
    ledger = read_ledger([["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR", "Downgraded MRR"],
                          ["2026-01", "100", "0", "0", "0"]])
    try:
        ledger_triangle(ledger)
    except QueryError as exc:
        assert str(exc) == ("Cohorts need a customer table (one MRR figure per customer per month); this ledger "
                            "holds month totals. Point --ledger at a customer tab or file.")
    else:
        raise AssertionError("no error")


def test_nrr_cohorts_prints_the_triangle_and_writes_the_heatmap(tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"
    source.write_text("\n".join(",".join(r) for r in ROWS) + "\n")
    png = tmp_path / "cohorts.png"
    code, out, err = run("cohorts", "--ledger", str(source), "--png", str(png))
    assert (code, err) == (0, "")
    assert [line.rstrip() for line in out.splitlines()] == [
        "NRR by acquisition month and age in months",
        "Cohort              ┃ Customers ┃   M1 ┃  M2 ┃ M3",
        "━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━╇━━━━━╇━━━",
        "Jan 2026 or earlier │         1 │ 120% │ 90% │ 0%",
        "Feb 2026            │         2 │  24% │ 16% │",
        "Apr 2026            │         1 │      │     │",
        f"Heatmap written to {png}.",
    ]
    assert png.read_bytes().startswith(b"\x89PNG")
    code, out, _ = run("cohorts", "--by", "quarter", "--ledger", str(source))
    # quarters print every third month of age (M3, M6, ...): none is reached in four months, which is said (a table
    # of cohorts and no age in it had been printed without a word: a fresh-eyes try)
    assert code == 0 and out.startswith("No cohort is a quarter old yet"), out


def test_a_triangle_wider_than_the_terminal_goes_in_blocks_its_labels_whole() -> None:
    # at 80 columns "Jan 2025 or earlier" wrapped to a second line that read as one more cohort with no figures (a
    # newcomer's try): the ages that do not fit go in a block of their own, each led by the cohort
    out = io.StringIO()
    code = main(["cohorts", "--ledger", str(ROOT / "examples" / "customers.csv"), "--today", "2026-11-05"], env={},
                stdout=Console(file=out, width=80), stderr=Console(file=io.StringIO(), width=80))
    lines = out.getvalue().splitlines()
    assert code == 0 and all(len(line) <= 80 for line in lines)
    assert sum(line.startswith("Jan 2025 or earlier") for line in lines) == 2  # once in each block
    assert not any(line.strip().startswith("or earlier") for line in lines)


def test_nrr_cohorts_on_a_seven_column_ledger_says_it_needs_a_customer_table() -> None:
    code, out, err = run("cohorts", "--ledger", str(EXAMPLE_LEDGER))
    assert (code, out) == (1, "")
    assert err.startswith("Cohorts need a customer table")


def test_the_heatmap_without_matplotlib_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "customers.csv"
    source.write_text("\n".join(",".join(r) for r in ROWS) + "\n")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what an install without the extra sees
    code, _, err = run("cohorts", "--ledger", str(source), "--png", str(tmp_path / "c.png"))
    assert (code, err) == (1, "nrr cohorts needs the slack extra, which is not installed: pip install 'nrr[slack]' "
                              "(or 'nrr[all]').\n")


def test_the_heatmap_starts_at_age_1_like_the_terminal_with_whole_ages_on_its_axis(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import math

    from matplotlib.figure import Figure

    saved: list[Figure] = []
    savefig = Figure.savefig

    def keep(figure: Figure, *args: Any, **kw: Any) -> None:  # the figure as written, to read its axes
        saved.append(figure)
        savefig(figure, *args, **kw)

    monkeypatch.setattr(Figure, "savefig", keep)
    source = tmp_path / "customers.csv"
    source.write_text("\n".join(",".join(r) for r in ROWS) + "\n")
    assert run("cohorts", "--ledger", str(source), "--png", str(tmp_path / "c.png"))[0] == 0
    (figure,) = saved
    (ax,) = figure.axes[:1]
    values = ax.images[0].get_array()
    assert values is not None
    grid = [[None if v is None or math.isnan(v) else round(v, 2) for v in row] for row in values.tolist()]
    # age 0 is 100% by definition for every cohort; the table prints from M1, and so does the heatmap
    assert grid == [[120.0, 90.0, 0.0], [24.0, 16.0, None], [None, None, None]]
    shown = [(t.get_position()[0], t.get_text()) for t in ax.get_xticklabels() if 0.5 <= t.get_position()[0] <= 3.5]
    assert shown == [(1.0, "1"), (2.0, "2"), (3.0, "3")]


def test_a_heatmap_of_one_month_has_no_age_to_show_and_is_still_written(tmp_path: Path) -> None:
    source, png = tmp_path / "customers.csv", tmp_path / "c.png"
    source.write_text("Customer,Month,MRR\nA,2026-01,100\n")
    assert run("cohorts", "--ledger", str(source), "--png", str(png))[0] == 0
    assert png.read_bytes().startswith(b"\x89PNG")


def test_the_heatmap_is_one_a_finance_lead_can_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each cell's NRR written in it, each cohort's size beside its row, a colour scale centred on 100% that spans
    every figure (it was clipped at 50-150%: 7% looked like 50%), and a title with the basis and the as-of month."""
    from matplotlib.figure import Figure

    saved: list[Figure] = []
    savefig = Figure.savefig

    def keep(figure: Figure, *args: Any, **kw: Any) -> None:
        saved.append(figure)
        savefig(figure, *args, **kw)

    monkeypatch.setattr(Figure, "savefig", keep)
    source = tmp_path / "customers.csv"
    source.write_text("\n".join(",".join(r) for r in [*ROWS, ["E", "2026-02", "1000"], ["E", "2026-03", "70"],
                                                      ["E", "2026-04", "70"]]) + "\n")
    assert run("cohorts", "--ledger", str(source), "--png", str(tmp_path / "c.png"))[0] == 0
    (figure,) = saved
    ax, sizes, bar = figure.axes
    assert [t.get_text() for t in ax.texts[:-1]] == ["120", "90", "0", "10", "9"]  # Feb: 1250 -> 130 -> 110
    assert ax.get_title(loc="left") == "Net revenue retention by acquisition month, as of April 2026"
    assert ax.texts[-1].get_text().replace("\n", " ") == (
        "Each cell: what the month's customers pay that many months after their first payment, over what they paid "
        "then (MRR, the cohort's customers only). Blank: the cohort is not that old yet.")
    assert [t.get_text() for t in sizes.get_yticklabels()] == ["1 · $100", "3 · $1,250", "1 · $10"]
    assert sizes.texts[0].get_text() == "Customers · start MRR"
    low, high = bar.get_ylim()
    assert (low, high) == (0.0, 200.0)  # 0% shown as 0%, not as the end of a 50% scale
    assert bar.get_ylabel() == "NRR %, 100% = every dollar kept"
    assert [t.get_text() for t in bar.get_yticklabels()] == ["0%", "25%", "50%", "75%", "100%", "125%", "150%",
                                                             "175%", "200%"]


def test_the_triangle_stops_at_the_latest_closed_month_of_a_table_laid_out_ahead(tmp_path: Path) -> None:
    # 0s written for June to August: asked on June 10th, every cohort fell to 0% in months not yet lived (fuzz 6)
    path = tmp_path / "customers.csv"
    path.write_text("Customer,Jan 2025,Feb 2025,Mar 2025,Apr 2025,May 2025,Jun 2025,Jul 2025,Aug 2025\n"
                    "Acme,100,100,110,110,110,0,0,0\nBeta,200,200,200,150,150,0,0,0\nGamma,,50,50,50,60,0,0,0\n",
                    encoding="utf-8")
    code, out, _ = run("cohorts", "--ledger", str(path), "--today", "2025-06-10")
    assert code == 0 and " 0%" not in out and " M4\n" in out and "M5" not in out
    ledger = read_ledger([line.split(",") for line in path.read_text(encoding="utf-8").splitlines()])
    assert ledger.customers is not None
    triangle = cohort_triangle(ledger.customers, "month", 1, Month(2025, 5))
    assert triangle.last == Month(2025, 5) and [len(r.nrr) for r in triangle.rows] == [5, 4]


def test_cohorts_png_names_a_file_and_a_date_before_the_table_is_said_as_such(tmp_path: Path) -> None:
    # "--png out/" wrote a file named out, "--png ''" blamed "."; --today before the table said "no customer has
    # paid in the table yet", exit 0 (a fresh-eyes try)
    table = str(ROOT / "examples" / "customers.csv")
    for png in (f"{tmp_path}/out/", "", str(tmp_path)):
        code, _, err = run("cohorts", "--ledger", table, "--png", png)
        assert code == 2 and "name the PNG file to write (heatmap.png), not a directory" in err, err
    assert not (tmp_path / "out").exists()
    code, _, err = run("cohorts", "--ledger", table, "--today", "2024-05-01")
    assert (code, err) == (1, "April 2024 is before the customer table starts (January 2025): there is no cohort "
                              "to show as of then.\n")


def test_a_quarterly_triangle_with_no_cohort_a_quarter_old_says_so_and_draws_nothing(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Customer,Month,MRR\nA,2026-01,100\nA,2026-02,100\nA,2026-03,120\nB,2026-02,50\nB,2026-03,50\n",
                    encoding="utf-8")
    code, out, _ = run("cohorts", "--ledger", str(path), "--today", "2026-08-03", "--by", "quarter", "--png",
                       str(tmp_path / "q.png"))
    assert code == 0 and "No cohort is a quarter old yet" in out


def test_nrr_cohorts_says_the_tables_warnings_as_a_report_does(tmp_path: Path) -> None:
    # cells falling to 0% with no word, where nrr report warned that nobody pays from June on (a fresh-eyes try)
    path = tmp_path / "customers.csv"
    rows = [f"C{c},2026-0{m},{100 + c}" for c in range(3) for m in range(1, 6)]
    rows += [f"C{c},2026-0{m},0" for c in range(3) for m in range(6, 9)]
    path.write_text("Customer,Month,MRR\n" + "\n".join(rows) + "\n")
    code, out, _ = run("cohorts", "--ledger", str(path), "--today", "2026-09-05")
    assert code == 0 and "warning: No customer pays anything in June 2026 to August 2026" in " ".join(out.split())


def test_a_heatmap_of_cohorts_with_no_age_says_what_it_shows(tmp_path: Path) -> None:
    # "Heatmap written" alone, under "No cohort is a month old yet" (a fresh-eyes try)
    path = tmp_path / "customers.csv"
    path.write_text("Customer,Month,MRR\nA,2026-10,100\nB,2026-10,50\n")
    png = tmp_path / "h.png"
    code, out, _ = run("cohorts", "--ledger", str(path), "--today", "2026-11-05", "--png", str(png))
    assert code == 0 and f"Heatmap written to {png}: its cohorts, with no age to show yet." in " ".join(out.split())
