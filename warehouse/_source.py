"""A warehouse table as a ledger source: recognised from its column names, checked in SQL, answered in SQL.

A table whose column names are billing data's (invoice lines, subscriptions, a per-month table with a billing
interval: ``engine.reads_as_billing``) is fetched instead, row by row in batches, and handed to the engine as a grid
under its column names, so the engine's own reader and rules normalize it exactly as they do a file's.

``read_cells`` hands the engine ``Cells`` whose check is made by the database: the row reader's checks (a
negative figure, a row with no customer, two rows for one customer and month that nothing tells apart, a month
with no row between the others), each naming the customer and month in the row reader's words, then the ledger
derived from the table's movements, with the table (``WarehouseTable``) kept for every cohort answer.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import math
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine import (
    DOT_THOUSANDS_AMOUNT,
    FLOAT_KEY,
    MONEY_EXPECTED,
    MONEY_TOO_LARGE,
    PLAIN_AMOUNT,
    WHOLE_KEY,
    CellError,
    Cells,
    FxRates,
    Issue,
    LedgerCheck,
    Month,
    ReadOptions,
    Unit,
    billed_per_period,
    cents_to_decimal,
    compared,
    currency_codes,
    customer_id_missing,
    customer_missing,
    customer_negative,
    customer_repeated,
    customer_rows_disagree,
    customer_rows_share,
    customers_alike,
    customers_empty,
    derive_ledger,
    header_currency,
    header_currency_disagrees,
    header_tokens,
    in_cents,
    infer_date_order,
    is_total_label,
    month_rows_missing,
    months_before_figures,
    months_not_landed,
    months_unfilled,
    named_columns_elsewhere,
    names_a_column,
    not_a_currency_code,
    parse_money,
    parse_month,
    read_as_cents,
    read_customer_header,
    reads_as_billing,
    table_form,
    total_rows,
    unreadable,
    with_months_paying_nothing,
)
from warehouse import _messages as say
from warehouse._errors import Unreachable, WarehouseError, ran_out_of_memory
from warehouse._spec import DUCKDB_MEMORY_LIMITS, EXTRAS, WarehouseSpec

#: how many of each kind of problem are named (a table with a million negative rows needs no million lines)
SHOWN_PER_CHECK = 20
#: billing rows fetched per round trip (the database's cursor streams them)
BILLING_BATCH = 10_000
ROLES = ("customer", "name", "month", "mrr")


@dataclass(frozen=True, kw_only=True)
class WarehouseCells(Cells):
    """``Cells`` with no grid: the check is the database's."""

    reader: Callable[[ReadOptions], LedgerCheck] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def check(self) -> LedgerCheck:
        assert self.reader is not None
        return self.reader(self.options)


