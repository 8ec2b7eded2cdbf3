"""Benchmark alerts: which lines a ledger has crossed, as of a month. Pure: no posting, no state.

Each rule yields a level for the month (``ok`` or a named bad level, ranked: higher is worse), the
level the month before (so a first evaluation knows whether something just happened), and the
sentence to post: what crossed which line, by how much, since when, what the line means and
who says so. Deciding whether to post (dedup, cooldown) is the caller's job.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from engine import _messages as say
from engine._benchmarks import (
    GRR_CONCERNING_BELOW,
    GRR_LEAKY_BELOW,
    SOURCES,
    TIERS,
    Profile,
    classify_tier,
)
from engine._ledger import Ledger
from engine._month import Month
from engine._retention import Trailing, trailing_12m

RULES = ("tier_drop", "below_median", "nrr_below_100", "grr_floor", "expansion_dependent", "nrr_move",
         "grr_move", "down_3_months")
OWN_HISTORY = "this ledger's own history"


@dataclass(frozen=True)
class Thresholds:
    """Where the lines are; defaults from the benchmarks module."""

    grr_concerning: Decimal = GRR_CONCERNING_BELOW
    grr_leaky: Decimal = GRR_LEAKY_BELOW
    expansion_dependent_nrr: Decimal = Decimal("1.05")
    move_points: Decimal = Decimal("0.03")
    trailing_months: int = 6


@dataclass(frozen=True)
class Alert:
    """One rule's reading as of ``month``; ``rank`` 0 is fine, higher is worse."""

    rule: str
    month: Month
    level: str
    rank: int
    previous_level: str
    previous_rank: int
    message: str  # for a bad level: what crossed what; for ok: the recovery sentence
    source: str

    @property
    def firing(self) -> bool:
        return self.rank > 0


@dataclass(frozen=True)
class _Reading:
    level: str
    rank: int
    value: Decimal | None = None


def _since(month: Month, read: Callable[[Month], _Reading], level: str, limit: int = 60) -> Month:
    """The first month of the run, ending at ``month``, in which the reading was ``level``."""
    start = month
    for _ in range(limit):
        before = start - 1
        if read(before).level != level:
            break
        start = before
    return start


