"""The words a person reads about a warehouse source: what is wrong, where, and what to do."""

from __future__ import annotations

from collections.abc import Sequence

from engine import CellError, parse_month


def password_in_url(label: str) -> str:
    return (f"{label}: the URL holds a password. Keep it out of nrr.toml and the command line: set PGPASSWORD "
            "(PostgreSQL), or put the whole URL in an environment variable and name it as the source: "
            "source = \"env:NRR_WAREHOUSE_URL\".")


def password_unescaped(label: str) -> str:
    return (f"{label}: the password holds a character a URL must write percent-encoded (/ as %2F, ? as %3F, # as "
            "%23, @ as %40, [ and ] as %5B and %5D): encode it in the URL (for PostgreSQL, PGPASSWORD may hold it "
            "instead).")


def needs_extra(label: str, extra: str) -> str:
    return f"{label}: reading it needs the {extra} extra: pip install 'nrr[{extra}]'."


def no_table(label: str) -> str:
    return (f"{label}: name the table after #, as postgresql://user@host:5432/db#schema.table "
            "(or file.duckdb#table).")


def unreachable(label: str, reason: str | None) -> str:
    said = f" ({reason})" if reason is not None else ""
    return f"{label}: the database cannot be reached or refused the query{said}. Check the URL and access."


def table_missing(label: str, table: str) -> str:
    return f"{label}: there is no table {table}; check its name and schema, and that this user may read it."


def tables_alike(label: str, tables: Sequence[str]) -> str:
    """Two tables whose names differ only in case, neither the one asked for as written."""
    return (f"{label}: {' and '.join(tables)} both match the name but for its case; write the one meant after #, "
            "in quotes as listed here.")


def column_missing(label: str, role: str, columns: Sequence[str]) -> str:
    listed = ", ".join(columns)
    return (f"{label}: no column holds the {role} (its columns: {listed}). Name it in nrr.toml: "
            "[ledger] columns = {customer = \"...\", month = \"...\", mrr = \"...\"}.")


def months_as_columns(label: str, first: str, last: str) -> str:
    return (f"{label}: its columns are months ({first} to {last}), one per month; a database table is read in long "
            "form, one row per customer and month (customer, month, MRR). Unpivot it into that form (UNPIVOT in "
            "DuckDB, Snowflake and BigQuery; UNION ALL of one SELECT per month in PostgreSQL), or export it to a "
            "CSV file, which nrr reads with a column per month too.")


def column_unknown(label: str, role: str, name: str, columns: Sequence[str]) -> str:
    return (f"{label}: [ledger] columns names {name!r} as the {role}, but the table has no such column "
            f"({', '.join(columns)}).")


def column_twice(label: str, column: str, role: str, other: str) -> str:
    return (f"{label}: {column!r} is read as both the {role} and the {other}; a column holds one of them. Name "
            "each in [ledger] columns, such as {customer = \"acct\", month = \"m\", mrr = \"amount\"}.")


#: what a database's text figure should hold: a number it can read (not $100,000, which it cannot cast)
NUMBER_EXPECTED = "an amount such as 100000 or 100000.50"


def figure_not_money(label: str, column: str, value: object) -> str:
    kind = "yes/no values" if isinstance(value, bool) else "dates or times" if not isinstance(value, bytes) else \
        "binary data"
    return (f"{label}: {column}, read as the MRR, holds {kind} ({value!s}), not amounts. Name the MRR column in "
            "[ledger] columns = {mrr = \"...\"}.")


def month_not_a_date(label: str, column: str, value: object, customer: object = None) -> str:
    """``customer``: the key of a row whose month ``value`` is, named as a bad figure's customer is."""
    where = label if customer is None else f"{label}, customer '{customer!s}'"
    return (f"{where}: {column} holds {str(value)!r}, not a month; store a date (any day of the month), text such "
            "as 2026-03, or a number such as 202603.")


