"""A customer table answered where it lives: every figure a cohort answer needs, summed by the database.

The table is long (one row per customer and month, or several told apart by a Subscription, Plan or Product
column); its columns are recognised by the customer-table header rules (``engine.read_customer_header``) or named
in ``[ledger] columns``. The queries are SQLAlchemy Core, so table and column names are quoted by the dialect and
never pasted; only sums, counts and the top movers come back, so nrr's memory does not grow with the table.

The steps, as dbt's mrr-playbook names them: ``rows`` (the table's rows, each figure in cents, each month an
integer), ``base`` (one figure per customer and month), then the aggregates: a month's movements, a cohort's sums,
a segment's customers, the acquisition cohorts.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from engine import (
    MONEY_LIMIT,
    MOVED_BITS,
    NO_COHORT,
    SIZE_BANDS,
    TOTAL_WORDS,
    Acquisition,
    CohortMonths,
    CohortSums,
    ForecastSums,
    Month,
    MonthMovements,
    Unit,
    compared,
    customer_label,
    holds_an_id,
    is_total_label,
    named_attribute,
    subtotal_of,
    usual_spellings,
)
from warehouse import _messages as say
from warehouse._errors import WarehouseError, ran_out_of_memory
from warehouse._spec import DUCKDB_MEMORY_LIMITS

#: what a total's label holds (``engine.is_total_label``): ``Total`` in it (``Grand total``, ``SMB Total``,
#: ``SUBTOTAL``), ``All`` first, or a word alone (``Average``, ``YTD:``, ``engine.TOTAL_WORDS``), written as people
#: write them; a value with outer spaces or tabs is looked at whatever it says (`` All customers``, ``Average ``).
#: Only the few distinct values these pick out are looked at: no ``lower()`` or ``trim()`` of every row, which cost
#: PostgreSQL 3.4 s of 2.2M rows where these patterns take 0.35 s
_TOTAL_PATTERNS = ("%otal%", "%OTAL%", "All %", "all %", "ALL %", " %", "% ", "\t%", "%\t",
                   # an average's summary row (Average NRR, Avg NRR %, Monthly average, Mean MRR, Total / Avg)
                   "Av% %", "AV% %", "av% %", "% average", "% Average", "% AVERAGE", "% avg", "% Avg", "% AVG",
                   "Mean %", "MEAN %", "mean %", "Median %", "MEDIAN %", "median %", "%/%")
_TOTAL_WORDS = tuple(f"{spelled}{end}" for word in sorted(w for w in TOTAL_WORDS if "total" not in w)
                     for spelled in dict.fromkeys((word.title(), word.upper(), word)) for end in ("", ":", "."))

#: a customer set: the customers paying in ``month`` whose value of attribute ``column`` (its position) is one of
#: ``values`` (None: no value), as ``engine.segment_members`` assigns them
Filter = tuple[int, int, frozenset[str | None]]


@dataclass(frozen=True, kw_only=True)
class Layout:
    """Which of the table's columns holds what."""

    key: str
    name: str | None
    month: str
    amount: str
    attributes: tuple[str, ...]
    distinguisher: str | None  # the Subscription, Plan or Product column whose rows are summed
    unit: Unit
    month_is_text: bool
    month_is_number: bool = False  # a number written YYYYMM (202603), as a warehouse's integer month key holds it
    currency: str | None = None  # the Currency column
    single: bool = False  # checked: one row per customer and month, so ``base`` sums nothing
    in_cents: bool = False  # the figures are cents (a column headed ``mrr_cents``)
    amount_is_text: bool = False  # the figures are text (a staging table's VARCHAR): a cell of only spaces is blank
    #: the key, name, attribute and figure columns whose values are floats (a key, name or attribute of NUMERIC too:
    #: each read as a number, 1001.0 as 1001)
    floats: frozenset[str] = frozenset()
    #: a text key column of whole numbers, some written 1001.0 (pandas beside a blank): each read as its number,
    #: 1001, as the file reader reads such a column (engine's whole_keys)
    whole_keys: bool = False
    #: text months not written 2026-03 (``Mar 2026``, ``03/2026``, ``3/31/2026``): each distinct one, spaces
    #: trimmed, and its month index, read by the engine as a file's cells are (the day-month order from them all)
    month_map: tuple[tuple[str, int], ...] = ()
    #: text months every one written alike as it is, none blank, none with a space around it: where the month's two
    #: digits start, 6 for YYYY-MM (then nothing, a day, a time), 5 for YYYYMM; read by cutting the text, without
    #: trimming it first (a statement's month, trimmed four times a row, took PostgreSQL seven times as long). 0:
    #: trimmed, each text's shape looked at
    month_text_at: int = 0
    #: a DATE month column (not a timestamp): its parts read directly, in DuckDB too (a timestamp's are read through
    #: its text there, a fifth of the speed)
    month_is_date: bool = False
    #: ``[ledger] columns`` named for another table (none of them is in this one): read by the header rules
    columns_elsewhere: tuple[tuple[str, str], ...] = ()
    #: a zoned month column whose times are all on the hour and none at midnight where they are read: one of them as
    #: the session shows it, and the zone (months written at another zone's midnight? said in a warning)
    zoned_off_midnight: tuple[str, str] | None = None
    #: a zoned month column of a database without a session zone (BigQuery): each value's date taken in this zone
    month_zone: str | None = None


#: seconds a connection is kept open after a statement: opening a DuckDB file or a PostgreSQL session costs about as
#: much as a small query, and an answer runs dozens; after this it is closed, so no file stays locked between answers
HOLD_SECONDS = 2.0

#: the queries alive, so that their connections are closed before the interpreter ends: a held connection's timer
#: thread closing a DuckDB file while Python finalizes would be stopped inside DuckDB's C++ ("FATAL: exception not
#: rethrown") and abort the process
_ALIVE: weakref.WeakSet[Query] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for query in list(_ALIVE):
        if query._lock.acquire(timeout=HOLD_SECONDS):  # a statement still running at exit is not waited on
            try:
                query._close()
            except Exception:  # closing at exit: the next connection still gets its turn
                pass
            finally:
                query._lock.release()


def _memo_key(statement: sa.Select[*tuple[Any, ...]]) -> Any:
    """What tells ``statement`` apart from another: SQLAlchemy's cache key (its shape) and its bound values, a
    fraction of compiling it to text (which ``execute`` does once more, from the engine's cache where it can)."""
    cache_key = statement._generate_cache_key()
    if cache_key is None:  # a construct SQLAlchemy cannot cache: its SQL, values written in
        return str(statement.compile(compile_kwargs={"literal_binds": True}))
    return cache_key.key, tuple(_frozen(bound.effective_value) for bound in cache_key.bindparams)


def _frozen(value: Any) -> Any:
    """A bound value as a key: an expanding IN's list as a tuple."""
    return tuple(_frozen(v) for v in value) if isinstance(value, (list, tuple)) else value


