"""The parsed-table cache: served while the file is as it was, never for a changed file, and a torn or foreign
entry is ignored."""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path

import pytest
from rich.console import Console

from engine import Cells, PackedTexts
from nrr.cli import main
from sheets import FastRead, cache_dir_from, cached_table, finish_cache_writes, open_file_source
from tests.test_columnar import CENTS, CLEAN, SUBSCRIPTIONS, answers, said

FUTURE = 10 ** 20  # a clock long after any file's change time: the stat alone decides


def fast(tmp_path: Path, clock: int = FUTURE) -> FastRead:
    return FastRead(columnar_from=0, cache_dir=tmp_path / "cache", clock_ns=lambda: clock)


def read_and_kept(tmp_path: Path, text: str) -> tuple[Cells, Cells]:
    """``text`` read column by column (and kept), and the table the cache then serves: the same answers."""
    path = tmp_path / "customers.csv"
    path.write_text(text)
    how = fast(tmp_path)
    first = open_file_source(str(path), fast=how).read_cells()
    kept = cached_table(path, how)
    assert kept is not None and answers(kept) == answers(first)
    return first, kept


def test_a_table_read_column_by_column_is_kept_and_served_while_the_file_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CLEAN)
    how = fast(tmp_path)
    assert cached_table(path, how) is None
    first = open_file_source(str(path), fast=how).read_cells()
    entries = list((tmp_path / "cache").iterdir())
    assert [p.suffix for p in entries] == [".table"]  # one entry, no temporary file left behind
    kept = cached_table(path, how)
    assert kept is not None and kept.prepared is not None
    assert answers(kept) == answers(first)
    assert kept.fingerprint == first.fingerprint
    table, read = kept.ledger.customer_table, first.ledger.customer_table
    assert table is not None and read is not None
    assert isinstance(table.names, PackedTexts)  # decoded from the mapped entry one at a time, when shown
    assert (list(table.keys), list(table.names)) == (list(read.keys), list(read.names))


def test_an_entry_written_behind_is_there_once_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CLEAN)
    how = dataclasses.replace(fast(tmp_path), write_behind=True)
    first = open_file_source(str(path), fast=how).read_cells()
    finish_cache_writes()
    kept = cached_table(path, how)
    assert kept is not None and answers(kept) == answers(first)
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".table"]


def test_a_table_whose_names_are_its_keys_keeps_them_once(tmp_path: Path) -> None:
    _, kept = read_and_kept(tmp_path, CLEAN.replace("Customer ID,Customer,", "Customer,Note,"))
    table = kept.ledger.customer_table
    assert table is not None and table.names is table.keys


def test_a_kept_column_of_cents_says_so_again(tmp_path: Path) -> None:
    first, kept = read_and_kept(tmp_path, CENTS)
    assert said(kept.check) == said(first.check) and "read as cents" in said(kept.check)[0][1]


@pytest.mark.parametrize("footer", ["Total,2026-03,999.00", "Grand total:,,999.00", "Total,,,\nSum,,,"])
def test_a_kept_table_warns_of_its_total_rows_again(tmp_path: Path, footer: str) -> None:
    # the first run warned "This row ('Total') reads as a total ...", and every run from the cache said nothing
    # (a fresh-eyes try): the rows left out as totals are kept with the table
    first, kept = read_and_kept(tmp_path, CLEAN.rstrip("\n") + "\n" + footer + "\n")
    assert said(kept.check) == said(first.check) and any("reads as a total" in m for _, m, _ in said(first.check))


def test_a_kept_table_of_summed_subscriptions_is_still_summed_by_its_column(tmp_path: Path) -> None:
    _, kept = read_and_kept(tmp_path, SUBSCRIPTIONS)
    table = kept.ledger.customer_table
    assert table is not None and table.summed_by == "Plan"  # so Plan cannot split its customers into segments


def test_a_changed_cell_is_never_served_even_with_the_same_size_and_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CLEAN)
    how = fast(tmp_path)
    open_file_source(str(path), fast=how).read_cells()
    before = path.stat()
    path.write_text(CLEAN.replace("001,Acme,2025-11,120", "001,Acme,2025-11,920"))  # one cell, same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert cached_table(path, how) is None  # its change time moved: no program can set that back
    again = open_file_source(str(path), fast=how).read_cells()
    assert str(again.ledger.rows[0].expansion) == "820.00"


