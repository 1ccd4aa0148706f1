"""Primitives shared by the ledger formats: encodings, a file's first text, cell text, line numbers,
sizes in words.

Kept apart from the formats (:mod:`afas.recon.formats`) so that no format module imports another.
Header cleaning, the other primitive every reader needs, is :func:`afas.recon.tables.clean_headers`,
beside the table shape it fills.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from charset_normalizer import from_bytes

from afas.i18n import mark, number, tr
from afas.recon.tables import LedgerFileError

__all__ = [
    "MAX_LINE_BYTES",
    "PY_WHITESPACE",
    "TextHead",
    "binary_kind",
    "bom_encoding",
    "cell",
    "check_line_lengths",
    "decode",
    "decode_head",
    "detect_encoding",
    "is_binary",
    "line_numbers",
    "looks_like_html",
    "looks_utf16",
    "mb",
    "shown",
    "text_head",
    "transcode_chunks",
    "value_text",
]

MAX_LINE_BYTES = 1024 * 1024
SAMPLE_CHARS = 64 * 1024
_MAX_SHOWN = 60
_CHUNK = 1024 * 1024
_MB = 1024 * 1024

PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character Python's ``str.strip()`` removes (``str.isspace()``), for the same trim done
column-wise; tests/recon/test_csv_equivalence.py checks the list against Python's own."""


