"""A customer table's figures: money cells to integer cents, bounded and exact, and the currency a figure is
written in (``$1,200`` is USD).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from engine import _messages as say
from engine._cells import (
    MONEY_LIMIT,
    Cell,
    is_blank,
    is_error_value,
    parse_money,
)
from engine._errors import AmountError, CellError

HALF_CENT = Decimal("0.01")


MONEY_LIMIT_UNITS = int(MONEY_LIMIT)


def parse_cents(value: Cell, written_in_cents: bool = False) -> int:
    """A money cell in cents; blank is 0. Raises ``AmountError`` for an unreadable or negative one.
    ``written_in_cents``: the cell holds cents already (a column headed ``mrr_cents``), rounded half up to a whole
    cent.

    >>> parse_cents("1,200.50"), parse_cents("120050", written_in_cents=True), parse_cents("99.5", True)
    (120050, 120050, 100)
    >>> parse_cents(-1.4210854715202004e-14), parse_cents("-0.004")  # a formula's float residue rounds to 0 cents
    (0, 0)
    """
    if written_in_cents:
        return _whole_cents(value)
    if type(value) is str:
        text = value.strip()
        if text.isascii() and len(text) < 16:  # up to 15 digits: below MONEY_LIMIT, which parse_money checks
            if text.isdigit():
                return int(text) * 100
            whole, dot, frac = text.partition(".")
            if dot and whole.isdigit() and frac.isdigit() and len(frac) <= 2:
                return int(whole) * 100 + int(frac.ljust(2, "0"))
        if not text:
            return 0
    elif type(value) is int:
        if value < 0:
            raise AmountError(None, Decimal(value))
        if value <= MONEY_LIMIT_UNITS:
            return value * 100
    if is_error_value(value):  # a broken formula, not a customer that paid nothing
        raise AmountError(say.AMOUNT_IS_ERROR_VALUE)
    if is_blank(value):
        return 0
    try:
        amount, _ = parse_money(value)
    except CellError as exc:
        raise AmountError(exc.expected) from None
    cents = int((amount / HALF_CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents < 0:  # -0.004 is 0 cents, as a database rounds it: a spreadsheet's float residue, not a credit
        raise AmountError(None, amount)
    return cents


_CENTS_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _whole_cents(value: Cell) -> int:
    """A figure in a column of cents: a plain number (a currency symbol or a thousands separator says the cell is
    in units, not cents: refused, naming the cell, rather than read 100 times too small)."""
    if type(value) is int and 0 <= value <= MONEY_LIMIT_UNITS:
        return value
    if is_error_value(value):
        raise AmountError(say.AMOUNT_IS_ERROR_VALUE)
    if is_blank(value):
        return 0
    if type(value) is str:
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) < 16:
            return int(text)
        if not _CENTS_TEXT.fullmatch(text):
            raise AmountError(say.CENTS_EXPECTED)
    try:
        amount, _ = parse_money(value)
    except CellError as exc:
        raise AmountError(exc.expected) from None
    if amount < 0:
        raise AmountError(None, amount / 100)
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


_CURRENCY_MARK = re.compile(r"[$€£¥₹]|\b[A-Z]{3}\b")


SYMBOL_CODES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}


def currency_mark(value: Cell) -> str | None:
    """The currency a readable figure is written in (``$1,200`` -> ``USD``, ``EUR 50`` -> ``EUR``); None for
    a bare number."""
    if type(value) is not str or (match := _CURRENCY_MARK.search(value)) is None:
        return None
    return SYMBOL_CODES.get(match[0], match[0])
