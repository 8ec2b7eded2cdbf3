"""The customer table: every customer's figure for every month, in cents, and the movements it implies
(dbt's mrr-playbook: new, expansion, contraction, churn, reactivation).
"""

from __future__ import annotations

import collections
import contextlib
import functools
import gc
import itertools
import operator
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine._dense import (
    DenseGrid,
    DenseRows,
    PackedTexts,
    dense_attribute_lists,
    dense_movements,
    dense_subset,
    dense_totals,
    dense_value_counts,
)
from engine._fields import Unit
from engine._fx import FxUse
from engine._month import Month


@dataclass(frozen=True, kw_only=True)
class MonthMovements:
    """One month's movements in cents, against the month before (dbt mrr-playbook vocabulary)."""

    month: Month
    start: int  # the previous month's total
    expansion: int
    contraction: int
    churn: int
    new: int
    reactivation: int

    @property
    def end(self) -> int:
        """The starting customers at month end: Start + expansion - contraction - churn."""
        return self.start + self.expansion - self.contraction - self.churn

    @property
    def total(self) -> int:
        """Everything paid this month: End + new + reactivation."""
        return self.end + self.new + self.reactivation


def compared(value: str) -> str:
    """An attribute value as values are compared: ``" smb "``, ``SMB`` and ``Smb`` are one value."""
    return " ".join(value.split()).casefold()


def named_attribute(names: Sequence[str], column: str) -> str | None:
    """The attribute column of ``names`` that ``column`` names: as written, else the one alike but for case and
    spacing; None when there is none, or several alike and none as written (``Segment`` and ``segment``, asked
    ``SEGMENT``: no guess)."""
    if column in names:
        return column
    wanted = compared(column)
    alike = [a for a in names if compared(a) == wanted]
    if not alike:  # signup_month or signup-month for Signup Month
        wanted = _spaced(column)
        alike = [a for a in names if _spaced(a) == wanted]
    return alike[0] if len(alike) == 1 else None


def _spaced(name: str) -> str:
    return compared(name.replace("_", " ").replace("-", " "))


def no_attribute(names: Sequence[str], column: str) -> str:
    """Why ``column`` names none of the attribute columns ``names``: there is none like it, or several."""
    from engine._messages import unknown_attribute

    return unknown_attribute(column, names, [a for a in names if compared(a) == compared(column)])


def cents_to_decimal(cents: int) -> Decimal:
    """Exact: ``123450`` -> ``Decimal('1234.50')``."""
    return Decimal(cents).scaleb(-2)


