"""Excel workbooks in a ZIP container (.xlsx, .xlsm, .xlsb), read by :mod:`afas.recon.workbooks`."""

from __future__ import annotations

from pathlib import Path

from afas.recon.ledgerformat import Confidence, LedgerFormat, Verdict
from afas.recon.tables import TextTable
from afas.recon.workbooks import read_workbook, sheet_names, zip_kind

__all__ = ["ExcelWorkbook"]

_ZIP = b"PK\x03\x04"


class ExcelWorkbook(LedgerFormat):
    """An Excel workbook; it also refuses a ZIP archive that holds no workbook at all (a zipped
    export), since that is what a user who uploads one most likely meant to send."""

    name = "xlsx"
    label = "Excel"
    max_mb = 25  # calamine turns each cell into a Python value

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
            "is a ZIP archive but not an Excel (.xlsx) or OpenDocument (.ods) workbook; unzip it and "
            "upload the ledger file inside, or save the workbook again as .xlsx",
        )

    def read(
        self, data: bytes, file_name: str, *, sheet: str | int | None = None, into: Path | None = None
    ) -> TextTable:
        return read_workbook(data, file_name, self.name, sheet)

    def sheet_names(self, data: bytes, file_name: str) -> list[str]:
        return sheet_names(data, self.name, file_name)
