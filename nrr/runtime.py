"""The runtime: settings, environment and clocks, built once at start-up and passed down.

It owns what must exist once per process: the service account's Sheets client (metadata cache,
token) and the ledger cache that keeps a burst of queries to one read of the sheet. The add-on's
sources, made with each person's own token, are per request and share neither.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import (
    TOP_MOVERS,
    Cells,
    Customers,
    FxError,
    FxRates,
    Ledger,
    LedgerSource,
    Method,
    Month,
    NrrError,
    Period,
    ReadOptions,
    Report,
    build_report,
    read_rates_table,
    redact_url,
)
from nrr import _messages as say
from nrr._errors import ConfigError
from nrr.config import ALERT_RULES, ALERT_TABLES, LEDGER_COLUMN_ROLES, Settings
from sheets import fast_read_from_env, is_sheet_spec, open_file_source
from stripe_source import is_stripe_spec
from warehouse import Unreachable, is_warehouse_spec

if TYPE_CHECKING:
    from engine import Digest, Forecast
    from nrr.state import StateStore
    from nrr.workspace import Workspace
    from sheets import GoogleSheetSource, LedgerCache, SheetsClient
    from stripe_source import StripeApi, StripeSource, StripeSummary


#: how long an answer stays shareable (its Share button); older ones are pruned as new ones are kept
KEEP_ANSWERS = dt.timedelta(days=7)
#: a sentence of a message telling a terminal user to pass --ledger (a Slack user cannot)
_TERMINAL_ADVICE = re.compile(r"Pass [^\n]*?--ledger PATH[^\n]*?in nrr\.toml\.")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(kw_only=True)
class Runtime:
    """Everything outside the engine that the commands, the bot and the scheduler need.

    Built from nrr.toml's settings (``_file``, kept private); everyone reads ``settings``, the
    settings in effect: nrr.toml with the setup made from Slack laid over it.
    """

    _file: Settings
    env: Mapping[str, str]
    clock: Callable[[], dt.datetime] = utc_now
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _sheets: SheetsClient | None = field(default=None, init=False, repr=False)
    _cache: LedgerCache | None = field(default=None, init=False, repr=False)
    _state: StateStore | None = field(default=None, init=False, repr=False)
    #: the ledger given on the command line (``--ledger``): it wins over the setup from Slack
    explicit_ledger: str | None = None
    #: how old a Stripe sync may be before an answer syncs again (None: ``[stripe] sync_minutes``)
    stripe_max_age: dt.timedelta | None = None
    #: False to run with nrr.toml's settings alone (``nrr doctor`` when the state database is out of reach)
    setup_from_state: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _options: ReadOptions | None = field(default=None, init=False, repr=False)
    _rates_read: str | None = field(default=None, init=False, repr=False)  # which read of the rates table
    #: the day ``--today`` names: billing data is read as of its month instead of the clock's
    read_today: dt.date | None = None
    _stripe_cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _warehouses: dict[str, LedgerSource] = field(default_factory=dict, init=False, repr=False)

    @property
    def settings(self) -> Settings:
        """The settings in effect: nrr.toml with the setup from Slack (the connected ledger, the digests
        subscribed to, the alert channel and lines) laid over it, read afresh from the state database
        (when one can hold a setup), so every instance sees a change made on another."""
        workspace = self.workspace(create=False) if self.setup_from_state else None
        return workspace.apply(self._file) if workspace is not None else self._file

    @property
    def file_digest_channels(self) -> frozenset[str]:
        """The channels whose digest nrr.toml sets: read-only from Slack."""
        return frozenset(d.channel for d in self._file.digests)

    @property
    def alert_rules(self) -> tuple[str, ...]:
        """The alert rules ``[alerts] rules`` and ``/nrr alert <rule> on|off`` name."""
        return ALERT_RULES

    @property
    def alert_lines(self) -> Mapping[str, Callable[[object], Any]]:
        """The alert lines (``grr_concerning``, ...) and how each value is read."""
        return ALERT_TABLES["thresholds"]

    def today(self) -> dt.date:
        """Today in the configured time zone: what "last month" is measured from."""
        return self.clock().astimezone(self._file.calendar.zone).date()

    @property
    def fiscal_year_start(self) -> int:
        return self._file.calendar.fiscal_year_start

    @property
    def ledger_spec(self) -> str:
        """The ledger in use: ``--ledger``, else the one connected from Slack, else ``[ledger] source``."""
        return self.explicit_ledger or self.settings.ledger.source

    @property
    def currency(self) -> str:
        """``[company] currency``: what bare figures are in, and what a new template's money columns show."""
        return self._file.company.currency

    @property
    def template_tab(self) -> str:
        """The tab ``nrr fill`` writes a customer tab's derived ledger to (``[ledger] template_tab``)."""
        return self._file.ledger.template_tab

    def workspace(self, *, create: bool = True) -> Workspace | None:
        """The setup changed from Slack. With ``create`` false, None when there is no state database
        yet (a report from a file never creates one)."""
        if not create and not self.state_exists():
            return None  # before the import: SQLAlchemy costs a quarter of a second of a report's start
        from nrr.workspace import Workspace

        return Workspace(self.state(), self.clock)

    def state_exists(self) -> bool:
        """Whether the state database is there (a SQLite file that was never created is not)."""
        url = self._file.state.url
        if self._state is not None or not url.startswith("sqlite:///"):
            return True
        name = url.removeprefix("sqlite:///").split("?")[0]  # sqlite:///nrr-state.db?timeout=5
        return name in ("", ":memory:") or Path(name).exists()  # SQLite resolves a relative path from the cwd

    def now(self) -> dt.datetime:
        return self.clock()

    def cells(self) -> Cells:
        """The configured ledger's cells, as last read (a Google Sheet's are cached for the TTL)."""
        return self.source().read_cells()

    def for_workspace(self, exc: NrrError) -> str:
        """An error reading the ledger as a Slack workspace may see it: the server's ledger file or database named
        in words, as ``/nrr connect`` names them, not by its path or URL (user, host, database), without a database
        driver's words (which name the host), and what a terminal user would do said as a workspace's admin does
        it. A Google Sheet is named as it is."""
        text = exc.without_reason if isinstance(exc, Unreachable) else str(exc)
        spec = self.ledger_spec
        if is_sheet_spec(spec) or is_stripe_spec(spec):
            return text
        if spec.startswith("env:") or is_warehouse_spec(spec):
            url = self.env.get(spec.removeprefix("env:").strip(), "") if spec.startswith("env:") else spec
            words, forms = "the database table nrr.toml's [ledger] source names", {spec}
            if url:
                forms |= {url, redact_url(url), url.partition("#")[0], redact_url(url.partition("#")[0])}
        else:
            words, forms = "the ledger file nrr.toml's [ledger] source names", {spec}
            for written in {spec, spec.partition("#")[0]}:  # book.xlsx#Tab: said with and without its tab
                path = Path(written).expanduser()
                forms |= {written, str(path), str(self._file.base_dir / path), str((self._file.base_dir / path)
                                                                                   .resolve())}
        for form in sorted((f for f in forms if f.strip()), key=len, reverse=True):
            text = text.replace(form, words)
        # what a terminal user would do (--ledger PATH), said as a workspace's admin does it
        return _TERMINAL_ADVICE.sub("An admin can correct [ledger] source in the server's nrr.toml, or connect a "
                                    "Google Sheet with `/nrr connect`.", text)

    def sheet_cells(self, spec: str) -> Cells:
        """A Google Sheet's cells, read with nrr's service account (for ``/nrr connect``)."""
        return self.sheet_source(spec).read_cells()

    def ledger(self) -> Ledger:
        """The configured ledger, validated; ``LedgerError`` lists every problem by cell."""
        return self.cells().ledger

    def state(self) -> StateStore:
        """The state database, opened on first use (a report from a file never opens it)."""
        from nrr.state import StateStore

        with self._lock:
            if self._state is None:
                self._state = StateStore(self._file.state.url)
            return self._state

    def remember(self, key: str, value: object) -> None:
        """Keep ``value`` (JSON) in the state database, where every instance finds it, for ``KEEP_ANSWERS``."""
        self.state().keep(key, value, self.clock(), KEEP_ANSWERS)

    def take(self, key: str) -> object:
        """What ``remember`` kept under ``key`` (None once taken or pruned), removed: only one caller gets it."""
        return self.state().take(key, self.clock(), KEEP_ANSWERS)

    def report(self, ledger: Ledger, period: Period, method: Method | None = None, *, top: int = TOP_MOVERS,
               by: str | None = None, where: tuple[str, str] | None = None) -> Report:
        """The engine's report for ``period``, with the configured method, profile, fiscal year and currency
        (``top``, ``by`` and ``where`` shape a customer table's cohort answer)."""
        s = self._file  # the method, profile, calendar and currency are nrr.toml's alone
        return build_report(ledger, period, method=method or s.ledger.method, profile=s.profile,
                            fiscal_year_start=s.calendar.fiscal_year_start, currency=s.company.currency,
                            top=top, by=by, where=where, currency_set=s.company.currency_set)

    def digest(self, ledger: Ledger, month: Month, chart_months: int = 12, by: str | None = None) -> Digest:
        """The engine's digest for ``month``, with the configured settings (``by``: its segments' column)."""
        from engine import build_digest  # the forecast and the digest load when asked for: a report needs neither

        s = self._file
        method = None if s.ledger.method == "cohort" and ledger.customers is None else s.ledger.method
        return build_digest(ledger, month, method=method, profile=s.profile,
                            fiscal_year_start=s.calendar.fiscal_year_start, currency=s.company.currency,
                            chart_months=chart_months, by=by, currency_set=s.company.currency_set)

    def money_currency(self, table: Customers) -> str:
        """The currency a customer table's money is in: its own, else the configured one (as a forecast says)."""
        return table.currency or self._file.company.currency

    def forecast(self, table: Customers, today: dt.date, months: int = 12,
                 target: tuple[Decimal, Month] | None = None) -> Forecast:
        """The engine's forecast from the last closed month before ``today``, in the configured currency when the
        table names none."""
        from engine import build_forecast, forecast_as_of

        closed = Month.of(today) - 1
        forecast = build_forecast(table, forecast_as_of(table, closed), months=months, target=target,
                                  latest_closed=closed)
        return forecast if forecast.currency else replace(forecast, currency=self._file.company.currency)

    def sheets_client(self) -> SheetsClient:
        from sheets import LedgerCache, SheetsClient, credentials_from_env

        with self._lock:
            if self._sheets is None:
                self._sheets = SheetsClient(
                    credentials_from_env(self.env), api_url=self.env.get("SHEETS_API_URL") or None,
                    retry_budget=self._file.sheets.retry_budget, clock=self.monotonic, sleep=self.sleep)
                self._cache = LedgerCache(self._file.sheets.cache_ttl, self.monotonic)
            return self._sheets

    def sheet_source(self, spec: str) -> GoogleSheetSource:
        from sheets import GoogleSheetSource, parse_sheet_spec

        ref = parse_sheet_spec(spec)
        client = self.sheets_client()
        assert self._cache is not None
        return GoogleSheetSource(ref, client, self._cache, label=spec.strip(), options=self.read_options)

    def warehouse_source(self, spec: str, *, secret: bool = False) -> LedgerSource:
        """The warehouse table ``spec`` names, one per spec for the process (its answers are memoised per read);
        ``secret``: the spec came from the environment, so it may hold a password (never shown)."""
        from warehouse import open_warehouse_source

        ledger = self._file.ledger
        with self._lock:
            if spec not in self._warehouses:
                self._warehouses[spec] = open_warehouse_source(spec, self._file.base_dir, columns=ledger.columns,
                                                               statement_timeout=ledger.statement_timeout,
                                                               secret=secret, zone=self._file.calendar.timezone)
            return self._warehouses[spec]

    def user_sheet_source(self, spec: str, token: str) -> GoogleSheetSource:
        """The sheet ``spec`` names, read and written with one person's own access ``token`` (the
        add-on's requests), not the service account's.

        Its client and its cache are made for this request alone and go with it: the token is kept
        nowhere else, and what one person's access read is never served to another, who may have no
        access at all. Each add-on request therefore reads the sheet afresh (Google checks every
        read), while the bot, the digests and the alerts keep the shared, service-account cache.
        """
        from sheets import GoogleSheetSource, LedgerCache, UserSheetsClient, parse_sheet_spec

        ref = parse_sheet_spec(spec)
        client = UserSheetsClient(token, api_url=self.env.get("SHEETS_API_URL") or None,
                                  retry_budget=self._file.sheets.retry_budget, clock=self.monotonic,
                                  sleep=self.sleep)
        cache = LedgerCache(self._file.sheets.cache_ttl, self.monotonic)
        return GoogleSheetSource(ref, client, cache, label=spec.strip(), options=self.read_options)

    def stripe_api(self) -> StripeApi:
        """Stripe's API with ``STRIPE_API_KEY`` at ``STRIPE_API_BASE`` (retries wait through ``sleep``)."""
        from stripe_source import StripeApi

        return StripeApi.from_env(self.env, sleep=self.sleep, retry_budget=self._file.stripe.retry_budget)

    def stripe_source(self, max_age: dt.timedelta | None = None) -> StripeSource:
        """The Stripe account as a ledger, kept in the state database: synced first when older than
        ``max_age`` (default ``[stripe] sync_minutes``; 0 for a command run by hand) or marked stale."""
        from stripe_source import StripeSource

        max_age = self.stripe_max_age if max_age is None else max_age
        age = dt.timedelta(minutes=self._file.stripe.sync_minutes) if max_age is None else max_age
        self.stripe_api()  # no key, no state database: a command refused for want of it leaves no file behind
        return StripeSource(api=self.stripe_api, store=self.state(), clock=self.clock,
                            today=Month.of(self.read_today or self.today()), options=self.read_options, max_age=age,
                            cache=self._stripe_cache)

    def stripe_summary(self) -> StripeSummary:
        """Sync Stripe now, then what it holds (``/nrr connect stripe``)."""
        return self.stripe_source(dt.timedelta(0)).summary()

    def source(self, spec: str | None = None) -> LedgerSource:
        """The ledger source ``spec`` names (default: the configured one): a file, a sheet, or ``stripe``."""
        spec = spec or self.ledger_spec
        today = Month.of(self.read_today or self.today())  # billing data ends with today's month
        if is_stripe_spec(spec):
            return self.stripe_source()
        if is_sheet_spec(spec):
            return _AsOf(self.sheet_source(spec), today)
        if spec.startswith("env:"):  # a database URL, password and all, kept out of nrr.toml and the command line
            variable = spec.removeprefix("env:").strip()
            url = self.env.get(variable)
            if not url:
                raise ConfigError(say.source_env_unset(variable))
            return _AsOf(self.warehouse_source(url, secret=True), today, self.read_options)
        if is_warehouse_spec(spec):  # billing data in a table is read as a file's: with the rates, as of today
            return _AsOf(self.warehouse_source(spec), today, self.read_options)
        return _AsOf(open_file_source(spec, self._file.base_dir, self.read_options,
                                           fast_read_from_env(self.env)), today)

    @property
    def read_options(self) -> ReadOptions:
        """What reading a table needs from the settings: the exchange rates into ``[company] currency``
        (``[fx]``). Its rates table is read when a table is (a file while it is unchanged, a sheet once per
        ``[sheets] cache_ttl``), and the rates are built again only when its bytes changed, so a ledger read
        with them stays cached; its problems are ``FxError`` naming the cell."""
        fx = self._file.fx
        options = self._options
        if fx.rates is None:
            if options is None:
                options = self._options = ReadOptions(fx=FxRates(reporting=self._file.company.currency,
                                                                 flat=fx.flat), columns=self._named_columns)
            return options
        base_dir = fx.base_dir or self._file.base_dir
        key = self._rates_key(fx.rates, base_dir)
        if options is not None and key is not None and key == self._rates_read:
            return options  # the file as it was: not read again (nor is the ledger file's read pushed out)
        cells = self._rates_cells(fx.rates, base_dir)
        key = key or cells.fingerprint
        if options is None or self._rates_read != key:
            monthly = read_rates_table(cells.grid, name=fx.rates, sheet=cells.sheet, first_row=cells.first_row)
            options = ReadOptions(fx=FxRates(reporting=self._file.company.currency, flat=fx.flat, monthly=monthly,
                                             monthly_source=fx.rates), columns=self._named_columns)
            self._options, self._rates_read = options, key
        return options

    @property
    def _named_columns(self) -> tuple[tuple[str, str], ...]:
        """``[ledger] columns``, in the order of their roles."""
        columns = self._file.ledger.columns or {}
        return tuple((role, columns[role]) for role in LEDGER_COLUMN_ROLES if role in columns)

    @staticmethod
    def _rates_key(spec: str, base_dir: Path) -> str | None:
        """A rates file's path, size and time of change (None for a sheet, or a file not there)."""
        if is_sheet_spec(spec):
            return None
        path = Path(spec.strip().partition("#")[0]).expanduser()
        try:
            stat = (path if path.is_absolute() else base_dir / path).stat()
        except OSError:
            return None
        return f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}"

    def _rates_cells(self, spec: str, base_dir: Path) -> Cells:
        """``[fx] rates``' cells: a file (relative to nrr.toml) or a Google Sheet of Month, Currency, Rate."""
        from nrr import _messages as say

        if is_sheet_spec(spec):
            from sheets import GoogleSheetSource, parse_sheet_spec

            client = self.sheets_client()
            assert self._cache is not None
            return GoogleSheetSource(parse_sheet_spec(spec), client, self._cache, label=spec).read_cells()
        path_text, hash_, tab = spec.strip().partition("#")  # fx.xlsx#Rates: a worksheet of a workbook
        path = Path(path_text).expanduser()
        path = path if path.is_absolute() else base_dir / path
        try:
            found = path.is_file()
        except OSError as exc:  # a folder the user may not enter
            raise FxError(say.fx_rates_unreadable(spec, f"{path}: cannot be read ({exc.strerror}).")) from None
        if not found:
            raise FxError(say.fx_rates_missing(spec, path))
        try:
            return open_file_source(f"{path}{hash_}{tab}").read_cells()
        except NrrError as exc:
            raise FxError(say.fx_rates_unreadable(spec, str(exc))) from None


@dataclass(frozen=True)
class _AsOf:
    """A source read as of today's month: the month a subscription with a blank end is live through. ``options``:
    the read options to give its cells (a warehouse table's, which the source itself does not hold), else
    whatever options the source read them with."""

    inner: LedgerSource
    today: Month
    options: ReadOptions | None = None

    @property
    def name(self) -> str:
        return self.inner.name

    def read_cells(self) -> Cells:
        cells = self.inner.read_cells()
        return cells.with_options(replace(self.options or cells.options, today=self.today))
