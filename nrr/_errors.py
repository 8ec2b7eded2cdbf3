"""Errors of the application core.

    NrrError (engine)
    ├── ConfigError     nrr.toml, an environment variable or the state database is missing,
    │                   unknown or invalid
    └── CommandError    a command cannot do what was asked (exit 1); the text says what to pass instead
        └── UsageError  an option's value is not one the command takes (exit 2, like argparse's own)
"""

from __future__ import annotations

from engine import NrrError


class ConfigError(NrrError):
    """nrr.toml or an environment variable is missing, unknown or has a bad value."""


class CommandError(NrrError):
    """A command cannot do what was asked; the text says what to pass instead."""


class UsageError(CommandError):
    """An option's value is not one the command takes (exit 2, like argparse's own errors)."""
