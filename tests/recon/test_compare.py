"""Balance and master-data comparisons: known answers on hand-built tables, and a synced warehouse."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from afas.errors import InputError
from afas.recon.compare import compare_balances, compare_master_data, field_differences
from afas.recon.matching import read_results
from afas.recon.schema import ensure_recon_schema
from afas.warehouse.explore import NotSynced
from tests.recon.test_matching import afas_line, ledger_line, make_books


@pytest.fixture
def con(tmp_path: Path):
    c = duckdb.connect(str(tmp_path / "recon.duckdb"))
    yield c
    c.close()


def _period_balance(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    con.execute(
        """CREATE OR REPLACE TABLE "Profit_Period_balance" (UnitId BIGINT, Year BIGINT, Period BIGINT,
        AccountNr VARCHAR, AccountDesc VARCHAR, Credit DECIMAL(18, 2), Debit DECIMAL(18, 2),
        Balance DECIMAL(18, 2), Budget DECIMAL(18, 2))"""
    )
    for unit, year, period, account, debit, credit in rows:
        con.execute(
            'INSERT INTO "Profit_Period_balance" VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)',
            [
                unit,
                year,
                period,
                account,
                "x",
                Decimal(credit),
                Decimal(debit),
                Decimal(debit) - Decimal(credit),
            ],
        )


def test_balances_per_account_and_period(con):
    make_books(
        con,
        [],
        [
            ledger_line(1, "600.00", "2024-01-10", account="1100"),
            ledger_line(2, "400.00", "2024-01-31", account="1100"),
            ledger_line(3, "-250.00", "2024-01-15", account="8000"),
            ledger_line(4, "99.00", "2024-02-01", account="1100"),
            ledger_line(5, "5.00", "2024-03-01", account="4000"),
        ],
    )
    _period_balance(
        con,
        [
            (1, 2024, 1, "1100", "1000.00", "0"),
            (1, 2024, 1, "8000", "0", "250.01"),
            (1, 2024, 2, "1100", "100.00", "0"),
            (1, 2024, 2, "8000", "0", "10.00"),
            (2, 2024, 2, "9999", "1.00", "0"),
        ],
    )
    run = compare_balances(con, 1, unit_id=1)
    assert run.counts == {"matched": 1, "only_in_afas": 1, "only_in_ledger": 1, "differing": 2}
    rows = {r["item_key"]: r for r in read_results(con, run.run_id)}
    assert (
        rows["1100 2024/01"]["kind"] == "matched"
        and rows["1100 2024/01"]["reason"] == "balance 1,000.00 equal"
    )
    assert rows["8000 2024/01"]["difference"] == Decimal("-0.01")
    assert rows["1100 2024/02"]["reason"] == "balance 100.00 vs 99.00"
    assert rows["8000 2024/02"]["kind"] == "only_in_afas" and rows["4000 2024/03"]["kind"] == "only_in_ledger"
    # Within a cent's tolerance the rounding difference is accepted.
    tolerant = compare_balances(con, 1, unit_id=1, abs_tol=Decimal("0.01"))
    assert tolerant.counts["matched"] == 2 and tolerant.counts["differing"] == 1
    one_year_account = compare_balances(con, 1, unit_id=1, year=2024, accounts=["8000"])
    assert sum(one_year_account.counts.values()) == 2


def test_balances_from_transactions(con):
    make_books(
        con,
        [
            afas_line(1, "10.00", "2024-05-02"),
            afas_line(2, "-4.00", "2024-05-20"),
            afas_line(3, "7.00", "2024-06-01"),
        ],
        [ledger_line(1, "6.00", "2024-05-31"), ledger_line(2, "7.50", "2024-06-30")],
    )
    run = compare_balances(con, 1, source="transactions")
    assert run.counts == {"matched": 1, "only_in_afas": 0, "only_in_ledger": 0, "differing": 1}
    with pytest.raises(ValueError, match="source"):
        compare_balances(con, 1, source="guess")


def test_balances_of_a_synced_warehouse_agree_with_its_own_lines(tmp_path):
    from afas.emulator.core import Emulator
    from afas.warehouse.sync import sync
    from tests.conftest import make_client

    db = tmp_path / "w.duckdb"
    with make_client(Emulator(seed=5, transactions=150)) as client:
        results = sync(db, client, ["Profit_Transactions", "Profit_Period_balance"])
    assert [r.status for r in results] == ["ok", "ok"]
    with duckdb.connect(str(db)) as c:
        ensure_recon_schema(c)
        # Ledger = AFAS's own journal lines dated inside their period, one line off by 1.00.
        c.execute(
            """INSERT INTO ledger_lines (import_id, line_no, entry_date, account, amount)
            SELECT 1, row_number() OVER (ORDER BY UnitId, EntryNo, SeqNo), make_date(Year, Period, 1),
                AccountNo,
                   AmtDebit - AmtCredit + CASE WHEN row_number() OVER (ORDER BY UnitId, EntryNo, SeqNo) = 1
                                               THEN 1 ELSE 0 END
            FROM "Profit_Transactions" WHERE Period BETWEEN 1 AND 12"""
        )
        run = compare_balances(c, 1)
        assert run.counts["differing"] == 1 and run.counts["only_in_ledger"] == 0
        [diff] = read_results(c, run.run_id, kind="differing")
        assert diff["difference"] == Decimal("-1.00")
        assert compare_balances(c, 1, source="transactions").counts == run.counts


def _debtors(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """CREATE TABLE "Profit_Debtor" (DebtorId VARCHAR, DebtorName VARCHAR, IBAN VARCHAR,
        CreditLimit DECIMAL(18, 2), Blocked BOOLEAN)"""
    )
    con.execute(
        """INSERT INTO "Profit_Debtor" VALUES ('10001', 'Acme B.V.', 'NL91ABNA0417164300', 1000.00, false),
        ('10002', 'Beta NV', 'NL20INGB0001234567', 500.00, false), ('10003', 'Gamma', NULL, 0.00, true),
        ('10004', 'Delta', 'NL02RABO0123456789', 0.00, false)"""
    )
    con.execute(
        """CREATE TABLE crm_customers (customer_no VARCHAR, name VARCHAR, iban VARCHAR, credit_limit VARCHAR,
        blocked VARCHAR)"""
    )
    con.execute(
        """INSERT INTO crm_customers VALUES ('10001', 'Acme B.V. ', 'NL91ABNA0417164300', '1000', 'false'),
        ('10002', 'Beta N.V.', 'NL20INGB0009999999', '500.00', 'false'), ('10003', 'Gamma', '', '0', 'true'),
        ('10005', 'Epsilon', NULL, '0', 'false')"""
    )


def test_master_data_only_in_one_side_and_field_differences(con):
    _debtors(con)
    columns = [
        ("DebtorName", "name"),
        ("IBAN", "iban"),
        ("CreditLimit", "credit_limit"),
        ("Blocked", "blocked"),
    ]
    rep = compare_master_data(con, "Profit_Debtor", "crm_customers", columns, ledger_key="customer_no")
    assert rep.join_columns == (("DebtorId", "customer_no"),)
    assert rep.counts == {"matched": 2, "only_in_afas": 1, "only_in_ledger": 1, "differing": 1}
    stats = {s.afas_column: (s.mismatches, s.matches) for s in rep.column_stats}
    assert stats == {"DebtorName": (1, 2), "IBAN": (1, 2), "CreditLimit": (0, 3), "Blocked": (0, 3)}
    rows = {r["item_key"]: r for r in read_results(con, rep.run_id)}
    assert rows["10002"]["reason"] == "differs in DebtorName, IBAN"
    assert rows["10004"]["kind"] == "only_in_afas" and rows["10005"]["kind"] == "only_in_ledger"
    assert field_differences(con, rep.run_id) == [
        {"item_key": "10002", "field": "DebtorName", "value_afas": "Beta NV", "value_ledger": "Beta N.V."},
        {
            "item_key": "10002",
            "field": "IBAN",
            "value_afas": "NL20INGB0001234567",
            "value_ledger": "NL20INGB0009999999",
        },
    ]
    assert "Rows only in AFAS: 1" in rep.report() and "IBAN / iban: 1" in rep.report()


def test_master_data_with_two_join_columns_and_a_registered_relation(con):
    import pyarrow as pa

    con.execute(
        """CREATE TABLE "Recon_AllocationCodes" (AxisId BIGINT, AxisDescription VARCHAR,
            AllocationCode VARCHAR,
        Description VARCHAR, SelectionValue VARCHAR, Blocked BOOLEAN, Modified DATE)"""
    )
    con.execute(
        """INSERT INTO "Recon_AllocationCodes" VALUES (1, 'Cost centre', 'KP100', 'Sales', NULL, false, NULL),
        (1, 'Cost centre', 'KP200', 'Support', NULL, false, NULL), (2, 'Project', 'KP100', 'Project X',
            NULL, true, NULL)"""
    )
    theirs = pa.table(
        {"axis": [1, 1, 2], "code": ["KP100", "KP200", "KP300"], "descr": ["SALES", "Support", "Y"]}
    )
    con.register("their_codes", theirs)
    rep = compare_master_data(
        con,
        "Recon_AllocationCodes",
        "their_codes",
        [("Description", "descr")],
        join_columns=[("AxisId", "axis"), ("AllocationCode", "code")],
        ignore_case=True,
    )
    assert rep.counts == {"matched": 2, "only_in_afas": 1, "only_in_ledger": 1, "differing": 0}
    assert {r["item_key"] for r in read_results(con, rep.run_id, kind="only_in_afas")} == {"2 | KP100"}


def test_master_data_refuses_unknown_columns(con):
    _debtors(con)
    with pytest.raises(InputError, match="no column 'nope' in crm_customers"):
        compare_master_data(
            con, "Profit_Debtor", "crm_customers", [("DebtorName", "nope")], ledger_key="customer_no"
        )
    with pytest.raises(InputError, match="no table 'missing' to compare with AFAS"):
        compare_master_data(con, "Profit_Debtor", "missing", [], ledger_key="x")
    with pytest.raises(NotSynced, match="Sync Profit_Creditor first"):
        compare_master_data(con, "Profit_Creditor", "crm_customers", [], ledger_key="customer_no")
