"""A reconciling item booked in AFAS: a journal entry through the Corrections outbox.

The entry moves AFAS's balance to the evidence: an item is AFAS minus the evidence, so the account is
booked with minus the item's amount, balanced on the contra account the user picks. It is booked in
the period being closed when AFAS has that period open; when AFAS closed it, in the first open period
after it, dated that period's first day (AFAS refuses entries in a closed period), and the page says
so before anything is approved.

On one machine without sign-in the entry goes into the outbox approved by the person booking it
(:func:`book`) and is sent from there (Corrections page, ``python -m afas post``) like every other
correction: once. The item's link to it is written in the approval's own transaction, on the
condition that the item is not booked yet, so two sessions booking one item at the same moment make
one correction and the second is told. A correction AFAS rejected, or that went stale before sending,
frees the item to be booked again.

Signed in, a person books nothing alone (four-eyes): :func:`propose_booking` prepares the entry as a
correction batch (afas.corrections.batches) and marks the item as waiting for it, in the batch's own
transaction and on the same condition (two sessions: one batch, the second is told). While it waits
the item is neither booked again nor cleared, and :func:`correction_states` says "waiting for approval
in batch N (prepared by …)". The last approval another person gives links the item to the new outbox
item in that approval's transaction, exactly as :func:`book` does (a hook this module registers with
:func:`afas.corrections.batches.when_decided`); from then on it is a booked item like any other. A
declined batch frees the item. Where a batch was approved in a process that had not loaded this
module, the next reading of the close (:func:`settle_booked`, :func:`correction_states`) links it.

Once AFAS holds the entry and a sync has brought its lines (its voucher number on the account in
Profit_Transactions), the item is cleared in the period the entry is booked in (:func:`settle_booked`):
from then on AFAS's balance carries the correction and the item no longer explains anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from afas.access import AccessConfig, Right, User
from afas.catalogue import label
from afas.close.balances import ClosePeriod
from afas.close.items import HELD_BY_BATCH, ReconcilingItem, items_by_id, open_items, record_event
from afas.close.schema import CloseEvent, ensure_close_schema
from afas.corrections.batches import Batch, BatchState, Decision, batches, propose, when_decided
from afas.corrections.entries import entry_for_ledger_line
from afas.corrections.outbox import ItemRow, Outbox
from afas.corrections.plans import Defaults, JournalEntryItem
from afas.corrections.schema import OutboxState, ensure_corrections_schema
from afas.corrections.validation import Validator
from afas.errors import AppError, InputError
from afas.i18n import date, number, ptr, tr
from afas.warehouse.db import transaction
from afas.warehouse.explore import has_table

__all__ = [
    "Booking",
    "BookingPeriod",
    "BookedMeanwhile",
    "CorrectionState",
    "WaitingApproval",
    "book",
    "booking_period",
    "correction_states",
    "link_approved",
    "plan_booking",
    "propose_booking",
    "settle_booked",
    "waiting_for_approval",
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
            return tr("booked in AFAS as voucher {reference}").format(reference=self.reference)
        if self.state == OutboxState.CONFIRMED:
            return tr("voucher {reference} is in AFAS; it counts once a sync brings its lines in").format(
                reference=self.reference
            )
        if self.frees:
            text = (
                tr("correction {reference} {state}: {message}; it can be booked again")
                if self.message
                else tr("correction {reference} {state}; it can be booked again")
            )
            return text.format(reference=self.reference, state=label(self.state), message=self.message)
        return tr("correction {reference} {state} in the outbox (Corrections page)").format(
            reference=self.reference, state=label(self.state)
        )


@dataclass(frozen=True)
class WaitingApproval:
    """An item prepared signed in as a correction batch that waits for another person's approval
    (what :func:`correction_states` gives for it, in the place of a :class:`CorrectionState`)."""

    batch_id: int
    prepared_by: str  # the preparer's signature, 'Anna de Vries <anna@example.nl>'
    prepared_at: dt.datetime
    approvals: int  # given so far
    approvals_needed: int  # 1; 2 above the four-eyes threshold
    in_afas: bool = False

    @property
    def frees(self) -> bool:
        return False  # it is not booked again (nor cleared) while the batch waits

    def words(self) -> str:
        if self.approvals_needed > 1:
            return tr(
                "waiting for approval in batch {batch} (prepared by {preparer}), {given} of {needed} "
                "approvals"
            ).format(
                batch=self.batch_id,
                preparer=self.prepared_by,
                given=self.approvals,
                needed=self.approvals_needed,
            )
        return tr("waiting for approval in batch {batch} (prepared by {preparer})").format(
            batch=self.batch_id, preparer=self.prepared_by
        )


@dataclass(frozen=True)
class Booking:
    item: ReconcilingItem
    plan: JournalEntryItem
    when: BookingPeriod
    problems: tuple[str, ...]  # AFAS's own wordings for what it would refuse
    hints: tuple[str, ...]

    def summary(self, period: ClosePeriod) -> str:
        amount = -self.item.amount
        debit, credit = ptr("side", "debit"), ptr("side", "credit")
        side, other = (debit, credit) if amount > 0 else (credit, debit)
        fields = {
            "amount": number(abs(amount), 2),
            "side": side,
            "account": self.item.account,
            "other": other,
            "contra": self.plan.lines[1].account,
            "journal": self.plan.journal,
            "date": date(self.when.entry_date),
            "period": self.when.label(),
            "closed": period.label(),
        }
        if self.when.moved:
            return tr(
                "Books {amount} {side} on account {account} and {other} on account {contra}, journal "
                "{journal}, dated {date} in period {period}: period {closed} is closed in AFAS, so the "
                "entry goes into the first open period after it, and the item stays open in the periods "
                "before."
            ).format(**fields)
        return tr(
            "Books {amount} {side} on account {account} and {other} on account {contra}, journal "
            "{journal}, dated {date} in period {period}."
        ).format(**fields)


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
            tr("Period {period} is closed in AFAS and there is no open period after it.").format(
                period=period.label()
            ),
            tr(
                "Open a later period for booking in AFAS, sync Profit_periods_per_administration, "
                "then book it."
            ),
        )
    year, number, start = rows[0]
    start = start.date() if isinstance(start, dt.datetime) else start
    return BookingPeriod(int(year), int(number), start, True)


def correction_states(
    con: duckdb.DuckDBPyConnection, items: list[ReconcilingItem] | tuple[ReconcilingItem, ...]
) -> dict[int, CorrectionState | WaitingApproval]:
    """For the items booked as corrections, or waiting as one for approval in a batch: reconciling
    item id -> where it stands. Both kinds say it in :meth:`words` and whether the item can be booked
    again in ``frees`` (a waiting one cannot)."""
    states: dict[int, CorrectionState | WaitingApproval] = {}
    items = list(items)
    if any(i.correction_batch is not None for i in items):
        items = _linked(con, items)
        states.update(waiting_for_approval(con, items))
    booked = [i for i in items if i.correction_item is not None and i.item_id not in states]
    if not booked:
        return states
    ensure_corrections_schema(con)
    rows = con.execute(
        "SELECT item_id, reference, state, message FROM correction_items WHERE list_contains(?, item_id)",
        [[i.correction_item for i in booked]],
    ).fetchall()
    found = {int(r[0]): r for r in rows}
    lines = _vouchers_in_afas(con, booked)
    for item in booked:
        row = found.get(int(item.correction_item or 0))
        if row is None:  # the outbox row is gone (a warehouse restored without it): free again
            continue
        states[item.item_id] = CorrectionState(
            int(row[0]), str(row[1]), OutboxState(row[2]), row[3], (item.account, str(row[1])) in lines
        )
    return states


def waiting_for_approval(
    con: duckdb.DuckDBPyConnection, items: list[ReconcilingItem] | tuple[ReconcilingItem, ...]
) -> dict[int, WaitingApproval]:
    """The items prepared as a correction batch still waiting for approval: item id -> the batch."""
    wanted = {i.correction_batch: i.item_id for i in items if i.correction_batch is not None}
    if not wanted:
        return {}
    return {
        wanted[b.batch_id]: WaitingApproval(
            b.batch_id, b.preparer.signature, b.prepared_at, len(b.approvers), b.approvals_needed
        )
        for b in batches(con, BatchState.WAITING, list(wanted))
    }


def _linked(con: duckdb.DuckDBPyConnection, items: list[ReconcilingItem]) -> list[ReconcilingItem]:
    """``items`` after linking those whose batch was approved where this module was not loaded."""
    pending = sorted({i.correction_batch for i in items if i.correction_batch is not None})
    if not pending or not link_approved(con, batch_ids=pending):
        return items
    fresh = items_by_id(con, [i.item_id for i in items])
    return [fresh.get(i.item_id, i) for i in items]


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
            tr("Reconciling item #{item} is not open in {period}.").format(
                item=item_id, period=period.label()
            ),
            tr("Reload the page: it may have been cleared or booked in another session."),
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
    if isinstance(state, WaitingApproval):
        raise InputError(
            tr("Reconciling item #{item} is prepared as a correction already: it is {state}.").format(
                item=item.item_id, state=state.words()
            ),
            tr("An approver approves or declines the batch on the Corrections page."),
        )
    if state is not None and not state.frees:
        raise InputError(
            tr("Reconciling item #{item} is booked already: {state}.").format(
                item=item.item_id, state=state.words()
            ),
            tr("Send it from the outbox on the Corrections page, or wait for it to be rejected."),
        )
    if defaults.contra_account == item.account:
        raise InputError(
            tr("The contra account is account {account} itself: the entry would change nothing.").format(
                account=item.account
            ),
            tr("Pick the account the difference belongs on (costs, a suspense account)."),
        )
    if defaults.administration != period.unit:
        raise InputError(
            tr(
                "The correction would go to administration {target}, the item is in administration {unit}."
            ).format(target=defaults.administration, unit=period.unit),
            tr("Close the administration of your connection profile, or change the profile."),
        )
    when = booking_period(con, period)
    default = tr("Close {period}: {description}").format(period=period.label(), description=item.description)
    text = " ".join((description or default).split())[:250]
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


_FREE = (
    "cleared_year IS NULL AND (correction_item IS NULL OR correction_item IN "
    "(SELECT item_id FROM correction_items WHERE list_contains(?, state))) "
    f"AND NOT coalesce({HELD_BY_BATCH}, false)"
)
"""SQL on close_items (one parameter: the freeing states): the item can be booked now."""


def _checked(booking: Booking) -> None:
    if booking.problems:
        raise InputError(
            tr("This correction cannot be approved: {problems}").format(problems="; ".join(booking.problems)),
            " ".join(booking.hints) or tr("Pick another journal or contra account."),
        )


def _held(c: duckdb.DuckDBPyConnection, item: ReconcilingItem) -> BookedMeanwhile:
    """What to tell the second of two sessions booking ``item``: where the first put it."""
    now = items_by_id(c, [item.item_id]).get(item.item_id)
    waiting = waiting_for_approval(c, [now]) if now is not None else {}
    if item.item_id in waiting:
        return BookedMeanwhile(
            tr(
                "Reconciling item #{item} was prepared as a correction in another session meanwhile: it is "
                "{state}."
            ).format(item=item.item_id, state=waiting[item.item_id].words()),
            tr("Reload the page: an approver approves or declines it on the Corrections page."),
        )
    return BookedMeanwhile(
        tr("Reconciling item #{item} was booked or cleared in another session meanwhile.").format(
            item=item.item_id
        ),
        tr("Reload the page: its correction is in the outbox on the Corrections page."),
    )


def book(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    booking: Booking,
    who: str | User,
) -> ItemRow:
    """Approve ``booking``'s correction into the outbox as ``who`` and link the item to it, in one
    transaction; refused when the item was booked (or cleared, or prepared for approval) meanwhile.
    One machine without sign-in only (the outbox refuses a signed-in person's one-step approval: see
    :func:`propose_booking`). The caller checks the lock."""
    _checked(booking)
    ensure_close_schema(con)
    item = booking.item
    freeing = [str(s) for s in FREEING]

    def link(c: duckdb.DuckDBPyConnection, row: ItemRow) -> None:
        done = c.execute(
            "UPDATE close_items SET correction_item = ?, correction_ref = ?, correction_year = ?, "
            f"correction_period = ? WHERE item_id = ? AND {_FREE} RETURNING item_id",
            [row.item_id, row.reference, booking.when.year, booking.when.period, item.item_id, freeing],
        ).fetchall()
        if not done:
            raise _held(c, item)
        record_event(
            c,
            period,
            item.account,
            CloseEvent.ITEM_TO_CORRECTION,
            who.signature if isinstance(who, User) else who,
            tr("#{item} as correction {reference} in {period} against {contra}").format(
                item=item.item_id,
                reference=row.reference,
                period=booking.when.label(),
                contra=booking.plan.lines[1].account,
            ),
        )

    return Outbox(con).approve(booking.plan, approver=who, then=link)


def propose_booking(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    booking: Booking,
    who: User,
    *,
    config: AccessConfig,
) -> Batch:
    """Prepare ``booking``'s correction as a batch for another person's approval (signed in: four-eyes,
    two others above the threshold of ``config``) and mark the item as waiting for it, in one
    transaction; refused when the item was booked, cleared or prepared meanwhile. The caller checks
    the lock. The last approval links the item to its outbox item (:func:`_decided`)."""
    who.require(Right.PREPARE)
    _checked(booking)
    ensure_close_schema(con)
    item = booking.item
    freeing = [str(s) for s in FREEING]
    contra = booking.plan.lines[1].account

    def link(c: duckdb.DuckDBPyConnection, batch_id: int) -> None:
        done = c.execute(
            f"UPDATE close_items SET correction_batch = ? WHERE item_id = ? AND {_FREE} RETURNING item_id",
            [batch_id, item.item_id, freeing],
        ).fetchall()
        if not done:
            raise _held(c, item)
        # the item's n-th batch: a key, so that of two sessions proposing at once one is refused even
        # when the other committed after this transaction began (the UPDATE above would not see it)
        (attempt,) = c.execute(
            "SELECT coalesce(max(attempt), 0) + 1 FROM close_item_batches WHERE item_id = ?", [item.item_id]
        ).fetchone()
        try:
            c.execute(
                "INSERT INTO close_item_batches (item_id, attempt, batch_id, position, unit, year, period, "
                "account, booked_year, booked_period, contra, prepared_by, prepared) "
                "VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [item.item_id, attempt, batch_id, *period.key, item.account, booking.when.year,
                 booking.when.period, contra, who.signature, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
            )  # fmt: skip
        except duckdb.ConstraintException:
            raise BookedMeanwhile(
                tr(
                    "Reconciling item #{item} was prepared as a correction in another session meanwhile."
                ).format(item=item.item_id),
                tr("Reload the page: it waits for approval on the Corrections page."),
            ) from None
        record_event(
            c,
            period,
            item.account,
            CloseEvent.ITEM_TO_CORRECTION,
            who.signature,
            tr(
                "#{item} prepared as correction batch {batch} for approval, in {period} against {contra}"
            ).format(item=item.item_id, batch=batch_id, period=booking.when.label(), contra=contra),
        )

    text = tr("Account {account}, reconciling item #{item}: {summary}").format(
        account=item.account, item=item.item_id, summary=booking.summary(period)
    )
    return propose(
        Outbox(con),
        [(text, booking.plan)],
        by=who,
        config=config,
        description=tr("Close {period}: reconciling item #{item} on account {account}, {description}").format(
            period=period.label(), item=item.item_id, account=item.account, description=item.description
        ),
        then=link,
    )


def _link_batch(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    outbox: dict[int, tuple[int, str]],
    who: str,
    *,
    strict: bool,
) -> int:
    """Link the close items waiting for batch ``batch_id`` to its outbox items (position -> (outbox
    item id, reference)), as :func:`book` links them; ``strict``: in the approval's transaction, where
    an item cleared meanwhile refuses the approval. The number linked."""
    links = con.execute(
        "SELECT position, item_id, unit, year, period, account, booked_year, booked_period, contra "
        "FROM close_item_batches WHERE batch_id = ? ORDER BY position",
        [batch_id],
    ).fetchall()
    linked = 0
    for position, item_id, unit, year, period, account, b_year, b_period, contra in links:
        if position not in outbox:
            continue
        outbox_item, reference = outbox[position]
        done = con.execute(
            "UPDATE close_items SET correction_item = ?, correction_ref = ?, correction_year = ?, "
            "correction_period = ?, correction_batch = NULL WHERE item_id = ? AND correction_batch = ? "
            + ("AND cleared_year IS NULL " if strict else "")
            + "RETURNING item_id",
            [outbox_item, reference, b_year, b_period, item_id, batch_id],
        ).fetchall()
        if not done:
            if strict:
                raise BookedMeanwhile(
                    tr(
                        "Reconciling item #{item} of batch {batch} (account {account}) is no longer waiting "
                        "for this correction: it was cleared on the Close page meanwhile."
                    ).format(item=item_id, batch=batch_id, account=account),
                    tr("Decline the batch: the item does not need this correction any more."),
                )
            continue
        at = ClosePeriod(int(unit), int(year), int(period), dt.date.min, dt.date.min, False)
        record_event(
            con,
            at,
            account,
            CloseEvent.ITEM_TO_CORRECTION,
            who,
            tr(
                "#{item} as correction {reference} in {period} against {contra}, approved in batch {batch}"
            ).format(
                item=item_id,
                reference=reference,
                period=f"{b_year}-{int(b_period):02d}",
                contra=contra,
                batch=batch_id,
            ),
        )
        linked += 1
    return linked


def _decided(con: duckdb.DuckDBPyConnection, decision: Decision) -> None:
    """In the transaction of a batch's last approval or its decline: link, or free, its close items."""
    batch_id = decision.batch.batch_id
    if not has_table(con, "close_item_batches"):  # no close in this warehouse
        return
    if decision.state == BatchState.APPROVED:
        outbox = {position: (row.item_id, row.reference) for position, row in decision.items}
        _link_batch(con, batch_id, outbox, decision.signatures, strict=True)
        return
    freed = con.execute(
        "UPDATE close_items SET correction_batch = NULL WHERE correction_batch = ? RETURNING item_id",
        [batch_id],
    ).fetchall()
    if not freed:
        return
    for item_id, unit, year, period, account in con.execute(
        "SELECT item_id, unit, year, period, account FROM close_item_batches WHERE batch_id = ? "
        "AND list_contains(?, item_id)",
        [batch_id, [i for (i,) in freed]],
    ).fetchall():
        at = ClosePeriod(int(unit), int(year), int(period), dt.date.min, dt.date.min, False)
        record_event(
            con,
            at,
            account,
            CloseEvent.ITEM_TO_CORRECTION,
            decision.signatures,
            tr("#{item}: batch {batch} declined ({reason}); the item can be booked again").format(
                item=item_id, batch=batch_id, reason=decision.reason
            ),
        )


