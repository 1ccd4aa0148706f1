"""The shipped demo bank statement: what ING reported for the demo administration's bank account (ledger
account 1100 "Bank", journal 50 "Bankboek ING" of administration 1), as a CAMT.053.001.02 file (ISO
20022 BankToCustomerStatement) with one statement per calendar month, so a month-end close finds a
statement that ends on the month's last day.

The statements are derived from the demo administration (seed 1, the app's default size): every line
on 1100, both years, becomes an entry of the statement of its month (money into the account, a debit
on 1100, is ``CRDT``), with the counterparty's name and IBAN where the line's entry has a debtor or
creditor, and the entry's description as the remittance text. AFAS's opening entry ("Beginbalans
2025") is no bank movement: its amount on 1100 is the first statement's opening balance. Each
statement's opening balance is the previous one's closing balance, and opening plus entries is its
closing balance, in every statement; the closing balance is dated the month's last day.

Then, in one month (:data:`PLANTED_YEAR`, :data:`PLANTED_MONTH`), the statement is made to differ from
AFAS as a month-end close should find, reproducibly (a fixed random seed), and :class:`Planted` says
how:

- bank costs (:data:`BANK_COSTS`) the bank charged that AFAS has not booked (only on the statement);
- a customer payment the bank received on the month's last day that AFAS booked in the first days of
  the next month (a timing difference: the month's balances differ, the next month's agree again);
- a customer payment AFAS booked :data:`AMOUNT_OFF` higher than the bank received it.

The bank costs and the amount off stay in every later month's difference (nothing in AFAS books them),
so from the planted month on the statement's balance minus AFAS's is :meth:`Planted.difference`.

``python -m afas.emulator.demo.bank_export`` rewrites data/demo_bank_statement.xml; a test checks the
shipped file is exactly what this produces (tests/emulator/test_bank_export.py).
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = [
    "ACCOUNT",
    "AMOUNT_OFF",
    "BANK_COSTS",
    "DEMO_BANK_IBAN",
    "DEMO_STATEMENT",
    "PLANTED_MONTH",
    "PLANTED_YEAR",
    "BankEntry",
    "Planted",
    "bank_entries",
    "bank_statement",
    "render_statement",
    "write_demo_statement",
]

DEMO_STATEMENT = Path(__file__).resolve().parents[3] / "data" / "demo_bank_statement.xml"
UNIT, ACCOUNT, JOURNAL = 1, "1100", "50"
DEMO_BANK_IBAN = "NL69INGB0123456789"
"""The demo administration's ING account (mod-97 check digits right, the account number passes the
elfproef too)."""
BIC = "INGBNL2A"
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
PLANTED_YEAR, PLANTED_MONTH = 2026, 9
"""The month whose statement differs from AFAS on purpose: two months before the demo's last month
with bank movement (November 2026), so the next month shows the timing difference resolved."""
BANK_COSTS = Decimal("-12.50")
"""The bank costs only on the statement, signed as on 1100 (money out: negative)."""
BANK_COSTS_TEXT = "Kosten spoedbetaling ING"
AMOUNT_OFF = Decimal("0.10")
"""How much more AFAS booked for one customer payment than the bank received."""
SEED = PLANTED_YEAR * 100 + PLANTED_MONTH
_USTRD = 140  # the most characters of one Ustrd


@dataclass(frozen=True)
class BankEntry:
    """One entry of the statement; ``amount`` signed as on ledger account 1100 (money in positive)."""

    date: dt.date
    amount: Decimal
    description: str
    name: str | None = None
    iban: str | None = None
    voucher: str | None = None
    """AFAS's voucher of the line it comes from (None for what only the bank has); not in the file."""


