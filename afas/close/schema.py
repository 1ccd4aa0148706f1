"""The month-end close tables and vocabularies.

Per administration (``unit``) and ledger account: ``close_settings`` says what evidences its balance
(when the user chose it; otherwise :func:`afas.close.evidence.default_kind` decides from the account).
Per administration, account and period (``year``, ``period``): ``close_evidence`` keeps the amount a
user documents (with a note and an optional file), ``close_signoffs`` who prepared and who reviewed it
with AFAS's balance at that moment (the preparer's identity, ``prepared_issuer`` and
``prepared_subject``, how many reviews it needs, ``reviews_needed``, and how many are in, ``reviews``;
``reviewed_by`` is filled once all are in), ``close_reviews`` each review with the reviewer's identity.
Above the four-eyes threshold two people review: a review's ``position`` (1, 2) and its reviewer are
unique per account-period, so two reviewing at once take the positions one after the other and nobody
reviews twice. Keys decide such races: DuckDB refuses a second row with a key another session wrote,
also one committed after this session's snapshot, which a conditional UPDATE would not see.

``close_items`` are reconciling items: opened in a period, they stay on the account in every later
period until cleared; one booked as a correction keeps its outbox item (``correction_item``), voucher
number (``correction_ref``) and the period the entry is booked in (``correction_year``,
``correction_period``); one prepared signed in for another's approval names the correction batch
waiting for it (``correction_batch``). ``close_item_batches`` links a batch's item to the close item,
with the period closed and who prepared it, numbered per item by ``attempt``: two sessions proposing
one item at once cannot both write the same attempt. ``close_events`` is the close's own audit trail
(every sign-off, review, reopening, item and evidence change, with who and when).
"""

from __future__ import annotations

import contextlib
from enum import StrEnum

import duckdb

__all__ = ["CloseEvent", "CloseStatus", "EvidenceKind", "ensure_close_schema"]

CLOSE_DDL = """
CREATE TABLE IF NOT EXISTS close_settings (
    unit BIGINT NOT NULL, account VARCHAR NOT NULL, kind VARCHAR NOT NULL, iban VARCHAR,
    updated_by VARCHAR NOT NULL, updated TIMESTAMP NOT NULL, PRIMARY KEY (unit, account));
CREATE TABLE IF NOT EXISTS close_evidence (
    unit BIGINT NOT NULL, year BIGINT NOT NULL, period BIGINT NOT NULL, account VARCHAR NOT NULL,
    amount DECIMAL(18, 2) NOT NULL, note VARCHAR NOT NULL, file_name VARCHAR, file_bytes BLOB,
    entered_by VARCHAR NOT NULL, entered TIMESTAMP NOT NULL, PRIMARY KEY (unit, year, period, account));
CREATE TABLE IF NOT EXISTS close_signoffs (
    unit BIGINT NOT NULL, year BIGINT NOT NULL, period BIGINT NOT NULL, account VARCHAR NOT NULL,
    prepared_by VARCHAR, prepared TIMESTAMP, reviewed_by VARCHAR, reviewed TIMESTAMP,
    afas_balance DECIMAL(18, 2), supporting DECIMAL(18, 2), last_change TIMESTAMP,
    reopened TIMESTAMP, reopened_from DECIMAL(18, 2), reopened_to DECIMAL(18, 2), reopened_why VARCHAR,
    prepared_issuer VARCHAR, prepared_subject VARCHAR, reviews_needed INTEGER, reviews INTEGER DEFAULT 0,
    PRIMARY KEY (unit, year, period, account));
CREATE TABLE IF NOT EXISTS close_reviews (
    unit BIGINT NOT NULL, year BIGINT NOT NULL, period BIGINT NOT NULL, account VARCHAR NOT NULL,
    position INTEGER NOT NULL, issuer VARCHAR NOT NULL, subject VARCHAR NOT NULL, reviewer VARCHAR NOT NULL,
    reviewed TIMESTAMP NOT NULL, PRIMARY KEY (unit, year, period, account, position),
    UNIQUE (unit, year, period, account, issuer, subject));
CREATE SEQUENCE IF NOT EXISTS close_item_ids START 1;
CREATE TABLE IF NOT EXISTS close_items (
    item_id BIGINT PRIMARY KEY, unit BIGINT NOT NULL, account VARCHAR NOT NULL,
    year BIGINT NOT NULL, period BIGINT NOT NULL, opened_on DATE NOT NULL,
    amount DECIMAL(18, 2) NOT NULL, description VARCHAR NOT NULL, expected DATE, owner VARCHAR,
    created_by VARCHAR NOT NULL,
    created TIMESTAMP NOT NULL, cleared_year BIGINT, cleared_period BIGINT, cleared_by VARCHAR,
    cleared TIMESTAMP, correction_ref VARCHAR, correction_item BIGINT, correction_year BIGINT,
    correction_period BIGINT, correction_batch BIGINT);
CREATE TABLE IF NOT EXISTS close_item_batches (
    item_id BIGINT NOT NULL, attempt INTEGER NOT NULL, batch_id BIGINT NOT NULL, position INTEGER NOT NULL,
    unit BIGINT NOT NULL, year BIGINT NOT NULL, period BIGINT NOT NULL, account VARCHAR NOT NULL,
    booked_year BIGINT NOT NULL, booked_period BIGINT NOT NULL, contra VARCHAR NOT NULL,
    prepared_by VARCHAR NOT NULL, prepared TIMESTAMP NOT NULL, PRIMARY KEY (item_id, attempt));
CREATE TABLE IF NOT EXISTS close_events (
    happened TIMESTAMP NOT NULL, unit BIGINT NOT NULL, year BIGINT NOT NULL, period BIGINT NOT NULL,
    account VARCHAR NOT NULL, event VARCHAR NOT NULL, who VARCHAR NOT NULL, detail VARCHAR);
"""


