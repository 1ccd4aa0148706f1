"""Dutch bank exports recognised by their layout, and whether a file's first line is a header.

A bank's CSV export has a fixed layout: its column names (or, for the exports without a header
line, the kind of value in each column), its sign convention and its date format. :data:`LAYOUTS`
lists the layouts of the banks Dutch finance staff download from: ING (Dutch and English headers,
the 2009 layout and today's), Rabobank (Dutch and English), ABN AMRO's TAB export, de Volksbank's
(ASN, SNS, RegioBank) transaction history, Triodos, Knab, bunq, PayPal and DEGIRO. Triodos's and
bunq's layouts are written from their published descriptions (no real file of theirs is among the
test files), the others checked against real exports. :func:`recognise` looks at
a table as a reader gave it and says which layout it has; the layout's mapping is then the suggested
one (:func:`afas.recon.ledgers.suggested_mapping`), and the user sees "Recognised: Knab CSV export"
with the mapping it implies, which they can change and save as a profile.

Exports without a header line (ABN AMRO's TAB, de Volksbank's CSV) are told by their first line: a
reader takes the first line for the column names; when those "names" are values (dates, amounts,
IBANs) the first line is a transaction. :func:`recognise` then gives the columns the bank's documented
names (or "column 1", "column 2", ... for an unknown layout) and keeps the first line as the first row;
:func:`with_first_line` lets the user decide otherwise. What was recognised is said to the user by
:mod:`afas.recon.guesses`.

A layout may also refuse a file that is an export, but not of transactions (ING's balance overview).
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from afas.i18n import mark, tr
from afas.recon.mapping import AUTO, Mapping, SignMeaning
from afas.recon.tables import LedgerFileError, TextTable, clean_headers, column_name
from afas.recon.textvalues import looks_numeric, normal

__all__ = ["LAYOUTS", "BankLayout", "layout_named", "looks_like_values", "recognise", "with_first_line"]

_READ_AS_TABLES = ("csv", "xlsx")
"""The formats whose tables have a header line a bank's layout can be told by (not bank statements,
whose columns are ours, nor Parquet, whose columns are typed)."""

_DATE = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|(19|20)\d{2}[01]\d[0-3]\d")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_ACCOUNT = re.compile(r"\d{7,10}|[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_NUMBER = re.compile(r"[-+]?\d[\d.,]*")
_YMD = re.compile(r"(19|20)\d{2}[01]\d[0-3]\d")
_DMY = re.compile(r"[0-3]\d-[01]\d-(19|20)\d{2}")


@dataclass(frozen=True)
class BankLayout:
    """One bank export layout: how it is told, and the mapping it implies.

    ``fields`` maps a ``ledger_lines`` field (as :class:`~afas.recon.mapping.Mapping` names it) to the
    bank's column name, compared without case, spaces or punctuation; a tuple of names gives
    alternatives (the first present counts). ``required`` are the (normalised) names a header must
    hold for the layout to be recognised; ``columns`` are the column names of an export without a
    header line, in order, with ``shapes`` the pattern each column's values match (None: anything).
    """

    key: str
    label: str
    fields: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    shapes: tuple[re.Pattern[str] | None, ...] = ()
    description_more: tuple[str, ...] = ()
    sign_meaning: SignMeaning = SignMeaning.LEDGER
    date_format: str = AUTO
    decimal_separator: str = AUTO
    refusal: str | None = None
    """Why a file of this layout is refused, written to follow the file's name in a sentence."""

    @property
    def headerless(self) -> bool:
        return bool(self.columns)

    def matches_header(self, headers: Sequence[str]) -> bool:
        names = {normal(h) for h in headers}
        return bool(self.required) and all(normal(r) in names for r in self.required)

    def matches_values(self, rows: Sequence[Sequence[str | None]]) -> bool:
        """Whether rows (the first line and a few more) have this headerless layout's shape."""
        if not rows or not self.shapes:
            return False
        for row in rows:
            if len(row) != len(self.shapes):
                return False
            for shape, value in zip(self.shapes, row, strict=True):
                if shape is not None and not shape.fullmatch((value or "").strip()):
                    return False
        return True

    def mapping(self, headers: Sequence[str]) -> Mapping:
        """The layout's mapping, with the column names as this file writes them."""
        by_name = {normal(h): h for h in headers}

        def column(names: str | tuple[str, ...]) -> str | None:
            for name in (names,) if isinstance(names, str) else names:
                if normal(name) in by_name:
                    return by_name[normal(name)]
            return None

        chosen = {target: column(names) for target, names in self.fields.items()}
        more = tuple(c for name in self.description_more if (c := column(name)) is not None)
        return Mapping(
            **{target: c for target, c in chosen.items() if c is not None},
            description_more=more,
            sign_meaning=self.sign_meaning,
            date_format=self.date_format,
            decimal_separator=self.decimal_separator,
        )


