"""Recognising the template's columns by name, whatever their case, order or wording, and the rows (Total,
Subtotal, Average) that sum the others, for the ledger's reader and the customer tables' alike."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from engine._cells import is_error_value
from engine._fields import Field, Unit

HEADER_SEARCH_ROWS = 30  # a title block above the header is common; beyond this, it is data

# a row whose month (a ledger's, a long customer table's) or customer is one of these sums or averages the others:
# counted, it would double them. The ledger and customer readers share this list.
_TOTAL_LABELS = {"total", "totals", "grand total", "sum", "subtotal", "sub total", "sub-total", "total mrr",
                 "total arr", "total revenue", "average", "averages", "avg", "mean", "median", "ytd", "ttm", "overall",
                 "annual", "annualized", "annualised"}
#: a summary's average, and what it may be the average of (``Average NRR``) or over (``Monthly average``)
_AVERAGE = {"average", "averages", "avg", "mean", "median"}
_AVERAGE_OF = {"nrr", "grr", "ndr", "mrr", "arr", "rate", "rates", "retention", "net", "gross", "revenue", "%"}
_AVERAGE_OVER = {"monthly", "annual", "yearly", "quarterly", "overall", "weighted", "simple", "ttm", "ytd"}

#: the labels of one word (``Average``, ``YTD``) a total row may carry, for a source that finds candidates itself
TOTAL_WORDS = frozenset(label for label in _TOTAL_LABELS if " " not in label)

#: every total label (``Total``, ``Grand total:``, ``Avg``...) contains one of these, in any case: a reader looks at
#: the few values that match before asking ``is_total_label``
TOTAL_HINT = r"(?i)tot|sum|av|mean|median|ytd|ttm|overall|all|annual"
_HINTED = re.compile(TOTAL_HINT).search


#: ``Total X`` on a line of its own: X, perhaps a customer whose sub-customers' rows it sums (``subtotal_of``)
SUBTOTAL = re.compile(r"^[ \t]*total[ \t]+(\S.*)$", re.IGNORECASE | re.MULTILINE)


def subtotal_of(text: str) -> str | None:
    """X of a ``Total X`` cell (QuickBooks Desktop's subtotal under a parent's sub-customers), without its outer
    spaces; None for any other cell. It is a subtotal when X is another row's customer: the reader decides.

    >>> subtotal_of("Total Acme Holdings"), subtotal_of("Acme")
    ('Acme Holdings', None)
    """
    found = SUBTOTAL.fullmatch(text)
    return found[1].strip() if found else None


def any_total_label(values: Iterable[object]) -> bool:
    """Whether any of these cells reads as a total (``Total``, ``Grand total:``); a cell that is not text never
    does. Only the few holding one of a total's words are looked at closely."""
    return any(is_total_label(v) for v in values if type(v) is str and _HINTED(v))


def total_labels(values: Iterable[object]) -> set[str]:
    """The cells among ``values`` that read as totals, found as ``any_total_label`` finds one."""
    return {v for v in values if type(v) is str and _HINTED(v) and is_total_label(v)}


#: what a total's label may say after "Total" (``Total customers``, ``Total for 2025``): a company's name does not
_TOTAL_OF = {"customers", "accounts", "clients", "logos", "companies", "all", "mrr", "arr", "revenue", "for", "of"}
#: ``All customers``: every row above, summed
_ALL_OF = {"customers", "accounts", "clients", "logos", "companies", "segments"}
#: a period after "Total" (``Total 2025``, ``Total Q1``, ``Total FY26``)
_PERIOD = re.compile(r"\d{4}|\d{4}-\d{1,2}|q[1-4]|h[12]|fy\d{2}|fy\d{4}")


_MONTH_ABBR = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
#: a span of months where a month goes: a quarter, a half, a (fiscal) year, a range of months, with a year or not,
#: and a summary's word after it (``Q1 2025``, ``H1``, ``FY25 YTD``, ``2025``, ``Full year``, ``Jan-Mar 2025``)
_SPAN = re.compile(
    r"\s*(?:(?:(?:fy|cy)\s*'?)?(?:\d{4}|\d{2})\s*[-/ ]?\s*)?"
    r"(?:q[1-4]|h[12]|[1-4]q|(?:first|second|1st|2nd)\s+half|(?:full\s+)?year|fy\s*'?(?:\d{4}|\d{2})?|cy\s*(?:\d{4})?"
    rf"|{_MONTH_ABBR}\s*(?:-|–|—|to|through|thru)\s*{_MONTH_ABBR})"
    r"(?:\s*[-/ ]?\s*(?:fy|cy)?\s*'?(?:\d{4}|\d{2}))?(?:\s+(?:ytd|total|summary|to\s+date))?\s*:?\s*"
    r"|\s*(?:19|20)\d{2}(?:\s+(?:ytd|total|summary|to\s+date))?\s*", re.IGNORECASE)


