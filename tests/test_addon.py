"""The Sheets add-on backend over real HTTP: uvicorn serving the app, google-auth verifying
RS256 ID tokens minted with a test key against certs served locally, gspread reading the fake
with the person's own access token from the event."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from nrr.config import AddonSettings, LedgerSettings, Settings
from nrr.runtime import Runtime
from nrr.server import build_app
from tests.fakes.google_api import SERVICE_ACCOUNT, FakeGoogle, mint_id_token
from tests.fakes.servers import serve
from tests.helpers import HEADER, TLS

SHEET_ID = "1AddonSheet0123456789abcdefghij"
ADDON_SA = "service-123456789012@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"
ENDPOINT = "https://nrr.example.com"
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ADA, BOB = "ada@example.com", "bob@example.com"
REFUSED = (f"Google refused your access to this spreadsheet ({SHEET_ID}): seeing its NRR needs view access, "
           "filling it or inserting the template needs edit access. Ask its owner for access, then open NRR "
           "again.")
EXPIRED = ("Google did not accept your sign-in for this request (it may have expired); close NRR and open it "
           "again.")
ASK = ("NRR reads and fills this spreadsheet with your own Google access, one file at a time. Grant it access "
       "to this file to see its NRR.")


def event(user_token: str | None, *, granted: bool = True) -> dict[str, Any]:
    """An add-on event as Google sends it: ``sheets.id`` and ``title`` only once the file is granted."""
    sheets: dict[str, Any] = {"addonHasFileScopePermission": granted}
    if granted:
        sheets |= {"id": SHEET_ID, "title": "Revenue"}
    auth = {"userOAuthToken": user_token} if user_token else {}
    return {"commonEventObject": {"hostApp": "SHEETS", "platform": "WEB"},
            "authorizationEventObject": auth, "sheets": sheets}


def claims(**override: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": "https://accounts.google.com", "aud": ENDPOINT, "email": ADDON_SA,
            "email_verified": True, "sub": "1234", "iat": now, "exp": now + 3600}
    base.update(override)
    return base


@dataclass
class Stack:
    google: FakeGoogle
    url: str
    runtime: Runtime
    token: str  # Ada's own access token, granted the ledger spreadsheet


def ledger_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [HEADER]
    return rows + [[46023 + 31 * i, 100000 + 1500 * i, 2000, 500, 300] for i in range(14)]


@contextmanager
def addon_server(google: FakeGoogle, env: dict[str, str], ledger: str = "ledger.csv"
                 ) -> Iterator[tuple[str, Runtime]]:
    settings = Settings(ledger=LedgerSettings(source=ledger),
                        addon=AddonSettings(ENDPOINT, ADDON_SA, certs_url=f"{google.url}/oauth2/v1/certs"))
    runtime = Runtime(_file=settings, env=env, clock=lambda: NOW)
    with serve(build_app(runtime)) as url:
        yield url, runtime


@pytest.fixture
def stack() -> Iterator[Stack]:
    """The ledger is Ada's, shared with nobody else: not with nrr's service account either."""
    with FakeGoogle() as google:
        google.add_spreadsheet(SHEET_ID, {"Ledger": ledger_rows()}).shared_with = {ADA}
        env = {"GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info()), "SHEETS_API_URL": google.url}
        with addon_server(google, env, ledger=f"gsheet:{SHEET_ID}") as (url, runtime):
            yield Stack(google, url, runtime, google.user_token(ADA, SHEET_ID))


def post(url: str, path: str, token: str | None, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{url}{path}", json=body, headers=headers, timeout=30, trust_env=False, verify=TLS)


def widgets_text(card: dict[str, Any]) -> str:
    return json.dumps(card["sections"])


def home(stack: Stack, user_token: str | None = None, **kw: Any) -> dict[str, Any]:
    response = post(stack.url, "/addon/homepage", mint_id_token(claims()), event(user_token or stack.token, **kw))
    assert response.status_code == 200
    card: dict[str, Any] = response.json()["action"]["navigations"][0]["pushCard"]
    return card


def press(stack: Stack, path: str, user_token: str | None = None) -> dict[str, Any]:
    response = post(stack.url, path, mint_id_token(claims()), event(user_token or stack.token))
    assert response.status_code == 200
    action: dict[str, Any] = response.json()["renderActions"]["action"]
    return action


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log record at DEBUG, google-auth's too (its logger does not propagate by default)."""
    google_logger = logging.getLogger("google")
    google_logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    try:
        yield caplog
    finally:
        google_logger.removeHandler(caplog.handler)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """All that was logged, with tracebacks and the records' extra fields."""
    return caplog.text + "".join(repr(vars(r)) for r in caplog.records)


