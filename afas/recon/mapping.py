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
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa

from afas.recon.readers import LedgerFileError, RawTable
from afas.recon.textvalues import (
    default_separator,
    detect_date_format,
    detect_decimal_separator,
    iban_is_valid,
    looks_numeric,
    parse_amount,
    parse_date,
)
from afas.recon.textvalues import shown as _shown

__all__ = [
    "AUTO",
    "COLUMN_FIELDS",
    "TEXT_FIELDS",
    "LedgerLine",
    "LineProblem",
    "MappedLedger",
    "Mapping",
    "apply_mapping",
    "detect_date_format",
    "detect_decimal_separator",
    "iban_is_valid",
    "parse_amount",
    "parse_date",
    "suggest_mapping",
]

AUTO = "auto"
TEXT_FIELDS: tuple[str, ...] = (
    "account",
    "currency",
    "description",
    "voucher",
    "invoice",
    "relation",
    "allocation",
    "counterparty_name",
    "counterparty_iban",
)
COLUMN_FIELDS: tuple[str, ...] = ("entry_date", "amount", "debit", "credit", "sign", *TEXT_FIELDS)


@dataclass(frozen=True)
class Mapping:
    """Source column (header name) per ``ledger_lines`` field, plus how to read the values.

    ``amount`` or ``debit``/``credit`` give the amount; ``sign`` names an optional column marking each
    amount as debit or credit (D/C, Debet/Credit, Bij/Af). ``date_format`` is ``"auto"``, ``"excel"``
    (serial day numbers) or a ``strptime`` format such as ``"%d-%m-%Y"``; ``decimal_separator`` is
    ``"auto"``, ``","`` or ``"."``. ``currency_default`` fills the currency when no column gives it.
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

    def __post_init__(self) -> None:
        if self.decimal_separator not in (AUTO, ",", "."):
            raise ValueError(f"decimal separator must be 'auto', ',' or '.', not {self.decimal_separator!r}")

    def columns(self) -> dict[str, str]:
        """The mapped fields and their source columns."""
        return {name: getattr(self, name) for name in COLUMN_FIELDS if getattr(self, name)}

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
class LineProblem:
    """A line that cannot be read: where, which column, the value (cut short) and why."""

    line_no: int
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line_no}"
        return f"{where}, column {self.column!r}: {self.reason}" if self.column else f"{where}: {self.reason}"


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
    "description": ("omschrijving", "description", "memo", "mededelingen", "mededeling", "naamomschrijving"),
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


def _normal(header: str) -> str:
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _header_score(header: str, target: str) -> float:
    name = _normal(header)
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
    if "sign" in chosen and values("sign") and not all(_sign_of(v) is not None for v in values("sign")):
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


def _index(raw: RawTable, mapping: Mapping) -> dict[str, int]:
    if not mapping.entry_date:
        raise LedgerFileError(
            "The mapping has no date column; choose the column that holds the entry date (the columns in "
            f"this file are: {_shown_list(raw.headers)})."
        )
    if not (mapping.amount or mapping.debit or mapping.credit):
        raise LedgerFileError(
            "The mapping has no amount column; choose the column that holds the amount, or the debit and "
            f"credit columns (the columns in this file are: {_shown_list(raw.headers)})."
        )
    positions = {header: i for i, header in enumerate(raw.headers)}
    index: dict[str, int] = {}
    for target, column in mapping.columns().items():
        if column not in positions:
            raise LedgerFileError(
                f"Column {column!r} (chosen for {target.replace('_', ' ')}) is not in this file; its columns "
                f"are: {_shown_list(raw.headers)}. Choose another column, or check that this is the right "
                "file."
            )
        index[target] = positions[column]
    return index


def _shown_list(headers: Sequence[str]) -> str:
    shown = ", ".join(repr(h) for h in headers[:20])
    return shown + (f" and {len(headers) - 20} more" if len(headers) > 20 else "")


def _sign_of(text: str) -> int | None:
    """+1 for a debit/incoming marker, -1 for a credit/outgoing one, None when unknown."""
    word = _normal(text)
    if word in ("d", "db", "dr", "deb", "debet", "debit", "bij", "in", "plus"):
        return 1
    if word in ("c", "cr", "cred", "credit", "af", "out", "min"):
        return -1
    return None


def apply_mapping(raw: RawTable, mapping: Mapping) -> MappedLedger:
    """Read every row of ``raw`` with ``mapping``; rows that cannot be read are listed as problems.

    Raises :class:`LedgerFileError` when the mapping lacks the date or amount, or names a column that
    is not in the file.
    """
    index = _index(raw, mapping)
    ragged = dict(raw.ragged)
    width = len(raw.headers)

    def column(target: str) -> list[str | None]:
        i = index.get(target)
        return [row[i] for row in raw.rows] if i is not None else []

    amount_texts = [v for t in ("amount", "debit", "credit") for v in column(t)[:2000] if v]
    separator = mapping.decimal_separator
    if separator == AUTO:
        separator = detect_decimal_separator(amount_texts, default_separator(raw.file_format))
    date_format = mapping.date_format
    if date_format == AUTO:
        date_format = detect_date_format([v for v in column("entry_date") if v])
    dates: dict[str, dt.date] = {}
    lines: list[LedgerLine] = []
    problems: list[LineProblem] = []
    warnings: list[LineProblem] = []

    for line_no, row in zip(raw.line_numbers, raw.rows, strict=True):
        found: list[LineProblem] = []
        if line_no in ragged:
            found.append(
                LineProblem(line_no, None, None, f"has {ragged[line_no]} fields where the header has {width}")
            )

        def cell(target: str, row: tuple[str | None, ...] = row) -> str | None:
            i = index.get(target)
            return row[i] if i is not None else None

        date_text = cell("entry_date")
        entry_date: dt.date | None = None
        if not date_text:
            found.append(LineProblem(line_no, mapping.entry_date, None, "date is empty"))
        elif date_text in dates:
            entry_date = dates[date_text]
        else:
            try:
                entry_date = dates[date_text] = parse_date(date_text, date_format)
            except ValueError as exc:
                found.append(LineProblem(line_no, mapping.entry_date, _shown(date_text), str(exc)))

        amount = _amount(line_no, mapping, cell, separator, found)
        texts = {name: cell(name) for name in TEXT_FIELDS}
        currency = texts["currency"] or mapping.currency_default
        if currency:
            currency = {"€": "EUR", "$": "USD", "£": "GBP"}.get(currency.strip(), currency.strip().upper())
            if not re.fullmatch(r"[A-Z]{3}", currency):
                found.append(
                    LineProblem(
                        line_no, mapping.currency, _shown(currency), "currency is not a 3-letter code"
                    )
                )
        texts["currency"] = currency
        iban = texts["counterparty_iban"]
        if iban:
            iban = texts["counterparty_iban"] = iban.replace(" ", "").upper()
            if re.match(r"[A-Z]{2}\d{2}", iban) and not iban_is_valid(iban):
                warnings.append(
                    LineProblem(
                        line_no, mapping.counterparty_iban, _shown(iban), "IBAN fails its check digits"
                    )
                )
        if found:
            problems.extend(found)
            continue
        assert amount is not None
        lines.append(LedgerLine(line_no, entry_date, -amount if mapping.flip_sign else amount, **texts))
    return MappedLedger(lines, problems, warnings, date_format, separator)


def _amount(
    line_no: int,
    mapping: Mapping,
    cell: Callable[[str], str | None],
    separator: str,
    found: list[LineProblem],
) -> Decimal | None:
    """The signed amount of one row (amount, or debit - credit, times the sign column)."""
    parts: dict[str, Decimal] = {}
    for target in ("amount",) if mapping.amount else ("debit", "credit"):
        text = cell(target)
        if not text:
            continue
        try:
            parts[target] = parse_amount(text, separator)
        except ValueError as exc:
            found.append(LineProblem(line_no, getattr(mapping, target), _shown(text), str(exc)))
            return None
    if mapping.amount:
        if "amount" not in parts:
            found.append(LineProblem(line_no, mapping.amount, None, "amount is empty"))
            return None
        amount = parts["amount"]
    else:
        if not parts:
            found.append(
                LineProblem(line_no, mapping.debit or mapping.credit, None, "debit and credit are empty")
            )
            return None
        amount = parts.get("debit", Decimal("0.00")) - parts.get("credit", Decimal("0.00"))
    if mapping.sign:
        marker = cell("sign")
        sign = _sign_of(marker or "")
        if sign is None:
            found.append(
                LineProblem(
                    line_no, mapping.sign, _shown(marker), "is neither debit (D, Bij) nor credit (C, Af)"
                )
            )
            return None
        amount = abs(amount) * sign
    return amount
