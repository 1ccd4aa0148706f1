"""OpenDocument spreadsheets (.ods, LibreOffice's own), read by :mod:`afas.recon.workbooks`."""

from __future__ import annotations

from afas.recon.ledgerformat import Confidence, Verdict
from afas.recon.workbooks import WorkbookFormat, zip_kind

__all__ = ["OpenDocumentSpreadsheet"]


class OpenDocumentSpreadsheet(WorkbookFormat):
    """An OpenDocument spreadsheet: a ZIP container whose mimetype part says so."""

    name = "ods"
    label = "Excel"  # the user's word for any spreadsheet; it shares Excel's limit
    max_mb = 25
    extensions = ("ods",)

    def identify(self, data: bytes, file_name: str) -> Verdict:
        if data.startswith(b"PK\x03\x04") and zip_kind(data) == "ods":
            return Verdict.claim(Confidence.SIGNATURE)
        return Verdict.decline("is no ZIP container with an OpenDocument spreadsheet's mimetype")
