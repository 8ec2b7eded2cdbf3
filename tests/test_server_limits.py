"""What ``nrr serve`` takes from a client, on every route it mounts: bodies up to 1 MiB within their
time, headers up to 16 KiB within theirs; more is refused before it costs memory."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nrr.config import AddonSettings, LedgerSettings, Settings, StateSettings
from nrr.runtime import Runtime
from nrr.server import MAX_BODY_BYTES, build_server, uvicorn_options
from tests.fakes.servers import serve
from tests.fakes.slack_api import BOT_TOKEN
from tests.helpers import EXAMPLE_LEDGER, TLS

NOW = dt.datetime(2026, 11, 5, 15, 0, tzinfo=dt.UTC)
TOO_LARGE = "The request body is over 1024 KiB, more than nrr reads; nothing was done."
ADDON = AddonSettings("https://nrr.example.com", "service-1@gcp-sa-gsuiteaddons.iam.gserviceaccount.com",
                      certs_url="http://127.0.0.1:9/certs")  # never fetched: refused before the token is read


def runtime(tmp_path: Path) -> Runtime:
    settings = Settings(ledger=LedgerSettings(source=str(EXAMPLE_LEDGER)),
                        state=StateSettings(f"sqlite:///{tmp_path / 's.db'}"),
                        addon=ADDON)
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "limits-secret",
           "SLACK_API_URL": "http://127.0.0.1:9/api/"}
    return Runtime(_file=settings, env=env, clock=lambda: NOW)


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    with serve(build_server(runtime(tmp_path), body_timeout=0.2).app, **uvicorn_options(header_timeout=0.2)) as url:
        yield url


def raw(url: str, data: bytes) -> bytes:
    """Send ``data`` on a new connection and read until the server closes it."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(data)
        received = b""
        while chunk := s.recv(65536):
            received += chunk
        return received


@pytest.mark.parametrize("path", ["/slack/events", "/addon/validate", "/addon/homepage", "/healthz", "/nowhere"])
def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(url: str, path: str) -> None:
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {100 * 1024 * 1024}\r\n\r\n").encode()
    answer = raw(url, head + b"x" * 1000)  # the rest never sent: the answer comes without it
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(TOO_LARGE.encode())


def test_a_streamed_body_is_counted_and_refused_once_past_the_limit(url: str) -> None:
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(100):  # 100 MiB offered, without a Content-Length
            sent += 1
            yield b"x" * (1024 * 1024)

    try:
        response = httpx.post(f"{url}/slack/events", content=body(), trust_env=False, timeout=30, verify=TLS)
        assert (response.status_code, response.text) == (413, TOO_LARGE)
    except httpx.WriteError:
        pass  # closed while the client was still writing: the refusal is all it gets
    assert sent < 100


def test_a_body_at_the_limit_reaches_the_app(url: str) -> None:
    response = httpx.post(f"{url}/slack/events", content=b"x" * MAX_BODY_BYTES, trust_env=False, timeout=30,
                          verify=TLS)
    assert response.status_code == 401  # Bolt's answer to a body without Slack's signature


def test_a_body_that_stops_arriving_gets_408(url: str) -> None:
    answer = raw(url, b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + b"x" * 10)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert answer.endswith(b"The request body did not arrive within 0.2 seconds; nothing was done.")


def test_a_content_length_that_is_not_a_number_gets_400(url: str) -> None:
    answer = raw(url, b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1e9\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ")


def test_headers_that_never_finish_are_cut_off(url: str) -> None:
    assert raw(url, b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slow: ") == b""  # closed, no answer
    assert raw(url, b"") == b""  # a connection that sends nothing


def test_headers_over_16_kib_are_refused(url: str) -> None:
    answer = raw(url, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (17 * 1024))  # and more to come
    assert answer.startswith(b"HTTP/1.1 400 ")


def test_requests_on_a_kept_alive_connection_are_served(url: str) -> None:
    with httpx.Client(trust_env=False, timeout=10, verify=TLS) as client:
        assert [client.get(f"{url}/healthz").status_code for _ in range(3)] == [200, 200, 200]