when_decided(__name__, _decided)


def link_approved(
    con: duckdb.DuckDBPyConnection, *, unit: int | None = None, batch_ids: list[int] | None = None
) -> int:
    """Link the items whose batch was approved but not linked in its approval (a process that had not
    loaded this module approved it) to their outbox items; of ``unit`` or these batches. The number
    linked (once, also when two sessions read at once: the link is conditional on the item waiting)."""
    if not has_table(con, "close_item_batches") or not has_table(con, "correction_batches"):
        return 0
    pending = con.execute(
        "SELECT DISTINCT b.batch_id, b.decided_by FROM close_items i JOIN correction_batches b "
        "ON b.batch_id = i.correction_batch WHERE b.state = ? AND (?::BIGINT IS NULL OR i.unit = ?) "
        "AND (?::BIGINT[] IS NULL OR list_contains(?, b.batch_id)) ORDER BY 1",
        [str(BatchState.APPROVED), unit, unit, batch_ids, batch_ids],
    ).fetchall()
    linked = 0
    for batch_id, decided_by in pending:
        outbox = {
            int(position): (int(item_id), str(reference))
            for position, item_id, reference in con.execute(
                "SELECT b.position, c.item_id, c.reference FROM correction_batch_items b "
                "JOIN correction_items c ON c.item_id = b.item_id WHERE b.batch_id = ?",
                [batch_id],
            ).fetchall()
        }
        with transaction(con):
            linked += _link_batch(con, int(batch_id), outbox, decided_by or "approvers", strict=False)
    return linked


def settle_booked(con: duckdb.DuckDBPyConnection, unit: int) -> list[tuple[str, int]]:
    """Clear the items of ``unit`` whose correction AFAS holds and a sync brought in, in the period
    it is booked in; returns (account, item id) of those cleared now (one event each, also when two
    sessions read at once: the clearing is conditional on the item being open)."""
    link_approved(con, unit=unit)
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
            detail = tr("#{item} by correction {reference}").format(item=item_id, reference=ref)
            record_event(con, at, account, CloseEvent.ITEM_CLEARED, "AFAS", detail)
            cleared.append((str(account), int(item_id)))
    return cleared
