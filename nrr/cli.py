"""The ``nrr`` command: reports and validation from a terminal.

Exit status: 0 answered, 1 the input is wrong (ledger, period, config: the message says what
to fix), 2 the command line is wrong, 70 an internal error (a one-line message; set NRR_DEBUG=1
for the traceback).

Its own errors, ``CommandError`` and ``UsageError`` (exit 2), are in the tree of ``nrr/_errors.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from engine import (
    COHORT_BY,
    EXAMPLES,
    METHODS,
    TOP_MOVERS,
    Ledger,
    Month,
    NotInLedgerYet,
    NrrError,
    OutsideLedger,
    Period,
    PeriodSyntaxError,
    QueryError,
    Report,
    check_source,
    checked_as_of,
    cohort_month_missing,
    conversion_sentence,
    ledger_triangle,
    load_ledger,
    months,
    parse_month,
    parse_month_number,
    parse_where,
    report_to_dict,
    resolve_period,
)
from nrr import _messages as say
from nrr._errors import CommandError, UsageError
from nrr.config import CHANNEL_ID, Settings, load_settings
from nrr.runtime import Runtime, utc_now
from sheets import finish_cache_writes
from warehouse import is_warehouse_spec, remove_spill_directory

if TYPE_CHECKING:
    from rich.console import Console

Clock = Callable[[], dt.datetime]


class Out:
    """Where a command writes: ``file`` for what is printed as it is (JSON, CSV), ``print`` and ``console`` (rich)
    for the rest. The console is made on first use, so a command that prints JSON never imports rich."""

    def __init__(self, console: Console | None = None, *, stderr: bool = False, errors: Out | None = None) -> None:
        self._console = console
        self._stderr = stderr
        #: where a command says what is not its output (a CSV's warnings), beside it
        self.errors = errors or self

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, highlight=False)
        return self._console

    @property
    def file(self) -> IO[str]:
        """The stream a console writes to (``Console.file``), without making one."""
        if self._console is not None:
            return self._console.file
        stream = sys.stderr if self._stderr else sys.stdout
        return stream if stream is not None else self.console.file

    def print(self, *objects: Any, **options: Any) -> None:
        try:
            self.console.print(*objects, **options)
        except MemoryError:  # at a memory limit rich's import fails: what was to be said, said plainly
            if not all(isinstance(o, str) for o in objects):
                raise
            with contextlib.suppress(Exception):
                self.file.write(" ".join(objects) + "\n")

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
EXIT_PIPE = 141  # the output's reader closed the pipe (128 + SIGPIPE, as a shell's `yes | head` ends)


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in YYYY-MM-DD form") from None
    if not 1900 <= day.year <= 9998:  # year 1's trailing months fall before the calendar: an internal error
        raise argparse.ArgumentTypeError(f"'{text}' is outside the years nrr answers for (1900 to 9998)")
    return day


def _column(text: str) -> str:
    """A column's name: ``--by ''`` (a shell variable left empty) was ignored, and the report answered unsegmented."""
    if not text.strip():
        raise argparse.ArgumentTypeError("a column name is needed, such as --by Segment")
    return text


def _port(text: str) -> int:
    if not text.strip().isdigit() or not 0 <= int(text) <= 65535:  # 0: any free port
        raise argparse.ArgumentTypeError(f"'{text}' is not a port: a whole number from 0 to 65535")
    return int(text)


