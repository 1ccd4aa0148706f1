"""Read a user's ledger file (CSV, Excel, Parquet, MT940, CAMT.053) into rows of text: the registry of
formats and the dispatch between them.

Each format is one class in :mod:`afas.recon.formats` behind :class:`~afas.recon.ledgerformat.
LedgerFormat` (after beangulp's importers): it says whether a file is of its kind and reads it. This
module lists them (:data:`FORMATS`), asks every one about a file and lets the surest verdict decide
(see :func:`identify`), holds the file to its format's size limit and hands it on. The format is
recognised from the content (magic bytes, then the text itself); the file name is only a hint.

Every cell comes out as text (or None when empty) so that amounts never pass through a float on their
way to a Decimal; :mod:`afas.recon.mapping` turns the text into dates and amounts.
:func:`read_ledger_table` gives the cells column by column (a :class:`TextTable`, the shape the
import works on, fit for a million lines); :func:`read_ledger_file` gives the same as Python rows (a
:class:`RawTable`).

Bank statements (MT940, CAMT.053) come out with the fixed columns of :data:`BANK_HEADERS`, amounts as
plain text with a decimal point, dates as ISO text, and the sign already applied from the bookkeeping
point of view of the bank's ledger account, the same convention as ``ledger_lines`` (debit positive,
like AFAS's AmtDebit - AmtCredit): money coming INTO the bank account is a debit on the bank ledger
account and is positive; money going out is negative. ``account`` is the statement's own IBAN.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace
from pathlib import Path

from afas.i18n import tr
from afas.recon.banklayouts import recognise
from afas.recon.bankstatements import BANK_HEADERS
from afas.recon.formats.camt053 import Camt053Archive, Camt053Statement
from afas.recon.formats.delimited import DelimitedText
from afas.recon.formats.mt940 import Mt940Statement
from afas.recon.formats.ods import OpenDocumentSpreadsheet
from afas.recon.formats.parquet import ParquetFile
from afas.recon.formats.xaf import AuditFile
from afas.recon.formats.xls import Excel97Workbook
from afas.recon.formats.xlsx import ExcelWorkbook
from afas.recon.ledgerformat import Confidence, LedgerFormat
from afas.recon.tables import FileTooLarge, LedgerFileError, RawTable, TextTable
from afas.recon.textfiles import MAX_LINE_BYTES, binary_kind, mb
from afas.recon.workbooks import cannot_open

__all__ = [
    "BANK_HEADERS",
    "FORMATS",
    "MAX_LINE_BYTES",
    "FileTooLarge",
    "LedgerFileError",
    "RawTable",
    "TextTable",
    "UnrecognisedFile",
    "check_size",
    "detect_format",
    "format_named",
    "identify",
    "read_ledger_file",
    "read_ledger_table",
    "sheet_names",
]

FORMATS: tuple[LedgerFormat, ...] = (
    DelimitedText(),
    ExcelWorkbook(),
    Excel97Workbook(),
    OpenDocumentSpreadsheet(),
    ParquetFile(),
    Mt940Statement(),
    Camt053Statement(),
    Camt053Archive(),
    AuditFile(),
)
"""Every format the dashboard reads, in the order the user is told of them (the upload widgets' help,
a refusal's list of formats); the confidence of a verdict decides, the order only breaks ties."""

_MB = 1024 * 1024
_CONTENT = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe]")


class UnrecognisedFile(LedgerFileError):
    """No format takes the file (an image, a PDF, other binary data).

    ``reasons`` keeps each format's own reason for declining it, by format name.
    """

    def __init__(self, message: str, reasons: dict[str, str | None]) -> None:
        super().__init__(message)
        self.reasons = reasons


def format_named(name: str) -> LedgerFormat:
    """The registered format :func:`detect_format` calls ``name`` ('csv', 'xlsx', ...)."""
    for candidate in FORMATS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no ledger format is called {name!r}")


def _formats_in_words() -> str:
    """The formats' labels as a user reads them: "CSV, Excel, Parquet, MT940 or CAMT.053"."""
    labels = list(dict.fromkeys(candidate.label for candidate in FORMATS))
    if len(labels) == 1:
        return labels[0]
    return tr("{first} or {last}").format(first=", ".join(labels[:-1]), last=labels[-1])


