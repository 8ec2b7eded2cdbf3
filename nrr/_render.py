"""Reports and checks as a person reads them in a terminal (rich)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from engine import (
    MOVER_KINDS,
    WARNINGS_SHOWN,
    CohortTriangle,
    Issue,
    Ledger,
    Report,
    approximation_note,
    benchmark_basis,
    benchmark_missing,
    change_sentence,
    cohort_money_sentence,
    currency_amount,
    customer_count,
    funding_sentence,
    growth_basis,
    grr_sentence,
    method_sentence,
    more_warnings,
    profile_sentence,
    pts,
    quick_ratio_text,
    rate,
    segment_name,
    tier_name,
    triangle_sentence,
)
from nrr import _messages as say

if TYPE_CHECKING:
    from engine import Forecast


def render_report(report: Report, console: Console, by: str = "Segment") -> None:
    """Print ``report`` as a headline, the movements, per-month rows, the benchmark and the first warnings
    (the rest as a count; ``nrr validate`` lists them all). ``by`` heads the segment table: the column it is by."""
    console.print(_headline_panel(report))
    if len(report.retention.rows) > 1:
        _print_blocks(console, MONTH_COLUMNS, _month_rows(report))
    if report.cohort is not None:
        _print_cohort(report, console, by)
    _print_benchmark(report, console)
    console.print(Text(f"Method: {method_sentence(report.retention.method)}", style="dim"))
    if report.currency_note:
        console.print(Text(report.currency_note, style="dim"))
    if report.normalization is not None:  # billing data: what the figures were normalized from
        console.print(Text(f"Source: billing data, {report.normalization.sentence}.", style="dim"), soft_wrap=True)
    for note in report.retention.notes:
        console.print(Text.assemble(("note: ", "bold yellow"), note), soft_wrap=True)
    render_warnings(report.warnings, console)


def render_warnings(warnings: Sequence[Issue], console: Console) -> None:
    """The first warnings (``WARNINGS_SHOWN``) of an answer, and how many more there are."""
    render_issues(warnings[:WARNINGS_SHOWN], console)
    if more := more_warnings(len(warnings)):
        console.print(Text(more, style="yellow"), soft_wrap=True)


def _headline_panel(report: Report) -> Panel:
    """The period, NRR and GRR, the change and its driver, and the money that moved."""
    r = report.retention
    title = Text.assemble((f"{r.period.label}", "bold"), f"  ({r.period.first.short}"
                          + (f" to {r.period.last.short})" if len(r.period) > 1 else ")"))
    head = Text.assemble(("NRR ", "bold"), (rate(r.nrr, 2), "bold cyan"),
                         ("   GRR ", "bold"), (rate(r.grr, 2), "bold cyan"))
    if report.cohort is not None:
        head.append_text(Text.assemble(("   Logo retention ", "bold"),
                                       (rate(report.cohort.logo_retention, 2), "bold cyan"),
                                       (f"   (cohort: {customer_count(report.cohort.customers)} paying in "
                                        f"{report.cohort.before.short}"
                                        + (f", {report.cohort.segment}" if report.cohort.segment else "") + ")",
                                        "dim")))
    lines: list[Text | Table] = [head]
    if r.undefined:
        lines.append(Text(f"NRR and GRR are {r.undefined}.", style="yellow"))
    if report.change is not None:
        lines.append(Text(change_sentence(report.change)))
    elif report.no_change:  # why there is no change line, as the JSON's change_unavailable says
        lines.append(Text(report.no_change, style="dim"))
    lines.append(_money_table(report))
    if report.cohort is not None:
        lines.append(Text(cohort_money_sentence(report), style="dim"))
    if r.growth is not None:
        lines.append(Text(f"{report.unit} growth is measured {growth_basis(r)}.", style="dim"))
    return Panel(Group(*lines), title=title, title_align="left", expand=False)


def _signed(sign: str, amount: Decimal, currency: str) -> str:
    """``+$1,200`` or ``-$310``; an amount that shows as nothing takes no sign (``$0``, not ``-$0``)."""
    shown = currency_amount(amount, currency)
    return shown if not any(c in "123456789" for c in shown) else sign + shown


def _money_table(report: Report) -> Table:
    r, cur = report.retention, report.currency
    money = Table.grid(padding=(0, 2))
    money.add_column()
    money.add_column(justify="right")
    money.add_row(f"{report.unit} at start", currency_amount(r.start, cur))
    money.add_row("Expansion", _signed("+", r.expansion, cur))
    money.add_row("Contraction", _signed("-", r.downgrade, cur))
    money.add_row("Churn", _signed("-", r.churn, cur))
    if r.new_business is not None:
        money.add_row("New business (implied)", _signed("+", r.new_business, cur))
    if r.growth is not None:
        money.add_row(f"{report.unit} growth", f"{'+' if r.growth >= 0 else ''}{rate(r.growth, 2)}")
    segment = report.cohort is not None and report.cohort.segment is not None
    money.add_row("Quick ratio", quick_ratio_text(r, segment, cur))
    return money


MONTH_COLUMNS = ("Month", "Start", "Expansion", "Contraction", "Churn", "NRR", "GRR")


def _month_rows(report: Report) -> list[list[str]]:
    """The span's months as ``MONTH_COLUMNS``, printed in blocks when wider than the terminal: cut to fit, a
    figure was shown as ``94.4…`` (a fresh-eyes try, a $48M ARR ledger at 80 columns)."""
    cur = report.currency
    return [[str(row.month), currency_amount(row.start, cur), _signed("+", row.expansion, cur),
             _signed("-", row.downgrade, cur), _signed("-", row.churn, cur), rate(row.nrr, 2),
             rate(row.grr, 2)] for row in report.retention.rows]


def _print_benchmark(report: Report, console: Console) -> None:
    """The annual figure benchmarks compare, its basis, the tier and the gaps, with the source."""
    t, b = report.trailing, report.benchmark
    if (missing := benchmark_missing(t)) is not None:
        console.print(Text.assemble(("Benchmarks: ", "bold"), missing[0].upper() + missing[1:] + "."), soft_wrap=True)
    elif t is not None:
        note = approximation_note(t)
        console.print(Text.assemble(("Benchmark basis: ", "bold"),
                                    f"NRR {rate(t.nrr, 2)}, GRR {rate(t.grr, 2)} ({benchmark_basis(t)}"
                                    f"{f'; {note}' if note else ''})"), soft_wrap=True)
    if b is None:
        return
    console.print(
        f"Tier: [bold]{tier_name(b)}[/bold] ({b.tier.meaning.lower()}). "
        f"{segment_name(b.segment.segment, capital=True)} median {rate(b.segment.median, 0)} "
        f"({pts(b.gap_to_median)}), top quartile {rate(b.segment.top_quartile, 0)} "
        f"({pts(b.gap_to_top_quartile)}).")
    if grr := grr_sentence(b):
        console.print(grr)
    if funded := funding_sentence(b):
        console.print(Text(funded))
    if assumed := profile_sentence(b):
        console.print(Text(assumed))  # Text: "[company]" is not markup
    console.print(Text(f"Source: {b.source}", style="dim"))


def render_issues(issues: Sequence[Issue], console: Console) -> None:
    """One line per issue, ``error: Ledger!C7 (March 2026): ...``: in a terminal wrapped to its width under the
    message's first word; piped, never wrapped (a line per issue for grep)."""
    for issue in issues:
        style = "red" if issue.severity == "error" else "yellow"
        label = Text(f"{issue.severity}: ", style=f"bold {style}")
        if console.is_terminal:
            _print_hanging(console, label, Text(str(issue)))
        else:
            console.print(Text.assemble(label, str(issue)), soft_wrap=True)


