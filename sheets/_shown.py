"""What a spreadsheet's number cells show, read as the sheet shows them: a workbook's cell formats, and a Google
Sheet's formatted values (``FORMATTED_VALUE``), turned into what a CSV of the sheet would write (``EUR 100000``,
``2.7%``, ``12000.00``) before the engine reads the grid, so a figure's currency, percent or decimals are the same
whichever way the sheet reaches nrr."""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from engine import CURRENCY_CODES, HEADER_SEARCH_ROWS, SYMBOL_CODES, Cell, currency_code, customer_role

#: (quoted, any symbol ``currency_code`` knows, of several characters too: "R$"#,##0.00, as pt-BR Excel writes it;
#: fuzz 19 read its $ as USD)
_QUOTED_SYMBOLS = "|".join(re.escape(s) for s in sorted(SYMBOL_CODES, key=len, reverse=True))
_FORMAT_CURRENCY = re.compile(rf'\[\$([^\]\-]+)(?:-([^\]]*))?\]|"\s*({_QUOTED_SYMBOLS}|[A-Z]{{3}})\s*"|([€£¥₹$])')
#: ``kr`` names the krona or krone its locale says: [$kr-41D] is Swedish, [$kr-414] Norwegian, [$kr-406] Danish
_KRONA = {"41d": "SEK", "81d": "SEK", "414": "NOK", "814": "NOK", "406": "DKK", "40f": "ISK"}


def format_currency(number_format: str) -> str | None:
    """The currency code a cell's number format shows its figure in (``[$€-2] #,##0`` is EUR), or None.

    >>> [format_currency(f) for f in ('[$€-2] #,##0', '"$"#,##0.00', '#,##0 [$EUR]', '0.00%', '[$-409]mmm yy')]
    ['EUR', 'USD', 'EUR', None, None]
    >>> [format_currency(f) for f in ('#,##0.00 "EUR"', '[$€-x-euro2] #,##0.00', '#,##0 "MRR"', '[$kr-41D] #,##0')]
    ['EUR', 'EUR', None, 'SEK']
    >>> [format_currency(f) for f in ('[$kr-414] #,##0.00', '[$kr-406] #,##0', '"kr" #,##0')]  # a bare kr: which?
    ['NOK', 'DKK', None]
    """
    codes = set()
    for m in _FORMAT_CURRENCY.finditer(re.sub(r"\[\$-[0-9A-Fa-f]+\]", "", number_format)):  # [$-409]: a locale
        symbol = m[1] or m[3] or m[4]
        code = _KRONA.get((m[2] or "").lower(), "") if symbol.strip().lower() == "kr" else currency_code(symbol)
        # a quoted word of three letters is a currency only when it is one's code: #,##0 "MRR" is a label ("zł" is)
        label = bool(m[3]) and m[3].isalpha() and len(m[3]) == 3 and code.lower() not in CURRENCY_CODES
        if re.fullmatch(r"[A-Z]{3}", code) and not label:
            codes.add(code)
    return codes.pop() if len(codes) == 1 else None


#: what a formatted figure shows beside its digits, separators, sign and spaces: its currency (``€``, ``R$``, ``CHF``)
_SHOWN_SYMBOL = re.compile(r"[^0-9.,'\u2019\s()+\-\u2212%]+")


def shown_format(value: float, text: str) -> tuple[str | None, bool, int]:
    """What a number's formatted text (a Google Sheet's ``FORMATTED_VALUE``) says of its format: the currency it
    shows, whether it shows a percent, and how many decimals a whole number is shown with (in any locale).

    >>> [shown_format(v, t) for v, t in ((1200, "€1,200.00"), (1234.5, "1.234,50 €"), (0.027, "2.70%"))]
    [('EUR', False, 2), ('EUR', False, 0), (None, True, 0)]
    >>> [shown_format(v, t) for v, t in ((12000, "12,000.00"), (12000, "12,000"), (5, "R$ 5"), (9, "CHF 9.0"))]
    [(None, False, 2), (None, False, 0), ('BRL', False, 0), ('CHF', False, 1)]
    >>> [shown_format(v, t) for v, t in ((46023, "1/1/2026"), (1, "1 MRR"), (-5000, "$ (5,000)"), (3, "3 kr"))]
    [(None, False, 0), (None, False, 0), ('USD', False, 0), (None, False, 0)]
    """
    symbols = set(_SHOWN_SYMBOL.findall(text))
    code = None
    if len(symbols) == 1:
        symbol = symbols.pop()
        if symbol in SYMBOL_CODES:
            code = currency_code(symbol)
        elif len(symbol) == 3 and symbol.isalpha() and symbol.lower() in CURRENCY_CODES:
            code = symbol.upper()
    decimals = 0
    if float(value).is_integer():  # 12000 shown 12,000.00 or 12.000,00: its digits, then the zeros of its decimals
        digits, whole = re.sub(r"[^0-9]", "", text), str(abs(int(value)))
        extra = digits[len(whole):] if digits.startswith(whole) else ""
        if extra and not extra.strip("0") and re.search(r"[.,]0+\D*$", text):
            decimals = len(extra)
    return code, "%" in text, decimals


