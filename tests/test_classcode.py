"""The dataclasses' methods made from the code ``make install`` kept are the methods ``dataclasses`` compiles."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import types
from pathlib import Path

import pytest

from nrr import classcode
from tests.helpers import ROOT

# a module of ours (its name starts with a package's): its classes' texts are recorded and kept
PROBE = '''
from __future__ import annotations
import dataclasses
from typing import ClassVar

@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)
    label: str = "origin"
    scale: ClassVar[int] = 2

@dataclasses.dataclass(order=True)
class Plain:
    a: int
    b: str = "b"
'''


def made(name: str, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType(name)
    monkeypatch.setitem(sys.modules, name, module)  # dataclasses takes the methods' globals from here
    exec(compile(PROBE, f"<{name}>", "exec"), module.__dict__)
    return module


def methods(cls: type) -> dict[str, tuple[object, ...]]:
    """Each generated method's code, all of it that the function's behaviour depends on."""
    names = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__lt__")
    codes = {n: getattr(cls, n).__code__ for n in names if hasattr(getattr(cls, n, None), "__code__")}
    return {n: (c.co_code, c.co_consts, c.co_names, c.co_varnames, c.co_freevars, c.co_flags, c.co_argcount,
                c.co_kwonlyargcount) for n, c in codes.items()}


def test_a_class_made_from_kept_code_is_the_one_dataclasses_compiles(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as plain:  # dataclasses as it is, compiling each text itself
        plain.delattr(dataclasses, "exec")
        reference = made("engine._probe_reference", plain)
    before = classcode.counts()
    compiled = made("engine._probe_compiled", monkeypatch)  # through the hand-over, nothing kept for it yet
    assert classcode.counts().compiled > before.compiled
    where = tmp_path / "classcode.bin"
    assert classcode.write(where, packages=()) > 0  # what this process made, the probe's among it
    assert classcode.install(where) > 0
    before = classcode.counts()
    kept = made("engine._probe_kept", monkeypatch)
    after = classcode.counts()
    assert after.compiled == before.compiled  # every method of the probe's came from the file
    assert after.kept > before.kept
    for module in (compiled, kept):
        for cls in ("Point", "Plain"):
            mine, theirs = getattr(module, cls), getattr(reference, cls)
            # the same code, compiled without classcode.py's ``from __future__`` flags
            assert methods(mine) == methods(theirs)
            assert mine.__init__.__annotations__ == theirs.__init__.__annotations__  # {"x": "int"}, not "_type_x"
    point = kept.Point(1)
    assert point == kept.Point(1, (), "origin") and hash(point) == hash(kept.Point(1))
    assert repr(point) == "Point(x=1, tags=(), label='origin')"
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2
    assert kept.Plain(1) < kept.Plain(2) and kept.Plain(1, "c") != kept.Plain(1)


@pytest.mark.parametrize("content", [b"", b"garbage", b"\x00" * 40])
def test_a_file_it_cannot_use_is_left_alone(tmp_path: Path, content: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    where = tmp_path / "classcode.bin"
    where.write_bytes(content)
    assert classcode.install(where) == 0
    assert classcode.install(tmp_path / "absent.bin") == 0
    source = PROBE.replace("    x: int", "    unkept: int")  # texts no file holds (a field's name is in them)
    module = types.ModuleType("engine._probe_unkept")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    before = classcode.counts()
    exec(compile(source, "<probe>", "exec"), module.__dict__)
    assert module.Point(3).unkept == 3 and classcode.counts().compiled > before.compiled  # compiled as before


@pytest.mark.parametrize("at", [0, 20, -1])  # another Python's magic number; the CRC; a bit of the code
def test_a_file_from_another_python_or_corrupt_is_left_alone(tmp_path: Path, at: int) -> None:
    where = tmp_path / "classcode.bin"
    classcode.write(where, packages=())
    data = bytearray(where.read_bytes())
    data[at] ^= 0x01
    where.write_bytes(bytes(data))
    assert classcode.install(where) == 0


def test_make_install_keeps_the_code_every_command_needs() -> None:
    """What ``make install`` writes covers every class ``nrr`` makes when it starts (an ``nrr report``'s imports and
    the server's): written here as ``make install`` writes it, then read by a new process."""
    if classcode.path() is None:
        pytest.skip("this Python keeps no bytecode")
    subprocess.run([sys.executable, "-P", "-c", "import nrr.classcode; nrr.classcode.write()"], check=True,
                   cwd=ROOT)
    out = subprocess.run([sys.executable, "-P", "-c", "import nrr.cli, nrr.server; from nrr import classcode; "
                                                      "print(*classcode.counts())"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    kept, compiled = map(int, out)
    assert kept > 0 and compiled == 0
