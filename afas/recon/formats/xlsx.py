"""Excel workbooks in a ZIP container (.xlsx, .xlsm, .xlsb), read by :mod:`afas.recon.workbooks`."""

from __future__ import annotations

from afas.i18n import tr
from afas.recon.ledgerformat import Confidence, Verdict
from afas.recon.workbooks import WorkbookFormat, zip_kind

__all__ = ["ExcelWorkbook"]

_ZIP = b"PK\x03\x04"


class ExcelWorkbook(WorkbookFormat):
    """An Excel workbook; it also refuses a ZIP archive that holds no workbook at all (a zipped
    export), since that is what a user who uploads one most likely meant to send."""

    name = "xlsx"
    label = "Excel"
    max_mb = 25  # calamine turns each cell into a Python value
    extensions = ("xlsx", "xlsm")

    def identify(self, data: bytes, file_name: str) -> Verdict:
        if not data.startswith(_ZIP):
            return Verdict.decline("is no ZIP container, as an .xlsx workbook is")
        kind = zip_kind(data)
        if kind == "xlsx":
            return Verdict.claim(Confidence.SIGNATURE)
        if kind is not None:
            return Verdict.decline(f"is a ZIP container of another workbook kind ({kind})")
        return Verdict.refuse(
            Confidence.SIGNATURE,
            tr(
                "is a ZIP archive but not an Excel (.xlsx) or OpenDocument (.ods) workbook; unzip it and "
                "upload the ledger file inside, or save the workbook again as .xlsx"
            ),
        )
