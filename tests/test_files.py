"""Ledger files people really have: Excel's encodings, workbooks that are not what their name
says, and workbooks whose formulas were never calculated. Each gets a message, never a traceback."""

from __future__ import annotations

import codecs
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from engine import ReadOptions, load_ledger
from sheets import SourceError, open_file_source
from tests.helpers import HEADER

ROWS = [HEADER[:5], ["Jan 2026", "£100,000", "15,000", "5,000", "2,000"]]


def csv_text(rows: list[list[str]] = ROWS) -> str:
    return "\r\n".join(",".join(f'"{c}"' if "," in c else c for c in row) for row in rows) + "\r\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
     ("utf-16-be", codecs.BOM_UTF16_BE), ("cp1252", b"")],
    ids=["utf-8", "utf-8 BOM", "utf-16 LE", "utf-16 BE", "windows-1252"],
)
def test_csv_in_every_encoding_excel_writes(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes(prefix + csv_text().encode(encoding))
    ledger = load_ledger(open_file_source(str(path)))
    assert str(ledger.rows[0].start) == "100000"


def refusal(path: Path) -> str:
    with pytest.raises(SourceError) as info:
        load_ledger(open_file_source(str(path)))
    return str(info.value)


def test_text_in_no_encoding_we_know_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes(csv_text().encode("cp1252") + b"\x81\x8d")
    assert refusal(path) == (f"{path}: not a CSV file nrr can read: it is neither UTF-8, UTF-16 nor Windows-1252 "
                             "text.")


def ole(extra: bytes = b"") -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + extra


def zipped(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (ole(b"Workbook"), "it is an old Excel 97-2003 workbook (.xls); save it as .xlsx or export it as CSV"),
        (ole("EncryptedPackage".encode("utf-16-le")),
         "it is a password-protected Excel workbook; remove the password (File > Info > Protect Workbook) or "
         "export it as CSV"),
        (zipped({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}),
         "it is an OpenDocument spreadsheet (.ods); save it as .xlsx or export it as CSV"),
        (zipped({"readme.txt": "hello"}), "it is a ZIP archive but not an Excel workbook; export the ledger as "
                                          ".xlsx or CSV"),
        (b"PK\x03\x04broken", "it is a damaged ZIP file, not a readable workbook; save it again from Excel or Sheets"),
        (csv_text().encode(), "it is a text file (a CSV?) with an .xlsx name; rename it to .csv"),
        (b"", "it is empty; export the ledger again"),
        (b"%PDF-1.7\x00\x01", "it is not an Excel workbook (.xlsx); export the ledger as .xlsx or CSV"),
    ],
    ids=["xls", "encrypted", "ods", "zip", "damaged zip", "csv", "empty", "pdf"],
)
def test_a_file_named_xlsx_that_is_not_a_workbook_says_what_it_is(tmp_path: Path, content: bytes,
                                                                   says: str) -> None:
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(content)
    assert refusal(path) == f"{path}: {says}"


def test_a_workbook_with_a_csv_name_says_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes(ole(b"Workbook"))
    assert refusal(path) == (f"{path}: not a CSV file nrr can read: it is an old Excel 97-2003 workbook (.xls); "
                             "save it as .xlsx or export it as CSV.")


