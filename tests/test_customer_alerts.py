"""The alert rules that read customers: logo retention, expansion hiding churn, concentration. Exact words."""

from __future__ import annotations

import csv
from decimal import Decimal as D

from engine import Ledger, Month, Profile, Thresholds, evaluate_alerts, read_ledger
from tests.helpers import EXAMPLE_LEDGER

CUSTOMER_RULES = ["logo_retention", "expansion_hiding_churn", "expansion_concentration"]


def table(amounts: dict[str, tuple[int, int]]) -> Ledger:
    """Oct 2025 .. Oct 2026; each customer pays its first figure until Feb 2026, its second from Mar 2026."""
    rows: list[list[object]] = [["Customer", "Month", "MRR"]]
    month = Month(2025, 10)
    while month <= Month(2026, 10):
        for name, (before, after) in amounts.items():
            rows.append([name, str(month), str(before if month < Month(2026, 3) else after)])
        month += 1
    return read_ledger(rows)  # type: ignore[arg-type]


# 10 customers a year ago: Big triples, three of the nine small ones leave, three grow a little.
LEAKY = table({"Big": (1000, 3000), "C1": (100, 0), "C2": (100, 0), "C3": (100, 0), "C4": (100, 150),
               "C5": (100, 130), "C6": (100, 120), "C7": (100, 100), "C8": (100, 100), "C9": (100, 100)})
OCT = Month(2026, 10)


def messages(ledger: Ledger, thresholds: Thresholds | None = None) -> dict[str, tuple[str, str]]:
    return {a.rule: (a.level, a.message) for a in evaluate_alerts(ledger, OCT, Profile(), thresholds,
                                                                   CUSTOMER_RULES)}


def test_logo_retention_below_80_percent() -> None:
    level, message = messages(LEAKY)["logo_retention"]
    assert level == "below"
    assert message == ("12-month logo retention is 70.00% as of October 2026 (7 of the 10 customers paying a year "
                       "before still pay), 10.00 pts below the 80% line since October 2026. Why it matters: losing "
                       "20% of customers a year leaves the base to be rebuilt every few years, whatever NRR says.")


def test_expansion_hiding_churn() -> None:
    # start 1900; end 3000 + 150 + 130 + 120 + 300 = 3700; kept 1000 + 600 = 1600
    level, message = messages(LEAKY)["expansion_hiding_churn"]
    assert level == "hiding"
    assert message == ("12-month cohort NRR is 194.74% as of October 2026, at or above 100%, while logo retention "
                       "is 70.00% (line 80%) and GRR 84.21% (line 85%), since October 2026: expansion from the "
                       "accounts that stay is hiding the customers who leave.")


def test_concentration_of_expansion_in_three_accounts() -> None:
    # expansion 2000 + 50 + 30 + 20 = 2100; the top 3 give 2080
    level, message = messages(LEAKY)["expansion_concentration"]
    assert level == "concentrated"
    assert message == ("3 accounts (Big, C4, C5) gave 99.05% of the expansion in the 12 months to October 2026 "
                       "($2,080 of $2,100), above the 50% line since October 2026: growth rests on a few "
                       "customers, and losing one of them moves NRR.")


def test_a_healthy_table_reads_ok_with_the_recovery_words() -> None:
    healthy = table({f"C{i}": (100, 110) for i in range(1, 9)})
    assert messages(healthy) == {
        "logo_retention": ("ok", "12-month logo retention is back above the 80% line: 100.00% as of October 2026."),
        "expansion_hiding_churn": ("ok", "Expansion no longer hides churn: logo retention 100.00% and GRR 100.00% "
                                         "as of October 2026."),
        "expansion_concentration": ("ok", "Expansion is spread wider again: the top 3 accounts gave 37.50% of it "
                                          "in the 12 months to October 2026."),
    }


def test_thresholds_move_the_lines() -> None:
    found = messages(LEAKY, Thresholds(logo_retention=D("0.65"), grr_concerning=D("0.80"), concentration=D("0.995")))
    assert {rule: level for rule, (level, _) in found.items()} == {
        "logo_retention": "ok", "expansion_hiding_churn": "ok", "expansion_concentration": "ok"}


