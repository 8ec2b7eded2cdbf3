"""A billing tab in Google Sheets: read with the real gspread over HTTP against the fake, normalized by the same
rules as a file, and ``nrr fill`` writes its derived ledger to the template tab as it does for a customer tab."""

from __future__ import annotations

import datetime as dt
import json

from tests.fakes.google_api import FakeGoogle
from tests.test_sheets import env_for, run
from tests.test_sheets_customers import values

SHEET_ID = "1CustomerSheet0123456789abcdefgh"


def serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days  # what the Sheets API gives for a date, unformatted


JAN, FEB, MAR, APR = (dt.date(2026, m, 1) for m in (1, 2, 3, 4))
LINES: list[list[object]] = [
    ["Customer", "Subscription", "Invoice Status", "Period Start", "Period End", "Amount", "Discount", "Tax"],
    ["Acme", "sub_A", "paid", serial(JAN), serial(dt.date(2027, 1, 1)), 12000, 1200, 2400],  # 900 a month
    ["Beta", "sub_B", "paid", serial(JAN), serial(FEB), 500, "", 100],
    ["Beta", "sub_B", "paid", serial(FEB), serial(MAR), 500, "", 100],
    ["Beta", "sub_B", "void", serial(MAR), serial(APR), 500, "", 100],  # void: Beta churns in March
    ["Beta", "", "paid", serial(FEB), serial(FEB), 250, "", 50],  # a one-off fee
    ["Cobalt", "sub_C", "open", serial(MAR), serial(APR), 300, "", 60],  # open counts: new in March
]


def test_fill_on_a_billing_tab_writes_its_derived_ledger_to_the_template_tab() -> None:
    with FakeGoogle() as google:
        google.add_spreadsheet(SHEET_ID, {"Invoice lines": [list(r) for r in LINES]})
        code, out, err = run("fill", "--ledger", f"gsheet:{SHEET_ID}/Invoice lines", env=env_for(google))
        assert (code, err) == (0, "")
        assert out.splitlines()[0] == (
            "'Invoice lines' is billing data (read as invoice lines: 6 lines, 3 customers, 3 months; annual plans "
            "spread over their months; 1 one-off line and 1 line on void invoices left out): its derived ledger (2 "
            "month(s)) goes to a new tab 'NRR' (from the template), one row per month.")
        rows = values(google, "NRR", 3, 5)
        assert rows[1] == [serial(FEB), 1400.0, 0.0, 0.0, 0.0]  # January: Acme 900 + Beta 500
        assert rows[2] == [serial(MAR), 1400.0, 0.0, 500.0, 0.0]  # Beta's void March invoice: churn 500
        code, out, err = run("report", "2026-03", "--json", "--today", "2026-04-02", "--ledger",
                             f"gsheet:{SHEET_ID}/Invoice lines", env=env_for(google))
        assert (code, err) == (0, "")
        data = json.loads(out)
        assert data["source_kind"] == "invoice_lines" and data["nrr_pct"] == 64.29  # 900 / 1,400
        assert data["normalization"]["left_out"]["void"] == 1 and data["normalization"]["left_out"]["one_off"] == 1
