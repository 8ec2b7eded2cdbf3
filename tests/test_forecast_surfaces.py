"""The forecast where nrr already speaks: the digest's ``forecast`` part, the App Home line, and the chart."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest

from bot import blocks_to_text, digest_blocks, render_chart, render_forecast_chart
from engine import Month, Profile, build_digest, build_forecast, read_ledger
from nrr import load_settings
from nrr.config import INCLUDES
from tests.helpers import ROOT
from tests.test_bot import Stack, texts
from tests.test_bot_customers import stack
from tests.test_customer_digest import OCT, table

__all__ = ["stack"]  # the fixture, shared with the customer-table tests
PNG = b"\x89PNG\r\n\x1a\n"


def test_the_forecast_part_is_in_a_digest_only_when_include_names_it() -> None:
    digest = build_digest(read_ledger(table()), OCT)  # type: ignore[arg-type]
    assert "Projection" not in blocks_to_text(digest_blocks(digest, INCLUDES))
    out = blocks_to_text(digest_blocks(digest, (*INCLUDES, "forecast")))
    # October 2026's customers pay 2,060; a year on, the engine's line says where they are headed
    assert ":crystal_ball: *Projection* October 2027: today's customers are projected to pay $" in out
    assert ", from $2,060 in October 2026." in out
    assert ("Today's customers only, no new business. `/nrr forecast` for the months, the method and the band."
            in out)


def test_a_digest_of_a_seven_column_ledger_has_no_forecast_part() -> None:
    from tests.helpers import EXAMPLE_LEDGER

    rows = list(csv.reader(EXAMPLE_LEDGER.read_text().splitlines()))
    ledger = read_ledger(rows)
    digest = build_digest(ledger, Month(2026, 9))
    assert digest.forecast is None
    assert "Projection" not in blocks_to_text(digest_blocks(digest, (*INCLUDES, "forecast")))


def test_include_takes_forecast_but_does_not_add_it_by_default(tmp_path: Path) -> None:
    config = tmp_path / "nrr.toml"
    config.write_text('[[digests]]\nchannel = "C0REVENUE1"\n')
    (schedule,) = load_settings(str(config), {}, cwd=tmp_path).digests
    assert "forecast" not in schedule.include
    config.write_text('[[digests]]\nchannel = "C0REVENUE1"\ninclude = ["month", "forecast"]\n')
    (schedule,) = load_settings(str(config), {}, cwd=tmp_path).digests
    assert schedule.include == ("month", "forecast")


def test_the_app_home_has_the_forecast_line(stack: Stack) -> None:
    event = {"type": "event_callback", "team_id": "T0ACME", "api_app_id": "A0NRR", "event_id": "Ev1",
             "event_time": int(time.time()),
             "event": {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "home",
                       "event_ts": "1763800000.2"}}
    assert stack.post(json.dumps(event), content_type="application/json").status_code == 200
    assert stack.slack.wait_for(lambda: stack.slack.counts["views.publish"] == 1)
    published = stack.slack.posts("views.publish")[0]
    view = published["view"] if isinstance(published["view"], dict) else json.loads(published["view"])
    body = texts(view["blocks"])
    assert ":crystal_ball: *Projection* October 2027: today's customers are projected to pay $" in body
    assert ", from $2,030 in October 2026." in body
    assert "<!channel>" not in body


def test_the_chart_draws_the_projection_and_its_band() -> None:
    forecast = build_forecast(read_ledger(table()).customers, OCT)  # type: ignore[arg-type]
    alone = render_forecast_chart(forecast, "Projection from October 2026")
    assert alone.startswith(PNG)
    digest = build_digest(read_ledger(table()), OCT)  # type: ignore[arg-type]
    both = render_chart(digest.series, Profile(), "Trailing-12-month NRR and GRR to October 2026", forecast)
    plain = render_chart(digest.series, Profile(), "Trailing-12-month NRR and GRR to October 2026")
    assert both.startswith(PNG) and plain.startswith(PNG)
    assert _height(both) > _height(plain)  # a second panel below the NRR and GRR


def _height(png: bytes) -> int:
    return int.from_bytes(png[20:24], "big")


def test_a_digest_that_includes_the_forecast_posts_its_line_and_a_chart_with_the_projection(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
    from tests.test_digest_cli import run as run_digest

    customers = ROOT / "examples" / "customers.csv"
    config = tmp_path / "nrr.toml"
    config.write_text(f'[ledger]\nsource = "{customers}"\n\n[[digests]]\nchannel = "C0REVENUE1"\n'
                      'include = ["month", "forecast", "chart"]\n\n[[digests]]\nchannel = "C0BOARDROOM"\n'
                      'include = ["month", "chart"]\n')
    monkeypatch.chdir(tmp_path)
    with FakeSlack() as slack:
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url,
               "NRR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}"}
        code, _out, err = run_digest("digest", "--config", str(config), "--channel", "C0REVENUE1", "--month",
                                    "2026-10", env=env)
        assert (code, err) == (0, "")
        (digest,) = [p for p in slack.posts("chat.postMessage") if p["text"].startswith("NRR digest")]
        assert ":crystal_ball: *Projection* October 2027: today's customers are projected to pay $" in str(digest)
        assert slack.counts["files.completeUploadExternal"] == 1
    for channel in ("C0REVENUE1", "C0BOARDROOM"):
        code, _out, err = run_digest("digest", "--config", str(config), "--channel", channel, "--month", "2026-10",
                                    "--dry-run", env={})
        assert (code, err) == (0, "")
    with_forecast = (tmp_path / "nrr-digest-C0REVENUE1-2026-10.png").read_bytes()
    without = (tmp_path / "nrr-digest-C0BOARDROOM-2026-10.png").read_bytes()
    assert _height(with_forecast) > _height(without)
