"""CAMT.053 bank statements (ISO 20022 XML), one file or a ZIP of them, read into the fixed columns of
:data:`~afas.recon.bankstatements.BANK_HEADERS`; the formats that recognise such files are in
:mod:`afas.recon.formats.camt053`.

The file is read as a stream (:class:`xml.etree.ElementTree.XMLPullParser`, expat in C): each entry
(``Ntry``) is turned into its lines as soon as it is complete and then let go, and the lines go out in
Arrow batches (to the Parquet file ``into`` when given), so memory does not grow with the file.
DTDs and entity declarations are refused before the parser sees them (bank statements never have
them; :func:`_guard` looks for their markup in every chunk, in the file's own encoding), which is
what defusedxml does too, without its parser written in Python.

What the reader decides, in short:

- dates as written: ``2017-04-01+02:00`` and ``2017-04-01T10:00:00Z`` are 2017-04-01, the local date
  of the bank, never shifted across midnight;
- a batch entry (one ``Ntry`` with several ``TxDtls``) becomes one line per transaction when their
  own amounts add up to the entry's; each line carries its own amount, counterparty and description
  and the batch's reference (``Btch/PmtInfId``, else the entry's ``AcctSvcrRef`` or ``NtryRef``).
  When they do not add up, the entry stays one line and a notice says so;
- amounts keep cents: ``8.850`` is 8.85; an amount with a third decimal that is not 0 is kept as
  written, and a notice says the import rounds it;
- per statement, the opening balance (``OPBD``, else ``PRCD``) plus its entries must be the closing
  balance (``CLBD``); a notice names each statement where it is not so;
- a file without a single entry is refused; so are camt.052 reports, camt.054 notifications and
  payment orders (pain.001/008), in words that say what the file is and what to export instead.

Each line's ``line_no`` is the line of its ``Ntry`` in the file (of its ``TxDtls`` for a split batch),
found by a scan of the bytes fed to the parser (:class:`_Feeder`). Line numbers identify an imported
line, so they only ever increase: where several entries share a line (a file written on one line) they
are counted on one by one, and the files in a ZIP are counted on from one to the next; a notice says
so. :func:`read_camt_file` reads a file on disk (an XML file or a ZIP) without loading it first.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, NamedTuple

import pyarrow as pa

from afas.i18n import Language, mark, ntr, number, ptr, tr, using
from afas.recon.bankstatements import (
    BANK_HEADERS,
    StatementBalance,
    balance_notice,
    statement_account,
    unsigned_zero,
)
from afas.recon.tables import LedgerFileError, RawTable, TextTable, column_name
from afas.recon.textfiles import decode_head, mb
from afas.recon.textfiles import shown as _shown

__all__ = [
    "MAX_ARCHIVE_MEMBERS",
    "MAX_ARCHIVE_UNPACKED",
    "CamtHead",
    "holds_camt",
    "read_camt",
    "read_camt_archive",
    "read_camt_file",
    "read_camt_table",
    "sniff_camt",
]

MAX_ARCHIVE_MEMBERS = 1000
"""The most files a ZIP of statements may hold (a statement a day is 365 a year)."""
MAX_ARCHIVE_UNPACKED = 1024 * 1024 * 1024
"""The most bytes the files in a ZIP of statements may unpack to, together (by the ZIP's own directory
and as they are read)."""

_CHUNK = 1024 * 1024
_BATCH_ROWS = 65_536
_CARRY = 128  # bytes held back at a chunk's end, so no mark is cut in two
_SHOWN_LINES = 5
_SHOWN_STATEMENTS = 10
_CENT = Decimal("0.01")
_EXPORT = mark(
    "export the account statement as CAMT.053 (in Dutch banks' portals: 'CAMT.053' / 'XML-afschrift')"
)

_SCHEMA = pa.schema(
    [("row_no", pa.int64()), ("line_no", pa.int64()), ("ragged", pa.int64())]
    + [(column_name(i), pa.string()) for i in range(len(BANK_HEADERS))]
)


# --- what a file is, from its first bytes -------------------------------------------------------------

_OTHER_MESSAGES: dict[str, str] = {
    "BkToCstmrAcctRpt": mark("a camt.052 account report (the bank's report during or between statements)"),
    "BkToCstmrDbtCdtNtfctn": mark("a camt.054 debit/credit notification"),
    "CstmrCdtTrfInitn": mark("a pain.001 payment order (payments sent to the bank)"),
    "CstmrDrctDbtInitn": mark("a pain.008 direct debit order (collections sent to the bank)"),
    "CstmrPmtStsRpt": mark("a pain.002 payment status report"),
}
_ISO_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:([a-z]{4})\.(\d{3})\.")
_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_START_TAG = re.compile(r"<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)((?:\s[^<>]*?)?)(/?)>", re.DOTALL)
_XMLNS = re.compile(r"""\sxmlns(?::([\w.-]+))?\s*=\s*["']([^"']*)["']""")


class CamtHead(NamedTuple):
    """What the first bytes of an XML file say it is (see :func:`sniff_camt`)."""

    kind: str
    """'camt053', 'refused' (an ISO 20022 message of another kind, or other XML) or 'unknown'."""
    reason: str | None = None
    """For 'refused': the words that follow the file's name ("is a camt.054 ...; export ...")."""
    other_message: bool = False
    """For 'refused': whether the file is another ISO 20022 message (camt.052, camt.054, pain.001...),
    not XML of some other kind."""


def _other_message(child: str | None, namespace: str | None) -> str | None:
    what = _OTHER_MESSAGES.get(child or "")
    if what is not None:
        what = tr(what)
    elif namespace:
        found = _ISO_NAMESPACE.match(namespace)
        if found and f"{found.group(1)}.{found.group(2)}" != "camt.053":
            what = tr("an ISO 20022 {kind} message").format(kind=f"{found.group(1)}.{found.group(2)}")
    if not what:
        return None
    return tr("is {what}, not a bank statement; {export}").format(what=what, export=tr(_EXPORT))


