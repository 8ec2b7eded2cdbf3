"""The billing normalization rules (engine._billing), each with its MRR worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine import (
    BillingLine,
    Month,
    MonthAmount,
    ReadOptions,
    SubscriptionRow,
    check_ledger,
    monthly_cents,
    normalize_lines,
    normalize_month_amounts,
    normalize_subscriptions,
)

D = dt.date


JAN1, FEB1 = D(2026, 1, 1), D(2026, 2, 1)


def line(customer: str = "cus_A", amount: int = 10000, start: D | None = JAN1, end: D | None = FEB1,
         sub: str | None = "sub_1", **kw: object) -> BillingLine:
    return BillingLine(customer_id=customer, subscription_id=sub, amount_cents=amount, period_start=start,
                       period_end=end, **kw)  # type: ignore[arg-type]


def mrr(lines: list[BillingLine], today: Month | None = None) -> dict[str, dict[str, int]]:
    """Each customer's MRR by month, the export observed through 2028 (a later line of another customer)."""
    watcher = line(customer="watcher", start=D(2028, 12, 1), end=D(2029, 1, 1))
    result = normalize_lines([*lines, watcher], options=ReadOptions(today=today))
    assert result.table is not None, [str(i) for i in result.issues]
    t = result.table
    return {key: {str(t.first + i): cents for i, cents in enumerate(series) if cents}
            for key, series in zip(t.keys, t.mrr, strict=True) if key != "watcher"}


def test_an_annual_line_spreads_over_twelve_months_at_one_rate() -> None:
    # 1,000.00 a year: 100000 cents / 12 = 8333.33, 83.33 a month in every month (not 83.34 to April)
    got = mrr([line(amount=100000, end=D(2027, 1, 1))])["cus_A"]
    assert list(got.values()) == [8333] * 12
    assert (min(got), max(got)) == ("2026-01", "2026-12")


@pytest.mark.parametrize(("end", "n"), [(D(2026, 2, 1), 1), (D(2026, 4, 1), 3), (D(2026, 7, 1), 6),
                                        (D(2027, 1, 1), 12), (D(2026, 12, 31), 12), (D(2028, 1, 1), 24),
                                        (D(2026, 1, 20), 1)])
def test_a_line_spreads_over_its_period_in_months_rounded(end: D, n: int) -> None:
    got = mrr([line(amount=120000 * n, end=end)])["cus_A"]
    assert len(got) == n and set(got.values()) == {120000}


def test_a_mid_month_period_starts_in_its_start_month() -> None:
    # 15 March to 15 June: a quarter from March: March, April, May
    assert mrr([line(amount=30000, start=D(2026, 3, 15), end=D(2026, 6, 15))])["cus_A"] == {
        "2026-03": 10000, "2026-04": 10000, "2026-05": 10000}


def test_discounts_come_off_and_tax_stays_apart() -> None:
    # 120.00 less a 20.00 coupon, 24.00 tax: 100.00 MRR
    assert mrr([line(amount=12000, discount_cents=2000, tax_cents=2400)])["cus_A"] == {"2026-01": 10000}


def test_one_offs_void_draft_uncollectible_credits_and_trials_never_count() -> None:
    lines = [
        line(amount=10000),  # counted: paid by default
        line(amount=5000, invoice_status="open", sub="sub_2"),  # counted: open
        line(amount=99900, sub=None),  # a setup fee: one-off
        line(amount=7000, end=D(2026, 1, 1), sub="sub_3"),  # a period under a day
        line(amount=1000, invoice_status="void"),
        line(amount=1000, invoice_status="Draft"),
        line(amount=1000, invoice_status="uncollectible"),
        line(amount=4000, credit=True),  # a credit note's line
        line(amount=-4000),  # a refund booked as a negative line
        line(customer="cus_T", amount=0),  # a $0 trial
        line(customer="cus_T", amount=5000, discount_cents=5000),  # a 100% coupon
    ]
    result = normalize_lines(lines)
    assert result.table is not None
    assert result.table.keys == ("cus_A",) and result.table.mrr == ((15000,),)
    assert dict(result.normalization.left_out) == {"one_off": 2, "void": 1, "draft": 1, "uncollectible": 1,
                                                   "credit": 2, "trial": 2}
    assert result.normalization.read == 11 and result.normalization.used == 2
    assert result.normalization.sentence == (
        "read as invoice lines: 11 lines, 1 customer, 1 month; 2 one-off lines, 1 line on void invoices, "
        "1 line on draft invoices, 1 line on uncollectible invoices, 2 refund or credit lines and "
        "2 $0 (trial) lines left out")


