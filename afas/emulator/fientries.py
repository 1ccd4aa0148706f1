"""FiEntries: POST writes a checked entry (afas/emulator/fientry_checks.py), DELETE removes entries.

What is written shows up in Profit_Transactions(_Allocated), the period balances, open items and
Profit_Fin_ChangedEntrydate. Choices of our own (UNCONFIRMED):

* ``AuNu`` generates one invoice number per entry (counter ``invoice:<unit>``) when a debtor or
  creditor line has no ``InId``; it is put on every line without ``InId``.
* A debtor/creditor line without ``DaEx`` that opens a new invoice gets voucher date + the
  payment condition's days (line ``PaCd`` or the relation's) as due date.
* DELETE removes every entry matching the key path (EnNo, or InId within the journal); an entry
  whose debtor/creditor invoice has lines in other entries (paid/matched) is refused.
"""

from __future__ import annotations

from datetime import date, timedelta

from afas.emulator.envelope import ParsedElement
from afas.emulator.fientry_checks import Line, check_entry, unit_of
from afas.emulator.update_context import Ctx, KeySteps, key_values, next_free, next_unused

__all__ = ["delete_entry", "post_entry"]


def post_entry(ctx: Ctx, el: ParsedElement) -> dict[str, str]:
    """Check and store one FiEntryPar element; returns its ``results`` object (UnId, EnNo, InId)."""
    h = el.fields
    entry = check_entry(ctx, el)
    unit, lines = entry.unit, entry.lines
    if h.get("AuNu") and any(ln.va_as in (2, 3) and not ln.invoice_id for ln in lines):
        invoice = next_free(ctx, f"invoice:{unit}", "entry_line", "invoice_id", 12, "unit = ?", (unit,))
        for ln in lines:
            ln.invoice_id = ln.invoice_id or invoice
    _set_due_dates(ctx, unit, lines)

    entry_no = _next_entry_no(ctx, unit)
    ctx.cur.executemany(
        "INSERT INTO entry_line (unit, entry_no, seq_no, year, period, journal_id, va_as, ac_nr, account_no, "
        "amt_debit, amt_credit, entry_date, voucher_date, voucher_no, invoice_id, description, vat_code, "
        "vat_amt, due_date, currency_id, amt_debit_cur, amt_credit_cur, created, modified) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
        [
            [
                unit,
                entry_no,
                ln.seq,
                entry.year,
                entry.period,
                entry.journal,
                ln.va_as,
                ln.ac_nr,
                ln.account_no,
                ln.debit,
                ln.credit,
                ln.entry_date,
                ln.voucher_date,
                ln.voucher_no,
                ln.invoice_id,
                ln.description,
                ln.vat_code,
                ln.due_date,
                ln.currency_id,
                ln.debit_cur,
                ln.credit_cur,
                ctx.now,
                ctx.now,
            ]
            for ln in lines
        ],
    )
    alloc_rows = [
        [unit, entry_no, ln.seq, i, *codes, de, cr]
        for ln in lines
        for i, (codes, de, cr) in enumerate(ln.allocs, start=1)
    ]
    if alloc_rows:
        ctx.cur.executemany("INSERT INTO entry_alloc VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", alloc_rows)
    if h.get("AdDa"):  # create missing allocation assignments
        pairs = {
            (ln.account_no, axis, codes[axis - 1])
            for ln in lines
            if ln.va_as == 1
            for codes, _, _ in ln.allocs
            for axis in range(1, 6)
            if codes[axis - 1] is not None
        }
        for account_no, axis, code in sorted(pairs):
            ctx.cur.execute(
                "INSERT INTO allocation_assignment VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [unit, account_no, axis, code],
            )
    _touch_dates(ctx, {ln.entry_date for ln in lines})
    invoice_out = next((ln.invoice_id for ln in lines if ln.va_as in (2, 3) and ln.invoice_id), None)
    return {"UnId": str(unit), "EnNo": str(entry_no), "InId": invoice_out or ""}


