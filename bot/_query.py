"""Parsing ``/nrr [PERIOD] [grr] [compare] [method=sum]``."""

from __future__ import annotations

from dataclasses import dataclass

from bot import _messages as say
from engine import METHODS, Method, QueryError


@dataclass(frozen=True)
class SlackQuery:
    """What a ``/nrr`` command asks for. ``period`` empty means "last month and the trailing year"."""

    period: str = ""
    grr_first: bool = False
    compare: bool = False
    method: Method | None = None
    help: bool = False


def parse_query(text: str) -> SlackQuery:
    """``"Q3 2026 grr compare"`` -> period ``Q3 2026`` with both flags; raises ``QueryError``."""
    words = text.strip().split()
    if [w.lower() for w in words] in (["help"], ["?"], ["-h"], ["--help"]):
        return SlackQuery(help=True)
    period: list[str] = []
    grr_first = compare = False
    method: Method | None = None
    for word in words:
        lower = word.lower()
        if lower == "grr":
            grr_first = True
        elif lower == "compare":
            compare = True
        elif lower.startswith("method="):
            value = lower.removeprefix("method=")
            if value not in METHODS:
                raise QueryError(say.unknown_option(word))
            method = "sum" if value == "sum" else "chained"
        elif "=" in word:
            raise QueryError(say.unknown_option(word))
        else:
            period.append(word)
    return SlackQuery(" ".join(period), grr_first, compare, method)
