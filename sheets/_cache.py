"""The parsed-table cache: a large CSV's customer table, once read column by column, kept in the user's cache
directory so the next run (another ``nrr report``, a restarted ``nrr serve``) loads the grid of cents instead of
parsing the text again.

The key: the file's absolute path, then its device, inode, size, modification and change times (ns) and the
SHA-256 of its bytes as read. Any write to a file moves its change time (ctime), which no program can set back
(``touch -d`` and ``os.utime`` set only the modification time), so a cached table whose file's stat differs in
any way is not served. Within 2 s of the cached read (a file rewritten at once, inside one tick of the
filesystem's clock) the stat cannot tell, and the file's bytes are hashed and compared too.

Safe with several processes: an entry is written to a temporary file beside it, flushed to disk, then renamed
over the old one in one step, so a reader sees the old entry or the new one whole. A reader ignores a file it
cannot read as an entry (torn, from another version, not ours) and the next columnar read replaces it.

Layout: ``NRRCACHE2\n``, the header's length (8 bytes, little-endian), the header (JSON: the key, the table's
month, unit, currency, headers, each part's dtype, shape and offset, the body's size), then the parts, each at a
multiple of 64 bytes: the cents (months x customers, int64), each attribute's codes, and the keys, names and
attribute values each as their UTF-8 bytes end to end and where each ends (int64). A reader maps the entry
rather than reading it: the grid is a view of the file's pages (an entry is only ever replaced by a rename, never
written in place, so a mapped one stays whole), and a million keys and names stay packed until one is shown.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import mmap
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import Cells, CustomerTable, DenseGrid, Month, PackedTexts, dense_customer_check
from sheets._columnar import COLUMNAR_FROM_BYTES, columnar_available, read_columnar
from sheets._errors import SourceError

MAGIC = b"NRRCACHE4\n"  # 4: names shared but for spaces around them (Acme, "Acme "): entries read before are read again
#: a file changed within this long of being read may have kept its stat: its bytes are compared too
RACY_NS = 2_000_000_000
_CHUNK = 1 << 20
_ALIGN = 64  # each array starts at a multiple of this many bytes of the entry


def cache_dir_from(env: Mapping[str, str]) -> Path | None:
    """Where parsed tables are kept: ``NRR_CACHE_DIR``, else ``$XDG_CACHE_HOME/nrr``, else ``~/.cache/nrr``;
    ``NRR_CACHE_DIR=off`` keeps none."""
    own = env.get("NRR_CACHE_DIR", "").strip()
    if own.lower() == "off":
        return None
    if own:
        return Path(own).expanduser()
    xdg = env.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():  # a relative one is invalid and ignored, as the XDG spec says
        return Path(xdg) / "nrr"
    home = env.get("HOME", "").strip()
    return Path(home) / ".cache" / "nrr" if home else None


@dataclass(frozen=True, kw_only=True)
class FileStat:
    """What a file's stat says of its contents: if any of it changed, so may have the bytes."""

    path: str
    dev: int
    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileStat:
        st = path.stat()
        return cls(path=str(path.resolve()), dev=st.st_dev, ino=st.st_ino, size=st.st_size, mtime_ns=st.st_mtime_ns,
                   ctime_ns=st.st_ctime_ns)


def hash_file(path: Path) -> tuple[str, bytes]:
    """The SHA-256 of a file's bytes, read a megabyte at a time, and its first 64 KB."""
    digest = hashlib.sha256()
    head = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if not head:
                head = chunk[:65536]
            digest.update(chunk)
    return digest.hexdigest(), head


def entry_path(cache_dir: Path, stat: FileStat) -> Path:
    return cache_dir / f"{hashlib.sha256(stat.path.encode()).hexdigest()[:32]}.table"


