"""Published NRR and GRR benchmarks, with their sources, and how a company compares.

Every figure here is annual (a 12-month cohort), so it is compared with the trailing-12-month
figure, or with the monthly rate annualized when there is less history, never with a raw
monthly or quarterly rate. Where two sources disagree both are kept and the one applied is
named: for bootstrapped companies SaaS Capital's 104% median is applied, and MetricRig's 103%
(90th percentile 117.9%) is recorded beside it. Snowflake's reported 128% has the 2026 vertical
benchmarks' 127% beside it, and Datadog's 130% (from those benchmarks) Upollo's "mid-130%s". Upollo's
own bands (``UPOLLO_BANDS``) are recorded as a source; the tiers applied are the 2026 performance tiers.

A figure is classified as it is shown: to two decimals of a percent, rounded half up (as
``engine._messages.rate`` and the JSON's ``pct`` round), so 109.996% is read as the 110.00% people
see, never labelled below the line it shows on. The lines, from the seeds' wording:

- Tiers ("best-in-class > 130%, strong 110-130%, good 100-110%, concerning 90-100%, critical
  < 90%"): a range includes its lower end. Best-in-class is strictly above 130%, so 130.00% is
  strong; 110.00% is strong, 100.00% good (the base is not declining) and 90.00% concerning
  ("critical" is strictly below 90%).
- GRR ("healthy NRR requires GRR above 85%, ideally 90%+; below 80% ... a leaky bucket"): 90.00%
  is healthy ("90%+"); a line is crossed only below it, so 85.00% is not "below 85%" (watch) and
  80.00% is not "below 80%" (concerning).
- The segment gaps and the expansion-dependent test use the figure as shown too, so a gap always
  equals the difference of the two numbers printed beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from engine._errors import ProfileError

Segment = Literal["enterprise", "mid-market", "smb"]
PricingModel = Literal["flat", "seat", "usage"]
Stage = Literal["early", "growth", "scale"]
Funding = Literal["vc", "bootstrapped"]
TierName = Literal["best-in-class", "strong", "good", "concerning", "critical"]
GrrStatus = Literal["healthy", "watch", "concerning", "leaky-bucket"]

SEGMENTS: tuple[Segment, ...] = ("enterprise", "mid-market", "smb")
PRICING_MODELS: tuple[PricingModel, ...] = ("flat", "seat", "usage")
STAGES: tuple[Stage, ...] = ("early", "growth", "scale")
FUNDINGS: tuple[Funding, ...] = ("vc", "bootstrapped")


def _pct(value: str) -> Decimal:
    return Decimal(value) / 100


_SHOWN = Decimal("0.0001")  # two decimals of a percent


def round_as_shown(ratio: Decimal) -> Decimal:
    """``ratio`` as people see it, to two decimals of a percent, half up: the value every line is
    compared with, so a label never disagrees with the number beside it.

    >>> round_as_shown(Decimal("1.099960")), round_as_shown(Decimal("1.300049"))
    (Decimal('1.1000'), Decimal('1.3000'))
    """
    return ratio.quantize(_SHOWN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a benchmark comes from, as a message cites it."""

    key: str
    title: str
    detail: str

    def __str__(self) -> str:
        return self.title


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source("segments", "2026 SaaS NRR benchmarks by customer segment",
               "Median and top quartile for enterprise (ACV > $100K), mid-market ($25K-$100K) and "
               "SMB (< $25K); industry benchmark compilation, 2026."),
        Source("tiers", "2026 SaaS NRR performance tiers",
               "Best-in-class > 130%, strong 110-130%, good 100-110%, concerning 90-100%, "
               "critical < 90%; industry benchmark compilation, 2026."),
        Source("stages", "2026 SaaS NRR benchmarks by ARR stage",
               "Early (< $10M ARR), growth ($10M-$50M), scale ($50M+); industry benchmark "
               "compilation, 2026."),
        Source("pricing", "2026 SaaS NRR benchmarks by pricing model",
               "Flat subscription 95-105%, seat-based 105-115%, usage-based 115-130%+."),
        Source("grr", "GRR guidance for healthy NRR",
               "Healthy NRR needs GRR above 85%, ideally 90%+; below 80% expansion is "
               "compensating for a leaky bucket."),
        Source("saas-capital", "SaaS Capital, bootstrapped B2B SaaS ($3M-$20M ARR)",
               "Median NRR 104%, 90th percentile 118%."),
        Source("metricrig", "MetricRig, NRR benchmarks 2026",
               "Bootstrapped B2B SaaS $3M-$20M ARR: median 103%, 90th percentile 117.9%."),
        Source("vc-overall", "2026 SaaS NRR benchmarks, VC-backed overall",
               "Overall median NRR of 106% used for venture-backed companies."),
        Source("openview", "OpenView Partners, SaaS Benchmarks",
               "Median NRR of public SaaS companies 105-115%; enterprise 115-130%, SMB 95-105%."),
        Source("public-filings", "Company earnings reports",
               "Dollar-based net retention as reported by each company for the period named, as cited by "
               "Upollo's NRR benchmarks."),
        Source("verticals", "2026 SaaS NRR benchmarks by vertical",
               "Infrastructure / DevOps 120-130%, cybersecurity 115-125%, vertical SaaS 115-120%, sales & "
               "marketing tech 103-115%, HR / collaboration 98-119%, fintech SaaS 108-115%, with example "
               "companies; industry benchmark compilation, 2026."),
        Source("upollo", "Upollo, NRR benchmarks for B2B SaaS",
               "<80% bad, 80-99% ok, >100-120% good, 120%+ excellent."),
        Source("logos", "Logo retention alongside NRR",
               "A company can report 125% NRR while losing 20% of customers annually: the expansion from "
               "the remaining large accounts masks a retention problem that will eventually collapse."),
    )
}