def _not_camt(root: str) -> str:
    return tr(
        "is XML but not a CAMT.053 bank statement (its root element is {root}, without "
        "BkToCstmrStmt); export the statement as CAMT.053"
    ).format(root=repr(_shown(root)))


def sniff_camt(text: str) -> CamtHead:
    """What the start of an XML file (as text, see :func:`afas.recon.textfiles.text_head`) is: a
    CAMT.053 statement by its elements, another ISO 20022 message or other XML (refused, with the
    words), or 'unknown' when the start does not tell (a DTD, markup cut off, no XML at all)."""
    text = text.lstrip("\ufeff")
    position = _PROLOG.match(text).end()
    if text.startswith("<!", position):  # a DOCTYPE: the reader refuses it in its own words
        return CamtHead("unknown")
    root = _START_TAG.match(text, position)
    if root is None:
        return CamtHead("unknown")
    prefix, name, attributes, empty = root.groups()
    namespace = next((uri for p, uri in _XMLNS.findall(attributes) if (p or None) == prefix), None)
    if name == "BkToCstmrStmt":
        return CamtHead("camt053")
    if name != "Document":
        other = _other_message(name, namespace)
        return CamtHead("refused", other, True) if other else CamtHead("refused", _not_camt(name))
    child = None if empty else _START_TAG.match(text, _PROLOG.match(text, root.end()).end())
    child_name = child.group(2) if child else None
    if child_name == "BkToCstmrStmt":
        return CamtHead("camt053")
    other = _other_message(child_name, namespace)
    if other:
        return CamtHead("refused", other, True)
    if child is None and not empty:
        return CamtHead("unknown")
    return CamtHead("refused", _not_camt(name))


# --- the rows, in Arrow batches ----------------------------------------------------------------------


class _Sink:
    """Lines gathered in Arrow record batches: written to a Parquet file as they fill, or kept."""

    def __init__(self, into: Path | None) -> None:
        self.into = into
        self.writer: Any = None
        self.batches: list[pa.RecordBatch] = []
        self.rows: list[tuple[str | None, ...]] = []
        self.lines: list[int] = []
        self.count = 0
        self.last_line = 0
        self.renumbered = False

    def add(self, row: tuple[str | None, ...], line: int) -> None:
        if line <= self.last_line:  # several entries on one line, or a ZIP's next file
            line = self.last_line + 1
            self.renumbered = True
        self.last_line = line
        self.rows.append(row)
        self.lines.append(line)
        if len(self.lines) >= _BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        size = len(self.lines)
        arrays = [
            pa.array(range(self.count, self.count + size), pa.int64()),
            pa.array(self.lines, pa.int64()),
            pa.nulls(size, pa.int64()),
            *(pa.array(column, pa.string()) for column in zip(*self.rows, strict=True)),
        ]
        batch = pa.RecordBatch.from_arrays(arrays, schema=_SCHEMA)
        self.count += size
        self.rows = []
        self.lines = []
        if self.into is None:
            self.batches.append(batch)
            return
        if self.writer is None:
            import pyarrow.parquet as pq

            self.writer = pq.ParquetWriter(str(self.into), _SCHEMA, compression="zstd")
        self.writer.write_batch(batch)

    def table(
        self, encoding: str | None, notices: tuple[str, ...], balances: tuple[StatementBalance, ...] = ()
    ) -> TextTable:
        self.flush()
        meta: dict[str, Any] = {"encoding": encoding, "notices": notices, "balances": balances}
        if self.into is None:
            data = pa.Table.from_batches(self.batches, _SCHEMA)
            return TextTable.from_arrow(BANK_HEADERS, data, "camt053", **meta)
        self.close()
        return TextTable(list(BANK_HEADERS), "camt053", self.count, path=Path(self.into), **meta)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def discard(self) -> None:
        """After a refusal: the Parquet file begun is closed and removed."""
        self.close()
        if self.into is not None:
            Path(self.into).unlink(missing_ok=True)


# --- what the user is told ---------------------------------------------------------------------------


def _lines_in_words(lines: list[int], total: int) -> str:
    shown = ", ".join(str(n) for n in lines[:_SHOWN_LINES])
    more = total - min(total, _SHOWN_LINES)
    if total == 1:
        return tr("line {line}").format(line=shown)
    if more:
        return tr("lines {lines} and {more} more").format(lines=shown, more=number(more))
    return tr("lines {lines}").format(lines=shown)


