"""Customer tables answered in the database: DuckDB files, Parquet files and PostgreSQL run for real and must give
the engine's figures to the cent; BigQuery's and Snowflake's SQL is compiled through their dialects."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import os
import random
import re
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine import (
    Month,
    Profile,
    build_forecast,
    build_report,
    check_ledger,
    cohort_triangle,
    forecast_to_dict,
    ledger_table,
    password_unescaped,
    report_to_dict,
    resolve_period,
    url_has_secret,
)
from tests.helpers import POSTGRES_URL, ROOT, postgres_schema
from tests.test_cli import run
from warehouse import WarehouseError, compiled_queries, is_warehouse_spec, open_warehouse_source, ran_out_of_memory

duckdb = pytest.importorskip("duckdb")

CUSTOMERS = ROOT / "examples" / "customers.csv"
TODAY = ("--today", "2026-11-05")
Row = tuple[Any, ...]


def example_rows() -> tuple[list[str], list[Row]]:
    with CUSTOMERS.open(encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    return header, [(r[0], r[1], dt.date.fromisoformat(r[2] + "-01"), float(r[3]), r[4], r[5]) for r in rows]


@functools.cache
def csv_answer(*asked: str) -> tuple[int, str, str]:
    """``nrr`` asked of the example CSV, the answer every database's is compared with: worked out once a run."""
    return run(*asked, "--ledger", str(CUSTOMERS))


def duck_file(path: Path, header: Sequence[str], rows: Sequence[Row], table: str = "mrr",
              types: Sequence[str] | None = None) -> Path:
    """A DuckDB file holding ``rows`` in ``table`` (the columns typed from the first row unless ``types``)."""
    if types is None:
        types = ["DATE" if isinstance(v, dt.date) else "DOUBLE" if isinstance(v, float | int) else "VARCHAR"
                 for v in rows[0]]
    staged = path.with_name(f"{path.stem}.{table}.rows.csv")  # one COPY, not a statement per row
    with staged.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["" if v is None else v for v in r] for r in rows])
    con = _writer()
    con.execute(f"ATTACH '{path}' AS written")
    try:
        columns = ", ".join(f'"{h}" {t}' for h, t in zip(header, types, strict=True))
        con.execute(f'CREATE TABLE written."{table}" ({columns})')
        con.execute(f"COPY written.\"{table}\" FROM '{staged}' (HEADER false, NULLSTR '')")
    finally:
        con.execute("DETACH written")  # checkpointed and let go: the file is as a connection of its own leaves it
    staged.unlink()
    return path


@functools.cache
def _writer() -> Any:
    """The in-memory DuckDB that writes every test's file (ATTACH, then DETACH): a connection to each file made a
    DuckDB instance of its own, some 20 ms of CPU, about 90 times a run."""
    return duckdb.connect(":memory:")


def grid_of(header: Sequence[str], rows: Sequence[Row]) -> list[list[Any]]:
    return [list(header), *([v.strftime("%Y-%m") if isinstance(v, dt.date) else v for v in r] for r in rows)]


def csv_file(path: Path, header: Sequence[str], rows: Sequence[Row]) -> Path:
    """A CSV of ``rows`` as a file reader reads the same table (``grid_of``; None is a blank cell)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(grid_of(header, rows))
    return path


@pytest.fixture(scope="module")
def example_duck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    header, rows = example_rows()
    path = duck_file(tmp_path_factory.mktemp("duck") / "w.duckdb", header, rows)
    with duckdb.connect(str(path)) as con:
        con.execute(f"COPY mrr TO '{path.with_suffix('.parquet')}' (FORMAT parquet)")
    return path


ASKED = [("report", "ttm", "--json", *TODAY),
         ("report", "last-quarter", "--json", "--where", "Segment=enterprise", "--by", "plan", *TODAY),
         ("report", "2026-03", "--json", "--top", "3", "--by", "segment", *TODAY),
         ("report", "ytd", "--by", "Plan", *TODAY),
         ("report", "Q2 2026", "--where", "plan=Growth", *TODAY),
         ("ledger", "--csv"), ("cohorts",), ("cohorts", "--by", "quarter")]


# every question of a DuckDB table; a Parquet file is the same SQL over a view, so three of them
KINDS = [("duckdb", asked) for asked in ASKED] + [("parquet", ASKED[i]) for i in (1, 2, 6)]


@pytest.mark.parametrize(("kind", "asked"), KINDS, ids=lambda a: a if isinstance(a, str) else " ".join(a))
def test_a_duckdb_or_parquet_table_answers_as_the_csv_does(example_duck: Path, asked: tuple[str, ...],
                                                           kind: str) -> None:
    spec = f"{example_duck}#mrr" if kind == "duckdb" else str(example_duck.with_suffix(".parquet"))
    expected = csv_answer(*asked)
    assert expected[0] == 0
    assert run(*asked, "--ledger", spec) == expected


def test_validate_counts_the_tables_customers_and_months(example_duck: Path) -> None:
    code, out, _ = run("validate", "--ledger", f"{example_duck}#mrr")
    assert (code, out) == (0, f"{example_duck}#mrr: valid customer table, 40 customers, 22 months (2025-01 to "
                              "2026-10), 0 warning(s).\n")


def test_nrr_mrr_is_refused_in_words_for_a_database_table(example_duck: Path) -> None:
    # nrr mrr lists every customer's figure month by month: a database's table is answered with sums
    code, out, err = run("mrr", "--csv", "--ledger", f"{example_duck}#mrr")
    assert code == 1 and out == "", (code, out, err)
    assert err.startswith("nrr mrr reads every customer's figures month by month, and a database table is "
                          "answered with sums where it lives, never read row by row. Export the table as CSV"), err


FORECASTS = [("forecast", "--json", *TODAY), ("forecast", *TODAY),
             ("forecast", "--json", "--months", "18", "--target", "2M", "--by", "2027-09", *TODAY),
             ("forecast", "--json", "--months", "3", "--today", "2025-09-20")]  # the simple method, no backtest


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
@pytest.mark.parametrize("asked", FORECASTS, ids=" ".join)
def test_a_forecast_of_a_database_table_is_the_csvs(example_duck: Path, asked: tuple[str, ...], kind: str) -> None:
    spec = f"{example_duck}#mrr" if kind == "duckdb" else str(example_duck.with_suffix(".parquet"))
    expected = csv_answer(*asked)
    assert expected[0] == 0 and ("--json" not in asked or json.loads(expected[1])["months"])
    assert run(*asked, "--ledger", spec) == expected


def test_slack_and_the_app_home_forecast_a_database_table_as_the_csv(example_duck: Path, tmp_path: Path) -> None:
    from nrr.runtime import Runtime
    from nrr.server import build_server
    from tests.fakes.servers import serve
    from tests.fakes.slack_api import FakeSlack
    from tests.test_bot import NOW, Stack, settings, slack_env

    def answers(source: str) -> tuple[Any, Any, str]:
        with FakeSlack() as slack:
            runtime = Runtime(_file=settings(source, tmp_path), env=slack_env(slack), clock=lambda: NOW)
            with serve(build_server(runtime).app) as url:
                stack = Stack(slack, url, runtime)
                _, path = stack.command("forecast 6 months target $2M by Dec 2027")
                answer = stack.answer(path)["blocks"]
                event = {"type": "event_callback", "team_id": "T0ACME", "api_app_id": "A0NRR", "event_id": "Ev1",
                         "event_time": int(NOW.timestamp()),
                         "event": {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "home",
                                   "event_ts": "1763800000.2"}}
                assert stack.post(json.dumps(event), content_type="application/json").status_code == 200
                assert slack.wait_for(lambda: slack.counts["views.publish"] == 1)
                view = slack.posts("views.publish")[0]["view"]
                view = view if isinstance(view, dict) else json.loads(view)
                home = [b for b in view["blocks"] if ":crystal_ball:" in json.dumps(b)]
                return answer, home, json.dumps(view)

    ours, theirs = answers(f"{example_duck}#mrr"), answers(str(CUSTOMERS))
    assert ours[0][:-1] == theirs[0][:-1] and ours[1] == theirs[1]  # all but the Share button's key
    assert ":crystal_ball: *Projection of today's customers' MRR from October 2026:" in json.dumps(ours[0])
    assert "*Projection* October 2027: today's customers are projected to pay $" in ours[2]


def test_a_digests_forecast_part_of_a_database_table_is_the_csvs(example_duck: Path) -> None:
    from bot import blocks_to_text, digest_blocks
    from engine import build_digest
    from nrr.config import INCLUDES

    table = open_warehouse_source(f"{example_duck}#mrr").read_cells().check.ledger
    memory = check_ledger(grid_of(*example_rows())).ledger
    assert table is not None and memory is not None
    ours, theirs = (build_digest(ledger, Month(2026, 10)) for ledger in (table, memory))
    assert ours.forecast is not None and theirs.forecast is not None
    assert forecast_to_dict(ours.forecast) == forecast_to_dict(theirs.forecast)
    shown = blocks_to_text(digest_blocks(ours, (*INCLUDES, "forecast")))
    assert shown == blocks_to_text(digest_blocks(theirs, (*INCLUDES, "forecast"))) and ":crystal_ball:" in shown


def generated(seed: int, customers: int = 60, months: int = 30) -> tuple[list[str], list[Row]]:
    """A table with new customers, expansion, contraction, churn, returns after gaps, months without a row for a
    customer, segment changes and blank segments, and a plan that tells two rows of a month apart."""
    rnd = random.Random(seed)
    header = ["customer_id", "Customer Name", "date_month", "mrr", "segment", "Plan"]
    rows: list[Row] = []
    start = Month(2024, 1)
    segments = ["SMB", "smb ", "Enterprise", "Mid-Market", None]
    for c in range(customers):
        key, name = f"C{c:03d}", f"Customer {rnd.choice('ABCDEFGH')}{c}"
        first = rnd.randrange(months - 2)
        amount = rnd.randrange(50, 5000)
        segment = rnd.choice(segments)
        paying = True
        for i in range(first, months):
            month = start + i
            if rnd.random() < 0.06:
                paying = not paying  # churn, or a return
            if not paying:
                if rnd.random() < 0.5:
                    rows.append((key, name, dt.date(month.year, month.month, 1), 0.0, segment, "Pro"))
                continue  # no row at all: pays 0
            if rnd.random() < 0.2:
                amount = max(1, amount + rnd.randrange(-800, 900))
            if rnd.random() < 0.05:
                segment = rnd.choice(segments)
            cents = amount * 100 + rnd.randrange(100)
            day = dt.date(month.year, month.month, rnd.randrange(1, 28))
            if rnd.random() < 0.1:  # two plans in one month: summed
                rows.append((key, name, day, round(cents / 300, 2), segment, "Seats"))
                cents -= round(cents / 3)
            rows.append((key, name, day, cents / 100, segment, "Pro"))
    rows.append(("C999", "Filler", dt.date(2024, 1, 1), 0.0, None, "Pro"))  # a row in the first month
    rows.append(("C999", "Filler", dt.date((start + months - 1).year, (start + months - 1).month, 1), 0.0, None, "Pro"))
    for i in range(months):  # every month has a row
        m = start + i
        rows.append(("C998", "Steady", dt.date(m.year, m.month, 2), 100.0, "SMB", "Pro"))
    rnd.shuffle(rows)
    return header, rows


QUESTIONS: list[tuple[str, str | None, tuple[str, str] | None]] = [
    ("ttm", None, None), ("last-quarter", "segment", None), ("2025-06", None, None),
    ("ytd", "segment", None), ("ttm", None, ("segment", "smb")), ("last-quarter", "segment", ("segment", "enterprise")),
    ("2025-02..2025-11", None, ("segment", "Mid-Market"))]


def same_answers(table: Any, grid: list[list[Any]], today: dt.date) -> None:
    """Every question answered from the table and from the grid in memory: the same JSON, ledger and triangle."""
    memory = check_ledger(grid)
    assert memory.ledger is not None, [str(i) for i in memory.issues]
    assert [str(i) for i in table.check.issues] == []
    ledger = table.check.ledger
    assert ledger_table(ledger) == ledger_table(memory.ledger)
    assert ledger.customers is not None and memory.ledger.customers is not None
    assert cohort_triangle(ledger.customers, "quarter") == cohort_triangle(memory.ledger.customers, "quarter")
    assert ledger.customers.customer_count == memory.ledger.customers.customer_count
    for period, by, where in QUESTIONS:
        def answer(of: Any, period: str = period, by: str | None = by,
                   where: tuple[str, str] | None = where) -> dict[str, Any] | str:
            try:
                return report_to_dict(build_report(of, resolve_period(period, today), profile=Profile(assumed=True),
                                                   top=4, by=by, where=where))
            except Exception as exc:  # refused alike: the same words
                return f"{type(exc).__name__}: {exc}"
        assert answer(ledger) == answer(memory.ledger), (period, by, where)
    same_forecasts(ledger.customers, memory.ledger.customers)


def same_forecasts(table: Any, memory: Any, as_of_months: int = 3) -> list[Any]:
    """The forecasts of the table and of the same rows in memory, as of its last months, one in its first year and
    one with a target: the same JSON, band and backtest to the cent, and the same method sentence. With a target
    the band is left out: it is the same resamplings, a few months further. Returns the table's forecasts."""
    found = []
    for as_of in (memory.last, memory.last - 7, memory.first + 5)[:as_of_months]:
        for target in (None, (Decimal("50000"), as_of + 15)):
            ours, theirs = (build_forecast(t, as_of, target=target, band=target is None) for t in (table, memory))
            assert forecast_to_dict(ours) == forecast_to_dict(theirs), (as_of, target)
            assert (ours.method_sentence, ours.customers, ours.actual) == (theirs.method_sentence, theirs.customers,
                                                                           theirs.actual)
            found.append(ours)
    return found


@pytest.mark.parametrize(("seed", "summed"), [(1, True), (2, True), (1, False)])
def test_generated_tables_give_the_engines_figures_in_duckdb(tmp_path: Path, seed: int, summed: bool) -> None:
    header, rows = generated(seed)
    if not summed:  # one row per customer and month: the rows are the figures, never grouped again
        rows = [row for row in rows if row[-1] != "Seats"]
    path = duck_file(tmp_path / "g.duckdb", header, rows)
    cells = open_warehouse_source(f"{path}#mrr").read_cells()
    same_answers(cells, grid_of(header, rows), dt.date(2026, 7, 3))
    assert cells.check.ledger.customers.query.layout.single is not summed  # type: ignore[union-attr]


def test_a_forecast_with_segments_of_their_own_is_the_memorys(tmp_path: Path) -> None:
    # enough customers for the segments' own rates (200 customer-months at an age), spelled two ways (SMB, smb )
    header, rows = generated(5, customers=700, months=40)
    path = duck_file(tmp_path / "g.duckdb", header, rows)
    table = open_warehouse_source(f"{path}#mrr").read_cells().check.ledger
    memory = check_ledger(grid_of(header, rows)).ledger
    assert table is not None and memory is not None and memory.customers is not None
    # the segments' rates: the other months' forecasts are the generated tables'
    # (test_generated_tables_give_the_engines_figures_in_duckdb); the first is the table's as of its last month, with
    # its band: build_forecast(table.customers, memory.customers.last), made once, not again for the last check
    forecast = same_forecasts(table.customers, memory.customers, as_of_months=1)[0]
    assert forecast.method == "age-aware" and "SMB" in forecast.segments and forecast.backtest is not None


def test_named_columns_and_text_months(tmp_path: Path) -> None:
    header, rows = generated(4, customers=20, months=14)
    text_rows = [(r[0], r[1], r[2].isoformat(), r[3], r[4], r[5]) for r in rows]
    path = duck_file(tmp_path / "n.duckdb", ["acct", "who", "m", "amount", "tier", "Plan"], text_rows,
                     types=["VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE", "VARCHAR", "VARCHAR"])
    source = open_warehouse_source(f"{path}#mrr", columns={"customer": "acct", "name": "who", "month": "m",
                                                            "mrr": "amount"})
    grid = grid_of(header, rows)
    grid[0][4] = "tier"
    grid = [[*row[:4], row[4], row[5]] for row in grid]
    memory = check_ledger(grid)
    assert memory.ledger is not None
    ledger = source.read_cells().ledger
    assert ledger_table(ledger) == ledger_table(memory.ledger)
    today = dt.date(2025, 3, 5)
    assert report_to_dict(build_report(ledger, resolve_period("ttm", today), by="tier")) == report_to_dict(
        build_report(memory.ledger, resolve_period("ttm", today), by="tier"))


NAMED_ROWS: list[Row] = [("A1", "Acme", "2025-01", 100.0), ("A1", "Acme", "2025-02", 150.0),
                         ("A2", "Beta", "2025-01", 100.0), ("A2", "Beta", "2025-02", 90.0),
                         ("A3", "Gamma", "2025-01", 50.0)]