def _print_hanging(console: Console, label: Text, body: Text) -> None:
    """``label`` then ``body`` wrapped to the console's width, its next lines indented under its first."""
    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(label, body)
    console.print(grid)


def _packed(items: Sequence[str], width: int) -> str:
    """``items`` joined by ", " in lines of at most ``width`` cells, an item never split across two (a mover's
    name stays beside its amount); an item wider than the line has a line of its own."""
    lines: list[str] = []
    for n, item in enumerate(items):
        piece = item + ("," if n < len(items) - 1 else "")
        if lines and cell_len(lines[-1]) + 1 + cell_len(piece) <= width:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    return "\n".join(lines)


def _print_cohort(report: Report, console: Console, by: str) -> None:
    """Who moved the number (the top movers of each kind) and, with --by, the cohort per segment."""
    from engine import mover_groups  # loaded for a customer table's answer only

    cohort, cur = report.cohort, report.currency
    assert cohort is not None
    for group in mover_groups(cohort, MOVER_KINDS, cur):  # worded once, as Slack and the add-on word them
        label = f"{group.title}: "
        listed = [f"{m.customer} {m.amount}" for m in group.lines]
        _print_hanging(console, Text(label, style="bold"), Text(_packed(listed, console.width - len(label))))
    if report.segments is None:
        return
    rows = []
    for seg in report.segments:
        c, b = seg.cohort, seg.benchmark
        # the 12-month cohort figure the tier is read from: for a quarter, not the NRR beside it
        bench = "n/a" if b is None else (f"{rate(b.nrr, 2)} {tier_name(b)}, {segment_name(b.segment.segment)} "
                                         f"median {rate(b.segment.median, 0)} ({pts(b.gap_to_median)})")
        rows.append([seg.segment, rate(c.nrr, 2), rate(c.grr, 2), rate(c.logo_retention, 2),
                     f"{c.retained:,}/{c.customers:,}", currency_amount(c.start_mrr, cur),
                     currency_amount(c.end_mrr, cur), bench])
    _print_blocks(console, [by, "NRR", "GRR", "Logos", "Customers", "Start", "End",
                            "Benchmark (12-month cohort)"], rows, left=(0, 7))


