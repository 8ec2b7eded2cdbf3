"""The columnar path: a long CSV customer table read column by column gives the row reader's answers exactly, and
anything the row reader would say a word about goes to the row reader, so every message is the same."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import random
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from engine import (
    Cells,
    FxRates,
    LedgerCheck,
    PackedTexts,
    ReadOptions,
    build_report,
    cohort_triangle,
    ledger_table,
    report_to_dict,
    resolve_period,
)
from sheets import POLARS_FROM, FastRead, SourceError, columnar_available, open_file_source, polars_new_enough
from tests.helpers import ROOT

ALWAYS = FastRead(columnar_from=0)  # the columnar path for any size, no cache
TODAY = dt.date(2026, 1, 15)

CLEAN = """Customer ID,Customer,Month,MRR,Segment,Plan
001,Acme,2025-10,100,SMB,Pro
002,Beta,2025-10,250.50,Enterprise,Pro
001,Acme,2025-11,120,SMB,Pro
002,Beta,2025-11,250.50,Enterprise,
003,Gamma,2025-11,80,,Basic
001,Acme,2025-12,0,SMB,Pro
003,Gamma,2025-12,90.5,Mid-Market,Basic
001,Acme,2026-01,110,smb,Pro
002,Beta,2026-01,300,Enterprise,Pro
"""
#: the clean table with every figure after a dollar sign, as a spreadsheet formatted as currency exports it
DOLLARS = "\n".join(line if n == 0 else ",".join(f"${v}" if i == 3 else v for i, v in enumerate(line.split(",")))
                    for n, line in enumerate(CLEAN.splitlines())) + "\n"
#: the clean table with a second subscription for two customers in some months, told apart by Plan: summed
SUBSCRIPTIONS = CLEAN + "001,Acme,2025-11,30,SMB,Addon\n002,Beta,2025-11,40,Enterprise,Addon\n" \
    "002,Beta,2026-01,45,Enterprise,Addon\n003,Gamma,2025-12,5,Mid-Market,Seats\n"
#: every customer in every month, the figure blank where one paid nothing (an export of a customers x months grid)
DENSE = """Customer ID,Customer,Month,MRR,Segment
001,Acme,2025-10,100,SMB
002,Beta,2025-10,,Enterprise
003,Gamma,2025-10,,SMB
001,Acme,2025-11,120,SMB
002,Beta,2025-11,250.50,Enterprise
003,Gamma,2025-11,80,SMB
001,Acme,2025-12,,SMB
002,Beta,2025-12,250.50,Enterprise
003,Gamma,2025-12,90.5,SMB
001,Acme,2026-01,110,SMB
002,Beta,2026-01,300,Enterprise
003,Gamma,2026-01,,SMB
"""
#: a customer per row, a month per column, blank where one paid nothing
WIDE = """Customer ID,Customer,Segment,2025-10,2025-11,2025-12,2026-01
001,Acme,SMB,100,120,,110
002,Beta,Enterprise,250.50,250.50,250.50,300
003,Gamma,,,80,90.5,
"""
#: the clean table with its figures in cents, as its header says (``mrr_cents``)
CENTS = CLEAN.replace(",MRR,", ",mrr_cents,").replace(",250.50,", ",25050,").replace(",90.5,", ",9050,")


def generate(path: Path, customers: int, months: int, seed: int = 7) -> None:
    """A long table whose customers join, grow, shrink, churn and come back (as bench/customers.py's)."""
    rng = random.Random(seed)
    lines = ["Customer ID,Customer,Month,MRR,Segment,Plan"]
    for c in range(customers):
        segment, plan = rng.choice(["SMB", "Mid-Market", "Enterprise"]), rng.choice(["Basic", "Pro"])
        cents, paying = rng.randrange(5000, 500000), True
        for i in range(rng.randrange(months), months):
            roll = rng.random()
            if paying and roll < 0.05:
                paying = False
            elif not paying and roll < 0.1:
                paying = True
            elif roll < 0.3:
                cents = max(100, round(cents * rng.uniform(0.7, 1.4)))
            if paying:
                year, month = divmod(2023 * 12 + i, 12)
                lines.append(f"{c:04d},Customer {c},{year}-{month + 1:02d},{cents // 100}.{cents % 100:02d},"
                             f"{segment},{plan}")
    path.write_text("\n".join(lines) + "\n")


def read(path: Path, fast: FastRead | None) -> Cells:
    return open_file_source(str(path), fast=fast).read_cells()


def read_both_ways(path: Path, case: str) -> Cells:
    """``UNUSUAL[case]`` written to ``path`` and read with the columnar path forced on, which must read it (what it
    read is returned), and by the row reader: the same messages and answers."""
    path.write_text(UNUSUAL[case], encoding="utf-8")
    fast, rows = read(path, ALWAYS), read(path, None)
    assert fast.prepared is not None, case
    assert said(fast.check) == said(rows.check) and answers(fast) == answers(rows), case
    return fast


def said(check: LedgerCheck) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(i.severity, i.message, i.cells) for i in check.issues]


def answers(cells: Cells) -> str:
    """Everything a report, the derived ledger and the cohort triangle say, as one text to compare."""
    ledger = cells.ledger
    out = [repr(ledger_table(ledger))]
    for query in ("ttm", "last-month", "last-quarter", "2025-12"):
        period = resolve_period(query, TODAY)
        # a segment split again: by Plan within SMB, which subscriptions summed by Plan refuse on both paths (the
        # columnar path's segment had lost which column its rows were summed by: a fresh-eyes try)
        for how in ({}, {"by": "segment"}, {"where": ("Segment", "SMB")}, {"by": "Plan", "top": 2},
                    {"where": ("Segment", "SMB"), "by": "Plan"}):
            try:
                out.append(json.dumps(report_to_dict(build_report(ledger, period, **how)), default=str,
                                      sort_keys=True))
            except Exception as exc:
                out.append(f"{type(exc).__name__}: {exc}")
    assert ledger.customer_table is not None
    triangle = cohort_triangle(ledger.customer_table)
    out.append(repr([(r.label, r.customers, r.start, r.nrr) for r in triangle.rows]))
    return "\n".join(out)


def test_a_polars_older_than_the_path_reads_leaves_the_file_to_the_row_reader() -> None:
    # polars 1.33 to 1.36, allowed by the fast extra's old floor (1.20), sent every table to the row reader without
    # a word: each customer's expected name, looked up by its category code, never matched (found by installing
    # each release and running this file's tests; 1.37.1 is the first that passes them)
    assert POLARS_FROM == (1, 37)
    assert not polars_new_enough("1.36.1") and not polars_new_enough("1.20.0") and not polars_new_enough("0.20.31")
    assert polars_new_enough("1.37.0") and polars_new_enough("1.44.2") and polars_new_enough("2.1.0")
    assert polars_new_enough("1.40.0b1") and polars_new_enough("10.0") and not polars_new_enough("1")
    assert columnar_available()  # the dev install's polars
    fast = next(line for line in (ROOT / "pyproject.toml").read_text().splitlines() if line.startswith("fast ="))
    assert f'"polars>={POLARS_FROM[0]}.{POLARS_FROM[1]}"' in fast


