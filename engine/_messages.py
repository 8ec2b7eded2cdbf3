"""Every sentence the engine says to a person, in one place.

Each says what is wrong and what to do; the caller adds where (sheet, cell, month). Tests assert
these texts exactly, so a change here is a change people will see.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from engine._month import Month, month_runs


def money(amount: Decimal) -> str:
    """``1234567.5`` -> ``1,234,567.50``."""
    return f"{amount:,.2f}"


def line_rate(line: Decimal) -> str:
    """An alert's line as a percentage with the decimals it has (``0.85`` -> ``85%``, ``0.804`` -> ``80.4%``): a
    line set to 80.4% said "80%" beside a GRR of 80.12% below it."""
    shown = (line * 100).normalize()
    return f"{shown:f}%" if shown != shown.to_integral_value() else f"{shown.to_integral_value():f}%"


def pct(ratio: Decimal) -> str:
    """``1.0812`` -> ``108.12%``."""
    return f"{ratio * 100:.2f}%"


def and_list(items: Sequence[str]) -> str:
    """``["C1", "D1", "E1"]`` -> ``C1, D1 and E1``."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def month_run(months: Sequence[Month]) -> str:
    """``[2026-04, 2026-05, 2026-07]`` -> ``April 2026 to May 2026, July 2026``."""
    return ", ".join(_span(r[0], r[-1]) for r in month_runs(months))


def _span(first: Month, last: Month) -> str:
    """``April 2026 to May 2026``, or ``April 2026`` for one month."""
    return first.name if first == last else f"{first.name} to {last.name}"


# --- reading the ledger -----------------------------------------------------------------------

def unreadable(title: str, found: str, expected: str) -> str:
    return f"{title} {found} is not {expected}."


# --- billing data (engine._billing, engine._billing_read) -----------------------------------------

def quantity_too_large(title: str, found: str) -> str:
    return (f"{title} {found} times the row's amount is more than 1,000,000,000,000,000 (10^15), the largest "
            "amount nrr reads: check the cell for a typo or an ID pasted into it.")


_KIND_WORDS = {"invoice_lines": ("invoice lines", "line"), "subscriptions": ("subscriptions", "row"),
               "customer_months": ("a per-month table with billing intervals", "row")}
_SPREAD_WORDS = {12: "annual", 3: "quarterly", 6: "semi-annual", 24: "two-year", 36: "three-year", 2: "two-month"}


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def customer_count(n: int, kind: str = "") -> str:
    """``1 customer``, ``29 customers``; with ``kind``, ``16 SMB customers``."""
    return f"{n:,} {f'{kind} ' if kind else ''}customer{'' if n == 1 else 's'}"


def left_out_phrase(reason: str, n: int, unit: str, invoices: int = 0) -> str:
    """One reason a line or row was left out, counted: ``18 one-off lines``, ``9 void invoices`` (their lines,
    when more), ``3 lines on void invoices`` (when the lines do not name their invoice)."""
    if reason == "one_off":
        return _count(n, f"one-off {unit}")
    if reason in ("void", "draft", "uncollectible") and invoices:
        return _count(invoices, f"{reason} invoice") + (f" ({_count(n, unit)})" if n != invoices else "")
    if reason in ("void", "draft", "uncollectible"):
        return f"{_count(n, unit)} on {reason} invoices"
    if reason == "credit":
        return _count(n, f"refund or credit {unit}")
    if reason == "trial":
        return _count(n, f"$0 (trial) {unit}")
    if reason == "incomplete":
        return _count(n, f"incomplete (never paid) {unit}")
    if reason == "no_period":
        return f"{_count(n, unit)} without a service period"
    return f"{_count(n, unit)} starting after today's month"


def read_as(kind: str, read: int, customers: int, months_count: int, spread: dict[int, int],
            left_out: dict[str, int], invoices: dict[str, int] | None = None) -> str:
    """What billing data was read as, in one sentence (``nrr validate``, the JSON's summary)."""
    what, unit = _KIND_WORDS.get(kind, (kind, "row"))
    text = f"read as {what}: {_count(read, unit)}, {_count(customers, 'customer')}, {_count(months_count, 'month')}"
    plans = [_SPREAD_WORDS.get(n, f"{n}-month") for n in sorted(spread, reverse=True)]
    if plans:
        text += f"; {and_list(plans)} plans spread over their months"
    reasons = ("one_off", "void", "draft", "uncollectible", "credit", "trial", "incomplete", "no_period",
               "not_started")
    gone = [left_out_phrase(r, left_out[r], unit, (invoices or {}).get(r, 0)) for r in reasons if left_out.get(r)]
    if gone:
        text += f"; {and_list(gone)} left out"
    return text


def billing_negative_mrr(found: Sequence[tuple[str, Month]]) -> str:
    shown = and_list([f"{name} in {month.name}" for name, month in found[:3]]
                     + ([f"{len(found) - 3} more"] if len(found) > 3 else []))
    return (f"Credits add up to more than the recurring lines in {_count(len(found), 'customer-month')} ({shown}); "
            "read as 0. Check that each credit's service period matches the line it corrects.")


def billing_currencies(firsts: Sequence[tuple[str, str]]) -> str:
    listed = ", ".join(f"{code} from {cell}" for code, cell in firsts)
    return (f"The billing data holds more than one currency ({listed}); export one currency at a time, or convert "
            "the amounts to one currency first.")


def billing_nothing_counted(kind: str, read: int, left_out: dict[str, int]) -> str:
    what, unit = _KIND_WORDS.get(kind, (kind, "row"))
    reasons = [left_out_phrase(r, n, unit) for r, n in left_out.items() if n]
    why = f": {and_list(reasons)}" if reasons else ""
    if kind == "invoice_lines":
        need = ("recurring lines need a subscription, a service period of a day or more, an amount above 0 and an "
                "invoice that is paid or open")
    else:
        need = "rows need a customer, a start (or a month), an amount above 0, and not to be a trial"
    return f"Nothing in the {what} counts as MRR ({_count(read, unit)} read{why}); {need}."


def billing_unknown_status(found: Sequence[tuple[str, int]]) -> str:
    listed = and_list([f"'{status}' (row {row})" for status, row in found[:5]])
    return (f"Invoice status {listed} is not one nrr knows; those lines are counted as open. Statuses read: paid, "
            "open, posted, payment_due, not_paid, past_due (counted); void, draft, uncollectible (left out).")


def subscription_unknown_status(title: str, shown: Sequence[str]) -> str:
    listed = and_list(list(shown[:5]))
    return (f"{title} {listed} {'is' if len(shown) == 1 else 'are'} not a subscription status nrr knows; those rows "
            "are counted as live from their start to their end. Statuses read: active, past_due, unpaid, non_renewing "
            "(live); trialing (a trial); incomplete, incomplete_expired (never paid, left out); paused (a warning); "
            "canceled, expired (ended: the end date says when).")


def billed_per_period(n: int, names: Sequence[str]) -> str:
    shown = and_list([*names[:3], *([f"{len(names) - 3} more"] if len(names) > 3 else [])])
    plan = "an annual" if n == 12 else "a quarterly"
    return (f"{_count(len(names), 'customer')} {'pays' if len(names) == 1 else 'pay'} one month in {n} with "
            f"nothing between ({shown}): {plan} plan booked in its invoice month counts {n} times its MRR in that "
            f"month and 0 in the others. Add a Billing interval column (monthly, quarterly, annual) so each amount "
            "is spread over its months, or read the invoice line items with their service periods.")


def billing_api_cents(system: str) -> str:
    where = "Sigma, Data Pipeline, a warehouse sync" if system == "Stripe" else "its API, a warehouse sync"
    return (f"amount is read in cents, as {system}'s own invoice line items hold it (whole numbers under the API's "
            f"column names: {where}); if these are whole units of the currency, head the column amount_units.")


def billing_no_customer() -> str:
    return "No customer on this row; fill in its customer (ID or name), or delete the row."


def quantity_multiplied(amount: str, quantity: str) -> str:
    return (f"{amount} is read as a price per unit and multiplied by {quantity}, as Stripe's subscription export "
            f"writes them; if {amount} is already each subscription's whole amount, head the {quantity} column Seats, "
            "which is left as it is.")


def unit_price_multiplied(amount: str, quantity: str) -> str:
    return f"{amount} is a price per unit: multiplied by {quantity}."


def quantity_in_whole(amount: str, unit_price: str, quantity: str) -> str:
    return (f"{amount} is read as each subscription's whole amount ({unit_price} times {quantity}, as Chargebee writes "
            "them), not multiplied again.")


def quantity_not_multiplied(amount: str, seats: str) -> str:
    return (f"{amount} is read as each subscription's whole amount, not multiplied by {seats}; if it is a price per "
            f"seat, head the {seats} column Quantity and it is multiplied.")


def subscription_ended_without_end(status: str, shown: str, end: str | None) -> str:
    fill = f"fill in {end} with the day it ended" if end is not None else \
        "add an End Date column with the day each subscription ended"
    return (f"{status} {shown} says this subscription has ended, but it has no end date, so when it stopped paying "
            f"cannot be told (counted as live, it would overstate MRR); {fill}.")


def subscription_paused_counted(status: str, shown: str, end: str | None) -> str:
    fill = f"give it {end}" if end is not None else "give it an End Date"
    return (f"{status} {shown}: this subscription is counted as paying every month since its start, though a paused "
            f"one pays nothing; {fill} where the pause began, and a new row from when it resumes.")


def discount_not_taken_off(discount: str, figure: str) -> str:
    return (f"{discount} is not taken off {figure}: a column named {figure} is read as what each customer pays, its "
            f"discounts already off; if {figure} is before discounts, head it Amount beside a Billing frequency and "
            f"{discount} is taken off.")


def read_in_cents_beside(title: str, amount: str) -> str:
    return (f"{title} is read in cents, as {amount} beside it is (100 is 1.00); if it holds units of the currency, "
            "write it in cents.")


