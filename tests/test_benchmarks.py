"""Benchmarks: tiers, lines and the profile that picks them, with their sources."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine import (
    EXPANSION_DEPENDENT_NRR,
    FUNDING_BENCHMARKS,
    PRICING_BENCHMARKS,
    PUBLIC_COMPANIES,
    SEGMENT_BENCHMARKS,
    SOURCES,
    STAGE_BENCHMARKS,
    TIERS,
    UPOLLO_BANDS,
    Month,
    Profile,
    ProfileError,
    Thresholds,
    classify_grr,
    classify_tier,
    compare_benchmarks,
    evaluate_alerts,
    grr_sentence,
    rate,
    stage_for_arr,
    tier_name,
)
from tests.helpers import ledger, row

D = Decimal


@pytest.mark.parametrize(
    ("nrr", "tier"),
    [("1.31", "best-in-class"), ("1.30", "strong"), ("1.10", "strong"), ("1.0999", "good"),
     ("1.00", "good"), ("0.9999", "concerning"), ("0.90", "concerning"), ("0.8999", "critical"),
     ("0", "critical")],
)
def test_tiers_at_their_boundaries(nrr: str, tier: str) -> None:
    assert classify_tier(D(nrr)).name == tier


@pytest.mark.parametrize(("grr", "status"), [("0.95", "healthy"), ("0.90", "healthy"), ("0.89", "watch"),
                                             ("0.85", "watch"), ("0.84", "concerning"),
                                             ("0.80", "concerning"), ("0.79", "leaky-bucket")])
def test_grr_lines(grr: str, status: str) -> None:
    assert classify_grr(D(grr)) == status


def test_segment_medians_and_top_quartiles_from_the_seeds() -> None:
    assert {k: (v.median, v.top_quartile) for k, v in SEGMENT_BENCHMARKS.items()} == {
        "enterprise": (D("1.18"), D("1.30")), "mid-market": (D("1.08"), D("1.20")),
        "smb": (D("0.97"), D("1.05"))}


def test_bootstrapped_sources_disagree_and_both_are_kept() -> None:
    boot = FUNDING_BENCHMARKS["bootstrapped"]
    assert (boot.median, boot.p90, boot.source) == (D("1.04"), D("1.18"), "saas-capital")
    assert boot.also == (("metricrig", D("1.03"), D("1.179")),)
    assert all(key in SOURCES for key in ("saas-capital", "metricrig"))


def test_a_profile_picks_what_applies() -> None:
    b = compare_benchmarks(D("1.12"), D("0.83"), Profile(segment="enterprise", pricing_model="usage", stage=None,
                                                         funding="bootstrapped"),
                           arr=D(12_000_000))
    assert b.tier.name == "strong"
    assert b.gap_to_median == D("-0.06") and b.gap_to_top_quartile == D("-0.18")
    assert b.stage == "growth" and b.pricing is not None and b.pricing.low == D("1.15")
    assert b.grr_status == "concerning" and b.expansion_dependent
    assert str(b.source) == "2026 SaaS NRR benchmarks by customer segment"


def test_stage_from_arr() -> None:
    assert [stage_for_arr(D(a)) for a in (9_999_999, 10_000_000, 50_000_000)] == ["early", "growth", "scale"]


def test_unknown_profile_values_are_named() -> None:
    with pytest.raises(ProfileError) as info:
        Profile(segment="enterprize")  # type: ignore[arg-type]
    assert str(info.value) == "segment 'enterprize' is not one of enterprise, mid-market, smb."


@pytest.mark.parametrize(("nrr", "grr", "dependent"), [("1.12", "0.83", True), ("1.06", "0.8499", True),
                                                       ("1.05", "0.80", False), ("1.12", "0.85", False),
                                                       ("1.12", None, False)])
def test_expansion_dependent_is_one_line_for_benchmarks_and_alerts(nrr: str, grr: str | None,
                                                                    dependent: bool) -> None:
    b = compare_benchmarks(D(nrr), D(grr) if grr else None, Profile())
    assert b.expansion_dependent is dependent
    assert Thresholds().expansion_dependent_nrr == EXPANSION_DEPENDENT_NRR == D("1.05")


# Each line at x - 0.004, x and x + 0.004 (all shown as x.00%), and where the shown figure leaves x.
@pytest.mark.parametrize(
    ("nrr_pct", "shown"),
    [("129.994", "129.99% Strong"), ("129.996", "130.00% Strong"), ("130", "130.00% Strong"),
     ("130.001", "130.00% Strong"), ("130.004", "130.00% Strong"), ("130.005", "130.01% Best-in-class"),
     ("109.994", "109.99% Good"), ("109.996", "110.00% Strong"), ("110", "110.00% Strong"),
     ("110.004", "110.00% Strong"),
     ("99.994", "99.99% Concerning"), ("99.996", "100.00% Good"), ("100", "100.00% Good"),
     ("100.004", "100.00% Good"),
     ("89.994", "89.99% Critical"), ("89.996", "90.00% Concerning"), ("90", "90.00% Concerning"),
     ("90.004", "90.00% Concerning")],
)
def test_the_tier_is_the_one_of_the_figure_shown(nrr_pct: str, shown: str) -> None:
    nrr = D(nrr_pct) / 100
    b = compare_benchmarks(nrr, None, Profile())
    assert f"{rate(nrr, 2)} {tier_name(b)}" == shown
    assert classify_tier(nrr) is b.tier


@pytest.mark.parametrize(
    ("grr_pct", "shown"),
    [("89.994", "GRR 89.99%: GRR is below the 90% ideal."), ("89.996", "GRR 90.00%: GRR is healthy (90%+)."),
     ("90", "GRR 90.00%: GRR is healthy (90%+)."), ("90.004", "GRR 90.00%: GRR is healthy (90%+)."),
     ("84.994", "GRR 84.99%: GRR is concerning (below 85%)."),
     ("84.996", "GRR 85.00%: GRR is below the 90% ideal."), ("85", "GRR 85.00%: GRR is below the 90% ideal."),
     ("85.004", "GRR 85.00%: GRR is below the 90% ideal."),
     ("79.994", "GRR 79.99%: GRR is a leaky bucket (below 80%): expansion is hiding losses."),
     ("79.996", "GRR 80.00%: GRR is concerning (below 85%)."), ("80", "GRR 80.00%: GRR is concerning (below 85%)."),
     ("80.004", "GRR 80.00%: GRR is concerning (below 85%).")],
)
def test_the_grr_status_is_the_one_of_the_figure_shown(grr_pct: str, shown: str) -> None:
    grr = D(grr_pct) / 100
    b = compare_benchmarks(D("1.05"), grr, Profile())
    assert f"GRR {rate(grr, 2)}: {grr_sentence(b)}" == shown
    assert classify_grr(grr) == b.grr_status


def test_a_leaky_bucket_says_expansion_hides_losses_only_when_nrr_is_100_or_more() -> None:
    assert grr_sentence(compare_benchmarks(D("0.99995"), D("0.70"), Profile())) == (
        "GRR is a leaky bucket (below 80%): expansion is hiding losses.")  # NRR shown as 100.00%
    assert grr_sentence(compare_benchmarks(D("0.9861"), D("0.70"), Profile())) == (
        "GRR is a leaky bucket (below 80%): losses outrun expansion.")


def test_gaps_and_expansion_dependence_use_the_figure_shown() -> None:
    b = compare_benchmarks(D("1.080496"), D("0.849960"), Profile())  # shown as 108.05% and 85.00%
    assert (b.gap_to_median, b.gap_to_top_quartile) == (D("0.0005"), D("-0.1195"))
    assert b.expansion_dependent is False
    assert compare_benchmarks(D("1.050049"), D("0.80"), Profile()).expansion_dependent is False  # 105.00%


def _year_ending_with(start: str, expansion: str, churn: str) -> list[object]:
    """Twelve months to 2026-10 with no movement but the last month's, so the trailing year is that month."""
    months = [row(f"{m.year}-{m.month:02d}", "100000") for m in (Month(2025, 11) + i for i in range(11))]
    return [*months, row("2026-10", start, expansion, churn)]


