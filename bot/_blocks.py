"""Engine results as Block Kit: the /nrr answer, errors, help and the App Home dashboard."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from bot import _messages as say
from bot._errors import Refused
from bot._mrkdwn import WORD_JOINER, escape, one_line, plain, plain_with_names
from bot._query import SlackQuery
from engine import (
    OTHERS,
    WARNINGS_SHOWN,
    CohortTriangle,
    Issue,
    MoverKind,
    NrrError,
    Report,
    approximation_note,
    benchmark_basis,
    benchmark_missing,
    change_sentence,
    cohort_money_sentence,
    currency_amount,
    funding_sentence,
    growth_sentence,
    grr_sentence,
    logo_sentence,
    method_sentence,
    more_warnings,
    mover_groups,
    no_movers_sentence,
    part_points,
    profile_sentence,
    pts,
    quick_ratio_text,
    rate,
    segment_lines,
    segment_name,
    shows_as_no_change,
    tier_name,
    triangle_sentence,
)

Block = dict[str, Any]
SHARE_ACTION = "nrr_share"
ARROWS = {True: ":small_red_triangle:", False: ":small_red_triangle_down:"}


def error_text(exc: NrrError, words: Callable[[NrrError], str] = str) -> str:
    """An error as mrkdwn: the bot's own refusals as written (what they quote already ``plain``), any other
    error's words, which may quote the sheet or the command, as plain text (the environment variables they name in
    code, to be copied as typed), as ``words`` says them (``BotApp.for_workspace``: a server's paths in words)."""
    return str(exc) if isinstance(exc, Refused) else plain_with_names(words(exc))


#: the most characters a section's text holds in Slack: a longer one is refused (``invalid_blocks``)
SECTION_TEXT = 3000
#: the most blocks a message holds (a view holds 100)
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100


def mrkdwn(text: str) -> Block:
    """A section of ``text``, which may be longer than a section holds: ``fit`` splits it at its lines."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def fit(blocks: Sequence[Block], most: int = MESSAGE_BLOCKS) -> list[Block]:
    """``blocks`` as Slack takes them: a section longer than ``SECTION_TEXT`` split into several at its line
    breaks (a code block closed and opened again at each split), so 30 segments' lines are all shown, not cut at
    the 23rd mid-word; past ``most`` blocks, the last says how many more there were and where they are all."""
    out: list[Block] = []
    for block in blocks:
        text = block.get("text", {}).get("text") if block.get("type") == "section" else None
        if text is None or len(text) <= SECTION_TEXT:
            out.append(block)
            continue
        fence = "```" if text.startswith("```") and text.endswith("```") and len(text) > 6 else ""
        body = text[len(fence):len(text) - len(fence)] if fence else text
        room = SECTION_TEXT - 2 * len(fence)
        chunk: list[str] = []
        size = 0
        pieces = [line[i:i + room] for line in body.split("\n") for i in range(0, max(len(line), 1), room)]
        for line in pieces:
            if chunk and size + 1 + len(line) > room:
                out.append(mrkdwn(fence + "\n".join(chunk) + fence))
                chunk, size = [], 0
            size += len(line) + (1 if chunk else 0)  # the line break before it, when it is not the first
            chunk.append(line)
        out.append(mrkdwn(fence + "\n".join(chunk) + fence))
    if len(out) > most:
        dropped = len(out) - (most - 1)
        out = [*out[:most - 1], context(say.blocks_left_out(dropped))]
    return out


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t[:3000]} for t in texts[:10]]}


def headline(report: Report, grr_first: bool = False, *, markup: bool = False) -> str:
    """``Q3 2026: NRR 98.7% · GRR 91.7%``; a customer table's adds logo retention and names its segment
    (made ``plain`` when ``markup``: the text goes where Slack reads mrkdwn, such as a message's fallback; else
    on ``one_line``, for a header)."""
    r = report.retention
    nrr, grr = f"NRR {rate(r.nrr)}", f"GRR {rate(r.grr)}"
    first, second = (grr, nrr) if grr_first else (nrr, grr)
    label = r.period.label
    cohort = report.cohort
    if cohort is None:
        return f"{label}: {first} · {second}"
    if cohort.segment is not None:
        label += f", {plain(cohort.segment) if markup else one_line(cohort.segment)}"
    return f"{label}: {first} · {second} · logo retention {rate(cohort.logo_retention)}"


def change_line(report: Report) -> str | None:
    c = report.change
    if c is None:  # why there is none, as the terminal and the JSON's change_unavailable say (fuzz 22: nothing)
        return f"_{plain(report.no_change)}_" if report.no_change else None
    if shows_as_no_change(c.nrr):  # no change at the precision shown: no arrow either way
        return change_sentence(c)
    return f"{ARROWS[c.nrr >= 0]} {change_sentence(c)}"


def benchmark_line(report: Report) -> str | None:
    b, t = report.benchmark, report.trailing
    if (missing := benchmark_missing(t)) is not None:
        return f"_Benchmarks:_ {plain(missing)}."
    if b is None or t is None:
        return None
    line = (f"*{tier_name(b)}* on {benchmark_basis(t)}: NRR {rate(t.nrr, 2)}, GRR {rate(t.grr, 2)}. "
            f"{pts(b.gap_to_median)} vs the {segment_name(b.segment.segment)} median ({rate(b.segment.median, 0)}), "
            f"{pts(b.gap_to_top_quartile)} vs the top quartile ({rate(b.segment.top_quartile, 0)}).")
    if grr := grr_sentence(b):
        line += f" {grr}"
    if funded := funding_sentence(b):
        line += f" {funded}"
    if assumed := profile_sentence(b):
        line += f" {assumed}"
    if note := approximation_note(t):
        line += f" _The basis is {note}._"
    return line


def money_fields(report: Report) -> Block:
    r, cur = report.retention, report.currency
    unit = report.unit
    fields = [
        f"*{unit} at start*\n{currency_amount(r.start, cur)}",
        f"*Expansion*\n+{currency_amount(r.expansion, cur)}",
        f"*Contraction*\n-{currency_amount(r.downgrade, cur)}",
        f"*Churn*\n-{currency_amount(r.churn, cur)}",
    ]
    if r.new_business is not None:
        fields.append(f"*New business (implied)*\n+{currency_amount(r.new_business, cur)}")
    if growth := growth_sentence(r):
        fields.append(f"*{unit} growth*\n{growth}")
    segment = report.cohort is not None and report.cohort.segment is not None
    fields.append(f"*Quick ratio*\n{quick_ratio_text(r, segment, cur)}")  # or why there is none, as the terminal says
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]}


def _month_table(report: Report) -> Block:
    cur = report.currency
    lines = [f"{'Month':<8} {'Start':>12} {'NRR':>8} {'GRR':>8}"]
    for row in report.retention.rows:
        lines.append(f"{row.month!s:<8} {currency_amount(row.start, cur):>12} "
                     f"{rate(row.nrr):>8} {rate(row.grr):>8}")
    return mrkdwn("```" + "\n".join(lines) + "```")


def _compare_fields(report: Report) -> Block | None:
    c = report.change
    if c is None:
        return None
    now, before = report.retention, c.previous
    return {"type": "section", "fields": [
        {"type": "mrkdwn", "text": f"*{now.period.label}*\nNRR {rate(now.nrr)} · GRR {rate(now.grr)}"},
        {"type": "mrkdwn", "text": f"*{before.period.label}*\nNRR {rate(before.nrr)} · "
                                   f"GRR {rate(before.grr)}"},
        {"type": "mrkdwn", "text": f"*From expansion*\n{part_points(c, 'expansion')}"},
        {"type": "mrkdwn", "text": f"*From contraction*\n{part_points(c, 'contraction')}"},
        {"type": "mrkdwn", "text": f"*From churn*\n{part_points(c, 'churn')}"},
    ]}


def logo_line(report: Report) -> str | None:
    """``Logo retention 91.7%: 11 of 12 customers still paying.`` for a customer table."""
    return None if report.cohort is None else logo_sentence(report.cohort)


def mover_blocks(report: Report, kinds: Sequence[MoverKind], top: int | None = None) -> list[Block]:
    """Who moved the number: one section per kind, each name from the sheet ``plain``."""
    if report.cohort is None:
        return []
    groups = mover_groups(report.cohort, kinds, report.currency, top)
    if not groups:
        return [mrkdwn(no_movers_sentence(kinds))]
    return [mrkdwn(f"*{g.title}*\n" + "\n".join(f"• {plain(m.customer)}: {m.amount}" for m in g.movers)
                   + (f"\n• _{OTHERS}_: {g.others}" if g.others is not None else "")) for g in groups]


def segment_block(report: Report, by: str, label: str | None = None) -> Block | None:
    """One line per segment, each value from the sheet ``plain`` (``label``: the period, when it needs saying)."""
    if not report.segments:
        return None
    lines = [f"• *{plain(s.segment)}*: {s.figures}" for s in segment_lines(report.segments)]
    title = f"*{label} by {plain(by)}*" if label else f"*By {plain(by)}*"
    return mrkdwn(title + "\n" + "\n".join(lines))


def method_context(report: Report) -> Block:
    """``Method: chained: the product of the monthly rates · Benchmarks: <source>``."""
    source = f" · Benchmarks: {report.benchmark.source}" if report.benchmark else ""
    return context(f"Method: {method_sentence(report.retention.method)}{source}")


def warning_lines(issues: Sequence[Issue], notes: Sequence[str] = ()) -> list[str]:
    """The answer's notes, then its first warnings; the rest as a count (``nrr validate`` lists them all)."""
    lines = [f":warning: {plain(n)}" for n in notes] + [f":warning: {plain(str(i))}" for i in issues[:WARNINGS_SHOWN]]
    if more := more_warnings(len(issues)):
        lines.append(more)
    return lines


def report_blocks(report: Report, query: SlackQuery) -> list[Block]:
    """The full answer: headline, change, money, benchmark, months, method, warnings."""
    r = report.retention
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": headline(
        report, query.grr_first)[:150]}}]
    if r.undefined:
        blocks.append(mrkdwn(f"NRR and GRR are {plain(r.undefined)}."))
    if line := change_line(report):
        blocks.append(mrkdwn(line))
    if line := logo_line(report):
        blocks.append(mrkdwn(line))
    blocks.append(money_fields(report))
    if report.cohort is not None:  # the money above is every customer's; the headline is the cohort's
        blocks.append(context(plain(cohort_money_sentence(report))))
    if query.movers is not None:
        blocks.extend(mover_blocks(report, query.movers))
    if query.by is not None and (block := segment_block(report, query.by)):
        blocks.append(block)
    if query.compare and (fields := _compare_fields(report)):
        blocks.append(fields)  # without them, the change line above says why there is no comparison
    if line := benchmark_line(report):
        blocks.append(mrkdwn(line))
    if len(r.rows) > 1:
        blocks.append(_month_table(report))
    blocks.append(method_context(report))
    if report.currency_note:
        blocks.append(context(plain(report.currency_note)))
    if warnings := warning_lines(report.warnings, r.notes):
        blocks.append(context(*warnings))
    return fit(blocks, MESSAGE_BLOCKS - 1)  # room for the Share button