def test_an_unknown_status_is_counted_and_named() -> None:
    result = normalize_lines([line(invoice_status="weird", row=7)])
    assert result.table is not None and result.table.mrr == ((10000,),)
    assert [str(i) for i in result.issues] == [
        "Invoice status 'weird' (row 7) is not one nrr knows; those lines are counted as open. Statuses read: "
        "paid, open, posted, payment_due, not_paid, past_due (counted); void, draft, uncollectible (left out)."]


def test_an_annual_upgrade_mid_year_shows_from_the_month_it_reaches_the_end_of() -> None:
    # 12,000 a year from January; on 1 July it becomes 24,000 a year: Stripe credits the unused half of the
    # old plan (-6,000) and charges the new one for the same half (+12,000), both for 1 July to 1 January
    lines = [line(amount=1200000, end=D(2027, 1, 1)),
             line(amount=-600000, start=D(2026, 7, 1), end=D(2027, 1, 1), proration=True),
             line(amount=1200000, start=D(2026, 7, 1), end=D(2027, 1, 1), proration=True)]
    got = mrr(lines)["cus_A"]
    assert [got[f"2026-{m:02d}"] for m in range(1, 13)] == [100000] * 6 + [200000] * 6


def test_a_monthly_upgrade_on_the_15th_ends_its_month_at_the_new_price() -> None:
    # 100 a month; on 15 January it becomes 200: 17 of January's 31 days are left
    credit, charge = -round(10000 * 17 / 31), round(20000 * 17 / 31)  # -5484, 10968
    lines = [line(amount=10000),
             line(amount=credit, start=D(2026, 1, 15), end=D(2026, 2, 1), proration=True),
             line(amount=charge, start=D(2026, 1, 15), end=D(2026, 2, 1), proration=True),
             line(amount=20000, start=D(2026, 2, 1), end=D(2026, 3, 1))]
    assert mrr(lines)["cus_A"] == {"2026-01": 20000, "2026-02": 20000}


def test_two_subscriptions_add_up_and_churn_and_return_show_as_gaps() -> None:
    lines = [line(amount=10000, sub="sub_1"), line(amount=5000, sub="sub_2"),
             line(amount=10000, start=D(2026, 2, 1), end=D(2026, 3, 1)),
             line(customer="cus_B", amount=3000),
             line(customer="cus_B", amount=3000, start=D(2026, 3, 1), end=D(2026, 4, 1))]
    assert mrr(lines) == {"cus_A": {"2026-01": 15000, "2026-02": 10000},
                          "cus_B": {"2026-01": 3000, "2026-03": 3000}}


def test_the_table_ends_with_the_latest_month_a_line_starts_in_and_never_after_today() -> None:
    # an annual plan from January and a monthly one whose last invoice is for May: June is not exported yet
    lines = [line(amount=120000, end=D(2027, 1, 1)),
             *(line(customer="cus_M", start=D(2026, m, 1), end=D(2026, m + 1, 1)) for m in range(1, 6))]
    t = normalize_lines(lines).table
    assert t is not None and (t.first, t.last) == (Month(2026, 1), Month(2026, 5))
    assert t.mrr == ((10000,) * 5, (10000,) * 5)
    t = normalize_lines(lines, options=ReadOptions(today=Month(2026, 3))).table
    assert t is not None and t.mrr == ((10000,) * 3, (10000,) * 3)


def test_two_currencies_are_refused() -> None:
    result = normalize_lines([line(currency="usd", row=2), line(customer="B", currency="EUR", row=3)])
    assert result.table is None
    assert [i.message for i in result.issues] == [
        "The billing data holds more than one currency (USD from row 2, EUR from row 3); export one currency at a "
        "time, or convert the amounts to one currency first."]


