"""Sync, not re-download: what was read from Stripe is kept, and a repeat reads only what may have changed.

Stripe keeps events for 30 days and its search API lags, so the list endpoints are the source of
truth. A sync runs in stages, each page written with the run's progress in one transaction
(``SyncStore.save``), so a sync killed at any point resumes where the last page was written,
without losing or doubling a line (lines are keyed by their id, and an invoice's lines are
replaced whole):

1. **invoices**, newest first: every invoice on a full sync; otherwise those created since the
   newest seen, widened back to the oldest invoice not final when last read (draft, open,
   uncollectible) when re-listing that window is cheaper than fetching those invoices one by one.
   An invoice with more lines than Stripe puts inline (``lines.has_more``) has the rest read from
   ``/v1/invoices/{id}/lines`` before the invoice is written.
2. **refetch**: the invoices not final when last read that lie before the window, one by one (a
   draft deleted since answers 404 and is dropped).
3. **customers**: every customer the first time, once a day, and after a ``customer.*`` webhook;
   otherwise, only when an invoice read names a customer not kept, those created since the newest one
   seen (``created[gte]``).

A repeat with nothing new is one request (a page of invoices). A full sync
drops what it did not see (invoices deleted while nobody looked).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from stripe_source._client import PAGE, StripeApi
from stripe_source._records import (
    FINAL_STATUSES,
    StripeCustomer,
    StripeInvoice,
    StripeLine,
    read_customer,
    read_invoice,
    read_line,
)

CUSTOMERS_REFRESH = dt.timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class Saved:
    """What one write changed: invoices new, invoices whose status changed (id, before, after), invoices
    dropped, customers new or changed."""

    new: Sequence[str] = ()
    changed: Sequence[tuple[str, str, str]] = ()
    dropped: Sequence[str] = ()
    customers: int = 0


class SyncStore(Protocol):
    """Where the synced objects and the sync's progress are kept (nrr's state database)."""

    def stripe_progress(self) -> dict[str, Any] | None: ...

    def stripe_save(self, *, invoices: Sequence[tuple[StripeInvoice, Sequence[StripeLine]]] = (),
                    customers: Sequence[StripeCustomer] = (), drop: Sequence[str] = (), run: str | None = None,
                    progress: dict[str, Any]) -> Saved:
        """Write the objects and ``progress`` in one transaction; ``run`` marks the invoices as seen by it."""
        ...

    def stripe_drop_unseen(self, run: str, *, since: int | None, statuses: Sequence[str] | None,
                           progress: dict[str, Any]) -> Saved:
        """Drop the invoices (created at ``since`` or later, of ``statuses``; None: all) that ``run`` did not
        see, and write ``progress``, in one transaction."""
        ...

    def stripe_clear(self, progress: dict[str, Any]) -> None: ...

    def stripe_stale(self) -> dict[str, Any] | None:
        """The mark a webhook left (``{"at": ..., "customers": bool}``), or None."""
        ...

    def stripe_clear_stale(self, seen: dict[str, Any] | None) -> None:
        """Clear the mark if it is still ``seen`` (a newer one stays for the next sync)."""
        ...

    def stripe_open_invoices(self) -> list[tuple[str, int]]:
        """(id, created) of every invoice not final when last read, oldest first."""
        ...

    def stripe_statuses(self, ids: Sequence[str]) -> dict[str, str]:
        """The status each of ``ids`` had when last read (those kept)."""
        ...

    def stripe_unknown_customers(self, run: str) -> int:
        """How many customers the invoices ``run`` saved name that are not kept."""
        ...

    def stripe_count_since(self, created: int) -> int:
        """How many kept invoices were created at ``created`` or later."""
        ...


@dataclass(kw_only=True)
class SyncResult:
    """What a sync did: for ``nrr sync`` to print, and for the tests' counts."""

    full: bool
    resumed: bool
    requests: int = 0
    invoices_read: int = 0
    lines_read: int = 0
    customers_read: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    customers_changed: int = 0

    def add(self, saved: Saved) -> None:
        self.new += saved.new
        self.changed += saved.changed
        self.dropped += saved.dropped
        self.customers_changed += saved.customers


_OPEN = ("draft", "open", "uncollectible")