@dataclass(kw_only=True)
class WarehouseSource:
    """A customer table in PostgreSQL, DuckDB, a Parquet file, BigQuery or Snowflake (``engine.LedgerSource``)."""

    spec: WarehouseSpec
    columns: Mapping[str, str] = field(default_factory=dict)  # [ledger] columns: role -> column name
    statement_timeout: float = 60.0
    #: DuckDB's memory limits, tried in turn by a statement that runs out (``warehouse._spec.DUCKDB_MEMORY_LIMITS``)
    memory_limits: tuple[str | None, ...] = DUCKDB_MEMORY_LIMITS
    #: the zone a timestamp with a time zone is read in (``[calendar] timezone``): its month is the month there
    zone: str = "UTC"
    _engine: Any = field(default=None, init=False, repr=False)

    @property
    def name(self) -> str:
        return self.spec.label

    def engine(self) -> Any:
        """The SQLAlchemy engine: read-only transactions and a statement timeout where the database has them."""
        if self._engine is None:
            self._engine = create_engine(self.spec, self.statement_timeout, self.memory_limits[0], self.zone)
        return self._engine

    def read_cells(self) -> Cells:
        import sqlalchemy as sa

        engine = self.engine()
        if self.spec.kind != "duckdb":
            return self._read_cells(engine)
        # DuckDB opens a database file once per process while a connection holds it (some 20 ms of CPU each time):
        # held open here, the file is opened once for the columns, the layout and the query's own connection,
        # not three times
        try:
            held = engine.connect()
        except sa.exc.SQLAlchemyError as exc:
            raise _translated(self.spec, self.statement_timeout, exc) from None
        with held:
            return self._read_cells(engine)

    def _read_cells(self, engine: Any) -> Cells:
        import sqlalchemy as sa

        from warehouse._table import Query

        table = sa.table(self.spec.table, schema=self.spec.schema)
        prepare = _parquet_view(self.spec) if self.spec.kind == "parquet" else None
        try:
            with engine.connect() as connection:
                if prepare is not None:
                    prepare(connection)
                try:
                    names = list(connection.execute(sa.select(sa.text("*")).select_from(table).limit(0)).keys())
                except sa.exc.ProgrammingError:
                    connection.rollback()
                    if (found := self._named_alike(connection)) is None:
                        raise
                    self.spec = found
                    table = sa.table(found.table, schema=found.schema)
                    names = list(connection.execute(sa.select(sa.text("*")).select_from(table).limit(0)).keys())
        except sa.exc.SQLAlchemyError as exc:
            raise _translated(self.spec, self.statement_timeout, exc) from None
        table = sa.table(self.spec.table, *(sa.column(n) for n in names), schema=self.spec.schema)
        if not self.columns and reads_as_billing(names):
            return self._billing_cells(table, names, prepare)
        try:
            layout = self._layout(names, table, prepare)
        except sa.exc.SQLAlchemyError as exc:
            raise _translated(self.spec, self.statement_timeout, exc) from None
        query = Query(engine, table, layout, prepare=prepare, memory_limits=self.memory_limits,
                      failed=functools.partial(_translated, self.spec, self.statement_timeout, amount=layout.amount))

        def bounds() -> Any:
            """The rows' count, first and last month, sum, and first and last month with a figure."""
            r = query.rows.c
            return query.run(sa.select(sa.func.count(), sa.func.min(r.mi), sa.func.max(r.mi), sa.func.sum(r.cents),
                                       sa.func.max(sa.case((r.f == 1, r.mi))),
                                       sa.func.min(sa.case((r.f == 1, r.mi)))))[0]

        count, low, high, total, figured, first_figured = bounds()
        unlanded: tuple[tuple[Month, ...], int] = ((), 0)
        leading: tuple[tuple[Month, ...], int] = ((), 0)
        if figured is not None and high is not None and int(figured) < int(high):
            # the last months have rows but no figure in any (every MRR NULL): not closed yet, left out as the file
            # reader leaves them out
            left = int(query.run(sa.select(sa.func.count()).where(query.rows.c.mi > figured))[0][0])
            unlanded = (tuple(Month.from_index(i) for i in range(int(figured) + 1, int(high) + 1)), left)
            query.until = int(figured)
        if first_figured is not None and low is not None and int(first_figured) > int(low):
            # the first months too, before anyone paid: left out, as the file reader leaves them out
            before = query.run(sa.select(query.rows.c.mi, sa.func.count()).where(query.rows.c.mi < first_figured)
                               .group_by(query.rows.c.mi).order_by(query.rows.c.mi))
            leading = (tuple(Month.from_index(int(mi)) for mi, _ in before), sum(int(n) for _, n in before))
            query.since = int(first_figured)
        if unlanded[0] or leading[0]:
            del query.rows
            count, low, high, total, _, _ = bounds()
        digest = hashlib.sha256(f"{self.spec.label}\0{count}\0{low}\0{high}\0{total}\0{unlanded[1]}\0{leading[1]}"
                                .encode()).hexdigest()
        return WarehouseCells(grid=(), sheet=None, source_digest=digest,
                              reader=lambda options: check_table(query, self.spec.table_label, count, low, high,
                                                                 options.fx, unlanded, leading, options.today))

    def _named_alike(self, connection: Any) -> WarehouseSpec | None:
        """The PostgreSQL table (or view) the spec names but for case: ``#Customer_MRR`` for ``customer_mrr`` (as
        SQL reads a name written without quotes) or ``#Finance.MRR`` for ``"Finance"."MRR"``; None when there is no
        such table, or more than one."""
        import sqlalchemy as sa

        if self.spec.kind != "postgresql":
            return None
        inspector = sa.inspect(connection)
        schema = self.spec.schema
        if schema is not None:
            schemas = [s for s in inspector.get_schema_names() if s.casefold() == schema.casefold()]
            if len(schemas) != 1:
                return None
            schema = schemas[0]
        names = [*inspector.get_table_names(schema), *inspector.get_view_names(schema),
                 *inspector.get_materialized_view_names(schema)]
        alike = [n for n in names if n.casefold() == self.spec.table.casefold()]
        if len(alike) > 1 and self.spec.table not in alike:  # "MixedTab" and mixedtab, asked for MIXEDTAB
            raise WarehouseError(say.tables_alike(self.spec.label, [f'{schema}."{n}"' if schema else f'"{n}"'
                                                                    for n in sorted(alike)]))
        if len(alike) != 1 or (alike[0], schema) == (self.spec.table, self.spec.schema):
            return None
        return dataclasses.replace(self.spec, table=alike[0], schema=schema)

    def _billing_cells(self, table: Any, names: list[str], prepare: Callable[[Any], None] | None) -> Cells:
        """Billing data: every row fetched, in the order the database gives them, under the table's column names
        (a grid whose row 1 is the header, as a file's), for the engine to read and normalize as it reads a file.
        Memory grows with the table's rows, unlike a customer table's, whose sums only come back."""
        import sqlalchemy as sa

        grid: list[Sequence[Any]] = [tuple(names)]
        digest = hashlib.sha256(self.spec.label.encode())
        try:
            with self.engine().connect() as connection:
                if prepare is not None:
                    prepare(connection)
                result = connection.execution_options(stream_results=True, yield_per=BILLING_BATCH).execute(
                    sa.select(*table.c).select_from(table))
                for batch in result.partitions():
                    rows = [tuple(row) for row in batch]
                    digest.update(repr(rows).encode())
                    grid.extend(rows)
        except sa.exc.SQLAlchemyError as exc:
            raise _translated(self.spec, self.statement_timeout, exc) from None
        return Cells(grid=grid, sheet=None, source_digest=digest.hexdigest())

    def _layout(self, names: list[str], table: Any, prepare: Callable[[Any], None] | None) -> Any:
        import sqlalchemy as sa

        from warehouse._table import stripped

        label = self.spec.label
        layout = recognise(names, self.columns, label)
        month = table.c[layout.month]
        with self.engine().connect() as connection:
            if prepare is not None:
                prepare(connection)
            sample = connection.execute(sa.select(month).where(month.is_not(None)).limit(1)).scalar()
            # no month in any row: read as text (its cast to text works whatever the column's type), and the
            # table is as empty as a file without rows
            text = sample is None or isinstance(sample, str)
            number = isinstance(sample, int | float | Decimal) and not isinstance(sample, bool)
            key = sa.cast(table.c[layout.key], sa.String)
            name = sa.cast(table.c[layout.name], sa.String) if layout.name not in (None, layout.key) else sa.null()

            def unreadable(readable: Any) -> Any:
                """The first month no reading takes, and its row's customer, on a row that is not a total's: a total
                row (``Total``, ``Average``) is left out whatever its month says, as the row reader leaves it out."""
                totals: set[str] = set()
                for _ in range(SHOWN_PER_CHECK):
                    kept = [month.is_not(None), sa.not_(readable)]
                    if totals:
                        kept += [sa.or_(key.is_(None), key.not_in(totals)), sa.or_(name.is_(None), name.not_in(totals))]
                    row = connection.execute(sa.select(month, key, name).where(*kept).limit(1)).first()
                    if row is None:
                        return None
                    labels = {v for v in row[1:] if isinstance(v, str) and is_total_label(v)}
                    if not labels:
                        return row[0], row[1]  # the month as written, and its row's customer
                    totals |= labels
                return None  # a table of totals: said as such by the checks that follow

            cut_at = 0
            if isinstance(sample, str):  # YYYY-MM first, then nothing, a day, or a day and a time (2025-01-15,
                # 2025-01-15T00:00:00+01:00: ``ISO_TEXT_MONTH``), the month the index reads from its digits; or
                # YYYYMM, six digits (202501). Anything else (2025-01-15/2025-02-14, 2025-01 x) is read text by text
                # below, as a file's cell is (fuzz 24: the database read 2025-05-13/2025-06-12 as May, a file
                # refused it). Spaces around it are trimmed, as the row reader trims a cell
                def reads(written: Any) -> Any:  # a trimmed text month the database reads itself, or a blank
                    years = sa.func.substr(written, 1, 4).between("1900", "2200")  # the row reader's years
                    return sa.or_(
                        written == "",  # blank: a row without a month, as in a file (said if it has a figure)
                        sa.and_(sa.or_(written.regexp_match(ISO_TEXT_MONTH), written.regexp_match(YYYYMM_TEXT)),
                                years))

                written = stripped(sa.cast(month, sa.String))  # as text: an enum's values too
                readable = reads(written)
                # the column's few distinct texts looked at first: only when one is not read does every row's
                # (PostgreSQL matched the patterns row by row: 4.3 s of 2.2M rows, 2.3 s grouped first)
                distinct = sa.select(month.label("m")).where(month.is_not(None)).distinct().subquery()
                m = sa.cast(distinct.c.m, sa.String)

                def not_as_written(pattern: str) -> Any:  # blank, spaces around it, or another shape
                    return sa.func.count(sa.case((sa.or_(m != stripped(m), sa.not_(m.regexp_match(pattern))), 1)))

                odd, not_dashed, not_compact = connection.execute(sa.select(
                    sa.func.count(sa.case((sa.not_(reads(stripped(m))), 1))),
                    not_as_written(ISO_TEXT_MONTH), not_as_written(YYYYMM_TEXT)).select_from(distinct)).one()
                bad = None if not odd else unreadable(readable)
                cut_at = 0 if odd else 6 if not not_dashed else 5 if not not_compact else 0
                if bad is not None:  # Mar 2026, 03/2026, 3/31/2026: each distinct text read as a file's cell (those
                    # the database reads itself are left to it: a review, 400 days written 2025-01-01 and one Mar 2025
                    # were "more than 400 distinct texts")
                    found = connection.execute(sa.select(written).where(written != "", sa.not_(readable)).distinct()
                                               .limit(MONTH_TEXTS + 1)).scalars().all()
                    if len(found) > MONTH_TEXTS:  # a month column of days written every which way: no guess
                        raise WarehouseError(say.month_texts_too_many(label, layout.month, MONTH_TEXTS, str(bad[0])))
                    mapping = _month_texts([str(v) for v in found])
                    bad = unreadable(sa.or_(readable, written.in_(list(mapping)))) if mapping else bad
                    if bad is not None:
                        raise WarehouseError(say.month_not_a_date(label, layout.month, *bad))
                    layout = dataclasses.replace(layout, month_map=tuple(sorted(mapping.items())))
            elif number:  # YYYYMM as a number (202501), every one a whole number whose last two digits are a month
                # (in range before it is cast: an epoch in milliseconds, 1735689600000, overflows an integer)
                whole = sa.cast(month, sa.Integer)
                fits = month.between(190001, 220012)
                month_of = sa.func.mod(whole, 100).between(1, 12)
                readable = sa.and_(fits, sa.case((fits, sa.and_(whole == month, month_of)), else_=sa.false()))
                bad = unreadable(readable)
                if bad is not None:
                    raise WarehouseError(say.month_not_a_date(label, layout.month, *bad))
            elif sample is not None and not isinstance(sample, dt.date):
                raise WarehouseError(say.month_not_a_date(label, layout.month, sample))
            elif sample is not None and connection.dialect.name in ("postgresql", "duckdb"):
                # a date of 'infinity' (an open end some pipelines write) is no month: named, not a failed query
                # (through a DATE: DuckDB has no isfinite for a TIMESTAMPTZ_NS, as polars writes a zoned Parquet)
                finite = sa.func.isfinite(sa.cast(month, sa.Date))
                endless = sa.select(sa.cast(month, sa.String), key).where(month.is_not(None), sa.not_(finite))
                if (bad := connection.execute(endless.limit(1)).first()) is not None:
                    raise WarehouseError(say.month_not_a_date(label, layout.month, *bad))
            zoned_off_midnight, month_zone = None, None
            zoned = isinstance(sample, dt.datetime) and sample.tzinfo is not None
            if zoned and connection.dialect.name == "bigquery":  # no session zone: each TIMESTAMP's date in the zone
                month_zone = self.zone
            if zoned and connection.dialect.name in ("postgresql", "duckdb"):  # (the sessions set to the zone, live)
                # months at another zone's midnight? On the quarter hour (India's +05:30 too), none at midnight
                on_hour = sa.and_(sa.func.mod(sa.cast(sa.extract("minute", month), sa.Integer), 15) == 0,
                                  sa.extract("second", month) == 0)
                midnight = sa.and_(on_hour, sa.extract("hour", month) == 0, sa.extract("minute", month) == 0)
                found = connection.execute(sa.select(
                    sa.func.count(month), sa.func.count(sa.case((on_hour, 1))), sa.func.count(sa.case((midnight, 1))),
                    sa.func.min(sa.cast(month, sa.String)))).first()
                if found is not None and found[0] and found[0] == found[1] and not found[2]:
                    zoned_off_midnight = (str(found[3]), self.zone)
            if isinstance(sample, dt.date):  # a placeholder such as 0001-01-01 is no month, as in a file: named
                bad = unreadable(sa.cast(sa.extract("year", sa.cast(month, sa.Date)), sa.Integer).between(1900, 2200))
                if bad is not None:
                    raise WarehouseError(say.month_not_a_date(label, layout.month, *bad))
            # the text columns held as floats (pandas writes integer IDs beside a blank as 1001.0): read as a
            # sheet's numbers are, 1001; and a figure column of REAL or DOUBLE, read as the decimal its float was
            # written as. A column's type shows in its first value that is not NULL, looked for in each column (the
            # first 100 rows of a table had been taken: NULL there, as a spine's customers not started yet are, a
            # REAL MRR was cast at 6 significant digits, and a DOUBLE attribute read 2.0 or 2 by the rows' order)
            texts = [c for c in (layout.key, layout.name, *layout.attributes, layout.amount) if c is not None]
            first = [sa.select(table.c[c]).where(table.c[c].is_not(None)).limit(1).scalar_subquery() for c in texts]
            try:
                seen = connection.execute(sa.select(*first)).fetchall()
            except sa.exc.OperationalError:  # DuckDB out of its memory even for this: the types are not known
                connection.rollback()
                seen = []
            # (a key, name or attribute column of NUMERIC too: PostgreSQL's unconstrained NUMERIC keeps each value's
            # scale, 1001 beside 1001.0, two customers where a file reads one: fuzz 24, NRR 78.78% for 100.84%)
            floats = frozenset(c for i, c in enumerate(texts) if any(
                isinstance(row[i], float) or (isinstance(row[i], Decimal) and c != layout.amount) for row in seen))
            amount = texts.index(layout.amount)
            odd = next((row[amount] for row in seen if isinstance(row[amount], bool | dt.date | dt.time | dt.timedelta
                                                                      | bytes)), None)
            if odd is not None:  # a date or a yes/no column named as the MRR: PostgreSQL cannot cast it, DuckDB
                # read true as 1.00
                raise WarehouseError(say.figure_not_money(label, layout.amount, odd))
            amount_is_text = any(isinstance(row[amount], str) for row in seen)
            # a text column (not PostgreSQL's MONEY, which comes back as '$1,200.00' and is cast as the amount it is):
            # the database would cast '1.200' as 1.2, '12e2' or '+12' too, where a file refuses them
            figure = table.c[layout.amount]
            if amount_is_text and not (connection.dialect.name == "postgresql" and connection.execute(
                    sa.select(sa.cast(sa.func.pg_typeof(figure), sa.String)).where(figure.is_not(None)).limit(1)
            ).scalar() == "money"):
                written = stripped(sa.cast(figure, sa.String))
                found = connection.execute(sa.select(written, table.c[layout.key], month).where(written != "", sa.or_(
                    sa.not_(written.regexp_match(PLAIN_TEXT_FIGURE)), written.regexp_match(AMBIGUOUS_TEXT_FIGURE)))
                    .limit(1)).first()
                if found is not None:  # named with its row's customer and month, as a file names the cell
                    raise WarehouseError(_text_figure_refused(label, layout.amount, str(found[0]), found[1], found[2]))
            # a text key column of whole numbers, some written 1001.0 (two exports appended, one by pandas): each
            # its number, as the file reader reads it (fuzz 17: 1001.0 and 1001 were two customers, NRR 33%)
            whole_keys = False
            if seen and isinstance(seen[0][0], str):
                cell = stripped(sa.cast(table.c[layout.key], sa.String))
                # a key without ".0" passed over before it is trimmed and matched (the whole table is read when no
                # key is a float: 1.0-1.6 s of 3.4M rows in PostgreSQL, 0.13 s with the LIKE first)
                floated = sa.and_(sa.cast(table.c[layout.key], sa.String).like("%.0%"), cell.regexp_match(FLOAT_KEY))
                if connection.execute(sa.select(cell).where(floated).limit(1)).scalar():
                    whole_keys = connection.execute(sa.select(cell).where(cell != "", sa.not_(
                        cell.regexp_match(WHOLE_KEY))).limit(1)).scalar() is None
        date = isinstance(sample, dt.date) and not isinstance(sample, dt.datetime)
        return dataclasses.replace(layout, month_is_text=text, month_text_at=cut_at, month_is_number=number,
                                   month_is_date=date, floats=floats,
                                   zoned_off_midnight=zoned_off_midnight, month_zone=month_zone,
                                   amount_is_text=amount_is_text, whole_keys=whole_keys)