def _alert(rule: str, start: str, expansion: str, churn: str) -> tuple[str, str]:
    rows = _year_ending_with(start, expansion, churn)
    (alert,) = evaluate_alerts(ledger(*rows), Month(2026, 10), Profile(), rules=[rule])  # type: ignore[arg-type]
    return alert.level, alert.message


def test_alerts_classify_the_figure_they_show() -> None:
    # GRR 79.996% is shown as 80.00%: concerning, not "below 80%"
    assert _alert("grr_floor", "100000", "0", "20004") == (
        "concerning", "Trailing-12-month GRR is 80.00%, 5.00 pts below the 85% line since October 2026. Why it "
        "matters: healthy NRR needs GRR above 85%, ideally 90%+; below it, losses are outrunning the base.")
    # NRR 99.996% is shown as 100.00%: good, and not below the 100% line
    assert _alert("tier_drop", "100000", "0", "4") == (
        "good", "Trailing-12-month NRR is 100.00% as of October 2026: good (net positive retention; adequate "
        "expansion).")
    assert _alert("nrr_below_100", "100000", "0", "4") == (
        "ok", "Trailing-12-month NRR is back above the 100% line: 100.00% as of October 2026.")
    # 109.996% is shown as 110.00%: strong
    assert _alert("tier_drop", "100000", "9996", "0")[0] == "strong"


