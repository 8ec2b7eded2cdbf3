"""A customer table held as one dense grid of cents (customers x months), and the sums the engine takes of it
vectorised: movements, a cohort's figures, its top movers, a segment's members.

The row reader builds a table as one tuple of ints per customer, which is what a few thousand customers want.
A table read column by column from a large file (``sheets``' columnar path, or its cache) is a ``DenseGrid``
instead: a numpy array in column-major order, so a month's figures are one contiguous column, and a question at
a million customers is a few passes over a few columns at C speed. numpy is imported only when such a grid is
used (it comes with the ``fast`` extra), so a small table never pays for it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, eq=False)
class DenseGrid:
    """``cents[c, i]``: what customer ``c`` pays in month index ``i`` (column-major; never negative; int64, or
    int32 when every figure fits: sums are taken in int64, and a difference of two fits in int32). ``codes[column]``:
    each customer's value of an attribute per month as an index into ``values[column]`` (-1: blank)."""

    cents: Any
    codes: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class DenseRows(Sequence[Sequence[int]]):
    """``table.mrr`` of a dense table: customer ``c``'s figures as a tuple, made when asked for."""

    def __init__(self, cents: Any) -> None:
        self.cents = cents

    def __len__(self) -> int:
        return int(self.cents.shape[0])

    def __getitem__(self, c: Any) -> Any:
        if isinstance(c, slice):
            return [tuple(row) for row in self.cents[c].tolist()]
        return tuple(self.cents[c].tolist())

    def __iter__(self) -> Any:
        step = 65536  # rows made as Python ints a block at a time, not the whole grid at once
        for start in range(0, len(self), step):
            yield from map(tuple, self.cents[start:start + step].tolist())


class PackedTexts(Sequence[str]):
    """Many texts (a million customers' keys or names) kept as one UTF-8 buffer and where each one ends, not as
    a million Python strings: a text is decoded when asked for (a mover's name, a row of ``nrr ledger``).
    ``ends[i]`` is where text ``i`` ends in ``data``; it starts where text ``i - 1`` ends (0 for the first)."""

    def __init__(self, data: Any, ends: Any) -> None:
        self.data = data  # bytes, or a memoryview of a mapped file
        self.ends = ends  # a numpy int64 array

    @classmethod
    def of(cls, texts: Sequence[str]) -> PackedTexts:
        import numpy as np

        encoded = [t.encode() for t in texts]
        return cls(b"".join(encoded), np.cumsum([len(b) for b in encoded], dtype=np.int64))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return str(self.data[int(self.ends[i - 1]) if i else 0:int(self.ends[i])], "utf-8")

    def __iter__(self) -> Any:
        data = self.data
        return (str(data[a:b], "utf-8") for a, b in itertools.pairwise([0, *self.ends.tolist()]))


def dense_totals(grid: DenseGrid) -> list[int]:
    """Every month's total, in cents."""
    return [int(v) for v in grid.cents.sum(axis=0, dtype="int64")]


def dense_movements(grid: DenseGrid) -> tuple[list[int], list[int], list[int], list[int], list[int]]:
    """Expansion, contraction, churn, new and reactivation of every month index (0 for the first), in cents,
    as ``CustomerTable.movements`` counts them, one month's column against the one before."""
    import numpy as np

    cents = grid.cents
    customers, n = cents.shape
    out: tuple[list[int], ...] = tuple([0] * n for _ in range(5))
    expansion, contraction, churn, new, reactivation = out
    ever = np.zeros(customers, dtype=bool)  # paid in some month before this one
    previous = cents[:, 0]
    for i in range(1, n):
        ever |= previous > 0
        now = cents[:, i]
        changed = np.flatnonzero(now != previous)  # most months repeat the one before
        p, q, was = previous[changed], now[changed], ever[changed]
        both = (p > 0) & (q > 0)
        d = q - p
        expansion[i] = int(d[both & (d > 0)].sum(dtype=np.int64))
        contraction[i] = int(-d[both & (d < 0)].sum(dtype=np.int64))
        churn[i] = int(p[(p > 0) & (q == 0)].sum(dtype=np.int64))
        starting = (p == 0) & (q > 0)
        reactivation[i] = int(q[starting & was].sum(dtype=np.int64))
        new[i] = int(q[starting & ~was].sum(dtype=np.int64))
        previous = now
    return expansion, contraction, churn, new, reactivation


@dataclass(frozen=True, kw_only=True)
class DenseCohort:
    """A cohort's sums in cents and each kind of mover's candidates: (amount, customer index) pairs, every one
    at least as large as the n-th largest, so the top n by amount, ties by name, are among them."""

    customers: int
    retained: int
    start: int
    end: int
    kept: int
    expansion: int
    contraction: int
    churn: int
    candidates: Mapping[str, list[tuple[int, int]]]