#: the most distinct text months read one by one (``Mar 2026``): 30 years of month labels, or a year of days (each
#: text's month goes back to the database as a branch of a CASE every row is run through)
MONTH_TEXTS = 400
#: a text month the database reads itself: YYYY-MM, then a day, then a time and a zone (each optional), all of
#: which the row reader reads as that month (``engine.parse_month``)
ISO_TEXT_MONTH = (r"^[0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])"
                  r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?)?$")
#: a text month written YYYYMM (202501), which the row reader reads as that month
YYYYMM_TEXT = r"^[0-9]{4}(0[1-9]|1[0-2])$"
#: a text figure the database casts as a file reads it: digits, a decimal point and digits after it, a minus (said
#: as negative); not 1.200 (a thousands separator? a file refuses it as ambiguous), 12e2, +12, .5 or $1,200
PLAIN_TEXT_FIGURE = f"^-?{PLAIN_AMOUNT}$"
AMBIGUOUS_TEXT_FIGURE = f"^-?{DOT_THOUSANDS_AMOUNT}$"


def _text_figure_refused(label: str, column: str, value: str, key: object, month: object) -> str:
    """Why a text figure the database would cast is refused, naming its row's customer and month as the row checks
    do (fuzz 17: neither was named): as a file refuses it (its words; an example a database can read, not
    $100,000), or, for money a file reads ($1,200.00), because a database's table is summed where it lives."""
    try:
        when = parse_month(month if isinstance(month, dt.date) else str(month)).name
    except CellError:
        when = str(month)
    where = f"{label}, customer '{key!s}' ({when})"
    try:
        parse_money(value)
    except CellError as exc:
        expected = say.NUMBER_EXPECTED if exc.expected == MONEY_EXPECTED else exc.expected
        return f"{where}: {unreadable(column, repr(value), expected)}"
    return say.not_a_number(where, column, value)  # (fuzz 24: '1,200' and '(500)' were said without their row)


