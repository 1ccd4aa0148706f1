"""The sync history as a user reads it: statuses and modes in the catalogue's words, a killed run as
interrupted, what the page says after a sync, and warehouse files from before the vocabularies."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from afas.catalogue import LABELS, label
from afas.warehouse import explore
from afas.warehouse.db import connection
from afas.warehouse.runs import STORED_STATUSES, SyncMode, SyncStatus
from afas.warehouse.sync import ProgressBoard, SyncProgress, SyncResult, outcome, sync

OLD_SYNC_RUNS = """
CREATE TABLE sync_runs (
    run_id BIGINT PRIMARY KEY, connector VARCHAR NOT NULL, environment VARCHAR,
    administration BIGINT, started TIMESTAMP NOT NULL, finished TIMESTAMP,
    rows BIGINT, pages BIGINT, status VARCHAR NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
    error VARCHAR);
INSERT INTO sync_runs VALUES (1, 'Profit_Accounts', 'demo', NULL, TIMESTAMP '2026-01-05 09:00',
    TIMESTAMP '2026-01-05 09:01', 120, 1, 'ok', NULL);
"""
"""sync_runs as a warehouse file made before modes and watermarks were recorded holds it."""


def test_every_status_and_mode_has_its_words_in_the_catalogue():
    assert {m.value for m in SyncStatus} == set(LABELS["SyncStatus"])
    assert {m.value for m in SyncMode} == set(LABELS["SyncMode"])
    assert SyncStatus.INTERRUPTED not in STORED_STATUSES  # shown only, never written


def test_a_warehouse_file_from_before_opens_and_syncs_on(tmp_path, client):
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(OLD_SYNC_RUNS)
    results = sync(db, client, ["Profit_Currency"])
    assert [(r.status, r.mode) for r in results] == [(SyncStatus.OK, SyncMode.FULL)]
    with connection(db) as con:
        history = explore.run_history(con).to_pylist()
        assert [(r["Run"], r["Status"], r["Mode"]) for r in history] == [(2, "ok", "full"), (1, "ok", None)]
        with pytest.raises(duckdb.ConstraintException):  # the stored statuses are still the three
            con.execute("UPDATE sync_runs SET status = 'interrupted' WHERE run_id = 1")


def test_a_killed_run_reads_interrupted_while_no_sync_runs_and_running_while_one_does(tmp_path):
    db = tmp_path / "w.duckdb"
    with connection(db) as con:
        con.execute(
            "INSERT INTO sync_runs (run_id, connector, started, status) VALUES (1, 'Profit_Debtor', ?, ?)",
            [dt.datetime(2026, 11, 25, 9, 0), SyncStatus.RUNNING],
        )
        killed = explore.run_history(con, sync_running=False).to_pylist()[0]
        assert killed["Status"] == label(SyncStatus.INTERRUPTED)
        assert killed["Error"].startswith("The sync stopped before it finished")
        live = explore.run_history(con, sync_running=True).to_pylist()[0]
        assert (live["Status"], live["Error"]) == (label(SyncStatus.RUNNING), None)
        status = {r["Connector"]: r for r in explore.connector_status(con, False).to_pylist()}
        assert status["Profit_Debtor"]["Last run"] == "interrupted"
        assert status["Profit_Accounts"]["Last run"] is None  # never synced: an empty cell on the page
        assert con.execute("SELECT status FROM sync_runs").fetchall() == [("running",)]  # nothing written


def _result(
    connector: str, status: SyncStatus, rows: int = 0, error: str | None = None, started: float = 0.0
) -> SyncResult:
    return SyncResult(connector, status, rows, 1, 1.25, 1, error, started=started)


def test_after_a_sync_the_user_reads_the_totals_or_the_first_failure():
    # side by side: 1.25 s each, the second started 0.5 s after the first
    done = outcome(
        [
            _result("Profit_Accounts", SyncStatus.OK, 120, started=100.0),
            _result("Profit_Debtor", SyncStatus.OK, 1000, started=100.5),
        ]
    )
    assert done.ok and done.text == "Synced 2 connectors: 1,120 rows in 1.8 s."
    failed = outcome(
        [
            _result("Profit_Accounts", SyncStatus.OK, 120),
            _result("Profit_Debtor", SyncStatus.FAILED, error="AFAS answered 500."),
        ]
    )
    assert not failed.ok
    assert failed.text == "Profit_Debtor failed: AFAS answered 500. Its previous data is unchanged."


def test_a_dutch_user_reads_the_sync_in_dutch_with_dutch_numbers():
    from afas.i18n import Language, using

    with using(Language.NL):
        done = outcome(
            [
                _result("Profit_Accounts", SyncStatus.OK, 120, started=100.0),
                _result("Profit_Debtor", SyncStatus.OK, 1000, started=100.5),
            ]
        )
        assert done.text == "2 connectoren opgehaald: 1.120 rijen in 1,8 s."
        failed = outcome(
            [_result("Profit_Debtor", SyncStatus.FAILED, error="AFAS meldde een fout (HTTP 500).")]
        )
        assert failed.text == (
            "Profit_Debtor is mislukt: AFAS meldde een fout (HTTP 500). De eerdere gegevens zijn ongewijzigd."
        )
        text = SyncProgress("Profit_Transactions", 3, 1_500, 3_000, SyncMode.INCREMENTAL).text
        assert text == "Profit_Transactions: 1.500 van ~3.000 rijen, 3 pagina's (alleen wijzigingen)"
        one = SyncProgress("Profit_Debtor", 1, 40, None, SyncMode.FULL).text
        assert one == "Profit_Debtor: 40 rijen, 1 pagina (volledig)"


def test_the_progress_bar_averages_the_connectors_side_by_side_and_says_which_moved():
    board = ProgressBoard(["Profit_Accounts", "Profit_Transactions", "Profit_Debtor"])
    share, text = board.update(SyncProgress("Profit_Transactions", 3, 1_500, 3_000, SyncMode.FULL))
    assert share == pytest.approx(0.5 / 3)  # half of one of three; the others not started
    assert text == "Profit_Transactions: 1,500 of ~3,000 rows, 3 pages (full)"
    share, text = board.update(SyncProgress("Profit_Debtor", 1, 40, None, SyncMode.INCREMENTAL))
    assert share == pytest.approx(1.0 / 3)  # unknown size: counted half done once started
    assert text == "Profit_Debtor: 40 rows, 1 page (incremental)"
    board.update(SyncProgress("Profit_Accounts", 1, 90, 90, SyncMode.FULL))
    share, _ = board.update(SyncProgress("Profit_Transactions", 9, 9_000, 3_000, SyncMode.FULL))
    assert share == pytest.approx(2.5 / 3)  # grown past its estimate: done, not more