def evaluate_alerts(ledger: Ledger, month: Month, profile: Profile, thresholds: Thresholds | None = None,
                    rules: Iterable[str] = RULES) -> list[Alert]:
    """Every enabled rule's reading as of ``month`` (which must be in the ledger)."""
    t = thresholds or Thresholds()
    cache: dict[Month, Trailing | None] = {}

    def ttm(m: Month) -> Trailing | None:
        if m not in cache:
            cache[m] = trailing_12m(ledger, m) if m in ledger else None
        return cache[m]

    def monthly(m: Month, kind: str) -> Decimal | None:
        row = ledger.get(m)
        return None if row is None else (row.nrr if kind == "nrr" else row.grr)

    segment = profile.segment
    from engine._benchmarks import SEGMENT_BENCHMARKS

    median = SEGMENT_BENCHMARKS[segment].median
    tier_rank = {tier.name: i for i, tier in enumerate(TIERS)}

    def read_tier(m: Month) -> _Reading:
        trailing = ttm(m)
        if trailing is None or trailing.nrr is None:
            return _Reading("unknown", 0)
        tier = classify_tier(trailing.nrr)
        return _Reading(tier.name, tier_rank[tier.name], trailing.nrr)

    def read_below(line: Decimal, name: str) -> Callable[[Month], _Reading]:
        def read(m: Month) -> _Reading:
            trailing = ttm(m)
            if trailing is None or trailing.nrr is None:
                return _Reading("unknown", 0)
            return _Reading(name if trailing.nrr < line else "ok", int(trailing.nrr < line), trailing.nrr)
        return read

    def read_grr(m: Month) -> _Reading:
        trailing = ttm(m)
        if trailing is None or trailing.grr is None:
            return _Reading("unknown", 0)
        if trailing.grr < t.grr_leaky:
            return _Reading("leaky-bucket", 2, trailing.grr)
        if trailing.grr < t.grr_concerning:
            return _Reading("concerning", 1, trailing.grr)
        return _Reading("ok", 0, trailing.grr)

    def read_dependent(m: Month) -> _Reading:
        trailing = ttm(m)
        if trailing is None or trailing.nrr is None or trailing.grr is None:
            return _Reading("unknown", 0)
        bad = trailing.nrr > t.expansion_dependent_nrr and trailing.grr < t.grr_concerning
        return _Reading("dependent" if bad else "ok", int(bad), trailing.grr)

    def read_move(kind: str) -> Callable[[Month], _Reading]:
        def read(m: Month) -> _Reading:
            now = monthly(m, kind)
            history = [monthly(m - i, kind) for i in range(1, t.trailing_months + 1)]
            known = [h for h in history if h is not None]
            if now is None or len(known) < t.trailing_months:
                return _Reading("unknown", 0)
            delta = now - sum(known, Decimal(0)) / len(known)
            return _Reading("down" if delta < -t.move_points else "ok", int(delta < -t.move_points), delta)
        return read

    def read_down3(m: Month) -> _Reading:
        values = [monthly(m - i, "nrr") for i in range(4)]
        if any(v is None for v in values):
            return _Reading("unknown", 0)
        falling = all(a is not None and b is not None and a < b for a, b in itertools.pairwise(values))
        return _Reading("falling" if falling else "ok", int(falling))

    readers: dict[str, Callable[[Month], _Reading]] = {
        "tier_drop": read_tier,
        "below_median": read_below(median, "below"),
        "nrr_below_100": read_below(Decimal(1), "below"),
        "grr_floor": read_grr,
        "expansion_dependent": read_dependent,
        "nrr_move": read_move("nrr"),
        "grr_move": read_move("grr"),
        "down_3_months": read_down3,
    }
    alerts = []
    for rule in rules:
        read = readers[rule]
        now, before = read(month), read(month - 1)
        if now.level == "unknown":
            continue
        since = _since(month, read, now.level)
        message, source = _words(rule, now, before, since, month, t, median, segment)
        alerts.append(Alert(rule, month, now.level, now.rank, before.level, before.rank, message, source))
    return alerts


def _words(rule: str, now: _Reading, before: _Reading, since: Month, month: Month, t: Thresholds,
           median: Decimal, segment: str) -> tuple[str, str]:
    v = now.value
    if rule == "tier_drop":
        assert v is not None
        tier = next(x for x in TIERS if x.name == now.level)
        return say.alert_tier(tier.name, before.level, v, month, tier.meaning), str(SOURCES["tiers"])
    if rule == "below_median":
        assert v is not None
        return say.alert_below_line("NRR", v, median, f"the {segment} median of {say.rate(median, 0)}", since,
                                    month, now.rank > 0,
                                    say.MEANING_MEDIAN), str(SOURCES["segments"])
    if rule == "nrr_below_100":
        assert v is not None
        return say.alert_below_line("NRR", v, Decimal(1), "the 100% line", since, month, now.rank > 0,
                                    say.MEANING_100), str(SOURCES["tiers"])
    if rule == "grr_floor":
        assert v is not None
        line = t.grr_leaky if now.level == "leaky-bucket" else t.grr_concerning
        meaning = say.MEANING_LEAKY if now.level == "leaky-bucket" else say.MEANING_GRR
        return say.alert_below_line("GRR", v, line, f"the {say.rate(line, 0)} line", since, month, now.rank > 0,
                                    meaning), str(SOURCES["grr"])
    if rule == "expansion_dependent":
        assert v is not None
        return say.alert_dependent(v, t.expansion_dependent_nrr, t.grr_concerning, since, month,
                                   now.rank > 0), str(SOURCES["grr"])
    if rule in ("nrr_move", "grr_move"):
        assert v is not None
        return say.alert_move(rule.removesuffix("_move").upper(), v, t.move_points, t.trailing_months, month,
                              now.rank > 0), OWN_HISTORY
    return say.alert_falling(since, month, now.rank > 0), OWN_HISTORY
