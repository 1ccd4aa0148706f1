"""The shapes every ledger reader returns: a file read as text, with the user's line numbers.

:class:`TextTable` is the working shape: the cells column by column in Arrow (``c1`` .. ``cN``, text
or null), beside ``row_no`` (0-based order), ``line_no`` (the line or row the user sees) and
``ragged`` (the field count of a CSV line whose count differs from the header's, else null). It is
kept in memory (``data``) or in a Parquet file (``path``, see :mod:`afas.recon.staging`), so a file
of a million lines never becomes a million Python objects. :class:`RawTable` is the same content as
Python tuples, for small files, tests and callers that want to loop over rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pyarrow as pa

from afas.errors import InputError
from afas.i18n import tr
from afas.recon.bankstatements import StatementBalance

__all__ = ["FileTooLarge", "LedgerFileError", "RawTable", "TextTable", "clean_headers", "column_name"]


class LedgerFileError(InputError):
    """The file cannot be read as a ledger; the message says what is wrong and how to fix it."""


class FileTooLarge(LedgerFileError):
    """The file is larger than the dashboard reads in its format (see :mod:`afas.recon.limits`)."""


@dataclass(frozen=True)
class RawTable:
    """A ledger file as text: one header per column, one tuple of cells (text or None) per row.

    ``line_numbers[i]`` is the line (CSV, MT940, CAMT) or row (spreadsheet, Parquet) the user sees for
    ``rows[i]``. ``file_format`` is 'csv', 'xlsx' (any workbook: .xlsx, .xls, .ods), 'parquet',
    'mt940' or 'camt053'. ``ragged`` lists (line number, field count) of CSV lines whose field count
    differs from the header's; such rows are padded or cut to the header's width and reported by the
    mapping. ``notices`` are what the reader found that the user must read before importing, in
    sentences (a statement whose balances do not add up, a guess and what it rests on).
    """

    headers: list[str]
    rows: list[tuple[str | None, ...]]
    line_numbers: list[int]
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    ragged: list[tuple[int, int]] = field(default_factory=list)
    notices: tuple[str, ...] = ()
    header_line: int | None = None
    header_cells: tuple[str | None, ...] | None = None
    balances: tuple[StatementBalance, ...] = ()
    """A bank statement's balances, one per statement with a closing balance (see :class:`TextTable`)."""


def clean_headers(cells: Sequence[str | None]) -> list[str]:
    """Header names as shown: whitespace collapsed, empty ones named "column N", repeats numbered."""
    headers: list[str] = []
    seen: Counter[str] = Counter()
    for i, cell in enumerate(cells, start=1):
        name = " ".join((cell or "").split()) or f"column {i}"
        seen[name] += 1
        headers.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return headers


def column_name(index: int) -> str:
    """The Arrow/SQL name of the 0-based column ``index`` (headers are user text; names are ours)."""
    return f"c{index + 1}"


