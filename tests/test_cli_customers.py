"""The nrr command on a customer table: --by, --where and --top, and what it says when they cannot apply."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from nrr.cli import main
from tests.helpers import EXAMPLE_LEDGER, ROOT
from tests.test_cli import run

CUSTOMERS = str(ROOT / "examples" / "customers.csv")
TODAY = ("--today", "2026-11-05")
NEEDS_TABLE = ("need a customer table (one MRR figure per customer per month); this ledger holds month totals. "
               "Point --ledger at a customer tab or file.\n")


@pytest.mark.parametrize(("options", "asked"), [
    (("--where", "segment=smb"), "Segments (--where segment=smb)"),
    (("--by", "segment"), "Segments (--by segment)"),
    (("--top", "3"), "Movers (--top 3)"),
    (("--by", "plan", "--top", "10"), "Segments and movers (--by plan, --top 10)"),
])
def test_segments_and_movers_on_a_seven_column_ledger_are_refused(options: tuple[str, ...], asked: str) -> None:
    code, out, err = run("report", "ttm", "--ledger", str(EXAMPLE_LEDGER), *TODAY, *options)
    assert (code, out) == (1, "")
    assert err == f"{asked} {NEEDS_TABLE}"


@pytest.mark.parametrize(("options", "asked", "method"), [
    (("--by", "segment", "--method", "chained"), "Segments (--by segment)", "chained"),
    (("--where", "segment=smb", "--method", "sum"), "Segments (--where segment=smb)", "sum"),
    (("--top", "3", "--method", "chained"), "Movers (--top 3)", "chained"),
])
def test_segments_and_movers_with_another_method_are_a_wrong_command_line(
        options: tuple[str, ...], asked: str, method: str) -> None:
    code, out, err = run("report", "ttm", "--ledger", CUSTOMERS, *TODAY, *options)
    assert (code, out) == (2, "")
    assert err == f"{asked} come from the cohort method; run it again without --method {method}.\n"


def test_a_method_set_in_nrr_toml_is_named_as_the_reason(tmp_path: Path) -> None:
    config = tmp_path / "nrr.toml"
    config.write_text(f'[ledger]\nsource = "{CUSTOMERS}"\nmethod = "chained"\n')
    code, out, err = run("report", "ttm", "--config", str(config), *TODAY, "--by", "segment")
    assert (code, out) == (1, "")
    assert err == ("Segments (--by segment) come from the cohort method; nrr.toml's [ledger] method is chained: "
                   "pass --method cohort.\n")
    code, out, _ = run("report", "ttm", "--config", str(config), *TODAY, "--by", "segment", "--method", "cohort")
    assert code == 0 and "Enterprise" in out


def test_the_cohort_method_on_a_seven_column_ledger_says_what_to_use() -> None:
    code, out, err = run("report", "ttm", "--ledger", str(EXAMPLE_LEDGER), *TODAY, "--method", "cohort")
    assert (code, out) == (1, "")
    assert err == ("The cohort method needs a customer table (one MRR figure per customer per month); this ledger "
                   "holds month totals: ask for the chained or sum method, or point the ledger at a customer tab.\n")


def report_json(*options: str) -> dict[str, Any]:
    code, out, err = run("report", "ttm", "--ledger", CUSTOMERS, *TODAY, "--json", *options)
    assert (code, err) == (0, "")
    return json.loads(out)  # type: ignore[no-any-return]


def test_by_segment_splits_the_12_month_cohort_and_benchmarks_each_segment_against_its_own() -> None:
    data = report_json("--by", "segment", "--top", "2")
    assert (data["method"], data["nrr_pct"], data["grr_pct"]) == ("cohort", 106.21, 93.11)
    assert data["cohort"] == {"customers": 29, "retained": 24, "logo_retention_pct": 82.76,
                              "start_mrr": "58944.33", "end_mrr": "62606.38"}
    assert data["movers"] == {
        "churn": [{"customer": "Aperture Inc", "amount": "1392.00"}, {"customer": "Spacely Inc", "amount": "591.00"}],
        "contraction": [{"customer": "Duff Inc", "amount": "482.68"},
                        {"customer": "Virtucon Inc", "amount": "335.74"}],
        "expansion": [{"customer": "Paper St Inc", "amount": "4012.16"},
                      {"customer": "Massive Inc", "amount": "1449.80"}]}
    assert [(s["segment"], s["nrr_pct"], s["grr_pct"], s["logo_retention_pct"], s["retained"], s["customers"],
             s["start_mrr"], s["end_mrr"]) for s in data["segments"]] == [
        ("Enterprise", 111.67, 100.0, 100.0, 4, 4, "34394.47", "38406.63"),
        ("Mid-Market", 106.17, 88.71, 90.0, 9, 10, "19583.00", "20792.18"),
        ("SMB", 68.61, 62.74, 73.33, 11, 15, "4966.86", "3407.57")]
    assert [(s["benchmark"]["tier"], s["benchmark"]["segment"], s["benchmark"]["gap_to_median_pts"])
            for s in data["segments"]] == [("strong", "enterprise", -6.33), ("good", "mid-market", -1.83),
                                           ("critical", "smb", -28.39)]


def test_where_answers_for_one_segment_with_its_movers() -> None:
    data = report_json("--where", "Segment=smb")
    assert (data["nrr_pct"], data["grr_pct"], data["trailing_12m"]["nrr_pct"]) == (68.61, 62.74, 68.61)
    assert data["cohort"] == {"customers": 15, "retained": 11, "logo_retention_pct": 73.33,
                              "start_mrr": "4966.86", "end_mrr": "3407.57", "segment": "SMB"}
    assert [len(data["movers"][k]) for k in ("churn", "contraction", "expansion")] == [4, 3, 5]  # top 5 each
    assert data["movers"]["churn"][0] == {"customer": "Spacely Inc", "amount": "591.00"}
    assert "segments" not in data


def test_top_sets_how_many_movers_of_each_kind() -> None:
    assert report_json("--top", "1")["movers"] == {
        "churn": [{"customer": "Aperture Inc", "amount": "1392.00"}],
        "contraction": [{"customer": "Duff Inc", "amount": "482.68"}],
        "expansion": [{"customer": "Paper St Inc", "amount": "4012.16"}]}


@pytest.mark.parametrize("top", ["0", "-1", "x", "2.5"])
def test_top_is_a_count_of_one_or_more(top: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("report", "ttm", "--ledger", CUSTOMERS, *TODAY, "--top", top)
    assert (code, out) == (2, "")
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"nrr report: error: argument --top: '{top}' is not a count of 1 or more, such as 5")


@pytest.mark.parametrize("where", ["segment", "=smb", "segment="])
def test_where_that_is_not_column_equals_value_is_a_wrong_command_line(
        where: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("report", "ttm", "--ledger", CUSTOMERS, *TODAY, "--where", where)
    assert (code, out) == (2, "")
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"nrr report: error: argument --where: '{where}' is not COLUMN=VALUE, such as Segment=Enterprise.")


def test_where_that_matches_nobody_names_the_values_there_are() -> None:
    code, out, err = run("report", "ttm", "--ledger", CUSTOMERS, *TODAY, "--where", "segment=Startup")
    assert (code, out) == (1, "")
    assert err == ("No customer in the cohort has Segment = Startup in October 2025; its values there are "
                   "Enterprise, Mid-Market and SMB.\n")
    code, _, err = run("report", "ttm", "--ledger", CUSTOMERS, *TODAY, "--where", "region=EMEA")
    assert (code, err) == (1, "No column 'region' in the customer table; its attribute columns are: Segment, Plan.\n")


@pytest.mark.parametrize("table", ["Customer,Month,MRR", "Customer,Segment,Jan 2026,Feb 2026"])
def test_a_customer_table_with_no_rows_says_so(tmp_path: Path, table: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(table + "\n")
    code, out, err = run("report", "--ledger", str(path), *TODAY)
    assert (code, out, err) == (1, "", "The customer table has no rows yet; add one row per customer and month.\n")


@pytest.mark.parametrize(("header", "where"), [
    ("Jan 2026,Feb 2026,2026-02", "C1 and D1"),
    ("Jan 2026,Feb 2026,2026-02,02/2026", "C1, D1 and E1"),
])
def test_a_month_heading_two_columns_is_named_with_every_column(tmp_path: Path, header: str, where: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(f"Customer,{header}\nAcme,{','.join('1234'[:header.count(',') + 1])}\n")
    code, out, err = run("report", "--ledger", str(path), *TODAY)
    assert (code, out) == (1, "")
    assert err == (f"{where} (February 2026): February 2026 heads more than one column; keep one column per month "
                   "(delete or merge the others).\n")


def test_months_missing_between_the_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("Customer,Jan 2026,Feb 2026,Apr 2026,Jun 2026\nAcme,1,2,3,4\n")
    code, out, err = run("report", "--ledger", str(path), *TODAY)
    assert (code, out) == (1, "")
    assert err == "No column for March 2026, May 2026 between the other months; add them (a blank cell is 0).\n"


def test_cohorts_on_a_seven_column_ledger_say_what_to_point_at() -> None:
    code, out, err = run("cohorts", "--ledger", str(EXAMPLE_LEDGER))
    assert (code, out) == (1, "")
    assert err == f"Cohorts {NEEDS_TABLE}"


def test_the_segment_table_reads_at_80_columns_its_benchmarks_in_a_block_of_their_own() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["report", "ttm", "--ledger", CUSTOMERS, *TODAY, "--by", "segment"], env={},
                stdout=Console(file=out, width=80, highlight=False), stderr=Console(file=err, width=80))
    assert (code, err.getvalue()) == (0, "")
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    first = lines.index("Segment    ┃     NRR ┃     GRR ┃   Logos ┃ Customers ┃   Start ┃     End")
    assert lines[first:lines.index("Benchmark basis: NRR 106.21%, GRR 93.11% (12-month cohort to Oct 2026)")] == [
        "Segment    ┃     NRR ┃     GRR ┃   Logos ┃ Customers ┃   Start ┃     End",
        "╇".join("━" * w for w in (11, 9, 9, 9, 11, 9, 8)),
        "Enterprise │ 111.67% │ 100.00% │ 100.00% │       4/4 │ $34,394 │ $38,407",
        "Mid-Market │ 106.17% │  88.71% │  90.00% │      9/10 │ $19,583 │ $20,792",
        "SMB        │  68.61% │  62.74% │  73.33% │     11/15 │  $4,967 │  $3,408",
        "",
        "Segment    ┃ Benchmark (12-month cohort)",
        "━" * 11 + "╇" + "━" * 50,
        "Enterprise │ 111.67% Strong, enterprise median 118% (-6.3 pts)",
        "Mid-Market │ 106.17% Good, mid-market median 108% (-1.8 pts)",
        "SMB        │ 68.61% Critical, SMB median 97% (-28.4 pts)",
    ]


def test_validate_counts_a_customer_tables_own_months_and_customers(tmp_path: Path) -> None:
    code, out, _ = run("validate", "--ledger", CUSTOMERS)
    assert (code, out) == (0, f"{CUSTOMERS}: valid customer table, 40 customers, 22 months (2025-01 to 2026-10), "
                              "0 warning(s).\n")
    one = tmp_path / "one.csv"
    one.write_text("Customer,Month,MRR\nA,2026-01,100\n")
    code, out, _ = run("validate", "--ledger", str(one))
    assert (code, out) == (0, f"{one}: valid customer table, 1 customer, 1 month (2026-01 to 2026-01), 0 warning(s). "
                              "Its figures start once it holds February 2026: each month is compared with the month "
                              "before.\n")


def test_segment_names_from_the_sheet_print_as_written(tmp_path: Path) -> None:
    """A segment's name is data: ``[bold]`` is not markup, and a wide (CJK) name is measured as the terminal
    shows it, so no cell is cut."""
    table = tmp_path / "customers.csv"
    table.write_text("Customer,Month,MRR,Segment\nA,2026-01,100,[bold]Ent[/bold] [x]\n"
                     "A,2026-02,120,[bold]Ent[/bold] [x]\nB,2026-01,100,大企業エンタープライズ\n"
                     "B,2026-02,90,大企業エンタープライズ\n")
    out = io.StringIO()
    code = main(["report", "2026-02", "--ledger", str(table), "--today", "2026-03-05", "--by", "segment"], env={},
                stdout=Console(file=out, width=80, highlight=False), stderr=Console(file=io.StringIO(), width=80))
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    assert code == 0
    assert "[bold]Ent[/bold] [x]   │ 120.00% │ 100.00% │ 100.00% │       1/1 │  $100 │ $120" in lines
    assert "大企業エンタープライズ │  90.00% │  90.00% │ 100.00% │       1/1 │  $100 │  $90" in lines


def test_cohorts_with_nothing_to_show_say_so(tmp_path: Path) -> None:
    zero = tmp_path / "zero.csv"
    zero.write_text("Customer,Month,MRR\nA,2026-01,0\nA,2026-02,0\n")
    png = tmp_path / "heatmap.png"
    code, out, err = run("cohorts", "--ledger", str(zero), "--png", str(png))
    assert (code, err) == (0, "")
    assert out == ("No cohort to show: no customer has paid in the table yet.\n"
                   f"No heatmap written to {png}: there is no cohort to draw.\n")
    assert not png.exists()
    one = tmp_path / "one.csv"
    one.write_text("Customer,Month,MRR\nA,2026-01,100\n")
    code, out, _ = run("cohorts", "--ledger", str(one))
    assert (code, " ".join(out.split())) == (0, "No cohort is a month old yet: NRR by age starts once the table "
                                                "holds a second month.")


def renamed_customers(tmp_path: Path, header: str, suffix: str = "") -> Path:
    """The example customer table with its header row replaced by ``header``."""
    lines = (ROOT / "examples" / "customers.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / f"renamed{suffix}.csv"
    path.write_text("\n".join([header, *lines[1:]]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("columnar", ["never", "always"])
def test_ledger_columns_name_a_files_columns_as_a_tables(tmp_path: Path, columnar: str) -> None:
    # [ledger] columns was read for database tables only: a file's columns the header rules do not know were
    # 'No header row found', and the columns named were ignored without a word (fuzz 3)
    path = renamed_customers(tmp_path, "acct,Account name,m,amt,Segment,Plan")
    config = tmp_path / "nrr.toml"
    config.write_text('[ledger]\ncolumns = {customer = "acct", name = "account name", month = "m", mrr = "amt"}\n',
                      encoding="utf-8")
    env = {"NRR_COLUMNAR": columnar, "NRR_CACHE_DIR": str(tmp_path / "cache")}
    for asked in (("report", "ttm", "--json", "--by", "segment"), ("ledger", "--csv")):
        expected = run(*asked, "--ledger", CUSTOMERS, *TODAY, env=env)
        assert run(*asked, "--ledger", str(path), "--config", str(config), *TODAY, env=env) == expected, asked
    code, _, err = run("report", "ttm", "--ledger", str(path), *TODAY, env=env)
    assert code == 1 and "[ledger] columns = {customer" in err, err


def test_ledger_columns_choose_between_two_figure_columns_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("customer_id,month,revenue,mrr\nA,2025-01,200,100\nA,2025-02,240,120\n", encoding="utf-8")
    config = tmp_path / "nrr.toml"
    config.write_text('[ledger]\ncolumns = {mrr = "revenue"}\n', encoding="utf-8")
    code, out, _ = run("ledger", "--csv", "--ledger", str(path), "--config", str(config))
    assert (code, out.splitlines()[1]) == (0, "2025-02,200.00,40.00,0.00,0.00,240.00,120.00%,0.00,0.00")
    code, out, _ = run("ledger", "--csv", "--ledger", str(path))
    assert (code, out.splitlines()[1]) == (0, "2025-02,100.00,20.00,0.00,0.00,120.00,120.00%,0.00,0.00")


def test_a_column_ledger_columns_names_that_the_file_lacks_is_named(tmp_path: Path) -> None:
    path = renamed_customers(tmp_path, "customer_id,customer,month,mrr,segment,plan")
    config = tmp_path / "nrr.toml"
    config.write_text('[ledger]\ncolumns = {customer = "acct", mrr = "mrr"}\n', encoding="utf-8")
    code, out, err = run("validate", "--ledger", str(path), "--config", str(config))
    assert code == 1 and ("[ledger] columns names customer = 'acct', mrr = 'mrr', but the row most like a header "
                          "(row 1) has 'customer_id', 'customer', 'month', 'mrr', 'segment', 'plan' and not 'acct'. "
                          "Write the names as the header writes them") in out + err, (out, err)


def test_a_role_left_without_a_column_by_ledger_columns_is_named(tmp_path: Path) -> None:
    # customer_id named as the month is no longer the customer: the message said only 'the rest' (review)
    path = tmp_path / "two.csv"
    path.write_text("customer_id,month,mrr\nA,2025-01,1\n", encoding="utf-8")
    config = tmp_path / "nrr.toml"
    config.write_text('[ledger]\ncolumns = {month = "customer_id"}\n', encoding="utf-8")
    code, out, _ = run("validate", "--ledger", str(path), "--config", str(config))
    assert code == 1 and ("[ledger] columns names month = 'customer_id', and row 1 has no column the header rules "
                          "read as the customer of a customer table (one row per customer and month). Name it in "
                          "[ledger] columns too") in out, out


@pytest.mark.parametrize("top", ["1", "3", "50"])
def test_the_movers_and_the_others_add_up_to_the_cohorts_change(top: str) -> None:
    # --top N cut the lists without a word: the first N read as all there was (fuzz 4)
    code, out, err = run("report", "ttm", "--json", "--top", top, "--ledger", CUSTOMERS, *TODAY)
    data = json.loads(out)
    moved = {kind: sum(Decimal(m["amount"]) for m in data["movers"][kind]) + Decimal(data["movers_others"][kind])
             for kind in ("churn", "contraction", "expansion")}
    cohort = data["cohort"]
    assert code == 0, err
    assert Decimal(cohort["start_mrr"]) - moved["churn"] - moved["contraction"] + moved["expansion"] == \
        Decimal(cohort["end_mrr"])
    assert (data["movers_others"]["expansion"] == "0.00") == (top == "50")
    code, out, _ = run("report", "ttm", "--top", top, "--ledger", CUSTOMERS, *TODAY)
    assert ("others +$" in out) == (top != "50"), out


def test_a_year_to_date_missing_a_closed_month_says_which_and_offers_the_span_it_has() -> None:
    from tests.test_cli import run

    code, _, err = run("report", "2026", "--ledger", CUSTOMERS, "--today", "2026-12-20")
    assert (code, err) == (1, "November 2026 is not in the ledger yet; the latest month is October 2026. Ask for a "
                              "period that ends by then (2026-01..2026-10), or answer as of then with --today "
                              "2026-11-01.\n")


@pytest.mark.parametrize("twice", [("--where", "segment=SMB", "--where", "plan=Pro"),
                                   ("--by", "segment", "--by", "plan")])
def test_an_option_given_twice_is_refused_not_the_last_one_kept(twice: tuple[str, ...],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "ttm", "--ledger", CUSTOMERS, *TODAY, *twice], env={}) == 2
    assert capsys.readouterr().err.endswith(
        f"error: {twice[0]} is given twice; give it once (a report narrows by one column's value and answers by one "
        "column).\n")


def test_two_columns_alike_but_for_case_are_told_apart_as_written(tmp_path: Path) -> None:
    from tests.test_cli import run

    path = tmp_path / "seg.csv"
    path.write_text("customer_id,month,mrr,Segment,segment\nA,2025-09,100,SMB,west\nA,2025-10,100,SMB,west\n"
                    "B,2025-09,50,Ent,east\nB,2025-10,60,Ent,east\n", encoding="utf-8")
    asked = ("report", "2025-10", "--json", "--ledger", str(path), "--today", "2025-11-05")
    for by, values in (("segment", ["west", "east"]), ("Segment", ["SMB", "Ent"])):
        code, out, _ = run(*asked, "--by", by)
        assert code == 0 and [s["segment"] for s in json.loads(out)["segments"]] == values
    code, _, err = run(*asked, "--by", "SEGMENT")
    assert (code, err) == (1, "The customer table has 2 columns named like 'SEGMENT' (Segment, segment); name one as "
                              "it is written.\n")


def test_the_last_month_of_a_customer_table_has_its_new_business_and_quick_ratio(tmp_path: Path) -> None:
    """Fuzz 16: 'Quick ratio n/a (needs April 2026's Start)' of a table holding every March figure: the month after
    the last starts with what the last one's customers paid, new ones and returning ones included."""
    path = tmp_path / "customers.csv"
    path.write_text("Customer ID,Customer,Month,MRR\n1,A,2026-01,100\n1,A,2026-02,100\n1,A,2026-03,300\n"
                    "2,B,2026-01,200\n2,B,2026-02,200\n2,B,2026-03,0\n3,C,2026-01,50\n3,C,2026-02,0\n3,C,2026-03,80\n"
                    "4,D,2026-02,500\n4,D,2026-03,500\n", encoding="utf-8")
    code, out, err = run("report", "2026-03", "--json", "--ledger", str(path), "--today", "2026-04-02")
    data = json.loads(out)
    assert (code, data["new_business"], data["quick_ratio"], data["mrr_growth_pct"]) == (0, "80.00", 1.4, 10.0), err