def test_homepage_card_for_the_open_spreadsheet(stack: Stack) -> None:
    card = home(stack)
    assert card["header"] == {"title": "Net Revenue Retention", "subtitle": "Ledger"}
    text = widgets_text(card)
    # today is 22 November 2026: the months the ledger lays out after October are not closed, and are not answered
    # (the card showed February 2027, and benchmarked a trailing year to it, where /nrr answered October)
    assert '"topLabel": "October 2026", "text": "NRR 101.1% \\u00b7 GRR 99.3%"' in text
    assert "latest closed month in the ledger" in text
    assert "November 2026 to February 2027 have not closed yet, so they are left out: the figures end in October " \
           "2026." in text
    assert '"topLabel": "Annualized (10 months)"' in text and "annualized from 10 months to Oct 2026" in text
    assert "Benchmark" in text and "mid-market median 108%" in text
    buttons = card["sections"][0]["widgets"][-1]["buttonList"]["buttons"]
    assert [b["text"] for b in buttons] == ["Validate", "Fill computed columns", "Insert template"]
    assert buttons[0]["onClick"]["action"]["function"] == f"{ENDPOINT}/addon/validate"
    assert stack.google.counts["values.get"] == 2  # the values, and what the numbers show


def test_the_addon_reads_and_writes_with_the_users_token_and_the_bot_with_the_service_accounts(
        stack: Stack) -> None:
    google = stack.google
    home(stack)
    assert press(stack, "/addon/fill")["notification"]["text"].startswith("Ledger: wrote 28 cell(s)")
    operations = {op for op, _ in google.bearers}
    assert {"spreadsheets.get", "values.get", "spreadsheets.get(grid)", "values.batchGet",
            "spreadsheets.batchUpdate"} <= operations
    assert {token for _, token in google.bearers} == {stack.token}
    assert google.counts["token"] == 0  # no service-account token was exchanged for the add-on

    addon_calls = len(google.bearers)
    google.spreadsheets[SHEET_ID].shared_with.add(SERVICE_ACCOUNT)  # the bot still needs the sheet shared
    assert len(stack.runtime.ledger()) == 14  # what the bot, digests and alerts read
    bot = google.bearers[addon_calls:]
    assert [op for op, _ in bot] == ["spreadsheets.get", "values.get", "values.get"]
    assert all(token in google.tokens and token != stack.token for _, token in bot)
    assert google.counts["token"] == 1


def test_the_addon_needs_no_service_account_at_all() -> None:
    with FakeGoogle() as google:
        google.add_spreadsheet(SHEET_ID, {"Ledger": ledger_rows()}).shared_with = {ADA}
        with addon_server(google, {"SHEETS_API_URL": google.url}) as (url, runtime):
            stack = Stack(google, url, runtime, google.user_token(ADA, SHEET_ID))
            assert "February 2027" in widgets_text(home(stack))
            assert press(stack, "/addon/fill")["notification"]["text"].startswith("Ledger: wrote 28 cell(s)")
    assert google.counts["token"] == 0


@pytest.mark.parametrize("body", [event(None), event("ya29.anything", granted=False), event(None, granted=False)],
                         ids=["no-user-token", "not-granted", "neither"])
def test_before_the_grant_the_card_asks_for_it_in_one_click(stack: Stack, body: dict[str, Any]) -> None:
    response = post(stack.url, "/addon/homepage", mint_id_token(claims()), body)
    card = response.json()["action"]["navigations"][0]["pushCard"]
    assert card["header"] == {"title": "Net Revenue Retention", "subtitle": "Access to this spreadsheet"}
    (paragraph, buttons) = card["sections"][0]["widgets"]
    assert paragraph == {"textParagraph": {"text": ASK}}
    assert buttons["buttonList"]["buttons"] == [
        {"text": "Grant access to this spreadsheet", "onClick": {"action": {"function": f"{ENDPOINT}/addon/grant"}}}]
    pressed = post(stack.url, "/addon/validate", mint_id_token(claims()), body).json()
    assert pressed["renderActions"]["action"]["navigations"][0]["updateCard"] == card
    assert stack.google.bearers == []