class Query:
    """One table in one database, and a connection that reads it read-only; answers are memoised by statement."""

    def __init__(self, engine: sa.Engine | None, table: sa.TableClause, layout: Layout, *,
                 prepare: Callable[[sa.Connection], None] | None = None,
                 failed: Callable[[Exception], Exception] = lambda exc: exc,
                 dialect: sa.Dialect | None = None, memory_limits: Sequence[str | None] = DUCKDB_MEMORY_LIMITS) -> None:
        """``engine`` None: nothing runs; each statement is compiled for ``dialect`` and kept in ``compiled``, its
        answer empty (how BigQuery's and Snowflake's SQL is checked where they cannot be reached)."""
        self.engine = engine
        self.dialect = dialect if dialect is not None else engine.dialect if engine is not None else None
        self.compiled: list[str] = []
        self.failed = failed
        if self.dialect is not None and self.dialect.name == "bigquery":
            # sqlalchemy-bigquery leaves a backtick inside a quoted name as it is: such a name could end its quotes
            for name in (table.name, table.schema or "", *(c.name for c in table.columns)):
                if "`" in name:
                    raise WarehouseError(say.unquotable_name(name))
        self.table = table
        self.layout = layout
        self.prepare = prepare
        #: the last month index read (``rows`` leaves out the months after it: not closed yet), None: every month
        self.until: int | None = None
        #: the first month index read (``rows`` leaves out the months before it: no figure yet), None: every month
        self.since: int | None = None
        self._lock = threading.Lock()
        self._memo: dict[str, list[Any]] = {}
        self._odd: dict[int, list[str]] = {}  # each attribute's values of only spaces SQL's trim leaves (a tab)
        # DuckDB's limits, tried in turn; ``_level``: the one in force (set again on a connection opened anew)
        self._limits = tuple(memory_limits) if self.dialect is not None and self.dialect.name == "duckdb" else ()
        self._level = 0
        self._held: sa.Connection | None = None
        self._release: threading.Timer | None = None
        _ALIVE.add(self)

    def run(self, statement: sa.Select[*tuple[Any, ...]]) -> list[Any]:
        """The statement's rows, each statement in a read-only transaction of its own."""
        if self.engine is None:
            with self._lock:
                self.compiled.append(str(statement.compile(dialect=self.dialect,
                                                           compile_kwargs={"literal_binds": True})))
            return []
        key = _memo_key(statement)
        with self._lock:
            if key not in self._memo:
                try:
                    self._memo[key] = self._run_held(statement)
                except sa.exc.SQLAlchemyError as exc:
                    self._close()
                    raise self.failed(exc) from None
            return self._memo[key]

    def _run_held(self, statement: sa.Select[*tuple[Any, ...]]) -> list[Any]:
        assert self.engine is not None
        if self._release is not None:
            self._release.cancel()
        if self._held is None:
            self._held = self.engine.connect()
            if self._level:  # a limit raised before the last connection closed: the database may have closed too
                self._set_limit(self._limits[self._level])
            if self.prepare is not None:
                self.prepare(self._held)
                self._held.commit()  # the view outlives the statements' transactions
        while True:
            try:
                rows = list(self._held.execute(statement))
                break
            except sa.exc.OperationalError as exc:
                self._held.rollback()
                if self._level + 1 >= len(self._limits) or not ran_out_of_memory(exc):
                    raise
                self._level += 1
                self._set_limit(self._limits[self._level])
        self._held.rollback()  # the transaction ends with the statement: no lock is held between statements
        self._release = threading.Timer(HOLD_SECONDS, self.close)
        self._release.daemon = True
        self._release.start()
        return rows

    def _set_limit(self, limit: str | None) -> None:
        assert self._held is not None
        if limit is None:  # DuckDB's own default (80% of the machine's memory), set as a figure: before DuckDB 2.0,
            # RESET named the default but left the buffer pool at the limit it had, and the last try failed as the first
            self._held.exec_driver_sql("RESET memory_limit")
            limit = self._held.exec_driver_sql("SELECT current_setting('memory_limit')").scalar()
        self._held.exec_driver_sql(f"SET memory_limit = '{limit}'")
        self._held.commit()

    def close(self) -> None:
        """Close the held connection, if any (it is opened again by the next statement)."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._release is not None:
            self._release.cancel()
            self._release = None
        if self._held is not None:
            held, self._held = self._held, None
            held.close()

    @functools.cached_property
    def rows(self) -> sa.CTE:
        """Every row with a customer and a month: the key as text, the month as an integer, the figure in cents,
        the name, the attributes (``a0``, ``a1``, ...) as text."""
        t, lay = self.table.c, self.layout
        key = key_text(self.table, lay)
        figure = cents(t[lay.amount], lay.in_cents, lay.amount in lay.floats, lay.amount_is_text)
        month = self.month_index(t[lay.month])
        # the key in code order: every window over a customer's months sorts by it, and PostgreSQL compares "C"
        # text byte by byte, a third faster than its default collation's rules (ties are broken as Python sorts too)
        picked: list[sa.ColumnElement[Any]] = [self.in_code_order(key).label("c"), month.label("mi"),
                                               figure.label("cents"),
                                               sa.case((filled(t[lay.amount], lay.amount_is_text), 1),
                                                       else_=0).label("f")]
        kept = [t[lay.key].is_not(None), sa.func.trim(key) != "",
                filled(t[lay.month], lay.month_is_text and not lay.month_text_at)]
        if self.until is not None:
            kept.append(month <= self.until)
        if self.since is not None:
            kept.append(month >= self.since)
        keys, names = self.total_labels
        if keys:
            kept.append(key.not_in(keys))
        if lay.name is not None:
            name = as_text(t[lay.name], lay.name in lay.floats)
            picked.append(name.label("nm"))
            if names and (beside := self.total_placeholders):
                kept.append(sa.or_(name.is_(None), name.not_in(names), key.not_in(beside)))
        picked += [as_text(t[a], a in lay.floats).label(f"a{i}") for i, a in enumerate(lay.attributes)]
        return sa.select(*picked).select_from(self.table).where(*kept).cte("nrr_rows")

    @functools.cached_property
    def total_labels(self) -> tuple[frozenset[str], frozenset[str]]:
        """The customer cells and the name cells that read as a total (``Total``, ``SMB Total``, ``Grand total:``):
        such a row sums the others, and is left out as the row reader leaves it out."""
        keys, names, _, _ = self._totals
        return keys, names

    @functools.cached_property
    def total_placeholders(self) -> frozenset[str]:
        """The customer cells that hold no ID (``-``) on a row whose name marks a total: such a row is a total's,
        where a row with an ID of its own beside the same name is a customer's (``engine.holds_an_id``)."""
        return self._totals[2]

    @functools.cached_property
    def totals(self) -> dict[str, int]:
        """Each total's label (as written, without its outer spaces) and how many rows it labels."""
        return self._totals[3]

    @functools.cached_property
    def _totals(self) -> tuple[frozenset[str], frozenset[str], frozenset[str], dict[str, int]]:
        # found among the few distinct values a total's words pick out (``engine.is_total_label`` decides), in one
        # statement; a table without such a value costs one scan of its customer column
        t, lay = self.table.c, self.layout
        key = key_text(self.table, lay)
        name = as_text(t[lay.name], lay.name in lay.floats) if lay.name not in (None, lay.key) else None

        def hinted(text: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
            return sa.or_(*(text.like(pattern) for pattern in _TOTAL_PATTERNS), text.in_(_TOTAL_WORDS))

        columns = [key] if name is None else [key, name]
        labels = [sa.case((hinted(c), c)).label(f"t{i}") for i, c in enumerate(columns)]
        if name is not None:  # the customer cell beside a name a total's words pick out, as written
            labels.append(sa.case((hinted(name), key)).label("k"))
        picked = (sa.select(*labels).select_from(self.table).where(sa.or_(*(hinted(c) for c in columns)))
                  .subquery())
        keys: set[str] = set()
        names: set[str] = set()
        placeholders: set[str] = set()
        counts: dict[str, int] = {}
        found = [(str(row[0]) if row[0] is not None else None,
                  str(row[1]) if name is not None and row[1] is not None else None,
                  str(row[2]) if name is not None and row[2] is not None else None, int(row[-1]))
                 for row in self.run(sa.select(*picked.c, sa.func.count()).group_by(*picked.c))]
        # Total X, where X is another row's customer (QuickBooks Desktop's subtotal of a parent's sub-customers): a
        # total as the file reader reads it; the X among the table's keys and names, asked in one statement a column
        of = {v: x for k, n, _, _ in found for v in (k, n) if v is not None and (x := subtotal_of(v)) is not None
              and not is_total_label(v)}
        parents: set[str] = set()
        if of:
            wanted = sorted({compared(x) for x in of.values()})
            for column in columns:
                lowered = sa.func.lower(stripped(column))
                parents |= {compared(str(v)) for (v,) in self.run(sa.select(lowered).where(lowered.in_(wanted))
                                                                   .distinct())}

        def total(v: str | None) -> bool:
            return v is not None and (is_total_label(v) or (v in of and compared(of[v]) in parents))

        for k, n, beside, count in found:
            # a name marks a total on a row whose customer cell holds no ID of its own, as the file reader reads it
            name_total = total(n) and not holds_an_id(beside)
            label = k if total(k) else n if name_total else None
            if label is None:
                continue
            if total(k):
                keys.add(k)  # type: ignore[arg-type]
            if name_total:
                names.add(n)  # type: ignore[arg-type]
                if beside is not None and beside.strip():
                    placeholders.add(beside)
            counts[label.strip()] = counts.get(label.strip(), 0) + count
        return frozenset(keys), frozenset(names), frozenset(placeholders), counts

    def month_index(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
        """Months since year 0 (``Month.index``), from a date, from text such as ``2026-03`` or ``202603``, or from
        a number such as 202603."""
        year: sa.ColumnElement[int]
        month: sa.ColumnElement[int]
        if self.layout.month_is_number:  # 202603: checked to be a whole number, so the division is exact
            return _from_yyyymm(sa.cast(column, sa.Integer))
        if self.layout.month_text_at and not self.layout.month_map:  # 2026-03... or 202603, every one as it is
            written = sa.cast(column, sa.String)
            year = sa.cast(sa.func.substr(written, 1, 4), sa.Integer)
            month = sa.cast(sa.func.substr(written, self.layout.month_text_at, 2), sa.Integer)
            return year * 12 + month - 1
        if self.layout.month_is_text:  # 2026-03..., or 202603, spaces around it trimmed; a blank one is NULL
            text = sa.func.nullif(stripped(sa.cast(column, sa.String)), "")
            year = sa.cast(sa.func.substr(text, 1, 4), sa.Integer)
            month = sa.cast(sa.case((sa.func.length(text) == 6, sa.func.substr(text, 5, 2)),
                                    else_=sa.func.substr(text, 6, 2)), sa.Integer)
            if not self.layout.month_map:
                return year * 12 + month - 1
            # Mar 2026: each distinct text the database does not read itself, its month read as a file's
            return sa.case(dict(self.layout.month_map), value=stripped(sa.cast(column, sa.String)),
                           else_=year * 12 + month - 1)
        if self.dialect is not None and self.dialect.name == "duckdb" and not self.layout.month_is_date:
            # as written: DuckDB casts a TIMESTAMP_NS to a DATE through microseconds, rounding 2026-01-31
            # 23:59:59.999999999 (a pandas period's end) up to February; a zoned one in the session's zone
            # ([calendar] timezone)
            return _from_yyyymm(sa.cast(sa.func.strftime(column, "%Y%m"), sa.Integer))
        # as a date: a timestamp of any precision alike, a zoned one in the session's zone ([calendar] timezone)
        day = sa.cast(column, sa.Date) if self.layout.month_zone is None else sa.func.date(
            column, sa.literal(self.layout.month_zone, sa.String))  # BigQuery: DATE(ts, zone)
        if self.dialect is not None and self.dialect.name == "postgresql":
            # date_part's double, not EXTRACT's NUMERIC (PostgreSQL 14 and later): a third of the cost a row
            year, month = (sa.cast(sa.func.date_part(part, day), sa.Integer) for part in ("year", "month"))
        else:
            year = sa.cast(sa.extract("year", day), sa.Integer)
            month = sa.cast(sa.extract("month", day), sa.Integer)
        return year * 12 + month - 1

    @functools.cached_property
    def base(self) -> sa.CTE:
        """One figure per customer and month: its rows summed, or the row itself in a table checked to have one
        (grouping millions of pairs that are already one row each costs PostgreSQL a sort spilled to disk)."""
        r = self.rows.c
        if self.layout.single:
            return sa.select(r.c, r.mi, r.cents).cte("nrr_base")
        return (sa.select(r.c, r.mi, sa.func.sum(r.cents).label("cents")).group_by(r.c, r.mi).cte("nrr_base"))

    def values(self, column: int) -> sa.Subquery:
        """Each customer's value of attribute ``column`` in each month it has one (summed rows: the value of its
        largest row, ties by value)."""
        r = self.rows.c
        value = r[f"a{column}"]
        present = (self.present(column),)
        if self.layout.single:  # one row each: no ranking (a sort of the whole table)
            return sa.select(r.c, r.mi, value.label("v")).where(*present).subquery()
        ranked = sa.select(r.c, r.mi, value.label("v"), sa.func.row_number().over(
            partition_by=(r.c, r.mi), order_by=(r.cents.desc(), self.in_code_order(value))).label("rn")).where(
            *present).subquery()
        return sa.select(ranked.c.c, ranked.c.mi, ranked.c.v).where(ranked.c.rn == 1).subquery()

    def in_code_order(self, text: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        """``text`` sorted as Python sorts it, by code point, as the file reader breaks ties: PostgreSQL's default
        collation (en_US, an ICU one) sorts 'alpha' before 'Zeta'; "C" sorts by code point, as DuckDB does."""
        return sa.collate(text, "C") if self.dialect is not None and self.dialect.name == "postgresql" else text

    def present(self, column: int) -> sa.ColumnElement[bool]:
        """Whether attribute ``column`` has a value: not NULL, not blank as ``str.strip`` sees it. SQL's ``trim``
        takes off only spaces: the few values it leaves that are only a tab or a no-break space are found once,
        among the distinct values (a trim by all 29 of Python's spaces on every row cost DuckDB 3 s of a 3.4M-row
        answer by segment)."""
        value = self.rows.c[f"a{column}"]
        plain = sa.and_(value.is_not(None), sa.func.trim(value) != "")
        if column not in self._odd:
            self._odd[column] = sorted(str(v) for (v,) in self.run(sa.select(value).where(plain).distinct())
                                       if not str(v).strip())
        odd = self._odd[column]
        return sa.and_(plain, value.not_in(odd)) if odd else plain

    def value_then(self, column: int, month: int) -> sa.Subquery:
        """Each customer's value of attribute ``column`` in ``month`` (``CustomerTable.value_at``): blank, the latest
        before, else the first. The month is found by grouping, so only that month's rows are ranked (not every row:
        the table's sort would cost most of a segment's answer)."""
        r = self.rows.c
        value = r[f"a{column}"]
        present = self.present(column)
        chosen = (sa.select(r.c, sa.func.coalesce(sa.func.max(sa.case((r.mi <= month, r.mi))),
                                                  sa.func.min(r.mi)).label("mi"))
                  .where(present).group_by(r.c).subquery())
        joined = self.rows.join(chosen, sa.and_(chosen.c.c == r.c, chosen.c.mi == r.mi))
        if self.layout.single:  # the month's one row
            return sa.select(r.c, value.label("v")).select_from(joined).where(present).subquery()
        ranked = (sa.select(r.c, value.label("v"), sa.func.row_number().over(
            partition_by=r.c, order_by=(r.cents.desc(), self.in_code_order(value))).label("rn")).select_from(joined)
            .where(present)
            .subquery())
        return sa.select(ranked.c.c, ranked.c.v).where(ranked.c.rn == 1).subquery()

    def segment_of(self, column: int, month: int) -> sa.Subquery:
        """The customers paying in ``month`` with their value then: blank, the latest before, else the first."""
        then = self.value_then(column, month)
        b = self.base.c
        paying = sa.select(b.c).where(b.mi == month, b.cents > 0).subquery()
        return (sa.select(paying.c.c, then.c.v).select_from(paying.outerjoin(then, then.c.c == paying.c.c))
                .subquery())

    def members(self, where: Filter) -> sa.Select[Any]:
        column, month, values = where
        seg = self.segment_of(column, month)
        return sa.select(seg.c.c).where(holds(seg.c.v, values))


def holds(value: sa.ColumnElement[Any], values: frozenset[str | None]) -> sa.ColumnElement[bool]:
    """Whether ``value`` is one of ``values`` (None: no value), as a ``Filter`` names a segment's."""
    named = [v for v in values if v is not None]
    test: sa.ColumnElement[bool] = value.in_(named) if named else sa.false()
    return sa.or_(test, value.is_(None)) if None in values else test


def cents_limit(written_in_cents: bool = False) -> int:
    """The largest figure nrr reads (``engine.MONEY_LIMIT``), in cents."""
    return int(MONEY_LIMIT) * (1 if written_in_cents else 100)


def _cohort_rows(b: sa.Subquery, a_: int, b_: int, top: int, group: sa.ColumnElement[int] | None = None,
                 members: sa.Subquery | None = None) -> sa.Select[Any]:
    """The statement for a cohort's sums and top movers: each customer's two months (``a_``, ``b_``) summed once,
    the cohort's sums carried by every row (window sums over all of it), the movers ranked by kind; the rows that
    come back are the top ``top`` of each kind (ties included) and the first customer, for the sums. With
    ``group`` (a column of ``members``, joined on the customer): one cohort per group, each row ending with its
    group, the windows partitioned by it."""
    each = (sa.select(b.c.c, sa.func.sum(sa.case((b.c.mi == a_, b.c.cents), else_=0)).label("s"),
                      sa.func.sum(sa.case((b.c.mi == b_, b.c.cents), else_=0)).label("e"))
            .where(b.c.mi.in_([a_, b_])).group_by(b.c.c).subquery())
    if group is None or members is None:
        q = sa.select(each).where(each.c.s > 0).subquery()
    else:
        q = (sa.select(each, group.label("nrr_segment")).select_from(each.join(members, members.c.c == each.c.c))
             .where(each.c.s > 0, group.is_not(None)).subquery())
    by = () if group is None else (q.c.nrr_segment,)
    s, e = q.c.s, q.c.e
    sums = (sa.func.count(), sa.func.sum(sa.case((e > 0, 1), else_=0)), sa.func.sum(s), sa.func.sum(e),
            sa.func.sum(sa.case((e < s, e), else_=s)), sa.func.sum(sa.case((e > s, e - s), else_=0)),
            sa.func.sum(sa.case((sa.and_(e > 0, e < s), s - e), else_=0)),
            sa.func.sum(sa.case((e == 0, s), else_=0)))
    kind = sa.case((e == s, sa.null()), (e == 0, "churn"), (e < s, "contraction"), else_="expansion")  # NULL: kept
    amount = sa.case((e == 0, s), (e < s, s - e), else_=e - s)
    ranked = sa.select(q.c.c, kind.label("kind"), amount.label("amount"),
                       sa.func.rank().over(partition_by=(*by, kind), order_by=amount.desc()).label("r"),
                       sa.func.row_number().over(partition_by=by or None, order_by=q.c.c).label("n"),
                       *(total.over(partition_by=by or None).label(f"t{i}") for i, total in enumerate(sums)),
                       *by).subquery()
    return sa.select(*ranked.c).where(
        sa.or_(sa.and_(ranked.c.kind.is_not(None), ranked.c.r <= top), ranked.c.n == 1))


@dataclass(eq=False, kw_only=True)
class Siblings:
    """The segments of one table by one attribute's value in one month (``WarehouseTable.segments``): a cohort
    asked of one of them is summed for all of them in one statement, which finds each customer's value then once
    (the table's largest pass) instead of once a segment; each segment's rows are kept for when it is asked."""

    parent: WarehouseTable
    column: int
    month: int
    filters: tuple[Filter, ...]
    _rows: dict[tuple[int, int], tuple[int, dict[Filter, list[Any]]]] = field(default_factory=dict)

    def cohort_rows(self, where: Filter, a_: int, b_: int, top: int) -> list[Any]:
        """The rows ``_cohort_rows`` gives for the segment ``where``, from the one statement for every segment."""
        asked, by_filter = self._rows.get((a_, b_), (None, {}))
        if asked is None or asked < top:
            query = self.parent.query
            seg = query.segment_of(self.column, self.month)
            group = sa.case(*((holds(seg.c.v, values), i) for i, (_, _, values) in enumerate(self.filters)),
                            else_=sa.null())
            by_filter = {where: [] for where in self.filters}
            for *row, g in query.run(_cohort_rows(self.parent._base(), a_, b_, top, group, seg)):
                by_filter[self.filters[int(g)]].append(tuple(row))
            self._rows[a_, b_] = (top, by_filter)
        return by_filter.get(where, [])


#: the characters Python's ``str.strip`` takes off (``str.isspace``): a cell of only these is blank, as the row reader
#: reads it (SQL's one-argument ``trim`` takes off only spaces: a tab or a no-break space would be a value)
SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
          "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def as_text(column: sa.ColumnElement[Any], floats: bool = False) -> sa.ColumnElement[Any]:
    """A key, name or attribute column as text, as the row reader reads a cell: with ``floats``, a whole number
    is written without its ``.0`` (1001.0 is 1001, as a sheet's number is; DuckDB would write 1001.0)."""
    text = sa.cast(column, sa.String)
    if not floats:
        return text
    whole = sa.and_(column == sa.func.floor(column), sa.func.abs(column) < 10 ** 15)
    return sa.case((whole, sa.cast(sa.cast(column, sa.BigInteger), sa.String)), else_=text)


def key_text(table: Any, lay: Layout) -> sa.ColumnElement[Any]:
    """The customer column as text, as the row reader reads a key: a float's whole number without its ``.0``, and
    in a text column of whole numbers (``lay.whole_keys``), ``1001.0`` as ``1001``."""
    text = as_text(table.c[lay.key], lay.key in lay.floats)
    return sa.func.regexp_replace(stripped(text), r"\.0+$", "") if lay.whole_keys else text


def _from_yyyymm(number: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    """Months since year 0 (``Month.index``) from a whole number written YYYYMM (202603)."""
    part = sa.func.mod(number, 100, type_=sa.Integer)
    return sa.cast((number - part) / 100, sa.Integer) * 12 + part - 1


def stripped(text: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``text`` without the spaces around it, as ``str.strip`` takes them off."""
    return sa.func.trim(text, sa.literal(SPACES, sa.String))


def filled(column: sa.ColumnElement[Any], text: bool = False) -> sa.ColumnElement[bool]:
    """Whether a cell holds something, as the row reader sees it: not NULL, and in a text column not only spaces
    (a staging table loaded from a CSV keeps a blank cell as '')."""
    return sa.and_(column.is_not(None), stripped(sa.cast(column, sa.String)) != "") if text else column.is_not(None)


def cents(column: sa.ColumnElement[Any], written_in_cents: bool = False, floats: bool = False,
          text: bool = False) -> sa.ColumnElement[int]:
    """A figure in integer cents, rounded half away from zero as the row reader rounds; blank is 0.
    ``written_in_cents``: the column holds cents already (``mrr_cents``); ``floats``: it holds REAL or DOUBLE
    values; ``text``: it is text, a cell of only spaces blank."""
    if text:  # the cell itself unless blank: a type read back as text (PostgreSQL's MONEY) casts as it is
        column = sa.case((stripped(sa.cast(column, sa.String)) == "", sa.null()), else_=column)
    # 29 whole digits (BigQuery's NUMERIC allows no more); a figure above the largest nrr reads (10^15, 10^17
    # cents) is held just above it, so the checks refuse it naming it, and no cast to an integer overflows
    over = cents_limit(written_in_cents)
    scaled: sa.ColumnElement[Any]
    if floats:  # REAL, DOUBLE
        # a figure of at most two decimals, as nearly all are: its cents at the float's speed, exactly (a float
        # within a millionth of a whole number of cents, below 10^13 cents, is that number as written, whatever
        # more digits its shortest text has); any other as the shortest decimal that is the float, as written,
        # rounded once (a third of the time again in DuckDB, through text). Infinity and NaN (above every number
        # in both databases) are held above the limit; the constants are written into the SQL (bound as NUMERIC,
        # DuckDB's driver sent the held value as a float, 10^17, and the figure passed the check)
        floated = column if written_in_cents else column * 100
        quick = sa.func.round(floated)
        written = _AsWritten(column)
        scaled = sa.case(
            (sa.and_(sa.func.abs(floated) < sa.literal_column("1e13"),
                     sa.func.abs(floated - quick) < sa.literal_column("1e-6")), sa.cast(quick, sa.BigInteger)),
            (sa.func.abs(column) > sa.literal_column(f"{over:.0e}"), sa.literal_column(str(over + 1), sa.BigInteger)),
            else_=written if written_in_cents else written * 100)
        figure = column
    else:
        figure = _Exact(column)
        scaled = figure if written_in_cents else figure * 100
    # the limit checked on the figure as written, not on its cents: the database works out ``scaled`` (a NUMERIC
    # product, or the CASE above) once a row instead of three times (a third of a PostgreSQL statement's time); the
    # same test (x * 100 > 10^17 exactly when x > 10^15, in decimals and, rounding being monotonic, in floats). A
    # figure past it either way is held above it, so the check names it as written, as a file's is named (held
    # below, -5e15 was said to be "-1,000,000,000,000,000.01, negative")
    limit = over if written_in_cents else over // 100
    held = sa.case((sa.func.abs(figure) > limit, over + 1), else_=sa.func.round(scaled))
    return sa.func.coalesce(sa.cast(held, sa.BigInteger), 0)


class _Exact(FunctionElement[Any]):
    """A figure as exact as it is written, so it is rounded to the cent once, as the row reader rounds its digits:
    every digit in PostgreSQL (NUMERIC without a scale), 18 decimals in DuckDB (its widest decimal has 38 digits;
    a figure past 10^17, which nrr refuses, is held there, so nothing overflows), 6 elsewhere (BigQuery's NUMERIC
    has 29 whole digits). A scale of 6 everywhere had read 16.044999999999998 (192.54 / 12 in floating point, as a
    dbt model writes an ARR's month) as 16.045000, then rounded it up to 16.05 where the row reader reads 16.04."""

    type = sa.Numeric(35, 6)
    name = "nrr_exact"
    inherit_cache = True


#: the type that keeps every digit a figure is written with, by dialect; elsewhere NUMERIC(35, 6)
_EXACT = {"postgresql": "NUMERIC", "duckdb": "DECIMAL(38, 18)"}
#: the other customers with a name a mover is shown with, named by key in a statement; more are asked by subquery
_NAMED_OTHERS = 1000
_HELD = 10 ** 17 + 1  # above every limit (``cents_limit``), in units or in cents: refused, naming it


@compiles(_Exact)
def _exact(element: _Exact, compiler: Any, **kw: Any) -> str:
    (x,) = element.clauses
    name, written = compiler.dialect.name, compiler.process(x, **kw)
    if name not in _EXACT:
        return f"CAST({written} AS NUMERIC(35, 6))"
    if name == "duckdb":  # a figure past 10^17 would overflow the decimal: held apart
        return (f"CASE WHEN abs(TRY_CAST({written} AS DOUBLE)) > 1e17 THEN {_HELD} "
                f"ELSE CAST({written} AS {_EXACT[name]}) END")
    return f"CAST({written} AS {_EXACT[name]})"


class _AsWritten(FunctionElement[Any]):
    """A REAL or DOUBLE figure as the decimal it was written as: through its shortest text where the database writes
    floats that way (PostgreSQL 12+, DuckDB), so a REAL 123456.78 is 123456.78, not 123457 (PostgreSQL casts a
    REAL to NUMERIC at 6 significant digits, a DOUBLE at 15); elsewhere cast directly."""

    type = sa.Numeric(35, 6)
    name = "nrr_as_written"
    inherit_cache = True


@compiles(_AsWritten)
def _as_written(element: _AsWritten, compiler: Any, **kw: Any) -> str:
    (x,) = element.clauses  # at most 10^17 (``cents`` holds a larger one apart): it fits DuckDB's decimal
    name = compiler.dialect.name
    if name not in _EXACT:
        return str(compiler.process(sa.cast(x, sa.Numeric(35, 6)), **kw))
    return f"CAST(CAST({compiler.process(x, **kw)} AS VARCHAR) AS {_EXACT[name]})"


class _SquareOver(FunctionElement[Any]):
    """``x² × k // y`` for integers x, k and y > 0, exactly, however large ``x²`` grows: each dialect's own integer
    division over 38-digit (or larger) integers, so every database rounds it down alike."""

    type = sa.Numeric(38, 0)
    name = "nrr_square_over"
    inherit_cache = True


def _square_over_parts(element: _SquareOver, compiler: Any, **kw: Any) -> tuple[str, str, str]:
    x, k, y = (f"({compiler.process(clause, **kw)})" for clause in element.clauses)
    return x, k, y


@compiles(_SquareOver)
def _square_over(element: _SquareOver, compiler: Any, **kw: Any) -> str:  # Snowflake: NUMBER(38, 0), exact MOD
    x, k, y = _square_over_parts(element, compiler, **kw)
    product = f"(CAST({x} AS NUMERIC(38, 0)) * {x} * {k})"
    return f"(({product} - MOD({product}, {y})) / {y})"


@compiles(_SquareOver, "postgresql")
def _square_over_postgresql(element: _SquareOver, compiler: Any, **kw: Any) -> str:
    x, k, y = _square_over_parts(element, compiler, **kw)
    return f"div(CAST({x} AS NUMERIC) * {x} * {k}, {y})"


@compiles(_SquareOver, "duckdb")
def _square_over_duckdb(element: _SquareOver, compiler: Any, **kw: Any) -> str:
    x, k, y = _square_over_parts(element, compiler, **kw)
    return f"((CAST({x} AS HUGEINT) * {x} * {k}) // {y})"


@compiles(_SquareOver, "bigquery")
def _square_over_bigquery(element: _SquareOver, compiler: Any, **kw: Any) -> str:
    x, k, y = _square_over_parts(element, compiler, **kw)
    return f"DIV(CAST({x} AS BIGNUMERIC) * {x} * {k}, {y})"


def _int(value: object) -> int:
    return 0 if value is None else int(value)  # type: ignore[call-overload]


class _Spellings(Mapping[str, Mapping[str, str]]):
    """Each attribute column's values spelled as most of its cells spell them, counted by the database when a
    column is first asked about."""

    def __init__(self, table: WarehouseTable) -> None:
        self._table = table

    def __getitem__(self, column: str) -> Mapping[str, str]:
        return self._table.spelled(column)

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.attribute_names)

    def __len__(self) -> int:
        return len(self._table.attribute_names)


@dataclass(frozen=True, eq=False, kw_only=True)
class WarehouseTable:
    """A customer table in a database (``engine.CustomerAggregates``): asked for sums, never read row by row.

    ``filters`` narrow it to a segment's customers; a table with ``none`` has no customers at all.
    """

    query: Query = field(repr=False)
    first: Month
    count: int
    currency: str | None = None
    filters: tuple[Filter, ...] = ()
    none: bool = False
    #: the segments this table is one of (``segments``), whose cohorts are summed in one statement for them all
    siblings: Siblings | None = field(default=None, repr=False, compare=False)
    #: each cohort's rows (``cohort_sums``) by its months, with the ``top`` they were asked for: a smaller top is a
    #: subset of them
    _cohorts: dict[tuple[int, int], tuple[int | None, list[Any]]] = field(default_factory=dict, init=False, repr=False,
                                                                   compare=False)
    #: an attribute's spellings (by its name) and its segments (by name and month), as first worked out
    _spelled: dict[str, Mapping[str, str]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _segmented: dict[tuple[str, Month], Mapping[str, WarehouseTable]] = field(default_factory=dict, init=False,
                                                                               repr=False, compare=False)

    @property
    def unit(self) -> Unit:
        return self.query.layout.unit

    @property
    def attribute_names(self) -> tuple[str, ...]:
        return self.query.layout.attributes

    @property
    def key_headers(self) -> tuple[str, ...]:
        lay = self.query.layout
        return (lay.key,) if lay.name is None else (lay.key, lay.name)

    @property
    def summed_by(self) -> str | None:
        return self.query.layout.distinguisher

    @property
    def last(self) -> Month:
        return self.first + (self.count - 1)

    def __contains__(self, month: object) -> bool:
        return isinstance(month, Month) and self.first <= month <= self.last

    def index(self, month: Month) -> int:
        return month - self.first

    def attribute(self, column: str) -> str | None:
        return named_attribute(self.attribute_names, column)

    def _base(self) -> sa.Subquery:
        """The customer-month figures of this table's customers."""
        b = self.query.base
        chosen = sa.select(b.c.c, b.c.mi, b.c.cents)
        if self.none:
            chosen = chosen.where(sa.false())
        for where in self.filters:
            chosen = chosen.where(b.c.c.in_(self.query.members(where)))
        return chosen.subquery("nrr_customers")

    @functools.cached_property
    def customer_count(self) -> int:
        b = self._base()
        return _int(next(iter(self.query.run(sa.select(sa.func.count(sa.distinct(b.c.c))))), (0,))[0])

    @functools.cached_property
    def totals(self) -> dict[int, int]:
        if "_monthly" in self.__dict__:  # the movements' pass summed them too
            return {mi: sums[-1] for mi, sums in self._monthly.items()}
        b = self._base()
        return {int(mi): _int(total) for mi, total in
                self.query.run(sa.select(b.c.mi, sa.func.sum(b.c.cents)).group_by(b.c.mi))}

    def total(self, month: Month) -> int:
        return self.totals.get(month.index, 0)

    @functools.cached_property
    def _monthly(self) -> dict[int, list[int]]:
        """Each month's expansion, contraction, churn, reactivation and new money against the month before, the
        churn the month after (a customer's paying row followed by no row), and the month's total: one pass of one
        window over the customers' months, classifying each customer-month once: the figure before (0 when the
        customer has no row then) and whether it had paid before (new or reactivation)."""
        b = self._base()
        order = b.c.mi
        w = sa.select(b.c.mi, b.c.cents,
                      sa.func.lag(b.c.mi).over(partition_by=b.c.c, order_by=order).label("pmi"),
                      sa.func.lag(b.c.cents).over(partition_by=b.c.c, order_by=order).label("pcents"),
                      # the first paying month up to this one: in a paying month, the customer's first (the
                      # same window as the two above, so the database sorts and walks the rows once, not twice)
                      sa.func.min(sa.case((b.c.cents > 0, b.c.mi))).over(partition_by=b.c.c, order_by=order)
                      .label("fp")).subquery()
        prev = sa.case((w.c.pmi == w.c.mi - 1, w.c.pcents), else_=0)
        moved = sa.select(w.c.mi, prev.label("prev"), w.c.cents.label("now"), w.c.fp).subquery()
        p, n, mi = moved.c.prev, moved.c.now, moved.c.mi

        def total(condition: sa.ColumnElement[bool], amount: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
            return sa.func.sum(sa.case((condition, amount), else_=0))

        # the churn the month after: a month's paying money less the part of it the next month's rows follow (the
        # figure before of a row whose month before was paid), so no window looks ahead (a fourth window function,
        # a fifth of the pass)
        summed = sa.select(mi, total(sa.and_(p > 0, n > p), n - p), total(sa.and_(p > 0, n > 0, n < p), p - n),
                           total(sa.and_(p > 0, n == 0), p), total(sa.and_(p == 0, n > 0, moved.c.fp < mi), n),
                           total(sa.and_(p == 0, n > 0, moved.c.fp == mi), n), total(n > 0, n),
                           sa.func.sum(n), total(p > 0, p)).group_by(mi)
        sums = {int(month): [_int(a) for a in amounts] for month, *amounts in self.query.run(summed)}
        followed = {month: amounts.pop() for month, amounts in sums.items()}
        for month, amounts in sums.items():
            amounts[5] -= followed.get(month + 1, 0)
        return sums

    @functools.cached_property
    def movements(self) -> tuple[MonthMovements, ...]:
        """Each month's movements against the month before; churn is also the month after a customer's last paying
        row, when no row says 0."""
        out = []
        for i in range(1, self.count):
            month = self.first + i
            expansion, contraction, churn, reactivation, new, _, _ = self._monthly.get(month.index, [0] * 7)
            churn += self._monthly.get(month.index - 1, [0] * 7)[5]
            out.append(MonthMovements(month=month, start=self.total(month - 1), expansion=expansion,
                                      contraction=contraction, churn=churn, new=new, reactivation=reactivation))
        return tuple(out)

    def cohort_sums(self, before: Month, last: Month, top: int) -> CohortSums:
        """The cohort's sums and its top movers in one statement (``_cohort_rows``); a segment's are summed with its
        siblings' in one statement for them all (``Siblings``)."""
        a_, b_ = before.index, last.index
        asked, rows = self._cohorts.get((a_, b_), (None, []))
        if asked is None or asked < top:
            if self.siblings is not None and self.filters and self.filters[-1] in self.siblings.filters:
                rows = self.siblings.cohort_rows(self.filters[-1], a_, b_, top)
            else:
                rows = self.query.run(_cohort_rows(self._base(), a_, b_, top))
            self._cohorts[a_, b_] = (top, rows)
        if not rows:
            return NO_COHORT
        customers, *rest = (_int(v) for v in rows[0][5:])
        picked = [(key, kind_, value) for key, kind_, value, r, *_ in rows if kind_ is not None and int(r) <= top]
        movers: dict[str, list[tuple[int, str]]] = {"churn": [], "contraction": [], "expansion": []}
        names = self.names([row[0] for row in picked])
        for key, kind_, value in picked:
            movers[kind_].append((_int(value), names.get(key, key)))
        retained, start, end, kept, expansion, contraction, churn = rest
        return CohortSums(customers=customers, retained=retained, start=start, end=end, kept=kept, expansion=expansion,
                          contraction=contraction, churn=churn, movers={k: tuple(v) for k, v in movers.items()})  # type: ignore[misc]

    def names(self, keys: Sequence[str]) -> dict[str, str]:
        """Each key's name as most of its rows write it (ties: the first in sort order), as the row reader names
        customers; the key itself when the table has no name column."""
        if self.query.layout.name is None or not keys:
            return {k: k for k in keys}
        r = self.query.rows.c
        counts = self.query.run(sa.select(r.c, r.nm, sa.func.count())
                                .where(r.c.in_(sorted(set(keys))), r.nm.is_not(None)).group_by(r.c, r.nm))
        best: dict[str, tuple[int, str]] = {}
        for key, name, n in counts:
            if not str(name).strip():
                continue
            if key not in best or (-n, name) < (-best[key][0], best[key][1]):
                best[key] = (int(n), str(name))
        named = {k: best[k][1] if k in best else k for k in keys}
        # a name another customer is shown with too is shown with the key (``CustomerTable.labels``): each customer
        # that has a row with a name asked about is named as above, and only those are compared
        asked = sorted({best[k][1].strip(" ") for k in keys if k in best})  # "Acme " reads as Acme
        shared: set[str] = set()
        if asked:
            # the keys asked about are named above; the other customers with a row so named are found in one pass,
            # and only when there are some are their names counted (a second pass of the table: 1 s of 2.2M rows
            # in PostgreSQL, once a cohort and segment), a few at a time by key, or all at once when they are many
            theirs = dict(best)
            others = sa.select(r.c).where(sa.func.trim(r.nm).in_(asked), r.c.not_in(sorted(best))).distinct()
            found = [key for (key,) in self.query.run(others.limit(_NAMED_OTHERS + 1))]
            if found:
                which = r.c.in_(found) if len(found) <= _NAMED_OTHERS else r.c.in_(others.scalar_subquery())
                for key, name, n in self.query.run(sa.select(r.c, r.nm, sa.func.count())
                                                   .where(which, r.nm.is_not(None)).group_by(r.c, r.nm)):
                    if str(name).strip() and (key not in theirs or (-n, name) < (-theirs[key][0], theirs[key][1])):
                        theirs[key] = (int(n), str(name))
            seen: set[str] = set()
            for _, name in theirs.values():
                (shared if name.strip(" ") in seen else seen).add(name.strip(" "))
        return {k: customer_label(name, k, shared) for k, name in named.items()}

    @functools.cached_property
    def spellings(self) -> Mapping[str, Mapping[str, str]]:
        return _Spellings(self)

    def spelled(self, column: str) -> Mapping[str, str]:
        if column not in self._spelled:
            v = self.query.values(self.attribute_names.index(column))
            self._spelled[column] = usual_spellings((value, int(n)) for value, n in
                                                    self.query.run(sa.select(v.c.v, sa.func.count()).group_by(v.c.v)))
        return self._spelled[column]

    def segments(self, column: str, month: Month) -> Mapping[str, WarehouseTable]:
        # the same segments each time (kept with the table, and let go with it): a segment's cohort, asked again
        # for its benchmark over the same months, is answered from the first answer's rows, not by a second statement
        if (column, month) not in self._segmented:
            self._segmented[column, month] = self._segments(column, month)
        return self._segmented[column, month]

    def _segments(self, column: str, month: Month) -> Mapping[str, WarehouseTable]:
        position = self.attribute_names.index(column)
        seg = self.query.segment_of(position, month.index)
        b = self._base()
        counted = sa.select(seg.c.v, sa.func.count()).where(seg.c.c.in_(sa.select(b.c.c).where(b.c.mi == month.index)))
        spelled = self.spelled(column)
        groups: dict[str, set[str | None]] = defaultdict(set)
        for value, _ in self.query.run(counted.group_by(seg.c.v)):
            label = "(none)" if value is None else spelled.get(compared(value), "(none)")
            groups[label].add(value)
        wheres = [(position, month.index, frozenset(values)) for values in groups.values()]
        siblings = Siblings(parent=self, column=position, month=month.index, filters=tuple(wheres))
        return {label: dataclasses.replace(self._narrowed(where), siblings=siblings)
                for label, where in zip(groups, wheres, strict=True)}

    def _narrowed(self, where: Filter) -> WarehouseTable:
        return dataclasses.replace(self, filters=(*self.filters, where), siblings=None)

    def empty(self) -> WarehouseTable:
        return dataclasses.replace(self, none=True, siblings=None)

    def acquisitions(self) -> tuple[Acquisition, ...]:
        b = self._base()
        fp = sa.select(b.c.c, sa.func.min(b.c.mi).label("fp")).where(b.c.cents > 0).group_by(b.c.c).subquery()
        joined = (sa.select(fp.c.fp, b.c.mi, sa.func.sum(b.c.cents), sa.func.count())
                  .select_from(b.join(fp, b.c.c == fp.c.c)).where(b.c.mi >= fp.c.fp).group_by(fp.c.fp, b.c.mi))
        paid: dict[int, dict[int, int]] = defaultdict(dict)
        customers: dict[int, int] = {}
        for first, mi, total, n in self.query.run(joined):
            paid[int(first)][int(mi)] = _int(total)
            if mi == first:
                customers[int(first)] = int(n)
        last = self.last.index
        return tuple(Acquisition(Month.from_index(i), customers.get(i, 0),
                                 tuple(paid[i].get(m, 0) for m in range(i, last + 1))) for i in sorted(paid))

    def forecast_sums(self, month: Month, column: str | None, returns: int, window: int) -> ForecastSums:
        """A forecast's sums as of ``month`` (``engine.ForecastSums``), in one query over the customers' paying
        months: each with the month it follows and the one that follows it (a gap before: a return; after: a churn),
        summed by acquisition month, the size band of the customer's first month's cents, segment value, month and,
        for a return, the gap it ends (up to ``returns`` months: the money back after a churn)."""
        o, start, n = month.index, self.first.index, month - self.first + 1
        b = self._base()
        nz = sa.select(b.c.c, b.c.mi, b.c.cents).where(b.c.cents > 0, b.c.mi <= o).subquery()
        # the first paying month is the first row's (every row here pays): the same window as the others, so the
        # database sorts and walks the rows once (a minimum over the whole customer is a window of its own)
        w = sa.select(nz.c.c, nz.c.mi, nz.c.cents,
                      sa.func.first_value(nz.c.mi).over(partition_by=nz.c.c, order_by=nz.c.mi).label("fp"),
                      sa.func.first_value(nz.c.cents).over(partition_by=nz.c.c, order_by=nz.c.mi).label("fc"),
                      sa.func.lag(nz.c.mi).over(partition_by=nz.c.c, order_by=nz.c.mi).label("pmi"),
                      sa.func.lead(nz.c.mi).over(partition_by=nz.c.c, order_by=nz.c.mi).label("nmi"),
                      sa.func.lead(nz.c.cents).over(partition_by=nz.c.c, order_by=nz.c.mi).label("ncents")).subquery()
        after = sa.case((w.c.nmi == w.c.mi + 1, w.c.ncents), else_=0)
        came = w.c.pmi < w.c.mi - 1
        gone = sa.and_(w.c.mi < o, sa.or_(w.c.nmi.is_(None), w.c.nmi > w.c.mi + 1))
        recent = sa.and_(w.c.mi >= o - window, w.c.mi < o)
        gap = sa.case((sa.and_(came, w.c.mi - w.c.pmi - 1 <= returns), w.c.mi - w.c.pmi - 1))  # else NULL
        size = sa.case(*((w.c.fc < threshold, band) for band, threshold in enumerate(SIZE_BANDS)),
                       else_=len(SIZE_BANDS))  # engine.size_band of the first month's cents
        keys: list[sa.ColumnElement[Any]] = [w.c.fp, size, w.c.mi, gap]
        source: sa.FromClause = w
        value: sa.ColumnElement[Any] = sa.null()
        if column is not None:
            then = self.query.value_then(self.attribute_names.index(column), o)
            source, value = w.outerjoin(then, then.c.c == w.c.c), then.c.v
            keys.append(value)

        def total(condition: sa.ColumnElement[bool], amount: Any) -> sa.ColumnElement[Any]:
            return sa.func.sum(sa.case((condition, amount), else_=0))

        one = sa.literal(1, sa.BigInteger)
        summed = sa.select(w.c.fp, size, w.c.mi, gap, value, sa.func.sum(w.c.cents), total(w.c.mi == w.c.fp, 1),
                           total(came, w.c.cents), total(gone, w.c.cents), total(recent, after),
                           total(recent, _SquareOver(after - w.c.cents, sa.literal(1 << MOVED_BITS, sa.BigInteger),
                                                     w.c.cents)),
                           total(w.c.mi == o, 1), total(w.c.mi == o, _SquareOver(w.c.cents, one, one))
                           ).select_from(source).group_by(*keys)
        parts: dict[tuple[int, str | None, int], tuple[list[int], list[int], list[int], list[int]]] = {}
        paid = following = moved = customers = squares = 0
        back = [[0] * n for _ in range(returns + 1)]
        for fp, band, mi, k, segment, *sums in self.query.run(summed):
            money, first, came_back, churn, next_, moved_, paying, squared = (_int(v) for v in sums)
            i = int(mi) - start
            members, money_by, churned, returned = parts.setdefault(
                (int(fp) - start, None if segment is None else str(segment), int(band)),
                ([0], [0] * n, [0] * n, [0] * n))
            members[0] += first
            money_by[i] += money
            returned[i] += came_back
            if k is not None:
                back[int(k)][i] += came_back
            if churn:
                churned[i + 1] += churn
            if o - window <= int(mi) < o:
                paid += money
            following, moved, customers, squares = (following + next_, moved + moved_, customers + paying,
                                                    squares + squared)
        groups = tuple(CohortMonths(first=first, segment=value, size=band, members=members[0], money=tuple(money),
                                    churned=tuple(churned), returns=tuple(returned))
                       for (first, value, band), (members, money, churned, returned) in parts.items())
        return ForecastSums(groups=groups, back=tuple(map(tuple, back)), paid=paid, next=following, moved=moved,
                            customers=customers, squares=squares)
