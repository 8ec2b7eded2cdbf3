"""The README documents every command, option, period form and config key (sqlite-utils style)."""

from __future__ import annotations

import argparse

import pytest

from engine import EXAMPLES
from nrr.cli import build_parser
from nrr.config import ALERT_TABLES, SECTIONS, DigestSchedule, checks
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_command_and_option_is_in_the_readme(command: str) -> None:
    assert f"nrr {command}" in README
    for action in _commands()[command]._actions:
        for flag in action.option_strings:
            if flag not in ("-h", "--help"):
                assert flag in README, f"nrr {command} {flag} is not documented"


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_period_form_is_in_the_readme(example: str) -> None:
    assert f"`{example}`" in README


@pytest.mark.parametrize(("section", "key"), [(s, k) for s, section in SECTIONS.items() for k in checks(section)])
def test_every_config_key_is_in_the_readme(section: str, key: str) -> None:
    assert f"`[{section}] {key}`" in README


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


@pytest.mark.parametrize("key", sorted(checks(DigestSchedule)))
def test_every_digest_key_is_in_the_readme(key: str) -> None:
    section = README.split("## Digests and alerts")[1]
    assert f"\n{key} = " in section or f"`{key}`" in section


@pytest.mark.parametrize(("table", "key"), [(t, k) for t, keys in ALERT_TABLES.items() for k in keys])
def test_every_alert_rule_and_threshold_is_in_the_readme(table: str, key: str) -> None:
    assert f"`{key}`" in README.split("## Digests and alerts")[1]