_ING_NL = {
    "entry_date": "Datum",
    "amount": "Bedrag (EUR)",
    "sign": "Af Bij",
    "account": "Rekening",
    "counterparty_iban": "Tegenrekening",
    "counterparty_name": "Naam / Omschrijving",
    "description": "Mededelingen",
}
_DE_VOLKSBANK = (
    "Boekingsdatum",
    "Opdrachtgeversrekening",
    "Tegenrekeningnummer",
    "Naam tegenrekening",
    "Adres",
    "Postcode",
    "Plaats",
    "Valutasoort rekening",
    "Saldo rekening voor mutatie",
    "Valutasoort mutatie",
    "Transactiebedrag",
    "Journaaldatum",
    "Valutadatum",
    "Interne transactiecode",
    "Globale transactiecode",
    "Volgnummer transactie",
    "Betalingskenmerk",
    "Omschrijving",
    "Afschriftnummer",
)
_DE_VOLKSBANK_FIELDS: dict[str, str | tuple[str, ...]] = {
    "entry_date": "Boekingsdatum",
    "amount": "Transactiebedrag",
    "currency": "Valutasoort mutatie",
    "account": "Opdrachtgeversrekening",
    "counterparty_iban": "Tegenrekeningnummer",
    "counterparty_name": "Naam tegenrekening",
    "description": "Omschrijving",
    "invoice": "Betalingskenmerk",
}
_ABN_AMRO_TAB = (
    "Rekeningnummer",
    "Muntsoort",
    "Transactiedatum",
    "Beginsaldo",
    "Eindsaldo",
    "Rentedatum",
    "Transactiebedrag",
    "Omschrijving",
)

_TRIODOS = (
    "Boekdatum",
    "Rekeningnummer",
    "Bedrag",
    "Debet/Credit",
    "Naam tegenrekening",
    "Tegenrekening",
    "Code",
    "Omschrijving",
)
_TRIODOS_FIELDS: dict[str, str | tuple[str, ...]] = {
    "entry_date": "Boekdatum",
    "amount": "Bedrag",
    "sign": "Debet/Credit",
    "account": "Rekeningnummer",
    "counterparty_name": "Naam tegenrekening",
    "counterparty_iban": "Tegenrekening",
    "description": "Omschrijving",
}
_TRIODOS_SHAPES: tuple[re.Pattern[str] | None, ...] = (
    _DMY,
    _ACCOUNT,
    _NUMBER,
    re.compile(r"Debet|Credit"),
    None,
    None,
    None,
    None,
)

