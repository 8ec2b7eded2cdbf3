"""The Google Workspace add-on for Sheets: an HTTP backend ("alternate runtime") under /addon/.

Each request is verified first (``IdTokenVerifier``); then a handler reads like: find the open
spreadsheet, call the engine, render a card. Cards follow the add-on card JSON format; the
homepage answers ``{"action": {"navigations": [{"pushCard": card}]}}`` and button callbacks
``{"renderActions": {"action": {"navigations": [{"updateCard": card}], "notification": ...}}}``.
"""

from __future__ import annotations

import html
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine import (
    NrrError,
    Period,
    benchmark_basis,
    benchmark_missing,
    check_source,
    months,
    profile_sentence,
    pts,
    rate,
    tier_name,
)
from nrr.addon._app import AddonApp
from nrr.addon._errors import AddonError, TokenRejected
from nrr.addon._idtoken import IdTokenVerifier
from nrr.addon._logo import logo_png
from sheets import GoogleSheetSource, SheetRef, fill_sheet, init_sheet, is_sheet_spec, parse_sheet_spec

log = logging.getLogger("nrr.addon")
Card = dict[str, Any]
MAX_PROBLEMS_ON_HOME = 5
PATHS = ("/addon/homepage", "/addon/validate", "/addon/fill", "/addon/template")
LOGO_PATH = "/addon/logo.png"


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
    check = check_source(source)
    widgets: list[dict[str, Any]] = []
    sheet = source.worksheet().title
    if check.errors:
        widgets.append(_paragraph(f"<b>The ledger has {len(check.errors)} problem(s)</b>; fix them to see "
                                  "its NRR."))
        widgets += [_paragraph(_data(i)) for i in check.errors[:MAX_PROBLEMS_ON_HOME]]
        if len(check.errors) > MAX_PROBLEMS_ON_HOME:
            widgets.append(_paragraph(f"... and {len(check.errors) - MAX_PROBLEMS_ON_HOME} more: "
                                      "press Validate."))
    else:
        ledger = check.ledger
        assert ledger is not None and ledger.last_month is not None
        last = ledger.last_month
        report = app.report(ledger, Period(last, last, last.name))
        r = report.retention
        widgets.append(_text(f"{last.name}", f"NRR {rate(r.nrr)} · GRR {rate(r.grr)}",
                             "latest month in the ledger"))
        t, b = report.trailing, report.benchmark
        if (missing := benchmark_missing(t)) is not None:
            widgets.append(_text("Benchmark", missing[0].upper() + missing[1:] + "."))
        elif t is not None:
            widgets.append(_text("Trailing 12 months", f"NRR {rate(t.nrr, 2)} · GRR {rate(t.grr, 2)}",
                                 benchmark_basis(t)))
        if b is not None:
            widgets.append(_text("Benchmark", f"{tier_name(b)} ({b.tier.meaning.lower()})",
                                 f"{pts(b.gap_to_median)} vs the {b.segment.segment} median "
                                 f"{rate(b.segment.median, 0)}; source: {b.source}"))
            if assumed := profile_sentence(b):
                widgets.append(_paragraph(assumed))
        widgets.append(_paragraph(f"Ledger valid: {months(len(ledger))}, {len(check.warnings)} warning(s)."))
    widgets.append(_buttons(base_url))
    return card("Net Revenue Retention", sheet, [{"widgets": widgets}])


def validate_card(source: GoogleSheetSource) -> tuple[Card, str]:
    check = check_source(source)
    issues = [*check.errors, *check.warnings]
    widgets = [_paragraph(f"<b>{i.severity}</b>: {_data(i)}") for i in issues] or [
        _paragraph("No problems: every row reads cleanly and matches the formulas.")]
    summary = f"{len(check.errors)} error(s), {len(check.warnings)} warning(s)"
    return card("Validation", summary, [{"widgets": widgets}]), summary


def fill_card(source: GoogleSheetSource) -> tuple[Card, str]:
    result = fill_sheet(source)
    lines = result.lines()
    widgets = [_paragraph(_data(line)) for line in lines]
    return card("Fill computed columns", result.sheet, [{"widgets": widgets}]), lines[-1]


def template_card(source: GoogleSheetSource) -> tuple[Card, str]:
    message = init_sheet(source, "Ledger")
    return card("Insert template", "Ledger", [{"widgets": [_paragraph(_data(message))]}]), message


def error_card(message: str) -> Card:
    return card("Net Revenue Retention", "Something needs attention", [{"widgets": [_paragraph(_data(message))]}])


def _source_for(event: dict[str, Any], app: AddonApp) -> GoogleSheetSource:
    """The open spreadsheet's ledger tab: the configured one if it is this spreadsheet, else the first."""
    spreadsheet_id = (event.get("sheets") or {}).get("id")
    configured = app.ledger_spec
    configured_ref = parse_sheet_spec(configured) if is_sheet_spec(configured) else None
    if spreadsheet_id is None:
        if configured_ref is None:
            raise AddonError("Open nrr from the ledger spreadsheet and grant it access to the file "
                           "(or set [ledger] source to the sheet).")
        return app.sheet_source(configured)
    if configured_ref is not None and configured_ref.spreadsheet_id == spreadsheet_id:
        return app.sheet_source(configured)
    return app.sheet_source(str(SheetRef(spreadsheet_id)))


Handler = Callable[[GoogleSheetSource], tuple[Card, str]]


async def logo(_: Request) -> Response:
    """The logo the deployment descriptor names; public, like any logo Google shows."""
    return Response(logo_png(), media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


def addon_routes(app: AddonApp, verifier: IdTokenVerifier, base_url: str) -> list[Route]:
    """The add-on's endpoints, each verifying the caller before doing anything."""

    def endpoint(render: Callable[[dict[str, Any]], Card | tuple[Card, str]], *, home: bool
                 ) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            try:
                verifier.verify(request.headers.get("authorization"), paths=(request.url.path,))
            except TokenRejected as exc:
                log.warning("add-on request refused on %s: %s", request.url.path, exc)
                return JSONResponse({"error": "unauthorized"}, status_code=401)
            try:
                event = await request.json()
            except ValueError:
                return JSONResponse({"error": "the body is not JSON"}, status_code=400)
            notice: str | None = None
            try:
                made = await run_in_threadpool(render, event if isinstance(event, dict) else {})
                built, notice = made if isinstance(made, tuple) else (made, None)
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

    def on(handler: Handler) -> Callable[[dict[str, Any]], tuple[Card, str]]:
        return lambda event: handler(_source_for(event, app))

    return [
        Route("/addon/homepage", endpoint(lambda e: home_card(_source_for(e, app), app, base_url),
                                          home=True), methods=["POST"]),
        Route("/addon/validate", endpoint(on(validate_card), home=False), methods=["POST"]),
        Route("/addon/fill", endpoint(on(fill_card), home=False), methods=["POST"]),
        Route("/addon/template", endpoint(on(template_card), home=False), methods=["POST"]),
        Route(LOGO_PATH, logo, methods=["GET"]),
    ]