def render_ledger(ledger: Ledger, console: Console, currency: str = "USD") -> None:
    """The ledger month by month (derived from a customer table, with New and Reactivation), no figure cut short.

    Headers are the template's, shortened (``Start MRR``), and wrap onto a second line before a figure is cut;
    when even that is too wide for the terminal, the columns go in blocks, each led by the month.
    """
    from engine import ledger_table  # loaded for nrr ledger only

    headers, rows = ledger_table(ledger)
    currency = ledger.own_currency or currency  # the money's own (€1,030, a Currency column), as nrr report answers
    # money as nrr report shows it ($124,445); the CSV keeps every cent
    money = [i for i, h in enumerate(headers) if h != "Month" and not h.endswith(" Rate")]
    for row in rows:
        for i in money:
            row[i] = currency_amount(Decimal(row[i]), currency)
    _print_blocks(console, [_short_title(h) for h in headers], rows)


def _short_title(title: str) -> str:
    """``MRR (Start of Period)`` -> ``Start MRR``, ``NRR Rate`` -> ``NRR``; the others as they are."""
    unit, _, rest = title.partition(" (")
    return f"{rest.split()[0]} {unit}" if rest.endswith(" of Period)") else title.removesuffix(" Rate")


def _print_blocks(console: Console, names: Sequence[str], rows: Sequence[Sequence[str]],
                  left: Sequence[int] = (0,)) -> None:
    """A table whose cells are never cut or wrapped (their headers may wrap): when it is wider than the
    terminal, its columns go in blocks, each led by column 0 (the month, the segment)."""
    cells = [max((cell_len(row[i]) for row in rows), default=0) for i in range(len(names))]  # as the terminal shows
    for n, block in enumerate(_column_blocks(names, cells, console.width)):
        table = Table(show_edge=False, header_style="bold", pad_edge=False)
        for i, width in block:
            table.add_column(names[i], justify="left" if i in left else "right", width=width)
        for row in rows:
            table.add_row(*(Text(row[i]) for i, _ in block))  # Text: a name from the sheet is never markup
        if n:
            console.print()
        console.print(table)


_GAP = 3  # " │ " between two columns


