"""The application: settings, the runtime that wires the engine to its sources, and the state
database; with the add-on (``nrr.addon``) and the entry points (``nrr.cli``, ``nrr.server``,
``nrr.scheduling``) on top."""

from nrr import classcode

classcode.install()  # before any class is defined: the engine's, the sources' and the application's

from nrr._errors import ConfigError  # noqa: E402
from nrr.config import (  # noqa: E402
    AlertSettings,
    DigestSchedule,
    Settings,
    SlackSecrets,
    load_settings,
    slack_secrets,
)
from nrr.runtime import Runtime  # noqa: E402

__all__ = [
    "AlertSettings", "ConfigError", "DigestSchedule", "Runtime", "Settings", "SlackSecrets",
    "load_settings", "slack_secrets",
]
