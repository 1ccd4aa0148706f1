"""Four-eyes for corrections: a batch is prepared by one person and approved by another.

In a signed-in deployment (afas.access) a preparer proposes a batch of corrections
(:func:`propose`): the plan items wait in ``correction_batches`` / ``correction_batch_items``, checked
as AFAS would and not yet in the outbox, so nothing can send them. An approver who is not the preparer
approves it (:func:`approve`); above the four-eyes threshold a second approver, again another person,
is needed. The last approval puts the items into the outbox in the same transaction
(Outbox._insert_approved: reference, fingerprint, state 'approved') and writes, per item, who prepared
and who approved it into the audit log with their identity (subject, e-mail, name, issuer). One
approval per person and batch (a primary key), the move into the outbox conditional on the batch
still waiting: two approvers pressing at once, in two sessions or processes, make the items once.

An approver, or the preparer, may decline a waiting batch (:func:`decline`); nothing of it is sent.
On one machine without sign-in its one person approves in one step (Outbox.approve), as before.

What a batch's items came from may record its link in the batch's own transactions: ``propose``'s
``then`` runs where the batch is written, and a hook registered with :func:`when_decided` runs where
the last approval puts the items into the outbox and where a decline is written (the close links its
reconciling items so, afas.close.booking: a layer above this one registers, this one imports nothing
of it). When such a hook raises, the decision is not taken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import duckdb

from afas.access import AccessConfig, NotAllowed, Right, User, approvals_needed
from afas.catalogue import label
from afas.corrections.from_recon import record_origins
from afas.corrections.outbox import NotValid, Outbox
from afas.corrections.outcomes import ItemRow
from afas.corrections.plans import PlanItem
from afas.corrections.readback import warehouse_rows
from afas.corrections.schema import AuditEvent, ensure_corrections_schema
from afas.corrections.serialize import item_from_json, item_to_json
from afas.corrections.validation import Validator
from afas.errors import AppError, InputError
from afas.i18n import ntr, tr
from afas.warehouse.db import ensure_once

__all__ = [
    "Batch",
    "BatchState",
    "Decision",
    "approve",
    "batches",
    "decline",
    "ensure_batches_schema",
    "propose",
    "when_decided",
]


class BatchState(StrEnum):
    """Where a prepared batch stands (correction_batches.state; labels: afas.catalogue)."""

    WAITING = "waiting"  # prepared, approvals missing
    APPROVED = "approved"  # approved by enough people: its items are in the outbox
    DECLINED = "declined"  # declined by an approver or withdrawn by its preparer; never sent


BATCHES_DDL = """
CREATE SEQUENCE IF NOT EXISTS correction_batch_ids START 1;
CREATE TABLE IF NOT EXISTS correction_batches (
    batch_id BIGINT PRIMARY KEY,
    description VARCHAR NOT NULL,
    amount DECIMAL(18, 2),
    approvals_needed INTEGER NOT NULL,
    approvals INTEGER NOT NULL DEFAULT 0,
    state VARCHAR NOT NULL,
    prepared_subject VARCHAR NOT NULL, prepared_email VARCHAR, prepared_name VARCHAR NOT NULL,
    prepared_issuer VARCHAR NOT NULL, prepared_at TIMESTAMP NOT NULL,
    decided_by VARCHAR, decided_at TIMESTAMP, reason VARCHAR);
CREATE TABLE IF NOT EXISTS correction_batch_items (
    batch_id BIGINT NOT NULL, position INTEGER NOT NULL, kind VARCHAR NOT NULL, plan VARCHAR NOT NULL,
    label VARCHAR NOT NULL, run_id BIGINT, result_id BIGINT, item_id BIGINT,
    PRIMARY KEY (batch_id, position));
CREATE TABLE IF NOT EXISTS correction_approvals (
    batch_id BIGINT NOT NULL, subject VARCHAR NOT NULL, issuer VARCHAR NOT NULL, email VARCHAR,
    name VARCHAR NOT NULL, approved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (batch_id, issuer, subject));