class _Notes:
    """What the reader found, gathered over the whole file (a ZIP: over all its files) and put in a
    few sentences at the end (:meth:`notices`)."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.unsplit: list[tuple[int, str]] = []
        self.unsplit_count = 0
        self.fractions: list[tuple[int, Decimal]] = []
        self.fraction_count = 0
        self.statements: list[str] = []
        self.statement_count = 0
        self.seen: dict[tuple[str | None, str | None], str] = {}
        self.twice: list[str] = []
        self.members: list[tuple[str, int, int]] = []
        self.balances: list[StatementBalance] = []

    def statement(self, notice: str) -> None:
        self.statement_count += 1
        if len(self.statements) < _SHOWN_STATEMENTS:
            self.statements.append(notice)

    def fraction(self, line: int, amount: Decimal) -> None:
        self.fraction_count += 1
        if len(self.fractions) < _SHOWN_LINES:
            self.fractions.append((line, amount))

    def batch(self, line: int, why: str) -> None:
        self.unsplit_count += 1
        if len(self.unsplit) < _SHOWN_LINES:
            self.unsplit.append((line, why))

    def notices(self, renumbered: bool) -> tuple[str, ...]:
        found: list[str] = []
        if self.unsplit_count == 1:
            line, why = self.unsplit[0]
            found.append(
                tr(
                    "The batch entry on line {line} holds transactions whose own amounts {why}; it is "
                    "imported as one line, as the bank booked it."
                ).format(line=line, why=why)
            )
        elif self.unsplit_count:
            lines = _lines_in_words([line for line, _ in self.unsplit], self.unsplit_count)
            found.append(
                tr(
                    "{n} batch entries ({lines}) hold transactions whose own amounts do "
                    "not add up to the entry's (or are not all given); each is imported as one line, as the "
                    "bank booked it."
                ).format(n=number(self.unsplit_count), lines=lines)
            )
        if self.fraction_count:
            amounts = "; ".join(
                tr("line {line}: {amount} becomes {rounded}").format(
                    line=line, amount=format(amount, "f"), rounded=amount.quantize(_CENT, ROUND_HALF_UP)
                )
                for line, amount in self.fractions
            )
            more = self.fraction_count - len(self.fractions)
            if more:
                amounts = tr("{list} and {more} more").format(list=amounts, more=number(more))
            found.append(
                ntr(
                    "{n} amount has more decimals than cents ({amounts}); the import rounds it to cents, so "
                    "the lines may differ from the bank's totals by a cent.",
                    "{n} amounts have more decimals than cents ({amounts}); the import rounds them to cents, "
                    "so the lines may differ from the bank's totals by a cent.",
                    self.fraction_count,
                ).format(n=number(self.fraction_count), amounts=amounts)
            )
        found += self.statements
        if self.statement_count > len(self.statements):
            found.append(
                tr(
                    "{n} more statements do not add up either; download the statements from the bank again."
                ).format(n=number(self.statement_count - len(self.statements)))
            )
        found += self.twice
        if renumbered:
            found.append(
                tr(
                    "{name} has several entries on one line, so the line numbers shown for its "
                    "lines are counted on one by one from there and do not all match the lines of the file."
                ).format(name=self.file_name)
            )
        if len(self.members) > 1:
            parts = ", ".join(
                tr("{member} from line {line}").format(member=name, line=number(first))
                for name, first, _ in self.members[:_SHOWN_LINES]
            )
            more = len(self.members) - len(self.members[:_SHOWN_LINES])
            if more:
                parts = tr("{list} and {more} more").format(list=parts, more=number(more))
            found.append(
                tr("The {n} files in {name} are numbered on as one: {files}.").format(
                    n=number(len(self.members)), name=self.file_name, files=parts
                )
            )
        return tuple(found)


# --- the file's bytes, fed to the parser -------------------------------------------------------------

_DECLARED_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']{0,60})["']""")
_MARKS = ("Ntry", "TxDtls")


def _refused_dtd(file_name: str) -> LedgerFileError:
    return LedgerFileError(
        tr(
            "{name} declares a DTD or XML entities, which bank statements never do; it was refused "
            "for safety. Download the CAMT.053 statement from the bank again."
        ).format(name=file_name)
    )


def _unreadable_encoding(file_name: str, encoding: str) -> LedgerFileError:
    return LedgerFileError(
        tr(
            "{name} says its text is in the encoding {encoding}, which cannot be read "
            "(bank statements are UTF-8); the file is damaged or not a bank statement. Download the "
            "CAMT.053 statement from the bank again."
        ).format(name=file_name, encoding=repr(_shown(encoding, 30)))
    )


def _not_well_formed(file_name: str, line: object, column: object) -> LedgerFileError:
    return LedgerFileError(
        tr(
            "{name} is not well-formed XML (line {line}, column {column}); the file is damaged or cut "
            "off. Download the CAMT.053 statement from the bank again."
        ).format(name=file_name, line=line, column=column)
    )


def _unit_codec(first: bytes, file_name: str) -> tuple[str, str]:
    """The codec the file's markup is written in, for the byte scans ('ascii' for UTF-8 and the
    single-byte encodings that write ASCII as ASCII, 'utf-16-le'/'utf-16-be'), and the file's encoding
    by its name; an encoding that does not write markup as ASCII (UTF-7, EBCDIC) or is unknown is
    refused here, before expat reads it."""
    if first.startswith((codecs.BOM_UTF16_LE, b"<\x00?\x00")) and not first.startswith(codecs.BOM_UTF32_LE):
        return "utf-16-le", "utf-16"
    if first.startswith((codecs.BOM_UTF16_BE, b"\x00<\x00?")):
        return "utf-16-be", "utf-16"
    declared = _DECLARED_ENCODING.match(first.removeprefix(codecs.BOM_UTF8)[:200])
    if not declared:
        return "ascii", "utf-8"
    name = declared.group(1).decode("ascii", "replace")
    try:
        encoding = codecs.lookup(name).name
        markup = "<!DOCTYPE<!ENTITY<Ntry<TxDtls/>\n".encode(encoding)
    except (LookupError, UnicodeError):
        raise _unreadable_encoding(file_name, name) from None
    if markup != b"<!DOCTYPE<!ENTITY<Ntry<TxDtls/>\n":
        raise _unreadable_encoding(file_name, name)
    return "ascii", encoding


def _literal(text: str, codec: str) -> bytes:
    return re.escape(text.encode(codec))


def _char_class(members: bytes, codec: str) -> bytes:
    """One character of an ASCII class (``[A-Za-z_]``) as the codec writes it."""
    if codec == "utf-16-le":
        return b"[" + members + b"]\x00"
    if codec == "utf-16-be":
        return b"\x00[" + members + b"]"
    return b"[" + members + b"]"


