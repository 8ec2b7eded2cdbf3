"""Errors of the application layer (configuration and ledger sources).

    NrrError (engine)
    ├── ConfigError     nrr.toml or an environment variable is missing, unknown or invalid
    └── SourceError     a ledger source cannot be opened or read
"""

from __future__ import annotations

from engine import NrrError


class ConfigError(NrrError):
    """nrr.toml or an environment variable is missing, unknown or has a bad value."""


class SourceError(NrrError):
    """A ledger source cannot be opened or read (no such file, unsupported format, ...)."""
