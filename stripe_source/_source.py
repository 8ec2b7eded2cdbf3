"""Stripe as a ledger source: sync what changed, then hand the engine the kept invoice lines.

``--ledger stripe`` (or ``[ledger] source = "stripe"``) names it. Every line of every invoice is given
to the engine's billing normalization (``engine.normalize_lines``), the same rules an invoice-line
export from a file is read by: what counts (paid and open invoices, recurring lines), how a period
spreads over its months, what a proration does. Customers' names and ``metadata`` keys (segment,
plan, region, ...) come with each line as attributes, so ``--by segment`` works.

When Stripe cannot be reached, the answer comes from the last sync and says so ("as of").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine import (
    NO_OPTIONS,
    BillingLine,
    Cells,
    CustomerTable,
    Issue,
    LedgerCheck,
    Month,
    ReadOptions,
    derive_ledger,
    normalize_lines,
)
from stripe_source import _messages as say
from stripe_source._client import StripeApi
from stripe_source._errors import StripeError, StripeUnavailable
from stripe_source._records import StripeCustomer
from stripe_source._sync import SyncResult, SyncStore, sync


class StripeStore(SyncStore, Protocol):
    """The sync's store, and what reading the ledger needs from it."""

    def stripe_rows(self) -> tuple[list[dict[str, Any]], dict[str, StripeCustomer]]: ...

    def stripe_counts(self) -> dict[str, int]: ...

    def acquire_lease(self, name: str, now: dt.datetime, ttl: dt.timedelta) -> bool: ...


@dataclass(frozen=True, kw_only=True)
class StripeSummary:
    """What ``/nrr connect stripe`` and ``nrr doctor`` say about the account: its name (None when the key may
    not read it), the key's mode, what is kept, and the months the figures cover."""

    account: str | None
    mode: str
    invoices: int
    customers: int
    first: Month | None
    last: Month | None
    months: int


def account_name(data: Mapping[str, Any]) -> str | None:
    """The account's name as its Dashboard shows it."""
    dashboard = (data.get("settings") or {}).get("dashboard") or {}
    profile = data.get("business_profile") or {}
    return dashboard.get("display_name") or profile.get("name") or data.get("email") or None


def billing_lines(rows: Sequence[Mapping[str, Any]], customers: Mapping[str, StripeCustomer]
                  ) -> tuple[list[BillingLine], tuple[str, ...]]:
    """The kept lines (each joined with its invoice) as the engine's billing lines, and the attribute names
    (every ``metadata`` key of a customer who has a line, in sort order)."""
    billed = {r["customer"] for r in rows}
    names = tuple(sorted({k for cid in billed if cid in customers for k in customers[cid].metadata}))
    lines = []
    for r in rows:
        customer = customers.get(r["customer"])
        name = (customer.name if customer is not None else None) or r["customer_name"] or None
        attributes = {k: customer.metadata.get(k) for k in names} if customer is not None else {}
        lines.append(BillingLine(
            customer_id=r["customer"], customer_name=name, invoice_id=r["invoice"], invoice_status=r["status"],
            subscription_id=r["subscription"], period_start=_utc(r["period_start"]),
            period_end=_utc(r["period_end"]), amount_cents=int(r["amount"]) - int(r["tax_included"]),
            discount_cents=int(r["discount"]), tax_cents=int(r["tax_included"]),
            currency=str(r["currency"]).upper() or None, proration=bool(r["proration"]), attributes=attributes))
    return lines, names


#: the tab ``nrr fill --from stripe`` writes the MRR per customer per month to
CUSTOMERS_TAB = "Stripe customers"


def customer_rows(table: CustomerTable) -> list[list[str | float | None]]:
    """A customer table in wide form, as a customers tab holds it: Customer ID, Customer, each attribute (its
    value in the latest month), then one column per month (``2026-01``) of MRR in currency units."""
    months = [str(table.first + i) for i in range(table.count)]
    attributes = table.attributes
    rows: list[list[str | float | None]] = [["Customer ID", "Customer", *table.attribute_names, *months]]
    for c, key in enumerate(table.keys):
        latest = [attributes[name][c][-1] if attributes[name][c] else None for name in table.attribute_names]
        rows.append([key, table.names[c], *latest, *(cents / 100 for cents in table.mrr[c])])
    return rows


