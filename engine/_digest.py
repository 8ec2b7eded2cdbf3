"""A monthly digest's content: the month, its quarter to date and the trailing year, as reports."""

from __future__ import annotations

from dataclasses import dataclass

from engine._benchmarks import Profile
from engine._errors import QueryError
from engine._ledger import Ledger
from engine._month import Month, fiscal_year_first_month
from engine._periods import Period, label_span
from engine._report import Report, build_report
from engine._retention import Method, Trailing, trailing_series


@dataclass(frozen=True)
class Digest:
    """What a digest for ``month`` says; ``trailing_year`` is None with under 12 months of history."""

    month: Month
    last_month: Report
    quarter_to_date: Report
    trailing_year: Report | None
    series: tuple[Trailing, ...]  # trailing-12-month NRR and GRR per month, for the chart


def build_digest(ledger: Ledger, month: Month, *, method: Method = "chained", profile: Profile | None = None,
                 fiscal_year_start: int = 1, currency: str = "USD", chart_months: int = 12) -> Digest:
    """The digest for ``month``; raises ``QueryError`` if the ledger has no row for it."""
    def report(period: Period) -> Report:
        return build_report(ledger, period, method=method, profile=profile, fiscal_year_start=fiscal_year_start,
                            currency=currency)

    last = report(Period(month, month, month.name))
    quarter_first = fiscal_year_first_month(month.fiscal_year(fiscal_year_start), fiscal_year_start) + 3 * (
        month.fiscal_quarter(fiscal_year_start) - 1)
    quarter_label = label_span(quarter_first, quarter_first + 2, fiscal_year_start)
    closed = month == quarter_first + 2
    qtd = report(Period(quarter_first, month, quarter_label if closed else f"{quarter_label} to date",
                        to_date=not closed, span=0 if closed else 3))
    try:
        year: Report | None = report(Period(month - 11, month, f"Trailing 12 months to {month.short}"))
    except QueryError:
        year = None
    series = tuple(trailing_series(ledger, month, chart_months, method))
    return Digest(month, last, qtd, year, series)