@dataclass(frozen=True)
class TextTable:
    """A ledger file as text columns (see the module docstring); ``data`` or ``path`` holds the cells."""

    headers: list[str]
    file_format: str
    num_rows: int
    data: pa.Table | None = None
    path: Path | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sha256: str | None = None
    file_name: str | None = None
    notices: tuple[str, ...] = ()
    """What the reader found that the user must read before importing (see :class:`RawTable`)."""
    header_line: int | None = None
    """The line (or row) the column names were read from; None where there is none."""
    header_cells: tuple[str | None, ...] | None = None
    """That line's cells as they are in the file (``headers`` are cleaned: named, numbered), so a
    header line that turns out to be a transaction is kept exactly."""
    layout: str | None = None
    """The bank export layout recognised in the file (:mod:`afas.recon.banklayouts`), if any."""
    headerless: bool = False
    """Whether the file's first line is read as a transaction (an export without a header line)."""
    header_guessed: bool = False
    """Whether ``headerless`` is the reader's guess from the values (not the user's choice)."""
    balances: tuple[StatementBalance, ...] = ()
    """A bank statement's balances (MT940, CAMT.053 and a ZIP of them), one per statement that states a
    closing balance, in the file's order (:class:`afas.recon.bankstatements.StatementBalance`); kept
    with the import (``statement_balances``) for the month-end close. Every copy of the table keeps
    them (``dataclasses.replace``, staging's .json)."""

    @classmethod
    def from_arrow(
        cls, headers: Sequence[str], data: pa.Table, file_format: str, **meta: object
    ) -> TextTable:
        return cls(list(headers), file_format, data.num_rows, data=data, **meta)  # type: ignore[arg-type]

    @classmethod
    def from_rows(
        cls,
        headers: Sequence[str],
        rows: Sequence[Sequence[str | None]],
        line_numbers: Sequence[int],
        file_format: str,
        ragged: Sequence[tuple[int, int]] = (),
        **meta: object,
    ) -> TextTable:
        """A table from Python rows (every row as wide as ``headers``)."""
        width = len(headers)
        by_line = dict(ragged)
        columns: dict[str, pa.Array] = {
            "row_no": pa.array(range(len(rows)), pa.int64()),
            "line_no": pa.array(line_numbers, pa.int64()),
            "ragged": pa.array([by_line.get(n) for n in line_numbers], pa.int64()),
        }
        for i in range(width):
            columns[column_name(i)] = pa.array([row[i] for row in rows], pa.string())
        return cls.from_arrow(headers, pa.table(columns), file_format, **meta)

    @classmethod
    def from_raw(cls, raw: RawTable) -> TextTable:
        return cls.from_rows(
            raw.headers,
            raw.rows,
            raw.line_numbers,
            raw.file_format,
            raw.ragged,
            encoding=raw.encoding,
            delimiter=raw.delimiter,
            sheet=raw.sheet,
            notices=tuple(raw.notices),
            header_line=raw.header_line,
            header_cells=raw.header_cells,
            balances=tuple(raw.balances),
        )

    def arrow(self) -> pa.Table:
        """The cells as an Arrow table (read from the Parquet file when the table is staged)."""
        if self.data is not None:
            return self.data
        import pyarrow.parquet as pq

        return pq.read_table(self._existing_path())

    def to_raw(self) -> RawTable:
        """The table as Python rows (meant for small files: every cell becomes a Python object)."""
        data = self.arrow()
        cells = [data.column(column_name(i)).to_pylist() for i in range(len(self.headers))]
        line_numbers = data.column("line_no").to_pylist()
        ragged = [
            (line, count)
            for line, count in zip(line_numbers, data.column("ragged").to_pylist(), strict=True)
            if count is not None
        ]
        return RawTable(
            list(self.headers),
            [tuple(row) for row in zip(*cells, strict=True)] if cells else [() for _ in line_numbers],
            line_numbers,
            self.file_format,
            encoding=self.encoding,
            delimiter=self.delimiter,
            sheet=self.sheet,
            ragged=ragged,
            notices=self.notices,
            header_line=self.header_line,
            header_cells=self.header_cells,
            balances=self.balances,
        )

    def head(self, n: int) -> list[tuple[str | None, ...]]:
        """The first ``n`` rows as Python tuples (for suggestions and a glimpse of the file)."""
        if self.data is not None:
            data = self.data.slice(0, n)
        else:
            import pyarrow.parquet as pq

            batches = pq.ParquetFile(self._existing_path()).iter_batches(batch_size=max(n, 1))
            first = next(batches, None)
            data = pa.Table.from_batches([first]) if first is not None else pa.table({})
        cells = (
            [data.column(column_name(i)).to_pylist() for i in range(len(self.headers))]
            if data.num_rows
            else []
        )
        return [tuple(row) for row in zip(*cells, strict=True)] if cells else []

    def without_data(self, path: Path) -> TextTable:
        """The same table, read from ``path`` from now on (the in-memory cells are let go)."""
        return replace(self, data=None, path=path)

    def staged_path(self) -> Path:
        """The Parquet file holding the cells (LedgerFileError when it was removed meanwhile)."""
        return self._existing_path()

    def _existing_path(self) -> Path:
        assert self.path is not None
        if not self.path.exists():
            raise LedgerFileError(
                tr(
                    "The uploaded file's working copy is gone (it is removed after a while); upload the "
                    "file again."
                )
            )
        return self.path

    @contextmanager
    def scan(self, con: duckdb.DuckDBPyConnection) -> Iterator[str]:
        """A name for the cells in ``con`` (a registered Arrow table or a view over the Parquet file).

        The name is removed when the block ends; register outside a transaction (DuckDB refuses to
        unregister inside an aborted one).
        """
        import uuid

        name = f"_ledger_text_{uuid.uuid4().hex}"
        if self.data is not None:
            con.register(name, self.data)
            try:
                yield name
            finally:
                con.unregister(name)
            return
        path = str(self._existing_path()).replace("'", "''")
        con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet('{path}')")
        try:
            yield name
        finally:
            con.execute(f"DROP VIEW IF EXISTS {name}")
