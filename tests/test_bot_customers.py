"""/nrr on a customer table, end to end through the real Bolt app over HTTP: cohort headlines with
logo retention, movers, segments, a segment's value as a filter, and the names from the sheet as data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Month
from nrr.runtime import Runtime
from nrr.server import build_server
from tests.fakes.servers import serve
from tests.fakes.slack_api import FakeSlack
from tests.test_bot import NOW, Stack, settings, slack_env, texts

HOSTILE = "<!channel> Evil & Co"


def mrr(name: str, month: Month) -> int:
    """Oct 2025 .. Oct 2026, by hand: Acme grows in Aug, Beta churns in Aug, Gamma shrinks in May, Delta
    churns in May, Echo is new in Jun, the hostile name grows in Sep."""
    if name == "Acme":
        return 1500 if month >= Month(2026, 8) else 1000
    if name == "Beta":
        return 0 if month >= Month(2026, 8) else 800
    if name == "Gamma":
        return 150 if month >= Month(2026, 5) else 200
    if name == "Delta":
        return 0 if month >= Month(2026, 5) else 100
    if name == "Echo":
        return 300 if month >= Month(2026, 6) else 0
    return 80 if month >= Month(2026, 9) else 50


SEGMENTS = {"Acme": "Enterprise", "Beta": "Enterprise", "Gamma": "SMB", "Delta": "SMB", "Echo": "Mid Market",
            HOSTILE: "SMB"}


def write_table(path: Path) -> Path:
    lines = ["Customer,Month,MRR,Segment"]
    month = Month(2025, 10)
    while month <= Month(2026, 10):
        for name, segment in SEGMENTS.items():
            if amount := mrr(name, month):
                lines.append(f'"{name}",{month},{amount},{segment}')
        month += 1
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(write_table(tmp_path / "customers.csv")), tmp_path), env=slack_env(slack),
                          clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            yield Stack(slack, url, runtime)


def ask(stack: Stack, text: str) -> dict[str, Any]:
    _, path = stack.command(text)
    return stack.answer(path)


def test_the_headline_is_the_cohorts_with_logo_retention(stack: Stack) -> None:
    answer = ask(stack, "last-quarter")
    blocks = answer["blocks"]
    # Jun: Acme 1000, Beta 800, Gamma 150, Echo 300, hostile 50 = 2300; Sep: 1500 + 0 + 150 + 300 + 80 = 2030;
    # kept: 1000 + 0 + 150 + 300 + 50 = 1500
    assert blocks[0]["text"]["text"] == "Q3 2026: NRR 88.3% · GRR 65.2% · logo retention 80.0%"
    body = texts(blocks)
    assert "Logo retention 80.0%: 4 of 5 customers still paying." in body
    assert ("The movements above are every customer's, month by month, new customers' included; the cohort figures "
            "follow the 5 customers paying in Jun 2026: $2,300 then, $2,030 in Sep 2026.") in body
    assert "Method: cohort: the customers paying the month before the period" in body
    assert "*Churned*" not in body  # movers only when asked


def test_movers_with_the_period_anywhere(stack: Stack) -> None:
    first, second = ask(stack, "movers Q2 2026"), ask(stack, "Q2 2026 movers")
    assert first["blocks"][:-1] == second["blocks"][:-1]  # all but the Share button's key
    sections = [b["text"]["text"] for b in first["blocks"] if b["type"] == "section" and "text" in b]
    assert "*Churned*\n• Beta: -$800" not in sections  # Beta churns in Q3, not Q2
    assert "*Churned*\n• Delta: -$100" in sections
    assert "*Contracted*\n• Gamma: -$50" in sections
    assert not any(s.startswith("*Expanded*") for s in sections)


def test_who_churned_and_top_expansion(stack: Stack) -> None:
    churned = [b["text"]["text"] for b in ask(stack, "who churned last-quarter")["blocks"]
               if b["type"] == "section" and "text" in b]
    assert "*Churned*\n• Beta: -$800" in churned and not any(s.startswith("*Expanded*") for s in churned)
    body = texts(ask(stack, "top expansion last-quarter")["blocks"])
    assert "*Expanded*\\n• Acme: +$500\\n• &lt;!channel&gt; Evil &amp; Co: +$30" in body
    assert "<!channel>" not in body
    one = [b["text"]["text"] for b in ask(stack, "top 1 expansion last-quarter")["blocks"]
           if b["type"] == "section" and "text" in b]
    assert "*Expanded*\n• Acme: +$500\n• _others_: +$30" in one  # the top 1, and what the rest moved
    nobody = texts(ask(stack, "who churned 2026-07")["blocks"])
    assert "No customer churned in this period." in nobody


def test_by_segment_is_one_line_per_segment(stack: Stack) -> None:
    body = [b["text"]["text"] for b in ask(stack, "last-quarter by segment")["blocks"]
            if b["type"] == "section" and "text" in b]
    assert ("*By Segment*\n"
            "• *Enterprise*: NRR 83.3% · GRR 55.6% · logo retention 50.0% (1 of 2)\n"
            "• *Mid Market*: NRR 100.0% · GRR 100.0% · logo retention 100.0% (1 of 1)\n"
            "• *SMB*: NRR 115.0% · GRR 100.0% · logo retention 100.0% (2 of 2)") in body


def test_a_segments_value_answers_for_that_segment(stack: Stack) -> None:
    answer = ask(stack, "enterprise last-quarter")
    assert answer["blocks"][0]["text"]["text"] == ("Q3 2026, Enterprise: NRR 83.3% · GRR 55.6% · "
                                                   "logo retention 50.0%")
    assert answer["text"] == "Q3 2026, Enterprise: NRR 83.3% · GRR 55.6% · logo retention 50.0%"
    assert ask(stack, "last-quarter SMB")["blocks"][0]["text"]["text"].startswith("Q3 2026, SMB: NRR 115.0%")
    assert ask(stack, "mid market last-quarter")["blocks"][0]["text"]["text"] == (
        "Q3 2026, Mid Market: NRR 100.0% · GRR 100.0% · logo retention 100.0%")


@pytest.mark.parametrize(("text", "expected"), [
    ("ttm by region", ":x: No column 'region' in the customer table; its attribute columns are: Segment."),
    ("ttm by", ":x: `by` needs a column after it, such as `/nrr ttm by segment`."),
    ("top 26 movers ttm", ":x: `top 26`: movers are shown from 1 to 25 of each kind, such as `/nrr top 10 movers "
                          "ttm`."),  # was "'26 ttm' is not a period I know" (fuzz 7)
    ("enterprise cohorts", ":x: `/nrr cohorts` answers for the whole table, by acquisition quarter, as of the latest "
                           "closed month: it takes no `enterprise`. In a terminal, `nrr cohorts --by month` gives "
                           "months."),  # everyone's triangle, answered as if it were Enterprise's (fuzz 7)
    ("forecast ² months", ":x: '² months' is not part of a forecast I know: `/nrr forecast [12 months] "
                          "[target $2M by Dec 2027]`."),
    ("ttm by segment by plan", ":x: `by` is given twice (`segment`, `plan`); a report answers by one column, such as "
                               "`/nrr ttm by segment`."),
    ("movers ttm method=chained", ":x: Movers come from the cohort method; ask again without `method=sum` or "
                                  "`method=chained`."),
])
def test_customer_words_in_plain_words(stack: Stack, text: str, expected: str) -> None:
    assert ask(stack, text)["blocks"][0]["text"]["text"] == expected


def test_cohorts_answer_a_narrow_triangle_by_acquisition_quarter(stack: Stack) -> None:
    blocks = ask(stack, "cohorts")["blocks"]
    assert blocks[0]["text"]["text"] == ("*NRR by acquisition quarter, at 3, 6, 9 and 12 months* (blank: not that "
                                         "old yet)")
    table = blocks[1]["text"]["text"]
    assert table.startswith("```Cohort     Customers      M3      M6      M9     M12\n")
    assert blocks[2]["elements"][0]["text"].endswith("The whole triangle: `nrr cohorts` in a terminal, `--png` for "
                                                     "the heatmap.")


def test_a_seven_column_ledger_says_movers_need_a_customer_table(tmp_path: Path) -> None:
    from tests.helpers import EXAMPLE_LEDGER

    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(EXAMPLE_LEDGER), tmp_path), env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            movers = ask(stack, "movers last-quarter")["blocks"][0]["text"]["text"]
            by = ask(stack, "ttm by segment")["blocks"][0]["text"]["text"]
    assert movers == (":x: Movers need a customer table (one MRR figure per customer per month); this ledger "
                      "holds month totals. See the README's Customer tables.")
    assert by.startswith(":x: Segments (by segment) need a customer table")


def test_help_names_the_customer_words(stack: Stack) -> None:
    text = ask(stack, "help")["blocks"][0]["text"]["text"]
    for word in ("`movers`", "`who churned`", "`top expansion`", "`by COLUMN`", "`cohorts`", "`/nrr enterprise ttm`"):
        assert word in text


def test_method_cohort_is_the_cohort_method(stack: Stack) -> None:
    """``method=cohort`` asks for what a customer table answers anyway; it is not turned into chained."""
    answer = ask(stack, "movers last-quarter method=cohort")
    assert answer["blocks"][0]["text"]["text"] == "Q3 2026: NRR 88.3% · GRR 65.2% · logo retention 80.0%"


def test_words_that_read_as_a_period_are_the_period_whatever_a_column_holds(tmp_path: Path) -> None:
    # with a Signup Month column holding 2026-03, "/nrr 2026-03" answered last month for the customers who signed up
    # in March (fuzz 7)
    table = write_table(tmp_path / "customers.csv")
    lines = table.read_text().splitlines()
    signup = {"Acme": "2026-03", "Beta": "2025-10"}
    table.write_text("\n".join([lines[0] + ",Signup Month",
                                 *(f"{line},{signup.get(line.split(',')[0].strip(chr(34)), '2025-11')}"
                                   for line in lines[1:])]) + "\n")
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(table), tmp_path), env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            assert ask(stack, "2026-03")["blocks"][0]["text"]["text"] == ask(stack, "Mar 2026")["blocks"][0]["text"][
                "text"]
            assert ask(stack, "2026-03")["blocks"][0]["text"]["text"].startswith("March 2026: ")
            # a column whose header has a space, typed as it reads, quoted, or with _ or - (fuzz 7)
            shown = [texts(ask(stack, f"ttm by {by}")["blocks"][:-1]) for by in  # the share button's key aside
                     ("Signup Month", '"Signup Month"', "signup_month", "signup-month")]
            assert len(set(shown)) == 1 and "2026-03" in shown[0] and "No column" not in shown[0]


def test_two_segments_at_once_are_refused_naming_both(stack: Stack) -> None:
    # "enterprise smb ttm" took Enterprise and said "'smb ttm' is not a period I know" (fuzz 7)
    assert ask(stack, "enterprise smb ttm")["blocks"][0]["text"]["text"] == (
        ":x: `Enterprise` and `SMB` are two segments; ask for one at a time, such as `/nrr Enterprise last-quarter`.")


def test_a_period_before_the_table_says_the_tables_months_not_its_ledgers(stack: Stack) -> None:
    # "its first month is October 2025. The ledger covers November 2025 to ...": two first months (fuzz 7)
    assert ask(stack, "2025-10")["blocks"][0]["text"]["text"] == (
        ":x: The cohort is the customers paying in September 2025, which is not in the customer table; its first "
        "month is October 2025, so a period can start in November 2025 at the earliest. The customer table covers "
        "October 2025 to October 2026.")


def test_a_year_after_top_is_the_period(stack: Stack) -> None:
    # "churned top 2025" was refused as a count of movers out of range (a review found it)
    assert ask(stack, "who churned top 2026")["blocks"][0]["text"]["text"].startswith("2026")


@pytest.mark.parametrize("text", ["ttm by segment", "ttm enterprise", "who churned ttm"])
def test_nrr_tomls_method_is_named_with_the_method_to_ask_for(tmp_path: Path, text: str) -> None:
    # it said "ask again without `method=sum` or `method=chained`" to a question that gave no method= (fuzz 10)
    from dataclasses import replace

    from nrr.config import LedgerSettings

    table = str(write_table(tmp_path / "customers.csv"))
    with FakeSlack() as slack:
        chained = replace(settings(table, tmp_path), ledger=LedgerSettings(source=table, method="chained"))
        runtime = Runtime(_file=chained, env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            said = ask(stack, text)["blocks"][0]["text"]["text"]
            assert said.endswith(" come from the cohort method; nrr.toml's [ledger] method is chained: ask with "
                                 "`method=cohort`.")
            assert ask(stack, f"{text} method=cohort")["blocks"][0]["type"] == "header"


def test_column_equals_value_asks_for_that_columns_segment(stack: Stack) -> None:
    # a segment is asked as --where writes it (it was refused, fuzz 10; then needed, fuzz 22: a value in two columns)
    assert headline(ask(stack, "ttm segment=Enterprise")) == headline(ask(stack, "ttm enterprise"))
    # and with "where" before it, as a terminal's --where reads ("'ttm where' is not a period I know": a fresh-eyes try)
    assert headline(ask(stack, "ttm where segment=Enterprise")) == headline(ask(stack, "ttm enterprise"))
    assert headline(ask(stack, "where enterprise ttm")) == headline(ask(stack, "ttm enterprise"))
    assert headline(ask(stack, "ttm where enterprise")) == headline(ask(stack, "ttm enterprise"))
    # "where" with no segment after it is refused: it had answered for every customer (a fresh-eyes try)
    for text in ("ttm where", "where ttm grr", "ttm grr where"):
        said = headline(ask(stack, text))
        assert said.startswith(":x: `where` needs a segment after it") or text == "where ttm grr", said
    # a setup command mistyped is named: "'subscibe' is not a period I know" alone (a fresh-eyes try)
    assert headline(ask(stack, "subscibe")).endswith("Did you mean `/nrr subscribe`?")
    # an '=' without a name or a value names how a segment is asked for, and the options (fuzz 10)
    assert headline(ask(stack, "ttm where plan=")) == (
        ":x: 'plan=' needs a name and a value on either side of '=', with no space: `method=sum`, or on a customer "
        "table a segment as `plan=Pro` (or its value alone, `/nrr ttm enterprise`); the options are grr, compare or "
        "method=sum / method=chained / method=cohort.")


@pytest.fixture
def two_columns(tmp_path: Path) -> Iterator[Stack]:
    """Enterprise is a Segment and a Plan; "Churn Risk" and "Top Accounts" hold the grammar's keywords."""
    plans = {"Acme": "Enterprise", "Beta": "Pro Plus", "Gamma": "Enterprise", "Delta": "Starter", "Echo": "Starter",
             HOSTILE: "Starter"}
    health = {"Acme": "Top Accounts", "Beta": "Churn Risk", "Gamma": "Churn Risk", "Delta": "Healthy",
              "Echo": "Healthy", HOSTILE: "Healthy"}
    lines = ["Customer,Month,MRR,Segment,Plan,Health"]
    for line in write_table(tmp_path / "one.csv").read_text().splitlines()[1:]:
        name = line.split('",')[0].strip('"')
        lines.append(f"{line},{plans[name]},{health[name]}")
    path = tmp_path / "customers.csv"
    path.write_text("\n".join(lines) + "\n")
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(path), tmp_path), env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            yield Stack(slack, url, runtime)