def test_a_short_tables_cohorts_by_quarter_and_digest_say_why_they_have_nothing(tmp_path: Path) -> None:
    """Fuzz 19: two months by quarter were told "once the table holds a second month" (it held two); a one-month
    table's digest was told its only month "is not in the ledger yet; the latest month is none"."""
    path = tmp_path / "customers.csv"
    path.write_text("Customer ID,Customer,Month,MRR\n1,A,2025-01,100\n1,A,2025-02,100\n2,B,2025-02,50\n",
                    encoding="utf-8")
    code, out, err = run("cohorts", "--ledger", str(path), "--by", "quarter")
    assert code == 0 and "No cohort is a quarter old yet" in " ".join((out + err).split())
    path.write_text("Customer ID,Customer,Month,MRR\n1,A,2025-01,100\n", encoding="utf-8")
    config = tmp_path / "nrr.toml"
    config.write_text(f'[ledger]\nsource = "{path}"\n\n[[digests]]\nchannel = "C0123ABCD"\n', encoding="utf-8")
    code, _, err = run("digest", "--dry-run", "--channel", "C0123ABCD", "--month", "2025-01", "--config", str(config))
    assert (code, err) == (1, "The cohort is the customers paying in December 2024, which is not in the customer "
                              "table; its first month is January 2025, so it can answer a month once February 2025 "
                              "is in it.\n")


