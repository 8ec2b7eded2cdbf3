"""A monthly digest's content: the month, its quarter to date and the trailing year, as reports."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

from engine import _messages as say
from engine._aggregates import Customers
from engine._benchmarks import Profile
from engine._cohort import COHORT_LABEL, MoverKind, annual_series
from engine._errors import OutsideLedger, QueryError
from engine._forecast import Forecast, build_forecast
from engine._ledger import Ledger
from engine._month import Month, fiscal_year_first_month
from engine._periods import Period, label_span
from engine._report import Report, build_report
from engine._retention import Method, Trailing
from engine._table import no_attribute


@dataclass(frozen=True, kw_only=True)
class Digest:
    """What a digest for ``month`` says; ``trailing_year`` is None with under 12 months of history."""

    month: Month
    last_month: Report
    #: None when the quarter spans a month the ledger lacks (a gap), ``quarter_missing`` saying so: the month's
    #: digest is still posted (a gap in August had stopped September's on every channel)
    quarter_to_date: Report | None
    trailing_year: Report | None
    series: tuple[Trailing, ...]  # the annual NRR and GRR per month (12-month cohort or trailing), the chart's
    by: str | None = None  # the attribute column the segments are split by
    note: str | None = None  # why there are no segments although they were asked for
    quarter_missing: str | None = None  # why there is no quarter (its refusal's words)
    customers: Customers | None = field(default=None, repr=False, compare=False)  # for the forecast part
    currency: str = "USD"

    @functools.cached_property
    def forecast(self) -> Forecast | None:
        """What the month's customers are projected to pay in the 12 months after it (a customer table only),
        worked out on first use: only a digest that includes the forecast part pays for it."""
        if self.customers is None:
            return None
        try:
            forecast = build_forecast(self.customers, self.month)
        except QueryError:
            return None
        return forecast if forecast.currency else replace(forecast, currency=self.currency)

    @property
    def mover_kinds(self) -> tuple[MoverKind, ...]:
        """Whose moves the month's part lists: the churned and the expanded, and the downgraded too when downgrades
        moved NRR the way it went (a fall "mostly from more downgrades" shown beside who expanded only, fuzz 14)."""
        change = self.last_month.change
        if change is not None and "contraction" in change.drivers:
            return ("churn", "contraction", "expansion")
        return ("churn", "expansion")

    @property
    def segments(self) -> Report | None:
        """The report that carries the segments (the trailing year's, else the month's), when split ``by``."""
        for report in (self.trailing_year, self.last_month):
            if report is not None and report.segments is not None:
                return report
        return None


def build_digest(ledger: Ledger, month: Month, *, method: Method | None = None, profile: Profile | None = None,
                 fiscal_year_start: int = 1, currency: str = "USD", chart_months: int = 12,
                 by: str | None = None, currency_set: bool = False) -> Digest:
    """The digest for ``month``; raises ``QueryError`` if the ledger has no row for it.

    ``method`` None is the ledger's own (cohort for a customer table, whose reports then carry logo
    retention and the movers); ``by`` (an attribute column) splits the trailing year, or the month
    when there is no trailing year yet, into segments.
    """
    note: str | None = None
    table = ledger.customers
    if by is not None and table is None:  # said, not dropped without a word (the digest had no segment lines)
        note, by = say.needs_customer_table(f"Segment lines (by = \"{by}\")", "Point the ledger at a customer "
                                            "table, or drop `by` from this digest."), None
    elif by is not None and table is not None and table.attribute(by) is None:
        note, by = no_attribute(table.attribute_names, by), None  # said in the digest, not fatal
    elif by is not None and table is not None and table.attribute(by) == table.summed_by:
        name = table.attribute(by) or by
        note, by = say.attribute_sums_rows(name, [a for a in table.attribute_names if a != name]), None
    cohort = (method or ("cohort" if ledger.customers is not None else None)) == "cohort"

    def report(period: Period, *, split: bool = False, fallback: bool = False) -> Report:
        def build(how: Method | None) -> Report:
            return build_report(ledger, period, method=how, profile=profile, fiscal_year_start=fiscal_year_start,
                                currency=currency, by=by if split and ledger.customers is not None else None,
                                currency_set=currency_set)
        try:
            return build(method)
        except QueryError:
            if not (fallback and cohort):
                raise
            return build("chained")  # a quarter reaching before the table's first month: its derived ledger

    # a cohort's year is the 12-month cohort (the customers paying a year before), not a trailing 12 months' chain
    year_label = f"{COHORT_LABEL if cohort else 'Trailing 12 months'} to {month.short}"
    try:
        year: Report | None = report(Period(first=month - 11, last=month, label=year_label), split=True)
    except QueryError:
        year = None
    last = report(Period(first=month, last=month, label=month.name), split=year is None)
    quarter_first = fiscal_year_first_month(month.fiscal_year(fiscal_year_start), fiscal_year_start) + 3 * (
        month.fiscal_quarter(fiscal_year_start) - 1)
    quarter_label = label_span(quarter_first, quarter_first + 2, fiscal_year_start)
    closed = month == quarter_first + 2
    first = ledger.rows[0].month if ledger.rows else month
    if quarter_first < first:  # the ledger starts inside the quarter: its months so far
        start = table.first if table is not None else first  # a cohort's month before is the table's first
        quarter = Period(first=first, last=month, label=say.quarter_since_start(quarter_label, first, month, start,
                                                               table is not None))
    else:
        quarter = Period(first=quarter_first, last=month, label=quarter_label if closed else f"{quarter_label} to date",
                         to_date=not closed, span=0 if closed else 3)
    qtd: Report | None = None
    quarter_missing = None
    try:
        qtd = report(quarter, fallback=True)
    except OutsideLedger as exc:  # a gap in the quarter: said where the quarter's line goes
        quarter_missing = str(exc)
    series = tuple(annual_series(ledger, month, chart_months, method))
    return Digest(month=month, last_month=last, quarter_to_date=qtd, trailing_year=year, series=series, by=by,
                  note=note, customers=ledger.customers, currency=currency, quarter_missing=quarter_missing)
