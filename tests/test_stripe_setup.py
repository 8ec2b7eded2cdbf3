"""``/nrr connect stripe`` through the real Bolt app over HTTP, against the Slack fake and the Stripe emulator,
and ``nrr doctor``'s Stripe line."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rich.console import Console

from nrr.cli import main
from nrr.config import LedgerSettings, Settings, SlackSettings, StateSettings
from nrr.runtime import Runtime
from nrr.server import build_server
from tests.fakes.servers import serve
from tests.fakes.slack_api import FakeSlack
from tests.fakes.stripe_api import NO_INVOICES_KEY, RESTRICTED_KEY, SECRET_KEY, FakeStripe
from tests.helpers import EXAMPLE_LEDGER
from tests.test_bot import Stack, slack_env
from tests.test_stripe_cli import NOW, example_account

ADMIN, MEMBER = "U0ADMIN", "U0ANA"


class World:
    def __init__(self, stack: Stack, runtime: Runtime, stripe: FakeStripe) -> None:
        self.stack, self.runtime, self.stripe = stack, runtime, stripe

    def say(self, text: str, user: str = ADMIN) -> str:
        self.stack.sent += 1
        name = f"stripe{self.stack.sent}"
        body = {"token": "legacy", "team_id": "T0ACME", "team_domain": "acme", "channel_id": "C0REVENUE",
                "channel_name": "revenue", "user_id": user, "user_name": "someone", "command": "/nrr",
                "text": text, "api_app_id": "A0NRR", "response_url": self.stack.slack.response_url(name),
                "trigger_id": "1.2.3"}
        assert self.stack.post(urlencode(body)).status_code == 200
        return str(self.stack.answer(f"/response/{name}")["text"])


def make_world(tmp_path: Path, key: str) -> Iterator[World]:
    with FakeSlack() as slack, FakeStripe(example_account()) as stripe:
        slack.users = {ADMIN: {"is_admin": True, "tz": "UTC"}, MEMBER: {"tz": "UTC"}}
        env = slack_env(slack, STRIPE_API_KEY=key, STRIPE_API_BASE=stripe.url)
        settings = Settings(ledger=LedgerSettings(source=str(EXAMPLE_LEDGER)), slack=SlackSettings(),
                            state=StateSettings(url=f"sqlite:///{tmp_path / 'state.db'}"))
        runtime = Runtime(_file=settings, env=env, clock=lambda: NOW, sleep=lambda _: None)
        with serve(build_server(runtime).app) as url:
            yield World(Stack(slack, url, runtime), runtime, stripe)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path, SECRET_KEY)


def test_an_admin_connects_stripe_and_answers_read_it(world: World) -> None:
    assert world.say("connect stripe") == (
        "Connected the workspace to Stripe. Stripe account Acme Analytics, Inc., test mode: 30 invoices, "
        "5 customers, January 2025 to February 2026 (14 months). Answers, digests and alerts now read it.")
    assert world.runtime.ledger_spec == "stripe"
    assert world.say("ttm").startswith("Trailing 12 months")
    assert "80.0%" in world.say("ttm")


def test_a_member_cannot_connect_stripe_and_nothing_is_read(world: World) -> None:
    answer = world.say("connect stripe", user=MEMBER)
    assert answer.startswith("Only workspace admins and owners")
    assert world.stripe.total == 0 and world.runtime.ledger_spec == str(EXAMPLE_LEDGER)


def test_a_key_typed_into_slack_is_never_taken(world: World) -> None:
    answer = world.say("connect sk_live_51TypedIntoSlack0000")
    assert answer.endswith("Nothing changed.") and world.stripe.total == 0


@pytest.fixture
def no_invoices(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path, NO_INVOICES_KEY)


def test_a_key_without_invoice_access_names_the_permission(no_invoices: World) -> None:
    said = no_invoices.say("connect stripe").replace("\u2060", "").replace("&gt;", ">")  # Slack's plain text
    assert said == (  # the variable's name in code, copied as typed (no word joiners between its words)
        "`STRIPE_API_KEY` cannot read what nrr needs: Stripe says it lacks Invoices: Read (rak_invoice_read). Edit "
        "the restricted key in the Dashboard (Developers > API keys) and give it Invoices: Read. Nothing changed.")
    assert no_invoices.runtime.ledger_spec == str(EXAMPLE_LEDGER)


def doctor(env: dict[str, str]) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = main(["doctor", "--ledger", str(EXAMPLE_LEDGER)], env=env, clock=lambda: NOW,
                stdout=Console(file=out, width=200), stderr=Console(file=io.StringIO()))
    return code, [line for line in out.getvalue().splitlines() if line.split(" ", 1)[1].lstrip().startswith("stripe")]


@pytest.mark.parametrize(("key", "ok", "line"), [
    (RESTRICTED_KEY, True, "ok   stripe: a restricted key in test mode; it reads invoices and customers"),
    (SECRET_KEY, True, "ok   stripe: a secret key in test mode; it reads invoices and customers (a restricted key "
                       "with Invoices: Read and Customers: Read is enough)"),
    (NO_INVOICES_KEY, False, "FAIL stripe: STRIPE_API_KEY cannot read what nrr needs: Stripe says it lacks Invoices: "
                             "Read (rak_invoice_read). Edit the restricted key in the Dashboard (Developers > API "
                             "keys) and give it Invoices: Read."),
    ("rk_live_51Revoked0000000000000", False, "FAIL stripe: Stripe refused STRIPE_API_KEY (Invalid API Key "
                                               "provided): the key is wrong, revoked or expired. Create a new "
                                               "restricted key (Invoices: Read, Customers: Read) in the Dashboard "
                                               "and set STRIPE_API_KEY to it."),
])
def test_doctor_checks_the_key_its_mode_and_read_access(tmp_path: Path, key: str, ok: bool, line: str) -> None:
    with FakeStripe(example_account()) as stripe:
        _, lines = doctor({"STRIPE_API_KEY": key, "STRIPE_API_BASE": stripe.url,
                           "NRR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}"})
        assert stripe.counts.get("GET /v1/invoices", 0) <= 1  # a look, not a sync
    assert lines == [line]
    del ok


def test_doctor_says_nothing_of_stripe_when_it_is_not_used(tmp_path: Path) -> None:
    assert doctor({"NRR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}"})[1] == []


def test_fill_from_stripe_writes_the_derived_ledger_to_the_template_tab(tmp_path: Path) -> None:
    import json

    from tests.fakes.google_api import FakeGoogle

    with FakeGoogle() as google, FakeStripe(example_account()) as stripe:
        google.add_spreadsheet("1StripeHub000000000000000", {"Notes": [["kept by hand"]]})
        env = {"STRIPE_API_KEY": SECRET_KEY, "STRIPE_API_BASE": stripe.url,
               "NRR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}",
               "GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info()), "SHEETS_API_URL": google.url}

        def fill() -> list[str]:
            out = io.StringIO()
            code = main(["fill", "--from", "stripe", "--ledger", "gsheet:1StripeHub000000000000000"], env=env,
                        clock=lambda: NOW, stdout=Console(file=out, width=200), stderr=Console(file=out, width=200))
            assert code == 0, out.getvalue()
            return out.getvalue().splitlines()

        first = fill()
        assert first.pop(0) == "'Stripe customers': created with 4 rows."
        book = google.spreadsheets["1StripeHub000000000000000"]
        customers = book.sheet("Stripe customers")
        assert [customers.cell(0, c).value for c in range(4)] == ["Customer ID", "Customer", "segment", "2025-01"]
        acme = next(r for r in range(1, 5) if customers.cell(r, 1).value == "Acme Inc")
        assert [customers.cell(acme, c).value for c in (2, 3, 15)] == ["Enterprise", 1000.0, 1200.0]
        out = io.StringIO()
        assert main(["report", "ttm", "--json", "--ledger", "gsheet:1StripeHub000000000000000/Stripe customers"],
                    env=env, clock=lambda: NOW, stdout=Console(file=out), stderr=Console(file=out)) == 0
        assert json.loads(out.getvalue())["nrr_pct"] == 80.0  # the tab reads back as the same customer table
        assert first[0] == ("'Stripe' is billing data (read as invoice lines: 54 lines, 4 customers, 14 months; "
                            "annual plans spread over their months; 1 one-off line and 1 void invoice left out): its "
                            "derived ledger (13 month(s)) goes to a new tab 'NRR' (from the template), one row per "
                            "month.")
        assert "wrote B14 (February 2026): MRR (Start of Period) 2,200.00 (was blank)" in first
        assert "wrote D13 (January 2026): Churned MRR 500.00 (was blank)" in first
        sheet = google.spreadsheets["1StripeHub000000000000000"].sheet("NRR")
        sheet.cell(13, 1).value = 2500.5  # typed by hand into February's Start
        second = fill()
        assert second.pop(0) == "'Stripe customers': already up to date (4 rows)."
        customers.cell(acme, 3).value = 999.0  # a person's edit: the tab is no longer nrr's alone
        assert fill()[0] == ("'Stripe customers': changed since nrr last wrote it; left as it is (--overwrite "
                             "replaces it with the figures).")
        assert customers.cell(acme, 3).value == 999.0
        assert any(line.startswith("refused: B14 (February 2026)") for line in second), second
        assert sheet.cell(13, 1).value == 2500.5  # left as typed
        assert google.spreadsheets["1StripeHub000000000000000"].sheet("Notes").cell(0, 0).value == "kept by hand"
