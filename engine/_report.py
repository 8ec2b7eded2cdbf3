"""A report: everything one answer about a period says, built once, rendered anywhere."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from engine import _messages as say
from engine._aggregates import Customers
from engine._benchmarks import SOURCES, Benchmark, Profile, compare_benchmarks
from engine._cohort import (
    COHORT_LABEL,
    MOVER_KINDS,
    TOP_MOVERS,
    Cohort,
    SegmentCohort,
    annual_figure,
    benchmark_segment,
    cohort_before,
    company_arr,
    compute_cohort,
    segment_cohorts,
    where_table,
)
from engine._errors import NotInLedgerYet, QueryError
from engine._fx import FxUse, conversion_sentence
from engine._issues import Issue
from engine._ledger import Ledger, derive_ledger
from engine._month import Month
from engine._periods import Period, fit_period, previous_period
from engine._retention import (
    Change,
    Components,
    Method,
    Retention,
    Trailing,
    compare_retention,
    compute_retention,
    trailing_12m,
)
from engine._sentences import approximation_note
from engine._table import CustomerTable

if TYPE_CHECKING:
    from engine._billing import Normalization, SourceKind  # billing data only: loaded when it is read

_CENTS = Decimal("0.01")
#: what the top-level money of a report (``start_mrr``, ``end_mrr``, ``expansion``, ``churn``, ``downgrade``, the
#: months) is the money of, as ``money_basis`` says in the JSON; a cohort's own start and end are under ``cohort``
MONEY_LEDGER = "ledger rows"
MONEY_TOTALS = "month totals (all customers)"
MONEY_SEGMENT = "month totals (the segment's customers in the month before the period)"


@dataclass(frozen=True, kw_only=True)
class Report:
    """The answer for one period: retention, its change, the trailing year and the benchmarks."""

    retention: Retention
    change: Change | None
    trailing: Trailing | None
    benchmark: Benchmark | None
    warnings: tuple[Issue, ...]
    unit: str = "MRR"
    currency: str = "USD"
    no_change: str | None = None  # why ``change`` is None: no earlier period, or NRR not defined
    cohort: Cohort | None = None  # a customer table's cohort answer (method "cohort")
    segments: tuple[SegmentCohort, ...] | None = None  # with ``by``: the cohort per segment
    money_basis: str = MONEY_LEDGER  # whose money ``retention``'s start, end and movements are
    #: the currencies the table's figures were converted from, with their rates (``engine._fx``)
    conversions: tuple[FxUse, ...] = ()
    source_kind: SourceKind = "ledger"  # what the ledger was read from (``Ledger.source_kind``)
    normalization: Normalization | None = None  # billing data: what was read as what

    @property
    def period(self) -> Period:
        return self.retention.period

    @property
    def currency_note(self) -> str | None:
        """Which currencies were converted into ``currency`` and at which rates: every surface shows it."""
        return conversion_sentence(self.conversions)


def build_report(ledger: Ledger, period: Period, *, method: Method | None = None,
                 profile: Profile | None = None, fiscal_year_start: int = 1,
                 currency: str = "USD", top: int = TOP_MOVERS, by: str | None = None,
                 where: tuple[str, str] | None = None, currency_set: bool = False) -> Report:
    """Everything to say about ``period``; raises ``QueryError`` if the ledger does not cover it.

    ``method`` None is the ledger's own: cohort for a customer table, else chained. A customer table whose
    Currency column names one currency is answered in it, whatever ``currency`` says, and so is a ledger whose
    figures show theirs (€1,030); with ``currency_set`` (the settings name one) a warning says they differ.
    ``top``, ``by`` (an attribute column) and ``where`` (column, value) apply to the cohort method. Without ``profile``
    the default one is assumed (``Profile(assumed=True)``), and the benchmark says so.
    """
    try:
        report = _build_report(ledger, period, method=method, profile=profile, fiscal_year_start=fiscal_year_start,
                               currency=currency, top=top, by=by, where=where)
    except NotInLedgerYet as exc:  # months left out as not closed yet: why the one asked for is missing
        why = [w.message for w in ledger.warnings if w.code == "month_not_landed"]
        if not why:
            raise
        raise NotInLedgerYet(" ".join([str(exc), *why]), exc.latest) from None
    report = replace(report, source_kind=ledger.source_kind, normalization=ledger.normalization)
    if currency_set and report.currency != currency:  # the ledger's own money wins, said (fuzz 23: a sheet made
        # by an older template shows $ whatever [company] currency is, and its euros were answered as dollars)
        report = replace(report, warnings=(*report.warnings, Issue(
            severity="warning", code="currency_not_configured", sheet=ledger.sheet,
            message=say.currency_not_configured(report.currency, currency))))
    return report


def _build_report(ledger: Ledger, period: Period, *, method: Method | None, profile: Profile | None,
                  fiscal_year_start: int, currency: str, top: int, by: str | None,
                  where: tuple[str, str] | None) -> Report:
    profile = profile or Profile(assumed=True)
    currency = ledger.own_currency or currency  # a table's Currency column, a ledger's figures written €1,030
    if method is None:
        method = "cohort" if ledger.customers is not None else "chained"
    if method == "cohort":
        if ledger.customers is None:
            raise QueryError(say.cohort_needs_customers())
        return _cohort_report(ledger, ledger.customers, period, profile, fiscal_year_start, currency, top, by,
                              where)
    asked, period = period, fit_period(period, ledger)
    retention = compute_retention(ledger, period, method)
    no_change: str | None = None
    try:
        previous = compute_retention(ledger, previous_period(period, fiscal_year_start), method)
    except QueryError as exc:
        previous, no_change = None, say.no_comparison(exc.reason)
    change = compare_retention(retention, previous) if previous else None
    if previous is not None and change is None:
        no_change = say.no_comparison(f"NRR is {retention.undefined or previous.undefined}.")
    trailing = trailing_12m(ledger, closed_month(asked, period, ledger), method)
    if trailing is not None:
        # the benchmark's figure has its own caveats (a sum over rows that are not one cohort)
        extra = tuple(say.benchmark_basis_note(n) for n in trailing.notes if n not in retention.notes)
        retention = replace(retention, notes=retention.notes + extra)
    benchmark = None
    if trailing is not None and trailing.nrr is not None:
        last_end = retention.rows[-1].end
        # (figures in thousands: their ARR is a thousand times too small to pick a stage from)
        arr = None if any(w.code == "in_thousands" for w in ledger.warnings) else \
            last_end * 12 if ledger.unit == "MRR" else last_end
        benchmark = compare_benchmarks(trailing.nrr, trailing.grr, profile, arr=arr, currency=currency,
                                       annualized=trailing.annualized)
    return Report(retention=retention, change=change, trailing=trailing, benchmark=benchmark, warnings=ledger.warnings,
                  unit=ledger.unit, currency=currency, no_change=no_change,
                  money_basis=MONEY_LEDGER if ledger.customers is None else MONEY_TOTALS,
                  conversions=ledger.customer_table.conversions if ledger.customer_table is not None else ())


def _cohort_retention(ledger: Ledger, table: Customers, period: Period, top: int,
                      where: tuple[str, str] | None) -> tuple[Retention, Cohort, Customers]:
    """The period's cohort figures over the month-by-month money of the same customers' ledger: the whole
    table's, or with ``where`` the segment's (its customers in a-1), so a segment's money is its own; and
    the table of those customers."""
    cohort_before(table, period.first)  # a period whose month a-1 the table lacks is refused, naming it
    period = fit_period(period, ledger)
    segment = None
    if where is not None:
        segment, table = where_table(table, cohort_before(table, period.first), where)
        ledger = derive_ledger(table, ledger.warnings, ledger.sheet)
    base = compute_retention(ledger, period, "chained")
    if segment is not None:  # a fixed cohort wins no new business: what returns is its own churned customers
        base = replace(base, new_business=None, next_start=None)
    cohort = compute_cohort(table, period.first, period.last, top=top, segment=segment)
    if not cohort.start:
        undefined = say.undefined_zero_start(period.first)
        return (replace(base, method="cohort", nrr=None, grr=None, components=None, undefined=undefined), cohort,
                table)
    start = Decimal(cohort.start)
    components = Components(cohort.expansion / start, cohort.contraction / start, cohort.churn / start)
    retention = replace(base, method="cohort", nrr=cohort.nrr, grr=cohort.grr, components=components,
                        undefined=None, notes=())
    return retention, cohort, table


def _cohort_report(ledger: Ledger, table: Customers, period: Period, profile: Profile, fiscal_year_start: int,
                   currency: str, top: int, by: str | None, where: tuple[str, str] | None) -> Report:
    """The report of a customer table: every figure a cohort figure, the 12-month cohort benchmarked."""
    retention, cohort, customers = _cohort_retention(ledger, table, period, top, where)
    asked, period = period, retention.period
    no_change: str | None = None
    change = None
    try:
        previous, _, _ = _cohort_retention(ledger, table, previous_period(period, fiscal_year_start), top, where)
    except QueryError as exc:
        no_change = say.no_comparison(exc.reason)
    else:
        change = compare_retention(retention, previous)
        if change is None:
            no_change = say.no_comparison(f"NRR is {retention.undefined or previous.undefined}.")
    year = None if where is None else _segment_table(table, period.last - 12, where)  # its 12-month cohort's
    basis = closed_month(asked, period, ledger)
    if basis != period.last and where is not None:
        year = _segment_table(table, basis - 12, where)  # its 12-month cohort's, to the closed month
    trailing = _annual(ledger, table, basis, cohort.segment, year)
    arr = company_arr(table, period.last)  # the company's ARR picks the stage, for a segment too
    benchmark = None
    if trailing is not None and trailing.nrr is not None:
        if cohort.segment is not None and (own := benchmark_segment(cohort.segment)) is not None:
            # a segment is compared with its own segment's benchmark: the data chose it, not a default
            profile = replace(profile, segment=own, own_segment=True)
        benchmark = compare_benchmarks(trailing.nrr, trailing.grr, profile, arr=arr, currency=currency,
                                       annualized=trailing.annualized)
    segments = None
    if by and where is None:
        segments = segment_cohorts(table, period.first, period.last, by, profile, top=top, annual_last=basis,
                                   currency=currency)
    elif by:  # segments within the segment, each year's cohort drawn a year back
        segments = segment_cohorts(customers, period.first, period.last, by, profile, top=top,
                                   year=year or customers.empty(), arr=arr, annual_last=basis, currency=currency)
    warnings = ledger.warnings
    latest = period.last == asked.last and (asked.to_date or period.last == customers.last)
    known = cohort if period.first == period.last else None  # the month's own cohort, computed above
    if latest and (partial := _partly_entered(customers, period.last, ledger, in_progress=asked.to_date,
                                              known=known)):
        warnings = (*warnings, partial)
    return Report(retention=retention, change=change, trailing=trailing, benchmark=benchmark, warnings=warnings,
                  unit=ledger.unit, currency=currency, no_change=no_change,
                  cohort=cohort, segments=segments, money_basis=MONEY_TOTALS if where is None else MONEY_SEGMENT,
                  conversions=table.conversions if isinstance(table, CustomerTable) else ())


def _partly_entered(table: Customers, month: Month, ledger: Ledger, *, in_progress: bool = True,
                    known: Cohort | None = None) -> Issue | None:
    """A warning for a period to date that ends in ``month``, the month in progress (or, not ``in_progress``, a
    period ending in the table's latest month, closed: an export taken on the 1st, a fresh-eyes try read 8 of 31
    customers entered as NRR 5.15% without a word), when it looks partly entered:
    two or more customers paying the month before have no figure in it yet (counted as churned), and it has lost 5%
    or more of that month's money, more than twice the largest share any of the 12 closed months before lost (a
    review: one customer gone in a table that never lost one read as a partial month) (fuzz 23: 5 of 19 customers
    entered read as a 16.85% cohort with 14 churned, said as if final). A table whose month in progress is complete,
    or loses about what a closed month did, is answered without it."""
    if month - 1 not in table or (not in_progress and known is None and not isinstance(table, CustomerTable)):
        # a warehouse's latest month in a longer period: one more statement over the whole table for every answer
        return None  # (asked alone, its cohort is the report's own: ``known``)
    sums = known if known is not None else compute_cohort(table, month, month, top=0)
    lost = sums.customers - sums.retained
    if lost < 2 or not sums.start:  # one customer gone is a churn like any other, even a young company's first
        return None
    if not in_progress and (lost < 3 or 4 * lost < sums.customers):
        return None  # a closed month: a few customers gone to 0 is churn (a review: 2 of 19 was said as partial)
    share = Decimal(sums.churn) / sums.start
    usual = max((Decimal(m.churn) / m.start for m in table.movements if month - 12 <= m.month < month and m.start),
                default=None)
    if share <= 2 * (usual or 0) or share < Decimal("0.05"):  # losing no more than a closed month did is no sign
        return None
    if not in_progress:
        return Issue(severity="warning", code="latest_month_partial", sheet=ledger.sheet,
                     message=say.latest_month_partial(month, lost, sums.customers, share, usual, ledger.unit))
    return Issue(severity="warning", code="month_in_progress_partial", sheet=ledger.sheet,
                 message=say.month_in_progress_partial(month, lost, sums.customers, share, usual, ledger.unit))


def closed_month(asked: Period, period: Period, ledger: Ledger) -> Month:
    """The month the annual figure a report benchmarks ends in: the last of ``period`` (``asked`` as the ledger
    answers it), unless that is the month in progress of a period to date (this month, this quarter: ``asked``
    ends in it), whose row holds a few days: then the month before, the last one closed, when the ledger holds
    it (fuzz 16). A period to date the ledger answered to its latest month ends in a closed month already."""
    if asked.to_date and period.last == asked.last and period.last - 1 in ledger:
        return period.last - 1
    return period.last


def _annual(ledger: Ledger, table: Customers, last: Month, segment: str | None,
            year: Customers | None) -> Trailing | None:
    """The annual figure a cohort report benchmarks: the 12-month cohort to ``last`` (of ``segment``: its
    customers 12 months before, ``year``); else the month totals' trailing figure, for the whole table only: a
    segment has no annual figure of its own until the table holds that month."""
    if segment is None:
        return annual_figure(ledger, last)
    month = last - 12
    if month not in table:
        return Trailing(as_of=last, nrr=None, grr=None, months=0, annualized=False,
                        undefined=say.segment_needs_a_year(segment, month, table.first))
    if year is None:
        return Trailing(as_of=last, nrr=None, grr=None, months=0, annualized=False,
                        undefined=say.segment_new_since(segment, month))
    return annual_figure(derive_ledger(year, ledger.warnings, ledger.sheet), last)


def _segment_table(table: Customers, month: Month, where: tuple[str, str]) -> Customers | None:
    """The customers of the segment ``where`` names paying in ``month``; None when there were none."""
    if month not in table:
        return None
    try:
        return where_table(table, month, where)[1]
    except QueryError:
        return None


def cohort_to_dict(cohort: Cohort) -> dict[str, Any]:
    """A cohort's figures for JSON: ``customers``, ``retained``, ``logo_retention_pct``, start and end MRR."""
    return {"customers": cohort.customers, "retained": cohort.retained,
            "logo_retention_pct": json_pct(cohort.logo_retention),
            "start_mrr": json_money(cohort.start_mrr), "end_mrr": json_money(cohort.end_mrr)}


