"""A run's results stay as they were at the run: after a sync changes or removes its AFAS lines, after
another import, and in a warehouse whose results were written in the wide shape of before.

The syncs here swap their tables in the way afas.warehouse.sync does (a staging table, then in one
transaction: a full refresh drops the table and renames the staging table; an incremental one
deletes the refreshed entry dates and inserts the staging rows), calling
preserve_referenced_lines first, as the sync does before it drops or deletes."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from afas.corrections.from_recon import proposals
from afas.recon.export import export_csv
from afas.recon.ledgers import delete_import
from afas.recon.matching import MatchConfig, read_results, reconcile, result_counts
from afas.recon.passes import DateWindowPass, ExactKeyPass
from afas.recon.results import preserve_referenced_lines, register_line_source
from afas.recon.schema import ensure_recon_schema
from afas.recon.views import results_table
from tests.recon.test_matching import AFAS_COLS, LEDGER_COLS, _insert, afas_line, ledger_line, make_books

KEY = MatchConfig(passes=(ExactKeyPass(keys=(("VoucherNo", "voucher"),)),))
KEY_AND_DATE = MatchConfig(passes=(ExactKeyPass(keys=(("VoucherNo", "voucher"),)), DateWindowPass()))
TABLE, STAGING = "Profit_Transactions", "Profit_Transactions__staging"

AFAS = [
    afas_line(1, "100.00", "2026-03-02", voucher="V1", text="Rent March", account="4100"),
    afas_line(2, "-50.00", "2026-03-03", voucher="V2", text="Refund", account="1300"),
    afas_line(3, "75.00", "2026-03-04", voucher="V3", text="Only in AFAS"),
    afas_line(4, "20.00", "2026-03-05", text="Paid by card"),  # no voucher: an amount + date match
]
LEDGER = [
    ledger_line(1, "100.00", "2026-03-02", voucher="V1", text="rent", account="4100"),
    ledger_line(2, "-55.00", "2026-03-03", voucher="V2", text="refund", account="1300"),
    ledger_line(3, "20.00", "2026-03-06", text="card"),
    ledger_line(4, "9.99", "2026-03-07", voucher="V9", text="Only in the ledger"),
]


def _seen(con: duckdb.DuckDBPyConnection, run_id: int) -> tuple:
    """What a user sees of a run: the page's grid, the CSV export, the corrections it offers."""
    out = io.StringIO()
    export_csv(con, run_id, out)
    grid = results_table(con, run_id).to_pylist()
    return grid, out.getvalue(), proposals(con, run_id), result_counts(con, run_id)


