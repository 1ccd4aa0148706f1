"""Petty cash: cash expenses and sales, and the cash deposits that top the ledger up to its size."""

from __future__ import annotations

import numpy as np

from afas.emulator.demo.book import Book, Group, Kind, Slot
from afas.emulator.demo.dates import Calendar
from afas.emulator.demo.master import ACC_IX, VAT_IX
from afas.emulator.demo.sampling import lognormal, random_units, vat_of

__all__ = ["CASH_ITEMS", "add_cash", "add_deposits"]

# description, account, VAT code of petty-cash expenses
CASH_ITEMS = (
    ("Kantoorartikelen", "4510", "5"),
    ("Parkeerkosten", "4300", "5"),
    ("Koffie en thee", "4600", "6"),
    ("Lunch klantbezoek", "4350", "6"),
    ("Schoonmaakmiddelen", "4100", "5"),
    ("Bloemen receptie", "4600", "6"),
    ("Tankbon", "4300", "5"),
    ("Boodschappen kantine", "4600", "6"),
    ("Treinkaartje", "4350", "6"),
)


def add_cash(book: Book, rng: np.random.Generator, budget: int, cal: Calendar) -> None:
    n = budget // 3
    sale = rng.random(n) < 0.3
    unit = np.where(sale, 1, random_units(rng, n))
    date = cal.workdays[rng.integers(0, len(cal.workdays), n)]
    item = rng.integers(0, len(CASH_ITEMS), n)
    acc = np.where(sale, ACC_IX["8010"], np.array([ACC_IX[i[1]] for i in CASH_ITEMS])[item])
    vat = np.where(sale, VAT_IX["1"], np.array([VAT_IX[i[2]] for i in CASH_ITEMS])[item])
    net = np.where(
        sale, lognormal(rng, 12_000, 0.7, n, 500, 200_000), lognormal(rng, 2_200, 0.6, n, 150, 40_000)
    )
    v = vat_of(net, vat)
    sign = np.where(sale, -1, 1)  # a sale credits revenue, an expense debits a cost account
    book.add(
        Group(
            np.where(sale, Kind.CASH_SALE, Kind.CASH_EXP),
            unit,
            date,
            aux=item,
            slots=[
                Slot(ACC_IX["1000"], -sign * (net + v)),
                Slot(acc, sign * net, vat=vat, vat_amt=v),
                Slot(np.where(sale, ACC_IX["1510"], ACC_IX["1500"]), sign * v, vat=vat),
            ],
        )
    )


def add_deposits(book: Book, rng: np.random.Generator, n: int, cal: Calendar) -> None:
    """Cash taken to the bank: two-line entries that top the ledger up to the requested size."""
    if n <= 0:
        return
    amt = rng.integers(10, 60, n) * 5_000
    book.add(
        Group(
            Kind.CASH_DEP,
            random_units(rng, n),
            cal.workdays[rng.integers(0, len(cal.workdays), n)],
            slots=[Slot(ACC_IX["1100"], amt), Slot(ACC_IX["1000"], -amt)],
        )
    )
