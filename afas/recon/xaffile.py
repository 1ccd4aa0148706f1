"""XAF audit files (XML Auditfile Financieel 3.0, 3.1 and 3.2, the audit file every Dutch bookkeeping
package exports) read into ledger lines: one row per transaction line (``trLine``) and one per opening
balance line (``obLine``), in the columns of :data:`XAF_HEADERS`. The format that recognises such
files is :mod:`afas.recon.formats.xaf`.

The file is streamed, never held as a tree: lxml's ``iterparse`` hands over one record element at a
time (a ledger account, a relation, a transaction line, ...), which is read and then dropped with the
elements before it, so a file of a gigabyte takes the memory of a few of its lines. With ``into`` the
rows go to that Parquet file in batches of Arrow columns (as the CSV reader writes its rows) and the
table returned reads from it. The parser resolves no entities, fetches nothing from the network and
loads no DTD; a file that declares a DTD at all (its internal subset may declare entities) is refused.

Columns. The names are the Dutch headers :func:`afas.recon.mapping.suggest_mapping` knows, so the
suggested mapping takes an audit file as it is: Boekdatum (the transaction's ``trDt``, else the
line's ``effDate``), Grootboekrekening (``accID``), Omschrijving (the line's ``desc``, else the
transaction's), Debet and Credit (``amnt`` on the side ``amntTp`` D or C names, so the amount is
debit - credit: debit positive, credit negative, as in ``ledger_lines``), Boekstuknummer (the
transaction's ``nr``), Factuurnummer (``invRef``), Relatie (``custSupID``), Kostenplaats (``costID``)
and Valuta (the header's ``curCode``: every amount of the file is in it). Beside them, for the user's
eye and for a mapping made by hand: Dagboek and Dagboeknaam (``jrnID``, ``desc``), Regelnummer (the
line's ``nr``), Periode (``periodNumber``), Rekeningnaam and Relatienaam (from the file's general
ledger and relations), Documentreferentie (``docRef``), Project (``projID``), BTW-code (the first
``vat/vatID``) and Effectieve datum (``effDate``). Amounts are passed on as the file writes them
(a decimal point, no thousands), read as Decimal: never a float. ``line_no`` is the line of the file
on which the ``trLine`` or ``obLine`` starts; a file that puts several on one line (written without
line breaks) has its rows numbered 1, 2, 3, ... instead, and a notice says so.

Opening balances. Every ``obLine`` is a row of its own, dated the opening balance's ``opBalDate``
(else the header's ``startDate``), in period 0 of the journal "Beginbalans", with the description
"Beginbalans <fiscal year>" and no voucher number. So they are ledger lines like the others: in the
comparison of balances per account and period they count in the first month of the year, and line
by line they pair with AFAS's own opening entry. Both are how AFAS holds an opening balance: its
balances per period (Profit_Period_balance) are the movements of each period, and Profit keeps the
opening balance of its first year (the one taken over from the previous package) as an entry of
journal lines on the first day of that year, whose lines then match these by amount and date.
Profit's period 0 (its opening balance of later years) counts with period 1 in that comparison
(:func:`afas.recon.compare.compare_balances`), since a ledger's periods are calendar months. In a
later year, where Profit carries the balance forward without entries, the opening lines have no AFAS
line to pair with; the balances per account and period are the comparison for them.

What the user must read before importing comes as the table's ``notices``, and the import proceeds:
transactions whose debit and credit lines do not balance; the file's own totals (``linesCount``,
``totalDebit``, ``totalCredit`` of its transactions and of its opening balance) when they disagree
with its lines; transactions booked in a period whose dates do not hold their date (those lines count
in the month of their date); lines without a readable amount or D/C marker (the import lists them);
an opening balance that does not balance, or none at all. A file that cannot be read is refused in
words (:class:`~afas.recon.tables.LedgerFileError`): XML that is not well-formed (cut off, damaged:
with its line and column), a DTD, another root element than ``auditfile``, an XAF 2 (CLAIR) file,
a file without transactions and without an opening balance.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from afas.i18n import mark, ntr, number, tr
from afas.recon.tables import LedgerFileError, TextTable
from afas.recon.textfiles import shown

__all__ = [
    "BATCH_ROWS",
    "NAMESPACES",
    "OPENING_JOURNAL",
    "XAF_HEADERS",
    "is_audit_file",
    "read_xaf",
    "read_xaf_path",
]

XAF_HEADERS: tuple[str, ...] = (
    "Dagboek",
    "Dagboeknaam",
    "Boekstuknummer",
    "Regelnummer",
    "Boekdatum",
    "Periode",
    "Grootboekrekening",
    "Rekeningnaam",
    "Omschrijving",
    "Debet",
    "Credit",
    "Relatie",
    "Relatienaam",
    "Factuurnummer",
    "Documentreferentie",
    "Kostenplaats",
    "Project",
    "BTW-code",
    "Valuta",
    "Effectieve datum",
)
"""The columns of a read audit file, in order (see the module docstring for what each holds)."""

NAMESPACES: dict[str, str] = {
    "http://www.auditfiles.nl/XAF/3.2": "3.2",
    "http://www.auditfiles.nl/XAF/3.1": "3.1",
    "http://www.auditfiles.nl/XAF/3.0": "3.0",
    "": "3 (without a namespace)",
}
"""The namespaces of the XAF versions read as they are, and how the user calls them."""

OPENING_JOURNAL = "Beginbalans"
"""The journal name (Dagboeknaam) of the opening balance's rows."""

