"""The monthly digest of a customer table: logo retention, the month's top 3 churned and expanded
accounts (and the downgraded, when downgrades moved it), one line per segment with ``by``, and the ``by`` key
of ``[[digests]]``."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from bot import blocks_to_text, digest_blocks, digest_text
from engine import Month, build_digest, read_ledger
from nrr import ConfigError, load_settings
from nrr.config import INCLUDES, DigestSchedule
from tests.fakes.slack_api import FakeSlack
from tests.test_scheduling import alert_posts, at, digests, make_service

HOSTILE = "<!channel> Evil & Co"
OCT = Month(2026, 10)
SEP_2025 = Month(2025, 9)


def table(first: Month = SEP_2025) -> list[list[object]]:
    """From ``first`` to Oct 2026; in Oct: A and B churn, Big, C, D and the hostile name grow, F shrinks."""
    before = {"Big": 1000, "A": 300, "B": 200, "C": 100, "D": 100, HOSTILE: 100, "F": 100, "G": 50}
    october = {"Big": 1500, "A": 0, "B": 0, "C": 180, "D": 150, HOSTILE: 120, "F": 60, "G": 50}
    segments = {"Big": "Enterprise", "A": "Enterprise", "B": "SMB"}
    rows: list[list[object]] = [["Customer", "Month", "MRR", "Segment"]]
    month = first
    while month <= OCT:
        for name, amount in (october if month == OCT else before).items():
            rows.append([name, str(month), str(amount), segments.get(name, "SMB")])
        month += 1
    return rows


def text(rows: list[list[object]], by: str | None = None) -> str:
    digest = build_digest(read_ledger(rows), OCT, by=by)  # type: ignore[arg-type]
    return blocks_to_text(digest_blocks(digest, INCLUDES))


def test_logo_retention_and_the_months_top_movers() -> None:
    out = text(table())
    # Sep: 1950 from 8 customers; Oct: 2060, 6 still pay; kept 1000 + 3 * 100 + 60 + 50 = 1410
    assert "*October 2026*: NRR 105.6% · GRR 72.3%" in out
    assert "Logo retention 75.0%: 6 of 8 customers still paying." in out
    assert "Who moved October 2026, top 3:" in out
    assert "*Churned*\n• A: -$300\n• B: -$200" in out
    assert "*Expanded*\n• Big: +$500\n• C: +$80\n• D: +$50" in out
    assert "Contracted" not in out and "&lt;!channel&gt;" not in out  # only the top 3 expanded
    assert "Method: cohort" in out


def test_the_downgraded_are_shown_when_downgrades_moved_the_month() -> None:
    """"mostly more downgrades" over a list of the expanded only (fuzz 14): when downgrades moved NRR the way it
    went, who downgraded is shown too."""
    rows = table()
    rows = [r if r[1] != str(OCT) or r[0] != "Big" else [r[0], r[1], "400", r[3]] for r in rows]  # Big shrinks
    rows = [r if r[1] != str(OCT) or r[0] not in ("A", "B") else [r[0], r[1], "300" if r[0] == "A" else "200", r[3]]
            for r in rows]  # A and B stay
    out = text(rows)
    assert "mostly more downgrades" in out or "from more downgrades" in out
    assert "*Contracted*\n• Big: -$600\n• F: -$40" in out


def test_by_segment_is_one_line_per_segment_of_the_trailing_year() -> None:
    # Enterprise 1300 -> 1500, kept 1000; SMB 650 -> 560, kept 410
    out = text(table(), by="segment")
    assert ("*12-month cohort to Oct 2026 by segment*\n"
            "• *Enterprise*: NRR 115.4% · GRR 76.9% · logo retention 50.0% (1 of 2) · Strong for enterprise "
            "(-2.6 pts vs its 118% median)\n"
            "• *SMB*: NRR 86.2% · GRR 63.1% · logo retention 83.3% (5 of 6) · Critical for SMB (-10.9 pts vs its 97% "
            "median)") in out


def test_segment_lines_asked_of_month_totals_are_said_missing() -> None:
    # by = "segment" on a seven-column ledger was dropped without a word (fuzz 8)
    from engine import Month as M
    from tests.helpers import ledger, row

    digest = build_digest(ledger(*(row(str(M(2025, 10) + i), "1000", "10", "5", "0") for i in range(13))), OCT,
                          by="segment")
    assert digest.note is not None and digest.note.startswith(
        'Segment lines (by = "segment") need a customer table (one MRR figure per customer per month); this ledger '
        "holds month totals.")


def test_without_a_year_the_segments_are_the_months() -> None:
    out = text(table(Month(2026, 6)), by="Segment")
    assert "*October 2026 by Segment*\n• *Enterprise*: NRR 115.4%" in out


def test_a_by_column_the_table_lacks_is_said_not_fatal() -> None:
    out = text(table(), by="region")
    assert ":warning: No column 'region' in the customer table; its attribute columns are: Segment." in out
    assert "Logo retention 75.0%" in out


def test_names_from_the_sheet_are_escaped_in_the_digest() -> None:
    rows = table()
    for row in rows[1:]:
        if row[0] == "Big":
            row[0] = HOSTILE + " 2"
    digest = build_digest(read_ledger(rows), OCT)  # type: ignore[arg-type]
    out = blocks_to_text(digest_blocks(digest, INCLUDES)) + digest_text(digest)
    assert "• &lt;!channel&gt; Evil &amp; Co 2: +$500" in out and "<!channel>" not in out


def test_the_by_key_of_a_digest(tmp_path: Path) -> None:
    config = tmp_path / "nrr.toml"
    config.write_text('[[digests]]\nchannel = "C0REVENUE1"\nby = "Segment"\n')
    (schedule,) = load_settings(str(config), {}, cwd=tmp_path).digests
    assert schedule.by == "Segment"
    config.write_text('[[digests]]\nchannel = "C0REVENUE1"\nby = ""\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(str(config), {}, cwd=tmp_path)
    assert str(exc.value) == (f"{config}: [digests #1] by = '' is not the name of a customer table's attribute "
                              'column, such as "segment".')


def test_a_digest_section_sets_every_digests_defaults(tmp_path: Path) -> None:
    """``[digest] by = "segment"`` splits every digest, the ones in nrr.toml and the one ``nrr digest`` makes for a
    channel by hand; a [[digests]] table's own key wins."""
    from nrr.runtime import Runtime
    from nrr.scheduling import schedule_for

    config = tmp_path / "nrr.toml"
    config.write_text('[digest]\nby = "segment"\nday = 5\n\n[[digests]]\nchannel = "C0REVENUE1"\n\n'
                      '[[digests]]\nchannel = "C0BOARD002"\nby = "plan"\n')
    settings = load_settings(str(config), {}, cwd=tmp_path)
    assert [(d.channel, d.by, d.day) for d in settings.digests] == [("C0REVENUE1", "segment", 5),
                                                                     ("C0BOARD002", "plan", 5)]
    settings = load_settings(str(config), {"NRR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}"}, cwd=tmp_path)
    runtime = Runtime(_file=settings, env={}, clock=lambda: dt.datetime(2026, 11, 5, tzinfo=dt.UTC))
    by_hand = schedule_for(runtime, "C0OTHER003")
    assert (by_hand.by, by_hand.day) == ("segment", 5)
    workspace = runtime.workspace()
    assert workspace is not None
    workspace.subscribe("C0SLACK004", "revenue", 3, "08:30", "Europe/Paris", "U1")  # set up from Slack
    from_slack = next(d for d in runtime.settings.digests if d.channel == "C0SLACK004")
    assert (from_slack.by, from_slack.day, from_slack.timezone) == ("segment", 3, "Europe/Paris")
    config.write_text('[digest]\nchannel = "C0REVENUE1"\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(str(config), {}, cwd=tmp_path)
    assert str(exc.value).startswith(f"{config}: unknown key [digest] channel.")


def test_segment_values_from_the_sheet_are_escaped() -> None:
    rows = [[*row[:3], "<!here> & co" if row[3] == "SMB" else row[3]] for row in table()]
    out = text(rows, by="segment")
    assert "• *&lt;!here&gt; &amp; co*: NRR 86.2%" in out and "<!here>" not in out


def test_the_scheduler_posts_the_customer_digest_and_its_alerts(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(table())
    with FakeSlack() as slack:
        service = make_service(slack, tmp_path, ledger=path, digests=(
            DigestSchedule(channel="C0REVENUE1", name="revenue", time=dt.time(9, 0), by="segment"),))
        service.tick(at("2026-11-02T09:30:00"))
        (digest,) = digests(slack)
        alerts = alert_posts(slack)
    body = json.dumps(digest["blocks"], ensure_ascii=False)
    assert "Logo retention 75.0%: 6 of 8 customers still paying." in body
    assert "*12-month cohort to Oct 2026 by segment*" in body
    assert ("Logo retention: 12-month logo retention is 75.00% as of October 2026 (6 of the 8 customers paying a "
            "year before still pay), 5.00 pts below the 80% line since October 2026. Why it matters: losing 20% of "
            "customers a year leaves the base to be rebuilt every few years, whatever NRR says.") in alerts
    assert ("Expansion concentrated in a few accounts: 3 accounts (Big, C, D) gave 96.92% of the expansion in the "
            "12 months to October 2026 ($630 of $650), above the 50% line since October 2026: growth rests on a few "
            "customers, and losing one of them moves NRR.") in alerts
    assert any(a.startswith("Expansion hiding churn: 12-month cohort NRR is 105.64%") for a in alerts)


def test_the_chart_plots_the_12_month_cohort_of_each_month_it_has() -> None:
    """Sep 2025 .. Oct 2026: only Sep and Oct 2026 have a customer paying 13 months before; the other months
    are left out rather than drawn as a chain of month totals beside the cohort points."""
    digest = build_digest(read_ledger(table()), OCT)  # type: ignore[arg-type]
    assert [(str(t.as_of), t.cohort, f"{t.nrr * 100:.2f}") for t in digest.series if t.nrr] == [
        ("2026-09", True, "100.00"), ("2026-10", True, "105.64")]
    assert digest.trailing_year is not None and digest.trailing_year.trailing is not None
    assert digest.series[-1].nrr == digest.trailing_year.trailing.nrr  # the chart's last point is the digest's


def test_a_table_that_starts_inside_the_quarter_gets_its_months_so_far() -> None:
    digest = build_digest(read_ledger(table(Month(2026, 7))), Month(2026, 9))  # type: ignore[arg-type]
    assert digest.quarter_to_date is not None and digest.quarter_to_date.retention.period.label == (
        "Q3 2026, Aug 2026 to Sep 2026 (the customer table starts in July 2026)")
    ledger = [["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR", "Downgraded MRR",
               "MRR (End of Period)"], ["2026-08", "1000", "10", "5", "0", "1005"],
              ["2026-09", "1005", "10", "5", "0", "1010"]]
    digest = build_digest(read_ledger(ledger), Month(2026, 9))
    assert digest.quarter_to_date is not None and digest.quarter_to_date.retention.period.label == (
        "Q3 2026, Aug 2026 to Sep 2026 (the ledger starts in August 2026)")
    assert f"{digest.quarter_to_date.retention.nrr:.4f}" == "1.0100"


def test_a_change_too_small_to_show_has_no_arrow_and_no_minus_sign() -> None:
    """Feb 1005/1000 = 100.50%, Mar 1010/1005 = 100.4975%: -0.0025 pts shows as +0.0, with no fall arrow."""
    rows = [["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR", "Downgraded MRR", "MRR (End of Period)"],
            ["2026-02", "1000", "10", "5", "0", "1005"], ["2026-03", "1005", "10", "5", "0", "1010"]]
    out = blocks_to_text(digest_blocks(build_digest(read_ledger(rows), Month(2026, 3)), INCLUDES))
    assert "\nNRR +0.0 pts vs February 2026; GRR +0.0 pts\n" in out
    assert "-0.0" not in out and ":small_red_triangle" not in out


def test_the_charts_last_point_is_the_digests_annual_figure_whatever_the_method() -> None:
    from tests.helpers import EXAMPLE_LEDGER

    with EXAMPLE_LEDGER.open(newline="") as handle:
        seven = read_ledger(list(csv.reader(handle)))
    for method in ("chained", "sum"):
        digest = build_digest(seven, OCT, method=method)
        assert digest.trailing_year is not None and digest.trailing_year.trailing is not None
        assert digest.series[-1].nrr == digest.trailing_year.trailing.nrr, method


def test_the_cohort_figure_is_headed_as_the_12_month_cohort_not_trailing_12_months() -> None:
    # a customer table's 12-month cohort figure was headed "Trailing 12 months to Oct 2026" (a tester's run)
    digest = build_digest(read_ledger(table()), OCT)  # type: ignore[arg-type]
    assert digest.trailing_year is not None
    assert digest.trailing_year.retention.period.label == "12-month cohort to Oct 2026"
    chained = build_digest(read_ledger(table()), OCT, method="chained")  # type: ignore[arg-type]
    assert chained.trailing_year is not None
    assert chained.trailing_year.retention.period.label == "Trailing 12 months to Oct 2026"



def test_a_gap_in_the_quarter_leaves_out_its_line_not_the_months_digest() -> None:
    # August missing stopped September's digest on every channel ("Q3 2026 spans months the ledger does not have"),
    # the scheduler trying again each tick until the grace ran out (a fresh-eyes try)
    ledger = [["Month", "MRR (Start of Period)", "Expanded MRR", "Churned MRR", "Downgraded MRR"],
              ["2026-07", "1000", "10", "5", "0"], ["2026-09", "1005", "10", "5", "0"]]
    digest = build_digest(read_ledger(ledger), Month(2026, 9))
    assert digest.quarter_to_date is None and digest.last_month.retention.nrr is not None
    assert digest.quarter_missing == ("Q3 2026 spans months the ledger does not have: August 2026. Add them to the "
                                      "ledger, or ask for a period that avoids them.")
    assert ":warning: No quarter line: Q3 2026 spans months the ledger does not have" in blocks_to_text(
        digest_blocks(digest, ("month", "quarter")))