@dataclass(frozen=True, eq=False, kw_only=True)
class CustomerTable:
    """Every customer's figure for every month from ``first``, in cents.

    ``mrr[c][i]`` is what customer ``c`` pays in month ``first + i`` (0 when it has no row).
    ``attributes[column][c][i]`` is its value of that column in that month (None when blank).
    """

    first: Month
    count: int
    keys: Sequence[str]  # a tuple, or the texts packed in one buffer (``PackedTexts``) for a dense table
    names: Sequence[str]
    mrr: Sequence[Sequence[int]]  # tuples of ints: the cyclic collector stops walking them after one look
    attribute_names: tuple[str, ...]
    #: builds ``attributes`` on first use: a report that asks no segment question never pays for it
    fill_attributes: Callable[[], Mapping[str, tuple[list[str | None], ...]]] = field(repr=False)
    unit: Unit = "MRR"
    currency: str | None = None
    #: the attribute column that told a customer's summed rows apart (Plan, Subscription): a customer then has
    #: several values of it at once, so it cannot split customers into segments
    summed_by: str | None = None
    #: the headers of the customer's own columns (ID, name): not attributes, so not segments
    key_headers: tuple[str, ...] = ()
    #: the table this one is a subset of: a value is spelled as the whole table spells it
    whole: CustomerTable | None = field(default=None, repr=False)
    #: the currencies converted into ``currency`` while reading, and at which rates (``engine._fx``)
    conversions: tuple[FxUse, ...] = ()
    #: the same figures as one dense grid (a table read column by column): sums over it are vectorised
    dense: DenseGrid | None = field(default=None, repr=False)
    #: the names two or more customers have, when the reading found them (a columnar read, its cache); None:
    #: counted when first asked
    known_shared: frozenset[str] | None = field(default=None, repr=False)
    #: the figure's column (0-based) and header when the header said it held cents (``mrr_cents``), for a table read
    #: column by column (its cache keeps it, so the warning the row reader gives is given again)
    cents_column: tuple[int, str] | None = None
    #: the rows left out as totals, each as its label, sheet row and column (0-based), for a table read column by
    #: column (its cache keeps them, so the warning the first read gave is given again)
    total_rows: tuple[tuple[str, int, int], ...] = ()

    @functools.cached_property
    def attributes(self) -> Mapping[str, tuple[list[str | None], ...]]:
        return self.fill_attributes()

    @functools.cached_property
    def shared_names(self) -> frozenset[str]:
        """The names two or more customers of the whole table have (two keys, one ``Acme``, or ``Acme `` with a
        space after it, which reads the same), without spaces around them: where a customer is named alone (a
        mover), such a one is shown with its key, so the two are told apart."""
        if self.whole is not None:
            return self.whole.shared_names
        if self.known_shared is not None:
            return self.known_shared
        if self.names is self.keys:
            return frozenset()
        names = [name.strip(" ") for name in self.names]
        if len(set(names)) == len(names):
            return frozenset()
        return frozenset(name for name, count in collections.Counter(names).items() if count > 1)

    @functools.cached_property
    def labels(self) -> Sequence[str]:
        """Each customer as a list of customers shows it: its name, with its key beside a name others share
        (``Acme (C0042)``).

        >>> from engine import read_customers
        >>> read_customers([["Customer ID", "Customer", "Month", "MRR"], ["C1", "Acme", "2026-01", "1"],
        ...                 ["C2", "Acme", "2026-01", "2"], ["C3", "Beta", "2026-01", "3"]]).table.labels
        ('Acme (C1)', 'Acme (C2)', 'Beta')
        """
        shared = self.shared_names
        if not shared:
            return self.names
        if isinstance(self.names, PackedTexts):  # a million names: each label made when asked for (a mover's)
            return _Labels(self.names, self.keys, shared)
        return tuple(map(_Labels(self.names, self.keys, shared).__getitem__, range(len(self.names))))

    @functools.cached_property
    def spellings(self) -> Mapping[str, Mapping[str, str]]:
        """Each attribute column's values by their compared form (``smb``), spelled as most of the column's
        cells spell them, without stray spaces (ties: the first in sort order): ``Smb`` in 3 cells and
        ``SMB`` in 400 are ``SMB``, whichever comes first. Counted once per table read; a subset spells as
        its whole table does.

        >>> from engine import read_customers

        >>> table = read_customers([["Customer", "Month", "MRR", "Segment"], ["A", "2026-01", "1", "smb "],
        ...                         ["B", "2026-01", "1", "SMB"], ["C", "2026-01", "1", " SMB"]]).table
        >>> dict(table.spellings["Segment"])
        {'smb': 'SMB'}
        """
        if self.whole is not None:
            return self.whole.spellings
        return {column: usual_spellings((dense_value_counts(self.dense, column) if self.dense is not None else
                                         collections.Counter(itertools.chain.from_iterable(self.attributes[column])))
                                        .items()) for column in self.attribute_names}

    @property
    def last(self) -> Month:
        return self.first + (self.count - 1)

    @property
    def customer_count(self) -> int:
        return len(self.keys)

    def __contains__(self, month: object) -> bool:
        return isinstance(month, Month) and self.first <= month <= self.last

    def index(self, month: Month) -> int:
        return month - self.first

    def total(self, month: Month) -> int:
        if self.dense is not None:
            return int(self.dense.cents[:, self.index(month)].sum())
        return sum(map(operator.itemgetter(self.index(month)), self.mrr))

    def attribute(self, column: str) -> str | None:
        """The attribute column ``column`` names (``named_attribute``)."""
        return named_attribute(self.attribute_names, column)

    def value_at(self, column: str, customer: int, i: int) -> str | None:
        """A customer's attribute in month index ``i``; else its latest before, else its first."""
        values = self.attributes[column][customer]
        for j in range(i, -1, -1):
            if values[j] is not None:
                return values[j]
        return next((v for v in values if v is not None), None)

    @functools.cached_property
    def movements(self) -> tuple[MonthMovements, ...]:
        """The movements of every month but the first (which has no month before it)."""
        with fewer_gc_pauses():
            return self._movements()

    def _movements(self) -> tuple[MonthMovements, ...]:
        n = self.count
        expansion, contraction, churn, new, reactivation = ([0] * n for _ in range(5))
        totals = list(map(sum, zip(*self.mrr, strict=True))) if self.mrr and self.dense is None else [0] * n
        if self.dense is not None:
            totals = dense_totals(self.dense)
            expansion, contraction, churn, new, reactivation = dense_movements(self.dense)
        months = range(1, n)
        for series in self.mrr if self.dense is None else ():
            paid = series[0] > 0
            # only the months whose figure changed, found at C speed: most months repeat the one before
            for i in itertools.compress(months, map(operator.ne, itertools.islice(series, 1, None), series)):
                now, previous = series[i], series[i - 1]
                if previous and now:
                    if now > previous:
                        expansion[i] += now - previous
                    else:
                        contraction[i] += previous - now
                elif previous:
                    churn[i] += previous
                elif paid:
                    reactivation[i] += now
                else:
                    new[i] += now
                    paid = True
        return tuple(MonthMovements(month=self.first + i, start=totals[i - 1], expansion=expansion[i],
                                    contraction=contraction[i], churn=churn[i], new=new[i],
                                    reactivation=reactivation[i]) for i in range(1, n))

    @functools.cached_property
    def _subsets(self) -> dict[tuple[int, ...], CustomerTable]:
        return {}

    @functools.cached_property
    def derived(self) -> dict[Hashable, object]:
        """What answers derive from this table and ask for again (a segment's members in a month), kept with it."""
        return {}

    def subset(self, members: Sequence[int]) -> CustomerTable:
        """The table of these customers only (a segment's), in the same months. Kept for the next answer about
        the same customers: a ``--where`` answer asks for its segment's table several times (its money, its
        cohort, its year), and a running bot for the same segments again and again."""
        key = tuple(members)
        made = self._subsets.get(key)
        if made is None:
            if len(self._subsets) >= 32:
                self._subsets.clear()
            made = self._subsets[key] = self._subset(list(key))
        return made

    def _subset(self, chosen: list[int]) -> CustomerTable:

        def attributes() -> Mapping[str, tuple[list[str | None], ...]]:
            return {a: tuple(values[c] for c in chosen) for a, values in self.attributes.items()}

        if self.dense is not None:
            return dense_table(self.first, self.count, tuple(map(self.keys.__getitem__, chosen)),
                               tuple(map(self.names.__getitem__, chosen)), dense_subset(self.dense, chosen),
                               self.attribute_names, self.unit, self.currency, self.key_headers, self.whole or self,
                               summed_by=self.summed_by)  # a segment's rows are summed as the whole table's were
        return CustomerTable(first=self.first, count=self.count, keys=tuple(self.keys[c] for c in chosen),
                             names=tuple(self.names[c] for c in chosen), mrr=tuple(self.mrr[c] for c in chosen),
                             attribute_names=self.attribute_names, fill_attributes=attributes, unit=self.unit,
                             currency=self.currency, summed_by=self.summed_by,
                             key_headers=self.key_headers, whole=self.whole or self,
                             conversions=self.conversions)

    def empty(self) -> CustomerTable:
        """The same table with no customers."""
        return self.subset([])