@pytest.mark.parametrize(("installed", "available"), [
    ({"polars-1.36.1.dist-info": "polars 1.36.1"}, False),  # too old: seen from the directory's name alone
    ({"polars-2.1.0.dist-info": "polars 2.1.0"}, True),
    # two, or a name that is not a version: importlib.metadata decides
    ({"polars-1.36.1.dist-info": "polars 1.36.1", "polars-1.35.0.dist-info": "polars 1.35.0"}, False),
    ({"polars-2.dist-info": "polars 1.36.1"}, True),  # a version of one number: 2.0
    ({"polars_lts_cpu-1.36.1.dist-info": "polars-lts-cpu 1.36.1"}, True),  # metadata knows no polars: tried
    ({"polars-1.36.1.dist-info": ""}, False),  # its METADATA lost: the name still says which
])
def test_the_polars_version_is_read_from_the_dist_info_beside_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installed: dict[str, str], available: bool) -> None:
    (tmp_path / "polars").mkdir()
    (tmp_path / "polars" / "__init__.py").write_text("raise ImportError('not to be imported')\n")
    for directory, name_version in installed.items():
        (tmp_path / directory).mkdir()
        if name_version:
            name, version = name_version.split()
            (tmp_path / directory / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "polars", raising=False)  # found afresh, on the path, not the one imported
    assert columnar_available() is available


def test_a_clean_table_is_read_column_by_column_with_the_row_readers_answers(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CLEAN)
    fast, rows = read(path, ALWAYS), read(path, None)
    assert fast.prepared is not None and fast.grid == ()  # the columnar path read it
    assert rows.prepared is None
    assert fast.fingerprint == rows.fingerprint  # the same bytes: Share and the scheduler see one ledger
    assert answers(fast) == answers(rows)


def test_a_generated_table_gives_the_same_answers_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    generate(path, 300, 30)
    fast, rows = read(path, ALWAYS), read(path, None)
    assert fast.prepared is not None
    assert answers(fast) == answers(rows)


def test_the_example_table_gives_the_same_answers_both_ways() -> None:
    path = ROOT / "examples" / "customers.csv"
    fast, rows = read(path, ALWAYS), read(path, None)
    assert said(fast.check) == said(rows.check)
    assert answers(fast) == answers(rows)


def test_keys_and_names_are_kept_packed_and_read_as_the_row_reader_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CLEAN.replace("Acme", "Äcme GmbH").replace("003,Gamma,", "003,  ,"))
    fast, rows = read(path, ALWAYS).ledger.customer_table, read(path, None).ledger.customer_table
    assert fast is not None and rows is not None
    assert isinstance(fast.keys, PackedTexts) and isinstance(fast.names, PackedTexts)
    assert list(fast.keys) == list(rows.keys) == ["001", "002", "003"]
    assert list(fast.names) == list(rows.names) == ["Äcme GmbH", "Beta", "003"]  # a blank name: the key
    assert (fast.names[0], fast.names[-1], fast.names[1:]) == ("Äcme GmbH", "003", ["Beta", "003"])


@pytest.mark.parametrize(("figure", "dtype"), [("21474836.47", "int32"), ("21474836.48", "int64"),
                                               ("9999999999999.99", "int64")])