def test_within_two_seconds_of_caching_the_bytes_are_compared_too(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CLEAN)
    now = path.stat().st_ctime_ns
    how = fast(tmp_path, now)
    open_file_source(str(path), fast=how).read_cells()
    assert cached_table(path, how) is not None  # the bytes hash as they did
    entry = next((tmp_path / "cache").iterdir())
    data = entry.read_bytes()
    digest = data.split(b'"digest": "')[1][:64]
    entry.write_bytes(data.replace(digest, b"0" * 64))  # as if the file had held other bytes when it was read
    assert cached_table(path, how) is None
    assert cached_table(path, fast(tmp_path)) is None  # cached within 2 s of the change: always compared
    open_file_source(str(path), fast=fast(tmp_path)).read_cells()  # kept again, long after the change
    data = entry.read_bytes()
    entry.write_bytes(data.replace(data.split(b'"digest": "')[1][:64], b"0" * 64))
    assert cached_table(path, fast(tmp_path, FUTURE + 10 ** 10)) is not None  # the stat alone decides


def test_a_torn_or_foreign_entry_is_ignored_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CLEAN)
    how = fast(tmp_path)
    expected = answers(open_file_source(str(path), fast=how).read_cells())
    entry = next((tmp_path / "cache").iterdir())
    whole = entry.read_bytes()
    for damaged in (whole[:len(whole) // 2], whole[:20], b"", b"\x00" * 100, b"NRRCACHE1\n" + os.urandom(64),
                    whole.replace(b'"count"', b'"cuont"')):
        entry.write_bytes(damaged)
        assert cached_table(path, how) is None
        assert answers(open_file_source(str(path), fast=fast(tmp_path)).read_cells()) == expected
        assert entry.read_bytes() == whole  # written again, whole


def test_the_cache_directory_comes_from_the_environment(tmp_path: Path) -> None:
    assert cache_dir_from({"NRR_CACHE_DIR": str(tmp_path), "XDG_CACHE_HOME": "/x"}) == tmp_path
    assert cache_dir_from({"XDG_CACHE_HOME": "/x", "HOME": "/home/a"}) == Path("/x/nrr")
    assert cache_dir_from({"HOME": "/home/a"}) == Path("/home/a/.cache/nrr")
    assert cache_dir_from({"NRR_CACHE_DIR": "off", "HOME": "/home/a"}) is None
    # a relative XDG_CACHE_HOME is invalid and ignored, as the XDG spec says: it wrote ./rel/nrr (fuzz 8)
    assert cache_dir_from({"XDG_CACHE_HOME": "rel", "HOME": "/home/a"}) == Path("/home/a/.cache/nrr")
    assert cache_dir_from({}) is None


def test_nrr_columnar_other_than_its_three_values_is_said_in_words() -> None:
    from sheets import SourceError, fast_read_from_env

    assert fast_read_from_env({"NRR_COLUMNAR": " Always "}).columnar_from == 0
    with pytest.raises(SourceError, match="NRR_COLUMNAR 'sometimes' is not auto, always or never"):
        fast_read_from_env({"NRR_COLUMNAR": "sometimes"})


def test_nrr_report_keeps_the_table_and_answers_the_same_from_it(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CLEAN)
    env = {"NRR_COLUMNAR": "always", "NRR_CACHE_DIR": str(tmp_path / "cache")}
    argv = ["report", "last-month", "--json", "--ledger", str(path), "--today", "2026-01-15"]
    outputs = []
    for _ in range(2):
        out = io.StringIO()
        assert main(argv, env=env, stdout=Console(file=out, width=200)) == 0
        outputs.append(out.getvalue())
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".table"]
    out = io.StringIO()
    assert main(argv, env={"NRR_COLUMNAR": "never"}, stdout=Console(file=out, width=200)) == 0
    assert outputs == [out.getvalue()] * 2
