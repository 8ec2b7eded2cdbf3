"""The Slack adapter: the /nrr command, the Share button, App Home, and the digests' and alerts'
Block Kit, chart and delivery."""

from bot._adapter import slack_routes
from bot._answers import Answers, BotApp
from bot._app import SlackCredentials, build_slack_app, register
from bot._blocks import Block, blocks_to_text, fit, mrkdwn
from bot._chart import render_chart, render_forecast_chart
from bot._delivery import FIXES, Delivery, SlackRetry
from bot._digest_blocks import (
    alert_blocks,
    alert_fallback,
    digest_blocks,
    digest_text,
    missing_month_text,
    unreadable_ledger_text,
)
from bot._doctor import NEEDED_SCOPES, Finding, check_slack
from bot._errors import DeliveryError, SlackError
from bot._query import SlackQuery, parse_query

__all__ = [
    "FIXES",
    "NEEDED_SCOPES",
    "Answers",
    "Block",
    "BotApp",
    "Delivery",
    "DeliveryError",
    "Finding",
    "SlackCredentials",
    "SlackError",
    "SlackQuery",
    "SlackRetry",
    "alert_blocks",
    "alert_fallback",
    "blocks_to_text",
    "build_slack_app",
    "check_slack",
    "digest_blocks",
    "digest_text",
    "fit",
    "missing_month_text",
    "mrkdwn",
    "parse_query",
    "register",
    "render_chart",
    "render_forecast_chart",
    "slack_routes",
    "unreadable_ledger_text",
]