def test_public_companies_as_the_seeds_give_them() -> None:
    assert [(c.name, c.nrr * 100, c.period, c.source) for c in PUBLIC_COMPANIES] == [
        ("Datadog", D(130), "as cited in 2026 vertical benchmarks", "verticals"),
        ("Snowflake", D(128), "Q1 FY2025", "public-filings"),
        ("Zscaler", D(125), "as cited in 2026 vertical benchmarks", "verticals"),
        ("CrowdStrike", D(120), "as cited in 2026 vertical benchmarks", "verticals"),
        ("Veeva", D(120), "as cited in 2026 vertical benchmarks", "verticals"),
        ("Slack", D(119), "as cited in 2026 vertical benchmarks", "verticals"),
        ("Toast", D(115), "as cited in 2026 vertical benchmarks", "verticals"),
        ("ZoomInfo", D(115), "as cited in 2026 vertical benchmarks", "verticals"),
        ("PagerDuty", D(106), "down from 116% in 2023", "public-filings"),
        ("HubSpot", D(103), "as cited in 2026 vertical benchmarks", "verticals"),
        ("Twilio", D(102), "Q2 2024, down from 103% in 2023", "public-filings"),
        ("Zoom", D(98), "as cited in 2026 vertical benchmarks", "verticals")]
    by_name = {c.name: c for c in PUBLIC_COMPANIES}
    assert by_name["Snowflake"].also == (
        ("verticals", D("1.27"), "as cited in 2026 vertical benchmarks"),
        ("metricrig", None, "'120-125% or higher' for top-tier public SaaS, with Datadog"))
    assert by_name["Datadog"].also == (
        ("public-filings", None, "'in the mid-130%s' in previous periods"),
        ("metricrig", None, "'120-125% or higher' for top-tier public SaaS, with Snowflake"))
    assert all(c.source in SOURCES and all(a[0] in SOURCES for a in c.also) for c in PUBLIC_COMPANIES)
    assert str(SOURCES["verticals"]) == "2026 SaaS NRR benchmarks by vertical"


def test_upollos_bands_are_recorded_with_their_source() -> None:
    assert UPOLLO_BANDS.source == "upollo"
    assert str(SOURCES["upollo"]) == "Upollo, NRR benchmarks for B2B SaaS"
    assert SOURCES["upollo"].detail == "<80% bad, 80-99% ok, >100-120% good, 120%+ excellent."
    assert [(b.name, b.low, b.high, b.words) for b in UPOLLO_BANDS.bands] == [
        ("Excellent", D("1.2"), None, "120%+"), ("Good", D("1"), D("1.2"), ">100-120%"),
        ("Ok", D("0.8"), D("0.99"), "80-99%"), ("Bad", None, D("0.8"), "<80%")]


def test_tiers_stages_and_pricing_as_the_seeds_give_them() -> None:
    assert [(t.name, t.floor, t.meaning) for t in TIERS] == [
        ("best-in-class", None, "Exceptional expansion; usage-based or platform plays"),
        ("strong", D("1.1"), "Healthy upsell motion; enterprise or mid-market focus"),
        ("good", D("1"), "Net positive retention; adequate expansion"),
        ("concerning", D("0.9"), "Revenue declining from existing base"),
        ("critical", None, "Severe retention problem; unsustainable without heavy acquisition")]
    assert {k: (v.name, v.low, v.high, v.best) for k, v in STAGE_BENCHMARKS.items()} == {
        "early": ("Early stage (< $10M ARR)", D("1"), D("1.1"), D("1.15")),
        "growth": ("Growth stage ($10M-$50M ARR)", D("1.1"), D("1.2"), D("1.25")),
        "scale": ("Scale stage ($50M+ ARR)", D("1.05"), D("1.15"), D("1.2"))}
    assert {k: (v.name, v.low, v.high) for k, v in PRICING_BENCHMARKS.items()} == {
        "flat": ("Flat subscription", D("0.95"), D("1.05")), "seat": ("Seat-based / tiered", D("1.05"), D("1.15")),
        "usage": ("Usage-based or hybrid", D("1.15"), D("1.3"))}
    assert FUNDING_BENCHMARKS["vc"].median == D("1.06")


def test_the_stage_is_drawn_from_an_arr_in_dollars_only() -> None:
    # the stages' lines are drawn in US dollars: ¥234,600,000 of ARR is no scale-stage company, and with no rate to
    # tell what it is in dollars the stage is unknown, not guessed; a stage the profile names stands
    yen = compare_benchmarks(D("1.05"), D("0.95"), Profile(), arr=D(234_600_000), currency="JPY")
    assert yen.stage is None
    assert compare_benchmarks(D("1.05"), D("0.95"), Profile(), arr=D(234_600_000)).stage == "scale"
    assert compare_benchmarks(D("1.05"), D("0.95"), Profile(stage="growth"), arr=D(1), currency="JPY").stage == "growth"
    assert compare_benchmarks(D("1.05"), D("0.95"), Profile()).stage is None  # no ARR: no stage either
