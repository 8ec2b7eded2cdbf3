"""The columnar path: a large customer table in a CSV, long (``_read``) or wide (``_read_wide``), read column by
column with polars (the ``fast`` extra), into the engine's dense customer table.

It reads only what the row reader would read without a word to say: the header on the first line, every row
with a customer, a month and a plainly written figure (``engine.PLAIN_FIGURE``, or ``engine.LONG_FIGURE``: four
decimals or more, rounded half up to the cent as the row reader rounds them) or a blank one (0) in a month that has
figures, no customer twice in a month, no
total row, no two customers alike, at most one currency named (a Currency column or ``MRR (EUR)``; a source whose
rates convert it reads the file with the row reader, ``sheets._files``). Anything else returns None and the file
goes to the row reader, which names each problem's cell: no message depends on the path. polars is imported only
here, for a file above ``COLUMNAR_FROM_BYTES``, so a small file's start-up never pays for it.
"""

from __future__ import annotations

import codecs
import collections
import csv
import importlib.util
import io
import itertools
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from engine import (
    DOTTED_FIGURE,
    FLOAT_KEY,
    GROUPED_FIGURE,
    LONG_FIGURE,
    MARKED_FIGURE,
    PLAIN_CENTS,
    PLAIN_FIGURE,
    SUBTOTAL,
    SYMBOL_CODES,
    SYMBOL_FIRST,
    TOTAL_HINT,
    Cells,
    ColumnarPlan,
    DenseGrid,
    LedgerCheck,
    PackedTexts,
    WidePlan,
    any_alike,
    any_total_label,
    columnar_plan,
    compared,
    currency_codes,
    dense_customer_check,
    is_total_label,
    month_indexes,
    table_currency,
    wide_plan,
)
from sheets._decode import decode
from sheets._errors import SourceError

#: below this size the row reader is as fast (measured by bench/customers.py: 1,000 customers, a 1.7 MB CSV,
#: take 0.14 s through the row reader; importing polars alone takes 0.15-0.19 s)
COLUMNAR_FROM_BYTES = 4_000_000


#: the oldest polars whose categories this path reads as it expects: with 1.36 and before, every table went to the
#: row reader without a word (each customer's expected name, looked up by category code, never matched)
POLARS_FROM = (1, 37)


def columnar_available() -> bool:
    """Whether the ``fast`` extra (polars, numpy) is installed, with a polars this path can use: an older one (a
    project's own pin) leaves the file to the row reader without being imported."""
    specs = [importlib.util.find_spec(name) for name in ("numpy", "polars")]  # found, not imported
    if any(spec is None for spec in specs):
        return False
    version = _dist_info_version(specs[1], "polars")
    if version is not None:
        return polars_new_enough(version)
    from importlib import metadata  # 12 ms of imports: only when the directory beside the package does not say

    try:
        version = metadata.version("polars")
    except metadata.PackageNotFoundError:  # a polars without its metadata (vendored): tried as it is
        return True
    return polars_new_enough(version) if version else True  # a dist-info without a version: tried as it is


def _dist_info_version(spec: Any, name: str) -> str | None:
    """The version an installed package's ``NAME-VERSION.dist-info`` directory beside it names (the layout pip
    writes, PEP 376 and 427), found without importing ``importlib.metadata``; None when there is not exactly one."""
    locations = getattr(spec, "submodule_search_locations", None) or ()
    found = []
    for location in locations:
        try:
            found += [entry.name for entry in Path(location).parent.iterdir()
                      if entry.name.startswith(f"{name}-") and entry.name.endswith(".dist-info")]
        except OSError:
            return None
    version = found[0].removeprefix(f"{name}-").removesuffix(".dist-info") if len(found) == 1 else ""
    return version if version[:1].isdigit() and "-" not in version else None


def polars_new_enough(version: str) -> bool:
    """Whether a polars version (``1.37.1``, ``2.1.0``, ``1.40.0b1``) is ``POLARS_FROM`` or later."""
    major, minor = ([int("".join(itertools.takewhile(str.isdigit, part)) or 0) for part in version.split(".")]
                    + [0, 0])[:2]
    return (major, minor) >= POLARS_FROM


def read_columnar(path: Path, head: bytes, digest: str, parsed: Callable[[], object] | None = None) -> Cells | None:
    """The checked customer table in the CSV at ``path`` (``head``: its first bytes), read column by column; None
    when the file is not a long or wide customer table the row reader would read without a word (else as the
    warnings it gives). ``parsed`` is called once the text is parsed, while the columns are checked (on one core):
    the time to start other work."""
    source: Path | io.BytesIO = path
    if _not_utf8(head):
        # Windows-1252 (Excel's CSV on Windows) or UTF-16 (its "Unicode text"): decoded as the row reader decodes
        # it, and read by polars as UTF-8 (a 100,000-customer table: 11 s through the row reader)
        try:
            text = decode(path)
        except SourceError:
            return None  # the row reader says what the file is
        source = io.BytesIO(text.encode("utf-8"))
        with source.getbuffer() as view:  # the head alone, not a copy of the whole text
            head = view[:len(head)].tobytes()
        del text
    try:
        header = _header(path, head)
    except csv.Error:
        return None
    if header is None:
        return None
    delimiter, titles = header
    if len(set(titles)) != len(titles) or not titles[-1].strip():
        # (a column without a header, pandas' or R's row numbers, is read by neither path, but one past the last
        # header is past the table: a value in it is an error, a cell split at a comma)
        return None
    plan, wide = columnar_plan(titles), None
    if plan is None and (wide := wide_plan(titles)) is None:
        return None
    try:
        if plan is not None:
            check = _read(source, delimiter, titles, plan, parsed or (lambda: None))
        elif wide is not None:
            check = _read_wide(source, delimiter, titles, wide, parsed or (lambda: None))
    except Exception:
        return None
    if check is None:
        return None
    return Cells(grid=(), sheet=None, source_digest=digest, prepared=check)


