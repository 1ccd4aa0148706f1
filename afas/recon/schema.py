"""The reconciliation tables in one place: imported ledgers, mapping profiles, match results.

Ledgers live in the same DuckDB file as the AFAS tables. A ledger line's amount is signed the way
AFAS's journal lines are compared: debit positive, credit negative (AmtDebit - AmtCredit), in
DECIMAL(18,2); a line is identified by (import_id, line_no), line_no being the line or row number
the user sees in the source file. That pair is unique by construction (an import is written once, in
one INSERT under a new ``ledger_imports`` key, from a file's distinct line numbers), so it carries no
PRIMARY KEY: DuckDB's index on it took a third of the time of a million-line import. Warehouses made
before keep theirs, which holds as well.
"""

from __future__ import annotations

import contextlib
from enum import StrEnum

import duckdb

from afas.recon.results import KEPT_LINES_DDL, ensure_results_view, migrate_wide_results

__all__ = [
    "IMPORT_ID_SEQUENCE",
    "LEDGER_DDL",
    "RESULTS_DDL",
    "RESULT_KINDS",
    "OverrideAction",
    "ResultKind",
    "ensure_recon_schema",
]

LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS ledger_imports (
    import_id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL, file_format VARCHAR NOT NULL, rows BIGINT NOT NULL,
    skipped BIGINT NOT NULL DEFAULT 0, mapping_profile VARCHAR, mapping_json VARCHAR,
    imported TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_lines (
    import_id BIGINT NOT NULL, line_no BIGINT NOT NULL,
    entry_date DATE, account VARCHAR, amount DECIMAL(18, 2) NOT NULL, currency VARCHAR,
    description VARCHAR, voucher VARCHAR, invoice VARCHAR, relation VARCHAR, allocation VARCHAR,
    counterparty_name VARCHAR, counterparty_iban VARCHAR);
CREATE TABLE IF NOT EXISTS mapping_profiles (
    name VARCHAR PRIMARY KEY, mapping_json VARCHAR NOT NULL, updated TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS statement_balances (
    import_id BIGINT NOT NULL, account VARCHAR NOT NULL, statement VARCHAR, date_from DATE,
    date_to DATE NOT NULL, opening DECIMAL(18, 2), closing DECIMAL(18, 2) NOT NULL, currency VARCHAR,
    seq BIGINT);
"""
"""``ledger_imports`` is one row per import, ``ledger_lines`` its lines. ``statement_balances`` holds a
bank statement's balances (MT940, CAMT.053: :class:`afas.recon.bankstatements.StatementBalance`), one
row per statement with a closing balance, written with the import's lines and deleted with them:
``account`` the statement's own IBAN without spaces in capitals, amounts signed as the lines are (money
in the bank positive), ``date_to`` the closing balance's date, ``seq`` the statement's place in the file
(1, 2, ...: the last of a day's statements is its closing balance)."""


class ResultKind(StrEnum):
    """What a comparison found for a line or an item, in datacompy's vocabulary (labels: afas.catalogue)."""

    MATCHED = "matched"  # both sides hold it and agree (within the tolerances)
    ONLY_IN_AFAS = "only_in_afas"  # AFAS holds it, the ledger (or file) does not
    ONLY_IN_LEDGER = "only_in_ledger"  # the ledger (or file) holds it, AFAS does not
    DIFFERING = "differing"  # joined on its key, but an amount, date, account or field differs


class PassName(StrEnum):
    """The passes a result names as the one that matched it (labels: afas.catalogue): the default
    line passes in the order they run, a match made by hand, and the two comparisons of other kinds."""

    VOUCHER = "voucher"
    INVOICE = "invoice"
    AMOUNT_DATE = "amount_date"
    AMOUNT_TEXT = "amount_text"
    ONE_TO_MANY = "one_to_many"
    MANY_TO_ONE = "many_to_one"
    MANUAL = "manual"
    BALANCE = "balance"
    MASTER_DATA = "master_data"


RESULT_KINDS = tuple(ResultKind)
"""The result kinds in the order every summary shows them."""


class OverrideAction(StrEnum):
    """What a user did to the matching by hand (stored in recon_overrides.action)."""

    MATCH = "match"  # these lines belong together, whatever the passes say
    UNMATCH = "unmatch"  # these lines never match each other again


def _one_of(vocabulary: type[StrEnum]) -> str:
    return ", ".join(f"'{m.value}'" for m in vocabulary)


RESULTS_DDL = f"""
CREATE TABLE IF NOT EXISTS recon_runs (
    run_id BIGINT PRIMARY KEY, comparison VARCHAR NOT NULL, import_id BIGINT, afas_table VARCHAR,
    config_json VARCHAR, started TIMESTAMP NOT NULL, finished TIMESTAMP);
CREATE TABLE IF NOT EXISTS recon_lines (
    run_id BIGINT NOT NULL, result_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ({_one_of(ResultKind)})),
    group_id BIGINT, unit_id BIGINT, entry_no BIGINT, seq_no BIGINT, line_no BIGINT,
    pass VARCHAR, reason VARCHAR, difference DECIMAL(18, 2));
CREATE TABLE IF NOT EXISTS recon_items (
    run_id BIGINT NOT NULL, result_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ({_one_of(ResultKind)})),
    group_id BIGINT, unit_id BIGINT, entry_no BIGINT, seq_no BIGINT, import_id BIGINT, line_no BIGINT,
    pass VARCHAR, reason VARCHAR,
    amount_afas DECIMAL(18, 2), amount_ledger DECIMAL(18, 2), difference DECIMAL(18, 2),
    date_afas DATE, date_ledger DATE, account_afas VARCHAR, account_ledger VARCHAR,
    voucher_afas VARCHAR, voucher_ledger VARCHAR, description_afas VARCHAR, description_ledger VARCHAR,
    year BIGINT, period BIGINT, item_key VARCHAR);
CREATE TABLE IF NOT EXISTS recon_field_diffs (
    run_id BIGINT NOT NULL, item_key VARCHAR NOT NULL, field VARCHAR NOT NULL,
    value_afas VARCHAR, value_ledger VARCHAR);
CREATE TABLE IF NOT EXISTS recon_overrides (
    override_id BIGINT PRIMARY KEY, import_id BIGINT NOT NULL,
    action VARCHAR NOT NULL CHECK (action IN ({_one_of(OverrideAction)})),
    note VARCHAR, created TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS recon_override_lines (
    override_id BIGINT NOT NULL, unit_id BIGINT, entry_no BIGINT, seq_no BIGINT, line_no BIGINT,
    CHECK ((unit_id IS NULL) <> (line_no IS NULL)));
"""
"""Match results, one shape for every comparison, read through the view ``recon_results``
(afas.recon.results): a row holds an AFAS line (key nullable), a ledger line (key nullable) or
both; lines of one match group share group_id, laid side by side (the i-th AFAS line beside the
i-th ledger line), so sums of amount_afas / amount_ledger over any rows count
every line once. difference = coalesce(amount_afas, 0) - coalesce(amount_ledger, 0). A line run
keeps only its rows' ids, kind, group, pass, reason and difference (``recon_lines``; the view reads
the lines' amounts and texts as the run saw them); balance and master-data runs keep their rows whole
in ``recon_items``, with item_key (and account/year/period) instead of line keys. Overrides are kept
by stable keys ((UnitId, EntryNo, SeqNo) and (import_id, line_no)) so they survive re-runs and
re-syncs; (run_id, result_id) is unique by construction; no index is kept, so a run of a million
lines writes its rows in one bulk insert.)"""


IMPORT_ID_SEQUENCE = "ledger_import_ids"
"""Where import ids come from: a sequence hands every session its own number, even when two imports
run at the same time (DuckDB shares one instance between the sessions of a process)."""


def _ensure_import_ids(con: duckdb.DuckDBPyConnection) -> None:
    found = con.execute(
        "SELECT count(*) FROM duckdb_sequences() WHERE sequence_name = ? AND NOT temporary",
        [IMPORT_ID_SEQUENCE],
    ).fetchall()[0][0]
    if found:
        return
    # A file from before the sequence: its numbers go on from the highest import id.
    start = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM ledger_imports").fetchall()[0][0]
    with contextlib.suppress(duckdb.TransactionException):  # another session made it at the same moment
        con.execute(f"CREATE SEQUENCE IF NOT EXISTS {IMPORT_ID_SEQUENCE} START {int(start)}")


def _upgrade_statement_balances(con: duckdb.DuckDBPyConnection) -> None:
    """A ``statement_balances`` of the first shape (a closing balance's ``date`` only) gains the
    statement's period, opening balance and place; its rows are kept (their ``date`` is ``date_to``)."""
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'statement_balances' "
            "AND schema_name = 'main' AND database_name = current_database()"
        ).fetchall()
    }
    if "date_to" in columns or "date" not in columns:
        return
    with contextlib.suppress(duckdb.TransactionException, duckdb.CatalogException):  # another session did
        con.execute("ALTER TABLE statement_balances RENAME COLUMN date TO date_to")
        con.execute("ALTER TABLE statement_balances ADD COLUMN IF NOT EXISTS date_from DATE")
        con.execute("ALTER TABLE statement_balances ADD COLUMN IF NOT EXISTS opening DECIMAL(18, 2)")
        con.execute("ALTER TABLE statement_balances ADD COLUMN IF NOT EXISTS seq BIGINT")


def ensure_recon_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the reconciliation tables, views (and the import id sequence) if they are missing
    (idempotent); a warehouse with the wide results table of before keeps it (afas.recon.results)."""
    migrate_wide_results(con)
    con.execute(LEDGER_DDL)
    con.execute(RESULTS_DDL)
    con.execute(KEPT_LINES_DDL)
    ensure_results_view(con)
    _upgrade_statement_balances(con)
    _ensure_import_ids(con)