def sync(api: StripeApi, store: SyncStore, now: dt.datetime, *, full: bool = False,
         on_page: Callable[[], None] | None = None) -> SyncResult:
    """Bring ``store`` up to date with Stripe; resumes a sync that was interrupted. ``on_page`` runs after
    each page is written (the tests stop a sync there)."""
    start_requests = api.requests
    progress = store.stripe_progress() or {}
    run = progress.get("run")
    if progress.get("key") != api.fingerprint:  # another key may be another account: start afresh
        progress = {"key": api.fingerprint}
        store.stripe_clear(progress)
        run = None
    resumed = run is not None and not (full and run.get("mode") != "full")
    if not resumed:
        run = _plan(store, progress, now, full=full)
        progress = {**progress, "run": run}
        store.stripe_save(progress=progress)
    assert run is not None
    result = SyncResult(full=run["mode"] == "full", resumed=resumed)

    def save(**kwargs: Any) -> None:
        result.add(store.stripe_save(progress={**progress, "run": run}, run=run["id"], **kwargs))
        if on_page is not None:
            on_page()

    if run["stage"] == "invoices":
        params = {"created[gte]": run["invoices_gte"]} if run["invoices_gte"] is not None else {}
        for data, more in api.pages("invoices", params, run.get("cursor")):
            # an invoice kept final and still so has the lines it had: not read (nor written) again
            kept = {} if run["mode"] == "full" else store.stripe_statuses([str(item["id"]) for item in data])
            invoices = [_complete(api, item, result) for item in data
                        if not (item.get("status") in FINAL_STATUSES and kept.get(str(item["id"])) == item["status"])]
            result.invoices_read += len(data) - len(invoices)
            run["invoices_max"] = max([run.get("invoices_max") or 0, *(int(item.get("created") or 0) for item in data)])
            run["cursor"] = data[-1]["id"] if more else None
            if not more:
                run["stage"] = "unseen"
            save(invoices=invoices)
        if run["stage"] == "invoices":
            run.update(stage="unseen", cursor=None)
            save()
    if run["stage"] == "unseen":  # what the listing should have shown and did not: deleted
        run["stage"] = "refetch"
        full_run = run["mode"] == "full"
        result.add(store.stripe_drop_unseen(run["id"], since=None if full_run else run["invoices_gte"],
                                            statuses=None if full_run else ["draft"],
                                            progress={**progress, "run": run}))
    if run["stage"] == "refetch":
        while run["refetch"]:
            invoice_id = run["refetch"][0]
            found = api.invoice(invoice_id)
            run["refetch"] = run["refetch"][1:]
            if found is None:
                save(drop=[invoice_id])
            else:
                save(invoices=[_complete(api, found, result)])
        # customers: all of them on a full sync or a refresh; else only when an invoice read names one not kept
        run["stage"] = "customers"
        if run["customers_gte"] is not None and not store.stripe_unknown_customers(run["id"]):
            run["stage"] = "done"
        store.stripe_save(progress={**progress, "run": run})
    if run["stage"] == "customers":
        params = {"created[gte]": run["customers_gte"]} if run["customers_gte"] is not None else {}
        for data, more in api.pages("customers", params, run.get("cursor")):
            customers = [read_customer(c) for c in data]
            result.customers_read += len(customers)
            run["customers_max"] = max([run.get("customers_max") or 0, *(c.created for c in customers)])
            run["cursor"] = data[-1]["id"] if more else None
            if not more:
                run["stage"] = "done"
            save(customers=customers)
        if run["stage"] == "customers":  # an empty list
            run.update(stage="done", cursor=None)
            save()
    done = {
        "key": api.fingerprint,
        "invoices_max": max(progress.get("invoices_max") or 0, run.get("invoices_max") or 0) or None,
        "customers_max": max(progress.get("customers_max") or 0, run.get("customers_max") or 0) or None,
        "customers_at": run["customers_at"] if run["customers_gte"] is None else progress.get("customers_at"),
        "synced_at": now.isoformat(), "synced_by": run["id"], "run": None,
    }
    store.stripe_save(progress=done)
    store.stripe_clear_stale(run.get("stale"))
    result.requests = api.requests - start_requests
    return result


def _plan(store: SyncStore, progress: dict[str, Any], now: dt.datetime, *, full: bool) -> dict[str, Any]:
    """A new run: what to list, from when."""
    run: dict[str, Any] = {"id": uuid.uuid4().hex[:16], "stage": "invoices", "cursor": None, "refetch": [],
                           "customers_at": now.isoformat(), "stale": store.stripe_stale()}
    invoices_max = progress.get("invoices_max")
    if full or invoices_max is None:
        return {**run, "mode": "full", "customers_gte": None, "invoices_gte": None}
    customers_at = progress.get("customers_at")
    refresh = ((run["stale"] or {}).get("customers") or customers_at is None
               or now - dt.datetime.fromisoformat(customers_at) >= CUSTOMERS_REFRESH)
    window, refetch = _window(invoices_max, store.stripe_open_invoices(), store.stripe_count_since)
    return {**run, "mode": "incremental", "customers_gte": None if refresh else progress.get("customers_max"),
            "invoices_gte": window, "refetch": refetch}


def _window(newest: int, open_invoices: Iterable[tuple[str, int]], count_since: Callable[[int], int]
            ) -> tuple[int, list[str]]:
    """Where the incremental listing starts, and the open invoices before it to fetch one by one: the
    start that costs the fewest requests (pages listed + invoices fetched alone)."""
    open_list = sorted(open_invoices, key=lambda item: item[1])
    best = (_pages(count_since(newest)) + sum(1 for _, c in open_list if c < newest), newest)
    for n, (_, created) in enumerate(open_list):
        if created >= newest:
            break
        cost = _pages(count_since(created)) + n
        if cost < best[0]:
            best = (cost, created)
    start = best[1]
    return start, [invoice_id for invoice_id, created in open_list if created < start]


def _pages(count: int) -> int:
    return count // PAGE + 1


def _complete(api: StripeApi, data: dict[str, Any], result: SyncResult) -> tuple[StripeInvoice, list[StripeLine]]:
    """An invoice with all its lines: those inline, then the rest from its lines list."""
    invoice, lines = read_invoice(data)
    result.invoices_read += 1
    if not invoice.lines_complete:
        after = lines[-1].id if lines else None
        for page, _ in api.pages(f"invoices/{invoice.id}/lines", {}, after):
            lines += [read_line(item, invoice.id, len(lines) + n) for n, item in enumerate(page)]
    result.lines_read += len(lines)
    return invoice, lines
