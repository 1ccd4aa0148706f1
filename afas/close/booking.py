"""A reconciling item booked in AFAS: a journal entry through the Corrections outbox.

The entry moves AFAS's balance to the evidence: an item is AFAS minus the evidence, so the account is
booked with minus the item's amount, balanced on the contra account the user picks. It is booked in
the period being closed when AFAS has that period open; when AFAS closed it, in the first open period
after it, dated that period's first day (AFAS refuses entries in a closed period), and the page says
so before anything is approved.

The entry goes into the outbox approved by the person booking it and is sent from there (Corrections
page, ``python -m afas post``) like every other correction: once. The item's link to it is written in
the approval's own transaction, on the condition that the item is not booked yet, so two sessions
booking one item at the same moment make one correction and the second is told. A correction AFAS
rejected, or that went stale before sending, frees the item to be booked again.

Once AFAS holds the entry and a sync has brought its lines (its voucher number on the account in
Profit_Transactions), the item is cleared in the period the entry is booked in (:func:`settle_booked`):
from then on AFAS's balance carries the correction and the item no longer explains anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from afas.access import User
from afas.catalogue import label
from afas.close.balances import ClosePeriod
from afas.close.items import ReconcilingItem, open_items, record_event
from afas.close.schema import CloseEvent, ensure_close_schema
from afas.corrections.entries import entry_for_ledger_line
from afas.corrections.outbox import ItemRow, Outbox
from afas.corrections.plans import Defaults, JournalEntryItem
from afas.corrections.schema import OutboxState, ensure_corrections_schema
from afas.corrections.validation import Validator
from afas.errors import AppError, InputError
from afas.warehouse.explore import has_table

__all__ = [
    "Booking",
    "BookingPeriod",
    "BookedMeanwhile",
    "CorrectionState",
    "book",
    "booking_period",
    "correction_states",
    "plan_booking",
    "settle_booked",
]

FREEING = (OutboxState.REJECTED, OutboxState.STALE)  # a correction in these states frees its item


class BookedMeanwhile(AppError):
    """Another session booked the item (or cleared it) between reading and approving."""


@dataclass(frozen=True)
class BookingPeriod:
    year: int
    period: int
    entry_date: dt.date
    moved: bool  # the period closed is closed in AFAS: this is the first open one after it

    def label(self) -> str:
        return f"{self.year}-{self.period:02d}"


@dataclass(frozen=True)
class CorrectionState:
    """Where the correction an item was booked as stands."""

    item_id: int  # the outbox item
    reference: str  # its voucher number in AFAS
    state: OutboxState
    message: str | None  # AFAS's words when it refused it
    in_afas: bool  # a sync brought its lines into the warehouse

    @property
    def frees(self) -> bool:
        return self.state in FREEING

    def words(self) -> str:
        if self.in_afas:
            return f"booked in AFAS as voucher {self.reference}"
        if self.state == OutboxState.CONFIRMED:
            return f"voucher {self.reference} is in AFAS; it counts once a sync brings its lines in"
        if self.frees:
            why = f": {self.message}" if self.message else ""
            return f"correction {self.reference} {label(self.state)}{why}; it can be booked again"
        return f"correction {self.reference} {label(self.state)} in the outbox (Corrections page)"


@dataclass(frozen=True)
class Booking:
    item: ReconcilingItem
    plan: JournalEntryItem
    when: BookingPeriod
    problems: tuple[str, ...]  # AFAS's own wordings for what it would refuse
    hints: tuple[str, ...]

    def summary(self, period: ClosePeriod) -> str:
        amount = -self.item.amount
        side = "debit" if amount > 0 else "credit"
        other = "credit" if amount > 0 else "debit"
        text = (
            f"Books {abs(amount):,.2f} {side} on account {self.item.account} and {other} on account "
            f"{self.plan.lines[1].account}, journal {self.plan.journal}, dated "
            f"{self.when.entry_date:%d-%m-%Y} in period {self.when.label()}"
        )
        if self.when.moved:
            text += (
                f": period {period.label()} is closed in AFAS, so the entry goes into the first open "
                "period after it, and the item stays open in the periods before"
            )
        return text + "."


def booking_period(con: duckdb.DuckDBPyConnection, period: ClosePeriod) -> BookingPeriod:
    """Where a correction for ``period`` is booked: in it while AFAS has it open, else in the first
    open period after it (dated that period's first day)."""
    if not period.blocked:
        return BookingPeriod(period.year, period.period, period.end, False)
    rows = con.execute(
        'SELECT "Year", "Period", "DateFrom" FROM "Profit_periods_per_administration" '
        'WHERE "Unit" = ? AND NOT coalesce("Blocked", false) AND "DateFrom" > ? '
        'ORDER BY "DateFrom", "Year", "Period" LIMIT 1',
        [period.unit, period.end],
    ).fetchall()
    if not rows:
        raise InputError(
            f"Period {period.label()} is closed in AFAS and there is no open period after it.",
            "Open a later period for booking in AFAS, sync Profit_periods_per_administration, then book it.",
        )
    year, number, start = rows[0]
    start = start.date() if isinstance(start, dt.datetime) else start
    return BookingPeriod(int(year), int(number), start, True)


def correction_states(
    con: duckdb.DuckDBPyConnection, items: list[ReconcilingItem] | tuple[ReconcilingItem, ...]
) -> dict[int, CorrectionState]:
    """For the items booked as corrections: reconciling item id -> its correction's state."""
    booked = [i for i in items if i.correction_item is not None]
    if not booked:
        return {}
    ensure_corrections_schema(con)
    rows = con.execute(
        "SELECT item_id, reference, state, message FROM correction_items WHERE list_contains(?, item_id)",
        [[i.correction_item for i in booked]],
    ).fetchall()
    found = {int(r[0]): r for r in rows}
    lines = _vouchers_in_afas(con, booked)
    states = {}
    for item in booked:
        row = found.get(int(item.correction_item or 0))
        if row is None:  # the outbox row is gone (a warehouse restored without it): free again
            continue
        states[item.item_id] = CorrectionState(
            int(row[0]), str(row[1]), OutboxState(row[2]), row[3], (item.account, str(row[1])) in lines
        )
    return states


def _vouchers_in_afas(con: duckdb.DuckDBPyConnection, items: list[ReconcilingItem]) -> set[tuple[str, str]]:
    if not has_table(con, "Profit_Transactions"):
        return set()
    refs = sorted({i.correction_ref for i in items if i.correction_ref})
    accounts = sorted({i.account for i in items})
    rows = con.execute(
        'SELECT DISTINCT "AccountNo", "VoucherNo" FROM "Profit_Transactions" '
        'WHERE list_contains(?, "VoucherNo") AND list_contains(?, "AccountNo")',
        [refs, accounts],
    ).fetchall()
    return {(str(a), str(v)) for a, v in rows}


def _open_item(con: duckdb.DuckDBPyConnection, period: ClosePeriod, item_id: int) -> ReconcilingItem:
    found = [item for item in open_items(con, period) if item.item_id == item_id]
    if not found:
        raise InputError(
            f"Reconciling item #{item_id} is not open in {period.label()}.",
            "Reload the page: it may have been cleared or booked in another session.",
        )
    return found[0]


def plan_booking(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    item_id: int,
    defaults: Defaults,
    description: str | None = None,
) -> Booking:
    """The correction that would book item ``item_id`` in AFAS, checked as AFAS would check it."""
    ensure_close_schema(con)
    item = _open_item(con, period, item_id)
    state = correction_states(con, [item]).get(item.item_id)
    if state is not None and not state.frees:
        raise InputError(
            f"Reconciling item #{item.item_id} is booked already: {state.words()}.",
            "Send it from the outbox on the Corrections page, or wait for it to be rejected.",
        )
    if defaults.contra_account == item.account:
        raise InputError(
            f"The contra account is account {item.account} itself: the entry would change nothing.",
            "Pick the account the difference belongs on (costs, a suspense account).",
        )
    if defaults.administration != period.unit:
        raise InputError(
            f"The correction would go to administration {defaults.administration}, the item is in "
            f"administration {period.unit}.",
            "Close the administration of your connection profile, or change the profile.",
        )
    when = booking_period(con, period)
    text = " ".join((description or f"Close {period.label()}: {item.description}").split())[:250]
    plan = entry_for_ledger_line(
        defaults,
        entry_date=when.entry_date,
        account=item.account,
        amount=-item.amount,
        description=text,
        year=when.year,
        period=when.period,
    )
    check = Validator(con).check(plan)
    return Booking(item, plan, when, tuple(check.messages), tuple(check.hints))


def book(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    booking: Booking,
    who: str | User,
) -> ItemRow:
    """Approve ``booking``'s correction into the outbox as ``who`` and link the item to it, in one
    transaction; refused when the item was booked (or cleared) meanwhile. The caller checks the lock."""
    if booking.problems:
        raise InputError(
            "This correction cannot be approved: " + "; ".join(booking.problems),
            " ".join(booking.hints) or "Pick another journal or contra account.",
        )
    item = booking.item
    freeing = [str(s) for s in FREEING]

    def link(c: duckdb.DuckDBPyConnection, row: ItemRow) -> None:
        done = c.execute(
            "UPDATE close_items SET correction_item = ?, correction_ref = ?, correction_year = ?, "
            "correction_period = ? WHERE item_id = ? AND cleared_year IS NULL AND (correction_item IS NULL "
            "OR correction_item IN (SELECT item_id FROM correction_items WHERE list_contains(?, state))) "
            "RETURNING item_id",
            [row.item_id, row.reference, booking.when.year, booking.when.period, item.item_id, freeing],
        ).fetchall()
        if not done:
            raise BookedMeanwhile(
                f"Reconciling item #{item.item_id} was booked or cleared in another session meanwhile.",
                "Reload the page: its correction is in the outbox on the Corrections page.",
            )
        record_event(
            c,
            period,
            item.account,
            CloseEvent.ITEM_TO_CORRECTION,
            who.signature if isinstance(who, User) else who,
            f"#{item.item_id} as correction {row.reference} in {booking.when.label()} against "
            f"{booking.plan.lines[1].account}",
        )

    return Outbox(con).approve(booking.plan, approver=who, then=link)


def settle_booked(con: duckdb.DuckDBPyConnection, unit: int) -> list[tuple[str, int]]:
    """Clear the items of ``unit`` whose correction AFAS holds and a sync brought in, in the period
    it is booked in; returns (account, item id) of those cleared now (one event each, also when two
    sessions read at once: the clearing is conditional on the item being open)."""
    if not has_table(con, "Profit_Transactions") or not has_table(con, "correction_items"):
        return []
    rows = con.execute(
        "SELECT i.item_id, i.account, i.correction_ref, i.correction_year, "
        "i.correction_period FROM close_items i JOIN correction_items c ON c.item_id = i.correction_item "
        "WHERE i.unit = ? AND i.cleared_year IS NULL AND c.state = ? AND EXISTS (SELECT 1 FROM "
        '"Profit_Transactions" t WHERE t."VoucherNo" = i.correction_ref AND t."AccountNo" = i.account)',
        [unit, str(OutboxState.CONFIRMED)],
    ).fetchall()
    cleared = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for item_id, account, ref, c_year, c_period in rows:
        done = con.execute(
            "UPDATE close_items SET cleared_year = ?, cleared_period = ?, cleared_by = ?, cleared = ? "
            "WHERE item_id = ? AND cleared_year IS NULL RETURNING item_id",
            [c_year, c_period, f"AFAS (correction {ref})", now, item_id],
        ).fetchall()
        if done:
            at = ClosePeriod(unit, int(c_year), int(c_period), dt.date.min, dt.date.min, False)
            record_event(con, at, account, CloseEvent.ITEM_CLEARED, "AFAS", f"#{item_id} by correction {ref}")
            cleared.append((str(account), int(item_id)))
    return cleared
