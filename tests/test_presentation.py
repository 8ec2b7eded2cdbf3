"""How answers read: the command line's hints, and tables and charts as a finance lead would show them."""

from __future__ import annotations

import pytest

from tests.helpers import ROOT
from tests.test_cli import run

CUSTOMERS = str(ROOT / "examples" / "customers.csv")  # ends October 2026


@pytest.mark.parametrize(("query", "today", "missing", "span"), [
    ("last-month", "2027-01-05", "December 2026", "2026-10"),
    ("ttm", "2027-01-05", "November 2026", "2025-11..2026-10"),
    ("last-quarter", "2027-01-05", "November 2026", "2026-08..2026-10"),
])
def test_a_table_ending_before_the_period_says_how_to_ask_for_one_it_holds(query: str, today: str, missing: str,
                                                                            span: str) -> None:
    code, out, err = run("report", query, "--ledger", CUSTOMERS, "--today", today)
    assert (code, out) == (1, "")
    assert err == (f"{missing} is not in the ledger yet; the latest month is October 2026. Ask for a period that "
                   f"ends by then ({span}), or answer as of then with --today 2026-11-01.\n")
