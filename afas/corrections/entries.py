"""Builders of journal entries: differences found by the reconciliation -> balanced FiEntries items.

FiEntries is insert-only, so a wrong entry is corrected by reversing it and booking it again; a
line only in the user's ledger is booked against the configured contra account. Entries over
1,000 lines are split into balanced parts. Pure functions; money as Decimal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from afas.corrections.plans import (
    CENT,
    MAX_ENTRY_LINES,
    ZERO,
    Defaults,
    EntryLine,
    JournalEntryItem,
    SourceRows,
)
from afas.i18n import tr

__all__ = [
    "CorrectionMode",
    "amount_difference",
    "entry_for_ledger_line",
    "reversal_lines",
    "split_entry",
    "wrong_account",
]


class CorrectionMode(StrEnum):
    """How a difference is corrected in AFAS (the Corrections page's choice; labels: afas.catalogue)."""

    NEW_ENTRY = "new_entry"  # a line only in the ledger: a new entry on its account, against the contra
    DIFFERENCE = "difference"  # a differing amount: one entry booking the difference
    REVERSE_AND_REBOOK = "reverse_and_rebook"  # reverse the AFAS entry and book it again, in one entry


def _money(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("amounts must be Decimal, never float")
    amount = Decimal(value)
    if amount != amount.quantize(CENT):
        raise ValueError(tr("{amount} has more than 2 decimals").format(amount=amount))
    return amount.quantize(CENT)


def _side(amount: Decimal) -> tuple[Decimal, Decimal]:
    """(debit, credit) of a signed amount: positive is debit."""
    return (amount, ZERO) if amount >= 0 else (ZERO, -amount)


def _alloc(defaults: Defaults, code: str | None) -> tuple[tuple[int, str], ...]:
    return ((defaults.allocation_axis, code),) if code else ()


def entry_for_ledger_line(
    defaults: Defaults,
    *,
    entry_date: date,
    account: str,
    amount: Decimal,
    description: str,
    va_as: int = 1,
    vat_code: str | None = None,
    allocation: str | None = None,
    invoice_id: str | None = None,
    year: int | None = None,
    period: int | None = None,
) -> JournalEntryItem:
    """A line only in the user's ledger: booked on ``account`` (positive = debit), balanced on the
    contra account. Year and period default to the date's (monthly periods)."""
    amount = _money(amount)
    if amount == 0:
        raise ValueError(tr("a zero amount needs no correction"))
    de, cr = _side(amount)
    lines = (
        EntryLine(account, de, cr, description, va_as, vat_code, _alloc(defaults, allocation), invoice_id),
        EntryLine(defaults.contra_account, cr, de, description),
    )
    return _item(defaults, lines, entry_date, description, year, period)


def _row_allocations(row: Mapping[str, Any]) -> tuple[tuple[int, str], ...]:
    """Allocation codes of a Profit_Transactions_Allocated row (DimAx1..5), if the row has them."""
    return tuple((axis, str(row[f"DimAx{axis}"])) for axis in range(1, 6) if row.get(f"DimAx{axis}"))


def reversal_lines(rows: Sequence[Mapping[str, Any]], description: str) -> tuple[EntryLine, ...]:
    """Profit_Transactions rows with debit and credit swapped: the entry undone, line by line."""
    return tuple(
        EntryLine(
            str(r["AccountNo"]),
            _money(r.get("AmtCredit") or ZERO),
            _money(r.get("AmtDebit") or ZERO),
            description,
            vat_code=r.get("VatCode"),
            allocations=_row_allocations(r),
            invoice_id=r.get("InvoiceId"),
        )
        for r in rows
    )


def _entry_sources(rows: Sequence[Mapping[str, Any]]) -> tuple[SourceRows, ...]:
    keys = sorted({(int(r["UnitId"]), int(r["EntryNo"])) for r in rows})
    return tuple(SourceRows("Profit_Transactions", (("UnitId", u), ("EntryNo", e))) for u, e in keys)


def _item(
    defaults: Defaults,
    lines: Sequence[EntryLine],
    entry_date: date,
    description: str,
    year: int | None,
    period: int | None,
    sources: tuple[SourceRows, ...] = (),
) -> JournalEntryItem:
    """An entry in the default administration and journal; year and period default to the date's."""
    return JournalEntryItem(
        defaults.administration,
        year or entry_date.year,
        period or entry_date.month,
        defaults.journal,
        entry_date,
        description,
        tuple(lines),
        sources=sources,
    )


def _correction(
    defaults: Defaults,
    rows: Sequence[Mapping[str, Any]],
    lines: Sequence[EntryLine],
    entry_date: date,
    description: str,
    year: int | None,
    period: int | None,
) -> JournalEntryItem:
    if not rows:
        raise ValueError("no AFAS lines given")
    return _item(defaults, lines, entry_date, description, year, period, _entry_sources(rows))


def amount_difference(
    defaults: Defaults,
    rows: Sequence[Mapping[str, Any]],
    *,
    seq_no: int,
    ledger_amount: Decimal,
    entry_date: date,
    mode: CorrectionMode = CorrectionMode.DIFFERENCE,
    description: str | None = None,
    year: int | None = None,
    period: int | None = None,
) -> JournalEntryItem:
    """An AFAS line (``rows``: its entry's Profit_Transactions rows, ``seq_no`` the line) whose amount
    differs from the ledger's (signed, positive = debit).

    ``difference``: one entry booking (ledger - AFAS) on the line's account against the contra account.
    ``reverse_and_rebook``: one entry that reverses every line of the AFAS entry and books it again
    with the corrected amount, the change balanced on the contra account. Both halves sit in one entry
    so AFAS accepts or refuses them together.
    """
    target = next((r for r in rows if int(r["SeqNo"]) == seq_no), None)
    if target is None:
        raise ValueError(tr("line {line} is not among the given AFAS lines").format(line=seq_no))
    afas = _money(target.get("AmtDebit") or ZERO) - _money(target.get("AmtCredit") or ZERO)
    wanted = _money(ledger_amount)
    diff = wanted - afas
    if diff == 0:
        raise ValueError(tr("the amounts agree; nothing to correct"))
    text = description or tr("Correction of entry {entry} line {line}").format(
        entry=target["EntryNo"], line=seq_no
    )
    account = str(target["AccountNo"])
    alloc = _row_allocations(target)
    if mode == CorrectionMode.DIFFERENCE:
        de, cr = _side(diff)
        lines = [
            EntryLine(account, de, cr, text, vat_code=target.get("VatCode"), allocations=alloc),
            EntryLine(defaults.contra_account, cr, de, text),
        ]
    elif mode == CorrectionMode.REVERSE_AND_REBOOK:
        lines = list(reversal_lines(rows, tr("Reversal: {description}").format(description=text)))
        for r in rows:
            amount = (
                wanted
                if r is target
                else _money(r.get("AmtDebit") or ZERO) - _money(r.get("AmtCredit") or ZERO)
            )
            de, cr = _side(amount)
            lines.append(
                EntryLine(
                    str(r["AccountNo"]),
                    de,
                    cr,
                    text,
                    vat_code=r.get("VatCode"),
                    allocations=_row_allocations(r),
                    invoice_id=r.get("InvoiceId"),
                )
            )
        de, cr = _side(-diff)
        lines.append(EntryLine(defaults.contra_account, de, cr, text))
    else:
        raise ValueError(f"unknown mode {mode!r}")
    return _correction(defaults, rows, lines, entry_date, text, year, period)


def wrong_account(
    defaults: Defaults,
    rows: Sequence[Mapping[str, Any]],
    *,
    seq_no: int,
    right_account: str,
    entry_date: date,
    description: str | None = None,
    allocation: str | None = None,
    year: int | None = None,
    period: int | None = None,
) -> JournalEntryItem:
    """An AFAS line booked on the wrong account: reversed there and booked again on ``right_account``."""
    target = next((r for r in rows if int(r["SeqNo"]) == seq_no), None)
    if target is None:
        raise ValueError(tr("line {line} is not among the given AFAS lines").format(line=seq_no))
    if str(target["AccountNo"]) == right_account:
        raise ValueError(tr("the line is already on that account"))
    text = description or tr("Rebooking of entry {entry} line {line} to {account}").format(
        entry=target["EntryNo"], line=seq_no, account=right_account
    )
    (reversed_line,) = reversal_lines([target], text)
    rebooked = EntryLine(
        right_account,
        _money(target.get("AmtDebit") or ZERO),
        _money(target.get("AmtCredit") or ZERO),
        text,
        vat_code=target.get("VatCode"),
        allocations=_alloc(defaults, allocation) or _row_allocations(target),
    )
    return _correction(defaults, [target], [reversed_line, rebooked], entry_date, text, year, period)


def split_entry(
    item: JournalEntryItem, max_lines: int = MAX_ENTRY_LINES, *, contra: str
) -> list[JournalEntryItem]:
    """Entries of at most ``max_lines`` lines, each balanced on ``contra`` (the parts' balancing
    lines add up to zero, so together they book exactly what ``item`` books)."""
    if not item.balanced:
        raise ValueError("only a balanced entry can be split into balanced parts")
    if len(item.lines) <= max_lines:
        return [item]
    size = max_lines - 1  # room for each part's balancing line
    chunks = [item.lines[i : i + size] for i in range(0, len(item.lines), size)]
    parts = []
    for n, chunk in enumerate(chunks, start=1):
        net = sum((ln.debit - ln.credit for ln in chunk), ZERO)
        text = f"{item.description} ({n}/{len(chunks)})"
        lines = list(chunk)
        if net:
            de, cr = _side(-net)
            lines.append(EntryLine(contra, de, cr, text))
        parts.append(replace(item, description=text, lines=tuple(lines), voucher_no=None))
    return parts
