"""The emulated AFAS environment's database: an in-memory DuckDB with Profit's data.

These tables are the emulator's own model of what Profit keeps (administrations, chart of
accounts, relations, journal entries, ...). GetConnectors are views over them
(afas/emulator/getconnectors.py) and UpdateConnectors write to them (afas/emulator/updates.py),
so an accepted write shows up in every connector that would show it in AFAS.

Accounts, VAT codes, relations and allocation codes are environment-wide, as the standard
GetConnectors (which carry no administration field for them) suggest; journals, periods,
allocation assignments and entries belong to an administration (``unit``).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

__all__ = ["DDL", "TABLES", "Store"]

DDL = """
CREATE TABLE administration (
    unit INTEGER PRIMARY KEY, name VARCHAR NOT NULL, code VARCHAR NOT NULL);

-- Chart of accounts. Codes follow KnAccount: type (VaAt) 1 activa, 2 passiva, 3 opbrengsten,
-- 4 kosten; sort (VaPc) G/D/I/B/O/GD; collect_account_type (CoAc) N/D/C/G;
-- dim_axN (VaA1..5) N none, B manual per entry (required), P automatic percentage;
-- to_project (VaPp) N none, T allowed, V required, I investment project required.
CREATE TABLE account (
    account VARCHAR PRIMARY KEY, description VARCHAR NOT NULL, type VARCHAR NOT NULL,
    sort VARCHAR, blocked BOOLEAN NOT NULL DEFAULT false, collect_account BOOLEAN NOT NULL DEFAULT false,
    collect_account_type VARCHAR NOT NULL DEFAULT 'N', feature VARCHAR, collect_on VARCHAR,
    vat_allowed BOOLEAN NOT NULL DEFAULT false, vat_code VARCHAR, budget VARCHAR NOT NULL DEFAULT 'N',
    to_project VARCHAR NOT NULL DEFAULT 'N',
    dim_ax1 VARCHAR NOT NULL DEFAULT 'N', dim_ax2 VARCHAR NOT NULL DEFAULT 'N',
    dim_ax3 VARCHAR NOT NULL DEFAULT 'N', dim_ax4 VARCHAR NOT NULL DEFAULT 'N',
    dim_ax5 VARCHAR NOT NULL DEFAULT 'N');

-- Journal types (UNCONFIRMED codes): K kas, B bank, I inkoop, V verkoop, M memoriaal.
CREATE TABLE journal (
    unit INTEGER NOT NULL, journal_id VARCHAR NOT NULL, description VARCHAR NOT NULL,
    journal_type VARCHAR NOT NULL, blocked BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (unit, journal_id));

CREATE TABLE period (
    unit INTEGER NOT NULL, year INTEGER NOT NULL, period INTEGER NOT NULL,
    description VARCHAR NOT NULL, date_from DATE NOT NULL, date_to DATE NOT NULL,
    blocked BOOLEAN NOT NULL DEFAULT false, period_table INTEGER NOT NULL DEFAULT 1,
    table_desc VARCHAR NOT NULL DEFAULT 'Maanden',
    PRIMARY KEY (unit, year, period));

CREATE TABLE vat_code (
    vat_code VARCHAR PRIMARY KEY, description VARCHAR NOT NULL, account_nr VARCHAR,
    vat_perc DECIMAL(5, 2) NOT NULL, vat_duty VARCHAR, blocked BOOLEAN NOT NULL DEFAULT false,
    vat_method VARCHAR, vat_type VARCHAR);

CREATE TABLE currency (
    currency_id VARCHAR PRIMARY KEY, description VARCHAR NOT NULL,
    exchange_rate DECIMAL(18, 10), start_date DATE, daily_rate DECIMAL(18, 10));

CREATE TABLE payment_condition (
    code VARCHAR PRIMARY KEY, description VARCHAR NOT NULL, days INTEGER NOT NULL,
    discount_days INTEGER, discount_perc DECIMAL(5, 2), blocked BOOLEAN NOT NULL DEFAULT false);

-- Organisations and persons (KnOrganisation / KnPerson), keyed by their number BcCo.
-- fields keeps every field the UpdateConnectors were given, as JSON text.
CREATE TABLE party (
    bc_co VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL,            -- 'O' organisation, 'P' person
    name VARCHAR NOT NULL, search_name VARCHAR, coc_nr VARCHAR, fiscal_nr VARCHAR,
    phone VARCHAR, email VARCHAR, street VARCHAR, house_nr VARCHAR, house_add VARCHAR,
    zip VARCHAR, city VARCHAR, country VARCHAR, iban VARCHAR,
    created TIMESTAMP NOT NULL, modified TIMESTAMP NOT NULL, fields VARCHAR);

CREATE TABLE debtor (
    debtor_id VARCHAR PRIMARY KEY, bc_co VARCHAR NOT NULL, is_debtor BOOLEAN NOT NULL DEFAULT true,
    currency_id VARCHAR NOT NULL, pay_con VARCHAR, collect_account VARCHAR, vat_duty VARCHAR,
    vat_id VARCHAR, blocked BOOLEAN NOT NULL DEFAULT false, blocked_total BOOLEAN NOT NULL DEFAULT false,
    credit_limit DECIMAL(18, 2), auto_payment BOOLEAN NOT NULL DEFAULT false,
    created TIMESTAMP NOT NULL, modified TIMESTAMP NOT NULL, fields VARCHAR);

