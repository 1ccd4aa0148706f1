"""The mapping as it was applied before it moved to DuckDB (afas.recon.mapsql): line by line, in
Python. Kept as the oracle the SQL mapping is held to (tests/recon/test_mapping_equivalence.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

from afas.recon.mapping import AUTO, TEXT_FIELDS, LedgerLine, LineProblem, MappedLedger, Mapping
from afas.recon.mapsql import column_index
from afas.recon.tables import RawTable
from afas.recon.textvalues import (
    default_separator,
    detect_date_format,
    detect_decimal_separator,
    iban_is_valid,
    normal,
    parse_amount,
    parse_date,
)
from afas.recon.textvalues import shown as _shown


def _index(raw: RawTable, mapping: Mapping) -> dict[str, int]:
    return column_index(raw.headers, mapping)


def _normal(text: str) -> str:
    return normal(text)


def _sign_of(text: str) -> int | None:
    """+1 for a debit/incoming marker, -1 for a credit/outgoing one, None when unknown."""
    word = _normal(text)
    if word in ("d", "db", "dr", "deb", "debet", "debit", "bij", "in", "plus"):
        return 1
    if word in ("c", "cr", "cred", "credit", "af", "out", "min"):
        return -1
    return None


def reference_apply_mapping(raw: RawTable, mapping: Mapping) -> MappedLedger:
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
