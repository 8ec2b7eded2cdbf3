"""The nrr command on a customer table: --by, --where and --top, and what it says when they cannot apply."""

from __future__ import annotations

from pathlib import Path

import pytest

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
                   "holds month totals: use --method chained or sum.\n")
