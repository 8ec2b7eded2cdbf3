"""What the engine needs from outside to read a source, given in one value: the engine has no clock and no
configuration of its own, so the runtime (``--today``, its clock) hands these in.

    >>> from engine import Month
    >>> ReadOptions(today=Month(2026, 3)).today
    Month(year=2026, month=3)
"""

from __future__ import annotations

from dataclasses import dataclass

from engine._month import Month


@dataclass(frozen=True, kw_only=True)
class ReadOptions:
    """Options for reading a source. ``today``: the month a subscription with a blank end is live through
    (None: the latest month the data itself names), and the last month billing data is counted in."""

    today: Month | None = None
