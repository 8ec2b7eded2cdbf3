"""The SQL nrr asks of a warehouse table, compiled for a dialect without connecting: how BigQuery's and
Snowflake's queries are checked where those services cannot be reached."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine import Month


def compiled_queries(dialect: str, table: str, columns: Sequence[str], *, first: Month, count: int,
                     schema: str | None = None, roles: Mapping[str, str] | None = None,
                     month_zone: str | None = None) -> tuple[str, ...]:
    """Every statement the checks, a report (cohort, movers, segments, a segment's own customers, every segment's
    cohort at once), the derived ledger, the cohort triangle and a forecast run on ``table`` (its ``columns``
    recognised as a file's headers, or named by ``roles``), compiled for ``dialect`` (``bigquery``, ``snowflake``,
    ``postgresql``, ``duckdb``): for a table of one row per customer and month, and again for one whose rows are
    summed (told apart by a Plan or Subscription column, or not: grouped, ranked, and checked for rows that
    disagree). ``month_zone``: the month column holds zoned timestamps, each read in that zone (BigQuery's
    ``DATE(ts, zone)``, which has no session zone)."""
    import dataclasses

    import sqlalchemy as sa

    from warehouse._source import _rows_disagree, check_table, recognise
    from warehouse._table import Query, Siblings, WarehouseTable

    found = sa.dialects.registry.load(dialect)()
    clause = sa.table(table, *(sa.column(c) for c in columns), schema=schema)
    layout = dataclasses.replace(recognise(columns, roles or {}, table), month_zone=month_zone)
    single = Query(None, clause, layout, dialect=found)
    last = first + (count - 1)
    check_table(single, table, 1, first.index, last.index)  # nothing comes back: no row repeats, so ``single``
    # and its key and attributes held as floats (1001.0 read as 1001), its figures as REAL or DOUBLE
    floats = frozenset({layout.key, *layout.attributes, layout.amount})
    summed = Query(None, clause, dataclasses.replace(layout, single=False, floats=floats), dialect=found)
    if layout.distinguisher is not None:
        _rows_disagree(summed, table)
    for query in (single, summed):
        whole = WarehouseTable(query=query, first=first, count=count)
        _ = whole.customer_count, whole.movements
        whole.cohort_sums(first, last, 5)
        whole.names(["C1"])
        if query.layout.attributes:
            column = query.layout.attributes[0]
            whole.spelled(column)
            whole.segments(column, first)
            whole._narrowed((0, first.index, frozenset({"SMB", None}))).cohort_sums(first, last, 5)
            segments = ((0, first.index, frozenset({"SMB", None})), (0, first.index, frozenset({"Enterprise"})))
            siblings = Siblings(parent=whole, column=0, month=first.index, filters=segments)
            siblings.cohort_rows(segments[0], first.index, last.index, 5)
        whole.acquisitions()
        whole.forecast_sums(last, query.layout.attributes[0] if query.layout.attributes else None, 12, 12)
    return (*single.compiled, *summed.compiled)
