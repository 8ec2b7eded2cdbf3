"""engine/ is pure: it imports no adapter, no network, no environment, no clock of its own."""

from __future__ import annotations

import ast

import pytest

from tests.helpers import ROOT

FORBIDDEN = {"os", "socket", "urllib", "http", "requests", "httpx", "slack_bolt", "slack_sdk", "google",
             "gspread", "apscheduler", "sqlalchemy", "sheets", "bot", "nrr", "subprocess", "time",
             "threading", "asyncio", "random"}


@pytest.mark.parametrize("path", sorted((ROOT / "engine").glob("*.py")), ids=lambda p: p.name)
def test_engine_imports_nothing_from_the_outside_world(path: object) -> None:
    tree = ast.parse(path.read_text())  # type: ignore[attr-defined]
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & FORBIDDEN
    source = path.read_text()  # type: ignore[attr-defined]
    assert "date.today" not in source and ".now(" not in source, "the engine takes today as a parameter"
