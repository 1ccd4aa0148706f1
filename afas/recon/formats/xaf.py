"""XAF audit files (XML Auditfile Financieel 3.x), read by :func:`afas.recon.xaffile.read_xaf`."""

from __future__ import annotations

from pathlib import Path

from afas.recon.ledgerformat import Confidence, LedgerFormat, Verdict
from afas.recon.tables import TextTable
from afas.recon.textfiles import text_head
from afas.recon.xaffile import is_audit_file, read_xaf

__all__ = ["AuditFile"]


class AuditFile(LedgerFormat):
    """An audit file: XML whose root element is ``auditfile``, claimed by that content (CAMT.053 claims
    any XML only by its shape, so an audit file is read here)."""

    name = "xaf"
    label = "XAF"
    max_mb = 1024  # streamed: the parser holds a few lines at a time, the rows go to Parquet in batches
    extensions = ("xaf", "xml")

    def identify(self, data: bytes, file_name: str) -> Verdict:
        head = text_head(data)
        if head is None:
            return Verdict.decline("is no text, as an XAF audit file is")
        if is_audit_file(head.text):
            return Verdict.claim(Confidence.CONTENT)
        return Verdict.decline("has no auditfile root element, as an XAF audit file has")

    def read(
        self, data: bytes, file_name: str, *, sheet: str | int | None = None, into: Path | None = None
    ) -> TextTable:
        return read_xaf(data, file_name, into=into)
