"""Every sentence the Sheets adapter says to a person, in one place (tests assert them)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

ENV_PATH = "GOOGLE_APPLICATION_CREDENTIALS"
ENV_JSON = "GOOGLE_SERVICE_ACCOUNT_JSON"


def no_credentials() -> str:
    return (
        f"Reading a Google Sheet needs a service-account key: set {ENV_PATH} to the key file's path, "
        f"or {ENV_JSON} to the key's JSON."
    )


def unreadable_key_file(reason: str) -> str:
    # the path is not quoted: the sentence may reach a Slack workspace, which is shown no server's paths
    return (f"{ENV_PATH} names a file nrr cannot read ({reason}); point it at the service-account key file "
            f"(echo ${ENV_PATH} shows which it names).")


def bad_key(variable: str, reason: str) -> str:
    return (
        f"{variable} is not a service-account key ({reason}); download a JSON key for the service "
        "account from the Google Cloud console (IAM > Service accounts > Keys)."
    )


def key_refused(email: str, reason: str) -> str:
    return (
        f"Google refused the key for {email} ({reason}); the key may be deleted or disabled. "
        "Create a new key for the service account and update the credentials."
    )


def not_shared(email: str, spreadsheet_id: str) -> str:
    return (
        f"Share the sheet with {email} (Viewer is enough to read; Editor to fill). "
        f"Spreadsheet {spreadsheet_id} is not shared with it yet."
    )


def user_access_refused(spreadsheet_id: str) -> str:
    return (
        f"Google refused your access to this spreadsheet ({spreadsheet_id}): seeing its NRR needs view "
        "access, filling it or inserting the template needs edit access. Ask its owner for access, then "
        "open NRR again."
    )


def user_token_refused() -> str:
    return ("Google did not accept your sign-in for this request (it may have expired); close NRR and "
            "open it again.")


def spreadsheet_not_found(spreadsheet_id: str) -> str:
    return (
        f"No spreadsheet with id {spreadsheet_id}: check the URL or id in the ledger source "
        "(the part after /spreadsheets/d/)."
    )


def worksheet_not_found(what: str, spreadsheet_title: str, titles: list[str]) -> str:
    return f"No worksheet {what} in '{spreadsheet_title}'; it has {', '.join(repr(t) for t in titles)}."


def shared_to_read_only(email: str, spreadsheet_id: str) -> str:
    return (f"Spreadsheet {spreadsheet_id} is shared with {email} to read only: writing to it needs Editor. Share "
            "it as Editor, then run the same command again.")


def quota(seconds: float, kind: str = "read") -> str:
    return (
        f"Google Sheets' {kind} quota is used up (60 {kind}s a minute per user) and stayed so for "
        f"{seconds:.0f} s; try again in a minute."
    )


def unavailable(detail: str, seconds: float) -> str:
    return f"Google Sheets did not answer properly for {seconds:.0f} s ({detail}); try again shortly."


def bad_source(spec: str) -> str:
    return (
        f"'{spec}' is not a Google Sheet I can read: use the sheet's URL "
        "(https://docs.google.com/spreadsheets/d/ID/edit#gid=N), gsheet:ID or gsheet:ID/WORKSHEET."
    )


def rejected(status: int, message: str) -> str:
    return f"Google Sheets refused the request ({status}: {message})."


# --- nrr fill ---------------------------------------------------------------------------------

def fill_change(verb: str, cell: str, month: str, title: str, new: str, old: str) -> str:
    return f"{verb} {cell} ({month}): {title} {new} (was {old})"


def typed_by_hand(title: str, found: str, computed: str) -> str:
    return (
        f"{title} holds {found}, typed by hand, but the formula gives {computed}; left as it is "
        "(nrr fill --overwrite replaces it)."
    )


def inverted_formula(title: str, formula: str, right: str) -> str:
    return (
        f"{title} holds {formula}, which computes 2 - End/Start (the inverted formula some templates give); "
        f"left as it is (nrr fill --fix-formulas replaces it with {right})."
    )


def note_not_ours() -> str:
    return "someone else's note is on this cell; the problem note was not added."


def header_changed() -> str:
    return ("the header row changed while filling (columns moved or renamed); nothing was written. "
            "Run nrr fill again.")


def row_moved() -> str:
    return "this month's row was deleted or duplicated while filling; not written. Run nrr fill again."


def changed_while_filling(title: str, now: str) -> str:
    """A computed cell someone typed into (or put a formula in) between fill's read and its write."""
    return f"{title} changed while nrr was filling (it holds {now} now); left as it is. Run nrr fill again."


