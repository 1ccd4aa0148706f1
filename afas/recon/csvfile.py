"""CSV and other delimited text exports, read into a :class:`~afas.recon.tables.TextTable`.

Two readers give the same table. The reference reader is Python's :mod:`csv` module (strict
quoting), line by line; it defines what a file means: its delimiter (sniffed from the first 64 KB),
its header (the first line with the usual field count; lines above it are a title block), its
ragged lines and its refusals. Python spends a few seconds per hundred thousand lines on that, all of
it holding the interpreter lock, so a large upload would slow every other user of the dashboard.

The fast reader hands the file to DuckDB's CSV reader (C++, no interpreter lock) after a few
vectorised checks over the bytes (numpy) prove that DuckDB reads it the way Python would: one newline
style, no NUL bytes, a one-byte delimiter, and every quote where the strict grammar puts it (a quoted
field starts right after a delimiter or newline and its closing quote is followed by one, quotes
inside doubled), or no quotes at all. The same checks give each line's number in the file (quoted
newlines counted) and its field count. Whatever the checks cannot vouch for (a stray quote inside an
unquoted field, mixed newlines, a field longer than Python's csv limit), and any disagreement in the
number of records, goes to the reference reader, which then also says what is wrong with the file.
tests/recon/test_csv_equivalence.py holds the two readers to the same answers.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from afas.i18n import ntr, tr
from afas.recon.tables import LedgerFileError, RawTable, TextTable, clean_headers, column_name
from afas.recon.textfiles import (
    PY_WHITESPACE,
    SAMPLE_CHARS,
    cell,
    check_line_lengths,
    decode,
    detect_encoding,
    transcode_chunks,
)

__all__ = ["read_csv", "read_csv_fast", "read_csv_reference", "sniff_delimiter"]

DELIMITERS = (";", ",", "\t", "|")
_CSV_FIELD_LIMIT = csv.field_size_limit()
_MAX_FAST_COLUMNS = 2000
_UNIT_SEPARATOR = "\x1f"  # the delimiter of a one-column file: never in ledger text


# --- dialect -------------------------------------------------------------------------------------------


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if any(c.strip() for c in row):
                rows.append(row)
            if len(rows) >= 200:
                break
    except csv.Error:
        return rows
    return rows


def _named(row: list[str], width: int) -> bool:
    """Whether a line of the usual field count can be the header: more than one non-empty cell (a
    one-column file's single cell does)."""
    return width < 2 or sum(1 for c in row if c.strip()) >= 2


def _has_letters(cells: list[str]) -> bool:
    return any(ch.isalpha() for c in cells for ch in c)


def sniff_delimiter(text: str) -> str | None:
    """The delimiter whose field count is the most consistent over the first lines, or None.

    ``text`` is the file's text, or at least its first 64 K characters and one more. The header
    (the first line with the usual field count) must hold a word when the file's first line does:
    "Bedrag / 10,00 / -2,50" is one column of amounts, not two columns split at the comma.
    """
    sample = text[:SAMPLE_CHARS]
    if len(text) > SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best: tuple[bool, bool, float, int, int] | None = None
    chosen = None
    for rank, delimiter in enumerate(DELIMITERS):
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


def _forced_delimiter(text: str) -> str | None:
    """The delimiter of Excel's "sep=;" first line, if the file starts with one."""
    forced = re.match(r"sep=(.)\r?\n", text)
    return forced.group(1) if forced else None


def _delimiter_name(delimiter: str | None) -> str:
    return {";": tr("semicolons"), ",": tr("commas"), "\t": tr("tabs"), "|": tr("vertical bars")}.get(
        delimiter or ",", tr("commas")
    )


# --- what both readers refuse ---------------------------------------------------------------------------


def _no_lines(file_name: str) -> LedgerFileError:
    return LedgerFileError(
        tr("{name} has no lines with data; export the ledger again.").format(name=file_name)
    )


def _not_a_table(
    file_name: str, first: list[tuple[int, int]], more: bool, delimiter: str | None
) -> LedgerFileError:
    shown = ", ".join(
        ntr("line {line}: {n} field", "line {line}: {n} fields", n).format(line=line, n=n)
        for line, n in first
    )
    shown += ", …" if more else ""
    return LedgerFileError(
        tr(
            "{name}: the lines have different numbers of fields ({shown}), so this is not a "
            "table separated by {delimiters}. Export the ledger as a CSV file with one "
            "header line and the same columns on every line."
        ).format(name=file_name, shown=shown, delimiters=_delimiter_name(delimiter))
    )


# --- the reference reader -------------------------------------------------------------------------------


def read_csv_reference(
    text: str, encoding: str, delimiter: str | None, skip_first: bool, file_name: str
) -> RawTable:
    """Read decoded text with Python's csv module (the definition the fast reader is held to)."""
    # Without a delimiter the file is one column; the unit separator never occurs in ledger text.
    # strict: a quote left open would otherwise swallow the rest of the file into one value, silently.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or _UNIT_SEPARATOR, strict=True)
    records: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if (skip_first and start == 1) or not any(c.strip() for c in row):
                continue
            records.append((start, row))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise LedgerFileError(
                tr(
                    '{name}: the quoted value that starts on line {line} is never closed (a " is '
                    "missing), so the rest of the file would be read as one value. Fix that quote or export "
                    "the file again."
                ).format(name=file_name, line=previous + 1)
            ) from None
        raise LedgerFileError(
            tr(
                '{name}: line {line} cannot be read as CSV ({error}); check the quotes (") on that '
                "line: a quoted value must be followed by the delimiter or the end of the line."
            ).format(name=file_name, line=previous + 1, error=exc)
        ) from None
    if not records:
        raise _no_lines(file_name)
    counts = Counter(len(row) for _, row in records)
    width = (Counter({n: k for n, k in counts.items() if n > 1}) or counts).most_common(1)[0][0]
    # The header is the first line with the usual field count and more than one name; lines above it
    # are a title block (Knab's "KNAB EXPORT;;;;" has the count but one cell).
    header_index = next(
        (i for i, (_, row) in enumerate(records) if len(row) == width and _named(row, width)),
        next(i for i, (_, row) in enumerate(records) if len(row) == width),
    )
    if (
        header_index > 0
        and len(records[header_index - 1][1]) == width - 1
        and _named(records[header_index - 1][1], width - 1)
        and all(not row[-1].strip() for _, row in records[header_index:] if len(row) == width)
    ):
        # Data lines that all end in a delimiter the header line lacks: the empty last field is no column.
        records = [(line, row[:-1] if len(row) == width else row) for line, row in records]
        width, header_index = width - 1, header_index - 1
    table = records[header_index:]
    if len(table) >= 3 and sum(len(row) == width for _, row in table) / len(table) < 0.5:
        raise _not_a_table(
            file_name, [(line, len(row)) for line, row in table[:6]], len(table) > 6, delimiter
        )
    headers = clean_headers(list(records[header_index][1]))
    rows: list[tuple[str | None, ...]] = []
    line_numbers: list[int] = []
    ragged: list[tuple[int, int]] = []
    for line, row in records[header_index + 1 :]:
        cells = [cell(c) for c in row]
        if len(cells) != width:
            extra = [c for c in cells[width:] if c is not None]
            if len(cells) < width or extra:
                ragged.append((line, len(cells)))
            cells = (cells + [None] * width)[:width]
        rows.append(tuple(cells))
        line_numbers.append(line)
    return RawTable(
        headers,
        rows,
        line_numbers,
        "csv",
        encoding=encoding,
        delimiter=delimiter,
        ragged=ragged,
        header_line=records[header_index][0],
        header_cells=tuple(cell(c) for c in records[header_index][1]),
    )


# --- the fast reader ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Records:
    """Where the records of a file are: each one's first line, field count and byte length."""

    lines: np.ndarray
    fields: np.ndarray
    new_line: str
    quoted: bool
    longest: int
    padded: frozenset[int]  # the 0-based columns where a cell may begin or end in whitespace


def _records(buf: memoryview | bytes, delimiter: str) -> _Records | None:
    """The records of UTF-8 text ``buf`` as Python's strict csv reader splits them, or None when the
    bytes hold anything that reader and DuckDB's might read differently."""
    arr = np.frombuffer(buf, np.uint8)
    size = len(arr)
    if size == 0 or (arr == 0).any():
        return None
    lf = np.flatnonzero(arr == 10)
    cr = np.flatnonzero(arr == 13)
    crlf = np.zeros(len(lf), bool)
    crlf[lf > 0] = arr[lf[lf > 0] - 1] == 13
    lone_cr = cr[arr[np.minimum(cr + 1, size - 1)] != 10]  # (a \r at the very end is lone)
    # Python counts a line at every \r\n, lone \n and lone \r (here: at the \n of a \r\n)
    ends = np.sort(np.concatenate((lf, lone_cr)))
    delim = ord(delimiter)
    boundary = np.zeros(256, bool)
    boundary[[delim, 10, 13]] = True
    quotes = np.flatnonzero(arr == ord('"'))
    if len(quotes):
        if len(quotes) % 2:
            return None
        opens, closes = quotes[0::2], quotes[1::2]
        before = arr[np.maximum(opens - 1, 0)]
        after = arr[np.minimum(closes + 1, size - 1)]
        open_ok = (opens == 0) | boundary[before]
        open_ok[1:] |= opens[1:] - 1 == closes[:-1]  # the second quote of a doubled pair
        close_ok = (closes == size - 1) | boundary[after]
        close_ok[:-1] |= closes[:-1] + 1 == opens[1:]  # the first quote of a doubled pair
        if not (open_ok.all() and close_ok.all()):
            return None

        def outside(positions: np.ndarray) -> np.ndarray:
            return positions[np.searchsorted(quotes, positions) % 2 == 0]

    else:

        def outside(positions: np.ndarray) -> np.ndarray:
            return positions

    kinds = [
        ("\\r\\n", outside(lf[crlf]), 1),
        ("\\n", outside(lf[~crlf]), 0),
        ("\\r", outside(lone_cr), 0),
    ]
    used = [kind for kind in kinds if len(kind[1])]
    if len(used) > 1:
        return None  # records end in newlines of different kinds: Python takes each, DuckDB one
    new_line, record_ends, tail = used[0] if used else kinds[1]
    delims = outside(np.flatnonzero(arr == delim))
    starts = np.concatenate(([0], record_ends + 1))
    stops = np.concatenate((record_ends - tail, [size]))
    kept = stops > starts  # DuckDB skips empty lines, as the reference reader skips empty rows
    starts, stops = starts[kept], stops[kept]
    if len(starts) == 0:
        return None
    fields = np.searchsorted(delims, stops) - np.searchsorted(delims, starts) + 1
    longest = int((stops - starts).max())
    if longest > _CSV_FIELD_LIMIT:  # a field may be longer than the csv module's limit: measure them
        marks = np.sort(np.concatenate((delims, starts - 1, stops)))
        if int(np.diff(marks).max(initial=0)) > _CSV_FIELD_LIMIT:
            return None  # the reference reader refuses that field, in its words
    return _Records(
        lines=np.searchsorted(ends, starts) + 1,
        fields=fields,
        new_line=new_line,
        quoted=bool(len(quotes)),
        longest=longest,
        padded=_padded_columns(arr, starts, stops, delims, bool(len(quotes))),
    )


# The bytes a cell's text may begin or end with when it begins or ends in whitespace as Python's
# str.strip() sees it (in UTF-8): ASCII whitespace, and the lead byte (at the start) or any byte of a
# multi-byte character (at the end) of the non-ASCII ones (U+0085, U+00A0, U+1680, U+2000...U+3000).
_WS_FIRST = np.zeros(256, bool)
_WS_FIRST[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0xC2, 0xE1, 0xE2, 0xE3]] = True
_WS_LAST = np.zeros(256, bool)
_WS_LAST[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_WS_LAST[0x80:] = True


def _padded_columns(
    arr: np.ndarray, starts: np.ndarray, stops: np.ndarray, delims: np.ndarray, quoted: bool
) -> frozenset[int]:
    """The columns (0-based) with a cell that may begin or end in whitespace, found from the bytes
    beside each delimiter and record boundary (inside the quotes when the cell is quoted). It may name
    a column that has none (a cell ending in an accented letter); it never misses one that has."""
    top = len(arr) - 1
    quote = ord('"')

    def first(pos: np.ndarray) -> np.ndarray:  # whether the cell starting at ``pos`` may start in whitespace
        pos = np.minimum(pos, top)
        found = arr[pos]
        if quoted:
            inner = found == quote
            found[inner] = arr[np.minimum(pos[inner] + 1, top)]
        return _WS_FIRST[found]

    def last(end: np.ndarray) -> np.ndarray:  # whether the cell ending before ``end`` may end in it
        pos = np.maximum(end - 1, 0)
        found = arr[pos]
        if quoted:
            inner = found == quote
            found[inner] = arr[np.maximum(pos[inner] - 1, 0)]
        return _WS_LAST[found]

    def column_before(at: np.ndarray) -> np.ndarray:  # the column of the cell before delims[at]
        record = np.searchsorted(starts, delims[at], side="right") - 1
        return at - np.searchsorted(delims, starts[record])

    padded = set(column_before(np.flatnonzero(last(delims))).tolist())
    padded |= set((column_before(np.flatnonzero(first(delims + 1))) + 1).tolist())
    if first(starts).any():
        padded.add(0)
    ends = np.flatnonzero(last(stops))
    padded |= set((np.searchsorted(delims, stops[ends]) - np.searchsorted(delims, starts[ends])).tolist())
    return frozenset(int(c) for c in padded)


def _int64s(values: np.ndarray) -> pa.Array:
    """A numpy array as an Arrow int64 array on the same memory (``pa.array`` of a numpy array would
    import pandas first, half a second in a process that has not)."""
    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def _one(con, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query, read to its end (DuckDB refuses new work on an unfinished result)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _read_fast(
    data: bytes,
    encoding: str,
    delimiter: str | None,
    skip_first: bool,
    file_name: str,
    into: Path | None = None,
) -> TextTable | None:
    """The table DuckDB reads, or None when the file is not one the checks can vouch for."""
    import duckdb

    delim = delimiter or _UNIT_SEPARATOR
    if len(delim) != 1 or ord(delim) > 127 or delim in '"\r\n':
        return None
    if encoding in ("utf-8", "utf-8-sig"):
        start = 0
        while data.startswith(b"\xef\xbb\xbf", start):
            start += 3
        buf: memoryview | bytes = memoryview(data)[start:]
    else:
        buf = b"".join(transcode_chunks(data, encoding, file_name))
    found = _records(buf, delim)
    if found is None or int(found.fields.max()) > _MAX_FAST_COLUMNS:
        return None
    width_max = int(found.fields.max())
    names = [column_name(i) for i in range(width_max)]
    handle, path = tempfile.mkstemp(prefix="afas-csv-", suffix=".csv")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(buf)
        del buf
        # Two threads: the Parquet writer uses both. A file large enough for that to matter is read in
        # its own process at low priority (afas.recon.staging), so the dashboard's users come first.
        con = duckdb.connect(
            config={"threads": 2, "memory_limit": "1GB", "temp_directory": tempfile.gettempdir()}
        )
        con.execute("SET enable_progress_bar = false")
        try:
            return _duckdb_table(
                con, path, found, names, delim, skip_first, encoding, delimiter, file_name, into
            )
        finally:
            con.close()
    finally:
        os.unlink(path)


def _duckdb_table(
    con,
    path: str,
    found: _Records,
    names: list[str],
    delim: str,
    skip_first: bool,
    encoding: str,
    delimiter: str | None,
    file_name: str,
    into: Path | None,
) -> TextTable | None:
    quote = _sql_text('"' if found.quoted else "")
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    line_size = max(found.longest + 1024, 1 << 21)
    reader = (
        f"read_csv({_sql_text(path)}, delim={_sql_text(delim)}, "
        f"quote={quote}, escape={quote}, header=false, auto_detect=false, null_padding=true, parallel=false, "
        f"strict_mode=false, new_line='{found.new_line}', max_line_size={line_size}, "
        f"columns={columns})"
    )
    con.register(
        "seg",
        pa.table(
            {
                "ord": _int64s(np.arange(len(found.lines), dtype=np.int64)),
                "line_no": _int64s(found.lines),
                "nfields": _int64s(found.fields),
            }
        ),
    )
    # Python's strip() of each cell; trim() only where the first or last character is whitespace
    # (trim with a character set is slow, and most cells have none).
    # Only in the columns where the bytes show a cell may need it (most columns of an export have none).
    trimmed = ", ".join(
        f"CASE WHEN contains($ws, left(raw.{n}, 1)) OR contains($ws, right(raw.{n}, 1)) "
        f"THEN nullif(trim(raw.{n}, $ws), '') ELSE raw.{n} END AS {n}"
        if i in found.padded
        else f"raw.{n} AS {n}"
        for i, n in enumerate(names)
    )
    # One pass: DuckDB's records side by side with the checks' (line number, field count) by position;
    # a record too many on either side shows as a row without the other's columns.
    con.execute(
        f"CREATE TEMP TABLE rec AS SELECT seg.*, raw.present, {trimmed} "
        f"FROM (SELECT true AS present, * FROM {reader}) raw POSITIONAL JOIN seg",
        {"ws": PY_WHITESPACE} if found.padded else {},
    )
    con.unregister("seg")
    if _one(con, "SELECT count(*) FROM rec WHERE present IS NULL OR ord IS NULL")[0]:
        return None  # DuckDB split the file into other records than the checks did
    blank = " AND ".join(f"{n} IS NULL" for n in names)
    con.execute(f"DELETE FROM rec WHERE ({blank})" + (" OR line_no = 1" if skip_first else ""))
    counts = con.execute("SELECT nfields, count(*), min(ord) FROM rec GROUP BY nfields").fetchall()
    if not counts:
        raise _no_lines(file_name)
    several = [c for c in counts if c[0] > 1] or counts
    width = min(several, key=lambda c: (-c[1], c[2]))[0]  # most lines; on a tie the first seen
    filled_cells = " + ".join(f"CAST({n} IS NOT NULL AS INTEGER)" for n in names)
    header_ord = _one(
        con,
        f"SELECT coalesce(min(ord) FILTER (WHERE {width} < 2 OR ({filled_cells}) >= 2), min(ord)) "
        "FROM rec WHERE nfields = ?",
        [width],
    )[0]
    previous = _one(
        con,
        f"SELECT ord, nfields, {filled_cells} FROM rec WHERE ord < ? ORDER BY ord DESC LIMIT 1",
        [header_ord],
    )
    cut = False
    if previous is not None and previous[1] == width - 1 and (width - 1 < 2 or previous[2] >= 2):
        filled = _one(
            con,
            f"SELECT count(*) FROM rec WHERE ord >= ? AND nfields = ? "
            f"AND {column_name(width - 1)} IS NOT NULL",
            [header_ord, width],
        )[0]
        if filled == 0:
            # Data lines that all end in a delimiter the header line lacks: the empty last field is no column.
            cut, width, header_ord = True, width - 1, previous[0]
    effective = f"(CASE WHEN nfields = {width + 1} THEN {width} ELSE nfields END)" if cut else "nfields"
    total, regular = _one(
        con,
        f"SELECT count(*), count(*) FILTER (WHERE {effective} = ?) FROM rec WHERE ord >= ?",
        [width, header_ord],
    )
    if total >= 3 and regular / total < 0.5:
        first = con.execute(
            f"SELECT line_no, {effective} FROM rec WHERE ord >= ? ORDER BY ord LIMIT 6", [header_ord]
        ).fetchall()
        raise _not_a_table(file_name, first, total > 6, delimiter)
    header = _one(con, f"SELECT {', '.join(names[:width])} FROM rec WHERE ord = ?", [header_ord])
    kept = names[:width]
    extra = " OR ".join(f"({effective} > {i} AND {n} IS NOT NULL)" for i, n in enumerate(names) if i >= width)
    ragged = (
        f"CASE WHEN {effective} < {width} THEN {effective} "
        + (f"WHEN {effective} > {width} AND ({extra}) THEN {effective} " if extra else "")
        + "END"
    )
    body = (
        f"SELECT ord AS row_no, line_no, CAST({ragged} AS BIGINT) AS ragged, {', '.join(kept)} "
        f"FROM rec WHERE ord > {int(header_ord)}"  # in insertion order: rec was written in file order
    )
    headers = clean_headers(list(header))
    header_line = int(_one(con, "SELECT line_no FROM rec WHERE ord = ?", [header_ord])[0])
    meta = {
        "encoding": encoding,
        "delimiter": delimiter,
        "header_line": header_line,
        "header_cells": tuple(header),
    }
    if into is not None:  # straight into the staged Parquet file: the rows never pass through Python
        rows = _one(con, f"SELECT count(*) FROM rec WHERE ord > {int(header_ord)}")[0]
        con.execute(f"COPY ({body}) TO {_sql_text(str(into))} (FORMAT parquet, COMPRESSION zstd)")
        return TextTable(headers, "csv", int(rows), path=Path(into), **meta)
    data = con.sql(body).to_arrow_table()
    return TextTable.from_arrow(headers, data, "csv", **meta)


# --- entry point ----------------------------------------------------------------------------------------


def _head(data: bytes, encoding: str, file_name: str) -> str:
    """The first 64 K characters of the file and one more (or all of it), a BOM removed."""
    wanted = SAMPLE_CHARS + 1
    if len(data) <= 4 * wanted + 16:
        return decode(data, file_name)[0][:wanted]
    import codecs

    try:
        text = codecs.getincrementaldecoder(encoding)("replace").decode(data[: 4 * wanted + 16])
    except LookupError:
        return decode(data, file_name)[0][:wanted]
    return text.lstrip("\ufeff")[:wanted]


def _dialect(data: bytes, file_name: str) -> tuple[str, str | None, bool]:
    """Encoding, delimiter (None: one column) and whether the first line is Excel's "sep=" line."""
    check_line_lengths(data, file_name)
    encoding = detect_encoding(data)
    head = _head(data, encoding, file_name)
    forced = _forced_delimiter(head)
    return encoding, forced if forced is not None else sniff_delimiter(head), forced is not None


def read_csv_fast(data: bytes, file_name: str) -> TextTable | None:
    """The table DuckDB's reader gives, or None when the file is one only the reference reader reads."""
    encoding, delimiter, skip_first = _dialect(data, file_name)
    return _read_fast(data, encoding, delimiter, skip_first, file_name)


def read_csv(data: bytes, file_name: str, *, fast: bool = True, into: Path | None = None) -> TextTable:
    """Read a delimited text file (with DuckDB when it can vouch for the file, see the module
    docstring; ``fast=False`` always with the reference reader); LedgerFileError says what is wrong.

    With ``into``, the fast reader writes the cells to that Parquet file and returns a table read
    from it (the reference reader still returns them in memory).
    """
    encoding, delimiter, skip_first = _dialect(data, file_name)
    if fast:
        table = _read_fast(data, encoding, delimiter, skip_first, file_name, into)
        if table is not None:
            return table
    text, encoding = decode(data, file_name, encoding)
    return TextTable.from_raw(read_csv_reference(text, encoding, delimiter, skip_first, file_name))
