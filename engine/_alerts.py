"""Benchmark alerts: which lines a ledger has crossed, as of a month. Pure: no posting, no state.

Each rule yields a level for the month (``ok`` or a named bad level, ranked: higher is worse), the
level the month before (so a first evaluation knows whether something just happened), and the
sentence to post: what crossed which line, by how much, since when, what the line means and
who says so. Deciding whether to post (dedup, cooldown) is the caller's job.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from engine import _messages as say
from engine._benchmarks import (
    EXPANSION_DEPENDENT_NRR,
    GRR_CONCERNING_BELOW,
    GRR_LEAKY_BELOW,
    SEGMENT_BENCHMARKS,
    SOURCES,
    TIERS,
    Profile,
    Segment,
    classify_tier,
    round_as_shown,
)
from engine._cohort import COHORT_LABEL, Cohort, annual_figure, compute_cohort
from engine._ledger import Ledger
from engine._month import Month
from engine._retention import Method, Trailing, trailing_12m
from engine._table import cents_to_decimal

OWN_HISTORY = "this ledger's own history"
#: the seeds' "losing 20% of customers annually": 12-month logo retention below 80% is a warning
LOGO_RETENTION_BELOW = Decimal("0.80")
#: the top accounts giving more than half the year's expansion
CONCENTRATION_ABOVE = Decimal("0.50")
CONCENTRATION_ACCOUNTS = 3


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """Where the lines are; defaults from the benchmarks module."""

    grr_concerning: Decimal = GRR_CONCERNING_BELOW
    grr_leaky: Decimal = GRR_LEAKY_BELOW
    expansion_dependent_nrr: Decimal = EXPANSION_DEPENDENT_NRR
    move_points: Decimal = Decimal("0.03")
    trailing_months: int = 6
    logo_retention: Decimal = LOGO_RETENTION_BELOW
    concentration: Decimal = CONCENTRATION_ABOVE

    @property
    def out_of_order(self) -> str | None:
        """Why the lines cannot stand together, or None: the leaky-bucket line is the lower of GRR's two (below it
        GRR is a leaky bucket; below the other, concerning), so a GRR between them would be leaky and not
        concerning."""
        if self.grr_leaky >= self.grr_concerning:
            return say.grr_lines_out_of_order(self.grr_leaky, self.grr_concerning)
        return None


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class _Scene:
    """What every rule reads: the ledger, the lines, the profile's median; trailing figures cached."""

    ledger: Ledger
    thresholds: Thresholds
    segment: Segment
    median: Decimal
    currency: str = "USD"
    method: Method | None = None  # the digest's: None or cohort is the ledger's own annual figure
    _ttm: dict[Month, Trailing | None] = field(default_factory=dict, repr=False, compare=False)
    _cohorts: dict[Month, Cohort | None] = field(default_factory=dict, repr=False, compare=False)

    def cohort(self, m: Month) -> Cohort | None:
        """The 12-month cohort to ``m`` (customers paying in m-12); None without a customer table that has it."""
        if m not in self._cohorts:
            table = self.ledger.customers
            known = table is not None and m - 12 in table and m in table
            self._cohorts[m] = compute_cohort(table, m - 11, m, top=CONCENTRATION_ACCOUNTS) if (
                known and table is not None) else None
        return self._cohorts[m]

    def ttm(self, m: Month) -> Trailing | None:
        """The annual figure to ``m`` the benchmark rules read: a customer table's 12-month cohort, else the
        trailing 12 months; None without a whole year (an annualized figure is never benchmarked by an alert)."""
        if m not in self._ttm:
            figure = None
            if m in self.ledger:  # the figure the digest shows (a chain asked of a customer table read the cohort)
                figure = annual_figure(self.ledger, m) if self.by_cohort else trailing_12m(self.ledger, m, self.method
                                                                                          or "chained")
            self._ttm[m] = None if figure is None or figure.annualized else figure
        return self._ttm[m]

    @property
    def by_cohort(self) -> bool:
        """Whether the annual figure is the ledger's own (a customer table's 12-month cohort, else the chain)."""
        return self.method in (None, "cohort")

    @property
    def figure(self) -> str:
        """What the annual figure is, as the alerts name it: ``Trailing-12-month``, ``12-month cohort`` or, for a
        method other than the ledger's own, ``Trailing-12-month (chained)``."""
        if self.by_cohort:
            return COHORT_LABEL if self.ledger.customers is not None else "Trailing-12-month"
        if self.method == "chained" and self.ledger.customers is None:
            return "Trailing-12-month"
        return f"Trailing-12-month ({self.method})"

    def monthly(self, m: Month, kind: str) -> Decimal | None:
        row = self.ledger.get(m)
        return None if row is None else (row.nrr if kind == "nrr" else row.grr)


