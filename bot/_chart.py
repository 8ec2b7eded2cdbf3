"""The digest chart: the annual NRR and GRR (trailing 12 months, or a customer table's 12-month cohort)
with the profile's benchmark lines, as a PNG."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from engine import COHORT_LABEL, GRR_CONCERNING_BELOW, SEGMENT_BENCHMARKS, Forecast, Profile, Trailing, segment_name


def render_chart(series: Sequence[Trailing], profile: Profile, title: str, forecast: Forecast | None = None
                 ) -> bytes:
    """PNG bytes; no display needed (the Agg backend). With ``forecast``, a second panel below: the actual
    MRR, the projection and its band (``forecast_axes``)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    if forecast is not None:
        figure = Figure(figsize=(8, 8.4), dpi=110)
        ax, below = figure.subplots(2, 1, gridspec_kw={"height_ratios": [1, 1]})
        forecast_axes(below, forecast)
    else:
        figure = Figure(figsize=(8, 4.6), dpi=110)
        ax = figure.subplots()
    points = [t for t in series if t.nrr is not None and t.grr is not None]
    labels = [t.as_of.short.replace(" 20", " '") for t in points]
    nrr = [float(t.nrr * 100) for t in points if t.nrr is not None]
    grr = [float(t.grr * 100) for t in points if t.grr is not None]
    segment = SEGMENT_BENCHMARKS[profile.segment]

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
    if forecast is None:
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=3, frameon=False)
    else:  # the forecast's panel is below: the legend goes inside
        ax.legend(fontsize=6, loc="lower left", ncol=3, frameon=False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def render_forecast_chart(forecast: Forecast, title: str) -> bytes:
    """The forecast alone as a PNG: the actual MRR to ``as_of``, then the projection and its band."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.6), dpi=110)
    ax = figure.subplots()
    forecast_axes(ax, forecast)
    ax.set_title(title, fontsize=11)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def forecast_axes(ax: Any, forecast: Forecast) -> None:
    """Draw the actual MRR (every customer's total by month, to ``as_of``) and the projection of today's customers
    with its band, joined at ``as_of``."""
    actual = list(forecast.actual)
    months = [m for m, _ in actual] + [p.month for p in forecast.months]
    xs = list(range(len(months)))
    n = len(actual)
    unit = forecast.unit
    ax.plot(xs[:n], [float(v) for _, v in actual], marker="o", markersize=3, linewidth=2, color="#1d3557",
            label=f"{unit}, every customer")
    base = float(forecast.base_mrr)
    projected = [base] + [float(p.mrr) for p in forecast.months]
    low = [base] + [float(p.low) for p in forecast.months]
    high = [base] + [float(p.high) for p in forecast.months]
    ahead = xs[n - 1:] if n else xs
    if forecast.band_known:  # (a band of no width is none)
        ax.fill_between(ahead, low, high, color="#a8dadc", alpha=0.6, label="band")
    ax.plot(ahead, projected, linestyle="--", linewidth=2, color="#e76f51",
            label=f"projection: today's {forecast.customers:,} customers, no new business")
    step = max(1, len(months) // 18)
    ax.set_xticks(xs[::step], [m.short.replace(" 20", " '") for m in months[::step]], rotation=45, ha="right",
                  fontsize=8)
    ax.set_ylabel(f"{unit} ({forecast.currency or 'USD'})")
    ax.yaxis.set_major_formatter(_thousands)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    if not ax.get_title():
        ax.set_title(f"Projection from {forecast.as_of.name}", fontsize=10)


def _thousands(value: float, _position: object) -> str:
    return f"{value:,.0f}"
