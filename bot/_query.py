"""Parsing ``/nrr [PERIOD] [grr] [compare] [method=sum]`` and the customer-table words: ``movers``,
``who churned``, ``top expansion``, ``by COLUMN``, a segment's value (``enterprise``) and ``cohorts``.
The period may stand anywhere among them."""

from __future__ import annotations

from dataclasses import dataclass

from bot import _messages as say
from bot._errors import QueryRefused
from bot._mrkdwn import plain
from engine import METHODS, MOVER_KINDS, Method, MoverKind, whole_number

#: words that ask who moved the number, and which kind of move they mean
MOVER_WORDS: dict[str, tuple[MoverKind, ...]] = {
    "movers": MOVER_KINDS, "churned": ("churn",), "churn": ("churn",), "lost": ("churn",),
    "contracted": ("contraction",), "contraction": ("contraction",), "shrank": ("contraction",),
    "downgraded": ("contraction",), "expanded": ("expansion",), "expansion": ("expansion",), "grew": ("expansion",),
}
FILLER_WORDS = frozenset({"who", "top"})
#: the words the grammar reads as anything but a period or a segment's value (a segment named "Churn Risk" holds one)
KEYWORDS = frozenset({*MOVER_WORDS, *FILLER_WORDS, "by", "where", "grr", "compare", "cohorts", "cohort"})
#: quotes around a value or a column's name, as a terminal would need them ("Signup Month", 'Pro Plus')
QUOTES = "\"'“”‘’`"
MAX_TOP = 25
MAX_FORECAST_MONTHS = 120


@dataclass(frozen=True, kw_only=True)
class SlackQuery:
    """What a ``/nrr`` command asks for. ``period`` empty means "last month and the trailing year".

    ``movers`` the kinds of move to list (None: no list); ``by`` an attribute column to split by;
    ``where`` (column, value) one segment: asked as ``plan=Pro``, or by its value alone (``enterprise``), filled in
    once the table's values are known."""

    period: str = ""
    grr_first: bool = False
    compare: bool = False
    method: Method | None = None
    help: bool = False
    movers: tuple[MoverKind, ...] | None = None
    by: str | None = None
    where: tuple[str, str] | None = None
    cohorts: bool = False
    top: int | None = None  # ``top 10``: how many movers of each kind (default 5)
    forecast: Forecasting | None = None  # ``forecast [12 months] [target $2M by Dec 2027]``

    @property
    def customer_words(self) -> bool:
        """Whether the question needs a customer table (movers, segments, cohorts)."""
        return self.movers is not None or self.by is not None or self.where is not None or self.cohorts


@dataclass(frozen=True)
class Forecasting:
    """``/nrr forecast [N months] [target AMOUNT by MONTH]``: the months to project and the target, as typed."""

    months: int = 12
    target: tuple[str, str] | None = None  # (amount, month), read by the engine


def parse_forecast(words: list[str]) -> Forecasting:
    """``["12", "months", "target", "$2M", "by", "Dec", "2027"]`` -> 12 months, target ``$2M`` by ``Dec 2027``."""
    months, target = 12, None
    rest = list(words)
    if rest and (asked := whole_number(rest[0], 6)) is not None:  # forecast 18 (``²`` and 5,000 digits: no count)
        months = asked
        rest.pop(0)
        if not 1 <= months <= MAX_FORECAST_MONTHS:
            raise QueryRefused(say.forecast_months(str(months)))
        if rest and rest[0].lower() in ("month", "months", "mo"):
            rest.pop(0)
    if rest and rest[0].lower() == "target":
        by = [w.lower() for w in rest].index("by") if "by" in (w.lower() for w in rest) else -1
        amount, month = " ".join(rest[1:by]) if by > 1 else "", " ".join(rest[by + 1:]) if by >= 0 else ""
        if not amount or not month:
            raise QueryRefused(say.forecast_target_syntax())
        target, rest = (amount, month), []
    if rest:
        raise QueryRefused(say.forecast_syntax(plain(" ".join(rest))))
    return Forecasting(months, target)


def parse_query(text: str) -> SlackQuery:
    """``"Q3 2026 grr compare"`` -> period ``Q3 2026`` with both flags; ``"who churned last-quarter"`` ->
    churn movers of ``last-quarter``; raises ``QueryError``."""
    words = text.strip().split()
    if [w.lower() for w in words] in (["help"], ["?"], ["-h"], ["--help"]):
        return SlackQuery(help=True)
    if words and words[0].lower() == "forecast":
        return SlackQuery(forecast=parse_forecast(words[1:]))
    period: list[str] = []
    grr_first = compare = cohorts = False
    method: Method | None = None
    movers: dict[MoverKind, None] = {}
    by: str | None = None
    where: tuple[str, str] | None = None
    pending_by = pending_where = asked_who = False
    top: int | None = None
    previous = ""
    for word in words:
        lower, after_top, previous = word.lower(), previous == "top", word.lower()
        if after_top and (count := whole_number(lower, 3)) is not None:  # four digits: a year (churned top 2025)
            if not 0 < count <= MAX_TOP:  # "top 26" was read as the period '26 ttm'
                raise QueryRefused(say.top_range(plain(word), MAX_TOP))
            top = count
        elif pending_by:
            if by is not None:
                raise QueryRefused(say.by_twice(plain(by), plain(word)))
            by, pending_by = word, False
        elif lower == "by":
            pending_by = True
        elif lower == "where":  # "ttm where plan=Pro", as --where reads in a terminal: the segment follows
            pending_where = True
        elif lower == "grr":
            grr_first = True
        elif lower == "compare":
            compare = True
        elif lower in ("cohorts", "cohort"):
            cohorts = True
        elif lower in MOVER_WORDS:
            movers.update(dict.fromkeys(MOVER_WORDS[lower]))
        elif lower in FILLER_WORDS:  # "who" and "top" alone ask who moved the number, as "movers" does
            asked_who = True
        elif lower.startswith("method="):
            value = lower.removeprefix("method=")
            if value not in METHODS:
                raise QueryRefused(say.unknown_option(plain(word)))
            method = next(m for m in METHODS if m == value)
        elif "=" in word:  # plan=Pro, as --where is written in a terminal (a value of more words: read later)
            column, _, value = (part.strip(QUOTES) for part in word.partition("="))
            if not column or not value:
                raise QueryRefused(say.column_equals(plain(word)))
            if where is not None:
                raise QueryRefused(say.two_segments([plain(where[1]), plain(value)]))
            where, pending_where = (column, value), False
        else:
            period.append(word)
            pending_where = False  # "where Enterprise": a segment by its value alone, found among the columns later
    if pending_by:
        raise QueryRefused(say.by_needs_column())
    if pending_where:  # "ttm where": answered for every customer, as if it had not been said
        raise QueryRefused(say.where_needs_segment())
    kinds = tuple(k for k in MOVER_KINDS if k in movers) or None
    if (top is not None or asked_who) and kinds is None:
        kinds = MOVER_KINDS  # "top 10 ttm", "who ttm": the movers of every kind (on a ledger: a customer table's)
    return SlackQuery(period=" ".join(period), grr_first=grr_first, compare=compare, method=method, movers=kinds, by=by,
                      cohorts=cohorts, top=top, where=where)