_Words = tuple[str, str]  # (message, source)


@dataclass(frozen=True)
class _Rule:
    """One alert rule: its name, its test (a month's reading) and its words (message and source)."""

    name: str
    read: Callable[[_Scene, Month], _Reading]
    words: Callable[[_Scene, _Reading, _Reading, Month, Month], _Words]  # (now, before, since, month)


_UNKNOWN = _Reading("unknown", 0)
_DEFAULTS = Thresholds()  # the sources' lines, which a workspace may move in nrr.toml
_TIER_RANK = {tier.name: i for i, tier in enumerate(TIERS)}


# --- the tests --------------------------------------------------------------------------------

def _read_tier(s: _Scene, m: Month) -> _Reading:
    trailing = s.ttm(m)
    if trailing is None or trailing.nrr is None:
        return _UNKNOWN
    tier = classify_tier(trailing.nrr)
    return _Reading(tier.name, _TIER_RANK[tier.name], round_as_shown(trailing.nrr))


def _read_below(s: _Scene, m: Month, line: Decimal) -> _Reading:
    trailing = s.ttm(m)
    if trailing is None or trailing.nrr is None:
        return _UNKNOWN
    nrr = round_as_shown(trailing.nrr)  # compared as shown, like the benchmark's tier
    return _Reading("below" if nrr < line else "ok", int(nrr < line), nrr)


def _read_below_median(s: _Scene, m: Month) -> _Reading:
    return _read_below(s, m, s.median)


def _read_below_100(s: _Scene, m: Month) -> _Reading:
    return _read_below(s, m, Decimal(1))


def _read_grr(s: _Scene, m: Month) -> _Reading:
    trailing, t = s.ttm(m), s.thresholds
    if trailing is None or trailing.grr is None:
        return _UNKNOWN
    grr = round_as_shown(trailing.grr)
    if grr < t.grr_leaky:
        return _Reading("leaky-bucket", 2, grr)
    if grr < t.grr_concerning:
        return _Reading("concerning", 1, grr)
    return _Reading("ok", 0, grr)


def _read_dependent(s: _Scene, m: Month) -> _Reading:
    trailing, t = s.ttm(m), s.thresholds
    if trailing is None or trailing.nrr is None or trailing.grr is None:
        return _UNKNOWN
    grr = round_as_shown(trailing.grr)
    bad = round_as_shown(trailing.nrr) > t.expansion_dependent_nrr and grr < t.grr_concerning
    return _Reading("dependent" if bad else "ok", int(bad), grr)


def _read_move(s: _Scene, m: Month, kind: str) -> _Reading:
    t = s.thresholds
    now = s.monthly(m, kind)
    history = [s.monthly(m - i, kind) for i in range(1, t.trailing_months + 1)]
    known = [h for h in history if h is not None]
    if now is None or len(known) < t.trailing_months:
        return _UNKNOWN
    # the figures as shown, as every line applies: 97.00% against an average of 100.00% is at the 3-point line, not
    # "3.01 pts below" from the unrounded difference
    delta = round_as_shown(now) - round_as_shown(sum(known, Decimal(0)) / len(known))
    return _Reading("down" if delta < -t.move_points else "ok", int(delta < -t.move_points), delta)


def _read_nrr_move(s: _Scene, m: Month) -> _Reading:
    return _read_move(s, m, "nrr")


def _read_grr_move(s: _Scene, m: Month) -> _Reading:
    return _read_move(s, m, "grr")


def _read_down3(s: _Scene, m: Month) -> _Reading:
    values = [s.monthly(m - i, "nrr") for i in range(4)]
    if any(v is None for v in values):
        return _UNKNOWN
    falling = all(a is not None and b is not None and a < b for a, b in itertools.pairwise(values))
    return _Reading("falling" if falling else "ok", int(falling))


def _read_logos(s: _Scene, m: Month) -> _Reading:
    cohort = s.cohort(m)
    if cohort is None or cohort.logo_retention is None:
        return _UNKNOWN
    logos = round_as_shown(cohort.logo_retention)
    below = logos < s.thresholds.logo_retention
    return _Reading("below" if below else "ok", int(below), logos)


