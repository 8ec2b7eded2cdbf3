"""Sentences about a report that the terminal, Slack and the add-on all show, built once here.

Each renderer formats them (bold, emoji, a card widget); none builds its own, so the three never
say different things about the same number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from engine import _messages as say
from engine._benchmarks import SOURCES, Benchmark, round_as_shown
from engine._retention import Change, Driver, Method, Retention, Trailing

if TYPE_CHECKING:
    from engine._cohort import Cohort
    from engine._triangle import CohortTriangle

METHOD_WORDS: dict[Method, str] = {
    "chained": "chained: the product of the monthly rates",
    "sum": "sum: the span's movements over its first Start",
    "cohort": "cohort: the customers paying the month before the period, and what the same customers pay at its end",
}


def method_sentence(method: Method) -> str:
    """``chained: the product of the monthly rates``: how a span combined its months."""
    return METHOD_WORDS[method]


def change_sentence(change: Change) -> str:
    """``NRR -0.5 pts vs Q3 2025, mostly more churn (-2.1 pts), despite more expansion (+1.6 pts); GRR -5.6 pts``.

    The driver is the part that moved NRR the way it went; "mostly" only when it did more than half of that, else
    every part that moved NRR its way is named, largest first (``from more churn (-2.0 pts), more downgrades
    (-1.5 pts) and less expansion (-1.5 pts)``). ``despite`` names every part that pushed the other way, largest
    first, when one shows: nothing that worked against the change goes unsaid (fewer downgrades of +0.3 beside more
    expansion of +0.3 had been left out).
    A change that shows as 0.0 points names no driver.
    """
    drivers, against = change.drivers, change.against
    named = bool(drivers) and not say.shows_as_no_change(change.nrr)
    places = change_places(change)
    # the parts rounded together, to add up to the change as shown: to two decimals the JSON's, to one their tenths
    parts = change.shown if places == 2 else change.shown_tenths
    text = f"NRR {say.pts(change.nrr, places)} vs {change.previous.period.label}"
    if named:
        if change.mostly:
            text += f", mostly {say.movement(drivers[0], parts[drivers[0]], places)}"
        else:  # no part did most of it: each one that did is named (fuzz 14: "mostly" churn of 2.0 of 5.0 pts)
            text += ", from " + say.and_list([say.movement(k, parts[k], places) for k in drivers])
        if against:
            text += ", despite " + say.and_list([say.movement(k, parts[k], places) for k in against])
    return f"{text}; GRR {say.pts(change.grr)}"


def change_places(change: Change) -> int:
    """The decimals a change and its parts are shown to, in its sentence and beside it: one, or two where one
    would not tell the story."""
    drivers, exact = change.drivers, change.parts
    if say.pts_places(change.nrr) == 2:  # "+0.02 pts": its parts to two decimals too, to add up to it
        return 2
    if not drivers or say.shows_as_no_change(change.nrr):
        return 1
    # a part one decimal cannot show (-0.02 pts, or one rounded together to 0.0 that moved): every figure of the
    # change to two decimals, the sentence's and the three parts' beside it, so they add up (fuzz 23: +1.1 beside
    # -0.6, -0.02 and +1.7); so is a part the sentence names: "-0.05 pts of -0.05", not of "-0.1 pts" (fuzz 11)
    shown, tenths = change.shown, change.shown_tenths
    if any(say.pts_places(v) == 2 or (not tenths[k] and shown[k]) for k, v in exact.items()):
        return 2
    if change.mostly:
        # "-4.0 pts, mostly more churn (-2.0 pts)" reads as half, not most, of the parts or of the change shown: to
        # two decimals, -3.96 and -1.99 (fuzz 16; review: of -4.0 shown, parts of -2.0, -1.0 and -0.9)
        one = {k: abs(tenths[k]) for k in drivers}
        if one[drivers[0]] * 2 <= max(sum(one.values()), abs(say.pts_shown(change.nrr) / 100)):
            return 2
    return 1


def part_points(change: Change, kind: Driver) -> str:
    """``+0.6 pts``: what one movement gave the change, as the change sentence says it: the three to the same
    decimals, from the parts rounded together, so they add up to the change shown (fuzz 23: -0.6, -0.02 and +1.7
    beside +1.1)."""
    places = change_places(change)
    return say.pts(change.shown[kind] if places == 2 else change.shown_tenths[kind], places)


def benchmark_basis(trailing: Trailing) -> str:
    """What the benchmarked figure rests on: ``trailing 12 months to Sep 2026`` or
    ``annualized from 8 months to Sep 2026, indicative``."""
    if trailing.cohort:
        return f"12-month cohort to {trailing.as_of.short}"
    if trailing.annualized:
        gap = f"; {say.gap_in_history(trailing.gap)}" if trailing.gap else ""
        return f"annualized from {say.months(trailing.months)} to {trailing.as_of.short}, indicative{gap}"
    return f"trailing 12 months to {trailing.as_of.short}"


def annual_heading(trailing: Trailing) -> str:
    """A heading for the benchmarked figure that names its basis: ``Trailing 12 months``, ``12-month cohort`` or
    ``Annualized (7 months)``, never "Trailing 12 months" over a figure from fewer."""
    if trailing.cohort:
        return "12-month cohort"
    if trailing.annualized:
        return f"Annualized ({say.months(trailing.months)})"
    return "Trailing 12 months"


def approximation_note(trailing: Trailing | None) -> str | None:
    """What a benchmarked figure from a seven-column ledger is, in one clause: ``chained from month totals:
    an approximation of the 12-month cohort figure, ...; add a customer tab for the exact one``; for a
    customer table too short for its 12-month cohort, that the figure is chained from its month totals until
    then. None for a 12-month cohort figure, or when there is no figure."""
    if trailing is None or trailing.nrr is None or trailing.totals is None:
        return None
    if trailing.derived == "short":
        return say.cohort_needs_a_year(trailing.totals)
    if trailing.derived == "asked":
        return say.totals_as_asked(trailing.totals)
    return say.totals_approximation(trailing.totals)


def benchmark_missing(trailing: Trailing | None) -> str | None:
    """Why there is no benchmark comparison, when there is none: ``no annual figure yet: ...``."""
    if trailing is None or trailing.nrr is not None:
        return None
    return trailing.undefined


def tier_name(benchmark: Benchmark) -> str:
    """``Good``, ``Best-in-class``, ...: the tier as people read it."""
    return say.TIER_WORDS[benchmark.tier.name]


def grr_sentence(benchmark: Benchmark) -> str | None:
    """``GRR is concerning (below 85%).``, or None without a GRR."""
    if benchmark.grr_status is None:
        return None
    if benchmark.grr_status == "leaky-bucket" and round_as_shown(benchmark.nrr) < 1:
        return f"GRR is {say.LEAKY_AND_SHRINKING}."  # no expansion hides anything when NRR is below 100%
    return f"GRR is {say.GRR_WORDS[benchmark.grr_status]}."



def funding_sentence(benchmark: Benchmark) -> str | None:
    """``Bootstrapped median 104% (+5.9 pts), 90th percentile 118%; source: SaaS Capital, bootstrapped B2B SaaS
    ($3M-$20M ARR).``: the funding benchmark the profile names, with its own source; None when the profile was
    assumed (the segment's line is the comparison then)."""
    if benchmark.profile.assumed:
        return None
    f = benchmark.funding
    words = say.FUNDING_WORDS[f.funding]
    gap = round_as_shown(benchmark.nrr) - f.median
    p90 = f", 90th percentile {say.line_rate(f.p90)}" if f.p90 is not None else ""
    return (f"{words[:1].upper()}{words[1:]} median {say.rate(f.median, 0)} ({say.pts(gap)}){p90}; "
            f"source: {SOURCES[f.source]}.")


def growth_sentence(retention: Retention) -> str | None:
    """``+7.25% from the Start of Jul 2026 to the Start of Oct 2026 (the month after the span)``: MRR growth
    is measured to the next month's Start, which includes the new business won in the span."""
    if retention.growth is None:
        return None
    return f"{'+' if retention.growth >= 0 else ''}{say.rate(retention.growth, 2)} {growth_basis(retention)}"


def quick_ratio_text(retention: Retention, segment: bool = False, currency: str | None = None) -> str:
    """The quick ratio as every surface shows it (``1.81``), or why there is none: a segment's cohort wins no new
    business; new business needs the next month's Start (``n/a (needs November 2026's Start)``); nothing was
    lost to divide by; MRR vanished between the rows (``n/a ($10,300 vanished between the rows unrecorded)``, in
    ``currency`` when given)."""
    if segment:
        return "n/a (a segment's cohort wins no new business)"
    if retention.quick_ratio is not None:
        return f"{retention.quick_ratio:.2f}"
    if retention.vanished:  # in the answer's money (``currency``), as the figures beside it are shown
        lost = say.money(retention.vanished) if currency is None else say.currency_amount(retention.vanished, currency)
        return f"n/a ({lost} vanished between the rows unrecorded)"
    if retention.new_business is None:
        return f"n/a (needs {(retention.period.last + 1).name}'s Start)"
    return "n/a (no churn or contraction)"


def growth_basis(retention: Retention) -> str:
    """``from the Start of Jul 2026 to the Start of Oct 2026 (the month after the span)``."""
    first, after = retention.period.first, retention.period.last + 1
    return f"from the Start of {first.short} to the Start of {after.short} (the month after the span)"


def segment_name(segment: str, *, capital: bool = False) -> str:
    """A benchmark segment as people write it: ``mid-market``, ``SMB``; ``Mid-market`` at a sentence's start."""
    name = say.SEGMENT_NAMES.get(segment, segment)
    return name[:1].upper() + name[1:] if capital else name


def profile_sentence(benchmark: Benchmark) -> str | None:
    """``Compared as a mid-market, VC-backed company (the default); set [company] segment and funding in
    nrr.toml to compare with your own.``: only when the profile was assumed, not configured, and the segment is
    not the data's own (a segment compared with its own benchmark assumed nothing shown: its funding is not
    compared)."""
    if not benchmark.profile.assumed or benchmark.profile.own_segment:
        return None
    return say.assumed_profile(benchmark.profile.segment, benchmark.profile.funding)



class _CohortAnswer(Protocol):
    """What ``cohort_money_sentence`` reads of a report (the report module uses these sentences, so
    this one names what it needs instead of importing ``Report``)."""

    @property
    def cohort(self) -> Cohort | None: ...

    @property
    def retention(self) -> Retention: ...

    @property
    def currency(self) -> str: ...


def cohort_money_sentence(report: _CohortAnswer) -> str:
    """Why the month-by-month money does not give the cohort's NRR: it is every customer's, new ones
    too, while the cohort follows the customers paying in the month before the period. A segment's report
    (``--where``) shows its cohort's own money, and says what came back from customers who left and returned."""
    cohort, r, currency = report.cohort, report.retention, report.currency
    assert cohort is not None
    then = (f"{say.currency_amount(cohort.start_mrr, currency)} then, {say.currency_amount(cohort.end_mrr, currency)} "
            f"in {cohort.last.short}")
    if cohort.segment is not None:  # a segment's report is its cohort's own money
        returned = cohort.end_mrr - (r.start + r.expansion - r.downgrade - r.churn)
        back = (f"; {say.currency_amount(returned, currency)} of it from customers who left and came back"
                if returned > 0 else "")
        who = say.customer_count(cohort.customers, cohort.segment)
        return (f"The movements above are those of the {who} paying in {cohort.before.short}, month by month: "
                f"{then}{back}.")
    return (f"The movements above are every customer's, month by month, new customers' included; the cohort "
            f"figures follow the {say.customer_count(cohort.customers)} paying in {cohort.before.short}: {then}.")


def triangle_sentence(triangle: CohortTriangle) -> str | None:
    """Why a cohort triangle has nothing to show, when it has nothing: no cohort, or none a month old."""
    if not triangle.rows:
        return "No cohort to show: no customer has paid in the table yet."
    if triangle.ages < 4 and triangle.by == "quarter":  # its ages are 3, 6...: a second month is not the point
        return ("No cohort is a quarter old yet: NRR by age starts once the table holds a month three months after "
                "its first (`nrr cohorts` by month shows the months before).")
    if triangle.ages < 2:
        return "No cohort is a month old yet: NRR by age starts once the table holds a second month."
    return None
