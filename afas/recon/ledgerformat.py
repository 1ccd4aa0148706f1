"""The interface every ledger file format implements, after beangulp's ``Importer``.

A format is one small class in :mod:`afas.recon.formats`: :meth:`LedgerFormat.identify` looks at the
file's bytes (the name is a hint at most) and answers a :class:`Verdict`; :meth:`LedgerFormat.read`
reads the file into the one raw-table shape, a :class:`~afas.recon.tables.TextTable`. The registry
and the dispatch are in :mod:`afas.recon.readers`: every registered format is asked, and the surest
verdict decides (ties: the earlier format in the registry).

A verdict is one of three:

- ``Verdict.claim(confidence)``: the format reads the file;
- ``Verdict.refuse(confidence, reason)``: the file is of the format's kind (as sure as
  ``confidence``) but cannot be read; unless another format claims it at least as surely, the file is
  refused with the reason (a ZIP archive that holds no workbook, a web page saved as .xls);
- ``Verdict.decline(reason)``: the file is not of the format's kind; the reason stays on the
  :class:`~afas.recon.readers.UnrecognisedFile` refusal when no format takes the file.

Adding a format is one class here and one line in ``afas.recon.readers.FORMATS``; its label and size
limit reach the upload widgets through :mod:`afas.recon.limits`. A format module imports the shared
primitives (:mod:`~afas.recon.tables`, :mod:`~afas.recon.textfiles`, the reading engines
:mod:`~afas.recon.csvfile`, :mod:`~afas.recon.workbooks`, :mod:`~afas.recon.bankstatements`) and this
module, never another format module nor the registry (tests/recon/test_formats.py checks it).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import ClassVar

from afas.recon.tables import TextTable

__all__ = ["Confidence", "LedgerFormat", "Verdict"]


class Confidence(IntEnum):
    """How sure a format is that a file is of its kind; the surest verdict decides."""

    FALLBACK = 10
    """Any text: delimited text is what a file is when it is nothing else."""
    SHAPE = 20
    """The general shape the format shares with others (XML: CAMT.053, and XAF once it is read)."""
    CONTENT = 30
    """The format's own marks in the text: MT940 tags, a CAMT root element, a bank's header line."""
    SIGNATURE = 40
    """The file's magic bytes or its container's table of contents say so (PAR1, xl/workbook.xml)."""


@dataclass(frozen=True)
class Verdict:
    """A format's answer to "is this file yours?" (see the module docstring).

    ``reason`` is written to follow the file's name in a sentence ("is a ZIP archive but not a
    workbook; unzip it and ..."): what is wrong, and for a refusal also what to do.
    """

    confidence: Confidence | None
    reason: str | None = None

    @classmethod
    def claim(cls, confidence: Confidence) -> Verdict:
        return cls(confidence)

    @classmethod
    def refuse(cls, confidence: Confidence, reason: str) -> Verdict:
        return cls(confidence, reason)

    @classmethod
    def decline(cls, reason: str) -> Verdict:
        return cls(None, reason)

    @property
    def claims(self) -> bool:
        return self.confidence is not None and self.reason is None

    @property
    def refuses(self) -> bool:
        return self.confidence is not None and self.reason is not None


class LedgerFormat(ABC):
    """One ledger file format: whether a file is of it, and how to read it into a TextTable."""

    name: ClassVar[str]
    """What :func:`afas.recon.readers.detect_format` answers: 'csv', 'xlsx', 'mt940', ..."""
    label: ClassVar[str]
    """What the user calls the format ("CSV", "Excel", "CAMT.053"); formats may share one."""
    max_mb: ClassVar[int]
    """The largest file read in this format, after what the reader costs (see afas.recon.limits)."""
    statement: ClassVar[bool] = False
    """Whether the format is a bank statement (MT940, CAMT.053): one too large is downloaded for a
    shorter period, not exported in another format."""
    extensions: ClassVar[tuple[str, ...]] = ()
    """The file name endings the upload widget offers for this format (lower case, no dot); the
    content decides the format, so a file with another ending is read all the same."""

    @abstractmethod
    def identify(self, data: bytes, file_name: str) -> Verdict:
        """Whether ``data`` is of this format; cheap (the first bytes, a ZIP's table of contents)."""

    @abstractmethod
    def read(
        self, data: bytes, file_name: str, *, sheet: str | int | None = None, into: Path | None = None
    ) -> TextTable:
        """Read the file; LedgerFileError says what is wrong with it, in words for the user.

        ``sheet`` picks a workbook's sheet (name or 0-based index) and ``into`` is a Parquet file
        the reader may write the cells to (a table read from it is returned); a format ignores the
        options it has no use for.
        """

    def sheet_names(self, data: bytes, file_name: str) -> list[str] | None:
        """The sheets of a file of this format, in order; None for a format without sheets."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