def test_a_line_the_workspace_moved_is_said_as_its_own_not_with_the_sources_number() -> None:
    """With the leaky line moved to 85%, a GRR of 84.21% was "below the 85% line. Why it matters: below 80% GRR,
    expansion is compensating for a leaky bucket", citing the guidance: a reason its figure contradicts. A moved
    line is said as the workspace's, beside where its source draws it; an unmoved one keeps the source's words."""
    moved = Thresholds(grr_leaky=D("0.85"), grr_concerning=D("0.90"), logo_retention=D("0.75"))
    found = {a.rule: a for a in evaluate_alerts(LEAKY, OCT, Profile(), moved, ["grr_floor", "logo_retention"])}
    grr = found["grr_floor"]
    assert (grr.level, grr.message) == ("leaky-bucket", (
        "12-month cohort GRR is 84.21%, 0.79 pts below the 85% line since October 2026. Why it matters: the 85% line "
        "is this workspace's own; GRR guidance for healthy NRR draws it at 80%."))
    assert grr.source == "this workspace's alert settings, against GRR guidance for healthy NRR"
    logos = found["logo_retention"]
    assert "losing 20%" not in logos.message
    assert logos.message.endswith("Why it matters: the 75% line is this workspace's own; Logo retention alongside NRR "
                                  "draws it at 80%.")
    assert logos.source == "this workspace's alert settings, against Logo retention alongside NRR"
    # a line with decimals is said with them (review: 80.4% was "the 80% line" beside a GRR of 80.12% below it)
    decimals = evaluate_alerts(LEAKY, OCT, Profile(), Thresholds(grr_leaky=D("0.845"), grr_concerning=D("0.90")),
                               ["grr_floor"])
    assert decimals[0].message.startswith("12-month cohort GRR is 84.21%, 0.29 pts below the 84.5% line")
    unmoved = {a.rule: a for a in evaluate_alerts(LEAKY, OCT, Profile(), Thresholds(grr_concerning=D("0.86")),
                                                   ["grr_floor", "logo_retention"])}
    assert unmoved["logo_retention"].source == "Logo retention alongside NRR"
    assert unmoved["logo_retention"].message.endswith("losing 20% of customers a year leaves the base to be "
                                                      "rebuilt every few years, whatever NRR says.")
    assert unmoved["grr_floor"].source == "this workspace's alert settings, against GRR guidance for healthy NRR"


def test_a_seven_column_ledger_reads_them_as_unknown() -> None:
    with EXAMPLE_LEDGER.open() as f:
        ledger = read_ledger([list(r) for r in csv.reader(f)])
    assert evaluate_alerts(ledger, OCT, Profile(), rules=CUSTOMER_RULES) == []


def test_a_table_shorter_than_13_months_reads_them_as_unknown() -> None:
    assert evaluate_alerts(LEAKY, Month(2026, 9), Profile(), rules=CUSTOMER_RULES) == []


def test_the_benchmark_rules_read_the_12_month_cohort_of_a_customer_table_and_say_so() -> None:
    """The tier, 100% and GRR lines compare the figure the report benchmarks (106.21%), not the chain of the
    derived month totals (98.76% here: new customers who churned early pull it down)."""
    from engine import trailing_12m
    from tests.helpers import ROOT

    with (ROOT / "examples" / "customers.csv").open(newline="") as handle:
        ledger = read_ledger(list(csv.reader(handle)))
    assert f"{trailing_12m(ledger, OCT).nrr:.4f}" == "0.9876"  # type: ignore[union-attr]
    alerts = {a.rule: a.message for a in evaluate_alerts(ledger, OCT, Profile(),
                                                          rules=["tier_drop", "nrr_below_100", "grr_floor"])}
    assert alerts == {
        "tier_drop": "12-month cohort NRR is 106.21% as of October 2026: good (net positive retention; adequate "
                     "expansion).",
        "nrr_below_100": "12-month cohort NRR is back above the 100% line: 106.21% as of October 2026.",
        "grr_floor": "12-month cohort GRR is back above the 85% line: 93.11% as of October 2026."}


def test_an_annualized_figure_sets_off_no_benchmark_alert() -> None:
    """With 8 months of history the figure is annualized and indicative: no alert compares it with a line."""
    rows: list[list[object]] = [["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR", "Downgraded MRR",
                                 "MRR (End of Period)"]]
    start = 1000
    for month in range(3, 11):
        rows.append([f"2026-{month:02d}", str(start), "0", "50", "0", str(start - 50)])
        start -= 50
    rules = ["tier_drop", "below_median", "nrr_below_100", "grr_floor", "expansion_dependent"]
    assert evaluate_alerts(read_ledger(rows), OCT, Profile(), rules=rules) == []  # type: ignore[arg-type]


def test_a_leaky_bucket_below_100_percent_nrr_is_not_said_to_be_compensated() -> None:
    from tests.helpers import ROOT

    with (ROOT / "examples" / "customers.csv").open(newline="") as handle:
        ledger = read_ledger(list(csv.reader(handle)))
    (alert,) = evaluate_alerts(ledger, Month(2026, 6), Profile(), rules=["grr_floor"])
    assert alert.message == ("12-month cohort GRR is 75.39%, 4.61 pts below the 80% line since March 2026. Why it "
                             "matters: below 80% GRR with NRR under 100%, losses outrun expansion: the customers a "
                             "year old pay less every year.")