def dense_cohort(grid: DenseGrid, ia: int, ib: int, members: Sequence[int] | None, top: int) -> DenseCohort:
    """The cohort paying in month index ``ia`` and what it pays in ``ib`` (``members``: only these customers)."""
    import numpy as np

    cents = grid.cents
    who = np.arange(cents.shape[0]) if members is None else np.asarray(members, dtype=np.int64)
    before = cents[:, ia] if members is None else cents[who, ia]
    after = cents[:, ib] if members is None else cents[who, ib]
    paid = before > 0
    befores, nows, who = before[paid], after[paid], who[paid]
    gone = nows == 0
    deltas = nows - befores
    up, down = deltas > 0, (deltas < 0) & ~gone
    churn = int(befores[gone].sum(dtype=np.int64))
    candidates: dict[str, list[tuple[int, int]]] = {"churn": [], "contraction": [], "expansion": []}
    if top > 0:
        for kind, amounts, chosen in (("churn", befores[gone], who[gone]), ("contraction", -deltas[down], who[down]),
                                      ("expansion", deltas[up], who[up])):
            if amounts.size:
                nth = amounts.size - min(top, amounts.size)
                floor = np.partition(amounts, nth)[nth]
                keep = amounts >= floor
                candidates[kind] = list(zip(amounts[keep].tolist(), chosen[keep].tolist(), strict=True))

    def total(values: Any) -> int:  # in int64, whatever the grid's width
        return int(values.sum(dtype=np.int64))

    return DenseCohort(customers=int(befores.size), retained=int(befores.size - gone.sum()), start=total(befores),
                       end=total(nows), kept=total(np.minimum(befores, nows)), expansion=total(deltas[up]),
                       contraction=-total(deltas[deltas < 0]) - churn, churn=churn, candidates=candidates)


def dense_subset(grid: DenseGrid, members: Sequence[int]) -> DenseGrid:
    """The grid of these customers only."""
    import numpy as np

    chosen = np.asarray(members, dtype=np.int64)
    # taken from the months x customers view, whose rows are contiguous: the result is column-major again
    return DenseGrid(grid.cents.T[:, chosen].T, {a: codes.T[:, chosen].T for a, codes in grid.codes.items()},
                     grid.values)


def dense_attribute_lists(grid: DenseGrid, column: str) -> tuple[list[str | None], ...]:
    """One attribute as the row reader holds it: per customer, its value in each month (None: blank)."""
    values: list[str | None] = [*grid.values[column], None]  # code -1 is the last: blank
    return tuple(list(map(values.__getitem__, row)) for row in grid.codes[column].tolist())


def dense_value_counts(grid: DenseGrid, column: str) -> dict[str, int]:
    """How many cells hold each value of an attribute."""
    import numpy as np

    codes = grid.codes[column]
    counts = np.bincount(codes[codes >= 0].ravel(), minlength=len(grid.values[column]))
    return {v: int(n) for v, n in zip(grid.values[column], counts.tolist(), strict=True) if n}


def dense_groups(grid: DenseGrid, column: str, i: int) -> list[tuple[str | None, list[int]]]:
    """The customers paying in month index ``i``, grouped by their value of ``column`` then (None: blank in every
    month), in order of first sight; a blank value is its latest before, else its first (as
    ``CustomerTable.value_at``)."""
    import numpy as np

    paying = np.flatnonzero(grid.cents[:, i] > 0)
    codes = grid.codes[column][paying]
    now = codes[:, i].copy()
    blank = now < 0
    if blank.any():
        rows = codes[blank]
        has = rows[:, :i + 1] >= 0
        last = np.where(has.any(axis=1), i - np.argmax(has[:, ::-1], axis=1), -1)
        firsts = np.argmax(rows >= 0, axis=1)
        across = np.arange(len(rows))
        now[blank] = np.where(last >= 0, rows[across, np.maximum(last, 0)], rows[across, firsts])
    values: list[str | None] = [*grid.values[column], None]
    order = np.argsort(now, kind="stable")
    ranked = now[order]
    bounds = np.flatnonzero(np.diff(ranked)) + 1
    groups = [(values[int(part[0])], paying[order[lo:hi]])
              for lo, hi, part in zip([0, *bounds.tolist()], [*bounds.tolist(), len(ranked)],
                                      np.split(ranked, bounds), strict=True) if len(part)]
    groups.sort(key=lambda g: int(g[1][0]))  # in order of first sight
    return [(value, members.tolist()) for value, members in groups]