def _month_texts(texts: list[str]) -> dict[str, int]:
    """Each text that reads as a month, as the row reader reads a cell (the order of ``3/4/2026``'s parts from the
    whole column), and its month index; those that do not read are left out (the caller names the first)."""
    order = infer_date_order(texts)
    read: dict[str, int] = {}
    for text in texts:
        try:
            read[text] = parse_month(text, order).index
        except CellError:
            continue
    return read


def check_table(query: Any, where: str, count: int, low: int | None, high: int | None,
                fx: FxRates | None = None, unlanded: tuple[Sequence[Month], int] = ((), 0),
                leading: tuple[Sequence[Month], int] = ((), 0), today: Month | None = None) -> LedgerCheck:
    """The row reader's checks, made in SQL, then the derived ledger of a table that passes them; ``fx``: the
    rates a file of the same rows would be converted with (a database's table cannot be); ``unlanded``: the last
    months left out as not closed yet (``Query.until``), and how many rows they hold; ``leading``: the first months
    left out as before any figure (``Query.since``), and how many rows they hold; ``today``: the month in
    progress, from which on a month without rows is not missing (it has not closed), as the row reader counts."""
    import sqlalchemy as sa

    from warehouse._table import WarehouseTable, as_text, cents_limit, filled, key_text, stripped

    lay = query.layout
    issues: list[Issue] = []
    if lay.columns_elsewhere:
        issues.append(Issue(severity="warning", code="columns_elsewhere", sheet=where,
                            message=named_columns_elsewhere(lay.columns_elsewhere)))
    if lay.in_cents:
        issues.append(Issue(severity="warning", code="read_as_cents", message=read_as_cents(lay.unit, lay.amount),
                            sheet=where))
    if lay.zoned_off_midnight is not None:
        issues.append(Issue(severity="warning", code="zoned_months", sheet=where,
                            message=say.zoned_months_off_midnight(lay.month, *lay.zoned_off_midnight)))
    if leading[0]:
        issues.append(Issue(severity="warning", code="month_before_figures", sheet=where,
                            message=months_before_figures(leading[0], leading[1], lay.unit)))
    if unlanded[0]:
        issues.append(Issue(severity="warning", code="month_not_landed", sheet=where,
                            message=months_not_landed(unlanded[0], unlanded[1], lay.unit)))
    for label, rows in query.totals.items():  # left out of ``rows``: said, as the row reader says it
        issues.append(Issue(severity="warning", code="total_row", message=total_rows(label, rows),
                            cells=(_rows(where, rows),)))
    if not count or low is None or high is None:
        return LedgerCheck(ledger=None, issues=[*issues, _error("empty", customers_empty(), sheet=where)])
    r, t = query.rows.c, query.table.c
    place = functools.partial(_place, where)
    largest = cents_limit(lay.in_cents)  # the row reader's limit
    out_of_range = sa.or_(r.cents < 0, r.cents > largest)
    named = query.run(sa.select(r.c, r.mi, r.cents).where(out_of_range).order_by(r.mi, r.c).limit(SHOWN_PER_CHECK))
    more = 0  # the first are named, the rest counted (the file reader names them all)
    if len(named) == SHOWN_PER_CHECK:
        more = int(query.run(sa.select(sa.func.count()).where(out_of_range))[0][0]) - SHOWN_PER_CHECK
    for key, mi, amount in named:
        if amount < 0:
            issues.append(_error("negative", customer_negative(lay.unit, cents_to_decimal(int(amount))),
                                 cells=(place(key),), month=Month.from_index(int(mi))))
        else:  # held just above the limit: the figure as the table holds it
            written = query.run(sa.select(sa.cast(t[lay.amount], sa.String)).where(
                key_text(query.table, lay) == key, query.month_index(t[lay.month]) == mi).limit(1))
            shown = repr(str(written[0][0]).strip() if written else str(cents_to_decimal(int(amount))))
            # NaN and infinity are no amount at all (a failed division in a model), not one too large
            odd = shown.strip("'").strip().lstrip("+-").lower() in ("nan", "inf", "infinity")
            issues.append(_error("bad_amount", unreadable(lay.unit, shown, MONEY_EXPECTED if odd else MONEY_TOO_LARGE),
                                 cells=(place(key),),
                                 month=Month.from_index(int(mi))))
    if more:
        issues.append(_error("negative", say.more_rows_out_of_range(where, more)))
    key_blank = sa.not_(filled(t[lay.key], text=True))
    # a 0 is a figure, as in a file: a row of 0 with no customer is one to fix, not a blank row
    figure = filled(t[lay.amount], lay.amount_is_text)
    # with a name column, a row that has a name is told to fill in its ID, as the row reader tells it, figure or not
    name = (sa.case((stripped(sa.cast(t[lay.name], sa.String)) != "", sa.cast(t[lay.name], sa.String)))
            if lay.name not in (None, lay.key) else sa.null())
    keys, names = query.total_labels
    named_total = [] if not names else [sa.or_(t[lay.name].is_(None), as_text(t[lay.name], lay.name in lay.floats)
                                               .not_in(names))]
    nobody = (sa.select(query.month_index(t[lay.month]).label("mi"), name.label("nm"))
              .where(key_blank, sa.or_(figure, name.is_not(None)), *named_total).subquery())
    for mi, n, named in query.run(sa.select(nobody.c.mi, sa.func.count(), sa.func.min(nobody.c.nm))
                                  .group_by(nobody.c.mi).order_by(nobody.c.mi).limit(SHOWN_PER_CHECK)):
        message = customer_missing(lay.unit) if named is None else customer_id_missing(str(named), lay.key)
        issues.append(_error("no_customer", message, cells=(_rows(where, int(n)),),
                            month=None if mi is None else Month.from_index(int(mi))))
    # a row with a customer: a total's when its customer cell reads as one, or holds no ID beside a total's name
    key_cell = key_text(query.table, lay)
    no_total: list[sa.ColumnElement[bool]] = [key_cell.not_in(keys)] if keys else []
    if named_total and (beside := query.total_placeholders):
        no_total.append(sa.or_(named_total[0], key_cell.not_in(beside)))
    no_month = [sa.not_(key_blank), sa.not_(filled(t[lay.month], lay.month_is_text)), figure, *no_total]
    undated = query.run(sa.select(sa.func.count()).where(*no_month).select_from(query.table))
    if undated and undated[0][0]:  # named by their customers, the first few, as a file's are by their cells
        who = [str(k) for (k,) in query.run(sa.select(key_cell).where(*no_month).distinct().order_by(key_cell)
                                            .limit(SHOWN_PER_CHECK + 1))]
        issues.append(_error("no_month", say.row_without_month(where, int(undated[0][0]), who, SHOWN_PER_CHECK)))
    pair = [r.c, r.mi]
    # the months with rows and, for each, how many rows it has beyond one a customer (a customer with two rows in
    # it, when any), whether any row holds a figure, and how many rows it has: one grouping by month for all the
    # checks (grouping each customer's month first, to count its rows, took PostgreSQL half as long again)
    by_month = query.run(sa.select(r.mi, sa.func.count() - sa.func.count(sa.distinct(r.c)), sa.func.max(r.f),
                                   sa.func.count()).group_by(r.mi))
    beyond = {int(mi): int(n) for mi, n, _, _ in by_month}
    # a month with rows but no figure in any, between months with figures (the last ones are left out above)
    unfilled = sorted((int(mi), int(rows)) for mi, _, f, rows in by_month if not f)
    if unfilled and any(f for _, _, f, _ in by_month):  # no figure anywhere: the other checks say what is wrong
        issues.append(_error("month_without_figures", months_unfilled(
            [Month.from_index(mi) for mi, _ in unfilled], sum(rows for _, rows in unfilled), lay.unit), sheet=where))
    repeated = any(n > 0 for n in beyond.values())
    if repeated and lay.distinguisher is not None:  # rows told apart by Plan (Subscription, ...) are summed
        k = lay.attributes.index(lay.distinguisher)
        # a blank cell (NULL, '' or spaces) is no plan, as a file reads it: two such rows are not told apart
        told = sa.case((query.present(k), r[f"a{k}"]), else_=sa.null()).label("told")
        for key, mi, value in query.run(sa.select(*pair, told).group_by(*pair, told).having(sa.func.count() > 1)
                                        .order_by(r.mi, r.c).limit(SHOWN_PER_CHECK)):
            issues.append(_error("repeated", customer_rows_share(key, lay.distinguisher, value, True),
                                cells=(place(key),), month=Month.from_index(int(mi))))
        issues += _rows_disagree(query, where)
    elif repeated:
        for key, mi in query.run(sa.select(*pair).group_by(*pair).having(sa.func.count() > 1)
                                 .order_by(r.mi, r.c).limit(SHOWN_PER_CHECK)):
            issues.append(_error("repeated", customer_repeated(key), cells=(place(key),),
                                month=Month.from_index(int(mi))))
    else:  # nothing summed: the Plan column is an attribute like any other, and each row is its customer's month
        query.layout = dataclasses.replace(lay, distinguisher=None, single=True)
    issues += _alike_customers(query, where)
    missing = [Month.from_index(i) for i in range(low, high + 1)
               if i not in beyond and (today is None or i < today.index)]
    if missing:
        issues.append(_error("missing_month", month_rows_missing(missing, lay.unit), sheet=where))
    if any(i.severity == "error" for i in issues):
        return LedgerCheck(ledger=None, issues=issues, unit=lay.unit)
    currency = header_currency(lay.amount)  # mrr_eur, as a file's header names its figures' currency
    if lay.currency is not None:
        # as the file reader reads the cells: EUR, eur and € are one currency
        codes = currency_codes(str(c) for (c,) in query.run(sa.select(t[lay.currency]).distinct()) if c is not None)
        if len(codes) > 1:  # summed as one currency they would be silently wrong: refused, as a file without rates
            return LedgerCheck(ledger=None, unit=lay.unit, issues=[
                _error("mixed_currency", say.currencies_in_table(lay.currency, sorted(codes)), sheet=where)])
        if names := sorted(code for code in codes if len(code) != 3 or not code.isalpha()):  # Euro: no code
            return LedgerCheck(ledger=None, unit=lay.unit, issues=[
                _error("bad_currency", not_a_currency_code(names[0].title()), sheet=where)])
        if currency is not None and codes and codes != {currency}:  # mrr_usd beside a Currency column of EUR
            return LedgerCheck(ledger=None, unit=lay.unit, issues=[_error("mixed_currency", header_currency_disagrees(
                lay.amount, currency, "", lay.currency, [(code, "") for code in sorted(codes - {currency})]),
                sheet=where)])
        currency = codes.pop() if codes else currency  # none in the column: the header's, as a file's
    if currency is not None and fx is not None and currency != fx.reporting and fx.knows(currency):
        return LedgerCheck(ledger=None, unit=lay.unit, issues=[  # a file would be converted: never answer otherwise
            _error("unconverted_currency", say.currency_not_converted(lay.currency or lay.amount, currency,
                                                                      fx.reporting), sheet=where)])
    table = WarehouseTable(query=query, first=Month.from_index(int(low)), count=int(high) - int(low) + 1,
                           currency=currency)
    issues += _billed_per_period(query, table, where)
    warnings = tuple(i for i in issues if i.severity == "warning")
    ledger = with_months_paying_nothing(derive_ledger(table, warnings, None), issues)
    return LedgerCheck(ledger=ledger, issues=issues, rows=ledger.rows, unit=lay.unit)