@dataclass(frozen=True)
class Planted:
    """What the statement has that AFAS's 1100 has not, to count what a month-end close finds. Amounts
    are signed as on 1100 (money into the bank account positive)."""

    year: int
    month: int
    unbooked: tuple[tuple[dt.date, Decimal, str], ...]
    """(date, amount, description) of what only the statement has: the bank costs."""
    early: tuple[tuple[str, dt.date, dt.date, Decimal], ...]
    """(voucher, AFAS's date, the bank's date, amount): received on the month's last day, booked by
    AFAS in the next month."""
    differing: tuple[tuple[str, dt.date, Decimal, Decimal], ...]
    """(voucher, date, AFAS's amount, the bank's amount)."""

    def difference(self, day: dt.date) -> Decimal:
        """The statement's balance minus AFAS's balance of 1100 at the end of ``day``."""
        total = sum((amount for date, amount, _ in self.unbooked if date <= day), Decimal(0))
        total += sum((amount for _, afas, bank, amount in self.early if bank <= day < afas), Decimal(0))
        total += sum((bank - afas for _, date, afas, bank in self.differing if date <= day), Decimal(0))
        return total


# --- the entries ------------------------------------------------------------------------------------


def _afas_lines(emulator: object) -> tuple[Decimal, list[BankEntry], str]:
    """AFAS's opening balance of 1100, its other lines on 1100 as bank entries (in booking order), and
    the administration's name."""
    cur = emulator.store.cursor()  # type: ignore[attr-defined]
    company = cur.execute("SELECT name FROM administration WHERE unit = ?", [UNIT]).fetchall()[0][0]
    rows = cur.execute(
        """
        WITH relation AS (
            SELECT entry_no, min(ac_nr) AS ac_nr FROM entry_line
            WHERE unit = ? AND ac_nr <> account_no GROUP BY entry_no),
        parties AS (
            SELECT debtor_id AS ac_nr, bc_co FROM debtor UNION ALL
            SELECT creditor_id, bc_co FROM creditor)
        SELECT l.journal_id, l.voucher_no, l.entry_date, l.description, l.amt_debit - l.amt_credit,
               p.name, p.iban
        FROM entry_line l
        LEFT JOIN relation r USING (entry_no)
        LEFT JOIN parties q ON q.ac_nr = r.ac_nr
        LEFT JOIN party p ON p.bc_co = q.bc_co
        WHERE l.unit = ? AND l.account_no = ?
        ORDER BY l.entry_date, l.entry_no, l.seq_no
        """,
        [UNIT, UNIT, ACCOUNT],
    ).fetchall()
    opening = Decimal(0)
    entries: list[BankEntry] = []
    for journal, voucher, date, description, amount, name, iban in rows:
        if journal == "80" and (description or "").startswith("Beginbalans"):
            if entries:
                raise ValueError(f"an opening entry on {ACCOUNT} after its first movement ({voucher})")
            opening += amount
            continue
        if journal != JOURNAL:
            raise ValueError(f"a line on {ACCOUNT} in journal {journal} ({voucher}): not a bank movement")
        entries.append(BankEntry(date, amount, description or "", name, iban, voucher))
    return opening, entries, company


def _is_receipt(entry: BankEntry) -> bool:
    return entry.amount > 0 and entry.name is not None and entry.description.startswith("Betaling factuur V")


def _plant(entries: list[BankEntry], rng: random.Random) -> tuple[list[BankEntry], Planted]:
    year, month = PLANTED_YEAR, PLANTED_MONTH
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    following = last + dt.timedelta(days=1)
    in_month = [e for e in entries if (e.date.year, e.date.month) == (year, month)]
    if not in_month or not any(e.date >= following for e in entries):
        raise ValueError(f"the demo has no bank movement in {year}-{month:02d} and after: plant elsewhere")
    # a customer payment AFAS booked in the first days of the next month: the bank's is the last day
    early = rng.choice(
        [e for e in entries if _is_receipt(e) and following <= e.date <= following + dt.timedelta(6)]
    )
    # a customer payment of the month AFAS booked higher than the bank received it
    differing = rng.choice([e for e in in_month if _is_receipt(e) and e.amount > 10 * AMOUNT_OFF])
    workdays = [
        dt.date(year, month, d)
        for d in range(10, last.day - 3)
        if dt.date(year, month, d).weekday() < 5 and any(e.date.day == d for e in in_month)
    ]
    costs = BankEntry(rng.choice(workdays), BANK_COSTS, BANK_COSTS_TEXT)
    moved = replace(early, date=last)
    out = [
        replace(e, amount=e.amount - AMOUNT_OFF) if e is differing else e for e in entries if e is not early
    ]
    for added in (costs, moved):  # after the day's other entries
        out.insert(bisect.bisect_right([e.date for e in out], added.date), added)
    planted = Planted(
        year,
        month,
        unbooked=((costs.date, costs.amount, costs.description),),
        early=((early.voucher or "", early.date, last, early.amount),),
        differing=(
            (differing.voucher or "", differing.date, differing.amount, differing.amount - AMOUNT_OFF),
        ),
    )
    return out, planted


