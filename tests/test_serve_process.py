"""``nrr serve`` as a real process: configured only through its flags and environment, as it runs."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.fakes.slack_socket import FakeSocketMode
from tests.helpers import EXAMPLE_LEDGER, ROOT, TLS, wait_until_healthy

SECRET = "process-signing-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: object) -> Iterator[tuple[str, FakeSlack]]:
    with FakeSlack() as slack:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NRR_", "GOOGLE_"))}
        env |= {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
                "NRR_STATE_URL": f"sqlite:///{tmp_path}/state.db"}
        process = subprocess.Popen(
            [sys.executable, "-m", "nrr", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--ledger", str(EXAMPLE_LEDGER)],
            cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(url, process, 30)
            yield url, slack
        finally:
            process.terminate()
            process.wait(timeout=10)
            if process.stdout:
                process.stdout.close()


def test_nrr_serve_answers_a_signed_slash_command(served: tuple[str, FakeSlack]) -> None:
    url, slack = served
    body = urlencode({"command": "/nrr", "text": "last-quarter", "user_id": "U1", "channel_id": "C1",
                      "team_id": "T1", "response_url": slack.response_url("proc1")})
    ts = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    response = httpx.post(f"{url}/slack/events", content=body, trust_env=False, timeout=10, verify=TLS, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature})
    assert response.status_code == 200
    assert slack.wait_for(lambda: bool(slack.responses), timeout=20)
    (path, answer), = slack.responses
    assert path == "/response/proc1"
    assert answer["blocks"][0]["text"]["text"].startswith("Q3 2026: NRR")
    unsigned = httpx.post(f"{url}/slack/events", content=body, trust_env=False, timeout=10, verify=TLS,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert unsigned.status_code == 401


def test_nrr_serve_runs_the_scheduler_though_nrr_toml_names_no_digest_or_alert_channel(
        served: tuple[str, FakeSlack], tmp_path: object) -> None:
    import contextlib
    import sqlite3

    deadline = time.monotonic() + 20
    holders: list[tuple[str]] = []
    while not holders and time.monotonic() < deadline:  # the process's first tick takes the scheduler lease
        with sqlite3.connect(f"{tmp_path}/state.db") as db, contextlib.suppress(sqlite3.OperationalError):
            holders = db.execute("SELECT name FROM nrr_leases").fetchall()  # OperationalError: no table yet
        time.sleep(0.1)
    assert holders == [("scheduler",)]


def test_the_package_runs_as_a_module() -> None:
    done = subprocess.run([sys.executable, "-m", "nrr", "report", "--ledger", str(EXAMPLE_LEDGER), "--today",
                           "2026-11-05", "--json"], capture_output=True, text=True, cwd=str(ROOT), check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["period"]["label"] == "October 2026"  # all of it, flushed before the fast exit
    missing = subprocess.run([sys.executable, "-m", "nrr", "report", "--ledger", "no-such.csv"], capture_output=True,
                             text=True, cwd=str(ROOT), check=False)
    assert missing.returncode == 1
    assert "no-such.csv: no such ledger file" in missing.stderr


def test_nrr_serve_socket_mode_connects_answers_and_stops(tmp_path: object) -> None:
    with FakeSocketMode() as socket_mode, FakeSlack(socket_link=socket_mode.link) as slack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NRR_", "GOOGLE_"))}
        env |= {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_API_URL": slack.api_url,
                "NRR_STATE_URL": f"sqlite:///{tmp_path}/state.db"}
        process = subprocess.Popen(
            [sys.executable, "-m", "nrr", "serve", "--socket-mode", "--host", "127.0.0.1", "--port", str(free_port()),
             "--ledger", str(EXAMPLE_LEDGER)],
            cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            assert socket_mode.wait_for(lambda: socket_mode.open_connections == 1, timeout=30), "no socket"
            envelope_id = socket_mode.send_command("last-quarter", slack.response_url("sock1"))
            assert socket_mode.wait_for(lambda: envelope_id in socket_mode.acks, timeout=3), "no ack"
            assert slack.wait_for(lambda: bool(slack.responses), timeout=20), "no answer"
            (path, answer), = slack.responses
            assert (path, answer["text"]) == ("/response/sock1", "Q3 2026: NRR 98.7% · GRR 91.7%")
            assert slack.tokens["apps.connections.open"] == {APP_TOKEN}
            process.terminate()
            output, _ = process.communicate(timeout=10)  # stops on SIGTERM; the socket goes with it
            assert "nrr: connected to Slack over Socket Mode" in output
            assert socket_mode.wait_for(lambda: socket_mode.open_connections == 0)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()


def test_a_port_nrr_serve_cannot_listen_on_is_said_in_words_with_exit_1(tmp_path: object) -> None:
    # uvicorn exited 3, undocumented, after "serving on" (fuzz 13)
    with FakeSlack() as slack, socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NRR_", "GOOGLE_"))}
        env |= {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
                "NRR_STATE_URL": f"sqlite:///{tmp_path}/state.db"}
        done = subprocess.run([sys.executable, "-m", "nrr", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--ledger", str(EXAMPLE_LEDGER)], cwd=str(tmp_path), env=env, capture_output=True,
                              text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    assert f"nrr serve could not listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr


RUN_AND_SAY_THE_ALLOCATOR = (
    "import os, sys\nfrom nrr.cli import run\nsys.argv = ['nrr', *sys.argv[1:]]\ntry:\n    run()\nexcept SystemExit:\n"
    "    pass\nprint('allocator:', os.environ.get('_RJEM_MALLOC_CONF'))\n")


@pytest.mark.parametrize(("command", "preset", "expected"), [
    ("serve", None, "dirty_decay_ms:0,muzzy_decay_ms:0"), ("scheduler", None, "dirty_decay_ms:0,muzzy_decay_ms:0"),
    ("digest", None, "None"), ("serve", "background_thread:true", "background_thread:true")])
def test_a_server_has_polars_allocator_give_back_freed_memory_at_once(command: str, preset: str | None,
                                                                     expected: str) -> None:
    # a re-read of a 1,000,000-customer table held the last read's freed pages beside its own: 2.65 GB at the peak
    # (bench/answers.py), 1.90 GB when they are given back; a one-shot command ends instead, and a set value wins
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if preset is not None:
        env["_RJEM_MALLOC_CONF"] = preset
    done = subprocess.run([sys.executable, "-c", RUN_AND_SAY_THE_ALLOCATOR, command, "--help"], env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.stdout.splitlines()[-1] == f"allocator: {expected}", (done.stdout, done.stderr)
