"""A text file's encoding, as spreadsheets and exports write them: UTF-8 with or without a BOM, UTF-16 with a BOM
(Excel's "Unicode text"), else Windows-1252 (Excel's CSV on Windows). The row reader (``sheets._files``) and the
columnar path (``sheets._columnar``) decode a file by the same rule."""

from __future__ import annotations

import codecs
from pathlib import Path

from sheets import _messages as say
from sheets._errors import SourceError


def decode(path: Path, data: bytes | None = None) -> str:
    """A text file's contents: UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode
    text"), else Windows-1252 (Excel's CSV on Windows); anything else is refused in words."""
    data = path.read_bytes() if data is None else data
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SourceError(say.not_text(str(path), "it starts like UTF-16 but does not decode as UTF-16")) from None
    kind = binary_kind(data)
    if kind:
        raise SourceError(say.not_text(str(path), kind))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise SourceError(say.not_text(str(path), "it is neither UTF-8, UTF-16 nor Windows-1252 text")) from None


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def binary_kind(data: bytes) -> str | None:
    """What a file that is not text is, where its first bytes tell: a workbook, a ZIP, a PDF."""
    if data.startswith(OLE):
        return ("it is a password-protected Excel workbook; remove the password (File > Info > Protect Workbook) "
                "or export it as CSV" if _ENCRYPTED in data
                else "it is an old Excel 97-2003 workbook (.xls); save it as .xlsx or export it as CSV")
    if data.startswith(b"PK\x03\x04"):
        return "it is a ZIP archive (a workbook?); give it its real extension (.xlsx) or export it as CSV"
    if data.startswith(b"%PDF"):
        return "it is a PDF; export the ledger from its spreadsheet as CSV instead"
    if b"\x00" in data[:8192]:
        return "it holds binary data, not text"
    return None