LAYOUTS: tuple[BankLayout, ...] = (
    BankLayout(
        "ing_balances",
        mark("ING balance overview"),
        required=("Datum", "Boeksaldo", "Valutair saldo"),
        refusal=mark(
            "is an ING balance overview (the balance per day), not a list of transactions; in Mijn ING "
            "download the 'Af- en bijschrijvingen' as CSV and upload that file"
        ),
    ),
    BankLayout(
        "ing_nl",
        mark("ING CSV export"),
        fields=_ING_NL,
        required=("Datum", "Naam / Omschrijving", "Af Bij", "Bedrag (EUR)"),
        description_more=("Mutatiesoort",),
        decimal_separator=",",
    ),
    BankLayout(
        "ing_en",
        mark("ING CSV export (English)"),
        fields={
            "entry_date": "Date",
            "amount": "Amount (EUR)",
            "sign": "Debit/credit",
            "account": "Account",
            "counterparty_iban": "Counterparty",
            "counterparty_name": "Name / Description",
            "description": "Notifications",
        },
        required=("Date", "Name / Description", "Debit/credit", "Amount (EUR)"),
        description_more=("Transaction type",),
        decimal_separator=",",
    ),
    BankLayout(
        "rabobank_nl",
        mark("Rabobank CSV export"),
        fields={
            "entry_date": "Datum",
            "amount": "Bedrag",
            "currency": "Munt",
            "account": "IBAN/BBAN",
            "counterparty_iban": "Tegenrekening IBAN/BBAN",
            "counterparty_name": "Naam tegenpartij",
            "description": "Omschrijving-1",
            "invoice": "Betalingskenmerk",
        },
        required=("IBAN/BBAN", "Volgnr", "Datum", "Bedrag", "Omschrijving-1"),
        description_more=("Omschrijving-2", "Omschrijving-3"),
        date_format="%Y-%m-%d",
        decimal_separator=",",
    ),
    BankLayout(
        "rabobank_en",
        mark("Rabobank CSV export (English)"),
        fields={
            "entry_date": "Date",
            "amount": "Amount",
            "currency": "Ccy",
            "account": "IBAN/BBAN",
            "counterparty_iban": "Counterpty IBAN/BBAN",
            "counterparty_name": "Name Counterpty",
            "description": "Description-1",
            "invoice": "Payment Reference",
        },
        required=("IBAN/BBAN", "Seq No", "Date", "Amount", "Description-1"),
        description_more=("Description-2", "Description-3"),
        date_format="%Y-%m-%d",
        decimal_separator=",",
    ),
    BankLayout(
        "knab",
        mark("Knab CSV export"),
        fields={
            "entry_date": ("Boekdatum", "Transactiedatum"),
            "amount": "Bedrag",
            "sign": "CreditDebet",
            "currency": "Valutacode",
            "account": "Rekeningnummer",
            "counterparty_iban": "Tegenrekeningnummer",
            "counterparty_name": "Tegenrekeninghouder",
            "description": "Omschrijving",
        },
        required=("Rekeningnummer", "Transactiedatum", "CreditDebet", "Bedrag", "Tegenrekeninghouder"),
        description_more=("Betaalwijze",),
        sign_meaning=SignMeaning.BANK,
        date_format="%d-%m-%Y",
        decimal_separator=",",
    ),
    BankLayout(
        "de_volksbank",
        mark("de Volksbank (ASN, SNS, RegioBank) CSV export"),
        fields=_DE_VOLKSBANK_FIELDS,
        required=("Boekingsdatum", "Opdrachtgeversrekening", "Tegenrekeningnummer", "Transactiebedrag"),
        date_format="%d-%m-%Y",
        decimal_separator=".",
    ),
    BankLayout(
        "de_volksbank_headerless",
        mark("de Volksbank (ASN, SNS, RegioBank) CSV export"),
        fields=_DE_VOLKSBANK_FIELDS,
        columns=_DE_VOLKSBANK,
        shapes=(_DMY, _IBAN, None, None, None, None, None, _CURRENCY, _NUMBER, _CURRENCY, _NUMBER, _DMY)
        + (_DMY, None, None, None, None, None, None),
        date_format="%d-%m-%Y",
        decimal_separator=".",
    ),
    BankLayout(
        "triodos",
        mark("Triodos Bank CSV export"),
        fields=_TRIODOS_FIELDS,
        columns=_TRIODOS,
        shapes=_TRIODOS_SHAPES,
        sign_meaning=SignMeaning.BANK,
        date_format="%d-%m-%Y",
        decimal_separator=",",
    ),
    BankLayout(
        "triodos_balance",
        mark("Triodos Bank CSV export"),
        fields=_TRIODOS_FIELDS,
        columns=(*_TRIODOS, "Saldo na boeking"),
        shapes=(*_TRIODOS_SHAPES, _NUMBER),
        sign_meaning=SignMeaning.BANK,
        date_format="%d-%m-%Y",
        decimal_separator=",",
    ),
    BankLayout(
        "abn_amro_tab",
        mark("ABN AMRO TAB export"),
        fields={
            "entry_date": "Transactiedatum",
            "amount": "Transactiebedrag",
            "currency": "Muntsoort",
            "account": "Rekeningnummer",
            "description": "Omschrijving",
        },
        columns=_ABN_AMRO_TAB,
        shapes=(_ACCOUNT, _CURRENCY, _YMD, _NUMBER, _NUMBER, _YMD, _NUMBER, None),
        date_format="%Y%m%d",
        decimal_separator=",",
    ),
    BankLayout(
        "bunq",
        mark("bunq CSV export"),
        fields={
            "entry_date": "Date",
            "amount": "Amount",
            "account": "Account",
            "counterparty_iban": "Counterparty",
            "counterparty_name": "Name",
            "description": "Description",
        },
        required=("Date", "Interest Date", "Amount", "Account", "Counterparty", "Name", "Description"),
    ),
    BankLayout(
        "paypal_en",
        mark("PayPal activity export"),
        fields={
            "entry_date": "Date",
            "amount": "Net",
            "currency": "Currency",
            "counterparty_name": "Name",
            "description": "Description",
            "voucher": "Transaction ID",
            "invoice": "Invoice ID",
        },
        required=("Date", "Currency", "Gross", "Fee", "Net", "Transaction ID"),
    ),
    BankLayout(
        "paypal_nl",
        mark("PayPal activiteitenoverzicht"),
        fields={
            "entry_date": "Datum",
            "amount": ("Netto", "Net"),
            "currency": "Valuta",
            "counterparty_name": "Naam",
            "description": ("Type", "Omschrijving"),
            "voucher": ("Transactiereferentie", "Transactie-ID"),
            "invoice": ("Factuurnummer", "Factuur-ID"),
        },
        required=("Datum", "Valuta", "Bruto"),
    ),
    BankLayout(
        "degiro",
        mark("DEGIRO account overview"),
        fields={
            "entry_date": "Datum",
            "amount": "column 9",
            "currency": "Mutatie",
            "description": "Omschrijving",
            "voucher": "Order Id",
        },
        required=("Datum", "Product", "ISIN", "Omschrijving", "Mutatie", "Saldo"),
        description_more=("Product",),
        date_format="%d-%m-%Y",
        decimal_separator=",",
    ),
)
"""Every layout recognised, the refusing ones and the narrower ones first (the first match counts)."""