def share_actions(key: str) -> Block:
    """The Share button; it carries the key of the answer as shown, never the question."""
    return {"type": "actions", "elements": [{
        "type": "button", "action_id": SHARE_ACTION, "text": {"type": "plain_text", "text": "Share in channel"},
        "value": json.dumps({"a": key})}]}


def shared_context(user: str, at: dt.datetime, changed_query: str | None) -> Block:
    """``Shared by @ana · as of Nov 5, 2026 3:00 PM`` (in each reader's own time zone), and when the
    ledger changed since, how to ask for today's figures."""
    stamp = int(at.timestamp())
    when = f"<!date^{stamp}^as of {{date_short_pretty}} {{time}}|as of {at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC>"
    text = f"{say.shared_by(user)} · {when}"
    if changed_query is not None:
        text += f" · {say.ledger_changed_since(escape(changed_query))}"
    return context(text)


def error_blocks(message: str, details: Sequence[str] = ()) -> list[Block]:
    """An answer that could not be given: ``message`` is mrkdwn (``error_text`` of an error), ``details`` are
    plain text that may quote the sheet (the ledger's problems)."""
    blocks = [mrkdwn(f":x: {message}")]
    if details:
        blocks.append(mrkdwn("\n".join(plain(d) for d in details)))
    return fit(blocks)