def _text_after_a_quote(source: Path | io.BytesIO, delimiter: str) -> bool:
    """Whether a quote stands between two characters of text (``"SMB" x``, ``"A1"x``): the csv module reads the text
    after a closing quote into the cell (``SMB x``), polars leaves it out (``SMB``), so the paths would read two
    customers, or a month, otherwise. A quote after a delimiter or a line's start opens a cell, one before them
    closes it, and a quote beside a quote is one written twice. Looked at 16 MB at a time, at C speed (a 100,000-
    customer table with every cell quoted, as R writes it: 0.4 s, while polars parses it)."""
    import mmap

    if isinstance(source, io.BytesIO):
        return _quote_inside_text(source.getvalue(), delimiter)
    with source.open("rb") as handle:
        if handle.seek(0, io.SEEK_END) == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _quote_inside_text(data, delimiter)


def _quote_inside_text(data: Any, delimiter: str) -> bool:
    import numpy as np

    if data.find(b'"') < 0:  # the common case: no quote at all, found at memchr's speed
        return False
    edges = np.zeros(256, dtype=bool)
    edges[[ord(delimiter), ord("\n"), ord("\r"), ord('"')]] = True
    step, size = 1 << 24, len(data)
    for start in range(1, size - 1, step):  # a quote first or last in the file opens or closes a cell
        # each chunk a view of 16 MB of the bytes, its quotes' neighbours held too
        chunk = np.frombuffer(data, dtype=np.uint8, count=min(start + step, size - 1) + 1 - (start - 1),
                              offset=start - 1)
        at = np.flatnonzero(chunk[1:-1] == ord('"')) + 1
        if ((~edges[chunk[at - 1]]) & (~edges[chunk[at + 1]])).any():
            return True
    return False


def _not_utf8(head: bytes) -> bool:
    """Whether a file starting ``head`` is not UTF-8."""
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf8_text(head) is None


def _utf8_text(head: bytes) -> str | None:
    """The text of a file's first bytes ``head``, a BOM left out, when they are UTF-8 (they may end inside a
    character); None otherwise."""
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return head[:exc.start].decode("utf-8-sig") if exc.start >= len(head) - 4 else None


def _header(path: Path, head: bytes) -> tuple[str, list[str]] | None:
    """The delimiter and the header cells of a CSV whose first line heads the table; None when it is not plain
    UTF-8 text or starts with Excel's ``sep=`` line."""
    text = _utf8_text(head)
    if text is None or text.startswith("sep=") or "\n" not in text or "\0" in text or "\r" in text.replace("\r\n", ""):
        return None  # (a CR on its own ends a row to the csv module, and to polars is text)
    delimiter = sniff_delimiter(path, text)
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0].rstrip("\r")), delimiter=delimiter), None)
    return (delimiter, first) if first else None


