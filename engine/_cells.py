"""Parsers for single cells: months, money and percentages, from strings, numbers or dates.

Forgiving in form, strict in meaning: ``$100,000``, ``(5,000)`` and a Google Sheets serial date
are all fine; ``1.200`` is refused because it could be read two ways, unless its column in a delimited file
is written with a decimal comma (``read_decimal_commas``). Each parser raises
``CellError`` with a phrase that completes "... is not ...", never anything else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Literal

from engine._errors import CellError
from engine._month import MONTH_WORDS, Month

Cell = str | int | float | Decimal | dt.date | dt.datetime | bool | None

SHEETS_EPOCH = dt.date(1899, 12, 30)  # day 0 of Google Sheets and Excel serial dates
_SERIAL_MIN, _SERIAL_MAX = 18264, 73050  # 1950-01-01 .. 2099-12-31: a ledger's plausible range
_ERROR_VALUES = {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#ERROR!"}

DateOrder = Literal["MDY", "DMY"]


def is_blank(value: Cell) -> bool:
    """Blank, only spaces, or a spreadsheet error value such as ``#DIV/0!``."""
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip()
        return not text or text.upper() in _ERROR_VALUES
    return False


def is_empty(value: Cell) -> bool:
    """No figure written at all: blank or only spaces (a spreadsheet error such as ``#REF!`` is something, which
    ``is_blank`` passes over as blank)."""
    return value is None or (type(value) is str and (not value or value.isspace()))


def is_error_value(value: Cell) -> bool:
    """A spreadsheet error value such as ``#REF!`` (which ``is_blank`` also counts as blank)."""
    return isinstance(value, str) and value.strip().upper() in _ERROR_VALUES


#: the most of a cell's text a message quotes: a pasted paragraph or a 200,000-character cell is cut, not repeated
SHOWN_CHARACTERS = 60


def show(value: Cell) -> str:
    """A cell's value as quoted in a message (a long one by its first characters and '…').

    >>> show("  $1,200 "), show("x" * 100)[-6:]
    ("'$1,200'", "xxxx…'")
    """
    if isinstance(value, str):
        text = value.strip()
        return f"'{text[:SHOWN_CHARACTERS]}…'" if len(text) > SHOWN_CHARACTERS else f"'{text}'"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


# --- months -----------------------------------------------------------------------------------

_MONTH_WORD = "|".join(sorted(MONTH_WORDS, key=len, reverse=True))

# a timestamp's zone (Z, +09:00, UTC) does not move it: the month is the date as written
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?"
                  r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?)?")
_NAMED = re.compile(rf"({_MONTH_WORD})\.?[\s,\-/']*(\d{{4}}|\d{{2}})", re.IGNORECASE)
_NAMED_MDY = re.compile(rf"({_MONTH_WORD})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.IGNORECASE)  # Jan 31, 2026
# 1 Jan 2026, 1-Jan-2026, and Excel's d-mmm-yy (1-Jan-26)
_NAMED_DAY = re.compile(rf"\d{{1,2}}[\s\-]({_MONTH_WORD})\.?(?:[\s,\-]*(\d{{4}})|-(\d{{2}}))", re.IGNORECASE)
_MM_YYYY = re.compile(r"(\d{1,2})[/\-.](\d{4})")
_THREE_PART = re.compile(r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})")
# Excel's short date in a CSV (1/31/25, 31/1/25): slashes only, as 25-01-01 may be a year first
_SHORT_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2})")
_YYYYMM = re.compile(r"(\d{4})(\d{2})(?:\.0+)?")  # 202603, or 202603.0 as pandas writes a float column
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")

def whole_number(text: str, digits: int) -> int | None:
    """``text`` as a whole number of 1 to ``digits`` ASCII digits, else None. What a header, a URL or a command
    carries as a count or a timestamp: ``str.isdigit`` passes ``²`` (which ``int`` refuses), and ``int`` refuses
    4,300 digits and more, or takes the CPU turning ``1e2000000``'s kind into one.

    >>> whole_number("042", 3), whole_number("\u00b2", 3), whole_number("1234", 3)
    (42, None, None)
    """
    return int(text) if 0 < len(text) <= digits and text.isascii() and text.isdigit() else None


