"""Read a user's ledger file (CSV, Excel, Parquet, MT940, CAMT.053) into rows of text.

The format is recognised from the content (magic bytes, then the text itself); the file name is only
a hint. Every cell comes out as text (or None when empty) so that amounts never pass through a float
on their way to a Decimal; :mod:`afas.recon.mapping` turns the text into dates and amounts. Each
format is read by its own module (:mod:`~afas.recon.csvfile`, :mod:`~afas.recon.workbooks`,
:mod:`~afas.recon.bankstatements`, Parquet here); this module recognises the format, holds the file to
its size limit (:mod:`afas.recon.limits`) and hands it on.

:func:`read_ledger_table` gives the cells column by column (a :class:`TextTable`, the shape the
import works on, fit for a million lines); :func:`read_ledger_file` gives the same as Python rows (a
:class:`RawTable`).

Parquet doubles are written with Python's shortest round-trip repr; Parquet decimals keep their
exact value. Bank statements (MT940, CAMT.053) come out with the fixed columns of
:data:`BANK_HEADERS`, amounts as plain text with a decimal point, dates as ISO text, and the sign
already applied from the bookkeeping point of view of the bank's ledger account, the same convention
as ``ledger_lines`` (debit positive, like AFAS's AmtDebit - AmtCredit): money coming INTO the bank
account is a debit on the bank ledger account and is positive; money going out is negative.
``account`` is the statement's own IBAN.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from afas.recon.bankstatements import BANK_HEADERS, read_camt, read_mt940
from afas.recon.csvfile import read_csv
from afas.recon.limits import check_size
from afas.recon.tables import LedgerFileError, RawTable, TextTable, clean_headers, column_name
from afas.recon.textfiles import MAX_LINE_BYTES, PY_WHITESPACE, bom_encoding, decode_head, looks_utf16, shown
from afas.recon.workbooks import excel_text, read_workbook
from afas.recon.workbooks import sheet_names as _sheet_names

__all__ = [
    "BANK_HEADERS",
    "MAX_LINE_BYTES",
    "LedgerFileError",
    "RawTable",
    "TextTable",
    "detect_format",
    "read_ledger_file",
    "read_ledger_table",
    "sheet_names",
]

WORKBOOK_FORMATS = ("xlsx", "xls", "ods")


# --- format detection -----------------------------------------------------------------------------

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"BM", "a bitmap image"),
)
_MT940_TAG = re.compile(r"^:(20|25|28C?|60[FM]|61|62[FM]|86):", re.MULTILINE)
_CONTENT = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe]")


def _zip_kind(data: bytes) -> str | None:
    """'xlsx' or 'ods' for a workbook inside a ZIP container, None for any other ZIP."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return "xlsx"
            if "content.xml" in names and "mimetype" in names:
                with archive.open("mimetype") as part:
                    mimetype = part.read(100)  # never the whole part: it may unpack to gigabytes
                if b"spreadsheet" in mimetype:
                    return "ods"
    except Exception:  # zipfile raises many kinds (BadZipFile, NotImplementedError, RuntimeError...)
        return None
    return None


def detect_format(data: bytes, file_name: str = "") -> str:
    """The format of ``data``: 'xlsx', 'xls', 'ods', 'parquet', 'camt053', 'mt940' or 'csv'.

    Raises :class:`LedgerFileError` for an empty file and for content that is no ledger at all
    (images, PDFs, archives that are not workbooks, other binary data).
    """
    if _CONTENT.search(data) is None:
        raise LedgerFileError(
            f"{file_name or 'The file'} is empty; export the ledger again and upload that file."
        )
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind is None:
            raise LedgerFileError(
                f"{file_name or 'The file'} is a ZIP archive but not an Excel (.xlsx) or OpenDocument (.ods) "
                "workbook; unzip it and upload the ledger file inside, or save the workbook again as .xlsx."
            )
        return kind
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if data.startswith(b"PAR1"):
        return "parquet"
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise LedgerFileError(
                f"{file_name or 'The file'} is {what}, not a ledger export; upload a CSV, Excel, Parquet, "
                "MT940 or CAMT.053 file."
            )
    head = data[:8192]
    bom = bom_encoding(head)
    if bom is None and b"\x00" in head and looks_utf16(head) is None:
        raise LedgerFileError(
            f"{file_name or 'The file'} holds binary data in an unknown format, not a ledger export; "
            "upload a CSV, Excel, Parquet, MT940 or CAMT.053 file."
        )
    text = decode_head(data)
    stripped = text.lstrip("\ufeff \t\r\n")
    if re.match(r"<(!doctype\s+html|html|table)[\s>]", stripped[:200], re.IGNORECASE):
        raise LedgerFileError(
            f"{file_name or 'The file'} is a web page (HTML), which some programs save with an .xls name; "
            "open it in Excel and save it as .xlsx or CSV, then upload that file."
        )
    if stripped.startswith("<"):
        return "camt053"
    if len(set(m.group(1) for m in _MT940_TAG.finditer(text))) >= 2 or stripped.startswith("{1:"):
        return "mt940"
    return "csv"


