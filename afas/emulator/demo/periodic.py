"""Periodic entries sized to the revenue: the opening balance, monthly salaries, depreciation, bank
costs, accruals, stock, interest and cash deposits, and the quarterly VAT returns.
"""

from __future__ import annotations

import numpy as np

from afas.emulator.demo.book import Book, Group, Kind, Slot
from afas.emulator.demo.dates import Calendar
from afas.emulator.demo.master import ACC_IX, ACCOUNTS

__all__ = ["opening_balance", "recurring", "monthly_revenue", "vat_quarters", "add_vat_returns"]

# Opening balance per administration, in months of average revenue (0800 Eigen vermogen balances it).
_OPENING = {
    1: {"0100": 2.1, "0200": 0.36, "0300": 0.24, "1100": 0.46, "1200": 0.6, "3000": 0.78, "0950": -1.0},
    2: {"0200": 0.3, "0300": 0.27, "0400": 0.15, "1100": 0.45, "1200": 0.55},
}


def opening_balance(revenue: dict[int, int], cal: Calendar) -> Group:
    accounts = ["0100", "0200", "0300", "0400", "1100", "1200", "3000", "0950"]
    amounts = np.array(
        [[round(revenue[u] * _OPENING[u].get(a, 0.0), -2) for a in accounts] for u in (1, 2)], np.int64
    )
    slots = [Slot(ACC_IX[a], amounts[:, i]) for i, a in enumerate(accounts)]
    slots.append(Slot(ACC_IX["0800"], -amounts.sum(axis=1)))
    return Group(Kind.OPEN, np.array([1, 2]), np.array([cal.first_day, cal.first_day]), slots)