class _Feeder:
    """Feeds a file's bytes to the parser in pieces cut before each ``<Ntry`` tag, so that when the
    parser reports an entry's end, :attr:`entry_line` is the line of its ``<Ntry`` and
    :attr:`tx_lines` those of the ``<TxDtls`` after it; refuses DTD markup before the parser sees it.

    A mark in a comment or a CDATA section would be counted too: the reader checks that an entry has
    as many ``TxDtls`` as lines were found for them, and line numbers only ever increase (:class:`_Sink`).
    """

    def __init__(self, codec: str, feed: Callable[[memoryview | None], None], file_name: str) -> None:
        self.feed_parser = feed
        self.file_name = file_name
        self.aligned = codec != "ascii"
        self.newline = "\n".encode(codec)
        names = b"|".join(b"(" + _literal(name, codec) + b")" for name in _MARKS)
        prefix = (
            b"(?:"
            + _char_class(rb"A-Za-z_", codec)
            + b"(?:"
            + _char_class(rb"\w.\-", codec)
            + b"){0,40}"
            + _literal(":", codec)
            + b")?"
        )
        self.marks = re.compile(
            _literal("<", codec) + prefix + b"(?:" + names + b")" + _char_class(rb" \t\r\n/>", codec)
        )
        self.forbidden = ("<!DOCTYPE".encode(codec), "<!ENTITY".encode(codec))
        self.entry_line = 0  # the line of the last <Ntry fed
        self.tx_lines: list[int] = []  # the lines of the <TxDtls fed since
        self.line = 1  # the line of the first byte not yet counted
        self.lines = 0  # the file's number of lines, once it is all fed
        self.offset = 0  # of the buffer's first byte in the file
        self.carry = b""

    def push(self, chunk: bytes | memoryview, final: bool) -> None:
        buffer = self.carry + bytes(chunk)
        if any(forbidden in buffer for forbidden in self.forbidden):
            raise _refused_dtd(self.file_name)
        cut = len(buffer) if final else max(0, len(buffer) - _CARRY)
        view = memoryview(buffer)
        fed = counted = 0
        newline = self.newline
        for found in self.marks.finditer(buffer):
            start = found.start()
            if start >= cut:
                break
            if self.aligned and (self.offset + start) % 2:
                continue
            self.line += buffer.count(newline, counted, start)
            counted = start
            if found.lastindex == 1:  # <Ntry: the entry before it ends in what is fed up to here
                if start > fed:
                    self.feed_parser(view[fed:start])
                    fed = start
                self.entry_line = self.line
                self.tx_lines = []
            else:  # <TxDtls: its entry's end is parsed after this mark is counted
                self.tx_lines.append(self.line)
        if cut > fed:
            self.feed_parser(view[fed:cut])
        self.line += buffer.count(newline, counted, cut)
        self.carry = buffer[cut:]
        self.offset += cut
        if final:
            self.lines = self.line - 1 if buffer.endswith(newline) or not buffer else self.line


# --- dates, amounts, texts ---------------------------------------------------------------------------

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}")


def _text_of(element: Any) -> str | None:
    if element is None or not element.text:
        return None
    return element.text.strip() or None


class _Tags:
    """The qualified names of the elements read, for one namespace (the file's own)."""

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self.paths: dict[str, tuple[str, ...]] = {}

    def _steps(self, path: str) -> tuple[str, ...]:
        steps = self.paths[path] = tuple(self.ns + step for step in path.split("/"))
        return steps

    def at(self, element: Any, path: str) -> Any:
        for step in self.paths.get(path) or self._steps(path):
            if element is None:
                return None
            element = element.find(step)
        return element

    def text(self, element: Any, path: str) -> str | None:
        """The text at ``path`` below ``element``, stripped; None when there is none (``at`` and
        ``_text_of`` in one call: this runs some twenty times an entry)."""
        for step in self.paths.get(path) or self._steps(path):
            if element is None:
                return None
            element = element.find(step)
        if element is None or not element.text:
            return None
        return element.text.strip() or None

    def all(self, element: Any, name: str) -> list[Any]:
        return element.findall(self.ns + name) if element is not None else []


def _date(tags: _Tags, element: Any) -> str | None:
    """The date of a ``BookgDt``/``ValDt``: its ``Dt`` (an offset after it dropped) or the date part
    of its ``DtTm``, as written (the bank's local date); other text is kept for the mapping to refuse."""
    if element is None:
        return None
    written = tags.text(element, "Dt")
    if written is not None:
        found = _DATE.fullmatch(written)
        return found.group(1) if found else written
    written = tags.text(element, "DtTm")
    if written is not None:
        found = _DATE_TIME.match(written)
        return found.group(1) if found else written
    return None


def _decimal(written: str | None) -> Decimal | None:
    """The amount in a CAMT amount's text ('905.3', '8.850'); None for anything else (also 'NaN',
    'Infinity' and numbers too large for cents)."""
    try:
        amount = Decimal(written or "")
        amount.quantize(_CENT)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _amount_text(amount: Decimal) -> str:
    """An amount as plain text with cents ('905.30', '-38.00'); one with more decimals than cents
    that are not 0 as written ('8.855')."""
    cents = amount.quantize(_CENT)
    if cents == amount:
        amount = cents
    if amount == 0:
        amount = abs(amount)  # never "-0.00"
    return format(amount, "f")


@dataclass
class _Statement:
    """One ``Stmt``: its name and account, its balances, the sum of its entries."""

    number: int
    member: str | None
    statement_id: str | None = None
    account: str | None = None
    currency: str | None = None
    opening: tuple[Decimal, str | None] | None = None
    previous: tuple[Decimal, str | None] | None = None
    closing: tuple[Decimal, str | None] | None = None
    opening_date: dt.date | None = None  # the date of ``opening`` (or of ``previous`` without it)
    previous_date: dt.date | None = None
    closing_date: dt.date | None = None
    period_from: dt.date | None = None  # FrToDt/FrDtTm
    period_to: dt.date | None = None  # FrToDt/ToDtTm
    movements: Decimal = Decimal(0)
    entries: int = 0

    def label(self) -> str:
        """How the user reads the statement ("statement 00031 of NL44RABO0123456789"), in the
        session's language (the balances kept with the import name it in English, see ``_kept``)."""
        parts = [tr("statement {statement}").format(statement=self.statement_id or self.number)]
        if self.account:
            parts.append(tr("of {account}").format(account=self.account))
        if self.member:
            parts.append(tr("(in {file})").format(file=self.member))
        return " ".join(parts)


# --- one XML document ----------------------------------------------------------------------------------


