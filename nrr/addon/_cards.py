"""The Google Workspace add-on for Sheets: an HTTP backend ("alternate runtime") under /addon/.

Each request is verified first (``IdTokenVerifier``); then a handler reads like: find the open
spreadsheet, call the engine, render a card. Cards follow the add-on card JSON format; the
homepage answers ``{"action": {"navigations": [{"pushCard": card}]}}`` and button callbacks
``{"renderActions": {"action": {"navigations": [{"updateCard": card}], "notification": ...}}}``.

The spreadsheet is read and filled with the person's own access: the event's
``authorizationEventObject.userOAuthToken``, used only once the request is verified and only for
this request. Until they grant the add-on the open file (``sheets.addonHasFileScopePermission``;
Google sends ``sheets.id`` only then), the card asks for it with one button, whose callback answers
``{"renderActions": {"hostAppAction": {"editorAction": {"requestFileScopeForActiveDocument": {}}}}}``;
once granted, Google calls the ``onFileScopeGrantedTrigger`` (the homepage) again.
"""

from __future__ import annotations

import html
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine import (
    COHORT_LABEL,
    MOVER_KINDS,
    Customers,
    Ledger,
    Month,
    NrrError,
    Period,
    Report,
    annual_heading,
    approximation_note,
    benchmark_basis,
    benchmark_missing,
    build_forecast,
    check_source,
    checked_as_of,
    funding_sentence,
    months,
    months_open,
    mover_groups,
    profile_sentence,
    pts,
    rate,
    segment_name,
    tier_name,
)
from nrr.addon._app import AddonApp
from nrr.addon._errors import FileScopeNeeded, TokenRejected
from nrr.addon._idtoken import IdTokenVerifier
from nrr.addon._logo import logo_png
from sheets import GoogleSheetSource, SheetRef, fill_sheet, init_sheet, is_sheet_spec, parse_sheet_spec

log = logging.getLogger("nrr.addon")
Card = dict[str, Any]
MAX_PROBLEMS_ON_HOME = 5
MOVERS_ON_HOME = 3  # of each kind: the sidebar is narrow; nrr report --json has them all
PATHS = ("/addon/homepage", "/addon/validate", "/addon/fill", "/addon/template", "/addon/grant")
ASK_FOR_FILE = ("NRR reads and fills this spreadsheet with your own Google access, one file at a time. "
                "Grant it access to this file to see its NRR.")
REQUEST_FILE_SCOPE: dict[str, Any] = {
    "renderActions": {"hostAppAction": {"editorAction": {"requestFileScopeForActiveDocument": {}}}}}
LOGO_PATH = "/addon/logo.png"
FORECAST_NOTE = "today's customers only, no new business; nrr forecast (or /nrr forecast) has the method and band"
ONE_MONTH = ("The customer table has one month so far ({month}); its figures start with the next month, "
             "compared with this one.")


def _text(label: str, text: str, bottom: str | None = None) -> dict[str, Any]:
    widget: dict[str, Any] = {"topLabel": label, "text": text, "wrapText": True}
    if bottom:
        widget["bottomLabel"] = bottom
    return {"decoratedText": widget}


def _data(text: object) -> str:
    """Text from the sheet (a cell, a tab name, an error quoting them) as data: the card's HTML subset
    would otherwise render ``<a href=...>`` or ``<font>`` from a cell."""
    return html.escape(str(text), quote=False)


def _paragraph(text: str) -> dict[str, Any]:
    """A paragraph of the card's HTML subset; sheet-derived parts must go through ``_data``."""
    return {"textParagraph": {"text": text}}


def _buttons(base_url: str) -> dict[str, Any]:
    def button(text: str, path: str) -> dict[str, Any]:
        return {"text": text, "onClick": {"action": {"function": f"{base_url}{path}"}}}

    return {"buttonList": {"buttons": [button("Validate", "/addon/validate"),
                                       button("Fill computed columns", "/addon/fill"),
                                       button("Insert template", "/addon/template")]}}


def card(title: str, subtitle: str, sections: list[dict[str, Any]]) -> Card:
    return {"header": {"title": title, "subtitle": subtitle}, "sections": sections}