def recurring(
    rng: np.random.Generator,
    months: np.ndarray,
    revenue: dict[int, int],
    cash_sales: np.ndarray,
    cal: Calendar,
) -> list[Group]:
    """Salaries, depreciation, bank costs, accruals, stock, interest and cash deposits for the months.

    Amounts follow the administration's average monthly revenue (cents), so the profit and loss
    account looks plausible at every scale; ``cash_sales`` (unit x month, cents) sizes the deposits.
    """
    unit = np.repeat([1, 2], len(months))
    m = np.tile(months, 2)
    n = len(m)
    size = np.where(unit == 1, revenue[1], revenue[2]).astype(float)
    groups: list[Group] = []

    def add(kind: Kind, date: np.ndarray, slots: list[Slot], only: np.ndarray | None = None) -> None:
        keep = (date <= cal.last_day) & (True if only is None else only)
        if keep.any():
            groups.append(Group(kind, unit[keep], date[keep], [s.take(keep) for s in slots], aux=m[keep]))

    def cents(x: np.ndarray) -> np.ndarray:
        return np.maximum(np.rint(x), 100).astype(np.int64)

    # Salaries: every new year brings a 3% raise, May the holiday allowance (8% of a year's pay).
    gross = cents(
        size
        * np.where(unit == 1, 0.15, 0.52)
        * np.power(1.03, m // 12)
        * (1 + rng.normal(0, 0.006, n))
        * np.where(m % 12 == 4, 1.96, 1.0)
    )
    social = gross * 21 // 100
    net = gross * 66 // 100
    tax = gross + social - net
    pay_day = cal.busday_offset(cal.month_first(m) + 24, 0, roll="backward")
    add(
        Kind.SAL,
        pay_day,
        [
            Slot(ACC_IX["4000"], gross),
            Slot(ACC_IX["4010"], social),
            Slot(ACC_IX["1700"], -net),
            Slot(ACC_IX["1710"], -tax),
        ],
    )
    add(
        Kind.SALPAY,
        cal.busday_offset(pay_day, 1),
        [Slot(ACC_IX["1700"], net), Slot(ACC_IX["1100"], -net)],
    )
    add(Kind.LHPAY, cal.last_workday(m + 1), [Slot(ACC_IX["1710"], tax), Slot(ACC_IX["1100"], -tax)])
    dep = {
        a: np.where(unit == 1, one, two) * size // 100 * 100
        for a, one, two in (("0200", 0.010, 0.008), ("0300", 0.016, 0.014), ("0400", 0.0, 0.006))
    }
    dep = {a: v.astype(np.int64) for a, v in dep.items()}
    add(
        Kind.DEPR,
        cal.last_workday(m),
        [Slot(ACC_IX["4700"], sum(dep.values())), *(Slot(ACC_IX[a], -v) for a, v in dep.items())],
    )
    fee = rng.integers(1_500, 7_500, n)
    add(Kind.BANKCOST, cal.first_workday(m), [Slot(ACC_IX["4620"], fee), Slot(ACC_IX["1100"], -fee)])
    rent = cents(size * np.where(unit == 1, 0.035, 0.045) // 100 * 100)
    add(Kind.ACCR, cal.last_workday(m), [Slot(ACC_IX["4100"], rent), Slot(ACC_IX["1901"], -rent)])
    add(Kind.ACCR_REV, cal.first_workday(m + 1), [Slot(ACC_IX["1901"], rent), Slot(ACC_IX["4100"], -rent)])
    stock = cents(size * rng.uniform(0.02, 0.15, n)) * rng.choice([-1, 1], n)
    add(
        Kind.STOCK,
        cal.last_workday(m),
        [Slot(ACC_IX["3000"], stock), Slot(ACC_IX["7000"], -stock)],
        unit == 1,
    )
    cash = np.maximum(cash_sales[unit - 1, m] * 9 // 10 // 1_000 * 1_000, 5_000)
    add(
        Kind.CASH_DEP,
        cal.workday_on_or_after(cal.month_first(m + 1)),
        [Slot(ACC_IX["1100"], cash), Slot(ACC_IX["1000"], -cash)],
        unit == 1,
    )
    quarter_end = (unit == 1) & (m % 3 == 2)
    diff = cents(size * rng.uniform(0.001, 0.006, n))
    add(
        Kind.STOCKDIFF,
        cal.last_workday(m),
        [Slot(ACC_IX["3300"], diff), Slot(ACC_IX["3020"], -diff)],
        quarter_end,
    )
    interest = cents(size * 0.01125)  # 4.5% a year on a loan of one month's revenue
    add(
        Kind.INTEREST,
        cal.last_workday(m),
        [Slot(ACC_IX["4800"], interest), Slot(ACC_IX["1100"], -interest)],
        quarter_end,
    )
    return groups


def monthly_revenue(book: Book, cal: Calendar) -> tuple[dict[int, int], np.ndarray]:
    """Average monthly net revenue per administration and cash sales per (unit, month), in cents."""
    acc, amt, eid = book.line("acc"), book.line("amt"), book.line("eid")
    unit, kind = book.entry("unit")[eid], book.entry("kind")[eid]
    month = cal.month_index(book.entry("date")[eid])
    is_revenue = np.isin(acc, [i for i, a in enumerate(ACCOUNTS) if a[2] == "3"])
    revenue = {u: max(int(-amt[is_revenue & (unit == u)].sum()) // cal.n_months, 500_000) for u in (1, 2)}
    cash_in = (kind == Kind.CASH_SALE) & (acc == ACC_IX["1000"])
    cash_sales = np.zeros((2, cal.n_months + 1), np.int64)
    np.add.at(cash_sales, (unit[cash_in] - 1, month[cash_in]), amt[cash_in])
    return revenue, cash_sales


def vat_quarters(cal: Calendar) -> list[int]:
    """The quarters (0 = the first year's first) whose VAT return falls in the booking range."""
    return [q for q in range(cal.n_months // 3 + 1) if cal.last_workday(3 * q + 3) <= cal.last_day]


def add_vat_returns(book: Book, cal: Calendar) -> None:
    """Quarterly VAT return per administration: clears 1510 and 1500 against the bank."""
    acc, amt, eid = book.line("acc"), book.line("amt"), book.line("eid")
    date = book.entry("date")[eid]
    unit = book.entry("unit")[eid]
    quarter = cal.month_index(date) // 3
    units, quarters, payable, reclaim = [], [], [], []
    for u in (1, 2):
        for q in vat_quarters(cal):
            sel = (unit == u) & (quarter == q)
            units.append(u)
            quarters.append(q)
            payable.append(-int(amt[sel & (acc == ACC_IX["1510"])].sum()))
            reclaim.append(int(amt[sel & (acc == ACC_IX["1500"])].sum()))
    if not units:
        return
    q = np.array(quarters)
    due, back = np.array(payable, np.int64), np.array(reclaim, np.int64)
    book.add(
        Group(
            Kind.VAT,
            np.array(units),
            cal.last_workday(3 * q + 3),
            aux=3 * q + 2,
            slots=[Slot(ACC_IX["1510"], due), Slot(ACC_IX["1500"], -back), Slot(ACC_IX["1100"], back - due)],
        )
    )