def sniff_delimiter(path: Path, text: str) -> str:
    """The delimiter of a delimited file whose text begins ``text``: a tab for a .tsv, unless its first line has
    none and has commas or semicolons (a CSV named .tsv); else the one that parts the most of the first lines into
    the same number of cells (two or more), so a title line (``Acme GmbH, NRR ledger, 2026``) or decimal commas in
    a semicolon file do not decide it; on a tie, the one a first line holds two or more of when it holds no other
    (a semicolon file whose rows leave a last Notes cell out: csv's sniffer chose the comma); else the one csv's
    sniffer finds, else a comma."""
    sample = text[:8192]
    first = sample.partition("\n")[0]
    if path.suffix.lower() == ".tsv" and ("\t" in first or not {",", ";"} & set(first)):
        return "\t"
    lines = [line for line in sample.splitlines()[:-1] or sample.splitlines() if line.strip()][:20]
    steady = {}
    for d in (",", ";", "\t"):  # each line parted as csv parts it: a quoted "$1,200" is one cell
        counts = collections.Counter(len(next(csv.reader([line], delimiter=d), [])) for line in lines)
        steady[d] = max((n for width, n in counts.items() if width >= 2), default=0)
    most = max(steady.values())
    if most >= 2 and list(steady.values()).count(most) == 1:
        return max(steady, key=steady.__getitem__)
    held = [d for d in (",", ";", "\t") if d in first]
    if len(held) == 1 and first.count(held[0]) >= 2:
        return held[0]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _read(path: Path | io.BytesIO, delimiter: str, titles: list[str], plan: ColumnarPlan,
          parsed: Callable[[], object]) -> LedgerCheck | None:
    import polars as pl

    amount, name = titles[plan.amount], titles[plan.name] if plan.name != plan.key else None
    # the figures and names as text: at 1,000,000 customers a million names as categories take 0.8 s longer to
    # parse than to compare as text
    used = (plan.key, plan.name, plan.month, plan.amount, plan.currency, *(col for _, col in plan.attributes))
    frame = _frame(path, delimiter, titles, used, (amount, name))
    import numpy as np  # imported by ``_frame`` while polars parsed the file

    parsed()
    if frame is None:
        return None
    # each customer's first row, in order of first sight: its texts are the column's distinct ones, which the total
    # rows are looked for among (its categories as a series took 0.4 s at 1,000,000 customers), and they serve
    # below unless a row is left out
    first_rows, order, keys = _first_sight(frame.get_column(titles[plan.key]))
    left = _without_total_and_blank_rows(frame, titles[plan.key], plan.key, pl.all(),
                                         notes=(titles[plan.month], amount), name=name, distinct=keys.drop_nulls())
    if left is None:
        return None
    totals, kept = left
    if kept.height == 0:
        return None
    if kept is not frame:  # rows left out: each customer's first row is found again
        first_rows, order, keys = _first_sight(kept.get_column(titles[plan.key]))
    frame = kept
    del kept
    # each column is let go of once it is used: at 1,000,000 customers the read's peak is the file's columns and
    # a few arrays of one small int a row, not more
    columns = dict(zip(frame.columns, frame.get_columns(), strict=True))
    del frame
    key, month, figures = columns.pop(titles[plan.key]), columns.pop(titles[plan.month]), columns.pop(amount)
    if key.null_count() or month.null_count():
        return None  # a blank customer or month: a note under the table, a row with no customer ...
    if figures.null_count():
        # a blank figure is 0, as the row reader reads it (an export of every customer in every month, blank where
        # one paid nothing: 20 s through the row reader at 100,000 customers), unless some month has no figure at
        # all (before anyone paid, not closed yet, or a gap), which the row reader says, naming the months
        if not _blank_months_figured(month, figures):
            return None
        figures = figures.fill_null("0")
    read_figures = _figure_cents(figures) if plan.cents_header is None else (_cents_as_written(figures), None)
    if read_figures is None or read_figures[0] is None:
        return None
    figure_cents, mark = read_figures
    if mark is not None and (plan.currency is not None or plan.header_currency not in (None, mark)):
        return None  # $100 beside a Currency column, or under MRR (EUR): the row reader decides, or says which cells
    del figures, read_figures
    if _keys_declined(keys):
        return None
    months = month.unique(maintain_order=True)
    month_texts = months.cast(pl.String).to_list()
    if any_total_label(month_texts) or any(map(_READ_OTHERWISE.search, month_texts)):
        return None
    found = month_indexes(month_texts)
    if found is None:
        return None
    first, count, indexes = found
    customers = len(keys)
    # a cell's place in the grid, column-major (month by month), as 32-bit ints while the grid has room for them
    index = np.int32 if customers * count < 2 ** 31 else np.int64
    names = keys if name is None else _names(columns.pop(name), key, first_rows, keys)
    if names is None:
        return None
    customer = _dense_codes(key, order, index=index)
    del key
    flat = _dense_codes(month, months, np.asarray(indexes, dtype=index), index=index)
    del month
    flat *= customers
    flat += customer
    seen = np.zeros(customers * count, dtype=bool)
    seen[flat] = True
    repeated = None  # the rows of a customer and month that has several, when some has: summed
    if np.count_nonzero(seen) != len(flat):
        # a customer twice in a month: its subscriptions summed when a Subscription, Plan or Product column tells
        # every row apart (and no currency column converts them), else an error the row reader names
        if plan.distinguisher is None or plan.currency is not None:
            return None
        rows_of = np.bincount(flat, minlength=customers * count)
        repeated, most = rows_of[flat] > 1, int(rows_of.max())
        del rows_of
        if not _told_apart(columns[titles[plan.distinguisher]], flat, repeated):
            return None
    del seen
    if repeated is None:
        # 32-bit when every figure is below $21,474,836.48 (half the memory, and half of each pass over it)
        cents = np.zeros(customers * count, dtype=np.int32 if figure_cents.max() < 2 ** 31 else np.int64)
        cents[flat] = figure_cents
    elif (cents := _summed_cents(flat, figure_cents, most, customers * count)) is None:
        return None  # past what 64 bits hold: the row reader's integers have no limit
    del customer
    codes, values = {}, {}
    for title, col in plan.attributes:
        column = columns.pop(titles[col])
        if (read := _attribute_codes(column)) is None:
            return None
        texts, row_codes = read
        held = np.full(customers * count, -1, dtype=row_codes.dtype)
        if repeated is None:
            held[flat] = row_codes
        elif not _weighed(held, flat, row_codes, figure_cents, repeated, texts, col == plan.distinguisher):
            return None  # the rows of a customer and month disagree on it: the row reader warns, naming them
        codes[title] = held.reshape((count, customers)).T
        values[title] = tuple(texts)
        del column, row_codes
    del figure_cents
    currencies: list[str] = []
    if plan.currency is not None:
        written = currency_codes(columns[titles[plan.currency]].drop_nulls().cast(pl.String).unique().to_list())
        if len(written) > 1 or any(len(code) != 3 or not code.isalpha() for code in written):
            # converted with the rates, customer-month by customer-month, or refused (two currencies; a name such
            # as Euro, which is no code): the row reader
            return None
        currencies = list(written)
        if plan.header_currency is not None and any(code != plan.header_currency for code in currencies):
            return None  # MRR (USD) beside a Currency column of EUR: the row reader refuses it, naming both
    # the figures as written, in the one currency the table names (if any): a source with rates into another
    # reporting currency reads the file with the row reader instead, which converts them (``sheets._files``)
    currency = mark or table_currency(plan, currencies)  # every figure $1200: the table is in dollars
    del columns, flat
    grid = DenseGrid(cents.reshape((count, customers)).T, codes, values)
    packed = _packed(keys)
    # the names two customers share (shown with their keys): found here, in polars, and kept in the cache
    # (spaces around a name aside: "Acme " reads as Acme, as ``CustomerTable.shared_names`` compares them)
    shown = None if names is keys else names.str.strip_chars(" ") if (
        names.str.starts_with(" ") | names.str.ends_with(" ")).any() else names  # (no copy of a million names)
    shared = frozenset() if shown is None else frozenset(shown.filter(shown.is_duplicated()).unique().to_list())
    summed_by = None if repeated is None else next((a for a, col in plan.attributes if col == plan.distinguisher),
                                                   None)
    return dense_customer_check(first, count, packed, packed if names is keys else _packed(names), grid,
                                [a for a, _ in plan.attributes], plan.unit, currency, plan.key_headers, shared,
                                None if plan.cents_header is None else (plan.amount, plan.cents_header), summed_by,
                                totals)


