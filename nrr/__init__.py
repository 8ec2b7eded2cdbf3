"""The application: settings, the runtime that wires the engine to its sources, and the state
database; with the add-on (``nrr.addon``) and the entry points (``nrr.cli``, ``nrr.server``,
``nrr.scheduling``) on top."""

from nrr._errors import ConfigError
from nrr.config import (
    AlertSettings,
    DigestSchedule,
    Settings,
    SlackSecrets,
    load_settings,
    slack_secrets,
)
from nrr.runtime import Runtime

__all__ = [
    "AlertSettings", "ConfigError", "DigestSchedule", "Runtime", "Settings", "SlackSecrets",
    "load_settings", "slack_secrets",
]