def layout_named(key: str) -> BankLayout:
    for layout in LAYOUTS:
        if layout.key == key:
            return layout
    raise KeyError(f"no bank layout is called {key!r}")


def looks_like_values(cells: Sequence[str | None]) -> bool:
    """Whether a would-be header line holds values rather than names: at least two of its cells,
    and at least half of the non-empty ones, are dates, amounts or IBANs."""
    filled = [c.strip() for c in cells if c and c.strip()]
    values = sum(
        1
        for c in filled
        if _DATE.fullmatch(c) or _IBAN.fullmatch(c) or (looks_numeric(c) and any(ch.isdigit() for ch in c))
    )
    return values >= 2 and values * 2 >= len(filled)


def _raw_header(table: TextTable) -> tuple[str | None, ...]:
    """The header line's cells as they are in the file (a reader that does not keep them: the names,
    the empty ones it called "column N" empty again)."""
    if table.header_cells is not None:
        return tuple(table.header_cells) + (None,) * (len(table.headers) - len(table.header_cells))
    return tuple(None if h == f"column {i}" else h for i, h in enumerate(table.headers, start=1))


def recognise(table: TextTable) -> TextTable:
    """The table with its layout recognised (``layout``, a notice saying so), a headerless export's
    first line taken back as its first row; a layout's refusal raised as LedgerFileError.

    Tables of other formats than delimited text and workbooks are returned as they are.
    """
    if table.file_format not in _READ_AS_TABLES or not table.headers:
        return table
    header = _raw_header(table)
    if looks_like_values(header):
        return with_first_line(table, as_data=True, guessed=True)
    return _recognise_header(table)


def _recognise_header(table: TextTable) -> TextTable:
    for layout in LAYOUTS:
        if not layout.headerless and layout.matches_header(table.headers):
            if layout.refusal is not None:
                raise LedgerFileError(f"{table.file_name or tr('The file')} {tr(layout.refusal)}.")
            return replace(table, layout=layout.key)
    return table


