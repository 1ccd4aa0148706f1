"""Which column of a ledger file feeds which field of ``ledger_lines``, and how its text is read.

:func:`suggest_mapping` guesses the columns from Dutch and English header names and the number and
date formats from sample values; :func:`apply_mapping` turns a :class:`~afas.recon.readers.RawTable`
into lines with ``datetime.date`` dates and ``Decimal`` amounts, listing every line it cannot read
with its line number instead of stopping at the first.

Amounts follow the ``ledger_lines`` convention: debit positive, credit negative. With separate debit
and credit columns the amount is debit - credit; with a sign column (Af/Bij, D/C, Debet/Credit) a
credit or "Af" marks the amount negative; ``flip_sign`` negates the result for files kept from the
other side. Amounts are rounded half-up to cents. Ambiguous values are read the Dutch way: a date
like 03-04-2025 is day-first unless some value proves month-first, and a number like 1.234 (only a
thousands-like group, no other evidence in the column) is one thousand two hundred thirty-four.

:func:`apply_mapping` reads small tables into Python objects; the import and the preview use
:func:`afas.recon.mapsql.mapped_view` directly, which does the same work in DuckDB for any size
(apply_mapping is a thin layer over it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

import duckdb
import pyarrow as pa

from afas.recon.mapsql import TEXT_FIELDS, LineProblem, mapped_view, sign_of
from afas.recon.tables import RawTable, TextTable
from afas.recon.textvalues import (
    default_separator,
    detect_date_format,
    detect_decimal_separator,
    iban_is_valid,
    looks_numeric,
    normal,
    parse_amount,
    parse_date,
)

__all__ = [
    "AUTO",
    "COLUMN_FIELDS",
    "TEXT_FIELDS",
    "LedgerLine",
    "LineProblem",
    "MappedLedger",
    "Mapping",
    "SignMeaning",
    "apply_mapping",
    "detect_date_format",
    "detect_decimal_separator",
    "iban_is_valid",
    "parse_amount",
    "parse_date",
    "suggest_mapping",
]

AUTO = "auto"


class SignMeaning(StrEnum):
    """What D and C (Debet, Credit) in a sign column mean (labels: afas.catalogue).

    In a ledger D is a debit (positive); on a bank's own export D is money going out of the account
    (Knab's CreditDebet, Triodos's Debet/Credit): on the bank ledger account that is a credit
    (negative). Af/Bij say money out/in and mean the same either way.
    """

    LEDGER = "ledger"
    BANK = "bank"


COLUMN_FIELDS: tuple[str, ...] = ("entry_date", "amount", "debit", "credit", "sign", *TEXT_FIELDS)


@dataclass(frozen=True)
class Mapping:
    """Source column (header name) per ``ledger_lines`` field, plus how to read the values.

    ``amount`` or ``debit``/``credit`` give the amount; ``sign`` names an optional column marking each
    amount as debit or credit (D/C, Debet/Credit, Bij/Af). ``date_format`` is ``"auto"``, ``"excel"``
    (serial day numbers) or a ``strptime`` format such as ``"%d-%m-%Y"``; ``decimal_separator`` is
    ``"auto"``, ``","`` or ``"."``. ``currency_default`` fills the currency when no column gives it.
    ``sign_meaning`` says whether D/C in the sign column are the ledger's debit/credit or a bank's
    money out/in (:class:`SignMeaning`); ``description_more`` are further columns joined to the
    description with a space (a bank's Omschrijving-1, -2, -3).
    """

    entry_date: str | None = None
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    sign: str | None = None
    account: str | None = None
    currency: str | None = None
    description: str | None = None
    voucher: str | None = None
    invoice: str | None = None
    relation: str | None = None
    allocation: str | None = None
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    flip_sign: bool = False
    date_format: str = AUTO
    decimal_separator: str = AUTO
    currency_default: str | None = None
    sign_meaning: SignMeaning = SignMeaning.LEDGER
    description_more: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.decimal_separator not in (AUTO, ",", "."):
            raise ValueError(f"decimal separator must be 'auto', ',' or '.', not {self.decimal_separator!r}")
        object.__setattr__(self, "sign_meaning", SignMeaning(self.sign_meaning))
        object.__setattr__(self, "description_more", tuple(self.description_more))

    def columns(self) -> dict[str, str]:
        """The mapped fields and their source columns (``description_more`` not among them)."""
        return {name: getattr(self, name) for name in COLUMN_FIELDS if getattr(self, name)}

    def source_columns(self) -> list[str]:
        """Every column the mapping reads, the further description columns included."""
        return [*self.columns().values(), *self.description_more]

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        values = json.loads(text)
        if not isinstance(values, dict):
            raise ValueError("a mapping is a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown mapping field(s): {', '.join(unknown)}")
        return cls(**values)


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One normalised ledger line, ready for ``ledger_lines``."""

    line_no: int
    entry_date: dt.date | None
    amount: Decimal
    account: str | None = None
    currency: str | None = None
    description: str | None = None
    voucher: str | None = None
    invoice: str | None = None
    relation: str | None = None
    allocation: str | None = None
    counterparty_name: str | None = None
    counterparty_iban: str | None = None


@dataclass
class MappedLedger:
    """The lines read, the lines that could not be read, and warnings that do not stop an import."""

    lines: list[LedgerLine]
    problems: list[LineProblem]
    warnings: list[LineProblem] = field(default_factory=list)
    date_format: str = AUTO
    decimal_separator: str = AUTO

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def to_arrow(self, import_id: int) -> pa.Table:
        """The lines as an Arrow table shaped like ``ledger_lines`` (decimal128(18, 2), date32)."""
        columns: dict[str, pa.Array] = {
            "import_id": pa.array([import_id] * len(self.lines), pa.int64()),
            "line_no": pa.array([line.line_no for line in self.lines], pa.int64()),
            "entry_date": pa.array([line.entry_date for line in self.lines], pa.date32()),
            "amount": pa.array([line.amount for line in self.lines], pa.decimal128(18, 2)),
        }
        for name in TEXT_FIELDS:
            columns[name] = pa.array([getattr(line, name) for line in self.lines], pa.string())
        return pa.table(columns)


# --- header suggestions ---------------------------------------------------------------------------

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "entry_date": (
        "boekdatum",
        "entrydate",
        "bookingdate",
        "postingdate",
        "transactiondate",
        "datum",
        "date",
    ),
    "amount": ("bedrag", "amount", "saldomutatie", "bedrageur", "amounteur", "transactionamount"),
    "debit": ("debet", "debit", "debetbedrag", "debitamount", "dr"),
    "credit": ("credit", "creditbedrag", "creditamount", "cr"),
    "sign": ("afbij", "bijaf", "debetcredit", "creditdebet", "debitcredit", "dc", "cd", "drcr", "dbcr"),
    "account": ("grootboekrekening", "grootboek", "rekening", "rekeningnummer", "glaccount", "account", "gl"),
    "currency": ("valuta", "currency", "munt", "valutacode", "currencycode", "ccy"),
    "description": (
        "omschrijving",
        "description",
        "memo",
        "mededelingen",
        "mededeling",
        "naamomschrijving",
        "label",
    ),
    "voucher": (
        "boekstuknummer",
        "boekstuk",
        "voucher",
        "voucherno",
        "documentno",
        "documentnumber",
        "reference",
    ),
    "invoice": ("factuurnummer", "factuur", "invoice", "invoicenumber", "invoiceno", "factuurnr"),
    "relation": (
        "relatie",
        "debiteur",
        "crediteur",
        "relation",
        "customer",
        "supplier",
        "klant",
        "leverancier",
    ),
    "allocation": ("kostenplaats", "kostendrager", "costcentre", "costcenter", "costunit", "project"),
    "counterparty_name": (
        "naamtegenpartij",
        "tegenpartij",
        "counterparty",
        "counterpartyname",
        "naam",
        "name",
        "partnername",
    ),
    "counterparty_iban": (
        "tegenrekening",
        "tegenrekeningiban",
        "iban",
        "counterpartyiban",
        "counterpartyaccount",
    ),
}
# Headers ending like this are dates of another kind when they are not the entry date.
_OTHER_DATES = (
    "valutadatum",
    "valuedate",
    "factuurdatum",
    "invoicedate",
    "vervaldatum",
    "duedate",
    "rentedatum",
)


