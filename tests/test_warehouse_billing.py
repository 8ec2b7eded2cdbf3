"""Billing data in a warehouse table (DuckDB, Parquet, PostgreSQL): recognised from its column names by the billing
header rules, fetched, and normalized by the engine's rules as the same data in a CSV file is, so every answer
(``nrr report --json``, ``nrr mrr --csv``, ``nrr validate``) is the file's, as of the same month and in the same
currency."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import POSTGRES_URL, ROOT, postgres_schema
from tests.test_cli import run

duckdb = pytest.importorskip("duckdb")

BILLING = ROOT / "examples" / "billing"
FILES = ("invoice_lines", "subscriptions", "monthly_invoices")
JULY = dt.datetime(2026, 7, 3, 12, tzinfo=dt.UTC)
#: the kinds of column the examples load as, in each database
PG_TYPES = {"VARCHAR": "text", "DATE": "date", "DOUBLE": "numeric(14,2)", "BIGINT": "bigint", "BOOLEAN": "boolean"}


def asked() -> list[tuple[str, ...]]:
    return [("report", "2026-03", "--json", "--today", "2026-07-03"),
            ("report", "2026-04", "--json", "--today", "2026-07-03", "--by", "segment"),
            ("report", "2026-06", "--json", "--today", "2026-12-05"),  # a subscription with no end lives to today
            ("mrr", "--csv"), ("validate",)]


def duck_table(csv_path: Path, duck: Path, table: str = "billing") -> list[tuple[str, str]]:
    """The CSV loaded into ``duck`` as DuckDB types it (dates, doubles, booleans), and copied to a Parquet file
    beside it; the columns' names and types."""
    with duckdb.connect(str(duck)) as con:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{csv_path}')")
        con.execute(f"COPY {table} TO '{duck.with_suffix('.parquet')}' (FORMAT parquet)")
        return [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall()]


def same_as_the_file(csv_path: Path, spec: str, now: dt.datetime = JULY) -> None:
    for question in asked():
        expected = run(*question, "--ledger", str(csv_path), now=now)
        assert expected[0] == 0, (question, expected)
        code, out, err = run(*question, "--ledger", spec, now=now)
        assert (code, out.replace(spec, str(csv_path)), err) == expected, question


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("billing")
    for name in FILES:
        duck_table(BILLING / f"{name}.csv", folder / f"{name}.duckdb")
    return folder


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_billing_data_in_duckdb_or_parquet_answers_as_the_csv_does(loaded: Path, name: str, kind: str) -> None:
    spec = f"{loaded / name}.duckdb#billing" if kind == "duckdb" else str(loaded / f"{name}.parquet")
    same_as_the_file(BILLING / f"{name}.csv", spec)


def test_todays_month_reaches_a_warehouse_table(loaded: Path) -> None:
    spec = f"{loaded / 'subscriptions'}.duckdb#billing"
    july, december = (run("mrr", "--csv", "--ledger", spec, now=now) for now in (JULY, JULY.replace(month=12)))
    assert july[1].count("\n") < december[1].count("\n")  # Acme's subscription, with no end, runs on to December
    same_as_the_file(BILLING / "subscriptions.csv", spec, JULY.replace(month=12))


def test_the_json_names_the_source_kind_and_the_normalization(loaded: Path) -> None:
    code, out, _ = run("report", "2026-03", "--json", "--today", "2026-07-03", "--ledger",
                       f"{loaded / 'invoice_lines'}.duckdb#billing")
    data = json.loads(out)
    assert code == 0 and data["source_kind"] == "invoice_lines" and data["nrr_pct"] == 111.76
    assert data["normalization"]["read"] == 33 and data["normalization"]["used"] == 28


def test_a_billing_table_missing_a_column_gets_the_files_message(tmp_path: Path) -> None:
    with (BILLING / "subscriptions.csv").open(encoding="utf-8") as f:
        rows = [r[:5] + r[6:] for r in csv.reader(f)]  # no Billing frequency: Amount is then not a rate
    short = tmp_path / "subscriptions.csv"
    with short.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    duck_table(short, tmp_path / "short.duckdb")
    spec = f"{tmp_path / 'short.duckdb'}#billing"
    expected = run("validate", "--ledger", str(short), now=JULY)
    assert expected[0] == 1 and "MRR (or an amount with a Billing frequency, or ARR)" in expected[1] + expected[2]
    code, out, err = run("validate", "--ledger", spec, now=JULY)
    assert (code, out.replace(spec, str(short)), err.replace(spec, str(short))) == expected
    code, out, err = run("report", "ttm", "--ledger", spec, now=JULY)
    assert (code, out, err.replace(spec, str(short))) == run("report", "ttm", "--ledger", str(short), now=JULY)


def test_amounts_in_two_currencies_are_converted_with_the_configs_rates(tmp_path: Path) -> None:
    lines = tmp_path / "subs.csv"
    lines.write_text("Customer ID,Company,Start date,End date,MRR,Currency\n"
                     "C-1,Acme,2026-01-01,,1000.00,EUR\n"
                     "C-2,Beta,2026-01-01,2026-04-30,500.00,USD\n"
                     "C-3,Cobalt,2026-02-01,,250.00,EUR\n", encoding="utf-8")
    duck_table(lines, tmp_path / "subs.duckdb")
    config = tmp_path / "nrr.toml"
    config.write_text('[company]\ncurrency = "USD"\n\n[fx]\nEUR = 1.10\n', encoding="utf-8")
    question = ("report", "2026-05", "--json", "--today", "2026-07-03", "--config", str(config))
    code, out, err = run(*question, "--ledger", f"{tmp_path / 'subs.duckdb'}#billing")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data == json.loads(run(*question, "--ledger", str(lines))[1])
    assert data["normalization"]["currencies"] != [] and data["end_mrr"] == "1375.00"  # (1,000 + 250) x 1.10
    assert data["source_kind"] == "subscriptions"


# --- PostgreSQL, as .ci/run starts it -----------------------------------------------------------------------------

@pytest.fixture
def pg_schema() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server (.ci/run starts one where it can)")
    with postgres_schema("nrr_billing") as name:
        yield name


def pg_billing(schema: str, duck: Path, columns: list[tuple[str, str]]) -> str:
    """The DuckDB table's rows in PostgreSQL (text, date, numeric, boolean columns), in the file's order."""
    import sqlalchemy as sa

    assert POSTGRES_URL is not None
    with duckdb.connect(str(duck), read_only=True) as con:
        rows: list[tuple[Any, ...]] = con.execute("SELECT * FROM billing").fetchall()
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        typed = ", ".join(f'"{name}" {PG_TYPES[kind]}' for name, kind in columns)
        conn.exec_driver_sql(f"CREATE TABLE {schema}.billing ({typed})")
        conn.exec_driver_sql(f"INSERT INTO {schema}.billing VALUES ({', '.join(['%s'] * len(columns))})", rows)
    engine.dispose()
    return f"{POSTGRES_URL}#{schema}.billing"


@pytest.mark.parametrize("name", FILES)
def test_billing_data_in_postgresql_answers_as_the_csv_does(pg_schema: str, tmp_path: Path, name: str) -> None:
    duck = tmp_path / f"{name}.duckdb"
    columns = duck_table(BILLING / f"{name}.csv", duck)
    same_as_the_file(BILLING / f"{name}.csv", pg_billing(pg_schema, duck, columns))