def shown(text: str, limit: int = _MAX_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cell(text: str) -> str | None:
    text = text.strip()
    return text or None


def value_text(value: Any) -> str | None:
    """A typed cell value (a workbook's or a Parquet file's) as the text a user typed.

    Numbers stored as binary doubles carry 15 significant decimal digits, so a float is written
    rounded to 15 significant digits: 0.1 + 0.2 becomes "0.3", 1234.56 stays "1234.56".
    """
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
    return cell(str(value))


def mb(size: int) -> str:
    """A byte count as a user reads it ("12 KB", "3.2 MB", "250 MB")."""
    if size < _MB:
        return tr("{size} KB").format(size=number(max(size, 1) / 1024, 0))
    value = size / _MB
    return tr("{size} MB").format(size=number(value, 1) if value < 10 else number(value, 0))


def line_numbers(text: str, offsets: Sequence[int]) -> list[int]:
    """The line of each offset in ``offsets`` (ascending), counting the newlines once, not per offset."""
    numbers: list[int] = []
    line, position = 1, 0
    for start in offsets:
        line += text.count("\n", position, start)
        position = start
        numbers.append(line)
    return numbers


def bom_encoding(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def looks_utf16(head: bytes) -> str | None:
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


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether ``data`` decodes strictly, checked in chunks (no whole-file copy, the GIL let go between)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(data[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes) -> str:
    """The encoding of a text file: BOM, then strict UTF-8, then charset-normalizer.

    Dutch exports without BOM are almost always Windows-1252. charset-normalizer cannot tell the
    single-byte Latin code pages apart on short files (for Dutch text it often answers cp1250, the
    Central European page, which reads some accented letters differently), so whenever it proposes a
    single-byte code page and cp1252 reads the file cleanly, cp1252 wins; its answer is kept for
    UTF-16/32 and for multi-byte encodings. UTF-8 was already tried strictly and is never its answer.
    """
    bom = bom_encoding(data)
    if bom:
        return bom
    utf16 = looks_utf16(data[:8192])
    if utf16:
        return utf16
    if _decodes(data, "utf-8"):
        return "utf-8"
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
    if _decodes(data, "cp1252"):
        return "cp1252"
    return guess or "latin-1"


def decode_head(data: bytes) -> str:
    head = data[:SAMPLE_CHARS]
    encoding = bom_encoding(head) or looks_utf16(head) or "utf-8"
    return head.decode(encoding, errors="replace")


_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", mark("is a PNG image")),
    (b"\xff\xd8\xff", mark("is a JPEG image")),
    (b"GIF8", mark("is a GIF image")),
    (b"%PDF", mark("is a PDF document")),
    (b"\x1f\x8b", mark("is a gzip archive")),
    (b"Rar!", mark("is a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", mark("is a 7-Zip archive")),
    (b"BM", mark("is a bitmap image")),
)


def binary_kind(data: bytes) -> str | None:
    """What a file that is no text is, to follow its name in a sentence ("is a PNG image", "holds
    binary data in an unknown format"); None for text.

    The signatures are those of files users upload by mistake (a scan, a screenshot, an archive); any
    other file with NUL bytes near its start is binary unless it is UTF-16/32 text. A file that merely
    starts with "BM" counts as a bitmap, as it always has.
    """
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            return tr(what)
    head = data[:8192]
    if bom_encoding(head) is None and b"\x00" in head and looks_utf16(head) is None:
        return tr("holds binary data in an unknown format")
    return None


def is_binary(data: bytes) -> bool:
    """Whether the file is no text (see :func:`binary_kind`), so that no text format takes it."""
    return binary_kind(data) is not None


class TextHead(NamedTuple):
    """The first 64 KB of a text file as text (errors replaced), and the same from its first character
    that is no BOM, space or newline."""

    text: str
    start: str


def text_head(data: bytes) -> TextHead | None:
    """The start of a text file, for a format to recognise it; None for binary data."""
    if is_binary(data):
        return None
    text = decode_head(data)
    return TextHead(text, text.lstrip("\ufeff \t\r\n"))


_HTML = re.compile(r"<(!doctype\s+html|html|table)[\s>]", re.IGNORECASE)


def looks_like_html(start: str) -> bool:
    """Whether text (from its first character, see :class:`TextHead`) is a web page."""
    return _HTML.match(start[:200]) is not None


def _unreadable(file_name: str, encoding: str, exc: Exception) -> LedgerFileError:
    return LedgerFileError(
        tr(
            "{name} cannot be read as {encoding} text (byte {byte}); "
            "save it again as 'CSV UTF-8' and upload that file."
        ).format(name=file_name, encoding=encoding, byte=getattr(exc, "start", "?"))
    )


def decode(data: bytes, file_name: str, encoding: str | None = None) -> tuple[str, str]:
    """The whole file as text (a leading BOM removed) and its encoding (detected when not given)."""
    encoding = encoding or detect_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise _unreadable(file_name, encoding, exc) from None
    return text.lstrip("\ufeff"), encoding


def transcode_chunks(data: bytes, encoding: str, file_name: str) -> Iterator[bytes]:
    """``data`` as UTF-8 in chunks of about a megabyte, leading BOMs removed, the same text
    :func:`decode` gives; never the whole file as one Python string."""
    if encoding in ("utf-8", "utf-8-sig"):
        start = 0
        while data.startswith(codecs.BOM_UTF8, start):
            start += len(codecs.BOM_UTF8)
        for offset in range(start, len(data), _CHUNK):
            yield data[offset : offset + _CHUNK]
        return
    try:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
    except LookupError as exc:
        raise _unreadable(file_name, encoding, exc) from None
    leading = True
    try:
        for offset in range(0, len(data) + 1, _CHUNK):
            final = offset + _CHUNK >= len(data)
            text = decoder.decode(data[offset : offset + _CHUNK], final=final)
            if leading:
                text = text.lstrip("\ufeff")
                leading = not text
            if text:
                yield text.encode("utf-8")
            if final:
                return
    except UnicodeDecodeError:
        try:  # the whole file once more, for the position of the first bad byte in the file
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise _unreadable(file_name, encoding, exc) from None
        raise


def check_line_lengths(data: bytes, file_name: str, limit: int = MAX_LINE_BYTES) -> None:
    """Refuse a file with a line longer than ``limit`` bytes without decoding it to a str."""
    import numpy as np

    arr = np.frombuffer(data, np.uint8)
    newline = 10 if (arr == 10).any() else 13
    bounds = np.concatenate(([-1], np.flatnonzero(arr == newline), [len(arr)]))
    lengths = np.diff(bounds) - 1
    too_long = np.flatnonzero(lengths > limit)
    if len(too_long):
        line = int(too_long[0]) + 1
        raise LedgerFileError(
            tr(
                "{name}: line {line} is longer than {mb} MB ({bytes} bytes); this is not a ledger "
                "export. Check that you chose the right file."
            ).format(
                name=file_name, line=line, mb=limit // (1024 * 1024), bytes=number(int(lengths[line - 1]))
            )
        )