def _column_blocks(names: Sequence[str], cells: Sequence[int], width: int) -> list[list[tuple[int, int]]]:
    """The columns (index, width) of each block of a table that is ``width`` wide: a column is never narrower
    than its cells or its header's longest word (unless it is too wide for the terminal even beside column 0
    alone), and a block takes as many columns as fit after column 0; its headers are on one line when they all
    fit so."""
    room = max(width - _GAP - max(cells[0], len(names[0])), 1)
    least = [max(c, *(len(w) for w in n.split())) for n, c in zip(names, cells, strict=True)]
    least = [least[0], *(min(w, room) for w in least[1:])]
    whole = [max(c, len(n)) for n, c in zip(names, cells, strict=True)]

    def span(columns: Sequence[int], widths: Sequence[int]) -> int:
        return sum(widths[i] for i in columns) + _GAP * (len(columns) - 1)

    blocks: list[list[int]] = [[0]]
    for i in range(1, len(names)):
        if len(blocks[-1]) > 1 and span([*blocks[-1], i], least) > width:
            blocks.append([0])
        blocks[-1].append(i)
    return [[(i, (whole if span(block, whole) <= width else least)[i]) for i in block] for block in blocks]


def ledger_csv(ledger: Ledger) -> str:
    """The ledger as CSV under the template's headers (``nrr ledger --csv``)."""
    import csv
    import io

    from engine import ledger_table

    headers, rows = ledger_table(ledger)
    own = ledger.own_currency
    if own is not None and own != "USD":  # the money's currency, which plain figures cannot say: read back, a EUR
        # ledger was dollars (a fresh-eyes try); under the headers, as "MRR (EUR)" is read (USD, the default, bare)
        headers = [h if h == "Month" or h.endswith(" Rate") else f"{h} ({own})" for h in headers]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def triangle_ages(triangle: CohortTriangle) -> list[int]:
    """The ages the terminal prints: months 1 to 12 for month cohorts, every third month to 36 for quarters."""
    step, last = (1, 12) if triangle.by == "month" else (3, 36)
    return list(range(step, min(last, triangle.ages - 1) + 1, step))


def render_triangle(triangle: CohortTriangle, console: Console) -> None:
    """NRR by acquisition cohort (rows) against age in months (columns); blank where a cohort is not that old."""
    if (empty := triangle_sentence(triangle)) is not None:
        console.print(empty)
        return
    ages = triangle_ages(triangle)
    console.print(Text(f"NRR by acquisition {triangle.by} and age in months", style="bold"))
    # in blocks, each led by the cohort, when wider than the terminal: a label wrapped ("Jan 2025 / or earlier")
    # read as one more cohort with no figures (a newcomer's try)
    _print_blocks(console, ["Cohort", "Customers", *(f"M{k}" for k in ages)],
                  [[row.label, str(row.customers), *(rate(row.nrr[k], 0) if k < len(row.nrr) else "" for k in ages)]
                   for row in triangle.rows])