def _read_wide(path: Path | io.BytesIO, delimiter: str, titles: list[str], plan: WidePlan,
               parsed: Callable[[], object]) -> LedgerCheck | None:
    """A wide table (a row per customer, a column per month), read as ``_read`` reads a long one: only what the row
    reader would read without a word (no customer twice, no total row, no month column left blank; a blank figure
    is 0), else None."""
    import polars as pl

    key_title, name = titles[plan.key], titles[plan.name] if plan.name != plan.key else None
    months = [titles[col] for col in plan.months]
    # a row per customer: its key, name and figures as text (no value repeats for categories to save), the
    # attributes as categories
    frame = _frame(path, delimiter, titles, (plan.key, plan.name, *plan.months, *(col for _, col in plan.attributes)),
                   (key_title, name, *months))
    import numpy as np  # imported by ``_frame`` while polars parsed the file

    parsed()
    if frame is None:
        return None
    # a row without a figure (a note under the table, a blank line) is passed over by the row reader
    left = _without_total_and_blank_rows(frame, key_title, plan.key, pl.col(months), every_time=True, name=name)
    if left is None:
        return None
    totals, frame = left
    customers, count = frame.height, len(months)
    key = frame.get_column(key_title)
    if customers == 0 or key.null_count() or key.is_duplicated().any() or _keys_declined(key):
        return None  # a row without a customer, a customer twice (subscriptions, or a repeat) ...
    names = key
    if name is not None:
        names = frame.get_column(name).fill_null("")
        if _names_declined(names):
            return None  # a total's label beside a customer: the row reader decides whether the row is a total
        if blank := _blanks(names):  # the key stands for a blank name, as the row reader reads it
            names = names.scatter(blank, key.gather(blank))
    if any(frame.get_column(t).null_count() == customers for t in months):
        return None  # a month without a figure (before anyone paid, not closed yet, a gap): the row reader says it
    figures = pl.concat([frame.get_column(t) for t in months]).fill_null("0")  # month by month: the grid's order
    frame = frame.drop(months)  # the month columns are let go of once copied into one, as ``_read`` lets go of each
    read_figures = _figure_cents(figures)
    if read_figures is None or read_figures[0] is None:
        return None
    figure_cents, mark = read_figures
    del figures, read_figures
    # 32-bit when every figure is below $21,474,836.48, as ``_read`` keeps them
    cents = np.asarray(figure_cents).astype(np.int32 if figure_cents.max() < 2 ** 31 else np.int64)
    del figure_cents
    codes, values = {}, {}
    for title, col in plan.attributes:
        if (read := _attribute_codes(frame.get_column(titles[col]))) is None:
            return None
        texts, row_codes = read
        codes[title] = np.repeat(row_codes[None, :], count, axis=0).T  # a customer's value in every month
        values[title] = tuple(texts)
    grid = DenseGrid(cents.reshape((count, customers)).T, codes, values)
    packed = _packed(key)
    shared = frozenset() if names is key else frozenset(names.filter(names.is_duplicated()).unique().to_list())
    return dense_customer_check(plan.first, count, packed, packed if names is key else _packed(names), grid,
                                [a for a, _ in plan.attributes], plan.unit, mark, plan.key_headers, shared,
                                total_rows=totals)


#: a text the row reader reads otherwise than polars: ``10,5`` (it decides whether the file's commas are decimal,
#: and then reads 1.5 and warns) or a carriage return on its own (it ends a row there; polars keeps it in the cell)
_READ_OTHERWISE = re.compile(r"[0-9],[0-9]|\r([^\n]|$)")
#: a cell that reads ``Total X``: a subtotal when X is another row's customer (``engine.subtotal_of``), which the
#: row reader decides
_SUBTOTAL_LIKE = "(?i)" + SUBTOTAL.pattern