BATCH_ROWS = 32_768
"""Rows gathered before they become one Arrow batch (and, with ``into``, one Parquet row group)."""

_XAF_NAMESPACE = re.compile(r"http://www\.auditfiles\.nl/XAF/\d")
_EXAMPLES = 3
_SIDES = {"D": True, "C": False, "d": True, "c": False}
"""amntTp: True for a debit, False for a credit."""
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?").fullmatch
"""An amount written as the mapping reads it (a point, no exponent, no plus): passed on as it is."""
_COL = {name: i for i, name in enumerate(XAF_HEADERS)}
_SCHEMA = pa.schema(
    [
        ("row_no", pa.int64()),
        ("line_no", pa.int64()),
        ("ragged", pa.int64()),
        *((f"c{i + 1}", pa.string()) for i in range(len(XAF_HEADERS))),
    ]
)

# The elements the parser reports; everything else is read through these (their children) or dropped
# with them.
_RECORDS = (
    "header",
    "ledgerAccount",
    "customerSupplier",
    "vatCode",
    "period",
    "basic",
    "obLine",
    "trLine",
    "sbLine",
    "subledger",
)
_CONTAINERS = ("auditfile", "openingBalance", "transactions", "journal", "transaction")
_TAGS = tuple(f"{{*}}{name}" for name in (*_RECORDS, *_CONTAINERS))
_NAMES = (
    *_RECORDS,
    *_CONTAINERS,
    *("nr", "accID", "docRef", "effDate", "desc", "amnt", "amntTp", "custSupID", "invRef", "vat"),
    *("costID", "cost", "projID", "projectID", "project", "prodID", "currency", "vatID"),
)

_ROOT_ELEMENT = re.compile(
    r"\A(?:\ufeff|\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*<(?:[\w.-]+:)?auditfile[\s>/]",
    re.DOTALL,
)


def is_audit_file(head: str) -> bool:
    """Whether text starting with ``head`` (a file's first characters) has ``auditfile`` as its root
    element, after the XML declaration, comments and processing instructions."""
    return _ROOT_ELEMENT.match(head) is not None


_AGAIN = mark("Export the audit file (XAF) from the bookkeeping package again and upload that file")


def _money(value: Decimal) -> str:
    return number(value, 2)


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _lines(n: int) -> str:
    return ntr("{n} line", "{n} lines", n).format(n=number(n))


