"""A forecast's sums (``ForecastSums``) from a customer table held in memory, customer by customer: what a database
answers in SQL for a table it holds (``CustomerAggregates.forecast_sums``), so ``build_forecast`` reads one and
the same set of sums from either.
"""

from __future__ import annotations

import itertools
import operator

from engine._aggregates import MOVED_BITS, CohortMonths, ForecastSums, size_band
from engine._month import Month
from engine._table import CustomerTable


def forecast_sums(table: CustomerTable, month: Month, column: str | None, returns: int,
                  window: int) -> ForecastSums:
    """The customers paying by ``month`` grouped by acquisition month, their value of ``column`` then (as
    written; ``CustomerTable.value_at``) and the size band of their first month's cents (``size_band``), each
    group's cents summed month by month up to ``month``, its churns and returns; the money back 1 to ``returns``
    months after a churn; and the ``window`` months' change before ``month`` (``ForecastSums``)."""
    origin = table.index(month)
    n = origin + 1
    members: dict[tuple[int, str | None, int], list[tuple[int, ...]]] = {}
    churned: dict[tuple[int, str | None, int], list[int]] = {}
    came_back: dict[tuple[int, str | None, int], list[int]] = {}
    back = [[0] * n for _ in range(returns + 1)]
    start = max(0, origin - window)
    paid = following = moved = customers = squares = 0
    indices = range(n)
    for c, series in enumerate(table.mrr):
        first = next(itertools.compress(indices, series), None)
        if first is None:
            continue
        segment = None
        if column is not None:
            value = table.value_at(column, c, origin)
            segment = value if value is not None and value.strip() else None
        key = (first, segment, size_band(series[first]))
        members.setdefault(key, []).append(tuple(series[:n]))
        paid += sum(itertools.islice(series, start, origin))
        following += sum(itertools.compress(itertools.islice(series, start + 1, n), itertools.islice(series, start,
                                                                                                    origin)))
        if series[origin]:
            customers += 1
            squares += series[origin] * series[origin]
        # only the months whose figure changed, found at C speed: a churn (to 0) or a return (from 0)
        lost = came = None
        since = -1
        for i in itertools.compress(range(first + 1, n), map(operator.ne, itertools.islice(series, first + 1, n),
                                                              itertools.islice(series, first, n - 1))):
            before, now = series[i - 1], series[i]
            if before and i > start:
                moved += ((now - before) ** 2 << MOVED_BITS) // before
            if before and not now:
                if lost is None:
                    lost, came = churned.setdefault(key, [0] * n), came_back.setdefault(key, [0] * n)
                lost[i] += before
                since = i
            elif now and not before:
                if came is None:
                    lost, came = churned.setdefault(key, [0] * n), came_back.setdefault(key, [0] * n)
                came[i] += now
                if 0 < i - since <= returns:
                    back[i - since][i] += now
    empty = (0,) * n
    groups = tuple(CohortMonths(first=first, segment=segment, size=size, members=len(rows),
                                money=tuple(map(sum, zip(*rows, strict=True))), churned=tuple(churned.get(key, empty)),
                                returns=tuple(came_back.get(key, empty)))
                   for key, rows in members.items() for first, segment, size in (key,))
    return ForecastSums(groups=groups, back=tuple(map(tuple, back)), paid=paid, next=following, moved=moved,
                        customers=customers, squares=squares)
