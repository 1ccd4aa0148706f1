"""MT940 bank statements (SWIFT text of :20:, :25:, :61:, :86: tags), read by
:func:`afas.recon.mt940file.read_mt940`."""

from __future__ import annotations

import re
from pathlib import Path

from afas.recon.ledgerformat import Confidence, LedgerFormat, Verdict
from afas.recon.mt940file import read_mt940
from afas.recon.tables import TextTable
from afas.recon.textfiles import text_head

__all__ = ["Mt940Statement"]

_TAG = re.compile(r"^:(20|25|28C?|60[FM]|61|62[FM]|86):", re.MULTILINE)


class Mt940Statement(LedgerFormat):
    """An MT940 statement: two kinds of its tags at line starts, or a SWIFT header block ({1:)."""

    name = "mt940"
    label = "MT940"
    max_mb = 10  # parsed in Python, tag by tag
    statement = True
    extensions = ("sta", "mt940", "940", "swi", "txt")

    def identify(self, data: bytes, file_name: str) -> Verdict:
        head = text_head(data)
        if head is None:
            return Verdict.decline("is no text, as an MT940 statement is")
        if head.start.startswith("<"):  # markup (XML, HTML) that happens to hold such lines
            return Verdict.decline("is markup, not MT940's tagged text")
        if len({m.group(1) for m in _TAG.finditer(head.text)}) >= 2 or head.start.startswith("{1:"):
            return Verdict.claim(Confidence.CONTENT)
        return Verdict.decline("has no MT940 tags (:20:, :25:, :61:, ...) at its line starts")

    def read(
        self, data: bytes, file_name: str, *, sheet: str | int | None = None, into: Path | None = None
    ) -> TextTable:
        return TextTable.from_raw(read_mt940(data, file_name))
