"""/nrr forecast through the real Bolt app over HTTP against the Slack fake, and the grammar it adds."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import parse_query
from engine import Forecast, Month, QueryError
from nrr.runtime import Runtime
from nrr.server import build_server
from tests.fakes.servers import serve
from tests.fakes.slack_api import FakeSlack
from tests.test_bot import NOW, Stack, settings, slack_env
from tests.test_bot_customers import ask, stack

__all__ = ["stack"]  # the fixture, shared with the customer-table tests


@pytest.mark.parametrize(("text", "months", "target"), [
    ("forecast", 12, None),
    ("forecast 6", 6, None),
    ("Forecast 24 months", 24, None),
    ("forecast target $2M by Dec 2027", 12, ("$2M", "Dec 2027")),
    ("forecast 18 months target 2,000,000 by 2027-12", 18, ("2,000,000", "2027-12")),
])
def test_the_forecast_grammar(text: str, months: int, target: tuple[str, str] | None) -> None:
    forecast = parse_query(text).forecast
    assert forecast is not None and (forecast.months, forecast.target) == (months, target)


@pytest.mark.parametrize(("text", "message"), [
    ("forecast 0", "`/nrr forecast` projects 1 to 120 months ahead, not 0: try `/nrr forecast 12 months`."),
    ("forecast target $2M", "A target needs an amount and a month: `/nrr forecast target $2M by Dec 2027`."),
    ("forecast soon", "'soon' is not part of a forecast I know: `/nrr forecast [12 months] [target $2M by Dec "
                      "2027]`."),
])
def test_a_forecast_the_grammar_does_not_know_is_said(text: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("text", ["last-quarter", "ttm grr", "movers Q2 2026", "ttm by segment", "cohorts"])
def test_other_queries_parse_as_before(text: str) -> None:
    assert parse_query(text).forecast is None


def test_forecast_answers_the_projection_its_method_band_and_target(stack: Stack) -> None:
    answer = ask(stack, "forecast 3 months target $5k by Dec 2026")
    blocks = answer["blocks"]
    assert blocks[0]["text"]["text"].startswith(
        ":crystal_ball: *Projection of today's customers' MRR from October 2026: $2,030 from 4 customers, ")
    table = blocks[1]["text"]["text"]
    assert table.startswith("```Month               MRR           Low          High\nNov 2026 ")
    assert len(table.splitlines()) == 4
    assert blocks[2]["text"]["text"].startswith("Target $5,000 MRR by December 2026: today's customers are projected")
    method, band = (e["text"] for e in blocks[3]["elements"])
    assert method.startswith("Projection: each of the 4 customers paying in October 2026 keeps what it pays then")
    assert band.startswith("Band: 95% of the spread from 100 resamplings")
    assert answer["text"].startswith("Projection of today's customers' MRR from October 2026")


def test_forecast_names_from_the_sheet_stay_text(stack: Stack) -> None:
    blocks = ask(stack, "forecast")["blocks"]
    assert all("<!channel>" not in str(b) for b in blocks)


def test_a_forecast_on_a_seven_column_ledger_says_what_table_it_needs(tmp_path: Path) -> None:
    from tests.helpers import EXAMPLE_LEDGER

    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(EXAMPLE_LEDGER), tmp_path), env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            text = ask(Stack(slack, url, runtime), "forecast")["blocks"][0]["text"]["text"]
    assert text == (":x: A forecast needs a customer table (Customer, Month, MRR: one figure per customer per month): "
                    "a seven-column ledger holds month totals only, so it cannot tell new customers from old, and new "
                    "ones churn early. Connect a customer tab (`/nrr connect`): see the README's Customer tables.")


def test_a_forecast_is_worked_out_once_per_read_of_the_ledger(stack: Stack) -> None:
    ask(stack, "forecast")
    kept = stack.runtime.cells().memo(("forecast", stack.runtime.today(), 12, None), lambda: None)
    assert isinstance(kept, Forecast) and kept.as_of == Month(2026, 10)
