"""The Slack adapter: the /nrr command, the Share button, App Home; digests and alerts later."""

from bot._adapter import slack_routes
from bot._answers import Answers
from bot._app import SlackSecrets, build_slack_app, register, slack_secrets
from bot._query import SlackQuery, parse_query

__all__ = ["Answers", "SlackQuery", "SlackSecrets", "build_slack_app", "parse_query", "register",
           "slack_routes", "slack_secrets"]