def inputs_changed_while_filling(inputs: list[str], title: str) -> str:
    """A computed cell not written because its row's figures changed between fill's read and its write."""
    return (f"{' and '.join(inputs)} changed while nrr was filling; {title} was not written, as it was worked out "
            "from the figures before. Run nrr fill again.")


def note_changed_while_filling() -> str:
    return "this cell's note changed while nrr was filling; the problem note was left as it is. Run nrr fill again."


def fill_summary(sheet: str, verb: str, written: int, unchanged: int, formulas: int, refused: int,
                 notes_added: int, notes_removed: int, errors: int, warnings: int) -> str:
    return (
        f"{sheet}: {verb} {written} cell(s); {unchanged} already right, {formulas} formula(s) kept, "
        f"{refused} refused; notes: {notes_added} added, {notes_removed} removed; the ledger has "
        f"{errors} error(s) and {warnings} warning(s)."
    )


# --- nrr init-sheet ---------------------------------------------------------------------------

def worksheet_exists(title: str) -> str:
    return (f"A worksheet named '{title}' already exists; nothing was changed. "
            "Pass --title NAME for a new tab.")


def template_added(title: str, spreadsheet_title: str, rows: int) -> str:
    return (
        f"Added worksheet '{title}' to '{spreadsheet_title}': the template's headers, formats, a frozen "
        f"header row and formulas for End and NRR in rows 2 to {rows + 1}."
    )


def not_text(path: str, what: str) -> str:
    return f"{path}: not a CSV file nrr can read: {what}."


def quote_left_open(cell: str) -> str:
    return (f'the quote (") that opens {cell} is never closed, so the rest of the file reads as one cell; close it '
            "or delete it")


def first_worksheet_without_table(path: str, title: str, titles: list[str], found: str | None = None,
                                  also: Sequence[str] = (), spec: str | None = None, book: str = "workbook") -> str:
    """``found``: the worksheet that holds a table, when one does (``also``: the others that do), read with
    ``spec`` (a workbook's ``path#found``); else the workbook's sheets are listed. ``book``: what holds them (a
    Google Sheet is a spreadsheet)."""
    listed = ", ".join(repr(t) for t in titles)
    if found is None:
        return (f"{path}: its first worksheet, '{title}', holds no header row of a ledger or a customer table, nor "
                f"does any other ({listed}); add the header row (Month, MRR (Start of Period), ... or Customer, "
                "Month, MRR) above the figures.")
    more = f"; {', '.join(repr(t) for t in also)} hold{'s' if len(also) == 1 else ''} one too" if also else ""
    return (f"{path}: its first worksheet, '{title}', holds no header row of a ledger or a customer table; "
            f"'{found}' does: --ledger {shlex.quote(spec or f'{path}#{found}')}{more} (the {book} has {listed}).")


def read_tab_holding_table(first: str, found: str) -> str:
    """The add-on, reading a spreadsheet's first tab that holds a table, as its first holds none."""
    return (f"Read the tab '{found}': the first tab, '{first}', holds no header row of a ledger or a customer "
            "table.")


def read_with_decimal_commas(shown: str) -> str:
    """A delimited file read with decimal commas, as Excel writes a CSV in most of Europe."""
    return (f"Read with decimal commas, as this file writes its figures ('{shown}'): 1.200,50 is 1200.50, 1.200 is "
            "1200 and 1,5 is 1.5. If the file means otherwise, write its figures with a decimal point.")


def other_worksheets_hold_tables(path: str, title: str, others: list[str]) -> str:
    """A workbook whose first worksheet was read while later ones hold tables too (tabs by year)."""
    named = ", ".join(repr(t) for t in others)
    return (f"Read the first worksheet, '{title}'; {named} hold{'s' if len(others) == 1 else ''} a table too, which "
            f"this answer leaves out. To read one: --ledger {shlex.quote(f'{path}#{others[0]}')}; to answer from "
            "every month, keep them in one sheet.")


def formulas_without_values(path: str, sheet: str, cells: list[str]) -> str:
    shown = ", ".join(cells[:3]) + (f" and {len(cells) - 3} more" if len(cells) > 3 else "")
    return (f"{path}: {len(cells)} formula cell(s) on '{sheet}' have no saved values ({shown}): the file was "
            "written by a program that does not calculate formulas. Open it in Excel or LibreOffice and save it "
            "once, or export the values as CSV.")