def percent_discount_not_applied(title: str, amount: str) -> str:
    return (f"{title} is not applied: nrr takes off discounts written as amounts, not percentages; add a Discount "
            f"column with the amount each row's discount takes off, or write each {amount} after its discount.")


def coupon_not_applied(title: str, count: int, first: str) -> str:
    rows = "A row has" if count == 1 else f"{count} rows have"
    return (f"{rows} a coupon in {title} ('{first}'{' ...' if count > 1 else ''}): the file does not say what it "
            "takes off, so MRR is counted before it. Add a Discount column with the amount each takes off a month "
            "(Stripe's subscription export names the coupon only).")


def tax_in_amount_not_taken_off(amount: str) -> str:
    return (f"{amount} has its tax in it, and no Tax column says how much: MRR is counted with the tax. Add a Tax "
            "column with each row's tax, or give the amounts before tax (head the column Amount).")


def tax_rate_not_applied(title: str, amount: str) -> str:
    return (f"{title} is not applied: {amount} is read with its tax in it, and nrr takes tax off as an amount, not a "
            "rate; add a Tax column with each row's tax, or give the amounts before tax (head the column Amount).")


def discount_duration_not_applied(title: str, discount: str) -> str:
    return (f"{title} is not applied: {discount} is taken off in every month a row is live; where a discount ends "
            "(once, repeating), end the row when it does and start a new row at the full amount.")


def discount_above_amount(discount: str, amount: str) -> str:
    return (f"{discount} is more than {amount}, which would leave a negative amount; check the two cells (a discount "
            "is in the same currency and period as the amount, not a percentage).")


def billing_blank(title: str) -> str:
    return f"{title} is blank; fill it in (every row needs one), or delete the row."


def billing_bad_frequency(title: str, found: str) -> str:
    return (f"{title} {found} is not a billing frequency nrr reads; write monthly, quarterly, semi-annual, annual "
            "or every N months.")


def billing_one_off_frequency(title: str, found: str) -> str:
    return f"{title} {found} is a one-off fee's, not recurring revenue; leave the row out (a one-off fee is not MRR)."


def billing_end_before_start(end: str, start: str) -> str:
    return f"{end} is before {start}; correct one of the two dates."


def billing_lines_end_before_start(rows: Sequence[int]) -> str:
    shown = and_list([f"row {row}" for row in rows[:3]] + ([f"{len(rows) - 3} more"] if len(rows) > 3 else []))
    return f"The service period ends before it starts ({shown}); correct one of the two dates."


def billing_bad_count(title: str, found: str) -> str:
    return (f"{title} {found} is not a number of intervals; write a whole number of 1 or more (3 beside monthly is "
            "every 3 months), or leave it blank for 1.")


def billing_negative(title: str, found: str) -> str:
    return (f"{title} {found} is negative; a customer pays 0 or more (a refund or credit is cash, not MRR: leave the "
            "row out, and write a lower price as the amount from when it applies).")


def billing_missing(looks: str, missing: Sequence[str], header_row: int) -> str:
    return (f"This looks like {looks} (header row {header_row}) but has no {and_list(list(missing))} column; add it, "
            "so each amount can be placed in its months (the README's \"Billing data\" lists the columns each kind "
            "needs).")


def billing_invoice_level(uncertain: Sequence[tuple[str, str]], subscriptions: int) -> str:
    shown = and_list([f"{sub} ({cell})" for sub, cell in uncertain[:3]]
                     + ([f"{len(uncertain) - 3} more"] if len(uncertain) > 3 else []))
    return (f"This is an invoice-level export: an invoice's own period start and end are not the service period "
            f"(for a renewal they are the previous cycle's), so a plan's interval can only be read from the "
            f"cadence of its invoices, and {len(uncertain)} of {subscriptions} subscriptions have too few or "
            f"irregular invoices to tell: {shown}. Export the invoice line items instead, with each line's service "
            "period (Stripe: Sigma or Data Pipeline's invoice_line_items with period_start and period_end; "
            "Chargebee: Invoice Line Items with Date From and Date To), or a subscriptions table.")


def new_business_in_expansion(title: str, unit: str) -> str:
    return (f"'{title}' puts new customers' {unit} with expansion, so it cannot be read as Expanded {unit}: NRR counts "
            f"only what existing customers add. Split it into New {unit} and Expanded {unit} columns.")


def missing_columns(titles: Sequence[str], unit: str, header_row: int | None) -> str:
    names = ", ".join(f"'{t}'" for t in titles)
    plural = "columns" if len(titles) > 1 else "a column"
    where = f"row {header_row}" if header_row else "the first rows"
    return (
        f"No {names} column{'s' if len(titles) > 1 else ''} in the header ({where}); "
        f"add {plural} with {'those headers' if len(titles) > 1 else 'that header'} "
        f"(the template's {unit} ledger has Month, {unit} (Start of Period), Expanded {unit}, "
        f"Churned {unit}, Downgraded {unit})."
    )


def named_columns_missing(named: Sequence[tuple[str, str]], absent: Sequence[str], row: int | None,
                          titles: Sequence[str]) -> str:
    """No row of the first ones holds every column ``[ledger] columns`` names."""
    names = _named(named)
    missing = ", ".join(repr(a) for a in absent)
    where = (f"the row most like a header (row {row}) has {', '.join(repr(t) for t in titles)} and not {missing}"
             if row is not None else f"no row has {missing}")
    return (f"[ledger] columns names {names}, but {where}. Write the names as the header writes them, or remove "
            "[ledger] columns from nrr.toml to have the header's columns recognised.")


def named_columns_elsewhere(named: Sequence[tuple[str, str]]) -> str:
    """No row of the first ones holds any column ``[ledger] columns`` names: read by the header rules instead."""
    return (f"[ledger] columns names {_named(named)}, and this table has none of them, so its columns were "
            "recognised by their headers. If it is the table they were named for, write the names as its header "
            "writes them.")


