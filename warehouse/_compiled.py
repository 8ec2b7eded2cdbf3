"""The SQL nrr asks of a warehouse table, compiled for a dialect without connecting: how BigQuery's and
Snowflake's queries are checked where those services cannot be reached."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine import Month


def compiled_queries(dialect: str, table: str, columns: Sequence[str], *, first: Month, count: int,
                     schema: str | None = None, roles: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Every statement the checks, a report (cohort, movers, segments, a segment's own customers), the derived
    ledger, the cohort triangle and a forecast run on ``table`` (its ``columns`` recognised as a file's headers, or
    named by ``roles``), compiled for ``dialect`` (``bigquery``, ``snowflake``, ``postgresql``, ``duckdb``)."""
    import sqlalchemy as sa

    from warehouse._source import check_table, recognise
    from warehouse._table import Query, WarehouseTable

    found = sa.dialects.registry.load(dialect)()
    clause = sa.table(table, *(sa.column(c) for c in columns), schema=schema)
    query = Query(None, clause, recognise(columns, roles or {}, table), dialect=found)
    last = first + (count - 1)
    check_table(query, table, 1, first.index, last.index)
    whole = WarehouseTable(query=query, first=first, count=count)
    _ = whole.customer_count, whole.movements
    whole.cohort_sums(first, last, 5)
    whole.names(["C1"])
    if query.layout.attributes:
        column = query.layout.attributes[0]
        whole.spelled(column)
        whole.segments(column, first)
        whole._narrowed((0, first.index, frozenset({"SMB", None}))).cohort_sums(first, last, 5)
    whole.acquisitions()
    whole.forecast_sums(last, query.layout.attributes[0] if query.layout.attributes else None, 12, 12)
    return tuple(query.compiled)