"""


class DecidedMeanwhile(AppError):
    """Another session approved or declined the batch between reading and writing."""


@dataclass(frozen=True)
class Batch:
    """A prepared batch as stored, with who prepared and who approved it so far."""

    batch_id: int
    description: str
    amount: Decimal | None
    approvals_needed: int
    state: BatchState
    preparer: User
    prepared_at: dt.datetime
    approvers: tuple[tuple[User, dt.datetime], ...]
    items: int
    decided_by: str | None = None
    reason: str | None = None

    @property
    def approvals_missing(self) -> int:
        return max(self.approvals_needed - len(self.approvers), 0)


@dataclass(frozen=True)
class Decision:
    """A batch approved by the last approval it needed, or declined: what a hook (:func:`when_decided`)
    is told, in the decision's transaction."""

    batch: Batch  # as it stood before the decision (waiting)
    state: BatchState  # APPROVED or DECLINED
    by: tuple[User, ...]  # approved: its approvers, first first; declined: who declined it
    items: tuple[tuple[int, ItemRow], ...] = ()  # approved: (position in the batch, outbox row) per item
    reason: str | None = None  # declined: why

    @property
    def signatures(self) -> str:
        return ", ".join(u.signature for u in self.by)


Hook = Callable[[duckdb.DuckDBPyConnection, Decision], None]
_HOOKS: dict[str, Hook] = {}


def when_decided(name: str, hook: Hook) -> None:
    """From now on in this process, run ``hook(con, decision)`` in the transaction of every batch's
    last approval (its items are in the outbox then) and of every decline; when it raises, the
    decision is rolled back and the error goes to whoever approved or declined. ``name`` keeps one
    hook per caller (registering again replaces it)."""
    _HOOKS[name] = hook


def _decided(con: duckdb.DuckDBPyConnection, decision: Decision) -> None:
    for hook in list(_HOOKS.values()):
        hook(con, decision)


def ensure_batches_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the batch tables (and the outbox's) if they are missing (once per file and process)."""
    ensure_corrections_schema(con)
    ensure_once(con, "correction_batches", lambda: con.execute(BATCHES_DDL))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _total(items: Sequence[PlanItem]) -> Decimal | None:
    amounts = [abs(i.amount) for i in items if i.amount is not None]
    return sum(amounts, Decimal(0)) if amounts else None


def propose(
    box: Outbox,
    items: Sequence[tuple[str, PlanItem]],
    *,
    by: User,
    config: AccessConfig,
    description: str,
    origins: Sequence[tuple[int, int]] | None = None,
    then: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None,
) -> Batch:
    """Prepare ``items`` ((label, plan item)) as one batch for approval by others than ``by``.

    Every item is checked as AFAS would first (:class:`NotValid` names the first that fails);
    ``origins`` per item the (run_id, result_id) of the reconciliation result it corrects.
    ``then(con, batch_id)`` runs in the same transaction once the batch is written (what its items
    came from records the link there, on its own conditions): when it raises, nothing is prepared."""
    by.require(Right.PREPARE)
    if by.is_local:
        raise NotAllowed(
            tr("Without sign-in nobody else can approve a batch: approve it yourself."),
            tr("Use Approve; a batch for another person's approval needs the dashboard with sign-in."),
        )
    if not items:
        raise InputError(tr("There is nothing to prepare."), tr("Tick at least one correction."))
    amount = _total([i for _, i in items])
    with box._open() as con:
        ensure_batches_schema(con)
        for label, item in items:
            check = Validator(con).check(item)
            if not check.ok:
                raise NotValid([f"{label}: {m}" for m in check.messages])

        def work(c: duckdb.DuckDBPyConnection) -> int:
            (batch_id,) = c.execute("SELECT nextval('correction_batch_ids')").fetchone()
            c.execute(
                "INSERT INTO correction_batches (batch_id, description, amount, approvals_needed, state, "
                "prepared_subject, prepared_email, prepared_name, prepared_issuer, prepared_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [batch_id, description, amount, approvals_needed(by, config, amount), BatchState.WAITING,
                 by.subject, by.email, by.name, by.issuer, _now()],
            )  # fmt: skip
            c.executemany(
                "INSERT INTO correction_batch_items (batch_id, position, kind, plan, label, run_id, "
                "result_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    [batch_id, n, item.kind, item_to_json(item), label,
                     *(origins[n] if origins is not None else (None, None))]
                    for n, (label, item) in enumerate(items)
                ],
            )  # fmt: skip
            if then is not None:
                then(c, int(batch_id))
            return int(batch_id)

        batch_id = box._retry(con, work)
        return _read(con, batch_id)


def _read(con: duckdb.DuckDBPyConnection, batch_id: int) -> Batch:
    found = batches(con, batch_ids=[batch_id])
    if not found:
        raise InputError(tr("There is no batch {batch}.").format(batch=batch_id), tr("Reload the page."))
    return found[0]


