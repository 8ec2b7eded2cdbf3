"""The layers point one way, packages meet only through their public names, and engine/ is pure.

    5  entry points      nrr.cli, nrr.server, nrr.scheduling, nrr.doctor (and nrr._render, nrr.__main__)
    4  inbound adapters  bot (Slack), nrr.addon (the Sheets add-on)
    3  application core  nrr (nrr.config, nrr.runtime, nrr.state, nrr.workspace)
    2  ledger sources    sheets (files and Google Sheets), stripe_source (Stripe's API), warehouse (database
                      tables)
    1  engine            engine

A module may import only from its own layer or below, and never another package's ``_module``.
Every import counts: at the top, inside a function, or under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
from pathlib import Path

import pytest

from tests.helpers import ROOT

FORBIDDEN = {"os", "socket", "urllib", "http", "requests", "httpx", "slack_bolt", "slack_sdk", "google",
             "gspread", "apscheduler", "sqlalchemy", "sheets", "bot", "nrr", "subprocess", "time",
             "threading", "asyncio", "random", "warehouse", "duckdb", "psycopg", "stripe", "stripe_source"}
OURS = ("engine", "sheets", "stripe_source", "warehouse", "bot", "nrr")
ENTRY_POINTS = ("nrr.cli", "nrr.server", "nrr.scheduling", "nrr.doctor", "nrr._render", "nrr.__main__")


def layer(module: str) -> int:
    """The layer of one of our modules (``nrr.addon._cards`` -> 4)."""
    top = module.split(".")[0]
    if top == "engine":
        return 1
    if top in ("sheets", "stripe_source", "warehouse"):
        return 2
    if top == "bot" or module == "nrr.addon" or module.startswith("nrr.addon."):
        return 4
    if any(module == m or module.startswith(m + ".") for m in ENTRY_POINTS):
        return 5
    return 3


def package(module: str) -> str:
    """The package a module belongs to: ``nrr.addon._cards`` -> ``nrr.addon``, ``nrr.cli`` -> ``nrr``."""
    parts = module.split(".")
    if parts[:2] == ["nrr", "addon"]:
        return "nrr.addon"
    return parts[0]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache  # the layer, folder and circle checks each walk every module
def imports(path: Path) -> tuple[tuple[int, str], ...]:
    """Every module of ours that ``path`` imports, with its line; ``from pkg import name`` counts as
    ``pkg.name`` when that is a module (``from engine import _messages``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names
                      if a.name.startswith("_") or (ROOT / node.module.replace(".", "/") / f"{a.name}.py").exists()
                      or (ROOT / node.module.replace(".", "/") / a.name / "__init__.py").exists()]
    return tuple((line, name) for line, name in found if name.split(".")[0] in OURS)


def our_modules() -> list[Path]:
    return sorted(p for top in OURS for p in (ROOT / top).rglob("*.py"))


def violations(path: Path, as_module: str | None = None) -> list[str]:
    """Imports in ``path`` against the layers, or into another package's private module (``as_module``:
    the module the file is read as, for a file kept outside the tree)."""
    me = as_module or module_name(path)
    where = me.replace(".", "/") + ".py" if as_module else str(path.relative_to(ROOT))
    out = []
    for line, name in imports(path):
        if layer(name) > layer(me):
            out.append(f"{where}:{line}: {me} (layer {layer(me)}) imports {name} (layer {layer(name)})")
        private = [p for p in name.split(".")[1:] if p.startswith("_") and p not in ("__init__", "__main__")]
        if private and package(name) != package(me):
            out.append(f"{where}:{line}: {me} imports {name}, private to {package(name)}")
    return out


