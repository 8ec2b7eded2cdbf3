"""The grid reader: headers by name, every error by cell, warnings answered through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import LedgerError, Month, check_ledger, read_ledger
from tests.helpers import HEADER, examples

D = Decimal


def messages(grid: Sequence[Sequence[Any]], sheet: str | None = None) -> list[str]:
    return [f"{i.severity}: {i}" for i in check_ledger(grid, sheet=sheet).issues]


def test_reads_the_template() -> None:
    ledger = read_ledger([HEADER,
                          ["Jan 2026", "$100,000", "$15,000", "$5,000", "$2,000", "$108,000", "108%"],
                          ["Feb 2026", "$110,000", "$1,000", "$1,000", "$0", "$110,000", "100%"]])
    assert [r.month for r in ledger] == [Month(2026, 1), Month(2026, 2)]
    first = ledger.rows[0]
    amounts = (first.start, first.expansion, first.churn, first.downgrade)
    assert amounts == (D(100000), D(15000), D(5000), D(2000))
    assert first.nrr == D("1.08") and first.grr == D("0.93")
    assert first.row == 2
    assert ledger.warnings == ()
    assert ledger.layout is not None and ledger.layout.columns["nrr"] == 6


@pytest.mark.parametrize(
    "header",
    [
        ["month", "mrr start of period", "EXPANDED MRR", "churned_mrr", "downgraded-mrr"],
        ["Period", "Starting MRR", "Expansion MRR", "Churn MRR", "Contraction MRR", "Ending MRR", "NRR %"],
        ["Date", "Beginning MRR", "Expansion", "Churn", "Contraction", "End MRR", "NRR"],
        ["Month", "Opening MRR", "Upsell MRR", "Lost MRR", "Downsell MRR", "Closing MRR"],  # fuzz 10: Downsell
        ["Downgraded MRR", "Churned MRR", "Month", "Expanded MRR", "Notes", "MRR (Start of Period)"],
    ],
)
def test_headers_by_name_in_any_order_case_or_wording(header: list[str]) -> None:
    values = {"month": "2026-01", "start": "100000", "expansion": "15000", "churn": "5000",
              "downgrade": "2000"}
    from engine import match_header

    cells = []
    for h in header:
        m = match_header(h)
        cells.append(values.get(m.field, "") if m else "ignored")
    ledger = read_ledger([header, cells])
    assert ledger.rows[0].nrr == D("1.08")


def test_arr_ledgers_work_the_same_way() -> None:
    ledger = read_ledger([["Month", "Starting ARR", "Expansion ARR", "Churned ARR", "Contraction ARR"],
                          ["2026-01", "1,200,000", "180,000", "60,000", "24,000"]])
    assert ledger.unit == "ARR"
    assert ledger.rows[0].nrr == D("1.08")


def test_extra_columns_are_kept_aside_and_a_title_may_sit_above() -> None:
    grid = [["Acme Corp NRR ledger"], [], ["Month", "Owner", *HEADER[1:5], "Notes"],
            ["2026-01", "Ana", "100", "0", "0", "0", "fine"]]
    ledger = read_ledger(grid)
    assert ledger.layout is not None
    assert ledger.layout.header_row == 3
    assert ledger.layout.extras == {"Owner": 1, "Notes": 6}
    assert ledger.rows[0].row == 4


def test_blank_rows_pending_months_and_totals_are_skipped() -> None:
    grid = [HEADER, ["2026-01", "100", "10", "5", "0", "", ""], [], ["", "", "", "", ""],
            ["2026-02", "", "", "", "", "0", "#DIV/0!"], ["Total", "100", "10", "5", "0"]]
    ledger = read_ledger(grid)
    assert [str(r.month) for r in ledger] == ["2026-01"]
    assert ledger.pending == (Month(2026, 2),)


def test_losses_may_be_written_negative_or_in_brackets() -> None:
    ledger = read_ledger([HEADER, ["2026-01", "100000", "15000", "(5,000)", "-2000"]])
    assert (ledger.rows[0].churn, ledger.rows[0].downgrade) == (D(5000), D(2000))


def test_google_sheets_serial_dates_and_numbers() -> None:
    ledger = read_ledger([HEADER[:5], [46023, 100000, 15000, 5000, 2000], [46054, 108000.5, 0, 0, 0]])
    assert [str(r.month) for r in ledger] == ["2026-01", "2026-02"]
    assert ledger.rows[1].start == D("108000.5")


def test_xlsx_style_date_cells() -> None:
    ledger = read_ledger([HEADER[:5], [dt.datetime(2026, 1, 1), 100000, 15000, 5000, 2000]])
    assert ledger.rows[0].month == Month(2026, 1)


def test_us_first_of_month_dates_are_read_from_the_column() -> None:
    grid = [HEADER[:5], ["01/01/2026", "100", "0", "0", "0"], ["02/01/2026", "100", "0", "0", "0"],
            ["03/01/2026", "100", "0", "0", "0"]]
    assert [str(r.month) for r in read_ledger(grid)] == ["2026-01", "2026-02", "2026-03"]


# --- errors: each names the cell, the value and what is expected --------------------------------

def test_error_messages_name_cell_value_and_fix() -> None:
    grid = [
        HEADER,
        ["Janvier 2026", "100000", "0", "0", "0"],
        ["2026-02", "12O0", "0", "0", "0"],
        ["2026-03", "€1.200,50", "0", "0", "0"],
        ["2026-04", "-5", "0", "0", "0"],
        ["2026-05", "100", "-1", "0", "0"],
        ["2026-06", "100", "0", "80", "30"],
        ["2026-07", "", "5", "0", "0"],
        ["", "100", "0", "0", "0"],
        ["2026-08", "100", "0", "0", "0"],
        ["Aug 2026", "100", "0", "0", "0"],
    ]
    assert messages(grid, sheet="Ledger") == [
        "error: Ledger!A2: Month 'Janvier 2026' is not a month such as 2026-03, Mar 2026, March 2026, "
        "03/2026, 202603 or a date.",
        "error: Ledger!B3 (February 2026): MRR (Start of Period) '12O0' is not an amount such as 100000, "
        "100000.50 or $100,000.",
        "error: Ledger!B4 (March 2026): MRR (Start of Period) '€1.200,50' is not an amount that reads one "
        "way only: 1.200,50 has a decimal comma and dots between thousands; write 1200.50.",
        "error: Ledger!B5 (April 2026): MRR (Start of Period) is -5.00; it cannot be negative. Enter the "
        "amount as a positive number.",
        "error: Ledger!C6 (May 2026): Expanded MRR is -1.00; it cannot be negative. Enter the amount as a "
        "positive number.",
        "error: Ledger!B7, Ledger!D7 and Ledger!E7 (June 2026): Churned + Downgraded = 110.00 is more "
        "than the 100.00 the month started with; a month cannot lose more than it started with. Check "
        "these cells.",
        "error: Ledger!B8 (July 2026): MRR (Start of Period) is blank; enter the recurring revenue at the "
        "start of the month.",
        "error: Ledger!A9: This row has amounts but no month; enter the month in the Month column.",
        "error: Ledger!A10 and Ledger!A11 (August 2026): This month appears more than once; keep one row "
        "per month (delete or merge the others).",
    ]


def test_a_row_with_no_month_summing_the_rows_above_is_asked_about_as_a_total() -> None:
    # =SUM() under the table with no label: "enter the month" was the wrong advice (a fresh-eyes try)
    grid = [HEADER[:5], ["2026-01", "1000", "30", "10", "5"], ["2026-02", "1015", "20", "15", "0"],
            ["", "1000", "50", "25", "5"], ["", "900", "7", "1", "1"]]
    assert messages(grid) == [
        "error: A4: This row has amounts but no month, and its Expanded MRR is the sum of the rows above: a total? "
        "Write Total in its Month cell to have it left out, or delete the row; if it is a month, enter the month.",
        "error: A5: This row has amounts but no month; enter the month in the Month column.",
    ]
    grid[3][0] = "Total"
    assert messages(grid[:4]) == []


def test_a_second_ledger_beside_the_first_is_one_warning_that_says_its_rows_are_not_read() -> None:
    # 2024 in A:E, 2025 in G:K: five "also looks like the Month column" warnings never said the months were lost
    grid = [[*HEADER[:5], "", *HEADER[:5]], ["2024-12", "1000", "30", "10", "5", "", "2025-01", "1015", "0", "0", "0"]]
    assert messages(grid) == [
        "warning: G1: The header in G1:K1 repeats the ledger's: a second ledger beside this one, whose rows are not "
        "read, and no answer counts them. nrr reads one ledger a tab: put those rows under this table's, in its "
        "columns, or on a tab of their own."]


def test_a_ledger_running_across_the_sheet_is_asked_to_be_transposed() -> None:
    # "No 'Month', 'Expanded MRR' ... columns in the header (row 2)" named the Start row as a header (a fresh-eyes try)
    grid = [["Metric", "2025-01", "2025-02"], ["MRR (Start of Period)", "1000", "1015"],
            ["Expanded MRR", "30", "20"], ["Churned MRR", "10", "15"], ["Downgraded MRR", "5", "0"]]
    assert messages(grid) == [
        "error: The ledger runs across the sheet: the figures' names go down from A2 ('MRR (Start of Period)', "
        "'Expanded MRR', 'Churned MRR', 'Downgraded MRR') and the months across. nrr reads a month a row, under a "
        "header of those names: transpose the table (copy it, then Paste special > Transposed) and read it again."]


def test_a_row_matching_the_sums_above_in_one_movement_only_is_no_total() -> None:
    # Expanded 40 beside a February of 40 and a January of 0, its other figures a month's: no total (a review)
    grid = [HEADER[:5], ["2026-01", "1000", "0", "10", "5"], ["2026-02", "985", "40", "0", "0"],
            ["", "1025", "40", "20", "3"]]
    assert messages(grid) == ["error: A4: This row has amounts but no month; enter the month in the Month column."]


def test_an_activity_log_is_not_taken_for_a_ledger_running_across() -> None:
    # its Type column repeats Expansion, Churn, Contraction: "transpose the table" was the wrong advice (a review)
    grid = [["Date", "Customer", "Type", "MRR Movement"], ["2025-01-03", "A", "New Business", "100"],
            ["2025-01-09", "B", "Expansion", "20"], ["2025-02-01", "C", "Churn", "-50"],
            ["2025-02-11", "D", "Contraction", "-10"], ["2025-03-01", "E", "Expansion", "5"]]
    assert not any("runs across" in m for m in messages(grid))


def test_months_laid_out_ahead_after_a_gap_say_the_month_the_ledger_ends_in() -> None:
    # "the ledger ends in November 2026" of rows that end in June, December and January laid out ahead (a fresh-eyes
    # try): the month before the first laid out is not where the figures end
    grid = [HEADER[:5], ["2026-05", "1000", "30", "10", "5"], ["2026-06", "1015", "20", "15", "0"],
            ["2026-12", "1020", "", "", ""], ["2027-01", "1020", "", "", ""]]
    said = next(m for m in messages(grid) if "not closed" in m)
    assert said.split(": the ledger ends in ")[1].startswith("June 2026.")


def test_missing_required_column() -> None:
    assert messages([["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR"],
                     ["2026-01", "1", "0", "0"]]) == [
        "error: No 'Downgraded MRR' column in the header (row 1); add a column with that header (the "
        "template's MRR ledger has Month, MRR (Start of Period), Expanded MRR, Churned MRR, "
        "Downgraded MRR)."
    ]


def test_no_header_at_all() -> None:
    assert messages([["1", "2"], ["3", "4"]]) == [
        "error: No header row found: the first rows should name the columns Month, MRR (Start of "
        "Period), Expanded MRR, Churned MRR and Downgraded MRR, or, for a customer table, Customer, Month and MRR "
        "(or one column per month, headed like Jan 2026). A customer table headed in other words can name its "
        "columns in nrr.toml: [ledger] columns = {customer = \"...\", month = \"...\", mrr = \"...\"}."
    ]


def test_mixed_units_are_refused() -> None:
    assert messages([["Month", "Starting ARR", "Expansion MRR", "Churn MRR", "Contraction MRR"]]) == [
        "error: The columns mix MRR (Expansion MRR, Churn MRR, Contraction MRR) and ARR (Starting ARR); "
        "keep the whole ledger in one of them."
    ]


def test_an_empty_ledger_is_an_error() -> None:
    assert messages([HEADER]) == [
        "error: The ledger has no month with figures yet; fill in at least one row."]


def test_read_ledger_raises_with_every_issue() -> None:
    with pytest.raises(LedgerError) as info:
        read_ledger([HEADER, ["2026-01", "x", "0", "0", "0"], ["2026-02", "y", "0", "0", "0"]])
    assert len(info.value.errors) == 2
    assert str(info.value).count("\n") == 1


# --- warnings: answered through, the formula wins -----------------------------------------------

def test_warnings_for_computed_cells_gaps_and_vanished_revenue() -> None:
    grid = [
        HEADER,
        ["2026-01", "100,000", "15,000", "5,000", "2,000", "108,500", "108%"],
        ["2026-02", "110,000", "1,000", "1,000", "0", "110,000", "101%"],
        ["2026-03", "105,000", "0", "0", "0", "105,000", "100%"],
        ["2026-06", "105,000", "", "", "", "", ""],
        ["2026-07", "105,000", "0", "0", "0", "105,000", ""],  # June between months with figures: read as 0
    ]
    assert messages(grid, sheet="Ledger") == [
        "warning: Ledger!F2 (January 2026): MRR (End of Period) says 108,500.00 but Start + "
        "Expanded - Churned - Downgraded = 108,000.00; using 108,000.00.",
        "warning: Ledger!G3 (February 2026): NRR Rate says 101.00% but the formula gives 100.00%; using "
        "100.00%.",
        "warning: Ledger!C5, Ledger!D5 and Ledger!E5 (June 2026): Expanded, Churned and "
        "Downgraded MRR are all blank; read as 0. Enter 0 to confirm.",
        "warning: Ledger!B4 (March 2026): Start is 105,000.00, below February 2026's End of 110,000.00: "
        "5,000.00 vanished between the rows. Record it as churn or downgrade in the month it happened.",
        "warning: Ledger: No row for April 2026 to May 2026 (2 months missing between March 2026 and "
        "June 2026); periods that span the gap are refused until they are added.",
    ]


def test_an_end_that_disagrees_on_a_row_with_blank_movements_names_the_blanks() -> None:
    # the blank, read as 0, is what makes the row disagree: the warning says so, and with one blank the value
    # that would add up; a loss is offered only when the month could have lost it
    grid = [
        HEADER,
        ["2026-01", "1,000", "", "50", "20", "1,030", ""],
        ["2026-02", "1,030", "10", "5", "", "1,000", ""],
        ["2026-03", "1,000", "", "", "0", "1,080", ""],
        ["2026-04", "1,080", "0", "", "0", "50", ""],
    ]
    ends = [m for m in messages(grid) if "(End of Period) says" in m]  # not the vanished-revenue warnings
    assert ends == [
        "warning: F2 and C2 (January 2026): MRR (End of Period) says 1,030.00 but Start + Expanded - Churned - "
        "Downgraded = 930.00 with Expanded MRR blank (C2, read as 0); using 930.00. If Expanded MRR should be "
        "100.00, enter it in C2.",
        "warning: F3 and E3 (February 2026): MRR (End of Period) says 1,000.00 but Start + Expanded - Churned - "
        "Downgraded = 1,035.00 with Downgraded MRR blank (E3, read as 0); using 1,035.00. If Downgraded MRR "
        "should be 35.00, enter it in E3.",
        "warning: F4, C4 and D4 (March 2026): MRR (End of Period) says 1,080.00 but Start + Expanded - Churned - "
        "Downgraded = 1,000.00 with Expanded MRR and Churned MRR blank (C4 and D4, read as 0); using 1,000.00. "
        "Fill in the blank cells so the row adds up to 1,080.00.",
        "warning: F5 and D5 (April 2026): MRR (End of Period) says 50.00 but Start + Expanded - Churned - "
        "Downgraded = 1,080.00 with Churned MRR blank (D5, read as 0); using 1,080.00. If Churned MRR should be "
        "1,030.00, enter it in D5.",
    ]
    grid[4][5] = "1,100"  # a blank loss cannot make End higher than Start: nothing to offer
    last = [m for m in messages(grid) if "(End of Period) says" in m][-1]
    assert last.endswith("Fill in the blank cells so the row adds up to 1,100.00.")


def test_the_header_again_and_a_note_under_the_table_are_not_months() -> None:
    # two exports pasted together repeat the header; a note sits where the month goes: neither is a month
    grid = [
        HEADER,
        ["2026-01", "1,000", "100", "50", "20", "1,030", ""],
        [h.upper() for h in HEADER],
        ["2026-02", "1,030", "0", "0", "0", "1,030", ""],
        ["Notes: figures from Stripe, net of refunds", "", "", "", "", "", ""],
    ]
    assert messages(grid) == []
    assert [r.month for r in read_ledger(grid).rows] == [Month(2026, 1), Month(2026, 2)]
    grid[4][6] = "see C3"  # a month nobody can read beside another cell is still an error, naming it
    assert messages(grid) == ["error: A5: Month 'Notes: figures from Stripe, net of refunds' is not a month such as "
                              "2026-03, Mar 2026, March 2026, 03/2026, 202603 or a date."]


def inverted(month: str, start: int, expansion: int, churn: int, downgrade: int) -> list[Any]:
    """A template row whose NRR cell holds (Start - End)/Start + 1, shown with two decimals."""
    end = start + expansion - churn - downgrade
    return [month, start, expansion, churn, downgrade, end, f"{(2 - D(end) / start) * 100:.2f}%"]


TWELVE_INVERTED: list[list[Any]] = [
    HEADER,
    inverted("2026-01", 100000, 15000, 5000, 2000),  # 108% shown as 92.00%
    inverted("2026-02", 110000, 1000, 1000, 0),  # 100% either way
    *(inverted(f"2026-{m:02d}", 100000 + 10000 * m, 2000 + 100 * m, 1000, 500) for m in range(3, 13)),
]


def test_an_inverted_nrr_column_is_one_warning_naming_the_formula() -> None:
    assert messages(TWELVE_INVERTED, sheet="Ledger") == [
        "warning: Ledger!G2:G13: NRR Rate holds 2 - End/Start, the inverted formula some templates give "
        "((Start - End)/Start + 1): January 2026 shows 92.00% where retention is 108.00%, and 10 more months "
        "are off the same way. nrr uses End/Start: put =F2/B2 in G2 and copy it down the column (in a Google "
        "Sheet, nrr fill --fix-formulas replaces the inverted formulas).",
    ]
    assert [r.nrr for r in read_ledger(TWELVE_INVERTED).rows[:2]] == [D("1.08"), D(1)]  # the formula wins


def test_inverted_rates_are_recognised_in_the_sheets_own_columns_and_runs() -> None:
    header = ["Month", "NRR %", "Starting MRR", "Expansion MRR", "Churn MRR", "Contraction MRR"]
    rows = [inverted("Jan 2026", 100000, 15000, 5000, 2000), inverted("Feb 2026", 110000, 1000, 3000, 0),
            ["Mar 2026", 112000, 2000, 0, 0, None, "101.79%"], inverted("Apr 2026", 114000, 0, 2000, 0)]
    grid: list[list[Any]] = [header, *([r[0], r[6], *r[1:5]] for r in rows)]
    assert messages(grid) == [
        "warning: B2:B3 and B5: NRR Rate holds 2 - End/Start, the inverted formula some templates give "
        "((Start - End)/Start + 1): January 2026 shows 92.00% where retention is 108.00%, and 2 more months "
        "are off the same way. nrr uses End/Start: put =(C2+D2-E2-F2)/C2 in B2 and copy it down the column "
        "(in a Google Sheet, nrr fill --fix-formulas replaces the inverted formulas).",
    ]


@pytest.mark.parametrize("rates", [
    ["92.00%", "100%"],  # one month alone is a typo as likely as a formula
    ["92.00%", "99%"],  # February is off, but not the inverted way (97%): each says so
])
def test_rates_that_are_not_an_inverted_column_are_warned_one_by_one(rates: list[str]) -> None:
    grid: list[list[Any]] = [HEADER, ["2026-01", 100000, 15000, 5000, 2000, 108000, rates[0]],
            ["2026-02", 108000, 3240, 0, 0, 111240, rates[1]]]
    assert messages(grid) == [
        "warning: G2 (January 2026): NRR Rate says 92.00% but the formula gives 108.00%; using 108.00%.",
        f"warning: G3 (February 2026): NRR Rate says {rates[1][:-1]}.00% but the formula gives 103.00%; using "
        "103.00%.",
    ]


@pytest.mark.parametrize(("end", "nrr"), [("108,000", "108%"), ("108000.4", "1.08"), (108000, 108),
                                          ("108,000.40", "108.00%")])
def test_rounding_is_not_a_disagreement(end: object, nrr: object) -> None:
    assert messages([HEADER, ["2026-01", "100,000", "15,000.40", "5,000", "2,000", end, nrr]]) == []


def test_unreadable_computed_cells_are_warnings_not_errors() -> None:
    assert messages([HEADER, ["2026-01", "100", "0", "0", "0", "n/a", "lots"]]) == [
        "warning: F2 (January 2026): MRR (End of Period) 'n/a' is not an amount such as 100000, 100000.50 "
        "or $100,000. It is computed from the other columns instead.",
        "warning: G2 (January 2026): NRR Rate 'lots' is not a rate such as 108%, 1.08 or 108. It is "
        "computed from the other columns instead.",
    ]


def test_zero_start_is_not_an_error() -> None:
    ledger = read_ledger([HEADER[:5], ["2026-01", "0", "0", "0", "0"]])
    assert ledger.rows[0].nrr is None


cells = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**9, 10**9),
                  st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.dates(),
                  st.decimals(allow_nan=True), st.sampled_from(["2026-01", "Jan 2026", "(5,000)", "$1,200",
                                                               "108%", "#DIV/0!", ""]))


@settings(max_examples=examples(120), deadline=None)
@given(st.lists(st.lists(cells, max_size=9), max_size=8), st.booleans())
def test_the_reader_only_ever_raises_the_ledgers_own_error(body: list[list[object]],
                                                           header: bool) -> None:
    grid = [HEADER, *body] if header else body
    try:
        ledger = read_ledger(grid)  # type: ignore[arg-type]
    except LedgerError as exc:
        assert exc.errors
    else:
        for r in ledger:
            assert r.nrr is None or r.grr is None or r.nrr >= r.grr


@pytest.mark.parametrize("header", ["Churned Customers", "Churn Rate", "Churn %", "Customers Churned",
                                    "Starting Customers", "Expansion Rate", "# Customers", "Logo Churn Rate",
                                    # dates (fuzz 14: Baremetrics' Canceled At was read as Churned MRR)
                                    "Canceled At", "Churned On", "Expansion Date", "Downgraded At"])
def test_counts_and_rates_are_never_taken_for_money(header: str) -> None:
    from engine import match_header

    assert match_header(header) is None


@pytest.mark.parametrize(("header", "field"), [("Add-on Expansion", "expansion"), ("Ending (at month end)", "end"),
                                               ("Churn (on cancel)", "churn")])
def test_at_or_on_inside_a_header_is_no_date(header: str, field: str) -> None:
    """Review: every header with the word "on" or "at" was taken for a date (Add-on Expansion was no Expanded)."""
    from engine import match_header

    found = match_header(header)
    assert found is not None and found.field == field


def test_a_column_naming_its_unit_wins_over_a_bare_one() -> None:
    grid = [["Month", "Churn", "MRR (Start of Period)", "Expanded MRR", "Downgraded MRR", "Churned MRR"],
            ["2026-03", "7", "100", "10", "1", "5"]]
    ledger = read_ledger(grid, sheet="Ledger")
    assert ledger.rows[0].churn == D(5)
    assert [str(w) for w in ledger.warnings] == [
        "Ledger!B1: 'Churn' also looks like the Churned MRR column; 'Churned MRR' (F1) is used and this one is "
        "ignored."]



@pytest.mark.parametrize("other", ["Gross MRR Churn", "Total Churn (MRR)", "Churned Revenue (MRR)"])
def test_the_templates_own_header_wins_over_a_column_left_of_it_that_names_the_same_field(other: str) -> None:
    """Fuzz 16: Gross MRR Churn (churn and contraction) left of Churned MRR was read as the churn, downgrades
    counted twice: NRR 91.19% for 99.23%. Month # left of Month took the month role, every row refused."""
    grid = [["Month #", "Month", "MRR (Start of Period)", "Expanded MRR", other, "Churned MRR", "Downgraded MRR"],
            ["1", "2026-03", "100", "10", "7", "5", "2"]]
    ledger = read_ledger(grid, sheet="Ledger")
    assert (ledger.rows[0].month, ledger.rows[0].churn) == (Month(2026, 3), D(5))
    # (Month # is a count of months, not the month: a column aside, as # Add-ons is not expansion)
    assert [w.code for w in ledger.warnings] == ["duplicate_column"]


def test_the_templates_own_header_beats_the_same_naming_a_currency() -> None:
    """Fuzz 19: `Churned MRR (EUR)` left of `Churned MRR` took its place and made the ledger EUR."""
    grid = [["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR (EUR)", "Churned MRR", "Downgraded MRR"],
            ["2026-03", "1000", "50", "45", "50", "20"]]
    ledger = read_ledger(grid)
    assert (ledger.rows[0].churn, ledger.currency) == (D(50), None)


@pytest.mark.parametrize("churned", ["Churned MRR (USD)", "Churned MRR ($)", "churned mrr:", "Churned ARR"])
def test_the_templates_header_naming_its_currency_still_wins(churned: str) -> None:
    """Fuzz 18: `Churned MRR ($)` lost to a Gross MRR Churn column left of it, as 2e950cf's exact match missed it."""
    unit = "ARR" if "ARR" in churned else "MRR"
    grid = [["Month", f"{unit} (Start of Period)", f"Expanded {unit}", f"Gross {unit} Churn", churned,
             f"Downgraded {unit}"], ["2026-03", "1000", "50", "50", "30", "20"]]
    assert read_ledger(grid).rows[0].churn == D(30)


def test_net_churn_is_no_churned_money() -> None:
    """Net MRR Churn is churn and contraction less expansion: read as churn it took the expansion off twice."""
    from engine import match_header

    assert match_header("Net MRR Churn") is None and match_header("Churned MRR").field == "churn"  # type: ignore[union-attr]

@pytest.mark.parametrize(("cell", "month"), [("1/1/2026", "2026-01"), ("3/1/2026", "2026-03"),
                                             ("1/3/2026", "2026-03"), ("31/1/2026", "2026-01")])
def test_a_single_first_of_month_date_reads_without_a_column_to_compare(cell: str, month: str) -> None:
    ledger = read_ledger([HEADER[:5], [cell, "100", "0", "0", "0"]])
    assert str(ledger.rows[0].month) == month


def test_rows_that_hold_errors_are_not_reported_as_missing() -> None:
    grid = [HEADER[:5], ["2026-02", "100", "0", "0", "0"], ["2026-03", "x", "0", "0", "0"],
            ["2026-04", "100", "y", "0", "0"], ["2026-06", "100", "0", "0", "0"]]
    check = check_ledger(grid)
    gaps = [str(i) for i in check.warnings if i.code == "gap"]
    assert gaps == ["No row for May 2026 (1 month missing between April 2026 and June 2026); periods that span "
                    "the gap are refused until it is added."]


def test_a_spreadsheet_error_in_a_movement_is_an_error_not_a_zero() -> None:
    """``#REF!`` in Expanded read as blank, so 0: a silent wrong NRR. It names its cell, as a customer table's does."""
    check = check_ledger([HEADER, ["2026-01", "1000", "#REF!", "5", "0", "1005"],
                          ["2026-02", "1005", "10", "#N/A", "0", "1010"]])
    assert check.ledger is None
    assert [str(i) for i in check.errors] == [
        "C2 (January 2026): Expanded MRR '#REF!' is not an amount but a spreadsheet error; fix its formula, or enter "
        "0 if nothing moved.",
        "D3 (February 2026): Churned MRR '#N/A' is not an amount but a spreadsheet error; fix its formula, or enter 0 "
        "if nothing moved."]


def test_what_a_summary_sheet_a_units_row_and_a_month_without_its_year_are_told() -> None:
    """Fuzz 14: a ledger of quarters was told "no month with figures yet; fill in at least one row"; a units row
    under the header ("in USD") "has amounts but no month"; "January" got the generic month hint."""
    head = ["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR", "Downgraded MRR"]
    said = [str(i) for i in check_ledger([head, ["Q1 2025", "100", "1", "1", "1"], ["Q2 2025", "100", "1", "1",
                                                                                   "1"]]).issues]
    assert said == ["A2 and A3: Every row names a span of months (a quarter, a year), not a month: NRR is read from "
                    "one row per month. Give each month its own row (Month, MRR (Start of Period), ...); the quarter's "
                    "figures follow from its months."]
    said = [str(i) for i in check_ledger([["Quarter", *head[1:]], ["Q1 2025", "100", "1", "1", "1"]]).issues]
    assert said[0].endswith("The 'Quarter' column names spans of months: NRR is read from one row per month, so "
                            "give each month its own row under a Month column; the quarter's figures follow from its "
                            "months.")
    units = check_ledger([head, ["", "in USD", "in USD", "in USD", "%"], ["2025-01", "100", "1", "1", "1"]])
    assert units.ledger is not None and [str(i) for i in units.issues] == [
        "B2: This row holds words, not figures ('in USD'), and no month: read as a note about the columns (their "
        "units) and left out."]
    assert [str(i) for i in check_ledger([head, ["January", "100", "1", "1", "1"]]).issues] == [
        "A2: Month 'January' is not a month with its year, such as Jan 2026, 2026-01 or a date."]
    # a row of #REF! with no month was passed over without a word (review)
    broken = check_ledger([head, ["2025-01", "100", "1", "1", "1"], ["", "#REF!", "#REF!", "", ""]])
    assert broken.ledger is not None and [str(i) for i in broken.issues] == [
        "B3: This row holds a spreadsheet error (#REF!) where its figures go, and no month: its formulas are broken, "
        "so it is left out; fix them, or delete the row."]


@pytest.mark.parametrize("header", [
    ["Name", "Email", "OID", "Current MRR", "Current Plans", "Created At", "Canceled At"],
    ["Customer", "Email", "Current MRR", "Plan"]])
def test_a_list_of_current_mrr_is_told_why_it_gives_no_nrr(header: list[str]) -> None:
    """Baremetrics' customers export (fuzz 14): one row per customer with today's MRR got "No header row found" or
    "add a Month column"; no month-by-month figure comes from it, and a cancelled customer's current MRR is 0."""
    check = check_ledger([header, ["Acme", "a@x.com", "99.00", "Pro", "2024-03-05", "", ""][:len(header)]])
    assert [str(i) for i in check.errors] == [
        "This looks like a list of customers with their Current MRR (one row each, no month): NRR compares what the "
        "same customers paid a period apart, and a cancelled customer's current MRR is 0, so it cannot be read from "
        "this. Export each customer's MRR month by month (a customer table: Customer, Month, MRR), or the "
        "subscriptions with their start and end dates."]


def test_a_ledgers_currency_column_names_its_currency_and_two_are_refused() -> None:
    """A Currency column beside month totals was kept aside and the ledger answered in dollars (fuzz 15)."""
    head = ["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR", "Downgraded MRR", "Currency"]
    one = check_ledger([head, ["2025-01", "1000", "50", "20", "10", "GBP"],
                        ["2025-02", "1020", "30", "15", "5", "gbp"]])
    assert one.ledger is not None and one.ledger.currency == "GBP"
    two = check_ledger([head, ["2025-01", "1000", "50", "20", "10", "EUR"],
                        ["2025-02", "1020", "30", "15", "5", "GBP"]])
    assert [(i.code, i.cells) for i in two.errors] == [("mixed_currency", ("F2", "F3"))]
    # a currency's name is no code to say figures in: said once, not answered in dollars (review)
    named = check_ledger([head, ["2025-01", "1000", "50", "20", "10", "British Pound"],
                          ["2025-02", "1020", "30", "15", "5", "British Pound"]])
    assert [(i.code, i.cells) for i in named.errors] == [("bad_currency", ("F2",))]


def test_a_spreadsheet_error_in_a_computed_column_is_said_and_the_figure_computed() -> None:
    """``#REF!`` in End or NRR Rate was passed over without a word (fuzz 14): the figure is computed from the row,
    but the sheet's formula is broken. A ``#DIV/0!`` where Start is 0 is what the formula gives: not said."""
    check = check_ledger([[*HEADER[:6], "NRR Rate"], ["2026-01", "1000", "10", "5", "0", "#REF!", "100.5%"],
                          ["2026-02", "1005", "10", "0", "0", "1015", "#REF!"]])
    assert check.ledger is not None and [r.end for r in check.ledger.rows] == [D(1005), D(1015)]
    assert [str(i) for i in check.warnings] == [
        "F2 (January 2026): MRR (End of Period) '#REF!' is not a figure but a spreadsheet error: its formula is broken "
        "(fix it, or clear the cell). It is computed from the other columns instead.",
        "G3 (February 2026): NRR Rate '#REF!' is not a figure but a spreadsheet error: its formula is broken (fix it, "
        "or clear the cell). It is computed from the other columns instead."]


@pytest.mark.parametrize("title", ["New + Expansion MRR", "New & Expansion MRR", "Expansion (incl. new) MRR",
                                   "Upsell + New MRR"])
def test_a_column_of_new_and_expansion_mrr_is_refused_not_read_as_expansion(title: str) -> None:
    # read as Expanded MRR, new business counted as retention: January NRR 110% where it was 102% (fuzz 6)
    check = check_ledger([["Month", "Starting MRR", title, "Churned MRR", "Contraction MRR", "Ending MRR"],
                          ["2025-01", "100000", "13000", "2000", "1000", "110000"]])
    assert check.ledger is None and [str(i) for i in check.issues] == [
        f"C1: '{title}' puts new customers' MRR with expansion, so it cannot be read as Expanded MRR: NRR counts only "
        "what existing customers add. Split it into New MRR and Expanded MRR columns."]


def test_the_last_rows_with_a_start_but_no_movement_are_months_not_closed_yet() -> None:
    # the year laid out ahead, Start and End carried by formulas: May answered NRR 100%, nothing having moved in a
    # month nobody had entered yet (fuzz 6)
    grid = [HEADER, ["2025-04", "100,000", "1,000", "500", "0", "100,500", ""],
            ["2025-05", "100,500", "", "", "", "100,500", ""], ["2025-06", "100,500", "", "", "", "100,500", ""]]
    check = check_ledger(grid, sheet="Ledger")
    assert check.ledger is not None and check.ledger.last_month == Month(2025, 4)
    assert [str(i) for i in check.issues] == [
        "Ledger!A3:A4: May 2025 to June 2025: Expanded, Churned and Downgraded MRR are blank in these last rows, so "
        "they are read as not closed yet and left out: the ledger ends in April 2025. To count one, enter its "
        "figures (0 where nothing moved)."]
    # May's Start, left out with its row, still says April's new business (a review found it lost)
    assert check.ledger.implied_new(Month(2025, 4)) == 0
    grid[2][1] = "100,650"
    assert check_ledger(grid).ledger.implied_new(Month(2025, 4)) == 150  # type: ignore[union-attr]
    # an End that disagrees with Start is a closed month with its movements left out: kept, and said
    grid[2][5] = "100,900"
    closed = check_ledger(grid)
    assert closed.ledger is not None and closed.ledger.last_month == Month(2025, 5)
    assert [i.code for i in closed.issues] == ["no_movements", "end_disagrees", "month_not_landed"]


@pytest.mark.parametrize("label", ["Q1 2025", "Q1", "H1 2025", "FY25", "FY2025 YTD", "2025", "Full year",
                                   "Jan-Mar 2025"])
def test_a_row_for_a_span_of_months_is_a_summary_left_out_with_a_warning(label: str) -> None:
    # told "MRR (Start of Period) is blank; enter the recurring revenue" on a quarter's subtotal row (fuzz 6)
    check = check_ledger([HEADER, ["2025-01", "100000", "5000", "2000", "1000", "", ""],
                          ["2025-02", "102000", "4000", "3000", "500", "", ""],
                          [label, "", "9000", "5000", "1500", "", "105.50%"]], sheet="Ledger")
    assert check.ledger is not None and [r.month for r in check.ledger.rows] == [Month(2025, 1), Month(2025, 2)]
    assert [str(i) for i in check.issues] == [
        f"Ledger!A4: This row ('{label}') names a span of months, not a month: it reads as a summary of the months "
        "above and is left out of the figures."]


@pytest.mark.parametrize("title", ["Expansion MRR (new seats)", "Upsell (new products)", "Expansion - new modules"])
def test_an_expansion_column_that_says_what_was_new_is_expansion(title: str) -> None:
    # refused as new business with expansion, where "new" qualifies what expanded (a review found it)
    check = check_ledger([["Month", "Starting MRR", title, "Churned MRR", "Contraction MRR"],
                          ["2025-01", "100000", "13000", "2000", "1000"]])
    assert check.ledger is not None and check.ledger.rows[0].expansion == 13000


def test_a_fiscal_month_is_a_month_not_a_summary() -> None:
    # FY25-03 matched the span of FY25 followed by a year: four rows left out as summaries (a review found it)
    check = check_ledger([HEADER, ["FY25-03", "100", "1", "1", "1", "", ""]])
    assert [i.code for i in check.issues] == ["bad_month"]


@pytest.mark.parametrize("label", ["Average NRR", "Averages", "Avg.", "Monthly average", "Annual", "Total / Avg",
                                   "Avg NRR %"])
def test_a_summary_row_under_the_ledger_is_left_out_however_it_is_labelled(label: str) -> None:
    """Fuzz 16: Average and Avg were left out, but Average NRR, Avg. or Monthly average were refused as months."""
    grid = [HEADER, ["2026-01", "100", "10", "5", "2", "", ""], ["2026-02", "103", "0", "0", "0", "", ""],
            [label, "", "", "", "", "", "101.5%"]]
    check = check_ledger(grid)
    assert check.ledger is not None and [r.month for r in check.ledger.rows] == [Month(2026, 1), Month(2026, 2)]


def test_a_hand_typed_rate_of_1_is_checked_as_100_percent_not_within_50_points() -> None:
    """A Sheet's 100% arrives as the number 1; January's NRR was 140% and no warning was given (fuzz 18)."""
    ledger = read_ledger([HEADER, ["2026-01", 100000, 45000, 3000, 2000, "", 1]], sheet="Ledger")
    assert [w.code for w in ledger.warnings] == ["nrr_disagrees"]


def test_another_table_under_the_ledger_ends_it_with_a_warning() -> None:
    """Fuzz 18: a plan table below a blank row (Month | Target MRR | Owner) had each row refused as the ledger's,
    and nrr fill put notes on it. The ledger ends above its header; no note goes on its cells."""
    grid = [HEADER[:5], ["2026-01", "100000", "15000", "5000", "2000"], ["2026-02", "108000", "1000", "1000", "0"],
            [], ["Plan 2027"], ["Month", "Target MRR", "Owner"], ["2027-01", "150000", "Ana"]]
    check = check_ledger(grid, sheet="Ledger")
    assert check.ledger is not None and [r.month for r in check.ledger.rows] == [Month(2026, 1), Month(2026, 2)]
    assert [(i.code, i.cells, str(i)) for i in check.issues] == [(
        "another_table", (), "Ledger: Another table starts at row 6 (headed 'Month', 'Target MRR', 'Owner'): the "
        "ledger is read above it, and nothing from there on is read or filled. Move that table to a tab of its "
        "own, or leave it: it is left out.")]
    # the same header again (two exports pasted together) is not another table: the rows under it are read
    again = check_ledger([HEADER[:5], ["2026-01", "100000", "15000", "5000", "2000"], HEADER[:5],
                          ["2026-02", "108000", "1000", "1000", "0"]])
    assert again.ledger is not None and len(again.ledger.rows) == 2
    # the ledger's header written otherwise (respelled, reordered, in ARR) ends it too, said so: read on by the first
    # header's places and unit, a reordered one swapped churn and expansion, and ARR was read as MRR (fuzz 19-20)
    for header in (["Month", "Starting MRR", "Expansion", "Churn", "Contraction"],
                   ["Month", "Starting MRR", "Churn", "Expansion", "Contraction"],
                   ["Month", "ARR (Start of Period)", "Expanded ARR", "Churned ARR", "Downgraded ARR"]):
        otherwise = check_ledger([HEADER[:5], ["2026-01", "100000", "15000", "5000", "2000"], header,
                                  ["2026-02", "108000", "1000", "1000", "0"]])
        assert otherwise.ledger is not None and len(otherwise.ledger.rows) == 1, header
        assert [str(i) for i in otherwise.issues] == [
            f"Row 3 heads the ledger's columns again, written otherwise ('{header[0]}', '{header[1]}', '{header[2]}', "
            f"'{header[3]}', ...): the ledger is read above it, and nothing from there on is read or filled. Put "
            "those rows under the first header, in its columns, unit and currency."]


ROWS = [["Jan 2025", "100000", "2000", "800", "1500", "250"], ["Feb 2025", "104000", "3100", "400", "2000", "500"],
        ["Mar 2025", "105000", "1000", "1200", "4000", "0"]]


def with_end(head: list[str], rows: list[list[str]], loss_cols: tuple[int, ...]) -> list[list[str]]:
    """``head`` and ``rows`` with an Ending MRR column: Start plus every column but the losses' (``loss_cols``)."""
    out = [[*head, "Ending MRR"]]
    for row in rows:
        figures = [D(v) for v in row[1:]]
        end = figures[0] + sum(f if i + 2 not in loss_cols else -f for i, f in enumerate(figures[1:]))
        out.append([*row, str(end)])
    return out


