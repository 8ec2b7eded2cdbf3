"""Posting to channels: slack_sdk's own retry mechanism with our handler, and the fixes table.

Slack's 429 answers are retried after their Retry-After, 5xx answers and dropped connections
with exponential backoff, a few times; ``sleep`` is injected, so tests never wait. What still
fails becomes a ``DeliveryError`` that says whether a person must act, and what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState

from bot._errors import DeliveryError

FIXES = {
    "channel_not_found": "the channel id is wrong or the channel was deleted; check the channel in nrr.toml",
    "not_in_channel": "invite the bot to the channel: /invite @nrr in {label}",
    "is_archived": "the channel is archived; unarchive it or pick another",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid; reinstall the app and update the token",
    "missing_scope": "the app lacks a scope; recreate it from deploy/slack/manifest.yml",
}


class SlackRetry(RetryHandler):
    """429 after Retry-After; 5xx, and a connection that failed before the request was sent, with backoff (1 s,
    2 s, 4 s ... at most 30 s). A connection dropped after it was sent is not retried: Slack may have taken the
    post (a fresh-eyes try: one drop, two digests in the channel), so its outcome is unknown (``DeliveryError``)."""

    def __init__(self, sleep: Callable[[float], None], max_retry_count: int = 3) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if response is not None:
            return response.status_code == 429 or response.status_code >= 500
        return sent_nothing(error)

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        state.next_attempt_requested = True
        if response is not None and response.status_code == 429:
            after = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), ["1"])
            self.sleep(float(after[0]))
        else:
            self.sleep(min(30.0, 2.0 ** state.current_attempt))
        state.increment_current_attempt()


def sent_nothing(error: BaseException | None) -> bool:
    """Whether ``error`` is a connection that failed before the request reached Slack: urllib raises a failure to
    connect or to send as ``URLError``; one while the answer is awaited (the connection reset or dropped, a read
    timed out) comes as it is, after Slack may have acted on the request."""
    return isinstance(error, URLError)


class Delivery:
    """Posts through ``client``, on which it installs ``SlackRetry`` (``attempts`` in all)."""

    def __init__(self, client: WebClient, sleep: Callable[[float], None], attempts: int = 4) -> None:
        client.retry_handlers = [SlackRetry(sleep, attempts - 1)]
        self.client = client

    def call(self, method: str, label: str, **arguments: Any) -> Any:
        """``client.<method>(**arguments)``; ``DeliveryError`` once the retries are spent.
        ``label`` names the channel in the fix (``#revenue``)."""
        try:
            return getattr(self.client, method)(**arguments)
        except SlackApiError as exc:
            status = exc.response.status_code
            if status == 429 or status >= 500:
                last = "rate limited" if status == 429 else f"HTTP {status}"
                raise DeliveryError(f"Slack kept failing ({last}); will retry on the next tick",
                                    permanent=False) from None
            error = exc.response.get("error", "") if hasattr(exc.response, "get") else ""
            fix = FIXES.get(error, "see Slack's documentation for this error").format(label=label)
            raise DeliveryError(f"{error} ({fix})", permanent=True) from None
        except OSError as exc:  # connection refused, reset, timed out, past the retries
            if not sent_nothing(exc):  # sent, and no answer: taken or not, nobody knows; never sent twice
                raise DeliveryError(f"the connection to Slack dropped ({type(exc).__name__}) after the post was "
                                    "sent: it may or may not be in the channel", permanent=False,
                                    unknown=True) from None
            raise DeliveryError(f"Slack kept failing ({type(exc).__name__}); will retry on the next tick",
                                permanent=False) from None
