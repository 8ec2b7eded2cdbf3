"""The Sheets add-on backend over real HTTP: uvicorn serving the app, google-auth verifying
RS256 ID tokens minted with a test key against certs served locally, gspread reading the fake."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from nrr.config import AddonSettings, Settings
from nrr.runtime import Runtime
from nrr.server import build_app
from tests.fakes.google_api import FakeGoogle, mint_id_token
from tests.fakes.servers import serve
from tests.helpers import HEADER

SHEET_ID = "1AddonSheet0123456789abcdefghij"
ADDON_SA = "service-123456789012@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"
ENDPOINT = "https://nrr.example.com"
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EVENT = {"commonEventObject": {"hostApp": "SHEETS", "platform": "WEB"},
         "authorizationEventObject": {}, "sheets": {"id": SHEET_ID, "title": "Revenue"}}


def claims(**override: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": "https://accounts.google.com", "aud": ENDPOINT, "email": ADDON_SA,
            "email_verified": True, "sub": "1234", "iat": now, "exp": now + 3600}
    base.update(override)
    return base


@pytest.fixture
def stack() -> Iterator[tuple[FakeGoogle, str]]:
    with FakeGoogle() as google:
        rows: list[list[Any]] = [HEADER]
        rows += [[46023 + 31 * i, 100000 + 1500 * i, 2000, 500, 300] for i in range(14)]
        google.add_spreadsheet(SHEET_ID, {"Ledger": rows})
        env = {"GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info()), "SHEETS_API_URL": google.url}
        settings = Settings(addon=AddonSettings(ENDPOINT, ADDON_SA, certs_url=f"{google.url}/oauth2/v1/certs"))
        with serve(build_app(Runtime(settings, env, lambda: NOW))) as url:
            yield google, url


def post(url: str, path: str, token: str | None, body: Any = EVENT) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{url}{path}", json=body, headers=headers, timeout=30, trust_env=False)


def widgets_text(card: dict[str, Any]) -> str:
    return json.dumps(card["sections"])


def test_homepage_card_for_the_open_spreadsheet(stack: tuple[FakeGoogle, str]) -> None:
    google, url = stack
    response = post(url, "/addon/homepage", mint_id_token(claims()))
    assert response.status_code == 200
    card = response.json()["action"]["navigations"][0]["pushCard"]
    assert card["header"] == {"title": "Net Revenue Retention", "subtitle": "Ledger"}
    text = widgets_text(card)
    assert "February 2027" in text and "NRR 101.0% \\u00b7 GRR 99.3%" in text
    assert "Trailing 12 months" in text
    assert "Benchmark" in text and "mid-market median 108%" in text
    buttons = card["sections"][0]["widgets"][-1]["buttonList"]["buttons"]
    assert [b["text"] for b in buttons] == ["Validate", "Fill computed columns", "Insert template"]
    assert buttons[0]["onClick"]["action"]["function"] == f"{ENDPOINT}/addon/validate"
    assert google.counts["values.get"] == 1


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
def test_every_bad_token_gets_401_and_nothing_is_read(stack: tuple[FakeGoogle, str], token: Any) -> None:
    google, url = stack
    for path in ("/addon/homepage", "/addon/fill"):
        response = post(url, path, token())
        assert response.status_code == 401
        assert response.json() == {"error": "unauthorized"}
    assert google.sheets_calls() == 0


def _tampered(token: str) -> str:
    import base64

    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["email"] = ADDON_SA.replace("123", "999")
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{sig}"


def test_the_function_url_is_an_accepted_audience_and_certs_are_cached(
        stack: tuple[FakeGoogle, str]) -> None:
    google, url = stack
    for _ in range(3):
        assert post(url, "/addon/validate", mint_id_token(claims(aud=f"{ENDPOINT}/addon/validate"))
                    ).status_code == 200
    wrong_path = mint_id_token(claims(aud=f"{ENDPOINT}/addon/fill"))
    assert post(url, "/addon/validate", wrong_path).status_code == 401
    assert google.counts["certs"] == 1


def test_validate_fill_and_template_buttons(stack: tuple[FakeGoogle, str]) -> None:
    google, url = stack
    response = post(url, "/addon/validate", mint_id_token(claims()))
    action = response.json()["renderActions"]["action"]
    assert action["notification"] == {"text": "0 error(s), 0 warning(s)"}
    assert "No problems" in widgets_text(action["navigations"][0]["updateCard"])

    response = post(url, "/addon/fill", mint_id_token(claims()))
    action = response.json()["renderActions"]["action"]
    assert action["notification"]["text"].startswith("Ledger: wrote 28 cell(s)")
    sheet = google.spreadsheets[SHEET_ID].sheet("Ledger")
    assert sheet.cells[(1, 5)].value == 101200.0

    response = post(url, "/addon/template", mint_id_token(claims()))
    text = widgets_text(response.json()["renderActions"]["action"]["navigations"][0]["updateCard"])
    assert "A worksheet named 'Ledger' already exists" in text


def test_problems_show_on_the_homepage_by_cell(stack: tuple[FakeGoogle, str]) -> None:
    google, url = stack
    google.spreadsheets[SHEET_ID].sheet("Ledger").cells[(3, 1)].value = "n/a"
    answer = post(url, "/addon/homepage", mint_id_token(claims())).json()
    card = answer["action"]["navigations"][0]["pushCard"]
    text = widgets_text(card)
    assert "The ledger has 1 problem(s)" in text
    assert "Ledger!B4 (March 2026): MRR (Start of Period) 'n/a' is not an amount" in text


def test_a_sheet_we_cannot_read_is_explained_in_the_card(stack: tuple[FakeGoogle, str]) -> None:
    google, url = stack
    google.spreadsheets[SHEET_ID].shared_with = set()
    answer = post(url, "/addon/homepage", mint_id_token(claims())).json()
    card = answer["action"]["navigations"][0]["pushCard"]
    assert "Share the sheet with nrr-bot@nrr-test.iam.gserviceaccount.com" in widgets_text(card)


def test_healthz(stack: tuple[FakeGoogle, str]) -> None:
    _, url = stack
    response = httpx.get(f"{url}/healthz", trust_env=False)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_the_deployment_descriptor_points_at_our_routes() -> None:
    from nrr.addon import PATHS
    from tests.helpers import ROOT

    deployment = json.loads((ROOT / "deploy" / "addon" / "deployment.json").read_text())
    assert "https://www.googleapis.com/auth/drive.file" in deployment["oauthScopes"]
    functions = [deployment["addOns"]["common"]["homepageTrigger"]["runFunction"],
                 deployment["addOns"]["sheets"]["homepageTrigger"]["runFunction"],
                 deployment["addOns"]["sheets"]["onFileScopeGrantedTrigger"]["runFunction"]]
    assert all(f.startswith("https://nrr.example.com/addon/") for f in functions)
    assert {f.removeprefix("https://nrr.example.com") for f in functions} <= set(PATHS)


def test_text_from_the_sheet_is_escaped_in_cards() -> None:
    with FakeGoogle() as google:
        rows: list[list[Any]] = [HEADER, [46023, "<a href='https://evil.example'>click</a>", 2000, 500, 300]]
        google.add_spreadsheet(SHEET_ID, {"Ledger": rows})
        env = {"GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info()), "SHEETS_API_URL": google.url}
        settings = Settings(addon=AddonSettings(ENDPOINT, ADDON_SA, certs_url=f"{google.url}/oauth2/v1/certs"))
        with serve(build_app(Runtime(settings, env, lambda: NOW))) as url:
            home = post(url, "/addon/homepage", mint_id_token(claims())).json()
            checked = post(url, "/addon/validate", mint_id_token(claims())).json()
    shown = json.dumps([home, checked])
    assert "<a href" not in shown
    assert "&lt;a href='https://evil.example'&gt;click&lt;/a&gt;" in shown


def test_tokens_naming_unknown_keys_refetch_the_certs_at_most_once_a_minute() -> None:
    now = [1000.0]
    with FakeGoogle() as google:
        google.add_spreadsheet(SHEET_ID, {"Ledger": [HEADER, [46023, 100000, 2000, 500, 300]]})
        env = {"GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info()), "SHEETS_API_URL": google.url}
        settings = Settings(addon=AddonSettings(ENDPOINT, ADDON_SA, certs_url=f"{google.url}/oauth2/v1/certs"))
        with serve(build_app(Runtime(settings, env, lambda: NOW, monotonic=lambda: now[0]))) as url:
            def unknown_keys(count: int) -> None:
                for n in range(count):
                    token = mint_id_token(claims(), key=OTHER_KEY, kid=f"unknown-{n}")
                    assert post(url, "/addon/homepage", token).status_code == 401

            assert post(url, "/addon/homepage", mint_id_token(claims())).status_code == 200
            assert google.counts["certs"] == 1
            calls = google.sheets_calls()
            unknown_keys(8)  # within a minute of the last fetch: none
            assert google.counts["certs"] == 1
            now[0] += 61
            unknown_keys(8)  # a minute on: one, in case Google rotated its keys
            assert google.counts["certs"] == 2
            assert google.sheets_calls() == calls  # no refused request read the sheet
