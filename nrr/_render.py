"""Reports and checks as a person reads them in a terminal (rich)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from engine import Issue, Report
from engine import _messages as say


def render_report(report: Report, console: Console) -> None:
    """Print ``report`` as a headline, the movements, per-month rows, the benchmark and warnings."""
    r = report.retention
    cur = report.currency
    unit = report.unit
    title = Text.assemble((f"{r.period.label}", "bold"), f"  ({r.period.first.short}"
                          + (f" to {r.period.last.short})" if len(r.period) > 1 else ")"))
    head = Text.assemble(("NRR ", "bold"), (say.rate(r.nrr, 2), "bold cyan"),
                         ("   GRR ", "bold"), (say.rate(r.grr, 2), "bold cyan"))
    lines: list[Text | Table] = [head]
    if r.undefined:
        lines.append(Text(f"NRR and GRR are {r.undefined}.", style="yellow"))
    if report.change is not None:
        c = report.change
        driver_delta = {"expansion": c.expansion, "contraction": c.contraction, "churn": c.churn}[c.driver]
        lines.append(Text(say.change_sentence(c.nrr, c.previous.period.label, c.driver, driver_delta)
                          + f"; GRR {say.pts(c.grr)}"))
    money = Table.grid(padding=(0, 2))
    money.add_column()
    money.add_column(justify="right")
    money.add_row(f"{unit} at start", say.currency_amount(r.start, cur))
    money.add_row("Expansion", "+" + say.currency_amount(r.expansion, cur))
    money.add_row("Contraction", "-" + say.currency_amount(r.downgrade, cur))
    money.add_row("Churn", "-" + say.currency_amount(r.churn, cur))
    if r.new_business is not None:
        money.add_row("New business (implied)", "+" + say.currency_amount(r.new_business, cur))
    quick = r.quick_ratio
    money.add_row("Quick ratio", f"{quick:.2f}" if quick is not None else
                  f"n/a (needs {(r.period.last + 1).name}'s Start)" if r.new_business is None else "n/a")
    lines.append(money)
    console.print(Panel(Group(*lines), title=title, title_align="left", expand=False))

    if len(r.rows) > 1:
        table = Table(show_edge=False, header_style="bold", pad_edge=False)
        for name in ("Month", "Start", "Expansion", "Contraction", "Churn", "NRR", "GRR"):
            table.add_column(name, justify="left" if name == "Month" else "right", no_wrap=True)
        for row in r.rows:
            table.add_row(str(row.month), say.currency_amount(row.start, cur),
                          "+" + say.currency_amount(row.expansion, cur),
                          "-" + say.currency_amount(row.downgrade, cur),
                          "-" + say.currency_amount(row.churn, cur), say.rate(row.nrr, 2),
                          say.rate(row.grr, 2))
        console.print(table)

    t = report.trailing
    if t is not None:
        basis = (f"annualized from {t.months} month{'s' if t.months > 1 else ''}" if t.annualized
                 else f"trailing 12 months to {t.as_of.short}")
        console.print(Text.assemble(("Benchmark basis: ", "bold"),
                                    f"NRR {say.rate(t.nrr, 2)}, GRR {say.rate(t.grr, 2)} ({basis})"))
    b = report.benchmark
    if b is not None:
        console.print(
            f"Tier: [bold]{say.TIER_WORDS[b.tier.name]}[/bold] ({b.tier.meaning.lower()}). "
            f"{b.segment.segment.capitalize()} median {say.rate(b.segment.median, 0)} "
            f"({say.pts(b.gap_to_median)}), top quartile {say.rate(b.segment.top_quartile, 0)} "
            f"({say.pts(b.gap_to_top_quartile)}).")
        if b.grr_status is not None:
            console.print(f"GRR is {say.GRR_WORDS[b.grr_status]}.")
        console.print(Text(f"Source: {b.source}", style="dim"))
    console.print(Text(f"Method: {r.method} ("
                       + ("product of the monthly rates" if r.method == "chained"
                          else "movements summed over the first month's Start") + ")", style="dim"))
    for note in r.notes:
        console.print(Text.assemble(("note: ", "bold yellow"), note), soft_wrap=True)
    render_issues(report.warnings, console)


def render_issues(issues: Sequence[Issue], console: Console) -> None:
    """One line per issue, ``error: Ledger!C7 (March 2026): ...``, never wrapped."""
    for issue in issues:
        style = "red" if issue.severity == "error" else "yellow"
        console.print(Text.assemble((f"{issue.severity}: ", f"bold {style}"), str(issue)),
                      soft_wrap=True)