class ShownFormats:
    """What a worksheet's number cells show by their format, read as the sheet shows them, as a CSV of it writes
    them: a figure in a currency format (``[$€-2] #,##0`` over 100000) is ``EUR 100000``, each cell by its own
    format, so figures in two currencies are refused as mixed, naming a cell of each (fuzz 14: € formats were
    answered in dollars; fuzz 16: € and $ cells in one column were added up in dollars); a figure in a percent
    format (``0.0%`` over 0.027) is the percent it shows, ``2.7%``, so a money column refuses it naming its cell as
    it refuses the text (fuzz 16: read as $0.03); a whole number in a format with decimals (``#,##0.00`` over
    12000) is written with them, ``12000.00``, so billing lines named as Stripe's API names them are read in units
    as their CSV is, not as integer cents (fuzz 17: 100 times too small). A Currency column says each row's
    currency: a format does not (the figure is still written with the decimals it shows). A customer's ID, name or
    month column is read as its values, whatever a cell's format (fuzz 18: an ID in a % format was a customer of
    its own); a zero-padded ID, ``00000`` over 123, stays a number: the customer table reads 123 and 00123 as one.
    """

    def __init__(self) -> None:
        #: (grid row, column, the figure with its currency, the figure as shown without it): the first is None
        #: when the format names no currency, the second when it shows the figure as written
        self.shown: list[tuple[int, int, str | None, str | None]] = []
        #: a format's currency, whether it shows a percent and how many decimals it shows, worked out once
        self._codes: dict[str, tuple[str | None, bool, int]] = {}

    def note(self, r: int, row: list[Cell], cells: Any) -> None:
        """A workbook's row ``r``: each number cell's format (``cells``: openpyxl's cells of the row)."""
        for c, value in enumerate(row):
            if type(value) is int or type(value) is float:
                self._note(r, c, value, *self._of(str(getattr(cells[c], "number_format", "") or "")))

    def note_shown(self, r: int, row: list[Cell], shown: list[Any]) -> None:
        """A Google Sheet's row ``r``: ``shown`` is what each cell shows (the row read as ``FORMATTED_VALUE``), which
        tells its format as a workbook's number format does (``€1,200.00``, ``2.7%``, ``12,000.00``)."""
        for c, value in enumerate(row):
            if (type(value) is int or type(value) is float) and c < len(shown) and type(text := shown[c]) is str:
                self._note(r, c, value, *shown_format(value, text))

    def _note(self, r: int, c: int, value: float, code: str | None, percent: bool, decimals: int) -> None:
        plain = (f"{format((Decimal(str(value)) * 100).normalize(), 'f')}%" if percent
                 else f"{int(value)}.{'0' * decimals}" if decimals and float(value).is_integer() else None)
        if code is not None:
            self.shown.append((r, c, f"{code} {plain or format(Decimal(str(value)), 'f')}", plain))
        elif plain is not None:
            self.shown.append((r, c, None, plain))

    def _of(self, number_format: str) -> tuple[str | None, bool, int]:
        known = self._codes.get(number_format)
        if known is None:
            shown = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", number_format)  # not what is quoted or escaped
            places = re.search(r"\.(0+)", shown.split(";")[0])  # #,##0.00: two decimals shown
            known = self._codes[number_format] = (format_currency(number_format), "%" in shown,
                                                  len(places[1]) if places else 0)
        return known

    def apply(self, grid: list[list[Cell]], named: Collection[str] = ()) -> None:
        """Write what the formats show into ``grid``; ``named``: the headers of columns ``[ledger] columns`` names
        as the customer, name or month, read as written too (fuzz 19: an ID there took its $ format)."""
        named = {n.strip().casefold() for n in named}  # matched as the header rules match them, in any case
        heads = [(c, "id" if v.strip().casefold() in named else customer_role(v)) for row in grid[:HEADER_SEARCH_ROWS]
                 for c, v in enumerate(row) if isinstance(v, str)]
        currency_column = any(role == "currency" for _, role in heads)
        as_written = {c for c, role in heads if role in ("id", "name", "month")}
        for r, c, with_code, plain in self.shown:
            if c in as_written:
                continue
            shown = plain if currency_column else with_code or plain
            if shown is not None:
                grid[r][c] = shown