MONTH_EXPECTED = "a month such as 2026-03, Mar 2026, March 2026, 03/2026, 202603 or a date"


def serial_to_date(serial: float) -> dt.date:
    """A Google Sheets / Excel serial day number as a date (day 0 is 1899-12-30)."""
    return SHEETS_EPOCH + dt.timedelta(days=int(serial))


def _month(year: int, month: int) -> Month:
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        raise CellError(MONTH_EXPECTED)
    return Month(year, month)


def three_part_date(text: str) -> tuple[int, int, int] | None:
    """``(first, second, year)`` of a ``dd/mm/yyyy`` or ``mm/dd/yyyy`` string (or ``/yy``: Excel's short date), a
    time of day after it or not (a spreadsheet's CSV export of a date-time: ``1/31/2026 23:45:36``, fuzz 18), else
    None."""
    text = _TIME_OF_DAY.sub("", text.strip())
    if m := _THREE_PART.fullmatch(text):
        return int(m[1]), int(m[2]), int(m[3])
    if m := _SHORT_YEAR.fullmatch(text):  # a two-digit year as Excel reads one: 00-29 in the 2000s, 30-99 before
        short = int(m[3])
        return int(m[1]), int(m[2]), short + (2000 if short < 30 else 1900)
    return None


_TIME_OF_DAY = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?$")


def parse_month(value: Cell, date_order: DateOrder | None = None) -> Month:
    """Read a month from a cell.

    Takes ``2026-03``, ``2026-03-01``, ``2026-03-01T09:00:00Z``, ``Mar 2026``, ``March 2026``, ``Mar-26``,
    ``Mar 31, 2026``, ``03/2026``, ``202603`` (written, or a number as a workbook or a database holds it), a date,
    or a serial day number. ``03/04/2026`` needs ``date_order`` (the reader infers it from the whole column) unless
    one part is above 12.
    """
    if isinstance(value, bool) or is_blank(value):
        raise CellError(MONTH_EXPECTED)
    if isinstance(value, dt.date):  # datetime is a date too
        return Month(value.year, value.month)
    if isinstance(value, int | float | Decimal):
        serial = _decimal(value, MONTH_EXPECTED)
        if _SERIAL_MIN <= serial <= _SERIAL_MAX:
            return Month.of(serial_to_date(float(serial)))
        if serial == serial.to_integral_value() and _YYYYMM.fullmatch(text := str(int(serial))):  # 202603
            return _month(int(text[:4]), int(text[4:]))
        raise CellError(MONTH_EXPECTED)
    text = str(value).strip()
    if m := _ISO.fullmatch(text):
        return _month(int(m[1]), int(m[2]))
    if m := _NAMED.fullmatch(text):
        year = int(m[2])  # two digits are this century's (Mar-26); four are the year they write (jan 0001 is not 2001)
        return _month(year + 2000 if len(m[2]) <= 2 else year, MONTH_WORDS[m[1].lower()])
    if m := _NAMED_DAY.fullmatch(text):
        return _month(int(m[2]) if m[2] else 2000 + int(m[3]), MONTH_WORDS[m[1].lower()])
    if m := _NAMED_MDY.fullmatch(text):
        return _month(int(m[2]), MONTH_WORDS[m[1].lower()])
    if m := _MM_YYYY.fullmatch(text):
        return _month(int(m[2]), int(m[1]))
    if parts := three_part_date(text):
        first, second, year = parts
        if first == second:  # 01/01/2026, 03/03/2026: the same month either way
            return _month(year, first)
        if first > 12 or date_order == "DMY":
            return _month(year, second)
        if second > 12 or date_order == "MDY":
            return _month(year, first)
        raise CellError("a month the column makes unambiguous (day/month or month/day?); write the months as Mar 2026 "
                        "or 2026-03, or as dates with the month named (3 Apr 2026)")
    if m := _YYYYMM.fullmatch(text):
        return _month(int(m[1]), int(m[2]))
    if _SERIAL_TEXT.fullmatch(text):
        return parse_month(float(text))
    raise CellError(MONTH_EXPECTED)