def _staging(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    con.execute(f'CREATE OR REPLACE TABLE "{STAGING}" AS SELECT * FROM "{TABLE}" LIMIT 0')
    _insert(con, f'"{STAGING}"', AFAS_COLS, rows)


def full_refresh(con: duckdb.DuckDBPyConnection, rows: list[tuple], sync_run: int = 1) -> int:
    _staging(con, rows)
    con.execute("BEGIN TRANSACTION")
    kept = preserve_referenced_lines(con, TABLE, STAGING, sync_run=sync_run)
    con.execute(f'DROP TABLE IF EXISTS "{TABLE}"')
    con.execute(f'ALTER TABLE "{STAGING}" RENAME TO "{TABLE}"')
    con.execute("COMMIT")
    return kept


def incremental(
    con: duckdb.DuckDBPyConnection, dates: list[str], rows: list[tuple], sync_run: int = 2
) -> int:
    days = [dt.date.fromisoformat(d) for d in dates]
    _staging(con, rows)
    con.execute("BEGIN TRANSACTION")
    kept = preserve_referenced_lines(con, TABLE, STAGING, dates=days, unit_id=1, sync_run=sync_run)
    con.execute(
        f'DELETE FROM "{TABLE}" WHERE EntryDate IN (SELECT unnest(?::DATE[])) AND UnitId = ?', [days, 1]
    )
    con.execute(f'INSERT INTO "{TABLE}" BY NAME SELECT * FROM "{STAGING}"')
    con.execute(f'DROP TABLE "{STAGING}"')
    con.execute("COMMIT")
    return kept


@pytest.fixture
def con(tmp_path: Path):
    c = duckdb.connect(str(tmp_path / "recon.duckdb"))
    make_books(c, AFAS, LEDGER)
    yield c
    c.close()


@pytest.mark.parametrize("config", [KEY, KEY_AND_DATE], ids=["direct key path", "passes"])
def test_an_old_run_reads_as_it_was_after_a_full_resync_changes_and_removes_its_lines(con, config):
    run = reconcile(con, 1, config).run_id
    before = _seen(con, run)
    changed = [
        afas_line(1, "130.00", "2026-03-09", voucher="V1-X", text="Rent (corrected)", account="4200"),
        afas_line(3, "75.00", "2026-03-04", voucher="V3", text="Only in AFAS"),  # unchanged
        afas_line(4, "20.00", "2026-03-05", text="Paid by card, renamed"),
        afas_line(5, "1.00", "2026-03-10", voucher="V5", text="New"),
    ]  # line 2 is gone
    kept = full_refresh(con, changed)
    assert _seen(con, run) == before
    assert kept == 3  # lines 1, 2 and 4; line 3 did not change, 5 no run knows
    grid = {r["entry_no"]: r for r in results_table(con, run).to_pylist()}
    assert grid[1]["AFAS description"] == "Rent March" and grid[1]["AFAS amount"] == Decimal("100.00")
    assert grid[2]["AFAS voucher"] == "V2" and grid[2]["Difference"] == Decimal("5.00")
    # A new run sees AFAS as it is now; the old one is unchanged beside it.
    new = reconcile(con, 1, config).run_id
    now = {r["entry_no"]: r for r in read_results(con, new, limit=100) if r["entry_no"]}
    assert now[1]["description_afas"] == "Rent (corrected)" and now[1]["amount_afas"] == Decimal("130.00")
    assert 2 not in now
    assert _seen(con, run) == before


def test_each_run_reads_the_version_it_saw_across_incremental_refreshes(con):
    first = reconcile(con, 1, KEY).run_id
    seen_first = _seen(con, first)
    incremental(con, ["2026-03-02"], [afas_line(1, "100.00", "2026-03-02", voucher="V1", text="Second")])
    second = reconcile(con, 1, KEY).run_id
    seen_second = _seen(con, second)
    incremental(
        con, ["2026-03-02", "2026-03-03"], [afas_line(1, "100.00", "2026-03-02", voucher="V1", text="3")]
    )
    assert _seen(con, first) == seen_first and _seen(con, second) == seen_second
    texts = [
        next(r["description_afas"] for r in read_results(con, run) if r["entry_no"] == 1)
        for run in (first, second, reconcile(con, 1, KEY).run_id)
    ]
    assert texts == ["Rent March", "Second", "3"]
    # An unchanged line is not kept again, nor a line no run knows.
    assert (
        incremental(con, ["2026-03-02"], [afas_line(1, "100.00", "2026-03-02", voucher="V1", text="3")]) == 0
    )


def test_another_import_and_its_deletion_leave_an_old_run_as_it_was(con):
    run = reconcile(con, 1, KEY).run_id
    before = _seen(con, run)
    _insert(
        con, "ledger_lines", LEDGER_COLS, [ledger_line(1, "100.00", "2026-03-02", voucher="V1", import_id=2)]
    )
    con.execute("INSERT INTO ledger_imports VALUES (2, 'b', 'b.csv', 'y', 'csv', 1, 0, NULL, NULL, now())")
    other = reconcile(con, 2, KEY).run_id
    incremental(con, ["2026-03-02"], [afas_line(1, "100.00", "2026-03-02", voucher="V1", text="Changed")])
    assert delete_import(con, 2)
    assert _seen(con, run) == before
    assert not con.execute("SELECT count(*) FROM recon_lines WHERE run_id = ?", [other]).fetchone()[0]


def test_a_run_over_a_session_view_keeps_its_lines_texts(con, tmp_path):
    con.execute(f'CREATE TEMP VIEW shown AS SELECT * FROM "{TABLE}"')  # no stored table named behind it
    run = reconcile(con, 1, MatchConfig(passes=KEY.passes, afas_table="shown")).run_id
    con.execute(f'CREATE TEMP VIEW registered AS SELECT * FROM "{TABLE}"')
    register_line_source(con, "registered", TABLE)
    other = reconcile(con, 1, MatchConfig(passes=KEY.passes, afas_table="registered")).run_id
    con.close()
    with duckdb.connect(str(tmp_path / "recon.duckdb")) as again:  # another session: the views are gone
        ensure_recon_schema(again)
        for r in (run, other):
            texts = {x["entry_no"]: x["description_afas"] for x in read_results(again, r) if x["entry_no"]}
            assert texts == {1: "Rent March", 2: "Refund", 3: "Only in AFAS", 4: "Paid by card"}
        assert again.execute("SELECT count(*) FROM recon_kept_lines").fetchone()[0] == 4  # the first run's


WIDE_DDL = """CREATE TABLE recon_results (
    run_id BIGINT NOT NULL, result_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('matched', 'only_in_afas', 'only_in_ledger', 'differing')),
    group_id BIGINT, unit_id BIGINT, entry_no BIGINT, seq_no BIGINT, import_id BIGINT, line_no BIGINT,
    pass VARCHAR, reason VARCHAR,
    amount_afas DECIMAL(18, 2), amount_ledger DECIMAL(18, 2), difference DECIMAL(18, 2),
    date_afas DATE, date_ledger DATE, account_afas VARCHAR, account_ledger VARCHAR,
    voucher_afas VARCHAR, voucher_ledger VARCHAR, description_afas VARCHAR, description_ledger VARCHAR,
    year BIGINT, period BIGINT, item_key VARCHAR)"""


def test_a_warehouse_with_the_wide_results_table_of_before_keeps_its_runs(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as old:  # as the previous version left it
        old.execute(
            "CREATE TABLE recon_runs (run_id BIGINT PRIMARY KEY, comparison VARCHAR NOT NULL, "
            "import_id BIGINT, afas_table VARCHAR, config_json VARCHAR, started TIMESTAMP NOT NULL, "
            "finished TIMESTAMP)"
        )
        old.execute(WIDE_DDL)
        old.execute(
            "INSERT INTO recon_runs VALUES (1, 'transactions', 1, 'Profit_Transactions', '{}', now(), now())"
        )
        old.execute(
            "INSERT INTO recon_results VALUES (1, 1, 'differing', 1, 1, 1, 1, 1, 1, 'exact_key', "
            "'voucher V1 equal, amount 100.00 vs 99.00', 100.00, 99.00, 1.00, DATE '2026-03-02', "
            "DATE '2026-03-02', '4100', '4100', 'V1', 'V1', 'Rent', 'rent', 2026, 3, NULL)"
        )
    with duckdb.connect(str(path)) as con:
        make_books(con, AFAS, LEDGER)  # also brings the schema up to date
        assert (
            con.execute(
                "SELECT table_type FROM information_schema.tables WHERE table_name = 'recon_results'"
            ).fetchone()[0]
            == "VIEW"
        )
        (row,) = read_results(con, 1)
        assert (row["reason"], row["amount_afas"], row["description_afas"]) == (
            "voucher V1 equal, amount 100.00 vs 99.00",
            Decimal("100.00"),
            "Rent",
        )
        assert result_counts(con, 1)["differing"] == 1
        assert proposals(con, 1)[0]["amount"] == Decimal("-1.00")
        new = reconcile(con, 1, KEY)
        assert new.run_id == 2 and new.counts["matched"] == 1
        assert read_results(con, 1) == [row]  # the old run beside the new one


# --- through the real sync: the swap hook keeps what an old run read


def test_a_real_sync_full_and_incremental_keeps_what_an_old_run_read(tmp_path):
    """The demo AFAS changes and removes lines an earlier run matched; the next incremental sync
    and a forced full one both replace them in the warehouse, and the earlier run still reads the
    lines as it saw them, while a new run sees AFAS as it is now."""
    import afas.recon.results  # noqa: F401 - registers the swap hook, as the Sync page and the CLI do
    from afas.emulator.core import Emulator
    from afas.warehouse.sync import sync
    from tests.conftest import make_client

    db = tmp_path / "w.duckdb"
    emulator = Emulator(seed=7, transactions=150)
    line_key = "UnitId || '/' || EntryNo || '/' || SeqNo"
    with make_client(emulator) as client:
        [res] = sync(db, client, [TABLE])
        assert (res.status, res.mode) == ("ok", "full")
        with duckdb.connect(str(db)) as c:
            ensure_recon_schema(c)
            c.execute(
                "INSERT INTO ledger_imports VALUES (1, 'bank', 'b.csv', 'x', 'csv', 0, 0, NULL, NULL, now())"
            )
            # The ledger is AFAS's own lines, each line's key as its voucher: every line matches.
            c.execute(
                f"""INSERT INTO ledger_lines (import_id, line_no, entry_date, account, amount, voucher,
                       description)
                SELECT 1, row_number() OVER (ORDER BY UnitId, EntryNo, SeqNo), EntryDate, AccountNo,
                       AmtDebit - AmtCredit, {line_key}, Description
                FROM "{TABLE}" """
            )
            c.execute(f'CREATE TEMP VIEW keyed AS SELECT *, {line_key} AS LineKey FROM "{TABLE}"')
            register_line_source(c, "keyed", TABLE)
            config = MatchConfig(passes=(ExactKeyPass(keys=(("LineKey", "voucher"),)),), afas_table="keyed")
            run = reconcile(c, 1, config).run_id
            before = _seen(c, run)
            assert before[3]["matched"] > 100 and before[3]["differing"] == 0
            grid = results_table(c, run).to_pylist()
            edited, deleted = grid[0], grid[-1]
        emulator.edit_entry_line(
            edited["unit_id"], edited["entry_no"], edited["seq_no"], description="Changed in Profit"
        )
        emulator.delete_entries(deleted["unit_id"], [deleted["entry_no"]])
        [res] = sync(db, client, [TABLE])
        assert (res.status, res.mode) == ("ok", "incremental")
        with duckdb.connect(str(db)) as c:
            ensure_recon_schema(c)
            assert _seen(c, run) == before
            now = c.execute(
                f'SELECT Description FROM "{TABLE}" WHERE UnitId = ? AND EntryNo = ? AND SeqNo = ?',
                [edited["unit_id"], edited["entry_no"], edited["seq_no"]],
            ).fetchall()
            assert now == [("Changed in Profit",)]  # the sync did replace the line
            kept = c.execute("SELECT count(*) FROM recon_kept_lines").fetchone()[0]
            assert kept >= 2  # at least the edited line and the deleted entry's line
        [res] = sync(db, client, [TABLE], full=True)
        assert (res.status, res.mode) == ("ok", "full")
        with duckdb.connect(str(db)) as c:
            ensure_recon_schema(c)
            assert _seen(c, run) == before
            c.execute(f'CREATE TEMP VIEW keyed AS SELECT *, {line_key} AS LineKey FROM "{TABLE}"')
            register_line_source(c, "keyed", TABLE)
            new = reconcile(c, 1, config).run_id
            counts = result_counts(c, new)
            assert counts["only_in_ledger"] >= 1  # the deleted entry's lines
            texts = {
                (r["unit_id"], r["entry_no"], r["seq_no"]): r["description_afas"]
                for r in read_results(c, new, limit=1000)
                if r["entry_no"] is not None
            }
            assert texts[(edited["unit_id"], edited["entry_no"], edited["seq_no"])] == "Changed in Profit"
            assert _seen(c, run) == before
