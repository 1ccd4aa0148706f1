"""DuckDB tables of the corrections outbox and its audit log, in one place.

``correction_items``: one row per approved plan item, its stable reference (the value written into
AFAS before sending: BpNr for entries, DbId/CrId for relations, AxId/VbCo for allocation codes), the
request body (never a header, never the token), the fingerprint of the AFAS rows it was built from
and its state:

    approved -> sending -> confirmed | rejected | unknown      (unknown -> resolve -> confirmed | approved)
    approved -> stale                                           (the AFAS rows changed since approval)

An item being worked on carries a claim: ``claimed_by`` (the sender's id, see
afas/corrections/claims.py), ``claimed_name`` (who that is, in words) and ``claimed_at``. Only the
claimant moves a claimed item on; the claim goes when the item reaches its next settled state, or
when the claimant is found gone ('sending' then becomes 'unknown').

``correction_audit``: append-only, one row per event (approved, sending, confirmed, rejected,
unknown, stale, resolved, ...), with the request and response bodies and the keys AFAS returned.
``correction_meta``: this database's reference namespace, so two databases never share references.
"""

from __future__ import annotations

import time
from enum import StrEnum

import duckdb

from afas.corrections.plans import PlanKind

__all__ = [
    "CLAIM_COLUMNS",
    "CORRECTIONS_DDL",
    "IDENTITY_COLUMNS",
    "OPEN_STATES",
    "PENDING_STATES",
    "STATES",
    "AuditEvent",
    "OutboxState",
    "ensure_corrections_schema",
]

CLAIM_COLUMNS = (("claimed_by", "VARCHAR"), ("claimed_name", "VARCHAR"), ("claimed_at", "TIMESTAMP"))
IDENTITY_COLUMNS = ("actor_subject", "actor_email", "actor_issuer")
"""Who an audit event's actor is when signed in (afas.access.User); empty for a typed name."""


class OutboxState(StrEnum):
    """Where an approved item stands (correction_items.state; labels: afas.catalogue)."""

    APPROVED = "approved"  # approved and not sent (or read back and found not posted: safe to send)
    SENDING = "sending"  # its one request is going out; only its claimant moves it on
    CONFIRMED = "confirmed"  # AFAS holds it: keys returned, or found by reading AFAS back
    REJECTED = "rejected"  # AFAS refused it, in its own words; nothing was posted
    UNKNOWN = "unknown"  # no definite answer: resolved by reading AFAS back, never by resending
    STALE = "stale"  # the AFAS rows it was built from changed after approval; not sent


class AuditEvent(StrEnum):
    """What happened to an item, as the audit log records it (correction_audit.event; labels:
    afas.catalogue). The log keeps the value; people read the label."""

    APPROVED = "approved"  # a person approved it (actor: who; one row per approver of a batch)
    PREPARED = "prepared"  # a person prepared it for others' approval (afas/corrections/batches.py)
    SENDING = "sending"  # its request is going out (the request body is kept)
    CONFIRMED = "confirmed"  # AFAS answered with its keys
    REJECTED = "rejected"  # AFAS refused it, in its own words
    NOT_PROCESSED = "not_processed"  # AFAS answered that it did not take it in; safe to send again
    UNKNOWN = "unknown"  # no definite answer: it is read back before anything else
    STALE = "stale"  # the AFAS rows it was built from changed since approval; not sent
    FOUND_BEFORE_SEND = "found_before_send"  # reading back before sending found it already in AFAS
    REFERENCE_TAKEN = "reference_taken"  # its reference is on another entry in AFAS: not sent
    RESOLVED = "resolved"  # an unknown item read back and settled
    CLAIM_LOST = "claim_lost"  # a sender's answer arrived after another took the item over


STATES = tuple(OutboxState)
OPEN_STATES = (OutboxState.APPROVED, OutboxState.UNKNOWN)
"""What a sender settles: sends the approved items, reads the unknown ones back."""
PENDING_STATES = (*OPEN_STATES, OutboxState.SENDING)
"""What is not settled yet ('sending' belongs to its claimant)."""


def _one_of(vocabulary: type[StrEnum]) -> str:
    return ", ".join(f"'{m.value}'" for m in vocabulary)


CORRECTIONS_DDL = f"""
CREATE SEQUENCE IF NOT EXISTS correction_item_ids START 1;
CREATE SEQUENCE IF NOT EXISTS correction_audit_ids START 1;
CREATE TABLE IF NOT EXISTS correction_meta (
    key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS correction_items (
    item_id BIGINT PRIMARY KEY,
    kind VARCHAR NOT NULL CHECK (kind IN ({_one_of(PlanKind)})),
    connector VARCHAR NOT NULL,
    method VARCHAR NOT NULL CHECK (method IN ('POST', 'PUT')),
    reference VARCHAR NOT NULL,
    administration BIGINT,
    description VARCHAR,
    plan VARCHAR NOT NULL,
    request_body VARCHAR NOT NULL,
    sources VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    amount DECIMAL(18, 2),
    state VARCHAR NOT NULL CHECK (state IN ({_one_of(OutboxState)})),
    approved_by VARCHAR NOT NULL,
    approved_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    finished_at TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0,
    result_keys VARCHAR,
    message VARCHAR,
    claimed_by VARCHAR,
    claimed_name VARCHAR,
    claimed_at TIMESTAMP);
CREATE UNIQUE INDEX IF NOT EXISTS correction_items_reference ON correction_items (connector, reference);
CREATE TABLE IF NOT EXISTS correction_audit (
    audit_id BIGINT PRIMARY KEY,
    item_id BIGINT NOT NULL,
    event_at TIMESTAMP NOT NULL,
    event VARCHAR NOT NULL,
    actor VARCHAR,
    connector VARCHAR,
    method VARCHAR,
    reference VARCHAR,
    request_body VARCHAR,
    status INTEGER,
    response_body VARCHAR,
    result_keys VARCHAR,
    message VARCHAR,
    actor_subject VARCHAR,
    actor_email VARCHAR,
    actor_issuer VARCHAR);
"""


def ensure_corrections_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the outbox and audit tables if they are missing (idempotent): once per file and process
    (:func:`afas.warehouse.db.ensure_once`), so two sessions' first corrections do not both create
    them; another process creating them at the same moment makes this one look again."""
    from afas.warehouse.db import ensure_once

    ensure_once(con, "corrections", lambda: _ensure_retrying(con))


def _ensure_retrying(con: duckdb.DuckDBPyConnection) -> None:
    for attempt in range(5):
        try:
            _ensure(con)
            return
        except duckdb.TransactionException:  # a write-write conflict: the other process made them
            if attempt == 4:
                raise
            time.sleep(0.01 * (attempt + 1))


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    present = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_name IN ('correction_meta', 'correction_items', 'correction_audit')"
    ).fetchone()
    if not (present and present[0] == 3):
        con.execute(CORRECTIONS_DDL)
        return
    claim = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = 'correction_items' AND column_name = 'claimed_by'"
    ).fetchone()
    if not (claim and claim[0]):  # an outbox from before claims: add them (no item is claimed yet)
        for column, kind in CLAIM_COLUMNS:
            con.execute(f"ALTER TABLE correction_items ADD COLUMN IF NOT EXISTS {column} {kind}")
    identity = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = 'correction_audit' AND column_name = 'actor_subject'"
    ).fetchone()
    if not (identity and identity[0]):  # an audit log from before sign-in: add who the actor is
        for column in IDENTITY_COLUMNS:
            con.execute(f"ALTER TABLE correction_audit ADD COLUMN IF NOT EXISTS {column} VARCHAR")