class _Document:
    """One CAMT.053 XML file, read from its chunks into the sink."""

    def __init__(
        self, file_name: str, sink: _Sink, notes: _Notes, member: str | None = None, line_offset: int = 0
    ) -> None:
        self.file_name = file_name
        self.sink = sink
        self.notes = notes
        self.member = member
        self.line_offset = line_offset
        self.depth = 0
        self.statements_depth = 0  # the depth of the Stmt elements, once BkToCstmrStmt is found
        self.parent: Any = None  # BkToCstmrStmt
        self.statement: _Statement | None = None
        self.statement_element: Any = None
        self.statement_count = 0
        self.entries = 0
        self.tags: _Tags | None = None
        self.feeder: _Feeder | None = None
        self.encoding = "utf-8"

    # the parser's events: only those of the elements down to a statement's children come here

    def _events(self, queue: list[tuple[str, Any]]) -> None:
        depth = self.depth
        top = self.statements_depth + 1 if self.statements_depth else 2
        for event, element in queue:
            if event == "start":
                depth += 1
                if depth <= top:
                    self.depth = depth
                    self._start(element, depth)
                    top = self.statements_depth + 1 if self.statements_depth else 2
            else:
                if depth <= top:
                    self._end(element, depth)
                depth -= 1
        self.depth = depth
        queue.clear()

    def _start(self, element: Any, depth: int) -> None:
        tag = element.tag
        name = tag[tag.rfind("}") + 1 :]
        if depth == 1:
            if name == "BkToCstmrStmt":
                self._statements_found(element, 2)
            elif name != "Document":
                reason = _other_message(name, None) or _not_camt(name)
                raise LedgerFileError(f"{self.file_name} {reason}.")
        elif depth == 2 and not self.statements_depth:
            if name != "BkToCstmrStmt":
                namespace = tag[1 : tag.rfind("}")] if tag.startswith("{") else None
                reason = _other_message(name, namespace) or _not_camt("Document")
                raise LedgerFileError(f"{self.file_name} {reason}.")
            self._statements_found(element, 3)
        elif depth == self.statements_depth and name == "Stmt":
            self.statement_count += 1
            self.statement = _Statement(self.statement_count, self.member)
            self.statement_element = element

    def _statements_found(self, element: Any, depth: int) -> None:
        self.parent = element
        self.statements_depth = depth
        tag = element.tag
        self.tags = _Tags(tag[: tag.rfind("}") + 1])

    def _end(self, element: Any, depth: int) -> None:
        if not self.statements_depth:
            return
        if depth == self.statements_depth + 1:
            statement = self.statement
            if statement is not None:
                tag = element.tag
                name = tag[tag.rfind("}") + 1 :]
                if name == "Ntry":
                    self._entry(element)
                elif name == "Bal":
                    self._balance(element)
                elif name == "Id":
                    statement.statement_id = _text_of(element)
                elif name == "FrToDt":
                    tags = self.tags
                    assert tags is not None
                    statement.period_from = _balance_date(tags.text(element, "FrDtTm"))
                    statement.period_to = _balance_date(tags.text(element, "ToDtTm"))
                elif name == "Acct":
                    tags = self.tags
                    assert tags is not None
                    statement.account = tags.text(element, "Id/IBAN") or tags.text(element, "Id/Othr/Id")
                    statement.currency = tags.text(element, "Ccy")
                self.statement_element.remove(element)  # its subtree let go
        elif depth == self.statements_depth:
            if self.statement is not None and element is self.statement_element:
                self._statement_done(self.statement)
                self.statement = None
                self.statement_element = None
            self.parent.remove(element)

    # reading

    def read(self, chunks: Iterable[bytes | memoryview]) -> int:
        """Read the document; the number of lines of the file read."""
        from xml.etree.ElementTree import ParseError, TreeBuilder, XMLParser

        queue: list[tuple[str, Any]] = []
        parser = XMLParser(target=TreeBuilder())
        parser._setevents(queue, ("start", "end"))  # what XMLPullParser does, without its generator
        source = iter(chunks)
        first = next(source, b"")
        head = bytes(first[:512])  # a copy: nothing kept here holds on to the file's bytes
        codec, self.encoding = _unit_codec(head, self.file_name)

        def feed(piece: memoryview | None) -> None:
            try:
                parser.feed(piece) if piece is not None else parser.close()
            except (LookupError, ValueError):  # the declared encoding, as expat meets it
                declared = _DECLARED_ENCODING.match(head.removeprefix(codecs.BOM_UTF8)[:200])
                encoding = declared.group(1).decode("ascii", "replace") if declared else "?"
                raise _unreadable_encoding(self.file_name, encoding) from None
            finally:
                if queue:
                    self._events(queue)

        feeder = self.feeder = _Feeder(codec, feed, self.file_name)
        try:
            pending = first
            del first
            for chunk in source:
                feeder.push(pending, False)
                pending = chunk
            feeder.push(pending, True)
            del pending
            feed(None)
        except ParseError as exc:
            line, column = getattr(exc, "position", ("?", "?"))
            raise _not_well_formed(self.file_name, line, column) from None
        finally:
            self.feeder = None  # no cycle (document, feeder, parser) outlives the reading
        if not self.statements_depth:
            raise LedgerFileError(f"{self.file_name} {_not_camt('Document')}.")
        return feeder.lines

    # one statement's parts

    def _balance(self, element: Any) -> None:
        tags = self.tags
        assert tags is not None and self.statement is not None
        code = tags.text(element, "Tp/CdOrPrtry/Cd") or tags.text(element, "Tp/CdOrPrtry/Prtry")
        if code not in ("OPBD", "PRCD", "CLBD"):
            return
        amount_element = tags.at(element, "Amt")
        amount = _decimal(_text_of(amount_element))
        if amount is None:
            return
        if tags.text(element, "CdtDbtInd") == "DBIT":
            amount = -amount
        value = (amount, amount_element.get("Ccy"))
        day = _balance_date(tags.text(element, "Dt/Dt") or tags.text(element, "Dt/DtTm"))
        if code == "OPBD" and self.statement.opening is None:
            self.statement.opening = value
            self.statement.opening_date = day
        elif code == "PRCD" and self.statement.previous is None:
            self.statement.previous = value
            self.statement.previous_date = day
        elif code == "CLBD" and self.statement.closing is None:
            self.statement.closing = value
            self.statement.closing_date = day

    def _statement_done(self, statement: _Statement) -> None:
        key = (statement.account, statement.statement_id)
        if statement.statement_id is not None:
            where = statement.member or self.file_name
            if key in self.notes.seen and statement.entries:
                self.notes.twice.append(
                    tr(
                        "{statement} appears more than once (also in {file}); its "
                        "lines are imported each time. Remove the copy, or import the files one by one."
                    ).format(statement=statement.label(), file=self.notes.seen[key])
                )
            self.notes.seen.setdefault(key, where)
        opening = statement.opening or statement.previous
        closing = statement.closing
        kept = self._kept(statement)
        if kept is not None:
            self.notes.balances.append(kept)
        if opening is None or closing is None:
            return
        if opening[1] and closing[1] and opening[1] != closing[1]:
            self.notes.statement(
                tr(
                    "{statement}: its opening balance is in {opening} and its closing balance in "
                    "{closing}, so its lines cannot be checked against them."
                ).format(statement=statement.label(), opening=opening[1], closing=closing[1])
            )
            return
        notice = balance_notice(statement.label(), opening[0], statement.movements, closing[0])
        if notice is not None:
            self.notes.statement(notice)

    def _kept(self, statement: _Statement) -> StatementBalance | None:
        """The statement's balances as kept for the close (None without a closing balance, its date
        or an account): signed as the lines are (CRDT positive), the opening balance only when it is
        in the closing balance's currency."""
        closing = statement.closing
        date_to = statement.closing_date or statement.period_to
        if closing is None or date_to is None or not statement.account:
            return None
        if statement.opening is not None:
            opening, opening_date = statement.opening, statement.opening_date
        else:
            opening, opening_date = statement.previous, statement.previous_date
        currency = closing[1] or statement.currency
        opening_amount = None
        if opening is not None and (opening[1] or statement.currency) == currency:
            opening_amount = unsigned_zero(opening[0])
        with using(Language.EN):  # kept with the import, read in any language later
            label = statement.label()
        return StatementBalance(
            statement_account(statement.account),
            label,
            statement.period_from or opening_date,
            date_to,
            opening_amount,
            unsigned_zero(closing[0]),
            currency,
        )

    def _amount(self, element: Any, line: int, what: str) -> Decimal:
        written = _text_of(element)
        amount = _decimal(written)
        if amount is None:
            raise LedgerFileError(
                tr(
                    "{name}: the {what} on line {line} has the amount {amount}, "
                    "which is not a number; the statement is damaged. Download it from the bank again."
                ).format(name=self.file_name, what=what, line=line, amount=repr(_shown(written or "")))
            )
        if amount != amount.quantize(_CENT):
            self.notes.fraction(line, amount)
        return amount

    def _entry(self, entry: Any) -> None:
        tags = self.tags
        statement = self.statement
        assert tags is not None and statement is not None
        feeder = self.feeder
        assert feeder is not None
        line = feeder.entry_line + self.line_offset
        # the entry's own elements, in one pass over its children
        amount_element = booked_element = value_element = None
        indicator = entry_text = service_reference = entry_reference = None
        details: list[Any] = []
        skip = len(tags.ns)
        for child in entry:
            name = child.tag[skip:]
            if name == "Amt":
                amount_element = child
            elif name == "CdtDbtInd":
                indicator = _text_of(child)
            elif name == "BookgDt":
                booked_element = child
            elif name == "ValDt":
                value_element = child
            elif name == "NtryDtls":
                details.append(child)
            elif name == "AddtlNtryInf":
                entry_text = _text_of(child)
            elif name == "AcctSvcrRef":
                service_reference = _text_of(child)
            elif name == "NtryRef":
                entry_reference = _text_of(child)
        if _text_of(amount_element) is None or indicator not in ("CRDT", "DBIT"):
            raise LedgerFileError(
                tr(
                    "{name}: the entry (Ntry) on line {line} lacks its amount or its credit/debit "
                    "indicator; the statement is incomplete. Download it from the bank again."
                ).format(name=self.file_name, line=line)
            )
        amount = self._amount(amount_element, line, ptr("CAMT.053", "entry"))
        # CRDT: money into the account, a debit on the bank ledger account: positive.
        signed = amount if indicator == "CRDT" else -amount
        statement.movements += signed
        statement.entries += 1
        self.entries += 1
        currency = amount_element.get("Ccy") or statement.currency  # type: ignore[union-attr]
        booked = _date(tags, booked_element)
        value = _date(tags, value_element)
        account = statement.account
        txs = [tx for part in details for tx in tags.all(part, "TxDtls")]
        if len(txs) > 1:
            parts = self._split(txs, signed, currency, indicator, line)
            if parts is not None:
                reference = (
                    next((r for d in details for r in [tags.text(d, "Btch/PmtInfId")] if r), None)
                    or service_reference
                    or entry_reference
                )
                # each transaction's own line, when the marks found are the transactions parsed
                tx_lines = feeder.tx_lines if len(feeder.tx_lines) == len(parts) else []
                for i, (tx, tx_signed, tx_currency, tx_indicator) in enumerate(parts):
                    name, iban = _party(tags, tx, tx_indicator)
                    texts = _remittance(tags, tx)
                    description = " ".join(texts) or tags.text(tx, "AddtlTxInf") or entry_text
                    tx_line = tx_lines[i] + self.line_offset if i < len(tx_lines) else line
                    self.sink.add(
                        (
                            booked,
                            value,
                            _amount_text(tx_signed),
                            tx_currency,
                            description,
                            name,
                            iban,
                            reference,
                            account,
                        ),
                        tx_line,
                    )
                return
        names: list[str] = []
        ibans: list[str] = []
        texts: list[str] = []
        references: list[str] = []
        for tx in txs:
            name, iban = _party(tags, tx, indicator)
            names += [name] if name else []
            ibans += [iban] if iban else []
            texts += _remittance(tags, tx)
            e2e = tags.text(tx, "Refs/EndToEndId")
            references += [e2e] if e2e and e2e != "NOTPROVIDED" else []
        description = " ".join(texts) or entry_text
        if description is None and len(txs) == 1:
            description = tags.text(txs[0], "AddtlTxInf")
        reference = references[0] if len(references) == 1 else service_reference or entry_reference
        self.sink.add(
            (
                booked,
                value,
                _amount_text(signed),
                currency,
                description,
                names[0] if len(set(names)) == 1 else None,
                ibans[0] if len(set(ibans)) == 1 else None,
                reference,
                account,
            ),
            line,
        )

    def _split(
        self, txs: list[Any], signed: Decimal, currency: str | None, indicator: str, line: int
    ) -> list[tuple[Any, Decimal, str | None, str]] | None:
        """The batch's transactions with their signed amounts when those add up to the entry's;
        None (and a note) when they do not, or when some lack an amount."""
        tags = self.tags
        assert tags is not None
        parts: list[tuple[Any, Decimal, str | None, str]] = []
        for tx in txs:
            element = tags.at(tx, "AmtDtls/TxAmt/Amt")
            if _text_of(element) is None:
                element = tags.at(tx, "Amt")
            if _text_of(element) is None:
                self.notes.batch(line, tr("are not all given"))
                return None
            tx_currency = element.get("Ccy") or currency
            if currency and tx_currency != currency:
                self.notes.batch(
                    line,
                    tr("are in {currency}, not in the entry's {entry}").format(
                        currency=tx_currency, entry=currency
                    ),
                )
                return None
            tx_indicator = tags.text(tx, "CdtDbtInd") or indicator
            if tx_indicator not in ("CRDT", "DBIT"):
                tx_indicator = indicator
            amount = _decimal(_text_of(element))
            if amount is None:
                self.notes.batch(line, tr("are not all given"))
                return None
            parts.append((tx, amount if tx_indicator == "CRDT" else -amount, tx_currency, tx_indicator))
        total = sum((part[1] for part in parts), Decimal(0))
        if total != signed:
            self.notes.batch(
                line,
                tr("add up to {total}, not to the entry's {entry}").format(
                    total=_amount_text(total), entry=_amount_text(signed)
                ),
            )
            return None
        for _tx, amount, _currency, _indicator in parts:
            if amount != amount.quantize(_CENT):
                self.notes.fraction(line, amount)
        return parts