def _text(element: Any) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _not_xaf(file_name: str, root: str) -> LedgerFileError:
    return LedgerFileError(
        tr(
            "{name} is XML but not an XAF audit file (its root element is {root}, not auditfile); "
            "export the audit file (XAF) from the bookkeeping package."
        ).format(name=file_name, root=repr(shown(root)))
    )


@dataclass
class _Declared:
    """A section's own totals (linesCount, totalDebit, totalCredit) beside the sums of its lines."""

    lines: int | None = None
    debit: Decimal | None = None
    credit: Decimal | None = None
    read: bool = False
    counted: int = 0
    debit_sum: Decimal = Decimal(0)
    credit_sum: Decimal = Decimal(0)

    def take(self, fields: dict[str, str | None]) -> None:
        self.read = True
        count = fields.get("linesCount")
        self.lines = int(count) if count is not None and count.isdigit() else None
        self.debit = _decimal(fields.get("totalDebit"))
        self.credit = _decimal(fields.get("totalCredit"))

    def add(self, side: str | None, amount: Decimal | None) -> None:
        self.counted += 1
        if amount is None:
            return
        if _SIDES.get(side or ""):
            self.debit_sum += amount
        else:
            self.credit_sum += amount

    def notice(self, what: str, element: str) -> str | None:
        """The notice for totals that disagree with the lines (None when they agree or are absent)."""
        said, found = [], []
        if self.lines is not None and self.lines != self.counted:
            said.append(_lines(self.lines))
            found.append(_lines(self.counted))
        for words, declared, summed in (
            (mark("debit {amount}"), self.debit, self.debit_sum),
            (mark("credit {amount}"), self.credit, self.credit_sum),
        ):
            if declared is not None and declared != summed:
                said.append(tr(words).format(amount=_money(declared)))
                found.append(tr(words).format(amount=_money(summed)))
        if not said:
            return None
        return tr(
            "The file says its {what} hold {said} ({element} linesCount, totalDebit, "
            "totalCredit), but its lines add up to {found}: the file is incomplete or was "
            "changed after it was exported. Export the audit file again, or import it and look for the gap."
        ).format(what=tr(what), said=", ".join(said), element=element, found=", ".join(found))


@dataclass
class _Examples:
    """Things found that a notice counts, with the first few in words."""

    count: int = 0
    shown: list[str] = field(default_factory=list)

    def add(self, words: Callable[[], str]) -> None:
        self.count += 1
        if len(self.shown) < _EXAMPLES:
            self.shown.append(words())

    def listed(self) -> str:
        listed = "; ".join(self.shown)
        if self.count > len(self.shown):
            return tr("{list}; and {more} more").format(
                list=listed, more=number(self.count - len(self.shown))
            )
        return listed


class _Rows:
    """Rows gathered column by column, handed on as Arrow batches (to a Parquet file or kept)."""

    def __init__(self, into: Path | None, batch_rows: int) -> None:
        self.into = into
        self.batch_rows = batch_rows
        self.pending: list[tuple[str | None, ...]] = []
        self.lines: list[int] = []
        self.batches: list[pa.RecordBatch] = []
        self.writer: Any = None
        self.count = 0
        self.last_line = 0
        self.renumber = False

    def add(self, line: int, cells: tuple[str | None, ...]) -> None:
        if line <= self.last_line:
            self.renumber = True  # several records on one line: the lines cannot tell them apart
        self.last_line = line
        self.lines.append(line)
        self.pending.append(cells)
        if len(self.lines) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        n = len(self.lines)
        if not n:
            return
        arrays = [
            pa.array(range(self.count, self.count + n), pa.int64()),
            pa.array(self.lines, pa.int64()),
            pa.nulls(n, pa.int64()),
            *(pa.array(column, pa.string()) for column in zip(*self.pending, strict=True)),
        ]
        batch = pa.RecordBatch.from_arrays(arrays, schema=_SCHEMA)
        self.count += n
        self.pending = []
        self.lines = []
        if self.into is None:
            self.batches.append(batch)
            return
        if self.writer is None:
            import pyarrow.parquet as pq

            self.writer = pq.ParquetWriter(self.into, _SCHEMA, compression="zstd")
        self.writer.write_batch(batch)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def table(self, **meta: Any) -> TextTable:
        """The rows as a TextTable (in memory, or read from ``into``); call once, after the last row."""
        self.flush()
        self.close()
        headers = list(XAF_HEADERS)
        if self.into is None:
            data = pa.Table.from_batches(self.batches, schema=_SCHEMA)
            if self.renumber:
                data = data.set_column(1, "line_no", pa.array(range(1, data.num_rows + 1), pa.int64()))
            return TextTable.from_arrow(headers, data, "xaf", **meta)
        if self.renumber:
            _renumber(self.into)
        return TextTable(headers, "xaf", self.count, path=self.into, **meta)