def sheet_names(data: bytes) -> list[str]:
    """The sheet names of a workbook (.xlsx, .xls, .ods), in order."""
    kind = detect_format(data)
    return _sheet_names(data, kind if kind in WORKBOOK_FORMATS else "xlsx")


# --- Parquet ------------------------------------------------------------------------------------------


def _parquet_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:
            return None
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.datetime, dt.date, bool, int)):
        return excel_text(value)
    if isinstance(value, bytes):
        return excel_text(value.decode("utf-8", errors="replace"))
    return excel_text(str(value))


def _parquet_column(column: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    """A Parquet column as text; string columns are trimmed column-wise (what str.strip() does)."""
    import pyarrow.compute as pc

    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        trimmed = pc.utf8_trim(column.cast(pa.string()), characters=PY_WHITESPACE)
        return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    return pa.array([_parquet_text(v) for v in column.to_pylist()], pa.string())


def _read_parquet(data: bytes, file_name: str) -> TextTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as exc:
        raise LedgerFileError(
            f"{file_name} is a damaged Parquet file ({shown(str(exc))}); write the file again."
        ) from None
    if table.num_rows == 0:
        raise LedgerFileError(f"{file_name} is a Parquet file without rows; there is nothing to import.")
    columns: dict[str, Any] = {
        "row_no": pa.array(range(table.num_rows), pa.int64()),
        "line_no": pa.array(range(1, table.num_rows + 1), pa.int64()),
        "ragged": pa.nulls(table.num_rows, pa.int64()),
    }
    for i, column in enumerate(table.columns):
        columns[column_name(i)] = _parquet_column(column)
    return TextTable.from_arrow(clean_headers(list(table.column_names)), pa.table(columns), "parquet")


# --- entry points -------------------------------------------------------------------------------------


def read_ledger_table(
    data: bytes,
    file_name: str,
    sheet: str | int | None = None,
    *,
    into: Path | None = None,
    sha256: str | None = None,
) -> TextTable:
    """Read a ledger file into a :class:`TextTable`; ``sheet`` picks a workbook sheet (name or 0-based index).

    ``into`` lets a reader write the cells straight to that Parquet file (the CSV reader does; the
    others return them in memory); ``sha256`` is the file's digest when the caller has it already.
    Raises :class:`LedgerFileError` with a message for the user when the file cannot be read (a
    :class:`~afas.recon.limits.FileTooLarge` when it is larger than its format's limit).
    """
    file_format = detect_format(data, file_name)
    check_size(len(data), file_name, file_format)
    if file_format in WORKBOOK_FORMATS:
        table = read_workbook(data, file_name, file_format, sheet)
    elif file_format == "parquet":
        table = _read_parquet(data, file_name)
    elif file_format == "camt053":
        table = TextTable.from_raw(read_camt(data, file_name))
    elif file_format == "mt940":
        table = TextTable.from_raw(read_mt940(data, file_name))
    else:
        table = read_csv(data, file_name, into=into)
    return replace(table, file_name=file_name, sha256=sha256 or hashlib.sha256(data).hexdigest())


def read_ledger_file(data: bytes, file_name: str, sheet: str | int | None = None) -> RawTable:
    """Read a ledger file into a :class:`RawTable` (Python rows); see :func:`read_ledger_table`."""
    return read_ledger_table(data, file_name, sheet).to_raw()