def home_card(source: GoogleSheetSource, app: AddonApp, base_url: str) -> Card:
    """The sidebar: is the ledger valid, the latest month, the trailing year, the benchmark."""
    check = checked_as_of(check_source(source), Month.of(app.today()))
    widgets: list[dict[str, Any]] = []
    sheet = source.worksheet().title
    if check.errors:
        widgets.append(_paragraph(f"<b>The ledger has {len(check.errors)} problem(s)</b>; fix them to see "
                                  "its NRR."))
        widgets += [_paragraph(_data(i)) for i in check.errors[:MAX_PROBLEMS_ON_HOME]]
        if len(check.errors) > MAX_PROBLEMS_ON_HOME:
            widgets.append(_paragraph(f"... and {len(check.errors) - MAX_PROBLEMS_ON_HOME} more: "
                                      "press Validate."))
    elif check.ledger is not None and check.ledger.customers is not None:
        widgets += _cohort_widgets(check.ledger, app)
        table = check.ledger.customers
        count = table.customer_count
        widgets.append(_paragraph(f"Customer table valid: {count:,} customer{'' if count == 1 else 's'}, "
                                  f"{months(table.count)}, {len(check.warnings)} warning(s)."))
    else:
        ledger = check.ledger
        assert ledger is not None
        widgets += _ledger_widgets(ledger, app)
        widgets.append(_paragraph(f"Ledger valid: {months(len(ledger))}, {len(check.warnings)} warning(s)."))
    widgets.append(_buttons(base_url))
    return card("Net Revenue Retention", sheet, [{"widgets": widgets}])


def _ledger_widgets(ledger: Ledger, app: AddonApp) -> list[dict[str, Any]]:
    """A seven-column ledger's figures: the latest closed month's NRR and GRR, the annual figure and the benchmark."""
    last, open_note = _shown_month(ledger, app)
    if last is None:
        return [_paragraph(str(open_note))]
    report = app.report(ledger, Period(first=last, last=last, label=last.name))
    r = report.retention
    widgets = [_text(f"{last.name}", f"NRR {rate(r.nrr)} · GRR {rate(r.grr)}",
                     "latest month in the ledger" if open_note is None else "latest closed month in the ledger")]
    t = report.trailing
    if (missing := benchmark_missing(t)) is not None:
        widgets.append(_text("Benchmark", missing[0].upper() + missing[1:] + "."))
    elif t is not None:
        widgets.append(_text(annual_heading(t), f"NRR {rate(t.nrr, 2)} · GRR {rate(t.grr, 2)}", benchmark_basis(t)))
    widgets += _benchmark_widgets(report)
    if t is not None and (note := approximation_note(t)):
        widgets.append(_paragraph(f"The trailing figure is {note}."))
    if open_note is not None:
        widgets.append(_paragraph(open_note))
    return widgets


def _shown_month(ledger: Ledger, app: AddonApp) -> tuple[Month | None, str | None]:
    """The month a card answers for, as /nrr and nrr report count months: the ledger's latest, unless it holds
    months not closed yet (the month in progress, months laid out ahead), then the last closed month; with the
    sentence saying which were left out (None when none were). No month, and that sentence, when none has closed."""
    assert ledger.last_month is not None
    last, closed = ledger.last_month, Month.of(app.today()) - 1
    if last <= closed:
        return last, None
    done = ledger.latest_through(closed)
    first_open = next(row.month for row in ledger if row.month > closed)
    return done, months_open(first_open, last, done)


def _benchmark_widgets(report: Report) -> list[dict[str, Any]]:
    b = report.benchmark
    if b is None:
        return []
    t = report.trailing
    assert t is not None  # a benchmark compares the trailing figure
    note = approximation_note(t)
    # the figure compared and its basis first: the tier is that figure's, not the card's headline's
    widgets = [_text("Benchmark", f"{tier_name(b)} ({b.tier.meaning.lower()})",
                     f"NRR {rate(b.nrr, 2)}, {benchmark_basis(t)}{f' ({note})' if note else ''}; "
                     f"{pts(b.gap_to_median)} vs the {segment_name(b.segment.segment)} median "
                     f"{rate(b.segment.median, 0)}; source: {b.source}")]
    if funded := funding_sentence(b):
        widgets.append(_paragraph(funded))
    if assumed := profile_sentence(b):
        widgets.append(_paragraph(assumed))
    return widgets


