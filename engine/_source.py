"""Where a ledger's cells come from, as the engine sees it: a grid, read once, checked once.

Every source (a CSV or XLSX file, a Google Sheet) hands over the same thing, ``Cells``, and the
engine's one reader turns it into a ledger, so a file and a sheet are checked by the same rules.
The sources themselves (files, the Sheets API) live in ``sheets/``; this is the part with no I/O.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar, cast

from engine._errors import LedgerError
from engine._issues import Issue
from engine._ledger import Ledger
from engine._options import NO_OPTIONS, ReadOptions
from engine._reader import Grid, LedgerCheck, check_ledger

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Cells:
    """A grid read from a source, with the worksheet name messages use for it.

    The ledger is read from the grid once per ``Cells``, however many answers use it, and
    ``memo`` keeps whatever else is derived from this one read (a digest, an alert check): a
    cached grid means a cached ledger, and a new read starts afresh.
    """

    grid: Grid
    sheet: str | None  # worksheet title, for A1 references (None for a flat file)
    first_row: int = 1
    #: a digest of the bytes the grid was read from (the file, the Sheets API's answer), when the source has them
    source_digest: str | None = None
    #: what reading the grid needs from outside (exchange rates, the month in progress)
    options: ReadOptions = NO_OPTIONS
    #: the check already made, when the source read its table column by column (its ``grid`` is then empty)
    prepared: LedgerCheck | None = field(default=None, repr=False, compare=False)
    #: the grid was split from delimited text (a CSV, a TSV), where a row with more cells than its header has is a
    #: cell split at a delimiter left unquoted (``1,200``), not a note beside the table
    delimited: bool = False
    #: warnings the source has about what it read (another worksheet holds a table too), said with the check's
    notes: tuple[Issue, ...] = ()
    _memo: dict[Hashable, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    @functools.cached_property
    def check(self) -> LedgerCheck:
        if self.prepared is not None:  # read column by column: a customer table, which options do not change
            return self.prepared
        check = check_ledger(self.grid, sheet=self.sheet, first_row=self.first_row, options=self.options,
                             delimited=self.delimited)
        if not self.notes:
            return check
        ledger = check.ledger and replace(check.ledger, warnings=(*self.notes, *check.ledger.warnings))
        return replace(check, ledger=ledger, issues=[*self.notes, *check.issues])

    def with_options(self, options: ReadOptions) -> Cells:
        """These cells read with ``options`` (today's month): one ``Cells`` per options, kept with this read, so
        a cached grid is still read once per month however many answers use it."""
        if options == self.options:
            return self
        return self.memo(("options", options), lambda: replace(self, options=options))

    @functools.cached_property
    def fingerprint(self) -> str:
        """Two reads with the same fingerprint hold the same ledger: a digest of the bytes read when the
        source gave them (``source_digest``: hashing 170 MB of CSV takes 0.15 s, the parsed grid's 3.4
        million rows 2.3 s), else of every cell."""
        if self.options.today is not None or self.options.columns:  # billing data's months end with today's; the
            # columns [ledger] columns names make another table of the same cells
            named = "\0".join(f"{role}={title}" for role, title in self.options.columns)
            return hashlib.sha256(f"{self.options.today}\0{named}\0{self.fingerprint_of_read}".encode()).hexdigest()
        return self.fingerprint_of_read

    @functools.cached_property
    def fingerprint_of_read(self) -> str:
        """The fingerprint of the read alone, whatever the options."""
        if self.source_digest is not None:
            return hashlib.sha256(f"{self.sheet}\0{self.source_digest}".encode()).hexdigest()
        return hashlib.sha256(json.dumps([self.sheet, *self.grid], default=str).encode()).hexdigest()

    @property
    def ledger(self) -> Ledger:
        """The validated ledger; ``LedgerError`` lists every problem by cell."""
        if self.check.ledger is None:
            raise LedgerError(tuple(self.check.issues))
        return self.check.ledger

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per read of the cells and ``key``, however many callers ask (two threads
        asking at the same instant may both compute it; the results are the same)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])


def digest_bytes(data: bytes) -> str:
    """The ``source_digest`` of the bytes a grid was read from."""
    return hashlib.sha256(data).hexdigest()


class LedgerSource(Protocol):
    """Anything that can hand over a ledger's cells: a file, a Google Sheet."""

    @property
    def name(self) -> str: ...

    def read_cells(self) -> Cells: ...


def load_ledger(source: LedgerSource) -> Ledger:
    """The validated ledger from ``source``; ``LedgerError`` lists every problem by cell."""
    return source.read_cells().ledger


def check_source(source: LedgerSource) -> LedgerCheck:
    """Every error and warning in ``source``'s ledger (for ``nrr validate``)."""
    return source.read_cells().check
