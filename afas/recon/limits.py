"""How large an uploaded file may be, per format, and the words the upload widgets show for it.

Each format says its own label and limit (``max_mb`` on its class in :mod:`afas.recon.formats`); this
module gathers them from the registry, :data:`afas.recon.readers.FORMATS`, so a new format reaches the
upload widgets without an edit here. The limits follow what each reader costs. CSV goes through
DuckDB's reader in seconds per million lines, so it may be large; workbooks, Parquet and bank
statements are turned into text cell by cell in Python, so they are smaller. A workbook is also held
to what it unpacks to (the ``MAX_*`` limits of :mod:`afas.recon.workbooks`, repeated here).
Streamlit's own ``server.maxUploadSize`` (.streamlit/config.toml) is set to :data:`MAX_UPLOAD_MB`,
the largest of these, so the browser refuses anything larger before it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from afas.i18n import tr
from afas.recon.readers import FORMATS, check_size
from afas.recon.tables import FileTooLarge
from afas.recon.textfiles import mb
from afas.recon.workbooks import MAX_PART_RATIO, MAX_SHEET_CELLS, MAX_UNPACKED_BYTES, RATIO_CHECKED_FROM

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
    "upload_types",
]


@dataclass(frozen=True)
class FormatLimit:
    label: str  # what the user calls the format
    formats: tuple[str, ...]  # the detected formats it covers (afas.recon.readers.detect_format)
    max_mb: int


def _limits() -> tuple[FormatLimit, ...]:
    """One limit per label, in the registry's order; formats that share a label share its limit."""
    by_label: dict[str, list[str]] = {}
    sizes: dict[str, int] = {}
    for found in FORMATS:
        by_label.setdefault(found.label, []).append(found.name)
        if sizes.setdefault(found.label, found.max_mb) != found.max_mb:
            raise ValueError(f"the formats labelled {found.label!r} disagree on their size limit")
    return tuple(FormatLimit(label, tuple(names), sizes[label]) for label, names in by_label.items())


FORMAT_LIMITS: tuple[FormatLimit, ...] = _limits()
MAX_UPLOAD_MB = max(limit.max_mb for limit in FORMAT_LIMITS)


def upload_help(labels: Iterable[str] | None = None) -> str:
    """The limits as one line for an upload widget: "CSV up to 200 MB, Excel up to 25 MB, ..."."""
    wanted = None if labels is None else set(labels)
    return ", ".join(
        tr("{format} up to {mb} MB").format(format=limit.label, mb=limit.max_mb)
        for limit in FORMAT_LIMITS
        if wanted is None or limit.label in wanted
    )


def upload_types() -> list[str]:
    """The file name endings the ledger upload offers: every registered format's, in registry order."""
    return list(dict.fromkeys(ext for found in FORMATS for ext in found.extensions))