def test_the_grant_button_asks_google_for_the_file_then_the_trigger_shows_the_figures(stack: Stack) -> None:
    response = post(stack.url, "/addon/grant", mint_id_token(claims()), event(None, granted=False))
    assert response.json() == {
        "renderActions": {"hostAppAction": {"editorAction": {"requestFileScopeForActiveDocument": {}}}}}
    assert post(stack.url, "/addon/grant", mint_id_token(claims(aud="https://evil.example.com")),
                event(None, granted=False)).status_code == 401
    # Google then calls the onFileScopeGrantedTrigger, which the descriptor points at the homepage
    card = home(stack)
    assert "February 2027" in widgets_text(card)
    assert [op for op, _ in stack.google.bearers] == ["spreadsheets.get", "values.get", "values.get"]


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: mint_id_token(claims(exp=int(time.time()) - 3600,
                                                  iat=int(time.time()) - 7200)), id="expired"),
        pytest.param(lambda: mint_id_token(claims(aud="https://evil.example.com")), id="wrong-audience"),
        pytest.param(lambda: mint_id_token(claims(iss="https://evil.example.com")), id="wrong-issuer"),
        pytest.param(lambda: mint_id_token(claims(email="someone@evil.iam.gserviceaccount.com")),
                     id="wrong-service-account"),
        pytest.param(lambda: mint_id_token(claims(), key=OTHER_KEY), id="signed-by-another-key"),
        pytest.param(lambda: _tampered(mint_id_token(claims())), id="tampered"),
        pytest.param(lambda: None, id="missing"),
        pytest.param(lambda: "not-a-jwt-at-all-but-long-enough", id="garbage"),
    ],
)
def test_a_request_whose_id_token_fails_gets_401_even_with_a_user_token(
        stack: Stack, token: Any, every_log: pytest.LogCaptureFixture) -> None:
    for path in ("/addon/homepage", "/addon/fill", "/addon/grant"):
        response = post(stack.url, path, token(), event(stack.token))
        assert response.status_code == 401
        assert response.json() == {"error": "unauthorized"}
    assert stack.google.sheets_calls() == 0
    assert stack.google.bearers == []  # the user token was never used
    assert "refused" in every_log.text and stack.token not in logged(every_log)


def _tampered(token: str) -> str:
    import base64

    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["email"] = ADDON_SA.replace("123", "999")
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{sig}"


def test_the_function_url_is_an_accepted_audience_and_certs_are_cached(stack: Stack) -> None:
    for _ in range(3):
        assert post(stack.url, "/addon/validate", mint_id_token(claims(aud=f"{ENDPOINT}/addon/validate")),
                    event(stack.token)).status_code == 200
    wrong_path = mint_id_token(claims(aud=f"{ENDPOINT}/addon/fill"))
    assert post(stack.url, "/addon/validate", wrong_path, event(stack.token)).status_code == 401
    assert stack.google.counts["certs"] == 1


def test_validate_fill_and_template_buttons(stack: Stack) -> None:
    action = press(stack, "/addon/validate")
    # on 22 November 2026 the rows for December to February have not begun: warned of, as nrr validate warns
    assert action["notification"] == {"text": "0 error(s), 1 warning(s)"}
    assert "December 2026 to February 2027 have not begun yet (this is November 2026)" in widgets_text(
        action["navigations"][0]["updateCard"])

    action = press(stack, "/addon/fill")
    assert action["notification"]["text"].startswith("Ledger: wrote 28 cell(s)")
    sheet = stack.google.spreadsheets[SHEET_ID].sheet("Ledger")
    assert sheet.cells[(1, 5)].value == 101200.0

    # beside a Ledger tab the template goes in a tab of its own: the add-on has no --title (fuzz 18)
    text = widgets_text(press(stack, "/addon/template")["navigations"][0]["updateCard"])
    assert "Added worksheet 'Ledger 2'" in text and stack.google.spreadsheets[SHEET_ID].sheet("Ledger 2")


def test_problems_show_on_the_homepage_by_cell(stack: Stack) -> None:
    stack.google.spreadsheets[SHEET_ID].sheet("Ledger").cells[(3, 1)].value = "n/a"
    text = widgets_text(home(stack))
    assert "The ledger has 1 problem(s)" in text
    assert "Ledger!B4 (March 2026): MRR (Start of Period) 'n/a' is not an amount" in text