def _frame(path: Path | io.BytesIO, delimiter: str, titles: list[str], used: Iterable[int | None],
           texts: Iterable[str | None]) -> Any:
    """The columns ``used`` of the CSV at ``path`` read by polars, those titled ``texts`` as text and every other one
    as categories of its own (not polars' global ones, which a running server would fill with every table it
    reads); numpy is imported meanwhile. None when a column without a header (pandas' or R's row numbers, which
    neither path reads) holds what the row reader reads otherwise (``_READ_OTHERWISE``), or when a quote stands
    inside text (``_text_after_a_quote``)."""
    import polars as pl

    texts = {*texts, *(t for t in titles if not t.strip())}
    schema = {t: pl.String if t in texts else pl.Categorical(pl.Categories.random()) for t in titles}
    # the columns without a header too: a value such as 0,50 in one is a decimal comma to the row reader
    wanted = set(used)
    columns = [t for col, t in enumerate(titles) if col in wanted or not t.strip()]
    read: list[Any] = []  # the frame, or what stopped the read

    def read_it() -> None:
        try:
            read.append(pl.read_csv(path, separator=delimiter, has_header=True, encoding="utf8", schema=schema,
                                    columns=columns))
        except Exception as exc:  # raised again below, in the caller's thread
            read.append(exc)

    # polars parses in its own threads, without the GIL, while numpy is imported here (40 ms of a 10,000-customer
    # table's 0.3 s)
    reading = threading.Thread(target=read_it, name="nrr-read-csv")
    reading.start()
    try:
        import numpy  # noqa: F401

        quote_inside = _text_after_a_quote(path, delimiter)  # meanwhile: numpy lets go of the GIL
    finally:
        reading.join()
    if quote_inside:
        return None
    if isinstance(read[0], Exception):
        raise read[0]
    frame = read.pop()
    # the columns without a header, looked at before they are let go of (the others' distinct texts are looked at
    # where they are read, and the rows passed over in ``_without_total_and_blank_rows``)
    unheaded = [t for t in frame.columns if not t.strip()]
    if any(frame.get_column(t).str.contains(_READ_OTHERWISE.pattern).any() for t in unheaded):
        return None
    return frame.drop(unheaded)


def _without_total_and_blank_rows(
        frame: Any, key: str, key_col: int, held: Any, every_time: bool = False,
        notes: tuple[str, str] | None = None, name: str | None = None,
        distinct: Any = None) -> tuple[list[tuple[str, int, int]], Any] | None:
    """The rows whose customer cell (in the column titled ``key``, the file's ``key_col``) is a total's label
    (``Total``, ``Grand total:``), each as its label, sheet row and column, as the row reader notes them; and the
    frame without them, nor the rows whose columns ``held`` (a polars selector) are all blank: blank lines (an
    editor's last line, a spreadsheet's ",,,,," rows), which the row reader passes over without a word (looked for
    only when a customer cell is blank, unless ``every_time``), nor, in a long table whose month and figure columns
    are titled ``notes``, the rows with text in the customer column and neither a month nor a figure: notes under
    the table (a report's footer, ``Confidential``, ``Generated by``), passed over too. None when a note's text
    could be a customer's subtotal (``Total Acme``) or is blank, when a row passed over has a name (in the column
    titled ``name``) that reads as a total, or when a row left out holds a text the row reader reads otherwise
    (``_READ_OTHERWISE``): the row reader decides. At the end, as they mostly
    are, the rows before them are a slice, not a copy; a filter copies every column (at 1,000,000 customers, some
    800 MB more at the read's peak). ``distinct``: the key column's distinct texts, when the caller has them; the
    frame itself is returned when no row is left out."""
    import polars as pl

    column = frame.get_column(key)
    # every text the column holds: ``distinct`` when the caller has them, else its own categories
    if distinct is None:
        distinct = column.dtype.categories.to_series() if isinstance(column.dtype, pl.Categorical) else \
            column.unique().drop_nulls()
    labels = [t for t in distinct.filter(distinct.str.contains(TOTAL_HINT)).to_list() if is_total_label(t)]
    drop = is_total = column.cast(pl.String).is_in(labels) if labels else None
    # a row's number on the sheet: the header is row 1, and polars reads a blank line as a row, as the csv module
    totals = [] if drop is None else [(str(column[i]).strip(), i + 2, key_col) for i in drop.arg_true().to_list()]
    if every_time or column.null_count():
        blank = frame.select(pl.all_horizontal(held.is_null())).to_series()
        drop = blank if drop is None else drop | blank
    month, figure = (frame.get_column(t) for t in notes) if notes is not None else (None, None)
    if month is not None and figure is not None and month.null_count() and figure.null_count():
        note = month.is_null() & figure.is_null() & column.is_not_null()
        if drop is not None:
            note &= ~drop  # a total's label is a total row, said so, whatever else the row holds
        if note.any():
            texts = column.filter(note).cast(pl.String)
            if (texts.str.strip_chars() == "").any() or texts.str.contains(_SUBTOTAL_LIKE).any():
                return None
            drop = note if drop is None else drop | note
    passed = drop & ~is_total if drop is not None and is_total is not None else drop
    if passed is not None and passed.any():
        for title in dict.fromkeys((key, name)):  # (,Total,, or Total Acme,, with no figures: a total row to the
            if title is None:  # row reader, which looks for totals before it passes over a row without figures)
                continue
            texts = frame.get_column(title).filter(passed).drop_nulls().cast(pl.String)
            if _totals(texts) or texts.str.contains(_SUBTOTAL_LIKE).any():
                return None
    if drop is None or not (count := int(drop.sum())):
        return totals, frame
    # the row reader looks at every cell for a decimal comma, in a row it leaves out too (the few such rows' cells
    # are looked at here; the rest of each column's distinct texts where it is read)
    left_out = frame.filter(drop).select(pl.all().cast(pl.String))
    if any(left_out.get_column(t).str.contains(_READ_OTHERWISE.pattern).any() for t in left_out.columns):
        return None
    return totals, frame.head(frame.height - count) if drop.tail(count).all() else frame.filter(~drop)


