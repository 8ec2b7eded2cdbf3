"""The deployment files say what the code does: the manifest's command, scopes and events, the
image's user and health check, the unit's command."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import ROOT, TLS

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
    assert set(m["oauth_config"]["scopes"]["bot"]) == {"commands", "chat:write", "files:write", "users:read",
                                                       "usergroups:read", "channels:read", "groups:read",
                                                       "channels:join"}
    assert command["should_escape"] is True  # setup commands read channel ids from <#C123|name>
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


def test_the_image_holds_every_package_the_project_installs() -> None:
    """Every package pyproject.toml installs is copied into the build (stripe_source and warehouse had not been:
    the image's nrr could not start), and the kept code of the dataclasses' methods is written there."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {name.rstrip("*") for name in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    text = (DEPLOY / "Dockerfile").read_text()
    copied = {m[1] for m in re.finditer(r"^COPY (\w+) \./\1$", text, re.MULTILINE)}
    assert packages <= copied and packages
    # -P: written into the installed package, which the image keeps, not into /src (the working directory)
    assert "/opt/nrr/bin/python -P -c 'import nrr.classcode; nrr.classcode.write()'" in text


def test_systemd_unit() -> None:
    text = (DEPLOY / "nrr.service").read_text()
    assert "ExecStart=/opt/nrr/bin/nrr serve" in text
    assert "EnvironmentFile=/etc/nrr/env" in text
    # no user to create by hand: a dynamic user, with a state directory that outlives it
    assert "\nDynamicUser=yes\n" in text and "\nStateDirectory=nrr\n" in text and "User=nrr" not in text
    assert "WorkingDirectory=/var/lib/nrr" in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze on this machine")
def test_systemd_accepts_the_unit() -> None:
    result = subprocess.run(["systemd-analyze", "verify", str(DEPLOY / "nrr.service")], capture_output=True,
                            text=True, check=False)
    problems = [line for line in result.stderr.splitlines() if "is not executable" not in line and line.strip()]
    assert problems == []


def test_compose_file_parses_and_has_postgres() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yml").read_text())
    assert set(compose["services"]) == {"nrr", "postgres"}
    nrr = compose["services"]["nrr"]
    assert nrr["depends_on"]["postgres"]["condition"] == "service_healthy"
    # the posting history lives in the compose database, on a volume, not in a file inside the container
    assert nrr["environment"]["NRR_STATE_URL"] == "postgresql+psycopg://nrr:${POSTGRES_PASSWORD:-nrr}@postgres:5432/nrr"
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    assert "pgdata" in compose["volumes"]


def test_the_example_config_loads_and_the_example_env_names_every_secret(tmp_path: Path) -> None:
    from nrr import load_settings

    settings = load_settings(str(DEPLOY / "nrr.toml.example"), {})
    assert settings.ledger.source.startswith("https://docs.google.com/spreadsheets/d/")
    env = (DEPLOY / "nrr.env.example").read_text()
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "GOOGLE_SERVICE_ACCOUNT_JSON",
                 "NRR_STATE_URL"):
        assert name in env


def test_the_addon_logo_is_served_where_the_deployment_says() -> None:
    import json
    from urllib.parse import urlsplit

    import httpx

    from nrr import Runtime, Settings
    from nrr.config import AddonSettings
    from nrr.server import build_app
    from tests.fakes.servers import serve

    descriptor = json.loads((DEPLOY / "addon" / "deployment.json").read_text())
    path = urlsplit(descriptor["addOns"]["common"]["logoUrl"]).path
    settings = Settings(addon=AddonSettings("https://nrr.example.com",
                                            "service-1@gcp-sa-gsuiteaddons.iam.gserviceaccount.com",
                                            certs_url="https://127.0.0.1:9/certs"))
    with serve(build_app(Runtime(_file=settings, env={}))) as url:
        response = httpx.get(f"{url}{path}", trust_env=False, verify=TLS)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker client on this machine")
def test_docker_compose_config_validates() -> None:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip("the docker client here has no compose plugin")
    result = subprocess.run(["docker", "compose", "-f", str(DEPLOY / "compose.yml"), "config", "--quiet"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
