"""Any cells under a billing header: the reader names problems by cell, never raises anything else, and never
gives a negative month (a property test over the three kinds' headers)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import LedgerError, Month, ReadOptions, check_ledger
from tests.helpers import examples

HEADERS = [
    ["customer", "subscription", "invoice_status", "period_start", "period_end", "amount", "discount_amount", "tax",
     "proration", "type", "currency"],
    ["Customer", "Start date", "End date", "Amount", "Billing frequency", "Status", "Quantity"],
    ["Customer", "Month", "Amount", "Billing interval"],
    ["id", "Customer", "Amount Due", "Status", "Period Start (UTC)", "Subscription", "Date (UTC)", "Tax"],
]

cells = st.one_of(
    st.none(), st.text(max_size=10), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.dates(), st.datetimes(), st.decimals(allow_nan=True),
    st.sampled_from(["2026-01-01", "2026-13-01", "9999-12-01", "0001-01-01", "1767225600", "46023", "01/02/2026",
                     "annual", "monthly", "every 3 months", "weekly", "paid", "void", "true", "credit_note", "usd",
                     "EUR", "(5,000)", "$1,200", "-100", "1e308", "#REF!", "", "Total", "sub_1", "cus_1"]))


@settings(max_examples=examples(120), deadline=None)
@given(st.sampled_from(HEADERS), st.lists(st.lists(cells, max_size=11), max_size=8),
       st.sampled_from([None, Month(2026, 6)]))
def test_billing_cells_only_ever_give_issues(header: list[str], body: list[list[object]],
                                             today: Month | None) -> None:
    check = check_ledger([header, *body], options=ReadOptions(today=today))  # type: ignore[list-item]
    if check.ledger is None:
        assert check.errors
        try:
            raise LedgerError(tuple(check.issues))
        except LedgerError as exc:
            assert str(exc)
        return
    table = check.ledger.customer_table
    assert table is not None
    assert all(cents >= 0 for series in table.mrr for cents in series)


@settings(max_examples=examples(80), deadline=None)
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False), st.booleans())
def test_a_plain_figure_reads_as_its_cents(amount: object, trailing_zero: bool) -> None:
    from decimal import Decimal

    text = f"{amount:.2f}" if trailing_zero else str(amount)
    check = check_ledger([["customer", "subscription", "period_start", "period_end", "amount"],
                          ["A", "s", "2026-01-01", "2026-02-01", text]])
    cents = int(Decimal(text) * 100)
    if cents == 0:
        assert check.ledger is None
        return
    assert check.ledger is not None and check.ledger.customer_table is not None
    assert check.ledger.customer_table.mrr == ((cents,),)
