"""The outbox: every approved correction reaches AFAS once, or not at all, and we always know which.

1. ``approve`` gives the item its stable reference before anything is sent, written into a field AFAS
   keeps and a GetConnector reads back: the voucher number (BpNr -> Profit_Transactions.VoucherNo)
   of an entry, the relation number (DbId/CrId -> Profit_Debtor.DebtorId / Profit_Creditor.CreditorId)
   of a relation, (axis, code) of an allocation code. It records who approved, when, the request
   body and a fingerprint of the warehouse rows the item was built from.
2. ``send`` re-reads those rows from AFAS; a difference stops the item ('stale') with the reason.
   An insert whose reference AFAS already holds is confirmed without sending. Otherwise the state
   'sending' is committed, then the one POST/PUT goes out (never retried automatically).
3. The answer decides: keys returned -> 'confirmed'; AFAS's validation message (HTTP 500 with a
   functional text) -> 'rejected' with that text exactly; a timeout, dropped connection, 503, or a
   500 without a definite message -> 'unknown'. A crash in between leaves 'sending', which
   ``recover`` turns into 'unknown'.
4. ``resolve`` reads AFAS back for an unknown item's reference: found -> 'confirmed' with the keys
   found; not found -> 'approved' (nothing was posted, safe to send again). Never a blind resend.

Every transition is one committed transaction with its audit row (afas/corrections/schema.py).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

import duckdb

from afas.corrections.outcomes import COLUMNS, ItemRow, NotValid, Outcome, indefinite, item_row, same
from afas.corrections.payloads import request_for
from afas.corrections.plans import (
    DimCodeInsertItem,
    JournalEntryItem,
    PlanItem,
    RelationInsertItem,
    RelationUpdateItem,
    SourceRows,
)
from afas.corrections.readback import Found, afas_rows, find_reference, fingerprint, warehouse_rows
from afas.corrections.schema import ensure_corrections_schema
from afas.corrections.serialize import item_to_json, to_json
from afas.corrections.validation import Validator
from afas.profit.client import ProfitClient
from afas.profit.connectors import ConnectorIds
from afas.profit.errors import AfasError, AfasHTTPError, AfasRejected, AfasTransportError
from afas.warehouse.db import transaction

__all__ = ["ItemRow", "NotValid", "Outbox", "Outcome"]


class Outbox:
    """The outbox over one DuckDB connection (the warehouse file: fingerprints read its tables).

    ``hook(point, item_id)`` is called at 'before_request' ('sending' is committed, nothing sent
    yet) and 'after_request' (the answer is in, nothing recorded yet): tests simulate crashes there.
    ``clock`` fixes time in tests. ``namespace`` (default: random, kept in the database) starts every
    entry reference, so two databases never share one.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        hook: Callable[[str, int], None] | None = None,
        ids: ConnectorIds | None = None,
        namespace: str | None = None,
    ) -> None:
        self.con = con
        self._clock = clock or (lambda: dt.datetime.now().replace(microsecond=0))
        self._hook = hook
        self.ids = ids or ConnectorIds()
        ensure_corrections_schema(con)
        with self._tx():
            row = con.execute("SELECT value FROM correction_meta WHERE key = 'namespace'").fetchone()
            if row is None:
                self.namespace = namespace or secrets.token_hex(3).upper()
                con.execute("INSERT INTO correction_meta VALUES ('namespace', ?)", [self.namespace])
            else:
                self.namespace = row[0]

    def _tx(self) -> AbstractContextManager[None]:
        return transaction(self.con)

    def _audit(self, item_id: int, event: str, **cols: Any) -> None:
        names = ["audit_id", "item_id", "event_at", "event", *cols]
        marks = ", ".join("?" for _ in names[1:])
        self.con.execute(
            f"INSERT INTO correction_audit ({', '.join(names)}) "
            f"SELECT nextval('correction_audit_ids'), {marks}",
            [item_id, self._clock(), event, *cols.values()],
        )

    # --- reading --------------------------------------------------------------------------------

    def get(self, item_id: int) -> ItemRow:
        r = self.con.execute(
            f"SELECT {COLUMNS} FROM correction_items WHERE item_id = ?", [item_id]
        ).fetchone()
        if r is None:
            raise KeyError(f"no outbox item {item_id}")
        return item_row(r)

    def items(self, state: str | None = None) -> list[ItemRow]:
        sql = f"SELECT {COLUMNS} FROM correction_items"
        params: list[Any] = []
        if state is not None:
            sql += " WHERE state = ?"
            params.append(state)
        return [item_row(r) for r in self.con.execute(sql + " ORDER BY item_id", params).fetchall()]

    # --- approving ------------------------------------------------------------------------------

    def _next_relation_number(self, sales: bool) -> str:
        table, col = ("Profit_Debtor", "DebtorId") if sales else ("Profit_Creditor", "CreditorId")
        known: list[str] = []
        try:
            _, rows = warehouse_rows(self.con, SourceRows(table, ()))
            known = [str(r[col]) for r in rows]
        except LookupError:
            pass
        kind_like = "KnSalesRelation%" if sales else "KnPurchaseRelation%"
        known += [
            r[0]
            for r in self.con.execute(
                "SELECT reference FROM correction_items WHERE kind = 'relation_insert' AND connector LIKE ?",
                [kind_like],
            ).fetchall()
        ]
        numbers = [int(k) for k in known if k.isdigit()]
        return str(max(numbers) + 1 if numbers else (10001 if sales else 60001))

    def _with_reference(self, item: PlanItem, item_id: int) -> tuple[PlanItem, str]:
        if isinstance(item, JournalEntryItem):
            # always our own: a voucher number someone else also used would be "found" and never posted
            ref = f"KC{self.namespace}-{item_id:06d}"
            return replace(item, voucher_no=ref), ref
        if isinstance(item, RelationInsertItem):
            ref = item.number or self._next_relation_number(item.sales)
            return replace(item, number=ref), ref
        if isinstance(item, RelationUpdateItem):
            return item, item.number
        if isinstance(item, DimCodeInsertItem):
            return item, f"{item.axis}/{item.code}"
        raise TypeError(f"not a plan item: {type(item).__name__}")

    def _reference_taken(self, kind: str, connector: str, reference: str) -> bool:
        if kind not in ("entry", "relation_insert", "dim_code"):
            return False
        family = connector.replace("Org", "").replace("Per", "")
        rows = self.con.execute(
            "SELECT connector FROM correction_items WHERE kind = ? AND reference = ? AND state <> 'rejected'",
            [kind, reference],
        ).fetchall()
        return any(c.replace("Org", "").replace("Per", "") == family for (c,) in rows)

    def approve(self, item: PlanItem, *, approver: str, validate: bool = True) -> ItemRow:
        """Record ``item`` as approved by ``approver``, with its reference and fingerprint.

        With ``validate`` the item is first checked against the warehouse; problems raise NotValid.
        """
        if not approver or not approver.strip():
            raise ValueError("an approval needs the approver's name")
        if validate:
            check = Validator(self.con).check(item)
            if not check.ok:
                raise NotValid(check.messages)
        parts = []
        for source in item.sources:
            fields, rows = warehouse_rows(self.con, source)
            parts.append((source, fields, rows))
        sources = [{"connector": s.connector, "match": list(s.match), "fields": list(f)} for s, f, _ in parts]
        with self._tx():
            (item_id,) = self.con.execute("SELECT nextval('correction_item_ids')").fetchone()
            item, reference = self._with_reference(item, item_id)
            request = request_for(item)
            if self._reference_taken(item.kind, request.connector, reference):
                raise ValueError(f"reference {reference} is already used by another outbox item")
            body = to_json(request.body)
            amount = item.total_debit if isinstance(item, JournalEntryItem) else None
            description = (
                item.description
                if isinstance(item, JournalEntryItem)
                else item.display_name
                if isinstance(item, RelationInsertItem)
                else item.description
                if isinstance(item, DimCodeInsertItem)
                else f"Change {', '.join(k for k, _ in item.expected)} of {item.number}"
            )
            now = self._clock()
            self.con.execute(
                "INSERT INTO correction_items (item_id, kind, connector, method, reference, administration, "
                "description, plan, request_body, sources, fingerprint, amount, state, approved_by, "
                "approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'approved', ?, ?)",
                [
                    item_id,
                    item.kind,
                    request.connector,
                    request.method,
                    reference,
                    getattr(item, "administration", None),
                    description,
                    item_to_json(item),
                    body,
                    to_json(sources),
                    fingerprint(parts),
                    amount,
                    approver,
                    now,
                ],
            )
            self._audit(
                item_id,
                "approved",
                actor=approver,
                connector=request.connector,
                method=request.method,
                reference=reference,
                request_body=body,
            )
        return self.get(item_id)

    # --- sending --------------------------------------------------------------------------------

    def _finish(
        self, row: ItemRow, state: str, event: str, message: str | None = None, **audit: Any
    ) -> Outcome:
        keys = audit.get("result_keys")
        with self._tx():
            self.con.execute(
                "UPDATE correction_items SET state = ?, message = ?, result_keys = coalesce(?, result_keys), "
                "finished_at = ? WHERE item_id = ?",
                [state, message, to_json(keys) if keys is not None else None, self._clock(), row.item_id],
            )
            if keys is not None:
                audit["result_keys"] = to_json(keys)
            self._audit(
                row.item_id, event, connector=row.connector, reference=row.reference, message=message, **audit
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
        """Post one approved item (see the module docstring); other states are left alone."""
        row = self.get(item_id)
        if row.state != "approved":
            return Outcome(row.item_id, row.reference, row.state, row.message, row.result_keys)
        try:
            now_print, described = self._current_fingerprint(client, row)
            found = None if row.method == "PUT" else self._lookup(client, row)
        except AfasError as exc:
            return Outcome(row.item_id, row.reference, "approved", f"Not sent: reading AFAS failed: {exc}")
        if now_print != row.fingerprint:
            reason = (
                "Not sent: the AFAS data this correction was built from changed after it was approved ("
                + "; ".join(described)
                + "). Sync, review and approve it again."
            )
            return self._finish(row, "stale", "stale", reason)
        if found is not None:
            return self._confirm_found(row, found, "found_before_send")
        with self._tx():
            taken = self.con.execute(
                "UPDATE correction_items SET state = 'sending', sent_at = ?, attempts = attempts + 1 "
                "WHERE item_id = ? AND state = 'approved' RETURNING item_id",
                [self._clock(), item_id],
            ).fetchall()
            if taken:
                self._audit(
                    item_id,
                    "sending",
                    connector=row.connector,
                    method=row.method,
                    reference=row.reference,
                    request_body=to_json(row.request_body),
                )
        if not taken:  # another sender took it in the meantime
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
            return self._failed(row, exc)
        self._call_hook("after_request", item_id)
        keys = dict(result.keys)
        if row.kind == "dim_code" and not keys:
            axis, _, code = row.reference.partition("/")
            keys = {"AxId": axis, "VbCo": code}
        return self._finish(
            row,
            "confirmed",
            "confirmed",
            None,
            status=result.status,
            response_body=to_json(result.raw) if result.raw is not None else None,
            result_keys=keys,
        )

    def _call_hook(self, point: str, item_id: int) -> None:
        if self._hook is not None:
            self._hook(point, item_id)

    def _failed(self, row: ItemRow, exc: AfasError) -> Outcome:
        if isinstance(exc, AfasRejected) and not indefinite(exc):
            return self._finish(
                row,
                "rejected",
                "rejected",
                exc.external_message,
                status=exc.status,
                response_body=exc.body_text,
            )
        if isinstance(exc, AfasHTTPError) and exc.status < 500:
            # 4xx: AFAS did not process the request (token, address, size); nothing was posted.
            return self._finish(
                row,
                "approved",
                "not_processed",
                f"Not processed by AFAS: {exc}",
                status=exc.status,
                response_body=exc.body_text,
            )
        status = exc.status if isinstance(exc, AfasHTTPError) else None
        body = exc.body_text if isinstance(exc, AfasHTTPError) else None
        kind = "no answer" if isinstance(exc, AfasTransportError) else "no definite answer"
        return self._finish(
            row,
            "unknown",
            "unknown",
            f"AFAS gave {kind} ({exc}); resolve reads AFAS back before anything is sent again.",
            status=status,
            response_body=body,
        )

    def send_all(self, client: ProfitClient) -> list[Outcome]:
        """Send every approved item, oldest first."""
        return [self.send(r.item_id, client) for r in self.items("approved")]

    # --- after a failure ------------------------------------------------------------------------

    def recover(self) -> list[int]:
        """Items left in 'sending' by a crash become 'unknown' (call at start-up, before sending)."""
        with self._tx():
            ids = [
                r[0]
                for r in self.con.execute(
                    "UPDATE correction_items SET state = 'unknown', message = ? WHERE state = 'sending' "
                    "RETURNING item_id",
                    ["The program stopped while sending; resolve reads AFAS back for the reference."],
                ).fetchall()
            ]
            for item_id in ids:
                self._audit(item_id, "unknown", message="interrupted while sending")
        return sorted(ids)

    def _confirm_found(self, row: ItemRow, found: Found, event: str) -> Outcome:
        if row.kind == "relation_insert":
            name_field = "DebtorName" if row.connector.startswith("KnSales") else "CreditorName"
            names = {str(r.get(name_field) or "").strip() for r in found.rows}
            if (row.description or "").strip() not in names:
                message = (
                    f"Number {row.reference} belongs to '{', '.join(sorted(names))}' in AFAS, not to "
                    f"'{row.description}': this relation was not created. Approve it again with another "
                    "number."
                )
                return self._finish(row, "rejected", "reference_taken", message)
        if row.kind == "relation_update":
            wanted = {k: v for k, v in row.plan.get("expected", [])}
            current = found.rows[0]
            if any(not same(current.get(k), v) for k, v in wanted.items()):
                return self._finish(
                    row, "approved", "resolved", "The change is not in AFAS: safe to send again."
                )
        entries = found.keys.get("EnNo", "")
        message = None
        if "," in entries:
            message = f"AFAS holds several entries with voucher number {row.reference}: {entries}."
        return self._finish(row, "confirmed", event, message, result_keys=found.keys)

    def resolve(self, item_id: int, client: ProfitClient) -> Outcome:
        """Settle an 'unknown' item by reading AFAS back for its reference (never by resending)."""
        row = self.get(item_id)
        if row.state != "unknown":
            return Outcome(row.item_id, row.reference, row.state, row.message, row.result_keys)
        try:
            found = self._lookup(client, row)
        except AfasError as exc:
            return Outcome(
                row.item_id, row.reference, "unknown", f"Still unknown: reading AFAS failed: {exc}"
            )
        if found is None:
            return self._finish(
                row, "approved", "resolved", "Not found in AFAS: nothing was posted; safe to send again."
            )
        return self._confirm_found(row, found, "resolved")

    def resolve_all(self, client: ProfitClient) -> list[Outcome]:
        return [self.resolve(r.item_id, client) for r in self.items("unknown")]
