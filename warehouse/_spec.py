"""Naming a warehouse table: ``postgresql://USER@HOST:PORT/DB#[SCHEMA.]TABLE``, ``FILE.parquet``,
``FILE.duckdb#TABLE``, ``bigquery://PROJECT/DATASET#TABLE``, ``snowflake://USER@ACCOUNT/DB/SCHEMA#TABLE``.

Recognising a spec imports nothing: SQLAlchemy loads only when a table is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from engine import password_unescaped, redact_url, url_has_secret
from warehouse import _messages as say
from warehouse._errors import WarehouseError

Kind = Literal["postgresql", "duckdb", "parquet", "bigquery", "snowflake"]

_SCHEMES: dict[str, Kind] = {"postgresql": "postgresql", "postgresql+psycopg": "postgresql", "postgres": "postgresql",
                             "bigquery": "bigquery", "snowflake": "snowflake", "duckdb": "duckdb"}
#: DuckDB's memory, first to last: a statement that runs out within one is run again within the next (None: DuckDB's
#: own default, 80% of the machine). Most of a large table's statements spill to disk within the first, so nrr's
#: memory stays near 200 MB; a few of DuckDB's operators cannot spill, and a table too big for the first gets the next
DUCKDB_MEMORY_LIMITS: tuple[str | None, ...] = ("64MB", "512MB", None)

#: the extra that installs each kind's driver
EXTRAS: dict[Kind, str] = {"postgresql": "postgres", "duckdb": "duckdb", "parquet": "duckdb", "bigquery": "bigquery",
                           "snowflake": "snowflake"}


@dataclass(frozen=True, kw_only=True)
class WarehouseSpec:
    """Where a customer table lives: the SQLAlchemy URL, the table (and schema), a label without secrets."""

    kind: Kind
    url: str
    table: str
    schema: str | None
    label: str
    path: Path | None = None  # a Parquet or DuckDB file

    @property
    def table_label(self) -> str:
        """The table as messages name it: a Parquet file by its name (its view's name is nrr's own)."""
        if self.kind == "parquet" and self.path is not None:
            return self.path.name
        return f"{self.schema}.{self.table}" if self.schema else self.table


def _scheme(spec: str) -> str:
    match = re.match(r"([a-z][a-z0-9+.-]*)://", spec.strip(), re.IGNORECASE)
    return match.group(1).lower() if match else ""


def is_warehouse_spec(spec: str) -> bool:
    """Whether ``spec`` names a database table or a Parquet/DuckDB file rather than a CSV, XLSX or sheet.

    >>> [is_warehouse_spec(s) for s in ("postgresql://nrr@db:5432/sales#mrr", "mrr.parquet", "w.duckdb#mrr",
    ...                                  "ledger.csv", "gsheet:abc")]
    [True, True, True, False, False]
    """
    text = spec.strip()
    if _scheme(text) in _SCHEMES:
        return True
    path = text.partition("#")[0].lower()
    return path.endswith((".parquet", ".duckdb"))


def parse_warehouse_spec(spec: str, base_dir: Path | None = None, *, secret: bool = False) -> WarehouseSpec:
    """The table ``spec`` names; ``WarehouseError`` when it names none, or holds a password and is not ``secret``
    (from the environment)."""
    text = spec.strip()
    scheme = _scheme(text)
    if scheme not in _SCHEMES:
        location, _, table = text.partition("#")
        path = Path(location).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if path.suffix.lower() == ".parquet":
            return WarehouseSpec(kind="parquet", url="duckdb:///:memory:", table="ledger", schema=None, label=text,
                                 path=path)
        if not table.strip():
            raise WarehouseError(say.no_table(text))
        schema, table_name = _split_table(table)
        return WarehouseSpec(kind="duckdb", url=f"duckdb:///{path}", table=table_name, schema=schema, label=text,
                             path=path)
    kind = _SCHEMES[scheme]
    location, _, table = text.partition("#")
    label = redact_url(text)  # said without its password, in the user part or the query (?password=)
    if url_has_secret(text) and not secret:
        raise WarehouseError(say.password_in_url(label))
    if password_unescaped(text):  # read otherwise, its pieces would be said as a host or a port
        raise WarehouseError(say.password_unescaped(label))
    try:
        _ = urlsplit(location).port  # a port that is no number (:abc, :54e2), an unclosed [::1
    except ValueError as exc:
        raise WarehouseError(say.url_unreadable(label, str(exc))) from None
    if kind == "duckdb":
        path = Path(location.split("://", 1)[1].lstrip("/") if location.startswith("duckdb:///") else "")
        if not table.strip():
            raise WarehouseError(say.no_table(label))
        schema, table_name = _split_table(table)
        return WarehouseSpec(kind="duckdb", url=location, table=table_name, schema=schema, label=label, path=path)
    if not table.strip():
        raise WarehouseError(say.no_table(label))
    if kind == "postgresql":
        location = "postgresql+psycopg://" + location.split("://", 1)[1]
    schema, table_name = _split_table(table)
    return WarehouseSpec(kind=kind, url=location, table=table_name, schema=schema, label=label)


def _split_table(text: str) -> tuple[str | None, str]:
    """``schema.table``, ``table``, or either part in double quotes as SQL writes a name (``"Finance Data"."MRR"``,
    ``""`` for a quote inside one); a name in quotes may hold a dot.

    >>> _split_table("finance.mrr"), _split_table('"Finance Data"."Customer MRR"'), _split_table('"a.b"')
    (('finance', 'mrr'), ('Finance Data', 'Customer MRR'), (None, 'a.b'))
    """
    text = text.strip()
    if not re.fullmatch(r'(("(?:[^"]|"")*"|[^".]*)\.)?("(?:[^"]|"")*"|[^".]*)', text) or '"' not in text:
        schema, dot, table = text.rpartition(".")  # written as is (a quote inside a name not in quotes is its own)
        return (schema or None) if dot else None, table
    parts, part, quoted, i = [], "", False, 0
    while i < len(text):
        ch = text[i]
        if ch == '"' and quoted and text[i + 1:i + 2] == '"':
            part, i = part + '"', i + 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(part)
            part = ""
        else:
            part += ch
        i += 1
    parts.append(part)
    return (".".join(parts[:-1]) or None) if len(parts) > 1 else None, parts[-1]
