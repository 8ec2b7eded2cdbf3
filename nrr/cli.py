"""The ``nrr`` command: reports and validation from a terminal.

Exit status: 0 answered, 1 the input is wrong (ledger, period, config: the message says what
to fix), 2 the command line is wrong, 70 an internal error (a one-line message; set NRR_DEBUG=1
for the traceback).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from engine import EXAMPLES, METHODS, NrrError, build_report, report_to_dict, resolve_period
from nrr._render import render_issues, render_report
from nrr.config import Settings, load_settings, parse_month_number
from nrr.sources import check_source, load_ledger, open_source

Clock = Callable[[], dt.datetime]

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in YYYY-MM-DD form") from None


def _month_number(text: str) -> int:
    try:
        return parse_month_number(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not {exc}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nrr", description="Net Revenue Retention from your ledger: reports, checks, Slack.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--ledger", metavar="SOURCE",
                       help="ledger file (.csv, .tsv, .xlsx[#Sheet]); default: [ledger] source")
        p.add_argument("--config", metavar="FILE", help="nrr.toml to use (default: $NRR_CONFIG, ./nrr.toml)")

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
    report.add_argument("--method", choices=METHODS, help="how a span combines its months (default: chained)")
    report.add_argument("--json", action="store_true", help="print one JSON object")

    validate = commands.add_parser("validate", help="list every error and warning in the ledger")
    common(validate)
    return parser


def _settings(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    settings = load_settings(args.config, env)
    if args.ledger:
        settings = replace(settings, ledger_source=args.ledger, base_dir=Path.cwd())
    if getattr(args, "fiscal_year_start", None):
        settings = replace(settings, fiscal_year_start=args.fiscal_year_start)
    if getattr(args, "method", None):
        settings = replace(settings, method=args.method)
    return settings


def cmd_report(args: argparse.Namespace, settings: Settings, clock: Clock, out: Console) -> int:
    today = args.today or clock().astimezone(settings.zone).date()
    period = resolve_period(" ".join(args.period) or "last-month", today, settings.fiscal_year_start)
    ledger = load_ledger(open_source(settings.ledger_source, settings.base_dir))
    report = build_report(ledger, period, method=settings.method, profile=settings.profile,
                          fiscal_year_start=settings.fiscal_year_start, currency=settings.currency)
    if args.json:
        out.file.write(json.dumps(report_to_dict(report), indent=2) + "\n")
    else:
        render_report(report, out)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, settings: Settings, clock: Clock, out: Console) -> int:
    source = open_source(settings.ledger_source, settings.base_dir)
    check = check_source(source)
    render_issues([*check.errors, *check.warnings], out)
    ledger = check.ledger
    if check.errors:
        out.print(f"{source.name}: {len(check.errors)} error(s), {len(check.warnings)} warning(s); "
                  "the ledger cannot be used until the errors are fixed.", soft_wrap=True, markup=False)
        return EXIT_INPUT
    assert ledger is not None
    out.print(f"{source.name}: valid, {len(ledger)} months ({ledger.first_month} to "
              f"{ledger.last_month}), {len(check.warnings)} warning(s).", soft_wrap=True, markup=False)
    return EXIT_OK


COMMANDS = {"report": cmd_report, "validate": cmd_validate}


def main(argv: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None,
         clock: Clock = utc_now, stdout: Console | None = None, stderr: Console | None = None) -> int:
    """Run the command line; returns the exit status. Everything outside is passed in."""
    env = os.environ if env is None else env
    out = stdout or Console(highlight=False)
    err = stderr or Console(stderr=True, highlight=False)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        settings = _settings(args, env)
        return COMMANDS[args.command](args, settings, clock, out)
    except NrrError as exc:
        err.print(str(exc), markup=False, soft_wrap=True)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: no traceback for people
        if env.get("NRR_DEBUG"):
            traceback.print_exc()
        err.print(f"nrr: internal error ({type(exc).__name__}: {exc}). "
                  "Run again with NRR_DEBUG=1 to see the traceback, and report it.", markup=False)
        return EXIT_INTERNAL


def run() -> None:  # console-script entry point
    sys.exit(main())
