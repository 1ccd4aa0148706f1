"""Synthetic XAF audit files: small ones written element by element for the tests, and a generated
one of any number of lines for a benchmark (:func:`write_xaf`, written as it is generated, so
a million lines never sit in memory).

    from tests.recon.xaf_fixtures import write_xaf
    write_xaf(Path("big.xaf"), 1_000_000)   # about 420 MB; read it with
    afas.recon.xaffile.read_xaf_path("big.xaf", into=Path("big.parquet"))
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = [
    "NS30",
    "NS31",
    "NS32",
    "auditfile",
    "journal",
    "opening_balance",
    "synthetic_lines",
    "transaction",
    "trline",
    "write_xaf",
]

NS32 = "http://www.auditfiles.nl/XAF/3.2"
NS31 = "http://www.auditfiles.nl/XAF/3.1"
NS30 = "http://www.auditfiles.nl/XAF/3.0"


def _element(name: str, value: object | None) -> str:
    return "" if value is None else f"<{name}>{escape(str(value))}</{name}>"


def trline(nr: object, account: str, amount: str, side: str, **extra: object) -> str:
    """A ``trLine``: its number, account, amount and D/C, then the optional elements given (in the
    schema's order: docRef, effDate, desc, custSupID, invRef, costID, projID, vatID)."""
    vat = extra.pop("vatID", None)
    fields = {"docRef": extra.pop("docRef", None), "effDate": extra.pop("effDate", None)}
    fields["desc"] = extra.pop("desc", None)
    body = "".join(
        [
            _element("nr", nr),
            _element("accID", account),
            *(_element(k, v) for k, v in fields.items()),
            _element("amnt", amount),
            _element("amntTp", side),
            *(_element(k, extra.pop(k, None)) for k in ("custSupID", "invRef", "costID", "projID")),
            f"<vat><vatID>{escape(str(vat))}</vatID><vatAmnt>0.00</vatAmnt><vatAmntTp>D</vatAmntTp></vat>"
            if vat is not None
            else "",
        ]
    )
    assert not extra, f"unknown trLine fields: {sorted(extra)}"
    return f"<trLine>{body}</trLine>"


def transaction(nr: object, date: str, period: object, lines: Sequence[str], desc: str | None = None) -> str:
    head = (
        _element("nr", nr)
        + _element("desc", desc)
        + _element("periodNumber", period)
        + _element("trDt", date)
    )
    return "<transaction>" + head + "\n" + "\n".join(lines) + "\n</transaction>"


def journal(jrn_id: str, desc: str, transactions: Sequence[str], journal_type: str = "G") -> str:
    head = _element("jrnID", jrn_id) + _element("desc", desc) + _element("jrnTp", journal_type)
    return "<journal>" + head + "\n" + "\n".join(transactions) + "\n</journal>"


def opening_balance(date: str, lines: Sequence[tuple[str, str, str]], totals: bool = True) -> str:
    """An ``openingBalance`` of (account, amount, D/C) lines, with its own totals when ``totals``."""
    debit = sum((Decimal(a) for _, a, s in lines if s == "D"), Decimal(0))
    credit = sum((Decimal(a) for _, a, s in lines if s == "C"), Decimal(0))
    head = _element("opBalDate", date) + _element("opBalDesc", None)
    if totals:
        head += (
            _element("linesCount", len(lines))
            + _element("totalDebit", debit)
            + _element("totalCredit", credit)
        )
    body = "\n".join(
        f"<obLine><nr>{i}</nr><accID>{escape(acc)}</accID><amnt>{amount}</amnt><amntTp>{side}</amntTp></obLine>"
        for i, (acc, amount, side) in enumerate(lines, start=1)
    )
    return f"<openingBalance>{head}\n{body}\n</openingBalance>"


def auditfile(
    journals: Sequence[str] = (),
    *,
    namespace: str | None = NS32,
    opening: str | None = None,
    accounts: Iterable[tuple[str, str, str]] = (("1000", "Kas", "B"), ("8000", "Omzet", "P")),
    relations: Iterable[tuple[str, str]] = (),
    year: int = 2025,
    totals: tuple[int, str, str] | None = None,
    prolog: str = '<?xml version="1.0" encoding="UTF-8"?>',
    header: str = "",
) -> bytes:
    """A whole audit file: header, company (accounts, relations, monthly periods), the opening balance
    and the journals given; ``totals`` = (linesCount, totalDebit, totalCredit) of its transactions."""
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    periods = "".join(
        f"<period><periodNumber>{m}</periodNumber><startDatePeriod>{dt.date(year, m, 1)}</startDatePeriod>"
        f"<endDatePeriod>{dt.date(year, m, calendar.monthrange(year, m)[1])}</endDatePeriod></period>"
        for m in range(1, 13)
    )
    ledger = "".join(
        f"<ledgerAccount><accID>{a}</accID><accDesc>{escape(d)}</accDesc><accTp>{t}</accTp></ledgerAccount>"
        for a, d, t in accounts
    )
    custsup = "".join(
        f"<customerSupplier><custSupID>{i}</custSupID><custSupName>{escape(n)}</custSupName></customerSupplier>"
        for i, n in relations
    )
    counted = ""
    if totals is not None:
        counted = _element("linesCount", totals[0]) + _element("totalDebit", totals[1])
        counted += _element("totalCredit", totals[2])
    parts = [
        prolog,
        f"<auditfile{xmlns}>",
        f"<header><fiscalYear>{year}</fiscalYear><startDate>{year}-01-01</startDate>"
        f"<endDate>{year}-12-31</endDate><curCode>EUR</curCode><dateCreated>{year + 1}-01-15</dateCreated>"
        f"<softwareDesc>Testpakket</softwareDesc><softwareVersion>1</softwareVersion>{header}</header>",
        "<company><companyIdent>1</companyIdent><companyName>Proef B.V.</companyName>"
        "<taxRegistrationCountry>NL</taxRegistrationCountry><taxRegIdent>NL000000000B01</taxRegIdent>",
        f"<customersSuppliers>{custsup}</customersSuppliers>" if custsup else "",
        f"<generalLedger>{ledger}</generalLedger>",
        f"<periods>{periods}</periods>",
        opening or "",
        "<transactions>" + counted,
        *journals,
        "</transactions>",
        "</company>",
        "</auditfile>",
    ]
    return ("\n".join(p for p in parts if p) + "\n").encode("utf-8")


# --- a generated file of any size ---------------------------------------------------------------------

_ACCOUNTS = (
    ("1100", "Bank", "B"),
    ("1300", "Debiteuren", "B"),
    ("1600", "Crediteuren", "B"),
    ("1500", "Te vorderen btw", "B"),
    ("1510", "Af te dragen btw", "B"),
    ("4000", "Lonen en salarissen", "P"),
    ("4300", "Huisvestingskosten", "P"),
    ("4500", "Kantoorkosten", "P"),
    ("8000", "Omzet hoog", "P"),
)
_WORDS = ("Factuur", "Betaling", "Huur", "Kantoorartikelen", "Energie", "Overboeking", "Café-rekening")


def synthetic_lines(lines: int, seed: int = 1) -> Iterator[tuple[int, dt.date, list[tuple[str, int, str]]]]:
    """The transactions of a generated year: (number, date, [(account, cents, D/C), ...]), balanced
    invoices of three lines and payments of two, exactly ``lines`` lines in all (one line, when one is
    asked for, is a transaction of its own that cannot balance)."""
    rng = random.Random(seed)
    given, number = 0, 0
    start = dt.date(2025, 1, 1)
    while given < lines:
        number += 1
        date = start + dt.timedelta(days=rng.randrange(365))
        cents = rng.randrange(100, 2_000_000)
        left = lines - given
        invoice = rng.random() < 0.5
        if left == 1:
            parts = [("1100", cents, "D")]
        elif left == 3 or (left >= 5 and invoice):  # an invoice: debtor, revenue and VAT
            vat = cents * 21 // 100
            parts = [("1300", cents + vat, "D"), ("8000", cents, "C"), ("1510", vat, "C")]
        else:  # a payment: a cost against the bank
            parts = [(("4000", "4300", "4500")[cents % 3], cents, "D"), ("1100", cents, "C")]
        given += len(parts)
        yield number, date, parts


def write_xaf(path: Path, lines: int, *, seed: int = 1, namespace: str | None = NS32) -> Path:
    """Write an audit file of ``lines`` transaction lines (a year of payments and invoices over three
    journals, with relations, cost centres and VAT codes) to ``path``, chunk by chunk; the file's own
    totals are those of its lines."""
    debit = credit = 0
    for _number, _date, parts in synthetic_lines(lines, seed):
        for _account, cents, side in parts:
            if side == "D":
                debit += cents
            else:
                credit += cents
    rng = random.Random(seed + 1)
    head = auditfile(
        (),
        namespace=namespace,
        accounts=_ACCOUNTS,
        relations=[(str(10000 + i), f"Relatie {i}") for i in range(200)],
        totals=(lines, f"{Decimal(debit) / 100:.2f}", f"{Decimal(credit) / 100:.2f}"),
    ).decode("utf-8")
    before, _, after = head.partition("</transactions>")
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(before)
        current: str | None = None
        chunk: list[str] = []
        for number, date, parts in synthetic_lines(lines, seed):
            code, name = ("20", "Verkoopboek") if parts[0][0] == "1300" else ("50", "Bankboek")
            if code != current:
                if current is not None:
                    chunk.append("</journal>")
                chunk.append(f"<journal><jrnID>{code}</jrnID><desc>{name}</desc><jrnTp>G</jrnTp>")
                current = code
            relation = str(10000 + rng.randrange(200))
            chunk.append(
                f"<transaction><nr>{number}</nr><desc>{rng.choice(_WORDS)} {number}</desc>"
                f"<periodNumber>{date.month}</periodNumber><trDt>{date}</trDt>"
            )
            for seq, (account, cents, side) in enumerate(parts, start=1):
                chunk.append(
                    f"<trLine><nr>{seq}</nr><accID>{account}</accID><docRef>D{number}</docRef>"
                    f"<effDate>{date}</effDate><desc>{rng.choice(_WORDS)} {number}/{seq}</desc>"
                    f"<amnt>{cents // 100}.{cents % 100:02d}</amnt><amntTp>{side}</amntTp>"
                    f"<custSupID>{relation}</custSupID><invRef>F{number}</invRef>"
                    f"<costID>KP{rng.randrange(1, 9)}</costID>"
                    f"<vat><vatID>1</vatID><vatPerc>21.00</vatPerc><vatAmnt>0.00</vatAmnt>"
                    f"<vatAmntTp>D</vatAmntTp></vat></trLine>"
                )
            chunk.append("</transaction>")
            if len(chunk) >= 20_000:
                out.write("\n".join(chunk) + "\n")
                chunk = []
        if current is not None:
            chunk.append("</journal>")
        out.write("\n".join(chunk) + "\n")
        out.write("</transactions>" + after)
    return path