def _header_score(header: str, target: str) -> float:
    name = normal(header)
    if not name:
        return 0.0
    if name.endswith(("datum", "date")) and target != "entry_date":
        return 0.0
    best = 0.0
    for rank, synonym in enumerate(_SYNONYMS[target]):
        bonus = 0.01 * (len(_SYNONYMS[target]) - rank)
        if name == synonym:
            best = max(best, 3 + bonus)
        elif len(synonym) >= 4 and name.startswith(synonym):
            best = max(best, 2 + bonus)
        elif len(synonym) >= 5 and synonym in name:
            best = max(best, 1 + bonus)
    if target == "entry_date" and best and name in _OTHER_DATES:
        best = 0.5
    return best


def suggest_mapping(
    headers: Sequence[str], sample_rows: Sequence[Sequence[str | None]] = (), file_format: str = "csv"
) -> Mapping:
    """The most likely mapping for these headers, with number and date formats read from the samples.

    ``file_format`` is the :attr:`RawTable.file_format` the samples come from (it settles the decimal
    separator when the samples do not).
    """
    candidates = sorted(
        (
            (score, target, index)
            for index, header in enumerate(headers)
            for target in _SYNONYMS
            if (score := _header_score(header, target)) > 0
        ),
        key=lambda candidate: (-candidate[0], candidate[2]),  # best score first; on a tie the leftmost
    )
    chosen: dict[str, int] = {}
    for _score, target, index in candidates:
        if target not in chosen and index not in chosen.values():
            chosen[target] = index

    def values(target: str) -> list[str]:
        index = chosen.get(target)
        if index is None:
            return []
        return [row[index] for row in sample_rows if index < len(row) and row[index]]

    # Debit/credit or sign columns only count when their values fit; amount then yields.
    for target in ("debit", "credit"):
        if target in chosen and values(target) and not any(looks_numeric(v) for v in values(target)):
            del chosen[target]
    if "sign" in chosen and values("sign") and not all(sign_of(v) is not None for v in values("sign")):
        del chosen["sign"]
    if "amount" in chosen and ("debit" in chosen and "credit" in chosen):
        del chosen["amount"]
    if "amount" not in chosen:
        chosen.pop("sign", None)
    fields = {target: headers[index] for target, index in chosen.items()}
    amount_values = [v for t in ("amount", "debit", "credit") for v in values(t)]
    return Mapping(
        **fields,
        date_format=detect_date_format(values("entry_date")) if values("entry_date") else AUTO,
        decimal_separator=(
            detect_decimal_separator(amount_values, default_separator(file_format)) if amount_values else AUTO
        ),
    )


# --- applying a mapping -------------------------------------------------------------------------------


def apply_mapping(raw: RawTable | TextTable, mapping: Mapping) -> MappedLedger:
    """Read every row of ``raw`` with ``mapping``; rows that cannot be read are listed as problems.

    Raises :class:`LedgerFileError` when the mapping lacks the date or amount, or names a column that
    is not in the file.
    """
    table = raw if isinstance(raw, TextTable) else TextTable.from_raw(raw)
    con = duckdb.connect(config={"threads": 1})
    try:
        with mapped_view(con, table, mapping) as view:
            _count, _lines, problems = view.problems(limit=None)
            _count, warnings = view.warnings(limit=None)
            lines = [LedgerLine(*row) for row in view.lines()]
            return MappedLedger(lines, problems, warnings, view.date_format, view.decimal_separator)
    finally:
        con.close()
