"""OpenDocument spreadsheets (.ods, LibreOffice's own), read by :mod:`afas.recon.workbooks`."""

from __future__ import annotations

from pathlib import Path

from afas.recon.ledgerformat import Confidence, LedgerFormat, Verdict
from afas.recon.tables import TextTable
from afas.recon.workbooks import read_workbook, sheet_names, zip_kind

__all__ = ["OpenDocumentSpreadsheet"]


class OpenDocumentSpreadsheet(LedgerFormat):
    """An OpenDocument spreadsheet: a ZIP container whose mimetype part says so."""

    name = "ods"
    label = "Excel"  # the user's word for any spreadsheet; it shares Excel's limit
    max_mb = 25

    def identify(self, data: bytes, file_name: str) -> Verdict:
        if data.startswith(b"PK\x03\x04") and zip_kind(data) == "ods":
            return Verdict.claim(Confidence.SIGNATURE)
        return Verdict.decline("is no ZIP container with an OpenDocument spreadsheet's mimetype")

    def read(
        self, data: bytes, file_name: str, *, sheet: str | int | None = None, into: Path | None = None
    ) -> TextTable:
        return read_workbook(data, file_name, self.name, sheet)

    def sheet_names(self, data: bytes, file_name: str) -> list[str]:
        return sheet_names(data, self.name, file_name)