def help_blocks(periods: Sequence[str]) -> list[Block]:
    return fit([mrkdwn(say.help_text(periods))])


def home_view(sections: Sequence[tuple[str, Report | str]], warnings: Sequence[Issue],
              setup: Sequence[str] = (), forecast: str | None = None) -> dict[str, Any]:
    """App Home: one headline per period (or, as mrkdwn, why it is missing), the tier, the forecast's line, the
    latest warnings, then the setup (mrkdwn): the ledger connected, the digests with their next runs, where alerts
    go."""
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": "Net Revenue Retention"}}]
    tier_line: str | None = None
    for title, item in sections:
        if isinstance(item, str):
            blocks.append(mrkdwn(f"*{title}*\n{item}"))
            continue
        text = f"*{title}*: {headline(item, markup=True)}"
        if line := change_line(item):
            text += f"\n{line}"
        blocks.append(mrkdwn(text))
        tier_line = tier_line or benchmark_line(item)
    methods = {title: method_sentence(item.retention.method) for title, item in sections if not isinstance(item, str)}
    if len(set(methods.values())) == 1:  # every figure names its method, as an answer's do
        blocks.append(context(f"Method: {next(iter(methods.values()))}"))
    elif methods:
        blocks.append(context(*(f"{title}: {method}" for title, method in methods.items())))
    if tier_line:
        blocks.append({"type": "divider"})
        blocks.append(mrkdwn(tier_line))
    if forecast is not None:  # the engine's forecast line: a customer table's base a year on
        blocks.append(mrkdwn(f":crystal_ball: *Projection* {plain(forecast)}"))
    if note := next((item.currency_note for _, item in sections if not isinstance(item, str) and item.currency_note),
                    None):
        blocks.append(context(plain(note)))
    if lines := warning_lines(warnings):
        blocks.append(context(*lines))
    if setup:
        blocks.append({"type": "divider"})
        blocks.append(mrkdwn("*Setup*\n" + "\n".join(setup)))
    return {"type": "home", "blocks": fit(blocks, VIEW_BLOCKS)}