def _rows_disagree(query: Any, where: str) -> list[Issue]:
    """The row reader's warning for a customer whose summed rows (told apart by Plan, ...) give an attribute
    different values in one month: each month it takes the value of its largest row, ties by the value first in
    sort order. The database finds the months whose values differ once lowered and trimmed; they are told apart
    here exactly (``compared``). One warning per customer and attribute, in the order of their first such month."""
    import sqlalchemy as sa


    lay = query.layout
    r = query.rows.c
    found: list[tuple[int, str, int, Issue]] = []
    for k, title in enumerate(lay.attributes):
        if title == lay.distinguisher:
            continue
        value = r[f"a{k}"]
        present = query.present(k)
        split = (sa.select(r.c.label("sc"), r.mi.label("smi")).where(present).group_by(r.c, r.mi)
                 .having(sa.func.count(sa.distinct(sa.func.lower(sa.func.trim(value)))) > 1).subquery())
        rows = query.run(sa.select(r.c, r.mi, value, sa.func.max(r.cents))
                         .select_from(query.rows.join(split, sa.and_(split.c.sc == r.c, split.c.smi == r.mi)))
                         .where(present).group_by(r.c, r.mi, value))
        months: dict[str, dict[int, dict[str, int]]] = {}
        for key, mi, text, cents in rows:
            months.setdefault(str(key), {}).setdefault(int(mi), {})[str(text)] = int(cents)
        for key, by_month in months.items():
            split_months = sorted(mi for mi, weights in by_month.items() if len({compared(v) for v in weights}) > 1)
            if not split_months:
                continue
            # a value spelled two ways in a month is one value (the row reader compares them so): its largest row's
            values = sorted({_heaviest({v: c for v, c in by_month[mi].items() if compared(v) == same})
                             for mi in split_months for same in {compared(v) for v in by_month[mi]}})
            chosen = _heaviest(by_month[split_months[0]])
            found.append((split_months[0], key, k, Issue(
                severity="warning", code="rows_disagree", month=Month.from_index(split_months[0]),
                cells=(_place(where, key),),
                message=customer_rows_disagree(key, title, values, chosen, lay.unit, len(split_months)))))
    return [issue for *_, issue in sorted(found, key=lambda f: f[:3])]