def test_nothing_recurring_says_why() -> None:
    result = normalize_lines([line(sub=None), line(invoice_status="void")])
    assert result.table is None
    assert [i.message for i in result.issues] == [
        "Nothing in the invoice lines counts as MRR (2 lines read: 1 one-off line and 1 line on void invoices); "
        "recurring lines need a subscription, a service period of a day or more, an amount above 0 and an invoice "
        "that is paid or open."]


def test_an_amount_for_n_months_is_the_same_rate_in_each_of_them() -> None:
    # fuzz 16: a split whose months added up to the amount (83.34 to April, 83.33 after) made a plan that never
    # changed contract by a cent in May, naming its customer among the movers
    for total in (1, 99, 100000, 123457, -100000):
        for n in (1, 3, 12, 24):
            parts = monthly_cents(total, n)
            assert len(set(parts)) == 1 and len(parts) == n and abs(parts[0] * n - total) * 2 <= n
    assert monthly_cents(100000, 12) == [8333] * 12
    assert (monthly_cents(25, 2), monthly_cents(35, 2)) == ([12, 12], [18, 18])  # half to even


# -- subscriptions --

def sub(customer: str, start: D, end: D | None, cents: int, months: int = 1, **kw: object) -> SubscriptionRow:
    return SubscriptionRow(customer_id=customer, start=start, end=end, cents=cents, months=months,
                           **kw)  # type: ignore[arg-type]


def test_a_subscription_counts_in_each_month_it_is_live_on_the_last_day_of() -> None:
    rows = [sub("A", D(2026, 1, 15), D(2026, 3, 31), 10000),  # Jan, Feb, Mar (31 March is March's last day)
            sub("B", D(2026, 1, 1), D(2026, 3, 30), 20000),  # Jan, Feb: not live on 31 March
            sub("C", D(2026, 2, 10), None, 5000),  # Feb through today's month
            sub("D", D(2026, 1, 5), D(2026, 1, 20), 7000)]  # never live at a month's end
    result = normalize_subscriptions(rows, options=ReadOptions(today=Month(2026, 4)))
    t = result.table
    assert t is not None and t.first == Month(2026, 1) and t.count == 4
    assert dict(zip(t.keys, t.mrr, strict=True)) == {
        "A": (10000, 10000, 10000, 0), "B": (20000, 20000, 0, 0), "C": (0, 5000, 5000, 5000), "D": (0, 0, 0, 0)}


def test_a_subscription_billed_yearly_is_split_cycle_after_cycle() -> None:
    rows = [sub("A", D(2025, 11, 1), None, 100000, months=12), sub("B", D(2026, 1, 1), None, 30000, months=3),
            sub("T", D(2026, 1, 1), None, 9900, trial=True), sub("F", D(2026, 5, 1), None, 100)]
    result = normalize_subscriptions(rows, options=ReadOptions(today=Month(2026, 3)))
    t = result.table
    assert t is not None and t.first == Month(2025, 11)
    assert dict(zip(t.keys, t.mrr, strict=True)) == {"A": (8333, 8333, 8333, 8333, 8333), "B": (0, 0, 10000, 10000,
                                                                                                   10000)}
    assert dict(result.normalization.left_out) == {"trial": 1, "not_started": 1}
    assert result.normalization.sentence == (
        "read as subscriptions: 4 rows, 2 customers, 5 months; annual and quarterly plans spread over their months; "
        "1 $0 (trial) row and 1 row starting after today's month left out")


def test_without_today_a_subscription_is_live_through_the_latest_month_the_table_names() -> None:
    rows = [sub("A", D(2026, 1, 1), None, 100), sub("B", D(2026, 1, 1), D(2026, 4, 30), 100)]
    t = normalize_subscriptions(rows).table
    assert t is not None and t.last == Month(2026, 4) and t.mrr == ((100,) * 4, (100,) * 4)


# -- per-month tables with a billing interval --