def _named(named: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{role} = {title!r}" for role, title in named)


def named_columns_short(named: Sequence[tuple[str, str]], row: int, missing: Sequence[str]) -> str:
    """The columns ``[ledger] columns`` names, with the header's, make no long customer table: ``missing`` roles."""
    roles = and_list(list(missing)) if missing else "customer, month and mrr"
    them = "it" if len(missing) == 1 else "them"
    return (f"[ledger] columns names {_named(named)}, and row {row} has no column the header rules read as the "
            f"{roles} of a customer table (one row per customer and month). Name {them} in [ledger] columns "
            "too, such as {customer = \"acct\", month = \"m\", mrr = \"amount\"}.")


def no_header(unit: str) -> str:
    return (
        "No header row found: the first rows should name the columns Month, "
        f"{unit} (Start of Period), Expanded {unit}, Churned {unit} and Downgraded {unit}, or, for a customer "
        "table, Customer, Month and MRR (or one column per month, headed like Jan 2026). A customer table headed in "
        "other words can name its columns in nrr.toml: [ledger] columns = {customer = \"...\", month = \"...\", "
        "mrr = \"...\"}."
    )


def mixed_units(mrr_cols: Sequence[str], arr_cols: Sequence[str]) -> str:
    return (
        f"The columns mix MRR ({', '.join(mrr_cols)}) and ARR ({', '.join(arr_cols)}); "
        "keep the whole ledger in one of them."
    )


def duplicate_column(ignored: str, field: str, used: str) -> str:
    return f"{ignored} also looks like the {field} column; {used} is used and this one is ignored."


def column_left_out(ignored: str, field: str, used: Sequence[str], end: str) -> str:
    read, it = ("is", "it") if len(used) == 1 else ("are", "them")
    return (f"{ignored} also looks like the {field} column; {' and '.join(used)} {read} used, as the End column "
            f"({end}) adds up with {it}, and this one is ignored.")


def cancel_scheduled(cancel: str, status: str, count: int, shown: str) -> str:
    rows = "A subscription is" if count == 1 else f"{count} subscriptions are"
    return (f"{rows} {shown} in {status} with a date in {cancel}: a cancellation asked for, taking effect when the "
            "period paid for ends; read as paying until then (an Ended At column, or a status of canceled once it "
            "ends, gives the end).")


def new_in_end(end: str, new: str, rows: int) -> str:
    return (f"{end} includes '{new}' on {rows} rows (End - the formula is its figure): NRR leaves new customers out, "
            f"so each month's End and NRR are worked out without it, from Start + Expanded - Churned - Downgraded.")


def figures_in_thousands(header: str, unit: str) -> str:
    return (f"'{header}' says its figures are in thousands: they are read and shown as written (2,002 for "
            f"2,002,000), and no benchmark stage is picked from the {unit} they add up to. Set [company] stage in "
            "nrr.toml, or write the figures in full.")


def still_months(first: Month, last: Month, unit: str) -> str:
    span = first.name if first == last else f"{first.name} to {last.name}"
    return (f"Every movement in {span} is 0, after months that each moved: read as written, no customer expanded, "
            f"churned or downgraded (NRR 100%). If {'it is' if first == last else 'they are'} laid out ahead with "
            f"formulas, leave the movements blank until the month closes (a blank month at the end is left out), or "
            f"delete {'its row' if first == last else 'their rows'}.")


def part_left_out(used: str, end: str) -> str:
    return (f"If '{used}' leaves it out, add it there; or add the {end} column, whose figures tell which columns "
            "add up.")


def columns_added(names: Sequence[str], field: str, end: str | None) -> str:
    why = f"as the End column ({end}) adds up with them" if end else "as each is a part of it"
    return f"{' and '.join(names)} are added up as the {field} column, {why}."


def amounts_without_month(sum_of: str | None = None) -> str:
    """``sum_of``: the column whose figure in the row is the sum of the rows above (a total left without a label)."""
    if sum_of is not None:
        return (f"This row has amounts but no month, and its {sum_of} is the sum of the rows above: a total? Write "
                "Total in its Month cell to have it left out, or delete the row; if it is a month, enter the month.")
    return "This row has amounts but no month; enter the month in the Month column."


def duplicate_month() -> str:
    return "This month appears more than once; keep one row per month (delete or merge the others)."


def negative_amount(title: str, amount: Decimal) -> str:
    return f"{title} is {money(amount)}; it cannot be negative. Enter the amount as a positive number."


def blank_start(title: str) -> str:
    return f"{title} is blank; enter the recurring revenue at the start of the month."


def losses_exceed_start(churn: Decimal, downgrade: Decimal, start: Decimal) -> str:
    return (
        f"Churned + Downgraded = {money(churn + downgrade)} is more than the "
        f"{money(start)} the month started with; a month cannot lose more than it started with. "
        "Check these cells."
    )


def ledger_months_not_landed(months: Sequence[Month], unit: str, last: Month | None = None) -> str:
    """The last rows of a seven-column ledger with a Start but no movement: months laid out ahead; ``last``: the
    last month with movements, where the ledger ends (default the month before the first of them)."""
    span, one = month_run(months), len(months) == 1
    last = months[0] - 1 if last is None else last
    rows = "this last row" if one else "these last rows"
    return (f"{span}: Expanded, Churned and Downgraded {unit} are blank in {rows}, "
            f"so {'it is' if one else 'they are'} read as not closed yet and left out: the ledger ends in "
            f"{last.name}. To count {'it' if one else 'one'}, enter its figures (0 where nothing "
            "moved).")


def no_movements(unit: str) -> str:
    return f"Expanded, Churned and Downgraded {unit} are all blank; read as 0. Enter 0 to confirm."


def end_disagrees(title: str, found: Decimal, computed: Decimal) -> str:
    return (
        f"{title} says {money(found)} but Start + Expanded - Churned - Downgraded = "
        f"{money(computed)}; using {money(computed)}."
    )


def end_disagrees_blank(title: str, found: Decimal, computed: Decimal, blanks: Sequence[tuple[str, str]],
                        implied: Decimal | None) -> str:
    """End disagrees on a row where movements were left blank (read as 0): the blanks are the likely cause.
    ``blanks``: each blank movement's title and cell; ``implied``: the one blank's value that would add up."""
    titles = and_list([t for t, _ in blanks])
    cells = and_list([c for _, c in blanks])
    said = (f"{title} says {money(found)} but Start + Expanded - Churned - Downgraded = {money(computed)} "
            f"with {titles} blank ({cells}, read as 0); using {money(computed)}.")
    if implied is not None:
        return f"{said} If {blanks[0][0]} should be {money(implied)}, enter it in {blanks[0][1]}."
    return f"{said} Fill in the blank cells so the row adds up to {money(found)}."


def rate_disagrees(title: str, found: Decimal, computed: Decimal) -> str:
    return f"{title} says {pct(found)} but the formula gives {pct(computed)}; using {pct(computed)}."


def inverted_nrr(title: str, month: Month, found: Decimal, computed: Decimal, more: int, formula: str,
                 cell: str) -> str:
    others = f", and {more} more month{'s are' if more > 1 else ' is'} off the same way" if more else ""
    return (
        f"{title} holds 2 - End/Start, the inverted formula some templates give ((Start - End)/Start + 1): "
        f"{month.name} shows {pct(found)} where retention is {pct(computed)}{others}. nrr uses End/Start: "
        f"put {formula} in {cell} and copy it down the column (in a Google Sheet, nrr fill --fix-formulas "
        "replaces the inverted formulas)."
    )


def months_without_figures(listed: Sequence[Month], before: Month, after: Month) -> str:
    n = len(listed)
    return (
        f"{month_run(listed)} {'are' if n > 1 else 'is'} listed with no figures, between {before.name} and "
        f"{after.name}, which have them; periods that span {'them' if n > 1 else 'it'} are refused until "
        f"{'they are' if n > 1 else 'it is'} filled in."
    )


def gap(missing: Sequence[Month], before: Month, after: Month) -> str:
    n = len(missing)
    return (
        f"No row for {month_run(missing)} ({n} month{'s' if n > 1 else ''} missing between "
        f"{before.name} and {after.name}); periods that span the gap are refused until "
        f"{'they are' if n > 1 else 'it is'} added."
    )


def revenue_vanished(start: Decimal, previous: Month, previous_end: Decimal) -> str:
    return (
        f"Start is {money(start)}, below {previous.name}'s End of {money(previous_end)}: "
        f"{money(previous_end - start)} vanished between the rows. Record it as churn or "
        "downgrade in the month it happened."
    )


def recomputed() -> str:
    return "It is computed from the other columns instead."


def empty_ledger() -> str:
    return "The ledger has no month with figures yet; fill in at least one row."


def broken_row(error: str) -> str:
    return (f"This row holds a spreadsheet error ({error}) where its figures go, and no month: its formulas are "
            "broken, so it is left out; fix them, or delete the row.")


def units_row(first: str) -> str:
    return (f"This row holds words, not figures ('{first}'), and no month: read as a note about the columns (their "
            "units) and left out.")


def ledger_transposed(first: str, names: Sequence[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:4])
    return (f"The ledger runs across the sheet: the figures' names go down from {first} ({shown}) and the months "
            "across. nrr reads a month a row, under a header of those names: transpose the table (copy it, then "
            "Paste special > Transposed) and read it again.")


def table_beside(first: str, last: str) -> str:
    """A second ledger beside the first on one tab (a year a block of columns): its header repeats the ledger's."""
    return (f"The header in {first}:{last} repeats the ledger's: a second ledger beside this one, whose rows are not "
            "read, and no answer counts them. nrr reads one ledger a tab: put those rows under this table's, in its "
            "columns, or on a tab of their own.")


def another_table(row: int, headers: Sequence[str], reordered: bool = False) -> str:
    """A second table under the ledger, headed by a row of its own (or, ``reordered``, the ledger's header written
    otherwise: respelled, reordered, in another unit or currency): the ledger is read above it."""
    shown = ", ".join(f"'{h}'" for h in headers[:4]) + (", ..." if len(headers) > 4 else "")
    if reordered:
        return (f"Row {row} heads the ledger's columns again, written otherwise ({shown}): the ledger is read above "
                "it, and nothing from there on is read or filled. Put those rows under the first header, in its "
                "columns, unit and currency.")
    return (f"Another table starts at row {row} (headed {shown}): the ledger is read above it, and nothing from "
            "there on is read or filled. Move that table to a tab of its own, or leave it: it is left out.")


def current_mrr_only(title: str) -> str:
    return (f"This looks like a list of customers with their {title} (one row each, no month): NRR compares what the "
            "same customers paid a period apart, and a cancelled customer's current MRR is 0, so it cannot be read "
            "from this. Export each customer's MRR month by month (a customer table: Customer, Month, MRR), or the "
            "subscriptions with their start and end dates.")


def spans_column(title: str) -> str:
    return (f"The '{title}' column names spans of months: NRR is read from one row per month, so give each month "
            "its own row under a Month column; the quarter's figures follow from its months.")


def spans_only(unit: str) -> str:
    return (f"Every row names a span of months (a quarter, a year), not a month: NRR is read from one row per month. "
            f"Give each month its own row (Month, {unit} (Start of Period), ...); the quarter's figures follow from "
            "its months.")


# --- periods ----------------------------------------------------------------------------------

#: how much of what was typed a refusal quotes: a paragraph pasted by mistake is not said back whole
QUOTED = 60


def quoted(text: str) -> str:
    """``text`` as a refusal quotes it: stripped, and its first ``QUOTED`` characters and "…" when longer.

    >>> quoted("  q3 compare ")
    'q3 compare'
    >>> quoted("q" * 100) == "q" * 60 + "…"
    True
    """
    text = text.strip()
    return text if len(text) <= QUOTED else f"{text[:QUOTED].rstrip()}…"


def unknown_period(query: str, examples: Sequence[str]) -> str:
    return f"'{quoted(query)}' is not a period I know. Try one of: {', '.join(examples)}."


def outside_calendar(query: str) -> str:
    return (f"'{query.strip()}' is outside the calendar, whose years run from 1 to 9999: ask for a period the "
            "ledger covers.")


def not_started(label: str, latest_closed: Month) -> str:
    return f"{label} has not started yet; the latest closed month is {latest_closed.name}."


def no_closed_month_yet(year_label: str, first: Month) -> str:
    return (
        f"{year_label} began in {first.name} and has no closed month yet; "
        "try this-month or last-year."
    )


def range_ends_ahead(first: Month, last: Month, current: Month) -> str:
    return (f"The range ends in {last.name}, which has not begun (this is {current.name}); ask for one that ends "
            f"by the latest closed month ({first}..{current - 1}), or by {current.name} ({first}..{current}) to "
            f"count it so far.")


def backwards_range(first: Month, last: Month) -> str:
    return f"The range ends ({last.name}) before it starts ({first.name}); put the earlier month first."


def ledger_empty() -> str:
    return "The ledger has no months yet."


def not_in_ledger_yet(month: Month, latest: Month) -> str:
    return f"{month.name} is not in the ledger yet; the latest month is {latest.name}."


def before_ledger(period_label: str, period_first: Month, first: Month, derived: bool = False) -> str:
    if derived:  # a customer table's first month has no month before it to compare with
        return (f"{period_label} starts in {period_first.name}; a month's figures compare it with the month before, "
                f"and the customer table starts in {(first - 1).name}, so the first month that can be answered is "
                f"{first.name}.")
    if period_label == period_first.name:
        return f"{period_label} is before the ledger starts; the first month is {first.name}."
    return (
        f"{period_label} starts in {period_first.name}, before the ledger does; "
        f"the first month is {first.name}."
    )


def period_has_gaps(label: str, missing: Sequence[Month], listed: Sequence[Month] = ()) -> str:
    """``listed``: those of the ``missing`` months whose row is there with no figures."""
    if len(missing) == 1 and label == missing[0].name:
        if listed:
            return f"{label}'s row in the ledger has no figures yet. Fill it in, or ask for another month."
        return f"{label} has no row in the ledger. Add it, or ask for another month."
    if listed and len(listed) == len(missing):
        return (f"{label} spans months whose rows in the ledger have no figures yet: {month_run(missing)}. "
                "Fill them in, or ask for a period that avoids them.")
    return (
        f"{label} spans months the ledger does not have: {month_run(missing)}. "
        "Add them to the ledger, or ask for a period that avoids them."
    )


def sum_not_meaningful(losses: Decimal, start: Decimal, first: Month) -> str:
    return (f"not meaningful for this span with the sum method: its losses ({money(losses)}) exceed {first.name}'s "
            f"Start ({money(start)}), so they include revenue added after that Start (expansion, or customers won "
            "later) and cannot all come out of it; the chained method answers this span")


def sum_grr_not_meaningful(losses: Decimal, start: Decimal, first: Month) -> str:
    return f"GRR is {sum_not_meaningful(losses, start, first)}."


def needs_customer_table(asked: str, fix: str) -> str:
    """What the terminal and Slack say when ``asked`` (``Movers``, ``Segments (--by plan)``) is put to month totals;
    ``fix`` says how to ask in each."""
    return (f"{asked} need a customer table (one MRR figure per customer per month); this ledger holds month totals. "
            f"{fix}")


def needs_cohort_method(asked: str, fix: str, configured: str | None = None) -> str:
    """What the terminal and Slack say when ``asked`` is put to a customer table with another method: ``configured``
    when that method is nrr.toml's, not one the question gave."""
    if configured is not None:
        return f"{asked} come from the cohort method; nrr.toml's [ledger] method is {configured}: {fix}."
    return f"{asked} come from the cohort method; {fix}."


def cohorts_need_customers() -> str:
    return needs_customer_table("Cohorts", "Point --ledger at a customer tab or file.")


def totals_approximation(method: str) -> str:
    """What a trailing figure from month totals is next to the 12-month cohort figure; the sizes are the range
    ``bench/approximation.py`` measures on simulated customers whose new customers churn early (5,000 customers,
    48 months, 5 seeds: -1.1 to -8.0 pts flat, -4.0 to -34.9 growing 50-100% a year, to -40.8 at 200%), its tail
    included; ``tests/test_approximation.py`` holds a small version."""
    if method == "chained":
        return ("chained from month totals: an approximation of the 12-month cohort figure, low when new customers "
                "churn early (common in SMB): in simulations 1-8 pts for a flat company, 4-35 pts for one growing "
                "50-100% a year, up to 41 pts at 200%; add a customer tab for the exact one")
    # new customers' movements over the first Start: below the cohort figure when they churn or shrink, above it
    # when they expand (fuzz 14: 200.00% said to run below a cohort figure of 100.00%)
    return ("summed from month totals: new customers' movements count against the first Start, so it departs from "
            "the 12-month cohort figure, below it when new customers churn or shrink and above it when they expand, "
            "the more so the faster the company grows; add a customer tab for the exact one")


def cohort_needs_a_year(method: str) -> str:
    how = "chained" if method == "chained" else "summed"
    return f"{how} from the customer table's month totals until it holds the 13 months a 12-month cohort needs"


def totals_as_asked(method: str) -> str:
    how = "chained" if method == "chained" else "summed"
    return (f"{how} from the customer table's month totals, as asked: the cohort method (the default) gives the "
            "exact 12-month cohort figure")


def benchmark_basis_note(note: str) -> str:
    return f"Benchmark basis (the trailing 12 months): {note}"


def currency_not_configured(shown: str, configured: str) -> str:
    return (f"The ledger's money is in {shown}, as its figures or its Currency column show, and [company] currency is "
            f"{configured}: every figure here is in {shown}. If its figures are in {configured}, show them so (format "
            f"the money cells as {configured}; a template nrr made before December 2026 shows $ whatever the "
            f"currency), or set [company] currency to {shown}.")


def grr_lines_out_of_order(leaky: Decimal, concerning: Decimal) -> str:
    return (f"grr_leaky ({_half_up(leaky * 100, 1).normalize():f}%) must be below grr_concerning "
            f"({_half_up(concerning * 100, 1).normalize():f}%): below grr_leaky GRR is a leaky bucket, below "
            "grr_concerning it is concerning; lower grr_leaky or raise grr_concerning.")


def no_comparison(reason: str) -> str:
    """``No comparison with the period before: the cohort is ...``: the reason, a sentence of its own elsewhere, goes
    on after the colon in lower case where its first word is a common one (a month's or NRR's name stays)."""
    first = reason.split(" ", 1)[0]
    if first in ("The", "A", "An", "This", "These", "It", "Its", "No", "Nobody", "Every", "Some"):
        reason = reason[:1].lower() + reason[1:]
    return f"No comparison with the period before: {reason}"


def sum_needs_cohort_rows(month: Month, previous: Month, gained: bool) -> str:
    """``gained``: the Start is above the End before it (new customers joined), else below (MRR left unrecorded)."""
    between = "new customers joined in between" if gained else "MRR left in between without a record"
    return (
        f"The sum method treats the rows as one cohort, but {month.name}'s Start is not "
        f"{previous.name}'s End ({between}); the chained method fits this ledger."
    )


def months(count: int) -> str:
    """``1 month``, ``5 months``."""
    return f"{count} month{'' if count == 1 else 's'}"


def segment_needs_a_year(segment: str, year: Month, first: Month) -> str:
    return (f"no annual figure for {segment} yet: a segment's 12-month cohort is its customers in {year.name}, and "
            f"the customer table starts in {first.name}")


def segment_new_since(segment: str, year: Month) -> str:
    return (f"no annual figure for {segment}: none of its customers was paying in {year.name}, so it has no "
            "12-month cohort to compare")


def too_little_history(count: int, as_of: Month, needed: int, gap: Sequence[Month] = ()) -> str:
    if gap:  # the ledger has the history, but months are missing from it
        missing, it = _missing(gap)
        return (f"no annual figure: benchmarks compare a year of retention, and {missing} from the ledger, which "
                f"leaves {months(count)} after {it} to {as_of.name}; add {'its row' if len(gap) == 1 else 'their rows'}"
                " for the trailing 12 months")
    return (f"no annual figure yet: benchmarks compare a year of retention, and the ledger has {months(count)} "
            f"of history to {as_of.name}; it needs {_more(needed - count)} for an indicative figure "
            f"({needed} months), {_more(12 - count)} for the trailing 12 months")


def gap_in_history(gap: Sequence[Month]) -> str:
    """Why an annual figure rests on fewer than 12 months of a ledger that holds more."""
    missing, it = _missing(gap)
    rows = "its row" if len(gap) == 1 else "their rows"
    return f"{missing} from the ledger: only the months after {it} count; add {rows} for 12"


def _missing(gap: Sequence[Month]) -> tuple[str, str]:
    """``November 2025 to December 2025 are missing`` and ``them``, or ``July 2025 is missing`` and ``it``."""
    return (f"{month_run(gap)} {'is' if len(gap) == 1 else 'are'} missing", "it" if len(gap) == 1 else "them")


def _more(count: int) -> str:
    return f"{count} more month{'' if count == 1 else 's'}"


def quarter_since_start(quarter: str, first: Month, last: Month, start: Month, customers: bool) -> str:
    """A quarter the ledger starts inside: ``Q1 2026, Feb 2026 to Mar 2026 (the ledger starts in February 2026)``."""
    span = first.short if first == last else f"{first.short} to {last.short}"
    return f"{quarter}, {span} (the {'customer table' if customers else 'ledger'} starts in {start.name})"


def undefined_zero_start(month: Month) -> str:
    return f"not defined: {month.name} started with no recurring revenue"


# --- answers ----------------------------------------------------------------------------------

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "CA$", "AUD": "A$",
            "NZD": "NZ$", "BRL": "R$", "CNY": "CN¥"}


