"""Parties, debtors and creditors: the relations AFAS's official examples refer to, plus generated
ones sized to the ledger, as table rows and as the numpy columns the entry generator draws from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from afas.emulator.demo.master import ACC_IX, CUR_IX, PAY_DAYS
from afas.emulator.demo.people import People, vat_id

__all__ = ["Relations", "relation_counts", "make_relations"]

# Relations AFAS's official examples refer to: debtor -> (party number or None, kind, country, currency).
_NL_EUR = ("O", "NL", "EUR")
_PINNED_DEBTORS: dict[str, tuple[str | None, str, str, str]] = {
    "10004": (None, *_NL_EUR),
    "10044": (None, *_NL_EUR),
    "10060": (None, *_NL_EUR),
    "10079": ("1000203", *_NL_EUR),
    "10100": ("1000241", *_NL_EUR),
    "10114": (None, *_NL_EUR),
    "10140": ("1000310", *_NL_EUR),
    "10150": ("1000325", *_NL_EUR),
    "10178": ("1000372", *_NL_EUR),
    "10205": ("1000425", *_NL_EUR),
    "10208": (None, *_NL_EUR),
    "20000": (None, "O", "GB", "GBP"),
    "49999": (None, *_NL_EUR),
    "50001": (None, *_NL_EUR),
    "50009": ("1000798", "P", "NL", "EUR"),
}
_PINNED_CREDITORS: dict[str, tuple[str | None, str, str, str]] = {
    "50000": (None, *_NL_EUR),
    "50003": ("1000017", *_NL_EUR),
    "50005": ("1000021", *_NL_EUR),
    "50011": ("1000029", *_NL_EUR),
    "50013": (None, *_NL_EUR),
    "50017": ("1000040", *_NL_EUR),
    "50028": ("1000726", *_NL_EUR),
    "60002": (None, "O", "N", "NOK"),
    "60005": (None, *_NL_EUR),
    "60014": (None, *_NL_EUR),
    "60021": (None, *_NL_EUR),
    "60024": (None, "P", "NL", "EUR"),
}
_PINNED_PARTIES = {"1000002": "O", "1000169": "P", "1000348": "P"}  # parties that are no relation
_SPECIAL_NAMES = {"49999": "Diverse debiteuren", "50000": "Diverse crediteuren"}
# Keys the official examples create, so they must stay free.
_FREE_DEBTORS = frozenset({"125809", "125810", "20010", "20020", "20021", "40409", "40999", "49978"})
_FREE_CREDITORS = frozenset({"32301", "32303", "70000"})
_FREE_PARTIES = frozenset({"10001", "32300", "1001492"})
_COUNTRY_CURRENCY = {"N": "NOK", "S": "SEK", "CH": "CHF", "USA": "USD"}


@dataclass
class Relations:
    """Debtors then creditors, as rows for the tables and as columns for the entry generator."""

    parties: list[dict[str, Any]]
    debtors: list[dict[str, Any]]
    creditors: list[dict[str, Any]]
    ids: list[str]  # relation number, debtors first
    names: list[str]
    collect: np.ndarray  # collective account index
    currency: np.ndarray  # currency index
    pay_days: np.ndarray
    foreign: np.ndarray  # established outside the Netherlands
    debtor_pool: np.ndarray  # relation indices that may receive new invoices
    debtor_p: np.ndarray
    creditor_pool: np.ndarray
    creditor_p: np.ndarray


def relation_counts(transactions: int) -> tuple[int, int]:
    return (
        min(2000, max(len(_PINNED_DEBTORS) + 45, 60 + transactions // 500)),
        min(2000, max(len(_PINNED_CREDITORS) + 28, 40 + transactions // 750)),
    )


def _sample_ids(rng: np.random.Generator, ranges: list[range], n: int, taken: set[str]) -> list[str]:
    pool = np.concatenate([np.arange(r.start, r.stop) for r in ranges])
    pool = pool[~np.isin(pool.astype(str), sorted(taken))]
    return sorted(str(x) for x in rng.choice(pool, n, replace=False))


def make_relations(rng: np.random.Generator, n_debtors: int, n_creditors: int) -> Relations:
    people = People(rng)
    gen_debtors = _sample_ids(
        rng,
        [range(10001, min(49990, 10000 + max(400, 4 * n_debtors)))],
        n_debtors - len(_PINNED_DEBTORS),
        set(_PINNED_DEBTORS) | _FREE_DEBTORS,
    )
    gen_creditors = _sample_ids(
        rng,
        [range(50001, 50000 + max(200, 3 * n_creditors)), range(60001, 60000 + max(80, n_creditors))],
        n_creditors - len(_PINNED_CREDITORS),
        set(_PINNED_CREDITORS) | _FREE_CREDITORS,
    )

    # Party numbers are handed out in creation order; unpinned relations take sorted free numbers.
    pinned_parties = {p for p, *_ in (*_PINNED_DEBTORS.values(), *_PINNED_CREDITORS.values()) if p}
    pinned_parties |= set(_PINNED_PARTIES)
    unpinned_d = [
        d
        for d in sorted({*gen_debtors, *_PINNED_DEBTORS}, key=int)
        if _PINNED_DEBTORS.get(d, (None,))[0] is None
    ]
    unpinned_c = [
        c
        for c in sorted({*gen_creditors, *_PINNED_CREDITORS}, key=int)
        if _PINNED_CREDITORS.get(c, (None,))[0] is None
    ]
    needed = len(unpinned_d) + len(unpinned_c)
    span = max(850, int(needed * 1.6) + 20)
    free = np.array(
        [
            n
            for n in range(1000001, 1000001 + span + 1)
            if str(n) not in pinned_parties and str(n) not in _FREE_PARTIES
        ]
    )
    numbers = np.sort(rng.choice(free, needed, replace=False)).astype(str).tolist()
    order = rng.permutation(np.r_[np.zeros(len(unpinned_d), int), np.ones(len(unpinned_c), int)])
    queues = [iter(unpinned_d), iter(unpinned_c)]
    party_of: dict[tuple[int, str], str] = {}
    for label, number in zip(order.tolist(), numbers, strict=True):
        party_of[(label, next(queues[label]))] = number

    def stamp(bc_co: str) -> tuple[dt.datetime, dt.datetime]:
        off = int(bc_co) - 1000000
        created = dt.datetime(2014, 1, 6, 9) + dt.timedelta(
            days=off * 3990 // (span + 1), seconds=(off * 7919) % 28800
        )
        changed = created + dt.timedelta(days=int(rng.integers(30, 2000)), seconds=int(rng.integers(0, 3600)))
        return created, min(changed, dt.datetime(2024, 12, 20, 16)) if rng.random() < 0.3 else created

    parties: dict[str, dict[str, Any]] = {}

    def make_party(
        bc_co: str, kind: str, country: str, customer: bool, name: str | None = None
    ) -> dict[str, Any]:
        row = people.party(bc_co, kind, country, customer, name)
        row["created"], row["modified"] = stamp(bc_co)
        row["fields"] = None
        parties[bc_co] = row
        return row

    for bc_co, kind in _PINNED_PARTIES.items():
        make_party(bc_co, kind, "NL", True)

    def country_of(customer: bool) -> str:
        u = rng.random()
        if customer:
            return "NL" if u < 0.90 else "B" if u < 0.94 else "D" if u < 0.97 else "GB"
        for limit, country in (
            (0.86, "NL"),
            (0.91, "D"),
            (0.95, "B"),
            (0.97, "GB"),
            (0.98, "N"),
            (0.99, "S"),
            (0.995, "CH"),
        ):
            if u < limit:
                return country
        return "USA"

    def relation_rows(
        ids: list[str], pinned: dict[str, tuple[str | None, str, str, str]], label: int, customer: bool
    ) -> list[dict[str, Any]]:
        rows = []
        for rid in sorted(ids, key=int):
            if rid in pinned:
                bc_co, kind, country, currency = pinned[rid]
                bc_co = bc_co or party_of[(label, rid)]
                blocked = False
            else:
                bc_co = party_of[(label, rid)]
                kind = "P" if rng.random() < (0.12 if customer else 0.04) else "O"
                country = country_of(customer) if kind == "O" else "NL"
                currency = _COUNTRY_CURRENCY.get(
                    country, "GBP" if country == "GB" and rng.random() < 0.5 else "EUR"
                )
                blocked = bool(rng.random() < 0.03)
            party = make_party(bc_co, kind, country, customer, _SPECIAL_NAMES.get(rid))
            if rid in _SPECIAL_NAMES:  # a collective relation for one-off customers/suppliers
                party |= {"coc_nr": None, "phone": None, "email": None, "iban": None}
            if kind == "P" and rng.random() < 0.3:
                pay_con = "0"
            elif customer:
                pay_con = str(rng.choice(["30", "14", "8", "60", "0"], p=[0.5, 0.25, 0.1, 0.08, 0.07]))
            else:
                pay_con = str(rng.choice(["30", "14", "60", "8", "0"], p=[0.55, 0.25, 0.1, 0.05, 0.05]))
            created = party["created"] + dt.timedelta(seconds=120)
            row = {
                "bc_co": bc_co,
                "currency_id": currency,
                "pay_con": pay_con,
                "vat_duty": "1",
                "vat_id": vat_id(people, country) if kind == "O" else None,
                "credit_limit": (
                    Decimal(int(rng.choice([2500, 5000, 10000, 25000, 50000]))).quantize(Decimal("0.01"))
                    if kind == "O" and customer
                    else None
                ),
                "auto_payment": bool(kind == "P" and rng.random() < 0.5),
                "created": created,
                "modified": max(created, party["modified"]),
                "fields": None,
            }
            if customer:
                row |= {
                    "debtor_id": rid,
                    "collect_account": "1301"
                    if country != "NL"
                    else "1400"
                    if kind == "P" and rng.random() < 0.5
                    else "1300",
                    "blocked": blocked,
                    "blocked_total": bool(blocked and rng.random() < 0.3),
                }
            else:
                row |= {
                    "creditor_id": rid,
                    "collect_account": "1600",
                    "temp_blocked": bool(not blocked and rng.random() < 0.02),
                    "blocked": blocked,
                }
            rows.append(row)
        return rows

    debtors = relation_rows([*gen_debtors, *_PINNED_DEBTORS], _PINNED_DEBTORS, 0, True)
    creditors = relation_rows([*gen_creditors, *_PINNED_CREDITORS], _PINNED_CREDITORS, 1, False)
    rels = [*debtors, *creditors]
    n_d = len(debtors)

    def pool(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        idx = np.array(
            [
                i
                for i in range(lo, hi)
                if not rels[i]["blocked"]
                and not rels[i].get("temp_blocked")
                and (rels[i].get("debtor_id") or rels[i].get("creditor_id")) not in _SPECIAL_NAMES
            ]
        )
        weight = 1.0 / (rng.permutation(len(idx)) + 3.0) ** 0.8  # a few big customers, a long tail
        return idx, weight / weight.sum()

    debtor_pool, debtor_p = pool(0, n_d)
    creditor_pool, creditor_p = pool(n_d, len(rels))
    return Relations(
        parties=[parties[k] for k in sorted(parties)],
        debtors=debtors,
        creditors=creditors,
        ids=[r.get("debtor_id") or r["creditor_id"] for r in rels],
        names=[parties[r["bc_co"]]["name"] for r in rels],
        collect=np.array([ACC_IX[r["collect_account"]] for r in rels]),
        currency=np.array([CUR_IX[r["currency_id"]] for r in rels]),
        pay_days=np.array([PAY_DAYS[r["pay_con"]] for r in rels]),
        foreign=np.array([parties[r["bc_co"]]["country"] != "NL" for r in rels]),
        debtor_pool=debtor_pool,
        debtor_p=debtor_p,
        creditor_pool=creditor_pool,
        creditor_p=creditor_p,
    )