#: a fiscal month (``FY25-03``, ``FY2025/03``): a month, not a span, however much it looks like ``FY25``
_FISCAL_MONTH = re.compile(r"\s*fy\s*'?(?:\d{4}|\d{2})\s*[-/.]\s*(?:p|m)?\d{1,2}\s*", re.IGNORECASE)


def is_period_label(text: str) -> bool:
    """A month cell that names a span of months, not a month: the row sums or averages the months above it.

    >>> [is_period_label(t) for t in ("Q1 2025", "FY25 YTD", "H1", "2025", "Jan-Mar 2025", "Full year", "2025-03")]
    [True, True, True, True, True, True, False]
    >>> is_period_label("FY25-03")
    False
    """
    return _SPAN.fullmatch(text) is not None and _FISCAL_MONTH.fullmatch(text) is None


def is_total_label(text: str) -> bool:
    """A customer or month cell that marks a total row: ``Total``, ``Grand total:``, ``SUBTOTAL``, a subtotal
    of a group as Excel's and Sheets' subtotals label it (``SMB Total``, ``Q1 Total``) or as people do
    (``Subtotal SMB``, ``Total customers``, ``Total 2025``, ``All customers``).

    >>> is_total_label(" Grand  Total: "), is_total_label("Subtotal SMB"), is_total_label("Enterprise Total")
    (True, True, True)
    >>> is_total_label("Total Wine & More"), is_total_label("TotalEnergies"), is_total_label("All Star Cheer")
    (False, False, False)
    >>> [is_total_label(t) for t in ("Average NRR", "Avg.", "Monthly average", "Total / Avg", "Average Joe's Gym")]
    [True, True, True, True, False]
    """
    words = " ".join(text.split()).casefold().rstrip(":.").rstrip()
    if words in _TOTAL_LABELS:
        return True
    if "/" in words and all(p.strip() in _TOTAL_LABELS for p in words.split("/")):  # Total / Avg
        return True
    parts = words.replace("(", " ").replace(")", " ").replace(":", " ").split()
    if len(parts) < 2:
        return False
    first, second, last = parts[0], parts[1], parts[-1]
    return (first in ("subtotal", "sub-total", "subtotals") or (first, second) == ("sub", "total")
            or (first in _AVERAGE and set(parts[1:]) <= _AVERAGE_OF)
            or (last in _AVERAGE and len(parts) == 2 and first in _AVERAGE_OVER)
            or last in ("total", "totals", "subtotal", "subtotals", "sub-total")
            or (first == "total" and (second in _TOTAL_OF or _PERIOD.fullmatch(second) is not None))
            or (first == "all" and len(parts) == 2 and second in _ALL_OF))



def holds_an_id(value: object) -> bool:
    """Whether a customer cell holds an ID of its own: a number, or text with a letter or digit that is not a
    total's label nor a placeholder (blank, a dash, ``Total``, ``n/a``, ``NULL``, ``#N/A`` or ``(blank)`` is none;
    fuzz 18: a Total row whose ID read n/a was a customer). A name that reads as a total (``Subtotal Labs``)
    beside one is a customer's; beside none, it marks a total row."""
    if value is None or isinstance(value, bool):
        return False
    if not isinstance(value, str):
        return True
    text = " ".join(value.split()).casefold()
    return (any(ch.isalnum() for ch in text) and text not in _NO_ID and not is_error_value(value)
            and not is_total_label(value))


#: what a customer cell holds where there is no customer: a placeholder or a pivot's blank (a spreadsheet's error,
#: #N/A or #REF!, is none either: ``is_error_value``)
_NO_ID = frozenset({"n/a", "na", "n.a.", "n.a", "nan", "none", "null", "nil", "(blank)", "(none)", "(empty)", "blank",
                    "all", "(all)", "σ", "∑"})


_MONTH_WORDS = {"month", "months", "date", "period", "reporting", "ending", "end", "start", "year"}
#: "month" in the languages whose Excel writes decimal commas most often
_MONTH_ABROAD = {"monat", "mois", "mes", "mese", "maand", "datum"}
_FIELD_WORDS: dict[Field, set[str]] = {
    "start": {"start", "starting", "beginning", "begin", "opening", "bop", "initial"},
    "end": {"end", "ending", "closing", "eop", "final"},
    "expansion": {"expanded", "expansion", "expansions", "expand", "upsell", "upsells", "upgrade",
                  "upgrades", "upgraded", "crosssell", "crosssells", "addon", "addons", "priceincrease",
                  "priceincreases", "priceuplift"},
    "churn": {"churn", "churned", "lost", "cancelled", "canceled", "cancellation",
              "cancellations"},
    "downgrade": {"downgrade", "downgrades", "downgraded", "contraction", "contractions",
                  "contracted", "downsell", "downsells", "downsold"},
}