def _cohort_widgets(ledger: Ledger, app: AddonApp) -> list[dict[str, Any]]:
    """A customer table's figures: the 12-month cohort (or, with less history, the latest month's) with
    NRR, GRR and logo retention, the latest month, the benchmark, and who moved the number. Customer
    names come from the sheet, so each goes through ``_data``."""
    table = ledger.customers
    assert table is not None
    if ledger.last_month is None:
        return [_paragraph(ONE_MONTH.format(month=table.first.name))]
    last, open_note = _shown_month(ledger, app)
    if last is None:
        return [_paragraph(str(open_note))]
    latest = app.report(ledger, Period(first=last, last=last, label=last.name))
    year = app.report(ledger, Period(first=last - 11, last=last, label=COHORT_LABEL)) if last - 12 in table else None
    widgets: list[dict[str, Any]] = []
    if year is not None:
        widgets.append(_cohort_text(f"{COHORT_LABEL} to {last.short}", year))
    elif (missing := benchmark_missing(latest.trailing)) is not None:
        widgets.append(_text("Benchmark", missing[0].upper() + missing[1:] + "."))
    widgets.append(_cohort_text(last.name, latest, "latest month in the table" if open_note is None else
                                "latest closed month in the table"))
    widgets += _benchmark_widgets(year or latest)
    shown = year or latest
    assert shown.cohort is not None
    for group in mover_groups(shown.cohort, MOVER_KINDS, shown.currency, MOVERS_ON_HOME):
        lines = "<br>".join(f"{_data(m.customer)}: {m.amount}" for m in group.lines)
        widgets.append(_text(group.title, lines, f"{shown.period.label}, from {shown.cohort.before.short} "
                                                 f"to {last.short}"))
    if ledger.customers is not None:  # in memory, or a database's answered with sums where it lives
        widgets += _forecast_widgets(ledger.customers, last, shown.currency)
    if shown.currency_note:
        widgets.append(_paragraph(_data(shown.currency_note)))
    if open_note is not None:
        widgets.append(_paragraph(open_note))
    return widgets


def _forecast_widgets(table: Customers, last: Month, currency: str) -> list[dict[str, Any]]:
    """Where the table's latest customers are headed in a year (the engine's line), or nothing if it cannot say."""
    try:
        forecast = build_forecast(table, last)
    except NrrError:
        return []
    if forecast.currency is None:
        forecast = replace(forecast, currency=currency)
    return [_text("Projection", _data(forecast.line), FORECAST_NOTE)]


def _cohort_text(label: str, report: Report, bottom: str | None = None) -> dict[str, Any]:
    cohort, r = report.cohort, report.retention
    assert cohort is not None
    who = (f"{cohort.retained:,} of {cohort.customers:,} customers paying in {cohort.before.short} still pay")
    return _text(label, f"NRR {rate(r.nrr, 2)} · GRR {rate(r.grr, 2)} · logo retention "
                        f"{rate(cohort.logo_retention, 2)}", f"{who}; {bottom}" if bottom else who)


def validate_card(source: GoogleSheetSource, app: AddonApp) -> tuple[Card, str]:
    check = checked_as_of(check_source(source), Month.of(app.today()))  # as nrr validate counts
    issues = [*check.errors, *check.warnings]
    widgets = [_paragraph(f"<b>{i.severity}</b>: {_data(i)}") for i in issues] or [
        _paragraph("No problems: every row reads cleanly and matches the formulas.")]
    summary = f"{len(check.errors)} error(s), {len(check.warnings)} warning(s)"
    return card("Validation", summary, [{"widgets": widgets}]), summary


def fill_card(source: GoogleSheetSource, template_tab: str = "NRR", currency: str = "USD") -> tuple[Card, str]:
    result = fill_sheet(source, template_tab=template_tab, currency=currency)
    lines = result.lines()
    widgets = [_paragraph(_data(line)) for line in lines]
    return card("Fill computed columns", result.sheet, [{"widgets": widgets}]), lines[-1]


def template_card(source: GoogleSheetSource, currency: str = "USD") -> tuple[Card, str]:
    message = init_sheet(source, "Ledger", free_title=True, currency=currency)
    return card("Insert template", "Ledger", [{"widgets": [_paragraph(_data(message))]}]), message


def error_card(message: str) -> Card:
    return card("Net Revenue Retention", "Something needs attention", [{"widgets": [_paragraph(_data(message))]}])


def grant_card(base_url: str) -> Card:
    """Before the person grants the open file: one button, which asks Google for the file scope."""
    button = {"text": "Grant access to this spreadsheet",
              "onClick": {"action": {"function": f"{base_url}/addon/grant"}}}
    return card("Net Revenue Retention", "Access to this spreadsheet",
                [{"widgets": [_paragraph(ASK_FOR_FILE), {"buttonList": {"buttons": [button]}}]}])