def blocks_to_text(blocks: Sequence[Block]) -> str:
    """Block Kit as plain text, for dry runs and logs (without the word joiners ``plain`` puts in)."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = block["text"]["text"]
            lines += [title, "=" * len(title)]
        elif kind == "section":
            if "text" in block:
                lines.append(block["text"]["text"])
            for f in block.get("fields", []):
                lines.append("  " + f["text"].replace("\n", ": ", 1))
        elif kind == "context":
            lines += ["  " + e["text"] for e in block.get("elements", [])]
        elif kind == "divider":
            lines.append("---")
        elif kind == "actions":
            lines.append("[" + "] [".join(e["text"]["text"] for e in block.get("elements", [])) + "]")
    return "\n".join(lines).replace(WORD_JOINER, "")


COHORT_AGES = (3, 6, 9, 12)


def cohort_blocks(triangle: CohortTriangle) -> list[Block]:
    """The cohort triangle, narrowed to fit Slack: each acquisition quarter's NRR at 3, 6, 9 and 12 months."""
    if (empty := triangle_sentence(triangle)) is not None:
        return [mrkdwn(empty)]
    lines = [f"{'Cohort':<10} {'Customers':>9} " + " ".join(f"{f'M{a}':>7}" for a in COHORT_AGES)]
    for row in triangle.rows:
        cells = [rate(row.nrr[a], 1) if a < len(row.nrr) and row.nrr[a] is not None else "" for a in COHORT_AGES]
        lines.append(f"{escape(row.label):<10} {row.customers:>9} " + " ".join(f"{c:>7}" for c in cells))
    return fit([mrkdwn(f"*NRR by acquisition {triangle.by}, at 3, 6, 9 and 12 months* (blank: not that old yet)"),
                mrkdwn("```" + "\n".join(lines) + "```"),
                context("NRR of each cohort: what its customers pay at that age over what they paid when they "
                        "started. The whole triangle: `nrr cohorts` in a terminal, `--png` for the heatmap.")],
               MESSAGE_BLOCKS - 1)