@pytest.mark.parametrize(("header", "named"), [
    (["acct", "customer_name", "month", "mrr"], 'customer = "acct"'),  # the database dropped the name column
    (["customer_id", "customer", "month", "mrr"], 'customer = "customer"'),  # the database refused: 'both'
    (["account_id", "month", "mrr"], 'customer = "acct", month = "period", mrr = "amt"'),  # for another table
])
def test_ledger_columns_read_a_database_table_as_they_read_the_same_file(tmp_path: Path, header: list[str],
                                                                          named: str) -> None:
    # the file reader and the database each had their own rule for [ledger] columns (review)
    rows = NAMED_ROWS if len(header) == 4 else [(r[0], r[2], r[3]) for r in NAMED_ROWS]
    csv_path = tmp_path / "t.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    path = duck_file(tmp_path / "t.duckdb", header, rows, types=["VARCHAR"] * (len(header) - 1) + ["DOUBLE"])
    config = tmp_path / "nrr.toml"
    config.write_text(f"[ledger]\ncolumns = {{{named}}}\n", encoding="utf-8")
    asked = ("report", "2025-02", "--json", "--config", str(config), "--today", "2025-03-01")
    code, out, err = run(*asked, "--ledger", f"{path}#mrr")
    assert code == 0, err
    data, expected = json.loads(out), json.loads(run(*asked, "--ledger", str(csv_path))[1])
    assert data["movers"] == expected["movers"] and data["cohort"] == expected["cohort"]
    shown = [m["customer"] for kind in ("churn", "contraction", "expansion") for m in data["movers"][kind]]
    assert shown == (["A3", "A2", "A1"] if len(header) == 3 else ["Gamma", "Beta", "Acme"])
    if "period" in named:
        said = [w for w in data["warnings"] if "has none of them" in w]
        assert len(said) == 1 and said[0].endswith(
            "[ledger] columns names customer = 'acct', month = 'period', mrr = 'amt', and this table has "
            "none of them, so its columns were recognised by their headers. If it is the table they were named for, "
            "write the names as its header writes them."), said


def test_unrecognised_columns_are_named_with_the_fix(tmp_path: Path) -> None:
    path = duck_file(tmp_path / "u.duckdb", ["acct", "m", "amount"], [("A", dt.date(2026, 1, 1), 5.0)])
    with pytest.raises(WarehouseError) as raised:
        open_warehouse_source(f"{path}#mrr").read_cells()
    assert str(raised.value) == (
        f"{path}#mrr: no column holds the customer (its columns: acct, m, amount). Name it in nrr.toml: "
        "[ledger] columns = {customer = \"...\", month = \"...\", mrr = \"...\"}.")


@pytest.mark.parametrize(("kind", "value", "held"), [("BOOLEAN", True, "yes/no values (True)"),
                                                     ("DATE", dt.date(2025, 1, 9), "dates or times (2025-01-09)")])
def test_a_yes_no_or_date_column_named_as_the_mrr_is_refused_in_words(tmp_path: Path, kind: str, value: Any,
                                                                       held: str) -> None:
    # DuckDB read true as 1.00; PostgreSQL said 'the database cannot be reached' (fuzz 3)
    path = duck_file(tmp_path / "b.duckdb", ["customer_id", "month", "active"], [("A", dt.date(2025, 1, 1), value)],
                     types=["VARCHAR", "DATE", kind])
    with pytest.raises(WarehouseError) as raised:
        open_warehouse_source(f"{path}#mrr", columns={"mrr": "active"}).read_cells()
    assert str(raised.value) == (f"{path}#mrr: active, read as the MRR, holds {held}, not amounts. Name the MRR "
                                 "column in [ledger] columns = {mrr = \"...\"}.")


def test_one_column_for_two_roles_is_refused(tmp_path: Path) -> None:
    path = duck_file(tmp_path / "two.duckdb", ["customer_id", "month", "mrr"], [("A", dt.date(2025, 1, 1), 1.0)])
    with pytest.raises(WarehouseError) as raised:
        open_warehouse_source(f"{path}#mrr", columns={"month": "customer_id"}).read_cells()
    # named as the month, customer_id is no longer the customer (the file reader's rule): no column is
    assert "no column holds the customer (its columns: customer_id, month, mrr)" in str(raised.value)


def test_a_table_with_a_column_per_month_is_told_to_be_unpivoted(tmp_path: Path) -> None:
    # a wide table (a CSV's shape) in a database was told to name its month column in nrr.toml, which it has none of
    path = duck_file(tmp_path / "wide.duckdb", ["customer_id", "Jan 2026", "Dec 2025", "Feb 2026"],
                     [("A", 1.0, 2.0, 3.0)], types=["VARCHAR", "DOUBLE", "DOUBLE", "DOUBLE"])
    with pytest.raises(WarehouseError) as raised:
        open_warehouse_source(f"{path}#mrr").read_cells()
    assert str(raised.value).startswith(f"{path}#mrr: its columns are months (2025-12 to 2026-02), one per month; "
                                        "a database table is read in long form")


def test_a_currency_written_as_its_code_and_its_symbol_is_one_currency(tmp_path: Path) -> None:
    # EUR and € were two currencies to the database, refused, and a column of only € answered in '€' (fuzz 5)
    rows: list[Row] = [("A", dt.date(2026, 1, 1), 100.0, "EUR"), ("B", dt.date(2026, 1, 1), 50.0, "€"),
                       ("A", dt.date(2026, 2, 1), 100.0, "eur"), ("B", dt.date(2026, 2, 1), 60.0, "€")]
    path = duck_file(tmp_path / "eur.duckdb", ["customer_id", "date_month", "mrr", "currency"], rows)
    code, out, err = run("report", "2026-02", "--json", "--ledger", f"{path}#mrr", "--today", "2026-03-05")
    assert code == 0 and json.loads(out)["currency"] == "EUR", err


def test_a_table_in_two_currencies_is_refused_not_summed_as_one(tmp_path: Path) -> None:
    # summed in the database, EUR and USD would be added as one currency: refused in words, as a file without rates
    rows: list[Row] = [("A", dt.date(2026, 1, 1), 100.0, "EUR"), ("B", dt.date(2026, 1, 1), 50.0, "USD"),
                       ("A", dt.date(2026, 2, 1), 100.0, "EUR"), ("B", dt.date(2026, 2, 1), 50.0, "usd")]
    path = duck_file(tmp_path / "cur.duckdb", ["customer_id", "date_month", "mrr", "currency"], rows)
    code, out, err = run("validate", "--ledger", f"{path}#mrr")
    assert code == 1
    assert ("The currency column holds more than one currency (EUR, USD): a database's table is summed where it "
            "lives, and nrr cannot convert it there.") in " ".join((out + err).split())
    one = duck_file(tmp_path / "one.duckdb", ["customer_id", "date_month", "mrr", "currency"],
                    [(r[0], r[1], r[2], "usd") for r in rows])
    assert run("validate", "--ledger", f"{one}#mrr")[0] == 0


def test_a_header_naming_one_currency_beside_a_currency_column_of_another_is_refused(tmp_path: Path) -> None:
    """mrr_usd beside a Currency column of EUR was answered in euros without a word (review): as in a file, either
    could be the wrong one, and each gives another answer."""
    rows: list[Row] = [("A", dt.date(2026, 1, 1), 100.0, "EUR"), ("A", dt.date(2026, 2, 1), 100.0, "eur")]
    path = duck_file(tmp_path / "cur.duckdb", ["customer_id", "date_month", "mrr_usd", "currency"], rows)
    code, out, err = run("validate", "--ledger", f"{path}#mrr")
    assert code == 1
    assert ("The mrr_usd header says the figures are in USD, but the currency column says otherwise (EUR); which is "
            "it?") in " ".join((out + err).split())
    same = duck_file(tmp_path / "same.duckdb", ["customer_id", "date_month", "mrr_usd", "currency"],
                     [(r[0], r[1], r[2], "usd") for r in rows])
    assert run("validate", "--ledger", f"{same}#mrr")[0] == 0


def test_a_currency_written_as_a_name_is_refused_as_a_file_refuses_it(tmp_path: Path) -> None:
    """A Currency column of 'Euro' was answered in the company's currency (review); a file refuses it, and so does a
    database's table."""
    rows: list[Row] = [("A", dt.date(2026, 1, 1), 100.0, "Euro"), ("A", dt.date(2026, 2, 1), 100.0, "Euro")]
    path = duck_file(tmp_path / "name.duckdb", ["customer_id", "date_month", "mrr", "currency"], rows)
    code, out, err = run("validate", "--ledger", f"{path}#mrr")
    assert code == 1 and "'Euro' is not a currency code" in out + err, out + err


def test_a_table_in_a_currency_with_a_rate_is_refused_where_a_file_would_be_converted(tmp_path: Path) -> None:
    rows: list[Row] = [("A", dt.date(2026, 1, 1), 100.0, "EUR"), ("A", dt.date(2026, 2, 1), 110.0, "EUR")]
    path = duck_file(tmp_path / "eur.duckdb", ["customer_id", "date_month", "mrr", "currency"], rows)
    config = tmp_path / "nrr.toml"
    config.write_text('[company]\ncurrency = "USD"\n\n[fx]\nEUR = 1.10\n')
    code, out, err = run("validate", "--ledger", f"{path}#mrr", "--config", str(config))
    assert code == 1
    assert ("The currency column says EUR, and nrr.toml's [fx] gives a rate for EUR: a file would be converted into "
            "USD, but a database's table is summed where it lives and cannot be.") in " ".join((out + err).split())
    assert run("validate", "--ledger", f"{path}#mrr")[0] == 0  # no rate: answered in EUR, as a file would be


def test_a_figure_column_named_for_its_currency_is_that_currency_as_in_a_file(tmp_path: Path) -> None:
    """mrr_eur names the figures' currency in a file's header; a database's table was answered with none."""
    header = ["customer_id", "date_month", "mrr_eur"]
    rows: list[Row] = [("A", dt.date(2026, 1, 1), 100.0), ("A", dt.date(2026, 2, 1), 110.0)]
    path = duck_file(tmp_path / "eur.duckdb", header, rows)
    expected = run("report", "2026-02", "--json", "--ledger", str(csv_file(tmp_path / "eur.csv", header, rows)),
                   *TODAY)
    assert expected[0] == 0 and '"currency": "EUR"' in expected[1]
    assert run("report", "2026-02", "--json", "--ledger", f"{path}#mrr", *TODAY)[1] == expected[1]
    config = tmp_path / "nrr.toml"
    config.write_text('[company]\ncurrency = "USD"\n\n[fx]\nEUR = 1.10\n')
    code, out, err = run("validate", "--ledger", f"{path}#mrr", "--config", str(config))
    assert code == 1 and "The mrr_eur column says EUR" in " ".join((out + err).split())


def test_the_row_readers_checks_are_made_in_sql_naming_customer_and_month(tmp_path: Path) -> None:
    header = ["customer_id", "date_month", "mrr"]
    rows: list[Row] = [("A", dt.date(2026, 1, 1), 10.0), ("A", dt.date(2026, 2, 1), -5.5),
                       ("B", dt.date(2026, 1, 1), 3.0), ("B", dt.date(2026, 1, 9), 4.0),
                       (None, dt.date(2026, 2, 1), 7.0), ("C", dt.date(2026, 4, 1), 1.0)]
    path = duck_file(tmp_path / "bad.duckdb", header, rows)
    parquet = path.with_suffix(".parquet")
    with duckdb.connect(str(path)) as con:
        con.execute(f"COPY mrr TO '{parquet}' (FORMAT parquet)")
    check = open_warehouse_source(f"{path}#mrr").read_cells().check
    assert check.ledger is None
    assert [str(i) for i in check.issues] == [
        "mrr, customer 'A' (February 2026): MRR -5.50 is negative; a customer pays 0 or more in a month (record a "
        "credit as a lower figure, not below 0).",
        "mrr, 1 row (February 2026): This row has MRR but no customer; fill in the customer or delete the row.",
        "mrr, customer 'B' (January 2026): 'B' has two rows for this month; add a Subscription, Plan or Product "
        "column to tell them apart (they are then summed), or merge them into one row.",
        "mrr: No row for March 2026 between the other months: every customer would count as paying 0 then; add its "
        "rows (for a month in which nobody paid, one row with MRR 0 will do)."]
    code, out, err = run("report", "ttm", "--ledger", f"{path}#mrr", *TODAY)
    assert (code, out) == (1, "") and "customer 'A' (February 2026)" in err
    # a Parquet file's problems are placed in the file, by its name
    assert next(str(i) for i in open_warehouse_source(str(parquet)).read_cells().check.issues) == (
        "bad.parquet, customer 'A' (February 2026): MRR -5.50 is negative; a customer pays 0 or more in a month "
        "(record a credit as a lower figure, not below 0).")


def test_a_row_of_0_or_a_name_without_a_customer_is_refused_as_a_file_refuses_it(pg_schema: str,
                                                                                  tmp_path: Path) -> None:
    """A 0 is a figure: a row of MRR 0 with no customer was passed over by the databases, which counted only rows
    whose figure was not 0, while a file refuses it; so was a row with a name and neither ID nor figure (fuzz 9)."""
    header = ["customer_id", "customer_name", "month", "mrr"]
    for ghost in ((None, "Ghost", dt.date(2025, 2, 1), Decimal(0)), (None, "Ghost", dt.date(2025, 2, 1), None),
                  (None, None, dt.date(2025, 2, 1), Decimal(0))):
        rows = [("C1", "Acme", dt.date(2025, m, 1), Decimal(100)) for m in (1, 2, 3)] + [ghost]
        code, out, _ = run("validate", "--ledger", str(csv_file(tmp_path / "mrr.csv", header, rows)))
        said = out.splitlines()[0].split(": ", 2)[2]  # after the cell (error: A5:), a database's is its rows
        assert code == 1 and "no customer" in said, out
        pg = pg_table(pg_schema, f"ghost_{ghost[1]}_{ghost[3]}", header, rows, ["text", "text", "date", "numeric"])
        duck = duck_file(tmp_path / f"ghost{ghost[1]}{ghost[3]}.duckdb", header, rows,
                         types=["VARCHAR", "VARCHAR", "DATE", "DECIMAL(12, 2)"])
        for spec in (pg, f"{duck}#mrr"):
            code, out, _ = run("validate", "--ledger", spec)
            assert code == 1 and out.splitlines()[0].endswith(f"1 row (February 2025): {said}"), (spec, out)


