"""A forecast as Block Kit: the projection month by month with its band, and the engine's sentences about it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from bot._blocks import MESSAGE_BLOCKS, Block, context, fit, mrkdwn
from bot._mrkdwn import plain
from engine import Forecast, currency_amount

#: months listed one by one; a longer projection lists every third month after them, and its last
LISTED = 12


def forecast_headline(forecast: Forecast) -> str:
    """The engine's headline: ``Projection of today's customers' MRR from October 2026: $88,649 from ...``."""
    return forecast.headline


def forecast_blocks(forecast: Forecast) -> list[Block]:
    """The projection, its month-by-month table, the backtest and target, then the method and band."""
    money = _money(forecast)
    months = forecast.months
    shown = [m for i, m in enumerate(months) if i < LISTED or (i + 1) % 3 == 0 or i == len(months) - 1]
    lines = [f"{'Month':<9} {forecast.unit:>13} {'Low':>13} {'High':>13}"]
    known = forecast.band_known  # no band learnt: no Low and High, which would equal the projection
    lines += [f"{m.month.short:<9} {money(m.mrr):>13} {money(m.low) if known else '-':>13} "
              f"{money(m.high) if known else '-':>13}" for m in shown]
    blocks: list[Block] = [mrkdwn(f":crystal_ball: *{plain(forecast_headline(forecast))}*"),
                           mrkdwn("```" + "\n".join(lines) + "```")]
    for sentence in (forecast.behind_sentence, forecast.reach_sentence, forecast.backtest_sentence,
                     forecast.target_sentence):
        if sentence is not None:
            blocks.append(mrkdwn(plain(sentence)))
    blocks.append(context(*(plain(s) for s in (forecast.method_sentence, forecast.band_sentence) if s is not None)))
    return fit(blocks, MESSAGE_BLOCKS - 1)  # room for the Share button


def _money(forecast: Forecast) -> Callable[[Decimal], str]:
    currency = forecast.currency or "USD"
    return lambda amount: currency_amount(amount, currency)