def _first_sight(key: Any) -> tuple[Any, Any, Any]:
    """A key column's first row of each customer, in order of first sight (from its category codes), the keys there
    (categories) and their texts."""
    import polars as pl

    first_rows = key.arg_unique()
    order = key.gather(first_rows)
    return first_rows, order, order.cast(pl.String)


def _keys_declined(keys: Any) -> bool:
    """Whether a column of distinct customer keys holds one the row reader has a word for, or reads otherwise: a
    blank, a total's label, two alike, ``1001.0`` (read as 1001), ``Total X`` (a subtotal when X is a customer),
    ``123`` beside ``00123`` (one ID), a text the row reader reads otherwise (``_READ_OTHERWISE``)."""
    return bool(len(_blanks(keys)) or _names_declined(keys) or _alike(keys) or keys.str.contains(FLOAT_KEY).any()
                or _one_number_twice(keys))


def _names_declined(names: Any) -> bool:
    """Whether a column of customer names holds one the row reader has a word for, or reads otherwise: a total's
    label, ``Total X`` (a subtotal when X is a customer), a text it reads otherwise (``_READ_OTHERWISE``)."""
    return bool(_totals(names) or names.str.contains(_SUBTOTAL_LIKE).any() or
                names.str.contains(_READ_OTHERWISE.pattern).any())


def _blank_months_figured(month: Any, figures: Any) -> bool:
    """Whether every month with a blank figure holds a figure in another row."""
    codes, blank = month.to_physical(), figures.is_null()
    return bool(codes.filter(blank).unique().is_in(codes.filter(~blank).unique()).all())


def _attribute_codes(column: Any) -> tuple[list[str], Any] | None:
    """An attribute column's values, in order of first sight (a blank or a cell of spaces is none, as the row reader
    reads it), and each row's code among them (-1: none), 8-bit while they fit; None when a value is one the row
    reader reads otherwise (``_READ_OTHERWISE``: 1,5 seats, which it reads 1.5 when the file's commas are
    decimal)."""
    import numpy as np
    import polars as pl

    distinct = column.unique(maintain_order=True).drop_nulls()
    written = distinct.cast(pl.String)
    if written.str.contains(_READ_OTHERWISE.pattern).any():
        return None
    if blank := set(_blanks(written)):
        distinct = distinct.gather([i for i in range(len(distinct)) if i not in blank])
    small = np.int8 if len(distinct) < 127 else np.int32
    return distinct.cast(pl.String).to_list(), _dense_codes(column, distinct, fill=-1, index=small)


def _summed_cents(flat: Any, figure_cents: Any, most: int, size: int) -> Any:
    """Each cell's figures summed (``most``: the most rows a cell has), exactly, 32-bit where they fit; None past
    what 64 bits hold."""
    import numpy as np

    top = float(figure_cents.max()) * most
    if top < 2 ** 53:  # exact in doubles: sums of whole cents below 2^53
        summed = np.bincount(flat, weights=figure_cents, minlength=size)
        return np.rint(summed).astype(np.int32 if summed.max() < 2 ** 31 else np.int64)
    if top >= 2 ** 63:
        return None
    cents = np.zeros(size, dtype=np.int64)  # sums a double cannot hold exactly (eleven subscriptions of
    np.add.at(cents, flat, np.asarray(figure_cents, dtype=np.int64))  # $9,999,999,999,999.99): in integers
    return cents


def _told_apart(column: Any, flat: Any, repeated: Any) -> bool:
    """Whether every row of a customer and month with several has its own value in ``column`` (the Subscription,
    Plan or Product column; a blank one is a value too, once), as the row reader sums them."""
    import numpy as np
    import polars as pl

    distinct = column.unique().drop_nulls()
    codes = _dense_codes(column, distinct, fill=-1).astype(np.int64)[repeated] + 1  # 0: blank (null)
    if blank := _blanks(distinct.cast(pl.String)):  # spaces are blank too, as the row reader reads them
        codes[np.isin(codes - 1, blank)] = 0
    pairs = flat[repeated].astype(np.int64) * (len(distinct) + 1) + codes
    pairs.sort()  # (numpy's unique hashes: 3 s for 3.4M rows, where a sort takes 0.3 s)
    return not (pairs[1:] == pairs[:-1]).any()