def _set_due_dates(ctx: Ctx, unit: int, lines: list[Line]) -> None:
    """Due date of debtor/creditor lines without DaEx that open a new invoice."""
    for ln in lines:
        if (
            ln.va_as in (2, 3)
            and ln.due_date is None
            and ln.invoice_id
            and ctx.one(
                "SELECT 1 FROM entry_line WHERE unit = ? AND va_as = ? AND ac_nr = ? AND invoice_id = ? "
                "LIMIT 1",
                [unit, ln.va_as, ln.ac_nr, ln.invoice_id],
            )
            is None
        ):
            days = 0
            if ln.pay_con:
                prow = ctx.one("SELECT days FROM payment_condition WHERE code = ?", [ln.pay_con])
                days = int(prow[0]) if prow and prow[0] is not None else 0
            ln.due_date = (ln.voucher_date or ln.entry_date) + timedelta(days=days)


def _next_entry_no(ctx: Ctx, unit: int) -> int:
    row = ctx.one("SELECT max(entry_no) FROM entry_line WHERE unit = ?", [unit])
    start = int(row[0]) + 1 if row and row[0] is not None else 1
    taken = "SELECT 1 FROM entry_line WHERE unit = ? AND entry_no = ? LIMIT 1"
    return next_unused(ctx, f"entry_no:{unit}", start, lambda n: ctx.one(taken, [unit, n]) is not None)


def _touch_dates(ctx: Ctx, dates: set[date]) -> None:
    """Record changed booking days for Profit_Fin_ChangedEntrydate."""
    for d in sorted(dates):
        ctx.cur.execute(
            "INSERT INTO changed_entry_date VALUES (?, ?) "
            "ON CONFLICT (entry_date) DO UPDATE SET modified = excluded.modified",
            [d, ctx.now],
        )


def delete_entry(ctx: Ctx, steps: KeySteps) -> None:
    """Remove the entries the key path names (EnNo, or InId within the journal)."""
    keys = key_values(steps)
    unit_text = (keys.get("unid") or "").strip()
    if unit_text and not unit_text.lstrip("-").isdigit():
        raise ctx.not_exist("Administration")
    unit = unit_of(ctx, int(unit_text) if unit_text else None)
    where, params = ["unit = ?"], [unit]
    journal = keys.get("joco")
    if journal:
        if ctx.one("SELECT 1 FROM journal WHERE unit = ? AND journal_id = ?", [unit, journal]) is None:
            raise ctx.not_exist("Journal")
        where.append("journal_id = ?")
        params.append(journal)
    if keys.get("enno"):
        label = "Journal entry number"
        if not keys["enno"].strip().isdigit():
            raise ctx.not_exist(label)
        where.append("entry_no = ?")
        params.append(int(keys["enno"]))
    elif keys.get("inid"):
        label = "Invoice number"
        where.append("invoice_id = ?")
        params.append(keys["inid"])
    else:
        raise ctx.required("Journal entry number")
    sql = f"SELECT DISTINCT entry_no FROM entry_line WHERE {' AND '.join(where)}"
    entries = sorted(r[0] for r in ctx.all(sql, params))
    if not entries:
        raise ctx.not_exist(label)
    marks = ", ".join("?" for _ in entries)
    matched = ctx.one(
        f"SELECT o.entry_no, o.invoice_id FROM entry_line e JOIN entry_line o "
        f"ON o.unit = e.unit AND o.va_as = e.va_as AND o.ac_nr = e.ac_nr AND o.invoice_id = e.invoice_id "
        f"WHERE e.unit = ? AND e.entry_no IN ({marks}) AND e.va_as IN (2, 3) AND e.invoice_id IS NOT NULL "
        f"AND o.entry_no NOT IN ({marks}) ORDER BY o.entry_no LIMIT 1",
        [unit, *entries, *entries],
    )
    if matched is not None:
        raise ctx.fail("entry_reconciled", entry=entries[0], invoice=matched[1], other=matched[0])
    dates = {
        r[0]
        for r in ctx.all(
            f"SELECT DISTINCT entry_date FROM entry_line WHERE unit = ? AND entry_no IN ({marks})",
            [unit, *entries],
        )
    }
    ctx.cur.execute(f"DELETE FROM entry_alloc WHERE unit = ? AND entry_no IN ({marks})", [unit, *entries])
    ctx.cur.execute(f"DELETE FROM entry_line WHERE unit = ? AND entry_no IN ({marks})", [unit, *entries])
    _touch_dates(ctx, dates)
