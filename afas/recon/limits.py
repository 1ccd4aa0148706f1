"""How large an uploaded file may be, per format, and the words the upload widgets show for it.

The limits follow what each reader costs. CSV goes through DuckDB's reader in seconds per million
lines, so it may be large; workbooks, Parquet and bank statements are turned into text cell by cell
in Python, so they are smaller. A workbook is also held to what it unpacks to (see
:mod:`afas.recon.workbooks`). Streamlit's own ``server.maxUploadSize`` (.streamlit/config.toml) is
set to :data:`MAX_UPLOAD_MB`, the largest of these, so the browser refuses anything larger before
it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from afas.recon.tables import LedgerFileError

__all__ = [
    "FORMAT_LIMITS",
    "MAX_PART_RATIO",
    "MAX_SHEET_CELLS",
    "MAX_UNPACKED_BYTES",
    "MAX_UPLOAD_MB",
    "RATIO_CHECKED_FROM",
    "FileTooLarge",
    "FormatLimit",
    "check_size",
    "mb",
    "upload_help",
]

_MB = 1024 * 1024


@dataclass(frozen=True)
class FormatLimit:
    label: str  # what the user calls the format
    formats: tuple[str, ...]  # the detected formats it covers (afas.recon.readers.detect_format)
    max_mb: int


FORMAT_LIMITS: tuple[FormatLimit, ...] = (
    FormatLimit("CSV", ("csv",), 200),
    FormatLimit("Excel", ("xlsx", "xls", "ods"), 25),
    FormatLimit("Parquet", ("parquet",), 100),
    FormatLimit("MT940", ("mt940",), 10),
    FormatLimit("CAMT.053", ("camt053",), 20),
)
MAX_UPLOAD_MB = max(limit.max_mb for limit in FORMAT_LIMITS)

MAX_UNPACKED_BYTES = 250 * _MB
"""All parts of a workbook together, unpacked (a 25 MB .xlsx of plain cells unpacks to about 250 MB)."""
MAX_PART_RATIO = 100
"""Unpacked / packed size of one part; real sheets pack 5 to 20 times, zip bombs a thousand."""
RATIO_CHECKED_FROM = _MB
"""Parts smaller than this unpacked are not held to the ratio (tiny parts pack oddly)."""
MAX_SHEET_CELLS = 5_000_000
"""The block of cells calamine allocates for one sheet (32 bytes a cell: 160 MB)."""


class FileTooLarge(LedgerFileError):
    """The file is larger than the dashboard reads in its format."""


def mb(size: int) -> str:
    """A byte count as a user reads it ("12 KB", "3.2 MB", "250 MB")."""
    if size < _MB:
        return f"{max(size, 1) / 1024:,.0f} KB"
    value = size / _MB
    return f"{value:,.1f} MB" if value < 10 else f"{value:,.0f} MB"


def _limit_of(file_format: str) -> FormatLimit:
    return next(limit for limit in FORMAT_LIMITS if file_format in limit.formats)


def check_size(size: int, file_name: str, file_format: str) -> None:
    """Refuse a file larger than its format's limit, in words that say what to do instead."""
    limit = _limit_of(file_format)
    if size <= limit.max_mb * _MB:
        return
    instead = (
        f" Export the ledger as CSV (up to {_limit_of('csv').max_mb} MB), or split it into periods."
        if file_format != "csv"
        else " Split the export into periods (a year or a quarter at a time)."
    )
    raise FileTooLarge(
        f"{file_name} is {mb(size)}; the dashboard reads {limit.label} files up to {limit.max_mb} MB."
        + instead
    )


def upload_help(labels: Iterable[str] | None = None) -> str:
    """The limits as one line for an upload widget: "CSV up to 200 MB, Excel up to 25 MB, ..."."""
    wanted = None if labels is None else set(labels)
    return ", ".join(
        f"{limit.label} up to {limit.max_mb} MB"
        for limit in FORMAT_LIMITS
        if wanted is None or limit.label in wanted
    )
