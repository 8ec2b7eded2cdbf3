"""What a reading needs from outside the engine, in one value: the sources and the runtime fill it in, the
engine's readers take it (``Cells`` -> ``check_ledger`` -> the readers)."""

from __future__ import annotations

from dataclasses import dataclass

from engine._fx import FxRates
from engine._month import Month


@dataclass(frozen=True, kw_only=True)
class ReadOptions:
    """``today``: the month in progress (what "live through today's month" means to billing data; None: not
    known). ``fx``: the exchange rates into the reporting currency (None: no conversion; amounts in more than
    one currency are refused)."""

    today: Month | None = None
    fx: FxRates | None = None


NO_OPTIONS = ReadOptions()
