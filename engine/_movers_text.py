"""What a customer table's answer says about who moved the number, built once as data.

The terminal, Slack and digests render these; none words them itself. Names and segment values
come from the sheet: renderers escape them for their own markup.

    >>> from engine._customers import read_customers
    >>> from engine._cohort import compute_cohort
    >>> from engine._month import Month
    >>> table = read_customers([["Customer", "Month", "MRR"], ["A", "2026-01", "100"], ["B", "2026-01", "100"],
    ...                         ["A", "2026-02", "150"]]).table
    >>> logo_sentence(compute_cohort(table, Month(2026, 2), Month(2026, 2)))
    'Logo retention 50.0%: 1 of 2 customers still paying.'
    >>> [(g.title, [(m.customer, m.amount) for m in g.movers]) for g in mover_groups(
    ...     compute_cohort(table, Month(2026, 2), Month(2026, 2)))]
    [('Churned', [('B', '-$100')]), ('Expanded', [('A', '+$50')])]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine._aggregates import Customers
from engine._cohort import COHORT_LABEL, MOVER_KINDS, Cohort, MoverKind, SegmentCohort
from engine._errors import QueryError
from engine._messages import currency_amount, pts, rate
from engine._sentences import segment_name, tier_name
from engine._table import no_attribute

MOVER_TITLES: dict[MoverKind, str] = {"churn": "Churned", "contraction": "Contracted", "expansion": "Expanded"}
#: the line for the accounts past the top ones (``--top``): their sum, so a list never reads as all there was
OTHERS = "others"
_SIGNS: dict[MoverKind, str] = {"churn": "-", "contraction": "-", "expansion": "+"}


@dataclass(frozen=True)
class MoverLine:
    """One account that moved: its name (from the sheet) and the amount as people read it (``-$4,200``)."""

    customer: str
    amount: str


@dataclass(frozen=True)
class MoverGroup:
    """The accounts of one kind: ``Churned``, ``Contracted`` or ``Expanded``, largest first; ``others``: what the
    accounts past them moved together (``-$2,100``), None when the list holds them all."""

    kind: MoverKind
    title: str
    movers: tuple[MoverLine, ...]
    others: str | None = None

    @property
    def lines(self) -> tuple[MoverLine, ...]:
        """The accounts, then the others as one more line: what a list shows."""
        return self.movers + ((MoverLine(OTHERS, self.others),) if self.others is not None else ())


@dataclass(frozen=True)
class SegmentLine:
    """One segment's cohort: its name (from the sheet) and its figures in words."""

    segment: str
    figures: str


def logo_sentence(cohort: Cohort) -> str:
    """``Logo retention 91.7%: 11 of 12 customers still paying.``"""
    noun = "customer" if cohort.customers == 1 else "customers"
    return (f"Logo retention {rate(cohort.logo_retention)}: {cohort.retained} of {cohort.customers} {noun} "
            "still paying.")


def mover_groups(cohort: Cohort, kinds: Sequence[MoverKind] = MOVER_KINDS, currency: str = "USD",
                 top: int | None = None) -> tuple[MoverGroup, ...]:
    """The cohort's movers of each kind in ``kinds`` (the first ``top`` of each) and what the others moved, leaving
    out empty kinds."""
    groups = []
    for kind in kinds:
        movers = cohort.movers[kind][:top] if top is not None else cohort.movers[kind]
        if movers:
            rest = cohort.others(kind, len(movers))
            groups.append(MoverGroup(kind, MOVER_TITLES[kind], tuple(
                MoverLine(m.customer, _SIGNS[kind] + currency_amount(m.amount, currency)) for m in movers),
                _SIGNS[kind] + currency_amount(rest, currency) if rest > 0 else None))
    return tuple(groups)


def no_movers_sentence(kinds: Sequence[MoverKind]) -> str:
    """``No customer churned in this period.``: said when every asked kind is empty."""
    verbs = " or ".join(MOVER_TITLES[k].lower() for k in kinds)
    return f"No customer {verbs} in this period."


def segment_lines(segments: Sequence[SegmentCohort]) -> tuple[SegmentLine, ...]:
    """``NRR 112.4% · GRR 95.1% · logo retention 96.0% (24 of 25) · Strong for enterprise (-5.6 pts vs its
    118% median)`` per segment; for a period other than the trailing 12 months the tier names the 12-month
    cohort figure it rests on (``· 12-month cohort 111.7%: Strong for enterprise (...)``)."""
    lines = []
    for s in segments:
        c = s.cohort
        text = (f"NRR {rate(c.nrr)} · GRR {rate(c.grr)} · logo retention {rate(c.logo_retention)} "
                f"({c.retained} of {c.customers})")
        if (b := s.benchmark) is not None:
            # the tier rests on the segment's 12-month cohort: named when it is not the figure just shown
            basis = "" if c.before == c.last - 12 else f"{COHORT_LABEL} {rate(b.nrr)}: "
            text += (f" · {basis}{tier_name(b)} for {segment_name(b.segment.segment)} "
                     f"({pts(b.gap_to_median)} vs its {rate(b.segment.median, 0)} median)")
        lines.append(SegmentLine(s.segment, text))
    return tuple(lines)


def segment_values(table: Customers) -> dict[str, tuple[tuple[str, str], ...]]:
    """Every attribute value, casefolded, with each (column, value) it is, in the columns' order: so
    ``enterprise ttm`` can mean ``where Segment=Enterprise``; a value in two columns names both, for the asker to
    choose (``plan=enterprise``). From the values the table counted once when read (``CustomerTable.spellings``),
    not from every cell on every query."""
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for column in table.attribute_names:
        for key, value in table.spellings[column].items():
            found[key] = (*found.get(key, ()), (column, value))
    return found


def attribute_column(table: Customers, column: str) -> str:
    """The attribute column ``column`` names, case-insensitively; ``QueryError`` naming the ones there are."""
    name = table.attribute(column)
    if name is None:
        raise QueryError(no_attribute(table.attribute_names, column))
    return name
