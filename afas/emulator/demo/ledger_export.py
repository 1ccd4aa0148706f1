"""The shipped demo ledger: the bank account's general-ledger card as another bookkeeping system
exports it, with the differences a reconciliation should find.

It is derived from the demo administration (seed 1, the app's default size) for one account and
one year, written the way Dutch packages export (cp1252, ';', decimal comma, dd-mm-yyyy), and then
changed on purpose, reproducibly (a fixed random seed):

- lines the other system does not have (they show as only in AFAS),
- lines only the other system has: bank interest and charges nobody booked in AFAS,
- amounts typed wrong (same voucher, different amount: differing),
- lines without a voucher number and with the bank's value date a few days off (matched on amount
  and date window),
- payments the other system split in two (one AFAS line, two ledger lines summing to it).

``python -m afas.emulator.demo.ledger_export`` rewrites data/demo_ledger.csv; a test checks the
shipped file is exactly what this produces.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

__all__ = ["DEMO_LEDGER", "LedgerRow", "demo_ledger_rows", "render_csv", "write_demo_ledger"]

DEMO_LEDGER = Path(__file__).resolve().parents[3] / "data" / "demo_ledger.csv"
ACCOUNT, UNIT, YEAR = "1100", 1, 2026
HEADER = ("Datum", "Boekstuk", "Omschrijving", "Rekening", "Debet", "Credit")


@dataclass(frozen=True)
class LedgerRow:
    date: dt.date
    voucher: str
    description: str
    debit: Decimal
    credit: Decimal


def demo_ledger_rows(emulator: object, seed: int = 2026) -> list[LedgerRow]:
    """The ledger rows for the demo emulator's bank account in YEAR, with the planted differences."""
    cur = emulator.store.cursor()  # type: ignore[attr-defined]
    lines = cur.execute(
        "SELECT entry_date, voucher_no, description, amt_debit, amt_credit FROM entry_line "
        "WHERE unit = ? AND account_no = ? AND year = ? ORDER BY entry_date, entry_no, seq_no",
        [UNIT, ACCOUNT, YEAR],
    ).fetchall()
    rows = [LedgerRow(d, v or "", s or "", a, c) for d, v, s, a, c in lines]
    rng = random.Random(seed)
    picks = rng.sample(range(len(rows)), 21)
    missing, typo, shifted, split = picks[:6], picks[6:10], picks[10:16], picks[16:21]
    out: list[LedgerRow] = []
    for i, row in enumerate(rows):
        if i in missing:
            continue
        if i in typo:
            delta = Decimal(rng.choice(["0.01", "0.10", "9.00", "90.00"]))
            row = (
                replace(row, debit=row.debit + delta)
                if row.debit
                else replace(row, credit=row.credit + delta)
            )
        if i in shifted:
            row = replace(row, voucher="", date=row.date + dt.timedelta(days=rng.choice([1, 2, 3])))
        if i in split and (row.debit or row.credit) >= Decimal("20.00"):
            amount = row.debit or row.credit
            first = (amount * Decimal("0.4")).quantize(Decimal("0.01"))
            for part, suffix in ((first, " (deel 1)"), (amount - first, " (deel 2)")):
                out.append(
                    replace(
                        row,
                        description=row.description + suffix,
                        debit=part if row.debit else Decimal("0.00"),
                        credit=part if row.credit else Decimal("0.00"),
                    )
                )
            continue
        out.append(row)
    for month in (3, 6, 9):  # bank interest and charges the other system booked and AFAS did not
        out.append(
            LedgerRow(
                dt.date(YEAR, month, 28),
                f"RNT{month:02d}",
                f"Rente ING {month:02d}-{YEAR}",
                Decimal(rng.randint(500, 9999)) / 100,
                Decimal("0.00"),
            )
        )
    for month in (4, 8):
        out.append(
            LedgerRow(
                dt.date(YEAR, month, 30),
                f"BKN{month:02d}",
                "Kosten betaalverkeer zakelijk",
                Decimal("0.00"),
                Decimal(rng.randint(1200, 4099)) / 100,
            )
        )
    return sorted(out, key=lambda r: (r.date, r.voucher, r.description))


def _amount(value: Decimal) -> str:
    if not value:
        return ""
    text = f"{value:,.2f}"  # 1,234.56
    return text.replace(",", "_").replace(".", ",").replace("_", ".")  # 1.234,56


def render_csv(rows: list[LedgerRow]) -> bytes:
    lines = [";".join(HEADER)]
    for r in rows:
        description = r.description.replace(";", ",").replace('"', "'")
        lines.append(
            ";".join(
                [
                    r.date.strftime("%d-%m-%Y"),
                    r.voucher,
                    description,
                    ACCOUNT,
                    _amount(r.debit),
                    _amount(r.credit),
                ]
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def write_demo_ledger(path: Path = DEMO_LEDGER) -> Path:
    from afas.emulator.core import Emulator  # the app's default demo: seed 1, 20,000 journal lines

    emulator = Emulator(seed=1, transactions=20000)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_csv(demo_ledger_rows(emulator)))
    return path


if __name__ == "__main__":
    print(write_demo_ledger())
