"""Sales and purchase invoices (and credit notes) with the bank entries that settle them, fully,
in two parts or partly, sized to a line budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from afas.emulator.demo.book import NAT, Book, Group, Kind, Slot
from afas.emulator.demo.dates import Calendar
from afas.emulator.demo.master import ACC_IX, VAT_IX
from afas.emulator.demo.relations import Relations
from afas.emulator.demo.sampling import lognormal, pick_mix, random_units, vat_of

__all__ = ["add_sales", "add_purchases"]

# (account, VAT code, weight) per administration
_SALES_MIX = {
    1: (("8010", "1", 68), ("8100", "2", 25), ("8000", "1", 5), ("8074", "1", 2)),
    2: (("8000", "1", 50), ("8074", "1", 30), ("8010", "1", 15), ("8100", "2", 5)),
}
_PURCHASE_MIX = {
    1: (
        ("7000", "5", 50),
        ("4210", "5", 8),
        ("4510", "5", 6),
        ("4300", "5", 8),
        ("4100", "5", 5),
        ("4350", "5", 4),
        ("4400", "5", 5),
        ("4520", "5", 4),
        ("4530", "5", 4),
        ("4600", "6", 6),
    ),
    2: (
        ("4530", "5", 22),
        ("4510", "5", 12),
        ("4210", "5", 15),
        ("4300", "5", 12),
        ("4100", "5", 8),
        ("4350", "5", 10),
        ("4400", "5", 8),
        ("4520", "5", 6),
        ("4600", "6", 7),
    ),
}


@dataclass
class _Settlement:
    status: np.ndarray  # 0 open, 1 paid, 2 paid in two parts, 3 partly paid, 4 credit note refunded
    first: np.ndarray  # amount of the first payment (cents, unsigned)
    first_date: np.ndarray
    first_in: np.ndarray  # the first payment falls in the booking range
    second_date: np.ndarray
    second_in: np.ndarray


def _settle(
    rng: np.random.Generator,
    date: np.ndarray,
    gross: np.ndarray,
    days: np.ndarray,
    credit_note: np.ndarray,
    p_paid: float,
    p_two: float,
    p_part: float,
    spread: tuple[float, float],
    cal: Calendar,
) -> _Settlement:
    """How and when invoices get paid; payments after the last booking day do not happen (yet)."""
    n = len(date)
    u = rng.random(n)
    status = np.select([u < p_paid, u < p_paid + p_two, u < p_paid + p_two + p_part], [1, 2, 3], 0)
    status = np.where(credit_note, np.where(u < 0.6, 4, 0), status)
    status = np.where(np.isin(status, (2, 3)) & (gross < 2000), 1, status)
    delay = np.maximum(np.rint(days * rng.uniform(*spread, n) + rng.normal(0.0, 4.0, n)), 1).astype(np.int64)
    delay = np.where(days == 0, rng.integers(0, 4, n), delay)
    delay = np.where(credit_note, rng.integers(5, 30, n), delay)
    first_date = cal.workday_on_or_after(date + delay)
    second_date = cal.workday_on_or_after(first_date + rng.integers(14, 46, n))
    part = (gross * rng.uniform(0.3, 0.7, n) // 100).astype(np.int64) * 100
    first = np.where(np.isin(status, (2, 3)), part, gross)
    first_in = (status > 0) & (first_date <= cal.last_day)
    return _Settlement(
        status,
        first,
        first_date,
        first_in,
        second_date,
        (status == 2) & first_in & (second_date <= cal.last_day),
    )


def _payments(
    book: Book,
    s: _Settlement,
    sl: slice,
    invoices: np.ndarray,
    unit: np.ndarray,
    rel: np.ndarray,
    collect: np.ndarray,
    open_amt: np.ndarray,
    va_as: int,
    kinds: tuple[Kind, Kind, Kind, Kind],
) -> None:
    """Bank entries settling invoices: bank line against the relation line carrying the invoice number.

    ``open_amt`` is the signed amount the invoice put on the relation (positive debit); payments
    book the opposite on the relation and the same on the bank.
    """
    paid, part, rest, refund = kinds
    status = s.status[sl]
    first_kind = np.select([status == 4, np.isin(status, (2, 3))], [refund, part], paid)
    sign = np.sign(open_amt)
    for sel, kind, amount, when in (
        (s.first_in[sl], first_kind, s.first[sl], s.first_date[sl]),
        (s.second_in[sl], np.full(len(status), rest), np.abs(open_amt) - s.first[sl], s.second_date[sl]),
    ):
        amt = (sign * amount)[sel]
        book.add(
            Group(
                kind[sel],
                unit[sel],
                when[sel],
                rel=rel[sel],
                ref=invoices[sel],
                slots=[Slot(ACC_IX["1100"], amt), Slot(collect[sel], -amt, va_as=va_as, rel=True, inv=True)],
            )
        )


def _take_prefix(lines: np.ndarray, budget: int) -> int:
    """How many leading candidates fit in the line budget."""
    return int(np.searchsorted(np.cumsum(lines), budget, side="right"))


def add_sales(book: Book, rng: np.random.Generator, budget: int, rels: Relations, cal: Calendar) -> None:
    m = budget // 2 + 8
    unit = random_units(rng, m)
    deb = rng.choice(rels.debtor_pool, m, p=rels.debtor_p)
    date = cal.workdays[rng.integers(0, len(cal.workdays), m)]
    credit_note = rng.random(m) < 0.03
    foreign = rels.foreign[deb]
    two = (rng.random(m) < 0.3) & ~foreign
    acc1, vat1 = pick_mix(rng, unit, _SALES_MIX)
    acc2, vat2 = pick_mix(rng, unit, _SALES_MIX)
    acc1 = np.where(foreign, ACC_IX["8200"], acc1)
    vat1 = np.where(foreign, VAT_IX["0"], vat1)
    median = np.where(unit == 1, 65_000, 240_000)
    sigma = np.where(unit == 1, 0.9, 0.8)
    net1 = lognormal(rng, median, sigma, m, 1_000, 25_000_000)
    net2 = np.where(two, lognormal(rng, median // 2, sigma, m, 500, 10_000_000), 0)
    v1, v2 = vat_of(net1, vat1), vat_of(net2, vat2)
    high = np.where(vat1 == VAT_IX["1"], v1, 0) + np.where(vat2 == VAT_IX["1"], v2, 0)
    low = np.where(vat1 == VAT_IX["2"], v1, 0) + np.where(vat2 == VAT_IX["2"], v2, 0)
    gross = net1 + net2 + high + low
    days = rels.pay_days[deb]
    s = _settle(rng, date, gross, days, credit_note, 0.80, 0.07, 0.03, (0.5, 1.3), cal)
    lines = 2 + two + (high > 0) + (low > 0) + 2 * s.first_in + 2 * s.second_in
    k = _take_prefix(lines, budget)
    if k == 0:
        return
    sl = slice(0, k)
    unit, deb, date, cn = unit[sl], deb[sl], date[sl], credit_note[sl]
    sign = np.where(cn, -1, 1)
    gross, days = gross[sl], days[sl]
    ids = book.add(
        Group(
            np.where(cn, Kind.SCN, Kind.SINV),
            unit,
            date,
            rel=deb,
            slots=[
                Slot(
                    rels.collect[deb],
                    sign * gross,
                    va_as=2,
                    rel=True,
                    inv=True,
                    due=np.where(cn, NAT, date + days),
                ),
                Slot(acc1[sl], -sign * net1[sl], vat=vat1[sl], vat_amt=sign * v1[sl], inv=True),
                Slot(acc2[sl], -sign * net2[sl], vat=vat2[sl], vat_amt=sign * v2[sl], inv=True),
                Slot(ACC_IX["1510"], -sign * high[sl], vat=VAT_IX["1"], inv=True),
                Slot(ACC_IX["1510"], -sign * low[sl], vat=VAT_IX["2"], inv=True),
            ],
        )
    )
    _payments(
        book,
        s,
        sl,
        ids,
        unit,
        deb,
        rels.collect[deb],
        sign * gross,
        2,
        (Kind.REC, Kind.REC_PART, Kind.REC_REST, Kind.REFUND),
    )


def add_purchases(book: Book, rng: np.random.Generator, budget: int, rels: Relations, cal: Calendar) -> None:
    m = budget // 2 + 8
    unit = random_units(rng, m)
    cred = rng.choice(rels.creditor_pool, m, p=rels.creditor_p)
    date = cal.workdays[rng.integers(0, len(cal.workdays), m)]
    credit_note = rng.random(m) < 0.02
    foreign = rels.foreign[cred]
    two = (rng.random(m) < 0.25) & ~foreign
    acc1, vat1 = pick_mix(rng, unit, _PURCHASE_MIX)
    acc2, vat2 = pick_mix(rng, unit, _PURCHASE_MIX)
    vat1 = np.where(foreign, VAT_IX["7"], vat1)
    median = np.where(acc1 == ACC_IX["7000"], 110_000, 22_000)
    net1 = lognormal(rng, median, 0.9, m, 500, 20_000_000)
    net2 = np.where(two, lognormal(rng, 12_000, 0.9, m, 300, 5_000_000), 0)
    v1, v2 = vat_of(net1, vat1), vat_of(net2, vat2)
    high = np.where(vat1 == VAT_IX["5"], v1, 0) + np.where(vat2 == VAT_IX["5"], v2, 0)
    low = np.where(vat1 == VAT_IX["6"], v1, 0) + np.where(vat2 == VAT_IX["6"], v2, 0)
    gross = net1 + net2 + high + low
    days = rels.pay_days[cred]
    s = _settle(rng, date, gross, days, credit_note, 0.85, 0.03, 0.02, (0.8, 1.05), cal)
    lines = 2 + two + (high > 0) + (low > 0) + 2 * s.first_in + 2 * s.second_in
    k = _take_prefix(lines, budget)
    if k == 0:
        return
    sl = slice(0, k)
    unit, cred, date, cn = unit[sl], cred[sl], date[sl], credit_note[sl]
    sign = np.where(cn, -1, 1)
    gross, days = gross[sl], days[sl]
    ids = book.add(
        Group(
            np.where(cn, Kind.PCN, Kind.PINV),
            unit,
            date,
            rel=cred,
            slots=[
                Slot(
                    rels.collect[cred],
                    -sign * gross,
                    va_as=3,
                    rel=True,
                    inv=True,
                    due=np.where(cn, NAT, date + days),
                ),
                Slot(acc1[sl], sign * net1[sl], vat=vat1[sl], vat_amt=sign * v1[sl], inv=True),
                Slot(acc2[sl], sign * net2[sl], vat=vat2[sl], vat_amt=sign * v2[sl], inv=True),
                Slot(ACC_IX["1500"], sign * high[sl], vat=VAT_IX["5"], inv=True),
                Slot(ACC_IX["1500"], sign * low[sl], vat=VAT_IX["6"], inv=True),
            ],
        )
    )
    _payments(
        book,
        s,
        sl,
        ids,
        unit,
        cred,
        rels.collect[cred],
        -sign * gross,
        3,
        (Kind.PAY, Kind.PAY_PART, Kind.PAY_REST, Kind.PREFUND),
    )