def _renumber(path: Path) -> None:
    """Rewrite the Parquet file at ``path`` with its rows numbered 1, 2, 3, ... (batch by batch)."""
    import pyarrow.parquet as pq

    renumbered = path.with_name(f".{path.name}.renumbered")
    with pq.ParquetFile(path) as source, pq.ParquetWriter(renumbered, _SCHEMA, compression="zstd") as out:
        for batch in source.iter_batches(batch_size=BATCH_ROWS):
            rows = batch.column(0)
            numbers = pa.array([n + 1 for n in rows.to_pylist()], pa.int64())
            out.write_batch(batch.set_column(1, "line_no", numbers))
    os.replace(renumbered, path)


@dataclass
class _Transaction:
    """What the current transaction's lines share, and its debit and credit so far."""

    nr: str | None = None
    desc: str | None = None
    period: str | None = None
    date: str | None = None
    line: int = 0
    cells: tuple[str | None, ...] = (None, None, None)
    """Its journal, the journal's name and its number: the first cells of each of its rows."""
    count: int = 0
    """Its lines read so far."""
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)


class _Reader:
    """One pass over an audit file (see :func:`read_xaf`)."""

    def __init__(self, file_name: str, into: Path | None, batch_rows: int) -> None:
        self.file_name = file_name
        self.rows = _Rows(into, batch_rows)
        self.ns = ""
        self.version = ""
        self.header: dict[str, str | None] = {}
        self.accounts: dict[str, str | None] = {}
        self.relations: dict[str, str | None] = {}
        self.periods: dict[str, tuple[str | None, str | None]] = {}
        self.opening = _Declared()
        self.opening_fields: dict[str, str | None] = {}
        self.transactions = _Declared()
        self.names: dict[str, str] = {}  # the file's tags (namespace and all) by their local names
        self.journal: tuple[str | None, str | None] = (None, None)
        self.journal_element: Any = None
        self.tx = _Transaction()
        self.tx_element: Any = None
        self.currency: str | None = None
        self.unbalanced = _Examples()
        self.off_period = _Examples()
        self.unreadable = _Examples()
        self.transaction_count = 0

    # --- the parse ---------------------------------------------------------------------------------

    def read(self, source: IO[bytes]) -> TextTable:
        from lxml import etree

        events = etree.iterparse(
            source,
            events=("end",),
            tag=_TAGS,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
        )
        seen_root = False
        try:
            try:
                for _event, element in events:
                    if not seen_root:
                        seen_root = True
                        self._root(element)
                    tag = element.tag
                    local = self.names.get(tag) or tag.rpartition("}")[2]
                    handler = _HANDLERS.get(local)
                    if handler is not None:
                        handler(self, element)
                    if local == "trLine":
                        element.clear(keep_tail=False)  # the emptied line goes with its transaction,
                        if not self.tx.count % 1024:  # or with the next thousand of a long one
                            _forget(element)
                    elif local != "auditfile":
                        _forget(element)
            except etree.XMLSyntaxError as exc:
                raise self._damaged(exc) from None
            if not seen_root:
                root = events.root
                name = root.tag.rpartition("}")[2] if root is not None else "?"
                raise _not_xaf(self.file_name, str(name))
            if not self.rows.count and not self.rows.lines:
                raise LedgerFileError(
                    tr(
                        "{name} is an XAF audit file without transactions (no trLine) and without "
                        "an opening balance: there is nothing to compare. Export the audit file again with "
                        "the general ledger's transactions of the year."
                    ).format(name=self.file_name)
                )
            return self.rows.table(encoding="utf-8", notices=tuple(self._notices()))
        finally:
            self.rows.close()

    def _damaged(self, exc: Any) -> LedgerFileError:
        line, column = getattr(exc, "position", None) or (getattr(exc, "lineno", "?"), "?")
        message = str(getattr(exc, "msg", "") or exc).split(", line ")[0].strip()
        if "unsupported encoding" in message.lower() or "unknown encoding" in message.lower():
            return LedgerFileError(
                tr(
                    "{name} says its text is in an encoding that cannot be read ({error}); "
                    "the file is damaged or not an audit file. {again}."
                ).format(name=self.file_name, error=shown(message), again=tr(_AGAIN))
            )
        return LedgerFileError(
            tr(
                "{name} is not well-formed XML (line {line}, column {column}: {error}); "
                "the audit file is damaged or cut off. {again}."
            ).format(
                name=self.file_name, line=line, column=column, error=shown(message, 80), again=tr(_AGAIN)
            )
        )

    def _root(self, element: Any) -> None:
        tree = element.getroottree()
        docinfo = tree.docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise LedgerFileError(
                tr(
                    "{name} declares a DTD or XML entities, which audit files never do; it was "
                    "refused for safety. {again}."
                ).format(name=self.file_name, again=tr(_AGAIN))
            )
        tag = tree.getroot().tag
        namespace, _, local = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
        if local != "auditfile":
            raise _not_xaf(self.file_name, local)
        self.ns = namespace
        self.names = {(f"{{{namespace}}}{name}" if namespace else name): name for name in _NAMES}
        self.version = NAMESPACES.get(namespace, "")
        if not self.version and not _XAF_NAMESPACE.match(namespace):
            raise LedgerFileError(
                tr(
                    "{name} has an auditfile root element of the namespace {namespace}, "
                    "which is not the XML Auditfile Financieel's; export the audit file as XAF 3.2."
                ).format(name=self.file_name, namespace=repr(shown(namespace)))
            )

    def _new_transaction(self, element: Any) -> None:
        """The transaction (and journal) of the line just read is not the last one's: read what its
        lines share, before the elements that say it are dropped."""
        journal = element.getparent()
        if journal is not self.journal_element:
            if not self.transactions.read and journal is not None:
                self.transactions.take(_scalars(journal.getparent()))
            scalars = _scalars(journal)
            self.journal_element, self.journal = journal, (scalars.get("jrnID"), scalars.get("desc"))
        fields = _scalars(element)
        self.tx_element = element
        self.currency = self.header.get("curCode")
        self.tx = _Transaction(
            fields.get("nr"),
            fields.get("desc"),
            fields.get("periodNumber"),
            fields.get("trDt"),
            element.sourceline or 0,
            (*self.journal, fields.get("nr")),
        )

    # --- the records -------------------------------------------------------------------------------

    def _header(self, element: Any) -> None:
        self.header = _scalars(element)
        version = (self.header.get("auditfileVersion") or "").upper()
        if version.startswith("CLAIR"):
            raise LedgerFileError(
                tr(
                    "{name} is an XAF 2 audit file ({version}); the dashboard reads XAF 3.0, "
                    "3.1 and 3.2. Export the audit file as XAF 3.2 (the packages of the last decade offer "
                    "it)."
                ).format(name=self.file_name, version=shown(version))
            )

    def _ledger_account(self, element: Any) -> None:
        fields = _scalars(element)
        if fields.get("accID") is not None:
            self.accounts[fields["accID"]] = fields.get("accDesc")

    def _relation(self, element: Any) -> None:
        fields = _scalars(element)
        if fields.get("custSupID") is not None:
            self.relations[fields["custSupID"]] = fields.get("custSupName")

    def _period(self, element: Any) -> None:
        fields = _scalars(element)
        if fields.get("periodNumber") is not None:
            self.periods[fields["periodNumber"]] = (
                fields.get("startDatePeriod"),
                fields.get("endDatePeriod"),
            )

    def _opening_line(self, element: Any) -> None:
        if not self.opening.read:
            self.opening_fields = _scalars(element.getparent())
            self.opening.take(self.opening_fields)
        fields = _scalars(element)
        line = element.sourceline or 0
        side, amount, debit, credit = self._amount(fields, line)
        self.opening.add(side, amount)
        account = fields.get("accID")
        date = self.opening_fields.get("opBalDate") or self.header.get("startDate")
        year = self.header.get("fiscalYear") or (date or "")[:4]
        cells: list[str | None] = [None] * len(XAF_HEADERS)
        cells[_COL["Dagboeknaam"]] = OPENING_JOURNAL
        cells[_COL["Regelnummer"]] = fields.get("nr")
        cells[_COL["Boekdatum"]] = date
        cells[_COL["Periode"]] = "0"
        cells[_COL["Grootboekrekening"]] = account
        cells[_COL["Rekeningnaam"]] = self.accounts.get(account) if account is not None else None
        cells[_COL["Omschrijving"]] = (
            self.opening_fields.get("opBalDesc") or f"{OPENING_JOURNAL} {year}".strip()
        )
        cells[_COL["Debet"]] = debit
        cells[_COL["Credit"]] = credit
        cells[_COL["Valuta"]] = self.header.get("curCode")
        self.rows.add(line, tuple(cells))

    def _opening_balance(self, element: Any) -> None:
        if not self.opening.read:  # an opening balance without lines
            self.opening_fields = _scalars(element)
            self.opening.take(self.opening_fields)

    def _journal(self, element: Any) -> None:
        if not self.transactions.read:  # a journal without transactions, before any line
            self.transactions.take(_scalars(element.getparent()))

    def _transactions(self, element: Any) -> None:
        if not self.transactions.read:  # transactions without journals
            self.transactions.take(_scalars(element))

    def _line(self, element: Any) -> None:
        parent = element.getparent()
        if parent is not self.tx_element:
            self._new_transaction(parent)
        tx = self.tx
        tx.count += 1
        names = self.names
        fields: dict[str, str | None] = {}
        vat = None
        for child in element:
            tag = child.tag
            local = names.get(tag) or (tag.rpartition("}")[2] if isinstance(tag, str) else "")
            if local == "vat":
                if vat is None:
                    vat = next(
                        (v.text.strip() or None for v in child if names.get(v.tag) == "vatID" and v.text),
                        None,
                    )
            elif local not in fields:
                text = child.text
                fields[local] = (text.strip() or None) if text is not None else None
        line = element.sourceline or 0
        get = fields.get
        text, side = get("amnt"), get("amntTp")
        amount = _decimal(text)
        debit = credit = None
        totals = self.transactions
        totals.counted += 1
        if amount is None or side not in _SIDES:
            self._unreadable(line, text, side)
        else:
            plain = text if _PLAIN(text) else format(amount, "f")
            if _SIDES[side]:
                debit = plain
                tx.debit += amount
                totals.debit_sum += amount
            else:
                credit = plain
                tx.credit += amount
                totals.credit_sum += amount
        account = get("accID")
        relation = get("custSupID")
        effective = get("effDate")
        self.rows.add(
            line,
            (
                *tx.cells,
                get("nr"),
                tx.date or effective,
                tx.period,
                account,
                self.accounts.get(account) if account is not None else None,
                get("desc") or tx.desc,
                debit,
                credit,
                relation,
                self.relations.get(relation) if relation is not None else None,
                get("invRef"),
                get("docRef"),
                get("costID") or get("cost"),
                get("projID") or get("projectID") or get("project"),
                vat,
                self.currency,
                effective,
            ),
        )

    def _amount(
        self, fields: dict[str, str | None], line: int
    ) -> tuple[str | None, Decimal | None, str | None, str | None]:
        """(side, amount, debit text, credit text) of a line's amnt and amntTp."""
        text, side = fields.get("amnt"), fields.get("amntTp")
        amount = _decimal(text)
        if amount is None or side not in _SIDES:
            self._unreadable(line, text, side)
            return side, None, None, None
        plain = text if _PLAIN(text) else format(amount, "f")
        return side, amount, (plain if _SIDES[side] else None), (None if _SIDES[side] else plain)

    def _unreadable(self, line: int, text: str | None, side: str | None) -> None:
        self.unreadable.add(
            lambda: tr("line {line}: amount {amount}, D/C {side}").format(
                line=line, amount=repr(shown(text or "")), side=repr(shown(side or ""))
            )
        )

    def _transaction(self, element: Any) -> None:
        if element is not self.tx_element:
            return  # a transaction without lines
        tx = self.tx
        self.transaction_count += 1
        journal = self.journal[0] or "?"
        if tx.debit != tx.credit:
            self.unbalanced.add(
                lambda: tr(
                    "transaction {nr} of journal {journal} (line {line}): debit {debit}, credit {credit}"
                ).format(
                    nr=tx.nr or "?",
                    journal=journal,
                    line=tx.line,
                    debit=_money(tx.debit),
                    credit=_money(tx.credit),
                )
            )
        if tx.period is not None and tx.date is not None and tx.period in self.periods:
            start, end = self.periods[tx.period]
            if start is not None and end is not None and not start <= tx.date <= end:
                self.off_period.add(
                    lambda: tr(
                        "transaction {nr} of journal {journal} (line {line}) is in period "
                        "{period} ({start} to {end}) but dated {date}"
                    ).format(
                        nr=tx.nr or "?",
                        journal=journal,
                        line=tx.line,
                        period=tx.period,
                        start=start,
                        end=end,
                        date=tx.date,
                    )
                )

    # --- what the user must read -------------------------------------------------------------------

    def _notices(self) -> Iterator[str]:
        if not self.version:
            yield tr(
                "The file is an XAF audit file of another version than 3.0, 3.1 or 3.2 ({namespace}); "
                "it was read as XAF 3.2. Check the preview: columns that version names otherwise stay empty."
            ).format(namespace=shown(self.ns))
        if self.rows.renumber:
            yield tr(
                "The file does not put each line of its transactions on a line of its own, so its rows are "
                "numbered 1, 2, 3, ... in the order of the file instead of by their line in it."
            )
        if self.unreadable.count:
            yield ntr(
                "{n} line of the file has no amount (amnt) or no D/C marker (amntTp) that can be read "
                "({examples}); the import lists them as lines that cannot be read.",
                "{n} lines of the file have no amount (amnt) or no D/C marker (amntTp) that can be read "
                "({examples}); the import lists them as lines that cannot be read.",
                self.unreadable.count,
            ).format(n=number(self.unreadable.count), examples=self.unreadable.listed())
        if self.unbalanced.count:
            yield ntr(
                "{n} transaction of the file does not balance, debit and credit differ ({examples}). The "
                "lines are imported as they are; the balances per account and period show where the "
                "difference lands.",
                "{n} transactions of the file do not balance, debit and credit differ ({examples}). The "
                "lines are imported as they are; the balances per account and period show where the "
                "difference lands.",
                self.unbalanced.count,
            ).format(n=number(self.unbalanced.count), examples=self.unbalanced.listed())
        found = self.transactions.notice(mark("transactions"), "transactions'")
        if found:
            yield found
        if self.off_period.count:
            yield ntr(
                "{n} transaction of the file is booked in a period whose dates do not hold its date "
                "({examples}). The balances per account and period go by the month of the date, as AFAS's "
                "periods do, so those lines count in another period than the file's own.",
                "{n} transactions of the file are booked in a period whose dates do not hold their date "
                "({examples}). The balances per account and period go by the month of the date, as AFAS's "
                "periods do, so those lines count in another period than the file's own.",
                self.off_period.count,
            ).format(n=number(self.off_period.count), examples=self.off_period.listed())
        yield from self._opening_notices()

    def _opening_notices(self) -> Iterator[str]:
        opening = self.opening
        if not opening.counted:
            if self.transactions.counted:
                start = self.header.get("startDate") or tr("the start of the year")
                yield tr(
                    "The file holds no opening balance (openingBalance): compared as balances per account "
                    "and period, a balance-sheet account differs from AFAS by its balance at {start} in the "
                    "first month of the year where AFAS holds an opening entry."
                ).format(start=start)
            return
        date = self.opening_fields.get("opBalDate") or self.header.get("startDate") or "?"
        yield tr(
            "The opening balance of {date} ({lines}) is imported as lines dated "
            "{date} of the journal '{journal}' in period 0: they count in the balances of the "
            "first month and pair line by line with AFAS's own opening entry."
        ).format(date=date, lines=_lines(opening.counted), journal=OPENING_JOURNAL)
        if opening.debit_sum != opening.credit_sum:
            difference = opening.debit_sum - opening.credit_sum
            yield tr(
                "The opening balance does not balance: debit {debit}, credit {credit} (a difference of "
                "{difference})."
            ).format(
                debit=_money(opening.debit_sum),
                credit=_money(opening.credit_sum),
                difference=_money(difference),
            )
        found = opening.notice(mark("opening balance lines"), "openingBalance's")
        if found:
            yield found
        if not self.transactions.counted:
            yield tr("The file holds an opening balance but no transactions (trLine).")


