"""Benchmarks: tiers, lines and the profile that picks them, with their sources."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine import (
    EXPANSION_DEPENDENT_NRR,
    FUNDING_BENCHMARKS,
    SEGMENT_BENCHMARKS,
    SOURCES,
    Profile,
    ProfileError,
    Thresholds,
    classify_grr,
    classify_tier,
    compare_benchmarks,
    stage_for_arr,
)

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
    b = compare_benchmarks(D("1.12"), D("0.83"), Profile("enterprise", "usage", None, "bootstrapped"),
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
