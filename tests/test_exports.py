"""Customer tables as billing and accounting tools export them: QuickBooks, Stripe, a plan column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine import Cell, CustomerTable, build_report, check_ledger, report_to_dict, resolve_period

MONTHS = ["Oct 2024", "Nov 2024", "Dec 2024"]


def quickbooks(*customers: list[Cell]) -> list[list[Cell]]:
    """QuickBooks' Sales by Customer Summary: a title block, a blank cell over the names, a Total column and row,
    and its footnote under the table."""
    return [["Sales by Customer Summary"], ["Craig's Design and Landscaping Services"],
            ["October - December, 2024"], [], ["", *MONTHS, "Total"], *customers,
            ["TOTAL", "$300.00", "$310.00", "$250.00", "$860.00"], [], [],
            ["Accrual basis Friday, January 3, 2025 10:00 AM GMT-08:00"], ["Source: QuickBooks Online"]]


def test_quickbooks_sales_by_customer_summary_reads_its_blank_header_as_the_customer_column() -> None:
    check = check_ledger(quickbooks(["Amy's Bird Sanctuary", "100.00", "110.00", "", "210.00"],
                                    ["Bill's Windsurf Shop", "200.00", "200.00", "250.00", "650.00"]))
    assert check.ledger is not None and isinstance(check.ledger.customers, CustomerTable)
    assert check.ledger.customers.names == ("Amy's Bird Sanctuary", "Bill's Windsurf Shop")
    assert [str(r.end) for r in check.ledger.rows] == ["310.00", "250.00"]


def test_footnotes_under_a_wide_table_are_not_customers_and_its_total_column_is_no_attribute() -> None:
    """'Accrual basis ...' and 'Source: ...' hold no figure: they are notes, as in the long form. A Total column
    sums the months beside it: like a Total row it is left out, with a warning, and is no segment."""
    grid = quickbooks(["Amy's Bird Sanctuary", "100.00", "110.00", "", "210.00"],
                      ["Bill's Windsurf Shop", "200.00", "200.00", "250.00", "650.00"])
    grid[4][0] = "Customer"  # the notes and the Total column, whatever heads the names
    check = check_ledger(grid)
    assert check.ledger is not None and isinstance(check.ledger.customers, CustomerTable)
    table = check.ledger.customers
    assert len(table.keys) == 2 and table.attribute_names == ()
    assert [str(i) for i in check.warnings] == [
        "E5: This column ('Total') reads as a total of the months beside it, not an attribute, and is left out: it is "
        "not a segment.",
        "A8: This row ('TOTAL') reads as a total, not a customer, and is left out of the figures: counted, it would "
        "double them."]


def test_a_stripe_customer_id_column_beside_customer_name_is_the_key_and_the_name_is_shown() -> None:
    grid: list[list[Cell]] = [["Customer", "Customer Name", "Month", "MRR"],
                              ["cus_Q1a", "Acme Inc", "2026-01", "100"], ["cus_Q2b", "Beta LLC", "2026-01", "50"],
                              ["cus_Q1a", "Acme Inc", "2026-02", "160"], ["cus_Q2b", "Beta LLC", "2026-02", "0"]]
    for rows in (grid, [[r[1], r[0], *r[2:]] for r in grid]):  # either order
        check = check_ledger(rows)
        assert check.ledger is not None and isinstance(check.ledger.customers, CustomerTable)
        assert check.ledger.customers.keys == ("cus_Q1a", "cus_Q2b")
        assert check.ledger.customers.names == ("Acme Inc", "Beta LLC")
        out = report_to_dict(build_report(check.ledger, resolve_period("2026-02", dt.date(2026, 3, 2))))
        assert out["movers"]["churn"] == [{"customer": "Beta LLC", "amount": "50.00"}]
        assert out["movers"]["expansion"] == [{"customer": "Acme Inc", "amount": "60.00"}]


def test_two_rows_sharing_one_subscription_say_so_instead_of_asking_for_the_column_the_table_has() -> None:
    long = check_ledger([["Customer", "Month", "MRR", "Subscription"], ["A", "2026-01", "5", "sub_1"],
                         ["A", "2026-01", "6", "sub_1"]])
    assert [str(i) for i in long.issues] == [
        "A2 and A3 (January 2026): 'A' has two rows for this month with the same Subscription ('sub_1'), so "
        "Subscription does not tell them apart; merge them into one row, or add a column that does (a Subscription "
        "ID): rows it tells apart are summed."]
    wide = check_ledger([["Customer", "Plan", "Jan 2026"], ["A", "Pro", "1"], ["A", "", "2"], ["A", "", "3"]])
    assert [str(i) for i in wide.issues] == [
        "A3 and A4: 'A' has two rows with no Plan, so Plan does not tell them apart; merge them into one row, or add "
        "a column that does (a Subscription ID): rows it tells apart are summed."]


def test_a_figure_that_cannot_be_hashed_is_refused_naming_its_cell() -> None:
    """Decimal('sNaN') is a Cell the engine accepts: the wide reader looked it up in a dict (TypeError, exit 70)."""
    check = check_ledger([["", "Jan 2026"], ["Acme", Decimal("sNaN")]])
    assert [str(i) for i in check.issues] == [
        "B2 (January 2026): MRR sNaN is not an amount such as 100000, 100000.50 or $100,000."]