def currency_amount(amount: Decimal, currency: str = "USD", places: int = 0) -> str:
    """``-5000, "USD"`` -> ``-$5,000``; unknown codes are written out: ``CHF 5,000``."""
    symbol = _SYMBOLS.get(currency)
    figure = f"{abs(amount):,.{places}f}"
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{figure}" if symbol else f"{sign}{currency} {figure}"


def _half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rate(ratio: Decimal | None, places: int = 1) -> str:
    """A ratio as a percentage for people: ``1.0312`` -> ``103.1%``; None -> ``n/a``.

    Rounded half up, like the JSON figures, so the two never disagree.
    """
    return "n/a" if ratio is None else f"{_half_up(ratio * 100, places)}%"


def pts(delta: Decimal, places: int = 1) -> str:
    """A change in percentage points with its sign: ``-0.0517`` -> ``-5.2 pts``. A change that one decimal would
    show as 0.0 is shown to two, as the figures are (``-0.0002`` -> ``-0.02 pts``: 100.81% to 100.79% is a fall,
    not ``+0.0``); one that two decimals show as 0.00 too is ``+0.0 pts``, never ``-0.0 pts``."""
    shown = _half_up(delta * 100, max(places, pts_places(delta)))
    return f"{shown if shown else abs(shown):+} pts"


def pts_shown(delta: Decimal, places: int = 1) -> Decimal:
    """A change in points as shown to ``places`` decimals: ``-0.0199`` -> ``Decimal('-2.0')``."""
    return _half_up(delta * 100, places)


def pts_places(delta: Decimal) -> int:
    """The decimals ``pts`` shows a change to: one, or two where one would show 0.0 and two do not."""
    return 2 if not _half_up(delta * 100, 1) and _half_up(delta * 100, 2) else 1


def shows_as_no_change(delta: Decimal, places: int = 1) -> bool:
    """Whether a change in points shows as no change (``+0.0 pts``, at two decimals too): it then has no direction,
    no driver, no arrow."""
    return _half_up(delta * 100, max(places, 2)) == 0


DRIVER_WORDS = {"expansion": "expansion", "contraction": "downgrades", "churn": "churn"}


