"""Read a user's ledger file (CSV, Excel, Parquet, MT940, CAMT.053) into rows of text.

The format is recognised from the content (magic bytes, then the text itself); the file name is only
a hint. Every cell comes out as text (or None when empty) so that amounts never pass through a float
on their way to a Decimal; :mod:`afas.recon.mapping` turns the text into dates and amounts.

Numbers in workbooks: Excel stores numbers as binary doubles, which carry 15 significant decimal
digits. A numeric cell is written back as text rounded to 15 significant digits, which recovers the
value the user typed (0.1 + 0.2 becomes "0.3", 1234.56 stays "1234.56"). Parquet doubles are written
with Python's shortest round-trip repr; Parquet decimals keep their exact value.

Bank statements (MT940, CAMT.053) come out with the fixed columns of :data:`BANK_HEADERS`, amounts as
plain text with a decimal point, dates as ISO text, and the sign already applied from the bookkeeping
point of view of the bank's ledger account, the same convention as ``ledger_lines`` (debit positive,
like AFAS's AmtDebit - AmtCredit): money coming INTO the bank account is a debit on the bank ledger
account and is positive; money going out is negative. ``account`` is the statement's own IBAN.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from charset_normalizer import from_bytes

from afas.errors import InputError

__all__ = [
    "BANK_HEADERS",
    "MAX_LINE_BYTES",
    "LedgerFileError",
    "RawTable",
    "detect_format",
    "read_ledger_file",
    "sheet_names",
]

MAX_LINE_BYTES = 1024 * 1024
BANK_HEADERS: tuple[str, ...] = (
    "date",
    "value_date",
    "amount",
    "currency",
    "description",
    "counterparty_name",
    "counterparty_iban",
    "reference",
    "account",
)
_DELIMITERS = (";", ",", "\t", "|")
_SAMPLE_CHARS = 64 * 1024
_MAX_SHOWN = 60


class LedgerFileError(InputError):
    """The file cannot be read as a ledger; the message says what is wrong and how to fix it."""


@dataclass(frozen=True)
class RawTable:
    """A ledger file as text: one header per column, one tuple of cells (text or None) per row.

    ``line_numbers[i]`` is the line (CSV, MT940, CAMT) or row (spreadsheet, Parquet) the user sees for
    ``rows[i]``. ``file_format`` is 'csv', 'xlsx' (any workbook: .xlsx, .xls, .ods), 'parquet',
    'mt940' or 'camt053'. ``ragged`` lists (line number, field count) of CSV lines whose field count
    differs from the header's; such rows are padded or cut to the header's width and reported by the
    mapping.
    """

    headers: list[str]
    rows: list[tuple[str | None, ...]]
    line_numbers: list[int]
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    ragged: list[tuple[int, int]] = field(default_factory=list)


def _shown(text: str, limit: int = _MAX_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
_MT940_61 = re.compile(r":61:\d{6}(\d{4})?R?[CDcd][A-Z]?\d[\d,]*")
_MT940_TAG = re.compile(r"^:(20|25|28C?|60[FM]|61|62[FM]|86):", re.MULTILINE)


def _zip_kind(data: bytes) -> str | None:
    """'xlsx' or 'ods' for a workbook inside a ZIP container, None for any other ZIP."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return "xlsx"
            if "content.xml" in names and "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if b"spreadsheet" in mimetype:
                    return "ods"
    except Exception:  # zipfile raises many kinds (BadZipFile, NotImplementedError, RuntimeError...)
        return None
    return None