def headline(answer: dict[str, Any]) -> str:
    text: str = answer["blocks"][0]["text"]["text"]
    return text


def test_a_value_of_two_columns_asks_which_and_column_equals_value_answers(two_columns: Stack) -> None:
    # "enterprise ttm" answered for the Segment without a word, and plan=enterprise was refused (fuzz 22)
    assert headline(ask(two_columns, "enterprise ttm")) == (
        ":x: `Enterprise` is in `Segment` and `Plan`: say which, such as `/nrr segment=Enterprise ttm` or "
        "`/nrr plan=Enterprise ttm`.")
    by_plan, by_segment = ask(two_columns, "plan=enterprise ttm"), ask(two_columns, "Segment=\"Enterprise\" ttm")
    # the Enterprise plan is Acme and Gamma; the Enterprise segment Acme and Beta: two cohorts, two answers
    assert "logo retention 100.0%" in headline(by_plan) and "logo retention 50.0%" in headline(by_segment)
    assert headline(ask(two_columns, "ttm plan=pro plus")).startswith("Trailing 12 months to Oct 2026, Pro Plus:")
    assert headline(ask(two_columns, "plan=enterprise smb ttm")) == (
        ":x: `Enterprise` and `SMB` are two segments; ask for one at a time, such as `/nrr Enterprise last-quarter`.")
    # the value's words are the value's, not the grammar's ("churn" listed the churned), nor another segment
    assert headline(ask(two_columns, "health=churn risk ttm")).startswith("Trailing 12 months to Oct 2026, Churn Risk:")
    assert "Churned" not in str(ask(two_columns, 'Health="Churn Risk" ttm')["blocks"])
    # a cohorts triangle is the whole table's: a segment is refused, not dropped (a review)
    assert headline(ask(two_columns, "cohorts plan=enterprise")).startswith(
        ":x: `/nrr cohorts` answers for the whole table")
    assert headline(ask(two_columns, "method = sum")).startswith(
        ":x: '=' needs a name and a value on either side of '=', with no space: `method=sum`")