def test_someone_google_refuses_is_told_so_plainly_and_the_token_never_shows(
        stack: Stack, every_log: pytest.LogCaptureFixture) -> None:
    bob = stack.google.user_token(BOB, SHEET_ID)  # granted the file to the add-on, but not shared it
    card = home(stack, bob)
    assert card["sections"][0]["widgets"] == [{"textParagraph": {"text": REFUSED}}]
    filled = press(stack, "/addon/fill", bob)["navigations"][0]["updateCard"]
    assert filled["sections"][0]["widgets"] == [{"textParagraph": {"text": REFUSED}}]
    assert bob not in json.dumps([card, filled]) and bob not in logged(every_log)
    assert {token for _, token in stack.google.bearers} == {bob}


def test_a_viewer_sees_the_figures_but_cannot_fill(stack: Stack) -> None:
    stack.google.spreadsheets[SHEET_ID].viewers.add(BOB)
    bob = stack.google.user_token(BOB, SHEET_ID)
    assert "February 2027" in widgets_text(home(stack, bob))
    filled = press(stack, "/addon/fill", bob)
    assert filled["navigations"][0]["updateCard"]["sections"][0]["widgets"] == [
        {"textParagraph": {"text": REFUSED}}]
    assert stack.google.writes() == 1  # tried once, with Bob's token, and refused by Google


def test_an_expired_user_token_asks_to_reopen_and_is_never_shown(
        stack: Stack, every_log: pytest.LogCaptureFixture) -> None:
    stack.google.expire(stack.token)
    card = home(stack)
    assert card["sections"][0]["widgets"] == [{"textParagraph": {"text": EXPIRED}}]
    assert stack.token not in json.dumps(card) and stack.token not in logged(every_log)
    assert stack.google.counts["token"] == 0  # nothing tried to refresh it, nor fell back on the service account


def test_what_one_person_read_is_never_served_to_another(stack: Stack) -> None:
    assert "February 2027" in widgets_text(home(stack))
    bob = stack.google.user_token(BOB, SHEET_ID)  # no access to the spreadsheet
    assert home(stack, bob)["sections"][0]["widgets"] == [{"textParagraph": {"text": REFUSED}}]
    assert "February 2027" in widgets_text(home(stack))
    assert stack.google.counts["values.get"] == 4  # each request is read afresh (values and as shown), its own token


def test_a_malformed_user_token_is_refused_before_any_request(stack: Stack,
                                                              every_log: pytest.LogCaptureFixture) -> None:
    bad = "ya29.bad\r\nX-Injected: 1"
    card = home(stack, bad)
    assert card["sections"][0]["widgets"] == [{"textParagraph": {"text": EXPIRED}}]
    assert stack.google.bearers == [] and "X-Injected" not in logged(every_log)


