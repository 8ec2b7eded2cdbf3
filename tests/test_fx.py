"""Currencies: a customer table in several currencies converted into the reporting currency month by month
(flat rates from nrr.toml's [fx], monthly ones from a rates table), refused in words without rates, and the
sentence naming the rates on every surface."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot import blocks_to_text, digest_blocks
from engine import (
    Cell,
    FxError,
    FxRates,
    Month,
    ReadOptions,
    build_digest,
    build_report,
    check_ledger,
    convert_cents,
    read_rates_table,
    report_to_dict,
    resolve_period,
    round_half_even,
)
from nrr import ConfigError
from nrr.config import FxSettings, LedgerSettings, Settings, StateSettings, load_settings
from nrr.runtime import Runtime
from nrr.server import build_server
from tests.fakes.servers import serve
from tests.fakes.slack_api import FakeSlack
from tests.test_bot import NOW, Stack, slack_env
from tests.test_cli import run

USD_EUR = FxRates(reporting="USD", flat={"EUR": Decimal("1.10")})


def table(header: str = "Currency") -> list[list[Cell]]:
    """A pays 100.00 USD in Jan and Feb; B pays 10.05 EUR in Jan and 10.15 EUR in Feb."""
    return [["Customer", "Month", "MRR", header], ["A", "2026-01", "100", "USD"], ["B", "2026-01", "10.05", "eur"],
            ["A", "2026-02", "100", "USD"], ["B", "2026-02", "10.15", "EUR"]]


@pytest.mark.parametrize("header", ["Currency", "currency", "currency_code", "Currency Code", "curr", "CCY", "cur",
                                    "Billing Currency"])
def test_each_spelling_of_the_currency_column_is_recognised_and_converted(header: str) -> None:
    check = check_ledger(table(header), options=ReadOptions(fx=USD_EUR))
    assert check.issues == []
    assert check.ledger is not None and check.ledger.customer_table is not None
    # B: 10.05 EUR x 1.10 = 11.055 -> 11.06 (half to even: 1105.5 cents -> 1106); 10.15 x 1.10 = 11.165 -> 11.16
    assert check.ledger.customer_table.mrr == ((10000, 10000), (1106, 1116))
    assert check.ledger.customer_table.currency == "USD"


def test_half_to_even_by_hand() -> None:
    assert [round_half_even(n, 10) for n in (11055, 11165, 11175, -25)] == [1106, 1116, 1118, -2]
    jan = Month(2026, 1)
    # one customer-month in two currencies is rounded once: 0.05 EUR x 1.10 = 0.055 and 0.01 USD: 0.065 -> 0.06
    assert convert_cents({"EUR": 5, "USD": 1}, USD_EUR, jan) == 6
    assert convert_cents({"EUR": 5}, USD_EUR, jan) + convert_cents({"USD": 1}, USD_EUR, jan) == 7


def test_rows_of_one_customer_in_two_currencies_are_summed_then_rounded_once() -> None:
    grid: list[list[Cell]] = [["Customer", "Month", "MRR", "Currency", "Plan"], ["A", "2026-01", "0.05", "EUR", "Pro"],
                              ["A", "2026-01", "0.01", "USD", "Seats"], ["A", "2026-02", "1", "USD", "Pro"]]
    check = check_ledger(grid, options=ReadOptions(fx=USD_EUR))
    assert check.ledger is not None and check.ledger.customer_table is not None
    assert check.ledger.customer_table.mrr == ((6, 100),)


def test_figures_written_in_two_currencies_convert_without_a_currency_column() -> None:
    grid: list[list[Cell]] = [["Customer", "Month", "MRR"], ["A", "2026-01", "$100"], ["B", "2026-01", "€10.05"],
                              ["A", "2026-02", "$100"], ["B", "2026-02", "EUR 10.15"]]
    check = check_ledger(grid, options=ReadOptions(fx=USD_EUR))
    assert check.ledger is not None and check.ledger.customer_table is not None
    assert check.ledger.customer_table.mrr == ((10000, 10000), (1106, 1116))


def test_a_table_in_one_foreign_currency_is_converted_when_it_has_a_rate() -> None:
    grid: list[list[Cell]] = [["Customer", "Month", "MRR"], ["A", "2026-01", "€100"], ["A", "2026-02", "€10.05"]]
    check = check_ledger(grid, options=ReadOptions(fx=USD_EUR))
    assert check.ledger is not None and check.ledger.customer_table is not None
    assert (check.ledger.customer_table.mrr, check.ledger.customer_table.currency) == (((11000, 1106),), "USD")
    # without a rate for it, it is answered in its own currency, as before
    alone = check_ledger(grid, options=ReadOptions(fx=FxRates(reporting="USD")))
    assert alone.ledger is not None and alone.ledger.customer_table is not None
    assert (alone.ledger.customer_table.mrr, alone.ledger.customer_table.currency) == (((10000, 1005),), "EUR")


def test_a_figure_with_no_currency_among_several_is_refused_naming_its_cell() -> None:
    grid: list[list[Cell]] = [["Customer", "Month", "MRR"], ["A", "2026-01", "$100"], ["B", "2026-01", "€10"],
                              ["A", "2026-02", "100"]]
    check = check_ledger(grid, options=ReadOptions(fx=USD_EUR))
    assert [str(i) for i in check.issues] == [
        "C4: This MRR figure ('100') says no currency, while others do, in several (USD from C2, EUR from C3): "
        "write its currency (EUR 1,200, $1,200) or add a Currency column."]


NO_RATES = (
    "D2 and D3: The {} column holds more than one currency (USD from D2, EUR from D3) and nrr has no rate "
    "for EUR into USD, the reporting currency ([company] currency). To convert them, add to nrr.toml the lines "
    '[fx] and EUR = 1.10 (what one EUR is worth in USD; 1.10 is only an example), or [fx] and rates = "fx.csv" '
    "for a table of Month, Currency, Rate; or convert the amounts to one currency first.")


def test_more_than_one_currency_without_rates_is_refused_naming_each_and_the_lines_to_add() -> None:
    check = check_ledger(table(), options=ReadOptions(fx=FxRates(reporting="USD")))
    assert [str(i) for i in check.issues] == [NO_RATES.format("Currency")]


MONTHLY = FxRates(reporting="USD", monthly={"EUR": {Month(2026, 1): Decimal("1.10"), Month(2026, 3): Decimal("1.20")}},
                  monthly_source="fx.csv")


def test_monthly_rates_and_a_month_without_its_own_takes_the_latest_earlier() -> None:
    grid: list[list[Cell]] = [["Customer", "Month", "MRR"]]
    grid += [["B", f"2026-0{m}", "€100"] for m in (1, 2, 3, 4)]
    check = check_ledger(grid, options=ReadOptions(fx=MONTHLY))
    assert check.ledger is not None and check.ledger.customer_table is not None
    table_ = check.ledger.customer_table
    assert table_.mrr == ((11000, 11000, 12000, 12000),)
    assert [u.to_dict() for u in table_.conversions] == [{
        "currency": "EUR", "to": "USD", "rate": None, "months": 4, "first_month": "2026-01", "last_month": "2026-04",
        "rates": {"2026-01": "1.10", "2026-02": "1.10", "2026-03": "1.20", "2026-04": "1.20"}, "source": "fx.csv"}]


def test_a_month_before_the_first_monthly_rate_is_refused() -> None:
    grid: list[list[Cell]] = [["Customer", "Month", "MRR"], ["A", "2025-12", "$5"], ["B", "2025-12", "€100"],
                              ["B", "2026-01", "€100"]]
    check = check_ledger(grid, options=ReadOptions(fx=MONTHLY))
    assert [str(i) for i in check.issues] == [
        "C3 (December 2025): EUR has no rate for December 2025 in fx.csv: its first rate is for January 2026, and a "
        "month without its own rate takes the latest earlier month's. Add a row for 2025-12 and EUR to fx.csv."]


def test_the_rates_table_is_read_and_its_cells_checked_by_name() -> None:
    rates = read_rates_table([["Month", "Currency", "Rate"], ["Jan 2026", "eur", "1.10"], ["2026-02", "GBP", 1.25]],
                             name="fx.csv")
    assert rates == {"EUR": {Month(2026, 1): Decimal("1.10")}, "GBP": {Month(2026, 2): Decimal("1.25")}}
    with pytest.raises(FxError) as caught:
        read_rates_table([["month", "currency", "rate"], ["2026-01", "EUR", "abc"], ["2026-02", "EUR", "0"],
                          ["later", "EUR", "1"], ["2026-03", "Euro", "1.1"], ["2026-01", "EUR", "-1"]], name="fx.csv")
    assert str(caught.value).splitlines() == [
        "fx.csv: C2: the rate of EUR for January 2026, 'abc', is not a number above 0 such as 1.10 (what one EUR is "
        "worth in the reporting currency).",
        "fx.csv: C3: the rate of EUR for February 2026, '0', is not a number above 0 such as 1.10 (what one EUR is "
        "worth in the reporting currency).",
        "fx.csv: A4: 'later' is not a month such as 2026-01 or Jan 2026.",
        "fx.csv: B5: 'Euro' is not a currency code such as EUR or GBP.",
        "fx.csv: C6: the rate of EUR for January 2026, '-1', is not a number above 0 such as 1.10 (what one EUR is "
        "worth in the reporting currency)."]


@pytest.mark.parametrize(("line", "message"), [
    ('EUR = "abc"', "nrr.toml: [fx] EUR = 'abc' is not a rate above 0 such as 1.10 (what one EUR is worth in USD, "
                    "the reporting currency)."),
    ("EUR = 0", "nrr.toml: [fx] EUR = 0 is not a rate above 0 such as 1.10 (what one EUR is worth in USD, the "
                "reporting currency)."),
    ("gbp = -1.2", "nrr.toml: [fx] gbp = -1.2 is not a rate above 0 such as 1.10 (what one GBP is worth in USD, the "
                   "reporting currency)."),
    ("Euro = 1.1", 'nrr.toml: unknown key [fx] Euro: [fx] holds rates = "fx.csv" and one line per currency code, '
                   "such as EUR = 1.10 (what one EUR is worth in the reporting currency, USD)."),
    ("USD = 1", "nrr.toml: [fx] USD: USD is the reporting currency ([company] currency), worth 1 of itself; leave "
                "the line out."),
])
def test_rates_in_nrr_toml_are_checked_naming_the_key(tmp_path: Path, line: str, message: str) -> None:
    config = tmp_path / "nrr.toml"
    config.write_text(f"[fx]\n{line}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(str(config))
    assert str(caught.value) == message.replace("nrr.toml", str(config), 1)


def test_nrr_toml_rates_are_read_with_the_reporting_currency_whatever_the_order(tmp_path: Path) -> None:
    config = tmp_path / "nrr.toml"
    config.write_text('[fx]\neur = 0.9\nrates = "fx.csv"\n[company]\ncurrency = "GBP"\n')
    fx = load_settings(str(config)).fx
    assert (fx.flat, fx.rates, fx.base_dir) == ({"EUR": Decimal("0.9")}, "fx.csv", tmp_path)


# --- the command line and the answers ---------------------------------------------------------------------

def write(tmp_path: Path, fx: str, last: int = 4) -> Path:
    (tmp_path / "customers.csv").write_text(
        "Customer,Month,MRR,currency_code\n"
        + "".join(f"A,2026-{m:02},100,USD\nB,2026-{m:02},10.05,EUR\n" for m in range(1, last + 1)))
    config = tmp_path / "nrr.toml"
    config.write_text('[ledger]\nsource = "customers.csv"\n' + fx)
    return config


SENTENCE = ("Money in EUR is converted to USD: 1 EUR = 1.10 USD (nrr.toml [fx]). Each customer's month is rounded "
            "to the cent, half to even.")


def test_the_cli_refuses_two_currencies_without_rates(tmp_path: Path) -> None:
    config = write(tmp_path, "")
    code, out, err = run("report", "2026-03", "--config", str(config))
    assert (code, out) == (1, "")
    assert err == NO_RATES.format("currency_code") + "\n"


def test_every_answer_says_which_currencies_were_converted_at_which_rates(tmp_path: Path) -> None:
    config = write(tmp_path, "[fx]\nEUR = 1.10\n")
    code, out, err = run("report", "2026-03", "--config", str(config))
    assert (code, err) == (0, "")
    assert SENTENCE in " ".join(out.split())
    code, out, err = run("report", "2026-03", "--config", str(config), "--json")
    data: dict[str, Any] = json.loads(out)
    assert data["normalization"]["currencies"] == [{
        "currency": "EUR", "to": "USD", "rate": "1.10", "months": 4, "first_month": "2026-01",
        "last_month": "2026-04", "rates": {f"2026-0{m}": "1.10" for m in range(1, 5)}, "source": "nrr.toml [fx]"}]
    assert data["normalization"]["currency_note"] == SENTENCE
    assert data["cohort"]["start_mrr"] == "111.06"  # 100 + 10.05 x 1.10 = 111.055 -> 111.06


def test_monthly_rates_from_a_table_beside_nrr_toml(tmp_path: Path) -> None:
    config = write(tmp_path, '[fx]\nrates = "fx.csv"\n')
    (tmp_path / "fx.csv").write_text("Month,Currency,Rate\n2026-01,EUR,1.10\n2026-03,EUR,1.20\n")
    code, out, err = run("report", "2026-03", "--config", str(config), "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["normalization"]["currency_note"] == (
        "Money in EUR is converted to USD: 1 EUR = 1.10 to 1.20 USD, each month's rate (fx.csv). Each customer's "
        "month is rounded to the cent, half to even.")
    assert [m["end_mrr"] for m in data["months"]] == ["112.06"]  # 100 + 10.05 x 1.20 = 112.06
    (tmp_path / "fx.csv").write_text("Month,Currency,Rate\n2026-01,EUR,x\n")
    code, out, err = run("report", "2026-03", "--config", str(config))
    assert (code, out) == (1, "")
    assert err == ("fx.csv: C2: the rate of EUR for January 2026, 'x', is not a number above 0 such as 1.10 (what "
                   "one EUR is worth in the reporting currency).\n")


def test_the_slack_answer_and_app_home_say_it(tmp_path: Path) -> None:
    write(tmp_path, "", last=10)
    settings = Settings(ledger=LedgerSettings(source=str(tmp_path / "customers.csv")),
                        fx=FxSettings({"EUR": Decimal("1.10")}),
                        state=StateSettings(f"sqlite:///{tmp_path / 'state.db'}"))
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings, env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            _, path = stack.command("2026-03")
            answer = stack.answer(path)
            event = {"type": "event_callback", "team_id": "T0ACME", "api_app_id": "A0NRR", "event_id": "Ev1",
                     "event_time": int(NOW.timestamp()),
                     "event": {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "home",
                               "event_ts": "1763800000.2"}}
            assert stack.post(json.dumps(event), content_type="application/json").status_code == 200
            assert slack.wait_for(lambda: slack.counts["views.publish"] == 1)
            view = slack.posts("views.publish")[0]["view"]
    assert SENTENCE in json.dumps(answer["blocks"], ensure_ascii=False)
    assert SENTENCE in (view if isinstance(view, str) else json.dumps(view, ensure_ascii=False))


def test_the_report_and_the_digest_carry_the_sentence() -> None:
    check = check_ledger([["Customer", "Month", "MRR", "Currency"],
                          *[[c, f"2026-0{m}", "100", cur] for m in range(1, 5) for c, cur in (("A", "USD"),
                                                                                               ("B", "EUR"))]],
                         options=ReadOptions(fx=USD_EUR))
    assert check.ledger is not None
    report = build_report(check.ledger, resolve_period("2026-03", dt.date(2026, 4, 2)))
    assert report.currency_note == ("Money in EUR is converted to USD: 1 EUR = 1.10 USD (nrr.toml [fx]). Each "
                                    "customer's month is rounded to the cent, half to even.")
    assert report_to_dict(report)["normalization"]["currency_note"] == report.currency_note
    digest = build_digest(check.ledger, Month(2026, 3))
    assert report.currency_note in blocks_to_text(digest_blocks(digest, ("month",)))


@pytest.mark.parametrize("command", [("validate",), ("ledger",), ("cohorts",), ("mrr",)])
def test_validate_ledger_cohorts_and_mrr_say_it_too(tmp_path: Path, command: tuple[str, ...]) -> None:
    config = write(tmp_path, "[fx]\nEUR = 1.10\n")
    code, out, err = run(*command, "--config", str(config))
    assert (code, err) == (0, "")
    assert SENTENCE in " ".join(out.split())
    code, out, _ = run(*command, "--config", str(write(tmp_path, "[fx]\nGBP = 1.10\n")))
    assert SENTENCE not in " ".join(out.split())  # refused: EUR has no rate


def test_a_currency_cell_that_is_not_a_code_is_refused_naming_it() -> None:
    grid = table()
    grid[2][3] = "Euro"
    check = check_ledger(grid, options=ReadOptions(fx=USD_EUR))
    assert [str(i) for i in check.issues] == [
        "D3: 'EURO' is not a currency code such as USD, EUR or GBP: write the code, so the amounts beside it can be "
        "converted at its rate."]


def test_the_column_by_column_and_the_row_by_row_readers_convert_alike() -> None:
    clean = [["Customer", "Month", "MRR", "Currency"]] + [
        [f"C{c}", f"2026-0{m}", f"{c * 7 + m}.{c % 100:02}", ("USD", "eur", "GBP")[c % 3]]
        for c in range(30) for m in range(1, 4)]
    fx = FxRates(reporting="USD", flat={"EUR": Decimal("1.0834")},
                 monthly={"GBP": {Month(2026, 1): Decimal("1.27"), Month(2026, 3): Decimal("1.2611")}})
    fast = check_ledger(clean, options=ReadOptions(fx=fx))
    slow = check_ledger([*clean, ["Total", "2026-03", "1", "USD"]], options=ReadOptions(fx=fx))  # row by row
    assert fast.ledger is not None and slow.ledger is not None
    a, b = fast.ledger.customer_table, slow.ledger.customer_table
    assert a is not None and b is not None
    assert a.mrr == b.mrr and a.conversions == b.conversions
    assert [u.currency for u in a.conversions] == ["EUR", "GBP"]
    # C1 pays 8.01 EUR in Jan: 8.01 x 1.0834 = 8.678034 -> 8.68; C2 17.02 GBP in Mar: x 1.2611 = 21.463922 -> 21.46
    assert (a.mrr[1][0], a.mrr[2][2]) == (868, 2146)


def test_the_addon_reads_a_sheet_in_two_currencies_and_says_it(tmp_path: Path) -> None:
    """Through the Sheets API with the person's own token: the tab is converted with nrr.toml's rates."""
    from nrr.config import AddonSettings
    from nrr.server import build_app
    from tests.fakes.google_api import FakeGoogle, mint_id_token
    from tests.test_addon import ADA, ADDON_SA, ENDPOINT, SHEET_ID, claims, event, post

    rows: list[list[Any]] = [["Customer", "Month", "MRR", "Currency Code"]]
    rows += [[c, f"2026-0{m}", 100, cur] for m in range(1, 4) for c, cur in (("A", "USD"), ("B", "eur"))]
    with FakeGoogle() as google:
        google.add_spreadsheet(SHEET_ID, {"Customers": rows}).shared_with = {ADA}
        settings = Settings(ledger=LedgerSettings(source=f"gsheet:{SHEET_ID}"), fx=FxSettings({"EUR": Decimal("1.10")}),
                            addon=AddonSettings(ENDPOINT, ADDON_SA, certs_url=f"{google.url}/oauth2/v1/certs"))
        with serve(build_app(Runtime(_file=settings, env={"SHEETS_API_URL": google.url}, clock=lambda: NOW))) as url:
            response = post(url, "/addon/homepage", mint_id_token(claims()), event(google.user_token(ADA, SHEET_ID)))
    card = json.dumps(response.json(), ensure_ascii=False)
    assert SENTENCE in card and "more than one currency" not in card


def test_a_missing_rates_file_is_named(tmp_path: Path) -> None:
    config = write(tmp_path, '[fx]\nrates = "rates/fx.csv"\n')
    code, out, err = run("report", "2026-03", "--config", str(config))
    assert (code, out) == (1, "")
    assert err == ('[fx] rates = "rates/fx.csv" (nrr.toml): no such file (looked for '
                   f"{tmp_path / 'rates' / 'fx.csv'}). The rates table is a .csv, .tsv or .xlsx file relative to "
                   "nrr.toml, or a Google Sheet, with one row per month and currency: Month, Currency, Rate.\n")


def test_a_running_nrr_sees_new_rates_and_keeps_its_ledger_while_they_are_unchanged(tmp_path: Path) -> None:
    config = write(tmp_path, '[fx]\nrates = "fx.csv"\n')
    rates = tmp_path / "fx.csv"
    rates.write_text("Month,Currency,Rate\n2026-01,EUR,1.10\n")
    runtime = Runtime(_file=load_settings(str(config)), env={}, clock=lambda: NOW)
    first = runtime.ledger()
    assert runtime.ledger() is first  # the same read, the same rates: the ledger is not read again
    assert first.customer_table is not None and first.customer_table.mrr[1][0] == 1106
    rates.write_text("Month,Currency,Rate\n2026-01,EUR,1.2000\n")
    later = runtime.ledger()
    assert later.customer_table is not None and later.customer_table.mrr[1][0] == 1206  # 10.05 x 1.2 = 12.06


def test_a_blank_currency_cell_is_refused_among_several_and_is_the_one_currency_otherwise() -> None:
    grid: list[list[Cell]] = [["Customer", "Month", "MRR", "Currency"], ["A", "2026-01", "10.05", "EUR"],
                              ["A", "2026-02", "10.05", ""], ["B", "2026-02", "1", "USD"]]
    check = check_ledger(grid, options=ReadOptions(fx=USD_EUR))
    assert [str(i) for i in check.issues] == [
        "D3: This MRR figure ('10.05') has no currency in the Currency column, while the table holds several (EUR "
        "from D2, USD from D4): fill in its currency."]
    check = check_ledger(grid[:3], options=ReadOptions(fx=USD_EUR))
    assert check.ledger is not None and check.ledger.customer_table is not None
    assert check.ledger.customer_table.mrr == ((1106, 1106),)


def test_rates_on_a_worksheet_of_a_workbook(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Rates")
    for row in (["Month", "Currency", "Rate"], ["2026-01", "EUR", 1.2]):
        sheet.append(row)
    book.save(tmp_path / "fx.xlsx")
    config = write(tmp_path, '[fx]\nrates = "fx.xlsx#Rates"\n')
    code, out, err = run("report", "2026-03", "--config", str(config), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["normalization"]["currencies"][0]["rate"] == "1.20"
