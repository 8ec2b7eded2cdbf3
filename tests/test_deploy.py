"""The deployment files say what the code does: the manifest's command, scopes and events, the
image's user and health check, the unit's command."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
import yaml

from tests.helpers import ROOT

DEPLOY = ROOT / "deploy"


def manifest(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "slack" / name).read_text())
    return data


@pytest.mark.parametrize("name", ["manifest.yml", "manifest.socket-mode.yml"])
def test_slack_manifests(name: str) -> None:
    m = manifest(name)
    (command,) = m["features"]["slash_commands"]
    assert command["command"] == "/nrr"
    for option in ("grr", "compare", "method=sum"):
        assert option in command["usage_hint"]
    assert set(m["oauth_config"]["scopes"]["bot"]) == {"commands", "chat:write", "files:write"}
    assert m["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    socket = name == "manifest.socket-mode.yml"
    assert m["settings"]["socket_mode_enabled"] is socket
    if not socket:
        urls = {command["url"], m["settings"]["event_subscriptions"]["request_url"],
                m["settings"]["interactivity"]["request_url"]}
        assert urls == {"https://nrr.example.com/slack/events"}


def test_dockerfile_runs_nrr_serve_as_a_non_root_user_with_a_health_check() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text
    assert "\nUSER nrr\n" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'CMD ["nrr", "serve"' in text


def test_systemd_unit() -> None:
    text = (DEPLOY / "nrr.service").read_text()
    assert "ExecStart=/opt/nrr/bin/nrr serve" in text
    assert "EnvironmentFile=/etc/nrr/env" in text and "User=nrr" in text


def test_compose_file_parses_and_has_postgres() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yml").read_text())
    assert set(compose["services"]) == {"nrr", "postgres"}
    assert compose["services"]["nrr"]["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker client on this machine")
def test_docker_compose_config_validates() -> None:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip("the docker client here has no compose plugin")
    result = subprocess.run(["docker", "compose", "-f", str(DEPLOY / "compose.yml"), "config", "--quiet"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
