"""The benchmark alert rules as the engine reads them: which figure, compared as shown. Exact words."""

from __future__ import annotations

import csv

import pytest

from engine import Ledger, Month, Profile, evaluate_alerts, read_ledger
from tests.helpers import ROOT

DEC = Month(2025, 12)
OCT = Month(2026, 10)


def flat_then(churn: int) -> Ledger:
    """Jun .. Dec 2025 at 100000 a month, every month kept whole but December, which loses ``churn``."""
    rows: list[list[object]] = [["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR", "Downgraded MRR",
                                 "MRR (End of Period)"]]
    rows += [[f"2025-{m:02d}", "100000", "0", str(churn if m == 12 else 0), "0", ""] for m in range(6, 13)]
    return read_ledger(rows)  # type: ignore[arg-type]


@pytest.mark.parametrize(("churn", "level", "message"), [
    (3000, "ok", "December 2025's monthly NRR is back within 3 pts of its 6-month average."),
    (3005, "ok", "December 2025's monthly NRR is back within 3 pts of its 6-month average."),
    (3010, "down", "December 2025's monthly NRR is 3.01 pts below its 6-month average (the line is 3 pts): an unusual "
                   "month worth a look."),
])
def test_a_move_is_judged_on_the_figures_as_shown(churn: int, level: str, message: str) -> None:
    # 96.995% is shown as 97.00% against an average of 100.00%: exactly at the 3-point line, yet the difference
    # rounded on its own (-3.005 -> -3.01) fired "3.01 pts below" (an edge case of the README's "as shown")
    (alert,) = evaluate_alerts(flat_then(churn), DEC, Profile(), rules=["nrr_move"])
    assert (alert.level, alert.message) == (level, message)


def customers() -> Ledger:
    with (ROOT / "examples" / "customers.csv").open(newline="") as handle:
        return read_ledger(list(csv.reader(handle)))


def test_a_customer_table_chained_as_asked_is_alerted_on_the_chained_figure_and_says_so() -> None:
    # [ledger] method = "chained": the digest showed the chain, 98.76%, while the alerts read the 12-month cohort,
    # 106.21% (a tester's run)
    alerts = {a.rule: a.message for a in evaluate_alerts(customers(), OCT, Profile(), rules=["nrr_below_100"],
                                                          method="chained")}
    assert alerts == {"nrr_below_100": "Trailing-12-month (chained) NRR is 98.76%, 1.24 pts below the 100% line since "
                                       "October 2026. Why it matters: below 100% the existing customer base is "
                                       "shrinking before any new sales."}
    cohort = {a.rule: a.message for a in evaluate_alerts(customers(), OCT, Profile(), rules=["nrr_below_100"])}
    assert cohort == {"nrr_below_100": "12-month cohort NRR is back above the 100% line: 106.21% as of October 2026."}
