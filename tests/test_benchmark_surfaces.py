"""The benchmark as each surface shows it: the terminal, Slack and the add-on say the tier of the figure
they print beside it, in the same words."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from bot import blocks_to_text, digest_blocks
from engine import Month, Profile, build_digest, build_report, profile_sentence, report_to_dict, resolve_period
from nrr.cli import main
from nrr.config import AddonSettings, CompanySettings, Settings
from nrr.runtime import Runtime
from nrr.server import build_app
from tests.fakes.google_api import FakeGoogle, mint_id_token
from tests.fakes.servers import serve
from tests.helpers import HEADER, TLS, ledger, row

SHEET_ID = "1BenchSheet0123456789abcdefghijk"
ADDON_SA = "service-123456789012@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"
ENDPOINT = "https://nrr.example.com"
NOW = dt.datetime(2027, 1, 10, 12, 0, tzinfo=dt.UTC)
ASSUMED = ("Compared as a mid-market, VC-backed company (the default); set [company] segment and funding in "
           "nrr.toml to compare with your own.")
STRONG_LINE = ("*Strong* on trailing 12 months to Oct 2026: NRR 110.00%, GRR 100.00%. +2.0 pts vs the mid-market "
               "median (108%), -10.0 pts vs the top quartile (120%). GRR is healthy (90%+).")


def year_to_october(expansion: str) -> list[Any]:
    """Eleven flat months, then October 2026 with ``expansion`` on a 100,000 Start: the trailing year is
    October's NRR (``9996`` -> 109.996%, shown as 110.00%)."""
    flat = [row(f"{m.year}-{m.month:02d}", "100000") for m in (Month(2025, 11) + i for i in range(11))]
    return [*flat, row("2026-10", "100000", expansion)]


def write_ledger(path: Path, expansion: str) -> Path:
    with path.open("w", newline="") as f:
        csv.writer(f).writerows([HEADER[:5], *([str(r.month), r.start, r.expansion, r.churn, r.downgrade]
                                                 for r in year_to_october(expansion))])
    return path


