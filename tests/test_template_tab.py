"""``nrr fill`` on a customer tab whose template tab holds another customer table: refused, saying what to do.
Real gspread over HTTP against the fake, as in test_sheets_customers.py."""

from __future__ import annotations

from tests.fakes.google_api import FakeGoogle
from tests.test_sheets import env_for, run
from tests.test_sheets_customers import CUSTOMERS, SHEET_ID, _tab


def test_a_template_tab_holding_a_customer_table_is_not_written() -> None:
    with FakeGoogle() as google:
        google.add_spreadsheet(SHEET_ID, {"Customers": [list(r) for r in CUSTOMERS]})
        google.spreadsheets[SHEET_ID].sheets.append(_tab(google, "NRR", [list(r) for r in CUSTOMERS]))
        code, out, err = run("fill", "--ledger", f"gsheet:{SHEET_ID}/Customers", env=env_for(google))
        assert (code, out) == (1, "")
        assert err == ("Tab 'NRR' has no ledger header nrr can write the derived ledger under (it holds a customer "
                       "table); rename the tab, or set [ledger] template_tab in nrr.toml to a new tab's name and nrr "
                       "fill creates it.\n")
        assert google.writes() == 0