#: words that put new customers' money in a column (``New + Expansion MRR``)
_NEW_WORDS = {"new", "acquisition", "acquired", "newbiz"}
#: new business joined to expansion: ``New + Expansion``, ``Expansion & New``, ``Upsell and new``, ``incl. new``
_JOINED_NEW = re.compile(
    r"(?i)\b(?:new|acquisition|acquired)\b\s*(?:\+|&|/|\band\b|\bplus\b)"
    r"|(?:\+|&|/|\band\b|\bplus\b|\bincl\b\.?|\bincluding\b|\bwith\b)\s*\(?\s*(?:new|acquisition|acquired)\b")

# a money column is never a rate, and never a count unless it names its unit ("MRR from churned customers")
_RATE_WORDS = {"rate", "percent", "pct", "ratio", "percentage"}
_COUNT_WORDS = {"customers", "customer", "logos", "logo", "accounts", "account", "count", "users", "user",
                "seats", "seat", "number", "num", "qty", "quantity", "deals", "subscriptions", "subscribers"}


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    field: Field
    unit: Unit | None  # the unit the header names, if any


def _tokens(header: str) -> list[str]:
    text = header.lower().replace("%", " percent ").replace("#", " number ")  # # Add-ons: a count
    text = text.replace("monthly recurring revenue", "mrr").replace("annual recurring revenue", "arr")
    text = _JOINED.sub(lambda m: m[1] + m[2], text)  # Cross-sell, Add-on, Price Increase: one word each
    return re.findall(r"[a-z0-9]+", text)


#: words of a rate over a year, not a month: NRR (TTM), LTM NRR, Annual NRR, NRR YoY
_TRAILING = {"ttm", "ltm", "trailing", "12m", "t12m", "l12m", "annual", "annualized", "annualised", "yoy", "yearly"}

_JOINED = re.compile(r"\b(cross|add|price)[\s_-]*(sells?|ons?|increases?|uplifts?)\b")


def mixes_new_business(header: str) -> bool:
    """A header that puts new customers' money with expansion (``New + Expansion MRR``, ``Expansion (incl. new)``):
    not Expanded MRR. ``Expansion MRR (new seats)`` is expansion: "new" qualifies what expanded."""
    seen = set(_tokens(header))
    return bool(seen & _FIELD_WORDS["expansion"] and seen & _NEW_WORDS) and _JOINED_NEW.search(header) is not None


#: a header that ends by saying when (Canceled At, churned_on, Churn Time): a date column (not Add-on Expansion)
_DATE_LAST = re.compile(r"(?i)(?:\b|_)(?:at|on|time|when)\W*$")


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
    if unit is None and seen & {"month", "date", *_MONTH_ABROAD} and seen <= _MONTH_WORDS | _MONTH_ABROAD:
        return HeaderMatch("month", None)  # (Monat, Mois, Mes: a European Excel's template in its own words)
    if unit is None and seen <= {"period", "months"}:
        return HeaderMatch("month", None)
    if (seen & {"nrr", "ndr", "nrrrate", "grr", "grrrate"} or seen >= {"net", "retention"}
            or seen >= {"gross", "retention"}) and (seen & _TRAILING or seen >= {"12", "month"}):
        return None  # NRR (TTM), Trailing 12M NRR: a year's rate, not the month's (checked as one: 13 warnings)
    if seen & {"nrr", "ndr", "nrrrate"} or (seen >= {"net", "retention"}):
        return HeaderMatch("nrr", None) if not seen & {"gross", "grr"} else None
    if seen & {"grr", "grrrate"} or (seen >= {"gross", "retention"}):
        return HeaderMatch("grr", None)
    if seen & _RATE_WORDS or (unit is None and seen & _COUNT_WORDS):
        return None
    if unit is None and (seen & {"date", "dates", "day", "timestamp"} or _DATE_LAST.search(header)):
        return None  # Contract Start Date, Canceled At, churned_on: a date, never a movement's money
    hits = [f for f, keys in _FIELD_WORDS.items() if seen & keys]
    if hits == ["expansion"] and mixes_new_business(header):
        return None  # New + Expansion MRR: new business is not retention
    if hits == ["churn"] and "net" in seen:
        return None  # Net MRR Churn: churn and contraction less expansion, a measure of its own, not churned money
    if len(hits) == 1:
        return HeaderMatch(hits[0], unit)
    return None
