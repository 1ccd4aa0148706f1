"""CAMT.053 bank statements (ISO 20022 XML), one file or a ZIP of them, read by
:mod:`afas.recon.camtfile`."""

from __future__ import annotations

from pathlib import Path

from afas.recon.camtfile import holds_camt, read_camt_archive, read_camt_table, sniff_camt
from afas.recon.ledgerformat import Confidence, LedgerFormat, Verdict
from afas.recon.tables import TextTable
from afas.recon.textfiles import text_head
from afas.recon.workbooks import zip_kind

__all__ = ["Camt053Archive", "Camt053Statement"]

_MAX_MB = 512
"""The reader streams: beside the upload's own bytes it takes about 250 MB however long the file (a
million entries, some 450 MB, are read in 30 to 90 seconds), so 512 MB keeps a statement's reading
under 1 GB. A ZIP is held to this as packed, and to :data:`afas.recon.camtfile.MAX_ARCHIVE_UNPACKED`
as unpacked."""


class Camt053Statement(LedgerFormat):
    """A CAMT.053 statement, claimed by its elements (BkToCstmrStmt); another ISO 20022 message (a
    camt.052 report, a camt.054 notification, a payment order) is refused by its elements, saying what
    it is and what to export instead. Any other XML is claimed by its shape only, so a format that knows
    it by its content (XAF) takes it, and otherwise read far enough to be refused in words ("is XML but
    not a CAMT.053 bank statement", a DTD, damage)."""

    name = "camt053"
    label = "CAMT.053"
    max_mb = _MAX_MB
    statement = True
    extensions = ("xml",)

    def identify(self, data: bytes, file_name: str) -> Verdict:
        head = text_head(data)
        if head is None:
            return Verdict.decline("is no text, as XML is")
        if not head.start.startswith("<"):
            return Verdict.decline("does not start with '<', as XML does")
        found = sniff_camt(head.start)
        if found.kind == "camt053":
            return Verdict.claim(Confidence.CONTENT)
        if found.kind == "refused" and found.other_message:
            return Verdict.refuse(Confidence.CONTENT, found.reason or "")
        return Verdict.claim(Confidence.SHAPE)  # read far enough to be refused in words

    def read(
        self, data: bytes, file_name: str, *, sheet: str | int | None = None, into: Path | None = None
    ) -> TextTable:
        return read_camt_table(data, file_name, into=into)


class Camt053Archive(LedgerFormat):
    """A ZIP archive of CAMT.053 statements (how several banks deliver a period's statements), read as
    one import of all of them. Claimed by its signature when its files are CAMT (a look at the first
    bytes of each); a file in it that is no CAMT.053 statement is refused by name when it is read.
    Any other ZIP is declined, so the workbook formats keep their own refusal for it."""

    name = "camt053zip"
    label = "CAMT.053"
    max_mb = _MAX_MB
    statement = True
    extensions = ("zip",)

    def identify(self, data: bytes, file_name: str) -> Verdict:
        if not data.startswith(b"PK\x03\x04"):
            return Verdict.decline("is no ZIP archive, as a ZIP of CAMT.053 statements is")
        if zip_kind(data) is not None:
            return Verdict.decline("is a workbook, not a ZIP of CAMT.053 statements")
        if holds_camt(data):
            return Verdict.claim(Confidence.SIGNATURE)
        return Verdict.decline("holds no CAMT.053 statement")

    def read(
        self, data: bytes, file_name: str, *, sheet: str | int | None = None, into: Path | None = None
    ) -> TextTable:
        return read_camt_archive(data, file_name, into=into)