def bank_entries(emulator: object, seed: int = SEED) -> tuple[Decimal, list[BankEntry], Planted, str]:
    """The first statement's opening balance, the statement entries of all months (in booking order,
    with the planted differences), the record of them and the account holder's name."""
    opening, entries, company = _afas_lines(emulator)
    planted_entries, planted = _plant(entries, random.Random(seed))
    return opening, planted_entries, planted, company


# --- the file ---------------------------------------------------------------------------------------


def _e(name: str, value: object | None) -> str:
    return "" if value is None else f"<{name}>{escape(str(value))}</{name}>"


def _side(amount: Decimal) -> str:
    return "CRDT" if amount >= 0 else "DBIT"


def _balance(code: str, amount: Decimal, day: dt.date) -> str:
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{abs(amount):.2f}</Amt>'
        f"<CdtDbtInd>{_side(amount)}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
    )


def _code(entry: BankEntry) -> tuple[str, str, str]:
    """The entry's bank transaction code (domain, family, sub-family)."""
    text = entry.description
    if text.startswith(("Bankkosten", "Kosten")):
        return "ACMT", "MDOP", "CHRG"
    if text.startswith("Rente"):
        return "ACMT", "MDOP", "INTR"
    if text.startswith("Storting"):
        return "PMNT", "CNTR", "CDPT"
    if text.startswith("Uitbetaling salarissen"):
        return "PMNT", "ICDT", "SALA"
    return ("PMNT", "RCDT", "ESCT") if entry.amount >= 0 else ("PMNT", "ICDT", "ESCT")


def _entry(entry: BankEntry, reference: str) -> str:
    domain, family, sub = _code(entry)
    party = ""
    if entry.name is not None:
        role = "Dbtr" if entry.amount >= 0 else "Cdtr"
        account = f"<{role}Acct><Id><IBAN>{escape(entry.iban)}</IBAN></Id></{role}Acct>" if entry.iban else ""
        party = f"<RltdPties><{role}>{_e('Nm', entry.name)}</{role}>{account}</RltdPties>"
    return (
        f'<Ntry><Amt Ccy="EUR">{abs(entry.amount):.2f}</Amt><CdtDbtInd>{_side(entry.amount)}</CdtDbtInd>'
        f"<Sts>BOOK</Sts><BookgDt><Dt>{entry.date}</Dt></BookgDt><ValDt><Dt>{entry.date}</Dt></ValDt>"
        f"<AcctSvcrRef>{reference}</AcctSvcrRef><BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{family}</Cd>"
        f"<SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls>{party}"
        f"<RmtInf>{_e('Ustrd', entry.description[:_USTRD])}</RmtInf></TxDtls></NtryDtls></Ntry>"
    )