class EvidenceKind(StrEnum):
    """What supports an account's balance (labels: afas.catalogue)."""

    BANK_STATEMENT = "bank_statement"  # the closing balance of an imported MT940/CAMT.053 statement
    DEBTOR_ITEMS = "debtor_items"  # the open items of the customers on this collective account
    CREDITOR_ITEMS = "creditor_items"  # the open items of the suppliers on this collective account
    ZERO = "zero"  # a suspense or clearing account: its balance should be nil
    SCHEDULE = "schedule"  # an amount the user documents, with a note and a file


class CloseStatus(StrEnum):
    """Where an account stands in a period's close (labels: afas.catalogue)."""

    NOT_STARTED = "not_started"  # no evidence yet
    UNEXPLAINED = "unexplained"  # evidence, and a difference no reconciling item explains
    EXPLAINED = "explained"  # the difference is explained by reconciling items
    RECONCILED = "reconciled"  # the balance is its evidence
    NO_ACTIVITY = "no_activity"  # no balance and no movement: certified without evidence
    PREPARED = "prepared"  # signed by the preparer
    REVIEWED = "reviewed"  # signed by a second person: locked
    REOPENED = "reopened"  # AFAS's balance changed after it was signed: to be prepared again

    @property
    def done(self) -> bool:
        """Whether the account counts as reconciled in "N of M accounts reconciled"."""
        return self in _DONE

    @property
    def signed(self) -> bool:
        return self in (CloseStatus.PREPARED, CloseStatus.REVIEWED)


_DONE = frozenset(
    {
        CloseStatus.EXPLAINED,
        CloseStatus.RECONCILED,
        CloseStatus.NO_ACTIVITY,
        CloseStatus.PREPARED,
        CloseStatus.REVIEWED,
    }
)


class CloseEvent(StrEnum):
    """What the close's audit trail records (labels: afas.catalogue)."""

    SETTING = "setting"
    EVIDENCE = "evidence"
    ITEM_ADDED = "item_added"
    ITEM_CLEARED = "item_cleared"
    ITEM_TO_CORRECTION = "item_to_correction"
    PREPARED = "prepared"
    REVIEWED = "reviewed"
    UNSIGNED = "unsigned"
    REOPENED = "reopened"


def ensure_close_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the close tables if they are missing (once per file and process, see
    :func:`afas.warehouse.db.ensure_once`), and the correction batches' a reconciling item may wait in."""
    from afas.corrections.batches import ensure_batches_schema
    from afas.warehouse.db import ensure_once

    ensure_once(con, "close", lambda: _create(con))
    ensure_batches_schema(con)


_ADDED = (
    # close_items of the first shape gain the correction an item was booked as, and its waiting batch
    ("close_items", "correction_item", "BIGINT"),
    ("close_items", "correction_year", "BIGINT"),
    ("close_items", "correction_period", "BIGINT"),
    ("close_items", "correction_batch", "BIGINT"),
    # close_signoffs of the first shape gain the preparer's identity and the reviews (four-eyes threshold)
    ("close_signoffs", "prepared_issuer", "VARCHAR"),
    ("close_signoffs", "prepared_subject", "VARCHAR"),
    ("close_signoffs", "reviews_needed", "INTEGER"),
    ("close_signoffs", "reviews", "INTEGER DEFAULT 0"),
)


def _create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(CLOSE_DDL)
    for table, column, kind in _ADDED:
        with contextlib.suppress(duckdb.TransactionException, duckdb.CatalogException):
            con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