def customer_tab_added(title: str, spreadsheet_title: str, headers: list[str]) -> str:
    return (
        f"Added worksheet '{title}' to '{spreadsheet_title}': an empty customer table ({', '.join(headers)}), "
        "one row per customer and month, with formats and a frozen header row. Segment and Plan are example "
        "attributes: rename, remove or add columns as you need."
    )


# --- nrr fill on a customer tab -------------------------------------------------------------------

def derived_fill(customer_tab: str, template_tab: str, months: int, created: bool, read_as: str | None = None) -> str:
    where = f"a new tab '{template_tab}' (from the template)" if created else f"tab '{template_tab}'"
    what = f"billing data ({read_as})" if read_as else "a customer table"
    return (f"'{customer_tab}' is {what}: its derived ledger ({months} month(s)) goes to {where}, "
            "one row per month.")


def template_tab_is_source(tab: str) -> str:
    return (f"The customer table is the tab '{tab}', where nrr fill would write its derived ledger; set "
            "[ledger] template_tab in nrr.toml to another tab's name.")


def template_tab_unreadable(tab: str, problem: str) -> str:
    return (f"Tab '{tab}' has no ledger header nrr can write the derived ledger under ({problem}); rename the "
            "tab, or set [ledger] template_tab in nrr.toml to a new tab's name and nrr fill creates it.")


def derived_typed(title: str, found: str, derived: str, customer_tab: str) -> str:
    return (f"{title} holds {found}, typed by hand, but the customer table '{customer_tab}' gives {derived}; "
            "left as it is (nrr fill --overwrite replaces it).")


def month_twice(tab: str) -> str:
    return f"this month is on more than one row of '{tab}'; not written. Keep one row per month."


_SAVE_AGAIN = "open it in Excel or Google Sheets and save it again, or export the table as CSV"


def workbook_damaged(path: str, where: str, detail: str) -> str:
    """A workbook openpyxl cannot parse: ``where`` is what could not be read, ``detail`` the parser's words."""
    return f"{path}: not a readable XLSX workbook: {where} is damaged ({detail}); {_SAVE_AGAIN}."


def workbook_without_sheets(path: str) -> str:
    return f"{path}: the workbook has no worksheet; {_SAVE_AGAIN}."


def workbook_too_large(unpacked_mb: int, limit_mb: int) -> str:
    return (f"it unpacks to {unpacked_mb:,} MB, more than the {limit_mb:,} MB nrr reads from a workbook; keep the "
            "table on a workbook of its own, or export it as CSV (read in seconds at any size)")


def workbook_bomb(part: str, ratio: int, unpacked_mb: int) -> str:
    return (f"its part {part} unpacks to {ratio:,} times its packed size ({unpacked_mb:,} MB), which no spreadsheet "
            "program writes: the file is damaged or built to exhaust memory; save it again from Excel or Sheets, "
            "or export the table as CSV")


def worksheet_too_large(path: str, sheet: str, what: str) -> str:
    return (f"{path}: worksheet '{sheet}' holds more than {what}, more than nrr reads from a workbook; keep only "
            "the table on the worksheet, or export it as CSV.")


#: what to do about a ledger file that is not there, as a terminal user does it (``Runtime.for_workspace`` tells a
#: Slack workspace what it can do instead)
FILE_ADVICE = "Pass --ledger PATH or set [ledger] source in nrr.toml."


def not_a_database(url: str) -> str:
    return (f"{url}: not a database nrr reads. It reads PostgreSQL (postgresql:// or postgresql+psycopg://), DuckDB "
            "and Parquet files, BigQuery (bigquery://) and Snowflake (snowflake://) tables, Google Sheets, and .csv, "
            ".tsv or .xlsx files.")


def no_such_file(name: str) -> str:
    return f"{name}: no such ledger file. {FILE_ADVICE}"


def ledger_is_folder(name: str) -> str:
    return (f"{name}: is a folder, not a ledger file. Pass the file inside it with --ledger PATH or set [ledger] "
            "source in nrr.toml.")


def csv_has_no_sheets(spec: str, path: str, sheet: str) -> str:
    """``ledger.csv#Sheet1``: a tab named where the file holds one table (it was dropped without a word)."""
    return (f"{spec}: {path} is a text file, one table with no sheets, so #{sheet} names nothing in it; pass "
            f"{path} alone, or the workbook (.xlsx) that holds the {sheet} tab.")