@dataclass(frozen=True, slots=True)
class Tier:
    name: TierName
    floor: Decimal | None  # the lowest NRR in the tier (None: no floor)
    meaning: str


#: Best first. "Best-in-class" is above 130%; 130% itself is strong.
TIERS: tuple[Tier, ...] = (
    Tier("best-in-class", None, "Exceptional expansion; usage-based or platform plays"),
    Tier("strong", _pct("110"), "Healthy upsell motion; enterprise or mid-market focus"),
    Tier("good", _pct("100"), "Net positive retention; adequate expansion"),
    Tier("concerning", _pct("90"), "Revenue declining from existing base"),
    Tier("critical", None, "Severe retention problem; unsustainable without heavy acquisition"),
)
BEST_IN_CLASS_ABOVE = _pct("130")


@dataclass(frozen=True, slots=True)
class Band:
    """One band of a source's own scale, and how the source writes it."""

    name: str
    low: Decimal | None  # None: no lower end
    high: Decimal | None  # None: no upper end
    words: str


@dataclass(frozen=True, slots=True)
class BandTable:
    """A source's own NRR scale, best first: recorded beside the tiers, not applied."""

    source: str
    bands: tuple[Band, ...]


#: Upollo's scale as written ("<80% Bad, 80-99% Ok, >100-120% Good, 120%+ Excellent"): it leaves 99-100%
#: and the ends 100% and 120% unplaced, which is one reason the tiers above are the ones applied.
UPOLLO_BANDS = BandTable("upollo", (
    Band("Excellent", _pct("120"), None, "120%+"),
    Band("Good", _pct("100"), _pct("120"), ">100-120%"),
    Band("Ok", _pct("80"), _pct("99"), "80-99%"),
    Band("Bad", None, _pct("80"), "<80%"),
))


@dataclass(frozen=True, slots=True, kw_only=True)
class SegmentBenchmark:
    segment: Segment
    median: Decimal
    top_quartile: Decimal
    who: str
    driver: str


