"""Errors of the Slack adapter.

    NrrError (engine)
    ├── SlackError          Slack did not do what was asked
    │   └── DeliveryError   a post was not taken; ``permanent`` ones need a person (invite the bot...)
    └── Refused             a setup command that changes nothing; its text (mrkdwn) says why and what to do
"""

from __future__ import annotations

from engine import NrrError


class Refused(NrrError):
    """A setup command that changes nothing; its text says why and what to do."""


class SlackError(NrrError):
    """Slack did not do what was asked; the text says what to do."""


class DeliveryError(SlackError):
    """Slack did not take the post; ``permanent`` failures need a person (invite the bot...)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent
