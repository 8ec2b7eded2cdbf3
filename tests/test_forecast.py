"""Forecasts: the age-aware projection, its simple fallback, band, backtest and target; ``nrr forecast``."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest

from engine import (
    Cell,
    CustomerTable,
    Month,
    QueryError,
    build_forecast,
    forecast_as_of,
    forecast_to_dict,
    parse_amount,
    read_customers,
    size_band,
)
from tests.helpers import EXAMPLE_LEDGER, ROOT
from tests.test_cli import run

CUSTOMERS = str(ROOT / "examples" / "customers.csv")
FIRST = Month(2024, 1)


def table_of(rows: list[list[Cell]], segment: bool = False) -> CustomerTable:
    header: list[Cell] = ["Customer", "Month", "MRR", *(["Segment"] if segment else [])]
    table = read_customers([header, *rows]).table
    assert table is not None
    return table


def aging_table(months: int = 30, churn_at: int = 2) -> CustomerTable:
    """Every month two customers join, paying 100 each; one of them leaves after ``churn_at`` months, the other
    stays for good: new customers lose half their money early, old ones none."""
    rows: list[list[Cell]] = [["Old", str(FIRST + i), "1000"] for i in range(months)]
    for j in range(1, months):
        for i in range(j, months):
            rows.append([f"Stays {j}", str(FIRST + i), "100"])
            if i - j < churn_at:
                rows.append([f"Leaves {j}", str(FIRST + i), "100"])
    return table_of(rows)


def test_new_customers_churn_early_and_the_projection_knows_their_age() -> None:
    table = aging_table()
    as_of = table.last
    forecast = build_forecast(table, as_of, months=3)
    assert forecast.method == "age-aware"
    # paying in as_of: Old 1000, 29 stayers 2900, and the two newest leavers (ages 0 and 1) 200
    assert forecast.base_mrr == Decimal("4100.00")
    # a month on, the leaver of age 1 is gone; two on, the leaver of age 0 too; then nothing changes
    assert [m.mrr for m in forecast.months] == [Decimal("4000.00"), Decimal("3900.00"), Decimal("3900.00")]
    assert all(m.low <= m.mrr <= m.high for m in forecast.months)


def test_a_table_shorter_than_13_months_gets_the_simple_method_and_says_so() -> None:
    rows: list[list[Cell]] = [[c, str(FIRST + i), str(100 - 10 * i if c == "A" else 100)] for c in "AB"
                              for i in range(4)]
    forecast = build_forecast(table_of(rows), FIRST + 3, months=2)
    assert forecast.method == "simple"
    # A pays 100, 90, 80, 70 and B 100 throughout: the totals 200, 190, 180, 170 give 540 / 570 a month
    assert forecast.simple_rate == Decimal(540) / Decimal(570)
    assert forecast.method_sentence == (
        "Projection, simple method: the table holds 4 months to April 2024, too few to learn retention by customer "
        "age (that needs 13), so the 2 customers paying in April 2024 follow its average monthly retention of "
        "paying customers (what they pay the month after, over what they pay; a customer back after a month without "
        "paying is not counted), 94.74% a month; no new business.")
    assert [str(m.mrr) for m in forecast.months] == ["161.05", "152.58"]


def test_the_simple_method_does_not_count_a_customer_coming_back_as_money_kept() -> None:
    # A pays 100 every month; B pays 100, nothing, 100. The months' NRR are 50% and 100% (B's return is a
    # reactivation, in no month's NRR): 200 kept of 300. Counting B's March in the numerator read 100% a month and
    # projected a flat $200 (fuzz 21)
    rows: list[list[Cell]] = [["A", str(FIRST + i), "100"] for i in range(3)]
    rows += [["B", str(FIRST), "100"], ["B", str(FIRST + 1), "0"], ["B", str(FIRST + 2), "100"]]
    forecast = build_forecast(table_of(rows), FIRST + 2, months=3)
    assert (forecast.method, forecast.simple_rate) == ("simple", Decimal(200) / Decimal(300))
    assert [str(m.mrr) for m in forecast.months] == ["133.33", "88.89", "59.26"]
    assert "66.67% a month" in forecast.method_sentence


def test_nobody_paying_in_the_month_a_forecast_starts_from_is_said_so() -> None:
    rows: list[list[Cell]] = [["A", str(FIRST), "100"], ["A", str(FIRST + 1), "100"], ["A", str(FIRST + 2), "0"],
                              ["B", str(FIRST), "200"], ["B", str(FIRST + 1), "0"], ["B", str(FIRST + 2), "0"]]
    forecast = build_forecast(table_of(rows), FIRST + 2, months=3, target=(Decimal(1000), FIRST + 5))
    assert forecast.base_mrr == 0 and all(m.mrr == 0 for m in forecast.months)
    # "the 0 customers paying in March 2024 follow its average monthly retention ..., 50.00% a month" (fuzz 21)
    assert forecast.method_sentence == ("Projection: nobody pays in March 2024, so there are no customers of "
                                        "today's to project: the projection is 0 in every month; no new business.")
    assert forecast.band_sentence is None
    assert forecast.headline.startswith("Projection of today's customers' MRR from March 2024: $0 from no paying "
                                        "customer, $0 in June 2024")
    assert forecast.target_sentence is not None and "a gap of $1,000: $333 of new MRR a month" in \
        forecast.target_sentence


def test_a_table_ending_before_the_last_closed_month_is_said_so_and_a_past_target_refused(tmp_path: Path) -> None:
    # the table ends in October 2026, today is in March 2027: "--by 2026-10" was refused naming October "the last
    # closed month", and "--by 2026-12" answered new business for two months already over (fuzz 21)
    path = tmp_path / "customers.csv"
    path.write_text("Customer,Month,MRR\n" + "".join(f"{c},2026-{m:02d},400\n" for c in "AB" for m in range(1, 11)))
    for by in ("2026-10", "2026-12", "2027-02"):
        code, out, err = run("forecast", "--ledger", str(path), "--today", "2027-03-05", "--target", "1000",
                             "--by", by)
        assert (code, out) == (1, "")
        named = Month(int(by[:4]), int(by[5:])).name
        assert err == f"The target's month {named} is not after February 2027, the last closed month: pick a later " \
                      "month.\n"
    code, out, err = run("forecast", "--ledger", str(path), "--today", "2027-03-05", "--months", "2")
    assert (code, err) == (0, "")
    assert ("The table ends in October 2026, 4 months before the last closed month (February 2027): the projection "
            "starts from October 2026, so its first 4 months are already over; add the months since to the table to "
            "project today's customers.") in out
    code, out, _ = run("forecast", "--ledger", str(path), "--today", "2026-11-05", "--months", "2")
    assert code == 0 and "The table ends" not in out  # a table up to date says nothing of it
    # the new business a target needs is spread over the months still to come, not four already over (a review)
    code, out, _ = run("forecast", "--ledger", str(path), "--today", "2027-03-05", "--target", "1000", "--by",
                       "2027-04", "--months", "6")
    assert code == 0 and "a month over the 2 months from March 2027 to April 2027" in " ".join(out.split())


def test_one_month_is_too_little_to_forecast_from() -> None:
    with pytest.raises(QueryError, match="holds only January 2024: a forecast learns"):
        build_forecast(table_of([["A", "2024-01", "100"]]), FIRST)
    # six months, but the customer pays only in the last: not "holds only June" (fuzz 11)
    rows: list[list[Cell]] = [["A", "2024-01", "0"], ["A", "2024-06", "100"]]
    table = table_of(rows + [["B", f"2024-0{m}", "0"] for m in range(2, 6)])
    with pytest.raises(QueryError, match=r"^None of the customers paying in June 2024 paid in the months before it "
                                         r"\(the table starts in January 2024\)"):
        build_forecast(table, Month(2024, 6))


def test_a_year_ago_that_nobody_had_paid_two_months_by_leaves_no_backtest_and_the_forecast_stands() -> None:
    """A first month of 0 (nobody paid yet) then 13 months paid: the backtest as of a year ago had no month-to-month
    history, and its refusal was the whole forecast's: "holds only February 2025" (fuzz 11)."""
    rows: list[list[Cell]] = [["A", "2025-01", "0"]]
    rows += [[c, str(Month(2025, 2) + i), v] for i in range(13) for c, v in (("A", "1000"), ("B", "500"), ("C", "250"))]
    forecast = build_forecast(table_of(rows), Month(2026, 2))
    assert forecast.backtest is None and forecast.base_mrr == Decimal("1750.00")


def test_the_backtest_is_the_forecast_a_year_before_on_the_table_cut_there() -> None:
    table = aging_table(months=30, churn_at=3)
    forecast = build_forecast(table, table.last)
    backtest = forecast.backtest
    assert backtest is not None and backtest.as_of == table.last - 12
    rows: list[list[Cell]] = [["Old", str(FIRST + i), "1000"] for i in range(18)]
    cut = table_of(rows
                   + [[f"Stays {j}", str(FIRST + i), "100"] for j in range(1, 18) for i in range(j, 18)]
                   + [[f"Leaves {j}", str(FIRST + i), "100"] for j in range(1, 18) for i in range(j, min(j + 3, 18))])
    earlier = build_forecast(cut, cut.last)
    assert backtest.predicted_mrr == earlier.months[11].mrr
    # the customers paying a year before: Old, 17 stayers and the 3 newest leavers, who have left since
    assert backtest.actual_mrr == Decimal("2700.00")
    assert backtest.error_pct == ((backtest.predicted_mrr - 2700) / 2700 * 100).quantize(Decimal("0.01"))
    assert forecast.backtest_sentence == (
        f"A year ago (June 2025) this method said ${backtest.predicted_mrr:,.0f} for June 2026; the same customers "
        f"pay $2,700 (off by {backtest.error_pct:+.2f}%).")


def test_the_forecast_reads_no_month_after_as_of() -> None:
    table = aging_table(months=30)
    rows: list[list[Cell]] = [[k, str(m), v] for k, m, v in _rows(table)]
    later = table_of([*rows, ["Late", str(table.last + 1), "99999"], ["Stays 1", str(table.last + 1), "0"]])
    assert forecast_to_dict(build_forecast(later, table.last)) == forecast_to_dict(build_forecast(table, table.last))


def _rows(table: CustomerTable) -> list[tuple[str, Month, str]]:
    return [(table.keys[c], table.first + i, f"{v / 100:.2f}") for c, series in enumerate(table.mrr)
            for i, v in enumerate(series) if v]


def test_a_target_says_the_gap_and_the_new_business_a_month_it_needs() -> None:
    table = aging_table()
    forecast = build_forecast(table, table.last, months=3, target=(Decimal("10000"), table.last + 6))
    target = forecast.target
    assert target is not None
    assert target.projected_mrr == Decimal("3900.00")
    assert (target.gap, target.new_mrr_needed_per_month) == (Decimal("6100.00"), Decimal("1016.67"))
    assert target.recent_new_mrr_per_month == Decimal("200.00")  # two new customers of 100 every month
    assert forecast.target_sentence == (
        "Target $10,000 MRR by December 2026: today's customers are projected to pay $3,900 then, a gap of $6,100: "
        "$1,017 of new MRR a month over the 6 months from July 2026 to December 2026, before new customers' own "
        "churn (the last 12 months brought $200 a month).")
    covered = build_forecast(table, table.last, target=(Decimal("1000"), table.last + 1)).target
    assert covered is not None and covered.new_mrr_needed_per_month == 0 and covered.gap == Decimal("-3000.00")


def test_segments_with_enough_history_get_rates_of_their_own() -> None:
    rows: list[list[Cell]] = []
    for c in range(300):
        segment = "SMB" if c % 2 else "Enterprise"
        for i in range(20):
            if segment == "SMB" and i >= 10 and c % 4 == 1:
                break  # half the SMB customers leave after 10 months: SMB retention is its own
            rows.append([f"C{c}", str(FIRST + i), "100", segment])
    forecast = build_forecast(table_of(rows, segment=True), FIRST + 19, months=1)
    assert forecast.segments == ("Enterprise", "SMB")
    assert "per Segment where a segment has enough history (Enterprise and SMB)" in forecast.method_sentence


def test_the_band_is_deterministic_and_never_narrower_further_out() -> None:
    table = read_customers([row.split(",") for row in Path(CUSTOMERS).read_text().splitlines()]).table
    assert table is not None
    one, two = (build_forecast(table, Month(2026, 10)) for _ in range(2))
    assert one == two
    widths = [(m.high - m.low) / m.mrr for m in one.months]  # relative to the projection, to the cent's rounding
    assert all(later >= earlier - Decimal("0.00001") for earlier, later in itertools.pairwise(widths))


@pytest.mark.parametrize(("text", "amount"), [("2000000", "2000000.00"), ("$2M", "2000000.00"),
                                              ("1.5m", "1500000.00"), ("750k", "750000.00"),
                                              ("2,000,000", "2000000.00"), ("USD 2M", "2000000.00"),
                                              ("2M usd", "2000000.00"), ("1,500,000.50", "1500000.50")])
def test_target_amounts_read_as_people_write_them(text: str, amount: str) -> None:
    assert str(parse_amount(text)) == amount
    assert str(parse_amount(text, "USD")) == amount


@pytest.mark.parametrize("text", ["1,5M", "2,5k", "12,50", "1,2,3", "1,00"])
def test_a_decimal_comma_in_a_target_is_refused_not_read_ten_times_larger(text: str) -> None:
    # "1,5M" was read as 15,000,000 and "12,50" as 1,250, without a word (a fresh-eyes try)
    with pytest.raises(QueryError, match="holds a comma that is not a thousands separator"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["€2M", "GBP 2M", "2M EUR"])
def test_a_target_in_another_currency_than_the_tables_is_refused(text: str) -> None:
    # "GBP 2M" of a USD table was read as $2,000,000 (a fresh-eyes try)
    with pytest.raises(QueryError, match="the customer table in USD; write the target in USD"):
        parse_amount(text, "USD")


@pytest.mark.parametrize("text", ["two million", "-5", "0", "nan", "1e999"])
def test_an_amount_that_is_not_one_is_refused_in_words(text: str) -> None:
    with pytest.raises(QueryError, match=f"'{text}' is not a target amount such as 2000000, \\$2M or 750k."):
        parse_amount(text)


def test_as_of_is_the_last_closed_month_or_the_tables_last() -> None:
    table = aging_table()
    assert forecast_as_of(table, table.last + 5) == table.last
    assert forecast_as_of(table, table.last - 2) == table.last - 2
    with pytest.raises(QueryError, match="is before the customer table starts"):
        forecast_as_of(table, FIRST - 1)


# --- nrr forecast ---------------------------------------------------------------------------------------------

def test_nrr_forecast_json_has_exactly_the_documented_keys() -> None:
    code, out, err = run("forecast", "--ledger", CUSTOMERS, "--today", "2026-11-05", "--json", "--months", "3",
                         "--target", "3000000", "--by", "2027-06")
    assert (code, err) == (0, "")
    answer = json.loads(out)
    assert list(answer) == ["as_of", "base_mrr", "method", "months", "backtest", "target"]
    assert (answer["as_of"], answer["method"]) == ("2026-10", "age-aware")
    assert [list(m) for m in answer["months"]] == [["month", "mrr", "low", "high"]] * 3
    assert [m["month"] for m in answer["months"]] == ["2026-11", "2026-12", "2027-01"]
    assert list(answer["backtest"]) == ["as_of", "predicted_mrr", "actual_mrr", "error_pct"]
    target = answer["target"]
    assert list(target) == ["amount", "by", "projected_mrr", "gap", "new_mrr_needed_per_month",
                            "recent_new_mrr_per_month"]
    assert target["amount"] == "3000000.00" and target["by"] == "2027-06"
    assert Decimal(target["gap"]) == Decimal("3000000") - Decimal(target["projected_mrr"])
    assert Decimal(target["new_mrr_needed_per_month"]) == (Decimal(target["gap"]) / 8).quantize(Decimal("0.01"))
    for money in (answer["base_mrr"], *(m[k] for m in answer["months"] for k in ("mrr", "low", "high"))):
        assert money == f"{Decimal(money):.2f}"


def test_nrr_forecast_prints_the_projection_and_its_sentences() -> None:
    code, out, err = run("forecast", "--ledger", CUSTOMERS, "--today", "2026-11-05", "--months", "2")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == ("Projection of today's customers' MRR from October 2026: $88,649 from 30 customers, $87,132 in "
                        "December 2026 (no new business)")
    assert lines[2].startswith("Nov 2026 $87,901")
    assert lines[4].startswith("Projection: each of the 30 customers paying in October 2026 keeps what it pays")
    assert lines[5].startswith("Band: 95% of the spread from 100 resamplings")
    assert lines[6].startswith("A year ago (October 2025) the simple method")


def test_nrr_forecast_on_a_seven_column_ledger_says_what_table_it_needs() -> None:
    code, out, err = run("forecast", "--ledger", str(EXAMPLE_LEDGER))
    assert (code, out) == (1, "")
    assert err == ("A forecast needs a customer table (Customer, Month, MRR: one figure per customer per month): a "
                   "seven-column ledger holds month totals only, so it cannot tell new customers from old, and new "
                   "ones churn early. Export MRR by customer and month from billing and pass it with --ledger.\n")


@pytest.mark.parametrize(("options", "message"), [
    (("--target", "2000000"), "--target and --by go together: --target 2000000 --by 2027-12 (the amount in the "
                              "table's unit).\n"),
    (("--target", "lots", "--by", "2027-12"), "'lots' is not a target amount such as 2000000, $2M or 750k.\n"),
    (("--target", "2M", "--by", "soon"), "--by 'soon' is not a month such as 2027-12.\n"),
    (("--months", "121"), "--months 121: a forecast covers 1 to 120 months.\n"),
])
def test_a_wrong_target_is_a_wrong_command_line(options: tuple[str, ...], message: str) -> None:
    code, out, err = run("forecast", "--ledger", CUSTOMERS, "--today", "2026-11-05", *options)
    assert (code, out, err) == (2, "", message)


def test_a_target_month_already_past_is_refused() -> None:
    code, out, err = run("forecast", "--ledger", CUSTOMERS, "--today", "2026-11-05", "--target", "2M", "--by",
                         "2026-10")
    assert (code, out) == (1, "")
    assert err == "The target's month October 2026 is not after October 2026, the last closed month: pick a later " \
                  "month.\n"


def test_customers_who_come_back_are_counted_back() -> None:
    """Every month a customer joins, pays 100 for three months, stops for two and comes back for good: the
    three youngest paying now will stop, and all three will be back within the year."""
    months = 30
    rows: list[list[Cell]] = [["Old", str(FIRST + i), "1000"] for i in range(months)]
    for j in range(months):
        rows += [[f"W{j}", str(FIRST + i), "100"] for i in range(j, months) if not 3 <= i - j <= 4]
    table = table_of(rows)
    forecast = build_forecast(table, table.last)
    base = forecast.base_mrr
    assert forecast.months[-1].mrr == base  # without the returns: base - 300
    assert forecast.months[0].mrr == base - 100  # the one of age 2 stops first


def test_a_target_too_far_ahead_is_refused() -> None:
    table = aging_table()
    with pytest.raises(QueryError) as caught:
        build_forecast(table, table.last, target=(Decimal(1), Month(2100, 1)))
    assert str(caught.value) == ("The target's month January 2100 is more than 120 months after June 2026: a "
                                 "forecast reaches June 2036 at most.")


def test_one_customer_is_one_customer() -> None:
    forecast = build_forecast(table_of([["A", "2026-01", "1200"], ["A", "2026-02", "1200"]]), Month(2026, 2), months=1)
    assert forecast.headline == ("Projection of today's customers' MRR from February 2026: $1,200 from 1 customer, "
                                 "$1,200 in March 2026 (no new business)")
    assert "so the customer paying in February 2026 follows its average monthly retention" in forecast.method_sentence


def test_a_size_band_doubles_from_two_dollars() -> None:
    assert [size_band(cents) for cents in (1, 199, 200, 399, 400, 100_000, 10**12)] == [0, 0, 1, 1, 2, 9, 22]


def test_nrr_forecast_refuses_a_target_in_another_currency_than_the_tables() -> None:
    code, _, err = run("forecast", "--ledger", str(ROOT / "examples" / "customers.csv"), "--today", "2026-11-05",
                       "--target", "€2M", "--by", "2027-06")
    assert (code, err) == (1, "The target '€2M' is in EUR, the customer table in USD; write the target in USD.\n")


def test_a_band_from_too_few_changes_says_it_cannot_show_the_spread() -> None:
    # two months of history gave a band of no width "covering 95% of the spread" (a fresh-eyes try): certainty
    # drawn from one change; it is said as too few
    code, out, _ = run("forecast", "--ledger", CUSTOMERS, "--today", "2025-03-01", "--months", "2")
    said = " ".join(out.split())
    assert code == 0 and "Band: learnt from only 1 month-to-month change, too few to say how far the projection " \
        "could be off" in said and "95%" not in said, said


def test_a_band_too_few_changes_give_is_no_figures_either() -> None:
    # low = high = the projection, in the JSON and the terminal, read as certainty beside the sentence saying the
    # band is unknown (a fresh-eyes try): null in the JSON, "-" in the table
    code, out, _ = run("forecast", "--ledger", CUSTOMERS, "--today", "2025-03-01", "--months", "2", "--json")
    months = json.loads(out)["months"]
    assert code == 0 and [(m["low"], m["high"]) for m in months] == [(None, None)] * 2 and months[0]["mrr"]
    code, out, _ = run("forecast", "--ledger", CUSTOMERS, "--today", "2025-03-01", "--months", "2")
    row = next(line for line in out.splitlines() if line.startswith("Mar 2025"))
    assert row.split()[-2:] == ["-", "-"], row


def test_a_projection_further_ahead_than_the_history_says_so() -> None:
    # 120 months from 6 carried 103.4% a month to 55 times today's MRR with no word (a fresh-eyes try)
    code, out, _ = run("forecast", "--ledger", CUSTOMERS, "--today", "2026-11-05", "--months", "60")
    assert code == 0 and "Reach: 60 months ahead from 22 months of history; past the first 22 the rates learnt are " \
        "carried on" in " ".join(out.split())
    assert "Reach:" not in run("forecast", "--ledger", CUSTOMERS, "--today", "2026-11-05")[1]


def test_the_one_line_projection_says_no_band_when_there_is_none() -> None:
    # the digest's, the App Home's and the add-on's line still gave "$30,790 ($30,790 to $30,790)" (a review)
    table = read_customers([row.split(",") for row in Path(CUSTOMERS).read_text().splitlines()]).table
    assert table is not None
    forecast = build_forecast(table, Month(2025, 2))
    assert not forecast.band_known and "(no band yet: too little history)" in forecast.line
    assert " to $" in build_forecast(table, Month(2026, 10)).line