def infer_date_order(texts: list[str]) -> DateOrder | None:
    """From a column's ``a/b/yyyy`` dates, which part is the month; None if no evidence.

    A part above 12 settles it; otherwise the part that varies down the column is the month
    (first-of-month ledgers read ``01/01, 02/01, 03/01`` in the US).
    """
    parts = [p for p in map(three_part_date, texts) if p]
    if not parts:
        return None
    if any(first > 12 for first, _, _ in parts):
        return "DMY"
    if any(second > 12 for _, second, _ in parts):
        return "MDY"
    firsts = {first for first, _, _ in parts}
    seconds = {second for _, second, _ in parts}
    if len(seconds) == 1 and len(firsts) > 1:
        return "MDY"
    if len(firsts) == 1 and len(seconds) > 1:
        return "DMY"
    # one date (or one repeated): a month ledger dates its rows on the 1st, so a lone 1 is the day
    if seconds == {1} and 1 not in firsts:
        return "MDY"
    if firsts == {1} and 1 not in seconds:
        return "DMY"
    return None


# --- money ------------------------------------------------------------------------------------

_MONEY_PARTS = re.compile(
    r"(?P<code1>[A-Z]{3})?\s*(?P<sym1>[$€£¥₹])?\s*(?P<body>.*?)\s*(?P<sym2>[$€£¥₹])?\s*(?P<code2>[A-Z]{3})?"
)
#: an amount written plainly, and one that reads two ways (1.200: one thousand two hundred, or 1.2?), in a syntax
#: Python's ``re`` and SQL's POSIX regular expressions read alike (a database's text figures are checked with them)
PLAIN_AMOUNT = "[0-9]+([.][0-9]+)?"
DOT_THOUSANDS_AMOUNT = "[1-9][0-9]{0,2}[.][0-9]{3}"
_PLAIN = re.compile(PLAIN_AMOUNT)
#: 1,200 and 12,500.50; not 0,200 nor 012,500: no thousands grouping starts with a 0 (a decimal comma: 0.200)
_GROUPED = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
#: 1.200: one thousand two hundred, or 1.2? (0.125 is not: no thousands group follows a 0)
_DOT_THOUSANDS = re.compile(DOT_THOUSANDS_AMOUNT)
MONEY_EXPECTED = "an amount such as 100000, 100000.50 or $100,000"
MONEY_AMBIGUOUS = "an amount that reads one way only: write 1200.50 or 1,200.50, not 1.200,50"


def ambiguous_money(body: str, sign: str = "") -> str:
    """The hint for a figure that reads two ways, fitted to it (fuzz 16: '120.000' was told not to write
    1.200,50): a dot between thousands or a decimal point, a decimal comma, or commas where no thousands are.
    ``sign``: ``-`` for a negative figure, written before each amount offered.

    >>> ambiguous_money("120.000").split("; ")[1]
    'write 120000 for the one, 120.00 for the other'
    >>> ambiguous_money("3.837", "-").split("; ")[1], ambiguous_money("1,20").split(": ")[1]
    ('write -3837 if it is the one', '1,20 has a decimal comma; write 1.20')
    """
    head = "an amount that reads one way only: "
    if _DOT_THOUSANDS.fullmatch(body):
        whole, point = int(body.replace(".", "")), Decimal(body)
        offered = (f"{sign}{whole} for the one, {sign}{point:.2f} for the other"
                   if point == point.quantize(Decimal("0.01")) else f"{sign}{whole} if it is the one")
        return (f"{head}{body} is {whole:,} with a dot between thousands, or {body} with a decimal point; "
                f"write {offered}")
    if _EUROPEAN_GROUPED.fullmatch(body):
        plain = body.replace(".", "").replace(",", ".")
        what = "a decimal comma and dots between thousands" if "," in body else "dots between thousands"
        return f"{head}{body} has {what}; write {sign}{plain}"
    if _DECIMAL_COMMA.fullmatch(body):
        return f"{head}{body} has a decimal comma; write {sign}{body.replace(',', '.')}"
    if _ODD_COMMAS.fullmatch(body):
        digits = body.replace(",", "")
        decimal = f", or {sign}{body.replace(',', '.')} if the comma is a decimal one" if body.count(",") == 1 else ""
        return (f"{head}{body} has commas where no thousands are (1,200,000 has one every three digits); write "
                f"{sign}{digits}{decimal}")  # no grouped form: a database's text column cannot read it (fuzz 18)
    return MONEY_AMBIGUOUS