def _read_hiding(s: _Scene, m: Month) -> _Reading:
    cohort, t = s.cohort(m), s.thresholds
    if cohort is None or cohort.nrr is None or cohort.grr is None or cohort.logo_retention is None:
        return _UNKNOWN
    nrr = round_as_shown(cohort.nrr)
    bad = nrr >= 1 and (round_as_shown(cohort.logo_retention) < t.logo_retention
                        or round_as_shown(cohort.grr) < t.grr_concerning)
    return _Reading("hiding" if bad else "ok", int(bad), nrr)


def _top_share(cohort: Cohort) -> Decimal | None:
    if not cohort.expansion:
        return None
    top = sum((m.amount for m in cohort.movers["expansion"]), Decimal(0))
    return round_as_shown(top / cents_to_decimal(cohort.expansion))


def _read_concentration(s: _Scene, m: Month) -> _Reading:
    cohort = s.cohort(m)
    share = None if cohort is None else _top_share(cohort)
    if share is None:
        return _UNKNOWN
    bad = share > s.thresholds.concentration
    return _Reading("concentrated" if bad else "ok", int(bad), share)


# --- the words --------------------------------------------------------------------------------

def _value(reading: _Reading) -> Decimal:
    assert reading.value is not None
    return reading.value


def _words_tier(s: _Scene, now: _Reading, before: _Reading, since: Month, month: Month) -> _Words:
    tier = next(x for x in TIERS if x.name == now.level)
    return say.alert_tier(s.figure, tier.name, before.level, _value(now), month, tier.meaning), str(SOURCES["tiers"])


def _words_below_median(s: _Scene, now: _Reading, before: _Reading, since: Month, month: Month) -> _Words:
    median = f"the {s.segment} median of {say.rate(s.median, 0)}"
    return say.alert_below_line(f"{s.figure} NRR", _value(now), s.median, median, since, month, now.rank > 0,
                                say.MEANING_MEDIAN), str(SOURCES["segments"])


def _words_below_100(s: _Scene, now: _Reading, before: _Reading, since: Month, month: Month) -> _Words:
    return say.alert_below_line(f"{s.figure} NRR", _value(now), Decimal(1), "the 100% line", since, month, now.rank > 0,
                                say.MEANING_100), str(SOURCES["tiers"])


def _own_lines(s: _Scene, *settings: str) -> list[str]:
    """Which of these thresholds the workspace moved from their sources' lines."""
    return [name for name in settings if getattr(s.thresholds, name) != getattr(_DEFAULTS, name)]


def _source(s: _Scene, key: str, *settings: str) -> str:
    """An alert's source: the guidance's, or the workspace's own settings where it moved one of its lines."""
    return say.own_line_source(str(SOURCES[key])) if _own_lines(s, *settings) else str(SOURCES[key])


def _meaning(s: _Scene, setting: str, key: str, meaning: str) -> str:
    """Why a line matters: the source's reason, or whose line it is when the workspace moved it (the reason quotes
    the source's number)."""
    if not _own_lines(s, setting):
        return meaning
    return say.own_line_meaning(getattr(s.thresholds, setting), getattr(_DEFAULTS, setting), str(SOURCES[key]))


def _words_grr(s: _Scene, now: _Reading, before: _Reading, since: Month, month: Month) -> _Words:
    t = s.thresholds
    setting = "grr_leaky" if now.level == "leaky-bucket" else "grr_concerning"
    line = getattr(t, setting)
    meaning = say.MEANING_LEAKY if now.level == "leaky-bucket" else say.MEANING_GRR
    trailing = s.ttm(month)
    if now.level == "leaky-bucket" and trailing is not None and trailing.nrr is not None \
            and round_as_shown(trailing.nrr) < 1:
        meaning = say.MEANING_LEAKY_SHRINKING  # nothing is compensating: NRR is below 100% too
    return say.alert_below_line(f"{s.figure} GRR", _value(now), line, f"the {say.line_rate(line)} line", since,
                                month, now.rank > 0, _meaning(s, setting, "grr", meaning)), _source(s, "grr", setting)


def _words_dependent(s: _Scene, now: _Reading, before: _Reading, since: Month, month: Month) -> _Words:
    t, trailing = s.thresholds, s.ttm(month)
    nrr = trailing.nrr if trailing is not None and trailing.nrr is not None else t.expansion_dependent_nrr
    return say.alert_dependent(s.figure, round_as_shown(nrr), _value(now), t.expansion_dependent_nrr,
                               t.grr_concerning, since, month, now.rank > 0), _source(
                                   s, "grr", "expansion_dependent_nrr", "grr_concerning")


