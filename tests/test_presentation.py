"""How answers read: the command line's hints, and tables and charts as a finance lead would show them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from nrr.cli import main
from tests.helpers import ROOT
from tests.test_cli import run

CUSTOMERS = str(ROOT / "examples" / "customers.csv")  # ends October 2026


@pytest.mark.parametrize(("query", "today", "missing", "span"), [
    ("last-month", "2027-01-05", "December 2026", "2026-10"),
    ("ttm", "2027-01-05", "November 2026", "2025-11..2026-10"),
    ("last-quarter", "2027-01-05", "November 2026", "2026-08..2026-10"),
])
def test_a_table_ending_before_the_period_says_how_to_ask_for_one_it_holds(query: str, today: str, missing: str,
                                                                            span: str) -> None:
    code, out, err = run("report", query, "--ledger", CUSTOMERS, "--today", today)
    assert (code, out) == (1, "")
    assert err == (f"{missing} is not in the ledger yet; the latest month is October 2026. Ask for a period that "
                   f"ends by then ({span}), or answer as of then with --today 2026-11-01.\n")


def terminal(*argv: str, width: int = 80) -> list[str]:
    """What a person sees in a terminal ``width`` wide (a terminal: rich wraps what it may), colour off."""
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system=None, highlight=False)
    code = main(list(argv), env={}, clock=lambda: dt.datetime(2026, 11, 5, tzinfo=dt.UTC), stdout=console,
                stderr=console)
    assert code in (0, 1)
    return [line.rstrip() for line in out.getvalue().splitlines()]


def test_a_report_fits_80_columns_movers_and_notes_wrapped_under_their_label(tmp_path: Path) -> None:
    """The movers lines (105-113 columns), the assumed-profile note (130) and each warning ran off an 80-column
    terminal; a mover's name stays beside its amount."""
    lines = terminal("report", "ttm", "--ledger", CUSTOMERS, "--today", "2026-11-05")
    assert max(map(cell_len, lines)) <= 80
    churned = lines.index("Churned: Aperture Inc -$1,392, Spacely Inc -$591, Soylent Inc -$411,")
    assert lines[churned:churned + 6] == [
        "Churned: Aperture Inc -$1,392, Spacely Inc -$591, Soylent Inc -$411,",
        "         Nakatomi Inc -$373, Globex Inc -$316",
        "Contracted: Duff Inc -$483, Virtucon Inc -$336, Initech Inc -$71,",
        "            Cyberdyne Inc -$59, Wonka Inc -$30",
        "Expanded: Paper St Inc +$4,012, Massive Inc +$1,450, Sterling Inc +$909,",
        "          Cogswell Inc +$576, Los Pollos Inc +$185, others +$591"]
    assert "Compared as a mid-market, VC-backed company (the default); set [company] segment" in lines
    source = tmp_path / "customers.csv"
    source.write_text(Path(CUSTOMERS).read_text() + "c0040 ,Ajax,2026-10,1,SMB,Growth\n")
    lines = terminal("report", "ttm", "--ledger", str(source), "--today", "2026-11-05")
    assert max(map(cell_len, lines)) <= 80
    at = lines.index("warning: A588 and A604: 'C0040' and 'c0040 ' differ only in case or spacing:")
    assert lines[at + 1:at + 3] == ["         they are counted as two customers; write them the same way if they are",
                                    "         one."]


def test_the_segment_table_is_headed_by_the_column_it_is_by_with_logo_retention_as_the_headline_shows_it() -> None:
    lines = terminal("report", "ttm", "--ledger", CUSTOMERS, "--today", "2026-11-05", "--by", "PLAN")
    head = lines.index("Plan       ┃     NRR ┃     GRR ┃   Logos ┃ Customers ┃   Start ┃     End")
    assert lines[head + 3] == "Growth     │ 106.85% │  86.42% │  81.25% │     13/16 │ $16,566 │ $17,701"
    assert "Plan       ┃ Benchmark (12-month cohort)" in lines


def test_the_annual_figures_heading_names_its_basis() -> None:
    # the add-on headed an annualized 7-month figure "Trailing 12 months" (fuzz 8)
    from decimal import Decimal

    from engine import Month, Trailing, annual_heading

    def trailing(months: int, *, annualized: bool = False, cohort: bool = False) -> Trailing:
        return Trailing(as_of=Month(2026, 7), nrr=Decimal("0.79"), grr=Decimal("0.70"), months=months,
                        annualized=annualized, cohort=cohort)

    assert annual_heading(trailing(7, annualized=True)) == "Annualized (7 months)"
    assert annual_heading(trailing(12)) == "Trailing 12 months"
    assert annual_heading(trailing(12, cohort=True)) == "12-month cohort"