def _heaviest(weights: dict[str, int]) -> str:
    """Of a month's values (each with its largest row's cents), the one the customer takes: the largest row's,
    ties by the value first in sort order (as the row reader and ``Query.values`` choose)."""
    return min(weights, key=lambda v: (-weights[v], v))


def _billed_per_period(query: Any, table: Any, where: str) -> list[Issue]:
    """The row reader's warning for customers who pay one month in twelve (or three) with nothing between
    (``engine.billed_per_period``), in one grouping: paying ``n`` months ``g`` apart, with nothing between, is
    a first and last month ``g * (n - 1)`` apart and every month alike modulo ``g``. Named in the order of their
    first paid month, then key."""
    import sqlalchemy as sa

    b = query.base.c
    n = sa.func.count()
    bounds = [sa.func.min(b.mi).label("lo"), sa.func.max(b.mi).label("hi"), n.label("n")]
    for g in (3, 12):
        bounds += [sa.func.min(sa.func.mod(b.mi, g)).label(f"lo{g}"), sa.func.max(sa.func.mod(b.mi, g)).label(f"hi{g}")]
    per = sa.select(b.c, *bounds).where(b.cents > 0).group_by(b.c).having(n >= 2).subquery()
    gap = sa.case(*((sa.and_(per.c.hi - per.c.lo == g * (per.c.n - 1), per.c[f"lo{g}"] == per.c[f"hi{g}"]), g)
                    for g in (12, 3)))
    found: dict[int, list[str]] = {12: [], 3: []}
    for key, g in query.run(sa.select(per.c.c, gap).where(gap.is_not(None)).order_by(per.c.lo, per.c.c)):
        found[int(g)].append(str(key))
    issues = []
    for g, keys in found.items():
        if keys:
            names = table.names(keys[:3])
            shown = [names.get(k, k) for k in keys[:3]] + keys[3:]
            issues.append(Issue(severity="warning", code="billed_per_period", message=billed_per_period(g, shown),
                                sheet=where))
    return issues


