"""Reading a big table quiets the cyclic collector without ever switching it off, and puts it back when the
last read under way ends, whichever thread it runs in and however it ends (``nrr serve`` reads from threads)."""

from __future__ import annotations

import gc
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from engine import Ledger, fewer_gc_pauses
from sheets import FileSource, SourceError

QUIET = 50_000


def test_concurrent_reads_keep_the_collector_on_and_put_its_threshold_back() -> None:
    """Eight threads inside at once; one leaves first, by raising; the others look after it left, then leave."""
    normal = gc.get_threshold()
    inside, failed = threading.Barrier(8), threading.Event()
    seen: list[tuple[bool, int]] = []

    def read(n: int) -> None:
        try:
            with fewer_gc_pauses():
                inside.wait(timeout=10)
                if n == 0:
                    raise ValueError("a read that fails")
                assert failed.wait(timeout=10)
                seen.append((gc.isenabled(), gc.get_threshold()[0]))
        finally:
            if n == 0:
                failed.set()

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(read, n) for n in range(8)]
    assert [type(f.exception()).__name__ for f in futures] == ["ValueError"] + ["NoneType"] * 7
    assert seen == [(True, QUIET)] * 7  # on all along, and still quiet for the reads under way
    assert gc.isenabled() and gc.get_threshold() == normal


def test_reading_files_in_threads_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    normal = gc.get_threshold()
    header = "Customer,Month,MRR\n"
    paths = []
    for n in range(6):
        path = tmp_path / f"ledger{n}.csv"
        path.write_text(header + "".join(f"C{c},2026-{m:02d},{100 + c}\n" for c in range(200) for m in range(1, 13)))
        paths.append(path)
    broken = tmp_path / "broken.csv"
    broken.write_text(header + 'C1,2026-01,"100\n' + "C2,2026-02,100\n" * 500)  # a quote opened and never closed

    def read(path: Path) -> Ledger:
        return FileSource(path).read_cells().ledger

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(read, p) for p in [*paths, broken]]
    assert all(f.result().customers is not None for f in futures[:-1])
    with pytest.raises(SourceError):
        futures[-1].result()
    assert gc.isenabled() and gc.get_threshold() == normal


def test_a_threshold_set_higher_by_the_application_is_left_alone() -> None:
    normal = gc.get_threshold()
    try:
        gc.set_threshold(100_000, *normal[1:])
        with fewer_gc_pauses():
            assert gc.get_threshold()[0] == 100_000
        assert gc.get_threshold()[0] == 100_000
    finally:
        gc.set_threshold(*normal)