def test_a_per_month_amount_spreads_over_its_interval() -> None:
    rows = [MonthAmount(customer_id="A", month=Month(2026, 1), cents=1200000, months=12),
            MonthAmount(customer_id="B", month=Month(2026, 1), cents=30000, months=3),
            MonthAmount(customer_id="B", month=Month(2026, 4), cents=30000, months=3),
            MonthAmount(customer_id="C", month=Month(2026, 6), cents=5000)]
    result = normalize_month_amounts(rows, options=ReadOptions(today=Month(2026, 6)))
    t = result.table
    assert t is not None and t.count == 6
    assert dict(zip(t.keys, t.mrr, strict=True)) == {"A": (100000,) * 6, "B": (10000,) * 6,
                                                     "C": (0, 0, 0, 0, 0, 5000)}
    assert result.normalization.kind == "customer_months"


def test_void_invoices_are_counted_as_invoices_when_the_lines_name_them() -> None:
    lines = [line(amount=100), *(line(amount=100, invoice_status="void", invoice_id="in_9", sub=f"s{i}")
                                 for i in range(3)),
             line(amount=100, invoice_status="void", invoice_id="in_8")]
    summary = normalize_lines(lines).normalization
    assert dict(summary.invoices_left_out) == {"void": 2}
    assert summary.sentence == "read as invoice lines: 5 lines, 1 customer, 1 month; 2 void invoices (4 lines) left out"


@pytest.mark.parametrize("start", ["period_start", "Month Start", "billing_period_start"])
def test_a_period_start_beside_mrr_is_a_customer_tables_month_not_a_subscriptions_start(start: str) -> None:
    """Read as subscriptions live from each row's start, a flat customer paying 100 a month doubled and tripled:
    NRR 133% where one of two customers churned (fuzz 3)."""
    grid = [["customer_id", start, "mrr"], ["A", "2025-01-01", "100"], ["A", "2025-02-01", "100"],
            ["A", "2025-03-01", "100"], ["B", "2025-01-01", "50"], ["B", "2025-02-01", "50"]]
    check = check_ledger(grid)
    assert check.ledger is not None and check.ledger.source_kind == "customer_months"
    assert [(r.month, r.start, r.end) for r in check.ledger.rows][-1] == (Month(2025, 3), Decimal(150), Decimal(100))
    subscriptions = check_ledger([["customer_id", "start_date", "mrr"], *grid[1:]]).ledger
    assert subscriptions is not None and subscriptions.source_kind == "subscriptions"


@pytest.mark.parametrize(("ends", "starts"), [
    (D(2026, 2, 28), D(2026, 2, 28)),
    (dt.datetime(2026, 2, 28, 10), dt.datetime(2026, 2, 28, 10)),  # Stripe's Ended At and the next Start (UTC)
    (dt.datetime(2026, 2, 28, 9), dt.datetime(2026, 2, 28, 11)),
])
def test_a_plan_handed_over_on_a_months_last_day_counts_only_the_new_plan_in_that_month(ends: D, starts: D) -> None:
    # both were live on 28 February, so February counted 100 + 200 = 300 for a customer who never paid both
    rows = [sub("A", D(2026, 1, 1), ends, 10000), sub("A", starts, None, 20000),
            sub("B", D(2026, 1, 1), D(2026, 2, 28), 5000), sub("C", D(2026, 2, 28), None, 700)]  # not a handoff
    t = normalize_subscriptions(rows, options=ReadOptions(today=Month(2026, 3))).table
    assert t is not None
    assert dict(zip(t.keys, t.mrr, strict=True)) == {"A": (10000, 20000, 20000), "B": (5000, 5000, 0),
                                                     "C": (0, 700, 700)}


@pytest.mark.parametrize(("cents", "follower"), [(0, {}), (5000, {"trial": True}), (5000, {"incomplete": True})])
def test_a_row_that_does_not_count_takes_no_day_over_from_the_plan_it_follows(cents: int,
                                                                              follower: dict[str, object]) -> None:
    # a $0 trial (or an incomplete subscription) starting the day a paid plan ended took that day over, and was then
    # left out itself: the paid plan's last month counted nothing (a review)
    rows = [sub("A", D(2026, 1, 1), D(2026, 2, 28), 10000), sub("A", D(2026, 2, 28), None, cents, 1, **follower)]
    t = normalize_subscriptions(rows, options=ReadOptions(today=Month(2026, 3))).table
    assert t is not None and dict(zip(t.keys, t.mrr, strict=True)) == {"A": (10000, 10000, 0)}
