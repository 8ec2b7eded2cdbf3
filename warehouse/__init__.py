"""Warehouse sources: a long customer table in PostgreSQL, DuckDB, a Parquet file, BigQuery or Snowflake,
answered where it lives (only sums come back); billing data in such a table (invoice lines, subscriptions, a per-month
table with a billing interval) fetched and normalized by the engine's rules, as a file's.

Naming a table imports nothing; SQLAlchemy and the database's driver load when it is read, from the extras
``nrr[postgres]``, ``nrr[duckdb]`` (DuckDB files and Parquet), ``nrr[bigquery]`` and ``nrr[snowflake]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from warehouse._compiled import compiled_queries
from warehouse._errors import WarehouseError
from warehouse._source import WarehouseSource
from warehouse._spec import WarehouseSpec, is_warehouse_spec, parse_warehouse_spec


def open_warehouse_source(spec: str, base_dir: Path | None = None, *, columns: Mapping[str, str] | None = None,
                          statement_timeout: float = 60.0, secret: bool = False) -> WarehouseSource:
    """The warehouse table ``spec`` names (``postgresql://...#schema.table``, ``file.parquet``, ...); ``secret``:
    the spec came from the environment and may hold a password (a spec from nrr.toml or the command line may not)."""
    return WarehouseSource(parse_warehouse_spec(spec, base_dir, secret=secret), dict(columns or {}),
                           statement_timeout)


__all__ = [
    "WarehouseError",
    "WarehouseSource",
    "WarehouseSpec",
    "compiled_queries",
    "is_warehouse_spec",
    "open_warehouse_source",
    "parse_warehouse_spec",
]