def with_first_line(table: TextTable, *, as_data: bool, guessed: bool = False) -> TextTable:
    """The table with its first line read as a transaction (``as_data``) or as the column names.

    A table read with a header whose first line is data gets the columns of the headerless layout its
    values fit (de Volksbank, ABN AMRO TAB) or "column 1", "column 2", ...; and the other way round.
    ``guessed`` records that the reader chose so (from the values), not the user.
    """
    if as_data == table.headerless:
        return table
    if not as_data:
        return _recognise_header(_first_row_as_header(table))
    header = _raw_header(table)
    rows = [header, *table.head(4)]
    layout = next((lt for lt in LAYOUTS if lt.headerless and lt.matches_values(rows)), None)
    names = list(layout.columns) if layout else [f"column {i}" for i in range(1, len(header) + 1)]
    moved = _prepend(table, header, table.header_line or 1)
    return replace(
        moved, headers=names, headerless=True, header_guessed=guessed, layout=layout.key if layout else None
    )


def _prepend(table: TextTable, cells: Sequence[str | None], line: int) -> TextTable:
    """The table with one row in front: ``cells`` at line ``line``; the other rows' order kept."""
    width = len(table.headers)
    first = {"row_no": pa.array([0], pa.int64()), "line_no": pa.array([line], pa.int64())}
    first["ragged"] = pa.array([None], pa.int64())
    for i in range(width):
        first[column_name(i)] = pa.array([cells[i] if i < len(cells) else None], pa.string())
    if table.data is not None:
        rest = table.data
        rest = rest.set_column(
            rest.schema.get_field_index("row_no"), "row_no", pa.compute.add(rest["row_no"], 1)
        )
        data = pa.concat_tables([pa.table(first).cast(rest.schema), rest])
        return replace(table, data=data, num_rows=data.num_rows, header_line=None)
    return _prepend_on_disk(table, pa.table(first), width)


def _rewrite_on_disk(table: TextTable, suffix: str, select: str, first: pa.Table | None = None) -> Path:
    """The staged cells rewritten by ``select`` (over ``src``, and ``first_row`` when given) into a
    Parquet file beside them, named by ``suffix``: written once (atomically), reused after."""
    import duckdb

    source = table.staged_path()
    target = source.with_name(f"{source.stem}-{suffix}.parquet")
    if target.exists():
        return target
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    con = duckdb.connect(config={"threads": 1, "temp_directory": tempfile.gettempdir()})
    try:
        if first is not None:
            con.register("first_row", first)
        path = str(source).replace("'", "''")
        con.execute(f"CREATE TEMP VIEW src AS SELECT * FROM read_parquet('{path}')")
        out = str(temporary).replace("'", "''")
        con.execute(f"COPY ({select}) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
    finally:
        con.close()
    os.replace(temporary, target)
    return target


def _prepend_on_disk(table: TextTable, first: pa.Table, width: int) -> TextTable:
    cells = ", ".join(column_name(i) for i in range(width))
    target = _rewrite_on_disk(
        table,
        "first-line-as-data",
        f"SELECT row_no, line_no, ragged, {cells} FROM first_row UNION ALL "
        f"SELECT row_no + 1, line_no, ragged, {cells} FROM src ORDER BY row_no",
        first,
    )
    return replace(table, path=target, num_rows=table.num_rows + 1, header_line=None)


def _first_row_as_header(table: TextTable) -> TextTable:
    """The table with its first row taken as the column names (the reverse of :func:`with_first_line`)."""
    first = table.head(1)
    if not first:
        return table
    head = table.data.slice(0, 1) if table.data is not None else None
    line = int(head.column("line_no")[0].as_py()) if head is not None else None
    meta = {"headers": clean_headers(list(first[0])), "num_rows": table.num_rows - 1, "header_guessed": False}
    if table.data is not None:
        data = table.data.slice(1)
        shifted = pa.compute.subtract(data["row_no"], 1)
        data = data.set_column(data.schema.get_field_index("row_no"), "row_no", shifted)
        return replace(
            table, data=data, headerless=False, layout=None, header_line=line, header_cells=first[0], **meta
        )
    cells = ", ".join(column_name(i) for i in range(len(table.headers)))
    target = _rewrite_on_disk(
        table,
        "first-line-as-header",
        f"SELECT row_no - 1 AS row_no, line_no, ragged, {cells} FROM src WHERE row_no > 0 ORDER BY row_no",
    )
    import pyarrow.parquet as pq

    first_line = pq.read_table(table.staged_path(), columns=["line_no"]).column("line_no")[0].as_py()
    return replace(
        table,
        path=target,
        headerless=False,
        layout=None,
        header_line=int(first_line),
        header_cells=first[0],
        **meta,
    )
