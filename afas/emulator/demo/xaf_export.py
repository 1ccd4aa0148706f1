"""The shipped demo audit file: the books of the demo administration's first year in AFAS (2025) as
the package it came from exports them, an XAF 3.2 audit file, with the differences a reconciliation
should find.

The demo administration started in AFAS on 1 January 2025 with an opening balance taken over from its
previous package (AFAS's entry "Beginbalans 2025"), and that package kept the 2025 books alongside.
Its audit file is derived from the demo administration (seed 1, the app's default size), one
administration and one year: the opening entry becomes the file's opening balance (``openingBalance``,
dated 1 January), every other entry a transaction of its journal, numbered with AFAS's voucher
number. Then it is changed on purpose, reproducibly (a fixed random seed), and :class:`Planted` says
how:

- the opening balance taken over wrongly: one balance-sheet account 250.00 higher, equity with it;
- entries the previous package does not have (only in AFAS), and two it has that AFAS lacks (a bank
  interest charge and a depreciation correction: only in the audit file);
- an entry typed with another amount on both its lines (only in AFAS, and only in the audit file);
- an entry booked a few days later, in the next month (matched line by line; the balances per account
  and period differ in both months);
- a line booked on another cost account (matched line by line by its voucher; the balances of both
  accounts differ);
- a line split in two (one AFAS line, two lines summing to it: matched as a group).

``python -m afas.emulator.demo.xaf_export`` rewrites data/demo_previous_system.xaf; a test checks the
shipped file is exactly what this produces (tests/recon/test_xaf.py).
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = [
    "DEMO_XAF",
    "PreviousBooks",
    "Planted",
    "XafLine",
    "XafTransaction",
    "previous_books",
    "render_xaf",
    "write_demo_xaf",
]

DEMO_XAF = Path(__file__).resolve().parents[3] / "data" / "demo_previous_system.xaf"
UNIT, YEAR = 1, 2025
NAMESPACE = "http://www.auditfiles.nl/XAF/3.2"
SOFTWARE = ("Boekhouden Vorig Pakket", "9.4")
OPENING_ACCOUNT, EQUITY_ACCOUNT, OPENING_DELTA = "0300", "0800", Decimal("250.00")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class XafLine:
    """One transaction line; ``amount`` is signed as in ledger_lines (debit positive)."""

    seq: int
    account: str
    amount: Decimal
    description: str | None = None
    relation: str | None = None
    invoice: str | None = None
    vat_code: str | None = None
    vat_amount: Decimal | None = None


@dataclass(frozen=True)
class XafTransaction:
    journal: str
    voucher: str
    date: dt.date
    description: str | None
    lines: tuple[XafLine, ...]


@dataclass(frozen=True)
class Planted:
    """What was changed against AFAS, by voucher number (and line), to count what a comparison finds."""

    opening: tuple[tuple[str, Decimal], ...]
    """(account, how much higher the audit file's opening balance is than AFAS's)."""
    missing: tuple[str, ...]
    """Vouchers AFAS has and the audit file does not."""
    extra: tuple[str, ...]
    """Vouchers only the audit file has."""
    mistyped: tuple[tuple[str, Decimal], ...]
    """(voucher, how much larger every line's amount is, in its own direction)."""
    moved: tuple[tuple[str, dt.date, dt.date], ...]
    """(voucher, AFAS's date, the audit file's date): booked in the next month."""
    rebooked: tuple[tuple[str, int, str, str], ...]
    """(voucher, line, AFAS's account, the audit file's account)."""
    split: tuple[tuple[str, int], ...]
    """(voucher, line) of an AFAS line that the audit file holds as two lines."""


@dataclass(frozen=True)
class PreviousBooks:
    """The previous package's books of the year: what :func:`render_xaf` writes."""

    company: str
    accounts: tuple[tuple[str, str, str], ...]  # (accID, accDesc, accTp B/P)
    relations: tuple[tuple[str, str, str], ...]  # (custSupID, custSupName, custSupTp C/S)
    journals: tuple[tuple[str, str, str], ...]  # (jrnID, desc, jrnTp)
    vat_codes: tuple[tuple[str, str], ...]
    opening: tuple[tuple[str, Decimal], ...]  # (account, signed balance)
    transactions: tuple[XafTransaction, ...]
    planted: Planted = field(compare=False)


_JOURNAL_TYPES = {"I": "P", "V": "S", "K": "C", "B": "B", "M": "M"}  # AFAS's journal type: XAF's jrnTp


def _lines(rows: Iterable[tuple]) -> dict[int, list[tuple]]:
    by_entry: dict[int, list[tuple]] = {}
    for row in rows:
        by_entry.setdefault(row[0], []).append(row)
    return by_entry


def previous_books(emulator: object, seed: int = YEAR) -> PreviousBooks:
    """The previous package's 2025 books of the demo emulator's administration 1, with the planted
    differences (see the module docstring)."""
    cur = emulator.store.cursor()  # type: ignore[attr-defined]
    company = cur.execute("SELECT name FROM administration WHERE unit = ?", [UNIT]).fetchall()[0][0]
    accounts = tuple(
        (a, d, "B" if t in ("1", "2") else "P")
        for a, d, t in cur.execute(
            "SELECT account, description, type FROM account ORDER BY account"
        ).fetchall()
    )
    journals = tuple(
        (j, d, _JOURNAL_TYPES.get(t, "M"))
        for j, d, t in cur.execute(
            "SELECT journal_id, description, journal_type FROM journal WHERE unit = ? ORDER BY journal_id",
            [UNIT],
        ).fetchall()
    )
    vat_codes = tuple(cur.execute("SELECT vat_code, description FROM vat_code ORDER BY vat_code").fetchall())
    rows = cur.execute(
        "SELECT entry_no, seq_no, journal_id, voucher_no, entry_date, description, account_no, ac_nr, "
        "amt_debit - amt_credit, invoice_id, vat_code, vat_amt FROM entry_line "
        "WHERE unit = ? AND year = ? ORDER BY entry_no, seq_no",
        [UNIT, YEAR],
    ).fetchall()
    relation_names = dict(
        cur.execute(
            "SELECT debtor_id, p.name FROM debtor JOIN party p USING (bc_co) UNION ALL "
            "SELECT creditor_id, p.name FROM creditor JOIN party p USING (bc_co)"
        ).fetchall()
    )
    debtors = {r[0] for r in cur.execute("SELECT debtor_id FROM debtor").fetchall()}
    opening: list[tuple[str, Decimal]] = []
    transactions: list[XafTransaction] = []
    for entry in _lines(rows).values():
        _, _, journal, voucher, date, description = entry[0][:6]
        if journal == "80" and (description or "").startswith("Beginbalans"):
            opening += [(row[6], row[8]) for row in entry]
            continue
        lines = tuple(
            XafLine(
                seq,
                account,
                amount,
                text,
                relation if relation != account else None,
                invoice,
                vat,
                vat_amount,
            )
            for _, seq, _, _, _, text, account, relation, amount, invoice, vat, vat_amount in entry
        )
        transactions.append(XafTransaction(journal, voucher, date, description, lines))
    used = sorted({ln.relation for t in transactions for ln in t.lines if ln.relation})
    relations = tuple((r, relation_names.get(r, r), "C" if r in debtors else "S") for r in used)
    books = PreviousBooks(
        company, accounts, relations, journals, vat_codes, tuple(opening), tuple(transactions), _NONE
    )
    return _plant(books, random.Random(seed))


_NONE = Planted((), (), (), (), (), (), ())


def _plant(books: PreviousBooks, rng: random.Random) -> PreviousBooks:
    """The books with the planted differences, and the record of them."""
    plain = [
        i
        for i, t in enumerate(books.transactions)
        if 2 <= len(t.lines) <= 3 and not any(ln.invoice or ln.relation for ln in t.lines)
    ]
    rng.shuffle(plain)
    costs = {a for a, _, kind in books.accounts if kind == "P" and a.startswith("4")}
    taken: set[int] = set()

    def pick(candidates: Iterable[int]) -> int:
        found = next(i for i in candidates if i not in taken)
        taken.add(found)
        return found

    missing = [pick(plain), pick(plain)]
    mistyped = pick(i for i in plain if len(books.transactions[i].lines) == 2)
    moved = pick(
        i for i in plain if books.transactions[i].date.month < 12 and books.transactions[i].date.day >= 20
    )
    rebooked = pick(i for i in plain if any(ln.account in costs for ln in books.transactions[i].lines))
    order = list(range(len(books.transactions)))
    rng.shuffle(order)
    split = pick(
        i
        for i in order
        if i not in plain
        and any(ln.account in costs | {"7000"} and abs(ln.amount) >= 20 for ln in books.transactions[i].lines)
    )
    out: list[XafTransaction] = []
    planted_moves, planted_rebooks, planted_splits = [], [], []
    delta = Decimal(rng.choice(["9.00", "90.00", "0.90"]))
    for i, t in enumerate(books.transactions):
        if i in missing:
            continue
        if i == mistyped:
            t = replace(
                t,
                lines=tuple(
                    replace(ln, amount=ln.amount + (delta if ln.amount > 0 else -delta)) for ln in t.lines
                ),
            )
        elif i == moved:
            last = calendar.monthrange(t.date.year, t.date.month)[1]
            later = t.date + dt.timedelta(days=last - t.date.day + rng.randint(1, 3))
            planted_moves.append((t.voucher, t.date, later))
            t = replace(t, date=later)
        elif i == rebooked:
            line = next(ln for ln in t.lines if ln.account in costs)
            other = sorted(costs - {line.account})[rng.randrange(len(costs) - 1)]
            planted_rebooks.append((t.voucher, line.seq, line.account, other))
            t = replace(t, lines=tuple(replace(ln, account=other) if ln is line else ln for ln in t.lines))
        elif i == split:
            line = next(ln for ln in t.lines if ln.account in costs | {"7000"} and abs(ln.amount) >= 20)
            first = (line.amount * Decimal("0.6")).quantize(_CENT)
            parts = (
                replace(line, amount=first),
                replace(line, amount=line.amount - first, seq=len(t.lines) + 1),
            )
            planted_splits.append((t.voucher, line.seq))
            t = replace(t, lines=tuple(p for ln in t.lines for p in (parts if ln is line else (ln,))))
        out.append(t)
    extra = _extra(books, rng)
    out += extra
    taken_over = {account for account, _ in books.opening} >= {OPENING_ACCOUNT, EQUITY_ACCOUNT}
    opening = tuple(
        (account, amount + OPENING_DELTA if account == OPENING_ACCOUNT else amount - OPENING_DELTA)
        if taken_over and account in (OPENING_ACCOUNT, EQUITY_ACCOUNT)
        else (account, amount)
        for account, amount in books.opening
    )
    planted = Planted(
        opening=((OPENING_ACCOUNT, OPENING_DELTA), (EQUITY_ACCOUNT, -OPENING_DELTA)) if taken_over else (),
        missing=tuple(books.transactions[i].voucher for i in missing),
        extra=tuple(t.voucher for t in extra),
        mistyped=((books.transactions[mistyped].voucher, delta),),
        moved=tuple(planted_moves),
        rebooked=tuple(planted_rebooks),
        split=tuple(planted_splits),
    )
    return replace(books, opening=opening, transactions=tuple(out), planted=planted)


def _extra(books: PreviousBooks, rng: random.Random) -> list[XafTransaction]:
    """The entries only the previous package booked: bank interest in June, a depreciation correction
    in September (voucher numbers AFAS's numbering never reaches)."""
    interest = Decimal(rng.randint(2101, 4999)) / 100
    correction = Decimal(rng.randint(30001, 59999)) / 100
    return [
        XafTransaction(
            "50",
            f"BK{YEAR % 100}900001",
            dt.date(YEAR, 6, 30),
            "Rente rekening-courant ING 2e kwartaal",
            (XafLine(1, "4800", interest), XafLine(2, "1100", -interest)),
        ),
        XafTransaction(
            "80",
            f"MB{YEAR % 100}900001",
            dt.date(YEAR, 9, 30),
            "Correctie afschrijving inventaris",
            (XafLine(1, "4700", correction), XafLine(2, "0200", -correction)),
        ),
    ]


# --- the file ---------------------------------------------------------------------------------------


def _e(name: str, value: object | None) -> str:
    return "" if value is None else f"<{name}>{escape(str(value))}</{name}>"


def _amount(value: Decimal) -> tuple[str, str]:
    return f"{abs(value):.2f}", ("D" if value >= 0 else "C")


def _trline(line: XafLine, date: dt.date, fallback: str | None) -> str:
    amount, side = _amount(line.amount)
    vat = ""
    if line.vat_code is not None:
        vat_amount, vat_side = _amount(line.vat_amount or Decimal(0))
        vat = (
            f"<vat><vatID>{escape(line.vat_code)}</vatID><vatAmnt>{vat_amount}</vatAmnt>"
            f"<vatAmntTp>{vat_side}</vatAmntTp></vat>"
        )
    return (
        f"<trLine><nr>{line.seq}</nr><accID>{escape(line.account)}</accID><docRef/><effDate>{date}</effDate>"
        f"{_e('desc', line.description or fallback)}<amnt>{amount}</amnt><amntTp>{side}</amntTp>"
        f"{_e('custSupID', line.relation)}{_e('invRef', line.invoice)}{vat}</trLine>"
    )


def render_xaf(books: PreviousBooks) -> bytes:
    """The books as an XAF 3.2 audit file (UTF-8, one transaction line per line of the file)."""
    first, last = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<auditfile xmlns="{NAMESPACE}">',
        f"  <header><fiscalYear>{YEAR}</fiscalYear><startDate>{first}</startDate><endDate>{last}</endDate>"
        f"<curCode>EUR</curCode><dateCreated>{YEAR + 1}-01-20</dateCreated>"
        f"<softwareDesc>{SOFTWARE[0]}</softwareDesc><softwareVersion>{SOFTWARE[1]}</softwareVersion></header>",
        "  <company>",
        f"    <companyIdent>DEMO{UNIT}</companyIdent>{_e('companyName', books.company)}"
        "<taxRegistrationCountry>NL</taxRegistrationCountry><taxRegIdent>NL001234567B01</taxRegIdent>",
        "    <customersSuppliers>",
        *(
            f"      <customerSupplier><custSupID>{escape(i)}</custSupID>{_e('custSupName', n)}"
            f"<custSupTp>{t}</custSupTp></customerSupplier>"
            for i, n, t in books.relations
        ),
        "    </customersSuppliers>",
        "    <generalLedger>",
        *(
            f"      <ledgerAccount><accID>{escape(a)}</accID>{_e('accDesc', d)}<accTp>{t}</accTp>"
            "</ledgerAccount>"
            for a, d, t in books.accounts
        ),
        "    </generalLedger>",
        "    <vatCodes>",
        *(
            f"      <vatCode><vatID>{escape(v)}</vatID>{_e('vatDesc', d)}</vatCode>"
            for v, d in books.vat_codes
        ),
        "    </vatCodes>",
        "    <periods>",
        *(
            f"      <period><periodNumber>{m}</periodNumber><startDatePeriod>{dt.date(YEAR, m, 1)}"
            f"</startDatePeriod><endDatePeriod>{dt.date(YEAR, m, calendar.monthrange(YEAR, m)[1])}"
            "</endDatePeriod></period>"
            for m in range(1, 13)
        ),
        "    </periods>",
    ]
    if books.opening:
        debit = sum((a for _, a in books.opening if a >= 0), Decimal(0))
        credit = -sum((a for _, a in books.opening if a < 0), Decimal(0))
        out += [
            "    <openingBalance>",
            f"      <opBalDate>{first}</opBalDate><opBalDesc>Beginbalans {YEAR}</opBalDesc>"
            f"<linesCount>{len(books.opening)}</linesCount><totalDebit>{debit:.2f}</totalDebit>"
            f"<totalCredit>{credit:.2f}</totalCredit>",
            *(
                "      <obLine><nr>{}</nr><accID>{}</accID><amnt>{}</amnt><amntTp>{}</amntTp>"
                "</obLine>".format(n, escape(account), *_amount(amount))
                for n, (account, amount) in enumerate(books.opening, start=1)
            ),
            "    </openingBalance>",
        ]
    lines = [ln for t in books.transactions for ln in t.lines]
    debit = sum((ln.amount for ln in lines if ln.amount >= 0), Decimal(0))
    credit = -sum((ln.amount for ln in lines if ln.amount < 0), Decimal(0))
    out += [
        "    <transactions>",
        f"      <linesCount>{len(lines)}</linesCount><totalDebit>{debit:.2f}</totalDebit>"
        f"<totalCredit>{credit:.2f}</totalCredit>",
    ]
    for journal, description, kind in books.journals:
        entries = sorted(
            (t for t in books.transactions if t.journal == journal), key=lambda t: (t.date, t.voucher)
        )
        if not entries:
            continue
        out.append(
            f"      <journal><jrnID>{escape(journal)}</jrnID>{_e('desc', description)}<jrnTp>{kind}</jrnTp>"
        )
        for t in entries:
            out.append(
                f"        <transaction><nr>{escape(t.voucher)}</nr>{_e('desc', t.description)}"
                f"<periodNumber>{t.date.month}</periodNumber><trDt>{t.date}</trDt>"
            )
            out += [f"          {_trline(ln, t.date, t.description)}" for ln in t.lines]
            out.append("        </transaction>")
        out.append("      </journal>")
    out += ["    </transactions>", "  </company>", "</auditfile>"]
    return ("\n".join(out) + "\n").encode("utf-8")


def write_demo_xaf(path: Path = DEMO_XAF) -> Path:
    from afas.emulator.core import Emulator  # the app's default demo: seed 1, 20,000 journal lines

    emulator = Emulator(seed=1, transactions=20000)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_xaf(previous_books(emulator)))
    return path


if __name__ == "__main__":
    print(write_demo_xaf())