_PARTY_PATHS = {
    indicator: (f"{party}/Nm", f"{party}/Pty/Nm", f"{party}Acct/Id/IBAN")
    for indicator, party in (("CRDT", "Dbtr"), ("DBIT", "Cdtr"))
}


def _party(tags: _Tags, tx: Any, indicator: str) -> tuple[str | None, str | None]:
    """The counterparty of a transaction: the debtor of money in, the creditor of money out."""
    parties = tags.at(tx, "RltdPties")
    if parties is None:
        return None, None
    name, name_v8, iban = _PARTY_PATHS[indicator]
    return tags.text(parties, name) or tags.text(parties, name_v8), tags.text(parties, iban)


def _remittance(tags: _Tags, tx: Any) -> list[str]:
    """A transaction's remittance texts: the unstructured lines, then the structured references that
    are not in them already."""
    remittance = tags.at(tx, "RmtInf")
    if remittance is None:
        return []
    texts = [t for t in (_text_of(u) for u in tags.all(remittance, "Ustrd")) if t]
    joined = " ".join(texts)
    for structured in tags.all(remittance, "Strd"):
        reference = tags.text(structured, "CdtrRefInf/Ref")
        if reference and reference not in joined:
            texts.append(reference)
    return texts


# --- the entry points ----------------------------------------------------------------------------------