def test_formulas_never_calculated_are_named(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Ledger"
    sheet.append(HEADER[:6])
    for r in range(2, 7):  # each Start the End above it
        sheet.append([f"2026-0{r - 1}", 100000 if r == 2 else f"=F{r - 1}", 1000, 500, 200, f"=B{r}+C{r}-D{r}-E{r}"])
    path = tmp_path / "ledger.xlsx"
    book.save(path)  # openpyxl writes formulas without their values, as some exporters do
    assert refusal(path) == (
        f"{path}: 9 formula cell(s) on 'Ledger' have no saved values (F2, B3, F3 and 6 more): the file was written "
        "by a program that does not calculate formulas. Open it in Excel or LibreOffice and save it once, or "
        "export the values as CSV.")


def test_formulas_never_calculated_only_where_nrr_computes_are_computed(tmp_path: Path) -> None:
    # End and NRR Rate as a script writes them with openpyxl: blank to nrr, which computes both (it refused the file)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for r in range(2, 5):
        sheet.append([f"2026-0{r - 1}", 100000 + 300 * (r - 2), 1000, 500, 200, f"=B{r}+C{r}-D{r}-E{r}", f"=F{r}/B{r}"])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    check = open_file_source(str(path)).read_cells().check
    assert check.ledger is not None and not check.issues and [str(r.end) for r in check.ledger.rows] == [
        "100300", "100600", "100900"]
    wide = openpyxl.Workbook()  # a customer table's Total column and Total row, both sums
    sheet = wide.active
    assert sheet is not None
    sheet.append(["Customer", "Jan 2026", "Feb 2026", "Total"])
    sheet.append(["Acme", 100, 110, "=SUM(B2:C2)"])
    sheet.append(["Total", "=SUM(B2:B2)", "=SUM(C2:C2)", "=SUM(D2:D2)"])
    wide.save(path)
    check = open_file_source(str(path)).read_cells().check
    assert check.ledger is not None and [i.code for i in check.issues] == ["total_column", "total_row"]


def test_a_workbook_reads_as_before(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER[:5])
    sheet.append(["2026-01", 100000, 15000, 5000, 2000])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    assert str(load_ledger(open_file_source(str(path))).rows[0].nrr) == "1.08"


def test_a_workbook_whose_formulas_return_blank_in_future_rows_reads(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Ledger"
    sheet.append(HEADER[:6])
    sheet.append(["2026-01", 100000, 1000, 500, 200, 100300])  # a value as Excel saves it
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    # Excel saves a formula returning "" with an empty cached value: write one such cell by hand
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    cell = '<c r="F3" t="str"><f>IF(B3="","",B3+C3-D3-E3)</f><v></v></c>'
    sheet_xml = sheet_xml.replace('<c r="F2" t="n"><v>100300</v></c>',
                                  '<c r="F2" t="n"><f>B2+C2-D2-E2</f><v>100300</v></c>')
    sheet_xml = sheet_xml.replace("</sheetData>", f'<row r="3">{cell}</row></sheetData>')
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert len(load_ledger(open_file_source(str(path)))) == 1


def test_a_quote_left_open_in_a_big_csv_is_said_in_words(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(",".join(HEADER[:5]) + '\n2026-01,"100000,0,0,0\n' + "x" * 200_000 + "\n")
    assert refusal(path).startswith(f"{path}: not a CSV file nrr can read: it does not read as CSV (field larger "
                                    "than field limit")


def test_a_workbook_whose_first_worksheet_holds_no_table_names_the_others(tmp_path: Path) -> None:
    """A cover sheet first and the customers on the next tab: say how to pick it, not only that the cover has no
    header."""
    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active["A1"] = "Our MRR by customer: see the Customers tab."
    book.create_sheet("Customers").append(["Customer", "Month", "MRR"])
    book["Customers"].append(["Acme", "2026-01", 100])
    path = tmp_path / "book.xlsx"
    book.save(path)
    assert refusal(path) == (f"{path}: its first worksheet, 'Read me', holds no header row of a ledger or a customer "
                             f"table; 'Customers' does: --ledger '{path}#Customers' (the workbook has 'Read me', "
                             "'Customers').")
    assert load_ledger(open_file_source(f"{path}#Customers")).customers is not None
    # the sheet that holds the table, not the second one; quoted for a shell (fuzz 13: '#Summary' was named)
    book.create_sheet("Summary", 1)["A1"] = "Totals are on the Bob's tab"
    book["Customers"].title = "Bob's ledger"
    book.save(path)
    assert refusal(path) == (f"{path}: its first worksheet, 'Read me', holds no header row of a ledger or a customer "
                             f"table; 'Bob's ledger' does: --ledger '{path}#Bob'\"'\"'s ledger' (the workbook has "
                             "'Read me', 'Summary', \"Bob's ledger\").")


def test_a_cover_sheet_naming_nrr_is_still_a_cover_and_tabs_by_year_are_named(tmp_path: Path) -> None:
    """A cover whose title says NRR ("NRR summary") was taken for a ledger missing its columns, and the hint to the
    Ledger tab lost; a workbook with a tab per year answered from the first only, without a word (fuzz 14)."""
    book = openpyxl.Workbook()
    book.active.title = "Summary"
    book.active["A1"] = "NRR summary"
    ledger = book.create_sheet("Ledger")
    ledger.append(HEADER[:5])
    ledger.append(["2026-01", 100000, 15000, 5000, 2000])
    path = tmp_path / "book.xlsx"
    book.save(path)
    assert refusal(path) == (f"{path}: its first worksheet, 'Summary', holds no header row of a ledger or a customer "
                             f"table; 'Ledger' does: --ledger '{path}#Ledger' (the workbook has 'Summary', 'Ledger').")
    # a cover before tabs by year names every tab that holds a table (fuzz 15: only the first, 2024, was named)
    book["Ledger"].title = "2024"
    book.copy_worksheet(book["2024"]).title = "2025"
    book.save(path)
    assert refusal(path) == (f"{path}: its first worksheet, 'Summary', holds no header row of a ledger or a customer "
                             f"table; '2024' does: --ledger '{path}#2024'; '2025' holds one too (the workbook has "
                             "'Summary', '2024', '2025').")
    years = openpyxl.Workbook()
    years.active.title = "2024"
    years.active.append(HEADER[:5])
    years.active.append(["2024-12", 100000, 15000, 5000, 2000])
    later = years.create_sheet("2025")
    later.append(HEADER[:5])
    later.append(["2025-12", 100000, 15000, 5000, 2000])
    years.create_sheet("Notes")["A1"] = "kept by finance"
    path = tmp_path / "years.xlsx"
    years.save(path)
    check = open_file_source(str(path)).read_cells().check
    assert check.ledger is not None and [str(i) for i in check.ledger.warnings] == [
        f"Read the first worksheet, '2024'; '2025' holds a table too, which this answer leaves out. To read one: "
        f"--ledger '{path}#2025'; to answer from every month, keep them in one sheet."]
    named = open_file_source(f"{path}#2025").read_cells().check
    assert named.ledger is not None and named.ledger.warnings == ()
    # review: a copy of the same months, and a customer tab beside the ledger, are no tab left out; a ledger missing
    # a column is told so, not sent to another tab; the other sheets are read from the one open workbook
    later.delete_rows(2)
    later.append(["2024-12", 100000, 15000, 5000, 2000])
    customers = years.create_sheet("Customers")
    customers.append(["Customer", "Month", "MRR"])
    customers.append(["Acme", "2025-06", 100])
    years.save(path)
    check = open_file_source(str(path)).read_cells().check
    assert check.ledger is not None and check.ledger.warnings == ()
    years["2024"].delete_cols(5)
    years.save(path)
    assert [str(i) for i in open_file_source(str(path)).read_cells().check.errors] == [
        "2024: No 'Downgraded MRR' column in the header (row 1); add a column with that header (the template's MRR "
        "ledger has Month, MRR (Start of Period), Expanded MRR, Churned MRR, Downgraded MRR)."]


def test_a_workbooks_currency_format_names_its_figures_currency(tmp_path: Path) -> None:
    """Figures formatted ``[$€-2] #,##0`` were answered in dollars (fuzz 14): a format names the currency as a
    symbol written in the cell does, and two of them are refused as mixed. A Currency column decides instead."""
    def book(formats: list[str], currency_column: bool = False) -> Path:
        wb = openpyxl.Workbook()
        wb.active.append([*HEADER[:5], *(["Currency"] if currency_column else [])])
        for i, start in enumerate((100000, 103000)):
            wb.active.append([f"2026-0{i + 1}", start, 5000, 1000, 1000, *(["USD"] if currency_column else [])])
            for col, number_format in enumerate(formats, start=2):
                wb.active.cell(i + 2, col).number_format = number_format
        path = tmp_path / f"book{len(list(tmp_path.iterdir()))}.xlsx"
        wb.save(path)
        return path

    euros = load_ledger(open_file_source(str(book(["[$€-2] #,##0"] * 4))))
    assert euros.currency == "EUR" and euros.rows[0].start == Decimal(100000)
    check = open_file_source(str(book(["[$€-2] #,##0", '"$"#,##0.00', "General", "General"]))).read_cells().check
    assert [i.code for i in check.errors] == ["mixed_currency"]
    # a quoted label is no currency (review: #,##0 "MRR" answered in "MRR")
    labelled = open_file_source(str(book(['#,##0 "MRR"'] * 4))).read_cells().check
    assert labelled.ledger is not None and labelled.ledger.currency is None
    # the Currency column (USD) decides, not the cells' € format
    assert load_ledger(open_file_source(str(book(["[$€-2] #,##0"] * 4, currency_column=True)))).currency == "USD"


def test_each_cells_format_names_its_own_currency_and_a_zero_padded_id_is_the_id_it_shows(tmp_path: Path) -> None:
    """Fuzz 16: one column formatted € on one customer's rows and $ on another's was added up in dollars (a column
    of two formats was read as if it had none), and an ID typed as 123 in the format 00000 (shown 00123) beside
    the text 00123 split the customer in two: NRR 0%."""
    def table(rows: list[tuple[object, str, int, str]]) -> Path:
        wb = openpyxl.Workbook()
        wb.active.append(["Customer ID", "Month", "MRR"])
        for key, month, mrr, number_format in rows:
            wb.active.append([key, month, mrr])
            wb.active.cell(wb.active.max_row, 3).number_format = number_format
            if isinstance(key, int):
                wb.active.cell(wb.active.max_row, 1).number_format = "00000"
        path = tmp_path / f"t{len(list(tmp_path.iterdir()))}.xlsx"
        wb.save(path)
        return path

    euro, dollar = "[$€-2] #,##0.00", '"$"#,##0.00'
    mixed = open_file_source(str(table([("A", "2026-01", 100, euro), ("A", "2026-02", 110, euro),
                                        ("B", "2026-01", 50, dollar), ("B", "2026-02", 50, dollar)])))
    assert [(i.code, i.cells) for i in mixed.read_cells().check.errors] == [("mixed_currency", ("C2", "C4"))]
    # another country's dollars are not dollars (fuzz 18: R$ beside $ was summed as USD)
    reais = open_file_source(str(table([("A", "2026-01", 100, dollar), ("B", "2026-01", 50, "[$R$-416] #,##0.00")])))
    assert [(i.code, i.cells) for i in reais.read_cells().check.errors] == [("mixed_currency", ("C2", "C3"))]
    # so are they quoted, as pt-BR and Polish Excel write them (fuzz 19: "R$" read as $, "zł" as nothing)
    quoted = open_file_source(str(table([("A", "2026-01", 100, dollar), ("B", "2026-01", 50, '"R$"#,##0.00')])))
    assert [(i.code, i.cells) for i in quoted.read_cells().check.errors] == [("mixed_currency", ("C2", "C3"))]
    zloty = load_ledger(open_file_source(str(table([("A", "2026-01", 100, '#,##0.00 "zł"')])))).customer_table
    assert zloty is not None and zloty.currency == "PLN"
    # an ID in a percent or currency format is the ID, not '500%' (fuzz 18: a customer split in two)
    book = openpyxl.Workbook()
    for row in (["Customer ID", "Month", "MRR"], [5, "2026-01", 100], [5, "2026-02", 100], [6, "2026-01", 50]):
        book.active.append(row)
    book.active["A2"].number_format, book.active["A4"].number_format = "0%", '"$"#,##0'
    book.save(tmp_path / "ids.xlsx")
    formatted = load_ledger(open_file_source(str(tmp_path / "ids.xlsx")))
    assert formatted.customer_table is not None and formatted.customer_table.keys == ("5", "6")
    # a customer column [ledger] columns names, in any case, is read as written too (fuzz 19-20: split in two)
    book = openpyxl.Workbook()
    for row in (["KUNDENNR", "Month", "MRR"], [7, "2026-01", 100], [7, "2026-02", 100]):
        book.active.append(row)
    book.active["A2"].number_format = '"$"#,##0'
    book.save(tmp_path / "named.xlsx")
    named = load_ledger(open_file_source(str(tmp_path / "named.xlsx"),
                                         options=ReadOptions(columns=(("customer", "Kundennr"),))))
    assert named.customer_table is not None and named.customer_table.keys == ("7",)
    # a figure in General beside € ones is in euros, as a bare figure beside €100 in a CSV is
    euros = load_ledger(open_file_source(str(table([("A", "2026-01", 100, euro), ("B", "2026-01", 50, "General"),
                                                    ("A", "2026-02", 100, euro)])))).customers
    assert euros is not None and euros.currency == "EUR"
    padded = load_ledger(open_file_source(str(table([("00123", "2026-01", 100, "General"),
                                                     (123, "2026-02", 100, "General")]))))
    assert padded.customer_table is not None and padded.customer_table.keys == ("00123",)
    assert [w.code for w in padded.warnings] == ["ids_written_two_ways"]
    # the number 5 is one customer in any format: 00000 in one month, General in the next (review: two, NRR 0%)
    typed = load_ledger(open_file_source(str(table([(5, "2026-01", 100, "General"), (5, "2026-02", 100, "General")]))))
    assert typed.customer_table is not None and typed.customer_table.keys == ("5",) and typed.warnings == ()


def test_a_figure_in_a_percent_format_is_the_percent_it_shows(tmp_path: Path) -> None:
    """Fuzz 16: 0.027 formatted 0.0% in the Expanded MRR column (shown 2.7%) was read as $0.03 without a word;
    the text 2.7% in a CSV is refused naming its cell. An NRR Rate column in a percent format reads as before."""
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.active.append(["2026-01", 100000, 5000, 1000, 1000, None, 1.03])
    wb.active.append(["2026-02", 103000, 0.027, 1000, 1000, None, None])
    wb.active["G2"].number_format = wb.active["C3"].number_format = "0.0%"
    path = tmp_path / "ledger.xlsx"
    wb.save(path)
    check = open_file_source(str(path)).read_cells().check
    assert [(i.code, i.cells) for i in check.errors] == [("bad_amount", ("C3",))]
    assert "'2.7%' is not an amount" in str(check.errors[0])
    wb.active["C3"].value, wb.active["C3"].number_format = 5000, "General"
    wb.save(path)
    ledger = load_ledger(open_file_source(str(path)))
    assert [str(w) for w in ledger.warnings] == []

def test_excels_sep_line_picks_the_delimiter(tmp_path: Path) -> None:
    """``sep=;`` on the first line is how Excel is told a file's delimiter; it is not the header."""
    path = tmp_path / "customers.csv"
    path.write_text("sep=;\r\nCustomer;Month;MRR\r\nAcme;2026-01;1,200.50\r\nAcme;2026-02;1,300\r\n")
    ledger = load_ledger(open_file_source(str(path)))
    assert [(str(r.start), str(r.expansion)) for r in ledger.rows] == [("1200.50", "99.50")]


def test_a_quote_left_open_in_a_small_csv_is_said_in_words_not_read_as_one_cell(tmp_path: Path) -> None:
    """The rest of the file read as one customer's name: its rows silently gone."""
    path = tmp_path / "customers.csv"
    path.write_text('Customer,Month,MRR\nAcme,2026-01,100\n"Beta,2026-01,50\nAcme,2026-02,120\n')
    assert refusal(path) == (f'{path}: not a CSV file nrr can read: the quote (") that opens A3 is never closed, so '
                             "the rest of the file reads as one cell; close it or delete it.")
    path.write_text('Customer,Month,MRR,Note\nAcme,2026-01,100\nAcme,2026-02,120,"a note\nover two lines"\n')
    assert len(load_ledger(open_file_source(str(path)))) == 1


@pytest.mark.parametrize("content", ["", "\r\n\r\n  \r\n", "\ufeff"])
def test_an_empty_csv_says_it_is_empty(tmp_path: Path, content: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(content, encoding="utf-8")
    assert refusal(path) == f"{path}: not a CSV file nrr can read: it is empty; export the ledger again."


def issues_of(path: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(i.severity, i.message, i.cells) for i in open_file_source(str(path)).read_cells().check.issues]


SPLIT = ("stands past the table's last column (MRR): this row has 4 cells where the header has 3. In a CSV a comma "
         "left unquoted inside a figure (1,200) splits it into two cells and moves every cell after it one column on; "
         'write the figure as 1200 or "1,200". A note beside the table needs a column of its own with a header.')


@pytest.mark.parametrize("text", [
    "Customer,Month,MRR\nAcme,2025-01,1,200\nAcme,2025-02,1,300\nBeta,2025-01,500\nBeta,2025-02,400\n",  # long
    "Title\nCustomer,Month,MRR,,\nAcme,2025-01,1,200,\nAcme,2025-02,1,300\nBeta,2025-01,500\nBeta,2025-02,400\n",
])
def test_a_figure_split_at_an_unquoted_comma_is_an_error_not_a_smaller_figure(tmp_path: Path, text: str) -> None:
    """``1,200`` unquoted read as 1 (and 200 dropped): NRR 80% where it is 100%, and "valid"."""
    path = tmp_path / "customers.csv"
    path.write_text(text)
    first = text.splitlines().index("Customer,Month,MRR" + ",," * text.startswith("Title")) + 2
    assert issues_of(path) == [("error", f"'200' {SPLIT}", (f"D{first}",)),
                               ("error", f"'300' {SPLIT}", (f"D{first + 1}",))]


def test_a_split_cell_in_a_wide_table_or_a_ledger_is_an_error_and_many_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("Customer,Jan 2025,Feb 2025\nAcme,1,200,1,300\nBeta,500,400\n")
    assert [(cells, message[:60]) for _, message, cells in issues_of(path)] == [
        (("D2",), "'1' stands past the table's last column (Feb 2025): this row")]
    path.write_text(",".join(HEADER) + "\n" + "".join(f"{m} 2025,1000,100,50,20,1030,103%,x\n" for m in (
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")) + "".join(
        f"{m} 2026,1000,100,50,20,1030,103%,x\n" for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                                          "Sep", "Oct", "Nov")))
    found = issues_of(path)
    assert len(found) == 21 and found[0][2] == ("H2",) and found[19][2] == ("H21",)
    assert found[-1] == ("error", "...and 3 more rows with more cells than the header.", ())


def test_a_ledger_month_split_at_its_comma_is_an_error_not_january_2031(tmp_path: Path) -> None:
    """``Jan 31, 2025`` unquoted: ``Jan 31`` read as January 2031, the year as the start, and the NRR rate (blank, so
    past the header unseen) one column on: a "valid" ledger of one wrong month."""
    path = tmp_path / "ledger.csv"
    path.write_text(",".join(HEADER) + "\nJan 31, 2025,1000,100,50,20,1030,\nFeb 28, 2025,1030,0,0,0,1030\n")
    assert issues_of(path) == [
        ("error", 'The month Jan 31, 2025 was split into two cells at its comma: in a CSV a date with a comma needs '
                  'quotes ("Jan 31, 2025"), or write the month as 2025-01. Read as it stands, the year would be the '
                  "start's figure and every figure one column on.", ("A2", "B2")),
        ("error", 'The month Feb 28, 2025 was split into two cells at its comma: in a CSV a date with a comma needs '
                  'quotes ("Feb 28, 2025"), or write the month as 2025-02. Read as it stands, the year would be the '
                  "start's figure and every figure one column on.", ("A3", "B3"))]
    path.write_text(",".join(HEADER) + '\n"Jan 31, 2025",1000,100,50,20,1030,\nFeb 25,2025,0,0,0,2025,\n')
    assert issues_of(path) == []  # quoted, and February 2025 whose start happens to read as a year


def test_empty_cells_and_a_note_past_a_blank_column_are_not_split_cells(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("Customer,Month,MRR\nAcme,2025-01,100,,\nAcme,2025-02,120,,see the contract\nBeta,2025-01,50\n")
    assert issues_of(path) == []
    book = tmp_path / "customers.xlsx"  # a workbook's cell beside the table is a cell, not a split figure
    workbook = openpyxl.Workbook()
    for row in (["Customer", "Month", "MRR"], ["Acme", "2025-01", 100, "note"], ["Acme", "2025-02", 120]):
        workbook.active.append(row)
    workbook.save(book)
    assert issues_of(book) == []