def triangle_png(triangle: CohortTriangle, currency: str = "USD") -> bytes:
    """The whole triangle as a heatmap PNG a finance lead can show (matplotlib's Agg backend, imported only
    here): a row per cohort, a column per age from 1 as the terminal prints it (at age 0 every cohort is at 100%
    by definition), each cell's NRR written in it, each cohort's size (customers, start MRR) beside its row, a
    colour scale centred on 100% that spans every figure shown (its legend says so), and a title with the basis
    and the month the figures are as of."""
    import io
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    ages = max(triangle.ages, 2)  # columns 1 .. ages - 1; a table of one month has no age to show
    # display only: the exact figures are the Decimals the table prints
    nan = float("nan")
    grid = [[nan if v is None else float(v * 100) for v in row.nrr[1:]] + [nan] * (ages - max(len(row.nrr), 1))
            for row in triangle.rows]
    shown = [v for row in grid for v in row if v == v]
    # centred on 100% (red loses money, green grows it) and as far each way, so 85% is as red as 115% is green;
    # wide enough for every figure, so none is clipped to the colour of another
    reach = max([10.0, *(abs(v - 100.0) for v in shown)])
    low, high = 100.0 - reach, 100.0 + reach
    norm = Normalize(vmin=low, vmax=high)
    columns, cohorts = ages - 1, len(grid)
    figure = Figure(figsize=(3.4 + 0.42 * columns + 2.6, max(3.8, 1.9 + 0.3 * cohorts)), dpi=110)
    ax = figure.subplots()
    image = ax.imshow(grid, aspect="auto", cmap="RdYlGn", norm=norm, interpolation="nearest",
                      extent=(0.5, ages - 0.5, cohorts - 0.5, -0.5))
    for y, row in enumerate(grid):
        for x, value in enumerate(row, start=1):
            if value == value:
                dark = not 0.2 < norm(value) < 0.85
                ax.text(x, y, f"{value:.0f}", ha="center", va="center", fontsize=6.5,
                        color="white" if dark else "black")
    if columns <= 36:
        ax.set_xticks(range(1, ages), [str(k) for k in range(1, ages)], fontsize=7)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_yticks(range(cohorts), [row.label for row in triangle.rows], fontsize=7)
    sizes = ax.twinx()  # the cohort size column, right of the cells
    sizes.set_ylim(ax.get_ylim())
    money = triangle.currency or currency
    sizes.set_yticks(range(cohorts), [f"{row.customers:,} · {currency_amount(row.start_mrr, money)}"
                                      for row in triangle.rows], fontsize=7)
    sizes.tick_params(axis="y", length=0)
    sizes.text(1.01, 1.0, say.heatmap_size(triangle.unit), transform=ax.transAxes, ha="left", va="bottom",
               fontsize=7, fontweight="bold")
    ax.set_xlabel("Age (months since the first payment)")
    ax.set_ylabel(f"Acquisition {triangle.by}")
    basis = textwrap.wrap(say.heatmap_basis(triangle.by, triangle.unit), max(60, int(columns * 6.5)))
    ax.set_title(say.heatmap_title(triangle.by, triangle.last), fontsize=11, fontweight="bold", loc="left",
                 pad=12 + 9 * len(basis))
    ax.text(0, 1.02, "\n".join(basis), transform=ax.transAxes, ha="left", va="bottom", fontsize=7)
    bar = figure.colorbar(image, ax=ax, pad=0.13, fraction=0.03, aspect=30)
    bar.set_label(say.HEATMAP_SCALE, fontsize=8)
    # the data's ends, 100%, and round steps that do not crowd them
    step = 25 if reach > 40 else 10 if reach > 15 else 5
    margin = 0.06 * (high - low)
    steps = [float(t) for t in range(0, int(high) + 1, step) if low + margin < t < high - margin]
    bar.set_ticks(sorted({low, *steps, 100.0, high}))
    bar.ax.set_yticklabels([f"{t:.0f}%" for t in bar.get_ticks()], fontsize=7)
    out = io.BytesIO()
    figure.savefig(out, format="png", bbox_inches="tight")
    return out.getvalue()


def render_forecast(forecast: Forecast, console: Console) -> None:
    """The projection month by month with its band, then its method, band, backtest and target sentences."""
    def money(amount: Decimal) -> str:
        return currency_amount(amount, forecast.currency or "USD")

    unit = forecast.unit
    console.print(Text(forecast.headline, style="bold"), soft_wrap=True)
    table = Table(box=None, padding=(0, 0, 0, 1), pad_edge=False)
    table.add_column("Month")
    for title in (unit, "Low", "High"):
        table.add_column(title, justify="right", no_wrap=True)
    for m in forecast.months:  # no band learnt: no Low and High (equal to the projection, they read as certainty)
        table.add_row(m.month.short, money(m.mrr), *((money(m.low), money(m.high)) if forecast.band_known
                                                     else ("-", "-")))
    console.print(table)
    for sentence in (forecast.behind_sentence, forecast.method_sentence, forecast.reach_sentence,
                     forecast.band_sentence,
                     forecast.backtest_sentence, forecast.target_sentence):
        if sentence is not None:
            console.print(sentence, soft_wrap=True, markup=False, highlight=False)