def _chunks(data: bytes | memoryview) -> Iterator[memoryview]:
    view = memoryview(data)
    if not len(view):
        yield view
    for start in range(0, len(view), _CHUNK):
        yield view[start : start + _CHUNK]


def _stream_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    first = True
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            if first:
                yield b""
            return
        first = False
        yield chunk


def _balance_date(text: str | None) -> dt.date | None:
    """A balance's date (``Dt/Dt``, a date that may carry an offset, or ``Dt/DtTm``); None if unreadable."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _no_entries(file_name: str) -> LedgerFileError:
    return LedgerFileError(
        tr(
            "{name} is a CAMT.053 statement without entries (Ntry); there is nothing to import. "
            "Export a statement for a period with transactions."
        ).format(name=file_name)
    )


def _read_documents(
    file_name: str,
    documents: Iterable[tuple[str | None, Iterable[bytes | memoryview]]],
    into: Path | None,
) -> TextTable:
    sink = _Sink(into)
    notes = _Notes(file_name)
    entries = 0
    encodings: list[str] = []
    try:
        offset = 0
        for member, chunks in documents:
            label = tr("{member} in {file}").format(member=member, file=file_name) if member else file_name
            first_line = max(offset, sink.last_line) + 1
            document = _Document(label, sink, notes, member, max(offset, sink.last_line))
            lines = document.read(chunks)
            entries += document.entries
            encodings.append(document.encoding)
            if member is not None:
                notes.members.append((member, first_line, lines))
            offset = max(offset + lines, sink.last_line)
        if not entries:
            raise _no_entries(file_name)
        encoding = encodings[0] if len(set(encodings)) == 1 else None
        return sink.table(encoding, notes.notices(sink.renumbered), tuple(notes.balances))
    except BaseException:
        sink.discard()
        raise


def read_camt_table(data: bytes | memoryview, file_name: str, *, into: Path | None = None) -> TextTable:
    """Read a CAMT.053 file into a :class:`TextTable` (to the Parquet file ``into`` when given).

    Raises :class:`LedgerFileError` in words for a file that is no CAMT.053 statement, is damaged,
    or holds no entry at all.
    """
    return _read_documents(file_name, [(None, _chunks(data))], into)


def read_camt(data: bytes, file_name: str) -> RawTable:
    """Read a CAMT.053 file into a :class:`RawTable` (Python rows: for small files and tests)."""
    return read_camt_table(data, file_name).to_raw()


# --- a ZIP of statements -------------------------------------------------------------------------------

_SKIPPED = re.compile(r"(?:^|/)(?:__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)


def _members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [i for i in archive.infolist() if not i.is_dir() and not _SKIPPED.search(i.filename)]


def _peek(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 64 * 1024) -> bytes | None:
    try:
        with archive.open(info) as part:
            return part.read(size)  # never the whole part: it may unpack to gigabytes
    except Exception:  # encrypted, an unknown compression, damage: zipfile raises many kinds
        return None


def _member_head(data: bytes | None) -> CamtHead:
    from afas.recon.textfiles import binary_kind

    if data is None or binary_kind(data) is not None:
        return CamtHead("refused", None)
    text = decode_head(data).lstrip("\ufeff \t\r\n")
    if not text.startswith("<"):
        return CamtHead("refused", None)
    return sniff_camt(text)


def holds_camt(data: bytes) -> bool:
    """Whether a ZIP archive holds CAMT files (a statement, a camt.052 or .054 among them, read from
    the first bytes of at most 20 of its files): the archive format claims those and refuses the rest
    of such an archive's files in words when it reads it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in _members(archive)[:20]:
                head = _member_head(_peek(archive, info, 4096))
                if head.kind == "camt053" or head.other_message:
                    return True
    except Exception:  # not a ZIP archive zipfile can open: another format says what it is
        return False
    return False


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) is not None or ".." in parts