@pytest.mark.parametrize("path", our_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers_and_the_public_surfaces(path: Path) -> None:
    assert violations(path) == []


@pytest.mark.parametrize("path", sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").glob("*.py")]),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_tests_and_benches_use_the_public_surfaces_too(path: Path) -> None:
    private = [f"{line}: {name}" for line, name in imports(path)
               if any(p.startswith("_") and p not in ("__init__", "__main__") for p in name.split(".")[1:])]
    assert private == [] or path.name == "test_architecture.py"


def test_the_layer_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "_layer_probe.py"  # read as a module of sheets/, never written into the tree
    sample.write_text("def f():\n    from nrr.runtime import Runtime\n    from bot._blocks import Block\n")
    assert violations(sample, "sheets._layer_probe") == [
        "sheets/_layer_probe.py:2: sheets._layer_probe (layer 2) imports nrr.runtime (layer 3)",
        "sheets/_layer_probe.py:3: sheets._layer_probe (layer 2) imports bot._blocks (layer 4)",
        "sheets/_layer_probe.py:3: sheets._layer_probe imports bot._blocks, private to bot",
    ]


@pytest.mark.parametrize("path", sorted((ROOT / "engine").glob("*.py")), ids=lambda p: p.name)
def test_engine_imports_nothing_from_the_outside_world(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & FORBIDDEN - {"engine"}
    source = path.read_text()
    assert "date.today" not in source and ".now(" not in source, "the engine takes today as a parameter"


@pytest.mark.parametrize("package_dir", ["engine", "sheets", "bot", "nrr", "nrr/addon"])
def test_each_package_says_what_it_exports(package_dir: str) -> None:
    init = ROOT / package_dir / "__init__.py"
    tree = ast.parse(init.read_text())
    assert any(isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in n.targets)
               for n in tree.body), f"{init} has no __all__"


@pytest.mark.parametrize("package", ["engine", "sheets", "stripe_source", "warehouse", "bot", "nrr", "nrr.addon"])
def test_every_exported_name_is_there(package: str) -> None:
    """A name a package loads on first use (PEP 562) is found like any other."""
    module = importlib.import_module(package)
    assert [n for n in module.__all__ if not hasattr(module, n)] == []


def folder_imports() -> dict[tuple[str, str], str]:
    """Each (folder, folder it imports) among our top-level folders, with the first place it does."""
    arrows: dict[tuple[str, str], str] = {}
    for path in our_modules():
        mine = path.relative_to(ROOT).parts[0]
        for line, name in imports(path):
            other = name.split(".")[0]
            if other != mine:
                arrows.setdefault((mine, other), f"{path.relative_to(ROOT)}:{line} {name}")
    return arrows


def test_no_two_top_level_folders_import_each_other() -> None:
    arrows = folder_imports()
    cycles = [f"{a} <-> {b}: {arrows[(a, b)]} and {arrows[(b, a)]}" for a, b in arrows if a < b and (b, a) in arrows]
    assert cycles == []


def module_circles() -> list[list[str]]:
    """Circles of modules importing each other inside our packages (every import counts, ``TYPE_CHECKING``
    too): each is a knot no module of it can be read without the others."""
    mine = {module_name(p): p for p in our_modules()}
    graph = {m: {n for _, n in imports(p) if n in mine and n != m and package(n) == package(m)
                 and mine[n].name != "__init__.py"} for m, p in mine.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    return circles


def test_no_two_modules_of_a_package_import_each_other() -> None:
    assert module_circles() == []


def classes_of_ours() -> list[type]:
    """Every class defined in one of our modules (``__main__`` is left out: importing it runs the CLI)."""
    found = []
    for path in our_modules():
        name = module_name(path)
        if name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        found += [obj for obj in vars(module).values() if isinstance(obj, type) and obj.__module__ == name]
    return found


def wide_positional_dataclasses(classes: list[type]) -> list[str]:
    """Dataclasses with 5 or more fields set by ``__init__`` where some may still be passed by position:
    ``Trailing(..., None, None, 0, False, ...)`` cannot be read, and one field added in the middle
    silently shifts every value after it."""
    wide = []
    for cls in classes:
        if not dataclasses.is_dataclass(cls):
            continue
        fields = [f for f in dataclasses.fields(cls) if f.init]
        if len(fields) >= 5 and not all(f.kw_only for f in fields):
            wide.append(f"{cls.__module__}.{cls.__qualname__}")
    return wide


def test_wide_dataclasses_are_built_with_keywords() -> None:
    assert wide_positional_dataclasses(classes_of_ours()) == []


def test_the_keyword_check_sees_a_wide_positional_dataclass() -> None:
    @dataclasses.dataclass(frozen=True)
    class Wide:
        a: int
        b: int
        c: int
        d: int
        e: int = 0

    @dataclasses.dataclass(frozen=True)
    class Narrow:
        a: int
        b: int
        c: int
        d: int

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Keywords:
        a: int
        b: int
        c: int
        d: int
        e: int = 0

    @dataclasses.dataclass(frozen=True)
    class Computed:
        a: int
        b: int
        c: int
        d: int
        e: int = dataclasses.field(default=0, init=False)

    assert wide_positional_dataclasses([Wide, Narrow, Keywords, Computed]) == [f"{__name__}.{Wide.__qualname__}"]


def misplaced_errors(classes: list[type]) -> list[str]:
    """Exception classes that are not in their package's errors module (``bot._errors``, ``nrr.addon._errors``)
    or do not derive from ``engine.NrrError``: every error a caller can meet sits in one drawn tree."""
    from engine import NrrError

    found = []
    for cls in classes:
        if not issubclass(cls, BaseException):
            continue
        name = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__module__ != f"{package(cls.__module__)}._errors":
            found.append(f"{name} is not in {package(cls.__module__)}/_errors.py")
        elif not issubclass(cls, NrrError):
            found.append(f"{name} does not derive from engine.NrrError")
    return found


def test_every_error_is_in_its_packages_tree() -> None:
    assert misplaced_errors(classes_of_ours()) == []


def test_the_error_check_sees_a_stray_error() -> None:
    from engine import NrrError

    def made(name: str, base: type, module: str) -> type:
        return type(name, (base,), {"__module__": module})

    assert misplaced_errors([made("Refused", Exception, "bot._setup"), made("Kept", NrrError, "bot._errors"),
                             made("Loose", NrrError, "nrr.cli"), made("Bare", Exception, "nrr.addon._errors")]) == [
        "bot._setup.Refused is not in bot/_errors.py", "nrr.cli.Loose is not in nrr/_errors.py",
        "nrr.addon._errors.Bare does not derive from engine.NrrError"]
