"""What ``nrr doctor`` asks Slack: is the token valid, which scopes it has, is the bot in each channel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

#: The bot scopes nrr uses (deploy/slack/manifest.yml declares the same).
NEEDED_SCOPES = ("commands", "chat:write", "files:write", "users:read", "usergroups:read", "channels:read",
                 "groups:read", "channels:join")


class Finding(NamedTuple):
    """One line of ``nrr doctor``: what was checked, whether it is fine, what was seen, the fix."""

    check: str
    ok: bool
    detail: str
    fix: str = ""


def check_slack(client: WebClient, channels: Sequence[tuple[str, str]]) -> list[Finding]:
    """The token (``auth.test``) and its scopes (the ``x-oauth-scopes`` header), then each channel in
    ``channels`` (id, label): is the bot a member."""
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "") if hasattr(exc.response, "get") else str(exc)
        return [Finding("slack token", False, f"auth.test answered {error}",
                        "reinstall the app (OAuth & Permissions) and set SLACK_BOT_TOKEN to its bot token")]
    except OSError as exc:
        return [Finding("slack token", False, f"Slack could not be reached ({type(exc).__name__})",
                        "check the network, or SLACK_API_URL")]
    found = [Finding("slack token", True, f"valid: bot {response.get('user', '?')} in {response.get('team', '?')}")]
    header = next((v for k, v in (response.headers or {}).items() if k.lower() == "x-oauth-scopes"), "")
    has = {s.strip() for s in (header if isinstance(header, str) else ",".join(header)).split(",") if s.strip()}
    missing = [s for s in NEEDED_SCOPES if s not in has]
    detail = f"has {', '.join(sorted(has)) or 'none'}" + (f"; lacks {', '.join(missing)}" if missing else "")
    found.append(Finding("slack scopes", not missing, detail,
                         "add the missing scopes (or recreate the app from deploy/slack/manifest.yml) and reinstall"
                         if missing else ""))
    for channel, label in channels:
        try:
            info = client.conversations_info(channel=channel).get("channel") or {}
        except SlackApiError as exc:
            error = exc.response.get("error", "") if hasattr(exc.response, "get") else str(exc)
            found.append(Finding(f"channel {label}", False, f"conversations.info answered {error}",
                                 f"check the channel id, and invite the bot: /invite @nrr in {label}"))
            continue
        member = bool(info.get("is_member"))
        found.append(Finding(f"channel {label}", member, "the bot is a member" if member else "the bot is not in it",
                             "" if member else f"invite the bot: /invite @nrr in {label}"))
    return found
