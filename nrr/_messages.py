"""Sentences the nrr command says about its own options (tests assert them). A sentence Slack says too is
built in the engine (``needs_customer_table``, ...); only the fix, in the command line's words, is here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from engine import Month, Period, forecast_needs_customers, needs_cohort_method, needs_customer_table


def not_a_count(text: str) -> str:
    return f"'{text}' is not a count of 1 or more, such as 5"


def cohort_options(by: str | None, where: tuple[str, str] | None, top: int | None) -> str | None:
    """What was asked that only a customer table's cohort answers: ``Segments and movers (--by plan, --top 10)``;
    None when nothing was."""
    flags = [f"--by {by}" if by else "", f"--where {'='.join(where)}" if where else "",
             f"--top {top}" if top else ""]
    nouns = ["Segments" if by or where else "", "movers" if top else ""]
    if not any(flags):
        return None
    return f"{' and '.join(n for n in nouns if n).capitalize()} ({', '.join(f for f in flags if f)})"


def options_need_customer_table(asked: str) -> str:
    return needs_customer_table(asked, "Point --ledger at a customer tab or file.")


def options_need_cohort_method(asked: str, method: str, from_config: bool) -> str:
    if from_config:
        return needs_cohort_method(asked, "pass --method cohort", method)
    return needs_cohort_method(asked, f"run it again without --method {method}")


def digest_before_ledger(month: Month, first: Month) -> str:
    return f"{month.name} is before the ledger starts, in {first.name}: it has no digest, and nothing was posted."


def digest_not_closed(month: Month, in_progress: bool, label: str, scheduled: bool) -> str:
    """A digest asked for before its month closed: posted as if closed, it was also recorded, and the real one never
    went. ``scheduled``: the channel has a digest the scheduler posts."""
    state = "in progress" if in_progress else "not begun"
    then = "is posted" if scheduled else "can be posted"
    return (f"{month.name} has not closed ({state} on {label}'s clock): its digest {then} once it closes. Nothing was "
            "posted.")


def digest_unreadable(month: Month, error: str) -> str:
    return f"{error}\nThe {month.name} digest was not posted."


def month_not_in_yet(month: Month, latest: Month | None) -> str:
    return f"{month.name} is not in the ledger yet" + (f" (the latest month is {latest.name})" if latest else "")


def month_in_a_gap(month: Month, before: Month, after: Month) -> str:
    """``June 2026 is missing from the ledger, between May and July 2026``: a gap, not a month still to come."""
    first = before.name.rsplit(" ", 1)[0] if before.year == after.year else before.name
    return f"{month.name} is missing from the ledger, between {first} and {after.name}"


def digest_month_missing(missing: str) -> str:
    return f"{missing}; the digest was not posted."


def body_too_large(limit: int) -> str:
    return f"The request body is over {limit // 1024} KiB, more than nrr reads; nothing was done."


def body_too_slow(seconds: float) -> str:
    return f"The request body did not arrive within {seconds:g} seconds; nothing was done."


def bad_content_length() -> str:
    return "The request's Content-Length is not a number of bytes; nothing was done."


def not_in_ledger_yet(error: str, period: Period, latest: Month, has: Callable[[Month], bool] = lambda m: True,
                      today: dt.date | None = None, then_answers: bool = True) -> str:
    """The engine's "not in the ledger yet" with the ways round it: the same span ending at the latest month
    (shortened to the months after any the ledger lacks, ``has``), and ``--today`` the day after it when
    ``then_answers``: the question asked again as of that day is answered (last-month, ttm, a quarter to date end
    there); not when it names the same months (Q4 2025, or this-month, which would be the month after the latest,
    with no row either). ``today`` in the month after the latest: the month asked for is the one in progress."""
    months = period.last - period.first + 1
    first = period.first if period.to_date and period.first < latest else latest - (months - 1)
    lacking = [m for m in (first + i for i in range(latest - first + 1)) if not has(m)]
    if lacking:  # a span over a month without figures would be refused in turn
        first = lacking[-1] + 1
    span = str(latest) if first >= latest else f"{first}..{latest}"
    after = latest + 1
    now = " It is the month in progress, with no row yet:" if today is not None and Month.of(today) == after \
        and period.last == after else ""
    if now or not then_answers:
        return f"{error}{now} {'ask' if now else 'Ask'} for a period that ends by then ({span})."
    return (f"{error} Ask for a period that ends by then ({span}), or answer as of then with "
            f"--today {after.year:04d}-{after.month:02d}-01.")


def part_not_read() -> str:
    """After "not in the ledger yet", when a second table on the sheet was not read (its months may be those)."""
    return "Part of the sheet is not read, a second table beside or under the ledger: nrr validate says where."


def heatmap_title(by: str, latest: Month | None) -> str:
    as_of = f", as of {latest.name}" if latest is not None else ""
    return f"Net revenue retention by acquisition {by}{as_of}"


def heatmap_basis(by: str, unit: str) -> str:
    return (f"Each cell: what the {by}'s customers pay that many months after their first payment, over what they "
            f"paid then ({unit}, the cohort's customers only). Blank: the cohort is not that old yet.")


def heatmap_size(unit: str) -> str:
    return f"Customers · start {unit}"


HEATMAP_SCALE = "NRR %, 100% = every dollar kept"


def mrr_in_database() -> str:
    """nrr mrr on a database's table, which is answered with sums where it lives (a forecast is answered so too)."""
    return ("nrr mrr reads every customer's figures month by month, and a database table is answered with sums where "
            "it lives, never read row by row. Export the table as CSV (Customer, Month, MRR) and pass that with "
            "--ledger.")


def forecast_needs_table() -> str:
    return forecast_needs_customers("Export MRR by customer and month from billing and pass it with --ledger.")


def target_needs_both() -> str:
    return "--target and --by go together: --target 2000000 --by 2027-12 (the amount in the table's unit)."


def target_month(text: str) -> str:
    return f"--by {text!r} is not a month such as 2027-12."


def fx_rates_unreadable(spec: str, why: str) -> str:
    return (f"[fx] rates = \"{spec}\" (nrr.toml) cannot be read: {why} The rates table is a .csv, .tsv or .xlsx file "
            "(relative to nrr.toml) or a Google Sheet, with one row per month and currency: Month, Currency, Rate.")


def mrr_needs_customer_table(source: str) -> str:
    return (f"{source}: nrr mrr lists each customer's MRR month by month, so it needs a customer table (Customer, "
            "Month, MRR: one figure per customer per month, or one column per month); this is a seven-column "
            "ledger of month totals. Point --ledger at a customer tab or file.")


def fx_rates_missing(spec: str, path: object) -> str:
    return (f"[fx] rates = \"{spec}\" (nrr.toml): no such file (looked for {path}). The rates table is a .csv, "
            ".tsv or .xlsx file relative to nrr.toml, or a Google Sheet, with one row per month and currency: Month, "
            "Currency, Rate.")


def stripe_webhook_refused() -> str:
    return ("Stripe-Signature does not verify with STRIPE_WEBHOOK_SECRET (or its timestamp is more than 5 minutes "
            "off); nothing was read.")


def source_env_unset(name: str) -> str:
    return (f"{name} is not set: the ledger source env:{name} names it as the variable holding the ledger's "
            "database URL. Set it in the environment and start again.")