def batches(
    con: duckdb.DuckDBPyConnection,
    state: BatchState | None = None,
    batch_ids: Sequence[int] | None = None,
) -> list[Batch]:
    """The batches (of ``state``, or these ids), newest first, with their approvers."""
    ensure_batches_schema(con)
    rows = con.execute(
        """SELECT b.batch_id, b.description, b.amount, b.approvals_needed, b.state, b.prepared_subject,
                  b.prepared_email, b.prepared_name, b.prepared_issuer, b.prepared_at, b.decided_by,
                  b.reason, (SELECT count(*) FROM correction_batch_items i WHERE i.batch_id = b.batch_id)
           FROM correction_batches b
           WHERE (?::VARCHAR IS NULL OR b.state = ?) AND (?::BIGINT[] IS NULL OR list_contains(?, b.batch_id))
           ORDER BY b.batch_id DESC""",
        [state, state, batch_ids, batch_ids],
    ).fetchall()
    approvals: dict[int, list[tuple[User, dt.datetime]]] = {}
    for bid, subject, issuer, email, name, at in con.execute(
        "SELECT batch_id, subject, issuer, email, name, approved_at FROM correction_approvals "
        "ORDER BY approved_at, subject"
    ).fetchall():
        approvals.setdefault(int(bid), []).append((User(subject, email or "", name, issuer), at))
    return [
        Batch(
            int(r[0]),
            r[1],
            r[2],
            int(r[3]),
            BatchState(r[4]),
            User(r[5], r[6] or "", r[7], r[8]),
            r[9],
            tuple(approvals.get(int(r[0]), ())),
            int(r[12]),
            r[10],
            r[11],
        )  # fmt: skip
        for r in rows
    ]


def _waiting(batch: Batch) -> None:
    if batch.state != BatchState.WAITING:
        raise DecidedMeanwhile(
            tr("Batch {batch} is {state} already.").format(batch=batch.batch_id, state=label(batch.state)),
            tr("Reload the page and look again."),
        )


def approve(box: Outbox, batch_id: int, *, by: User) -> tuple[Batch, list[ItemRow]]:
    """Approve batch ``batch_id`` as ``by``: another person than its preparer and its other approvers.
    The last approval it needs puts its items into the outbox (the rows returned)."""
    by.require(Right.APPROVE)
    with box._open() as con:
        batch = _read(con, batch_id)
        _waiting(batch)
        if batch.preparer.same_person(by):
            raise NotAllowed(
                tr("You prepared batch {batch} yourself, so you cannot approve it too.").format(
                    batch=batch_id
                ),
                tr("Another approver approves it (four-eyes)."),
            )
        if any(u.same_person(by) for u, _ in batch.approvers):
            raise NotAllowed(
                ntr(
                    "You approved batch {batch} already; it needs {n} more approval by another person.",
                    "You approved batch {batch} already; it needs {n} more approvals by another person.",
                    batch.approvals_missing,
                ).format(batch=batch_id, n=batch.approvals_missing),
                tr("Another approver approves it (above the four-eyes threshold two approvers are needed)."),
            )
        plans = con.execute(
            "SELECT position, kind, plan, run_id, result_id FROM correction_batch_items WHERE batch_id = ? "
            "ORDER BY position",
            [batch_id],
        ).fetchall()
        items = [(int(p), item_from_json(k, text), run, res) for p, k, text, run, res in plans]
        parts_of: list[tuple[list, list]] = []
        for _, item, _, _ in items:  # checked and fingerprinted as they are now, as Outbox.approve does
            check = Validator(con).check(item)
            if not check.ok:
                raise NotValid(check.messages)
            parts = [(s, *warehouse_rows(con, s)) for s in item.sources]
            sources = [{"connector": s.connector, "match": list(s.match), "fields": list(f)}
                       for s, f, _ in parts]  # fmt: skip
            parts_of.append((parts, sources))

        def work(c: duckdb.DuckDBPyConnection) -> list[ItemRow]:
            try:
                c.execute(
                    "INSERT INTO correction_approvals VALUES (?, ?, ?, ?, ?, ?)",
                    [batch_id, by.subject, by.issuer, by.email, by.name, _now()],
                )
            except duckdb.ConstraintException:
                raise DecidedMeanwhile(
                    tr("You approved batch {batch} in another session already.").format(batch=batch_id),
                    tr("Reload the page."),
                ) from None
            # every approval writes the batch row: two approving at once conflict, and the one that
            # tries again counts the other's approval (else both would count one and the batch wait).
            # It writes the state column too (unchanged): DuckDB (2.0) sees a conflict only between
            # writes to the same column, and an UPDATE ... RETURNING of the counter alone would write
            # back the state this transaction read, undoing a decline committed meanwhile.
            counted = c.execute(
                "UPDATE correction_batches SET approvals = approvals + 1, state = state "
                "WHERE batch_id = ? AND state = ? "
                "RETURNING approvals, approvals_needed",
                [batch_id, BatchState.WAITING],
            ).fetchall()
            if not counted:
                raise DecidedMeanwhile(
                    tr("Batch {batch} was approved or declined in another session meanwhile.").format(
                        batch=batch_id
                    ),
                    tr("Reload the page: its corrections are in the outbox if it was approved."),
                )
            if counted[0][0] < counted[0][1]:
                return []
            approvers = [
                User(sub, email or "", name, iss)
                for sub, iss, email, name in c.execute(
                    "SELECT subject, issuer, email, name FROM correction_approvals WHERE batch_id = ? "
                    "ORDER BY approved_at, subject",
                    [batch_id],
                ).fetchall()
            ]
            signatures = ", ".join(u.signature for u in approvers)
            c.execute(
                "UPDATE correction_batches SET state = ?, decided_by = ?, decided_at = ? WHERE batch_id = ?",
                [BatchState.APPROVED, signatures, _now(), batch_id],
            )
            rows, linked = [], []
            for (position, item, run_id, result_id), (parts, sources) in zip(items, parts_of, strict=True):
                row = box._insert_approved(c, item, signatures, parts, sources)
                c.execute(
                    "UPDATE correction_batch_items SET item_id = ? WHERE batch_id = ? AND position = ?",
                    [row.item_id, batch_id, position],
                )
                _identities(box, c, row, batch, approvers)
                if run_id is not None:
                    linked.append((row.item_id, run_id, result_id))
                rows.append(row)
            record_origins(c, linked)
            positions = tuple((p, r) for (p, *_), r in zip(items, rows, strict=True))
            _decided(c, Decision(batch, BatchState.APPROVED, tuple(approvers), positions))
            return rows

        rows = box._retry(con, work)
        return _read(con, batch_id), rows


