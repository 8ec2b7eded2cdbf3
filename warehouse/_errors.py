"""Errors of the warehouse sources; each message says what to do.

    NrrError (engine)
    └── WarehouseError          a warehouse table cannot be reached, recognised or read
"""

from __future__ import annotations

from engine import NrrError


class WarehouseError(NrrError):
    """A database table (PostgreSQL, DuckDB, Parquet, BigQuery, Snowflake) cannot be reached, recognised or read."""