@pytest.mark.parametrize(("head", "losses", "end", "first", "said"), [
    # Upsell and Cross-sell are each a part of expansion: added up, with End or without (fresh-eyes tries: Cross-sell
    # had been left out without a word)
    (["Month", "Starting MRR", "Upsell MRR", "Cross-sell MRR", "Churned MRR", "Contraction MRR"], (4, 5), True,
     ("2800", "1500"), "are added up as the Expanded MRR column, as the End column (G1) adds up with them"),
    (["Month", "Starting MRR", "Upsell MRR", "Cross-sell MRR", "Churned MRR", "Contraction MRR"], (4, 5), False,
     ("2800", "1500"), "are added up as the Expanded MRR column, as each is a part of it"),
    # Voluntary and Involuntary Churn (Involuntary had been ignored, and the user's End and NRR replaced)
    (["Month", "Starting MRR", "Expansion MRR", "Voluntary Churn MRR", "Involuntary Churn MRR", "Contraction MRR"],
     (3, 4, 5), True, ("2000", "2300"), "are added up as the Churned MRR column"),
    # a budget's column beside the month's own: End says which (Budget Expansion MRR had been used)
    (["Month", "Starting MRR", "Expansion MRR", "Budget Expansion MRR", "Churned MRR", "Contraction MRR"], (4, 5),
     False, ("2000", "1500"),
     "'Budget Expansion MRR' also looks like the Expanded MRR column; 'Expansion MRR' (C1) is used"),
])
def test_several_columns_of_one_movement_are_read_as_the_figures_say(head: list[str], losses: tuple[int, ...],
                                                                      end: bool, first: tuple[str, str],
                                                                      said: str) -> None:
    rows = [list(r) for r in ROWS]
    if "Budget Expansion MRR" in head:  # the budget's figures: the End column adds up with the actual ones
        grid = [[*head, "Ending MRR"]] + [[*r, str(D(r[1]) + D(r[2]) - D(r[4]) - D(r[5]))] for r in rows]
    else:
        grid = with_end(head, rows, losses) if end else [head, *rows]
    check = check_ledger(grid)
    assert check.ledger is not None, [str(i) for i in check.issues]
    row = check.ledger.rows[0]  # Jan 2025: what expanded and what churned
    assert (row.expansion, row.churn) == (D(first[0]), D(first[1]))
    assert any(said in str(i) for i in check.issues), [str(i) for i in check.issues]
    assert not any(i.code in ("end_disagrees", "nrr_disagrees") for i in check.issues)  # the user's End stands


@pytest.mark.parametrize("head", [["Month", "Starting MRR (old)", "Starting MRR", "Expansion MRR", "Churned MRR",
                                   "Contraction MRR"],
                                  ["Month", "Starting MRR", "Net Expansion MRR", "Expansion MRR", "Churned MRR",
                                   "Contraction MRR"]])
def test_a_column_of_another_figure_gives_way_to_the_months_own(head: list[str]) -> None:
    """Starting MRR (old) and Net Expansion MRR, left of the figure itself, had been used in its place."""
    grid = [head, ["Jan 2025", "90000", "100000", "2000", "1500", "250"]] if "Starting MRR (old)" in head else \
        [head, ["Jan 2025", "100000", "1750", "2000", "1500", "250"]]
    ledger = read_ledger(grid)
    assert ledger.rows[0].start == D(100000) and ledger.rows[0].expansion == D(2000)


def test_a_part_of_a_movement_beside_its_total_is_said_left_out_with_what_to_do() -> None:
    grid = [["Month", "Starting MRR", "Expansion MRR", "Add-on MRR", "Churned MRR", "Contraction MRR"],
            ["Jan 2025", "100000", "2000", "800", "1500", "250"]]
    said = [str(i) for i in check_ledger(grid).issues]
    assert said == ["D1: 'Add-on MRR' also looks like the Expanded MRR column; 'Expansion MRR' (C1) is used and this "
                    "one is ignored. If 'Expansion MRR' leaves it out, add it there; or add the MRR (End of Period) "
                    "column, whose figures tell which columns add up."]


def test_last_months_where_nothing_moves_after_months_that_did_are_said() -> None:
    """Months laid out ahead with formulas giving 0: April read as NRR 100.00% without a word (a fresh-eyes try)."""
    head = ["Month", "Starting MRR", "Expansion MRR", "Churned MRR", "Contraction MRR"]
    moved = [["2026-01", "1000", "50", "20", "5"], ["2026-02", "1025", "40", "10", "0"],
             ["2026-03", "1055", "10", "30", "5"]]
    still = [["2026-04", "1030", "0", "0", "0"], ["2026-05", "1030", "0", "0", "0"]]
    said = [str(i) for i in check_ledger([head, *moved, *still]).issues]
    assert said == ["C5, D5 and E5: Every movement in April 2026 to May 2026 is 0, after months that each moved: read "
                    "as written, no customer expanded, churned or downgraded (NRR 100%). If they are laid out ahead "
                    "with formulas, leave the movements blank until the month closes (a blank month at the end is left "
                    "out), or delete their rows."]
    assert check_ledger([head, *moved, *still[:0]]).issues == []  # months that moved: nothing to say
    assert check_ledger([head, moved[0], ["2026-02", "1025", "0", "0", "0"]]).issues == []  # too few before to tell


def test_a_year_typed_wrong_is_said_beside_the_errors_that_refuse_the_ledger() -> None:
    """`nrr validate` lists every error and warning: the month of 2052 was said only once the duplicate was fixed."""
    from engine import checked_as_of

    grid = [HEADER[:5], ["2025-01", "100", "1", "1", "1"], ["2025-01", "100", "1", "1", "1"],
            ["2052-06", "100", "1", "1", "1"]]
    said = [str(i) for i in checked_as_of(check_ledger(grid), Month(2026, 1)).issues]
    assert said[-1] == ("June 2052 has not begun yet (this is January 2026): every answer leaves it out until it "
                        "closes. If it is a year typed wrong, correct the month.")
    assert any("appears more than once" in s for s in said)


@pytest.mark.parametrize("second", ["Upsell MRR (Budget)", "Target Upsell MRR", "Upsell Pipeline", "Upgrade MRR (old)",
                                    "Cross-sell MRR"])
def test_a_second_column_is_not_added_up_where_end_agrees_with_the_first(second: str) -> None:
    """A review: with End agreeing with Upsell MRR alone, a budget's, a pipeline's or a breakdown's column had been
    added to it (NRR 111.91% read as 156.93%)."""
    head = ["Month", "Starting MRR", "Upsell MRR", second, "Churned MRR", "Contraction MRR", "Ending MRR"]
    grid = [head, ["2026-01", "1000", "50", "400", "20", "5", "1025"],
            ["2026-02", "1025", "40", "300", "10", "0", "1055"]]
    ledger = read_ledger(grid)
    assert [r.expansion for r in ledger] == [D(50), D(40)]


def test_net_revenue_retention_is_the_rate_column_beside_a_ttm_one() -> None:
    """'Net' makes an amount's column give way, not the rate's own (a review: the TTM NRR column took its place)."""
    head = [*HEADER[:6], "Net Revenue Retention", "TTM NRR"]
    check = check_ledger([head, ["2026-01", "1000", "50", "20", "5", "1025", "102.50%", "110%"]])
    assert check.ledger is not None and check.ledger.layout is not None
    assert check.ledger.layout.columns["nrr"] == 6 and check.issues == []  # (TTM NRR: a year's rate, aside)