def terminal(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = main(["report", *argv], env={}, clock=lambda: NOW, stdout=Console(file=out, width=200, highlight=False),
                stderr=Console(file=err, width=200, highlight=False))
    assert (code, err.getvalue()) == (0, "")
    return out.getvalue()


def test_the_terminal_says_the_tier_of_the_figure_it_prints(tmp_path: Path) -> None:
    out = terminal("2026-10", "--ledger", str(write_ledger(tmp_path / "ledger.csv", "9996")))
    assert ("Benchmark basis: NRR 110.00%, GRR 100.00% (trailing 12 months to Oct 2026; chained from month totals: "
            "an approximation of the 12-month cohort figure, low when new customers churn early (common in SMB): in "
            "simulations 1-8 pts for a flat company, 4-35 pts for one growing 50-100% a year, up to 41 pts at 200%; "
            "add a customer tab for the exact one)\n"
            "Tier: Strong (healthy upsell motion; enterprise or mid-market focus). Mid-market median 108% (+2.0 pts), "
            "top quartile 120% (-10.0 pts).\nGRR is healthy (90%+).\n") in out


def test_slack_shows_the_benchmarked_figure_to_the_decimals_its_tier_is_read_at() -> None:
    digest = build_digest(ledger(*year_to_october("9996")), Month(2026, 10), profile=Profile())
    text = blocks_to_text(digest_blocks(digest, ("benchmark",)))
    assert STRONG_LINE in text


@pytest.fixture
def addon_url() -> Iterator[tuple[str, str]]:
    with FakeGoogle() as google:
        rows: list[list[Any]] = [HEADER]  # serial dates: 46023 is 1 January 2026
        rows += [[46023 + 31 * i, 100000, 9996 if i == 11 else 0, 0, 0] for i in range(12)]
        google.add_spreadsheet(SHEET_ID, {"Ledger": rows})
        env = {"GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info()), "SHEETS_API_URL": google.url}
        settings = Settings(addon=AddonSettings(ENDPOINT, ADDON_SA, certs_url=f"{google.url}/oauth2/v1/certs"))
        google.spreadsheets[SHEET_ID].shared_with.add("ada@example.com")
        user = google.user_token("ada@example.com", SHEET_ID)  # the add-on reads with the person's own access
        with serve(build_app(Runtime(_file=settings, env=env, clock=lambda: NOW))) as url:
            yield url, user


def homepage_widgets(addon: tuple[str, str]) -> list[dict[str, Any]]:
    url, user = addon
    now = int(time.time())
    token = mint_id_token({"iss": "https://accounts.google.com", "aud": ENDPOINT, "email": ADDON_SA,
                           "email_verified": True, "sub": "1234", "iat": now, "exp": now + 3600})
    event = {"commonEventObject": {"hostApp": "SHEETS", "platform": "WEB"},
             "authorizationEventObject": {"userOAuthToken": user},
             "sheets": {"addonHasFileScopePermission": True, "id": SHEET_ID, "title": "Revenue"}}
    response = httpx.post(f"{url}/addon/homepage", json=event, headers={"Authorization": f"Bearer {token}"},
                          timeout=30, trust_env=False, verify=TLS)
    assert response.status_code == 200
    widgets: list[dict[str, Any]] = response.json()["action"]["navigations"][0]["pushCard"]["sections"][0]["widgets"]
    return widgets


def test_the_addon_shows_the_benchmarked_figure_to_the_decimals_its_tier_is_read_at(addon_url: tuple[str, str]) -> None:
    texts = [w["decoratedText"] for w in homepage_widgets(addon_url) if "decoratedText" in w]
    assert texts[1:] == [
        {"topLabel": "Trailing 12 months", "text": "NRR 110.00% · GRR 100.00%", "wrapText": True,
         "bottomLabel": "trailing 12 months to Dec 2026"},
        {"topLabel": "Benchmark", "text": "Strong (healthy upsell motion; enterprise or mid-market focus)",
         "wrapText": True, "bottomLabel": "NRR 110.00%, trailing 12 months to Dec 2026 (chained from month totals: an "
                                          "approximation of the 12-month cohort figure, low when new customers churn "
                                          "early (common in SMB): in simulations 1-8 pts for a flat company, 4-35 "
                                          "pts for one growing 50-100% a year, up to 41 pts at 200%; add a customer "
                                          "tab for the exact one); +2.0 pts vs the mid-market median 108%; "
                                          "source: 2026 SaaS NRR benchmarks by customer segment"}]


# --- a profile nobody configured is named, with how to set it -------------------------------------

@pytest.fixture
def unconfigured(monkeypatch: pytest.MonkeyPatch) -> None:
    """What nrr.config is to give for an nrr.toml without [company] segment or funding, until it does:
    the default profile, marked assumed."""
    monkeypatch.setattr(CompanySettings, "profile", property(
        lambda c: Profile(segment=c.segment, pricing_model=c.pricing_model, stage=c.stage, funding=c.funding,
                          assumed=True)))


def test_the_engine_says_which_profile_it_assumed() -> None:
    rows = ledger(*year_to_october("9996"))
    period = resolve_period("2026-10", dt.date(2026, 11, 5))

    def sentence(profile: Profile | None) -> str | None:
        benchmark = build_report(rows, period, profile=profile).benchmark
        assert benchmark is not None
        return profile_sentence(benchmark)

    assert sentence(None) == sentence(Profile(assumed=True)) == ASSUMED
    assert sentence(Profile()) is None
    assert report_to_dict(build_report(rows, period))["benchmark"]["profile"] == {
        "segment": "mid-market", "funding": "vc", "assumed": True}
    assert report_to_dict(build_report(rows, period, profile=Profile(segment="smb", funding="bootstrapped"))
                          )["benchmark"]["profile"] == {"segment": "smb", "funding": "bootstrapped", "assumed": False}


def test_the_terminal_names_an_assumed_profile(tmp_path: Path, unconfigured: None) -> None:
    out = terminal("2026-10", "--ledger", str(write_ledger(tmp_path / "ledger.csv", "9996")))
    assert f"GRR is healthy (90%+).\n{ASSUMED}\nSource: 2026 SaaS NRR benchmarks by customer segment\n" in out
    data = json.loads(terminal("2026-10", "--json", "--ledger", str(tmp_path / "ledger.csv")))
    assert data["benchmark"]["profile"] == {"segment": "mid-market", "funding": "vc", "assumed": True}


def test_a_configured_profile_is_not_called_assumed(tmp_path: Path) -> None:
    config = tmp_path / "nrr.toml"
    config.write_text(f'[ledger]\nsource = "{write_ledger(tmp_path / "ledger.csv", "9996")}"\n'
                      '[company]\nsegment = "mid-market"\nfunding = "vc"\n')
    out = terminal("2026-10", "--config", str(config))
    # the funding the profile names is compared too, with its own source
    assert ("GRR is healthy (90%+).\nVC-backed median 106% (+4.0 pts); source: 2026 SaaS NRR benchmarks, "
            "VC-backed overall.\nSource: 2026 SaaS NRR benchmarks by customer segment\n") in out
    assert "Compared as" not in out
    data = json.loads(terminal("2026-10", "--json", "--config", str(config)))
    assert data["benchmark"]["profile"] == {"segment": "mid-market", "funding": "vc", "assumed": False}


def test_an_nrr_toml_without_company_is_compared_as_the_assumed_default(tmp_path: Path) -> None:
    config = tmp_path / "nrr.toml"
    config.write_text(f'[ledger]\nsource = "{write_ledger(tmp_path / "ledger.csv", "9996")}"\n')
    assert ASSUMED in terminal("2026-10", "--config", str(config))


def test_slack_names_an_assumed_profile() -> None:
    digest = build_digest(ledger(*year_to_october("9996")), Month(2026, 10))
    assert f"{STRONG_LINE} {ASSUMED}" in blocks_to_text(digest_blocks(digest, ("benchmark",)))


def test_the_addon_names_an_assumed_profile(unconfigured: None, addon_url: tuple[str, str]) -> None:
    widgets = homepage_widgets(addon_url)
    at = next(i for i, w in enumerate(widgets) if w.get("decoratedText", {}).get("topLabel") == "Benchmark")
    assert widgets[at + 1] == {"textParagraph": {"text": ASSUMED}}


def test_a_yen_ledgers_json_names_no_stage_its_dollars_would_pick(tmp_path: Path) -> None:
    path = tmp_path / "yen.csv"
    months = [f"{m.year}-{m.month:02d}" for m in (Month(2026, 1) + i for i in range(12))]
    path.write_text("Month,MRR (Start of Period),Expanded MRR,Churned MRR,Downgraded MRR\n" + "".join(
        f'{m},"¥20,000,000","¥300,000","¥100,000",¥0\n' for m in months), encoding="utf-8")
    found = json.loads(terminal("ttm", "--json", "--ledger", str(path)))
    assert found["currency"] == "JPY" and found["benchmark"]["stage"] is None
    dollars = path.with_name("usd.csv")
    dollars.write_text(path.read_text(encoding="utf-8").replace("¥", "$"), encoding="utf-8")
    assert json.loads(terminal("ttm", "--json", "--ledger", str(dollars)))["benchmark"]["stage"] == "scale"