#: figures that read two ways (``_why_not_money``): 1.200.000 or 1.200,50, 1200,50, and 6,45,955 or 1,2000
_EUROPEAN_GROUPED = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
_ODD_COMMAS = re.compile(r"\d+(,\d+)+")
MONEY_SPACED = "an amount without spaces between its digits: write 12500 or 12,500, not 12 500"
#: the largest amount read, in the table's currency: no company's monthly revenue comes near it, and beyond
#: it Decimal's 28 digits no longer hold an amount in cents exactly (1e308 from a workbook, 27 digits pasted)
MONEY_LIMIT = Decimal(10) ** 15
MONEY_TOO_LARGE = ("an amount up to 1,000,000,000,000,000 (10^15), the largest nrr reads: check the cell for a "
                   "typo or an ID pasted into it")
_DASHES = frozenset("-–—−")  # accounting formats show a zero as a dash ($ -)
_CENT = Decimal("0.005")
_RATIO_COARSEST = Decimal("0.005")  # the widest rounding a rate is allowed: half a percentage point
_RATIO_FLOOR = Decimal("0.000000001")  # below any rounding a person or a formula would show


def _half_unit(number: Decimal) -> Decimal:
    """Half a unit of the last digit written: how far rounding alone can move a figure."""
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(5).scaleb(exponent - 1)