class _Labels(Sequence[str]):
    """Customers' names, each with its key beside a name in ``shared`` (``CustomerTable.labels``)."""

    def __init__(self, names: Sequence[str], keys: Sequence[str], shared: frozenset[str]) -> None:
        self.names, self.keys, self.shared = names, keys, shared

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return customer_label(self.names[i], self.keys[i], self.shared)


def customer_label(name: str, key: str, shared: AbstractSet[str]) -> str:
    """A customer as a list of customers shows it: its name, with its key beside a name in ``shared`` (another
    customer's too, spaces around it aside: ``Acme (C0042)``)."""
    shown = name.strip(" ")
    return f"{shown} ({key})" if shown in shared and name != key else name


def dense_table(first: Month, count: int, keys: Sequence[str], names: Sequence[str], grid: DenseGrid,
                attribute_names: Sequence[str], unit: Unit = "MRR", currency: str | None = None,
                key_headers: tuple[str, ...] = (), whole: CustomerTable | None = None,
                shared: frozenset[str] | None = None, cents_column: tuple[int, str] | None = None,
                summed_by: str | None = None, total_rows: tuple[tuple[str, int, int], ...] = ()) -> CustomerTable:
    """A customer table over a dense grid (``engine._dense``): what a table read column by column is; ``shared``:
    the names two or more customers have, when the reading found them (counting a million names costs 1.6 s)."""
    def attributes() -> Mapping[str, tuple[list[str | None], ...]]:
        return {a: dense_attribute_lists(grid, a) for a in attribute_names}

    return CustomerTable(first=first, count=count, keys=keys, names=names, mrr=DenseRows(grid.cents),
                         attribute_names=tuple(attribute_names), fill_attributes=attributes, unit=unit,
                         currency=currency, key_headers=key_headers, whole=whole, dense=grid, known_shared=shared,
                         cents_column=cents_column, summed_by=summed_by, total_rows=total_rows)


