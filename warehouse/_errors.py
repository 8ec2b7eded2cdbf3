"""Errors of the warehouse sources; each message says what to do.

    NrrError (engine)
    └── WarehouseError          a warehouse table cannot be reached, recognised or read
        └── Unreachable         the database cannot be reached or refused the query, in its driver's words
"""

from __future__ import annotations

from engine import NrrError


class WarehouseError(NrrError):
    """A database table (PostgreSQL, DuckDB, Parquet, BigQuery, Snowflake) cannot be reached, recognised or read."""


class Unreachable(WarehouseError):
    """The database cannot be reached or refused the query; its driver's words (which may name the host, the user
    or the database) are in the message, and ``without_reason`` says it without them (for a Slack workspace)."""

    def __init__(self, message: str, without_reason: str) -> None:
        super().__init__(message)
        self.without_reason = without_reason


def ran_out_of_memory(exc: BaseException) -> bool:
    """Whether a database's error (or the driver's, which SQLAlchemy wraps as ``orig``) is running out of memory:
    one that says so (DuckDB: ``Out of Memory Error: failed to allocate``), or one of such a type whatever it says (a
    process under a memory limit: DuckDB's ``OutOfMemoryException`` with no message at all, Python's
    ``MemoryError``), which was said as "cannot be reached or refused the query"."""
    for error in (exc, getattr(exc, "orig", None)):
        if error is not None and (isinstance(error, MemoryError) or "outofmemory" in type(error).__name__.casefold()
                                  or "out of memory" in str(error).casefold()):
            return True
    return False