def movement(part: str, delta: Decimal, places: int = 1) -> str:
    """``more churn (-5.9 pts)``, ``less expansion (-0.4 pts)``: a part of a change, in words that agree
    with its sign (more expansion helps; more churn or downgrades hurt)."""
    helped = delta > 0
    more = helped if part == "expansion" else not helped
    less = "fewer" if part == "contraction" else "less"  # fewer downgrades, less churn
    return f"{'more' if more else less} {DRIVER_WORDS[part]} ({pts(delta, places)})"


TIER_WORDS = {"best-in-class": "Best-in-class", "strong": "Strong", "good": "Good",
              "concerning": "Concerning", "critical": "Critical"}
GRR_WORDS = {"healthy": "healthy (90%+)", "watch": "below the 90% ideal",
             "concerning": "concerning (below 85%)",
             "leaky-bucket": "a leaky bucket (below 80%): expansion is hiding losses"}
#: a leaky bucket whose NRR is below 100% is hiding nothing: the losses show
LEAKY_AND_SHRINKING = "a leaky bucket (below 80%): losses outrun expansion"

SEGMENT_WORDS = {"enterprise": "an enterprise", "mid-market": "a mid-market", "smb": "an SMB"}
SEGMENT_NAMES = {"enterprise": "enterprise", "mid-market": "mid-market", "smb": "SMB"}
FUNDING_WORDS = {"vc": "VC-backed", "bootstrapped": "bootstrapped"}


def assumed_profile(segment: str, funding: str) -> str:
    return (f"Compared as {SEGMENT_WORDS[segment]}, {FUNDING_WORDS[funding]} company (the default); set "
            "[company] segment and funding in nrr.toml to compare with your own.")


# --- warnings under an answer ----------------------------------------------------------------

WARNINGS_SHOWN = 3  # a report or a Slack answer shows this many; nrr validate lists them all


def more_warnings(count: int) -> str | None:
    """What stands for the warnings past the first ``WARNINGS_SHOWN`` of ``count``, or None when all show:
    ``...and 9 more warnings: run nrr validate to see them all.``"""
    more = count - WARNINGS_SHOWN
    if more <= 0:
        return None
    return f"...and {more} more warning{'' if more == 1 else 's'}: run nrr validate to see them all."


# --- alerts -----------------------------------------------------------------------------------

MEANING_MEDIAN = "half of comparable companies keep more of their revenue than this"
MEANING_100 = "below 100% the existing customer base is shrinking before any new sales"
MEANING_GRR = "healthy NRR needs GRR above 85%, ideally 90%+; below it, losses are outrunning the base"
MEANING_LEAKY = "below 80% GRR, expansion is compensating for a leaky bucket rather than showing product fit"
MEANING_LEAKY_SHRINKING = ("below 80% GRR with NRR under 100%, losses outrun expansion: the customers a year old "
                           "pay less every year")


def alert_tier(figure: str, tier: str, before: str, nrr: Decimal, month: Month, meaning: str) -> str:
    """``figure``: what the NRR is (``Trailing-12-month``, ``12-month cohort``)."""
    if before == tier or before == "unknown":
        return f"{figure} NRR is {pct(nrr)} as of {month.name}: {tier} ({meaning.lower()})."
    order = ["best-in-class", "strong", "good", "concerning", "critical"]
    direction = "down" if order.index(tier) > order.index(before) else "back up"
    return (f"{figure} NRR is {pct(nrr)} as of {month.name}: {direction} from {before} to {tier} "
            f"({meaning.lower()}).")


def alert_below_line(metric: str, value: Decimal, line: Decimal, line_name: str, since: Month,
                     month: Month, below: bool, meaning: str) -> str:
    """``metric``: the figure by its name (``Trailing-12-month NRR``, ``12-month cohort GRR``)."""
    gap = abs(value - line) * 100
    if below:
        return (f"{metric} is {pct(value)}, {gap:.2f} pts below {line_name} since "
                f"{since.name}. Why it matters: {meaning}.")
    return f"{metric} is back above {line_name}: {pct(value)} as of {month.name}."


def alert_dependent(figure: str, nrr: Decimal, grr: Decimal, nrr_line: Decimal, grr_line: Decimal, since: Month,
                    month: Month, firing: bool) -> str:
    if firing:
        return (f"{figure} NRR is {pct(nrr)}, above the {line_rate(nrr_line)} line, while GRR is {pct(grr)}, "
                f"below {line_rate(grr_line)}, since {since.name}: growth depends on expansion; if expansion "
                "slows, NRR falls fast.")
    return f"Growth no longer leans on expansion alone: GRR is {pct(grr)} as of {month.name}."


def alert_move(metric: str, delta: Decimal, points: Decimal, months: int, month: Month, firing: bool) -> str:
    if firing:
        return (f"{month.name}'s monthly {metric} is {abs(delta) * 100:.2f} pts below its {months}-month "
                f"average (the line is {points * 100:.0f} pts): an unusual month worth a look.")
    return f"{month.name}'s monthly {metric} is back within {points * 100:.0f} pts of its {months}-month average."


def alert_falling(since: Month, month: Month, firing: bool) -> str:
    if firing:
        return f"Monthly NRR has fallen three months running, to {month.name} (since {since.name})."
    return f"Monthly NRR stopped falling in {month.name}."


def alert_ledger_errors(count: int, new: list[str]) -> str:
    shown = "; ".join(e.rstrip(".") for e in new[:5]) + ("; ..." if len(new) > 5 else "")
    return f"The ledger has {count} error(s) now, {len(new)} new: {shown}. Answers wait until they are fixed."


def alert_ledger_clean() -> str:
    return "The ledger reads cleanly again: every error is fixed."


def own_line_meaning(line: Decimal, default: Decimal, source: str) -> str:
    """Why a line matters when the workspace moved it from its source's: the source's reason quotes the source's
    number, which the figure may not be on the far side of (a GRR of 83% under a leaky line moved to 85% is not
    "below 80%"), so the sentence says whose line it is and where the source draws it instead."""
    return f"the {line_rate(line)} line is this workspace's own; {source} draws it at {line_rate(default)}"


def own_line_source(source: str) -> str:
    """The source of an alert whose line the workspace set (nrr.toml's [alerts.thresholds], or /nrr alert in Slack):
    its own settings, then the guidance it moved."""
    return f"this workspace's alert settings, against {source}"


MEANING_LOGOS = "losing 20% of customers a year leaves the base to be rebuilt every few years, whatever NRR says"


def alert_logos(logos: Decimal, line: Decimal, retained: int, customers: int, since: Month, month: Month,
                firing: bool, meaning: str = MEANING_LOGOS) -> str:
    if firing:
        gap = abs(logos - line) * 100
        return (f"12-month logo retention is {pct(logos)} as of {month.name} ({retained} of the {customers} "
                f"customers paying a year before still pay), {gap:.2f} pts below the {line_rate(line)} line since "
                f"{since.name}. Why it matters: {meaning}.")
    return f"12-month logo retention is back above the {line_rate(line)} line: {pct(logos)} as of {month.name}."


def alert_hiding_churn(nrr: Decimal, logos: Decimal, grr: Decimal, logo_line: Decimal, grr_line: Decimal,
                       since: Month, month: Month, firing: bool) -> str:
    if firing:
        return (f"12-month cohort NRR is {pct(nrr)} as of {month.name}, at or above 100%, while logo retention is "
                f"{pct(logos)} (line {line_rate(logo_line)}) and GRR {pct(grr)} (line {line_rate(grr_line)}), since "
                f"{since.name}: expansion from the accounts that stay is hiding the customers who leave.")
    return (f"Expansion no longer hides churn: logo retention {pct(logos)} and GRR {pct(grr)} as of "
            f"{month.name}.")


def alert_concentration(share: Decimal, line: Decimal, names: Sequence[str], top: Decimal, total: Decimal,
                        currency: str, since: Month, month: Month, firing: bool) -> str:
    count = len(names)
    if firing:
        return (f"{count} account{'s' if count != 1 else ''} ({', '.join(names)}) gave {pct(share)} of the "
                f"expansion in the 12 months to {month.name} ({currency_amount(top, currency)} of "
                f"{currency_amount(total, currency)}), above the {line_rate(line)} line since {since.name}: growth "
                "rests on a few customers, and losing one of them moves NRR.")
    return (f"Expansion is spread wider again: the top {count} account{'s' if count != 1 else ''} gave "
            f"{pct(share)} of it in the 12 months to {month.name}.")


# --- customer tables --------------------------------------------------------------------------

def read_as_cents(unit: str, header: str) -> str:
    return (f"The {unit} column \"{header}\" is read as cents, as its header says (120050 is 1,200.50). If it holds "
            "whole currency units, take \"cents\" out of its header.")


#: what a figure in a column of cents must look like
CENTS_EXPECTED = ("a number of cents such as 120050, with no currency symbol or thousands separator "
                  "(the header says cents)")


def customer_negative(unit: str, amount: Decimal, written: str | None = None) -> str:
    """``written``: the cell as shown (quoted), instead of the amount when the amount shows as 0.00 (-0.005)."""
    shown = money(amount)
    if written is not None and shown.lstrip("-") == "0.00":  # "-0.00 is negative" contradicts itself
        shown = written
    return (f"{unit} {shown} is negative; a customer pays 0 or more in a month "
            "(record a credit as a lower figure, not below 0).")


def customer_missing(unit: str) -> str:
    return f"This row has {unit} but no customer; fill in the customer or delete the row."


def customer_id_missing(name: str, id_column: str) -> str:
    """A row with a customer's name but no ID (its MRR may be blank: fuzz 17 was told a blank row "has MRR")."""
    return (f"This row has a customer name ('{name.strip()}') but no {id_column}, the column that tells customers "
            "apart; fill in its ID.")


def customer_repeated(name: str) -> str:
    return (f"'{name}' has two rows for this month; add a Subscription, Plan or Product column to tell "
            "them apart (they are then summed), or merge them into one row.")


