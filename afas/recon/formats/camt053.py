"""CAMT.053 bank statements (ISO 20022 XML), read by :func:`afas.recon.camtfile.read_camt`."""

from __future__ import annotations

from pathlib import Path

from afas.recon.camtfile import read_camt
from afas.recon.ledgerformat import Confidence, LedgerFormat, Verdict
from afas.recon.tables import TextTable
from afas.recon.textfiles import text_head

__all__ = ["Camt053Statement"]


class Camt053Statement(LedgerFormat):
    """A CAMT.053 statement, claimed by its shape (XML): any other XML is read far enough to be refused
    in words ("is XML but not a CAMT.053 bank statement")."""

    name = "camt053"
    label = "CAMT.053"
    max_mb = 20  # the whole XML tree is built in Python
    extensions = ("xml",)

    def identify(self, data: bytes, file_name: str) -> Verdict:
        head = text_head(data)
        if head is None:
            return Verdict.decline("is no text, as XML is")
        if head.start.startswith("<"):
            return Verdict.claim(Confidence.SHAPE)
        return Verdict.decline("does not start with '<', as XML does")

    def read(
        self, data: bytes, file_name: str, *, sheet: str | int | None = None, into: Path | None = None
    ) -> TextTable:
        return TextTable.from_raw(read_camt(data, file_name))