def test_the_grid_is_32_bit_while_every_figure_fits(tmp_path: Path, figure: str, dtype: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(replace_line(CLEAN, 3, f"001,Acme,2025-11,{figure},SMB,Pro"))
    fast, rows = read(path, ALWAYS), read(path, None)
    assert fast.ledger.customer_table is not None and fast.ledger.customer_table.dense is not None
    assert fast.ledger.customer_table.dense.cents.dtype.name == dtype
    assert answers(fast) == answers(rows)


def test_a_small_file_stays_with_the_row_reader(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CLEAN)
    assert read(path, FastRead()).prepared is None  # below COLUMNAR_FROM_BYTES


def replace_line(text: str, n: int, line: str) -> str:
    lines = text.splitlines()
    lines[n] = line
    return "\n".join(lines) + "\n"


# Each is the clean table with one thing the row reader has a word for: an error or a warning naming a cell, or
# a row it passes over. With the columnar path forced on, every message must be the row reader's, word for word.
UNUSUAL = {
    "negative figure": replace_line(CLEAN, 3, "001,Acme,2025-11,-120,SMB,Pro"),
    "unreadable figure": replace_line(CLEAN, 3, "001,Acme,2025-11,1.2.3,SMB,Pro"),
    "spreadsheet error": replace_line(CLEAN, 3, "001,Acme,2025-11,#REF!,SMB,Pro"),
    "decimal comma": replace_line(CLEAN, 3, '001,Acme,2025-11,"1.200,50",SMB,Pro'),
    "currency symbol": replace_line(CLEAN, 3, "001,Acme,2025-11,$120,SMB,Pro"),
    "dollar figures": DOLLARS,
    "euro figures": CLEAN.replace(",100,", ",€100,").replace(",250.50,", ",€250.50,"),
    "yen and pound figures": CLEAN.replace(",100,", ",¥100,").replace(",250.50,", ",£250.50,"),
    "dollar figures under MRR (EUR)": DOLLARS.replace(",MRR,", ",MRR (EUR),"),
    "dollar figures under MRR (USD)": DOLLARS.replace(",MRR,", ",MRR (USD),"),
    "dollar figures beside a currency column": DOLLARS.replace("Plan", "Currency").replace(",Pro", ",usd")
                                                      .replace(",Basic", ",usd"),
    "dollar figures in thousands": DOLLARS.replace(",$250.50,", ',"$1,250.50",').replace(",$300,", ',"$12,300",'),
    "figures in thousands": CLEAN.replace(",250.50,", ',"1,250.50",').replace(",300,", ',"12,300",'),
    "thousands and no decimals": CLEAN.replace(",250.50,", ',"1,250",').replace(",90.5,", ",90,"),
    # (a review: the row reader counts no point in a figure that reads as a dotted month, 2025.10, and reads the
    # file's commas as decimal when its Seats say so; both paths must read 1,200 alike, here as 1.20)
    "thousands beside a dotted month": "Customer ID,Customer,Month,MRR,Seats\n"
                                       'A,Acme,2025-10,"1,200","1,5"\nB,Beta,2025-10,2025.10,"2,5"\n'
                                       'A,Acme,2025-11,"1,200","1,5"\nB,Beta,2025-11,2025.10,"2,5"\n',
    "decimal commas in a name": "Customer ID,Customer,Month,MRR,Segment\n"
                                'A,"0,5",2025-10,1200,SMB\nB,"1,5",2025-10,300,SMB\n'
                                'A,"0,5",2025-11,1200,SMB\nB,"1,5",2025-11,300,SMB\n',
    "decimal commas in a key": "Customer ID,Month,MRR\n"
                               '"10,5",2025-10,1200\n"11,5",2025-10,300\n"10,5",2025-11,1200\n"11,5",2025-11,300\n',
    "subscriptions with a note on none of them": SUBSCRIPTIONS.replace(",Plan\n", ",Plan,Notes\n").replace(
        "003,Gamma,2025-11,80,,Basic\n", "003,Gamma,2025-11,80,,Basic,first\n"),
    "decimal commas in an attribute": "Customer ID,Customer,Month,MRR,Seats\n"
                                      'A,Acme,2025-10,1200,"1,5"\nB,Beta,2025-10,300,"2,5"\n'
                                      'A,Acme,2025-11,1200,"1,5"\nB,Beta,2025-11,300,"2,5"\n',
    "thousands grouped oddly": CLEAN.replace(",250.50,", ',"12,50.50",'),
    "figures between spaces": CLEAN.replace(",100,", ", 100 ,").replace(",250.50,", ",250.50 ,"),
    "accounting figures": DOLLARS.replace(",$250.50,", ',"  $1,250.50 ",').replace(",$300,", ", $300 ,"),
    "a figure of spaces": CLEAN.replace(",100,", ",   ,"),
    "a figure after a tab": CLEAN.replace(",100,", ",\t100,"),
    "long figures between spaces": CLEAN.replace(",100,", ", 100.0049999 ,"),
    "dollar sign after": CLEAN.replace(",100,", ",100$,"),
    "dollar and a space": CLEAN.replace(",100,", ",$ 100,"),
    "two currencies": replace_line(replace_line(CLEAN, 3, "001,Acme,2025-11,$120,SMB,Pro"), 4,
                                   "002,Beta,2025-11,€250,Enterprise,"),
    "three decimals": replace_line(CLEAN, 3, "001,Acme,2025-11,120.125,SMB,Pro"),
    "four decimals and more": CLEAN.replace(",100,", ",100.0049999,").replace(",120,", ",120.0050,")
                                   .replace(",80,", ",79.99999999999999,").replace(",300,", ",300.1250000000001,"),
    "many decimals and three": CLEAN.replace(",100,", ",100.0049999,").replace(",120,", ",120.005,"),
    "many decimals and a sign": CLEAN.replace(",100,", ",100.0049999,").replace(",120,", ",+120.0050,"),
    "blank figure": replace_line(CLEAN, 3, "001,Acme,2025-11,,SMB,Pro"),
    "blank figures of every customer in every month": DENSE,
    "blank figures beside dollars": DENSE.replace(",250.50,", ",$250.50,").replace(",100,", ",$100,"),
    "blank figures of mrr_cents": DENSE.replace(",MRR,", ",mrr_cents,").replace(",250.50,", ",25050,")
                                      .replace(",90.5,", ",9050,"),
    "a blank month before the figures": "Customer ID,Customer,Month,MRR,Segment\n001,Acme,2025-09,,SMB\n"
                                        + DENSE.split("\n", 1)[1],
    "a blank month between figures": DENSE.replace("2025-11,120", "2025-11,").replace("2025-11,250.50", "2025-11,")
                                          .replace("2025-11,80", "2025-11,"),
    "a blank figure of spaces": DENSE.replace("002,Beta,2025-10,,", "002,Beta,2025-10,  ,"),
    "a blank figure quoted": DENSE.replace("002,Beta,2025-10,,", '002,Beta,2025-10,"",'),
    "huge figure": replace_line(CLEAN, 3, "001,Acme,2025-11,99999999999999999,SMB,Pro"),
    "unreadable month": replace_line(CLEAN, 3, "001,Acme,soon,120,SMB,Pro"),
    "missing month": CLEAN.replace("2025-11", "2025-10").replace("001,Acme,2025-10,120", "001,Acme,2025-09,120"),
    "no customer": replace_line(CLEAN, 3, ",Acme,2025-11,120,SMB,Pro"),
    "no customer nor name": replace_line(CLEAN, 3, ",,2025-11,120,SMB,Pro"),
    "blank key": replace_line(CLEAN, 3, "  ,Acme,2025-11,120,SMB,Pro"),
    "repeat": CLEAN + "001,Acme,2026-01,5,SMB,Pro\n",
    "repeat told apart by plan": CLEAN + "001,Acme,2026-01,5,SMB,Basic\n",
    "repeat of one plan": CLEAN + "001,Acme,2026-01,5,SMB,Pro\n",
    "subscriptions summed": SUBSCRIPTIONS,
    "subscriptions past what a double holds": "Customer ID,Customer,Month,MRR,Plan\n" + "".join(
        f"C1,Acme,2025-0{m},{9999999999999.99 - (m == 2) * 10 - (p == 4) * 0.02:.2f},P{p}\n"
        for m in (1, 2) for p in range(11)),
    "subscriptions tied": SUBSCRIPTIONS.replace("001,Acme,2025-11,30,SMB,Addon", "001,Acme,2025-11,120,SMB,Addon"),
    "subscriptions of a segment and its case": SUBSCRIPTIONS.replace("002,Beta,2025-11,40,Enterprise,Addon",
                                                                     "002,Beta,2025-11,40,enterprise ,Addon"),
    "subscriptions disagreeing": SUBSCRIPTIONS.replace("002,Beta,2025-11,40,Enterprise,Addon",
                                                       "002,Beta,2025-11,40,SMB,Addon"),
    "subscriptions with a blank plan": SUBSCRIPTIONS.replace("001,Acme,2025-11,30,SMB,Addon",
                                                             "001,Acme,2025-11,30,SMB,"),
    "subscriptions with two blank plans": SUBSCRIPTIONS.replace("001,Acme,2025-11,30,SMB,Addon",
                                                                "001,Acme,2025-11,30,SMB,").replace(
        "001,Acme,2025-11,120,SMB,Pro", "001,Acme,2025-11,120,SMB,  "),
    "subscriptions with a blank segment": SUBSCRIPTIONS.replace("002,Beta,2025-11,40,Enterprise,Addon",
                                                                "002,Beta,2025-11,40,,Addon"),
    "subscriptions and a currency column": SUBSCRIPTIONS.replace("Plan", "Currency").replace(",Pro", ",usd")
                                                         .replace(",Basic", ",usd").replace(",Addon", ",usd"),
    "ragged row, too long": replace_line(CLEAN, 3, "001,Acme,2025-11,120,SMB,Pro,extra"),
    "ragged row, too short": replace_line(CLEAN, 3, "001,Acme,2025-11,120"),
    "total row": CLEAN + "Total,,2026-01,410,,\n",
    "total rows of two labels": replace_line(CLEAN, 4, "Subtotal,,2025-11,370.50,,") + " Grand total: ,,,1200,,\n",
    "total row and blank lines": CLEAN + "Total,,2026-01,410,,\n\n\n",
    "total row after a blank line": CLEAN + "\nTotal,,,410,,\n",
    "total row after a quoted line break": CLEAN.replace(",Acme,", ',"Acme\nInc",') + "Total,,,410,,\n",
    "total row of a table in cents": CENTS + "Total,,2026-01,41000,,\n",
    "total row and subscriptions": SUBSCRIPTIONS + "Total,,2026-01,410,,\n",
    "total row and blank figures": DENSE + "Total,,,1200,\n",
    "total row with a name": CLEAN + "Total,All customers,2026-01,410,,\n",
    "wide, total rows and a blank line": WIDE + "\nTotal,,,350.50,450.50,341,410\nSum,,,1,1,1,1\n",
    "total name": CLEAN + "009,Grand total:,2026-01,410,,\n",
    "total month": CLEAN + "009,Sum,Total,410,,\n",
    "keys alike": CLEAN + "001 ,Acme,2026-01,5,SMB,Pro\n",
    "keys alike inside": CLEAN + "A  1,X,2026-01,5,SMB,Pro\na 1,Y,2026-01,5,SMB,Pro\n",
    # a key with a capital folded onto one without (which is its own folding): _alike folds only the first
    "keys alike by case alone": CLEAN + "Q7,X,2026-01,5,SMB,Pro\nq7,Y,2026-01,5,SMB,Pro\n",
    "keys with capitals, none alike": CLEAN + "Q7,X,2026-01,5,SMB,Pro\nq8,Y,2026-01,5,SMB,Pro\n",
    "names differ": CLEAN.replace("001,Acme,2026-01", "001,ACME INC,2026-01"),
    "blank name": CLEAN.replace("003,Gamma,2025-11", "003,,2025-11"),
    "note under the table": CLEAN + ",Accrual basis,,,,\n",
    "notes under the table": CLEAN + "Accrual basis,,,,,\n\n\"Grand Totals (9 records)\"\n\"Generated By: J. Doe\"\n",
    "a note of spaces": CLEAN + "   ,,,,,\n",
    "a note that could be a subtotal": CLEAN + "Total Acme\n",
    "a note and a total row": CLEAN + "Total,,,410,,\nConfidential\n",
    "a note with a name": CLEAN + "Accrual basis,Acme,,,,\n",
    "a note in the middle": CLEAN.replace("003,Gamma,2025-11", "See notes,,,,,\n003,Gamma,2025-11"),
    "a note with a segment": CLEAN + "Note,,,,SMB,\n",
    "header again": CLEAN + "Customer ID,Customer,Month,MRR,Segment,Plan\n004,Delta,2026-01,7,SMB,Pro\n",
    "blank rows": CLEAN.replace("003,Gamma,2025-11", "\n\n003,Gamma,2025-11"),
    "blank lines at the end": CLEAN + "\n\n",
    "empty cells at the end": CLEAN + ",,,,,\n,,,,,\n",
    "empty cells and a figure": CLEAN + ",,,0,,\n",
    "spaces only row": CLEAN.replace("003,Gamma,2025-11", "  \n003,Gamma,2025-11"),
    "title above the header": "Customers export\n" + CLEAN,
    "sep line": "sep=,\n" + CLEAN,
    "semicolons": CLEAN.replace(",", ";"),
    "quoted line break": CLEAN.replace("Acme,2025-10", '"Acme\nInc",2025-10'),
    "day-first dates": CLEAN.replace("2025-10", "01/10/2025").replace("2025-11", "01/11/2025")
                            .replace("2025-12", "01/12/2025").replace("2026-01", "13/01/2026"),
    "text dates": CLEAN.replace("2025-10", "Oct 2025").replace("2025-11", "Nov 2025"),
    "crlf": CLEAN.replace("\n", "\r\n"),
    "utf-8 bom": "\ufeff" + CLEAN,
    "currency column": CLEAN.replace("Plan", "Currency").replace(",Pro", ",usd").replace(",Basic", ",usd"),
    "currency column of a symbol": CLEAN.replace("Plan", "Currency").replace(",Pro", ",€").replace(",Basic", ",€"),
    "currency column with a blank": CLEAN.replace("Plan", "Currency").replace(",Pro", ",EUR").replace(",Basic", ","),
    "currency column of a name": CLEAN.replace("Plan", "Currency").replace(",Pro", ",Euro").replace(",Basic", ",Euro"),
    "amount named in dollars": CLEAN.replace(",MRR,", ",mrr_usd,"),
    "two currency codes": CLEAN.replace("Plan", "Currency").replace(",Pro", ",usd").replace(",Basic", ",eur"),
    "arr": CLEAN.replace(",MRR,", ",ARR,"),
    "amount names a currency": CLEAN.replace(",MRR,", ",MRR (EUR),"),
    "amount names a currency the currency column does not": CLEAN.replace(",MRR,", ",MRR (USD),").replace(
        "Plan", "Currency").replace(",Pro", ",EUR").replace(",Basic", ",EUR"),
    "figures in cents": CENTS,
    "cents with a decimal": CENTS.replace(",9050,", ",9050.5,"),  # the row reader rounds it to a whole cent
    "cents with a sign": CENTS.replace(",9050,", ",+9050,"),
    "cents with a separator": CENTS.replace(",25050,", ',"25,050",'),
    "negative cents": CENTS.replace(",9050,", ",-9050,"),
    # pandas' to_csv and R's write.csv write each row's number first, under no header
    "pandas row numbers": "".join(f"{'' if n == 0 else n - 1},{line}\n" for n, line in enumerate(CLEAN.splitlines())),
    "r row names": "".join(",".join(f'"{v}"' if not v.replace(".", "").isdigit() or i < 3 else v
                                    for i, v in enumerate([str(n) if n else "", *line.split(",")])) + "\n"
                           for n, line in enumerate(CLEAN.splitlines())),
    "row numbers and a blank line": "".join(f"{'' if n == 0 else n - 1},{line}\n"
                                            for n, line in enumerate(CLEAN.splitlines())) + "9,,,,,,\n",
    "two columns without a header": "".join(f",{'' if n == 0 else n},{line}\n"
                                            for n, line in enumerate(CLEAN.splitlines())),
    "a column without a header in the middle": CLEAN.replace("MRR,Segment", "MRR,,Segment").replace(",SMB", ",x,SMB")
                                                    .replace(",Enterprise", ",y,Enterprise").replace("80,,", "80,z,,")
                                                    .replace("90.5,Mid", "90.5,w,Mid"),
    "wide form": "Customer,Segment,Oct 2025,Nov 2025\nAcme,SMB,100,120\nBeta,Enterprise,250,\n",
    # found by a review and a fuzz of this path: each read otherwise by polars than by the row reader
    "a column without a header past the last": "Customer,Month,MRR,\nAcme,2026-01,100,\nAcme,2026-02,110,note\n"
                                               "Beta,2026-01,50,\nBeta,2026-02,60,\n",
    "a decimal comma in a column without a header": "Customer;;Month;MRR\nAcme;0,50;2026-01;100\n"
                                                    "Acme;1,5;2026-02;110\nBeta;;2026-01;50\nBeta;;2026-02;60\n",
    "wide, a total name and no figures": "Customer ID,Customer,2025-01,2025-02\nC1,Acme,100,100\n,Total,,\n",
    "wide, a subtotal key and no figures": "Customer ID,Customer,2024-02,2024-03\nA,Acme,1,1\nTotal Acme,,,\n",
    "wide, a subtotal name and no figures": "Customer ID,Customer,2025-01,2025-02\nC1,Acme,100,100\n,Total Acme,,\n",
    "wide, decimal commas in rows without figures": 'Customer,2025-01\nAcme,100\n"0,5",\n"1,5",\n',
    "a quote and text after it in a segment": "Customer,Segment,2024-12,2025-01\nAcme,\"SMB\" x,100,100\n",
    "a quote and text after it in a key": 'Customer ID,Month,MRR\n"A1"x,2025-01,100\nA1,2025-02,100\n',
    "a quote and text after it in a month": 'Customer ID,Month,MRR\nA1,"2025-01" x,100\nA1,2025-02,100\n',
    "quotes written twice": 'Customer ID,Customer,Month,MRR\nA1,"The ""Best"" Co",2025-01,100\n'
                            'A1,"The ""Best"" Co",2025-02,100\n',
    "a subtotal in the name column": "Customer ID,Customer,Month,MRR\nA1,Acme,2025-01,100\n-,Total Acme,2025-01,100\n"
                                     "A1,Acme,2025-02,120\n-,Total Acme,2025-02,120\n",
    "carriage returns for line ends": "Customer,2025-01\rAcme,100\n",
    "wide, a carriage return in a name": "Customer,Jan 2026,Feb 2026\nAcme,100,110\nBe\rta,50,60\nTotal,150,170\n",
    "a carriage return in a key": "Customer,Month,MRR\nAcme,2026-01,100\nAcme\r,2026-02,110\nBeta,2026-01,50\n"
                                  "Beta,2026-02,60\n",
    "sum of amount beside a billing interval": "Customer,Month,Sum of Amount,Billing Interval\n"
                                               "Acme,2026-01,1200,annual\nBeta,2026-01,50,monthly\n"
                                               "Beta,2026-02,60,monthly\n",
    "mrr sum beside mrr": "Customer,Month,MRR Sum,MRR\nAcme,2026-01,1000,100\nAcme,2026-02,1100,110\n"
                          "Beta,2026-01,500,50\nBeta,2026-02,0,0\n",
    "wide, keyed": WIDE,
    "wide, dollars": WIDE.replace(",100,", ",$100,").replace(",250.50,", ",$250.50,"),
    "wide, thousands": WIDE.replace(",100,", ',"1,100.00",'),
    "wide, newest month first": "Customer ID,Customer,2026-01,2025-12,2025-11\n"
                                "001,Acme,110,,120\n002,Beta,300,250,250\n",
    "wide, months out of order": "Customer ID,2025-11,2026-01,2025-12\n001,120,110,\n002,250,300,250\n",
    "wide, a month missing": "Customer ID,2025-10,2025-12\n001,120,110\n002,250,300\n",
    "wide, a month twice": "Customer ID,2025-10,2025-11,2025-11\n001,120,110,1\n002,250,300,2\n",
    "wide, a month header unread": "Customer ID,January,February\n001,120,110\n002,250,300\n",
    "wide, ARR": WIDE.replace("2025-10,2025-11,2025-12,2026-01", "ARR Oct 2025,ARR Nov 2025,ARR Dec 2025,ARR Jan 2026"),
    "wide, total row": WIDE + "Total,,,350.50,450.50,341,410\n",
    "wide, total name": WIDE + ",Total,,350.50,450.50,341,410\n",
    "wide, subtotal of a customer": WIDE + "Total Acme,,,100,120,,110\n",
    "wide, total column": WIDE.replace("2026-01\n", "2026-01,Total\n").replace(",110\n", ",110,330\n")
                               .replace(",300\n", ",300,1051.50\n").replace("90.5,\n", "90.5,,170.5\n"),
    "wide, a customer twice": WIDE + "001,Acme,SMB,5,5,5,5\n",
    "wide, two subscriptions": WIDE.replace("Segment", "Plan") + "001,Acme,Addon,5,5,5,5\n",
    "wide, blank name": WIDE.replace("003,Gamma,", "003,,"),
    "wide, spaces for a name": WIDE.replace("003,Gamma,", "003,  ,"),
    "wide, names alike": WIDE.replace("003,Gamma,", "003,Acme,"),
    "wide, blank key": WIDE.replace("003,Gamma,", ",Gamma,"),
    "wide, keys alike": WIDE + "001 ,Acme,SMB,5,5,5,5\n",
    "wide, float keys": WIDE.replace("\n001,", "\n1.0,").replace("\n002,", "\n2.0,"),
    "wide, one number twice": WIDE + "1,Uno,SMB,5,5,5,5\n",
    "wide, a first month blank": WIDE.replace("2025-10,", "2025-09,2025-10,").replace("SMB,", "SMB,,")
                                     .replace("Enterprise,", "Enterprise,,").replace("003,Gamma,,", "003,Gamma,,,"),
    "wide, a last month blank": WIDE.replace("2026-01\n", "2026-01,2026-02\n").replace(",110\n", ",110,\n")
                                    .replace(",300\n", ",300,\n").replace("90.5,\n", "90.5,,\n"),
    "wide, a month between blank": WIDE.replace(",120,", ",,").replace("250.50,250.50,250.50", "250.50,,250.50")
                                       .replace(",80,", ",,"),
    "wide, a note under the table": WIDE + "Accrual basis,,,,,,\n",
    "wide, figures without a customer": WIDE + ",,,5,5,5,5\n",
    "wide, blank lines at the end": WIDE + "\n\n",
    "wide, empty cells at the end": WIDE + ",,,,,,\n",
    "wide, a row of zeros": WIDE + "004,Delta,SMB,0,0,0,0\n",
    "wide, ragged row, too short": WIDE + "004,Delta,SMB,5,5\n",
    "wide, ragged row, too long": WIDE + "004,Delta,SMB,5,5,5,5,5\n",
    "wide, negative figure": WIDE.replace(",120,", ",-120,"),
    "wide, unreadable figure": WIDE.replace(",120,", ",n/a,"),
    "wide, figure of spaces": WIDE.replace(",120,", ",  ,"),
    "wide, currency column": WIDE.replace("Segment", "Currency").replace(",SMB,", ",EUR,")
                                 .replace(",Enterprise,", ",EUR,").replace("Gamma,,", "Gamma,EUR,"),
    "wide, two currency symbols": WIDE.replace(",100,", ",$100,").replace(",250.50,", ",€250.50,"),
    "wide, spaces for a segment": WIDE.replace("003,Gamma,,", "003,Gamma,  ,"),
    "wide, decimal commas in a name": WIDE.replace("Gamma", '"1,5"'),
    "wide, decimal commas in a segment": WIDE.replace("003,Gamma,,", '003,Gamma,"1,5",'),
    "wide, four decimals": WIDE.replace(",100,", ",100.0049999,").replace(",120,", ",120.0050,"),
    "wide, month booked per quarter": "Customer ID,2025-10,2025-11,2025-12,2026-01\nQ1,300,,,300\nA,5,5,5,5\n",
    "seven-column ledger": (ROOT / "examples" / "ledger.csv").read_text(),
    "duplicate header": CLEAN.replace("Segment,Plan", "Segment,Segment"),
    "only a header": CLEAN.splitlines()[0] + "\n",
    "non-ascii keys alike": CLEAN + "ÄCME,Acme,2026-01,5,SMB,Pro\näcme,Acme,2026-01,5,SMB,Pro\n",
    "keys alike by a separator": CLEAN + "A\x1fB,X,2026-01,5,SMB,Pro\na b,Y,2026-01,5,SMB,Pro\n",
    "spaces for a name": CLEAN.replace("003,Gamma,", "003,   ,"),
    "spaces for a segment": CLEAN.replace("003,Gamma,2025-11,80,,", "003,Gamma,2025-11,80,  ,"),
    "a separator for a name": CLEAN.replace("003,Gamma,", "003,\x1c,"),
    "non-ascii names": CLEAN.replace("Acme", "Äcme GmbH").replace("Gamma", "Γάμμα ☃"),
    # a warning about a clean table: two customers paying one month in three with nothing between (quarterly
    # plans booked in their invoice month)
    "booked per quarter": CLEAN + "".join(f"{c},{c},{m},300,SMB,Pro\n" for c in ("Q1", "Q2")
                                          for m in ("2025-10", "2026-01")),
    # keys written as floats (pandas, an ID column with a blank): read as the whole numbers they are (fuzz 5)
    "float keys": CLEAN.replace("\n001,", "\n1.0,").replace("\n002,", "\n2.0,").replace("\n003,", "\n3.00,"),
    # 3 and 003 are one number, whatever the length of another key (19 digits: past what a 64-bit int holds, the
    # columnar path did not look and read them as two customers; a fresh-eyes try)
    "one number twice beside a long key": CLEAN + "3,Gamma,2026-01,5,Mid-Market,Plus\n"
                                                  "1234567890123456789,Long,2026-01,7,SMB,Pro\n",
    # a name with a space after it reads as the name: the two customers are shown with their keys, both ways
    "a name twice but for a space after it": CLEAN + "004,Acme ,2026-01,10,SMB,Pro\n",
    # a Subscription column after the Plan tells two seats of one plan apart (the Plan had been chosen: refused)
    "subscriptions after a plan": "Customer ID,Customer,Month,MRR,Segment,Plan,Subscription\n" + "".join(
        f"{line},sub_{n}\n" for n, line in enumerate(CLEAN.splitlines()[1:])) + "001,Acme,2026-01,40,smb,Pro,sub_x\n",
    "float keys and a text key": CLEAN.replace("\n001,", "\n1.0,").replace("\n002,", "\n2.0,"),
    # QuickBooks Desktop's subtotal of a parent's sub-customers, beside a customer whose name starts with Total
    "subtotal of a customer": CLEAN + "Total Acme,,2026-01,110,,\nTotal Wine,Total Wine,2026-01,5,SMB,Pro\n",
    # next month's rows written ahead, figures blank: not closed yet, not every customer churning
    "month not closed yet": CLEAN + "001,Acme,2026-02,,SMB,Pro\n002,Beta,2026-02,,Enterprise,Pro\n",
    # billing data read by billing rules (a subscriptions export with Start and End dates), not as a table
    "subscriptions": "Customer,Month,Start date,End date,Amount,Billing frequency\n"
                     "Acme,2025-10,2025-10-01,,1200,annual\nBeta,2025-10,2025-10-01,2026-01-31,100,monthly\n",
}


@pytest.mark.parametrize("case", sorted(UNUSUAL))
def test_with_the_columnar_path_forced_on_every_message_is_the_row_readers(tmp_path: Path, case: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(UNUSUAL[case], encoding="utf-8")
    fast, rows = read(path, ALWAYS), read(path, None)
    assert said(fast.check) == said(rows.check)
    if rows.check.ledger is not None and rows.check.ledger.customer_table is not None:
        assert answers(fast) == answers(rows)


@pytest.mark.parametrize("text", [
    CLEAN.replace("Plan", "Currency").replace(",Pro", ",EUR").replace(",Basic", ",EUR"),  # a Currency column
    CLEAN.replace(",MRR,", ",MRR (EUR),"),  # the figure's header names it
    CLEAN.replace(",MRR,", ",MRR (€),"),  # by its symbol (fuzz 10: taken for the reporting currency, unconverted)
    CLEAN.replace(",MRR,", ",€ MRR,"),
])
def test_a_table_in_a_currency_with_a_rate_is_converted_whichever_path_reads_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(text)
    options = ReadOptions(fx=FxRates(reporting="USD", flat={"EUR": Decimal("1.10")}))
    fast = open_file_source(str(path), options=options, fast=ALWAYS).read_cells()
    rows = open_file_source(str(path), options=options, fast=None).read_cells()
    assert rows.ledger.customer_table is not None and rows.ledger.customer_table.currency == "USD"
    assert fast.prepared is None  # the columnar read keeps figures as written: the row reader converts them
    assert said(fast.check) == said(rows.check)
    assert answers(fast) == answers(rows)


@pytest.mark.parametrize(("text", "currency"), [
    (CLEAN.replace(",MRR,", ",mrr_usd,"), "USD"),  # the reporting currency: nothing to convert
    (CLEAN.replace(",MRR,", ",MRR (GBP),"), "GBP"),  # no rate for it: answered in it, as the row reader answers
    (CLEAN.replace("Plan", "Currency").replace(",Pro", ",€").replace(",Basic", ",€"), "EUR"),  # no rates at all
])
def test_a_table_in_one_currency_nothing_converts_is_read_column_by_column(tmp_path: Path, text: str,
                                                                          currency: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    options = ReadOptions(fx=FxRates(reporting="USD", flat={"EUR": Decimal("1.10")})) if currency != "EUR" \
        else ReadOptions()
    fast = open_file_source(str(path), options=options, fast=ALWAYS).read_cells()
    rows = open_file_source(str(path), options=options, fast=None).read_cells()
    assert fast.prepared is not None and fast.ledger.customer_table is not None
    assert fast.ledger.customer_table.currency == currency
    assert said(fast.check) == said(rows.check)
    assert answers(fast) == answers(rows)


def test_figures_written_with_four_decimals_or_more_are_read_column_by_column(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(UNUSUAL["four decimals and more"])
    fast, rows = read(path, ALWAYS), read(path, None)
    assert fast.prepared is not None and said(fast.check) == said(rows.check) == []
    table = fast.ledger.customer_table
    assert table is not None and table.dense is not None
    assert table.dense.cents[0].tolist() == [10000, 12001, 0, 11000]  # 100.0049999, 120.0050, 0, 110
    assert answers(fast) == answers(rows)


def test_a_column_of_cents_is_read_column_by_column_with_the_row_readers_warning(tmp_path: Path) -> None:
    """A 100,000-customer table headed ``mrr_cents`` went to the row reader whatever it held: 8.2 s where the same
    table in units took 1.2 s. Whole cents are read column by column now, with the row reader's warning."""
    path = tmp_path / "customers.csv"
    path.write_text(CENTS)
    fast, rows = read(path, ALWAYS), read(path, None)
    assert fast.prepared is not None  # the columnar path read it
    assert said(fast.check) == said(rows.check) == [
        ("warning", 'The MRR column "mrr_cents" is read as cents, as its header says (120050 is 1,200.50). If it '
                    'holds whole currency units, take "cents" out of its header.', ("D1",))]
    table = fast.ledger.customer_table
    assert table is not None and table.dense is not None and table.cents_column == (3, "mrr_cents")
    assert table.dense.cents[1].tolist() == [25050, 25050, 0, 300]  # Beta: written in cents, read as written
    assert answers(fast) == answers(rows)
    decimal = tmp_path / "decimal.csv"
    decimal.write_text(UNUSUAL["cents with a decimal"])
    assert read(decimal, ALWAYS).prepared is None  # 9050.5 is rounded to a cent by the row reader, which says so


def test_figures_after_a_currency_symbol_are_read_column_by_column_in_its_currency(tmp_path: Path) -> None:
    """A 100,000-customer table whose figures read $256.24 (a spreadsheet formatted as currency, exported) went to
    the row reader: 11.5 s where the same figures without the sign took 1.2 s, and 18 s written $1,256.24. One
    symbol before plain figures, and thousands grouped beside a decimal point, are read column by column, the table
    in the symbol's currency, as the row reader reads them."""
    for case, currency in (("dollar figures", "USD"), ("euro figures", "EUR"), ("currency symbol", "USD"),
                           ("dollar figures under MRR (USD)", "USD"), ("dollar figures in thousands", "USD"),
                           ("figures in thousands", None)):
        path = tmp_path / "customers.csv"
        path.write_text(UNUSUAL[case], encoding="utf-8")
        fast, rows = read(path, ALWAYS), read(path, None)
        assert fast.prepared is not None, case  # the columnar path read it
        table = fast.ledger.customer_table
        assert table is not None and table.currency == currency, case
        assert said(fast.check) == said(rows.check) and answers(fast) == answers(rows), case
    for case in ("figures between spaces", "accounting figures", "long figures between spaces"):
        read_both_ways(path, case)
    for case in ("yen and pound figures", "dollar figures under MRR (EUR)", "thousands and no decimals",
                 "dollar figures beside a currency column", "dollar sign after", "thousands grouped oddly"):
        path = tmp_path / "customers.csv"
        path.write_text(UNUSUAL[case], encoding="utf-8")
        assert read(path, ALWAYS).prepared is None, case  # the row reader's to read, or to refuse naming cells


def test_blank_lines_and_empty_rows_are_passed_over_column_by_column_too(tmp_path: Path) -> None:
    """One blank line at the end of a 100,000-customer table (an editor's) sent it to the row reader: 10.5 s for
    1.7 s; a spreadsheet's ``,,,,,`` rows, 15 s. Rows with nothing in them are passed over by both paths."""
    for case in ("blank rows", "blank lines at the end", "empty cells at the end"):
        path = tmp_path / "customers.csv"
        fast = read_both_ways(path, case)
        assert said(fast.check) == [], case


def test_blank_figures_in_months_with_figures_are_read_column_by_column_as_zero(tmp_path: Path) -> None:
    """A 100,000-customer export of every customer in every month, the figure blank where one paid nothing, went
    to the row reader: 20 s, where the same table with 0 written took 1.6 s. A blank figure is 0 on both paths; a
    month with no figure at all (before anyone paid, a gap) is the row reader's to say."""
    path = tmp_path / "customers.csv"
    for case in ("blank figures of every customer in every month", "blank figures beside dollars",
                 "blank figures of mrr_cents"):
        fast = read_both_ways(path, case)
        assert [what for what in said(fast.check) if what[0] == "error"] == [], case
        zeros = UNUSUAL[case].replace(",,", ",0,")
        path.write_text(zeros, encoding="utf-8")
        assert answers(read(path, ALWAYS)) == answers(fast), case  # blank and 0 are one figure
    for case in ("a blank month before the figures", "a blank month between figures"):
        path.write_text(UNUSUAL[case], encoding="utf-8")
        assert read(path, ALWAYS).prepared is None, case
        assert said(read(path, None).check), case  # the row reader's warning or error, naming the months


def test_a_wide_table_is_read_column_by_column_with_the_row_readers_answers(tmp_path: Path) -> None:
    """A 100,000-customer wide CSV (a row per customer, a column per month) took 5.3 s through the row reader and
    takes 1.1 s column by column, with the same JSON. What the row reader has a word for (a customer twice, a
    total, a month column left blank, a Total column, a Currency column) is still the row reader's."""
    path = tmp_path / "customers.csv"
    read_so = {"wide form", "wide, keyed", "wide, dollars", "wide, thousands", "wide, ARR", "wide, four decimals",
               "wide, newest month first", "wide, months out of order", "wide, blank name", "wide, spaces for a name",
               "wide, names alike", "wide, a note under the table", "wide, blank lines at the end",
               "wide, empty cells at the end", "wide, a row of zeros", "wide, spaces for a segment",
               "wide, month booked per quarter", "wide, ragged row, too short", "wide, total row",
               "wide, total rows and a blank line"}
    for case in sorted(c for c in UNUSUAL if c.startswith("wide")):
        path.write_text(UNUSUAL[case], encoding="utf-8")
        fast = read(path, ALWAYS)
        assert (fast.prepared is not None) == (case in read_so), case
    path.write_text(UNUSUAL["wide, keyed"], encoding="utf-8")
    table = read(path, ALWAYS).ledger.customer_table
    assert table is not None and table.dense is not None
    assert table.dense.cents.tolist() == [[10000, 12000, 0, 11000], [25050, 25050, 25050, 30000], [0, 8000, 9050, 0]]


def test_a_column_without_a_header_is_passed_over_column_by_column(tmp_path: Path) -> None:
    """pandas' ``to_csv`` and R's ``write.csv`` write each row's number first, under no header: neither path reads
    that column, and the columnar path no longer sends the file to the row reader for it (100,000 customers: 15 s
    and 23 s -> 1.2 s). Only the columns a path reads are kept."""
    path = tmp_path / "customers.csv"
    for case in ("pandas row numbers", "r row names", "a column without a header in the middle"):
        fast = read_both_ways(path, case)
        assert said(fast.check) == [], case
    path.write_text(UNUSUAL["two columns without a header"], encoding="utf-8")
    assert read(path, ALWAYS).prepared is None


def test_total_rows_are_left_out_column_by_column_with_the_row_readers_warning(tmp_path: Path) -> None:
    """A 100,000-customer table with a Total row at its end (as Excel's and most reports' exports have) took 22.6 s
    through the row reader. A row whose customer cell is a total's label is left out on both paths, with the same
    warning naming the same cells; a total's label in a name or month cell is still the row reader's to judge."""
    path = tmp_path / "customers.csv"
    for case in ("total row", "total rows of two labels", "total row and blank lines", "total row after a blank line",
                 "total row after a quoted line break", "total row of a table in cents", "total row and subscriptions",
                 "total row and blank figures", "total row with a name", "wide, total rows and a blank line"):
        fast = read_both_ways(path, case)
        assert any(code == "total_row" for code in (i.code for i in fast.check.issues)), case
    for case in ("total name", "total month", "subtotal of a customer", "wide, total name"):
        path.write_text(UNUSUAL[case], encoding="utf-8")
        assert read(path, ALWAYS).prepared is None, case


def test_a_table_in_windows_1252_or_utf_16_is_read_column_by_column(tmp_path: Path) -> None:
    """Excel's CSV on Windows is Windows-1252, its "Unicode text" UTF-16 with tabs: both went to the row reader (a
    100,000-customer table, 11 s). Decoded as the row reader decodes them, they are read column by column."""
    table = CLEAN.replace("Acme", "Société Générale").replace("Gamma", "Zürich Café €")
    for n, data in enumerate((table.encode("cp1252"), codecs.BOM_UTF8 + table.encode("utf-8"),
                              table.replace(",", "\t").replace("\n", "\r\n").encode("utf-16"))):
        path = tmp_path / f"customers{n}.csv"
        path.write_bytes(data)
        fast, rows = read(path, ALWAYS), read(path, None)
        assert fast.prepared is not None
        assert said(fast.check) == said(rows.check) and answers(fast) == answers(rows)
        customers = fast.ledger.customer_table
        assert customers is not None and "Société Générale" in customers.names
    # neither Windows-1252 (0x81 is no character in it) nor UTF-16: the row reader says what the file is
    for n, data in enumerate((table.encode("cp1252") + b"\x81\n", codecs.BOM_UTF16_LE + b"\x00\xd8")):
        path = tmp_path / f"unread{n}.csv"
        path.write_bytes(data)
        with pytest.raises(SourceError, match="not a CSV file nrr can read"):
            read(path, ALWAYS)


def test_notes_under_the_table_are_passed_over_column_by_column(tmp_path: Path) -> None:
    """A report's footer (Salesforce writes "Grand Totals (N records)", a copyright and "Generated By" under every
    export) sent a 100,000-customer table to the row reader: 24 s. A row with text in the customer column and
    neither a month nor a figure is a note, passed over by both paths without a word."""
    path = tmp_path / "customers.csv"
    for case in ("notes under the table", "a note and a total row", "a note with a name", "a note in the middle",
                 "a note with a segment"):
        read_both_ways(path, case)
    for case in ("a note of spaces", "a note that could be a subtotal"):
        path.write_text(UNUSUAL[case], encoding="utf-8")
        assert read(path, ALWAYS).prepared is None, case


def test_subscriptions_told_apart_are_summed_column_by_column(tmp_path: Path) -> None:
    """A 100,000-customer table with a second subscription for half its customers (a Subscription column telling
    the rows apart) went to the row reader: 5.2M rows, 27 s. Rows told apart are summed column by column, each
    customer-month taking the value of its largest row (ties by the value first in sort order), as the row
    reader weighs them; rows that disagree on another attribute, or that nothing tells apart, go to it."""
    for case in ("subscriptions summed", "subscriptions tied", "subscriptions of a segment and its case",
                 "subscriptions past what a double holds", "subscriptions with a note on none of them",
                 "subscriptions with a blank plan", "subscriptions with a blank segment"):
        path = tmp_path / "customers.csv"
        path.write_text(UNUSUAL[case], encoding="utf-8")
        fast, rows = read(path, ALWAYS), read(path, None)
        assert fast.prepared is not None, case
        table, read_by_rows = fast.ledger.customer_table, rows.ledger.customer_table
        assert table is not None and read_by_rows is not None
        assert table.summed_by == "Plan" == read_by_rows.summed_by, case
        assert said(fast.check) == said(rows.check) and answers(fast) == answers(rows), case
    for case in ("subscriptions disagreeing", "subscriptions with two blank plans", "repeat of one plan",
                 "subscriptions and a currency column"):
        path = tmp_path / "customers.csv"
        path.write_text(UNUSUAL[case], encoding="utf-8")
        assert read(path, ALWAYS).prepared is None, case




def test_a_segments_table_and_members_are_made_once_and_kept_for_the_next_answer(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    generate(path, 200, 30)
    ledger = read(path, ALWAYS).ledger
    table = ledger.customer_table
    assert table is not None and table.dense is not None
    members = [0, 3, 5, 8]
    assert table.subset(members) is table.subset(members)  # a --where answer asks for it several times
    period = resolve_period("ttm", dt.date(2025, 7, 15))  # the table's last month is June 2025
    first = report_to_dict(build_report(ledger, period, where=("Segment", "SMB")))
    kept = len(table.derived)
    assert kept > 0
    assert report_to_dict(build_report(ledger, period, where=("Segment", "SMB"))) == first
    assert len(table.derived) == kept  # the second answer made nothing new
