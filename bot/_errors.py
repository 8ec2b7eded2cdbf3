"""Errors of the Slack adapter.

    NrrError (engine)
    ├── SlackError          Slack did not do what was asked
    │   └── DeliveryError   a post was not taken; ``permanent`` ones need a person (invite the bot...)
    └── Refused             the bot will not do what was asked; its text is the bot's mrkdwn, what it quotes plain
        └── QueryRefused    a /nrr question that cannot be answered as put (also a QueryError)
"""

from __future__ import annotations

from engine import NrrError, QueryError


class Refused(NrrError):
    """The bot will not do what was asked (a setup command that changes nothing, a question it cannot answer
    as put); the text is the bot's own mrkdwn, saying why and what to do, with what it quotes made plain."""


class QueryRefused(Refused, QueryError):
    """A /nrr question that cannot be answered as put: an unknown option, a period the ledger does not cover."""


class SlackError(NrrError):
    """Slack did not do what was asked; the text says what to do."""


class DeliveryError(SlackError):
    """Slack did not take the post; ``permanent`` failures need a person (invite the bot...); ``unknown``: the post
    was sent and no answer came, so it may be in the channel (never sent again but by a person)."""

    def __init__(self, message: str, *, permanent: bool, unknown: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.unknown = unknown
