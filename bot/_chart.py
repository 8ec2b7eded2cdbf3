"""The digest chart: the annual NRR and GRR (trailing 12 months, or a customer table's 12-month cohort)
with the profile's benchmark lines, as a PNG."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from engine import COHORT_LABEL, GRR_CONCERNING_BELOW, SEGMENT_BENCHMARKS, Profile, Trailing, segment_name


def render_chart(series: Sequence[Trailing], profile: Profile, title: str) -> bytes:
    """PNG bytes; no display needed (the Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    points = [t for t in series if t.nrr is not None and t.grr is not None]
    labels = [t.as_of.short.replace(" 20", " '") for t in points]
    nrr = [float(t.nrr * 100) for t in points if t.nrr is not None]
    grr = [float(t.grr * 100) for t in points if t.grr is not None]
    segment = SEGMENT_BENCHMARKS[profile.segment]

    figure = Figure(figsize=(8, 4.6), dpi=110)
    ax = figure.subplots()
    xs = list(range(len(points)))
    basis = COHORT_LABEL if points and points[0].cohort else "trailing 12 months"  # the series is of one kind
    ax.plot(xs, nrr, marker="o", linewidth=2, color="#1d3557", label=f"NRR ({basis})")
    ax.plot(xs, grr, marker="o", linewidth=2, color="#e76f51", label=f"GRR ({basis})")
    lines: list[tuple[Decimal, str, str]] = [
        (segment.top_quartile, f"{segment_name(profile.segment)} top quartile", "#2a9d8f"),
        (segment.median, f"{segment_name(profile.segment)} median", "#8ab17d"),
        (Decimal(1), "100%", "#999999"),
        (GRR_CONCERNING_BELOW, "GRR 85%", "#f4a261"),
    ]
    for value, name, color in lines:
        ax.axhline(float(value * 100), linestyle="--", linewidth=1, color=color, label=name)
    ax.set_xticks(xs, labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("%")
    ax.set_title(title, fontsize=11)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=3, frameon=False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