def _alike_customers(query: Any, where: str) -> list[Issue]:
    """The row reader's warning for customers whose keys differ only in case or spacing (``compared``): the
    database finds the keys that agree once lowered and rid of spaces, and they are told apart here exactly; each
    group's keys in the order they first appear (month, then key)."""
    import sqlalchemy as sa

    from warehouse._table import SPACES

    r = query.rows.c
    each = sa.select(r.c, sa.func.min(r.mi).label("first")).group_by(r.c).cte("nrr_keys")  # then fold only keys
    folded: Any = each.c.c
    if query.dialect is not None and query.dialect.name == "postgresql":
        # lowered by the database's own rules: the key is compared in code order ("C"), where lower() knows only
        # the 26 ASCII letters, and 'Émile' and 'émile' were two customers without a word (review, fuzz 73)
        folded = sa.collate(folded, "default")
    # rid of the spaces str.split() splits on, as keys may hold them (translate drops what it maps to nothing)
    folded = sa.func.lower(sa.func.translate(folded, sa.literal(SPACES, sa.String), ""))
    close = sa.select(folded.label("f")).group_by(folded).having(sa.func.count() > 1)
    keys = query.run(sa.select(each.c.c, each.c.first).where(folded.in_(close)).order_by(each.c.first, each.c.c))
    groups: dict[str, list[str]] = {}
    for key, _ in keys:
        groups.setdefault(compared(str(key)), []).append(str(key))
    issues = []
    for alike in (g for g in groups.values() if len(g) > 1):
        issues += [Issue(severity="warning", code="alike_customers", message=customers_alike(alike[0], other),
                         sheet=where) for other in alike[1:]]
    return issues[:SHOWN_PER_CHECK]


def recognise(names: Sequence[str], columns: Mapping[str, str], label: str) -> Any:
    """Which column holds what: ``columns`` ([ledger] columns) first, then the customer-table header rules."""
    from warehouse._table import Layout


    named = tuple((role, columns[role]) for role in ROLES if role in columns)
    elsewhere: tuple[tuple[str, str], ...] = ()
    if named and not names_a_column([names], named):
        elsewhere, named = named, ()  # named for another table: this one is read by the header rules, and told so
    for role, wanted in named:
        if not names_a_column([names], [(role, wanted)]):
            raise WarehouseError(say.column_unknown(label, role, wanted, names))
    # the file reader's rule, in one place: the columns named take their roles, and a column the header rules had
    # read in such a role is an attribute
    header = read_customer_header(names, 0, named)
    found = {"customer": header.roles.get("id", header.roles.get("name")),
             "name": header.roles.get("name") if "id" in header.roles else None,
             "month": header.roles.get("month"), "mrr": header.roles.get("amount")}
    roles = {role: names[index] for role, index in found.items() if index is not None}
    for role, what in (("customer", "customer"), ("month", "month"), ("mrr", "MRR")):
        if role == "month" and role not in roles and table_form(header) == "wide":
            months = sorted(header.months.values())
            raise WarehouseError(say.months_as_columns(label, str(months[0]), str(months[-1])))
        if role not in roles:
            raise WarehouseError(say.column_missing(label, what, names))
    for role, column in roles.items():
        other = next((r for r, c in roles.items() if c == column and r != role), None)
        if other is not None:  # one column cannot be two things: each would be read as the other
            shown = {"mrr": "MRR"}
            raise WarehouseError(say.column_twice(label, column, shown.get(role, role), shown.get(other, other)))
    used = set(roles.values())
    currency = names[header.roles["currency"]] if "currency" in header.roles else None
    attributes = tuple(n for n in names if n not in used and n != currency)
    distinguisher = names[header.distinguisher] if header.distinguisher is not None else None
    if distinguisher in used:
        distinguisher = None
    unit: Unit = "ARR" if {"arr", "annual"} & header_tokens(roles["mrr"]) else "MRR"
    return Layout(key=roles["customer"], name=roles.get("name"), month=roles["month"], amount=roles["mrr"],
                  attributes=attributes, distinguisher=distinguisher, unit=unit, month_is_text=False, currency=currency,
                  in_cents=in_cents(roles["mrr"]), columns_elsewhere=elsewhere)


def _error(code: str, message: str, *, cells: tuple[str, ...] = (), month: Month | None = None,
           sheet: str | None = None) -> Issue:
    return Issue(severity="error", code=code, message=message, cells=cells, month=month, sheet=sheet)


def _place(table: str, key: str) -> str:
    return f"{table}, customer '{key}'"


def _rows(table: str, count: int) -> str:
    return f"{table}, {count:,} row{'' if count == 1 else 's'}"


def _parquet_view(spec: WarehouseSpec) -> Callable[[Any], None]:
    """A DuckDB view over the Parquet file, named as the spec's table (the path quoted as a SQL string)."""
    assert spec.path is not None
    path = str(spec.path).replace("'", "''")

    def prepare(connection: Any) -> None:
        import sqlalchemy as sa

        connection.execute(sa.text(f"CREATE OR REPLACE TEMPORARY VIEW {spec.table} AS "
                                   f"SELECT * FROM read_parquet('{path}')"))
    return prepare