def _words_move(metric: str, s: _Scene, now: _Reading, month: Month) -> _Words:
    t = s.thresholds
    return say.alert_move(metric, _value(now), t.move_points, t.trailing_months, month, now.rank > 0), OWN_HISTORY


def _words_nrr_move(s: _Scene, now: _Reading, before: _Reading, since: Month, month: Month) -> _Words:
    return _words_move("NRR", s, now, month)


def _words_grr_move(s: _Scene, now: _Reading, before: _Reading, since: Month, month: Month) -> _Words:
    return _words_move("GRR", s, now, month)


def _words_down3(s: _Scene, now: _Reading, before: _Reading, since: Month, month: Month) -> _Words:
    return say.alert_falling(since, month, now.rank > 0), OWN_HISTORY


def _cohort_of(s: _Scene, month: Month) -> Cohort:
    cohort = s.cohort(month)
    assert cohort is not None and cohort.logo_retention is not None and cohort.grr is not None
    return cohort


def _words_logos(s: _Scene, now: _Reading, before: _Reading, since: Month, month: Month) -> _Words:
    c = _cohort_of(s, month)
    return say.alert_logos(_value(now), s.thresholds.logo_retention, c.retained, c.customers, since, month,
                           now.rank > 0, _meaning(s, "logo_retention", "logos", say.MEANING_LOGOS)), _source(
                               s, "logos", "logo_retention")


def _words_hiding(s: _Scene, now: _Reading, before: _Reading, since: Month, month: Month) -> _Words:
    c, t = _cohort_of(s, month), s.thresholds
    assert c.logo_retention is not None and c.grr is not None
    return say.alert_hiding_churn(_value(now), round_as_shown(c.logo_retention), round_as_shown(c.grr),
                                  t.logo_retention, t.grr_concerning, since, month, now.rank > 0), _source(
                                      s, "logos", "logo_retention", "grr_concerning")


def _words_concentration(s: _Scene, now: _Reading, before: _Reading, since: Month, month: Month) -> _Words:
    c = _cohort_of(s, month)
    movers = c.movers["expansion"]
    top = sum((m.amount for m in movers), Decimal(0))
    return say.alert_concentration(_value(now), s.thresholds.concentration, [m.customer for m in movers], top,
                                   cents_to_decimal(c.expansion), s.currency, since, month, now.rank > 0), OWN_HISTORY


_TABLE: tuple[_Rule, ...] = (
    _Rule("tier_drop", _read_tier, _words_tier),
    _Rule("below_median", _read_below_median, _words_below_median),
    _Rule("nrr_below_100", _read_below_100, _words_below_100),
    _Rule("grr_floor", _read_grr, _words_grr),
    _Rule("expansion_dependent", _read_dependent, _words_dependent),
    _Rule("nrr_move", _read_nrr_move, _words_nrr_move),
    _Rule("grr_move", _read_grr_move, _words_grr_move),
    _Rule("down_3_months", _read_down3, _words_down3),
    # customer tables only: a seven-column ledger reads these as unknown
    _Rule("logo_retention", _read_logos, _words_logos),
    _Rule("expansion_hiding_churn", _read_hiding, _words_hiding),
    _Rule("expansion_concentration", _read_concentration, _words_concentration),
)
_BY_NAME = {rule.name: rule for rule in _TABLE}
RULES = tuple(rule.name for rule in _TABLE)


def evaluate_alerts(ledger: Ledger, month: Month, profile: Profile, thresholds: Thresholds | None = None,
                    rules: Iterable[str] = RULES, *, currency: str = "USD",
                    method: Method | None = None) -> list[Alert]:
    """Every enabled rule's reading as of ``month`` (which must be in the ledger); ``currency`` words money;
    ``method`` is the digest's (None: the ledger's own), so the benchmark rules read the annual figure it shows."""
    scene = _Scene(ledger=ledger, thresholds=thresholds or Thresholds(), segment=profile.segment,
                   median=SEGMENT_BENCHMARKS[profile.segment].median, currency=currency, method=method)
    alerts = []
    for rule in map(_BY_NAME.__getitem__, rules):
        read = functools.partial(rule.read, scene)
        now, before = read(month), read(month - 1)
        if now.level == "unknown":
            continue
        message, source = rule.words(scene, now, before, _since(month, read, now.level), month)
        alerts.append(Alert(rule=rule.name, month=month, level=now.level, rank=now.rank, previous_level=before.level,
                            previous_rank=before.rank, message=message, source=source))
    return alerts