def identify(data: bytes, file_name: str = "") -> LedgerFormat:
    """The format that reads ``data``: the surest claim among the registered formats' verdicts.

    A refusal decides only when it is surer than every claim (a claim as sure as a refusal wins); among
    equally sure verdicts the earlier format in :data:`FORMATS` decides. Raises
    :class:`LedgerFileError` for an empty file and for a refused one (with the refusing format's
    reason), :class:`UnrecognisedFile` when no format takes the file.
    """
    name = file_name or tr("The file")
    if _CONTENT.search(data) is None:
        raise LedgerFileError(
            tr("{name} is empty; export the ledger again and upload that file.").format(name=name)
        )
    claim: tuple[Confidence, LedgerFormat] | None = None
    refusal: tuple[Confidence, str] | None = None
    declined: dict[str, str | None] = {}
    for candidate in FORMATS:
        verdict = candidate.identify(data, file_name)
        if verdict.confidence is None:
            declined[candidate.name] = verdict.reason
        elif verdict.reason is None:
            if claim is None or verdict.confidence > claim[0]:
                claim = (verdict.confidence, candidate)
        elif refusal is None or verdict.confidence > refusal[0]:
            refusal = (verdict.confidence, verdict.reason)
    if refusal is not None and (claim is None or refusal[0] > claim[0]):
        raise LedgerFileError(f"{name} {refusal[1]}.")
    if claim is not None:
        return claim[1]
    what = binary_kind(data) or tr("is of no kind the dashboard reads")
    raise UnrecognisedFile(
        tr("{name} {what}, not a ledger export; upload a {formats} file.").format(
            name=name, what=what, formats=_formats_in_words()
        ),
        declined,
    )


def detect_format(data: bytes, file_name: str = "") -> str:
    """The format of ``data``: 'xlsx', 'xls', 'ods', 'parquet', 'camt053', 'mt940' or 'csv'.

    Raises :class:`LedgerFileError` for an empty file and for content that is no ledger at all
    (images, PDFs, archives that are not workbooks, web pages, other binary data).
    """
    return identify(data, file_name).name


def check_size(size: int, file_name: str, file_format: str) -> None:
    """Refuse a file larger than its format's limit, in words that say what to do instead (export in
    the format read up to the largest size, or split the export)."""
    limit = format_named(file_format)
    if size <= limit.max_mb * _MB:
        return
    ledgers = [candidate for candidate in FORMATS if not candidate.statement]
    roomiest = max(ledgers, key=lambda candidate: candidate.max_mb)
    if limit.statement:
        instead = tr("Download the statement for a shorter period (a month at a time) and upload each.")
    elif limit.label != roomiest.label:
        instead = tr("Export the ledger as {format} (up to {mb} MB), or split it into periods.").format(
            format=roomiest.label, mb=roomiest.max_mb
        )
    else:
        instead = tr("Split the export into periods (a year or a quarter at a time).")
    raise FileTooLarge(
        tr("{name} is {size}; the dashboard reads {format} files up to {mb} MB. {instead}").format(
            name=file_name, size=mb(size), format=limit.label, mb=limit.max_mb, instead=instead
        )
    )


def sheet_names(data: bytes, file_name: str = "") -> list[str]:
    """The sheet names of a workbook (.xlsx, .xls, .ods), in order; a file of a format without sheets
    is refused as a workbook that cannot be opened."""
    shown_name = file_name or tr("The workbook")
    names = identify(data, file_name).sheet_names(data, shown_name)
    if names is None:
        raise cannot_open(shown_name)
    return names


def read_ledger_table(
    data: bytes,
    file_name: str,
    sheet: str | int | None = None,
    *,
    into: Path | None = None,
    sha256: str | None = None,
) -> TextTable:
    """Read a ledger file into a :class:`TextTable`; ``sheet`` picks a workbook sheet (name or 0-based index).

    ``into`` lets a reader write the cells straight to that Parquet file (the CSV reader does; the
    others return them in memory); ``sha256`` is the file's digest when the caller has it already.
    Raises :class:`LedgerFileError` with a message for the user when the file cannot be read (a
    :class:`FileTooLarge` when it is larger than its format's limit).
    """
    found = identify(data, file_name)
    check_size(len(data), file_name, found.name)
    table = found.read(data, file_name, sheet=sheet, into=into)
    table = replace(table, file_name=file_name, sha256=sha256 or hashlib.sha256(data).hexdigest())
    found_layout = recognise(table)  # a bank's export layout, and whether the first line is a header
    if into is not None and found_layout.path not in (None, into):  # rewritten beside: put it in place
        os.replace(found_layout.path, into)
        found_layout = replace(found_layout, path=into)
    return found_layout


def read_ledger_file(data: bytes, file_name: str, sheet: str | int | None = None) -> RawTable:
    """Read a ledger file into a :class:`RawTable` (Python rows); see :func:`read_ledger_table`."""
    return read_ledger_table(data, file_name, sheet).to_raw()