def customer_rows_share(name: str, column: str, value: str | None, this_month: bool) -> str:
    """Two rows of one customer that the table's Subscription, Plan or Product column does not tell apart."""
    rows = "two rows for this month" if this_month else "two rows"
    same = f"the same {column} ('{value}')" if value is not None else f"no {column}"
    return (f"'{name}' has {rows} with {same}, so {column} does not tell them apart; merge them into one row, or "
            "add a column that does (a Subscription ID): rows it tells apart are summed.")


def customer_repeated_row(name: str) -> str:
    return (f"'{name}' has two rows; add a Subscription, Plan or Product column to tell them apart (they are then "
            "summed), or merge them into one row.")


def currencies_mixed(column: str, firsts: Sequence[tuple[str, str]]) -> str:
    listed = ", ".join(f"{code} from {cell}" for code, cell in firsts)
    return (f"The {column} column holds more than one currency ({listed}); convert the amounts to one "
            f"currency first, or give nrr their rates ({FX_HINT}).")


def header_currency_disagrees(title: str, named: str, header_cell: str, column: str,
                              others: Sequence[tuple[str, str]]) -> str:
    """A figure column's header names one currency (``MRR (USD)``) and the Currency column another."""
    listed = ", ".join(f"{code} from {cell}" if cell else code for code, cell in others)
    where = f" ({header_cell})" if header_cell else ""
    return (f"The {title} header{where} says the figures are in {named}, but the {column} column says "
            f"otherwise ({listed}); which is it? If the figures are in {named} (converted already), remove or rename "
            f"the {column} column; if they are in the column's currency, rename the header without its currency.")


def figures_in_currencies(unit: str, firsts: Sequence[tuple[str, str]]) -> str:
    listed = ", ".join(f"{code} from {cell}" for code, cell in firsts)
    return (f"The {unit} figures are in more than one currency ({listed}); convert the amounts to one currency "
            f"first, or give nrr their rates ({FX_HINT}).")


def ledger_in_currencies(unit: str, firsts: Sequence[tuple[str, str]]) -> str:
    listed = ", ".join(f"{code} from {cell}" for code, cell in firsts)
    return (f"The {unit} figures are in more than one currency ({listed}); added up they would mean nothing. Write "
            "every figure in one currency (a customer table, one row per customer and month, can be converted with "
            "rates; a ledger's month totals cannot).")


FX_HINT = "nrr.toml's [fx] section, e.g. EUR = 1.10: what one EUR is worth in the reporting currency"


def fx_lines(missing: Sequence[str], reporting: str) -> str:
    """The exact nrr.toml lines that give the rates of ``missing`` (an example rate each)."""
    lines = " and ".join(f"{c} = 1.10" for c in missing)
    return (f"add to nrr.toml the lines [fx] and {lines} (what one {missing[0]} is worth in {reporting}; 1.10 is only "
            'an example), or [fx] and rates = "fx.csv" for a table of Month, Currency, Rate')


def currencies_without_rates(what: str, firsts: Sequence[tuple[str, str]], missing: Sequence[str],
                             reporting: str) -> str:
    """More than one currency, some with no rate into the reporting currency: each currency with its first cell,
    and the nrr.toml lines that give the missing rates."""
    listed = ", ".join(f"{code} from {cell}" for code, cell in firsts)
    return (f"{what} more than one currency ({listed}) and nrr has no rate for {and_list(list(missing))} into "
            f"{reporting}, the reporting currency ([company] currency). To convert them, "
            f"{fx_lines(missing, reporting)}; or convert the amounts to one currency first.")


def currency_rate_missing_month(code: str, month: Month, first: Month, source: str) -> str:
    return (f"{code} has no rate for {month.name} in {source}: its first rate is for {first.name}, and a month "
            f"without its own rate takes the latest earlier month's. Add a row for {month} and {code} to {source}.")


def not_a_currency_code(text: str) -> str:
    return (f"'{text}' is not a currency code such as USD, EUR or GBP: write the code, so the amounts beside it can "
            "be converted at its rate.")


def lines_without_currency(firsts: Sequence[tuple[str, str]]) -> str:
    listed = ", ".join(f"{code} from {cell}" for code, cell in firsts)
    return (f"Some lines or rows have no currency, while the data holds several ({listed}): fill in each one's "
            "currency, so it can be converted at its rate.")


def figure_without_currency(unit: str, shown: str, firsts: Sequence[tuple[str, str]], column: str | None) -> str:
    listed = ", ".join(f"{code} from {cell}" for code, cell in firsts)
    if column is not None:
        return (f"This {unit} figure ({shown}) has no currency in the {column} column, while the table holds "
                f"several ({listed}): fill in its currency.")
    return (f"This {unit} figure ({shown}) says no currency, while others do, in several ({listed}): write its "
            "currency (EUR 1,200, $1,200) or add a Currency column.")


def currencies_converted(reporting: str, uses: Sequence[tuple[str, Sequence[Decimal], str]]) -> str:
    """``Money in EUR is converted to USD: 1 EUR = 1.10 USD (nrr.toml [fx]). Each customer's month is rounded
    to the cent, half to even.``"""
    parts = []
    for code, rates, source in uses:
        low, high = min(rates), max(rates)
        at = f"{exchange_rate(low)} {reporting}" if low == high else \
            f"{exchange_rate(low)} to {exchange_rate(high)} {reporting}, each month's rate"
        parts.append(f"1 {code} = {at} ({source})")
    codes = and_list([code for code, _, _ in uses])
    return (f"Money in {codes} is converted to {reporting}: {'; '.join(parts)}. Each customer's month is rounded "
            "to the cent, half to even.")


def exchange_rate(value: Decimal) -> str:
    """An exchange rate with at least 2 decimals, as written: ``1.1`` -> ``1.10``, ``1.0845``."""
    exponent = value.as_tuple().exponent
    return str(value.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent > -2 else value)


def fx_table_no_header(name: str) -> str:
    return (f"{name}: no header with Month, Currency and Rate columns in its first 10 rows; the rates table needs "
            "one row per month and currency, e.g. 2026-01,EUR,1.10 (what one EUR is worth in the reporting "
            "currency).")


def fx_bad_month(value: object) -> str:
    return f"'{value}' is not a month such as 2026-01 or Jan 2026."


def fx_bad_currency(text: str) -> str:
    return f"'{text}' is not a currency code such as EUR or GBP."


def fx_bad_rate(value: object, code: str, month: Month) -> str:
    shown = "(blank)" if value is None or (isinstance(value, str) and not value.strip()) else f"'{value}'"
    return (f"the rate of {code} for {month.name}, {shown}, is not a number above 0 such as 1.10 (what one {code} "
            "is worth in the reporting currency).")


def fx_repeated(code: str, month: Month, first: str) -> str:
    return f"{code} has a second rate for {month.name} (the first is at {first}); keep one."


def total_rows(label: str, count: int) -> str:
    if count == 1:
        return (f"This row ('{label}') reads as a total, not a customer, and is left out of the figures: counted, "
                "it would double them.")
    return (f"These {count} rows ('{label}') read as totals, not customers, and are left out of the figures: "
            "counted, they would double them.")


def summary_rows(label: str, count: int) -> str:
    if count == 1:
        return (f"This row ('{label}') names a span of months, not a month: it reads as a summary of the months above "
                "and is left out of the figures.")
    return (f"These {count} rows ('{label}') name spans of months, not months: they read as summaries of the months "
            "above and are left out of the figures.")


def total_column(label: str) -> str:
    return (f"This column ('{label}') reads as a total of the months beside it, not an attribute, and is left out: "
            "it is not a segment.")


def ids_written_two_ways(first: str, second: str, count: int) -> str:
    """Customer IDs that are one number written with and without leading zeros (a typed column beside pasted text)."""
    more = f" ({count} IDs like this)" if count > 1 else ""
    return (f"'{first}' and '{second}' are one ID written with and without leading zeros{more}: each is read as one "
            f"customer, shown as '{first}'.")


def customers_alike(first: str, second: str) -> str:
    return (f"'{first}' and '{second}' differ only in case or spacing: they are counted as two customers; "
            "write them the same way if they are one.")


def customer_rows_disagree(customer: str, column: str, values: Sequence[str], chosen: str, unit: str,
                           months: int) -> str:
    more = f"; {months} months like this" if months > 1 else ""
    return (f"'{customer}' has rows with different {column} in one month ({', '.join(repr(v) for v in values)}"
            f"{more}): each month it counts in the {column} of its largest {unit}, here {chosen!r} (ties: the first "
            f"in sort order). Give its rows one {column} if that is not right.")


def month_columns_missing(missing: Sequence[Month]) -> str:
    return (f"No column for {month_run(missing)} between the other months; add "
            f"{'them' if len(missing) > 1 else 'it'} (a blank cell is 0).")


LEDGER_AMOUNT_IS_ERROR_VALUE = "an amount but a spreadsheet error; fix its formula, or enter 0 if nothing moved"
COMPUTED_IS_ERROR_VALUE = "a figure but a spreadsheet error: its formula is broken (fix it, or clear the cell)"
AMOUNT_IS_ERROR_VALUE = ("an amount but a spreadsheet error; fix its formula, or enter 0 if the customer paid "
                         "nothing")
DATE_IS_ERROR_VALUE = "a date but a spreadsheet error; fix its formula"
MONTH_WITH_YEAR = "a month with its year, such as Jan 2026, 2026-01 or a date"
MONTH_HEADER_AMBIGUOUS = ("a month the header row makes unambiguous (day/month or month/day?); write the months as "
                          "Mar 2026 or 2026-03")