def _months(entries: Iterable[BankEntry]) -> list[tuple[int, int]]:
    dates = [e.date for e in entries]
    first, last = min(dates), max(dates)
    months, (year, month) = [], (first.year, first.month)
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _summary(entries: list[BankEntry]) -> str:
    credits = [e.amount for e in entries if e.amount >= 0]
    debits = [-e.amount for e in entries if e.amount < 0]
    net = sum(credits, Decimal(0)) - sum(debits, Decimal(0))
    return (
        f"<TxsSummry><TtlNtries><NbOfNtries>{len(entries)}</NbOfNtries>"
        f"<Sum>{sum(credits, Decimal(0)) + sum(debits, Decimal(0)):.2f}</Sum>"
        f"<TtlNetNtryAmt>{abs(net):.2f}</TtlNetNtryAmt><CdtDbtInd>{_side(net)}</CdtDbtInd></TtlNtries>"
        f"<TtlCdtNtries><NbOfNtries>{len(credits)}</NbOfNtries><Sum>{sum(credits, Decimal(0)):.2f}</Sum>"
        f"</TtlCdtNtries><TtlDbtNtries><NbOfNtries>{len(debits)}</NbOfNtries>"
        f"<Sum>{sum(debits, Decimal(0)):.2f}</Sum></TtlDbtNtries></TxsSummry>"
    )


def render_statement(opening: Decimal, entries: list[BankEntry], company: str) -> bytes:
    """The entries as one CAMT.053.001.02 message with a statement per calendar month (UTF-8, every
    entry on a line of its own)."""
    months = _months(entries)
    by_month: dict[tuple[int, int], list[BankEntry]] = {m: [] for m in months}
    for e in entries:
        by_month[(e.date.year, e.date.month)].append(e)
    end_year, end_month = months[-1]
    created = dt.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1]) + dt.timedelta(1)
    first = dt.date(*months[0], 1)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<Document xmlns="{NAMESPACE}">',
        "<BkToCstmrStmt>",
        f"<GrpHdr><MsgId>CAMT053-{DEMO_BANK_IBAN}-{first:%Y%m%d}-{created:%Y%m%d}</MsgId>"
        f"<CreDtTm>{created}T06:00:00</CreDtTm></GrpHdr>",
    ]
    balance = opening
    for number, (year, month) in enumerate(months, start=1):
        start = dt.date(year, month, 1)
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        lines = by_month[(year, month)]
        closing = balance + sum((e.amount for e in lines), Decimal(0))
        out += [
            f"<Stmt><Id>{year}-{month:02d}</Id><ElctrncSeqNb>{number}</ElctrncSeqNb>"
            f"<CreDtTm>{end + dt.timedelta(1)}T06:00:00</CreDtTm>"
            f"<FrToDt><FrDtTm>{start}T00:00:00</FrDtTm><ToDtTm>{end}T23:59:59</ToDtTm></FrToDt>"
            f"<Acct><Id><IBAN>{DEMO_BANK_IBAN}</IBAN></Id><Ccy>EUR</Ccy><Ownr>{_e('Nm', company)}</Ownr>"
            f"<Svcr><FinInstnId><BIC>{BIC}</BIC></FinInstnId></Svcr></Acct>",
            _balance("OPBD", balance, start),
            _balance("CLBD", closing, end),
            _summary(lines),
        ]
        per_day: dict[dt.date, int] = {}
        for e in lines:
            per_day[e.date] = per_day.get(e.date, 0) + 1
            out.append(_entry(e, f"{e.date:%Y%m%d}{per_day[e.date]:04d}"))
        out.append("</Stmt>")
        balance = closing
    out += ["</BkToCstmrStmt>", "</Document>"]
    return ("\n".join(out) + "\n").encode("utf-8")


def bank_statement(emulator: object, seed: int = SEED) -> tuple[bytes, Planted]:
    """The demo emulator's bank statements of account 1100 as a CAMT.053 file, and what was planted."""
    opening, entries, planted, company = bank_entries(emulator, seed)
    return render_statement(opening, entries, company), planted


def write_demo_statement(path: Path = DEMO_STATEMENT) -> Path:
    from afas.emulator.core import Emulator  # the app's default demo: seed 1, 20,000 journal lines

    data, _ = bank_statement(Emulator(seed=1, transactions=20000))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


if __name__ == "__main__":
    print(write_demo_statement())