def _identities(
    box: Outbox, con: duckdb.DuckDBPyConnection, row: ItemRow, batch: Batch, approvers: list[User]
) -> None:
    """The audit rows that say, with identities, who prepared ``row`` and each who approved it (the
    'approved' row the outbox wrote names all approvers in words; it becomes the first's)."""
    first, *others = approvers
    box._audit(
        con, row.item_id, AuditEvent.PREPARED, actor=batch.preparer.name,
        actor_subject=batch.preparer.subject, actor_email=batch.preparer.email,
        actor_issuer=batch.preparer.issuer,
        message=tr("batch {batch}: {description}").format(
            batch=batch.batch_id, description=batch.description
        ),
    )  # fmt: skip
    con.execute(
        "UPDATE correction_audit SET actor = ?, actor_subject = ?, actor_email = ?, actor_issuer = ? "
        "WHERE item_id = ? AND event = ?",
        [first.name, first.subject, first.email, first.issuer, row.item_id, AuditEvent.APPROVED],
    )
    for user in others:
        box._audit(
            con, row.item_id, AuditEvent.APPROVED, actor=user.name, actor_subject=user.subject,
            actor_email=user.email, actor_issuer=user.issuer,
            message=tr("batch {batch}").format(batch=batch.batch_id),
        )  # fmt: skip


def decline(box: Outbox, batch_id: int, *, by: User, reason: str) -> Batch:
    """Decline a waiting batch (an approver) or withdraw it (its preparer); nothing of it is sent."""
    with box._open() as con:
        batch = _read(con, batch_id)
        _waiting(batch)
        if not batch.preparer.same_person(by):
            by.require(Right.APPROVE)
        text = " ".join((reason or "").split())
        if not text:
            raise InputError(tr("Say why the batch is declined."), tr("The preparer reads it."))

        def work(c: duckdb.DuckDBPyConnection) -> None:
            done = c.execute(
                "UPDATE correction_batches SET state = ?, decided_by = ?, decided_at = ?, reason = ? "
                "WHERE batch_id = ? AND state = ? RETURNING batch_id",
                [BatchState.DECLINED, by.signature, _now(), text, batch_id, BatchState.WAITING],
            ).fetchall()
            if not done:
                raise DecidedMeanwhile(
                    tr("Batch {batch} was decided meanwhile.").format(batch=batch_id), tr("Reload the page.")
                )
            _decided(c, Decision(batch, BatchState.DECLINED, (by,), reason=text))

        box._retry(con, work)
        return _read(con, batch_id)