def test_a_value_holding_a_keyword_is_the_segment(two_columns: Stack) -> None:
    # 'risk ttm' is not a period I know: "churn" was read as the churned movers (fuzz 22)
    assert headline(ask(two_columns, "churn risk ttm")).startswith("Trailing 12 months to Oct 2026, Churn Risk:")
    assert headline(ask(two_columns, "who churned top accounts ttm")).startswith(
        "Trailing 12 months to Oct 2026, Top Accounts:")
    assert headline(ask(two_columns, "churn risk top accounts ttm")) == (
        ":x: `Churn Risk` and `Top Accounts` are two segments; ask for one at a time, such as "
        "`/nrr Churn Risk last-quarter`.")


def test_an_answer_without_a_change_says_why_as_the_terminal_does(stack: Stack) -> None:
    # the terminal said "No comparison with the period before: ..."; Slack said nothing of it (fuzz 22)
    blocks = ask(stack, "2025-11")["blocks"]
    assert blocks[1]["text"]["text"] == (
        "_No comparison with the period before: the cohort is the customers paying in September 2025, which is not "
        "in the customer table; its first month is October 2025._")
    # said once with compare too (it was said twice: a review), and without advice meant for the period asked for
    assert str(ask(stack, "2025-11 compare")["blocks"]).count("No comparison with the period before") == 1


