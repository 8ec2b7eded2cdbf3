"""Sentences the nrr command says about its own options (tests assert them). A sentence Slack says too is
built in the engine (``needs_customer_table``, ...); only the fix, in the command line's words, is here."""

from __future__ import annotations

from engine import Month, Period, needs_cohort_method, needs_customer_table


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
    fix = (f"nrr.toml's [ledger] method is {method}: pass --method cohort" if from_config
           else f"run it again without --method {method}")
    return needs_cohort_method(asked, fix)


def body_too_large(limit: int) -> str:
    return f"The request body is over {limit // 1024} KiB, more than nrr reads; nothing was done."


def body_too_slow(seconds: float) -> str:
    return f"The request body did not arrive within {seconds:g} seconds; nothing was done."


def bad_content_length() -> str:
    return "The request's Content-Length is not a number of bytes; nothing was done."


def not_in_ledger_yet(error: str, period: Period, latest: Month) -> str:
    """The engine's "not in the ledger yet" with the two ways round it: the same span ending at the latest
    month, or ``--today`` the day after it, so that relative periods (last-month, ttm) end there."""
    months = period.last - period.first + 1
    span = str(latest) if months == 1 else f"{latest - (months - 1)}..{latest}"
    after = latest + 1
    return (f"{error} Ask for a period that ends by then ({span}), or answer as of then with "
            f"--today {after.year:04d}-{after.month:02d}-01.")


def heatmap_title(by: str, latest: Month | None) -> str:
    as_of = f", as of {latest.name}" if latest is not None else ""
    return f"Net revenue retention by acquisition {by}{as_of}"


def heatmap_basis(by: str, unit: str) -> str:
    return (f"Each cell: what the {by}'s customers pay that many months after their first payment, over what they "
            f"paid then ({unit}, the cohort's customers only). Blank: the cohort is not that old yet.")


def heatmap_size(unit: str) -> str:
    return f"Customers · start {unit}"


HEATMAP_SCALE = "NRR %, 100% = every dollar kept"


def source_env_unset(name: str) -> str:
    return (f"{name} is not set: the ledger source env:{name} names it as the variable holding the ledger's "
            "database URL. Set it in the environment and start again.")
