"""The plan of the ledger: entry kinds, and the book that collects entries and their lines as numpy
columns, one group of same-kind entries at a time (amounts in signed integer cents).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np

from afas.emulator.demo.master import JOURNAL_CODES

__all__ = ["Kind", "KINDS", "KIND_JOURNAL", "KIND_ORDER", "NAT", "Slot", "Group", "Book"]


class Kind(enum.IntEnum):
    OPEN = 0
    SINV = 1
    SCN = 2
    PINV = 3
    PCN = 4
    REC = 5
    REC_PART = 6
    REC_REST = 7
    REFUND = 8
    PAY = 9
    PAY_PART = 10
    PAY_REST = 11
    PREFUND = 12
    CASH_EXP = 13
    CASH_SALE = 14
    CASH_DEP = 15
    SAL = 16
    SALPAY = 17
    LHPAY = 18
    DEPR = 19
    BANKCOST = 20
    ACCR = 21
    ACCR_REV = 22
    STOCK = 23
    STOCKDIFF = 24
    INTEREST = 25
    VAT = 26


# kind: journal, order among entries of one day, description
KINDS: dict[Kind, tuple[str, int, str]] = {
    Kind.OPEN: ("80", 0, "Beginbalans {year}"),
    Kind.SINV: ("20", 1, "Factuur {inv} {name}"),
    Kind.SCN: ("20", 1, "Creditnota {inv} {name}"),
    Kind.PINV: ("10", 1, "Inkoopfactuur {inv} {name}"),
    Kind.PCN: ("10", 1, "Creditnota inkoop {inv} {name}"),
    Kind.REC: ("50", 3, "Betaling factuur {inv} {name}"),
    Kind.REC_PART: ("50", 3, "Deelbetaling factuur {inv} {name}"),
    Kind.REC_REST: ("50", 3, "Restbetaling factuur {inv} {name}"),
    Kind.REFUND: ("50", 3, "Terugbetaling creditnota {inv} {name}"),
    Kind.PAY: ("50", 3, "Betaling factuur {inv} {name}"),
    Kind.PAY_PART: ("50", 3, "Deelbetaling factuur {inv} {name}"),
    Kind.PAY_REST: ("50", 3, "Restbetaling factuur {inv} {name}"),
    Kind.PREFUND: ("50", 3, "Ontvangst creditnota {inv} {name}"),
    Kind.CASH_EXP: ("40", 2, "{item}"),
    Kind.CASH_SALE: ("40", 2, "Contante verkoop"),
    Kind.CASH_DEP: ("50", 3, "Storting kasgeld"),
    Kind.SAL: ("80", 4, "Salarissen {month} {year}"),
    Kind.SALPAY: ("50", 3, "Uitbetaling salarissen {month} {year}"),
    Kind.LHPAY: ("50", 3, "Afdracht loonheffing {month} {year}"),
    Kind.DEPR: ("80", 4, "Afschrijvingen {month} {year}"),
    Kind.BANKCOST: ("50", 3, "Bankkosten ING {month} {year}"),
    Kind.ACCR: ("82", 4, "Nog te betalen huur {month} {year}"),
    Kind.ACCR_REV: ("82", 4, "Terugboeking nog te betalen huur {month} {year}"),
    Kind.STOCK: ("95", 4, "Voorraadmutatie {month} {year}"),
    Kind.STOCKDIFF: ("95", 4, "Voorraadverschillen telling {q}e kwartaal {year}"),
    Kind.INTEREST: ("50", 3, "Rente lening ING {q}e kwartaal {year}"),
    Kind.VAT: ("50", 3, "Btw-aangifte {q}e kwartaal {year}"),
}


KIND_JOURNAL = np.array([JOURNAL_CODES.index(KINDS[k][0]) for k in Kind])
KIND_ORDER = np.array([KINDS[k][1] for k in Kind])


NAT = np.datetime64("NaT", "D")
_Col = np.ndarray | int


@dataclass
class Slot:
    """One line position of the entries of a group; a line whose amount is zero is left out."""

    acc: _Col  # account index (for a relation line: the relation's collective account)
    amt: np.ndarray  # signed cents: positive debit, negative credit
    va_as: int = 1
    rel: bool = False  # AcNr is the entry's debtor/creditor
    vat: _Col = -1  # VAT code index, -1 none
    vat_amt: np.ndarray | None = None
    due: np.ndarray | None = None
    inv: bool = False  # the line carries the entry's invoice number

    def take(self, keep: np.ndarray) -> Slot:
        def t(x: Any) -> Any:
            return x[keep] if isinstance(x, np.ndarray) else x

        return Slot(
            t(self.acc),
            t(self.amt),
            self.va_as,
            self.rel,
            t(self.vat),
            t(self.vat_amt),
            t(self.due),
            self.inv,
        )


@dataclass
class Group:
    kind: _Col
    unit: _Col
    date: np.ndarray
    slots: list[Slot]
    rel: _Col = -1
    ref: _Col = -1  # entry id of the invoice a payment settles
    aux: _Col = 0  # month index (0 = first year's January) of periodic entries, item of petty-cash entries

    def lines(self) -> int:
        return sum(int(np.count_nonzero(s.amt)) for s in self.slots)


class Book:
    """Entries and lines as growing lists of numpy columns."""

    def __init__(self) -> None:
        self.n = 0
        self.lines = 0
        self.e: dict[str, list[np.ndarray]] = {k: [] for k in ("kind", "unit", "date", "rel", "ref", "aux")}
        self.ln: dict[str, list[np.ndarray]] = {
            k: []
            for k in (
                "eid",
                "seq",
                "acc",
                "va_as",
                "rel",
                "amt",
                "vat",
                "vat_amt",
                "has_vat_amt",
                "due",
                "inv",
            )
        }

    def add(self, g: Group) -> np.ndarray:
        n = len(g.date)
        ids = np.arange(self.n, self.n + n)
        self.n += n

        def full(x: Any, dtype: Any = np.int64) -> np.ndarray:
            return np.broadcast_to(np.asarray(x, dtype=dtype), (n,))

        for key, val in (("kind", g.kind), ("unit", g.unit), ("rel", g.rel), ("ref", g.ref), ("aux", g.aux)):
            self.e[key].append(full(val).copy())
        self.e["date"].append(np.asarray(g.date, dtype="datetime64[D]"))

        def stack(values: list[Any], dtype: Any = np.int64) -> np.ndarray:
            return np.stack([full(v, dtype) for v in values], axis=1)

        amt = stack([s.amt for s in g.slots])
        mask = amt != 0
        flat = mask.ravel()
        cols = {
            "eid": np.repeat(ids, len(g.slots)),
            "seq": np.cumsum(mask, axis=1),
            "amt": amt,
            "acc": stack([s.acc for s in g.slots]),
            "va_as": stack([s.va_as for s in g.slots]),
            "rel": stack([s.rel for s in g.slots], bool),
            "vat": stack([s.vat for s in g.slots]),
            "vat_amt": stack([0 if s.vat_amt is None else s.vat_amt for s in g.slots]),
            "has_vat_amt": stack([s.vat_amt is not None for s in g.slots], bool),
            "due": stack([NAT if s.due is None else s.due for s in g.slots], "datetime64[D]"),
            "inv": stack([s.inv for s in g.slots], bool),
        }
        for key, val in cols.items():
            self.ln[key].append(val.ravel()[flat])
        self.lines += int(flat.sum())
        return ids

    def entry(self, key: str) -> np.ndarray:
        return np.concatenate(self.e[key]) if self.e[key] else np.zeros(0, np.int64)

    def line(self, key: str) -> np.ndarray:
        return np.concatenate(self.ln[key])
