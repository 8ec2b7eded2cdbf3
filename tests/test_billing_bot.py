"""/nrr on billing data, end to end through the real Bolt app over HTTP against the Slack fake: a subscriptions
table answers as a customer table does, with today's month from the runtime's clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nrr.runtime import Runtime
from nrr.server import build_server
from tests.fakes.servers import serve
from tests.fakes.slack_api import FakeSlack
from tests.helpers import ROOT
from tests.test_bot import NOW, Stack, settings, slack_env, texts

SUBSCRIPTIONS = ROOT / "examples" / "billing" / "subscriptions.csv"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(SUBSCRIPTIONS), tmp_path), env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            yield Stack(slack, url, runtime)


def test_a_subscriptions_table_answers_slack_as_a_customer_table(stack: Stack) -> None:
    # README "Billing data": in March Acme 1,000, Beta 500 (live through 31 March), Cobalt 1,000 (annual); in April
    # Beta has ended and Cobalt's quarterly plan adds 1,000: NRR 3,000 / 2,500, GRR 2,000 / 2,500, 2 of 3 kept
    _, path = stack.command("2026-04 movers")
    blocks = stack.answer(path)["blocks"]
    assert blocks[0]["text"]["text"] == "April 2026: NRR 120.0% · GRR 80.0% · logo retention 66.7%"
    body = texts(blocks)
    assert "*Churned*\\n• Beta LLC: -$500" in body and "*Expanded*\\n• Cobalt Inc: +$1,000" in body
    # a subscription with a blank end is live through the clock's month (November 2026)
    _, path = stack.command("2026-11")
    assert stack.answer(path)["blocks"][0]["text"]["text"].startswith("November 2026 to date: NRR 100.0%")