CREATE TABLE creditor (
    creditor_id VARCHAR PRIMARY KEY, bc_co VARCHAR NOT NULL, is_creditor BOOLEAN NOT NULL DEFAULT true,
    currency_id VARCHAR NOT NULL, pay_con VARCHAR, collect_account VARCHAR, vat_duty VARCHAR,
    vat_id VARCHAR, temp_blocked BOOLEAN NOT NULL DEFAULT false, blocked BOOLEAN NOT NULL DEFAULT false,
    credit_limit DECIMAL(18, 2), auto_payment BOOLEAN NOT NULL DEFAULT false,
    created TIMESTAMP NOT NULL, modified TIMESTAMP NOT NULL, fields VARCHAR);

CREATE TABLE allocation_axis (
    ax_id INTEGER PRIMARY KEY, description VARCHAR NOT NULL, active BOOLEAN NOT NULL DEFAULT true);

CREATE TABLE allocation_code (
    ax_id INTEGER NOT NULL, code VARCHAR NOT NULL, description VARCHAR NOT NULL,
    selection VARCHAR, track_qty BOOLEAN NOT NULL DEFAULT false, blocked BOOLEAN NOT NULL DEFAULT false,
    created TIMESTAMP NOT NULL, modified TIMESTAMP NOT NULL,
    PRIMARY KEY (ax_id, code));

CREATE TABLE allocation_assignment (
    unit INTEGER NOT NULL, account VARCHAR NOT NULL, ax_id INTEGER NOT NULL, code VARCHAR NOT NULL,
    PRIMARY KEY (unit, account, ax_id, code));

-- One row per journal-entry line. va_as/ac_nr are as posted (1 ledger, 2 debtor, 3 creditor);
-- account_no is the ledger account the line lands on (a debtor's or creditor's collective
-- account for VaAs 2/3), which is what Profit_Transactions shows.
CREATE TABLE entry_line (
    unit INTEGER NOT NULL, entry_no INTEGER NOT NULL, seq_no INTEGER NOT NULL,
    year INTEGER NOT NULL, period INTEGER NOT NULL, journal_id VARCHAR NOT NULL,
    va_as INTEGER NOT NULL, ac_nr VARCHAR NOT NULL, account_no VARCHAR NOT NULL,
    amt_debit DECIMAL(18, 2) NOT NULL, amt_credit DECIMAL(18, 2) NOT NULL,
    entry_date DATE NOT NULL, voucher_date DATE, voucher_no VARCHAR, invoice_id VARCHAR,
    description VARCHAR, vat_code VARCHAR, vat_amt DECIMAL(18, 2), due_date DATE,
    currency_id VARCHAR, amt_debit_cur DECIMAL(18, 2), amt_credit_cur DECIMAL(18, 2),
    created TIMESTAMP NOT NULL, modified TIMESTAMP NOT NULL,
    PRIMARY KEY (unit, entry_no, seq_no));

-- Allocation (FiDimEntries) rows of a line; a line without rows is unallocated.
CREATE TABLE entry_alloc (
    unit INTEGER NOT NULL, entry_no INTEGER NOT NULL, seq_no INTEGER NOT NULL, alloc_no INTEGER NOT NULL,
    dim1 VARCHAR, dim2 VARCHAR, dim3 VARCHAR, dim4 VARCHAR, dim5 VARCHAR,
    amt_debit DECIMAL(18, 2) NOT NULL, amt_credit DECIMAL(18, 2) NOT NULL,
    PRIMARY KEY (unit, entry_no, seq_no, alloc_no));

-- Booking days with changes (including deletions), for Profit_Fin_ChangedEntrydate.
CREATE TABLE changed_entry_date (entry_date DATE PRIMARY KEY, modified TIMESTAMP NOT NULL);

-- Next numbers for autonumbering.
CREATE TABLE counter (name VARCHAR PRIMARY KEY, value BIGINT NOT NULL);
"""


TABLES: tuple[str, ...] = tuple(re.findall(r"CREATE TABLE (\w+)", DDL))


class Store:
    """One emulated environment's data: a DuckDB connection plus a write lock.

    Reads use a cursor per call (DuckDB cursors may be used from any thread); writes are
    serialised by ``write()`` so an UpdateConnector call is one transaction, as in Profit.
    """

    def __init__(self) -> None:
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET threads TO 2")
        # What a large demo spills goes to the system's temporary folder, not a .tmp/ in the current
        # one (DuckDB's default for a database in memory), and goes with the store.
        spill = tempfile.mkdtemp(prefix="afas-emulator-spill-")
        weakref.finalize(self, shutil.rmtree, spill, ignore_errors=True)
        self.con.execute("SET temp_directory = ?", [spill])
        self.con.execute(DDL)
        self._write_lock = threading.RLock()
        self.version = 0  # bumped by every committed write(): GetConnector page tables are rebuilt

    def touch(self) -> None:
        """Say that data changed outside write() (tests editing tables directly)."""
        with self._write_lock:
            self.version += 1

    def close(self) -> None:
        self.con.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside one transaction: committed on success, rolled back on any error."""
        with self._write_lock:
            cur = self.con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
                self.version += 1
            finally:
                cur.close()

    def next_number(self, cur: duckdb.DuckDBPyConnection, name: str, start: int = 1) -> int:
        """Hand out the next number of a counter inside the caller's transaction."""
        row = cur.execute("SELECT value FROM counter WHERE name = ?", [name]).fetchone()
        if row is None:
            value = start
            cur.execute("INSERT INTO counter VALUES (?, ?)", [name, value + 1])
        else:
            value = int(row[0])
            cur.execute("UPDATE counter SET value = ? WHERE name = ?", [value + 1, name])
        return value
