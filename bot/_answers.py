"""Answering ``/nrr``: parse the query, call the engine, render Block Kit. Never silent.

Work runs in its own bounded pool (``BoundedPool``), apart from the threads that acknowledge, so
acknowledging a command never waits behind a slow ledger: Slack's 3-second limit is met whatever
the sheet does, and a full pool is said at once rather than queued without end.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from decimal import Decimal
from typing import Any, Protocol

from slack_sdk import WebClient

from bot import _messages as say
from bot._blocks import (
    Block,
    cohort_blocks,
    error_blocks,
    error_text,
    headline,
    help_blocks,
    home_view,
    report_blocks,
    share_actions,
    shared_context,
)
from bot._errors import QueryRefused
from bot._forecast_blocks import forecast_blocks, forecast_headline
from bot._mrkdwn import plain, unescape
from bot._pool import BoundedPool
from bot._query import KEYWORDS, QUOTES, Forecasting, SlackQuery, parse_query
from bot._setup import COMMANDS, Caller, Setup, SetupApp, is_setup_command, subscription_lines
from engine import (
    EXAMPLES,
    TOP_MOVERS,
    Cells,
    Customers,
    Forecast,
    Ledger,
    LedgerError,
    Method,
    Month,
    NrrError,
    OutsideLedger,
    Period,
    PeriodSyntaxError,
    QueryError,
    Report,
    attribute_column,
    cohort_triangle,
    drop_format_characters,
    parse_amount,
    parse_month,
    resolve_period,
    segment_values,
)

log = logging.getLogger("nrr.bot")
MAX_PROBLEMS = 10
Respond = Callable[..., Any]


class BotApp(SetupApp, Protocol):
    """What the bot needs from the application: the clock, the fiscal year, the ledger, reports, a
    place every instance shares to keep the answers people may share, and the setup (``SetupApp``)."""

    @property
    def fiscal_year_start(self) -> int: ...

    def today(self) -> dt.date: ...

    def now(self) -> dt.datetime: ...

    def cells(self) -> Cells: ...

    def for_workspace(self, exc: NrrError) -> str: ...  # an error reading the ledger without the server's paths

    def report(self, ledger: Ledger, period: Period, method: Method | None = None, *, top: int = TOP_MOVERS,
               by: str | None = None, where: tuple[str, str] | None = None) -> Report: ...

    def money_currency(self, table: Customers) -> str: ...

    def forecast(self, table: Customers, today: dt.date, months: int = 12,
                 target: tuple[Decimal, Month] | None = None) -> Forecast: ...

    def remember(self, key: str, value: object) -> None: ...

    def take(self, key: str) -> object: ...


def with_segment(query: SlackQuery, ledger: Ledger | None) -> SlackQuery:
    """The query with a word that is one of the customer table's attribute values (``enterprise``) taken
    out of the period and made its ``where``; a seven-column ledger's query is left as it is.

    Words that read as a period are a period, whatever an attribute holds: with a ``Signup Month`` column,
    ``2025-03`` is March 2025, not the customers who signed up then. Two values are refused: one segment at a
    time."""
    table = ledger.customers if ledger is not None else None
    words = query.period.split()
    if table is None or not words or _a_period(query.period):
        return query
    # (start, size, (column, value)s): the longest first, "mid market" before "market"
    found = _values_in(words, table)
    if not found:
        return query
    asked = sorted({columns[0][1] for _, _, columns in found} | ({query.where[1]} if query.where else set()),
                   key=str.casefold)
    if len({a.casefold() for a in asked}) > 1:
        raise QueryRefused(say.two_segments([plain(a) for a in asked]))
    i, size, columns = found[0]
    if query.where is not None:  # plan=Pro ... pro: asked twice, once by its column
        columns = tuple(c for c in columns if c[0].casefold() == query.where[0].casefold()) or columns[:1]
    return replace(query, period=" ".join(words[:i] + words[i + size:]), where=_one_column(columns))


def _one_column(columns: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """The (column, value) a segment's words name; refused when two columns hold the value (Enterprise, a segment
    and a plan): the answer would be one of them, unsaid (fuzz 22)."""
    if len(columns) > 1:
        raise QueryRefused(say.value_in_two_columns(plain(columns[0][1]), [plain(c) for c, _ in columns]))
    return columns[0]


def _values_in(words: list[str], table: Customers, keywords: bool = False
               ) -> list[tuple[int, int, tuple[tuple[str, str], ...]]]:
    """The attribute values ``words`` hold, as (start, size, each (column, value) it is), the longest first and
    none overlapping; with ``keywords``, only the values of two or more words one of which is a keyword of the
    grammar (a segment named "Churn Risk", "Top Accounts"), else any."""
    # a value's format characters are dropped as the question's are: 'Mid\u2066Market' is asked as midmarket
    values = {drop_format_characters(key): value for key, value in segment_values(table).items()}
    found: list[tuple[int, int, tuple[tuple[str, str], ...]]] = []
    for size in (4, 3, 2) if keywords else (3, 2, 1):
        for i in range(len(words) - size + 1):
            phrase = " ".join(words[i:i + size])
            if phrase.isdigit() or any(i < j + n and j < i + size for j, n, _ in found):
                continue  # a year, not a segment; or words already taken
            if keywords and not any(w.casefold() in KEYWORDS for w in words[i:i + size]):
                continue
            if (value := values.get(phrase.casefold())) is not None:
                found.append((i, size, value))
    return found


def with_keyword_segment(query: SlackQuery | None, text: str, table: Customers | None,
                         refused: QueryRefused | None = None) -> SlackQuery:
    """``churn risk ttm`` with a Segment "Churn Risk": the value taken from the words before the grammar reads its
    keywords, and the rest read again ('risk ttm' was not a period, and "churn" listed the churned). ``query`` None:
    the words did not read (``refused``, "top 50 club" as 50 movers): they do once a value is taken out, or the
    refusal stands."""
    words = text.split()
    found = _values_in(words, table, keywords=True) if table is not None else []
    if not found:
        if query is None:
            assert refused is not None
            raise refused
        return query
    if len(asked := sorted({columns[0][1] for _, _, columns in found}, key=str.casefold)) > 1:
        raise QueryRefused(say.two_segments([plain(a) for a in asked]))
    i, size, columns = found[0]
    rest = parse_query(" ".join(_before_segment(words[:i]) + words[i + size:]))
    if rest.where is not None:
        raise QueryRefused(say.two_segments([plain(columns[0][1]), plain(rest.where[1])]))
    return replace(rest, where=_one_column(columns))


def with_column_value(query: SlackQuery, text: str, table: Customers | None) -> tuple[SlackQuery, str]:
    """``plan=Pro Plus ttm``, ``Plan="Pro Churn Risk" ttm``, ``Sales Region=West ttm``: the column and its value
    taken out of the words, the longest value the column holds first ("Pro Plus" before "Pro"), a quoted one as
    quoted, and the rest read again, so the value's words are never read as the grammar's ("churn") or as another
    segment; with the text left. A column or value the table lacks is left to the report, which names theirs."""
    if query.where is None or table is None:
        return query, text
    words = text.split()
    at = next((i for i, w in enumerate(words) if "=" in w), None)
    if at is None:
        return query, text
    left, _, first = words[at].partition("=")
    column, named_from = table.attribute(left.strip(QUOTES)), at
    for back in (1, 2):  # a column whose name has spaces: "Sales Region=West"
        if column is None and at - back >= 0:
            column = table.attribute(" ".join([*words[at - back:at], left]).strip(QUOTES))
            named_from = at - back
    if column is None:
        return query, text
    spellings, taken = table.spellings[column], 0
    if first[:1] in QUOTES and not (len(first) > 1 and first[-1:] in QUOTES):  # "Pro Plus": to its closing quote
        close = next((j for j in range(at + 1, len(words)) if words[j][-1:] in QUOTES), None)
        taken = 0 if close is None else close - at
    else:
        taken = next((n for n in (3, 2, 1) if at + n < len(words)
                      and " ".join([first, *words[at + 1:at + 1 + n]]).strip(QUOTES).casefold() in spellings), 0)
    value = " ".join([first, *words[at + 1:at + 1 + taken]]).strip(QUOTES)
    rest = " ".join(_before_segment(words[:named_from]) + words[at + 1 + taken:])
    return replace(parse_query(rest), where=(column, spellings.get(value.casefold(), value))), rest


def _before_segment(words: list[str]) -> list[str]:
    """The words before a segment taken out of a question, without the ``where`` that asked for it (read again
    alone, ``ttm where`` is refused as a ``where`` with no segment)."""
    return words[:-1] if words and words[-1].lower() == "where" else words


def _by_words(query: SlackQuery, text: str, table: Customers | None) -> SlackQuery:
    """``by Signup Month``: a column whose header has spaces, its words after the first taken back from the
    period they were read into, when the words together name an attribute column and the first alone does not."""
    if query.by is None or table is None or table.attribute(query.by) is not None:
        return query
    words = text.split()
    at = next((i for i, w in enumerate(words[:-1]) if w.lower() == "by" and words[i + 1] == query.by), None)
    if at is None:
        return query
    for size in (4, 3, 2, 1):
        named = words[at + 1:at + 1 + size]
        asked = " ".join(named).strip(QUOTES)  # by "Signup Month", quoted as in a terminal
        if len(named) == size and (column := table.attribute(asked)) is not None:
            period = query.period.split()
            for word in named[1:]:
                if word in period:
                    period.remove(word)
            return replace(query, by=column, period=" ".join(period))
    return query


def _a_period(text: str) -> bool:
    """Whether ``text`` reads as a period (on any day: the grammar, not the calendar, decides)."""
    try:
        resolve_period(text, dt.date(2000, 1, 15))
    except PeriodSyntaxError:
        return False
    except QueryError:
        return True  # a period, one that has not started on that day
    return True


def _asked(query: SlackQuery) -> str:
    """What was asked that needs a customer table, for the refusal: ``Movers``, ``Segments (by plan)``."""
    if query.movers is not None:
        return "Movers"
    return f"Segments (by {query.by})" if query.by else "Segments"


class Answers:
    """Computes answers for the bot from the application's ledger and settings."""

    def __init__(self, app: BotApp, workers: int = 16, pending: int = 1000) -> None:
        self.app = app
        self.setup = Setup(app)
        self.pool = BoundedPool(workers, pending)

    # -- building answers --

    def report(self, query: SlackQuery, period_text: str | None = None, cells: Cells | None = None) -> Report:
        period = resolve_period(period_text or query.period or "last-month", self.app.today(),
                                self.app.fiscal_year_start)
        ledger = (cells or self.app.cells()).ledger
        try:
            return self.app.report(ledger, period, query.method, top=query.top or TOP_MOVERS, by=query.by,
                                   where=query.where)
        except OutsideLedger as exc:  # what the ledger covers follows only a refusal of months it lacks
            first, last, what = ledger.first_month, ledger.last_month, "ledger"
            if ledger.customers is not None:  # its months, not its ledger's (whose first is the table's second)
                first, last, what = ledger.customers.first, ledger.customers.last, "customer table"
            if first is None or last is None:
                raise
            raise QueryRefused(say.period_not_covered(plain(str(exc)), first.name, last.name, what)) from exc

    def answer(self, text: str, caller: Caller | None = None, client: WebClient | None = None
               ) -> tuple[list[Block], str]:
        """Blocks and their plain-text fallback for a ``/nrr`` command's text (a setup command when
        ``caller`` and ``client`` are given: they say who asks, where, and how to ask Slack about them)."""
        text = drop_format_characters(text)  # a zero-width space pasted with the words: "ttm\u200b grr" is "ttm grr"
        text = unescape(text)  # as typed: Slack sends "R&D" as "R&amp;D", which no segment or tab is called
        if caller is not None and client is not None and is_setup_command(text):
            return self.setup.answer(text, caller, client)
        try:
            try:
                parsed: SlackQuery | None = parse_query(text)
                refused = None
            except QueryRefused as exc:  # "top 50 club": a segment's words may read as the grammar's, told by the table
                parsed, refused = None, exc
            if parsed is not None and parsed.help:
                return help_blocks(EXAMPLES), "How to use /nrr"
            cells = self.app.cells()
            if parsed is not None and parsed.forecast is not None:
                blocks, fallback = self._forecast(parsed.forecast, cells)
                return [*blocks, *self._share_button(text, blocks, fallback, cells)], fallback
            table = cells.check.ledger.customers if cells.check.ledger is not None else None
            rest = text
            if parsed is not None:  # plan=Pro Plus: the column's value taken out first, whatever its words
                parsed, rest = with_column_value(parsed, text, table)
            query = with_keyword_segment(parsed, rest, table, refused) if parsed is None or parsed.where is None \
                else parsed
            if query.cohorts:
                more = " ".join(w for w in (query.period, f"by {query.by}" if query.by else "",
                                            "movers" if query.movers else "", f"top {query.top}" if query.top else "",
                                            "compare" if query.compare else "", "grr" if query.grr_first else "",
                                            f"method={query.method}" if query.method else "",
                                            f"{query.where[0]}={query.where[1]}" if query.where else "") if w)
                if more and more.lower() != "by quarter":  # a segment, a period: answered for all, wrong
                    raise QueryRefused(say.cohorts_take_no_more(plain(more)))
                blocks, fallback = self._cohorts(cells)
                return [*blocks, *self._share_button(text, blocks, fallback, cells)], fallback
            query = _by_words(query, rest, table)
            query = with_segment(query, cells.check.ledger)
            if query.by is not None and table is not None:
                query = replace(query, by=attribute_column(table, query.by))  # said before any period
            report = self.report(query, cells=cells)
            if query.customer_words and report.cohort is None:
                raise QueryRefused(say.needs_customer_table(plain(_asked(query))) if table is None
                                   else say.needs_cohort_method(plain(_asked(query)), None if query.method
                                                                else report.retention.method))
            blocks, fallback = report_blocks(report, query), headline(report, query.grr_first, markup=True)
            return [*blocks, *self._share_button(text, blocks, fallback, cells)], fallback
        except LedgerError as exc:
            lines = [f"• {i}" for i in exc.errors[:MAX_PROBLEMS]]
            if len(exc.errors) > MAX_PROBLEMS:
                lines.append(say.more_problems(len(exc.errors) - MAX_PROBLEMS))
            message = say.invalid_ledger(len(exc.errors))
            return error_blocks(message, lines), message
        except PeriodSyntaxError as exc:  # "subscibe": the setup command meant, when one is that close
            words = text.split()
            meant = difflib.get_close_matches(words[0].lower(), COMMANDS, n=1, cutoff=0.8) if words else []
            message = error_text(exc) + (f" Did you mean `/nrr {meant[0]}`?" if meant else "")
            return error_blocks(message), message
        except NrrError as exc:
            message = error_text(exc, self.app.for_workspace)
            return error_blocks(message), message

    def _cohorts(self, cells: Cells) -> tuple[list[Block], str]:
        """``/nrr cohorts``: NRR by acquisition quarter at 3, 6, 9 and 12 months (a customer table only)."""
        ledger = cells.ledger
        if ledger.customers is None:
            raise QueryRefused(say.needs_customer_table("Cohorts"))
        triangle = cohort_triangle(ledger.customers, "quarter", self.app.fiscal_year_start,
                                   Month.of(self.app.today()) - 1)
        return cohort_blocks(triangle), f"NRR by acquisition quarter: {len(triangle.rows)} cohorts"

    def _forecast(self, asked: Forecasting, cells: Cells) -> tuple[list[Block], str]:
        """``/nrr forecast [N months] [target AMOUNT by MONTH]``: a customer table only."""
        table = cells.ledger.customers  # in memory, or a database's answered with sums where it lives
        if table is None:
            raise QueryRefused(say.forecast_needs_table())
        target = None
        if asked.target is not None:
            amount, month = asked.target
            try:
                by = parse_month(month)
            except ValueError:
                raise QueryRefused(say.forecast_target_month(plain(month))) from None
            target = (parse_amount(amount, self.app.money_currency(table)), by)
        today = self.app.today()
        forecast = cells.memo(("forecast", today, asked.months, target),  # once per read of the ledger
                              lambda: self.app.forecast(table, today, asked.months, target))
        return forecast_blocks(forecast), plain(forecast_headline(forecast))

    # -- sharing exactly what was shown --

    def _share_button(self, text: str, blocks: list[Block], fallback: str, cells: Cells) -> list[Block]:
        """Keep the answer as shown (blocks, when, which ledger) and offer to share it; the button
        carries only the answer's key. If it cannot be kept, there is no button rather than one that
        would recompute."""
        key = f"answer:{uuid.uuid4().hex}"
        shown = {"blocks": blocks, "text": fallback, "at": self.app.now().isoformat(), "ledger": cells.fingerprint,
                 "query": text}
        try:
            self.app.remember(key, shown)
        except Exception:
            log.exception("could not keep the answer to /nrr %r for sharing", text)
            return []
        return [share_actions(key)]

    def shared(self, key: str, user: str) -> tuple[list[Block], str] | None:
        """The kept answer as the channel gets it: the same blocks, who shared it and as of when (and,
        when the ledger changed since, that it did). None when nothing is kept under ``key``."""
        shown = self.app.take(key)  # shared once: a second click finds nothing
        if not isinstance(shown, dict):
            return None
        try:
            changed = self.app.cells().fingerprint != shown["ledger"]
        except NrrError:
            changed = False  # the ledger cannot be read now; the answer still stands as of its time
        at = dt.datetime.fromisoformat(shown["at"])
        note = shared_context(user, at, shown["query"] if changed else None)
        return [*shown["blocks"], note], shown["text"]

    def home(self) -> dict[str, Any]:
        """The App Home dashboard: last month, quarter to date, trailing 12 months, warnings."""
        sections: list[tuple[str, Report | str]] = []
        warnings: tuple[Any, ...] = ()
        for title, period_text in (("Last month", "last-month"), ("Quarter to date", "this-quarter"),
                                   ("Trailing 12 months", "ttm")):
            try:
                report = self.report(SlackQuery(), period_text)
            except NrrError as exc:
                sections.append((title, error_text(exc, self.app.for_workspace).split("\n")[0]))
                continue
            sections.append((title, report))
            warnings = report.warnings
        try:
            setup = [self.setup._connection_now(), *subscription_lines(self.app)]
        except NrrError as exc:
            setup = [error_text(exc, self.app.for_workspace)]
        return home_view(sections, warnings, setup, self._forecast_line())

    def _forecast_line(self) -> str | None:
        """The App Home's forecast line: a customer table's base a year on; None on a seven-column ledger or
        when it cannot be worked out (the dashboard says the rest)."""
        try:
            cells = self.app.cells()
            table = cells.ledger.customers
            if table is None:
                return None
            today = self.app.today()
            return cells.memo(("forecast line", today), lambda: self.app.forecast(table, today).line)
        except NrrError:
            return None

    # -- running them off the listener thread --

    def submit(self, respond: Respond, text: str, caller: Caller | None = None, client: WebClient | None = None,
               **respond_args: Any) -> Future[None] | None:
        """Compute the answer to ``text`` in the pool and post it through ``respond``; None when the pool
        is full (nothing will be posted)."""
        return self.pool.submit(self._run, respond, text, respond_args, caller, client)

    def submit_share(self, respond: Respond, key: str, user: str) -> Future[None] | None:
        """Post the answer kept under ``key`` in the channel, exactly as it was shown, then remove the
        private copy; an answer no longer kept is said so, privately. None when the pool is full."""
        return self.pool.submit(self._share, respond, key, user)

    def _share(self, respond: Respond, key: str, user: str) -> None:
        try:
            found = self.shared(key, user) if key.startswith("answer:") else None
            if found is None:
                respond(text=say.answer_gone(), response_type="ephemeral", replace_original=False)
                return
            blocks, fallback = found
            respond(blocks=blocks, text=fallback, response_type="in_channel", replace_original=False)
            respond(delete_original=True)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("could not share answer %s (ref %s)", key, ref)
            try:
                respond(text=say.internal_error(ref), response_type="ephemeral", replace_original=False)
            except Exception:
                log.exception("could not say that sharing failed (ref %s)", ref)

    def _run(self, respond: Respond, text: str, respond_args: dict[str, Any], caller: Caller | None = None,
             client: WebClient | None = None) -> None:
        try:
            blocks, fallback = self.answer(text, caller, client)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("answering /nrr %r failed (ref %s)", text, ref)
            blocks, fallback = error_blocks(say.internal_error(ref)), say.internal_error(ref)
        try:
            respond(blocks=blocks, text=fallback, **({"response_type": "ephemeral"} | respond_args))
        except Exception:
            log.exception("could not deliver the answer to /nrr %r", text)
