"""Billing data in several currencies: spread over their months first, then each customer-month converted
into the reporting currency and rounded once, as a customer table's is (engine._fx.CurrencyParts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine import (
    BillingLine,
    FxRates,
    Month,
    MonthAmount,
    ReadOptions,
    SubscriptionRow,
    normalize_lines,
    normalize_month_amounts,
    normalize_subscriptions,
)

D = dt.date
FX = FxRates(reporting="USD", flat={"EUR": Decimal("1.10")}, monthly={"GBP": {Month(2026, 1): Decimal("1.25")}},
             monthly_source="fx.csv")


FEB1 = D(2026, 2, 1)


def line(customer: str, amount: int, currency: str | None, end: D = FEB1) -> BillingLine:
    return BillingLine(customer_id=customer, subscription_id="sub", amount_cents=amount, period_start=D(2026, 1, 1),
                       period_end=end, currency=currency)


def test_invoice_lines_in_two_currencies_are_spread_then_converted() -> None:
    # B's July invoice: the table runs through the latest month a line starts in (engine._billing)
    july = BillingLine(customer_id="B", subscription_id="sub", amount_cents=5000, period_start=D(2026, 7, 1),
                       period_end=D(2026, 8, 1), currency="USD")
    lines = [line("A", 120005, "eur", D(2027, 1, 1)), line("B", 5000, "USD"), line("A", 1000, "USD"), july]
    result = normalize_lines(lines, options=ReadOptions(fx=FX))
    assert result.issues == ()
    table = result.table
    assert table is not None and table.currency == "USD"
    # A: 1,200.05 EUR a year: 120005 / 12 = 10000.4 cents, 10000 a month in every month;
    # January 10000 x 1.10 = 11000, plus 10.00 USD = 12000; June 10000 x 1.10 = 11000
    a = table.mrr[table.keys.index("A")]
    assert (a[0], a[1], a[5]) == (12000, 11000, 11000)
    assert table.mrr[table.keys.index("B")][0] == 5000
    assert [(u.currency, u.single_rate, len(u.rates)) for u in table.conversions] == [("EUR", Decimal("1.10"), 7)]


def test_without_a_rate_the_billing_data_is_refused_saying_how_to_give_one() -> None:
    result = normalize_lines([line("A", 100, "EUR"), line("B", 100, "CHF")], options=ReadOptions(fx=FX),
                             cell=lambda row: f"row {row}")
    assert [i.message for i in result.issues] == [
        "The billing data holds more than one currency (EUR from row 0, CHF from row 0) and nrr has no rate for CHF "
        "into USD, the reporting currency ([company] currency). To convert them, add to nrr.toml the lines [fx] and "
        'CHF = 1.10 (what one CHF is worth in USD; 1.10 is only an example), or [fx] and rates = "fx.csv" for a '
        "table of Month, Currency, Rate; or convert the amounts to one currency first."]
    assert result.table is None


def test_subscriptions_and_per_month_amounts_convert_too() -> None:
    subs = [SubscriptionRow(customer_id="A", start=D(2026, 1, 1), end=D(2026, 2, 28), cents=1005, currency="EUR"),
            SubscriptionRow(customer_id="B", start=D(2026, 1, 1), end=D(2026, 2, 28), cents=700, currency="GBP")]
    table = normalize_subscriptions(subs, options=ReadOptions(fx=FX)).table
    assert table is not None
    # 10.05 EUR x 1.10 = 11.055 -> 11.06 (half to even); 7.00 GBP x 1.25 = 8.75, February on January's rate
    assert table.mrr == ((1106, 1106), (875, 875))
    months = [MonthAmount(customer_id="A", month=Month(2026, 1), cents=1015, currency="EUR"),
              MonthAmount(customer_id="B", month=Month(2026, 1), cents=100, currency="USD")]
    table = normalize_month_amounts(months, options=ReadOptions(fx=FX)).table
    assert table is not None and table.mrr == ((1116,), (100,))  # 11.165 -> 11.16


def test_one_currency_with_no_rate_is_answered_in_it_as_before() -> None:
    table = normalize_lines([line("A", 100, "CHF")], options=ReadOptions(fx=FX)).table
    assert table is not None and (table.currency, table.mrr, table.conversions) == ("CHF", ((100,),), ())
