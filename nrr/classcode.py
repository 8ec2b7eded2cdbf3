"""The code of the dataclasses' generated methods, compiled once at install instead of at every start-up.

``dataclasses`` writes the source of each class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and, for a
frozen class, ``__setattr__`` and ``__delattr__``, and compiles each with ``exec``: about 90 µs a method, 35-40 ms of
an ``nrr`` command's 0.1 s of imports (426 methods for the classes ``nrr report`` loads, measured). The code compiled
from a text is the same whenever that text is compiled by the same Python, so ``make install`` (after ``compileall``,
as it writes the .pyc files) writes the code of every text the packages' classes need to ``__pycache__``, and
``install`` hands it to ``dataclasses``: ``exec`` of the compiled code instead of the text. A text not in the file (a
class added since, another library's) is compiled as before; a file written by another Python, for other
optimization flags, or corrupt (its CRC-32 is checked) is not used. Nothing else changes: the same functions are
made from the same code, in the same namespaces.

``dataclasses`` looks ``exec`` up among its module's names before the builtins, so the hand-over is one name set in
that module (3.11-3.13 alike, which call ``exec(text, globals, namespace)``: once a method, or on 3.13 once a
class). The ``nrr`` package calls ``install``
before it imports anything that defines a class, so the engine's classes are made with it too; the engine itself
reads no file (it stays pure, and works the same without this).
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import os
import sys
import zlib
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType
from typing import Any, NamedTuple

#: the packages whose classes ``write`` records (``make install``): every module of each is imported
PACKAGES = ("engine", "sheets", "warehouse", "stripe_source", "nrr", "bot")
_FORMAT = b"nrr-classcode-2"

_compiled: dict[str, CodeType] = {}
_used: dict[str, CodeType] = {}  # every text exec'd for a class of ``PACKAGES`` in this process, with its code
_made = [0, 0]  # our classes' methods made in this process: from kept code, compiled here


class Counts(NamedTuple):
    """How the methods of our classes made in this process so far were made, in texts ``dataclasses`` ran (one a
    method on Python 3.11 and 3.12, one a class on 3.13)."""
    kept: int  # from the code ``install`` read
    compiled: int  # compiled from their text here: ``make install`` has not written them (yet)


def counts() -> Counts:
    return Counts(*_made)


def path() -> Path | None:
    """Where the compiled code is kept (beside this package's .pyc files); None when this Python keeps none."""
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    return Path(__file__).parent / "__pycache__" / f"classcode.{tag}.bin"


def _header() -> bytes:
    return MAGIC_NUMBER + _FORMAT + bytes((sys.flags.optimize,))


def _exec(source: Any, globals: dict[str, Any] | None = None, locals: dict[str, Any] | None = None, /) -> None:
    """``exec`` for ``dataclasses``: the text's compiled code when it is known, else the text compiled as
    ``dataclasses`` would (no ``from __future__`` flags of this module's: ``dont_inherit``)."""
    if type(source) is str:
        code = _compiled.get(source)
        kept = code is not None
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)
        if globals is not None and str(globals.get("__name__", "")).partition(".")[0] in PACKAGES:
            _used[source] = code  # a class of ours: its code is written by ``write``
            _made[0 if kept else 1] += 1
        source = code
    builtins.exec(source, globals, locals)


def install(where: Path | None = None) -> int:
    """Hand ``dataclasses`` the compiled code kept at ``where`` (default: ``path()``); the number of texts read
    from it, 0 when there is no file or it cannot be used: written by another Python or for other flags, or
    corrupt (each class's methods are then compiled as before)."""
    where = where if where is not None else path()
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    if where is None:
        return 0
    try:
        data = memoryview(where.read_bytes())
    except OSError:
        return 0
    header = _header()
    body = data[len(header) + 4:]
    # a bit flipped on disk can make marshal raise anything, or make code that crashes the interpreter when it
    # runs: the payload's CRC-32 is checked first
    if data[:len(header)] != header or int.from_bytes(data[len(header):len(header) + 4], "big") != zlib.crc32(body):
        return 0
    try:
        table = marshal.loads(body)
    except Exception:  # what a corrupt file raises: ValueError, EOFError, SystemError ...
        return 0
    if not isinstance(table, dict):
        return 0
    read = {text: code for text, code in table.items() if type(text) is str and type(code) is CodeType}
    _compiled.update(read)
    return len(read)


def write(where: Path | None = None, packages: tuple[str, ...] = PACKAGES) -> int:
    """Import every module of ``packages`` and keep the code of every text their classes needed at ``where``
    (default: ``path()``), written whole or not at all; the number of texts. ``make install`` calls it when a
    source changed: ``python -c 'import nrr.classcode; nrr.classcode.write()'``."""
    import importlib
    import pkgutil

    for name in packages:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if not info.name.endswith(".__main__"):  # ``python -m``'s: it runs the command
                importlib.import_module(info.name)
    where = where if where is not None else path()
    if where is None:
        return 0
    where.parent.mkdir(parents=True, exist_ok=True)
    partial = where.with_name(f"{where.name}.{os.getpid()}.tmp")
    body = marshal.dumps(dict(_used))
    partial.write_bytes(_header() + zlib.crc32(body).to_bytes(4, "big") + body)
    partial.replace(where)
    return len(_used)