def customer_column_missing(role: str, header_row: int, near: str | None = None) -> str:
    """A header with two of a customer table's three columns: what the third is called."""
    if role == "customer":
        return (f"No customer column in the header (row {header_row}); head the column that names each row's "
                "customer Customer (or Account, Company, Customer ID), or keep month totals in the seven-column "
                "ledger (Month, MRR (Start of Period), Expanded MRR, Churned MRR, Downgraded MRR).")
    if role == "month":
        return (f"No month column in the header (row {header_row}) of this customer table; add a Month (or "
                "Period, Date) column, or give each month its own column headed like Jan 2026.")
    said = (f"No MRR column in the header (row {header_row}) of this customer table; head the column that holds "
            "each customer's monthly figure MRR (or Revenue, Amount, ARR)")
    if near is not None:  # a header that names a figure in words the rules do not take: the way to name it
        said += f", or name it in nrr.toml: [ledger] columns = {{ mrr = \"{near}\" }}"
    return said + "."


def month_rows_missing(missing: Sequence[Month], unit: str) -> str:
    # years without a row: more likely a placeholder date (1900-01-01) or a typo (2015 for 2025) than a business
    # that paused
    if len(longest := max(month_runs(missing), key=len)) >= 24:
        before, after = longest[0] - 1, longest[-1] + 1
        return (f"No row for {month_run(missing)}: {before.name} is {after - before:,} months before the next month "
                f"with rows ({after.name}). If it is a placeholder date or a typo, fix or delete its rows; if not, add "
                f"rows for the months between (one row with {unit} 0 for a month in which nobody paid).")
    return (f"No row for {month_run(missing)} between the other months: every customer would count as paying 0 "
            f"then; add {'their' if len(missing) > 1 else 'its'} rows (for a month in which nobody paid, one row "
            f"with {unit} 0 will do).")


def _held_nothing(months: Sequence[Month], rows: int, unit: str, form: str) -> str:
    """What months with no figure hold: ``rows`` rows (``form`` "row"), or a column each for ``rows`` customers."""
    if form == "row":
        return f"{'has' if len(months) == 1 else 'have'} {rows:,} row{'s' if rows != 1 else ''} but no {unit} in any"
    return (f"{'is a column' if len(months) == 1 else 'are columns'} with no {unit} for any of the {rows:,} "
            f"customer{'s' if rows != 1 else ''}")


def months_unfilled(months: Sequence[Month], rows: int, unit: str, form: str = "row") -> str:
    """Months between others whose rows (``form`` "row") or columns ("column") hold no figure at all."""
    span = month_run(months)
    held = _held_nothing(months, rows, unit, form)
    return (f"{span} {held} (every {unit} cell blank), while other months have figures: read as 0, every customer "
            f"would churn then and come back after. Fill in {'its' if len(months) == 1 else 'their'} {unit}, "
            "writing 0 for a customer who paid nothing.")


def months_open(first: Month, last: Month, closed: Month | None) -> str:
    """A ledger's rows for months not closed yet (the month in progress, months to come), left out of figures
    that count closed months (``closed``: the last closed month the ledger holds; None when it holds none)."""
    span = _span(first, last)
    if closed is None:
        return f"{span} {'has' if first == last else 'have'} not closed yet: the figures come once {first.name} has."
    they = "it is" if first == last else "they are"
    return (f"{span} {'has' if first == last else 'have'} not closed yet, so {they} left out: the figures end in "
            f"{closed.name}.")


def month_in_progress_partial(month: Month, lost: int, customers: int, share: Decimal, usual: Decimal | None,
                              unit: str) -> str:
    """A period to date whose month in progress looks partly entered: ``lost`` (two or more) of the ``customers``
    paying the month before have no figure in it yet, read as churned; ``share`` of that month's money lost so far,
    more than twice the most a closed month lost (``usual``; None when the table holds no closed month to compare
    with)."""
    before = month - 1
    if usual is None:
        than = "; the table holds no closed month before it to compare with"
    elif not usual:
        than = ", where no closed month lost any to churn"
    else:
        than = f", more than twice the most any closed month lost ({share_shown(usual)})"
    return (f"{month.name} is in progress, and {lost} of the {customers} customers paying in {before.name} have no "
            f"{unit} in it yet: they are counted as churned, {share_shown(share)} of "
            f"{before.name}'s {unit} lost so far{than}. If {month.name} is not fully entered, ask for a period "
            f"ending by {before.name} for closed months only.")


def latest_month_partial(month: Month, lost: int, customers: int, share: Decimal, usual: Decimal | None,
                         unit: str) -> str:
    """``month_in_progress_partial`` for the table's latest month, closed: entered in part, or a month of churn."""
    before = month - 1
    if usual is None:
        than = "; the table holds no month before it to compare with"
    elif not usual:
        than = ", where no month before it lost any to churn"
    else:
        than = f", more than twice the most any month before it lost ({share_shown(usual)})"
    return (f"{month.name} is the table's latest month, and {lost} of the {customers} customers paying in "
            f"{before.name} have no {unit} in it: they are counted as churned, {share_shown(share)} of "
            f"{before.name}'s {unit}{than}. If {month.name} is not fully entered yet, enter the rest, or ask for a "
            f"period ending by {before.name}.")


def share_shown(ratio: Decimal) -> str:
    """A share to one decimal: ``0.7899`` -> ``79.0%``; one above 0 that would show 0.0% is ``less than 0.1%``."""
    shown = f"{ratio * 100:.1f}"
    return "less than 0.1%" if ratio > 0 and shown == "0.0" else f"{shown}%"


def months_paying_nothing(first: Month, last: Month, before: Month, total: Decimal, unit: str) -> str:
    span = _span(first, last)
    one = first == last
    it, its = ("it is", "its") if one else ("they are", "their")
    return (f"No customer pays anything in {span}, after {money(total)} of {unit} in {before.name}: answered as "
            f"written, every customer churned in {first.name}. If {it} laid out ahead with 0s, delete {its} rows (or "
            f"leave {its} figures blank, read as not closed yet); if every customer did leave, nothing is wrong.")


def months_ahead(first: Month, last: Month, current: Month) -> str:
    span = _span(first, last)
    one = first == last
    it, they = ("it", "it is") if one else ("them", "they are")
    return (f"{span} {'has' if one else 'have'} not begun yet (this is {current.name}): every answer leaves {it} "
            f"out until {'it closes' if one else 'they close'}. If {they} a year typed wrong, correct the month.")


def months_not_landed(months: Sequence[Month], rows: int, unit: str, form: str = "row") -> str:
    """The last months of a customer table, whose rows (``form`` "row") or columns ("column") hold no figure at
    all: read as not closed yet."""
    span = month_run(months)
    before = months[0] - 1
    held = _held_nothing(months, rows, unit, form)
    they = "it is" if len(months) == 1 else "they are"
    return (f"{span} {held} (every {unit} cell blank), so {they} read as not closed yet and left out: the figures "
            f"end in {before.name}. To count {span}, fill in {'its' if len(months) == 1 else 'their'} "
            f"{unit}, writing 0 for a customer who paid nothing.")


def months_before_figures(months: Sequence[Month], rows: int, unit: str, form: str = "row") -> str:
    """The first months of a customer table, whose rows (``form`` "row") or columns ("column") hold no figure at
    all: before anyone paid, left out."""
    span = month_run(months)
    held = _held_nothing(months, rows, unit, form)
    return (f"{span} {held} (every {unit} cell blank), before any month with figures, so "
            f"{'it is' if len(months) == 1 else 'they are'} left out: the figures start in {(months[-1] + 1).name}. "
            f"If customers paid then, fill in {'its' if len(months) == 1 else 'their'} {unit}.")


def month_column_repeated(month: Month) -> str:
    return f"{month.name} heads more than one column; keep one column per month (delete or merge the others)."


def customers_empty() -> str:
    return "The customer table has no rows yet; add one row per customer and month."


def cohort_month_missing(before: Month, first: Month, last: Month, advice: bool = True) -> str:
    """A cohort period starting at the table's first month (or before): the month before it is no one's, and (with
    ``advice``) the earliest period that can be answered starts the month after the table's first."""
    after = (f", so a period can start in {(first + 1).name} at the earliest" if first < last else
             f", so it can answer a month once {(first + 1).name} is in it") if advice else ""
    return (f"The cohort is the customers paying in {before.name}, which is not in the customer table; "
            f"its first month is {first.name}{after}.")


def cohort_needs_customers() -> str:
    return ("The cohort method needs a customer table (one MRR figure per customer per month); "
            "this ledger holds month totals: ask for the chained or sum method, or point the ledger at a customer "
            "tab.")


def attribute_sums_rows(column: str, others: Sequence[str]) -> str:
    other = f" such as {and_list(list(others))}" if others else ""
    return (f"{column} tells a customer's rows apart (they are summed into one customer), so a customer can have "
            f"several at once: segments by {column} would count it under one of them only. Split by another "
            f"column{other}.")


def customer_column_is_no_segment(column: str, known: Sequence[str]) -> str:
    names = f"; its attribute columns are: {', '.join(known)}" if known else "; this table has no attribute column"
    return f"'{column}' names each customer, so it splits nothing into segments{names}."


def unknown_attribute(column: str, known: Sequence[str], alike: Sequence[str] = ()) -> str:
    """No attribute column named ``column``; ``alike``: the several named like it but for case and spacing."""
    names = ", ".join(known) if known else "none"
    if len(alike) > 1:
        return (f"The customer table has {len(alike)} columns named like '{column}' ({', '.join(alike)}); name one as "
                "it is written.")
    return f"No column '{column}' in the customer table; its attribute columns are: {names}."


def where_syntax(text: str) -> str:
    return f"'{text}' is not COLUMN=VALUE, such as Segment=Enterprise."


def where_matches_nobody(column: str, value: str, before: Month, values: Sequence[str]) -> str:
    if not values:
        return f"No customer in the cohort has {column} = {value} in {before.name}: nobody paying then has a {column}."
    there = and_list(sorted(values, key=str.casefold))
    return f"No customer in the cohort has {column} = {value} in {before.name}; its values there are {there}."


def cohort_or_earlier(label: str) -> str:
    """The first cohort's label: the customers already paying when the table starts were won then or before."""
    return f"{label} or earlier"



