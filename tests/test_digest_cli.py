"""``nrr digest`` from the command line: posting once, refusing twice, --force, --dry-run."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from rich.console import Console

from nrr.cli import main
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.helpers import EXAMPLE_CONFIG, EXAMPLE_LEDGER

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


def run(*argv: str, env: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env=env, clock=lambda: NOW, stdout=Console(file=out, width=300, highlight=False),
                stderr=Console(file=err, width=300, highlight=False))
    return code, out.getvalue(), err.getvalue()


def slack_env(slack: FakeSlack, tmp_path: Path) -> dict[str, str]:
    """The environment of a digest posted to ``slack``, with its state database in ``tmp_path``."""
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url,
            "NRR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}"}


def test_digest_posts_once_then_says_so_then_force_posts_again(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        env = slack_env(slack, tmp_path)
        args = ("digest", "--channel", "C0REVENUE1", "--month", "2026-10", "--ledger", str(EXAMPLE_LEDGER))
        code, out, err = run(*args, env=env)
        assert (code, err) == (0, "")
        assert out.startswith("Posted the October 2026 digest to C0REVENUE1.")
        code, out, err = run(*args, env=env)  # cron runs it twice: the second run is not an error
        assert (code, err) == (0, "")
        assert out == ("The October 2026 digest for C0REVENUE1 was already posted at 2026-11-22 12:00 UTC; nothing "
                       "to do (--force posts it again).\n")
        assert run(*args, "--force", env=env)[0] == 0
        digests = [p for p in slack.posts("chat.postMessage") if p["text"].startswith("NRR digest")]
        assert len(digests) == 2
        assert slack.counts["files.completeUploadExternal"] == 2


def test_digest_needs_the_bot_token(tmp_path: Path) -> None:
    code, _, err = run("digest", "--channel", "C0REVENUE1", "--ledger", str(EXAMPLE_LEDGER),
                       env={"NRR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}"})
    assert code == 1
    assert err == ("SLACK_BOT_TOKEN is not set: nrr needs it to post digests and alerts. Set it in the "
                   "environment and start again.\n")


def test_dry_run_prints_the_digest_and_alerts_and_writes_the_chart(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("digest", "--config", str(EXAMPLE_CONFIG), "--month", "2026-10", "--dry-run", env={})
    assert (code, err) == (0, "")
    assert "NRR digest: October 2026" in out
    assert "Alerts for #revenue-alerts as of October 2026 that would be posted: 2" in out
    assert "  - grr_floor: Trailing-12-month GRR is 83.44%, 1.56 pts below the 85% line since September 2026" in out
    assert (tmp_path / "nrr-digest-C0REVENUE1-2026-10.png").read_bytes().startswith(b"\x89PNG")
    # where the file went, in the words: it was named, not said to be written here (a newcomer's try)
    assert f"Chart: written to {tmp_path.resolve() / 'nrr-digest-C0REVENUE1-2026-10.png'} (" in out
    # an older month's digest, run by hand, looks at no alerts: the dry run says so (it had listed five that the
    # real run does not post: a fresh-eyes try)
    code, out, err = run("digest", "--config", str(EXAMPLE_CONFIG), "--month", "2026-09", "--dry-run", env={})
    assert (code, err) == (0, "")
    assert out.endswith("Alerts: none would follow: September 2026 is older than the latest closed month (October "
                        "2026): its digest, run by hand, looks at no alerts.\n")


def test_a_month_not_in_the_ledger_is_not_posted(tmp_path: Path) -> None:
    # a closed month (November, in progress on the 22nd, is refused as not closed)
    ledger = _ledger_with(tmp_path, drop="Oct 2026")
    code, _, err = run("digest", "--channel", "C0REVENUE1", "--month", "2026-10", "--ledger", str(ledger),
                       "--dry-run", env={})
    assert (code, err) == (1, "October 2026 is not in the ledger yet; the latest month is September 2026.\n")


def test_the_expansion_dependent_alert_names_the_nrr_it_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _, out, _ = run("digest", "--config", str(EXAMPLE_CONFIG), "--month", "2026-10", "--dry-run", env={})
    assert ("expansion_dependent: Trailing-12-month NRR is 109.57%, above the 105% line, while GRR is 83.44%, "
            "below 85%, since September 2026") in out


def test_dry_run_judges_alerts_by_the_setup_made_from_slack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nrr.state import StateStore
    from nrr.workspace import Workspace

    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = StateStore(url)
    Workspace(store, lambda: NOW).set_alerts("U0ADMIN", channel="C0FROMSLACK", name="slack-alerts",
                                             rules={"tier_drop": False})
    store.close()
    code, out, err = run("digest", "--config", str(EXAMPLE_CONFIG), "--month", "2026-10", "--dry-run",
                         env={"NRR_STATE_URL": url})
    assert (code, err) == (0, "")
    assert "Alerts for #slack-alerts as of October 2026 that would be posted: 2" in out
    assert "tier_drop" not in out
    # an alert already posted at its level is not listed again, as the real run does not post it again
    store = StateStore(url)
    store.record_alert("grr_floor", "C0FROMSLACK", "concerning", 1, "2026-10", NOW - dt.timedelta(days=3))
    store.close()
    out = run("digest", "--config", str(EXAMPLE_CONFIG), "--month", "2026-10", "--dry-run",
              env={"NRR_STATE_URL": url})[1]
    assert "Alerts for #slack-alerts as of October 2026 that would be posted: 1" in out and "grr_floor" not in out


@pytest.mark.parametrize("url", ["notaurl", "http://[::1"])
def test_a_malformed_slack_api_url_is_said_before_the_digest_is_claimed(tmp_path: Path, url: str) -> None:
    # the digest was left "sending" by an internal error, and never posted once the URL was fixed (fuzz 8)
    args = ("digest", "--channel", "C0REVENUE1", "--month", "2026-10", "--ledger", str(EXAMPLE_LEDGER))
    state = {"SLACK_BOT_TOKEN": BOT_TOKEN, "NRR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}"}
    assert run(*args, env={**state, "SLACK_API_URL": url}) == (1, "", (
        f"SLACK_API_URL {url!r} is not a URL such as https://slack.com/api/; set it to Slack's Web API address (or "
        "unset it to use Slack's own) and start again.\n"))
    with FakeSlack() as slack:
        assert run(*args, env={**state, "SLACK_API_URL": slack.api_url})[0] == 0
        assert len([p for p in slack.posts("chat.postMessage") if p["text"].startswith("NRR digest")]) == 1


def test_one_channel_written_another_way_is_one_digest(tmp_path: Path) -> None:
    # c0revenue1, " C0REVENUE1" and #revenue (the [[digests]] name) each posted the digest again (fuzz 8)
    with FakeSlack() as slack:
        env = slack_env(slack, tmp_path)
        for channel in ("C0REVENUE1", "c0revenue1", " C0REVENUE1", "#revenue"):
            assert run("digest", "--config", str(EXAMPLE_CONFIG), "--channel", channel, "--month", "2026-10",
                       env=env)[0] == 0
        assert len([p for p in slack.posts("chat.postMessage") if p["text"].startswith("NRR digest")]) == 1
        code, _, err = run("digest", "--config", str(EXAMPLE_CONFIG), "--channel", "revenue-team", "--month",
                           "2026-10", env=env)
        assert code == 2 and "is not a Slack channel id such as C0123ABCD" in err


def test_a_digest_another_run_is_posting_is_left_to_it(tmp_path: Path) -> None:
    # cron started two runs: the second was told to pass --force, which would post it twice (fuzz 8)
    from nrr.state import StateStore

    url = f"sqlite:///{tmp_path / 'state.db'}"
    StateStore(url, owner="other").claim("digest:C0REVENUE1:2026-10", "digest", "C0REVENUE1", NOW)
    with FakeSlack() as slack:
        code, out, _ = run("digest", "--channel", "C0REVENUE1", "--month", "2026-10", "--ledger", str(EXAMPLE_LEDGER),
                           env={"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url, "NRR_STATE_URL": url})
        assert (code, out) == (0, "The October 2026 digest for C0REVENUE1 is being posted by another run; nothing to "
                                  "do.\n")
        assert slack.posts("chat.postMessage") == []


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)], ids=["posted", "dry-run"])
def test_a_month_before_the_ledger_posts_nothing_and_says_where_the_ledger_starts(tmp_path: Path,
                                                                                  dry_run: tuple[str, ...]) -> None:
    # it posted ':calendar: The June 2023 digest is waiting ... not in the ledger yet' in the channel (fuzz 10)
    with FakeSlack() as slack:
        env = slack_env(slack, tmp_path)
        code, out, err = run("digest", "--channel", "C0REVENUE1", "--month", "2023-06", "--ledger", str(EXAMPLE_LEDGER),
                             *dry_run, env=env)
        assert (code, out, err) == (1, "", "June 2023 is before the ledger starts, in January 2024: it has no digest, "
                                           "and nothing was posted.\n")
        assert slack.posts("chat.postMessage") == []


class DroppingSlack(FakeSlack):
    """Takes the first digest posted, then drops the connection before it answers."""

    dropped = False

    def _route(self, path: str, headers: object, raw: bytes) -> tuple[int, object, dict[str, str]]:
        answer = super()._route(path, headers, raw)
        if path.endswith("chat.postMessage") and b"NRR digest" in raw and not self.dropped:
            self.dropped = True
            raise ConnectionAbortedError("taken, then the connection dropped")
        return answer


def test_a_post_slack_may_have_taken_is_never_sent_again_but_by_force(tmp_path: Path) -> None:
    # slack_sdk retried a connection dropped after the post was sent: one drop, two digests in the channel; and a
    # run that gave up left it pending, so the next posted it again (a fresh-eyes try). Its outcome is unknown
    with DroppingSlack() as slack:
        env = slack_env(slack, tmp_path)
        args = ("digest", "--channel", "C0REVENUE1", "--month", "2026-10", "--ledger", str(EXAMPLE_LEDGER))
        for _ in range(2):
            code, _, err = run(*args, env=env)
            assert code == 1 and "The October 2026 digest may or may not have been posted to C0REVENUE1" in err, err
            assert "Look in the channel; if it is not there, --force posts it again." in err
        digests = [p for p in slack.posts("chat.postMessage") if p["text"].startswith("NRR digest")]
        assert len(digests) == 1
        assert run(*args, "--force", env=env)[0] == 0
        assert len([p for p in slack.posts("chat.postMessage") if p["text"].startswith("NRR digest")]) == 2


def _ledger_with(tmp_path: Path, *rows: str, drop: str | None = None) -> Path:
    """The example ledger with ``rows`` appended (and the row of ``drop`` left out)."""
    lines = [line for line in EXAMPLE_LEDGER.read_text().splitlines() if drop is None or not line.startswith(drop)]
    path = tmp_path / "ledger.csv"
    path.write_text("\n".join([*lines, *rows]) + "\n")
    return path


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)], ids=["posted", "dry-run"])
@pytest.mark.parametrize(("month", "state"), [("2026-11", "in progress"), ("2026-12", "not begun")])
def test_a_month_not_closed_is_refused_and_not_recorded(tmp_path: Path, month: str, state: str,
                                                        dry_run: tuple[str, ...]) -> None:
    # on 22 November a November row entered ahead was posted as if closed (no "to date") and recorded as posted, so
    # the scheduler never posted the real November digest (a tester's run)
    ledger = _ledger_with(tmp_path, 'Nov 2026,"$653,317","$1,000",$0,$0,"$654,317",', 'Dec 2026,"$654,317",$0,$0,$0,'
                          '"$654,317",')
    name = {"2026-11": "November 2026", "2026-12": "December 2026"}[month]
    with FakeSlack() as slack:
        env = slack_env(slack, tmp_path)
        code, out, err = run("digest", "--channel", "C0REVENUE1", "--month", month, "--ledger", str(ledger), *dry_run,
                             env=env)
        assert (code, out, err) == (1, "", f"{name} has not closed ({state} on C0REVENUE1's clock): its digest can be "
                                           "posted once it closes. Nothing was posted.\n")
        assert slack.posts("chat.postMessage") == []
    if not dry_run:
        from nrr.state import StateStore

        store = StateStore(env["NRR_STATE_URL"])
        assert store.post(f"digest:C0REVENUE1:{month}") is None  # the scheduler still posts it once it closes
        store.close()


@pytest.mark.parametrize("broken", ["bad-cell", "no-file"])
def test_a_ledger_that_cannot_be_read_is_said_not_blamed_on_a_missing_month(tmp_path: Path, broken: str) -> None:
    # it said "October 2026 is not in the ledger yet" and posted a "digest is waiting" note to the channel (t4)
    if broken == "bad-cell":
        ledger = tmp_path / "ledger.csv"
        ledger.write_text(EXAMPLE_LEDGER.read_text().replace('Mar 2025,"$316,523"', 'Mar 2025,x'))
        why = "B16 (March 2025): MRR (Start of Period) 'x' is not an amount such as 100000, 100000.50 or $100,000."
    else:
        ledger = tmp_path / "nosuch.csv"
        why = f"{ledger}: no such ledger file. Pass --ledger PATH or set [ledger] source in nrr.toml."
    with FakeSlack() as slack:
        env = slack_env(slack, tmp_path)
        args = ("digest", "--channel", "C0REVENUE1", "--month", "2026-10", "--ledger", str(ledger))
        _, _, dry = run(*args, "--dry-run", env=env)
        code, out, err = run(*args, env=env)
        assert dry == f"{why}\n"
        assert (code, out, err) == (1, "", f"{why}\nThe October 2026 digest was not posted.\n")
        assert slack.posts("chat.postMessage") == []


def test_a_hand_run_for_a_month_not_in_the_ledger_posts_no_note(tmp_path: Path) -> None:
    # the command said the digest was not posted, while a "digest is waiting" note went to the channel (t10)
    ledger = _ledger_with(tmp_path, drop="Oct 2026")
    with FakeSlack() as slack:
        env = slack_env(slack, tmp_path)
        code, out, err = run("digest", "--channel", "C0REVENUE1", "--month", "2026-10", "--ledger", str(ledger),
                             env=env)
        assert (code, out, err) == (1, "", "October 2026 is not in the ledger yet (the latest month is September "
                                           "2026); the digest was not posted.\n")
        assert slack.posts("chat.postMessage") == []


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)], ids=["posted", "dry-run"])
def test_a_gap_in_the_ledger_is_called_a_gap(tmp_path: Path, dry_run: tuple[str, ...]) -> None:
    # June missing while October is there was "not in the ledger yet" and "will be posted once filled in" (t10)
    ledger = _ledger_with(tmp_path, drop="Jun 2026")
    with FakeSlack() as slack:
        env = slack_env(slack, tmp_path)
        code, out, err = run("digest", "--channel", "C0REVENUE1", "--month", "2026-06", "--ledger", str(ledger),
                             *dry_run, env=env)
        assert (code, out, err) == (1, "", "June 2026 is missing from the ledger, between May and July 2026; the "
                                           "digest was not posted.\n")
        assert slack.posts("chat.postMessage") == []


def test_a_hand_run_does_not_say_nrr_was_not_running(tmp_path: Path) -> None:
    # run by hand on the 22nd, the digest said "Posted late (20 days after its time): nrr was not running then" (t12)
    with FakeSlack() as slack:
        env = slack_env(slack, tmp_path)
        assert run("digest", "--channel", "C0REVENUE1", "--ledger", str(EXAMPLE_LEDGER), env=env)[0] == 0
        (digest,) = [p for p in slack.posts("chat.postMessage") if p["text"].startswith("NRR digest")]
        assert "Posted late" not in str(digest["blocks"]) and "not running" not in str(digest["blocks"])


def test_the_alerts_read_the_figure_the_digest_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # on a customer table with method = "chained" the digest showed the chain (98.8%) and the alerts the 12-month
    # cohort (106.21%), below the median in one and not the other (a tester's run)
    from tests.helpers import ROOT

    monkeypatch.chdir(tmp_path)
    monkeypatch.chdir(tmp_path)  # where --dry-run writes its chart
    config = tmp_path / "nrr.toml"
    config.write_text(f'[ledger]\nsource = "{ROOT / "examples" / "customers.csv"}"\nmethod = "chained"\n'
                      '[company]\nsegment = "mid-market"\n[alerts]\nchannel = "C0ALERTS01"\nname = "alerts"\n')
    code, out, err = run("digest", "--config", str(config), "--channel", "C0REVENUE1", "--month", "2026-10",
                         "--dry-run", env={})
    assert (code, err) == (0, "")
    assert "*Trailing 12 months to Oct 2026*: NRR 98.8%" in out
    assert "12-month cohort NRR" not in out
    assert "below_median: Trailing-12-month (chained) NRR is 98.76%" in out


def test_the_default_month_is_the_last_closed_on_the_channels_clock(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # at 02:00 UTC on 1 December it is still 30 November in Los Angeles: the default month was taken on the
    # calendar's clock (November) and then refused as not closed on the channel's (a review)
    config = tmp_path / "nrr.toml"
    config.write_text(f'[ledger]\nsource = "{EXAMPLE_LEDGER}"\n\n[[digests]]\nchannel = "C0REVENUE1"\n'
                      'timezone = "America/Los_Angeles"\n', encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["digest", "--config", str(config), "--dry-run"], env={},
                clock=lambda: dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC),
                stdout=Console(file=out, width=300), stderr=Console(file=err, width=300))
    assert code == 0 and "October 2026" in out.getvalue().splitlines()[0], (out.getvalue(), err.getvalue())


def test_an_older_months_digest_run_by_hand_leaves_the_alerts_alone(tmp_path: Path) -> None:
    # June's digest run in November posted "GRR is back above the 85% line: 88.20% as of June 2026" and kept June's
    # levels as the state, though October's GRR was 83.44% (a fresh-eyes try)
    config = tmp_path / "nrr.toml"
    config.write_text(f'[ledger]\nsource = "{EXAMPLE_LEDGER}"\n[alerts]\nchannel = "C0ALERTS01"\nname = "alerts"\n')
    with FakeSlack() as slack:
        env = slack_env(slack, tmp_path)
        assert run("digest", "--config", str(config), "--channel", "C0REVENUE1", "--month", "2026-10", env=env)[0] == 0
        alerts = [p["text"] for p in slack.posts("chat.postMessage") if p["channel"] == "C0ALERTS01"]
        assert alerts  # October's alerts, GRR concerning among them
        code, out, _ = run("digest", "--config", str(config), "--channel", "C0REVENUE1", "--month", "2026-06", env=env)
        assert code == 0 and "Posted alert" not in out
        assert [p["text"] for p in slack.posts("chat.postMessage") if p["channel"] == "C0ALERTS01"] == alerts
