"""Parquet files (a data team's export), their columns turned into text column by column.

Doubles are written with Python's shortest round-trip repr (a Parquet double is what a program wrote,
not what a user typed into a cell, so it is not rounded as a workbook's are); decimals keep their exact
value; dates and times as ISO text.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from afas.i18n import tr
from afas.recon.ledgerformat import Confidence, LedgerFormat, Verdict
from afas.recon.tables import LedgerFileError, TextTable, clean_headers, column_name
from afas.recon.textfiles import PY_WHITESPACE, shown, value_text

__all__ = ["ParquetFile"]


class ParquetFile(LedgerFormat):
    """A Parquet file: PAR1 at its start."""

    name = "parquet"
    label = "Parquet"
    max_mb = 100  # columns other than text pass through Python cell by cell
    extensions = ("parquet",)

    def identify(self, data: bytes, file_name: str) -> Verdict:
        if data.startswith(b"PAR1"):
            return Verdict.claim(Confidence.SIGNATURE)
        return Verdict.decline("does not start with PAR1, as a Parquet file does")

    def read(
        self, data: bytes, file_name: str, *, sheet: str | int | None = None, into: Path | None = None
    ) -> TextTable:
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(io.BytesIO(data))
        except (pa.ArrowException, OSError) as exc:
            raise LedgerFileError(
                tr("{name} is a damaged Parquet file ({error}); write the file again.").format(
                    name=file_name, error=shown(str(exc))
                )
            ) from None
        if table.num_rows == 0:
            raise LedgerFileError(
                tr("{name} is a Parquet file without rows; there is nothing to import.").format(
                    name=file_name
                )
            )
        columns: dict[str, Any] = {
            "row_no": pa.array(range(table.num_rows), pa.int64()),
            "line_no": pa.array(range(1, table.num_rows + 1), pa.int64()),
            "ragged": pa.nulls(table.num_rows, pa.int64()),
        }
        for i, column in enumerate(table.columns):
            columns[column_name(i)] = _text_column(column)
        return TextTable.from_arrow(clean_headers(list(table.column_names)), pa.table(columns), self.name)


def _text_column(column: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    """A Parquet column as text; string columns are trimmed column-wise (what str.strip() does)."""
    import pyarrow.compute as pc

    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        trimmed = pc.utf8_trim(column.cast(pa.string()), characters=PY_WHITESPACE)
        return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    return pa.array([_text(v) for v in column.to_pylist()], pa.string())


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:
            return None
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.datetime, dt.date, bool, int)):
        return value_text(value)
    if isinstance(value, bytes):
        return value_text(value.decode("utf-8", errors="replace"))
    return value_text(str(value))