def movers_to_dict(cohort: Cohort) -> dict[str, list[dict[str, str | None]]]:
    return {kind: [{"customer": m.customer, "amount": json_money(m.amount)} for m in cohort.movers[kind]]
            for kind in MOVER_KINDS}


def segment_to_dict(segment: SegmentCohort) -> dict[str, Any]:
    c, b = segment.cohort, segment.benchmark
    return {"segment": segment.segment, "nrr_pct": json_pct(c.nrr), "grr_pct": json_pct(c.grr),
            "logo_retention_pct": json_pct(c.logo_retention), "customers": c.customers, "retained": c.retained,
            "start_mrr": json_money(c.start_mrr), "end_mrr": json_money(c.end_mrr),
            "benchmark": None if b is None else {
                "basis": COHORT_LABEL, "nrr_pct": json_pct(b.nrr), "grr_pct": json_pct(b.grr), "tier": b.tier.name,
                "segment": b.segment.segment,
                "segment_median_pct": json_pct(b.segment.median),
                "segment_top_quartile_pct": json_pct(b.segment.top_quartile),
                "gap_to_median_pts": json_points(b.gap_to_median),
                "gap_to_top_quartile_pts": json_points(b.gap_to_top_quartile),
                "grr_status": b.grr_status, "source": str(b.source)}}