def _month_number(text: str) -> int:
    try:
        return parse_month_number(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not {exc}") from None


def _count(text: str) -> int:
    if text.isdecimal() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(say.not_a_count(text))


def _where(text: str) -> tuple[str, str]:
    try:
        return parse_where(text)
    except QueryError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class _Once(argparse.Action):
    """An option that says one thing, refused when given twice: argparse keeps the last, silently, and
    ``--where segment=SMB --where plan=Pro`` would answer for every plan."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        given: set[str] = namespace.__dict__.setdefault("_given_once", set())
        if self.dest in given:
            parser.error(f"{option_string} is given twice; give it once (a report narrows by one column's value "
                         "and answers by one column).")
        given.add(self.dest)
        setattr(namespace, self.dest, values)


class _Version(argparse.Action):
    """``nrr --version``: the installed package's version, looked up only when asked (importlib.metadata costs a
    start-up 10 ms)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("nrr")
        except PackageNotFoundError:  # run from a checkout that was never installed
            found = "unknown (not installed)"
        sys.stdout.write(f"nrr {found}\n")  # where --help prints, as argparse's own version action does
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nrr", description="Net Revenue Retention from your ledger: reports, checks, Slack.")
    parser.add_argument("--version", action=_Version, nargs=0, help="print nrr's version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parser.set_defaults(_commands=commands.choices)  # an unknown option is told with its command's usage

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--ledger", metavar="SOURCE",
                       help="ledger file (.csv, .tsv, .xlsx[#Sheet]) or Google Sheet (URL, gsheet:ID[/TAB]); "
                            "default: [ledger] source")
        p.add_argument("--config", metavar="FILE", help="nrr.toml to use (default: $NRR_CONFIG, ./nrr.toml)")

    def as_of(p: argparse.ArgumentParser) -> None:  # billing data's open subscriptions run to today's month
        p.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                       help="read billing data as of this day: a subscription with no end runs to its month "
                            "(default: today, configured zone)")

    report = commands.add_parser(
        "report", help="NRR and GRR for a period",
        description="NRR and GRR for a period, its change, the trailing 12 months and benchmarks.",
        epilog="Periods: " + ", ".join(EXAMPLES))
    report.add_argument("period", nargs="*", metavar="PERIOD",
                        help="e.g. last-quarter, ttm, 'Mar 2026', 'Q3 2026' (default: last-month)")
    common(report)
    report.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                        help="resolve relative periods as of this day (default: today, configured zone)")
    report.add_argument("--fiscal-year-start", type=_month_number, metavar="MONTH",
                        help="first month of the fiscal year (default: [calendar] fiscal_year_start)")
    report.add_argument("--method", choices=METHODS,
                        help="how a span combines its months (default: cohort for a customer table, else chained)")
    report.add_argument("--json", action="store_true", help="print one JSON object")
    report.add_argument("--by", metavar="COLUMN", action=_Once, type=_column,
                        help="a customer table's cohort per segment of this attribute column")
    report.add_argument("--where", type=_where, metavar="COLUMN=VALUE", action=_Once,
                        help="answer for one segment of a customer table")
    report.add_argument("--top", type=_count, metavar="N",
                        help=f"movers shown of each kind (default: {TOP_MOVERS})")

    cohorts = commands.add_parser(
        "cohorts", help="NRR by acquisition cohort against age, from a customer table (a triangle; --png a heatmap)")
    common(cohorts)
    cohorts.add_argument("--by", choices=COHORT_BY, default="month",
                         help="cohorts by the month or the quarter of the first payment (default: month)")
    cohorts.add_argument("--png", metavar="FILE", help="also write the triangle as a heatmap PNG")
    as_of(cohorts)

    ledger_cmd = commands.add_parser(
        "ledger", help="print the ledger: a customer table's derived seven-column ledger, or the one read",
        description="The ledger month by month. For a customer table: the derived seven-column ledger (Start = "
                    "the previous month's total) with New and Reactivation MRR.")
    common(ledger_cmd)
    ledger_cmd.add_argument("--csv", action="store_true", help="print CSV with the template's headers")
    as_of(ledger_cmd)

    mrr_cmd = commands.add_parser(
        "mrr", help="print the MRR of each customer in each month, every figure's source (a customer table)",
        description="The MRR per customer per month every figure comes from, for audit: in the reporting currency "
                    "after any conversion, months a customer pays nothing in left out.")
    common(mrr_cmd)
    mrr_cmd.add_argument("--csv", action="store_true",
                         help="print CSV: customer_id,customer,month,mrr, then one column per attribute")
    as_of(mrr_cmd)

    validate = commands.add_parser("validate", help="list every error and warning in the ledger")
    common(validate)
    as_of(validate)

    fill = commands.add_parser(
        "fill", help="write the computed columns of a Google Sheet ledger",
        description="Write MRR (End of Period), NRR Rate (and GRR Rate) for every valid row, in one "
                    "batch. Never writes input columns, never replaces a formula, never a value typed "
                    "by hand unless --overwrite. On a customer tab, writes its derived seven-column ledger to the "
                    "tab [ledger] template_tab of the same spreadsheet (default NRR, created from the template).")
    common(fill)
    fill.add_argument("--from", dest="from_source", choices=["stripe"],
                      help="write the derived ledger of another source (stripe: the synced Stripe account) to the "
                           "sheet's [ledger] template_tab")
    fill.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    fill.add_argument("--overwrite", action="store_true",
                      help="also replace computed cells whose typed value differs from the formula")
    fill.add_argument("--fix-formulas", action="store_true",
                      help="replace NRR formulas that compute 2 - End/Start (the inverted template formula) "
                           "with End/Start")

    init = commands.add_parser("init-sheet", help="add a worksheet with the NRR template to a Google Sheet")
    init.add_argument("sheet", metavar="SHEET", help="the spreadsheet: its URL or gsheet:ID")
    init.add_argument("--title", help="the new worksheet's name (default: Ledger, or Customers with --customers)")
    init.add_argument("--customers", action="store_true",
                      help="an empty customer table (Customer ID, Customer, Month, MRR, Segment, Plan) instead of "
                           "the seven-column template")
    init.add_argument("--config", metavar="FILE", help="nrr.toml to use")

    digest = commands.add_parser(
        "digest", help="post (or show) one channel's monthly digest by hand",
        description="The monthly digest for one channel and month, with the same exactly-once key as the "
                    "scheduler: a digest already posted is not posted again unless --force.")
    digest.add_argument("--channel", metavar="C123", help="Slack channel id (default: the first [[digests]])")
    digest.add_argument("--month", metavar="YYYY-MM", help="the month to report (default: the last closed month)")
    common(digest)
    digest.add_argument("--dry-run", action="store_true",
                        help="print the message and the alerts instead of posting; write the chart to a PNG")
    digest.add_argument("--force", action="store_true", help="post again even if this digest was posted")

    sync_cmd = commands.add_parser(
        "sync", help="read what changed in Stripe (STRIPE_API_KEY) into the state database, and print it",
        description="Sync the Stripe account: new invoices and customers, invoices not final when last read "
                    "(draft, open) read again; an interrupted sync resumes. --full reads everything again.")
    sync_cmd.add_argument("--full", action="store_true", help="read every invoice and customer again")
    sync_cmd.add_argument("--config", metavar="FILE", help="nrr.toml to use")

    scheduler = commands.add_parser("scheduler", help="run the digest and alert scheduler alone (no HTTP)")
    common(scheduler)

    doctor = commands.add_parser(
        "doctor", help="check the installation: config, ledger, Slack, state database, digests, add-on",
        description="One line per check; each failing line says how to fix it. Exits 1 when any check fails.")
    common(doctor)
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")

    forecast = commands.add_parser(
        "forecast", help="project what today's customers will pay in the coming months, and what a target needs",
        description="A projection of the MRR of the customers paying in the last closed month (no new business), "
                    "learnt from the customer table's own history, with a band, a backtest and, with --target, "
                    "the new business a target needs.")
    forecast.add_argument("--months", type=_count, default=12, metavar="N", help="months to project (default: 12)")
    forecast.add_argument("--target", metavar="AMOUNT", help="a target in the table's unit (MRR or ARR), e.g. 2000000")
    forecast.add_argument("--by", metavar="YYYY-MM", help="the month the target is for (with --target)")
    common(forecast)
    forecast.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                          help="forecast from the month before this day's (default: today, configured zone)")
    forecast.add_argument("--json", action="store_true", help="print one JSON object")

    serve = commands.add_parser("serve", help="serve the Slack app and the Sheets add-on over HTTP")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default: 0.0.0.0)")
    serve.add_argument("--port", type=_port, default=3000, help="port to listen on (default: 3000)")
    serve.add_argument("--socket-mode", action="store_true",
                       help="take Slack's events over Socket Mode (needs SLACK_APP_TOKEN) instead of HTTP")
    common(serve)
    return parser


