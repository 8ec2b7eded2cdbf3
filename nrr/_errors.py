"""Errors of the application core.

    NrrError (engine)
    └── ConfigError     nrr.toml, an environment variable or the state database is missing,
                        unknown or invalid
"""

from __future__ import annotations

from engine import NrrError


class ConfigError(NrrError):
    """nrr.toml or an environment variable is missing, unknown or has a bad value."""