def test_slacks_escapes_in_a_question_are_read_back(tmp_path: Path) -> None:
    """Slack sends & < > as &amp; &lt; &gt;: `/nrr segment=R&D ttm` was answered "No customer ... has Segment =
    R&amp;amp;D", and a typed '<' was quoted back as '&amp;lt;'."""
    table = tmp_path / "customers.csv"
    table.write_text(write_table(tmp_path / "one.csv").read_text().replace(",SMB", ",R&D"))
    with FakeSlack() as slack:
        runtime = Runtime(_file=settings(str(table), tmp_path), env=slack_env(slack), clock=lambda: NOW)
        with serve(build_server(runtime).app) as url:
            stack = Stack(slack, url, runtime)
            # Gamma, Delta and the hostile name: 350 in Oct 2025, 230 a year on, 200 of it kept
            assert headline(ask(stack, "ttm segment=R&amp;D")) == (
                "Trailing 12 months to Oct 2026, R&D: NRR 65.7% · GRR 57.1% · logo retention 66.7%")
            assert headline(ask(stack, "r&amp;d ttm")) == headline(ask(stack, "ttm segment=R&amp;D"))
            assert headline(ask(stack, "a&lt;b")).startswith(":x: 'a&lt;b' is not a period I know.")


def test_cohorts_are_shared_in_channel_as_shown(stack: Stack) -> None:
    """`/nrr cohorts` was the one answer without a Share in channel button."""
    from tests.test_bot import AS_OF, click_share

    shown = ask(stack, "cohorts")["blocks"]
    button = shown[-1]["elements"][0]
    assert button["text"]["text"] == "Share in channel" and "cohorts" not in button["value"]
    shared, deleted = click_share(stack, button, "cohorts1")
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    assert shared["blocks"][:-1] == shown[:-1]  # exactly what was shown, the triangle's table included
    assert shared["blocks"][-1]["elements"][0]["text"] == f"Shared by <@U0ANA> · {AS_OF}"
    assert shared["text"].startswith("NRR by acquisition quarter: ") and deleted["delete_original"] is True


def test_a_refusal_that_is_not_about_the_months_says_nothing_of_what_the_table_covers(stack: Stack) -> None:
    # "... no column named region. The customer table covers ...": what it covers answered nothing asked (a
    # fresh-eyes try); a period outside it still says so (above)
    said = ask(stack, "region=west ttm")["blocks"][0]["text"]["text"]
    assert said.startswith(":x: ") and "covers" not in said and "region" in said.lower()
