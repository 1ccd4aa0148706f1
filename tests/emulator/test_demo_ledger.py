"""The shipped demo ledger is what the demo administration produces, differences included."""

from __future__ import annotations

from decimal import Decimal

from afas.emulator.core import Emulator
from afas.emulator.demo.ledger_export import DEMO_LEDGER, demo_ledger_rows, render_csv


def test_the_shipped_demo_ledger_is_reproducible_and_holds_the_planted_differences():
    emulator = Emulator(seed=1, transactions=20000)  # the app's default demo environment
    rows = demo_ledger_rows(emulator)
    assert DEMO_LEDGER.read_bytes() == render_csv(rows), "run: python -m afas.emulator.demo.ledger_export"
    afas = (
        emulator.store.cursor()
        .execute(
            "SELECT count(*), sum(amt_debit - amt_credit) FROM entry_line "
            "WHERE unit = 1 AND account_no = '1100' AND year = 2026"
        )
        .fetchall()[0]
    )
    assert abs(len(rows) - afas[0]) < 20  # about as many lines, a few missing, a few extra, a few split
    assert sum(r.debit - r.credit for r in rows) != afas[1]  # the planted differences change the balance
    assert all(r.debit == r.debit.quantize(Decimal("0.01")) for r in rows)
    assert sum(1 for r in rows if not r.voucher) >= 4
    assert sum(1 for r in rows if r.voucher.startswith(("RNT", "BKN"))) == 5
    assert sum(1 for r in rows if "(deel " in r.description) >= 4
    text = DEMO_LEDGER.read_bytes().decode("cp1252")
    assert text.startswith("Datum;Boekstuk;Omschrijving;Rekening;Debet;Credit\r\n")


def test_the_shipped_demo_customer_list_is_reproducible():
    from afas.emulator.demo.master_export import DEMO_CUSTOMERS, NEW_CUSTOMERS, demo_customer_rows
    from afas.emulator.demo.master_export import render_csv as render_customers

    emulator = Emulator(seed=1, transactions=20000)
    rows = demo_customer_rows(emulator)
    assert DEMO_CUSTOMERS.read_bytes() == render_customers(rows), (
        "run: python -m afas.emulator.demo.master_export"
    )
    debtors = emulator.store.cursor().execute("SELECT count(*) FROM debtor").fetchall()[0][0]
    assert len(rows) == debtors - 2 + len(NEW_CUSTOMERS)