SEGMENT_BENCHMARKS: dict[Segment, SegmentBenchmark] = {
    "enterprise": SegmentBenchmark(segment="enterprise", median=_pct("118"), top_quartile=_pct("130"),
                                   who="ACV above $100K",
                                   driver="Seat expansion, module upsells, multi-year contracts"),
    "mid-market": SegmentBenchmark(segment="mid-market", median=_pct("108"), top_quartile=_pct("120"),
                                   who="ACV $25K-$100K", driver="Usage-based pricing, tier upgrades"),
    "smb": SegmentBenchmark(segment="smb", median=_pct("97"), top_quartile=_pct("105"), who="ACV below $25K",
                            driver="Retention-focused; limited expansion"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RangeBenchmark:
    """A typical range ("good") and the best-in-class line for a stage or a pricing model."""

    name: str
    low: Decimal
    high: Decimal | None
    best: Decimal | None
    source: str


STAGE_BENCHMARKS: dict[Stage, RangeBenchmark] = {
    "early": RangeBenchmark(name="Early stage (< $10M ARR)", low=_pct("100"), high=_pct("110"), best=_pct("115"),
                            source="stages"),
    "growth": RangeBenchmark(name="Growth stage ($10M-$50M ARR)", low=_pct("110"), high=_pct("120"), best=_pct("125"),
                             source="stages"),
    "scale": RangeBenchmark(name="Scale stage ($50M+ ARR)", low=_pct("105"), high=_pct("115"), best=_pct("120"),
                            source="stages"),
}
PRICING_BENCHMARKS: dict[PricingModel, RangeBenchmark] = {
    "flat": RangeBenchmark(name="Flat subscription", low=_pct("95"), high=_pct("105"), best=None, source="pricing"),
    "seat": RangeBenchmark(name="Seat-based / tiered", low=_pct("105"), high=_pct("115"), best=None, source="pricing"),
    "usage": RangeBenchmark(name="Usage-based or hybrid", low=_pct("115"), high=_pct("130"), best=None,
                            source="pricing"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class FundingBenchmark:
    funding: Funding
    median: Decimal
    p90: Decimal | None
    source: str
    also: tuple[tuple[str, Decimal, Decimal | None], ...] = ()  # (source, median, p90) not applied


FUNDING_BENCHMARKS: dict[Funding, FundingBenchmark] = {
    "vc": FundingBenchmark(funding="vc", median=_pct("106"), p90=None, source="vc-overall"),
    "bootstrapped": FundingBenchmark(funding="bootstrapped", median=_pct("104"), p90=_pct("118"), source="saas-capital",
                                     also=(("metricrig", _pct("103"), _pct("117.9")),)),
}

GRR_HEALTHY = _pct("90")
#: Benchmarks are annual: a ledger with fewer months than this gets no tier and no annualized
#: figure (one good month annualized is a fiction); from this many to 11 the annualized figure is
#: shown as indicative; at 12 the trailing-12-month figure is compared as it is.
MIN_BENCHMARK_MONTHS = 6

GRR_CONCERNING_BELOW = _pct("85")
GRR_LEAKY_BELOW = _pct("80")

#: Growth is "expansion dependent" when annual NRR is above this line while GRR is below
#: ``GRR_CONCERNING_BELOW``: upsell is carrying a base that leaks, so if expansion slows, NRR falls
#: fast. The pattern is MetricRig's ("a company with 82% GRR and 120% NRR has an expansion-dependent
#: model", NRR benchmarks 2026) and the 85% GRR line is the "grr" source's. Neither gives an NRR
#: line: 105%, "well above 100%", is this tool's choice. Both ``Benchmark.expansion_dependent`` and
#: the alert's default (``Thresholds.expansion_dependent_nrr``) use it.
EXPANSION_DEPENDENT_NRR = _pct("105")


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicCompany:
    name: str
    nrr: Decimal
    period: str
    source: str
    also: tuple[tuple[str, Decimal | None, str], ...] = ()  # (source, nrr or None, as it says it) not applied


_VERTICALS = "as cited in 2026 vertical benchmarks"
_WITH = "'120-125% or higher' for top-tier public SaaS, with {}"

PUBLIC_COMPANIES: tuple[PublicCompany, ...] = (
    PublicCompany(name="Datadog", nrr=_pct("130"), period=_VERTICALS, source="verticals",
                  also=(("public-filings", None, "'in the mid-130%s' in previous periods"),
                   ("metricrig", None, _WITH.format("Snowflake")))),
    PublicCompany(name="Snowflake", nrr=_pct("128"), period="Q1 FY2025", source="public-filings",
                  also=(("verticals", _pct("127"), _VERTICALS), ("metricrig", None, _WITH.format("Datadog")))),
    PublicCompany(name="Zscaler", nrr=_pct("125"), period=_VERTICALS, source="verticals"),
    PublicCompany(name="CrowdStrike", nrr=_pct("120"), period=_VERTICALS, source="verticals"),
    PublicCompany(name="Veeva", nrr=_pct("120"), period=_VERTICALS, source="verticals"),
    PublicCompany(name="Slack", nrr=_pct("119"), period=_VERTICALS, source="verticals"),
    PublicCompany(name="Toast", nrr=_pct("115"), period=_VERTICALS, source="verticals"),
    PublicCompany(name="ZoomInfo", nrr=_pct("115"), period=_VERTICALS, source="verticals"),
    PublicCompany(name="PagerDuty", nrr=_pct("106"), period="down from 116% in 2023", source="public-filings"),
    PublicCompany(name="HubSpot", nrr=_pct("103"), period=_VERTICALS, source="verticals"),
    PublicCompany(name="Twilio", nrr=_pct("102"), period="Q2 2024, down from 103% in 2023", source="public-filings"),
    PublicCompany(name="Zoom", nrr=_pct("98"), period=_VERTICALS, source="verticals"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """The company the figures belong to: it picks the benchmarks that apply.

    ``stage`` None means "derive it from the ledger's ARR". ``assumed`` True means nobody chose it: the
    settings named neither segment nor funding, so the defaults (mid-market, VC-backed) stand in, and the
    answer says so (``engine.profile_sentence``). A report built without a profile assumes one. ``own_segment``:
    the segment is the data's (a segment of a customer table compared with its own benchmark), which names nothing
    about the funding: an assumed profile stays assumed, and its funding is not compared.
    """

    segment: Segment = "mid-market"
    pricing_model: PricingModel | None = None
    stage: Stage | None = None
    funding: Funding = "vc"
    assumed: bool = False
    own_segment: bool = False

    def __post_init__(self) -> None:
        for name, allowed in (("segment", SEGMENTS), ("pricing_model", PRICING_MODELS),
                              ("stage", STAGES), ("funding", FUNDINGS)):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise ProfileError(
                    f"{name.replace('_', ' ')} '{value}' is not one of {', '.join(allowed)}.")


def classify_tier(nrr: Decimal) -> Tier:
    """The tier an annual NRR falls in, as shown (``Decimal("1.12")`` -> strong; ``1.09996``, shown as
    110.00%, -> strong)."""
    shown = round_as_shown(nrr)
    if shown > BEST_IN_CLASS_ABOVE:
        return TIERS[0]
    for tier in TIERS[1:-1]:
        assert tier.floor is not None
        if shown >= tier.floor:
            return tier
    return TIERS[-1]


def classify_grr(grr: Decimal) -> GrrStatus:
    """healthy (90%+), watch (85-90%), concerning (80-85%), leaky-bucket (below 80%), as shown."""
    grr = round_as_shown(grr)
    if grr >= GRR_HEALTHY:
        return "healthy"
    if grr >= GRR_CONCERNING_BELOW:
        return "watch"
    if grr >= GRR_LEAKY_BELOW:
        return "concerning"
    return "leaky-bucket"


def stage_for_arr(arr: Decimal) -> Stage:
    """The ARR stage of an ARR in US dollars: early below $10M, growth to $50M, scale above."""
    if arr < 10_000_000:
        return "early"
    return "growth" if arr < 50_000_000 else "scale"


@dataclass(frozen=True, slots=True, kw_only=True)
class Benchmark:
    """How an annual NRR and GRR compare with the benchmarks that apply to a profile."""

    nrr: Decimal
    grr: Decimal | None
    annualized: bool
    tier: Tier
    segment: SegmentBenchmark
    stage: Stage | None  # None: the profile names none, and the ARR is not in US dollars (the stages' lines are)
    pricing: RangeBenchmark | None
    funding: FundingBenchmark
    grr_status: GrrStatus | None
    profile: Profile  # the one compared with; ``profile.assumed`` when nobody configured it

    @property
    def gap_to_median(self) -> Decimal:
        return round_as_shown(self.nrr) - self.segment.median

    @property
    def gap_to_top_quartile(self) -> Decimal:
        return round_as_shown(self.nrr) - self.segment.top_quartile

    @property
    def source(self) -> Source:
        return SOURCES["segments"]

    @property
    def expansion_dependent(self) -> bool:
        """NRR above 105% held up by expansion while GRR is below 85% (see ``EXPANSION_DEPENDENT_NRR``)."""
        return (self.grr is not None and round_as_shown(self.nrr) > EXPANSION_DEPENDENT_NRR
                and round_as_shown(self.grr) < GRR_CONCERNING_BELOW)


def compare_benchmarks(nrr: Decimal, grr: Decimal | None, profile: Profile, *,
                       arr: Decimal | None = None, currency: str = "USD", annualized: bool = False) -> Benchmark:
    """Compare an annual NRR (and GRR) with the benchmarks for ``profile``.

    ``arr`` (in ``currency``) picks the stage when the profile does not name one: only an ARR in US dollars, which
    the stages' lines are drawn in (¥234,600,000 is no scale-stage company); otherwise the stage is unknown.
    """
    stage = profile.stage or (stage_for_arr(arr) if arr is not None and currency == "USD" else None)
    return Benchmark(
        nrr=nrr,
        grr=grr,
        annualized=annualized,
        tier=classify_tier(nrr),
        segment=SEGMENT_BENCHMARKS[profile.segment],
        stage=stage,
        pricing=PRICING_BENCHMARKS[profile.pricing_model] if profile.pricing_model else None,
        funding=FUNDING_BENCHMARKS[profile.funding],
        grr_status=classify_grr(grr) if grr is not None else None,
        profile=profile,
    )
