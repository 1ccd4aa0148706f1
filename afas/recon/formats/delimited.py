"""CSV and other delimited text (TSV, ';' exports of Dutch banks): the format of any text that is
nothing else, read by :func:`afas.recon.csvfile.read_csv`."""

from __future__ import annotations

from pathlib import Path

from afas.recon.csvfile import read_csv
from afas.recon.ledgerformat import Confidence, LedgerFormat, Verdict
from afas.recon.tables import TextTable
from afas.recon.textfiles import binary_kind

__all__ = ["DelimitedText"]


class DelimitedText(LedgerFormat):
    """Delimited text; it claims any text, as the fallback, so every surer format comes first."""

    name = "csv"
    label = "CSV"
    max_mb = 200  # DuckDB's reader takes seconds per million lines
    extensions = ("csv", "txt", "tab")

    def identify(self, data: bytes, file_name: str) -> Verdict:
        what = binary_kind(data)
        if what is not None:
            return Verdict.decline(what)
        return Verdict.claim(Confidence.FALLBACK)

    def read(
        self, data: bytes, file_name: str, *, sheet: str | int | None = None, into: Path | None = None
    ) -> TextTable:
        return read_csv(data, file_name, into=into)
