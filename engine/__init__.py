"""The NRR engine: ledger in, retention answers out. Pure: no I/O, no clock, no environment.

    >>> from engine import read_ledger, resolve_period, build_report
    >>> ledger = read_ledger([["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR",
    ...                        "Downgraded MRR"], ["2026-01", "$100,000", "15,000", "5,000", "2,000"]])
    >>> import datetime as dt
    >>> build_report(ledger, resolve_period("last-month", dt.date(2026, 2, 3))).retention.nrr
    Decimal('1.08')
"""

from engine._alerts import RULES, Alert, Thresholds, evaluate_alerts
from engine._benchmarks import (
    EXPANSION_DEPENDENT_NRR,
    FUNDING_BENCHMARKS,
    PRICING_BENCHMARKS,
    PUBLIC_COMPANIES,
    SEGMENT_BENCHMARKS,
    SOURCES,
    STAGE_BENCHMARKS,
    TIERS,
    Benchmark,
    Funding,
    PricingModel,
    Profile,
    Segment,
    Source,
    Stage,
    Tier,
    classify_grr,
    classify_tier,
    compare_benchmarks,
)
from engine._cells import Cell, parse_money, parse_month, parse_ratio
from engine._digest import Digest, build_digest
from engine._errors import LedgerError, NrrError, ProfileError, QueryError
from engine._ledger import FIELD_TITLES, Issue, Layout, Ledger, LedgerRow, a1, column_letter, quote_sheet
from engine._month import MONTH_NAMES, MONTH_WORDS, Month, fiscal_year_first_month, parse_month_number
from engine._periods import EXAMPLES, Period, fit_period, label_span, previous_period, resolve_period
from engine._reader import Grid, LedgerCheck, check_ledger, read_ledger
from engine._report import Report, build_report, report_to_dict
from engine._retention import (
    METHODS,
    Change,
    Components,
    Method,
    Retention,
    Trailing,
    compare_retention,
    compute_retention,
    trailing_12m,
    trailing_series,
)

__all__ = [
    "EXAMPLES",
    "EXPANSION_DEPENDENT_NRR",
    "FIELD_TITLES",
    "FUNDING_BENCHMARKS",
    "METHODS",
    "MONTH_NAMES",
    "MONTH_WORDS",
    "PRICING_BENCHMARKS",
    "PUBLIC_COMPANIES",
    "RULES",
    "SEGMENT_BENCHMARKS",
    "SOURCES",
    "STAGE_BENCHMARKS",
    "TIERS",
    "Alert",
    "Benchmark",
    "Cell",
    "Change",
    "Components",
    "Digest",
    "Funding",
    "Grid",
    "Issue",
    "Layout",
    "Ledger",
    "LedgerCheck",
    "LedgerError",
    "LedgerRow",
    "Method",
    "Month",
    "NrrError",
    "Period",
    "PricingModel",
    "Profile",
    "ProfileError",
    "QueryError",
    "Report",
    "Retention",
    "Segment",
    "Source",
    "Stage",
    "Thresholds",
    "Tier",
    "Trailing",
    "a1",
    "build_digest",
    "build_report",
    "check_ledger",
    "classify_grr",
    "classify_tier",
    "column_letter",
    "compare_benchmarks",
    "compare_retention",
    "compute_retention",
    "evaluate_alerts",
    "fiscal_year_first_month",
    "fit_period",
    "label_span",
    "parse_money",
    "parse_month",
    "parse_month_number",
    "parse_ratio",
    "previous_period",
    "quote_sheet",
    "read_ledger",
    "report_to_dict",
    "resolve_period",
    "trailing_12m",
    "trailing_series",
]
