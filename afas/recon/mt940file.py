"""MT940 bank statements read into the fixed columns of :data:`~afas.recon.bankstatements.BANK_HEADERS`
with the mt-940 library; the format that recognises such files is :mod:`afas.recon.formats.mt940`."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from afas.recon.bankstatements import BANK_HEADERS
from afas.recon.tables import LedgerFileError, RawTable
from afas.recon.textfiles import cell as _cell
from afas.recon.textfiles import check_line_lengths as _check_line_lengths
from afas.recon.textfiles import decode as _decode
from afas.recon.textfiles import shown as _shown

__all__ = ["read_mt940"]

_MT940_61 = re.compile(r":61:\d{6}(\d{4})?R?[CDcd][A-Z]?\d[\d,]*")

_MT940_CODES = frozenset(
    ("EREF", "MARF", "CNTP", "REMI", "NAME", "IBAN", "BIC", "TRTP", "CSID", "ORDP", "BENM", "ULTC", "ULTD")
    + ("ULTB", "PURP", "RTRN", "ID", "SVCL", "ISDT", "ADDR", "PREF", "KREF", "BUSP")
)


def _iban_from_account(text: str) -> str:
    """The IBAN of an MT940 :25: account ('NL91RABO0123456789 EUR', 'NL91RABO0123456789EUR')."""
    first = (text or "").split()[0] if (text or "").split() else ""
    if len(first) > 18 and first[-3:].isalpha() and first[:2].isalpha():
        first = first[:-3]
    return first


def _mt940_details(details: str) -> dict[str, str]:
    """The codes of a structured :86: line (Rabobank, ING, ABN AMRO): /CODE/value/CODE/value."""
    flat = details.replace("\r", "").replace("\n", "")
    if not flat.startswith("/"):
        return {}
    parts = flat.split("/")[1:]
    found: dict[str, list[str]] = {}
    current: str | None = None
    for part in parts:
        if part in _MT940_CODES and (current is None or part not in found):
            current = part
            found[current] = []
        elif current is not None:
            found[current].append(part)
    return {code: "/".join(values).rstrip("/") for code, values in found.items()}


def read_mt940(data: bytes, file_name: str) -> RawTable:
    import mt940

    _check_line_lengths(data, file_name)
    text, encoding = _decode(data, file_name)
    lines = text.splitlines()
    lines_61 = [i for i, line in enumerate(lines, start=1) if line.startswith(":61:")]
    if not lines_61:
        raise LedgerFileError(
            f"{file_name} is an MT940 statement without transaction lines (:61:); it holds only balances. "
            "Export a statement for a period with transactions."
        )
    for number in lines_61:
        if not _MT940_61.match(lines[number - 1]):
            raise LedgerFileError(
                f"{file_name}: line {number} is not a valid MT940 transaction line (:61: needs a date "
                "YYMMDD, C or D and an amount); the statement is damaged. Download it from the bank again."
            )
    try:
        statements = mt940.parse_statements(io.StringIO(text), options=mt940.Options.all())
    except Exception as exc:  # the parser raises bare exceptions of several kinds on malformed tags
        reason = _shown(str(exc).split(" at 0x")[0], 80)
        raise LedgerFileError(
            f"{file_name} is not a valid MT940 statement ({reason}); download it again from the bank."
        ) from None
    transactions = [
        (_iban_from_account(str(statement.data.get("account_identification") or "")), transaction.data)
        for statement in statements
        for transaction in statement
    ]
    rows: list[tuple[str | None, ...]] = []
    for account, values in transactions:
        details_raw = str(values.get("transaction_details") or "")
        details = _mt940_details(details_raw)
        counterparty = details.get("CNTP", "").split("/")
        name = (
            details.get("NAME")
            or (counterparty[2] if len(counterparty) > 2 else "")
            or values.get("applicant_name")
        )
        iban = details.get("IBAN") or counterparty[0] or values.get("applicant_iban") or ""
        remittance = details.get("REMI", "")
        if remittance.startswith(("USTD/", "STRD/")):
            remittance = "/".join(p for p in remittance.split("/")[1:] if p)
        description = remittance or (" ".join(details_raw.split()) if not details else "")
        description = description or values.get("purpose") or ""
        customer_reference = str(values.get("customer_reference") or "")
        reference = details.get("EREF") or (customer_reference if customer_reference != "NONREF" else "")
        amount = values["amount"]
        date = values.get("entry_date") or values.get("date")
        rows.append(
            (
                _date_text(date),
                _date_text(values.get("date")),
                format(amount.amount, "f"),
                str(amount.currency or values.get("currency") or "") or None,
                _cell(description),
                _cell(str(name or "")),
                _cell(iban.replace(" ", "")),
                _cell(reference if reference != "NOTPROVIDED" else ""),
                account or None,
            )
        )
    if len(rows) != len(lines_61):
        raise LedgerFileError(
            f"{file_name} has {len(lines_61)} transaction lines (:61:) but {len(rows)} can be read; the "
            "statement is damaged. Download it from the bank again."
        )
    return RawTable(list(BANK_HEADERS), rows, lines_61, "mt940", encoding=encoding)


def _date_text(value: Any) -> str | None:
    if value is None:
        return None
    return dt.date(value.year, value.month, value.day).isoformat()


