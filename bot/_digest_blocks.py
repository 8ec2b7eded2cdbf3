"""The monthly digest and the alerts as Block Kit."""

from __future__ import annotations

from bot import _messages as say
from bot._blocks import (
    Block,
    benchmark_line,
    change_line,
    context,
    fit,
    headline,
    logo_line,
    method_context,
    money_fields,
    mover_blocks,
    mrkdwn,
    segment_block,
    warning_lines,
)
from bot._mrkdwn import plain
from engine import Digest, Report, rate

DIGEST_TOP = 3

RULE_TITLES = {
    "tier_drop": "Benchmark tier", "below_median": "Below the segment median", "nrr_below_100": "NRR below 100%",
    "grr_floor": "GRR line", "expansion_dependent": "Growth depends on expansion", "nrr_move": "Unusual NRR month",
    "grr_move": "Unusual GRR month", "down_3_months": "NRR falling", "ledger_errors": "Ledger errors",
    "logo_retention": "Logo retention", "expansion_hiding_churn": "Expansion hiding churn",
    "expansion_concentration": "Expansion concentrated in a few accounts",
}


def _period(report: Report) -> str:
    """``*Q4 2026 to date*: NRR 101.1% · GRR 98.9%`` and its change: the period's own label says which."""
    r = report.retention
    text = f"*{r.period.label}*: NRR {rate(r.nrr)} · GRR {rate(r.grr)}"
    if line := change_line(report):
        text += f"\n{line}"
    return text


def digest_blocks(digest: Digest, include: tuple[str, ...], *, late_by: str | None = None,
                  waited_for: str | None = None) -> list[Block]:
    """Header; the month with its movements in money (new MRR and the quick ratio when known), the
    quarter to date and the trailing year, each with its change and driver; the benchmark; warnings."""
    last = digest.last_month
    title = f"NRR digest: {digest.month.name}"
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    if late_by:
        why = f"it waited: {waited_for}" if waited_for else "nrr was not running then"
        blocks.append(context(f":hourglass: Posted late ({late_by} after its time): {why}."))
    if "month" in include:
        blocks.append(mrkdwn(_period(last)))
        if line := logo_line(last):
            blocks.append(mrkdwn(line))
    if "movements" in include:  # right under the month they belong to, and saying so
        blocks.append(context(f"{digest.month.name} in money:"))
        blocks.append(money_fields(last))
        kinds = digest.mover_kinds
        if last.cohort is not None and any(last.cohort.movers[k] for k in kinds):
            blocks.append(context(f"Who moved {digest.month.name}, top {DIGEST_TOP}:"))
            blocks.extend(mover_blocks(last, kinds, DIGEST_TOP))
    if "quarter" in include and digest.quarter_to_date is not None:
        blocks.append(mrkdwn(_period(digest.quarter_to_date)))
    elif "quarter" in include and digest.quarter_missing:
        blocks.append(context(f":warning: No quarter line: {plain(digest.quarter_missing)}"))
    if "year" in include and digest.trailing_year is not None:
        blocks.append(mrkdwn(_period(digest.trailing_year)))
    if "forecast" in include and (forecast := digest.forecast) is not None:
        blocks.append(mrkdwn(f":crystal_ball: *Projection* {plain(forecast.line)}"))
        blocks.append(context(say.forecast_more()))
    if digest.by is not None and (split := digest.segments) is not None and (
            block := segment_block(split, digest.by, split.period.label)):
        blocks.append(block)
    elif digest.note:
        blocks.append(context(f":warning: {plain(digest.note)}"))
    if "benchmark" in include and (line := benchmark_line(last)):
        blocks.append(mrkdwn(line))
    if "warnings" in include and (lines := warning_lines(last.warnings)):
        blocks.append(context(*lines))
    blocks.append(method_context(last))
    if last.currency_note:
        blocks.append(context(plain(last.currency_note)))
    return fit(blocks)


def digest_text(digest: Digest) -> str:
    return f"NRR digest for {digest.month.name}: {headline(digest.last_month, markup=True)}"


def missing_month_text(month: str, latest: str | None, missing: str | None = None) -> str:
    """The note of a digest waiting for its month; ``missing`` says how it is missing when it is not simply not in
    yet (a gap between filled months is not "not in the ledger yet")."""
    latest_part = f" (the latest month is {latest})" if latest else ""
    return (f":calendar: The {month} digest is waiting: {missing or f'{month} is not in the ledger yet{latest_part}'}. "
            "It will be posted once the month is filled in.")


def unreadable_ledger_text(month: str) -> str:
    """The note of a digest waiting for a ledger that cannot be read (a bad cell, a file gone): the error itself
    is not quoted, as it may name a server's path; ``nrr validate`` names every cell."""
    return (f":warning: The {month} digest is waiting: the ledger cannot be read as it stands (`nrr validate` names "
            "what to fix). It will be posted once it reads.")


def alert_blocks(rule: str, text: str, source: str, *, worse: bool) -> list[Block]:
    """A state change: worse (the line was crossed) or better (recovered). ``text`` is the engine's sentence,
    which may name customers and quote cells: plain text."""
    icon = ":rotating_light:" if worse else ":white_check_mark:"
    blocks: list[Block] = [mrkdwn(f"{icon} *{RULE_TITLES.get(rule, rule)}*\n{plain(text)}")]
    blocks.append(context(f"Source: {plain(source)}"))
    return fit(blocks)


def alert_fallback(rule: str, text: str) -> str:
    return f"{RULE_TITLES.get(rule, rule)}: {plain(text)}"