def zoned_months_off_midnight(column: str, example: str, zone: str) -> str:
    try:
        read = f" is read as {parse_month(example).name}"
    except CellError:
        read = ""
    return (f"{column} holds times with a time zone, all on the hour and none at midnight in {zone}, where they are "
            f"read ([calendar] timezone): {example}{read}. If they are months written at midnight in another zone, "
            "each is read a month early or late here: set [calendar] timezone in nrr.toml to that zone (Europe/Berlin, "
            "say).")


def month_texts_too_many(label: str, column: str, most: int, value: str) -> str:
    return (f"{label}: {column} holds more than {most:,} distinct texts that are not YYYY-MM (such as {value!r}), more "
            "than nrr reads one by one; store the month as a date (any day of the month), text such as 2026-03, or "
            "a number such as 202603.")


def not_a_number(label: str, column: str, value: str | None) -> str:
    held = f"holds {value!r}, which the database cannot read as a number" if value else \
        "holds text the database cannot read as a number"
    return (f"{label}: {column} {held}; store the MRR as a number (NUMERIC or DOUBLE, no currency sign or thousands "
            "separator), or export the table as CSV, which nrr reads with them.")


def row_without_month(label: str, count: int, customers: Sequence[str] = (), shown: int = 20) -> str:
    """``customers``: the rows' customers in order (up to ``shown``; one more if there are more)."""
    rows = "row has" if count == 1 else f"{count:,} rows have"
    named = ", ".join(f"'{c}'" for c in customers[:shown]) + (" and more" if len(customers) > shown else "")
    whose = f" (customer{'s' if len(customers) > 1 else ''} {named})" if customers else ""
    return (f"{label}: {rows} a customer and a figure but no month{whose}; fill in the month or delete the "
            f"row{'s' if count > 1 else ''}.")


def timed_out(label: str, seconds: float) -> str:
    return (f"{label}: a query ran past the statement timeout ({seconds:g} s); raise [ledger] statement_timeout in "
            "nrr.toml (seconds), or ask for a shorter table (a view of the months you need).")


def out_of_memory(label: str, in_process: bool, server: bool = False) -> str:
    """``in_process``: the table is answered by DuckDB inside nrr's process (a DuckDB or Parquet file); ``server``:
    the database server itself said it ran out (PostgreSQL's ``out of memory``), not nrr's process."""
    if server:
        return (f"{label}: the database server ran out of memory answering this table. Ask its administrator for "
                "more memory for queries (PostgreSQL: work_mem), or ask for a shorter table (a view of the months "
                "you need).")
    who = "DuckDB ran out of memory answering this table, even with the most memory nrr lets it use" if in_process \
        else "nrr ran out of memory reading this table's answers"
    return (f"{label}: {who}: the process reached its memory limit (ulimit -v, a container's limit) or the machine "
            "has no more. Run nrr with more memory, or ask for a shorter table (a view of the months you need).")


def unquotable_name(name: str) -> str:
    return (f"{name!r} holds a backtick, which BigQuery's SQLAlchemy dialect does not quote safely; rename the table "
            "or column, or give nrr a view whose names have none.")


def currencies_in_table(column: str, codes: Sequence[str]) -> str:
    return (f"The {column} column holds more than one currency ({', '.join(codes)}): a database's table is summed "
            "where it lives, and nrr cannot convert it there. Convert the amounts to one currency in the database "
            "(a view over the table), or export the table as CSV and give the rates in nrr.toml's [fx] section.")


def currency_not_converted(column: str, code: str, reporting: str) -> str:
    return (f"The {column} column says {code}, and nrr.toml's [fx] gives a rate for {code}: a file would be converted "
            f"into {reporting}, but a database's table is summed where it lives and cannot be. Convert the amounts to "
            f"{reporting} in the database (a view over the table), or export the table as CSV.")


def more_rows_out_of_range(table: str, more: int) -> str:
    return (f"{table}: ...and {more:,} more row{'' if more == 1 else 's'} whose figure is negative or above the "
            "largest nrr reads, not named here.")


def url_unreadable(label: str, why: str) -> str:
    return (f"{label}: the URL cannot be read ({why}); write it as postgresql://USER@HOST:PORT/DATABASE#TABLE, the "
            "port a number.")