_HANDLERS: dict[str, Callable[[_Reader, Any], None]] = {
    "header": _Reader._header,
    "ledgerAccount": _Reader._ledger_account,
    "customerSupplier": _Reader._relation,
    "period": _Reader._period,
    "obLine": _Reader._opening_line,
    "openingBalance": _Reader._opening_balance,
    "trLine": _Reader._line,
    "transaction": _Reader._transaction,
    "journal": _Reader._journal,
    "transactions": _Reader._transactions,
}


def _scalars(element: Any) -> dict[str, str | None]:
    """The element's children that hold text, by local name (the first of a name; nested ones skipped)."""
    found: dict[str, str | None] = {}
    if element is None:
        return found
    for child in element:
        if not isinstance(child.tag, str):
            continue
        local = child.tag.rpartition("}")[2]
        if local not in found and len(child) == 0:
            found[local] = _text(child)
    return found


def _forget(element: Any) -> None:
    """Drop a record once read: its content, and the siblings read before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is None:
        return
    while element.getprevious() is not None:
        del parent[0]


def read_xaf(
    source: bytes | str | os.PathLike[str] | IO[bytes],
    file_name: str | None = None,
    *,
    into: Path | None = None,
    batch_rows: int = BATCH_ROWS,
) -> TextTable:
    """Read an audit file (its bytes, a path or a binary file object) into a TextTable of
    :data:`XAF_HEADERS`; with ``into`` the rows are written to that Parquet file and read from there.

    Raises :class:`~afas.recon.tables.LedgerFileError` in words when the file cannot be read; what the
    user must know before importing is in the table's ``notices``.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        name = file_name or tr("The audit file")
        return _Reader(name, into, batch_rows).read(io.BytesIO(source))
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        with path.open("rb") as handle:
            return _Reader(file_name or path.name, into, batch_rows).read(handle)
    return _Reader(file_name or tr("The audit file"), into, batch_rows).read(source)


def read_xaf_path(path: str | os.PathLike[str], *, into: Path | None = None) -> TextTable:
    """Read the audit file at ``path`` as the dashboard does (for a benchmark: the file is streamed from
    disk, never read whole; pass ``into`` to have the rows written to a Parquet file)."""
    return read_xaf(Path(path), into=into)