def _weighed(held: Any, flat: Any, row_codes: Any, figure_cents: Any, repeated: Any, texts: list[str],
             distinguisher: bool) -> bool:
    """Fill ``held`` (each customer-month's value code) as the row reader weighs summed rows: the value of the row
    with the largest figure that month, ties by the value first in sort order, a blank never; False when the rows of
    a customer and month hold values that differ (other than in the column that tells them apart), which the row
    reader warns of, naming the cells."""
    import numpy as np

    single = ~repeated
    held[flat[single]] = row_codes[single]
    f, c, w = flat[repeated], row_codes[repeated].astype(np.int64), figure_cents[repeated]
    filled = c >= 0
    if not distinguisher:  # one value per customer and month, as compared (case and spacing aside)
        same = {compared(t): i for i, t in enumerate(texts)}
        alike = np.asarray([same[compared(t)] for t in texts] or [0], dtype=np.int64)
        pairs = np.sort(f[filled].astype(np.int64) * (len(texts) + 1) + alike[c[filled]])
        groups = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] // (len(texts) + 1) if len(pairs) else pairs
        if (groups[1:] == groups[:-1]).any():  # a customer-month with two values
            return False
    rank = np.empty(max(len(texts), 1), dtype=np.int64)
    rank[np.argsort(np.asarray(texts or [""], dtype=object), kind="stable")] = np.arange(max(len(texts), 1))
    order = np.lexsort((np.where(filled, rank[np.maximum(c, 0)], 0), -np.asarray(w, dtype=np.float64), ~filled, f))
    ordered = f[order]
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    held[ordered[first]] = c[order][first]
    return True


def _figure_cents(figures: Any) -> tuple[Any, str | None] | None:
    """Each figure's cents (a numpy array) when every figure is written plainly (``engine.PLAIN_FIGURE``, or
    ``engine.LONG_FIGURE``), or as a spreadsheet formatted as currency exports it: after one currency symbol
    (``engine.MARKED_FIGURE``), its thousands grouped (``engine.GROUPED_FIGURE``); with the currency the symbol
    names. None otherwise (the row reader names the cell)."""
    import numpy as np
    import polars as pl

    # every figure's shape checked and its value parsed in one query, which polars' threads share
    f = pl.col("f")
    frame = figures.to_frame("f").lazy()
    parsed = frame.select(plain=f.str.contains(PLAIN_FIGURE).all(), value=f.cast(pl.Float64, strict=False)).collect()
    mark = None
    if not parsed["plain"][0]:
        # spaces around a figure are passed over, as the row reader strips them: Excel's accounting format
        # writes " $1,256.24 " (a 100,000-customer table: 22 s through the row reader)
        f = f.str.strip_chars(" ")
        grouped = f.str.contains(GROUPED_FIGURE)
        shapes = frame.select(
            fits=(f.str.contains(PLAIN_FIGURE) | f.str.contains(MARKED_FIGURE) | grouped).all(),
            # a point the row reader counts as one (``engine.decimal_comma_cell``): not in a figure that reads as a
            # dotted month (2025.10), which it passes over
            grouped=grouped.any(), pointed=(f.str.contains(r"\.[0-9]{1,2}$") & ~f.str.contains(DOTTED_FIGURE)).any(),
            symbols=f.str.slice(0, 1).filter(f.str.contains(SYMBOL_FIRST)).unique().implode()).collect()
        symbols = shapes["symbols"][0].to_list()
        if not shapes["fits"][0] or len(symbols) > 1 or (shapes["grouped"][0] and not shapes["pointed"][0]):
            cents = _long_cents(figures.str.strip_chars(" "))  # floats written out, or anything the row reader
            # reads or names
            return None if cents is None else (cents, None)
        text = f.str.strip_chars_start(symbols[0]) if symbols else f
        if shapes["grouped"][0]:
            text = text.str.replace_all(",", "", literal=True)
        parsed = frame.select(value=text.cast(pl.Float64, strict=False)).collect()
        mark = SYMBOL_CODES[symbols[0]] if symbols else None
    # exact: a figure of at most 15 significant digits is the nearest double to itself, and so is its cents
    # (worked out in place: each new array of a value a row is 126 MB of fresh pages at 15.8M rows)
    cents = parsed["value"].to_numpy(writable=True)
    np.multiply(cents, 100, out=cents)
    np.rint(cents, out=cents)
    return cents, mark


def _cents_as_written(figures: Any) -> Any:
    """The figures of a column of cents (``mrr_cents``) when every one is whole cents written plainly
    (``engine.PLAIN_CENTS``); None otherwise (the row reader rounds ``99.5`` to a cent, or names the cell)."""
    import polars as pl

    parsed = figures.to_frame("f").lazy().select(
        plain=pl.col("f").str.contains(PLAIN_CENTS).all(), value=pl.col("f").cast(pl.Int64, strict=False)).collect()
    return parsed["value"].to_numpy() if parsed["plain"][0] else None