def json_pct(ratio: Decimal | None) -> float | None:
    """A ratio as a percentage to 2 decimals for JSON (1.03124 -> 103.12); None stays None."""
    if ratio is None:
        return None
    return _unsigned_zero(float((ratio * 100).quantize(_CENTS, rounding=ROUND_HALF_UP)))


def _unsigned_zero(value: float) -> float:
    """``-0.0`` (a tiny negative rounded away) as ``0.0``: JSON shows no sign on nothing."""
    return value + 0.0


def json_points(ratio: Decimal | None) -> float | None:
    """A difference of ratios in percentage points, 2 decimals."""
    return json_pct(ratio)


def json_money(amount: Decimal | None) -> str | None:
    """Money for JSON: a string with 2 decimals (``"250000.00"``)."""
    if amount is None:
        return None
    return str(amount.quantize(_CENTS, rounding=ROUND_HALF_UP) + 0)  # + 0: no "-0.00"


def json_ratio(value: Decimal | None) -> float | None:
    if value is None:
        return None
    return _unsigned_zero(float(value.quantize(_CENTS, rounding=ROUND_HALF_UP)))


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as the JSON object ``nrr report --json`` prints (documented in the README)."""
    r = report.retention
    period = report.period
    out: dict[str, Any] = {
        "period": {"label": period.label, "first_month": str(period.first),
                   "last_month": str(period.last), "to_date": period.to_date},
        "method": r.method,
        "nrr_pct": json_pct(r.nrr),
        "grr_pct": json_pct(r.grr),
        "start_mrr": json_money(r.start),
        "end_mrr": json_money(r.end),
        "expansion": json_money(r.expansion),
        "churn": json_money(r.churn),
        "downgrade": json_money(r.downgrade),
        "money_basis": report.money_basis,
        "new_business": json_money(r.new_business),
        "mrr_growth_pct": json_pct(r.growth),
        "mrr_growth_basis": None if r.growth is None else "next_month_start",
        "unit": report.unit,
        "currency": report.currency,
        "months": [
            {"month": str(row.month), "start_mrr": json_money(row.start), "expansion": json_money(row.expansion),
             "churn": json_money(row.churn), "downgrade": json_money(row.downgrade), "end_mrr": json_money(row.end),
             "nrr_pct": json_pct(row.nrr), "grr_pct": json_pct(row.grr)}
            for row in r.rows
        ],
        "components_pts": None if r.components is None else {
            "expansion": json_points(r.components.expansion),
            "contraction": json_points(r.components.contraction),
            "churn": json_points(r.components.churn)},
        "change": None,
        "trailing_12m": None,
        "benchmark": None,
        "quick_ratio": json_ratio(r.quick_ratio),
        "warnings": [*r.notes, *(str(w) for w in report.warnings)],
        "source_kind": report.source_kind,
        "normalization": None if report.normalization is None else report.normalization.to_dict(),
    }
    if r.undefined:
        out["undefined"] = r.undefined
    if r.vanished:  # MRR lost between the rows without a record: why new business and the quick ratio are null
        out["vanished_mrr"] = json_money(r.vanished)
    if report.no_change:
        out["change_unavailable"] = report.no_change
    if report.change is not None:
        c = report.change
        parts = c.shown
        out["change"] = {
            "vs": c.previous.period.label, "previous_nrr_pct": json_pct(c.previous.nrr),
            "previous_grr_pct": json_pct(c.previous.grr), "nrr_pts": json_points(c.nrr),
            "grr_pts": json_points(c.grr), "expansion_pts": json_points(parts["expansion"]),
            "contraction_pts": json_points(parts["contraction"]), "churn_pts": json_points(parts["churn"]),
            "driver": c.driver, "drivers": list(c.drivers), "mostly": c.mostly, "despite": c.despite,
            "against": list(c.against)}
    if report.trailing is not None:
        t = report.trailing
        out["trailing_12m"] = {"nrr_pct": json_pct(t.nrr), "grr_pct": json_pct(t.grr),
                               "annualized": t.annualized, "months": t.months,
                               "as_of": str(t.as_of)}
        if t.nrr is None and t.undefined:
            out["trailing_12m"]["undefined"] = t.undefined
        if t.gap:  # the months missing from the ledger that cut the figure to the months after them
            out["trailing_12m"]["missing_months"] = [str(m) for m in t.gap]
    if report.trailing is not None and report.trailing.cohort:
        out["trailing_12m"]["basis"] = COHORT_LABEL
    if report.cohort is not None:
        out["cohort"] = cohort_to_dict(report.cohort)
        if report.cohort.segment is not None:
            out["cohort"]["segment"] = report.cohort.segment
        out["movers"] = movers_to_dict(report.cohort)
        # what the movers past the listed ones moved, by kind: the lists and these add up to the cohort's movements
        out["movers_others"] = {kind: json_money(report.cohort.others(kind)) for kind in MOVER_KINDS}
    if report.segments is not None:
        out["segments"] = [segment_to_dict(s) for s in report.segments]
    if report.money_basis != MONEY_LEDGER:  # a customer table's: what was converted, at which rates
        normalization = out["normalization"] = out.get("normalization") or {}
        normalization["currencies"] = [u.to_dict() for u in report.conversions]
        normalization["currency_note"] = report.currency_note
    if report.benchmark is not None:
        b = report.benchmark
        out["benchmark"] = {
            "tier": b.tier.name, "basis": "annualized" if b.annualized else "trailing_12m",
            "basis_note": approximation_note(report.trailing),
            "indicative": b.annualized,
            "segment": b.segment.segment, "segment_median_pct": json_pct(b.segment.median),
            "segment_top_quartile_pct": json_pct(b.segment.top_quartile),
            "gap_to_median_pts": json_points(b.gap_to_median),
            "gap_to_top_quartile_pts": json_points(b.gap_to_top_quartile),
            "grr_status": b.grr_status, "stage": b.stage,
            "funding_median_pct": json_pct(b.funding.median),
            "funding_p90_pct": json_pct(b.funding.p90),
            "funding_source": str(SOURCES[b.funding.source]),
            "pricing_range_pct": None if b.pricing is None else [json_pct(b.pricing.low), json_pct(b.pricing.high)],
            "profile": {"segment": b.profile.segment, "funding": b.profile.funding,
                        "assumed": b.profile.assumed},
            "source": str(b.source)}
    return out