def test_a_blank_text_figure_or_month_is_blank_as_in_a_file(pg_schema: str, tmp_path: Path) -> None:
    """A staging table loaded from a CSV keeps a blank cell as '' (or ' '): a text MRR of '' was "text the database
    cannot read as a number", and a text month of '' "not a month", where a file reads both as blank (fuzz 9)."""
    header = ["customer_id", "month", "mrr"]
    rows: list[Row] = [("C1", "2025-01", "100.00"), ("C1", "2025-02", "100.00"), ("C1", "2025-03", "120.00"),
                       ("C2", "2025-01", "50.00"), ("C2", "2025-02", " 50.00"), ("C2", "2025-03", ""),
                       ("C3", "2025-02", " "), ("C3", "2025-03", "\t"), ("C2", "", None), ("C4", " ", "")]
    asked = ("report", "2025-03", "--json", "--top", "3", *TODAY)
    expected = run(*asked, "--ledger", str(csv_file(tmp_path / "mrr.csv", header, rows)))
    assert expected[0] == 0 and '"nrr_pct": 80.0,' in expected[1], expected
    pg = pg_table(pg_schema, "blank_text", header, rows, ["text", "text", "text"])
    duck = duck_file(tmp_path / "blank.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "VARCHAR"])
    for spec in (pg, f"{duck}#mrr"):
        assert run(*asked, "--ledger", spec)[:2] == expected[:2], spec
    # a figure in a row without a month is refused, as in a file
    rows.append(("C5", "", "10.00"))
    assert run("validate", "--ledger", str(csv_file(tmp_path / "bad.csv", header, rows)))[0] == 1
    pg = pg_table(pg_schema, "blank_month", header, rows, ["text", "text", "text"])
    code, out, _ = run("validate", "--ledger", pg)
    assert code == 1 and "blank_month: row has a customer and a figure but no month (customer 'C5')" in out, out
    # several, named by their customers (a fresh-eyes try: "2 rows have ... no month", and no customer to look for)
    rows.append(("C1", None, "10.00"))
    duck = duck_file(tmp_path / "undated.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "VARCHAR"])
    code, out, _ = run("validate", "--ledger", f"{duck}#mrr")
    assert code == 1 and "2 rows have a customer and a figure but no month (customers 'C1', 'C5'); fill in the " \
        "month or delete the rows." in " ".join(out.split()), out


def test_an_empty_dated_table_a_money_column_and_a_table_without_figures_read_as_a_file(pg_schema: str,
                                                                                        tmp_path: Path) -> None:
    """Blank text is looked for through the column's text: trimmed as it was, an empty table's DATE month and a
    PostgreSQL MONEY figure (which psycopg hands back as text) ended in "the database cannot be reached"; and a table
    without a figure in any month was told its months had none "while other months have figures" (fuzz 9)."""
    header = ["customer_id", "date_month", "mrr"]
    pg = pg_table(pg_schema, "empty_typed", header, [], ["text", "date", "numeric(12, 2)"])
    code, out, _ = run("validate", "--ledger", pg)
    assert code == 1 and "The customer table has no rows yet" in out, out
    rows: list[Row] = [(c, dt.date(2025, m, 1), "120.00" if (c, m) == ("A", 3) else "100.00") for c in "AB"
                       for m in (1, 2, 3)]
    expected = run("ledger", "--csv", "--ledger", str(csv_file(tmp_path / "money.csv", header, rows)))
    assert expected[0] == 0 and "2025-03,200.00,20.00," in expected[1], expected
    assert run("ledger", "--csv", "--ledger", pg_table(pg_schema, "money", header, rows, ["text", "date", "money"])
               ) == expected
    blank: list[Row] = [(c, dt.date(2025, m, 1), None) for c in "AB" for m in (1, 2, 3)]
    expected = run("validate", "--ledger", str(csv_file(tmp_path / "blank.csv", header, blank)))
    assert expected[0] == 0, expected
    spec = pg_table(pg_schema, "no_figures", header, blank, ["text", "date", "numeric(12, 2)"])
    assert run("validate", "--ledger", spec)[:2] == (0, expected[1].replace(str(tmp_path / "blank.csv"), spec))


def test_a_row_with_a_name_but_no_id_is_told_to_fill_in_its_id_as_in_a_file(tmp_path: Path) -> None:
    header = ["customer_id", "Customer Name", "date_month", "mrr"]
    rows: list[Row] = [("C1", "Acme", "2025-01", 100.0), ("C1", "Acme", "2025-02", 100.0),
                       ("\u00a0", "Beta", "2025-02", 5.0), (None, " ", "2025-01", 7.0)]
    path = duck_file(tmp_path / "n.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE"])
    assert [str(i) for i in open_warehouse_source(f"{path}#mrr").read_cells().check.issues] == [
        "mrr, 1 row (January 2025): This row has MRR but no customer; fill in the customer or delete the row.",
        "mrr, 1 row (February 2025): This row has a customer name ('Beta') but no customer_id, the column "
        "that tells customers apart; fill in its ID."]


def test_a_plan_that_does_not_tell_two_rows_apart_is_named(tmp_path: Path) -> None:
    rows: list[Row] = [("A", dt.date(2026, 1, 1), 10.0, "Pro"), ("A", dt.date(2026, 1, 1), 5.0, "Pro")]
    path = duck_file(tmp_path / "p.duckdb", ["customer_id", "date_month", "mrr", "Plan"], rows)
    assert [str(i) for i in open_warehouse_source(f"{path}#mrr").read_cells().check.issues] == [
        "mrr, customer 'A' (January 2026): 'A' has two rows for this month with the same Plan ('Pro'), so Plan does "
        "not tell them apart; merge them into one row, or add a column that does (a Subscription ID): rows it tells "
        "apart are summed."]


def test_blank_plan_cells_are_one_blank_as_in_a_file(tmp_path: Path) -> None:
    """A NULL Plan and a Plan of spaces are both no plan, as a file reads them: the two rows are not told apart
    (fuzz 9: they were summed silently in the database, where the file refused them)."""
    header = ["customer_id", "date_month", "mrr", "Plan"]
    rows: list[Row] = [("A", "2026-01-01", 10.0, None), ("A", "2026-01-01", 5.0, " "),
                       ("B", "2026-01-01", 7.0, "Pro "), ("B", "2026-01-01", 8.0, "Pro")]
    path = duck_file(tmp_path / "p.duckdb", header, rows, types=["VARCHAR", "DATE", "DOUBLE", "VARCHAR"])
    issues = [str(i) for i in open_warehouse_source(f"{path}#mrr").read_cells().check.issues]
    assert issues == [
        "mrr, customer 'A' (January 2026): 'A' has two rows for this month with no Plan, so Plan does not tell them "
        "apart; merge them into one row, or add a column that does (a Subscription ID): rows it tells apart are "
        "summed."]
    expected = run("validate", "--ledger", str(csv_file(tmp_path / "p.csv", header, rows)))
    assert expected[0] != 0 and "with no Plan" in expected[1], expected


def test_a_duckdb_file_is_opened_read_only(example_duck: Path) -> None:
    source = open_warehouse_source(f"{example_duck}#mrr")
    source.read_cells()
    import sqlalchemy as sa

    with source.engine().connect() as connection, pytest.raises(sa.exc.DBAPIError, match="read-only"):
        connection.execute(sa.text("CREATE TABLE stolen AS SELECT 1"))


@pytest.mark.parametrize(("spec", "table", "schema"), [
    ("postgresql://nrr@db.internal:5432/analytics#finance.customer_mrr", "customer_mrr", "finance"),
    ("postgresql+psycopg://nrr@db:5432/a#mrr", "mrr", None),
    ("bigquery://my-project/finance#customer_mrr", "customer_mrr", None),
])
def test_specs_name_the_table_and_schema(spec: str, table: str, schema: str | None) -> None:
    source = open_warehouse_source(spec)
    assert (source.spec.table, source.spec.schema, source.name) == (table, schema, spec)
    assert is_warehouse_spec(spec)


def test_a_password_in_the_url_is_refused_and_never_shown() -> None:
    with pytest.raises(WarehouseError) as raised:
        open_warehouse_source("postgresql://nrr:s3cret@db:5432/a#mrr")
    assert "s3cret" not in str(raised.value)
    assert str(raised.value).startswith("postgresql://nrr:***@db:5432/a#mrr: the URL holds a password.")
    code, _, err = run("report", "--ledger", "postgresql://nrr:s3cret@db:5432/a#mrr")
    assert code == 1 and "s3cret" not in err and "PGPASSWORD" in err
    # libpq's ?password= too: it was shown whole, and passed the command line's check (fuzz 13)
    code, _, err = run("report", "--ledger", "postgresql://nrr@db:5432/a?sslmode=require&password=s3cret#mrr")
    assert code == 1 and "s3cret" not in err and err.startswith(
        "postgresql://nrr@db:5432/a?sslmode=require&password=***#mrr: the URL holds a password.")
    code, out, err = run("doctor", env={"NRR_STATE_URL": "postgresql://nrr@127.0.0.1:9/a?password=s3cret"})
    assert "s3cret" not in out + err and "password=***" in out + err


@pytest.mark.parametrize("password", ["Sec/retPW", "Sec?ret=PW", "Secr@tPW", "Pass#123", "a]b", "/abcPW", "#abcPW",
                                      "1234/abcPW", "99?xPW"])
def test_a_password_a_url_must_encode_is_refused_with_none_of_it_shown(password: str) -> None:
    # a / in it made the parser read the host as nrr and the port as Sec, and say so, the whole URL with it; an @
    # made the driver name host tPW@127.0.0.1 (a fresh-eyes try): refused before any parser or driver reads it
    url = f"postgresql+psycopg://nrr:{password}@127.0.0.1:9/postgres#s.t"
    code, out, err = run("report", "--ledger", "env:NRR_TEST_URL", env={"NRR_TEST_URL": url})
    shown = out + err
    assert code == 1 and err.startswith("postgresql+psycopg://nrr:***@127.0.0.1:9/postgres#s.t: the password holds "
                                        "a character a URL must write percent-encoded"), err
    assert not any(piece in shown for piece in re.split(r"[/?#@\[\]=]", password) if len(piece) > 1)
    code, _, err = run("report", "--ledger", url)  # on the command line: refused as any password is
    assert code == 1 and "the URL holds a password" in err and password not in err
    encoded = url.replace(password, urllib.parse.quote(password, safe=""))
    assert not password_unescaped(encoded) and url_has_secret(encoded)


@pytest.mark.parametrize("dialect", ["bigquery", "snowflake"])
def test_bigquery_and_snowflake_sql_compiles_through_their_dialects_with_names_quoted(dialect: str) -> None:
    pytest.importorskip({"bigquery": "sqlalchemy_bigquery", "snowflake": "snowflake.sqlalchemy"}[dialect])
    hostile = 'mrr"; DROP TABLE x; --'
    statements = compiled_queries(dialect, hostile, ["customer_id", "Customer Name", "date_month", "mrr",
                                                     "Seg ment", "Plan"], first=Month(2025, 1), count=24,
                                  schema="finance")
    assert len(statements) >= 24  # a table of one row per customer and month, and one whose rows are summed
    # the summed table's statements: its rows grouped and ranked, and the check for rows that disagree
    assert any("count(distinct lower(trim(" in s.lower() for s in statements)
    assert sum("partition by" in s.lower() and "row_number()" in s.lower() for s in statements) >= 4
    quote = {"bigquery": "`", "snowflake": '"'}[dialect]
    joined = "\n".join(statements)
    assert hostile not in joined  # the name appears only quoted, its " doubled
    assert f'{quote}mrr""; DROP TABLE x; --{quote}' in joined and f"{quote}Seg ment{quote}" in joined
    assert "OVER (PARTITION BY" in joined and "row_number()" in joined.lower() and "lag(" in joined.lower()
    # a forecast's one quotient, rounded down exactly in the dialect's own integer arithmetic
    assert {"bigquery": "DIV(CAST((", "snowflake": "AS NUMERIC(38, 0)) * ("}[dialect] in joined


def test_bigquery_reads_a_zoned_month_in_the_calendars_zone() -> None:
    """A review: [calendar] timezone was set for PostgreSQL's and DuckDB's sessions only; BigQuery, which has no
    session zone, took each TIMESTAMP's date in UTC. Its month is DATE(ts, zone) there."""
    pytest.importorskip("sqlalchemy_bigquery")
    joined = "\n".join(compiled_queries("bigquery", "mrr", ["customer_id", "date_month", "mrr"], first=Month(2025, 1),
                                         count=3, month_zone="Europe/Berlin"))
    assert "EXTRACT(year FROM date(`mrr`.`date_month`, 'Europe/Berlin'))" in joined


def test_a_zone_the_database_does_not_know_is_said(tmp_path: Path) -> None:
    header, rows = example_rows()
    path = duck_file(tmp_path / "z.duckdb", header, rows)
    for zone, said in (("Mars/Olympus", "the database does not know the time zone 'Mars/Olympus'"),
                       ("UTC'; DROP TABLE mrr; --", "is not a time zone name")):
        with pytest.raises(WarehouseError) as raised:
            open_warehouse_source(f"{path}#mrr", zone=zone).read_cells()
        assert said in str(raised.value), str(raised.value)


def test_a_name_bigquerys_dialect_cannot_quote_is_refused() -> None:
    pytest.importorskip("sqlalchemy_bigquery")
    with pytest.raises(WarehouseError) as raised:
        compiled_queries("bigquery", "mrr", ["customer_id", "date_month", "mrr", "a`b"], first=Month(2025, 1), count=2)
    assert str(raised.value) == ("'a`b' holds a backtick, which BigQuery's SQLAlchemy dialect does not quote safely; "
                                 "rename the table or column, or give nrr a view whose names have none.")


# --- PostgreSQL, as .ci/run starts it -----------------------------------------------------------------------------

@pytest.fixture
def pg_schema() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server (.ci/run starts one where it can)")
    with postgres_schema("nrr_sql") as name:
        yield name


def pg_table(schema: str, table: str, header: Sequence[str], rows: Sequence[Row], types: Sequence[str]) -> str:
    import sqlalchemy as sa

    assert POSTGRES_URL is not None
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        columns = ", ".join(f'"{h}" {t}' for h, t in zip(header, types, strict=True))
        quoted = '"' + table.replace('"', '""') + '"'
        conn.exec_driver_sql(f"CREATE TABLE {schema}.{quoted} ({columns})")
        marks = ", ".join(["%s"] * len(header))
        if rows:
            conn.exec_driver_sql(f"INSERT INTO {schema}.{quoted} VALUES ({marks})", [tuple(r) for r in rows])
    engine.dispose()
    return f"{POSTGRES_URL}#{schema}.{table}"


def test_postgresql_answers_the_examples_as_the_csv_does(pg_schema: str) -> None:
    header, rows = example_rows()
    spec = pg_table(pg_schema, "customer_mrr", header, rows, ["text", "text", "date", "numeric(12,2)", "text", "text"])
    for asked in (*ASKED, *FORECASTS):
        assert run(*asked, "--ledger", spec) == csv_answer(*asked), asked


def test_postgresql_generated_table_with_a_hostile_name(pg_schema: str) -> None:
    header, rows = generated(7)
    spec = pg_table(pg_schema, 'mrr "x"; --', header, rows, ["text", "text", "timestamp", "double precision", "text",
                                                             "text"])
    same_answers(open_warehouse_source(spec).read_cells(), grid_of(header, rows), dt.date(2026, 7, 3))


def test_postgresql_sessions_are_read_only_with_a_statement_timeout(pg_schema: str) -> None:
    header, rows = example_rows()
    spec = pg_table(pg_schema, "t", header[:4], [r[:4] for r in rows], ["text", "text", "date", "numeric"])
    source = open_warehouse_source(spec, statement_timeout=7.5)
    source.read_cells()
    import sqlalchemy as sa

    with source.engine().connect() as connection:
        assert connection.execute(sa.text("SHOW statement_timeout")).scalar() == "7500ms"
        with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
            connection.execute(sa.text(f"CREATE TABLE {pg_schema}.stolen (x int)"))


def test_a_statement_past_the_configured_timeout_is_refused_in_words(pg_schema: str, tmp_path: Path) -> None:
    header, rows = example_rows()
    spec = pg_table(pg_schema, "t", header[:4], [r[:4] for r in rows], ["text", "text", "date", "numeric"])
    import sqlalchemy as sa

    assert POSTGRES_URL is not None
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as conn:  # a view whose every row takes the database 10 ms
        conn.exec_driver_sql(f'CREATE VIEW {pg_schema}.slow AS SELECT t.* FROM {pg_schema}.t, '
                             'LATERAL (SELECT pg_sleep(0.01 + 0 * length(t."Customer ID"))) AS s')
    engine.dispose()
    config = tmp_path / "nrr.toml"
    config.write_text("[ledger]\nstatement_timeout = 0.05\n", encoding="utf-8")
    slow = spec.replace("#" + pg_schema + ".t", "#" + pg_schema + ".slow")
    code, out, err = run("report", "ttm", "--json", "--config", str(config), "--ledger", slow, *TODAY)
    assert (code, out) == (1, "")
    assert err.endswith(".slow: a query ran past the statement timeout (0.05 s); raise [ledger] statement_timeout "
                        "in nrr.toml (seconds), or ask for a shorter table (a view of the months you need).\n"), err
    config.write_text("[ledger]\nstatement_timeout = 0\n", encoding="utf-8")
    code, _, err = run("report", "ttm", "--config", str(config), "--ledger", slow, *TODAY)
    assert (code, err) == (1, f"{config}: [ledger] statement_timeout = 0 is not a number of seconds above 0 (at most "
                              "86400).\n")


def test_the_url_from_the_environment_variable_config_names(pg_schema: str, tmp_path: Path) -> None:
    header, rows = example_rows()
    spec = pg_table(pg_schema, "customer_mrr", header, rows, ["text", "text", "date", "numeric(12,2)", "text", "text"])
    config = tmp_path / "nrr.toml"
    config.write_text('[ledger]\nsource = "env:NRR_WAREHOUSE_URL"\n', encoding="utf-8")
    code, out, _ = run("report", "ttm", "--json", "--config", str(config), *TODAY, env={"NRR_WAREHOUSE_URL": spec})
    assert code == 0 and json.loads(out) == json.loads(run("report", "ttm", "--json", "--ledger", str(CUSTOMERS),
                                                           *TODAY)[1])
    code, _, err = run("report", "ttm", "--config", str(config), *TODAY, env={})
    assert (code, err) == (1, "NRR_WAREHOUSE_URL is not set: the ledger source env:NRR_WAREHOUSE_URL names it as "
                              "the variable holding the ledger's database URL. Set it in the environment and start "
                              "again.\n")




def test_every_segments_cohort_is_one_statement(tmp_path: Path) -> None:
    # finding each customer's segment then is the largest pass over a table: done once for all the segments (and
    # their benchmark cohorts, the same months), not once a segment and again for its benchmark
    import sqlalchemy as sa

    header, rows = generated(2, customers=80, months=26)
    path = duck_file(tmp_path / "s.duckdb", header, rows)
    source = open_warehouse_source(f"{path}#mrr")
    ran: list[str] = []
    sa.event.listen(source.engine(), "before_cursor_execute", lambda _c, _cur, statement, *_: ran.append(statement))
    ledger = source.read_cells().check.ledger
    assert ledger is not None and ledger.customers is not None
    report = build_report(ledger, resolve_period("ttm", dt.date(2026, 3, 5)), by="segment")
    assert report.segments is not None and len(report.segments) >= 3  # SMB (also "smb "), Enterprise, ...
    ranked = [s for s in ran if "rank()" in s.lower()]  # a cohort's movers
    by_segment = [s for s in ranked if "nrr_segment" in s]
    assert len(by_segment) == 1, by_segment  # every segment's at once
    assert len(ranked) == 3  # and the whole table's, this year's and the year before's
    memory = check_ledger(grid_of(header, rows)).ledger
    assert memory is not None
    assert report_to_dict(report) == report_to_dict(build_report(memory, resolve_period("ttm", dt.date(2026, 3, 5)),
                                                                 by="segment"))
    empty = ledger.customers.segments("segment", Month(2025, 3))["Enterprise"].empty()  # type: ignore[union-attr]
    assert empty.cohort_sums(Month(2025, 3), Month(2026, 2), 5).customers == 0  # none of its siblings' rows


def test_a_duckdb_answer_reuses_one_connection_and_lets_the_file_go_when_closed(tmp_path: Path) -> None:
    import sqlalchemy as sa

    header, rows = generated(1, customers=30, months=14)
    path = duck_file(tmp_path / "h.duckdb", header, rows)
    source = open_warehouse_source(f"{path}#mrr")
    opened: list[object] = []
    sa.event.listen(source.engine(), "connect", lambda *_: opened.append(1))
    ledger = source.read_cells().check.ledger
    assert ledger is not None and ledger.customers is not None
    before = len(opened)
    build_report(ledger, resolve_period("ttm", dt.date(2025, 3, 5)), by="segment")
    assert len(opened) - before <= 1  # dozens of statements, one connection
    with pytest.raises(duckdb.ConnectionException):  # held read-only: this process cannot also write the file
        duckdb.connect(str(path)).close()
    ledger.customers.query.close()  # type: ignore[union-attr]  # as the idle timer does, HOLD_SECONDS after
    with duckdb.connect(str(path)) as con:
        con.execute('DELETE FROM "mrr"')


def test_a_statement_out_of_duckdbs_memory_is_run_again_with_more(tmp_path: Path) -> None:
    from warehouse import WarehouseSource, parse_warehouse_spec

    header, rows = generated(1, customers=40, months=14)
    path = duck_file(tmp_path / "m.duckdb", header, rows)
    today = dt.date(2025, 3, 5)

    def answer(limits: tuple[str | None, ...]) -> dict[str, Any]:
        source = WarehouseSource(spec=parse_warehouse_spec(f"{path}#mrr"), memory_limits=limits)
        ledger = source.read_cells().check.ledger
        assert ledger is not None
        try:
            return report_to_dict(build_report(ledger, resolve_period("ttm", today), by="segment"))
        finally:  # DuckDB opens a file once per process: another configuration waits for this one to close
            ledger.customers.query.close()  # type: ignore[union-attr]

    assert answer(("1MB", None)) == answer((None,)) == report_to_dict(build_report(
        check_ledger(grid_of(header, rows)).ledger, resolve_period("ttm", today), by="segment"))  # type: ignore[arg-type]
    with pytest.raises(WarehouseError) as raised:
        answer(("1MB",))
    assert str(raised.value) == (f"{path}#mrr: DuckDB ran out of memory answering this table, even with the most "
                                 "memory nrr lets it use: the process reached its memory limit (ulimit -v, a "
                                 "container's limit) or the machine has no more. Run nrr with more memory, or ask "
                                 "for a shorter table (a view of the months you need).")


def test_figures_stored_as_text_with_a_currency_sign_are_refused_naming_the_column_and_value(tmp_path: Path) -> None:
    # text that is a plain number is cast and read; "$1,200.00" is a figure the database cannot cast
    rows = [("A", dt.date(2025, 1, 1), "100"), ("A", dt.date(2025, 2, 1), "$1,200.00")]
    path = duck_file(tmp_path / "t.duckdb", ["customer_id", "month", "mrr"], rows, types=["VARCHAR", "DATE", "VARCHAR"])
    code, out, err = run("report", "ttm", "--ledger", f"{path}#mrr", *TODAY)
    assert (code, out, err) == (1, "", f"{path}#mrr, customer 'A' (February 2025): mrr holds '$1,200.00', which "
                                       "the database cannot read as a "
                                       "number; store the MRR as a number (NUMERIC or DOUBLE, no currency sign or "
                                       "thousands separator), or export the table as CSV, which nrr reads with them.\n")


def test_postgresql_figures_stored_as_text_are_refused_naming_the_column_and_value(pg_schema: str) -> None:
    spec = pg_table(pg_schema, "t", ["customer_id", "month", "mrr"],
                    [("A", dt.date(2025, 1, 1), "100"), ("A", dt.date(2025, 2, 1), "1.200,00 €")],
                    ["text", "date", "text"])
    code, _, err = run("report", "ttm", "--ledger", spec, *TODAY)
    # refused as a file refuses it: a decimal comma that reads two ways (fuzz 12: said to be no number at all)
    assert code == 1 and err.endswith(".t, customer 'A' (February 2025): mrr '1.200,00 €' is not an amount that "
                                      "reads one way only: 1.200,00 has a decimal comma and dots between thousands; "
                                      "write 1200.00.\n"), err


def test_customers_whose_keys_differ_only_in_case_or_spacing_are_warned_of_as_a_file_would_be(tmp_path: Path) -> None:
    rows = [("A", dt.date(2025, 1, 1), 100.0), ("A ", dt.date(2025, 2, 1), 100.0), ("a", dt.date(2025, 3, 1), 100.0),
            ("Big  Co", dt.date(2025, 1, 1), 5.0), ("big co", dt.date(2025, 2, 1), 5.0), ("BigCo", dt.date(2025, 3, 1),
                                                                                         5.0),
            ("Acme\u00a0Co", dt.date(2025, 3, 1), 7.0), ("acme co", dt.date(2025, 3, 1), 7.0)]  # a no-break space
    path = duck_file(tmp_path / "a.duckdb", ["customer_id", "month", "mrr"], rows)
    table = open_warehouse_source(f"{path}#mrr").read_cells().check
    memory = check_ledger(grid_of(["customer_id", "month", "mrr"], rows))
    assert [i.message for i in table.issues] == [i.message for i in memory.issues] == [
        "'A' and 'A ' differ only in case or spacing: they are counted as two customers; write them the same way if "
        "they are one.",
        "'A' and 'a' differ only in case or spacing: they are counted as two customers; write them the same way if "
        "they are one.",
        "'Big  Co' and 'big co' differ only in case or spacing: they are counted as two customers; write them the "
        "same way if they are one.",
        "'Acme\u00a0Co' and 'acme co' differ only in case or spacing: they are counted as two customers; write them "
        "the same way if they are one."]
    assert [i.severity for i in table.issues] == ["warning"] * 4


def test_rows_of_one_month_that_disagree_on_an_attribute_are_warned_of_as_a_file_would_be(tmp_path: Path) -> None:
    header = ["customer_id", "month", "mrr", "segment", "Plan"]
    d = dt.date
    rows = [("A", d(2025, 1, 1), 300.0, "SMB", "Pro"), ("A", d(2025, 1, 1), 100.0, "Enterprise", "Seats"),
            ("A", d(2025, 2, 1), 300.0, "SMB", "Pro"), ("A", d(2025, 2, 1), 300.0, "Mid-Market", "Seats"),
            ("A", d(2025, 3, 1), 300.0, "SMB", "Pro"), ("A", d(2025, 3, 1), 50.0, "smb ", "Seats"),  # one value
            ("C", d(2025, 1, 1), 300.0, "SMB", "Pro"), ("C", d(2025, 1, 1), 100.0, "Enterprise", "Seats"),
            ("C", d(2025, 1, 1), 50.0, "smb", "Addon"),  # SMB spelled another way beside it: not a third value
            ("C", d(2025, 2, 1), 300.0, "SMB", "Pro"), ("C", d(2025, 3, 1), 300.0, "SMB", "Pro"),
            ("B", d(2025, 1, 1), 80.0, "SMB", "Pro"), ("B", d(2025, 2, 1), 80.0, "SMB", "Pro"),
            ("B", d(2025, 2, 1), 90.0, "Enterprise", "Seats"), ("B", d(2025, 3, 1), 80.0, "SMB", "Pro")]
    path = duck_file(tmp_path / "s.duckdb", header, rows)
    table = open_warehouse_source(f"{path}#mrr").read_cells().check
    memory = check_ledger(grid_of(header, rows))
    assert [(i.severity, i.message, i.month) for i in table.issues] == [
        (i.severity, i.message, i.month) for i in memory.issues] == [
        ("warning", "'A' has rows with different segment in one month ('Enterprise', 'Mid-Market', 'SMB'; 2 months "
                    "like this): each month it counts in the segment of its largest MRR, here 'SMB' (ties: the "
                    "first in sort order). Give its rows one segment if that is not right.", Month(2025, 1)),
        ("warning", "'C' has rows with different segment in one month ('Enterprise', 'SMB'): each month it counts in "
                    "the segment of its largest MRR, here 'SMB' (ties: the first in sort order). Give its rows one "
                    "segment if that is not right.", Month(2025, 1)),
        ("warning", "'B' has rows with different segment in one month ('Enterprise', 'SMB'): each month it counts in "
                    "the segment of its largest MRR, here 'Enterprise' (ties: the first in sort order). Give its "
                    "rows one segment if that is not right.", Month(2025, 2))]
    # named with its table and customer, as the other checks name theirs (fuzz 12: the month alone)
    assert str(table.issues[0]).startswith("mrr, customer 'A' (January 2025): 'A' has rows with different segment")
    assert table.ledger is not None and memory.ledger is not None
    ours, theirs = (report_to_dict(build_report(ledger, resolve_period("2025-02..2025-03", dt.date(2025, 4, 2)),
                                                by="segment")) for ledger in (table.ledger, memory.ledger))
    # the same report and warnings; where a file names cells (D2 and D3), a table names the month
    assert [w.split(": ", 1)[1] for w in ours.pop("warnings")] == [w.split(": ", 1)[1] for w in theirs.pop("warnings")]
    assert ours == theirs


def test_a_text_month_not_written_yyyy_mm_is_read_as_a_file_reads_it(tmp_path: Path) -> None:
    rows: list[Row] = [("A", "2026-01-01", 100.0), ("A", "2026-2-01", 100.0)]
    header = ["customer_id", "month", "mrr"]
    path = duck_file(tmp_path / "m.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "DOUBLE"])
    expected = run("ledger", "--csv", "--ledger", str(csv_file(tmp_path / "m.csv", header, rows)))
    assert expected[0] == 0 and run("ledger", "--csv", "--ledger", f"{path}#mrr") == expected


def in_cents(header: Sequence[str], rows: Sequence[Row]) -> tuple[list[str], list[Row]]:
    """The table with its figure column as cents: headed ``mrr_cents``, 1200.50 written 120050."""
    return ([*header[:3], "mrr_cents", *header[4:]],
            [(*r[:3], round(Decimal(str(r[3])) * 100), *r[4:]) for r in rows])


def without_cents_warning(answer: tuple[int, str, str]) -> tuple[int, Any, str]:
    code, out, err = answer
    data = json.loads(out)
    assert [w.split(": ", 1)[1] for w in data["warnings"] if "read as cents" in w] == [
        'The MRR column "mrr_cents" is read as cents, as its header says (120050 is 1,200.50). If it holds '
        'whole currency units, take "cents" out of its header.']
    data["warnings"] = [w for w in data["warnings"] if "read as cents" not in w]
    return code, data, err


def test_a_table_of_cents_answers_as_the_csv_of_units_does(tmp_path: Path) -> None:
    header, rows = in_cents(*example_rows())
    path = duck_file(tmp_path / "c.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "DATE", "BIGINT", "VARCHAR",
                                                                 "VARCHAR"])
    units = run("report", "ttm", "--json", "--by", "segment", *TODAY, "--ledger", str(CUSTOMERS))
    code, data, _ = without_cents_warning(run("report", "ttm", "--json", "--by", "segment", *TODAY, "--ledger",
                                              f"{path}#mrr"))
    assert (code, data) == (0, json.loads(units[1]))
    # the same cents in a CSV: the row reader reads them so, and says so under the table's first cell
    csv_path = tmp_path / "cents.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *([*r[:2], r[2].strftime("%Y-%m"), *r[3:]] for r in rows)])
    code, out, _ = run("report", "ttm", "--json", "--by", "segment", *TODAY, "--ledger", str(csv_path))
    data = json.loads(out)
    assert data["warnings"][-1].startswith('D1: The MRR column "mrr_cents" is read as cents')
    data["warnings"].pop()
    assert {k: v for k, v in data.items() if k != "source"} == {k: v for k, v in json.loads(units[1]).items()
                                                                 if k != "source"}


def test_postgresql_reads_a_cents_column_as_cents(pg_schema: str) -> None:
    header, rows = in_cents(*example_rows())
    spec = pg_table(pg_schema, "mrr", header, rows, ["text", "text", "date", "bigint", "text", "text"])
    units = run("report", "ttm", "--json", *TODAY, "--ledger", str(CUSTOMERS))
    assert without_cents_warning(run("report", "ttm", "--json", *TODAY, "--ledger", spec)) == (
        0, json.loads(units[1]), "")
    # 2 more digits than a column of units: two trillion, as cents, is read as a file of the same figures is
    big = pg_table(pg_schema, "big", ["customer", "month", "mrr_cents"], [("A", dt.date(2026, 1, 1), 2 * 10 ** 14),
                                                                          ("A", dt.date(2026, 2, 1), 2 * 10 ** 14)],
                   ["text", "date", "bigint"])
    code, out, err = run("report", "2026-02", "--json", "--today", "2026-03-02", "--ledger", big)
    assert (code, json.loads(out)["cohort"]["start_mrr"], err) == (0, "2000000000000.00", ""), err


def test_a_segment_of_spaces_is_blank_in_a_file_and_in_a_database(tmp_path: Path) -> None:
    # blank is the latest value before, else the first: a cell of spaces too, read by any path
    header = ["customer_id", "date_month", "mrr", "segment"]
    rows: list[Row] = []
    for c, (early, late) in enumerate([("  ", "Enterprise"), ("", "SMB"), (None, "SMB"), ("SMB", "  "), (" ", " ")]):
        for m in range(1, 13):
            rows.append((f"C{c}", dt.date(2025, m, 1), 100.0 + c, early if m < 11 else late))
    path = duck_file(tmp_path / "b.duckdb", header, rows, types=["VARCHAR", "DATE", "DOUBLE", "VARCHAR"])
    csv_path = tmp_path / "b.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *([r[0], r[1].strftime("%Y-%m"), r[2], r[3] or ""] for r in rows)])
    asked = ("report", "2025-06", "--json", "--by", "segment", "--today", "2026-01-05")
    answers = [json.loads(run(*asked, "--ledger", spec, env=env)[1]) for spec, env in (
        (str(csv_path), {}), (str(csv_path), {"NRR_COLUMNAR": "always"}), (f"{path}#mrr", {}))]
    for answer in answers:
        answer.pop("source", None)
    assert answers[0] == answers[1] == answers[2]
    assert sorted((s["segment"], s["customers"]) for s in answers[0]["segments"]) == [
        ("(none)", 1), ("Enterprise", 1), ("SMB", 3)]


def test_a_tab_or_no_break_space_is_blank_and_a_float_id_is_its_whole_number(tmp_path: Path) -> None:
    # str.strip's spaces, not SQL trim's; pandas writes integer IDs beside a blank as 1001.0
    header = ["customer_id", "date_month", "mrr", "segment", "tier"]
    rows: list[Row] = [(1001.0, "2024-12", 100.0, "SMB", 1.0), (1001.0, "2025-01", 100.0, "\t", 1.0),
                       (1001.0, "2025-02", 110.0, "SMB", 1.0), (1002.0, "2024-12", 100.0, "Enterprise", 2.0),
                       (1002.0, "2025-01", 100.0, "\u00a0", 2.0), (1002.0, "2025-02", 90.0, "\u3000", 2.5)]
    path = duck_file(tmp_path / "w.duckdb", header, rows, types=["DOUBLE", "VARCHAR", "DOUBLE", "VARCHAR", "DOUBLE"])
    csv_path = tmp_path / "w.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *([_text(r[0]), r[1], r[2], r[3], _text(r[4])] for r in rows)])
    for asked in (("report", "2025-02", "--json", "--by", "segment"), ("report", "2025-02", "--json", "--by", "tier"),
                  ("report", "2025-02", "--json", "--where", "tier=1")):
        answers = [json.loads(run(*asked, "--today", "2025-03-10", "--ledger", spec)[1]) for spec in (
            str(csv_path), f"{path}#mrr")]
        for answer in answers:
            answer.pop("source", None)
        assert answers[0] == answers[1], asked
    by_segment = json.loads(run("report", "2025-02", "--json", "--by", "segment", "--today", "2025-03-10",
                                "--ledger", f"{path}#mrr")[1])
    assert sorted(s["segment"] for s in by_segment["segments"]) == ["Enterprise", "SMB"]
    assert [m["customer"] for m in by_segment["movers"]["expansion"]] == ["1001"]


def _text(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def test_a_figure_above_the_largest_nrr_reads_is_named_as_the_file_reader_names_it(tmp_path: Path) -> None:
    header = ["customer_id", "date_month", "mrr"]
    rows: list[Row] = [("A", "2025-01", 5e15), ("A", "2025-02", 1.0), ("B", "2025-01", 5e14), ("B", "2025-02", 1.0),
                       ("C", "2025-01", 1e19), ("C", "2025-02", 1.0)]
    path = duck_file(tmp_path / "h.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "DOUBLE"])
    code, out, _ = run("validate", "--ledger", f"{path}#mrr")
    assert code == 1 and out.splitlines()[:2] == [
        "error: mrr, customer 'A' (January 2025): MRR '5000000000000000.0' is not an amount up to "
        "1,000,000,000,000,000 (10^15), the largest nrr reads: check the cell for a typo or an ID pasted into it.",
        "error: mrr, customer 'C' (January 2025): MRR '1e+19' is not an amount up to "
        "1,000,000,000,000,000 (10^15), the largest nrr reads: check the cell for a typo or an ID pasted into it."], out
    assert "B" not in out  # 5 x 10^14, inside the limit, is read (it overflowed the cast before)


@pytest.mark.parametrize("kind", ["DOUBLE", "DECIMAL(38, 6)"])
def test_a_figure_below_minus_the_largest_is_named_as_written_not_as_a_negative_it_never_held(
        tmp_path: Path, kind: str) -> None:
    # the file reader names -5 x 10^15 as past the limit; the database had held it at -10^17 - 1 cents and said
    # "MRR -1,000,000,000,000,000.01 is negative", a figure nobody wrote
    rows: list[Row] = [("A", "2025-01", -5e15), ("A", "2025-02", 1.0), ("B", "2025-01", 2.0), ("B", "2025-02", 1.0)]
    path = duck_file(tmp_path / "h.duckdb", ["customer_id", "date_month", "mrr"], rows,
                     types=["VARCHAR", "VARCHAR", kind])
    code, out, _ = run("validate", "--ledger", f"{path}#mrr")
    first = out.splitlines()[0]
    assert code == 1 and first.startswith("error: mrr, customer 'A' (January 2025): MRR '-5000000000000000"), out
    assert "is not an amount up to 1,000,000,000,000,000 (10^15), the largest nrr reads" in first, out
    assert "negative" not in out, out


@pytest.mark.parametrize("kind", ["TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMPTZ"])
def test_a_month_of_any_timestamp_type_is_its_month(tmp_path: Path, kind: str) -> None:
    # DuckDB 2.0 could not group the parts of a TIMESTAMP_S/_MS/_NS ("Perfect hash aggregate"); pandas writes _NS
    header = ["customer_id", "Month", "mrr"]
    rows: list[Row] = [(c, f"2025-0{m}-15 12:00:00", float(100 * m if c == "A" else 50)) for c in "AB"
                       for m in range(1, 6)]
    path = duck_file(tmp_path / "t.duckdb", header, rows, types=["VARCHAR", kind, "DOUBLE"])
    code, out, err = run("ledger", "--csv", "--ledger", f"{path}#mrr")
    assert code == 0 and out.splitlines()[1].startswith("2025-02,150.00,100.00,"), out
    assert err == "" or (kind == "TIMESTAMPTZ" and "Month holds times with a time zone" in err), err


def test_an_empty_table_with_text_months_is_said_to_be_empty(tmp_path: Path) -> None:
    path = duck_file(tmp_path / "e.duckdb", ["customer_id", "Month", "mrr"], [("A", None, 5.0)],
                     types=["VARCHAR", "VARCHAR", "DOUBLE"])
    code, _, err = run("report", "ttm", "--ledger", f"{path}#mrr", *TODAY)
    assert (code, err) == (1, "mrr: The customer table has no rows yet; add one row per customer and month.\n"), err


def test_a_text_month_with_more_after_it_is_refused_as_a_file_refuses_it(tmp_path: Path) -> None:
    rows: list[Row] = [("A", "2025-01x", 100.0), ("A", "2025-02-15", 100.0)]
    path = duck_file(tmp_path / "x.duckdb", ["customer_id", "Month", "mrr"], rows,
                     types=["VARCHAR", "VARCHAR", "DOUBLE"])
    code, _, err = run("validate", "--ledger", f"{path}#mrr")
    assert code == 1 and "'2025-01x', not a month" in err, err


def test_a_zoned_month_is_read_in_utc_whatever_the_sessions_zone(pg_schema: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGTZ", "Asia/Tokyo")  # libpq sends it as the session's zone
    rows: list[Row] = [("A", "2025-01-31 23:00:00+00", 100.0), ("A", "2025-02-28 23:00:00+00", 100.0)]
    spec = pg_table(pg_schema, "tz", ["customer_id", "Month", "mrr"], rows, ["text", "timestamptz", "numeric"])
    code, out, _ = run("validate", "--ledger", spec)
    assert code == 0 and "(2025-01 to 2025-02)" in out, out


@pytest.mark.parametrize(("months", "step"), [(7, 3), (13, 12), (10, 2)])
def test_a_customer_paying_one_month_in_three_or_twelve_is_warned_of_as_in_a_file(tmp_path: Path, months: int,
                                                                                    step: int) -> None:
    rows: list[Row] = [("A", f"{2025 + i // 12}-{i % 12 + 1:02d}", 100.0) for i in range(months)] + [
        ("Q", f"{2025 + i // 12}-{i % 12 + 1:02d}", 300.0) for i in range(0, months, step)]
    header = ["customer_id", "Month", "mrr"]
    path = duck_file(tmp_path / "q.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "DOUBLE"])
    csv_path = tmp_path / "q.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    said = [run("validate", "--ledger", spec)[1].replace("warning: mrr: ", "warning: ").splitlines()[:-1]
            for spec in (str(csv_path), f"{path}#mrr")]
    assert said[0] == said[1] and len(said[0]) == (0 if step == 2 else 1), said


def test_real_and_double_figures_are_read_as_written_and_infinity_or_nan_is_named(pg_schema: str,
                                                                                   tmp_path: Path) -> None:
    """PostgreSQL casts a REAL to NUMERIC at 6 significant digits: 123456.78 was read 123457.00, without a word
    (fuzz 3). Infinity and NaN were "the database cannot be reached"."""
    header = ["customer_id", "month", "mrr"]
    rows = [("A", dt.date(2025, 1, 1), 123456.78), ("A", dt.date(2025, 2, 1), 123456.78),
            ("B", dt.date(2025, 1, 1), 13343.82), ("B", dt.date(2025, 2, 1), 10675.06)]
    path = tmp_path / "mrr.csv"
    path.write_text("customer_id,month,mrr\n" + "".join(f"{c},{m:%Y-%m},{v}\n" for c, m, v in rows))
    expected = run("ledger", "--csv", "--ledger", str(path))
    assert expected[0] == 0 and "2025-02,136800.60,0.00,0.00,2668.76,134131.84" in expected[1]
    for kind in ("real", "double precision"):
        spec = pg_table(pg_schema, f"t_{kind[:4]}", header, rows, ["text", "date", kind])
        assert run("ledger", "--csv", "--ledger", spec) == expected, kind
    for kind in ("FLOAT", "DOUBLE"):
        duck = duck_file(tmp_path / f"{kind}.duckdb", header, rows, types=["VARCHAR", "DATE", kind])
        assert run("ledger", "--csv", "--ledger", f"{duck}#mrr") == expected, kind
    odd = [("A", dt.date(2025, 1, 1), 100.0), ("A", dt.date(2025, 2, 1), float("inf")),
           ("B", dt.date(2025, 1, 1), float("nan")), ("B", dt.date(2025, 2, 1), 50.0)]
    pg = pg_table(pg_schema, "odd", header, odd, ["text", "date", "double precision"])
    duck = duck_file(tmp_path / "odd.duckdb", header, odd, types=["VARCHAR", "DATE", "DOUBLE"])
    for spec, written in ((pg, ("'NaN'", "'Infinity'")), (f"{duck}#mrr", ("'nan'", "'inf'"))):
        code, out, err = run("validate", "--ledger", spec)
        assert (code, err) == (1, ""), spec
        lines = out.splitlines()
        # no amount at all, as a file says of 'nan', rather than one too large (fuzz 9)
        assert lines[0].endswith(f"customer 'B' (January 2025): MRR {written[0]} is not an amount such as 100000, "
                                 "100000.50 or $100,000."), spec
        assert f"customer 'A' (February 2025): MRR {written[1]} is not an amount" in lines[1], spec


def test_a_figure_just_below_half_a_cent_is_rounded_once_as_the_csv_rounds_it(pg_schema: str, tmp_path: Path) -> None:
    """An ARR's month in floating point, 192.54 / 12, is 16.044999999999998: the CSV reads 16.04, and the databases
    read 16.05, having cast it to 6 decimals (16.045000) before rounding to the cent (fuzz 9). So did a NUMERIC(20, 9)
    of 16.044999999."""
    header = ["customer_id", "month", "mrr"]
    for kind, duck_kind, figure in (("double precision", "DOUBLE", 192.54 / 12),
                                    ("numeric(20, 9)", "DECIMAL(20, 9)", Decimal("16.044999999"))):
        rows = [(c, dt.date(2025, m, 1), figure if c == "A" else Decimal(100)) for c in "AB" for m in (1, 2, 3)]
        expected = run("ledger", "--csv", "--ledger", str(csv_file(tmp_path / "mrr.csv", header, rows)))
        assert expected[0] == 0 and "2025-03,116.04," in expected[1], expected
        spec = pg_table(pg_schema, f"t_{duck_kind[:3].lower()}", header, rows, ["text", "date", kind])
        assert run("ledger", "--csv", "--ledger", spec) == expected, kind
        duck = duck_file(tmp_path / f"{duck_kind[:3]}.duckdb", header, rows, types=["VARCHAR", "DATE", duck_kind])
        assert run("ledger", "--csv", "--ledger", f"{duck}#mrr") == expected, duck_kind


def test_a_columns_type_is_its_first_value_not_its_first_rows(pg_schema: str, tmp_path: Path) -> None:
    """Whether a column holds floats was guessed from the table's first 100 rows: with them NULL (a spine's
    customers not started yet), PostgreSQL cast a REAL MRR at 6 significant digits (123456.78 read 123457.00), and
    a DOUBLE attribute read 2.0 or 2 by the rows' order (fuzz 9)."""
    header = ["customer_id", "month", "mrr", "seats"]
    spine: list[Row] = [(f"S{i:03d}", dt.date(2025, 1, 1), None, None) for i in range(120)]
    paying: list[Row] = [(c, dt.date(2025, m, 1), 123456.78 if c == "A" else 99.99, 2.0 if c == "A" else 1.0)
                         for c in "AB" for m in (1, 2, 3)]
    expected = run("ledger", "--csv", "--ledger", str(csv_file(tmp_path / "mrr.csv", header, paying + spine)))
    assert expected[0] == 0 and "2025-03,123556.77," in expected[1], expected
    spec = pg_table(pg_schema, "real_spine_first", header, spine + paying, ["text", "date", "real", "real"])
    assert run("ledger", "--csv", "--ledger", spec) == expected
    for name, rows in (("spine_first", spine + paying), ("spine_last", paying + spine)):
        duck = duck_file(tmp_path / f"{name}.duckdb", header, rows, types=["VARCHAR", "DATE", "DOUBLE", "DOUBLE"])
        code, out, err = run("report", "2025-03", "--json", "--where", "seats=2", "--ledger", f"{duck}#mrr", *TODAY)
        assert code == 0 and '"nrr_pct": 100.0' in out, (name, err)


@pytest.mark.parametrize("limit_mb", [280, 300, 360])
def test_a_process_memory_limit_is_said_in_words_never_a_traceback(example_duck: Path, limit_mb: int) -> None:
    """Under ``prlimit --as=300MB`` a 386-row Parquet file ended, run to run, in "internal error (can't start new
    thread)", "internal error (OutOfMemoryException)", or a traceback from the internal-error message itself
    (fuzz 3). Whatever runs out, the answer or a message about memory."""
    import resource
    import subprocess
    import sys

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    done = subprocess.run([sys.executable, "-m", "nrr", "report", "ttm", "--json", "--ledger",
                           str(example_duck.with_suffix(".parquet")), *TODAY], capture_output=True, text=True,
                          preexec_fn=limited, env={**os.environ, "NRR_CONFIG": "", "NRR_CACHE_DIR": "off"},
                          timeout=60, check=False)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    # the C and Rust runtimes themselves may abort a thread they cannot give thread-local storage (DuckDB's or
    # polars', before Python sees it): glibc's words, and Rust's std (seen once in some fifty runs)
    aborted = ("cannot allocate memory for thread-local data", "failed to register TLS destructor: out of memory")
    assert done.returncode == 0 or (done.returncode == 1 and "memory" in done.stderr) or \
        any(words in done.stderr for words in aborted), done.stderr


def test_running_out_of_memory_is_known_by_its_type_when_it_says_nothing() -> None:
    # under a process memory limit DuckDB raised OutOfMemoryException with no message at all, which was said as "the
    # database cannot be reached or refused the query" (the flaky case of the test above)
    import sqlalchemy as sa

    class OutOfMemoryException(Exception):  # DuckDB's name, as its driver raises it
        pass

    wrapped = sa.exc.OperationalError("SELECT 1", {}, OutOfMemoryException(""))
    assert ran_out_of_memory(wrapped) and ran_out_of_memory(OutOfMemoryException(""))
    assert ran_out_of_memory(Exception("Out of Memory Error: failed to allocate data of size 64.0 MiB"))
    assert ran_out_of_memory(MemoryError())
    assert not ran_out_of_memory(sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused")))


def test_a_postgresql_table_is_found_whatever_the_case_of_its_name_and_in_quotes(pg_schema: str) -> None:
    """``#Customer_MRR`` for a table created as ``CREATE TABLE Customer_MRR`` (customer_mrr: SQL folds a name written
    without quotes) said "there is no table"; so did ``"Finance Data"."Customer MRR"`` in quotes (fuzz 3)."""
    header, rows = example_rows()
    types = ["text", "text", "date", "numeric(12,2)", "text", "text"]
    spec = pg_table(pg_schema, "customer_mrr", header, rows, types)
    expected = run("report", "ttm", "--json", "--ledger", spec, *TODAY)
    assert expected[0] == 0
    url = spec.partition("#")[0]
    for written in (f"{pg_schema}.Customer_MRR", f"{pg_schema.upper()}.CUSTOMER_MRR", f'"{pg_schema}"."customer_mrr"'):
        assert run("report", "ttm", "--json", "--ledger", f"{url}#{written}", *TODAY) == expected, written
    pg_table(pg_schema, "Customer MRR", header, rows, types)
    assert run("report", "ttm", "--json", "--ledger", f'{url}#"{pg_schema}"."Customer MRR"', *TODAY) == expected
    pg_table(pg_schema, "CUSTOMER_mrr", header, rows, types)  # two tables alike but for case: no guess, and both
    code, _, err = run("report", "ttm", "--ledger", f"{url}#{pg_schema}.Customer_Mrr", *TODAY)  # named (it was
    assert (code, err) == (1, f"{url}#{pg_schema}.Customer_Mrr: {pg_schema}.\"CUSTOMER_mrr\" and "  # "no table")
                              f"{pg_schema}.\"customer_mrr\" both match the name but for its case; write the one meant "
                              "after #, in quotes as listed here.\n")
    assert run("report", "ttm", "--json", "--ledger", f'{url}#{pg_schema}."CUSTOMER_mrr"', *TODAY) == expected


def yyyymm(rows: Sequence[Row], as_text: bool) -> list[Row]:
    """The example rows with each month written YYYYMM (202501), as a number or as text."""
    return [(r[0], r[1], f"{r[2]:%Y%m}" if as_text else int(f"{r[2]:%Y%m}"), *r[3:]) for r in rows]


@pytest.mark.parametrize(("types", "as_text"), [("INTEGER", False), ("BIGINT", False), ("DECIMAL(6,0)", False),
                                                ("VARCHAR", True)])
def test_a_month_written_yyyymm_in_a_database_answers_as_the_csv_does(tmp_path: Path, types: str,
                                                                       as_text: bool) -> None:
    # a warehouse's integer month key (202501): a CSV read it, DuckDB, Parquet and PostgreSQL said 'not a month'
    header, rows = example_rows()
    path = duck_file(tmp_path / "ym.duckdb", header, yyyymm(rows, as_text),
                     types=["VARCHAR", "VARCHAR", types, "DOUBLE", "VARCHAR", "VARCHAR"])
    specs = [f"{path}#mrr"]
    if types == "INTEGER":
        with duckdb.connect(str(path)) as con:
            con.execute(f"COPY mrr TO '{path.with_suffix('.parquet')}' (FORMAT parquet)")
        specs.append(str(path.with_suffix(".parquet")))
    asked = ("ledger", "--csv")  # every month's movements: each row in its month
    for spec in specs:
        assert run(*asked, "--ledger", spec) == csv_answer(*asked), spec


@pytest.mark.parametrize("written", ["%b %Y", "%B %Y", "%m/%Y", "%m/%d/%Y", "%d/%m/%Y", " %b-%y "])
def test_a_text_month_written_as_a_file_may_write_it_answers_as_the_csv_does(tmp_path: Path, written: str) -> None:
    """Jan 2025, 01/2025, 1/31/2025 as text: a file reads them, a database's table said 'not a month' (fuzz 9)."""
    header, rows = example_rows()
    texts = [(*r[:2], r[2].replace(day=28 if "%d" in written else 1).strftime(written), *r[3:]) for r in rows]
    path = duck_file(tmp_path / "t.duckdb", header, texts, types=["VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE", "VARCHAR",
                                                                  "VARCHAR"])
    asked = ("ledger", "--csv")
    assert run(*asked, "--ledger", f"{path}#mrr") == csv_answer(*asked)


def test_a_text_month_is_read_in_postgresql_and_one_no_reading_takes_is_named(pg_schema: str, tmp_path: Path) -> None:
    header, rows = example_rows()
    texts: list[Row] = [(*r[:2], r[2].strftime("%b %Y"), *r[3:]) for r in rows]
    spec = pg_table(pg_schema, "words", header, texts, ["text", "text", "text", "numeric(12,2)", "text", "text"])
    assert run("ledger", "--csv", "--ledger", spec) == csv_answer("ledger", "--csv")
    texts[5] = (*texts[5][:2], "Q1 2025", *texts[5][3:])
    path = duck_file(tmp_path / "q.duckdb", header, texts, types=["VARCHAR"] * 3 + ["DOUBLE", "VARCHAR", "VARCHAR"])
    code, _, err = run("validate", "--ledger", f"{path}#mrr")
    assert code == 1 and "Month holds 'Q1 2025', not a month" in err, err


def test_a_months_last_nanosecond_is_that_month_and_a_zoned_nanosecond_parquet_is_read(tmp_path: Path) -> None:
    """pandas' period end (2026-01-31 23:59:59.999999999) in a TIMESTAMP_NS column: DuckDB's cast to a DATE rounded
    it up to February, and every figure moved a month later; polars' Datetime("ns", "UTC") in a Parquet file was
    'the database cannot be reached' (no isfinite for a TIMESTAMPTZ_NS) (fuzz 12)."""
    import polars as pl

    ends = [dt.datetime(2026, m, 28) + dt.timedelta(days=4) for m in (1, 2, 3)]
    ends = [e.replace(day=1) - dt.timedelta(microseconds=1) for e in ends]  # the months' last microseconds
    rows: list[Row] = [(c, e.date().replace(day=1), v) for c, v in (("A", 100.0), ("B", 50.0)) for e in ends]
    header = ["customer_id", "date_month", "mrr"]
    expected = run("ledger", "--csv", "--ledger", str(csv_file(tmp_path / "m.csv", header, rows)))
    frame = pl.DataFrame({"customer_id": [r[0] for r in rows], "date_month": [e for _ in "AB" for e in ends],
                          "mrr": [r[2] for r in rows]})
    last_ns = pl.col("date_month").cast(pl.Datetime("ns")) + pl.duration(nanoseconds=999)
    frame.with_columns(last_ns).write_parquet(tmp_path / "ns.parquet")
    frame.with_columns(last_ns.dt.replace_time_zone("UTC")).write_parquet(tmp_path / "tzns.parquet")
    with duckdb.connect(str(tmp_path / "ns.duckdb")) as con:
        con.execute(f"CREATE TABLE mrr AS SELECT * FROM '{tmp_path / 'ns.parquet'}'")
    for spec in (str(tmp_path / "ns.parquet"), str(tmp_path / "tzns.parquet"), f"{tmp_path / 'ns.duckdb'}#mrr"):
        assert run("ledger", "--csv", "--ledger", spec) == expected, spec


NUMBER_EXPECTED = "an amount such as 100000 or 100000.50"  # a database's text figure: a number it can read
AMBIGUOUS = "an amount that reads one way only: {0} is {1} with a dot between thousands, or {0} with a decimal point"


@pytest.mark.parametrize(("figure", "said"), [
    ("1.200", f"'1.200' is not {AMBIGUOUS.format('1.200', '1,200')}"),
    ("16.045", f"'16.045' is not {AMBIGUOUS.format('16.045', '16,045')}"),
    ("12e2", f"'12e2' is not {NUMBER_EXPECTED}"), ("+12", f"'+12' is not {NUMBER_EXPECTED}"),
    (".5", f"'.5' is not {NUMBER_EXPECTED}"), ("NaN", f"'NaN' is not {NUMBER_EXPECTED}"),
    ("$1,200.00", "holds '$1,200.00', which the database cannot read as a number"),
    ("1,200", "holds '1,200', which the database cannot read as a number"),
    ("(500)", "holds '(500)', which the database cannot read as a number")])
def test_a_text_figure_a_file_refuses_is_refused_in_a_database_in_its_words(tmp_path: Path, figure: str,
                                                                           said: str) -> None:
    """The database cast '1.200' (a thousands separator?) as 1.20 and answered, where a file refuses it as
    ambiguous; 12e2, +12 and .5 too (fuzz 12). Money a file reads ($1,200.00, 1,200, (500)) is said to need a
    number, naming its row too (fuzz 24: it named none)."""
    header = ["customer_id", "date_month", "mrr"]
    rows: list[Row] = [("A", "2026-01-01", "100"), ("A", "2026-02-01", figure), ("B", "2026-01-01", "7")]
    path = duck_file(tmp_path / "t.duckdb", header, rows, types=["VARCHAR", "DATE", "VARCHAR"])
    code, _, err = run("validate", "--ledger", f"{path}#mrr")
    # named with its customer and month, as the row checks name theirs (fuzz 17: neither was)
    assert code == 1 and err.startswith(f"{path}#mrr, customer 'A' (February 2026): mrr {said}"), err
    file = run("validate", "--ledger", str(csv_file(tmp_path / "t.csv", header, rows)))
    assert (file[0] == 0) is (figure in ("$1,200.00", "1,200")), file  # what a file refuses, and what it reads


def test_postgresql_reads_an_integer_yyyymm_month(pg_schema: str) -> None:
    header, rows = example_rows()
    spec = pg_table(pg_schema, "ym", header, yyyymm(rows, False),
                    ["text", "text", "integer", "numeric(12,2)", "text", "text"])
    assert run(*ASKED[0], "--ledger", spec) == csv_answer(*ASKED[0])


@pytest.mark.parametrize(("value", "kind"), [(202513, "INTEGER"), (45658, "INTEGER"), (202501.5, "DOUBLE"),
                                             ("2025011", "VARCHAR"), ("20251a", "VARCHAR"),
                                             (1735689600000, "BIGINT"), (1e20, "DOUBLE")])
def test_a_number_that_is_not_a_yyyymm_month_is_named(tmp_path: Path, value: Any, kind: str) -> None:
    first = "202412" if kind == "VARCHAR" else 202412
    path = duck_file(tmp_path / "bad.duckdb", ["customer_id", "month", "mrr"], [("A", first, 1.0), ("A", value, 1.0)],
                     types=["VARCHAR", kind, "DOUBLE"])
    code, out, err = run("validate", "--ledger", f"{path}#mrr")
    assert (code, out) == (1, "") and f"month holds {str(value)!r}, not a month" in err, err


def test_a_month_of_infinity_is_named_not_a_failed_query(tmp_path: Path) -> None:
    # DuckDB: internal error (int(None)); PostgreSQL: 'the database cannot be reached or refused the query' (fuzz 5)
    path = tmp_path / "inf.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE mrr (customer_id VARCHAR, month DATE, mrr DOUBLE)")
        con.execute("INSERT INTO mrr VALUES ('A', '2025-01-01', 1), ('A', '2025-02-01', 1), ('B', 'infinity', 1)")
    code, out, err = run("validate", "--ledger", f"{path}#mrr")
    assert (code, out) == (1, "") and "month holds 'infinity', not a month" in err, err


def test_negative_figures_past_the_first_twenty_are_counted(tmp_path: Path) -> None:
    # 25 negative rows were '20 error(s)', the other 5 neither named nor counted (fuzz 5)
    rows: list[Row] = [(f"C{i:02d}", dt.date(2025, 11, 1), -5.0) for i in range(25)]
    rows.append(("A", dt.date(2025, 12, 1), 1.0))
    path = duck_file(tmp_path / "neg.duckdb", ["customer_id", "month", "mrr"], rows)
    code, out, err = run("validate", "--ledger", f"{path}#mrr")
    said = out + err
    assert code == 1 and said.count("MRR -5.00 is negative") == 20, said
    assert "mrr: ...and 5 more rows whose figure is negative or above the largest nrr reads, not named here." in said


def test_postgresql_breaks_a_segment_tie_in_code_point_order_whatever_the_collation(pg_schema: str) -> None:
    # two rows of one customer-month, equal MRR, segments 'Zeta' and 'alpha': the file takes 'Zeta' (the first in
    # sort order, by code point); a column in an ICU collation sorted 'alpha' first (fuzz 5)
    nov, dec = dt.date(2025, 11, 1), dt.date(2025, 12, 1)
    rows: list[Row] = [("C1", nov, 100, "Base", "Zeta"), ("C1", nov, 100, "Seats", "alpha"),
                       ("C1", dec, 100, "Base", "Zeta"), ("C2", nov, 50, "Base", "SMB"), ("C2", dec, 50, "Base", "SMB")]
    header = ["customer_id", "month", "mrr", "plan", "segment"]
    try:
        spec = pg_table(pg_schema, "ties", header, rows, ["text", "date", "numeric(12,2)", "text",
                                                          'text COLLATE "en-x-icu"'])
    except Exception as exc:  # a PostgreSQL built without ICU
        pytest.skip(f"no ICU collation: {exc}")
    code, out, err = run("report", "2025-12", "--json", "--by", "segment", "--ledger", spec, "--today", "2026-01-01")
    assert code == 0, err
    assert sorted(s["segment"] for s in json.loads(out)["segments"]) == ["SMB", "Zeta"]


def with_totals(header: Sequence[str], rows: Sequence[Row]) -> list[Row]:
    """The rows and, for each month, a row summing them as people add one (``Total``), and a segment's subtotal
    labelled in the name column (``SMB Total``)."""
    out = list(rows)
    for month in sorted({r[2] for r in rows}):
        those = [r for r in rows if r[2] == month]
        out.append(("Total", "", month, float(sum(r[3] for r in those)), "", ""))
        out.append(("", "SMB Total", month, float(sum(r[3] for r in those if r[4] == "SMB")), "SMB", ""))
    return out


def test_total_rows_in_a_database_are_left_out_and_said_as_a_file_says_them(tmp_path: Path) -> None:
    # counted as customers they doubled every figure (fuzz 3); the row reader left them out with a warning
    header, rows = example_rows()
    totalled = with_totals(header, rows)
    csv_path = tmp_path / "t.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(grid_of(header, totalled))
    path = duck_file(tmp_path / "t.duckdb", header, totalled)
    clean = csv_answer(*ASKED[2])
    for spec in (f"{path}#mrr", str(csv_path)):
        code, out, _ = run(*ASKED[2], "--ledger", spec)
        data, expected = json.loads(out), json.loads(clean[1])
        warned = data.pop("warnings")
        expected.pop("warnings")
        assert (code, data) == (0, expected), spec
        assert any(w.startswith(("mrr, 22 rows: These 22 rows ('Total') read as totals, not customers, and are left "
                                 "out", "A604, A606,")) for w in warned), warned
        assert any("('SMB Total') read as totals" in w for w in warned), warned
    code, out, _ = run("validate", "--ledger", f"{path}#mrr")
    assert code == 0 and "40 customers" in out, out


def test_a_customer_named_like_a_total_with_an_id_of_its_own_is_a_customer_in_a_file_and_a_database(
        tmp_path: Path) -> None:
    """Fuzz 16: Subtotal Labs (C02), who churned 500, was left out as a total row: NRR 100% for 72.22%. A row
    with no ID named Total is still a total, said as one."""
    header = ["Customer ID", "Customer", "Month", "MRR"]
    rows: list[Row] = [("C01", "Acme", "2026-01", 1000.0), ("C01", "Acme", "2026-02", 1000.0),
                       ("C02", "Subtotal Labs", "2026-01", 500.0), ("C02", "Subtotal Labs", "2026-02", 0.0),
                       ("C03", "Sum", "2026-01", 300.0), ("C03", "Sum", "2026-02", 300.0),
                       # review: a customer named Total with an ID, beside a Total row without one, was left out in
                       # a database (the names were left out table-wide); rows of averages were customers there
                       ("C04", "Total", "2026-01", 400.0), ("C04", "Total", "2026-02", 400.0),
                       (None, "Total", "2026-01", 2200.0), (None, "Total", "2026-02", 1700.0),
                       ("-", "Monthly average", "2026-01", 550.0), ("n/a", "Avg.", "2026-02", 425.0)]
    csv_path = tmp_path / "t.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(grid_of(header, rows))
    path = duck_file(tmp_path / "t.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE"])
    for spec in (f"{path}#mrr", str(csv_path)):
        code, out, err = run("report", "2026-02", "--json", "--today", "2026-03-05", "--ledger", spec)
        data = json.loads(out)
        assert (code, data["nrr_pct"], data["start_mrr"]) == (0, 77.27, "2200.00"), (spec, err)
        assert sorted(w.split(": ", 1)[1][:37] for w in data["warnings"]) == [
            "These 2 rows ('Total') read as totals", "This row ('Avg.') reads as a total, n",
            "This row ('Monthly average') reads as"]

def test_postgresql_leaves_out_a_total_row(pg_schema: str) -> None:
    rows: list[Row] = [("A", dt.date(2025, 1, 1), 100), ("B", dt.date(2025, 1, 1), 50),
                       ("Total", dt.date(2025, 1, 1), 150), ("A", dt.date(2025, 2, 1), 120),
                       ("Total", dt.date(2025, 2, 1), 120), ("Sumitomo", dt.date(2025, 2, 1), 5)]
    spec = pg_table(pg_schema, "totals", ["customer_id", "month", "mrr"], rows, ["text", "date", "numeric(12,2)"])
    code, out, err = run("ledger", "--csv", "--ledger", spec)
    assert (code, out.splitlines()[1]) == (0, "2025-02,150.00,20.00,50.00,0.00,120.00,80.00%,5.00,0.00"), err


TOTALLED: list[Row] = [("A", "2025-01", 100), ("B", "2025-01", 50), ("A", "2025-02", 120), ("B", "2025-02", 30),
                       ("Total", "2025", 300), (" All customers", "2025-02", 150), ("Average ", "2025-02", 75)]


def test_a_total_row_with_spaces_around_it_or_a_year_for_its_month_is_left_out_as_a_file_leaves_it(
        tmp_path: Path) -> None:
    # ' All customers' counted as a customer (4 customers for 2), and 'Total' over the year '2025' refused the table
    # as 'not a month', where the CSV of the same rows left both out with a warning (fuzz 5)
    csv_path = csv_file(tmp_path / "t.csv", ["customer_id", "month", "mrr"], TOTALLED)
    path = duck_file(tmp_path / "t.duckdb", ["customer_id", "month", "mrr"], TOTALLED,
                     types=["VARCHAR", "VARCHAR", "DECIMAL(10,2)"])
    for spec in (str(csv_path), f"{path}#mrr"):
        code, out, _ = run("validate", "--ledger", spec)
        assert code == 0 and "2 customers" in out and out.count("reads as a total") == 3, (spec, out)
    # the same CSV (the warnings beside it on stderr name the total's cell in the file, its rows in the database)
    assert run("ledger", "--csv", "--ledger", f"{path}#mrr")[:2] == run("ledger", "--csv", "--ledger",
                                                                        str(csv_path))[:2]


def test_postgresql_leaves_out_a_total_row_over_a_year(pg_schema: str) -> None:
    spec = pg_table(pg_schema, "yeartotal", ["customer_id", "month", "mrr"],
                    [(k, int(m.replace("-", "")) if m != "2025" else 2025, v) for k, m, v in TOTALLED],
                    ["text", "integer", "numeric(12,2)"])
    code, out, _ = run("validate", "--ledger", spec)
    assert code == 0 and "2 customers" in out and out.count("reads as a total") == 3, out


#: next month's rows written ahead, MRR NULL (a date spine joined to the figures): not closed yet, not total churn
UNLANDED: list[Row] = [*((k, dt.date(2025, m, 1), float(m * 10)) for m in (10, 11) for k in ("A", "B")),
                       ("A", dt.date(2025, 12, 1), None), ("B", dt.date(2025, 12, 1), None)]


def unlanded_answers(spec: str) -> tuple[str, str, dict[str, Any]]:
    code, out, _ = run("validate", "--ledger", spec)
    assert code == 0 and "2 months (2025-10 to 2025-11), 1 warning(s)" in out, out
    code, ledger, _ = run("ledger", "--csv", "--ledger", spec)
    assert code == 0
    code, report, _ = run("report", "2025-11", "--json", "--ledger", spec, "--today", "2026-01-10")
    assert code == 0
    answer = json.loads(report)
    # each said as it is, but for the table's name before it ("mrr: December ...")
    answer["warnings"] = [w[w.index("December 2025 has"):] for w in answer["warnings"]]
    said = out.splitlines()[0]
    return said[said.index("December 2025 has"):], ledger, answer


def test_the_last_month_with_rows_but_no_figure_is_left_out_as_a_file_leaves_it(tmp_path: Path) -> None:
    # read as 0 in a database, it answered NRR 0%, every customer churned (fuzz 5)
    csv_path = csv_file(tmp_path / "t.csv", ["customer_id", "month", "mrr"], UNLANDED)
    path = duck_file(tmp_path / "t.duckdb", ["customer_id", "month", "mrr"], UNLANDED,
                     types=["VARCHAR", "DATE", "DECIMAL(10,2)"])
    said, ledger, answer = unlanded_answers(f"{path}#mrr")
    assert said.startswith("December 2025 has 2 rows but no MRR in any") and ledger.count("\n") == 2
    assert answer["period"]["last_month"] == "2025-11" and answer["nrr_pct"] == 110.0
    assert unlanded_answers(str(csv_path)) == (said, ledger, answer)
    code, _, err = run("report", "2025-12", "--ledger", f"{path}#mrr", "--today", "2026-01-10")
    assert code == 1 and "December 2025 is not in the ledger yet" in err and "not closed yet" in err


def test_a_month_between_others_with_rows_but_no_figure_is_refused_as_a_file_refuses_it(tmp_path: Path) -> None:
    rows: list[Row] = [(k, dt.date(2025, m, 1), None if m == 3 else 100.0) for m in (2, 3, 4) for k in ("A", "B")]
    path = duck_file(tmp_path / "t.duckdb", ["customer_id", "month", "mrr"], rows,
                     types=["VARCHAR", "DATE", "DECIMAL(10,2)"])
    csv_path = csv_file(tmp_path / "t.csv", ["customer_id", "month", "mrr"], rows)
    code, out, _ = run("validate", "--ledger", f"{path}#mrr")
    assert code == 1 and out.startswith("error: mrr: March 2025 has 2 rows but no MRR in any"), out
    assert out.replace("mrr: ", "", 1).splitlines()[0] == run("validate", "--ledger", str(csv_path))[1].splitlines()[0]


def test_postgresql_leaves_out_the_last_month_with_rows_but_no_figure(pg_schema: str, tmp_path: Path) -> None:
    duck = duck_file(tmp_path / "t.duckdb", ["customer_id", "month", "mrr"], UNLANDED,
                     types=["VARCHAR", "DATE", "DECIMAL(10,2)"])
    spec = pg_table(pg_schema, "unlanded", ["customer_id", "month", "mrr"], UNLANDED, ["text", "date", "numeric(12,2)"])
    assert unlanded_answers(spec)[1:] == unlanded_answers(f"{duck}#mrr")[1:]


@pytest.mark.parametrize("kind", ["DATE", "VARCHAR"])
def test_a_placeholder_date_is_no_month_in_a_database_as_in_a_file(tmp_path: Path, kind: str) -> None:
    # a DATE of 0001-01-01 read as year 1: "No row for February 1 to August 2025" (fuzz 5)
    rows: list[Row] = [("A", dt.date(2025, 9, 1), 100.0), ("B", dt.date(1, 1, 1), 50.0),
                       ("B", dt.date(2025, 9, 1), 5.0)]
    if kind == "VARCHAR":
        rows = [(k, f"{m.year:04d}-{m.month:02d}", v) for k, m, v in rows]
    path = duck_file(tmp_path / "t.duckdb", ["customer_id", "month", "mrr"], rows,
                     types=["VARCHAR", kind, "DECIMAL(10,2)"])
    code, _, err = run("validate", "--ledger", f"{path}#mrr")
    written = "0001-01-01" if kind == "DATE" else "0001-01"
    # named by its row's customer, as a bad figure is (a fresh-eyes try: a 2M-row table's one bad month unfound)
    assert (code, err) == (1, f"{path}#mrr, customer 'B': month holds '{written}', not a month; store a date (any day "
                              "of the month), text such as 2026-03, or a number such as 202603.\n")


def test_a_text_month_with_spaces_around_it_is_read_as_a_file_reads_it(tmp_path: Path) -> None:
    rows: list[Row] = [("A", " 2025-09 ", 100.0), ("A", "2025-10", 100.0), ("B", "2025-09", 50.0),
                       ("B", "202510 ", 60.0)]
    path = duck_file(tmp_path / "t.duckdb", ["customer_id", "month", "mrr"], rows,
                     types=["VARCHAR", "VARCHAR", "DECIMAL(10,2)"])
    csv_path = csv_file(tmp_path / "t.csv", ["customer_id", "month", "mrr"], rows)
    answer = run("ledger", "--csv", "--ledger", f"{path}#mrr")
    assert answer[0] == 0 and answer == run("ledger", "--csv", "--ledger", str(csv_path))


def test_a_subtotal_of_a_customers_sub_customers_is_left_out_as_a_file_leaves_it(tmp_path: Path) -> None:
    # QuickBooks Desktop's "Total Acme Holdings" counted as a customer in a database, not in a file (a review)
    rows: list[Row] = [(k, f"2025-{m:02d}", v) for m in (1, 2) for k, v in (
        ("Acme Holdings:East", 100.0), ("Acme Holdings:West", 50.0), ("Acme Holdings", 10.0),
        ("Total Acme Holdings", 160.0), ("Total Wine & More", 200.0))]
    path = duck_file(tmp_path / "t.duckdb", ["customer", "month", "mrr"], rows,
                     types=["VARCHAR", "VARCHAR", "DECIMAL(10,2)"])
    csv_path = csv_file(tmp_path / "t.csv", ["customer", "month", "mrr"], rows)
    ledger = run("ledger", "--csv", "--ledger", f"{path}#mrr")
    assert ledger[0] == 0 and ledger[:2] == run("ledger", "--csv", "--ledger", str(csv_path))[:2]
    assert "\n2025-02,360.00," in ledger[1]  # 100 + 50 + 10 + 200: the subtotal left out, Total Wine & More kept


def test_two_customers_of_one_name_are_told_apart_in_the_movers_by_their_keys(tmp_path: Path) -> None:
    # two Acmes, one churned, one expanded: the movers read 'Acme -$100' and 'Acme +$50', not saying which (fuzz 4)
    header = ["Customer ID", "Customer", "Month", "MRR"]
    rows: list[Row] = [("C1", "Acme", dt.date(2025, 1, 1), 100.0), ("C2", "Acme", dt.date(2025, 1, 1), 100.0),
                       ("C3", "Beta", dt.date(2025, 1, 1), 10.0), ("C2", "Acme", dt.date(2025, 2, 1), 150.0),
                       ("C3", "Beta", dt.date(2025, 2, 1), 20.0)]
    csv_path = tmp_path / "acme.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(grid_of(header, rows))
    path = duck_file(tmp_path / "acme.duckdb", header, rows)
    columnar = {"NRR_COLUMNAR": "always", "NRR_CACHE_DIR": str(tmp_path / "cache")}  # read, then from the cache
    for spec, env in ((str(csv_path), {}), (f"{path}#mrr", {}), (str(csv_path), columnar), (str(csv_path), columnar)):
        code, out, err = run("report", "2025-02", "--json", "--ledger", spec, "--today", "2025-03-05", env=env)
        movers = json.loads(out)["movers"]
        assert code == 0, err
        assert [m["customer"] for m in movers["churn"]] == ["Acme (C1)"], (spec, movers)
        assert [m["customer"] for m in movers["expansion"]] == ["Acme (C2)", "Beta"], (spec, movers)
    entries = [e for e in (tmp_path / "cache").rglob("*") if e.is_file() and e.read_bytes().startswith(b"NRRCACHE")]
    assert len(entries) == 1
    body = entries[0].read_bytes()
    start = len(b"NRRCACHE2\n") + 8
    header = json.loads(body[start:start + int.from_bytes(body[start - 8:start], "little")])
    assert header["shared_names"] == ["Acme"]  # kept with the table: the cached read does not count them again


def test_a_name_is_shared_only_when_two_customers_are_shown_with_it(tmp_path: Path) -> None:
    # C1 wrote 'Acme Corp' in 4 of its 13 months and is shown as 'Acme': C2, always 'Acme Corp', shares no name. The
    # database counted any row with the name: 'Acme Corp (C2)' there, 'Acme Corp' in the file (review)
    header = ["Customer ID", "Customer", "Month", "MRR"]
    rows: list[Row] = [("C1", "Acme" if m < 9 else "Acme Corp", dt.date(2024 + (m + 1) // 13, (m % 12) + 1, 1), 100.0)
                       for m in range(13)]
    rows += [("C2", "Acme Corp", dt.date(2024, m, 1), 50.0) for m in range(1, 13)]
    rows += [("C3", "Beta", dt.date(2024, 1, 1), 10.0), ("C3", "Beta", dt.date(2025, 1, 1), 10.0)]
    csv_path = tmp_path / "acme.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(grid_of(header, rows))
    path = duck_file(tmp_path / "acme.duckdb", header, rows)
    columnar = {"NRR_COLUMNAR": "always", "NRR_CACHE_DIR": str(tmp_path / "cache")}
    for spec, env in ((str(csv_path), {}), (f"{path}#mrr", {}), (str(csv_path), columnar)):
        code, out, err = run("report", "ttm", "--json", "--ledger", spec, "--today", "2025-02-05", env=env)
        assert code == 0, err
        assert [m["customer"] for m in json.loads(out)["movers"]["churn"]] == ["Acme Corp"], spec


def test_first_months_with_rows_but_no_figure_are_left_out_in_a_database_as_in_a_file(tmp_path: Path) -> None:
    """Fuzz 16: a month before anyone paid was refused as if every customer churned in it and came back."""
    header = ["Customer", "Month", "MRR"]
    rows: list[Row] = [("A", "2025-12", None), ("A", "2026-01", 100.0), ("A", "2026-02", 100.0),
                       ("B", "2026-01", 50.0), ("B", "2026-02", 0.0)]
    csv_path = tmp_path / "t.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(grid_of(header, rows))
    path = duck_file(tmp_path / "t.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "DOUBLE"])
    for spec in (f"{path}#mrr", str(csv_path)):
        code, out, err = run("ledger", "--csv", "--today", "2026-03-05", "--ledger", spec)
        assert (code, out.splitlines()[1:]) == (0, ["2026-02,150.00,0.00,50.00,0.00,100.00,66.67%,0.00,0.00"]), err
        code, out, err = run("validate", "--today", "2026-03-05", "--ledger", spec)
        assert code == 0 and "December 2025 has 1 row but no MRR in any" in out
        assert "2 months (2026-01 to 2026-02)" in out


def test_a_text_key_column_of_whole_numbers_written_as_floats_is_read_as_a_file_reads_it(tmp_path: Path) -> None:
    """Fuzz 17: a staging table's VARCHAR IDs, 1001.0 until August and 1001 after (two exports appended, one by
    pandas), were two customers in a database, Acme churning and coming back as new: NRR 33.33% for 100%."""
    header = ["customer_id", "customer", "month", "mrr"]
    rows: list[Row] = [(f"{key}.0" if m < 3 else key, name, f"2026-{m:02d}", mrr)
                       for m in range(1, 6) for key, name, mrr in (("1001", "Acme", 100.0), ("1002", "Beta", 50.0))]
    csv_path = tmp_path / "t.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(grid_of(header, rows))
    path = duck_file(tmp_path / "t.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE"])
    asked = ("report", "2026-03", "--json", "--today", "2026-06-05")
    expected = run(*asked, "--ledger", str(csv_path))
    assert json.loads(expected[1])["nrr_pct"] == 100.0
    assert run(*asked, "--ledger", f"{path}#mrr") == expected
    # a column that is not all whole numbers is read as written, in both
    rows.append(("A7", "Gamma", "2026-05", 1.0))
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(grid_of(header, rows))
    path = duck_file(tmp_path / "u.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE"])
    expected = run(*asked, "--ledger", str(csv_path))
    assert run(*asked, "--ledger", f"{path}#mrr") == expected


def test_a_month_in_progress_entered_for_a_few_customers_is_said_where_a_period_to_date_counts_it(
        tmp_path: Path) -> None:
    """Fuzz 23 (left open then): a customer table whose month in progress holds 5 of its 19 customers so far answered
    `this-quarter` 22.11% with 14 churned, said as final. The answer stands (the month is asked for) and says how many
    customers have no figure yet, beside the most a closed month lost; from a DuckDB table as from the CSV."""
    header = ["Customer ID", "Customer", "Month", "MRR"]
    rows: list[Row] = []
    for c in range(19):
        for m in range(1, 12):  # Jan to Nov 2026; November in progress, entered for C00 to C04 so far
            if (c == 18 and m >= 6) or (m == 11 and c >= 5):  # C18 churned in June: 5.3% of May
                continue
            rows.append((f"C{c:02d}", f"Cust {c}", dt.date(2026, m, 1), float(1000 + 10 * m)))
    partial = [csv_file(tmp_path / "partial.csv", header, rows), duck_file(tmp_path / "partial.duckdb", header, rows)]
    today = ("--today", "2026-11-20")
    for source in (str(partial[0]), f"{partial[1]}#mrr"):
        code, out, err = run("report", "this-quarter", "--json", "--ledger", source, *today)
        assert code == 0, err
        data = json.loads(out)
        said = [w for w in data["warnings"] if "in progress" in w]
        assert said == ["November 2026 is in progress, and 13 of the 18 customers paying in October 2026 have no MRR "
                        "in it yet: they are counted as churned, 72.2% of October 2026's MRR lost so far, more than "
                        "twice the most any closed month lost (5.3%). If November 2026 is not fully entered, ask "
                        "for a period ending by October 2026 for closed months only."], source
        assert data["cohort"]["customers"] - data["cohort"]["retained"] == 13  # the figure stands, said
        # the closed months asked for say nothing of it, nor does a month in progress that loses no more than usual
        closed = json.loads(run("report", "last-quarter", "--json", "--ledger", source, *today)[1])
        assert not [w for w in closed["warnings"] if "in progress" in w]
    usual = [r for r in rows if not (r[2].month == 11 and r[0] != "C00")] + [
        (f"C{c:02d}", f"Cust {c}", dt.date(2026, 11, 1), 1110.0) for c in range(1, 18)]  # every one entered
    for source in (str(csv_file(tmp_path / "usual.csv", header, usual)),
                   f"{duck_file(tmp_path / 'u.duckdb', header, usual)}#mrr",
                   str(csv_file(tmp_path / "one.csv", header, [r for r in usual if r[0] != "C07" or r[2].month < 11]))):
        # (C07 gone in November alone: 5.6% of October's MRR, beside the 5.3% May's customers lost in June)
        data = json.loads(run("report", "this-quarter", "--json", "--ledger", source, *today)[1])
        assert not [w for w in data["warnings"] if "in progress" in w], source


@pytest.mark.parametrize("written", ["2025-05-13/2025-06-12", "2025-05 garbage", "2025-05Tx", "2025-05-01 junk"])
def test_a_text_month_a_file_refuses_is_refused_by_the_database_too(tmp_path: Path, written: str) -> None:
    """Fuzz 24: a text month such as '2025-05-13/2025-06-12' (a billing period) in one row: a file refused it
    ("not a month"), DuckDB, Parquet and PostgreSQL read it as May 2025 and answered. Each text the database cannot
    read as YYYY-MM, a day, a time and a zone is read as a file's cell is, and refused the same way."""
    header = ["customer_id", "month", "mrr"]
    rows: list[Row] = [(c, f"2025-{m:02d}-01", 100.0) for c in ("A", "B") for m in range(1, 7)]
    rows[4] = ("A", written, 100.0)
    code, _, err = run("report", "ttm", "--ledger", str(csv_file(tmp_path / "m.csv", header, rows)), *TODAY)
    assert code == 1 and "not a month" in err, err
    duck = duck_file(tmp_path / "m.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "DOUBLE"])
    code, _, err = run("report", "ttm", "--ledger", f"{duck}#mrr", *TODAY)
    assert code == 1 and f"month holds {written!r}, not a month" in err, err
    # the shapes it reads itself answer as the file does: a day, a time, a zone
    for month in ("2025-05-13", "2025-05-13 00:00:00", "2025-05-01T00:00:00+02:00", "2025-05-31T23:59:59.5Z"):
        rows[4] = ("A", month, 100.0)
        expected = run("report", "ttm", "--json", "--ledger", str(csv_file(tmp_path / "m.csv", header, rows)), *TODAY)
        duck = duck_file(tmp_path / f"ok{len(month)}.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "DOUBLE"])
        assert run("report", "ttm", "--json", "--ledger", f"{duck}#mrr", *TODAY) == expected, month


def test_more_distinct_text_months_than_are_read_one_by_one_are_said_as_such(tmp_path: Path) -> None:
    """Fuzz 24: 840 distinct '1/15/2024' texts were said as "holds '1/1/2024', not a month", which it is."""
    header = ["customer_id", "month", "mrr"]
    rows: list[Row] = [(f"C{i}", f"{1 + i // 28 % 12}/{1 + i % 28}/{2000 + i // 336}", 10.0) for i in range(840)]
    duck = duck_file(tmp_path / "days.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "DOUBLE"])
    code, _, err = run("report", "ttm", "--ledger", f"{duck}#mrr", *TODAY)
    assert code == 1 and "holds more than 400 distinct texts that are not YYYY-MM" in err, err
    assert "store the month as a date" in err


NUMERIC_KEY_ROWS: list[Row] = [(Decimal("1001") if m % 2 else Decimal("1001.0"), dt.date(2025, m, 1), 100.0 + m)
                               for m in range(1, 7)] + [(Decimal(k), dt.date(2025, m, 1), 50.0)
                                                        for k in ("1002", "1003.00") for m in range(1, 7)]


def _numeric_key_answers(spec: str, tmp_path: Path) -> None:
    header = ["customer_id", "month", "mrr"]
    expected = run("report", "2025-06", "--json", "--ledger", str(csv_file(tmp_path / "k.csv", header,
                                                                            NUMERIC_KEY_ROWS)), *TODAY)
    assert expected[0] == 0 and '"nrr_pct": 100.49' in expected[1], expected  # 1001 one customer
    assert run("report", "2025-06", "--json", "--ledger", spec, *TODAY) == expected
    code, out, _ = run("validate", "--ledger", spec, *TODAY)
    assert code == 0 and "3 customers" in out, out


def test_a_numeric_key_column_reads_1001_and_1001_0_as_one_customer_in_duckdb(tmp_path: Path) -> None:
    """Fuzz 24: a NUMERIC customer column holding 1001 and 1001.0 (PostgreSQL keeps each value's scale) was two
    customers, NRR 78.78% where the file of the same rows answered 100.84%; a DECIMAL(10,2) key showed movers as
    1001.00. A key, name or attribute column of decimals is read as numbers, as a float column is."""
    duck = duck_file(tmp_path / "k.duckdb", ["customer_id", "month", "mrr"], NUMERIC_KEY_ROWS,
                     types=["DECIMAL(10,2)", "DATE", "DOUBLE"])
    _numeric_key_answers(f"{duck}#mrr", tmp_path)


def test_a_numeric_key_column_reads_1001_and_1001_0_as_one_customer_in_postgresql(pg_schema: str,
                                                                                  tmp_path: Path) -> None:
    spec = pg_table(pg_schema, "numeric_keys", ["customer_id", "month", "mrr"], NUMERIC_KEY_ROWS,
                    ["numeric", "date", "numeric(12,2)"])
    _numeric_key_answers(spec, tmp_path)


def test_zoned_months_are_read_in_the_calendars_zone_and_warned_of_when_they_look_like_anothers(tmp_path: Path) -> None:
    """Fuzz 24: months a polars frame held at midnight Europe/Berlin, written as Parquet, were read in UTC: each a
    month early (2024-12..2026-01 where the CSV of the same frame held 2025-01..2026-02), the figures different, no
    word. They are read in [calendar] timezone; read in UTC, a column of times all on the hour and none at midnight
    is warned of, naming the setting."""
    header = ["customer_id", "month", "mrr"]
    rows: list[Row] = [(c, dt.date(2025, m, 1), 100.0 + (m if c == "A" else 0)) for c in "AB" for m in range(1, 13)]
    expected = run("report", "2025-06", "--json", "--ledger", str(csv_file(tmp_path / "z.csv", header, rows)), *TODAY)
    con = _writer()
    con.execute("SET TimeZone = 'Europe/Berlin'")
    try:  # midnight in Berlin, stored as UTC instants (2024-12-31 23:00:00+00 for January)
        con.execute(f"COPY (SELECT customer_id, CAST(month || '-01' AS TIMESTAMPTZ) AS month, mrr FROM read_csv("
                    f"'{tmp_path}/z.csv', header=true, columns={{'customer_id': 'VARCHAR', 'month': 'VARCHAR', "
                    f"'mrr': 'DOUBLE'}})) TO '{tmp_path}/z.parquet' (FORMAT parquet)")
    finally:
        con.execute("SET TimeZone = 'UTC'")
    parquet = str(tmp_path / "z.parquet")
    code, out, err = run("report", "2025-06", "--json", "--ledger", parquet, *TODAY)
    assert code == 0, err
    said = [w for w in json.loads(out)["warnings"] if "time zone" in w]
    assert said == ["z.parquet: month holds times with a time zone, all on the hour and none at midnight in UTC, where "
                    "they are read ([calendar] timezone): 2024-12-31 23:00:00+00 is read as December 2024. If they are "
                    "months written at midnight in another zone, each is read a month early or late here: set "
                    "[calendar] timezone in nrr.toml to that zone (Europe/Berlin, say)."], out
    config = tmp_path / "nrr.toml"
    config.write_text('[calendar]\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    assert run("report", "2025-06", "--json", "--ledger", parquet, "--config", str(config), *TODAY) == expected
    utc, berlin = (run("ledger", "--csv", "--ledger", parquet, *more)[1] for more in ((), ("--config", str(config))))
    assert "\n2025-11," in utc and "\n2025-12," not in utc and "\n2025-12," in berlin  # in UTC, a month early


def test_one_customer_gone_in_the_month_in_progress_is_a_churn_not_a_partial_month(tmp_path: Path) -> None:
    """A review: ten customers, none lost in a year, one gone in January (the month in progress) was told "if January
    2026 is not fully entered": a young company's first churn. Two or more gone, and 5% of the money, are needed."""
    header = ["customer_id", "month", "mrr"]
    rows: list[Row] = [(f"C{c}", dt.date(2025, m, 1), 100.0) for c in range(10) for m in range(1, 13)]
    one = rows + [(f"C{c}", dt.date(2026, 1, 1), 100.0) for c in range(1, 10)]
    two = rows + [(f"C{c}", dt.date(2026, 1, 1), 100.0) for c in range(2, 10)]
    today = ("--today", "2026-01-20")
    data = json.loads(run("report", "this-month", "--json", "--ledger", str(csv_file(tmp_path / "one.csv", header,
                                                                                      one)), *today)[1])
    assert data["cohort"]["customers"] - data["cohort"]["retained"] == 1
    assert not [w for w in data["warnings"] if "in progress" in w]
    data = json.loads(run("report", "this-month", "--json", "--ledger", str(csv_file(tmp_path / "two.csv", header,
                                                                                      two)), *today)[1])
    assert [w for w in data["warnings"] if "in progress" in w] == [
        "January 2026 is in progress, and 2 of the 10 customers paying in December 2025 have no MRR in it yet: they "
        "are counted as churned, 20.0% of December 2025's MRR lost so far, where no closed month lost any to churn. "
        "If January 2026 is not fully entered, ask for a period ending by December 2025 for closed months only."]


def test_text_months_the_database_reads_are_not_counted_against_those_read_one_by_one(tmp_path: Path) -> None:
    """A review: 400 days written 2025-01-01 and one 'Mar 2025' were "more than 400 distinct texts", where a file
    of the same rows is valid. Only the texts the database does not read itself are read one by one (and counted)."""
    header = ["customer_id", "month", "mrr"]
    first = dt.date(2025, 1, 1)
    rows: list[Row] = [(f"C{i}", (first + dt.timedelta(days=i)).isoformat(), 10.0) for i in range(400)]
    rows.append(("C400", "Mar 2025", 10.0))
    expected = run("ledger", "--csv", "--ledger", str(csv_file(tmp_path / "d.csv", header, rows)))
    assert expected[0] == 0, expected
    duck = duck_file(tmp_path / "d.duckdb", header, rows, types=["VARCHAR", "VARCHAR", "DOUBLE"])
    assert run("ledger", "--csv", "--ledger", f"{duck}#mrr") == expected


def answer_as_the_csvs(tmp_path: Path, header: list[str], rows: Sequence[Row], types: Sequence[str],
                       *asked: str) -> Any:
    """The JSON answer to ``asked`` of ``rows`` in a DuckDB table, checked to be the same CSV's (but its source)."""
    path = duck_file(tmp_path / "t.duckdb", header, rows, types=types)
    csv_path = tmp_path / "t.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    answers = [json.loads(run(*asked, "--ledger", spec)[1]) for spec in (str(csv_path), f"{path}#mrr")]
    for answer in answers:
        answer.pop("source", None)
    assert answers[0] == answers[1]
    return answers[1]


@pytest.mark.parametrize(("months", "odd"), [
    *((["2024-10", "2024-11", "2024-12"], odd) for odd in
      (None, " 2024-11", "2024-11 ", "202411", "2024-11-15", "2024-11-15T00:00:00Z")),
    *((["202410", "202411", "202412"], odd) for odd in (None, " 202411", "202411 ", "2024-11"))])
def test_text_months_cut_as_written_or_trimmed_give_the_same_answer(tmp_path: Path, months: list[str],
                                                                     odd: str | None) -> None:
    # every month written 2024-10 (or every one 202410) as it is is cut without trimming (``month_text_at``); one
    # written otherwise (spaces around it, the other shape, a day or a time) sends the whole column to the trimmed
    # reading: the same figures
    rows: list[Row] = [(c, m, float(f)) for c, figures in (("A", (100, 120, 120)), ("B", (50, 50, 0)),
                                                           ("C", (80, 70, 70)))
                       for m, f in zip(months, figures, strict=True)]
    if odd is not None:
        rows = [(c, odd if m == months[1] and c == "B" else m, f) for c, m, f in rows]
    answer = answer_as_the_csvs(tmp_path, ["customer_id", "month", "mrr"], rows, ["VARCHAR", "VARCHAR", "DOUBLE"],
                                "report", "2024-12", "--json", "--today", "2025-01-02")
    assert answer["nrr_pct"] == pytest.approx(100 * (120 + 0 + 70) / (120 + 50 + 70), abs=0.01)  # December


@pytest.mark.parametrize(("sharing", "spelled"), [(1, "Acme"), (1, "Acme "), (1001, "Acme ")])
def test_a_movers_name_another_customer_is_shown_with_is_shown_with_its_key_as_in_a_file(
        tmp_path: Path, sharing: int, spelled: str) -> None:
    # the movers' names are counted once; the other customers whose usual name is one of theirs are asked only when
    # there are some, a few by key, a thousand or more by subquery: each way the movers read as the file's ("Acme "
    # reads as Acme: shown alike, the two were told apart by nothing; a fresh-eyes try)
    rows: list[Row] = [("A1", m, f, "Acme") for m, f in (("2025-01", 100.0), ("2025-02", 150.0))]
    rows += [("B1", m, f, "Bolt") for m, f in (("2025-01", 80.0), ("2025-02", 0.0))]
    rows += [(f"S{i:04d}", m, 10.0, spelled if i % 2 == 0 else f"Acme {i}") for i in range(sharing) for m in
             ("2025-01", "2025-02")]
    rows += [("X9", "2025-01", 5.0, "Acme"), ("X9", "2025-02", 5.0, "Other"), ("X9", "2024-12", 5.0, "Other")]
    movers = answer_as_the_csvs(tmp_path, ["customer_id", "month", "mrr", "customer_name"], rows,
                                ["VARCHAR", "VARCHAR", "DOUBLE", "VARCHAR"],
                                "report", "2025-02", "--json", "--today", "2025-03-02")["movers"]
    assert [m["customer"] for m in movers["expansion"]][:1] == ["Acme (A1)"], movers
    assert [m["customer"] for m in movers["churn"]] == ["Bolt"], movers


def _alike_rows() -> tuple[list[str], list[Row]]:
    rows: list[Row] = [("Émile", m, 100.0) for m in ("2025-01", "2025-02", "2025-03")]
    rows += [("émile", "2025-03", 50.0)] + [("Bob", m, 10.0) for m in ("2025-01", "2025-02", "2025-03")]
    return ["customer_id", "month", "mrr"], rows


ALIKE = "'Émile' and 'émile' differ only in case or spacing"


def test_keys_alike_but_for_an_accented_letters_case_are_warned_of_in_duckdb(tmp_path: Path) -> None:
    header, rows = _alike_rows()
    code, out, _ = run("validate", "--today", "2025-04-02", "--ledger",
                       f"{duck_file(tmp_path / 'a.duckdb', header, rows, types=['VARCHAR', 'VARCHAR', 'DOUBLE'])}#mrr")
    assert code == 0 and ALIKE in out and "1 warning(s)" in out, out


def test_keys_alike_but_for_an_accented_letters_case_are_warned_of_in_postgresql(pg_schema: str) -> None:
    # the key is compared in code order ("C") there, where lower() knows only ASCII letters: it is folded by the
    # database's own rules, as before
    header, rows = _alike_rows()
    spec = pg_table(pg_schema, "alike", header, rows, ["text", "text", "numeric"])
    code, out, _ = run("validate", "--today", "2025-04-02", "--ledger", spec)
    assert code == 0 and ALIKE in out and "1 warning(s)" in out, out


def test_a_postgresql_enum_month_column_is_read_as_its_text(pg_schema: str) -> None:
    # an enum of months ('2025-01', ...): trimmed as text, not refused as "the database cannot be reached" (fuzz 73)
    import sqlalchemy as sa

    assert POSTGRES_URL is not None
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TYPE {pg_schema}.month_e AS ENUM ('2025-01', '2025-02', '2025-03')")
    engine.dispose()
    rows: list[Row] = [("A", "2025-01", 10), ("A", "2025-02", 20), ("A", "2025-03", 20), ("B", "2025-01", 5),
                       ("B", "2025-02", 5)]
    spec = pg_table(pg_schema, "enum_months", ["customer_id", "month", "mrr"], rows,
                    ["text", f"{pg_schema}.month_e", "numeric"])
    code, out, err = run("report", "2025-03", "--json", "--today", "2025-04-02", "--ledger", spec)
    assert code == 0, (out, err)
    assert json.loads(out)["nrr_pct"] == 80.0


def test_a_row_of_a_month_not_begun_after_a_gap_is_left_out_not_a_missing_month(tmp_path: Path, pg_schema: str) -> None:
    # one customer's row for December on 10 April (laid out ahead, or 2052 typed for 2025) refused the whole table:
    # "No row for April 2025 to November 2025 between the other months ... add their rows" (a fresh-eyes try). A
    # month from the one in progress on is not missing: the rows ahead are warned of and left out, on every engine
    header = ["customer_id", "month", "mrr"]
    rows: list[Row] = [("A", f"2025-0{m}", 100.0) for m in (1, 2, 3)] + [("B", "2025-01", 50.0), ("B", "2025-02", 50.0),
                                                                          ("B", "2025-03", 0.0), ("B", "2025-12", 70.0)]
    asked = ("report", "2025-03", "--json", "--today", "2025-04-10")
    answer = answer_as_the_csvs(tmp_path, header, rows, ["VARCHAR", "VARCHAR", "DOUBLE"], *asked)
    assert answer["nrr_pct"] == 66.67 and answer["period"]["last_month"] == "2025-03"
    spec = pg_table(pg_schema, "ahead", header, rows, ["text", "text", "numeric(12,2)"])
    for ledger in (str(tmp_path / "t.csv"), f"{tmp_path / 't.duckdb'}#mrr", spec):
        code, out, _ = run("validate", "--ledger", ledger, "--today", "2025-04-10")
        assert code == 0 and "May 2025 to December 2025 have not begun yet" in " ".join(out.split()), (ledger, out)
        code, out, _ = run("validate", "--ledger", ledger, "--today", "2025-07-10")  # April to June have closed
        assert code == 1 and "No row for April 2025 to June 2025" in " ".join(out.split()), (ledger, out)


def test_the_last_months_in_which_nobody_pays_are_warned_of_on_every_path(tmp_path: Path, pg_schema: str) -> None:
    # six months of 0s laid out ahead (a template, a date spine) answered NRR 0.00% with no word (a fresh-eyes try):
    # every customer churning at once is warned of, as the row reader, the columnar read, DuckDB and PostgreSQL see it
    header = ["customer_id", "month", "mrr"]
    rows: list[Row] = [(c, f"2025-0{m}", 0.0 if m > 2 else f) for c, f in (("A", 100.0), ("B", 50.0))
                       for m in (1, 2, 3, 4)]
    asked = ("report", "2025-03", "--json", "--today", "2025-06-10")
    answer = answer_as_the_csvs(tmp_path, header, rows, ["VARCHAR", "VARCHAR", "DOUBLE"], *asked)
    warning = ("No customer pays anything in March 2025 to April 2025, after 150.00 of MRR in February 2025: answered "
               "as written, every customer churned in March 2025. If they are laid out ahead with 0s, delete their "
               "rows (or leave their figures blank, read as not closed yet); if every customer did leave, nothing "
               "is wrong.")
    assert answer["nrr_pct"] == 0.0 and answer["warnings"] == [warning]
    spec = pg_table(pg_schema, "zeros_ahead", header, rows, ["text", "text", "numeric(12,2)"])
    assert json.loads(run(*asked, "--ledger", spec)[1])["warnings"] == [warning]
    columnar = run(*asked, "--ledger", str(tmp_path / "t.csv"), env={"NRR_COLUMNAR": "always"})
    assert json.loads(columnar[1])["warnings"] == [warning]
    # one customer still paying: no word
    rows[-1] = ("B", "2025-04", 10.0)
    (tmp_path / "still").mkdir()
    answer = answer_as_the_csvs(tmp_path / "still", header, rows, ["VARCHAR", "VARCHAR", "DOUBLE"], *asked)
    assert answer["warnings"] == []


def test_a_latest_month_entered_in_part_is_said_by_a_database_as_by_a_file(tmp_path: Path) -> None:
    """Asked for alone, the table's latest month is checked with the cohort the answer computed anyway (a fresh-eyes
    try: the CSV warned, DuckDB and PostgreSQL answered 61% without a word)."""
    header = ["customer_id", "month", "mrr"]
    rows: list[Row] = [(f"C{c:02d}", dt.date(2026, m, 1), 100.0) for c in range(20) for m in range(1, 11)
                       if m < 10 or c < 6]
    expected = json.loads(run("report", "last-month", "--json", "--ledger",
                              str(csv_file(tmp_path / "p.csv", header, rows)), *TODAY)[1])
    said = json.loads(run("report", "last-month", "--json", "--ledger",
                          f"{duck_file(tmp_path / 'p.duckdb', header, rows)}#mrr", *TODAY)[1])
    assert said["warnings"] == expected["warnings"] and len(said["warnings"]) == 1
    assert said["warnings"][0].startswith("October 2026 is the table's latest month, and 14 of the 20 customers")


def test_a_duckdb_read_by_a_command_leaves_nothing_in_the_temporary_directory(tmp_path: Path) -> None:
    """``nrr report`` ends with os._exit, which skips atexit: every DuckDB or Parquet read had left an empty
    nrr-duckdb-* directory behind (a fresh-eyes try: 2,700 in /tmp)."""
    header = ["customer_id", "month", "mrr"]
    rows: list[Row] = [(c, dt.date(2026, m, 1), 100.0) for c in "AB" for m in range(1, 11)]
    spill = tmp_path / "tmp"
    spill.mkdir()
    nrr = Path(sys.executable).with_name("nrr")
    done = subprocess.run([str(nrr), "report", "last-month", "--json", "--ledger",
                           f"{duck_file(tmp_path / 'm.duckdb', header, rows)}#mrr", *TODAY],
                          env={**os.environ, "TMPDIR": str(spill)}, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert list(spill.iterdir()) == []


@pytest.mark.parametrize("url", ["mysql://nrr:S3cretPW@db.internal/books#mrr",
                                 "postgresql+psycopg2://nrr:S3cretPW@127.0.0.1:5432/postgres#mrr"])
def test_a_database_nrr_does_not_read_is_said_without_its_password(url: str) -> None:
    code, _, err = run("report", "ttm", "--ledger", url, *TODAY)
    assert code == 1 and "S3cretPW" not in err and "nrr:***@" in err and "not a database nrr reads" in err, err


@pytest.mark.parametrize("query", ["pass%77ord=S3cretPW", "private_key_file_pwd=S3cretPW", "PASSWORD=S3cretPW"])
def test_a_password_in_the_query_under_any_name_is_refused_and_never_shown(query: str) -> None:
    code, _, err = run("report", "ttm", "--ledger", f"postgresql+psycopg://nrr@127.0.0.1:1/db?{query}#mrr", *TODAY)
    assert code == 1 and "S3cretPW" not in err and "=***" in err and "holds a password" in err, err