# --- forecasts ----------------------------------------------------------------------------------

def forecast_customers(count: int, article: str = "") -> str:
    """``1 customer``, ``2,000 customers`` (``the customer``, ``the 2,000 customers`` with ``article``)."""
    if count == 0:
        return "no paying customer"
    if count == 1:
        return f"{article} customer".strip() if article else "1 customer"
    return f"{article} {count:,} customers".strip()


def forecast_age_aware(customers: int, as_of: Month, history: int, column: str | None,
                       segments: Sequence[str]) -> str:
    """The age-aware method in one sentence."""
    by = ""
    if column is not None and segments:
        by = f", per {column} where a segment has enough history ({and_list(list(segments))})"
    elif column is not None:
        by = f" (no {column} has enough history for rates of its own)"
    who = "the customer" if customers == 1 else f"each of the {customers:,} customers"
    return (f"Projection: {who} paying in {as_of.name} keeps what it pays then and "
            "follows the money-weighted monthly retention of customers of its age (months 0-11 one by one, "
            f"12-23, then 24 and over) learnt from the table's {months(history)}{by}; no new business.")


def forecast_simple(customers: int, as_of: Month, history: int, rate: Decimal, needed: int) -> str:
    """The simple method in one sentence: what it is and why it was used."""
    return (f"Projection, simple method: the table holds {months(history)} to {as_of.name}, too few to learn "
            f"retention by customer age (that needs {needed}), so {forecast_customers(customers, 'the')} paying in "
            f"{as_of.name} {'follows' if customers == 1 else 'follow'} its average monthly retention of paying "
            f"customers (what they pay the month after, over what they pay; a customer back after a month "
            f"without paying is not counted), {_half_up(rate * 100, 2)}% a month; no new business.")


def forecast_nobody(as_of: Month) -> str:
    """The method sentence when nobody pays in the month a forecast starts from."""
    return (f"Projection: nobody pays in {as_of.name}, so there are no customers of today's to project: the "
            "projection is 0 in every month; no new business.")


def forecast_table_behind(as_of: Month, latest: Month) -> str:
    """A forecast from a table that ends before the last closed month."""
    gap = latest - as_of
    past = "its first month is" if gap == 1 else f"its first {gap} months are"
    return (f"The table ends in {as_of.name}, {months(gap)} before the last closed month ({latest.name}): the "
            f"projection starts from {as_of.name}, so {past} already over; add the months since to the table to "
            "project today's customers.")


def forecast_band(coverage: int, resamples: int, simple: bool) -> str:
    """What the band covers."""
    what = "the months" if simple else "the cohorts (and, past 24 months of age, the months)"
    return (f"Band: {coverage}% of the spread from {resamples} resamplings of {what} the projection is learnt from "
            "and from which of today's customers churn or grow; not covered: a change in how customers behave, "
            "which the backtest shows.")


def forecast_reach(months: int, history: int) -> str:
    return (f"Reach: {months} months ahead from {history} months of history; past the first {history} the rates "
            "learnt are carried on with nothing in the table to check them against, so read the far months as a "
            "direction, not a figure.")


def forecast_band_thin(changes: int) -> str:
    """The band when the history holds too few month-to-month changes to say how far the projection could be off."""
    n = f"{changes} month-to-month change{'' if changes == 1 else 's'}"
    return (f"Band: learnt from only {n}, too few to say how far the projection could be off; read it as the "
            "projection alone, and as the table grows the band will show its spread.")


def forecast_backtest(predicted: str, actual: str, error_pct: Decimal | None, as_of: Month, month: Month,
                      simple: bool) -> str:
    """``A year ago this method said $X for today; the same customers pay $Y (off by Z%).``"""
    off = "" if error_pct is None else f" (off by {error_pct:+.2f}%)"
    what = "the simple method (the table was too short then for the age-aware one)" if simple else "this method"
    return (f"A year ago ({as_of.name}) {what} said {predicted} for {month.name}; the same customers pay "
            f"{actual}{off}.")


def forecast_target(amount: str, unit: str, by: Month, projected: str, gap: Decimal, gap_text: str,
                    needed: str, count: int, first: Month, recent: str, recent_months: int) -> str:
    """What new business a target needs, beside what the last year brought."""
    head = f"Target {amount} {unit} by {by.name}: today's customers are projected to pay {projected} then"
    span = f"the {months(count)} from {first.name} to {by.name}" if count > 1 else by.name
    last = (f"the last {months(recent_months)} brought {recent} a month" if recent_months
            else "the table has no month of new business before it")
    if gap <= 0:
        return f"{head}, {gap_text} above it: no new business is needed ({last})."
    return (f"{head}, a gap of {gap_text}: {needed} of new {unit} a month over {span}, before new customers' own "
            f"churn ({last}).")


def forecast_headline(unit: str, as_of: Month, base: str, customers: int, last: Month, projected: str) -> str:
    """The projection in one line, labelled so: where today's customers start and where they are headed."""
    return (f"Projection of today's customers' {unit} from {as_of.name}: {base} from "
            f"{forecast_customers(customers)}, {projected} in {last.name} (no new business)")


def forecast_line(month: Month, projected: str, low: str | None, high: str | None, base: str, as_of: Month) -> str:
    """``low`` and ``high`` None: no band learnt yet, and no range said."""
    band = f" ({low} to {high})" if low is not None and high is not None else " (no band yet: too little history)"
    return f"{month.name}: today's customers are projected to pay {projected}{band}, from {base} in {as_of.name}."


def forecast_before_table(month: Month, first: Month) -> str:
    return f"{month.name} is before the customer table starts ({first.name}): there is nothing to forecast from."


def forecast_needs_two_months(month: Month, first: Month) -> str:
    if month == first:
        return (f"The customer table holds only {month.name}: a forecast learns how customers' money changes from "
                "month to month, so it needs at least two months.")
    return (f"None of the customers paying in {month.name} paid in the months before it (the table starts in "
            f"{first.name}): a forecast learns how customers' money changes from month to month, so it needs "
            "customers who paid in two months or more; forecast as of a later month.")


def forecast_months_range(count: int, most: int) -> str:
    return f"--months {count}: a forecast covers 1 to {most} months."


def forecast_target_past(by: Month, month: Month, closed: bool = True) -> str:
    """A target month not after the last closed month (``closed``), or the month the projection starts from."""
    what = "the last closed month" if closed else "the month the projection starts from"
    return f"The target's month {by.name} is not after {month.name}, {what}: pick a later month."


def forecast_target_far(by: Month, as_of: Month, most: int) -> str:
    return (f"The target's month {by.name} is more than {most} months after {as_of.name}: a forecast reaches "
            f"{(as_of + most).name} at most.")


def forecast_needs_customers(fix: str) -> str:
    """A forecast on a seven-column ledger: what table it needs; ``fix`` says how, in the asker's words."""
    return ("A forecast needs a customer table (Customer, Month, MRR: one figure per customer per month): a "
            "seven-column ledger holds month totals only, so it cannot tell new customers from old, and new ones "
            f"churn early. {fix}")


def forecast_bad_amount(text: str) -> str:
    return f"'{text}' is not a target amount such as 2000000, $2M or 750k."


def forecast_amount_comma(text: str) -> str:
    return (f"'{text}' holds a comma that is not a thousands separator; write the target with a point for "
            "decimals (1.5M, 1500000) or commas between thousands (1,500,000).")


def forecast_target_currency(text: str, written: str, table: str) -> str:
    return f"The target '{text}' is in {written}, the customer table in {table}; write the target in {table}."
# --- nrr mrr ------------------------------------------------------------------------------------

def mrr_view_title(customers: int, first: Month, last: Month, currency: str, unit: str, shown: int,
                   count: int) -> str:
    basis = "" if unit == "MRR" else f" (the table's {unit} / 12)"
    span = f"{first.short} to {last.short}" if first != last else first.short
    which = f"; the last {shown} of {months(count)} shown" if shown < count else ""
    return (f"MRR per customer per month{basis}, {currency}: {customers:,} customer{'' if customers == 1 else 's'}, "
            f"{span}{which}.")


def mrr_view_others(count: int) -> str:
    return f"{count:,} others"


def mrr_view_largest(limit: int, last: Month) -> str:
    return f"The {limit:,} largest customers in {last.short}, largest first; the others summed on one row."


def mrr_view_hint(left_out: int, cut: bool) -> str:
    hint = ""
    if left_out:
        hint = (f"{left_out:,} customer{' paying' if left_out == 1 else 's paying'} nothing in these months "
                f"{'is' if left_out == 1 else 'are'} left out. ")
    every = "every month, customer and attribute" if cut else "every customer and attribute"
    return hint + f"nrr mrr --csv lists {every}, one row per customer and month paid."


def cell_past_header(value: str, cells: int, width: int, last: str) -> str:
    return (f"{value} stands past the table's last column ({last}): this row has {cells} cells where the header has "
            f"{width}. In a CSV a comma left unquoted inside a figure (1,200) splits it into two cells and moves "
            "every cell after it one column on; write the figure as 1200 or \"1,200\". A note beside the table "
            "needs a column of its own with a header.")


def more_bad_months(more: int) -> str:
    return f"...and {more:,} more Month cell{'' if more == 1 else 's'} like these: fix them the same way."


def more_split_rows(more: int) -> str:
    return f"...and {more:,} more row{'' if more == 1 else 's'} with more cells than the header."


def date_split(date: str, month: str) -> str:
    return (f"The month {date} was split into two cells at its comma: in a CSV a date with a comma needs quotes "
            f"(\"{date}\"), or write the month as {month}. Read as it stands, the year would be the start's figure "
            "and every figure one column on.")


def more_split_dates(more: int) -> str:
    return f"...and {more:,} more row{'' if more == 1 else 's'} whose month was split at its comma."


def last_n_months_range(query: str, most: int) -> str:
    return f"'{query}' is not a span nrr answers for: last-N-months takes N from 1 to {most} (ten years)."
