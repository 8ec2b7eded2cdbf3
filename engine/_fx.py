"""Exchange rates: amounts in several currencies turned into the reporting currency, month by month.

A rate says what one unit of a currency is worth in the reporting currency (``EUR = 1.10``: one euro is
1.10 dollars when reporting in USD). Rates are flat (one for every month, nrr.toml's ``[fx]``) or monthly
(a table of Month, Currency, Rate: ``[fx] rates = "fx.csv"``). A month without its own monthly rate takes
the latest earlier month's; a month before a currency's first rate has none, and is refused.

Conversion is exact to the cent: a customer's figures in one month are multiplied by their rates and the
sum is rounded once, half to even (``round_half_even``), so a customer-month never carries more than half a
cent of rounding whatever the number of currencies or rows behind it.

    >>> fx = FxRates(reporting="USD", flat={"EUR": Decimal("1.10")})
    >>> fx.rate("EUR", Month(2026, 1)), fx.rate("USD", Month(2026, 1)), fx.rate("GBP", Month(2026, 1))
    (Decimal('1.10'), Decimal('1'), None)
    >>> convert_cents({"EUR": 1005}, fx, Month(2026, 1))  # 10.05 EUR = 11.055 USD: half to even, 11.06
    1106
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from engine import _messages as say
from engine._cells import Cell, is_blank, parse_month
from engine._errors import CellError, FxError
from engine._issues import a1
from engine._month import Month

#: how a currency is written in a Currency column or a figure: a three-letter ISO 4217 code
CODE = re.compile(r"[A-Z]{3}")

#: currency symbols and the code each stands for (``$`` is taken as USD, as a figure written ``$1,200`` is)
SYMBOL_CODES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR",
                # the dollars of other countries and a few more, as Excel's formats write them ([$R$-416] #,##0.00):
                # read as dollars they were summed with USD figures (fuzz 18)
                "R$": "BRL", "CA$": "CAD", "C$": "CAD", "A$": "AUD", "AU$": "AUD", "HK$": "HKD", "NZ$": "NZD",
                "MX$": "MXN", "S$": "SGD", "zł": "PLN", "ZŁ": "PLN"}


def currency_code(text: str) -> str:
    """A currency as a Currency column writes it, as a code: ``eur`` -> ``EUR``, ``€`` -> ``EUR``."""
    text = text.strip()
    return SYMBOL_CODES.get(text, text.upper())


@dataclass(frozen=True, eq=False, kw_only=True)
class FxRates:
    """Rates into ``reporting``: ``flat`` (one per currency, for every month) and ``monthly`` (per month,
    a month without its own taking the latest earlier month's). ``flat_source`` and ``monthly_source`` say
    where each kind was written, for the sentences that name the rates used.

    Compared by identity: one set of rates is built once per process from the settings.
    """

    reporting: str
    flat: Mapping[str, Decimal] = field(default_factory=dict)
    monthly: Mapping[str, Mapping[Month, Decimal]] = field(default_factory=dict)
    flat_source: str = "nrr.toml [fx]"
    monthly_source: str = "the rates table"

    def __post_init__(self) -> None:
        for code, rate in [*self.flat.items(),
                           *((c, r) for c, rates in self.monthly.items() for r in rates.values())]:
            if not CODE.fullmatch(code):
                raise ValueError(f"currency {code!r} is not a three-letter code such as EUR")
            if not rate > 0:
                raise ValueError(f"the rate of {code} must be above 0, not {rate}")

    def knows(self, currency: str) -> bool:
        """Whether there is any rate for ``currency`` (the reporting currency always has one: 1)."""
        return currency == self.reporting or currency in self.flat or currency in self.monthly

    def rate(self, currency: str, month: Month) -> Decimal | None:
        """What one unit of ``currency`` is worth in the reporting currency in ``month``: the month's own
        monthly rate, else the latest earlier month's, else the flat rate; None when there is none."""
        if currency == self.reporting:
            return Decimal(1)
        rates = self.monthly.get(currency)
        if rates:
            if month in rates:
                return rates[month]
            earlier = [m for m in rates if m < month]
            return rates[max(earlier)] if earlier else self.flat.get(currency)
        return self.flat.get(currency)

    def rate_month(self, currency: str, month: Month) -> Month | None:
        """The month whose monthly rate ``month`` uses (itself or the latest earlier one); None for a flat rate."""
        rates = self.monthly.get(currency) or {}
        earlier = [m for m in rates if m <= month]
        return max(earlier) if earlier else None

    def source(self, currency: str, month: Month) -> str:
        """Where the rate used for ``currency`` in ``month`` was written."""
        return self.monthly_source if self.rate_month(currency, month) is not None else self.flat_source


def show_rate(rate: Decimal) -> str:
    """A rate as written, with at least 2 decimals (TOML reads ``1.10`` as the float 1.1): ``1.1`` -> ``1.10``.

    >>> show_rate(Decimal("1.1")), show_rate(Decimal("2")), show_rate(Decimal("1.0845"))
    ('1.10', '2.00', '1.0845')
    """
    return say.exchange_rate(rate)


def round_half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` to the nearest integer, a half to the even one (banker's rounding).

    >>> round_half_even(5, 2), round_half_even(7, 2), round_half_even(-5, 2), round_half_even(11055, 1000)
    (2, 4, -2, 11)
    """
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient


def convert_cents(parts: Mapping[str, int], fx: FxRates, month: Month) -> int:
    """A customer-month's figures in cents per currency, in reporting cents: each times its rate for
    ``month``, summed exactly, rounded once, half to even. Every currency must have a rate."""
    numerator, denominator = 0, 1
    for currency, cents in parts.items():
        rate = fx.rate(currency, month)
        if rate is None:
            raise ValueError(f"no rate for {currency} in {month}")
        p, q = rate.as_integer_ratio()
        numerator, denominator = numerator * q + cents * p * denominator, denominator * q
    return round_half_even(numerator, denominator)


@dataclass(frozen=True)
class FxUse:
    """A currency converted into ``reporting``: the rate used in each month it had figures, and where the
    rates were written."""

    currency: str
    reporting: str
    rates: tuple[tuple[Month, Decimal], ...]
    sources: tuple[str, ...]

    @property
    def single_rate(self) -> Decimal | None:
        """The one rate used in every month, when it was one."""
        distinct = {r for _, r in self.rates}
        return distinct.pop() if len(distinct) == 1 else None

    def to_dict(self) -> dict[str, object]:
        """``{"currency": "EUR", "to": "USD", "rate": "1.10", "months": 12, "first_month": "2026-01", ...}``;
        ``rate`` is null when the months used different rates, each month's is in ``rates``."""
        single = self.single_rate
        return {"currency": self.currency, "to": self.reporting,
                "rate": show_rate(single) if single is not None else None,
                "months": len(self.rates), "first_month": str(self.rates[0][0]) if self.rates else None,
                "last_month": str(self.rates[-1][0]) if self.rates else None,
                "rates": {str(m): show_rate(r) for m, r in self.rates}, "source": " and ".join(self.sources)}


def fx_use(currency: str, fx: FxRates, months: Iterable[Month]) -> FxUse:
    """How ``currency`` was converted in ``months`` (each has a rate)."""
    ordered = sorted(set(months))
    rates = []
    for m in ordered:
        rate = fx.rate(currency, m)
        assert rate is not None
        rates.append((m, rate))
    sources = tuple(dict.fromkeys(fx.source(currency, m) for m in ordered))
    return FxUse(currency, fx.reporting, tuple(rates), sources)


def conversion_sentence(uses: Sequence[FxUse]) -> str | None:
    """The one sentence every answer on converted money carries (terminal, Slack, add-on, digest): which
    currencies were converted, at which rates, from where, and how the cents were rounded. None when
    nothing was converted."""
    if not uses:
        return None
    return say.currencies_converted(uses[0].reporting, [
        (u.currency, [r for _, r in u.rates], " and ".join(u.sources)) for u in uses])


def read_rates_table(grid: Sequence[Sequence[Cell]], *, name: str, sheet: str | None = None,
                     first_row: int = 1) -> dict[str, dict[Month, Decimal]]:
    """The monthly rates in a table headed Month, Currency, Rate (in any order, any case), by currency and
    month. Raises ``FxError`` naming every cell that is not a month, a currency code or a rate above 0, and
    a currency given twice for one month.

    >>> read_rates_table([["Month", "Currency", "Rate"], ["2026-01", "eur", "1.10"]], name="fx.csv")
    {'EUR': {Month(year=2026, month=1): Decimal('1.10')}}
    """
    prefix = f"{name}: " if sheet is None else f"{name}!"
    header_index, columns = None, {}
    for index, row in enumerate(grid[:10]):
        titles = {str(v).strip().casefold(): col for col, v in enumerate(row) if isinstance(v, str)}
        found = {role: next((titles[t] for t in words if t in titles), None) for role, words in _RATE_HEADERS.items()}
        if all(col is not None for col in found.values()):
            header_index, columns = index, {role: col for role, col in found.items() if col is not None}
            break
    if header_index is None:
        raise FxError(say.fx_table_no_header(name))
    problems: list[str] = []
    rates: dict[str, dict[Month, Decimal]] = {}
    seen: dict[tuple[str, Month], str] = {}
    for r in range(header_index + 1, len(grid)):
        row = grid[r]
        sheet_row = first_row + r

        def cell(role: str, row: Sequence[Cell] = row) -> Cell:
            col = columns[role]
            return row[col] if col < len(row) else None

        def where(role: str, sheet_row: int = sheet_row) -> str:
            return prefix + a1(sheet_row, columns[role])

        if all(is_blank(cell(role)) for role in columns):
            continue
        try:
            month = parse_month(cell("month"))
        except CellError:
            problems.append(f"{where('month')}: {say.fx_bad_month(cell('month'))}")
            continue
        text = str(cell("currency") or "").strip()
        code = currency_code(text)
        if not CODE.fullmatch(code):
            problems.append(f"{where('currency')}: {say.fx_bad_currency(text)}")
            continue
        rate = parse_rate(cell("rate"))
        if rate is None:
            problems.append(f"{where('rate')}: {say.fx_bad_rate(cell('rate'), code, month)}")
            continue
        if (code, month) in seen:
            problems.append(f"{where('currency')}: {say.fx_repeated(code, month, seen[(code, month)])}")
            continue
        seen[(code, month)] = where("currency")
        rates.setdefault(code, {})[month] = rate
    if problems:
        raise FxError("\n".join(problems))
    return rates


_RATE_HEADERS = {"month": ("month", "period", "date"), "currency": ("currency", "currency code", "ccy", "code"),
                 "rate": ("rate", "fx rate", "exchange rate", "fx")}


def parse_rate(value: Cell) -> Decimal | None:
    """A rate above 0 (``1.10``, ``1,10`` refused as ambiguous: None), or None when it is not one."""
    if isinstance(value, bool) or is_blank(value):
        return None
    try:
        rate = Decimal(str(value).strip()) if not isinstance(value, float) else Decimal(repr(value))
    except (InvalidOperation, ValueError):
        return None
    return rate if rate.is_finite() and rate > 0 else None


class CurrencyParts:
    """Figures in several currencies met customer-month by customer-month (billing lines spread over their
    months), converted once every one is in: the figures of a customer-month in other currencies than the
    reporting one are kept apart, and its total becomes ``convert_cents`` of them and the rest (in the
    reporting currency), rounded once, half to even, as a customer table's are.

        >>> parts = CurrencyParts(FxRates(reporting="USD", flat={"EUR": Decimal("1.10")}))
        >>> parts.add(0, Month(2026, 1).index, [1005], "eur")
        >>> parts.problems({"EUR": "D2", "USD": "D3"}, "The billing data holds")
        []
        >>> parts.total(0, Month(2026, 1).index, 1005 + 100)  # 10.05 EUR and 1.00 USD: 11.055 + 1.00 -> 12.06
        1206
    """

    def __init__(self, fx: FxRates) -> None:
        self.fx = fx
        self.parts: dict[tuple[int, int], dict[str, int]] = {}  # (customer, month index) -> cents per currency
        self.months: dict[str, set[int]] = {}  # each currency -> the month indexes it has figures in
        self.unstated = False  # a figure with no currency was met

    def add(self, customer: int, first: int, cents: Sequence[int], currency: str | None) -> None:
        """``cents`` of ``customer`` in the months from index ``first``, in ``currency`` (None: not stated)."""
        if currency is None or not currency.strip():
            self.unstated = self.unstated or any(cents)
            return
        code = currency_code(currency)
        if code == self.fx.reporting:
            self.months.setdefault(code, set())
            return
        used = self.months.setdefault(code, set())
        for i, value in enumerate(cents):
            if value:
                held = self.parts.setdefault((customer, first + i), {})
                held[code] = held.get(code, 0) + value
                used.add(first + i)

    def problems(self, firsts: Mapping[str, str], what: str) -> list[str] | None:
        """What stops the conversion, one message each (empty: convert); None when there is nothing to convert
        (one currency, the reporting one or one without a rate: the data is answered in it, as without rates).
        ``firsts``: each currency's first cell; ``what`` starts the message (``The billing data holds``)."""
        codes = {currency_code(c): cell for c, cell in firsts.items()}
        foreign = [c for c in codes if c != self.fx.reporting]
        if len(codes) <= 1 and (not foreign or not self.fx.knows(foreign[0]) or not CODE.fullmatch(foreign[0])):
            return None
        listed = list(codes.items())
        bad = [c for c in codes if not CODE.fullmatch(c)]
        if bad:
            return [f"{codes[c]}: {say.not_a_currency_code(c)}" for c in bad]
        missing = [c for c in codes if not self.fx.knows(c)]
        if missing:
            return [say.currencies_without_rates(what, listed, missing, self.fx.reporting)]
        if self.unstated and len(codes) > 1:
            return [say.lines_without_currency(listed)]
        out = []
        for code in foreign:
            lacking = sorted(i for i in self.months.get(code, ()) if self.fx.rate(code, Month.from_index(i)) is None)
            if lacking:
                month = Month.from_index(lacking[0])
                first = min(self.fx.monthly.get(code) or {month})
                out.append(say.currency_rate_missing_month(code, month, first, self.fx.monthly_source))
        return out

    def total(self, customer: int, month: int, cents: int) -> int:
        """A customer-month's total in reporting cents, from ``cents``, its figures' sum as met."""
        held = self.parts.get((customer, month))
        if not held:
            return cents
        own = cents - sum(held.values())
        return convert_cents({**held, self.fx.reporting: own} if own else held, self.fx, Month.from_index(month))

    def uses(self, first: int, last: int) -> tuple[FxUse, ...]:
        """The currencies converted in the month indexes ``first`` to ``last``, with their rates."""
        return tuple(fx_use(code, self.fx, (Month.from_index(i) for i in used if first <= i <= last))
                     for code, used in self.months.items()
                     if code != self.fx.reporting and any(first <= i <= last for i in used))
