"""Answering ``/nrr``: parse the query, call the engine, render Block Kit. Never silent.

Work runs in its own thread pool, apart from Bolt's listener threads, so acknowledging a
command never waits behind a slow ledger: Slack's 3-second limit is met whatever the sheet does.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from bot import _messages as say
from bot._blocks import Block, error_blocks, escape, headline, help_blocks, home_view, report_blocks
from bot._query import SlackQuery, parse_query
from engine import (
    EXAMPLES,
    Ledger,
    LedgerError,
    Method,
    NrrError,
    Period,
    QueryError,
    Report,
    resolve_period,
)

log = logging.getLogger("nrr.bot")
MAX_PROBLEMS = 10
Respond = Callable[..., Any]


class BotApp(Protocol):
    """What the bot needs from the application: today, the fiscal year, the ledger and reports."""

    @property
    def fiscal_year_start(self) -> int: ...

    def today(self) -> dt.date: ...

    def ledger(self) -> Ledger: ...

    def report(self, ledger: Ledger, period: Period, method: Method | None = None) -> Report: ...


class Answers:
    """Computes answers for the bot from the application's ledger and settings."""

    def __init__(self, app: BotApp, workers: int = 16) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nrr-answer")

    # -- building answers --

    def report(self, query: SlackQuery, period_text: str | None = None) -> Report:
        period = resolve_period(period_text or query.period or "last-month", self.app.today(),
                                self.app.fiscal_year_start)
        ledger = self.app.ledger()
        try:
            return self.app.report(ledger, period, query.method)
        except QueryError as exc:
            first, last = ledger.first_month, ledger.last_month
            if first is None or last is None:
                raise
            raise QueryError(say.period_not_covered(str(exc), first.name, last.name)) from exc

    def answer(self, text: str) -> tuple[list[Block], str]:
        """Blocks and their plain-text fallback for a ``/nrr`` command's text."""
        try:
            query = parse_query(text)
            if query.help:
                return help_blocks(EXAMPLES), "How to use /nrr"
            report = self.report(query)
            return report_blocks(report, query), headline(report, query.grr_first)
        except LedgerError as exc:
            lines = [f"• {i}" for i in exc.errors[:MAX_PROBLEMS]]
            if len(exc.errors) > MAX_PROBLEMS:
                lines.append(say.more_problems(len(exc.errors) - MAX_PROBLEMS))
            message = say.invalid_ledger(len(exc.errors))
            return error_blocks(message, lines), message
        except NrrError as exc:
            return error_blocks(str(exc)), escape(str(exc))

    def home(self) -> dict[str, Any]:
        """The App Home dashboard: last month, quarter to date, trailing 12 months, warnings."""
        sections: list[tuple[str, Report | str]] = []
        warnings: tuple[Any, ...] = ()
        for title, period_text in (("Last month", "last-month"), ("Quarter to date", "this-quarter"),
                                   ("Trailing 12 months", "ttm")):
            try:
                report = self.report(SlackQuery(), period_text)
            except NrrError as exc:
                sections.append((title, str(exc).split("\n")[0]))
                continue
            sections.append((title, report))
            warnings = report.warnings
        return home_view(sections, warnings)

    # -- running them off the listener thread --

    def submit(self, respond: Respond, text: str, **respond_args: Any) -> Future[None]:
        """Compute the answer to ``text`` in the pool and post it through ``respond``."""
        return self.pool.submit(self._run, respond, text, respond_args)

    def _run(self, respond: Respond, text: str, respond_args: dict[str, Any]) -> None:
        try:
            blocks, fallback = self.answer(text)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("answering /nrr %r failed (ref %s)", text, ref)
            blocks, fallback = error_blocks(say.internal_error(ref)), say.internal_error(ref)
        try:
            respond(blocks=blocks, text=fallback, **({"response_type": "ephemeral"} | respond_args))
        except Exception:
            log.exception("could not deliver the answer to /nrr %r", text)