def _decimal(value: int | float | Decimal, expected: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise CellError(expected) from exc
    if not number.is_finite():
        raise CellError(expected)
    return number


def parse_money(value: Cell) -> tuple[Decimal, Decimal]:
    """Read an amount; returns ``(amount, rounding)``.

    ``rounding`` is half a unit of the last digit written (``"108,000"`` -> 0.5, at least half
    a cent): how far the figure may be from the exact one by rounding alone. ``(5,000)`` and
    ``-5000`` are both -5000; the reader decides what a sign means in each column.
    """
    if isinstance(value, (bool, dt.date)) or is_blank(value):
        raise CellError(MONEY_EXPECTED)
    if isinstance(value, int | float | Decimal):
        amount = _decimal(value, MONEY_EXPECTED)
        if abs(amount) > MONEY_LIMIT:
            raise CellError(MONEY_TOO_LARGE)
        return amount, max(_half_unit(amount), _CENT)
    text = str(value).strip().replace("\u00a0", " ")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.startswith(("-", "−")):
        negative, text = True, text[1:].strip()
    parts = _MONEY_PARTS.fullmatch(text)
    body = parts["body"] if parts else text
    if body in _DASHES or (negative and not body):  # "$ -", "-", "–": an accounting zero
        return Decimal(0), _CENT
    if body.startswith(("-", "−")) and not negative:  # $-5,000
        negative, body = True, body[1:].strip()
    elif body.startswith("(") and body.endswith(")") and not negative:  # $ (5,000.00): accounting's negative
        negative, body = True, body[1:-1].strip()
    if _DOT_THOUSANDS.fullmatch(body):
        raise CellError(ambiguous_money(body, "-" if negative else ""))
    if _PLAIN.fullmatch(body) or _GROUPED.fullmatch(body):
        amount = Decimal(body.replace(",", ""))
    else:
        raise CellError(_why_not_money(body, "-" if negative else ""))
    if amount > MONEY_LIMIT:
        raise CellError(MONEY_TOO_LARGE)
    return (-amount if negative else amount), max(_half_unit(amount), _CENT)


#: a figure's digits with what may stand around them: a sign or parentheses, a currency, a percent sign
_FIGURE_TEXT = re.compile(r"(?P<pre>[\s(+\-−]*(?:[A-Z]{3}|[$€£¥₹])?[\s(+\-−]*)"
                          r"(?P<body>\d(?:[\d.,]|[ \u00a0\u202f](?=\d))*)(?P<post>\s*(?:[A-Z]{3}|[$€£¥₹]|%)?\s*\)?)")
#: written only with a decimal comma (1.200,50; 1200,5; 0,200) or only with a decimal point (1,200.50; 12.5; 0.25)
_COMMA_ONLY = re.compile(r"\d{1,3}(?:[. \u00a0\u202f]\d{3})+,\d+|\d+,\d{1,2}|\d+,\d{4,}|0,\d+")
_POINT_ONLY = re.compile(r"\d{1,3}(?:,\d{3})+\.\d+|\d+\.\d{1,2}|\d+\.\d{4,}|0\.\d+")
#: 1.234,56 (102 000,25 in French): points or spaces for thousands and a comma for decimals, which no US figure
#: writes
_EUROPEAN = re.compile(r"\d{1,3}(?:[. \u00a0\u202f]\d{3})+,\d+")
#: a whole figure with two dots or more between thousands (1.234.567): only a file of decimal commas writes one
_DOTS_ONLY = re.compile(r"\d{1,3}(?:\.\d{3}){2,}")
#: 1,000 and 100,000: a US figure's thousands (or a European one's three decimals, which money seldom has)
_COMMA_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
#: a month written with a dot (01.2025, 2025.01, as German and Japanese sheets write one): no figure at all
DOTTED_MONTH = r"(?:0?[1-9]|1[0-2])\.(?:19|20)\d\d|(?:19|20)\d\d\.(?:0?[1-9]|1[0-2])"
_DOTTED_MONTH = re.compile(DOTTED_MONTH)
#: what a decimal-comma file's figures may be: 1.200,50, 1.200, 102 000,25, 1,250 and 1200,5
_COMMA_FIGURE = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


def read_decimal_commas(rows: list[tuple[Cell, ...]]) -> tuple[list[tuple[Cell, ...]], tuple[int, int] | None]:
    """The rows of a delimited file written with decimal commas, as Excel writes a CSV in most of Europe, rewritten
    with points (``1.200,50`` -> ``1200.50``, ``105,5%`` -> ``105.5%``, ``1.200`` -> ``1200``, ``1,250`` ->
    ``1.2500``: 1.25), with where the file shows it (``decimal_comma_cell``); the same rows, unchanged, and None
    for any other file. The rows are looked at once.

    >>> read_decimal_commas([("Month", "MRR"), ("2026-01", "€1.200,50"), ("2026-02", "1.300"), ("2026-03", "0,5")])
    ([('Month', 'MRR'), ('2026-01', '€1200.50'), ('2026-02', '1300'), ('2026-03', '0.5')], (1, 1))
    >>> read_decimal_commas([("MRR",), ("1.200,50",), ("1,200.50",)])  # both kinds: left for the reader to refuse
    ([('MRR',), ('1.200,50',), ('1,200.50',)], None)
    >>> read_decimal_commas([("MRR", "NRR"), ("1.250,00", "102,0%"), ("1,250", "99,5%")])[0]
    [('MRR', 'NRR'), ('1250.00', '102.0%'), ('1.2500', '99.5%')]
    >>> read_decimal_commas([("Month", "MRR"), ("01.2025", "1.200,50"), ("02.2025", "1.300,00")])[0]  # dotted month
    [('Month', 'MRR'), ('01.2025', '1200.50'), ('02.2025', '1300.00')]
    >>> read_decimal_commas([("MRR",), ("102\u00a0000,25 €",), ("5000,50 €",)])[0]  # French: spaces for thousands
    [('MRR',), ('102000.25 €',), ('5000.50 €',)]
    >>> read_decimal_commas([("MRR",), ("1.234.567",), ("12.000",)])[0]  # dots between thousands, twice: no decimals
    [('MRR',), ('1234567',), ('12000',)]
    >>> rows = [("MRR", "Seats"), ("1,000", "1,5"), ("2,500", "2,5")]  # a US file's thousands: not decimal commas
    >>> read_decimal_commas(rows)[0] is rows
    True
    """
    if (at := decimal_comma_cell(rows)) is None:
        return rows, None

    def rewritten(value: Cell) -> Cell:
        m = _FIGURE_TEXT.fullmatch(value) if type(value) is str else None
        if m is None or not _COMMA_FIGURE.fullmatch(m["body"]):
            return value
        body = re.sub(r"[. \u00a0\u202f]", "", m["body"]).replace(",", ".")
        if _DOT_THOUSANDS.fullmatch(body):  # 1,250 is 1.25: written so no reader takes it for one thousand
            body += "0"
        return m["pre"] + body + m["post"]

    return [tuple(map(rewritten, row)) for row in rows], at


def decimal_comma_cell(rows: Sequence[Sequence[Cell]]) -> tuple[int, int] | None:
    """Where a delimited file shows it is written with decimal commas ((row, column) of the first such figure), or
    None. It is when two of its figures or more can only be a decimal comma's (``1.200,50``, ``0,50``), none can
    only be a point's (``1,200.50``, ``12.5``), and fewer read as a thousands comma (``1,000``, ``100,000``) than
    as a decimal comma, unless some figure groups thousands with points or spaces and decimals with a comma
    (``1.234,56``): two typos (``12,5``) in a US file of ``"100,000"`` figures, or a Seats column of ``1,5``, must
    not make its figures a thousand times smaller, and one rate of ``101,196%`` or ``1,085`` must not keep a
    European file from being read. A month written with a dot (``01.2025``) is no figure."""
    comma = point = thousands = strong = dots = 0
    first: tuple[int, int] | None = None
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if type(value) is not str or ("," not in value and "." not in value):
                continue
            m = _FIGURE_TEXT.fullmatch(value)
            if m is None or _DOTTED_MONTH.fullmatch(body := m["body"]):
                continue
            if _COMMA_ONLY.fullmatch(body):
                comma += 1
                strong += bool(_EUROPEAN.fullmatch(body))
                first = first or (r, c)
            elif _DOTS_ONLY.fullmatch(body):  # 1.234.567: German whole figures, 12.000 beside it is twelve thousand
                dots += 1
                first = first or (r, c)
            elif _POINT_ONLY.fullmatch(body):
                point += 1
            elif _COMMA_THOUSANDS.fullmatch(body) and "%" not in m["post"]:  # 101,196% is no thousands
                thousands += 1
    return first if (comma >= 2 or dots) and not point and (strong or dots or thousands < comma) else None


def _why_not_money(body: str, sign: str = "") -> str:
    """The hint for a figure that is not an amount: spaces inside, a decimal comma, or simply not one."""
    if not re.fullmatch(r"[\d.,\s]+", body) or not any(c.isdigit() for c in body):
        return MONEY_EXPECTED
    if re.search(r"\d\s+\d", body):
        return MONEY_SPACED
    if any(p.fullmatch(body) for p in (_EUROPEAN_GROUPED, _DECIMAL_COMMA, _ODD_COMMAS)):
        return ambiguous_money(body, sign)  # 1.200,50 or 1200,50 (a decimal comma?), 6,45,955 (lakh grouping?)
    return MONEY_EXPECTED


# --- percentages ------------------------------------------------------------------------------

PERCENT_EXPECTED = "a rate such as 108%, 1.08 or 108"


def parse_ratio(value: Cell) -> tuple[Decimal, Decimal]:
    """Read a rate as a ratio (``108%``, ``1.08`` and ``108`` are all 1.08); ``(ratio, rounding)``.

    A bare number of 10 or more is taken as a percentage: no ledger keeps 10x its revenue in a
    month, and a real rate below 10% is a collapse that the formula check will flag anyway.
    """
    if isinstance(value, (bool, dt.date)) or is_blank(value):
        raise CellError(PERCENT_EXPECTED)
    percent = False
    if isinstance(value, int | float | Decimal):
        number = _decimal(value, PERCENT_EXPECTED)
    else:
        text = re.sub(r"\s", "", str(value))  # 101,20 % as French Excel writes it: a no-break space before the %
        percent = text.endswith("%")
        text = text.removesuffix("%")
        if not re.fullmatch(r"-?\d+(?:\.\d+)?", text):
            raise CellError(PERCENT_EXPECTED)
        number = Decimal(text)
    rounding = _half_unit(number)
    if percent or abs(number) >= 10:
        number, rounding = number / 100, rounding / 100
    # a ratio written whole or to one decimal (1, 1.1) is no rate to within 50 or 5 points: at most half a point,
    # as 108% shows it (fuzz 18: a hand-typed 1, 100%, passed for a month whose NRR was 140%)
    return number, max(min(rounding, _RATIO_COARSEST), _RATIO_FLOOR)
