"""What the add-on needs from the application, declared here so the add-on never imports it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from engine import Ledger, Method, Period, Report
from sheets import GoogleSheetSource


class AddonApp(Protocol):
    """The configured ledger, Google Sheet sources read with the person's own access, and reports
    with the configured settings."""

    @property
    def ledger_spec(self) -> str:
        """The configured ledger source, as written in nrr.toml or ``--ledger``."""
        ...

    def user_sheet_source(self, spec: str, token: str) -> GoogleSheetSource:
        """The sheet read and written with ``token``, the person's own access token, for this request
        only; nothing it reads is served to anyone else."""
        ...

    @property
    def currency(self) -> str:
        """The currency money is shown in (``[company] currency``): a template's money columns show it."""
        ...

    @property
    def template_tab(self) -> str:
        """The tab a customer table's derived ledger is filled into (``[ledger] template_tab``)."""
        ...

    def today(self) -> dt.date:
        """Today in the configured time zone: the cards count the months closed by then, as /nrr does."""
        ...

    def report(self, ledger: Ledger, period: Period, method: Method | None = None) -> Report: ...