def _long_cents(figures: Any) -> Any:
    """Each figure's cents (a numpy array) when every figure is plain or has four decimals or more
    (``engine.LONG_FIGURE``), rounded half up to the cent from its digits, as the row reader's decimal arithmetic
    rounds it (a double would round ``0.00500`` down); None otherwise."""
    import polars as pl

    f = pl.col("f")
    whole, decimals = f.str.extract(r"^([0-9]+)", 1), f.str.extract(r"\.([0-9]+)$", 1).fill_null("")
    read = figures.to_frame("f").lazy().select(
        fits=(f.str.contains(PLAIN_FIGURE) | f.str.contains(LONG_FIGURE)).all(),
        cents=whole.cast(pl.Int64) * 100 + decimals.str.slice(0, 2).str.pad_end(2, "0").cast(pl.Int64)
        + (decimals.str.slice(2, 1) >= "5").cast(pl.Int64)).collect()
    return read["cents"].to_numpy() if read["fits"][0] else None


def _dense_codes(column: Any, distinct: Any, at: Any = None, fill: int = 0, index: Any = None) -> Any:
    """Each cell's position in ``distinct`` (or ``at`` of it), from polars' category codes, as ``index`` ints;
    ``fill`` for a blank cell."""
    import numpy as np

    codes = column.to_physical().to_numpy()
    wanted = distinct.drop_nulls().to_physical().to_numpy()
    top = int(max(codes.max(initial=0) if codes.dtype.kind in "iu" else 0, wanted.max(initial=0))) + 2
    lookup = np.full(top, fill, dtype=index or np.int64)
    lookup[wanted] = np.arange(len(wanted)) if at is None else at
    if codes.dtype.kind not in "iu":  # nulls: a float array with NaN
        mask = np.isnan(codes)
        codes = np.where(mask, top - 1, codes).astype(np.int64)
        lookup[top - 1] = fill
    return lookup[codes]


def _blanks(texts: Any) -> list[int]:
    """Where the texts are blank (only spaces, as ``str.strip`` sees them): looked at in Python only for the few
    without a letter or digit."""
    import numpy as np

    maybe = np.flatnonzero((~texts.str.contains("[0-9A-Za-z]")).to_numpy())
    return [i for i in maybe.tolist() if not texts[i].strip()]


def _totals(texts: Any) -> bool:
    return bool(any_total_label(texts.filter(texts.str.contains(TOTAL_HINT)).to_list()))


def _alike(keys: Any) -> bool:
    """Two of the distinct ``keys`` that differ only in case or spacing (ASCII at C speed; any other key through the
    engine)."""
    if not keys.str.contains(r"^[\x00-\x7f]*$").all():
        return any_alike(keys.to_list())
    # str.split's spaces: \s and the four ASCII separators \x1c-\x1f. A key with neither a capital nor a space is
    # its own folding: only the others are folded, and compared with each other and with those (at 1,000,000
    # customers of digits, 20 ms where folding them all took 180)
    changed = keys.str.contains(r"[A-Z\s\x1c-\x1f]")
    if not changed.any():
        return False
    folded = keys.filter(changed).str.to_lowercase().str.replace_all(r"[\s\x1c-\x1f]+", " ").str.strip_chars(" ")
    return bool(folded.n_unique() != len(folded) or folded.is_in(keys.filter(~changed)).any())


def _names(name: Any, key: Any, first_rows: Any, keys: Any) -> Any:
    """Each customer's name (a polars series, in the order of ``keys``; ``first_rows``: each one's first row): the
    one name all its rows give, its key when that is blank; None when a key is written with several names (the
    row reader shows the usual one) or a row has none."""
    import polars as pl

    if name.null_count():
        return None  # a row without a name: the row reader shows the name most rows give
    texts = name.gather(first_rows)
    # each row's expected name looked up by its key's category code: all in polars (a numpy array made a series
    # would import numpy.ma, 20 ms)
    codes = key.to_physical()
    expected = pl.repeat(None, int(codes.max()) + 1, dtype=pl.String, eager=True).scatter(
        key.gather(first_rows).to_physical(), texts)
    step = 1 << 22  # compared a few million rows at a time: each row's expected name is a new column of text
    for start in range(0, len(name), step):
        if not (name.slice(start, step) == expected.gather(codes.slice(start, step))).all():
            return None
    if _names_declined(texts):
        return None  # (Total Acme beside a key such as -, a subtotal to the row reader when Acme is a customer)
    blank = _blanks(texts)
    return texts.scatter(blank, keys.gather(blank)) if blank else texts


def _packed(texts: Any) -> PackedTexts:
    """A polars series of texts as one buffer: no Python string per customer."""
    import polars as pl

    data = texts.str.join("").item().encode() if len(texts) else b""
    return PackedTexts(data, texts.str.len_bytes().cast(pl.Int64).cum_sum().to_numpy())


def _one_number_twice(keys: Any) -> bool:
    """Whether two keys of a column of whole numbers are one number written twice (``123`` and ``00123``), of any
    length, as the row reader's integers are (a 19-digit key beside 007 and 7 had kept them two customers)."""
    import polars as pl

    digits = keys.str.strip_chars()
    if digits.str.contains(r"^[0-9]{1,18}$").all():  # as 64-bit numbers: at 1,000,000 keys 40 ms, as text 90
        return bool(digits.cast(pl.Int64).n_unique() < len(digits))
    if not digits.str.contains(r"^[0-9]+$").all():
        return False
    return bool(digits.str.strip_chars_start("0").n_unique() < len(digits))  # 000 and 0 alike: both ""
