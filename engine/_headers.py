"""Recognising the template's columns by name, whatever their case, order or wording, and the rows (Total,
Subtotal, Average) that sum the others, for the ledger's reader and the customer tables' alike."""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine._fields import Field, Unit

HEADER_SEARCH_ROWS = 30  # a title block above the header is common; beyond this, it is data

# a row whose month (a ledger's, a long customer table's) or customer is one of these sums or averages the others:
# counted, it would double them. The ledger and customer readers share this list.
_TOTAL_LABELS = {"total", "totals", "grand total", "sum", "subtotal", "sub total", "sub-total", "total mrr",
                 "total arr", "total revenue", "average", "avg", "mean", "median", "ytd", "ttm", "overall"}


def is_total_label(text: str) -> bool:
    """A customer or month cell that marks a total row: ``Total``, ``Grand total:``, ``SUBTOTAL``.

    >>> is_total_label(" Grand  Total: "), is_total_label("Total Wine & More")
    (True, False)
    """
    return " ".join(text.split()).casefold().rstrip(":").rstrip() in _TOTAL_LABELS



_MONTH_WORDS = {"month", "months", "date", "period", "reporting", "ending", "end", "start", "year"}
_FIELD_WORDS: dict[Field, set[str]] = {
    "start": {"start", "starting", "beginning", "begin", "opening", "bop", "initial"},
    "end": {"end", "ending", "closing", "eop", "final"},
    "expansion": {"expanded", "expansion", "expansions", "expand", "upsell", "upsells", "upgrade",
                  "upgrades", "upgraded"},
    "churn": {"churn", "churned", "lost", "cancelled", "canceled", "cancellation",
              "cancellations"},
    "downgrade": {"downgrade", "downgrades", "downgraded", "contraction", "contractions",
                  "contracted"},
}


# a money column is never a rate, and never a count unless it names its unit ("MRR from churned customers")
_RATE_WORDS = {"rate", "percent", "pct", "ratio", "percentage"}
_COUNT_WORDS = {"customers", "customer", "logos", "logo", "accounts", "account", "count", "users", "user",
                "seats", "seat", "number", "num", "qty", "quantity", "deals", "subscriptions", "subscribers"}


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    field: Field
    unit: Unit | None  # the unit the header names, if any


def _tokens(header: str) -> list[str]:
    text = header.lower().replace("%", " percent ")
    text = text.replace("monthly recurring revenue", "mrr").replace("annual recurring revenue", "arr")
    return re.findall(r"[a-z0-9]+", text)


def match_header(header: str) -> HeaderMatch | None:
    """The ledger field a column header names, or None for a column to keep aside.

    >>> match_header("Beginning ARR")
    HeaderMatch(field='start', unit='ARR')
    >>> match_header("NRR %")
    HeaderMatch(field='nrr', unit=None)
    """
    words = _tokens(header)
    if not words:
        return None
    seen = set(words)
    unit: Unit | None = "ARR" if "arr" in seen else "MRR" if "mrr" in seen else None
    if unit is None and seen & {"month", "date"} and seen <= _MONTH_WORDS:
        return HeaderMatch("month", None)
    if unit is None and seen <= {"period", "months"}:
        return HeaderMatch("month", None)
    if seen & {"nrr", "ndr", "nrrrate"} or (seen >= {"net", "retention"}):
        return HeaderMatch("nrr", None) if not seen & {"gross", "grr"} else None
    if seen & {"grr", "grrrate"} or (seen >= {"gross", "retention"}):
        return HeaderMatch("grr", None)
    if seen & _RATE_WORDS or (unit is None and seen & _COUNT_WORDS):
        return None
    hits = [f for f, keys in _FIELD_WORDS.items() if seen & keys]
    if len(hits) == 1:
        return HeaderMatch(hits[0], unit)
    return None