class _Counted:
    """A member's stream, held to the bytes the archive's directory says it unpacks to and to what is
    left of the archive's budget."""

    def __init__(self, part: IO[bytes], declared: int, budget: list[int], refuse: Callable[[], Exception]):
        self.part = part
        self.left = declared
        self.budget = budget
        self.refuse = refuse

    def read(self, size: int = -1) -> bytes:
        chunk = self.part.read(size)
        self.left -= len(chunk)
        self.budget[0] -= len(chunk)
        if self.left < 0 or self.budget[0] < 0:
            raise self.refuse()
        return chunk


def read_camt_archive(source: bytes | IO[bytes], file_name: str, *, into: Path | None = None) -> TextTable:
    """Read a ZIP of CAMT.053 files as one import of all their statements, file after file in the
    archive's order; refused in words when the archive is no safe one (more than
    :data:`MAX_ARCHIVE_MEMBERS` files, more than :data:`MAX_ARCHIVE_UNPACKED` unpacked, paths that
    climb out of it, passwords) or one of its files is no CAMT.053 statement (named)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
        members = _members(archive)
    except Exception:  # zipfile raises many kinds (BadZipFile, NotImplementedError, ValueError...)
        raise LedgerFileError(
            tr("{name} is a damaged ZIP archive; download the statements from the bank again.").format(
                name=file_name
            )
        ) from None
    with archive:
        _check_archive(archive, members, file_name)
        budget = [MAX_ARCHIVE_UNPACKED]

        def too_big() -> LedgerFileError:
            return LedgerFileError(
                tr(
                    "{name} is refused: its files unpack to more than its directory says, or to more than "
                    "{limit}; it is damaged or built to overload the dashboard. Download "
                    "the statements from the bank again."
                ).format(name=file_name, limit=mb(MAX_ARCHIVE_UNPACKED))
            )

        def documents() -> Iterator[tuple[str, Iterable[bytes]]]:
            for info in members:
                with archive.open(info) as part:
                    yield info.filename, _stream_chunks(_Counted(part, info.file_size, budget, too_big))

        try:
            return _read_documents(file_name, documents(), into)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, zlib.error):
            raise LedgerFileError(
                tr(
                    "{name} is a damaged ZIP archive (a file in it cannot be unpacked); download the "
                    "statements from the bank again."
                ).format(name=file_name)
            ) from None


def _check_archive(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], file_name: str) -> None:
    if not members:
        raise LedgerFileError(
            tr("{name} is an empty ZIP archive; there is nothing to import.").format(name=file_name)
        )
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise LedgerFileError(
            tr(
                "{name} holds {n} files; the dashboard reads up to {limit} "
                "statements from one ZIP archive. Split it, or export a longer period per statement."
            ).format(name=file_name, n=number(len(members)), limit=number(MAX_ARCHIVE_MEMBERS))
        )
    total = sum(info.file_size for info in members)
    if total > MAX_ARCHIVE_UNPACKED:
        raise LedgerFileError(
            tr(
                "{name} is refused: unpacked its files hold {size}, more than the "
                "{limit} the dashboard reads from one ZIP archive. Split it into smaller "
                "archives."
            ).format(name=file_name, size=mb(total), limit=mb(MAX_ARCHIVE_UNPACKED))
        )
    for info in members:
        shown = _shown(info.filename)
        if _unsafe_name(info.filename):
            raise LedgerFileError(
                tr(
                    "{name} is refused: it holds a file whose path leads out of the archive ({file}). "
                    "Zip the statements again, without folders."
                ).format(name=file_name, file=repr(shown))
            )
        if info.flag_bits & 0x1:
            raise LedgerFileError(
                tr(
                    "{name} is protected by a password ({file}); unzip it and upload the statements, "
                    "or zip them again without a password."
                ).format(name=file_name, file=shown)
            )
        data = _peek(archive, info)
        if data is None:
            raise LedgerFileError(
                tr(
                    "{name}: its file {file} cannot be unpacked (damaged, or packed in a way the "
                    "dashboard does not read); unzip the archive and upload the statements one by one."
                ).format(name=file_name, file=shown)
            )
        head = _member_head(data)
        if head.kind == "refused":
            if data.startswith(b"PK\x03\x04"):
                what = tr("is another ZIP archive inside it; unzip that one and upload the statements")
            elif head.other_message and head.reason:
                what = head.reason
            else:
                what = tr(
                    "is not a CAMT.053 statement; upload a ZIP archive that holds CAMT.053 statements only, "
                    "or the statements one by one"
                )
            raise LedgerFileError(
                tr("{name} holds {file}, which {what}.").format(name=file_name, file=shown, what=what)
            )


def read_camt_file(path: str | Path, *, into: Path | None = None) -> TextTable:
    """Read a CAMT.053 file or a ZIP of them from disk, streamed (the file is never read whole): what a
    benchmark calls to see the reader's own time and memory."""
    path = Path(path)
    with open(path, "rb") as stream:
        if stream.read(4) == b"PK\x03\x04":
            stream.seek(0)
            return read_camt_archive(stream, path.name, into=into)
        stream.seek(0)
        return _read_documents(path.name, [(None, _stream_chunks(stream))], into)