def _source_for(event: dict[str, Any], app: AddonApp) -> GoogleSheetSource:
    """The open spreadsheet's ledger tab (the configured one if it is this spreadsheet, else the first),
    with the person's own access; ``FileScopeNeeded`` until they have granted the add-on this file."""
    sheets = event.get("sheets") or {}
    token = (event.get("authorizationEventObject") or {}).get("userOAuthToken")
    spreadsheet_id = sheets.get("id")
    if (sheets.get("addonHasFileScopePermission") is not True or not isinstance(spreadsheet_id, str)
            or not spreadsheet_id or not isinstance(token, str) or not token):
        raise FileScopeNeeded(ASK_FOR_FILE)
    configured = app.ledger_spec
    configured_ref = parse_sheet_spec(configured) if is_sheet_spec(configured) else None
    if configured_ref is not None and configured_ref.spreadsheet_id == spreadsheet_id:
        return app.user_sheet_source(configured, token)
    return app.user_sheet_source(str(SheetRef(spreadsheet_id)), token)


T = TypeVar("T")


async def logo(_: Request) -> Response:
    """The logo the deployment descriptor names; public, like any logo Google shows."""
    return Response(logo_png(), media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


def addon_routes(app: AddonApp, verifier: IdTokenVerifier, base_url: str) -> list[Route]:
    """The add-on's endpoints, each verifying the caller before doing anything."""

    def refused(request: Request) -> Response | None:
        """401 unless the request's ID token proves it is our add-on's: checked before anything else."""
        try:
            verifier.verify(request.headers.get("authorization"), paths=(request.url.path,))
        except TokenRejected as exc:
            log.warning("add-on request refused on %s: %s", request.url.path, exc)
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        return None

    def endpoint(render: Callable[[dict[str, Any]], Card | tuple[Card, str]], *, home: bool
                 ) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            if (refusal := refused(request)) is not None:
                return refusal
            try:
                event = await request.json()
            except (ValueError, RecursionError):  # nested past the recursion limit too (fuzz 17, the Slack app's)
                return JSONResponse({"error": "the body is not JSON"}, status_code=400)
            notice: str | None = None
            try:
                made = await run_in_threadpool(render, event if isinstance(event, dict) else {})
                built, notice = made if isinstance(made, tuple) else (made, None)
            except FileScopeNeeded:
                built = grant_card(base_url)
            except NrrError as exc:
                built = error_card(str(exc))
            except Exception:
                ref = uuid.uuid4().hex[:8]
                log.exception("add-on request %s failed (ref %s)", request.url.path, ref)
                built = error_card(f"Something went wrong on our side (ref {ref}); try again in a minute.")
            if home:
                return JSONResponse({"action": {"navigations": [{"pushCard": built}]}})
            action: dict[str, Any] = {"navigations": [{"updateCard": built}]}
            if notice:
                action["notification"] = {"text": notice}
            return JSONResponse({"renderActions": {"action": action}})
        return handle

    def on(handler: Callable[[GoogleSheetSource], T], *, reads: bool = True) -> Callable[[dict[str, Any]], T]:
        """``reads``: the handler reads the ledger, so a first tab holding none (a cover page) gives way to the
        first tab that holds one, as the card then says; the add-on has no --ledger to name a tab with."""
        def run(event: dict[str, Any]) -> T:
            source = _source_for(event, app)
            try:
                return handler(source.with_table() if reads else source)
            finally:
                source.client.close()  # made for this request, with this person's token
        return run

    async def grant(request: Request) -> Response:
        """The grant button: Google shows its dialog for the open file, then calls the homepage."""
        if (refusal := refused(request)) is not None:
            return refusal
        return JSONResponse(REQUEST_FILE_SCOPE)

    return [
        Route("/addon/homepage", endpoint(on(lambda s: home_card(s, app, base_url)), home=True),
              methods=["POST"]),
        Route("/addon/validate", endpoint(on(lambda source: validate_card(source, app)), home=False),
              methods=["POST"]),
        Route("/addon/fill", endpoint(on(lambda s: fill_card(s, app.template_tab, app.currency)), home=False),
              methods=["POST"]),
        Route("/addon/template", endpoint(on(lambda s: template_card(s, app.currency), reads=False), home=False),
              methods=["POST"]),
        Route("/addon/grant", grant, methods=["POST"]),
        Route(LOGO_PATH, logo, methods=["GET"]),
    ]