@pytest.mark.parametrize("body", [b"{not json", b"[" * 100_000 + b"]" * 100_000], ids=["bad", "nested-deep"])
def test_a_body_that_is_not_json_is_a_400(stack: Stack, body: bytes) -> None:
    """Nested past Python's recursion limit, a body was a 500 and a traceback (fuzz 17, the Slack app's twin)."""
    response = httpx.post(f"{stack.url}/addon/homepage", content=body, timeout=30, trust_env=False, verify=TLS,
                          headers={"Authorization": f"Bearer {mint_id_token(claims())}",
                                   "Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (400, {"error": "the body is not JSON"})


def test_healthz(stack: Stack) -> None:
    response = httpx.get(f"{stack.url}/healthz", trust_env=False, verify=TLS)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_the_deployment_descriptor_points_at_our_routes() -> None:
    from nrr.addon import PATHS
    from tests.helpers import ROOT

    deployment = json.loads((ROOT / "deploy" / "addon" / "deployment.json").read_text())
    # drive.file: the Sheets API accepts it for the files the person granted; nothing broader is asked
    assert deployment["oauthScopes"] == ["https://www.googleapis.com/auth/drive.file",
                                         "https://www.googleapis.com/auth/script.locale"]
    functions = [deployment["addOns"]["common"]["homepageTrigger"]["runFunction"],
                 deployment["addOns"]["sheets"]["homepageTrigger"]["runFunction"],
                 deployment["addOns"]["sheets"]["onFileScopeGrantedTrigger"]["runFunction"]]
    assert all(f.startswith("https://nrr.example.com/addon/") for f in functions)
    assert {f.removeprefix("https://nrr.example.com") for f in functions} <= set(PATHS)
    assert functions[2] == "https://nrr.example.com/addon/homepage"  # after the grant: the figures


def test_text_from_the_sheet_is_escaped_in_cards() -> None:
    with FakeGoogle() as google:
        rows: list[list[Any]] = [HEADER, [46023, "<a href='https://evil.example'>click</a>", 2000, 500, 300]]
        google.add_spreadsheet(SHEET_ID, {"Ledger": rows}).shared_with = {ADA}
        with addon_server(google, {"SHEETS_API_URL": google.url}) as (url, _):
            ada = event(google.user_token(ADA, SHEET_ID))
            shown = json.dumps([post(url, "/addon/homepage", mint_id_token(claims()), ada).json(),
                                post(url, "/addon/validate", mint_id_token(claims()), ada).json()])
    assert "<a href" not in shown
    assert "&lt;a href='https://evil.example'&gt;click&lt;/a&gt;" in shown


def test_tokens_naming_unknown_keys_refetch_the_certs_at_most_once_a_minute() -> None:
    now = [1000.0]
    with FakeGoogle() as google:
        google.add_spreadsheet(SHEET_ID, {"Ledger": [HEADER, [46023, 100000, 2000, 500, 300]]}).shared_with = {ADA}
        ada = event(google.user_token(ADA, SHEET_ID))
        settings = Settings(addon=AddonSettings(ENDPOINT, ADDON_SA, certs_url=f"{google.url}/oauth2/v1/certs"))
        runtime = Runtime(_file=settings, env={"SHEETS_API_URL": google.url}, clock=lambda: NOW,
                          monotonic=lambda: now[0])
        with serve(build_app(runtime)) as url:
            def unknown_keys(count: int) -> None:
                for n in range(count):
                    token = mint_id_token(claims(), key=OTHER_KEY, kid=f"unknown-{n}")
                    assert post(url, "/addon/homepage", token, ada).status_code == 401

            assert post(url, "/addon/homepage", mint_id_token(claims()), ada).status_code == 200
            assert google.counts["certs"] == 1
            calls = google.sheets_calls()
            unknown_keys(8)  # within a minute of the last fetch: none
            assert google.counts["certs"] == 1
            now[0] += 61
            unknown_keys(8)  # a minute on: one, in case Google rotated its keys
            assert google.counts["certs"] == 2
            assert google.sheets_calls() == calls  # no refused request read the sheet


def test_the_homepage_says_its_trailing_figure_approximates_the_cohort_one(stack: Stack) -> None:
    text = json.dumps(home(stack))
    assert "The trailing figure is chained from month totals: an approximation of the 12-month cohort figure" in text


def test_a_cover_tab_first_reads_the_tab_that_holds_the_ledger_and_says_so(stack: Stack) -> None:
    # the add-on reads the open spreadsheet's first tab, and has no --ledger to name another: a cover page first
    # answered "Cover: No header row found" where the ledger was one tab over
    book = stack.google.spreadsheets[SHEET_ID]
    book.sheets.insert(0, _cover_tab())
    card = home(stack)
    assert card["header"]["subtitle"] == "Ledger" and "NRR 101.1%" in widgets_text(card)
    said = "Read the tab 'Ledger': the first tab, 'Cover', holds no header row of a ledger or a customer table."
    action = press(stack, "/addon/validate")
    assert action["notification"] == {"text": "0 error(s), 2 warning(s)"}
    assert said in widgets_text(action["navigations"][0]["updateCard"])
    action = press(stack, "/addon/fill")
    assert action["notification"]["text"].startswith("Ledger: wrote 28 cell(s)")
    assert said in widgets_text(action["navigations"][0]["updateCard"])
    assert book.sheet("Ledger").cells[(1, 5)].value == 101200.0 and (1, 5) not in book.sheet("Cover").cells


def _cover_tab() -> Any:
    from tests.fakes.google_api import FakeSheet

    cover = FakeSheet(sheet_id=77, title="Cover", index=-1)
    cover.set_rows([["NRR summary"], ["see the Ledger tab"]])
    return cover
