"""What the engine needs from outside to read a source, given in one value: the engine has no clock and no
configuration of its own, so the runtime (``--today``, its clock) hands these in.

    >>> from engine import Month
    >>> ReadOptions(today=Month(2026, 3)).today
    Month(year=2026, month=3)
"""

from __future__ import annotations

from dataclasses import dataclass

from engine._fx import FxRates
from engine._month import Month


@dataclass(frozen=True, kw_only=True)
class ReadOptions:
    """Options for reading a source. ``today``: the month a subscription with a blank end is live through
    (None: the latest month the data itself names), and the last month billing data is counted in.
    ``fx``: the exchange rates into the reporting currency (None: no conversion, and amounts in more than
    one currency are refused). ``columns``: a customer table's columns named by role (``[ledger] columns``:
    ``("customer", "acct"), ("month", "m")``; roles customer, name, month, mrr), read before the header rules."""

    today: Month | None = None
    fx: FxRates | None = None
    columns: tuple[tuple[str, str], ...] = ()


#: no options: what a reading without a runtime (a test, a doctest) gets
NO_OPTIONS = ReadOptions()
