"""Warehouse sources: a long customer table in PostgreSQL, DuckDB, a Parquet file, BigQuery or Snowflake,
answered where it lives (only sums come back); billing data in such a table (invoice lines, subscriptions, a per-month
table with a billing interval) fetched and normalized by the engine's rules, as a file's.

Naming a table imports nothing (``WarehouseSource`` and ``compiled_queries`` load on first use, PEP 562);
SQLAlchemy and the database's driver load when it is read, from the extras ``nrr[postgres]``, ``nrr[duckdb]``
(DuckDB files and Parquet), ``nrr[bigquery]`` and ``nrr[snowflake]``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warehouse._errors import Unreachable, WarehouseError, ran_out_of_memory
from warehouse._spec import WarehouseSpec, is_warehouse_spec, parse_warehouse_spec

if TYPE_CHECKING:
    from warehouse._compiled import compiled_queries
    from warehouse._source import WarehouseSource

_LAZY = {"WarehouseSource": "warehouse._source", "compiled_queries": "warehouse._compiled"}


def open_warehouse_source(spec: str, base_dir: Path | None = None, *, columns: Mapping[str, str] | None = None,
                          statement_timeout: float = 60.0, secret: bool = False, zone: str = "UTC") -> WarehouseSource:
    """The warehouse table ``spec`` names (``postgresql://...#schema.table``, ``file.parquet``, ...); ``secret``:
    the spec came from the environment and may hold a password (a spec from nrr.toml or the command line may not);
    ``zone``: where a timestamp with a time zone is read (``[calendar] timezone``)."""
    from warehouse._source import WarehouseSource

    return WarehouseSource(spec=parse_warehouse_spec(spec, base_dir, secret=secret), columns=dict(columns or {}),
                           statement_timeout=statement_timeout, zone=zone)


def remove_spill_directory() -> None:
    """Remove the directory this process's DuckDB spilled to, if it made one: a command that ends with ``os._exit``
    (``nrr report``: freeing a big table object by object takes a fifth of a second) skips the ``atexit`` that would
    (a fresh-eyes try: 2,700 empty nrr-duckdb-* directories in /tmp)."""
    source = sys.modules.get("warehouse._source")
    if source is not None:
        source.remove_spill_directory()


if not TYPE_CHECKING:  # hidden from mypy, which knows each lazy name's type from the imports above

    def __getattr__(name: str) -> Any:  # PEP 562: a command on a CSV asks only whether its ledger is a table
        if name not in _LAZY:
            raise AttributeError(f"module 'warehouse' has no attribute {name!r}")
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value


__all__ = [
    "Unreachable",
    "WarehouseError",
    "WarehouseSource",
    "WarehouseSpec",
    "compiled_queries",
    "is_warehouse_spec",
    "open_warehouse_source",
    "parse_warehouse_spec",
    "ran_out_of_memory",
    "remove_spill_directory",
]