def create_engine(spec: WarehouseSpec, timeout: float, memory_limit: str | None = DUCKDB_MEMORY_LIMITS[0],
                  zone: str = "UTC") -> Any:
    """The SQLAlchemy engine for ``spec``, its driver's absence said as the extra to install; DuckDB's within
    ``memory_limit``, spilling to a directory of this process's own (two processes' spill files never meet); its
    sessions in ``zone`` (an IANA name), where a zoned timestamp's month is read."""
    try:
        import sqlalchemy as sa
    except ImportError:
        raise WarehouseError(say.needs_extra(spec.label, EXTRAS[spec.kind])) from None
    if not _ZONE_NAME.fullmatch(zone):  # set in a statement of its own below: a name, never a quote or a backslash
        raise WarehouseError(f"{spec.label}: {zone!r} is not a time zone name such as Europe/Berlin ([calendar] "
                             "timezone).")
    connect_args: dict[str, Any] = {}
    if spec.kind == "postgresql":
        # every transaction read-only, every statement bounded: set by the server for this session
        # and no nested loops: every query here scans and aggregates the whole table, and the planner, misled by
        # its guesses for grouped CTEs (rows=5 for 2,000), would rerun a window over it per row of a join
        # (a timeout under a millisecond is one: 0 would be none at all)
        connect_args["options"] = (f"-c default_transaction_read_only=on -c statement_timeout={_ms(timeout)} "
                                   "-c enable_nestloop=off -c jit=off")
        connect_args["application_name"] = "nrr"
    elif spec.kind == "duckdb":
        if spec.path is not None and not spec.path.exists():
            raise WarehouseError(f"{spec.label}: no such file; check the path.")
        connect_args["read_only"] = True
    elif spec.kind == "parquet":
        assert spec.path is not None
        if not spec.path.exists() and not any(ch in str(spec.path) for ch in "*?["):
            raise WarehouseError(f"{spec.label}: no such file; check the path.")
    elif spec.kind == "snowflake":
        connect_args["session_parameters"] = {"STATEMENT_TIMEOUT_IN_SECONDS": max(1, math.ceil(timeout)),  # 0: none
                                              "TIMEZONE": zone}  # a TIMESTAMP_LTZ's month, read in the zone
    if spec.kind in ("duckdb", "parquet"):  # DuckDB runs in this process: its memory is nrr's
        config = {"temp_directory": str(_spill_directory())}
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        connect_args["config"] = config
    try:
        engine = sa.create_engine(spec.url, connect_args=connect_args, poolclass=sa.pool.NullPool)
    except (ImportError, sa.exc.NoSuchModuleError):
        raise WarehouseError(say.needs_extra(spec.label, EXTRAS[spec.kind])) from None
    except sa.exc.ArgumentError as exc:
        raise WarehouseError(f"{spec.label}: not a database URL I can use ({exc}).") from None
    if spec.kind in ("postgresql", "duckdb", "parquet"):
        sa.event.listen(engine, "connect", functools.partial(_in_zone, spec, zone))
    return engine


_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]{1,64}")


def _in_zone(spec: WarehouseSpec, zone: str, dbapi_connection: Any, _record: Any) -> None:
    """A session in ``zone`` (``[calendar] timezone``, UTC unless set): a zoned timestamp's month is read there,
    whatever this machine's zone (``TZ``, ``PGTZ``), so months a Berlin company wrote at its midnight are its
    months (fuzz 24: read in UTC, 2025-01-01 00:00+01 was December). Set for the session, outside the statements'
    transactions (which end in a rollback). A zone the database does not know is said, not left to its own."""
    cursor = dbapi_connection.cursor()
    try:
        if spec.kind == "postgresql":  # a bound parameter
            cursor.execute("SELECT set_config('TimeZone', %s, false)", (zone,))
        else:  # DuckDB takes no parameter here: a name checked by ``_ZONE_NAME``
            cursor.execute(f"SET TimeZone = '{zone}'")
        dbapi_connection.commit()
    except Exception as exc:
        with contextlib.suppress(Exception):  # DuckDB: no transaction to roll back
            dbapi_connection.rollback()
        if zone != "UTC":  # (UTC: DuckDB without its time-zone extension reads its timestamps in UTC already)
            raise WarehouseError(f"{spec.label}: the database does not know the time zone {zone!r} ([calendar] "
                                 f"timezone): {_first_line(exc)[:160]}. Set a zone name it knows, such as "
                                 "Europe/Berlin.") from None
    finally:
        cursor.close()


def _first_line(exc: BaseException) -> str:
    """A database's error, its first line: the driver's own (``orig``) when SQLAlchemy wraps it."""
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]


@functools.cache
def _spill_directory() -> Path:
    """Where this process's DuckDB writes what does not fit in its memory: made once, removed at exit."""
    path = Path(tempfile.mkdtemp(prefix="nrr-duckdb-"))
    atexit.register(remove_spill_directory)
    return path


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


def remove_spill_directory() -> None:
    """Remove ``_spill_directory``'s, if made (at exit, or before ``os._exit``, which skips ``atexit``)."""
    if _spill_directory.cache_info().currsize:
        shutil.rmtree(_spill_directory(), ignore_errors=True)


#: how DuckDB, PostgreSQL, Snowflake and BigQuery say a text could not be cast to the number a figure is read as
#: (NUMERIC(20, 6); the months' integers are checked before any statement runs)
_NOT_A_NUMBER = re.compile(r"Could not convert string .* to (DECIMAL|DOUBLE)"
                           r"|invalid input syntax for type (numeric|double precision|real)"
                           r"|Numeric value .* is not recognized|Bad (numeric|double) value"
                           r"|Invalid (NUMERIC|BIGNUMERIC|FLOAT64) value", re.IGNORECASE)


def _translated(spec: WarehouseSpec, timeout: float, exc: Exception, *, amount: str | None = None) -> WarehouseError:
    """A database's error in words; ``amount``: the column holding the figures, the only one cast to a number."""
    text = _first_line(exc)
    if amount is not None and _NOT_A_NUMBER.search(text):
        value = re.search(r"\"([^\"]*)\"|'([^']*)'", text) or re.search(r"value: (.+)$", text)
        return WarehouseError(say.not_a_number(spec.label, amount, next(g for g in value.groups() if g is not None)
                                               if value else None))
    if re.search(r"does not exist|not found|no such table|Catalog Error", text, re.IGNORECASE) and re.search(
            r"relation|table", text, re.IGNORECASE):
        return WarehouseError(say.table_missing(spec.label, spec.table_label))
    if ran_out_of_memory(exc):
        in_process = spec.kind in ("duckdb", "parquet")
        # a server's own words (PostgreSQL: "out of memory") come wrapped as the driver's error, not MemoryError
        server = not in_process and not any(isinstance(e, MemoryError) for e in (exc, getattr(exc, "orig", None)))
        return WarehouseError(say.out_of_memory(spec.label, in_process, server))
    if re.search(r"statement timeout|canceling statement", text, re.IGNORECASE):
        return WarehouseError(say.timed_out(spec.label, timeout))
    return Unreachable(say.unreachable(spec.label, text), say.unreachable(spec.label, None))


