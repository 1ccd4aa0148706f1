"""CAMT.053 files built for tests and benchmarks: small documents from parts (:func:`document`,
:func:`statement`, :func:`entry`, :func:`tx`), and a statement of any number of entries
(:func:`camt053_sample`, :func:`write_camt053_sample`), written as it goes so that a million entries
never sit in memory as one string.

The large sample's entries are what a Dutch bank writes for a plain transfer: booking and value date,
an end-to-end reference, the counterparty's name and IBAN, one remittance line. Its opening balance
plus its entries is its closing balance, and every ``<Ntry>`` starts a line of its own, so a reader's
line count, total and line numbers can be checked against :func:`sample_entry`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = [
    "CAMT053",
    "camt053_sample",
    "document",
    "entry",
    "iter_camt053_sample",
    "sample_entry",
    "statement",
    "tx",
    "write_camt053",
    "write_camt053_sample",
    "zip_of",
]

CAMT053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
ACCOUNT = "NL91ABNA0417164300"


def _balance(code: str, amount: Decimal, day: str = "2025-01-01") -> str:
    indicator = "CRDT" if amount >= 0 else "DBIT"
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{abs(amount):.2f}</Amt>'
        f"<CdtDbtInd>{indicator}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
    )


def tx(
    amount: str | None = None,
    *,
    indicator: str | None = None,
    name: str | None = None,
    iban: str | None = None,
    text: str | None = None,
    e2e: str | None = None,
    party: str = "Dbtr",
    amount_in: str = "AmtDtls",
    currency: str = "EUR",
) -> str:
    """One ``TxDtls``: its own amount (in ``AmtDtls/TxAmt/Amt``, or ``Amt`` with ``amount_in="Amt"``),
    indicator, counterparty (``party``: Dbtr or Cdtr) and remittance line."""
    parts = []
    if e2e:
        parts.append(f"<Refs><EndToEndId>{escape(e2e)}</EndToEndId></Refs>")
    if amount is not None and amount_in == "Amt":
        parts.append(f'<Amt Ccy="{currency}">{amount}</Amt>')
    if indicator:
        parts.append(f"<CdtDbtInd>{indicator}</CdtDbtInd>")
    if amount is not None and amount_in == "AmtDtls":
        parts.append(f'<AmtDtls><TxAmt><Amt Ccy="{currency}">{amount}</Amt></TxAmt></AmtDtls>')
    if name or iban:
        who = f"<{party}><Nm>{escape(name or '')}</Nm></{party}>" if name else ""
        account = f"<{party}Acct><Id><IBAN>{iban}</IBAN></Id></{party}Acct>" if iban else ""
        parts.append(f"<RltdPties>{who}{account}</RltdPties>")
    if text:
        parts.append(f"<RmtInf><Ustrd>{escape(text)}</Ustrd></RmtInf>")
    return "\n          <TxDtls>" + "".join(parts) + "</TxDtls>"


def entry(
    amount: str,
    indicator: str = "CRDT",
    *,
    booked: str = "<Dt>2025-01-02</Dt>",
    value: str = "<Dt>2025-01-02</Dt>",
    txs: Iterable[str] = (),
    batch_id: str | None = None,
    reference: str | None = None,
    info: str | None = None,
    currency: str = "EUR",
) -> str:
    """One ``Ntry`` (on a line of its own), ``booked``/``value`` being the inside of its ``BookgDt``
    and ``ValDt`` (``<Dt>...</Dt>`` or ``<DtTm>...</DtTm>``)."""
    details = "".join(txs)
    batch = f"<Btch><PmtInfId>{escape(batch_id)}</PmtInfId></Btch>" if batch_id else ""
    return (
        f'\n      <Ntry><Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt>{booked}</BookgDt><ValDt>{value}</ValDt>"
        + (f"<AcctSvcrRef>{escape(reference)}</AcctSvcrRef>" if reference else "")
        + (f"\n        <NtryDtls>{batch}{details}</NtryDtls>" if details or batch else "")
        + (f"<AddtlNtryInf>{escape(info)}</AddtlNtryInf>" if info else "")
        + "</Ntry>"
    )


def statement(
    entries: Iterable[str],
    *,
    statement_id: str = "STMT-1",
    account: str = ACCOUNT,
    opening: str | None = None,
    closing: str | None = None,
) -> str:
    """One ``Stmt`` with its balances (OPBD/CLBD, signed text such as "-12.50") when given."""
    balances = ""
    if opening is not None:
        balances += _balance("OPBD", Decimal(opening))
    if closing is not None:
        balances += _balance("CLBD", Decimal(closing))
    return (
        f"\n    <Stmt><Id>{escape(statement_id)}</Id>"
        f"<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>{balances}"
        + "".join(entries)
        + "\n    </Stmt>"
    )


def document(statements: Iterable[str], *, message: str = "BkToCstmrStmt", namespace: str = CAMT053) -> bytes:
    """A whole file: the declaration, ``Document`` and its message element around ``statements``."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{namespace}">\n  <{message}>'
        "<GrpHdr><MsgId>TEST</MsgId><CreDtTm>2025-01-31T18:00:00</CreDtTm></GrpHdr>"
        + "".join(statements)
        + f"\n  </{message}>\n</Document>\n"
    ).encode("utf-8")


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- the large sample ----------------------------------------------------------------------------------


