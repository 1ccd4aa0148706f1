"""The reconciliation tables in one place: imported ledgers, mapping profiles, match results.

Ledgers live in the same DuckDB file as the AFAS tables. A ledger line's amount is signed the way
AFAS's journal lines are compared: debit positive, credit negative (AmtDebit - AmtCredit), in
DECIMAL(18,2); a line is identified by (import_id, line_no), line_no being the line or row number
the user sees in the source file.
"""

from __future__ import annotations

import duckdb

__all__ = ["LEDGER_DDL", "ensure_recon_schema"]

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
    counterparty_name VARCHAR, counterparty_iban VARCHAR,
    PRIMARY KEY (import_id, line_no));
CREATE TABLE IF NOT EXISTS mapping_profiles (
    name VARCHAR PRIMARY KEY, mapping_json VARCHAR NOT NULL, updated TIMESTAMP NOT NULL);
"""


def ensure_recon_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the reconciliation tables if they are missing (idempotent)."""
    con.execute(LEDGER_DDL)
