"""Errors of the warehouse sources; each message says what to do.

    NrrError (engine)
    └── WarehouseError          a warehouse table cannot be reached, recognised or read
"""

from __future__ import annotations

from engine import NrrError


class WarehouseError(NrrError):
    """A database table (PostgreSQL, DuckDB, Parquet, BigQuery, Snowflake) cannot be reached, recognised or read."""


def ran_out_of_memory(said: str) -> bool:
    """Whether a database's error says it ran out of memory (DuckDB: ``Out of Memory Error: failed to allocate``)."""
    return "out of memory" in said.casefold()
