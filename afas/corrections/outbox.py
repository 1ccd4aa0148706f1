"""The outbox: every approved correction reaches AFAS once, or not at all, and we always know which,
however many dashboard sessions and command-line runs send at the same time.

1. ``approve`` gives the item its stable reference before anything is sent, written into a field AFAS
   keeps and a GetConnector reads back: the voucher number (BpNr -> Profit_Transactions.VoucherNo)
   of an entry, the relation number (DbId/CrId -> Profit_Debtor.DebtorId / Profit_Creditor.CreditorId)
   of a relation, (axis, code) of an allocation code. It records who approved, when, the request
   body and a fingerprint of the warehouse rows the item was built from.
2. A sender *claims* the item before it does anything with it (``claimed_by`` = the sender's id, in
   the DuckDB file, so every session and the CLI see it; see afas/corrections/claims.py). The claim is
   one conditional UPDATE (state and no claim, or our own): of two senders racing for an item exactly
   one gets it, inside one process (DuckDB refuses the second writer of a row) and across processes
   (only one process at a time has the file open). Only the claimant moves the item on.
3. ``send`` (claim held) re-reads the item's rows from AFAS; a difference stops the item ('stale')
   with the reason. An insert whose reference AFAS already holds is confirmed without sending.
   Otherwise the state 'sending' is committed, then the one POST/PUT goes out (never retried
   automatically). The database file is closed while AFAS is being asked: a slow AFAS never keeps
   other sessions or the CLI out of the warehouse.
4. The answer decides: keys returned -> 'confirmed'; AFAS's validation message (HTTP 500 with a
   functional text) -> 'rejected' with that text exactly; a timeout, dropped connection, 503, or a
   500 without a definite message -> 'unknown'. Each of these lets the claim go.
5. ``recover`` looks only at items whose claimant is gone (its process died, or its run ended by an
   error): 'sending' becomes 'unknown', any other state just loses the claim. An item of a sender that
   is alive, however long AFAS takes, is never touched.
6. ``resolve`` (claim held) reads AFAS back for an unknown item's reference: found -> 'confirmed' with
   the keys found; not found -> 'approved' (nothing was posted, safe to send again). Never a blind
   resend: every send reads AFAS back for the reference just before it posts, under its claim.
   Nor a hasty one: AFAS can finish a POST after the client gave up on it, so an item is read back
   only ``settle_after`` (AFAS_RESOLVE_AFTER_S, 120 s) after its last request or its giving-up;
   before that it stays 'unknown' and says from when on it will be read back.

``post`` is the whole of 'Send to AFAS' and ``python -m afas post``: recover, claim every open item
that no live sender holds, resolve, send; items another live sender holds come back with ``held_by``.

The outbox works over a DuckDB connection the caller holds (tests, in-memory databases) or over the
warehouse file's path, which it then opens for each step only (afas.warehouse.db.connection).
Every state transition is one committed transaction with its audit row (afas/corrections/schema.py).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from afas.access import NotAllowed, Right, User
from afas.catalogue import label
from afas.corrections.claims import Sender, SenderLockError, alive, default_name, senders_dir
from afas.corrections.outcomes import COLUMNS, ItemRow, NotValid, Outcome, indefinite, item_row, same
from afas.corrections.payloads import request_for
from afas.corrections.plans import PlanItem, PlanKind, SourceRows
from afas.corrections.readback import Found, afas_rows, find_reference, fingerprint, warehouse_rows
from afas.corrections.schema import (
    OPEN_STATES,
    PENDING_STATES,
    AuditEvent,
    OutboxState,
    ensure_corrections_schema,
)
from afas.corrections.serialize import item_to_json, to_json
from afas.corrections.validation import Validator
from afas.errors import InputError
from afas.i18n import tr
from afas.profit.client import ProfitClient
from afas.profit.connectors import ConnectorIds
from afas.profit.errors import AfasError, AfasHTTPError, AfasRejected, AfasTransportError
from afas.warehouse.db import connection, transaction

__all__ = ["ItemRow", "NotValid", "Outbox", "Outcome", "SenderLockError"]

T = TypeVar("T")
APPROVED, SENDING, CONFIRMED = OutboxState.APPROVED, OutboxState.SENDING, OutboxState.CONFIRMED
REJECTED, UNKNOWN, STALE = OutboxState.REJECTED, OutboxState.UNKNOWN, OutboxState.STALE
_RETRIES = 40  # write-write conflicts between sessions of one process: the loser tries again
_NO_CLAIM = "claimed_by = NULL, claimed_name = NULL, claimed_at = NULL"


class _References:
    """The references the outbox gives an item it approves as ``item_id`` (plans.References)."""

    def __init__(self, box: Outbox, con: duckdb.DuckDBPyConnection, item_id: int) -> None:
        self._box, self._con, self._item_id = box, con, item_id

    def voucher_number(self) -> str:
        return f"KC{self._box._namespace_value}-{self._item_id:06d}"

    def relation_number(self, sales: bool) -> str:
        return self._box._next_relation_number(self._con, sales)


def _database_file(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return row[0] if row and row[0] else None


SETTLE_AFTER_S = 120.0
"""How long after an unanswered request an item is read back (AFAS_RESOLVE_AFTER_S): AFAS can finish
a POST after the client gave up on it (a timeout, a dropped connection), and a read-back before then
would find nothing and let the item be posted again."""


def _settle_seconds_from_env() -> float:
    text = os.environ.get("AFAS_RESOLVE_AFTER_S", "").strip()
    if not text:
        return SETTLE_AFTER_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise InputError(
            tr(
                "AFAS_RESOLVE_AFTER_S is {value}; set it to a number of seconds (0 or more), or leave it "
                "out for {default}."
            ).format(value=repr(text), default=f"{SETTLE_AFTER_S:.0f}")
        )
    return value


class Outbox:
    """The outbox of one warehouse (fingerprints read its tables).

    ``db``: the warehouse file's path (each step opens it briefly) or an open DuckDB connection.
    ``sender``: the name other sessions see while this outbox sends ("being sent by ..."); by default
    this program on this host. A sender lives for one ``post``/``send``/``resolve`` call, or for a
    ``with Outbox(...) as box:`` block.
    ``hook(point, item_id)`` is called at 'before_request' ('sending' is committed, nothing sent
    yet) and 'after_request' (the answer is in, nothing recorded yet), with the file closed: tests
    simulate crashes there. ``clock`` fixes time in tests. ``namespace`` (default: random, kept in the
    database) starts every entry reference, so two databases never share one.
    """

    def __init__(
        self,
        db: duckdb.DuckDBPyConnection | str | os.PathLike[str],
        *,
        clock: Callable[[], dt.datetime] | None = None,
        hook: Callable[[str, int], None] | None = None,
        ids: ConnectorIds | None = None,
        namespace: str | None = None,
        sender: str | None = None,
        settle_after: float | None = None,
    ) -> None:
        self.settle_after = dt.timedelta(
            seconds=settle_after if settle_after is not None else _settle_seconds_from_env()
        )
        if isinstance(db, duckdb.DuckDBPyConnection):
            self.con: duckdb.DuckDBPyConnection | None = db
            self.path: Path | None = None
            file = _database_file(db)
        else:
            self.con, self.path = None, Path(db)
            file = str(self.path)
        self._senders = senders_dir(file)
        self.sender_name = sender or default_name()
        self._sender: Sender | None = None
        self._clock = clock or (lambda: dt.datetime.now().replace(microsecond=0))
        self._hook = hook
        self.ids = ids or ConnectorIds()
        self._wanted_namespace = namespace
        self._namespace_value: str | None = None
        if self.con is not None:  # over a file path the tables are made on the first open instead
            self._prepare(self.con)

    def _prepare(self, con: duckdb.DuckDBPyConnection) -> None:
        if self._namespace_value is None:
            ensure_corrections_schema(con)
            wanted = self._wanted_namespace
            for attempt in range(_RETRIES):
                try:
                    self._namespace_value = self._retry(con, lambda c, w=wanted: self._namespace(c, w))
                    return
                except duckdb.ConstraintException:
                    # Another session chose one at the same moment: theirs counts. DuckDB refuses the
                    # second key while the first is not committed yet, so its row may still be
                    # unseen: look again shortly.
                    if attempt == _RETRIES - 1:
                        raise
                    wanted = None
                    time.sleep(random.uniform(0.001, 0.005) * (1 + attempt % 8))

    @property
    def namespace(self) -> str:
        """The start of every entry reference of this database (random, chosen once, kept in it)."""
        if self._namespace_value is None:
            with self._open():
                pass
        return self._namespace_value  # type: ignore[return-value]

    @staticmethod
    def _namespace(con: duckdb.DuckDBPyConnection, wanted: str | None) -> str:
        row = con.execute("SELECT value FROM correction_meta WHERE key = 'namespace'").fetchone()
        if row is not None:
            return row[0]
        value = wanted or secrets.token_hex(3).upper()
        con.execute("INSERT INTO correction_meta VALUES ('namespace', ?)", [value])
        return value

    # --- the database, briefly ----------------------------------------------------------------

    @contextmanager
    def _open(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self.con is not None:
            yield self.con
        else:
            with connection(self.path) as con:  # type: ignore[arg-type]
                self._prepare(con)
                yield con

    @staticmethod
    def _retry(con: duckdb.DuckDBPyConnection, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """``work`` in one transaction; a write-write conflict with another session rolls it back
        and it runs again (it then sees what the other committed)."""
        for attempt in range(_RETRIES):
            try:
                with transaction(con):
                    return work(con)
            except duckdb.TransactionException:
                if attempt == _RETRIES - 1:
                    raise
                time.sleep(random.uniform(0.001, 0.005) * (1 + attempt % 8))
        raise AssertionError("unreachable")

    def _atomic(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        with self._open() as con:
            return self._retry(con, work)

    def _audit(self, con: duckdb.DuckDBPyConnection, item_id: int, event: AuditEvent, **cols: Any) -> None:
        names = ["audit_id", "item_id", "event_at", "event", *cols]
        marks = ", ".join("?" for _ in names[1:])
        con.execute(
            f"INSERT INTO correction_audit ({', '.join(names)}) "
            f"SELECT nextval('correction_audit_ids'), {marks}",
            [item_id, self._clock(), event, *cols.values()],
        )

    # --- reading --------------------------------------------------------------------------------

    def get(self, item_id: int) -> ItemRow:
        with self._open() as con:
            r = con.execute(f"SELECT {COLUMNS} FROM correction_items WHERE item_id = ?", [item_id]).fetchone()
        if r is None:
            raise KeyError(f"no outbox item {item_id}")
        return item_row(r)

    def items(self, state: OutboxState | None = None) -> list[ItemRow]:
        sql = f"SELECT {COLUMNS} FROM correction_items"
        params: list[Any] = []
        if state is not None:
            sql += " WHERE state = ?"
            params.append(state)
        with self._open() as con:
            found = con.execute(sql + " ORDER BY item_id", params).fetchall()
        return [item_row(r) for r in found]

    def held_by_others(self, items: list[ItemRow] | None = None) -> list[ItemRow]:
        """The items a live sender other than this outbox's is working on now."""
        mine = self._sender.id if self._sender is not None else None
        verdict: dict[str, bool] = {}
        out = []
        for row in self.items() if items is None else items:
            who = row.claimed_by
            if who is None or who == mine or row.state not in PENDING_STATES:
                continue
            if who not in verdict:
                verdict[who] = alive(who, self._senders)
            if verdict[who]:
                out.append(row)
        return out

    # --- approving ------------------------------------------------------------------------------

    def _next_relation_number(self, con: duckdb.DuckDBPyConnection, sales: bool) -> str:
        table, col = ("Profit_Debtor", "DebtorId") if sales else ("Profit_Creditor", "CreditorId")
        known: list[str] = []
        try:
            _, rows = warehouse_rows(con, SourceRows(table, ()))
            known = [str(r[col]) for r in rows]
        except LookupError:
            pass
        kind_like = "KnSalesRelation%" if sales else "KnPurchaseRelation%"
        known += [
            r[0]
            for r in con.execute(
                "SELECT reference FROM correction_items WHERE kind = ? AND connector LIKE ?",
                [PlanKind.RELATION_INSERT, kind_like],
            ).fetchall()
        ]
        numbers = [int(k) for k in known if k.isdigit()]
        return str(max(numbers) + 1 if numbers else (10001 if sales else 60001))

    def _references(self, con: duckdb.DuckDBPyConnection, item_id: int) -> _References:
        return _References(self, con, item_id)

    @staticmethod
    def _reference_taken(
        con: duckdb.DuckDBPyConnection, kind: PlanKind, connector: str, reference: str
    ) -> bool:
        if kind == PlanKind.RELATION_UPDATE:  # the relation's number: several changes may share it
            return False
        family = connector.replace("Org", "").replace("Per", "")
        rows = con.execute(
            "SELECT connector FROM correction_items WHERE kind = ? AND reference = ? AND state <> ?",
            [kind, reference, REJECTED],
        ).fetchall()
        return any(c.replace("Org", "").replace("Per", "") == family for (c,) in rows)

    def approve(
        self,
        item: PlanItem,
        *,
        approver: str | User,
        validate: bool = True,
        then: Callable[[duckdb.DuckDBPyConnection, ItemRow], None] | None = None,
    ) -> ItemRow:
        """Record ``item`` as approved by ``approver``, with its reference and fingerprint.

        With ``validate`` the item is first checked against the warehouse; problems raise NotValid.
        ``then`` runs in the same transaction with the new row (what the item came from records the
        link there): when it raises, nothing is approved.
        """
        if isinstance(approver, User):  # one step is one person's: without sign-in only (four-eyes)
            approver.require(Right.APPROVE)
            if not approver.is_local:
                raise NotAllowed(
                    tr("Signed in, a correction is prepared by one person and approved by another."),
                    tr("Prepare it for approval; an approver approves it on the Corrections page."),
                )
            approver = approver.signature
        if not approver or not approver.strip():
            raise ValueError("an approval needs the approver's name")
        with self._open() as con:
            if validate:
                check = Validator(con).check(item)
                if not check.ok:
                    raise NotValid(check.messages)
            parts = []
            for source in item.sources:
                fields, rows = warehouse_rows(con, source)
                parts.append((source, fields, rows))
            sources = [
                {"connector": s.connector, "match": list(s.match), "fields": list(f)} for s, f, _ in parts
            ]

            def work(c: duckdb.DuckDBPyConnection) -> ItemRow:
                row = self._insert_approved(c, item, approver, parts, sources)
                if then is not None:
                    then(c, row)
                return row

            return self._retry(con, work)

    def _insert_approved(
        self, con: duckdb.DuckDBPyConnection, item: PlanItem, approver: str, parts: list, sources: list
    ) -> ItemRow:
        (item_id,) = con.execute("SELECT nextval('correction_item_ids')").fetchone()
        item = item.with_reference(self._references(con, item_id))
        reference = item.reference
        if not reference:  # should not happen: every kind takes one
            raise AssertionError(f"a {item.kind} item without a reference")
        request = request_for(item)
        if self._reference_taken(con, item.kind, request.connector, reference):
            raise ValueError(f"reference {reference} is already used by another outbox item")
        body = to_json(request.body)
        con.execute(
            "INSERT INTO correction_items (item_id, kind, connector, method, reference, administration, "
            "description, plan, request_body, sources, fingerprint, amount, state, approved_by, "
            "approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                item_id,
                item.kind,
                request.connector,
                request.method,
                reference,
                item.administration,
                item.summary,
                item_to_json(item),
                body,
                to_json(sources),
                fingerprint(parts),
                item.amount,
                APPROVED,
                approver,
                self._clock(),
            ],
        )
        self._audit(
            con,
            item_id,
            AuditEvent.APPROVED,
            actor=approver,
            connector=request.connector,
            method=request.method,
            reference=reference,
            request_body=body,
        )
        return item_row(
            con.execute(f"SELECT {COLUMNS} FROM correction_items WHERE item_id = ?", [item_id]).fetchone()
        )

    # --- the sender and its claims --------------------------------------------------------------

    def __enter__(self) -> Outbox:
        self._scope = self._as_sender()
        self._scope.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._scope.__exit__(*exc)

    @contextmanager
    def _as_sender(self) -> Iterator[Sender]:
        """This outbox's sender for the block (the one already live, or a new one for the block).

        Every step lets its claim go when it settles an item. A block that ends by an error (or a killed
        process) leaves its claims, and any item in 'sending', to ``recover``: once the block is over
        the sender is gone, and the next sender recovers them.
        """
        if self._sender is not None:
            yield self._sender
            return
        sender = Sender(self.sender_name, self._senders).start()
        self._sender = sender
        try:
            yield sender
        finally:
            self._sender = None
            sender.stop()

    def _claim(self, item_id: int, me: Sender, states: tuple[OutboxState, ...]) -> ItemRow | Outcome:
        """Claim one item in one of ``states`` (unclaimed, or ours already): the row, or why not."""
        marks = ", ".join("?" for _ in states)
        for _ in range(2):

            def work(con: duckdb.DuckDBPyConnection) -> tuple[bool, tuple[Any, ...] | None]:
                r = con.execute(
                    "UPDATE correction_items SET claimed_by = ?, claimed_name = ?, claimed_at = ? "
                    f"WHERE item_id = ? AND state IN ({marks}) AND (claimed_by IS NULL OR claimed_by = ?) "
                    f"RETURNING {COLUMNS}",
                    [me.id, me.name, self._clock(), item_id, *states, me.id],
                ).fetchone()
                if r is not None:
                    return True, r
                return False, con.execute(
                    f"SELECT {COLUMNS} FROM correction_items WHERE item_id = ?", [item_id]
                ).fetchone()

            got, r = self._atomic(work)
            if r is None:
                raise KeyError(f"no outbox item {item_id}")
            row = item_row(r)
            if got:
                return row
            if row.claimed_by == me.id or (row.claimed_by is None and row.state != SENDING):
                return Outcome(row.item_id, row.reference, row.state, row.message, row.result_keys)
            if row.claimed_by is not None and alive(row.claimed_by, self._senders):
                return self._held(row)
            self._recover_rows([(row.item_id, row.state, row.claimed_by)])  # its sender is gone
        return Outcome(row.item_id, row.reference, row.state, row.message, row.result_keys)

    @staticmethod
    def _held(row: ItemRow) -> Outcome:
        who = row.claimed_name or tr("another sender")
        text = (
            tr("Being sent by {sender} since {time}; left to it, not sent again.").format(
                sender=who, time=f"{row.claimed_at:%H:%M:%S}"
            )
            if row.claimed_at
            else tr("Being sent by {sender}; left to it, not sent again.").format(sender=who)
        )
        return Outcome(
            row.item_id,
            row.reference,
            row.state,
            text,
            row.result_keys,
            held_by=who,
            held_since=row.claimed_at,
        )

    def _release(self, row: ItemRow, me: Sender) -> None:
        self._atomic(
            lambda con: con.execute(
                f"UPDATE correction_items SET {_NO_CLAIM} WHERE item_id = ? AND claimed_by = ?",
                [row.item_id, me.id],
            )
        )

    # --- sending --------------------------------------------------------------------------------

    def _finish(
        self,
        row: ItemRow,
        me: Sender,
        state: OutboxState,
        event: AuditEvent,
        message: str | None = None,
        *,
        keep: bool = False,
        **audit: Any,
    ) -> Outcome:
        """Move a claimed item to ``state`` with its audit row; the claim goes unless ``keep``."""
        keys = audit.get("result_keys")
        if keys is not None:
            audit["result_keys"] = to_json(keys)
        claim = "" if keep else f", {_NO_CLAIM}"

        def work(con: duckdb.DuckDBPyConnection) -> str | None:
            done = con.execute(
                "UPDATE correction_items SET state = ?, message = ?, result_keys = coalesce(?, result_keys), "
                f"finished_at = ?{claim} WHERE item_id = ? AND claimed_by = ? RETURNING state",
                [
                    state,
                    message,
                    to_json(keys) if keys is not None else None,
                    self._clock(),
                    row.item_id,
                    me.id,
                ],
            ).fetchone()
            if done is None:  # should not happen: only a claimant moves its items on. Keep the answer.
                self._audit(
                    con,
                    row.item_id,
                    AuditEvent.CLAIM_LOST,
                    actor=me.name,
                    connector=row.connector,
                    reference=row.reference,
                    message=": ".join(
                        t for t in (tr("would have been {state}").format(state=state.value), message) if t
                    ),
                    **audit,
                )
                current = con.execute(
                    "SELECT state FROM correction_items WHERE item_id = ?", [row.item_id]
                ).fetchone()
                return current[0] if current else None
            self._audit(
                con,
                row.item_id,
                event,
                connector=row.connector,
                reference=row.reference,
                message=message,
                **audit,
            )
            return None

        lost_to = self._atomic(work)
        if lost_to is not None:
            return Outcome(
                row.item_id,
                row.reference,
                OutboxState(lost_to),
                tr(
                    "Another sender took this item over before AFAS's answer ({state}) was recorded; "
                    "the audit log keeps that answer."
                ).format(state=label(state)),
                keys,
            )
        return Outcome(row.item_id, row.reference, state, message, keys)

    def _current_fingerprint(self, client: ProfitClient, row: ItemRow) -> tuple[str, list[str]]:
        parts, changed = [], []
        for s in row.sources:
            source = SourceRows(s["connector"], tuple((k, v) for k, v in s["match"]))
            rows = afas_rows(client, source, self.ids)
            parts.append((source, s["fields"], rows))
            changed.append(source.describe())
        return fingerprint(parts), changed

    def _lookup(self, client: ProfitClient, row: ItemRow) -> Found | None:
        sales = row.connector.startswith("KnSales")
        return find_reference(
            client, row.kind, row.reference, administration=row.administration, sales=sales, ids=self.ids
        )

    def send(self, item_id: int, client: ProfitClient) -> Outcome:
        """Post one approved item (see the module docstring); other states are left alone, and so is an
        item another live sender holds (the outcome says who: ``held_by``)."""
        with self._as_sender() as me:
            return self._send(item_id, client, me)

    def _send(
        self, item_id: int, client: ProfitClient, me: Sender, claimed: ItemRow | None = None
    ) -> Outcome:
        """``claimed``: the row as this sender claimed it already (``post``), else it is claimed here."""
        row = claimed or self._claim(item_id, me, (APPROVED,))
        if isinstance(row, Outcome):
            return row
        try:  # AFAS is asked with the claim held and the database file closed
            now_print, described = self._current_fingerprint(client, row)
            found = None if row.method == "PUT" else self._lookup(client, row)
        except AfasError as exc:
            self._release(row, me)
            text = tr("Not sent: reading AFAS failed: {error}").format(error=exc)
            return Outcome(row.item_id, row.reference, APPROVED, text)
        if now_print != row.fingerprint:
            reason = tr(
                "Not sent: the AFAS data this correction was built from changed after it was approved "
                "({changes}). Sync, review and approve it again."
            ).format(changes="; ".join(described))
            return self._finish(row, me, STALE, AuditEvent.STALE, reason)
        if found is not None:
            return self._confirm_found(row, me, found, AuditEvent.FOUND_BEFORE_SEND)

        def mark_sending(con: duckdb.DuckDBPyConnection) -> bool:
            taken = con.execute(
                "UPDATE correction_items SET state = ?, sent_at = ?, attempts = attempts + 1, "
                "claimed_at = ? WHERE item_id = ? AND state = ? AND claimed_by = ? "
                "RETURNING item_id",
                [SENDING, self._clock(), self._clock(), item_id, APPROVED, me.id],
            ).fetchall()
            if taken:
                self._audit(
                    con,
                    item_id,
                    AuditEvent.SENDING,
                    actor=me.name,
                    connector=row.connector,
                    method=row.method,
                    reference=row.reference,
                    request_body=to_json(row.request_body),
                )
            return bool(taken)

        if not self._atomic(mark_sending):  # should not happen: the claim is ours
            current = self.get(item_id)
            return Outcome(item_id, row.reference, current.state, current.message, current.result_keys)
        self._call_hook("before_request", item_id)
        try:
            if row.method == "POST":
                result = client.insert(row.connector, row.request_body)
            else:
                result = client.update(row.connector, row.request_body)
        except AfasError as exc:
            self._call_hook("after_request", item_id)
            return self._failed(row, me, exc)
        self._call_hook("after_request", item_id)
        keys = dict(result.keys)
        if row.kind == PlanKind.DIM_CODE and not keys:
            axis, _, code = row.reference.partition("/")
            keys = {"AxId": axis, "VbCo": code}
        return self._finish(
            row,
            me,
            CONFIRMED,
            AuditEvent.CONFIRMED,
            None,
            status=result.status,
            response_body=to_json(result.raw) if result.raw is not None else None,
            result_keys=keys,
        )

    def _call_hook(self, point: str, item_id: int) -> None:
        if self._hook is not None:
            self._hook(point, item_id)

    def _failed(self, row: ItemRow, me: Sender, exc: AfasError) -> Outcome:
        if isinstance(exc, AfasRejected) and not indefinite(exc):
            return self._finish(
                row,
                me,
                REJECTED,
                AuditEvent.REJECTED,
                exc.external_message,
                status=exc.status,
                response_body=exc.body_text,
            )
        if isinstance(exc, AfasHTTPError) and exc.status < 500:
            # 4xx: AFAS did not process the request (token, address, size); nothing was posted.
            return self._finish(
                row,
                me,
                APPROVED,
                AuditEvent.NOT_PROCESSED,
                tr("Not processed by AFAS: {error}").format(error=exc),
                status=exc.status,
                response_body=exc.body_text,
            )
        status = exc.status if isinstance(exc, AfasHTTPError) else None
        body = exc.body_text if isinstance(exc, AfasHTTPError) else None
        text = (
            tr("AFAS gave no answer ({error}); resolve reads AFAS back before anything is sent again.")
            if isinstance(exc, AfasTransportError)
            else tr(
                "AFAS gave no definite answer ({error}); resolve reads AFAS back before anything is sent "
                "again."
            )
        ).format(error=exc)
        return self._finish(
            row,
            me,
            UNKNOWN,
            AuditEvent.UNKNOWN,
            text,
            status=status,
            response_body=body,
        )

    def send_all(self, client: ProfitClient) -> list[Outcome]:
        """Send every approved item, oldest first (under one sender)."""
        with self._as_sender() as me:
            return [self._send(r.item_id, client, me) for r in self.items(APPROVED)]

    def post(
        self,
        client: ProfitClient,
        progress: Callable[[int, int, ItemRow], None] | None = None,
        *,
        by: User | None = None,
    ) -> list[Outcome]:
        """'Send to AFAS': recover the items of senders that are gone, claim every approved or unknown
        item no live sender holds (one transaction), resolve the unknown ones by reading AFAS back and
        send the approved ones once each. One outcome per item, in item order; an item another live
        sender is working on comes back with ``held_by`` and is not touched.
        ``progress(n, total, row)`` is called before each item this sender works on. ``by``: the person
        pressing Send on the dashboard, who needs the approver's right (the CLI sends without one)."""
        if by is not None:
            by.require(Right.APPROVE)
        with self._as_sender() as me:

            def recover_and_claim(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
                self._recover_in(con, gone)
                mine = con.execute(
                    "UPDATE correction_items SET claimed_by = ?, claimed_name = ?, claimed_at = ? "
                    "WHERE list_contains(?, state) AND (claimed_by IS NULL OR claimed_by = ?) "
                    f"RETURNING {COLUMNS}",
                    [me.id, me.name, self._clock(), list(OPEN_STATES), me.id],
                ).fetchall()
                others = con.execute(
                    f"SELECT {COLUMNS} FROM correction_items WHERE claimed_by <> ? "
                    "AND list_contains(?, state)",
                    [me.id, list(PENDING_STATES)],
                ).fetchall()
                return mine, others

            with self._open() as con:  # one opening: recover what dead senders left, claim the rest
                gone = self._gone(con)
                mine, others = self._retry(con, recover_and_claim)
            outcomes = {o.item_id: o for o in map(self._held, map(item_row, others))}
            todo = sorted(map(item_row, mine), key=lambda r: r.item_id)
            for n, row in enumerate(todo, start=1):
                if progress is not None:
                    progress(n, len(todo), row)
                if row.state == UNKNOWN:
                    out = self._resolve(row.item_id, client, me, row, keep=True)
                    if out.state != APPROVED:  # settled, or still unknown (AFAS could not be read)
                        outcomes[row.item_id] = out
                        continue
                    row = replace(row, state=APPROVED, message=out.message)  # still claimed by us
                outcomes[row.item_id] = self._send(row.item_id, client, me, row)
            return [outcomes[k] for k in sorted(outcomes)]

    # --- after a failure ------------------------------------------------------------------------

    def recover(self) -> list[int]:
        """Items whose sender is gone: 'sending' becomes 'unknown' (their ids are returned; resolve then
        reads AFAS back), any other state only loses the claim. Items of a live sender are left alone,
        however long it takes. Safe to call at any time, from any session or process."""
        with self._open() as con:
            gone = self._gone(con)
            return self._retry(con, lambda c: self._recover_in(c, gone)) if gone else []

    def _recover_rows(self, rows: list[tuple[int, str, str | None]]) -> list[int]:
        gone = self._gone_of(rows)
        return self._atomic(lambda c: self._recover_in(c, gone)) if gone else []

    def _gone(self, con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, str | None]]:
        """The claimed items whose claimant is gone (its lock is asked with the file open: a moment)."""
        return self._gone_of(
            con.execute(
                "SELECT item_id, state, claimed_by FROM correction_items "
                "WHERE claimed_by IS NOT NULL OR state = ? ORDER BY item_id",
                [SENDING],
            ).fetchall()
        )

    def _gone_of(self, rows: list[tuple[int, str, str | None]]) -> list[tuple[int, str, str | None]]:
        verdict: dict[str, bool] = {}

        def gone(who: str | None) -> bool:
            if who is None:
                return True  # 'sending' without a claimant: left by a version of this program before claims
            if who not in verdict:
                verdict[who] = alive(who, self._senders)
            return not verdict[who]

        return [(i, s, who) for i, s, who in rows if gone(who)]

    def _recover_in(
        self, con: duckdb.DuckDBPyConnection, gone: list[tuple[int, str, str | None]]
    ) -> list[int]:
        out = []
        for item_id, state, who in gone:  # each change only if the same dead claimant still holds it
            if state != SENDING:
                con.execute(
                    f"UPDATE correction_items SET {_NO_CLAIM} WHERE item_id = ? AND claimed_by = ?",
                    [item_id, who],
                )
                continue
            done = con.execute(
                f"UPDATE correction_items SET state = ?, message = ?, {_NO_CLAIM} "
                "WHERE item_id = ? AND state = ? AND claimed_by IS NOT DISTINCT FROM ? "
                "RETURNING item_id",
                [
                    UNKNOWN,
                    tr(
                        "The program sending it stopped before AFAS's answer was recorded; resolve reads "
                        "AFAS back for the reference."
                    ),
                    item_id,
                    SENDING,
                    who,
                ],
            ).fetchone()
            if done is not None:
                self._audit(con, item_id, AuditEvent.UNKNOWN, message=tr("interrupted while sending"))
                out.append(item_id)
        return sorted(out)

    def _confirm_found(
        self, row: ItemRow, me: Sender, found: Found, event: AuditEvent, *, keep: bool = False
    ) -> Outcome:
        if row.kind == PlanKind.RELATION_INSERT:
            name_field = "DebtorName" if row.connector.startswith("KnSales") else "CreditorName"
            names = {str(r.get(name_field) or "").strip() for r in found.rows}
            if (row.description or "").strip() not in names:
                message = tr(
                    "Number {number} belongs to '{names}' in AFAS, not to '{name}': this relation was not "
                    "created. Approve it again with another number."
                ).format(number=row.reference, names=", ".join(sorted(names)), name=row.description)
                return self._finish(row, me, REJECTED, AuditEvent.REFERENCE_TAKEN, message)
        if row.kind == PlanKind.RELATION_UPDATE:
            wanted = {k: v for k, v in row.plan.get("expected", [])}
            current = found.rows[0]
            if any(not same(current.get(k), v) for k, v in wanted.items()):
                return self._finish(
                    row,
                    me,
                    APPROVED,
                    AuditEvent.RESOLVED,
                    tr("The change is not in AFAS: safe to send again."),
                    keep=keep,
                )
        entries = found.keys.get("EnNo", "")
        message = None
        if "," in entries:
            message = tr("AFAS holds several entries with voucher number {reference}: {entries}.").format(
                reference=row.reference, entries=entries
            )
        return self._finish(row, me, CONFIRMED, event, message, result_keys=found.keys)

    def resolve(self, item_id: int, client: ProfitClient) -> Outcome:
        """Settle an 'unknown' item by reading AFAS back for its reference (never by resending)."""
        with self._as_sender() as me:
            return self._resolve(item_id, client, me)

    def _resolve(
        self,
        item_id: int,
        client: ProfitClient,
        me: Sender,
        claimed: ItemRow | None = None,
        *,
        keep: bool = False,
    ) -> Outcome:
        row = claimed or self._claim(item_id, me, (UNKNOWN,))
        if isinstance(row, Outcome):
            return row
        heard = row.last_heard
        if heard is not None and self._clock() < heard + self.settle_after:
            # AFAS may still be working on a request it got but did not answer: reading back now could
            # find nothing yet and lead to a second post. Ask again once it has had time to finish.
            self._release(row, me)
            return Outcome(
                row.item_id,
                row.reference,
                UNKNOWN,
                tr(
                    "AFAS may still be processing it (its last request went out at {sent}); it is read back "
                    "from {after} on, so that it is never posted twice. Send again after that."
                ).format(sent=f"{heard:%H:%M:%S}", after=f"{heard + self.settle_after:%H:%M:%S}"),
            )
        try:
            found = self._lookup(client, row)
        except AfasError as exc:
            self._release(row, me)
            text = tr("Still unknown: reading AFAS failed: {error}").format(error=exc)
            return Outcome(row.item_id, row.reference, UNKNOWN, text)
        if found is None:
            return self._finish(
                row,
                me,
                APPROVED,
                AuditEvent.RESOLVED,
                tr("Not found in AFAS: nothing was posted; safe to send again."),
                keep=keep,
            )
        return self._confirm_found(row, me, found, AuditEvent.RESOLVED, keep=keep)

    def resolve_all(self, client: ProfitClient) -> list[Outcome]:
        with self._as_sender() as me:
            return [self._resolve(r.item_id, client, me) for r in self.items(UNKNOWN)]
