"""How the requested number of journal lines is shared out over the entry generators."""

from __future__ import annotations

import numpy as np

from afas.emulator.demo.book import Book
from afas.emulator.demo.cash import add_cash, add_deposits
from afas.emulator.demo.dates import Calendar
from afas.emulator.demo.invoices import add_purchases, add_sales
from afas.emulator.demo.periodic import (
    add_vat_returns,
    monthly_revenue,
    opening_balance,
    recurring,
    vat_quarters,
)
from afas.emulator.demo.relations import Relations

__all__ = ["plan"]


def plan(seed: int, transactions: int, rels: Relations, cal: Calendar) -> Book:
    """All journal entries, sized to ``transactions`` lines (exact up to one line).

    Periodic entries take at most a fifth of the lines (small demos get them for fewer months);
    invoices, their payments and petty cash fill the rest; cash deposits top up the last few lines.
    Periodic amounts depend on the revenue generated, but their line count does not.
    """
    nominal = {1: 40_000_000, 2: 20_000_000}
    no_cash = np.zeros((2, cal.n_months + 1), np.int64)
    opening = opening_balance(nominal, cal).lines() if transactions >= 400 else 0
    months, periodic, vat_lines = np.zeros(0, np.int64), 0, 0
    for stride in range(1, cal.n_months + 1 if transactions >= 100 else 1):
        trial = np.arange(0, cal.n_months, stride)
        lines = sum(
            g.lines() for g in recurring(np.random.default_rng([seed, 2]), trial, nominal, no_cash, cal)
        )
        vat = 6 * len(vat_quarters(cal)) if stride == 1 else 0
        if opening + lines + vat <= transactions // 5:
            months, periodic, vat_lines = trial, lines, vat
            break
    book = Book()
    budget = transactions - opening - periodic - vat_lines
    sales, purchases = budget * 52 // 100, budget * 38 // 100
    add_sales(book, np.random.default_rng([seed, 3]), sales, rels, cal)
    add_purchases(book, np.random.default_rng([seed, 4]), purchases, rels, cal)
    add_cash(book, np.random.default_rng([seed, 5]), budget - sales - purchases, cal)
    revenue, cash_sales = monthly_revenue(book, cal)
    if opening:
        book.add(opening_balance(revenue, cal))
    for group in recurring(np.random.default_rng([seed, 2]), months, revenue, cash_sales, cal):
        book.add(group)
    if vat_lines:
        add_vat_returns(book, cal)
    add_deposits(book, np.random.default_rng([seed, 6]), (transactions - book.lines) // 2, cal)
    return book