def _settings(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    settings = load_settings(args.config, env)
    if getattr(args, "ledger", None):
        settings = replace(settings, ledger=replace(settings.ledger, source=args.ledger), base_dir=Path.cwd())
    if getattr(args, "fiscal_year_start", None):
        settings = replace(settings, calendar=replace(settings.calendar, fiscal_year_start=args.fiscal_year_start))
    if getattr(args, "method", None):
        settings = replace(settings, ledger=replace(settings.ledger, method=args.method))
    return settings


def cmd_report(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    settings = runtime.settings
    today = args.today or runtime.today()
    question = " ".join(args.period) or "last-month"
    period = resolve_period(question, today, settings.calendar.fiscal_year_start)
    ledger = load_ledger(runtime.source())
    method = settings.ledger.method or ("cohort" if ledger.customers is not None else "chained")
    if method != "cohort" and (asked := say.cohort_options(args.by, args.where, args.top)):
        if ledger.customers is None:
            raise CommandError(say.options_need_customer_table(asked))
        from_config = args.method is None
        error = CommandError if from_config else UsageError  # nrr.toml's method is the input; --method the line
        raise error(say.options_need_cohort_method(asked, method, from_config))

    def answer(period: Period) -> Report:
        return runtime.report(ledger, period, top=args.top or TOP_MOVERS, by=args.by, where=args.where)

    try:
        report = answer(period)
    except NotInLedgerYet as exc:
        filled = {r.month for r in ledger.rows}
        refused = say.not_in_ledger_yet(str(exc), period, exc.latest, filled.__contains__, today,
                                        _answered(answer, question, exc.latest + 1, settings))
        if any(w.code in ("table_beside", "another_table") for w in ledger.warnings):  # the months may be there
            refused += " " + say.part_not_read()
        raise CommandError(refused) from None
    except OutsideLedger as exc:  # before the table's first month: another worksheet may hold them (a tab a year)
        others = [str(w) for w in ledger.warnings if w.code == "other_worksheets"]
        if not others:
            raise
        raise CommandError(f"{exc} {others[0]}") from None
    if args.json:
        import json

        out.file.write(json.dumps(report_to_dict(report), indent=2) + "\n")
    else:
        from nrr._render import render_report

        table = ledger.customers
        render_report(report, out.console, by=(table.attribute(args.by) if table and args.by else None) or "Segment")
    return EXIT_OK


def _answered(answer: Callable[[Period], object], question: str, month: Month, settings: Settings) -> bool:
    """Whether ``question`` is answered as of the first day of ``month`` (``--today`` then), tried: only
    such a flag is offered, never one refused again (this-month, Q4 2025 as of the month after the ledger's last)."""
    try:
        answer(resolve_period(question, dt.date(month.year, month.month, 1), settings.calendar.fiscal_year_start))
    except NrrError:
        return False
    return True


def cmd_ledger(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    from nrr._render import render_warnings

    ledger = load_ledger(runtime.source())
    if args.csv:
        from nrr._render import ledger_csv

        out.file.write(ledger_csv(ledger))
        # what the rows were read with (columns added up, an End corrected, decimal commas, months left out), as a
        # report says it: on stderr, so the CSV stays a CSV (a fresh-eyes try: the ledger said none of it)
        render_warnings(ledger.warnings, out.errors.console)
    else:
        from nrr._render import render_ledger

        render_ledger(ledger, out.console, runtime.settings.company.currency)
        _say_conversions(ledger, out)
        render_warnings(ledger.warnings, out.console)
    return EXIT_OK


def _say_conversions(ledger: Ledger, out: Out) -> None:
    """The sentence naming the currencies converted and their rates, under a customer table's answer."""
    if ledger.customer_table is not None and (note := conversion_sentence(ledger.customer_table.conversions)):
        out.print(note, markup=False, highlight=False)


def cmd_mrr(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    from engine import mrr_csv, mrr_view

    source = runtime.source()
    ledger = load_ledger(source)
    table = ledger.customer_table
    if table is None:
        raise CommandError(say.mrr_in_database() if ledger.in_database
                           else say.mrr_needs_customer_table(source.name))
    if args.csv:
        for chunk in mrr_csv(table):
            out.file.write(chunk)
    else:
        for line in mrr_view(table, out.console.width, runtime.settings.company.currency):
            out.print(line, markup=False, highlight=False)
    return EXIT_OK


def cmd_cohorts(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    from engine import triangle_sentence
    from nrr._render import render_triangle, render_warnings, triangle_png

    settings = runtime.settings
    # a directory is no file to write (argparse's Path would drop "out/"'s slash and write a file named out)
    if args.png is not None and (not args.png.strip() or args.png.endswith(("/", os.sep)) or Path(args.png).is_dir()):
        raise UsageError(f"--png {args.png!r}: name the PNG file to write (heatmap.png), not a directory.")
    ledger = load_ledger(runtime.source())
    closed = Month.of(args.today or runtime.today()) - 1
    if ledger.customers is not None and closed < ledger.customers.first:  # not "no customer has paid" (one has)
        raise CommandError(f"{closed.name} is before the customer table starts ({ledger.customers.first.name}): "
                           "there is no cohort to show as of then.")
    triangle = ledger_triangle(ledger, args.by, settings.calendar.fiscal_year_start, closed)
    render_triangle(triangle, out.console)
    _say_conversions(ledger, out)
    render_warnings(ledger.warnings, out.console)  # as a report says them: 0s laid out ahead read as churn
    if args.png is not None and not triangle.rows:
        out.print(f"No heatmap written to {args.png}: there is no cohort to draw.", soft_wrap=True, markup=False,
                  highlight=False)
    elif args.png is not None:
        try:
            Path(args.png).write_bytes(triangle_png(triangle, settings.company.currency))
        except OSError as exc:
            raise CommandError(f"{args.png}: cannot be written ({exc.strerror}).") from None
        # (its cohorts with no age yet: said, not "written" alone beside "No cohort is a month old yet")
        shows = "" if triangle_sentence(triangle) is None else ": its cohorts, with no age to show yet"
        out.print(f"Heatmap written to {args.png}{shows}.", soft_wrap=True, markup=False, highlight=False)
    return EXIT_OK


def cmd_forecast(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    from engine import MAX_FORECAST_MONTHS, forecast_months_range, forecast_to_dict, parse_amount

    if (args.target is None) != (args.by is None):
        raise UsageError(say.target_needs_both())
    if args.months > MAX_FORECAST_MONTHS:
        raise UsageError(forecast_months_range(args.months, MAX_FORECAST_MONTHS))
    target = None
    if args.target is not None:
        try:
            by = parse_month(args.by)
        except (NrrError, ValueError):
            raise UsageError(say.target_month(args.by)) from None
        try:
            target = (parse_amount(args.target), by)
        except QueryError as exc:
            raise UsageError(str(exc)) from None
    ledger = load_ledger(runtime.source())
    table = ledger.customers  # in memory, or a database's answered with sums where it lives
    if table is None:
        raise CommandError(say.forecast_needs_table())
    if args.target is not None:  # a target written in a currency must be the table's (€2M of a USD table)
        try:
            parse_amount(args.target, runtime.money_currency(table))
        except QueryError as exc:
            raise CommandError(str(exc)) from None
    forecast = runtime.forecast(table, args.today or runtime.today(), args.months, target)
    if args.json:
        import json

        out.file.write(json.dumps(forecast_to_dict(forecast), indent=2) + "\n")
    else:
        from nrr._render import render_forecast

        render_forecast(forecast, out.console)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    from nrr._render import render_issues

    source = runtime.source()
    check = checked_as_of(check_source(source), Month.of(runtime.read_today or runtime.today()))
    render_issues([*check.errors, *check.warnings], out.console)
    ledger = check.ledger
    if check.errors:
        out.print(f"{source.name}: {len(check.errors)} error(s), {len(check.warnings)} warning(s); "
                  "the ledger cannot be used until the errors are fixed.", soft_wrap=True, markup=False)
        return EXIT_INPUT
    assert ledger is not None
    table = ledger.customers
    if table is not None and ledger.normalization is not None:  # billing data: what it was read as
        out.print(f"{source.name}: valid billing data, {ledger.normalization.sentence} ({table.first} to "
                  f"{table.last}), {len(check.warnings)} warning(s).", soft_wrap=True, markup=False)
        return EXIT_OK
    if table is not None:  # the table's own months, not its derived ledger's (one fewer)
        count = table.customer_count
        out.print(f"{source.name}: valid customer table, {count:,} customer{'' if count == 1 else 's'}, "
                  f"{months(table.count)} ({table.first} to {table.last}), {len(check.warnings)} warning(s)."
                  + ("" if ledger.rows else f" Its figures start once it holds {(table.first + 1).name}: each month "
                     "is compared with the month before."), soft_wrap=True, markup=False)
        _say_conversions(ledger, out)
        return EXIT_OK
    out.print(f"{source.name}: valid, {months(len(ledger))} ({ledger.first_month} to "
              f"{ledger.last_month}), {len(check.warnings)} warning(s).", soft_wrap=True, markup=False)
    return EXIT_OK


def cmd_fill(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    from sheets import fill_sheet, is_sheet_spec

    spec = runtime.ledger_spec
    if not is_sheet_spec(spec):
        raise CommandError(f"{spec}: nrr fill writes to a Google Sheet; pass --ledger with the sheet's URL "
                          "or gsheet:ID (a file ledger is never written).")
    if args.from_source == "stripe":
        from sheets import fill_derived, write_tab
        from stripe_source import CUSTOMERS_TAB, customer_rows

        ledger = replace(load_ledger(runtime.stripe_source()), sheet="Stripe")
        sheet = runtime.sheet_source(spec)
        if ledger.customer_table is not None:  # the MRR per customer per month, to a tab nrr keeps
            mark = f"stripe:customers-tab:{sheet.ref.spreadsheet_id}"
            written = write_tab(sheet, CUSTOMERS_TAB, customer_rows(ledger.customer_table),
                                previous=runtime.state().get_value(mark), overwrite=args.overwrite,
                                dry_run=args.dry_run)
            if written.digest is not None and not args.dry_run:
                runtime.state().set_value(mark, written.digest)
            out.print(written.line, soft_wrap=True, markup=False)
        result = fill_derived(sheet, ledger, template_tab=runtime.settings.ledger.template_tab,
                              overwrite=args.overwrite, dry_run=args.dry_run, fix_formulas=args.fix_formulas,
                              currency=runtime.settings.company.currency)
    else:
        result = fill_sheet(runtime.sheet_source(spec), overwrite=args.overwrite, dry_run=args.dry_run,
                            fix_formulas=args.fix_formulas, template_tab=runtime.settings.ledger.template_tab,
                            currency=runtime.settings.company.currency)
    for line in result.lines():
        out.print(line, soft_wrap=True, markup=False)
    return EXIT_OK


def cmd_init_sheet(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    from sheets import init_sheet

    title = args.title or ("Customers" if args.customers else "Ledger")
    out.print(init_sheet(runtime.sheet_source(args.sheet), title, customers=args.customers,
                         currency=runtime.settings.company.currency), soft_wrap=True, markup=False)
    return EXIT_OK


def _digest_month(args: argparse.Namespace, runtime: Runtime, timezone: str) -> Month:
    """``--month``, else the last month closed on the channel's clock (``timezone``), which judges a digest's month
    closed: on the calendar's, ahead of it, the 1st's default was refused as not closed (a review)."""
    if args.month:
        try:
            return parse_month(args.month)
        except ValueError:
            raise UsageError(f"--month {args.month!r} is not a month such as 2026-10.") from None
    return Month.of(runtime.clock().astimezone(ZoneInfo(timezone))) - 1


def _digest_channel(text: str, runtime: Runtime) -> str:
    """The channel ``--channel`` names: a Slack channel id in any case and spacing, or a ``[[digests]]`` name
    (``#revenue``), as the id a digest is posted and remembered by: ``c0revenue1`` and ``#revenue`` posted the
    digest again, each a key of its own."""
    written = text.strip()
    for schedule in runtime.settings.digests:
        if written.upper() == schedule.channel or (schedule.name and written.lstrip("#").strip().casefold() ==
                                                   schedule.name.casefold()):
            return schedule.channel
    if CHANNEL_ID.fullmatch(written.upper()):
        return written.upper()
    raise UsageError(f"--channel {written!r} is not a Slack channel id such as C0123ABCD (channel details > About, at "
                     "the bottom), nor the name of a [[digests]] table in nrr.toml.")


def cmd_digest(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    from bot import blocks_to_text, digest_blocks
    from nrr.scheduling import TickReport, build_service, occurrence_for, schedule_for

    channel = _digest_channel(args.channel, runtime) if args.channel is not None else (
        runtime.settings.digests[0].channel if runtime.settings.digests else None)
    if channel is None:
        raise UsageError("Which channel? Pass --channel C123, or add a [[digests]] table to nrr.toml.")
    schedule = schedule_for(runtime, channel)
    month = _digest_month(args, runtime, schedule.timezone)
    if args.dry_run:
        from nrr.scheduling import alerts_due, month_missing, not_closed

        settings = runtime.settings
        scheduled = any(d.channel == channel for d in settings.digests)
        if (why := not_closed(schedule, month, runtime.clock(), scheduled=scheduled)) is not None:
            raise CommandError(why)  # as the digest itself is refused: a month in progress has no final figures
        ledger = load_ledger(runtime.source())
        if ledger.first_month is not None and month < ledger.first_month:
            raise CommandError(say.digest_before_ledger(month, ledger.first_month))
        if month not in ledger and ledger.customers is not None and month in ledger.customers:
            # a customer table's first month: there is no month before it to compare with (fuzz 19: "not in the
            # ledger yet; the latest month is none", of a one-month table's only month)
            raise CommandError(cohort_month_missing(month - 1, ledger.customers.first, ledger.customers.last))
        if month not in ledger and ledger.last_month is not None and month < ledger.last_month:
            raise CommandError(say.digest_month_missing(month_missing(ledger, month)))  # a gap, not one to come
        if month not in ledger:
            raise CommandError(f"{month.name} is not in the ledger yet; the latest month is "
                              f"{ledger.last_month.name if ledger.last_month else 'none'}.")
        digest = runtime.digest(ledger, month, schedule.chart_months, schedule.by)
        out.print(f"Digest for {schedule.label}, {month.name} (dry run: nothing is posted)\n", markup=False)
        out.print(blocks_to_text(digest_blocks(digest, schedule.include)), markup=False, soft_wrap=True)
        if "chart" in schedule.include and digest.series:
            from bot import render_chart

            path = Path(f"nrr-digest-{channel}-{month}.png")
            path.write_bytes(render_chart(digest.series, settings.profile,
                                          f"Trailing-12-month NRR and GRR to {month.name}",
                                          digest.forecast if "forecast" in schedule.include else None))
            out.print(f"\nChart: written to {path.resolve()} ({len(path.read_bytes()):,} bytes); it would be posted in "
                      "the digest's thread.", markup=False, soft_wrap=True)
        store = runtime.state() if runtime.state_exists() else None  # a dry run creates no state database
        firing, none_because = alerts_due(settings, store, ledger, month, runtime.clock())
        if none_because is not None:
            out.print(f"\nAlerts: none would follow: {none_because}.", markup=False, soft_wrap=True)
            return EXIT_OK
        out.print(f"\nAlerts for {settings.alerts.label} as of {month.name} that would be posted: {len(firing)}",
                  markup=False)
        for alert in firing:
            out.print(f"  - {alert.rule}: {alert.message} (source: {alert.source})", markup=False, soft_wrap=True)
        return EXIT_OK
    service = build_service(runtime)
    report = service.run_digest(occurrence_for(schedule, month), runtime.clock(), force=args.force, by_hand=True,
                                report=TickReport())
    key = f"digest:{channel}:{month}"
    if key in report.posted:
        out.print(f"Posted the {month.name} digest to {schedule.label}.", markup=False)
        for alert_key in report.alerts:
            out.print(f"Posted alert {alert_key}.", markup=False)
        return EXIT_OK
    post = service.store.post(key)
    if post is not None and post.status == "unknown":  # this run's drop, or an earlier one's
        why = post.last_error or "the run posting it stopped while Slack was being asked"  # (was ": None")
        raise CommandError(f"The {month.name} digest may or may not have been posted to {schedule.label}: "
                           f"{why}. Look in the channel; if it is not there, --force posts it again.")
    if key in report.failed:
        raise CommandError(f"The {month.name} digest was not posted: {post.last_error if post else 'unknown'}")
    if (first := report.before_ledger.get(key)) is not None:
        raise CommandError(say.digest_before_ledger(month, first))
    if (why := report.why.get(key)) is not None:  # not closed, the ledger unreadable, or the month not in it
        raise CommandError(why)
    if post is not None and post.status == "posted":  # cron ran it twice: nothing to do, and that is fine
        when = f" at {post.posted_at:%Y-%m-%d %H:%M} UTC" if post.posted_at else ""
        out.print(f"The {month.name} digest for {schedule.label} was already posted{when}; nothing to do "
                  "(--force posts it again).", markup=False)
        return EXIT_OK
    if post is not None and post.status in ("claimed", "sending") and post.lease_until is not None \
            and post.lease_until > runtime.clock():  # cron started two runs: the other one is posting it
        out.print(f"The {month.name} digest for {schedule.label} is being posted by another run; nothing to do.",
                  markup=False)
        return EXIT_OK
    state = post.status if post else "not claimed"
    raise CommandError(f"The {month.name} digest for {schedule.label} is {state}"
                      + (f" (at {post.posted_at:%Y-%m-%d %H:%M} UTC)" if post and post.posted_at else "")
                      + "; pass --force to post it again.")


def cmd_sync(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    from stripe_source import key_mode, sync_busy, sync_lines

    source = runtime.stripe_source(dt.timedelta(0))
    result = source.sync(full=args.full)
    if result is None:
        raise CommandError(sync_busy())
    lines = sync_lines(
        full=result.full, resumed=result.resumed, requests=result.requests, new=len(result.new),
        changed=result.changed, dropped=len(result.dropped), customers_read=result.customers_read,
        customers_changed=result.customers_changed, mode=key_mode(runtime.env.get("STRIPE_API_KEY", "")),
        kept=runtime.state().stripe_counts())
    for line in lines:
        out.print(line, markup=False, soft_wrap=True, highlight=False)
    return EXIT_OK


def _quiet_library_logs() -> None:
    """A one-shot command says in words what went wrong. Without a handler of its own, a library's error record
    prints its traceback through logging's last resort: SQLAlchemy's pool, failing to roll back a DuckDB connection
    left with no memory, did so after nrr had said the command ran out of memory (NRR_DEBUG=1 shows them)."""
    import logging

    if not logging.getLogger().handlers:
        logging.getLogger("sqlalchemy").setLevel(logging.CRITICAL + 1)


def _configure_logging(env: Mapping[str, str]) -> None:
    """Timestamped lines on stderr for the long-running commands; DEBUG with NRR_DEBUG=1.

    Nothing here logs a token: requests are never logged whole, and errors name variables, not values.
    """
    import logging

    logging.basicConfig(level=logging.DEBUG if debug_on(env) else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler", "urllib3", "slack_bolt", "slack_sdk", "google", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def cmd_scheduler(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    from nrr.scheduling import build_service, start_scheduler

    _configure_logging(runtime.env)
    service = build_service(runtime)
    out.print(f"nrr: scheduler running ({len(runtime.settings.digests)} digest channel(s), alerts to "
              f"{runtime.settings.alerts.label or 'nowhere'}); state in the database", markup=False)
    start_scheduler(service, blocking=True)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, runtime: Runtime, out: Out) -> int:
    import uvicorn

    from nrr.server import build_server, uvicorn_options

    _configure_logging(runtime.env)
    server = build_server(runtime, socket_mode=args.socket_mode)
    if runtime.settings.scheduler.enabled:  # digests and alerts may be set up from Slack at any time
        from nrr.scheduling import build_service, start_scheduler

        start_scheduler(build_service(runtime))
        out.print("nrr: scheduler started (digests and alerts)", markup=False)
    if server.socket_mode is not None:
        server.socket_mode.connect()
        out.print("nrr: connected to Slack over Socket Mode", markup=False)
    out.print(f"nrr: serving on http://{args.host}:{args.port} (GET /healthz)", markup=False)
    try:
        uvicorn.run(server.app, host=args.host, port=args.port, log_level="info", proxy_headers=True,
                    **uvicorn_options())
    except SystemExit as exc:  # uvicorn could not start (exit 3): the port taken, the host not this machine's
        if exc.code in (0, None):
            return EXIT_OK
        raise CommandError(f"nrr serve could not listen on {args.host}:{args.port} (uvicorn's log above says why: "
                           "the port in use by another program, or a host that is not this machine's); choose "
                           "another --port or --host.") from None
    return EXIT_OK


#: The libraries each extra brings (pyproject.toml), so a missing one is named, not a traceback.
EXTRAS = {"gspread": "sheets", "google": "sheets", "requests": "sheets", "cryptography": "sheets",
          "slack_bolt": "slack", "slack_sdk": "slack", "apscheduler": "slack", "matplotlib": "slack",
          "sqlalchemy": "slack", "starlette": "slack", "uvicorn": "slack", "psycopg": "postgres",
          "stripe": "stripe"}

def cmd_doctor(args: argparse.Namespace, env: Mapping[str, str], clock: Clock, out: Out) -> int:
    from nrr.doctor import diagnose, render

    findings = diagnose(lambda: _settings(args, env), env, clock, explicit_ledger=args.ledger)
    if args.json:
        import json

        out.file.write(json.dumps([f._asdict() for f in findings], indent=2) + "\n")
    else:
        for line in render(findings):
            out.print(line, markup=False, soft_wrap=True)
    return EXIT_OK if all(f.ok for f in findings) else EXIT_INPUT


#: what a command that ran out of memory says: the process's limit (``ulimit -v``, a container's) or the machine's,
#: not the ledger, stopped it
OUT_OF_MEMORY = ("nrr {command}: ran out of memory ({what}): the process reached its memory limit (ulimit -v, a "
                 "container's limit) or the machine has no more. Run it with more memory; a PostgreSQL customer table "
                 "is answered in the database in about 100 MB, a DuckDB file or Parquet file needs a few hundred MB, "
                 "and billing data (subscriptions, invoice lines) is read into memory, about 4 KB a row.")

#: address space held from a command's start and let go of when memory runs out, so the message can be said
_RESERVE: list[Any] = []


def _hold_reserve() -> None:
    """Map 16 MB nobody touches (address space, not memory), for ``_let_go`` to give back at the limit: there the
    handler's own few allocations had failed, and a command ended in a bare chain of MemoryErrors or hung (fuzz
    24, a 300,000-row subscriptions table under ``prlimit --as=800MB``)."""
    import mmap

    with contextlib.suppress(OSError, ValueError):  # private and read-only: no memory is committed for it
        _RESERVE.append(mmap.mmap(-1, 16 << 20, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ))


def _let_go(exc: BaseException) -> None:
    """Give back what filled memory before saying so: the reserve, and the locals of every frame ``exc`` (and
    what raised it) unwound, which hold the rows read so far until the exception is gone."""
    while _RESERVE:
        _RESERVE.pop().close()
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return
        tb = seen.__traceback__
        while tb is not None:
            with contextlib.suppress(RuntimeError):  # a frame still running (this one's caller) keeps its locals
                tb.tb_frame.clear()
            tb = tb.tb_next
        seen = seen.__cause__ or seen.__context__


def _out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is memory running out: Python's, a thread's stack that could not be
    mapped, or a database's allocation in this process (DuckDB)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        text = str(seen)
        folded = text.casefold()
        if isinstance(seen, MemoryError) or "can't start new thread" in text or "out of memory" in folded \
                or "bad_alloc" in text or "bad allocation" in text or "cannot allocate memory" in folded \
                or "memory allocation failed" in folded or "failed to map segment" in folded:
            # ENOMEM's words; libxml2's; a shared library's import that could not be mapped (dlopen at the limit)
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _at_memory_limit() -> bool:
    """Whether this process's address space reached its limit (``ulimit -v``, ``prlimit --as``). There a C
    extension's failed allocation can surface as CPython's "SystemError: error return without exception set" (CI,
    at 300 MB), which the caller asks this about; any other error stays an internal error, however near the limit
    the process once came. The peak is read, so a failed request of up to an eighth of the limit (a thread's stack,
    an arena) still counts as reaching it."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY or soft <= 0:
            return False
        for line in Path("/proc/self/status").read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("VmPeak:"):
                peak = int(line.split()[1]) << 10
                return peak >= soft - max(64 << 20, soft // 8)
    except (OSError, ValueError, ImportError, IndexError):
        return False
    return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:120]}" if text else type(exc).__name__


def _missing_extra(exc: Exception) -> str | None:
    """The extra to install when ``exc`` is the import of a library that one brings."""
    if not isinstance(exc, ModuleNotFoundError):
        return None
    top = (exc.name or "").split(".")[0]
    return EXTRAS.get(top)


COMMANDS = {"report": cmd_report, "ledger": cmd_ledger, "cohorts": cmd_cohorts, "validate": cmd_validate,
            "mrr": cmd_mrr, "fill": cmd_fill, "init-sheet": cmd_init_sheet, "serve": cmd_serve, "digest": cmd_digest,
            "scheduler": cmd_scheduler, "sync": cmd_sync, "forecast": cmd_forecast}


def main(argv: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None,
         clock: Clock = utc_now, stdout: Console | None = None, stderr: Console | None = None) -> int:
    """Run the command line; returns the exit status. Everything outside is passed in."""
    try:
        return _main(argv, env=env, clock=clock, stdout=stdout, stderr=stderr)
    finally:
        # a large table's cache entry is written while the answer is made: the answer is shown, then waited for
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a reader that closed the pipe early
                stream.flush()
        finish_cache_writes()


def _main(argv: Sequence[str] | None, *, env: Mapping[str, str] | None, clock: Clock, stdout: Console | None,
          stderr: Console | None) -> int:
    env = os.environ if env is None else env
    err = Out(stderr, stderr=True)
    out = Out(stdout, errors=err)
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # "nrr report --ledgr x": report's usage, not nrr's list of commands
            args._commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.command == "doctor":
            return cmd_doctor(args, env, clock, out)
        runtime = Runtime(_file=_settings(args, env), env=env, clock=clock,
                          explicit_ledger=getattr(args, "ledger", None), read_today=getattr(args, "today", None),
                          stripe_max_age=None if args.command in _LONG_RUNNING else dt.timedelta(0))
        if args.command not in _LONG_RUNNING and not debug_on(env) and (
                args.command not in _READ_ONLY or is_warehouse_spec(runtime.ledger_spec)):
            _quiet_library_logs()  # a file's or a sheet's report never opens a database: logging is not imported
        return COMMANDS[args.command](args, runtime, out)
    except (PeriodSyntaxError, UsageError) as exc:  # the command line is wrong, not the ledger
        err.print(str(exc), markup=False, soft_wrap=True, highlight=False)
        return EXIT_USAGE
    except NrrError as exc:
        err.print(str(exc), markup=False, soft_wrap=True, highlight=False)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `nrr mrr --csv | head`: the reader has what it wanted and closed the pipe
        with contextlib.suppress(OSError):  # nothing more goes to it, not even at exit's flush
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except Exception as exc:  # the last line of defence: no traceback for people
        try:
            exhausted = _out_of_memory(exc) or (isinstance(exc, SystemError) and _at_memory_limit())
        except MemoryError:  # even looking at it: memory ran out
            exhausted = True
        if exhausted:
            _let_go(exc)
            # said without rich, which imports as it prints: at the limit that import fails too
            with contextlib.suppress(Exception):
                err.file.write(OUT_OF_MEMORY.format(command=args.command, what=_first_line(exc)) + "\n")
            return EXIT_INPUT
        extra = _missing_extra(exc)
        if extra is not None:
            err.print(f"nrr {args.command} needs the {extra} extra, which is not installed: "
                      f"pip install 'nrr[{extra}]' (or 'nrr[all]').", markup=False, soft_wrap=True)
            return EXIT_INPUT
        if debug_on(env):
            import traceback

            traceback.print_exc()
        err.print(f"nrr: internal error ({type(exc).__name__}: {exc}). "
                  "Run again with NRR_DEBUG=1 to see the traceback, and report it.", markup=False)
        return EXIT_INTERNAL


# commands that keep running: they sync Stripe every [stripe] sync_minutes (a command run by hand syncs first)
_LONG_RUNNING = {"serve", "scheduler"}

# commands that only read and print: nothing is left to close when they return
_READ_ONLY = {"report", "ledger", "validate", "cohorts", "forecast", "mrr"}


def _fewer_malloc_arenas() -> None:
    """At most one glibc malloc arena per core (``MALLOC_ARENA_MAX``, unless set): polars' and DuckDB's threads
    would each reserve an arena of 64 MB of address space, which took a 100,000-customer CSV's read to 2.2 GB of
    virtual memory (for 0.5 GB used) and aborted it under ``ulimit -v``; with the arenas capped, 1.3 GB. Not glibc
    (musl, macOS): nothing to do."""
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    m_arena_max = -8  # <malloc.h>
    mallopt(m_arena_max, max(1, len(os.sched_getaffinity(0))))


#: polars' allocator (jemalloc, configured by this variable) keeps the pages a read frees for some 10 s before it
#: gives them back: a server re-reading a 1,000,000-customer table held the last read's 1.2 GB beside the new one's
#: (bench/answers.py: a peak of 2.65 GB; 1.90 GB with them given back at once, each re-read some 10% slower)
ALLOCATOR = ("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")


def release_freed_memory() -> None:
    """Have polars' allocator give back at once what a read frees, in a process that keeps running (``nrr serve``,
    ``nrr scheduler``): read by polars when it is first imported, so set before; a value set outside wins."""
    if "polars" not in sys.modules:
        os.environ.setdefault(*ALLOCATOR)


def run() -> None:  # console-script entry point
    # numpy's OpenBLAS starts a thread per core when numpy is imported (a large table's columnar read), which
    # costs about 50 ms of a 2-core machine's start-up; nrr multiplies no matrices, and a value set outside wins
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _fewer_malloc_arenas()
    _hold_reserve()
    argv = sys.argv[1:]
    if argv and argv[0] in _LONG_RUNNING:
        release_freed_memory()
    if argv and argv[0] in _READ_ONLY:
        # a command that reads and ends makes few reference cycles: the collector looks at young objects in
        # batches of 200,000, not 700 (as mypy does), which saves a tenth of a 1,000-customer table's read
        gc.set_threshold(200_000, 30, 30)
    code = main(argv)
    if argv and argv[0] in _READ_ONLY:
        # freeing a big customer table's million small objects one by one takes a fifth of a second
        # at exit, and the process is ending anyway: flush what was printed and leave (mypy does this)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):  # a reader that closed the pipe early
                stream.flush()
        remove_spill_directory()  # what atexit would have removed
        os._exit(code)
    sys.exit(code)


def debug_on(env: Mapping[str, str]) -> bool:
    """``NRR_DEBUG`` set to anything but nothing, 0, false, no or off."""
    return env.get("NRR_DEBUG", "").strip().lower() not in ("", "0", "false", "no", "off")
