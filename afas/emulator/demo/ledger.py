"""From the plan to Arrow tables: entry order and numbers, invoice and voucher numbers, descriptions,
timestamps, foreign-currency amounts, and the allocation rows of allocated lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from afas.emulator.demo.book import KIND_JOURNAL, KIND_ORDER, KINDS, Book, Kind
from afas.emulator.demo.cash import CASH_ITEMS
from afas.emulator.demo.dates import MONTH_NAMES, Calendar
from afas.emulator.demo.master import (
    ACC_CODES,
    ACTIVE_CODES,
    ALLOCATED,
    CURRENCIES,
    JOURNAL_CODES,
    PERCENTAGES,
    RATE_E4,
    VAT_CODES,
    VOUCHER_PREFIX,
)
from afas.emulator.demo.relations import Relations

__all__ = ["Ledger", "build_ledger"]


def _decimal(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """An exact DECIMAL(18,2) Arrow array from integer cents (little-endian 128-bit words)."""
    c = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(c), 2), dtype=np.int64)
    words[:, 0] = c
    words[:, 1] = c >> 63
    if valid is None:
        return pa.Array.from_buffers(pa.decimal128(18, 2), len(c), [None, pa.py_buffer(words)])
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(
        pa.decimal128(18, 2),
        len(c),
        [bitmap, pa.py_buffer(words)],
        null_count=int(len(c) - np.count_nonzero(valid)),
    )


def _rank_within(keys: np.ndarray) -> np.ndarray:
    """1-based running number of each element among the elements with the same key, in array order."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    ranks = np.arange(len(keys)) - np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    out = np.empty(len(keys), np.int64)
    out[order] = ranks + 1
    return out