def _looks_utf16(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when text without BOM has a NUL beside every ASCII byte."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def detect_format(data: bytes, file_name: str = "") -> str:
    """The format of ``data``: 'xlsx', 'xls', 'ods', 'parquet', 'camt053', 'mt940' or 'csv'.

    Raises :class:`LedgerFileError` for an empty file and for content that is no ledger at all
    (images, PDFs, archives that are not workbooks, other binary data).
    """
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
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
    bom = _bom_encoding(head)
    if bom is None and b"\x00" in head and _looks_utf16(head) is None:
        raise LedgerFileError(
            f"{file_name or 'The file'} holds binary data in an unknown format, not a ledger export; "
            "upload a CSV, Excel, Parquet, MT940 or CAMT.053 file."
        )
    text = _decode_head(data)
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


# --- encodings --------------------------------------------------------------------------------------


def _bom_encoding(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _detect_encoding(data: bytes) -> str:
    """The encoding of a text file: BOM, then strict UTF-8, then charset-normalizer.

    Dutch exports without BOM are almost always Windows-1252. charset-normalizer cannot tell the
    single-byte Latin code pages apart on short files (for Dutch text it often answers cp1250, the
    Central European page, which reads some accented letters differently), so whenever it proposes a
    single-byte code page and cp1252 reads the file cleanly, cp1252 wins; its answer is kept for
    UTF-16/32 and for multi-byte encodings. UTF-8 was already tried strictly and is never its answer.
    """
    bom = _bom_encoding(data)
    if bom:
        return bom
    utf16 = _looks_utf16(data[:8192])
    if utf16:
        return utf16
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[: 1024 * 1024]).best()
    guess = best.encoding if best is not None else None
    multi_byte = {
        "utf_16",
        "utf_16_le",
        "utf_16_be",
        "utf_32",
        "big5",
        "gb18030",
        "gb2312",
        "shift_jis",
        "euc_jp",
    }
    if guess in multi_byte:
        return guess
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return guess or "latin-1"


def _decode_head(data: bytes) -> str:
    head = data[:_SAMPLE_CHARS]
    encoding = _bom_encoding(head) or _looks_utf16(head) or "utf-8"
    return head.decode(encoding, errors="replace")


def _decode(data: bytes, file_name: str) -> tuple[str, str]:
    encoding = _detect_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise LedgerFileError(
            f"{file_name} cannot be read as {encoding} text (byte {getattr(exc, 'start', '?')}); "
            "save it again as 'CSV UTF-8' and upload that file."
        ) from None
    return text.lstrip("\ufeff"), encoding


def _check_line_lengths(data: bytes, file_name: str, limit: int = MAX_LINE_BYTES) -> None:
    """Refuse a file with a line longer than ``limit`` bytes without decoding it to a str."""
    newline = b"\n" if b"\n" in data else b"\r"
    start, line = 0, 1
    while True:
        end = data.find(newline, start, start + limit + 1)
        if end >= 0:
            start, line = end + 1, line + 1
            continue
        if len(data) - start > limit:
            stop = data.find(newline, start)
            size = (len(data) if stop < 0 else stop) - start
            raise LedgerFileError(
                f"{file_name}: line {line} is longer than {limit // (1024 * 1024)} MB ({size:,} bytes); "
                "this is not a ledger export. Check that you chose the right file."
            )
        return


# --- CSV --------------------------------------------------------------------------------------------


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
            if len(rows) >= 200:
                break
    except csv.Error:
        return rows
    return rows


def _has_letters(cells: list[str]) -> bool:
    return any(ch.isalpha() for cell in cells for ch in cell)


def _sniff_delimiter(text: str) -> str | None:
    """The delimiter whose field count is the most consistent over the first lines, or None.

    The header (the first line with the usual field count) must hold a word when the file's first
    line does: "Bedrag / 10,00 / -2,50" is one column of amounts, not two columns split at the comma.
    """
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best: tuple[bool, bool, float, int, int] | None = None
    chosen = None
    for rank, delimiter in enumerate(_DELIMITERS):
        rows = _sample_rows(sample, delimiter)
        several = Counter(len(row) for row in rows if len(row) > 1)
        if not several:
            continue
        modal, hits = several.most_common(1)[0]
        header = next(row for row in rows if len(row) == modal)
        named = _has_letters(header)
        if not named and _has_letters(rows[0]):
            continue
        # A title block above the header is possible, but the first line being the header is usual.
        score = (named, len(rows[0]) == modal, hits / len(rows), modal, -rank)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def _clean_headers(cells: list[str | None]) -> list[str]:
    headers: list[str] = []
    seen: Counter[str] = Counter()
    for i, cell in enumerate(cells, start=1):
        name = " ".join((cell or "").split()) or f"column {i}"
        seen[name] += 1
        headers.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return headers


def _cell(text: str) -> str | None:
    text = text.strip()
    return text or None


def _read_csv(data: bytes, file_name: str) -> RawTable:
    _check_line_lengths(data, file_name)
    text, encoding = _decode(data, file_name)
    forced = re.match(r"sep=(.)\r?\n", text)
    skip_first = False
    if forced:
        delimiter: str | None = forced.group(1)
        skip_first = True
    else:
        delimiter = _sniff_delimiter(text)
    # Without a delimiter the file is one column; the unit separator never occurs in ledger text.
    # strict: a quote left open would otherwise swallow the rest of the file into one value, silently.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or "\x1f", strict=True)
    records: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if (skip_first and start == 1) or not any(cell.strip() for cell in row):
                continue
            records.append((start, row))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise LedgerFileError(
                f'{file_name}: the quoted value that starts on line {previous + 1} is never closed (a " is '
                "missing), so the rest of the file would be read as one value. Fix that quote or export the "
                "file again."
            ) from None
        raise LedgerFileError(
            f'{file_name}: line {previous + 1} cannot be read as CSV ({exc}); check the quotes (") on that '
            "line: a quoted value must be followed by the delimiter or the end of the line."
        ) from None
    if not records:
        raise LedgerFileError(f"{file_name} has no lines with data; export the ledger again.")
    counts = Counter(len(row) for _, row in records)
    width = (Counter({n: k for n, k in counts.items() if n > 1}) or counts).most_common(1)[0][0]
    # The header is the first line with the usual field count; lines above it are a title block.
    header_index = next(i for i, (_, row) in enumerate(records) if len(row) == width)
    if (
        header_index > 0
        and len(records[header_index - 1][1]) == width - 1
        and all(not row[-1].strip() for _, row in records[header_index:] if len(row) == width)
    ):
        # Data lines that all end in a delimiter the header line lacks: the empty last field is no column.
        records = [(line, row[:-1] if len(row) == width else row) for line, row in records]
        width, header_index = width - 1, header_index - 1
    table = records[header_index:]
    if len(table) >= 3 and sum(len(row) == width for _, row in table) / len(table) < 0.5:
        shown = ", ".join(
            f"line {line}: {len(row)} field{'s' if len(row) != 1 else ''}" for line, row in table[:6]
        )
        shown += ", …" if len(table) > 6 else ""
        raise LedgerFileError(
            f"{file_name}: the lines have different numbers of fields ({shown}), so this is not a "
            f"table separated by {_delimiter_name(delimiter)}. Export the ledger as a CSV file with one "
            "header line and the same columns on every line."
        )
    headers = _clean_headers(list(records[header_index][1]))
    rows: list[tuple[str | None, ...]] = []
    line_numbers: list[int] = []
    ragged: list[tuple[int, int]] = []
    for line, row in records[header_index + 1 :]:
        cells = [_cell(c) for c in row]
        if len(cells) != width:
            extra = [c for c in cells[width:] if c is not None]
            if len(cells) < width or extra:
                ragged.append((line, len(cells)))
            cells = (cells + [None] * width)[:width]
        rows.append(tuple(cells))
        line_numbers.append(line)
    return RawTable(headers, rows, line_numbers, "csv", encoding=encoding, delimiter=delimiter, ragged=ragged)


def _delimiter_name(delimiter: str | None) -> str:
    return {";": "semicolons", ",": "commas", "\t": "tabs", "|": "vertical bars"}.get(
        delimiter or ",", "commas"
    )


# --- workbooks ----------------------------------------------------------------------------------------


def _excel_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return format(Decimal(f"{value:.15g}"), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _cell(str(value))


def _open_workbook(data: bytes):
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several unrelated classes for a damaged workbook
        protected = isinstance(exc, PasswordError) or "password" in str(exc).lower()
        reason = "it is password-protected" if protected else "it is damaged or not a workbook"
        raise LedgerFileError(
            f"The workbook cannot be opened ({reason}); open it in Excel, save a copy as .xlsx without "
            "a password and upload that copy."
        ) from None


def sheet_names(data: bytes) -> list[str]:
    """The sheet names of a workbook (.xlsx, .xls, .ods), in order."""
    return list(_open_workbook(data).sheet_names)


def _read_workbook(data: bytes, file_name: str, sheet: str | int | None) -> RawTable:
    workbook = _open_workbook(data)
    names = list(workbook.sheet_names)
    if not names:
        raise LedgerFileError(f"{file_name} has no sheets.")
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise LedgerFileError(
                f"{file_name} has {len(names)} sheet(s); sheet number {sheet + 1} does not exist."
            )
        sheet_name = names[sheet]
    else:
        if sheet not in names:
            raise LedgerFileError(f"{file_name} has no sheet {sheet!r}; its sheets are: {', '.join(names)}.")
        sheet_name = sheet
    try:
        values = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except Exception:  # calamine's XmlError/ZipError and others for a damaged sheet
        raise LedgerFileError(
            f"Sheet {sheet_name!r} of {file_name} is damaged and cannot be read; open the workbook in Excel, "
            "save a copy as .xlsx and upload that copy."
        ) from None
    records = [
        (number, cells)
        for number, cells in ((i, [_excel_text(v) for v in row]) for i, row in enumerate(values, start=1))
        if any(c is not None for c in cells)
    ]
    if len(records) < 2:
        raise LedgerFileError(
            f"Sheet {sheet_name!r} of {file_name} has no rows below a header; choose the sheet that holds "
            f"the ledger (sheets: {', '.join(names)})."
        )
    # Columns empty in every row (left of the table, or Excel's formatting residue) are dropped.
    used = [
        i
        for i in range(max(len(cells) for _, cells in records))
        if any(_at(cells, i) for _, cells in records)
    ]
    first, last = used[0], used[-1] + 1
    records = [(number, [_at(cells, i) for i in range(first, last)]) for number, cells in records]
    # The header is the first row filled at least half as wide as the widest of the first rows;
    # rows above it are a title block.
    filled = [sum(c is not None for c in cells) for _, cells in records[:30]]
    header_index = next(i for i, n in enumerate(filled) if n >= max(filled) / 2)
    if header_index == len(records) - 1:
        raise LedgerFileError(
            f"Sheet {sheet_name!r} of {file_name} has no rows below its header; choose the sheet that holds "
            f"the ledger (sheets: {', '.join(names)})."
        )
    headers = _clean_headers(records[header_index][1])
    body = records[header_index + 1 :]
    return RawTable(
        headers, [tuple(cells) for _, cells in body], [n for n, _ in body], "xlsx", sheet=sheet_name
    )


def _at(cells: list[str | None], index: int) -> str | None:
    return cells[index] if index < len(cells) else None


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
        return _excel_text(value)
    if isinstance(value, bytes):
        return _cell(value.decode("utf-8", errors="replace"))
    return _cell(str(value))


def _read_parquet(data: bytes, file_name: str) -> RawTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as exc:
        raise LedgerFileError(
            f"{file_name} is a damaged Parquet file ({_shown(str(exc))}); write the file again."
        ) from None
    if table.num_rows == 0:
        raise LedgerFileError(f"{file_name} is a Parquet file without rows; there is nothing to import.")
    columns = [[_parquet_text(v) for v in column.to_pylist()] for column in table.columns]
    rows = list(zip(*columns, strict=True))
    return RawTable(
        _clean_headers(list(table.column_names)), rows, list(range(1, table.num_rows + 1)), "parquet"
    )


# --- entry point --------------------------------------------------------------------------------------


def read_ledger_file(data: bytes, file_name: str, sheet: str | int | None = None) -> RawTable:
    """Read a ledger file into a :class:`RawTable`; ``sheet`` picks a workbook sheet (name or 0-based index).

    Raises :class:`LedgerFileError` with a message for the user when the file cannot be read.
    """
    file_format = detect_format(data, file_name)
    if file_format in ("xlsx", "xls", "ods"):
        return _read_workbook(data, file_name, sheet)
    if file_format == "parquet":
        return _read_parquet(data, file_name)
    if file_format in ("camt053", "mt940"):
        from afas.recon import bankstatements  # imports this module's helpers, so imported here

        read = bankstatements.read_camt if file_format == "camt053" else bankstatements.read_mt940
        return read(data, file_name)
    return _read_csv(data, file_name)
