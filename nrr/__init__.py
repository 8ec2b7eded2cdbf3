"""The application: settings, ledger sources and the ``nrr`` command, wired around the engine."""

from nrr._errors import ConfigError, SourceError
from nrr.config import Settings, load_settings
from nrr.sources import Cells, FileSource, LedgerSource, check_source, load_ledger, open_source

__all__ = [
    "Cells", "ConfigError", "FileSource", "LedgerSource", "Settings", "SourceError",
    "check_source", "load_ledger", "load_settings", "open_source",
]
