"""Reading a ledger from a grid of cells: the one reader behind CSV, XLSX and Google Sheets.

The grid is rows of cell values as the source gives them: strings (CSV), numbers and dates
(XLSX), or numbers and serial dates (Sheets, unformatted). ``check_ledger`` finds every problem;
``read_ledger`` returns the ledger or raises ``LedgerError`` with all of them.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from engine import _messages as say
from engine._amounts import currency_mark
from engine._billing_headers import BillingHeader, find_billing_header
from engine._cells import (
    Cell,
    DateOrder,
    infer_date_order,
    is_blank,
    is_error_value,
    parse_money,
    parse_month,
    parse_ratio,
    show,
)
from engine._customer_headers import (
    customer_header_gap,
    customer_role,
    find_customer_header,
    header_currency,
    header_tokens,
    month_units,
    named_header,
    names_a_column,
    repeats_header,
)
from engine._customers import billed_per_period, read_customers
from engine._errors import CellError, LedgerError
from engine._fields import FIELD_TITLES, REQUIRED_FIELDS, Field, Unit
from engine._fx import CODE, currency_code
from engine._headers import HEADER_SEARCH_ROWS, is_period_label, is_total_label, match_header, mixes_new_business
from engine._issues import Issue, Severity, a1
from engine._ledger import ZERO, Layout, Ledger, LedgerRow, derive_ledger, nrr_formula
from engine._month import MONTH_WORDS, Month, month_runs
from engine._options import NO_OPTIONS, ReadOptions

Grid = Sequence[Sequence[Cell]]

_AMOUNTS: tuple[Field, ...] = ("start", "expansion", "churn", "downgrade")
#: errors that leave no row readable, whatever its own cells: nrr fill writes no row's End or NRR under them
_WHOLE_LEDGER_ERRORS = frozenset({"mixed_currency", "mixed_units"})
_MOVEMENTS: tuple[Field, ...] = ("expansion", "churn", "downgrade")


@dataclass(kw_only=True)
class LedgerCheck:
    """What ``check_ledger`` found: the ledger (None when there are errors) and every issue."""

    ledger: Ledger | None
    issues: list[Issue] = field(default_factory=list)
    rows: tuple[LedgerRow, ...] = ()  # every valid row, even when other rows have errors
    layout: Layout | None = None
    unit: Unit = "MRR"

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


def read_ledger(grid: Grid, *, sheet: str | None = None, first_row: int = 1) -> Ledger:
    """The ledger in ``grid``, or ``LedgerError`` listing every problem by cell.

    ``sheet`` names the worksheet in messages; ``first_row`` is the sheet row of ``grid[0]``.
    """
    check = check_ledger(grid, sheet=sheet, first_row=first_row)
    if check.ledger is None:
        raise LedgerError(tuple(check.issues))
    return check.ledger


_SPANS = {"quarter", "quarters", "qtr", "year", "fiscal", "calendar", "period"}  # a summary sheet's first column


def check_ledger(grid: Grid, *, sheet: str | None = None, first_row: int = 1,
                 options: ReadOptions = NO_OPTIONS, delimited: bool = False) -> LedgerCheck:
    """Every error and warning in ``grid``, and the ledger when there are no errors.

    A customer table (one figure per customer and month) is recognised from its headers, and its
    ledger is the derived one (``Ledger.customers`` holds the table). So is billing data (invoice lines,
    subscriptions, a per-month table with a billing interval), normalized to a customer table by
    ``engine._billing``'s rules (``Ledger.normalization`` says what was read as what). ``options`` carry
    what the reading needs from outside (exchange rates, today's month). ``delimited``: the grid was split from a
    CSV or TSV, whose rows may not run past their header (``split_rows``).
    """
    if options.columns and not names_a_column(grid, options.columns):
        # named for another table (the warehouse's, another tab): this one is read by the header rules, and told so
        elsewhere = Issue(severity="warning", code="columns_elsewhere", sheet=sheet,
                          message=say.named_columns_elsewhere(options.columns))
        check = check_ledger(grid, sheet=sheet, first_row=first_row, options=replace(options, columns=()),
                             delimited=delimited)
        ledger = check.ledger and replace(check.ledger, warnings=(elsewhere, *check.ledger.warnings))
        return replace(check, ledger=ledger, issues=[elsewhere, *check.issues])
    if options.columns:  # [ledger] columns: a customer table, its header the row holding the columns named
        header = named_header(grid, options.columns, first_row)
        if delimited and isinstance(header, int) and (split := split_rows(grid, header, sheet, first_row)):
            return LedgerCheck(ledger=None, issues=split)
        return _customer_check(grid, sheet, first_row, options)
    ledger_header = _find_header(grid)
    if (billing := find_billing_header(grid)) is not None and ledger_header is None:
        if delimited and (split := split_rows(grid, billing.index, sheet, first_row)):
            return LedgerCheck(ledger=None, issues=split)
        return _billing_check(grid, billing, sheet, first_row, options)
    if ledger_header is None and (customer := find_customer_header(grid)) is not None:
        if delimited and (split := split_rows(grid, customer, sheet, first_row)):
            return LedgerCheck(ledger=None, issues=split)
        return _customer_check(grid, sheet, first_row, options)
    if delimited and ledger_header is not None and (
            split := split_dates(grid, ledger_header, sheet, first_row)
            or split_rows(grid, ledger_header.index, sheet, first_row)):
        return LedgerCheck(ledger=None, issues=split)
    return _Reader(grid, sheet, first_row, options.today).run()


#: the rows a table's split-cell errors name one by one; more are counted in one more error
SPLIT_ROWS_NAMED = 20


def months_ahead(ledger: Ledger, current: Month) -> Issue | None:
    """A warning for the rows of months that have not begun (after ``current``, the month in progress): laid out
    ahead, or a year typed wrong; every answer leaves them out until they close."""
    table = ledger.customers
    last = table.last if table is not None else ledger.last_month
    if last is None or last <= current:
        return None
    first = max(table.first, current + 1) if table is not None else next(r.month for r in ledger if r.month > current)
    return Issue(severity="warning", code="months_ahead", sheet=ledger.sheet,
                 message=say.months_ahead(first, last, current))


def months_paying_nothing(ledger: Ledger) -> Issue | None:
    """A warning for the last months of a customer table's ledger in which no customer pays anything, after a
    month in which some did: more often 0s laid out ahead (a template, a date spine) than every customer leaving at
    once, and answered as written their NRR is 0% (a fresh-eyes try: six months of 0s, no word)."""
    rows = ledger.rows
    if not rows or (after := ledger.starts_ahead.get(rows[-1].month + 1)) is None:
        return None
    # what each month's customers pay in all: the next month's Start (End leaves out new and returning customers)
    totals = [*(r.start for r in rows[1:]), after]
    zero = next((n for n in range(len(rows)) if totals[-1 - n]), len(rows))
    if not zero or zero == len(rows) or not rows[-zero].start:
        return None
    first = rows[-zero]
    return Issue(severity="warning", code="months_paying_nothing", sheet=ledger.sheet,
                 message=say.months_paying_nothing(first.month, rows[-1].month, first.month - 1, first.start,
                                                   ledger.unit))


def with_months_paying_nothing(ledger: Ledger, issues: list[Issue]) -> Ledger:
    """``ledger`` with the ``months_paying_nothing`` warning, when it has one, added to ``issues`` too."""
    if (warning := months_paying_nothing(ledger)) is None:
        return ledger
    issues.append(warning)
    return replace(ledger, warnings=(*ledger.warnings, warning))


def checked_as_of(check: LedgerCheck, current: Month) -> LedgerCheck:
    """``check`` with the warning for rows of months not begun by ``current`` (the month in progress), as
    ``nrr validate`` and the add-on's Validate and sidebar count it."""
    if check.ledger is None:  # refused: the rows read still show a year typed wrong (2052), which may be why
        later = sorted(r.month for r in check.rows if r.month > current)
        if not later:
            return check
        typed = Issue(severity="warning", code="months_ahead", sheet=check.issues[0].sheet if check.issues else None,
                      message=say.months_ahead(later[0], later[-1], current))
        return replace(check, issues=[*check.issues, typed])
    if (ahead := months_ahead(check.ledger, current)) is None:
        return check
    return replace(check, issues=[*check.issues, ahead])


def split_rows(grid: Grid, header: int, sheet: str | None, first_row: int) -> list[Issue]:
    """An error for each row below the header row ``header`` with a value in the column just past the header's last
    title: in a CSV, a cell split at a delimiter left unquoted (``1,200`` read as 1 and 200), which moves every cell
    after it one column on (a value further right, past a blank column, is a note beside the table: left alone)."""
    titles = grid[header]
    width = next((c + 1 for c in range(len(titles) - 1, -1, -1) if not is_blank(titles[c])), 0)
    if not width:
        return []
    if max(map(len, grid[header + 1:]), default=0) <= width:
        return []  # the common case, at C speed: no row reaches past the header
    last = str(titles[width - 1]).strip()
    split = (i for i in range(header + 1, len(grid)) if len(grid[i]) > width and not is_blank(grid[i][width]))

    def named(i: int) -> Issue:
        row = grid[i]
        filled = max(c for c in range(len(row)) if not is_blank(row[c])) + 1
        return Issue(severity="error", code="split_cell", sheet=sheet, cells=(a1(first_row + i, width),),
                     message=say.cell_past_header(show(row[width]), filled, width, last))
    return _first_named(split, named, say.more_split_rows, sheet)


def _first_named(found: Iterable[int], named: Callable[[int], Issue], more: Callable[[int], str],
                 sheet: str | None) -> list[Issue]:
    """The split-cell errors of the rows ``found`` (grid indexes): the first ``SPLIT_ROWS_NAMED`` each named by
    ``named``, the rest counted in one more error worded by ``more``."""
    issues: list[Issue] = []
    count = 0
    for i in found:
        count += 1
        if count <= SPLIT_ROWS_NAMED:
            issues.append(named(i))
    if count > SPLIT_ROWS_NAMED:
        issues.append(Issue(severity="error", code="split_cell", sheet=sheet, message=more(count - SPLIT_ROWS_NAMED)))
    return issues


#: a month cell that is a date's first half, split at its comma (``Jan 31, 2025`` unquoted: ``Jan 31`` and `` 2025``)
_DATE_HEAD = re.compile(r"\s*[A-Za-z]{3,9}\.?\s+[0-3]?[0-9]\s*")
_YEAR_TAIL = re.compile(r"\s+(19|20)[0-9]{2}\s*")  # after the comma's space: ``Feb 25,2025`` is Feb 2025, $2,025


def split_dates(grid: Grid, header: _Header, sheet: str | None, first_row: int) -> list[Issue]:
    """An error for each row of a seven-column ledger read from a CSV whose month is a date split at its comma
    (``Jan 31, 2025`` unquoted): read as it stands it is January 2031, with the year as the start's figure and every
    figure one column on. The ledger's last column (the NRR rate) is often blank, so ``split_rows`` cannot see it."""
    col = header.columns["month"]

    def halves(i: int) -> tuple[Cell, Cell]:
        return (grid[i][col], grid[i][col + 1]) if len(grid[i]) > col + 1 else (None, None)

    def is_split(head: Cell, tail: Cell) -> bool:
        return isinstance(head, str) and isinstance(tail, str) and bool(_DATE_HEAD.fullmatch(head)) \
            and bool(_YEAR_TAIL.fullmatch(tail))

    def named(i: int) -> Issue:
        date = ", ".join(str(half).strip() for half in halves(i))
        try:
            month = str(parse_month(date))
        except CellError:
            month = "YYYY-MM"
        return Issue(severity="error", code="split_cell", sheet=sheet,
                     cells=(a1(first_row + i, col), a1(first_row + i, col + 1)), message=say.date_split(date, month))
    split = (i for i in range(header.index + 1, len(grid)) if is_split(*halves(i)))
    return _first_named(split, named, say.more_split_dates, sheet)


def reads_as_billing(header: Sequence[Cell]) -> bool:
    """Whether a table whose columns are named ``header`` is read as billing data, by ``check_ledger``'s rule: the
    billing header rules recognise it (or find it lacks a column they need, which is then said) and it is not a
    seven-column ledger. A warehouse asks this of a table's column names before deciding how to read it.

    >>> reads_as_billing(["Customer", "Start date", "End date", "MRR"]), reads_as_billing(["Customer", "Month", "MRR"])
    (True, False)
    """
    grid = [list(header)]
    return find_billing_header(grid) is not None and _find_header(grid) is None


def _customer_check(grid: Grid, sheet: str | None, first_row: int, options: ReadOptions) -> LedgerCheck:
    found = read_customers(grid, sheet=sheet, first_row=first_row, options=options)
    if found.table is None:
        return LedgerCheck(ledger=None, issues=found.issues)
    issues = [*found.issues, *billed_per_period(found.table, sheet)]
    warnings = tuple(i for i in issues if i.severity == "warning")
    ledger = with_months_paying_nothing(derive_ledger(found.table, warnings, sheet), issues)
    return LedgerCheck(ledger=ledger, issues=issues, rows=ledger.rows, layout=None, unit=ledger.unit)


def _billing_check(grid: Grid, header: BillingHeader, sheet: str | None, first_row: int,
                   options: ReadOptions) -> LedgerCheck:
    from engine._billing_read import read_billing  # billing data only: a customer table or a ledger never loads it

    found = read_billing(grid, header, sheet=sheet, first_row=first_row, options=options)
    issues = list(found.issues)
    if found.table is None:
        return LedgerCheck(ledger=None, issues=issues)
    warnings = tuple(i for i in issues if i.severity == "warning")
    ledger = replace(derive_ledger(found.table, warnings, sheet), normalization=found.normalization)
    return LedgerCheck(ledger=ledger, issues=issues, rows=ledger.rows, layout=None, unit=ledger.unit)


def _ratio(row: LedgerRow) -> Decimal:
    assert row.nrr is not None  # a rate is only checked where Start is not 0
    return row.nrr


def _runs(rows: Sequence[int], column: int) -> list[str]:
    """``[2, 3, 4, 7]`` in column G -> ``["G2:G4", "G7"]``: sheet rows in A1 ranges, one per run."""
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return [a1(run[0], column) + (f":{a1(run[-1], column)}" if len(run) > 1 else "") for run in runs]


def _fields_down_a_column(grid: Sequence[Sequence[Cell]]) -> tuple[int, int, list[str]] | None:
    """Where a ledger runs across the sheet (a month a column, the figures' names down one column: a pivot or a
    board deck's layout): the row and column of the first such name, and the names; None unless a column of the
    first rows names three of the figures a ledger needs or more, each once (an activity log's Type column repeats
    Expansion and Churn row after row), with two months or more across the row above them."""
    top = grid[:HEADER_SEARCH_ROWS]
    for col in range(3):
        found: list[tuple[Field, int, str]] = []
        for r, row in enumerate(top):
            value = row[col] if col < len(row) else None
            if isinstance(value, str) and (match := match_header(value)) is not None and match.field in _AMOUNTS:
                found.append((match.field, r, value.strip()))
        fields = {f for f, _, _ in found}
        if len(fields) < 3 or len(fields) != len(found):
            continue
        first = min(r for _, r, _ in found)
        if first and sum(_reads_as_month(v) for v in top[first - 1][col + 1:]) >= 2:
            return first, col, [text for _, _, text in sorted(found, key=lambda x: x[1])]
    return None


def _reads_as_month(value: Cell) -> bool:
    if is_blank(value):
        return False
    try:
        parse_month(value)
    except CellError:
        return False
    return True


def _cell(row: Sequence[Cell], column: int | None) -> Cell:
    if column is None or column >= len(row):
        return None
    return row[column]


@dataclass(kw_only=True)
class _Header:
    index: int  # 0-based index into the grid
    columns: dict[Field, int]
    extras: dict[str, int]
    units: dict[Unit, list[str]]
    repeats: list[tuple[int, str, Field]]  # (column, header text, field it repeats)
    titles: dict[Field, tuple[str, bool]] = field(default_factory=dict)  # field -> (header, names a unit)


def _template_title(text: str, field: Field, *, currency: bool = True) -> bool:
    """Whether ``text`` is the template's own header for ``field`` (``Churned MRR``, ``Churned ARR``), whatever its
    case, spacing and punctuation, and the currency it names (``Churned MRR (USD)``, ``Churned MRR ($)``: fuzz 18,
    a Gross MRR Churn column left of it still won)."""
    words = " ".join(text.split()).casefold().rstrip(":").rstrip()
    words = _CURRENCY_AFTER.sub("", words) if currency else words
    title = FIELD_TITLES[field].casefold()
    return words in (title, title.replace("mrr", "arr"))


#: a currency in brackets after a header (``Churned MRR (USD)``, ``Churned MRR ($)``)
_CURRENCY_AFTER = re.compile(r"\s*[(\[]\s*(?:[a-z]{3}|us\$|[$€£¥₹])\s*[)\]]$")


def _replaces(text: str, unit: Unit | None, earlier: tuple[str, bool], field: Field) -> bool:
    """Whether a column headed ``text`` is used for ``field`` instead of an earlier one (its header, and whether it
    names its unit): the template's own header beats the same naming a currency (``Churned MRR (EUR)``: fuzz 19,
    it made the ledger EUR), which beats any other; else one naming its unit beats one that does not."""
    mine, theirs = _template_rank(text, field), _template_rank(earlier[0], field)
    if mine != theirs:
        return mine > theirs
    qualified, before = bool(header_tokens(text) & _QUALIFIERS), bool(header_tokens(earlier[0]) & _QUALIFIERS)
    # Budget Expansion MRR, Starting MRR (old), Net Expansion MRR beside the figure itself (Net Revenue Retention is
    # the rate itself)
    if field in ("nrr", "grr"):  # Target NRR gives way to NRR %; Net Revenue Retention is the rate itself
        qualified = bool(header_tokens(text) & _QUALIFIERS - {"net"})
        before = bool(header_tokens(earlier[0]) & _QUALIFIERS - {"net"})
    if qualified != before:
        return before
    return unit is not None and not earlier[1]


#: a header saying its figures are in thousands: ($000), (000s), in thousands, $K, (k)
_IN_THOUSANDS = re.compile(r"(?i)\(\s*[$€£]?\s*000s?\s*\)|\bin\s+thousands\b|\(\s*[$€£]?\s*k\s*\)|[$€£]k\b"
                           r"|\bthousands\b")

#: words that make a column another figure than the month's own (a plan's, an old calculation's, a net of others):
#: the column without them is used for its field
_QUALIFIERS = frozenset({"budget", "budgeted", "planned", "target", "targets", "goal", "forecast",
                         "forecasted", "projected", "projection", "estimate", "estimated", "expected", "old",
                         "previous", "prior", "net", "ly", "py", "pipeline", "quota"})
#: words that make a movement's column a part of it (Upsell and Cross-sell MRR, Voluntary and Involuntary Churn):
#: columns of one movement that are each such a part are added up
_PARTS = frozenset({"upsell", "upsells", "cross", "crosssell", "addon", "addons", "add", "seat", "seats",
                    "voluntary", "involuntary", "price", "upgrade", "upgrades", "upgraded", "downsell", "downsells"})


def _template_rank(text: str, field: Field) -> int:
    """2: the template's own header for ``field``; 1: the same with a currency after it; 0: another."""
    return 2 if _template_title(text, field, currency=False) else 1 if _template_title(text, field) else 0


def _read_header(row: Sequence[Cell], index: int) -> _Header:
    """The fields a header row names. Of two columns naming one field, the template's own header is used (fuzz 16:
    a Gross MRR Churn column left of Churned MRR took its place, and downgrades were counted twice), else the one
    that names its unit, else the first."""
    header = _Header(index=index, columns={}, extras={}, units=defaultdict(list), repeats=[])
    for col, value in enumerate(row):
        if not isinstance(value, str) or not value.strip():
            continue
        text = value.strip()
        match = match_header(text)
        if match is None:
            header.extras[text] = col
        elif match.field in header.columns and not _replaces(text, match.unit, header.titles[match.field], match.field):
            header.repeats.append((col, text, match.field))
            header.extras[text] = col
        else:
            if match.field in header.columns:  # this one names its unit; the earlier one did not
                old_col, (old_text, _) = header.columns[match.field], header.titles[match.field]
                header.repeats.append((old_col, old_text, match.field))
                header.extras[old_text] = old_col
            header.columns[match.field] = col
            header.titles[match.field] = (text, match.unit is not None)
            if match.unit:
                header.units[match.unit].append(text)
    return header


def _two_row_header(grid: Grid) -> tuple[Grid, _Header] | None:
    """A header written over two rows (a merged Month and NRR over both, a group title such as MRR over Start,
    Expansion, Churn, Contraction and End): the grid with the second row's blank cells taken from the first, and its
    header; None when no two rows read so. The rows keep their places, so every cell is named where it is."""
    for index in range(1, min(len(grid), HEADER_SEARCH_ROWS)):
        above, row = grid[index - 1], grid[index]
        if not any(isinstance(v, str) and v.strip() for v in row):
            continue
        joined = tuple(below if not is_blank(below) else (above[c] if c < len(above) else below)
                       for c, below in enumerate(itertools.chain(row, [None] * max(0, len(above) - len(row)))))
        header = _read_header(joined, index)
        if "month" in header.columns and all(f in header.columns for f in REQUIRED_FIELDS) and not all(
                f in _read_header(row, index).columns for f in ("month", "start")):
            return [*grid[:index], joined, *grid[index + 1:]], header
    return None


def _find_header(grid: Grid) -> _Header | None:
    """The first row naming the month and the most required columns (a title may sit above)."""
    best: tuple[int, _Header] | None = None
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        header = _read_header(row, index)
        score = sum(f in header.columns for f in REQUIRED_FIELDS)
        if "month" in header.columns and score >= 3 and (best is None or score > best[0]):
            best = (score, header)
            if score == len(REQUIRED_FIELDS):
                break
    return best[1] if best else None


class _Reader:
    def __init__(self, grid: Grid, sheet: str | None, first_row: int, today: Month | None = None) -> None:
        self.grid = grid
        self.sheet = sheet
        self.first_row = first_row
        #: the month in progress, when the reading knows it: a month from it on is not missing between rows (it has
        #: not closed; a row of a month ahead, a year typed wrong, is warned of by ``months_ahead``), as a customer
        #: table's reader counts it
        self.today = today
        self.issues: list[Issue] = []
        self.months_with_rows: set[Month] = set()
        self.months_listed: dict[Month, list[int]] = {}  # months whose row has no figures (yet) -> their sheet rows
        self.unit: Unit = "MRR"
        self.columns: dict[Field, int] = {}
        self.rates: list[tuple[LedgerRow, Decimal, Decimal]] = []  # each NRR cell read: (row, ratio, rounding)
        self.rates_off: list[Issue] = []  # the warnings for those that disagree with End/Start
        self.marks: dict[str, str] = {}  # the currency a figure is written in ($, EUR ...) -> its first cell
        #: more columns added up to a movement's (Upsell and Cross-sell MRR), beside ``columns``
        self.parts: dict[Field, list[int]] = {}
        #: each row whose typed End disagrees with the formula: by how much, the rounding its digits show, its month
        self.end_off: dict[int, tuple[Decimal, Decimal, Month]] = {}

    def add(self, severity: Severity, code: str, message: str, cells: Sequence[str] = (),
            month: Month | None = None) -> None:
        self.issues.append(Issue(severity=severity, code=code, message=message, cells=tuple(cells), month=month,
                                 sheet=self.sheet))

    def title(self, f: Field) -> str:
        return FIELD_TITLES[f].replace("MRR", self.unit)

    def ref(self, sheet_row: int, f: Field) -> str:
        return a1(sheet_row, self.columns[f])

    def run(self) -> LedgerCheck:
        header = _find_header(self.grid)
        if header is None and (joined := _two_row_header(self.grid)) is not None:
            self.grid, header = joined  # Month over two rows (merged), MRR over Start ... End: read as one row
        if header is None:
            best = max((_read_header(r, i) for i, r in enumerate(self.grid[:HEADER_SEARCH_ROWS])),
                       key=lambda h: sum(f in h.columns for f in REQUIRED_FIELDS), default=None)
            gap = customer_header_gap(self.grid)
            # Baremetrics' customers list: each customer's MRR today, which no month-by-month figure comes from
            current = next((v.strip() for r in self.grid[:HEADER_SEARCH_ROWS] for v in r if isinstance(v, str)
                            and {"current", "latest"} & header_tokens(v) and {"mrr", "arr"} & header_tokens(v)), None)
            # a wide table's month headers in two units (MRR Jan 2025 ... ARR Mar 2025): said, not "no header"
            two_units = next((units for r in self.grid[:HEADER_SEARCH_ROWS]
                              if len(units := month_units(r)) > 1), None)
            headerless = best is None or not any(f in best.columns for f in REQUIRED_FIELDS)
            down = _fields_down_a_column(self.grid)
            if down is not None and (best is None or sum(f in best.columns for f in REQUIRED_FIELDS) <= 2):
                self.add("error", "transposed", say.ledger_transposed(a1(self.first_row + down[0], down[1]), down[2]))
            elif current is not None and (gap is None or gap[0] == "month") and headerless:
                self.add("error", "no_header", say.current_mrr_only(current))
            elif two_units is not None and headerless:
                self.add("error", "mixed_units", say.mixed_units(two_units["MRR"], two_units["ARR"]))
            elif gap is not None and (best is None or sum(f in best.columns for f in REQUIRED_FIELDS) <= 1):
                near = None
                if gap[0] == "amount":  # Weird MRR: a figure's header in words the rules do not read
                    # not a movement's column (ChartMogul's Activity MRR Movement): a change, never a month's MRR
                    near = next((v.strip() for v in self.grid[gap[1]] if isinstance(v, str)
                                 and header_tokens(v) & {"mrr", "arr"}
                                 and not header_tokens(v) & {"movement", "movements", "change", "delta", "diff"}), None)
                self.add("error", "missing_column", say.customer_column_missing(gap[0], self.first_row + gap[1], near))
            elif headerless:  # a title naming NRR ("NRR summary") is no header: no column a ledger needs is there
                self.add("error", "no_header", say.no_header(self.unit))
            else:
                assert best is not None  # headerless otherwise
                absent = [self.title(f) for f in REQUIRED_FIELDS if f not in best.columns]
                message = say.missing_columns(absent, self.unit, self.first_row + best.index)
                spans = [v.strip() for v in self.grid[best.index] if isinstance(v, str)
                         and header_tokens(v) & {"quarter", "quarters", "qtr", "year"} and header_tokens(v) <= _SPANS]
                if absent == ["Month"] and spans:  # Quarter: a summary sheet, whose rows NRR cannot be read from
                    message += " " + say.spans_column(spans[0])
                self.add("error", "missing_column", message)
            return LedgerCheck(ledger=None, issues=self.issues)
        self.columns = header.columns
        header_row = self.first_row + header.index
        for f, col in header.columns.items():  # MRR (Start of Period) (EUR): the figures below are in euros
            if f not in ("month", "nrr", "grr") and (code := header_currency(str(self.grid[header.index][col]))):
                self.marks.setdefault(code, a1(header_row, col))
        if header.units.get("ARR") and header.units.get("MRR"):
            self.add("error", "mixed_units", say.mixed_units(header.units["MRR"], header.units["ARR"]))
        elif header.units.get("ARR"):
            self.unit = "ARR"
        self.choose_movements(header)
        scaled = next((str(self.grid[header.index][col]).strip() for f, col in header.columns.items()
                       if f in _AMOUNTS and _IN_THOUSANDS.search(str(self.grid[header.index][col]))), None)
        if scaled is not None:  # Starting MRR ($000): read as written, said, and no stage guessed from its ARR
            self.add("warning", "in_thousands", say.figures_in_thousands(scaled, self.unit), [])
        beside = sorted(col for col, _, _ in header.repeats)
        if set(REQUIRED_FIELDS) <= {f for _, _, f in header.repeats}:  # 2024 in A:G, 2025 in I:O of one tab
            self.add("warning", "table_beside", say.table_beside(a1(header_row, beside[0]), a1(header_row, beside[-1])),
                     [a1(header_row, beside[0])])
        else:
            for col, text, f in header.repeats:
                used = f"'{header.titles[f][0]}' ({a1(header_row, header.columns[f])})"
                message = say.duplicate_column(f"'{text}'", self.title(f), used)
                if f in _MOVEMENTS and "end" not in header.columns and header_tokens(text) & _PARTS:
                    message += " " + say.part_left_out(header.titles[f][0], self.title("end"))  # Add-on MRR
                self.add("warning", "duplicate_column", message, [a1(header_row, col)])
        missing = [f for f in REQUIRED_FIELDS if f not in header.columns]
        if "expansion" in missing:  # a New + Expansion MRR column: named, not asked for as if it were not there
            mixed = [(c, v) for c, v in enumerate(self.grid[header.index])
                     if isinstance(v, str) and mixes_new_business(v)]
            for col, title in mixed:
                self.add("error", "new_in_expansion", say.new_business_in_expansion(title.strip(), self.unit),
                         [a1(header_row, col)])
            if mixed:
                missing.remove("expansion")
        if missing:
            self.add("error", "missing_column",
                     say.missing_columns([self.title(f) for f in missing], self.unit, header_row))
        if missing or any(i.code == "new_in_expansion" for i in self.issues):
            return LedgerCheck(ledger=None, issues=self.issues)

        rows, pending = self.read_rows(header.index)
        # a Currency column beside the month totals says each row's currency, as a figure written €1,200 does:
        # one currency is the ledger's, two are refused as mixed (fuzz 15: GBP there was answered in dollars)
        for col in (c for text, c in header.extras.items() if customer_role(text) == "currency"):
            for row in rows:
                value = _cell(self.grid[row.row - self.first_row], col)
                if isinstance(value, str) and value.strip():
                    code = currency_code(value)
                    if not CODE.fullmatch(code) and code not in self.marks:  # British Pound: no code, said once
                        self.add("error", "bad_currency", say.not_a_currency_code(value.strip()), [a1(row.row, col)])
                    self.marks.setdefault(code, a1(row.row, col))
        rows, pending, starts_ahead = self.unlanded(rows, pending)
        self.check_inverted()
        self.check_sequence(rows)
        if not rows and not self.errors():
            summaries = [i for i in self.issues if i.code == "summary_row"]
            if summaries:  # every row names a quarter or a year: a summary sheet, not a ledger of months
                self.issues = [i for i in self.issues if i.code != "summary_row"]
                self.add("error", "spans_only", say.spans_only(self.unit), [c for i in summaries for c in i.cells])
            else:
                self.add("error", "empty", say.empty_ledger())
        if len(self.marks) > 1:  # $1,000 beside €100: added up, they would mean nothing
            self.add("error", "mixed_currency", say.ledger_in_currencies(self.unit, list(self.marks.items())),
                     list(self.marks.values()))
        layout = Layout(header_row, dict(header.columns), dict(header.extras),
                        parts={f: tuple(cols) for f, cols in self.parts.items() if cols})
        duplicated = {i.month for i in self.issues if i.code == "duplicate_month"}
        valid = tuple(r for r in rows if r.month not in duplicated)
        if any(i.code in _WHOLE_LEDGER_ERRORS for i in self.issues):
            valid = ()  # $100,000 beside €15,000, MRR beside ARR: no row's End or NRR means anything to write
        if self.errors():
            return LedgerCheck(ledger=None, issues=self.issues, rows=valid, layout=layout, unit=self.unit)
        self.check_still_months(rows)
        self.check_new_in_end(header)
        warnings = tuple(i for i in self.issues if i.severity == "warning")
        currency = next(iter(self.marks), None)  # every figure that says so says one currency: the ledger's
        ledger = Ledger(rows=tuple(rows), warnings=warnings, unit=self.unit, sheet=self.sheet, layout=layout,
                        pending=tuple(pending), currency=currency if currency and CODE.fullmatch(currency) else None,
                        starts_ahead=starts_ahead)
        return LedgerCheck(ledger=ledger, issues=self.issues, rows=valid, layout=layout, unit=self.unit)

    def check_new_in_end(self, header: _Header) -> None:
        """One warning, not one a row, when every typed End that disagrees is off by a New MRR column's figure (End
        counts new customers' money, which NRR leaves out): the rows' End and NRR warnings are replaced by it."""
        if len(self.end_off) < 2:
            return
        for title, col in header.extras.items():
            if not header_tokens(title) & {"new", "newbiz"} or header_tokens(title) & {"customers", "logos", "count"}:
                continue
            try:
                matches = all(abs(parse_money(_cell(self.grid[r - self.first_row], col))[0] - off) <= rounding + 1
                              for r, (off, rounding, _) in self.end_off.items())
            except CellError:
                continue
            if not matches:
                continue
            months = {month for _, _, month in self.end_off.values()}
            self.issues = [i for i in self.issues if not (i.code in ("end_disagrees", "nrr_disagrees")
                                                          and i.month in months)]
            self.rates_off = [i for i in self.rates_off if i.month not in months]
            self.add("warning", "new_in_end", say.new_in_end(self.title("end"), title, len(self.end_off)),
                     [a1(self.first_row + header.index, self.columns["end"]), a1(self.first_row + header.index, col)])
            return

    def check_still_months(self, rows: Sequence[LedgerRow]) -> None:
        """A warning for the ledger's last months when every movement in them is 0, after at least three months
        that each moved: more often a year laid out ahead with formulas giving 0 than months in which no customer
        expanded, churned or downgraded (a fresh-eyes try: April read as NRR 100.00% without a word)."""
        ordered = sorted(rows, key=lambda r: r.month)
        still = next((n for n in range(len(ordered)) if ordered[-1 - n].expansion or ordered[-1 - n].churn
                      or ordered[-1 - n].downgrade), len(ordered))
        before = ordered[:len(ordered) - still]
        if not still or len(before) < 3 or not all(r.expansion or r.churn or r.downgrade for r in before[-3:]):
            return
        first, last = ordered[-still], ordered[-1]
        self.add("warning", "still_months", say.still_months(first.month, last.month, self.unit),
                 [self.ref(first.row, f) for f in _MOVEMENTS])

    def unlanded(self, rows: list[LedgerRow], pending: list[Month]
                 ) -> tuple[list[LedgerRow], list[Month], dict[Month, Decimal]]:
        """The ledger's last rows with a Start but no movement at all (Expanded, Churned and Downgraded blank: a
        year laid out ahead, Start and End carried by formulas) are months not closed yet: left out, with one
        warning, not read as months in which nothing moved. A blank month between others is still read as 0."""
        # (an End that disagrees with Start, its movements blank, is a closed month whose movements were left out)
        unmoved = {i.month for i in self.issues if i.code == "no_movements"} - {
            i.month for i in self.issues if i.code == "end_disagrees"}
        moved = [r.month for r in rows if r.month not in unmoved]
        if not unmoved or not moved:
            return rows, pending, {}
        last = max(moved)
        ahead = [r for r in rows if r.month > last]
        if not ahead:
            return rows, pending, {}
        months = sorted(r.month for r in ahead)
        self.issues = [i for i in self.issues if not (i.code == "no_movements" and i.month in months)]
        self.add("warning", "month_not_landed", say.ledger_months_not_landed(months, self.unit, last),
                 _runs(sorted(r.row for r in ahead), self.columns["month"]))
        return [r for r in rows if r.month <= last], sorted({*pending, *months}), {r.month: r.start for r in ahead}

    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    # -- rows --

    def choose_movements(self, header: _Header) -> None:
        """Of several columns naming one movement, which are read: the one End agrees with, row by row (its
        columns added up, or one alone: Budget Expansion MRR beside Expansion MRR, Upsell beside Cross-sell MRR);
        without an End, columns that are each a part of the movement (Voluntary and Involuntary Churn) added up.
        Otherwise the first (``_read_header``'s choice), the others said to be left out."""
        fields = [f for f in _MOVEMENTS if any(g == f for _, _, g in header.repeats)]
        if not fields:
            return
        candidates = {f: [self.columns[f], *(c for c, _, g in header.repeats if g == f)] for f in fields}
        words = {c: header_tokens(str(self.grid[header.index][c])) for cols in candidates.values() for c in cols}
        # every column added up; those not of another figure added up (Upsell and Cross-sell, without the Budget's);
        # each alone
        options: dict[Field, list[tuple[int, ...]]] = {
            f: list(dict.fromkeys([tuple(cols), tuple(c for c in cols if not words[c] & _QUALIFIERS) or tuple(cols),
                                   *((c,) for c in cols)])) for f, cols in candidates.items()}
        chosen: dict[Field, tuple[int, ...]] | None = None
        # an End column with figures in it (blank, as a sheet nrr fill has yet to fill, it tells nothing)
        ends = "end" in self.columns and any(not is_blank(_cell(row, self.columns["end"]))
                                             for row in self.grid[header.index + 1:])
        confirmed = False
        if ends:
            chosen, confirmed = self.agreeing(header, options)
        if chosen is None and confirmed:
            return  # End agrees with the first columns as well as with any other choice: the first
        if chosen is None:  # no End, or one that agrees with no choice (a New MRR in it, rows without it): columns
            # that are each a part of a movement are added up, anything else left out
            chosen = {f: tuple(cols) if all(words[c] & _PARTS and not words[c] & _QUALIFIERS for c in cols)
                      else (cols[0],) for f, cols in candidates.items()}
            said = "parts"
        else:
            said = "end"
        for f, cols in chosen.items():
            self.columns[f], self.parts[f] = cols[0], list(cols[1:])
            header.repeats = [(c, t, g) for c, t, g in header.repeats if not (g == f and c in cols)]
            if f in header.titles and cols[0] != candidates[f][0]:
                header.titles[f] = (str(self.grid[header.index][cols[0]]).strip(), header.titles[f][1])
            if len(cols) > 1:
                names = [f"'{str(self.grid[header.index][c]).strip()}' ({a1(self.first_row + header.index, c)})"
                         for c in cols]
                end = a1(self.first_row + header.index, self.columns["end"]) if said == "end" else None
                self.add("warning", "columns_added", say.columns_added(names, self.title(f), end),
                         [a1(self.first_row + header.index, c) for c in cols])
            if said != "end":
                continue  # the others are said left out with the rest of the header's repeats
            # every other column of the movement, the one read first too (it had gone unsaid when End chose another)
            left = [(c, str(self.grid[header.index][c]).strip()) for c in candidates[f] if c not in cols]
            header.repeats = [r for r in header.repeats if r[2] != f]
            used = [f"'{str(self.grid[header.index][k]).strip()}'" for k in cols]
            for c, t in left:
                self.add("warning", "duplicate_column",
                         say.column_left_out(f"'{t}'", self.title(f), used,
                                             a1(self.first_row + header.index, self.columns["end"])),
                         [a1(self.first_row + header.index, c)])

    def agreeing(self, header: _Header, options: Mapping[Field, Sequence[tuple[int, ...]]]
                 ) -> tuple[dict[Field, tuple[int, ...]] | None, bool]:
        """The columns of each movement with which Start + Expanded - Churned - Downgraded is End on the most rows
        (every option tried together), None when the first columns (``_read_header``'s) do as well; and whether
        the first columns agree with End on four rows in five."""
        fields = list(options)
        combos = [dict(zip(fields, combo, strict=True)) for combo in itertools.product(*(options[f] for f in fields))]
        first: dict[Field, tuple[int, ...]] = {f: (self.columns[f],) for f in fields}
        counts = [0] * len(combos)
        rows = 0
        wanted = {self.columns[f] for f in (*_AMOUNTS, "end")} | {c for opts in options.values() for opt in opts
                                                                 for c in opt}
        for cells in self.grid[header.index + 1:]:
            figures: dict[int, tuple[Decimal, Decimal]] = {}
            for col in wanted:
                value = _cell(cells, col)
                if is_blank(value):
                    figures[col] = (ZERO, ZERO)
                    continue
                try:
                    figures[col] = parse_money(value)
                except CellError:
                    break
            else:
                (start, r1), (end, r2) = figures[self.columns["start"]], figures[self.columns["end"]]
                if not start or is_blank(_cell(cells, self.columns["end"])):
                    continue
                rows += 1
                for n, combo in enumerate(combos):
                    total, slack = start - end, r1 + r2
                    for f in _MOVEMENTS:
                        for col in combo.get(f, (self.columns[f],)):
                            value, rounding = figures[col]
                            total += value if f == "expansion" else -abs(value)
                            slack += rounding
                    counts[n] += abs(total) <= slack
        if not rows:
            return None, False
        best = max(range(len(combos)), key=lambda n: counts[n])
        alone = counts[combos.index(first)]
        whole = counts[combos.index({f: options[f][0] for f in fields})]  # every column of each movement added up
        # the first alone confirmed: on four rows in five, and on more than with every column added up (End filled
        # only where Cross-sell was blank tells the two apart nowhere)
        first_agrees = alone * 5 >= rows * 4 and alone > whole
        if counts[best] <= alone or counts[best] * 5 < rows * 4:
            return None, first_agrees  # the first columns agree as often, or none agrees on four rows in five
        return combos[best], first_agrees

    def read_rows(self, header_index: int) -> tuple[list[LedgerRow], list[Month]]:
        month_col = self.columns["month"]
        order = infer_date_order(
            [v for r in self.grid[header_index + 1:] if isinstance(v := _cell(r, month_col), str)]
        )
        rows: list[LedgerRow] = []
        pending: list[Month] = []
        seen: dict[Month, list[int]] = defaultdict(list)
        summaries: dict[str, list[int]] = {}  # a summary row's label -> its sheet rows
        for index in range(header_index + 1, len(self.grid)):
            sheet_row = self.first_row + index
            cells = self.grid[index]
            month_cell = _cell(cells, month_col)
            amounts_blank = all(is_blank(_cell(cells, self.columns[f])) for f in _AMOUNTS)
            if is_blank(month_cell):
                words = [(f, v) for f in _AMOUNTS if not is_blank(v := _cell(cells, self.columns[f]))]
                if words and all(isinstance(v, str) and not any(c.isdigit() for c in v) for _, v in words):
                    # a row of units or notes under the header ("in USD", "%"): words about the columns, no figure
                    first, text = words[0]
                    self.add("warning", "units_row", say.units_row(str(text).strip()), [self.ref(sheet_row, first)])
                elif not amounts_blank:
                    total = self.sum_of_rows_above(cells, rows)
                    self.add("error", "no_month", say.amounts_without_month(total and self.title(total)),
                             [self.ref(sheet_row, "month")])
                elif broken := [f for f in _AMOUNTS if is_error_value(_cell(cells, self.columns[f]))]:
                    # #REF! where the figures go and no month: a row whose formulas broke, left out but said
                    self.add("warning", "broken_row", say.broken_row(str(_cell(cells, self.columns[broken[0]]))),
                             [self.ref(sheet_row, broken[0])])
                continue
            if isinstance(month_cell, str) and is_total_label(month_cell):
                continue
            if isinstance(month_cell, str) and is_period_label(month_cell):  # Q1 2025, FY25 YTD: a summary row
                summaries.setdefault(" ".join(month_cell.split()), []).append(sheet_row)
                continue
            if (not is_blank(month_cell) and repeats_header(cells, self.grid[header_index])) or (
                    amounts_blank and isinstance(month_cell, str) and self.is_note(cells, month_col, order)):
                continue  # the header again where two exports were pasted together, or a note under the table
            if seen and isinstance(month_cell, str) and (head := match_header(month_cell)) and head.field == "month":
                # another table's header under the ledger (Month | Target MRR | Owner): the ledger ends above it
                # (fuzz 18: each of its rows was refused, and nrr fill put notes on them); so does the ledger's own
                # header written otherwise (respelled, reordered, in ARR or another currency: read on by the first
                # header's places and units, fuzz 19-20 swapped churn and expansion, and read ARR as MRR)
                headers = [str(v).strip() for v in cells if not is_blank(v)]
                again = all(f in _read_header(cells, index).columns for f in REQUIRED_FIELDS)
                self.add("warning", "another_table", say.another_table(sheet_row, headers, again))  # no note
                break
            month = self.month(month_cell, sheet_row, order)
            if month is not None:
                seen[month].append(sheet_row)
            if amounts_blank:
                if month is not None:
                    pending.append(month)
                continue
            row = self.read_row(cells, sheet_row, month)
            if row is not None:
                rows.append(row)
        for label, sheet_rows in summaries.items():
            self.add("warning", "summary_row", say.summary_rows(label, len(sheet_rows)),
                     _runs(sheet_rows, month_col))
        for month, sheet_rows in seen.items():
            if len(sheet_rows) > 1:
                self.add("error", "duplicate_month", say.duplicate_month(),
                         [self.ref(r, "month") for r in sheet_rows], month)
        filled = {r.month for r in rows}
        # a row with errors is still a row: its month is not missing; one with no figures at all is listed, not filled
        self.months_with_rows = set(seen) - set(pending)
        self.months_listed = {m: seen[m] for m in pending}
        return rows, sorted(m for m in set(pending) if m not in filled)

    @staticmethod
    def is_note(cells: Sequence[Cell], month_col: int, order: DateOrder | None) -> bool:
        """Whether a row with no figures is a note under the table: text that is not a month where the month
        goes (``Notes: from Stripe``), every other cell blank."""
        if any(not is_blank(v) for col, v in enumerate(cells) if col != month_col):
            return False
        try:
            parse_month(cells[month_col], order)
        except CellError:
            return True
        return False

    def month(self, value: Cell, sheet_row: int, order: DateOrder | None) -> Month | None:
        try:
            return parse_month(value, order)
        except CellError as exc:
            # January with no year: say that the year is what is missing, as a customer table's header does
            expected = say.MONTH_WITH_YEAR if isinstance(value, str) and value.strip().lower().rstrip(".") in \
                MONTH_WORDS else exc.expected
            self.add("error", "bad_month", say.unreadable("Month", show(value), expected),
                     [self.ref(sheet_row, "month")])
            return None

    def amount(self, cells: Sequence[Cell], f: Field, sheet_row: int,
               month: Month | None) -> tuple[Decimal, Decimal] | None:
        """The figure of ``f`` in a row (with the columns added up to it, ``self.parts``), and its rounding."""
        read = self.one_amount(cells, f, self.columns.get(f), sheet_row, month)
        for col in self.parts.get(f, ()):
            more = self.one_amount(cells, f, col, sheet_row, month)
            if more is None:
                continue
            loss = f in ("churn", "downgrade")  # (5,000) and -5000 in a churn column are both a loss: added as such
            value = abs(more[0]) if loss else more[0]
            read = (value, more[1]) if read is None else ((abs(read[0]) if loss else read[0]) + value,
                                                          read[1] + more[1])
        return read

    def one_amount(self, cells: Sequence[Cell], f: Field, col: int | None, sheet_row: int,
                   month: Month | None) -> tuple[Decimal, Decimal] | None:
        value = _cell(cells, col)
        if is_error_value(value):  # a broken formula: read as blank, a movement would silently be 0
            expected = say.LEDGER_AMOUNT_IS_ERROR_VALUE
            self.add("error", "bad_amount", say.unreadable(self.title(f), show(value), expected),
                     [a1(sheet_row, col if col is not None else 0)], month)
            raise CellError(say.LEDGER_AMOUNT_IS_ERROR_VALUE)
        if is_blank(value):
            return None
        try:
            read = parse_money(value)
            if (code := currency_mark(value)) is not None:
                self.marks.setdefault(code, a1(sheet_row, col if col is not None else 0))
            return read
        except CellError as exc:
            self.add("error", "bad_amount", say.unreadable(self.title(f), show(value), exc.expected),
                     [a1(sheet_row, col if col is not None else 0)], month)
            raise

    def sum_of_rows_above(self, cells: Sequence[Cell], rows: Sequence[LedgerRow]) -> Field | None:
        """The first movement whose figure in ``cells``, a row with no month, is the sum of the two or more rows read
        above it (to within a unit), when every movement the row has a figure for is (one matching by chance, a 0
        or an early month's, is no total): a total row left without its label (=SUM(C2:C25) under the table). None
        otherwise."""
        if len(rows) < 2:
            return None
        summed: list[Field] = []
        for f in _MOVEMENTS:
            value = _cell(cells, self.columns[f])
            if is_blank(value):
                continue
            try:
                figure = parse_money(value)[0]
            except CellError:
                return None
            if abs(figure - sum(getattr(r, f) for r in rows)) >= 1:
                return None
            if figure:
                summed.append(f)
        return summed[0] if len(summed) >= 2 else None

    def read_row(self, cells: Sequence[Cell], sheet_row: int, month: Month | None) -> LedgerRow | None:
        values: dict[Field, Decimal | None] = {}
        failed = month is None
        for f in _AMOUNTS:
            try:
                parsed = self.amount(cells, f, sheet_row, month)
            except CellError:
                failed = True
                continue
            values[f] = parsed[0] if parsed else None
        start = values.get("start")
        if start is None and "start" in values:
            self.add("error", "blank_start", say.blank_start(self.title("start")),
                     [self.ref(sheet_row, "start")], month)
            failed = True
        for f in ("start", "expansion"):
            amount = values.get(f)
            if amount is not None and amount < 0:
                self.add("error", "negative", say.negative_amount(self.title(f), amount),
                         [self.ref(sheet_row, f)], month)
                failed = True
        if failed or month is None or start is None:
            return None
        if all(values.get(f) is None for f in _MOVEMENTS):
            self.add("warning", "no_movements", say.no_movements(self.unit),
                     [self.ref(sheet_row, f) for f in _MOVEMENTS], month)
        expansion = values.get("expansion") or ZERO
        churn = abs(values.get("churn") or ZERO)  # (5,000) and -5000 both mean a loss of 5,000
        downgrade = abs(values.get("downgrade") or ZERO)
        if churn + downgrade > start:
            self.add("error", "losses_exceed_start", say.losses_exceed_start(churn, downgrade, start),
                     [self.ref(sheet_row, f) for f in ("start", "churn", "downgrade")], month)
            return None
        row = LedgerRow(month=month, start=start, expansion=expansion, churn=churn, downgrade=downgrade, row=sheet_row)
        blanks = tuple(f for f in _MOVEMENTS if self.columns.get(f) is not None and values.get(f) is None)
        self.check_computed(cells, row, blanks)
        return row

    def check_computed(self, cells: Sequence[Cell], row: LedgerRow, blanks: tuple[Field, ...] = ()) -> None:
        """Warn where a typed End or rate disagrees with the formula beyond rounding; where End disagrees on a
        row with blank movements (``blanks``, read as 0), the warning names them, and the one blank's value that
        would make the row add up."""
        checks: tuple[tuple[Field, Decimal | None], ...] = (
            ("end", row.end), ("nrr", row.nrr), ("grr", row.grr))
        for f, computed in checks:
            value = _cell(cells, self.columns.get(f))
            if computed is not None and is_error_value(value):  # #REF!: the figure is computed, the sheet is broken
                self.add("warning", "bad_rate", say.unreadable(self.title(f), show(value), say.COMPUTED_IS_ERROR_VALUE)
                         + " " + say.recomputed(), [self.ref(row.row, f)], row.month)
                continue
            if computed is None or is_blank(value):
                continue
            try:
                found, rounding = parse_money(value) if f == "end" else parse_ratio(value)
                if f == "end" and (code := currency_mark(value)) is not None:
                    self.marks.setdefault(code, self.ref(row.row, f))
            except CellError as exc:
                self.add("warning", "bad_rate",
                         say.unreadable(self.title(f), show(value), exc.expected) + " " + say.recomputed(),
                         [self.ref(row.row, f)], row.month)
                continue
            if f == "nrr":
                self.rates.append((row, found, rounding))
            if abs(found - computed) > rounding:
                if f == "end" and blanks:
                    self.add("warning", "end_disagrees", self.end_with_blanks(row, found, computed, blanks),
                             [self.ref(row.row, f)] + [self.ref(row.row, b) for b in blanks], row.month)
                    continue
                disagrees = say.end_disagrees if f == "end" else say.rate_disagrees
                self.add("warning", f"{f}_disagrees", disagrees(self.title(f), found, computed),
                         [self.ref(row.row, f)], row.month)
                if f == "end":
                    self.end_off[row.row] = (found - computed, rounding, row.month)
                if f == "nrr":
                    self.rates_off.append(self.issues[-1])

    def end_with_blanks(self, row: LedgerRow, found: Decimal, computed: Decimal, blanks: tuple[Field, ...]) -> str:
        implied: Decimal | None = None
        if len(blanks) == 1:
            # the one blank that makes the row add up: more expansion, or a loss the month could have had
            value = found - computed if blanks[0] == "expansion" else computed - found
            if value > 0 and (blanks[0] == "expansion" or row.churn + row.downgrade + value <= row.start):
                implied = value
        return say.end_disagrees_blank(self.title("end"), found, computed,
                                       [(self.title(b), self.ref(row.row, b)) for b in blanks], implied)

    def check_inverted(self) -> None:
        """One warning for an NRR column that holds 2 - End/Start, instead of one per row.

        Some templates compute NRR as (Start - End)/Start + 1, which shows 95% where retention is 105%.
        It is recognised from the values (an export has no formulas): at least two rows disagree with
        End/Start and every one that does shows 2 - End/Start, within the rounding its digits show.
        The warning names the cells that are off, in runs; a 100% month shows both formulas alike and is
        named only between two that are off.
        """
        off = [(row, found, rounding) for row, found, rounding in self.rates
               if abs(found - _ratio(row)) > rounding]
        if len(off) < 2 or any(abs(found - (2 - _ratio(row))) > rounding for row, found, rounding in off):
            return
        first = next(k for k, issue in enumerate(self.issues) if issue is self.rates_off[0])
        dropped = {id(issue) for issue in self.rates_off}
        inverted = [row.row for row, found, rounding in self.rates
                    if off[0][0].row <= row.row <= off[-1][0].row and abs(found - (2 - _ratio(row))) <= rounding]
        column = self.columns["nrr"]
        row, found, _ = off[0]
        formula = nrr_formula(self.columns, inverted[0])
        message = say.inverted_nrr(self.title("nrr"), row.month, found, _ratio(row), len(off) - 1, formula,
                                   a1(inverted[0], column))
        issue = Issue(severity="warning", code="nrr_inverted", message=message, cells=tuple(_runs(inverted, column)),
                      month=None, sheet=self.sheet)
        self.issues = [*self.issues[:first], issue, *(i for i in self.issues[first:] if id(i) not in dropped)]

    # -- across rows --

    def warn_gaps(self, before: Month, after: Month) -> None:
        """One warning per run of months with no figures between ``before`` and ``after``: rows with no figures
        (naming their Month cells), or no row at all (a month whose row holds errors is reported by its errors,
        not as missing)."""
        absent = [before + i for i in range(1, after - before) if before + i not in self.months_with_rows]
        for run in month_runs(absent):
            listed = [m for m in run if m in self.months_listed]
            if listed and len(listed) == len(run):
                rows = sorted(r for m in run for r in self.months_listed[m])
                self.add("warning", "blank_month", say.months_without_figures(run, run[0] - 1, run[-1] + 1),
                         _runs(rows, self.columns["month"]))
            elif closed := [m for m in run if self.today is None or m < self.today]:  # 2052-06 typed for 2025-06:
                # no 305 months missing up to it, only those closed, still said to lie before the row that ends them
                self.add("warning", "gap", say.gap(closed, run[0] - 1, run[-1] + 1))

    def check_sequence(self, rows: list[LedgerRow]) -> None:
        ordered = sorted(rows, key=lambda r: r.month)
        for before, after in itertools.pairwise(ordered):
            if after.month - before.month > 1:
                self.warn_gaps(before.month, after.month)
            elif after.month - before.month == 1 and after.start < before.end - Decimal("0.005"):
                self.add("warning", "revenue_vanished",
                         say.revenue_vanished(after.start, before.month, before.end),
                         [self.ref(after.row, "start")], after.month)
