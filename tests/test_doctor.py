"""nrr doctor: one line per check, the fix on each failing line, exit 1 when any fails; through the real
Slack and Google clients against the fakes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes.google_api import SERVICE_ACCOUNT, FakeGoogle
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.helpers import EXAMPLE_LEDGER, HEADER, ROOT
from tests.test_cli import run

CONFIG = """
[ledger]
source = "gsheet:1DoctorSheet00000000000/Ledger"
[[digests]]
channel = "C0REVENUE1"
name = "revenue"
timezone = "Asia/Tokyo"
[alerts]
channel = "C0ALERTS01"
name = "revenue-alerts"
"""


def setup(tmp_path: Path, slack: FakeSlack, google: FakeGoogle) -> tuple[list[str], dict[str, str]]:
    google.add_spreadsheet("1DoctorSheet00000000000", {"Ledger": [HEADER[:5], ["2026-09", "100", "0", "0", "0"],
                                                                   ["2026-10", "100", "0", "0", "0"]]})
    config = tmp_path / "nrr.toml"
    config.write_text(CONFIG)
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "shh", "SLACK_API_URL": slack.api_url,
           "GOOGLE_SERVICE_ACCOUNT_JSON": json.dumps(google.key_info()), "SHEETS_API_URL": google.url,
           "NRR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}"}
    return ["doctor", "--config", str(config)], env


def test_a_healthy_installation_passes_every_check(tmp_path: Path) -> None:
    with FakeSlack() as slack, FakeGoogle() as google:
        args, env = setup(tmp_path, slack, google)
        code, out, err = run(*args, env=env)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"ok   config: {tmp_path / 'nrr.toml'} parses",
        f"ok   state database: none yet at sqlite:///{tmp_path / 'state.db'}: it is created on first use (nrr serve, "
        "nrr digest)",
        f"ok   ledger: gsheet:1DoctorSheet00000000000/Ledger read by {SERVICE_ACCOUNT}: 2 months, latest October "
        "2026, 0 warning(s)",
        "ok   slack secrets: SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set",
        "ok   slack token: valid: bot nrr in Acme",
        "ok   slack scopes: has channels:join, channels:read, chat:write, commands, files:write, groups:read, "
        "usergroups:read, users:read",
        "ok   channel #revenue: the bot is a member",
        "ok   channel #revenue-alerts: the bot is a member",
        "ok   digest #revenue: next Wed 2 Dec 2026, 09:00 JST (Asia/Tokyo)",
        "ok   add-on: not configured: [addon] endpoint_url and service_account are unset, so the add-on is not served",
    ]


def test_each_failure_has_its_fix_and_the_exit_is_1(tmp_path: Path) -> None:
    with FakeSlack() as slack, FakeGoogle() as google:
        args, env = setup(tmp_path, slack, google)
        slack.scopes.remove("users:read")
        slack.member_of.discard("C0ALERTS01")
        google.spreadsheets["1DoctorSheet00000000000"].shared_with = set()
        code, out, _ = run(*args, "--json", env=env)
    assert code == 1
    failed = {f["check"]: f for f in json.loads(out) if not f["ok"]}
    assert set(failed) == {"ledger", "slack scopes", "channel #revenue-alerts"}
    assert failed["ledger"]["detail"].startswith(f"Share the sheet with {SERVICE_ACCOUNT}")
    assert failed["slack scopes"]["detail"].endswith("; lacks users:read")
    assert failed["slack scopes"]["fix"] == ("add the missing scopes (or recreate the app from "
                                             "deploy/slack/manifest.yml) and reinstall")
    assert failed["channel #revenue-alerts"]["fix"] == "invite the bot: /invite @nrr in #revenue-alerts"


def test_a_broken_config_is_the_first_failing_line(tmp_path: Path) -> None:
    config = tmp_path / "nrr.toml"
    config.write_text("[ledger]\nsorce = 'x'\n")
    code, out, _ = run("doctor", "--config", str(config), "--ledger", str(EXAMPLE_LEDGER))
    assert code == 1
    assert out.startswith(f"FAIL config: {config}: unknown key [ledger] sorce. Did you mean 'source'?")


def test_a_state_database_out_of_reach_is_a_failing_line_not_a_traceback() -> None:
    code, out, err = run("doctor", "--ledger", str(EXAMPLE_LEDGER),
                         env={"NRR_STATE_URL": "postgresql+psycopg://nrr@127.0.0.1:1/nrr"})
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[1].startswith("FAIL state database: The state database postgresql+psycopg://nrr@127.0.0.1:1/nrr "
                               "cannot be opened")
    assert lines[2].startswith("ok   ledger: ")  # the other checks still run, on nrr.toml alone


def test_an_old_schema_is_upgraded_by_nrr_and_only_reported_by_the_doctor(tmp_path: Path) -> None:
    from nrr.state import SCHEMA_VERSION, StateStore

    url = f"sqlite:///{tmp_path / 'state.db'}"
    StateStore(url).set_value("schema-version", 1)  # a database from before subscriptions
    code, out, _ = run("doctor", "--ledger", str(EXAMPLE_LEDGER), env={"NRR_STATE_URL": url})
    assert code == 1 and f"FAIL state database: schema 1, nrr needs {SCHEMA_VERSION}" in out
    assert StateStore(url, upgrade=False).schema_version() == 1  # the doctor changed nothing
    assert StateStore(url).schema_version() == SCHEMA_VERSION  # nrr itself upgrades it


EXAMPLE_CUSTOMERS = ROOT / "examples" / "customers.csv"


def test_a_customer_tables_months_are_counted_as_nrr_validate_counts_them(tmp_path: Path) -> None:
    # the doctor said 24 months of a 25-month table (its derived ledger's rows), and a database table was "read by
    # nrr's own process (a file)" (a fresh-eyes try)
    import duckdb

    _, out, _ = run("doctor", "--ledger", str(EXAMPLE_CUSTOMERS))
    _, said, _ = run("validate", "--ledger", str(EXAMPLE_CUSTOMERS))
    months = said.split(" customers, ")[1].split(" (")[0]
    line = next(x for x in out.splitlines() if "ledger:" in x)
    assert f"read by nrr's own process (a file): {months}, latest" in line, (line, said)
    path = tmp_path / "t.duckdb"
    with duckdb.connect(str(path)) as db:
        db.execute(f"CREATE TABLE mrr AS SELECT * FROM read_csv('{EXAMPLE_CUSTOMERS}', all_varchar=true)")
    _, out, _ = run("doctor", "--ledger", f"{path}#mrr")
    line = next(x for x in out.splitlines() if "ledger:" in x)
    assert f"read by its database (answered in SQL): {months}, latest" in line, line


def test_a_sqlite_state_database_in_a_directory_that_does_not_exist_fails(tmp_path: Path) -> None:
    # "none yet ... created on first use" passed, and nrr digest and the scheduler then could not open it (a tester's
    # run)
    missing = tmp_path / "no-such-dir" / "state.db"
    code, out, err = run("doctor", "--ledger", str(EXAMPLE_LEDGER), env={"NRR_STATE_URL": f"sqlite:///{missing}"})
    assert code == 1 and err == ""
    assert out.splitlines()[1] == (f"FAIL state database: sqlite:///{missing}: the directory {missing.parent} does "
                                   "not exist, so the database cannot be created there -> fix: create the directory, "
                                   "or set [state] url or NRR_STATE_URL to a path in one that exists")


def test_nrr_in_the_terminal_alone_passes_without_slack() -> None:
    # with no nrr.toml and no Slack variables, doctor failed "SLACK_BOT_TOKEN is not set" (a newcomer's try): with
    # nothing to post, no token is no failure; with a digest configured it still is
    code, out, _ = run("doctor", "--ledger", str(EXAMPLE_LEDGER), env={"NRR_CONFIG": ""})
    assert code == 0 and "ok   slack: not set up" in out, out