def usual_spellings(counts: Iterable[tuple[str | None, int]]) -> dict[str, str]:
    """Values (with how many cells hold each) by their compared form, spelled as most cells spell them, without
    stray spaces (ties: the first in sort order): ``CustomerTable.spellings``' rule, for counts a database made.

    >>> usual_spellings([("Smb", 3), ("SMB", 400), (" SMB", 2), ("Enterprise", 1)])
    {'smb': 'SMB', 'enterprise': 'Enterprise'}
    """
    shown_counts: collections.Counter[str] = collections.Counter()
    for value, n in counts:
        if value is not None and (shown := " ".join(value.split())):
            shown_counts[shown] += n
    best: dict[str, tuple[int, str]] = {}
    for shown, n in shown_counts.items():
        key = shown.casefold()
        if key not in best or (-n, shown) < (-best[key][0], best[key][1]):
            best[key] = (n, shown)
    return {key: shown for key, (_, shown) in best.items()}


#: the collector's first threshold while a table is read: young objects are looked at in batches this large
QUIET_THRESHOLD = 50_000
_reading: list[None] = []  # one entry per read under way, in any thread
_normal: list[tuple[int, ...]] = []  # the thresholds to go back to, while raised


@contextlib.contextmanager
def fewer_gc_pauses() -> Iterator[None]:
    """The cyclic collector looks at young objects in batches of ``QUIET_THRESHOLD`` while a table is read,
    not every 700 allocations: the rows hold no cycles, and at 700 the collector walks the growing grid again
    and again (bench/customers.py's 345,000 rows: 710 ms of CPU to read and derive, 610 ms quieted). It stays
    on: other threads' garbage is still collected. When the last read under way ends, in whichever thread,
    the thresholds in effect before the first go back.

    Safe under threads without a lock (the engine starts none): ``list.append`` and ``pop`` are atomic,
    a thread raises the threshold only after counting itself in and only from its normal value, and the
    last to leave puts the normal value back. A race can only leave a read at the normal threshold (slower),
    never the collector raised or off once every read has ended.
    """
    _reading.append(None)
    threshold = gc.get_threshold()
    if threshold[0] < QUIET_THRESHOLD:
        _normal[:] = [threshold]
        gc.set_threshold(QUIET_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        _reading.pop()
        if not _reading:
            with contextlib.suppress(IndexError):  # another thread leaving at the same moment put it back
                gc.set_threshold(*_normal.pop())