def test_a_latest_month_entered_in_part_is_said_once_it_has_closed(tmp_path: Path) -> None:
    """An export taken on the 1st: November holds 5 of 19 customers so far. As of December 1st November has closed;
    `ttm` had answered its collapse (NRR near 30%) without a word (a fresh-eyes try). The answer stands, and says how
    many customers have no figure in it; the months before it say nothing."""
    lines = ["Customer,Month,MRR"]
    for c in range(19):
        gone = (2026, 6) if c == 18 else (2026, 11) if c >= 5 else (2026, 12)  # C18 churned in June
        lines += [f"C{c:02d},{y}-{m:02d},{1000 + 10 * m}" for y in (2025, 2026) for m in range(1, 13)
                  if (y, m) < gone]
    path = tmp_path / "partial.csv"
    path.write_text("\n".join(lines) + "\n")
    def asked(period: str) -> dict[str, Any]:
        code, out, err = run("report", period, "--ledger", str(path), "--today", "2026-12-01", "--json")
        assert (code, err) == (0, "")
        return json.loads(out)  # type: ignore[no-any-return]

    data = asked("ttm")
    said = [w for w in data["warnings"] if "latest month" in w]
    assert said == ["November 2026 is the table's latest month, and 13 of the 18 customers paying in October 2026 "
                    "have no MRR in it: they are counted as churned, 72.2% of October 2026's MRR, more than twice the "
                    "most any month before it lost (5.3%). If November 2026 is not fully entered yet, enter the rest, "
                    "or ask for a period ending by October 2026."]
    earlier = asked("2026-10")
    assert not [w for w in earlier["warnings"] if "latest month" in w]


def test_a_period_before_the_first_tab_says_which_tabs_hold_the_months(tmp_path: Path) -> None:
    """A workbook of a tab a year, this year's first: the refusal of a period reaching back had dropped the pointer
    to the other tabs, which a successful answer gives (a fresh-eyes try)."""
    import openpyxl

    book = openpyxl.Workbook()
    for n, year in enumerate((2026, 2025)):
        sheet = book.active if n == 0 else book.create_sheet()
        sheet.title = str(year)
        sheet.append(["Customer", "Month", "MRR"])
        for m in range(1, 13 if year == 2025 else 11):
            sheet.append(["Acme", f"{year}-{m:02d}", 100])
    path = tmp_path / "years.xlsx"
    book.save(path)
    code, _, err = run("report", "ttm", "--ledger", str(path), "--today", "2026-11-05")
    assert code == 1 and "'2025' holds a table too" in err and f"--ledger '{path}#2025'" in " ".join(err.split()), err