def _strings(values: list[str | None], index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    indices = pa.array(index.astype(np.int32), mask=None if valid is None else ~valid)
    return pa.array(values, pa.string()).take(indices)


@dataclass
class Ledger:
    lines: pa.Table
    allocs: pa.Table
    entries: int


def build_ledger(book: Book, rels: Relations, rng: np.random.Generator, cal: Calendar) -> Ledger:
    kind, unit, date = book.entry("kind"), book.entry("unit"), book.entry("date")
    rel, ref, aux = book.entry("rel"), book.entry("ref"), book.entry("aux")
    eid = book.line("eid")
    ne = len(kind)
    used = np.flatnonzero(np.bincount(eid, minlength=ne) > 0)
    tiebreak = rng.permutation(ne)
    order = used[np.lexsort((tiebreak[used], KIND_ORDER[kind[used]], date[used], unit[used]))]
    final = np.full(ne, -1)
    final[order] = np.arange(len(order))
    kind, unit, date, rel, aux = kind[order], unit[order], date[order], rel[order], aux[order]
    ref = np.where(ref[order] >= 0, final[np.maximum(ref[order], 0)], -1)
    entry_no = _rank_within(unit)
    month = date.astype("datetime64[M]").astype(np.int64)
    year, period = month // 12 + 1970, month % 12 + 1

    # Booked during office hours on the entry date; a few entries were changed a few days later.
    day_key = unit * 1_000_000 + date.astype(np.int64)
    nth = _rank_within(day_key) - 1
    day_index = np.unique(day_key, return_inverse=True)[1]
    per_day = np.bincount(day_index)[day_index]
    created = date.astype("datetime64[s]") + (9 * 3600 + nth * 28_800 // per_day).astype("timedelta64[s]")
    changed = rng.random(len(kind)) < 0.03
    later = np.where(changed, rng.integers(86_400, 5 * 86_400, len(kind)), 0)
    modified = created + later.astype("timedelta64[s]")

    inv = np.full(len(kind), None, dtype=object)
    for kinds, fmt in (((Kind.SINV, Kind.SCN), "V{y}-{n:06d}"), ((Kind.PINV, Kind.PCN), "INK-{yy}{n:06d}")):
        sel = np.flatnonzero(np.isin(kind, kinds))
        numbers = _rank_within(unit[sel] * 10_000 + year[sel])
        inv[sel] = [
            fmt.format(y=y, yy=y % 100, n=n)
            for y, n in zip(year[sel].tolist(), numbers.tolist(), strict=True)
        ]
    paying = ref >= 0
    inv[paying] = inv[ref[paying]]
    journal = KIND_JOURNAL[kind]
    voucher_no = _rank_within((unit * 100 + journal) * 10_000 + year)
    prefixes = [VOUCHER_PREFIX.get(j, "MB") for j in JOURNAL_CODES]
    vouchers = [
        f"{prefixes[j]}{y % 100}{n:06d}"
        for j, y, n in zip(journal.tolist(), year.tolist(), voucher_no.tolist(), strict=True)
    ]
    names = np.array(rels.names + [""], dtype=object)
    items = np.array([i[0] for i in CASH_ITEMS], dtype=object)
    desc = np.full(len(kind), None, dtype=object)
    for k, (_, _, template) in KINDS.items():
        sel = np.flatnonzero(kind == k)
        if not len(sel):
            continue
        cols = (inv[sel], names[rel[sel]], aux[sel])
        desc[sel] = [
            template.format(
                inv=i,
                name=n,
                month=MONTH_NAMES[a % 12],
                year=cal.first_year + a // 12,
                q=a % 12 // 3 + 1,
                item=items[a % len(items)],
            )
            for i, n, a in zip(*(c.tolist() for c in cols), strict=True)
        ]

    # Lines, in (unit, entry_no, seq_no) order.
    le = final[eid]
    keep = np.lexsort((book.line("seq"), le))
    le = le[keep]
    seq = book.line("seq")[keep]
    acc, amt, va_as, is_rel, vat, due, vat_amt, has_vat_amt, has_inv = (
        book.line(k)[keep]
        for k in ("acc", "amt", "va_as", "rel", "vat", "due", "vat_amt", "has_vat_amt", "inv")
    )
    line_rel = rel[le]
    acnr = np.where(is_rel, len(ACC_CODES) + line_rel, acc)
    cur = np.where(is_rel, rels.currency[np.maximum(line_rel, 0)], 0)
    amt_cur = (np.abs(amt) * 10_000 * 2 + RATE_E4[cur]) // (2 * RATE_E4[cur])
    debit, credit = np.maximum(amt, 0), np.maximum(-amt, 0)
    line_date = date[le]
    lines = pa.table(
        {
            "unit": pa.array(unit[le].astype(np.int32)),
            "entry_no": pa.array(entry_no[le].astype(np.int32)),
            "seq_no": pa.array(seq.astype(np.int32)),
            "year": pa.array(year[le].astype(np.int32)),
            "period": pa.array(period[le].astype(np.int32)),
            "journal_id": _strings(JOURNAL_CODES, journal[le]),
            "va_as": pa.array(va_as.astype(np.int32)),
            "ac_nr": _strings(ACC_CODES + rels.ids, acnr),
            "account_no": _strings(ACC_CODES, acc),
            "amt_debit": _decimal(debit),
            "amt_credit": _decimal(credit),
            "entry_date": pa.array(line_date),
            "voucher_date": pa.array(line_date),
            "voucher_no": _strings(vouchers, le),
            "invoice_id": _strings(inv.tolist(), le, has_inv),
            "description": _strings(desc.tolist(), le),
            "vat_code": _strings([v[0] for v in VAT_CODES], vat, vat >= 0),
            "vat_amt": _decimal(vat_amt, has_vat_amt),
            "due_date": pa.array(due, mask=np.isnat(due)),
            "currency_id": _strings([c[0] for c in CURRENCIES], cur, is_rel),
            "amt_debit_cur": _decimal(np.where(amt > 0, amt_cur, 0), is_rel),
            "amt_credit_cur": _decimal(np.where(amt < 0, amt_cur, 0), is_rel),
            "created": pa.array(created[le]),
            "modified": pa.array(modified[le]),
        }
    )
    allocs = _allocations(rng, unit[le], entry_no[le], seq, acc, amt)
    return Ledger(lines, allocs, len(kind))


def _allocations(
    rng: np.random.Generator,
    unit: np.ndarray,
    entry_no: np.ndarray,
    seq: np.ndarray,
    acc: np.ndarray,
    amt: np.ndarray,
) -> pa.Table:
    """FiDimEntries rows: a code on every allocated axis, amounts adding up to the line."""
    parts: list[dict[str, np.ndarray]] = []
    for account, spec in ALLOCATED.items():
        idx = np.flatnonzero(acc == account)
        if not len(idx):
            continue
        size = np.abs(amt[idx])
        if set(spec.values()) == {"P"}:
            (axis,) = spec  # one automatic axis per account in this chart
            shares = PERCENTAGES[(ACC_CODES[account], axis)]
            amounts = [size * pct // 100 for _, pct in shares[:-1]]
            amounts.append(size - sum(amounts))  # the last code takes the rounding difference
            codes_per_row = [{axis: np.full(len(idx), ACTIVE_CODES[axis].index(code))} for code, _ in shares]
            lines_per_row = [idx] * len(shares)
        else:  # manual: one row per line, a tenth split over two codes of the first axis
            codes = {ax: rng.integers(0, len(ACTIVE_CODES[ax]), len(idx)) for ax in spec}
            split = (rng.random(len(idx)) < 0.1) & (size >= 200)
            first = np.where(split, np.rint(size * rng.uniform(0.3, 0.7, len(idx))).astype(np.int64), size)
            axis = min(spec)
            other = {ax: c[split] for ax, c in codes.items()}
            n_codes = len(ACTIVE_CODES[axis])
            other[axis] = (other[axis] + 1 + rng.integers(0, n_codes - 1, int(split.sum()))) % n_codes
            codes_per_row = [codes, other]
            amounts = [first, (size - first)[split]]
            lines_per_row = [idx, idx[split]]
        for n, (rows_idx, row_codes, row_amt) in enumerate(
            zip(lines_per_row, codes_per_row, amounts, strict=True)
        ):
            sign = np.sign(amt[rows_idx])
            part = {
                "unit": unit[rows_idx],
                "entry_no": entry_no[rows_idx],
                "seq_no": seq[rows_idx],
                "alloc_no": np.full(len(rows_idx), n + 1),
                "debit": np.where(sign > 0, row_amt, 0),
                "credit": np.where(sign < 0, row_amt, 0),
            }
            for ax in range(1, 6):
                part[f"dim{ax}"] = row_codes.get(ax, np.full(len(rows_idx), -1))
            parts.append(part)
    keys = ("unit", "entry_no", "seq_no", "alloc_no", *(f"dim{ax}" for ax in range(1, 6)), "debit", "credit")
    cols = {k: np.concatenate([p[k] for p in parts]) if parts else np.zeros(0, np.int64) for k in keys}
    order = np.lexsort((cols["alloc_no"], cols["seq_no"], cols["entry_no"], cols["unit"]))
    cols = {k: v[order] for k, v in cols.items()}
    table = {k: pa.array(cols[k].astype(np.int32)) for k in ("unit", "entry_no", "seq_no", "alloc_no")}
    for ax in range(1, 6):
        code = cols[f"dim{ax}"]
        table[f"dim{ax}"] = _strings(ACTIVE_CODES[ax], np.maximum(code, 0), code >= 0)
    table["amt_debit"] = _decimal(cols["debit"])
    table["amt_credit"] = _decimal(cols["credit"])
    return pa.table(table)
