"""CAMT.053 bank statements (ISO 20022 XML) read into the fixed columns of
:data:`~afas.recon.bankstatements.BANK_HEADERS`; the format that recognises such files is
:mod:`afas.recon.formats.camt053`.

A CAMT.053 file is XML and says its own encoding in its declaration; one Python cannot read (UTF-7,
a name it does not know) is refused in words, like any other damage.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from afas.recon.bankstatements import BANK_HEADERS
from afas.recon.tables import LedgerFileError, RawTable
from afas.recon.textfiles import cell as _cell
from afas.recon.textfiles import line_numbers
from afas.recon.textfiles import shown as _shown

__all__ = ["read_camt"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Any, path: str) -> Any:
    """The first descendant along ``path`` ('A/B/C'), matching local names (namespace-agnostic)."""
    current = element
    for step in path.split("/"):
        if current is None:
            return None
        current = next((c for c in current if _local(c.tag) == step), None)
    return current


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if _local(c.tag) == name] if element is not None else []


def _text(element: Any, path: str) -> str | None:
    found = _child(element, path)
    return _cell(found.text or "") if found is not None and found.text else None


_DECLARED_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']{0,60})["']""")


def _refused_dtd(file_name: str) -> LedgerFileError:
    return LedgerFileError(
        f"{file_name} declares a DTD or XML entities, which bank statements never do; it was refused "
        "for safety. Download the CAMT.053 statement from the bank again."
    )


def read_camt(data: bytes, file_name: str) -> RawTable:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except (LookupError, ValueError) as exc:  # the encoding the XML declares: unknown, or UTF-7 & co.
        if isinstance(exc, DefusedXmlException):
            raise _refused_dtd(file_name) from None
        declared = _DECLARED_ENCODING.match(data[:200])
        encoding = declared.group(1).decode("ascii", "replace") if declared else "?"
        raise LedgerFileError(
            f"{file_name} says its text is in the encoding {_shown(encoding, 30)!r}, which cannot be read "
            "(bank statements are UTF-8); the file is damaged or not a bank statement. Download the "
            "CAMT.053 statement from the bank again."
        ) from None
    except DefusedXmlException:
        raise _refused_dtd(file_name) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", ("?", "?"))
        raise LedgerFileError(
            f"{file_name} is not well-formed XML (line {line}, column {column}); the file is damaged or cut "
            "off. Download the CAMT.053 statement from the bank again."
        ) from None
    statement_root = root if _local(root.tag) == "BkToCstmrStmt" else _child(root, "BkToCstmrStmt")
    if statement_root is None:
        raise LedgerFileError(
            f"{file_name} is XML but not a CAMT.053 bank statement (its root element is "
            f"{_shown(_local(root.tag))!r}, without BkToCstmrStmt); export the statement as CAMT.053."
        )
    rows: list[tuple[str | None, ...]] = []
    for statement in _children(statement_root, "Stmt"):
        account = _text(statement, "Acct/Id/IBAN") or _text(statement, "Acct/Id/Othr/Id")
        account_currency = _text(statement, "Acct/Ccy")
        for entry in _children(statement, "Ntry"):
            rows.append(_camt_entry(entry, account, account_currency, file_name))
    if not rows:
        raise LedgerFileError(
            f"{file_name} is a CAMT.053 statement without entries (Ntry); there is nothing to import. "
            "Export a statement for a period with transactions."
        )
    text = data.decode("utf-8", errors="replace")
    starts = [m.start() for m in re.finditer(r"<(?:[\w.-]+:)?Ntry[\s>]", text)]
    numbers = line_numbers(text, starts) if len(starts) == len(rows) else []
    return RawTable(
        list(BANK_HEADERS), rows, numbers or list(range(1, len(rows) + 1)), "camt053", encoding="utf-8"
    )


def _camt_entry(
    entry: Any, account: str | None, currency: str | None, file_name: str
) -> tuple[str | None, ...]:
    amount_element = _child(entry, "Amt")
    indicator = _text(entry, "CdtDbtInd")
    if amount_element is None or not (amount_element.text or "").strip() or indicator not in ("CRDT", "DBIT"):
        raise LedgerFileError(
            f"{file_name}: an entry (Ntry) lacks its amount or its credit/debit indicator; the statement "
            "is incomplete. Download it from the bank again."
        )
    try:
        amount = Decimal(amount_element.text.strip())
    except ArithmeticError:
        raise LedgerFileError(
            f"{file_name}: entry amount {_shown(amount_element.text.strip())!r} is not a number."
        ) from None
    # CRDT: money into the account, a debit on the bank ledger account: positive.
    signed = amount if indicator == "CRDT" else -amount
    booked = _text(entry, "BookgDt/Dt") or (_text(entry, "BookgDt/DtTm") or "")[:10] or None
    value = _text(entry, "ValDt/Dt") or (_text(entry, "ValDt/DtTm") or "")[:10] or None
    details = _children(_child(entry, "NtryDtls"), "TxDtls")
    party = "Dbtr" if indicator == "CRDT" else "Cdtr"
    names: list[str] = []
    ibans: list[str] = []
    texts: list[str] = []
    references: list[str] = []
    for tx in details:
        name = _text(tx, f"RltdPties/{party}/Nm") or _text(tx, f"RltdPties/{party}/Pty/Nm")
        iban = _text(tx, f"RltdPties/{party}Acct/Id/IBAN")
        names += [name] if name else []
        ibans += [iban] if iban else []
        remittance = _child(tx, "RmtInf")
        texts += [_cell(u.text or "") or "" for u in _children(remittance, "Ustrd")]
        for structured in _children(remittance, "Strd"):
            ref = _text(structured, "CdtrRefInf/Ref")
            texts += [ref] if ref else []
        e2e = _text(tx, "Refs/EndToEndId")
        references += [e2e] if e2e and e2e != "NOTPROVIDED" else []
    description = " ".join(t for t in texts if t) or _text(entry, "AddtlNtryInf")
    reference = references[0] if len(references) == 1 else _text(entry, "AcctSvcrRef")
    return (
        booked,
        value,
        format(signed, "f"),
        amount_element.get("Ccy") or currency,
        description,
        names[0] if len(set(names)) == 1 else None,
        ibans[0] if len(set(ibans)) == 1 else None,
        reference,
        account,
    )