def load_table(cache_dir: Path, path: Path, stat: FileStat, *, now_ns: int) -> Cells | None:
    """The cached table of ``path`` when its entry's key matches the file as it is; None otherwise (no entry,
    another file's or version's, torn, or the file changed). The entry is mapped, not read: the grid's cents and
    the packed keys and names are views of the file's pages, and a text is decoded when it is asked for."""
    entry = entry_path(cache_dir, stat)
    try:
        with entry.open("rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # no entry, or an empty one (which cannot be mapped)
        return None
    try:
        header, body = _split(data)
        if header["stat"] != stat.__dict__:
            return None
        racy = now_ns - header["written_ns"] < RACY_NS or header["written_ns"] - stat.ctime_ns < RACY_NS
        if racy and hash_file(path)[0] != header["digest"]:
            return None
        return _cells(header, body)
    except Exception:  # a torn, foreign or older entry is ignored, never an error
        return None


def store_table(cache_dir: Path, stat: FileStat, digest: str, table: CustomerTable, *, now_ns: int) -> None:
    """Keep ``table`` (read from the file ``stat`` describes, whose bytes hash to ``digest``) for the next run.
    Best effort: a cache that cannot be written (a read-only home, a full disk) only means the next run parses."""
    import numpy as np

    grid = table.dense
    if grid is None:
        return
    # months x customers, as the grid lies in memory: written as it is, without a copy
    parts: list[tuple[str, Any]] = [("cents", grid.cents.T), *((f"codes:{a}", c.T) for a, c in grid.codes.items())]
    texts: dict[str, PackedTexts] = {}
    same = table.names is table.keys  # a table whose customers have no names apart from their keys
    for name, values in (("keys", table.keys), *(() if same else (("names", table.names),)),
                         *((f"values:{a}", v) for a, v in grid.values.items())):
        texts[name] = values if isinstance(values, PackedTexts) else PackedTexts.of(values)
        parts += [(f"{name}:data", np.frombuffer(texts[name].data, dtype=np.uint8)),
                  (f"{name}:ends", np.asarray(texts[name].ends, dtype=np.int64))]
    layout: dict[str, Any] = {}
    offset = 0
    for name, array in parts:
        layout[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset,
                        "size": array.nbytes}
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    header = {"stat": stat.__dict__, "digest": digest, "written_ns": now_ns, "first": str(table.first),
              "count": table.count, "unit": table.unit, "currency": table.currency,
              "key_headers": list(table.key_headers), "attributes": list(table.attribute_names), "layout": layout,
              "size": offset, "names_are_keys": same, "shared_names": sorted(table.shared_names),
              "cents_column": None if table.cents_column is None else list(table.cents_column),
              "summed_by": table.summed_by, "total_rows": [list(t) for t in table.total_rows]}
    head = json.dumps(header).encode()
    head += b" " * (-(len(MAGIC) + 8 + len(head)) % _ALIGN)  # the arrays start at a multiple of 64 bytes
    import tempfile  # only a columnar read writes: a small file's start-up never loads it

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".table-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + len(head).to_bytes(8, "little") + head)
                for _, array in parts:
                    handle.write(np.ascontiguousarray(array).data)
                    handle.write(b"\0" * (-array.nbytes % _ALIGN))
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(entry_path(cache_dir, stat))
        finally:
            with contextlib.suppress(FileNotFoundError):
                Path(tmp).unlink()
    except OSError:
        return


def _split(data: Any) -> tuple[dict[str, Any], memoryview]:
    if data[:len(MAGIC)] != MAGIC:
        raise ValueError("not an entry")
    start = len(MAGIC) + 8
    length = int.from_bytes(data[len(MAGIC):start], "little")
    header = json.loads(data[start:start + length])
    body = memoryview(data)[start + length:]
    if len(body) != header["size"]:
        raise ValueError("torn")
    return header, body


def _cells(header: dict[str, Any], body: memoryview) -> Cells:
    import numpy as np

    layout = header["layout"]

    def array(name: str) -> Any:
        part = layout[name]
        if part["offset"] + part["size"] > len(body):
            raise ValueError("torn")
        flat = np.frombuffer(body[part["offset"]:part["offset"] + part["size"]], dtype=np.dtype(part["dtype"]))
        return flat.reshape(part["shape"])

    def texts(name: str) -> PackedTexts:
        data, ends = array(f"{name}:data"), array(f"{name}:ends")
        if len(ends) and int(ends[-1]) != len(data):
            raise ValueError("torn")
        start = layout[f"{name}:data"]["offset"]
        return PackedTexts(body[start:start + len(data)], ends)

    attributes = header["attributes"]
    # stored months x customers: customers x months, column-major
    grid = DenseGrid(array("cents").T, {a: array(f"codes:{a}").T for a in attributes},
                     {a: tuple(texts(f"values:{a}")) for a in attributes})
    keys = texts("keys")
    names = keys if header["names_are_keys"] else texts("names")
    if len(keys) != grid.cents.shape[0] or len(names) != len(keys):
        raise ValueError("torn")
    year, month = map(int, header["first"].split("-"))
    shared = header.get("shared_names")  # an entry written before names were told apart: counted when asked
    cents = header.get("cents_column")  # (an entry written before a column of cents was read column by column: none)
    check = dense_customer_check(Month(year, month), header["count"], keys, names, grid, attributes,
                                 header["unit"], header["currency"], tuple(header["key_headers"]),
                                 None if shared is None else frozenset(shared),
                                 None if cents is None else (int(cents[0]), str(cents[1])), header.get("summed_by"),
                                 [(str(label), int(row), int(col)) for label, row, col in header.get("total_rows", ())])
    return Cells(grid=(), sheet=None, source_digest=header["digest"], prepared=check)


@dataclass(frozen=True)
class FastRead:
    """How a large CSV customer table is read: column by column from ``columnar_from`` bytes (None: always by
    the row reader), and kept parsed in ``cache_dir`` (None: not kept). ``clock_ns``: the wall clock, in ns.
    ``write_behind``: the cache entry is written in a thread while the table is used (``finish_cache_writes``
    waits for it), not before the table is returned."""

    columnar_from: int | None = COLUMNAR_FROM_BYTES
    cache_dir: Path | None = None
    clock_ns: Callable[[], int] = time.time_ns
    write_behind: bool = False


_writing: list[Any] = []  # the threads writing entries behind (``FastRead.write_behind``)


def finish_cache_writes() -> None:
    """Wait until every cache entry being written behind is written (a process about to end calls this: at
    1,000,000 customers an entry is 270 MB, and writing it while the report is made and printed saves a second)."""
    while _writing:
        _writing.pop().join()


def fast_read_from_env(env: Mapping[str, str]) -> FastRead:
    """The fast read the environment asks for: ``NRR_COLUMNAR=auto`` (the default: from
    ``COLUMNAR_FROM_BYTES``), ``always`` or ``never``; the cache in ``cache_dir_from(env)``, written behind."""
    mode = env.get("NRR_COLUMNAR", "auto").strip().lower() or "auto"
    if mode not in ("auto", "always", "never"):
        raise SourceError(f"NRR_COLUMNAR {mode[:40]!r} is not auto, always or never; set one of them, or unset it "
                          "(auto: large CSV files are read column by column).")
    start = {"always": 0, "never": None}.get(mode, COLUMNAR_FROM_BYTES)
    return FastRead(start, cache_dir_from(env), write_behind=True)


def read_fast(path: Path, fast: FastRead) -> Cells | None:
    """A large CSV's checked customer table from the cache, else read column by column (and cached); None when
    the file goes to the row reader (too small, the ``fast`` extra missing, or anything the row reader must
    name)."""
    if fast.columnar_from is None or path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        return None
    try:
        stat = FileStat.of(path)
    except OSError:
        return None
    if stat.size < fast.columnar_from or not columnar_available():
        return None
    if fast.cache_dir is not None:
        cached = load_table(fast.cache_dir, path, stat, now_ns=fast.clock_ns())
        if cached is not None:
            return cached
    # the bytes are hashed in a thread once polars has parsed them, while the columns are checked on one core
    # (hashlib lets go of the GIL, and so do numpy's loops): at 1,000,000 customers hashing the 810 MB alone takes
    # about 1 s of CPU, which would otherwise slow polars' own threads down. A plain thread: concurrent.futures
    # would import logging and traceback (8 ms)
    hashed: list[str | None] = []  # the digest, None when the file could not be read

    def hash_it() -> None:
        try:
            hashed.append(hash_file(path)[0])
        except OSError:
            hashed.append(None)

    hashing = threading.Thread(target=hash_it, name="nrr-hash")
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return None
    try:
        cells = read_columnar(path, head, "", hashing.start)
    finally:
        if hashing.ident is not None:  # started: waited for, whatever the read came to
            hashing.join()
    digest = hashed[0] if hashed else None
    if cells is None or digest is None:
        return None
    cells = dataclasses.replace(cells, source_digest=digest)
    try:
        if FileStat.of(path) != stat:  # changed while it was read: read it again, by the row reader
            return None
    except OSError:
        return None
    table = cells.ledger.customer_table
    if fast.cache_dir is not None and table is not None:
        if fast.write_behind:
            writer = threading.Thread(target=store_table, args=(fast.cache_dir, stat, digest, table),
                                      kwargs={"now_ns": fast.clock_ns()}, name="nrr-cache-write")
            writer.start()
            _writing[:] = [*(t for t in _writing if t.is_alive()), writer]
        else:
            store_table(fast.cache_dir, stat, digest, table, now_ns=fast.clock_ns())
    return cells


def cached_table(path: Path, fast: FastRead) -> Cells | None:
    """The table ``fast``'s cache holds for the file at ``path`` as it is now; None when it holds none that may be
    served (none kept, or the file changed since)."""
    if fast.cache_dir is None:
        return None
    try:
        stat = FileStat.of(path)
    except OSError:
        return None
    return load_table(fast.cache_dir, path, stat, now_ns=fast.clock_ns())