def sample_entry(i: int) -> tuple[Decimal, str]:
    """The signed amount (money in positive) and counterparty of the sample's entry ``i`` (0-based)."""
    cents = 100 + (i * 7919) % 250_000
    amount = Decimal(cents).scaleb(-2)
    return (amount if i % 3 else -amount), f"Relatie {i % 9973:04d} B.V."


_OPENING = Decimal("10000.00")


def iter_camt053_sample(entries: int) -> Iterator[bytes]:
    """The sample statement of ``entries`` entries, in pieces of about a megabyte."""
    closing = _OPENING + sum((sample_entry(i)[0] for i in range(entries)), Decimal(0))
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{CAMT053}">\n<BkToCstmrStmt>\n'
        "<GrpHdr><MsgId>SAMPLE</MsgId><CreDtTm>2025-12-31T18:00:00</CreDtTm></GrpHdr>\n"
        f"<Stmt><Id>SAMPLE-1</Id><Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
        f"{_balance('OPBD', _OPENING)}\n{_balance('CLBD', closing, '2025-12-31')}\n"
    ).encode()
    pieces: list[str] = []
    size = 0
    for i in range(entries):
        signed, name = sample_entry(i)
        indicator, party = ("CRDT", "Dbtr") if signed >= 0 else ("DBIT", "Cdtr")
        day = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
        piece = (
            f'<Ntry><Amt Ccy="EUR">{abs(signed)}</Amt><CdtDbtInd>{indicator}</CdtDbtInd><Sts>BOOK</Sts>'
            f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>B{i:09d}</AcctSvcrRef>"
            f"<NtryDtls><TxDtls><Refs><EndToEndId>E2E-{i:09d}</EndToEndId></Refs>"
            f"<RltdPties><{party}><Nm>{name}</Nm></{party}><{party}Acct><Id><IBAN>NL20INGB{i % 10**10:010d}"
            f"</IBAN></Id></{party}Acct></RltdPties><RmtInf><Ustrd>Factuur F{i:09d}</Ustrd></RmtInf>"
            "</TxDtls></NtryDtls></Ntry>\n"
        )
        pieces.append(piece)
        size += len(piece)
        if size >= 1024 * 1024:
            yield "".join(pieces).encode()
            pieces, size = [], 0
    pieces.append("</Stmt>\n</BkToCstmrStmt>\n</Document>\n")
    yield "".join(pieces).encode()


def camt053_sample(entries: int) -> bytes:
    """The sample statement of ``entries`` entries as bytes (for small counts; see
    :func:`write_camt053_sample` for large ones). Entry ``i`` is on line ``8 + i``."""
    return b"".join(iter_camt053_sample(entries))


def write_camt053_sample(path: str | Path, entries: int) -> Path:
    """Write the sample statement of ``entries`` entries to ``path``, a megabyte at a time."""
    path = Path(path)
    with open(path, "wb") as out:
        for piece in iter_camt053_sample(entries):
            out.write(piece)
    return path


write_camt053 = write_camt053_sample
"""The name benchmarks/import.py calls: ``write_camt053(path, lines)``."""
