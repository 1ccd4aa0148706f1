"""Excel 97-2003 workbooks (.xls, BIFF in an OLE compound file), read by :mod:`afas.recon.workbooks`."""

from __future__ import annotations

from afas.i18n import tr
from afas.recon.ledgerformat import Confidence, Verdict
from afas.recon.textfiles import looks_like_html, text_head
from afas.recon.workbooks import WorkbookFormat

__all__ = ["Excel97Workbook"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Excel97Workbook(WorkbookFormat):
    """An .xls workbook; it also refuses a web page, which some programs save with an .xls name (the
    refusal is surer than XML's shape, so CAMT.053 does not take the page)."""

    name = "xls"
    label = "Excel"
    max_mb = 25
    extensions = ("xls",)

    def identify(self, data: bytes, file_name: str) -> Verdict:
        if data.startswith(_OLE):
            return Verdict.claim(Confidence.SIGNATURE)
        head = text_head(data)
        if head is not None and looks_like_html(head.start):
            return Verdict.refuse(
                Confidence.CONTENT,
                tr(
                    "is a web page (HTML), which some programs save with an .xls name; open it in Excel "
                    "and save it as .xlsx or CSV, then upload that file"
                ),
            )
        return Verdict.decline("has no OLE compound file signature, as an .xls workbook has")
