"""Every sentence the Slack bot says, in one place (tests assert them)."""

from __future__ import annotations

from collections.abc import Sequence

HELP_EXAMPLES = ("/nrr", "/nrr last-quarter", "/nrr ttm grr", "/nrr Q3 2026 compare", "/nrr 2026-03",
                 "/nrr FY2027 method=sum", "/nrr 2026-01..2026-06")


def unknown_option(word: str) -> str:
    return f"'{word}' is not an option I know: use grr, compare or method=sum / method=chained."


def help_text(periods: Sequence[str]) -> str:
    return (
        "*/nrr [PERIOD] [grr] [compare] [method=sum]*: Net Revenue Retention from the ledger.\n"
        f"Periods: {', '.join(f'`{p}`' for p in periods)}.\n"
        "`/nrr` alone answers the last closed month and the trailing 12 months. `grr` leads with "
        "GRR, `compare` sets the period beside the one before it, `method=sum` sums a span's "
        "movements over its first Start (for ledgers of true cohort totals).\n"
        f"Examples: {', '.join(f'`{e}`' for e in HELP_EXAMPLES)}."
    )


def period_not_covered(message: str, first: str, last: str) -> str:
    return f"{message} The ledger covers {first} to {last}."


def invalid_ledger(count: int) -> str:
    return f"The ledger has {count} problem(s) to fix before I can answer:"


def more_problems(count: int) -> str:
    return f"...and {count} more. Run `nrr validate` or open the sheet's NRR panel for all of them."


def internal_error(ref: str) -> str:
    return (
        f"Something went wrong on my side (ref `{ref}`), and it has been logged. Try again in a "
        "minute; if it keeps happening, share the ref with whoever runs nrr."
    )


def shared_by(user: str) -> str:
    return f"Shared by <@{user}>"



def ledger_changed_since(query: str) -> str:
    q = f" {query}" if query.strip() else ""
    return f"the ledger has changed since; `/nrr{q}` gives today's figures"


def answer_gone() -> str:
    return "I no longer have that answer to share; ask again with /nrr and share the new one."
