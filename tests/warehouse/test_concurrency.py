"""Several sessions of one dashboard process at the warehouse file at once: nobody is refused."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from afas.emulator.core import Emulator
from afas.warehouse import explore
from afas.warehouse.db import WarehouseBusy, connection
from afas.warehouse.sync import recover_interrupted_runs, sync, sync_running, writer_lock
from tests.conftest import make_client


def _run_together(*targets) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_first_opens_of_a_new_file_from_many_sessions_do_not_collide(tmp_path):
    # every open used to run the meta tables' DDL: "Catalog write-write conflict" for the loser
    for n in range(15):
        db = tmp_path / f"w{n}.duckdb"
        barrier = threading.Barrier(4)

        def render(db=db, barrier=barrier):
            barrier.wait()
            with connection(db) as con:
                explore.run_history(con, False)

        assert _run_together(*[render] * 4) == []


def test_sync_while_other_sessions_render_the_sync_page(tmp_path):
    em = Emulator(seed=7, transactions=1500)
    db = tmp_path / "w.duckdb"
    done = threading.Event()
    renders = [0]

    def syncer():
        try:
            with make_client(em) as client:
                for _ in range(4):
                    results = sync(db, client, ["Profit_Accounts", "Profit_Transactions"], full=True)
                    assert [r.status for r in results] == ["ok", "ok"], results
        finally:
            done.set()

    def render():
        while not done.is_set():
            running = sync_running(db)
            with connection(db) as con:
                explore.connector_status(con, running)
                explore.run_history(con, running)
            recover_interrupted_runs(db)  # what a CLI user may run meanwhile: never stops the sync
            renders[0] += 1

    assert _run_together(syncer, render, render, render) == []
    assert renders[0] > 0
    with connection(db) as con:
        assert con.execute("SELECT DISTINCT status FROM sync_runs").fetchall() == [("ok",)]


def test_a_probe_says_whether_a_sync_runs_and_never_keeps_one_from_starting(tmp_path):
    db = tmp_path / "w.duckdb"
    assert not sync_running(db)
    with writer_lock(db):
        assert sync_running(db)
    assert not sync_running(db)
    stop = threading.Event()

    def probe():
        while not stop.is_set():
            sync_running(db)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        for _ in range(50):
            with writer_lock(db):
                pass
    finally:
        stop.set()
        prober.join()


def _attach_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    """What the SQL box does: its own in-memory DuckDB with the warehouse attached read-only."""
    box = duckdb.connect(":memory:")
    box.execute(f"ATTACH '{db}' AS warehouse (READ_ONLY)")
    return box


def test_an_open_while_the_sql_box_has_the_file_attached_waits_for_it(tmp_path):
    db = tmp_path / "w.duckdb"
    with connection(db):
        pass
    box = _attach_read_only(db)
    released = threading.Event()

    def release_soon():
        released.wait(5)
        box.close()

    timer = threading.Thread(target=release_soon)
    timer.start()
    with pytest.raises(WarehouseBusy) as busy:
        connection(db, wait=0.2).__enter__()
    assert str(busy.value) == "w.duckdb is in use by a query in this dashboard's SQL box."
    released.set()
    with connection(db, wait=10) as con:  # "Unique file handle conflict" was raised at once before
        assert con.execute("SELECT count(*) FROM sync_runs").fetchall() == [(0,)]
    timer.join()


def test_sql_box_queries_back_to_back_never_keep_the_app_from_the_file(tmp_path):
    from afas.warehouse.sqlbox import QueryLimit, QueryRefused, SqlLimits, run_readonly

    db = tmp_path / "w.duckdb"
    with connection(db):
        pass
    stop = threading.Event()
    queries = [0]

    def box():  # one user after another running a query that lasts until its 0.3 s limit
        while not stop.is_set():
            try:
                run_readonly(db, "SELECT count(*) FROM range(1e12::BIGINT)", limits=SqlLimits(seconds=0.3))
            except QueryLimit:
                queries[0] += 1
            except QueryRefused as exc:  # its turn did not come within its limit: told, and tries again
                assert "The warehouse is busy" in str(exc)

    def app():  # the app reads meanwhile, as every page render does; a sync's swap is the same open
        try:
            for _ in range(8):
                with connection(db, wait=3) as con:
                    con.execute("SELECT count(*) FROM sync_runs").fetchall()
        finally:
            stop.set()

    assert _run_together(box, box, box, box, app) == []
    assert queries[0] >= 2


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (duckdb.IOException('IO Error: Could not set lock on file "w": Conflicting lock is held'), True),
        (duckdb.IOException('IO Error: Could not read enough bytes from file "w": 262144 bytes'), True),
        (duckdb.ResourceInUseException('Unique file handle conflict: ... is already attached by "x"'), True),
        (duckdb.IOException("IO Error: No space left on device"), False),
        (duckdb.CatalogException("Table with name x does not exist"), False),
    ],
)
def test_only_holds_that_end_by_themselves_are_waited_out(error, retried):
    from afas.warehouse.db import _retryable

    assert _retryable(error) is retried