def test_figures_in_thousands_are_said_and_pick_no_stage() -> None:
    """Starting MRR ($000): $2,002 for $2.0M, and ARR $24M read as $24k picked the early stage (a fresh-eyes try)."""
    from engine import build_report, resolve_period

    head = ["Month", "Starting MRR ($000)", "Expansion MRR ($000)", "Churned MRR ($000)", "Contraction MRR ($000)"]
    grid = [head, *[[f"2025-{m:02d}", str(2000 + 15 * (m - 1)), "30", "10", "5"] for m in range(1, 13)]]
    ledger = read_ledger(grid)
    assert [w.code for w in ledger.warnings] == ["in_thousands"]
    report = build_report(ledger, resolve_period("ttm", dt.date(2026, 1, 10)))
    assert report.benchmark is not None and report.benchmark.stage is None


def test_parts_are_added_up_where_end_cannot_tell_and_a_target_rate_gives_way() -> None:
    """A second review: End filled only in months where Cross-sell was blank tells nothing (the first column alone
    had been read); 'Plan Upgrade' is a part, not a plan's figure; Target NRR gives way to NRR %."""
    head = ["Month", "Starting MRR", "Upsell MRR", "Cross-sell MRR", "Churned MRR", "Contraction MRR", "Ending MRR"]
    grid = [head, ["2026-01", "1000", "50", "", "20", "5", "1025"], ["2026-02", "1025", "40", "30", "10", "0", ""]]
    assert [r.expansion for r in read_ledger(grid)] == [D(50), D(70)]
    plan = [["Month", "Starting MRR", "Plan Upgrade MRR", "Seat Expansion MRR", "Churned MRR", "Contraction MRR"],
            ["2026-01", "1000", "50", "25", "20", "5"]]
    assert read_ledger(plan).rows[0].expansion == D(75)
    rates = [[*HEADER[:6], "Target NRR", "NRR %"], ["2026-01", "1000", "50", "20", "5", "1025", "110%", "102.50%"]]
    check = check_ledger(rates)
    assert check.ledger is not None and check.ledger.layout is not None and check.ledger.layout.columns["nrr"] == 7


@pytest.mark.parametrize("title", ["NRR (TTM)", "Trailing 12M NRR", "12-month NRR", "Annual NRR", "LTM GRR"])
def test_a_years_rate_is_not_checked_as_the_months(title: str) -> None:
    """A column of the trailing year's NRR had been checked against each month's End/Start: a warning a row."""
    check = check_ledger([[*HEADER[:6], title], ["2026-01", "1000", "50", "20", "5", "1025", "112%"],
                          ["2026-02", "1025", "40", "10", "0", "1055", "111%"]])
    assert check.ledger is not None and check.issues == [], [str(i) for i in check.issues]


def test_an_end_that_counts_new_business_is_one_warning_not_one_a_row() -> None:
    """End = Start + New + Expanded - Churned - Downgraded on every row: a warning a row had said it (a fresh-eyes
    try: 14 warnings); one warning names the column, and each month is read without it."""
    head = ["Month", "MRR (Start of Period)", "New MRR", "Expanded MRR", "Churned MRR", "Downgraded MRR",
            "MRR (End of Period)"]
    grid = [head, ["2025-01", "100000", "2034", "2857", "2017", "868", "102006"],
            ["2025-02", "102006", "1697", "2582", "3386", "189", "102710"],
            ["2025-03", "102710", "500", "1000", "200", "100", "103910"]]
    check = check_ledger(grid)
    assert [str(i) for i in check.issues] == [
        "G1 and C1: MRR (End of Period) includes 'New MRR' on 3 rows (End - the formula is its figure): NRR leaves "
        "new customers out, so each month's End and NRR are worked out without it, from Start + Expanded - Churned - "
        "Downgraded."]
    assert check.ledger is not None and check.ledger.rows[0].end == D(99972)


@pytest.mark.parametrize("month", ["Monat", "Mois", "Mes"])
def test_a_month_column_in_a_european_excels_words_is_the_month(month: str) -> None:
    """A German ledger headed Monat had been refused: "No 'Month' column" (a fresh-eyes try)."""
    ledger = read_ledger([[month, "Start MRR", "Expansion", "Churn", "Contraction"],
                          ["2024-01", "100000", "1971", "726", "721"]])
    assert ledger.rows[0].month == Month(2024, 1)
    check = check_ledger([["Kunde", month, "MRR"], ["Acme", "2024-01", "100"], ["Acme", "2024-02", "100"]])
    assert check.ledger is not None and check.ledger.customer_table is not None


def test_a_header_over_two_rows_is_read_as_one() -> None:
    """Month and NRR merged over two rows, MRR over Start ... End: refused as having no Month column (a fresh-eyes
    try); its cells keep their places, so a warning names them where they are."""
    grid: list[list[Any]] = [["Month", "MRR", None, None, None, None, "NRR"],
                             [None, "Start", "Expansion", "Churn", "Contraction", "End", None],
                             ["Jan 2025", "100000", "2000", "1500", "250", "100250", "100.25%"],
                             ["Feb 2025", "100250", "3100", "2000", "500", "999", "100.58%"]]
    check = check_ledger(grid)
    assert check.ledger is not None and check.ledger.rows[0].start == D(100000)
    assert [i.cells for i in check.issues if i.code == "end_disagrees"] == [("F4",)]


def test_every_column_left_out_by_what_end_adds_up_with_is_said_so() -> None:
    """End agreeing with Expansion MRR alone, the second column: Upsell MRR, read first until then, had been left
    out without a word, beside the warning for Upsell MRR (old)."""
    head = ["Month", "Starting MRR", "Upsell MRR", "Expansion MRR", "Upsell MRR (old)", "Churned MRR",
            "Contraction MRR", "Ending MRR"]
    grid = [head, ["2026-01", "1000", "50", "80", "7", "20", "5", "1055"],
            ["2026-02", "1055", "40", "50", "9", "10", "0", "1095"]]
    check = check_ledger(grid)
    assert check.ledger is not None and [r.expansion for r in check.ledger] == [D(80), D(50)]
    left = [str(i) for i in check.issues if i.code == "duplicate_column"]
    said = (("C", "Upsell MRR"), ("E", "Upsell MRR (old)"))
    assert left == [f"{col}1: '{title}' also looks like the Expanded MRR column; 'Expansion MRR' is used, as the End "
                    "column (H1) adds up with it, and this one is ignored." for col, title in said]


def test_end_chooses_the_parts_without_a_budgets_column() -> None:
    """Upsell and Cross-sell beside a budget's Upsell, End adding up with the two: Upsell alone had been read, and the
    user's End replaced on every row (End was offered each column alone or all of them, never the two)."""
    head = ["Month", "Starting MRR", "Upsell MRR", "Cross-sell MRR", "Upsell MRR (Budget)", "Churned MRR",
            "Contraction MRR", "Ending MRR"]
    grid = [head, ["2026-01", "1000", "50", "30", "400", "20", "5", "1055"],
            ["2026-02", "1055", "40", "10", "300", "10", "0", "1095"]]
    check = check_ledger(grid)
    assert check.ledger is not None and [r.expansion for r in check.ledger] == [D(80), D(50)]
    assert [str(i) for i in check.issues] == [
        "C1 and D1: 'Upsell MRR' (C1) and 'Cross-sell MRR' (D1) are added up as the Expanded MRR column, as the End "
        "column (H1) adds up with them.",
        "E1: 'Upsell MRR (Budget)' also looks like the Expanded MRR column; 'Upsell MRR' and 'Cross-sell MRR' are "
        "used, as the End column (H1) adds up with them, and this one is ignored."]