@functools.lru_cache(maxsize=8192)  # periods repeat: every monthly line of a month shares its two instants
def _utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True, kw_only=True)
class StripeCells(Cells):
    """The kept lines, read by the engine's billing rules instead of a grid's reader, with the cells' ``options``
    (today's month, the exchange rates)."""

    lines: tuple[BillingLine, ...] = ()
    attribute_names: tuple[str, ...] = ()
    notes: tuple[Issue, ...] = ()

    @functools.cached_property
    def check(self) -> LedgerCheck:
        result = normalize_lines(self.lines, options=self.options, sheet=self.sheet,
                                 attribute_names=self.attribute_names, key_headers=("Customer ID", "Customer"))
        issues = [*self.notes, *result.issues]
        if result.table is None:
            return LedgerCheck(ledger=None, issues=issues)
        warnings = tuple(i for i in issues if i.severity == "warning")
        ledger = dataclasses.replace(derive_ledger(result.table, warnings, self.sheet),
                                     normalization=result.normalization)  # the JSON's source_kind and normalization
        return LedgerCheck(ledger=ledger, issues=issues, rows=ledger.rows, layout=None, unit=ledger.unit)


@dataclass(kw_only=True)
class StripeSource:
    """The Stripe account as a ledger: synced when older than ``max_age`` (0: every read) or marked stale
    by a webhook, then read from ``store``."""

    api: Callable[[], StripeApi]
    store: StripeStore
    clock: Callable[[], dt.datetime]
    today: Month | None = None
    #: what reading the lines needs from the settings (the exchange rates); ``today`` is set over it
    options: ReadOptions = NO_OPTIONS
    max_age: dt.timedelta = dt.timedelta(0)
    #: the last read, shared by the sources a runtime makes: answers between two syncs reuse its ledger
    cache: dict[str, Any] = field(default_factory=dict)
    last_sync: SyncResult | None = field(default=None, init=False)

    @property
    def name(self) -> str:
        return "Stripe"

    def sync(self, *, full: bool = False, force: bool = True) -> SyncResult | None:
        """One sync (None when it was not due, or another instance holds the sync's lease)."""
        now = self.clock()
        if not force and not self.due(now):
            return None
        if not self.store.acquire_lease(_LEASE, now, _LEASE_TTL):
            return None
        try:
            self.last_sync = sync(self.api(), self.store, now, full=full, on_page=self._renew)
        finally:
            self.store.acquire_lease(_LEASE, self.clock(), dt.timedelta(0))  # let go
        return self.last_sync

    def _renew(self) -> None:
        self.store.acquire_lease(_LEASE, self.clock(), _LEASE_TTL)

    def due(self, now: dt.datetime) -> bool:
        progress = self.store.stripe_progress() or {}
        synced = progress.get("synced_at")
        if synced is None or progress.get("run") or self.store.stripe_stale():
            return True
        return now - dt.datetime.fromisoformat(synced) >= self.max_age

    def summary(self) -> StripeSummary:
        """Sync (as ``read_cells`` does), then what the account holds; ``LedgerError`` when its lines cannot
        make a table (nothing paid yet)."""
        ledger = self.read_cells().ledger
        table = ledger.customers
        counts = self.store.stripe_counts()
        api = self.api()
        try:
            name = account_name(api.account())
        except StripeError:  # a restricted key need not read the account: its name is then unknown
            name = None
        return StripeSummary(account=name, mode=api.mode, invoices=counts["invoices"], customers=counts["customers"],
                             first=table.first if table else None, last=table.last if table else None,
                             months=table.count if table else 0)

    def read_cells(self) -> Cells:
        notes: list[Issue] = []
        try:
            self.sync(force=False)
        except StripeUnavailable as exc:
            synced = (self.store.stripe_progress() or {}).get("synced_at")
            if synced is None:
                raise
            notes.append(Issue(severity="warning", code="stripe_as_of",
                               message=say.as_of(str(exc), dt.datetime.fromisoformat(synced))))
        progress = self.store.stripe_progress() or {}
        options = dataclasses.replace(self.options, today=self.today)
        key = (progress.get("synced_by"), options, tuple(n.message for n in notes))
        cached = self.cache.get("cells")
        if cached is not None and self.cache.get("key") == key:
            return cached  # type: ignore[no-any-return]
        rows, customers = self.store.stripe_rows()
        lines, names = billing_lines(rows, customers)
        digest = hashlib.sha256(f"{progress.get('synced_at')}\0{len(rows)}".encode()).hexdigest()
        cells = StripeCells(grid=(), sheet=None, source_digest=digest, lines=tuple(lines), attribute_names=names,
                            options=options, notes=tuple(notes))
        self.cache.update(key=key, cells=cells)
        return cells


_LEASE = "stripe-sync"
_LEASE_TTL = dt.timedelta(minutes=2)  # renewed after every page; a sync killed holds it this long at most
