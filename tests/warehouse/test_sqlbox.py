"""The SQL box's limits: time, memory, disk spill, threads, and stopping when nobody waits any more.

The limits in these tests are small (a third of a second, a few dozen MB) against queries that would
otherwise run for hours or take gigabytes, so each test is quick and its outcome is not a matter of
timing. Where two things must overlap, the test waits for an event, never a fixed time.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pytest

from afas.errors import InputError
from afas.warehouse.sqlbox import (
    MAX_ROWS,
    QueryCancelled,
    QueryLimit,
    QueryRefused,
    SqlLimits,
    run_readonly,
)

RUNAWAY = "SELECT count(*) FROM range(1e12::BIGINT)"  # the tester's query: hours of work on one core
SPILLING = (  # 3 million distinct groups: about 200 MB that spill to disk under a small memory limit
    "SELECT count(*) AS n FROM (SELECT s, count(*) FROM "
    "(SELECT repeat('x', 40) || i AS s FROM range(3000000) t(i)) GROUP BY s)"
)
HUGE_STRING = (
    "SELECT length(string_agg(i::VARCHAR, ',')) FROM range(50000000) t(i)"  # one value, cannot spill
)
COUNT = 'SELECT count(*) AS n FROM "Profit_Accounts"'
SHORT = SqlLimits(seconds=0.3)
LONG = SqlLimits(seconds=3600)  # only still_wanted can stop the query in time
WORKER_JOIN_S = 30.0  # how long a test waits for a worker thread at most; it is done long before


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            'CREATE TABLE "Profit_Accounts" AS SELECT i::VARCHAR AS "Account", '
            "'Account ' || i AS \"Description\" FROM range(1000, 1100) t(i)"
        )
    return path


def _watchdogs() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sqlbox-watchdog")]


def _in_thread(fn, *args, **kwargs) -> tuple[threading.Thread, dict]:
    """Run ``fn`` in a worker thread; the dict gets its 'result' or its 'error' and 'ended' (monotonic)."""
    out: dict = {}

    def work() -> None:
        try:
            out["result"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the test to assert on
            out["error"] = exc
        out["ended"] = time.monotonic()

    thread = threading.Thread(target=work, name="sqlbox-test-worker")
    thread.start()
    return thread, out


def test_a_normal_query_still_works_with_its_row_cap(db):
    result = run_readonly(db, 'SELECT "Account" FROM "Profit_Accounts" ORDER BY 1', limits=SHORT)
    assert result.table.column("Account").to_pylist()[:2] == ["1000", "1001"] and not result.truncated
    big = run_readonly(db, "SELECT * FROM range(50000)", limits=SHORT)
    assert big.table.num_rows == MAX_ROWS and big.truncated
    assert _watchdogs() == []


def test_the_runaway_query_is_stopped_at_the_time_limit_and_says_so(db):
    started = time.monotonic()
    with pytest.raises(QueryLimit) as caught:
        run_readonly(db, RUNAWAY, limits=SHORT)
    assert time.monotonic() - started < 5  # the query alone would run for hours
    assert str(caught.value) == "The query ran longer than 0.3 s and was stopped."
    assert "WHERE" in caught.value.hint and "LIMIT" in caught.value.hint
    assert "AFAS_SQL_TIMEOUT_S" in caught.value.hint


def _native_threads() -> int | None:
    """Every thread of this process, DuckDB's own included (Linux); None where /proc is missing."""
    tasks = Path("/proc/self/task")
    return len(list(tasks.iterdir())) if tasks.is_dir() else None


def _native_threads_back_to(count: int | None) -> bool:
    """Whether the process is down to at most ``count`` threads again. A joined thread's OS thread can
    take a moment to leave /proc, so this waits for it (a bounded poll, not a fixed sleep)."""
    if count is None:
        return True
    deadline = time.monotonic() + WORKER_JOIN_S
    while (_native_threads() or 0) > count and time.monotonic() < deadline:
        time.sleep(0.01)
    return (_native_threads() or 0) <= count


def test_a_stopped_query_frees_its_thread_and_the_next_query_runs_at_once(db):
    run_readonly(db, "SELECT 1", limits=SHORT)  # pools that Arrow and DuckDB start once are started now
    before, native = set(threading.enumerate()), _native_threads()
    worker, out = _in_thread(run_readonly, db, RUNAWAY, limits=SHORT)
    worker.join(WORKER_JOIN_S)
    assert not worker.is_alive() and isinstance(out["error"], QueryLimit)
    # The query ran on the worker alone (one DuckDB thread), and nothing of it is left: no watchdog,
    # no DuckDB worker thread, so nothing can still burn CPU.
    assert set(threading.enumerate()) <= before and _watchdogs() == []
    assert _native_threads_back_to(native)
    result = run_readonly(db, COUNT, limits=SHORT)
    assert result.table.column("n").to_pylist() == [100]


def test_a_query_nobody_waits_for_any_more_is_stopped(db):
    asked = threading.Event()
    gone = threading.Event()

    def still_wanted() -> bool:
        asked.set()
        return not gone.is_set()

    worker, out = _in_thread(run_readonly, db, RUNAWAY, limits=LONG, still_wanted=still_wanted)
    assert asked.wait(WORKER_JOIN_S)  # the query is running and its watchdog asks
    gone.set()  # the tab is closed, or Run was pressed again
    closed_at = time.monotonic()
    worker.join(WORKER_JOIN_S)
    assert not worker.is_alive() and isinstance(out["error"], QueryCancelled)
    assert out["ended"] - closed_at < 5  # stopped at once, not at the hour's limit
    assert "stopped" in str(out["error"])


def test_a_query_already_unwanted_does_not_start(db):
    with pytest.raises(QueryCancelled):
        run_readonly(db, RUNAWAY, limits=LONG, still_wanted=lambda: False)


def test_a_query_that_needs_too_much_memory_is_stopped_with_the_memory_message(db):
    limits = SqlLimits(seconds=60, memory_mb=32, spill_mb=16)
    with pytest.raises(QueryLimit) as caught:
        run_readonly(db, HUGE_STRING, limits=limits)
    assert str(caught.value) == "The query needs more memory than the 32 MB a query may use and was stopped."
    assert "AFAS_SQL_MEMORY_MB" in caught.value.hint


def test_a_query_that_spills_too_much_to_disk_is_stopped_with_the_disk_message(db):
    limits = SqlLimits(seconds=60, memory_mb=32, spill_mb=16)
    with pytest.raises(QueryLimit) as caught:
        run_readonly(db, SPILLING, limits=limits)
    assert str(caught.value) == (
        "The query needs more than the 16 MB of temporary disk space a query may use and was stopped."
    )
    assert "AFAS_SQL_SPILL_MB" in caught.value.hint
    # The same query runs when it may spill enough: spilling works although file access is off.
    roomy = SqlLimits(seconds=60, memory_mb=32, spill_mb=1024)
    assert run_readonly(db, SPILLING, limits=roomy).table.column("n").to_pylist() == [3_000_000]


def test_the_limits_govern_the_query_over_the_attached_warehouse(db, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the query's spill directory is made
    settings = run_readonly(
        db,
        "SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS memory, "
        "current_setting('max_temp_directory_size') AS spill, current_setting('temp_directory') AS temp, "
        "current_setting('enable_external_access') AS external, "
        '(SELECT count(*) FROM "Profit_Accounts") AS accounts',
        limits=SqlLimits(seconds=5, memory_mb=100, spill_mb=200, threads=1),
    ).table.to_pylist()[0]
    assert settings["threads"] == 1 and settings["accounts"] == 100 and settings["external"] is False
    assert settings["memory"] == "95.3 MiB" and settings["spill"] == "190.7 MiB"
    # A spill directory of its own, below the system's temporary folder, and gone afterwards.
    assert Path(settings["temp"]).parent == tmp_path and not Path(settings["temp"]).exists()
    assert list(tmp_path.glob("afas-sqlbox-*")) == []


def test_two_queries_at_once_from_two_threads_both_work(db):
    """One user's long query is running (attached, its watchdog asking) while another user's query runs."""
    running = threading.Event()
    done = threading.Event()

    def still_wanted() -> bool:
        running.set()
        return not done.is_set()

    first, out = _in_thread(run_readonly, db, RUNAWAY, limits=LONG, still_wanted=still_wanted)
    assert running.wait(WORKER_JOIN_S)
    results = []
    second = [_in_thread(run_readonly, db, COUNT, limits=SqlLimits(seconds=30)) for _ in range(2)]
    for thread, result in second:
        thread.join(WORKER_JOIN_S)
        results.append(result)
    assert [r["result"].table.column("n").to_pylist() for r in results] == [[100], [100]]
    assert first.is_alive()  # still running beside them
    done.set()
    first.join(WORKER_JOIN_S)
    assert isinstance(out["error"], QueryCancelled)


def test_the_query_waits_for_the_apps_own_short_hold_of_the_file(db):
    """The app opens the file read-write for a read now and then; the SQL box waits that out."""
    app = duckdb.connect(str(db))  # as afas.warehouse.db does; DuckDB refuses a second handle meanwhile
    asked = threading.Event()

    def still_wanted() -> bool:
        asked.set()
        return True

    worker, out = _in_thread(run_readonly, db, COUNT, limits=SqlLimits(seconds=30), still_wanted=still_wanted)
    assert asked.wait(WORKER_JOIN_S)
    app.close()
    worker.join(WORKER_JOIN_S)
    assert out["result"].table.column("n").to_pylist() == [100]


def test_a_file_held_longer_than_the_limit_is_reported_busy(db):
    with duckdb.connect(str(db)), pytest.raises(QueryRefused, match="The warehouse is busy"):
        run_readonly(db, 'SELECT 1 FROM "Profit_Accounts"', limits=SHORT)


def test_the_limits_come_from_the_environment(monkeypatch):
    for name in ("AFAS_SQL_TIMEOUT_S", "AFAS_SQL_MEMORY_MB", "AFAS_SQL_SPILL_MB", "AFAS_SQL_THREADS"):
        monkeypatch.delenv(name, raising=False)
    assert SqlLimits.from_env() == SqlLimits()
    assert SqlLimits().seconds == 5 and SqlLimits().threads == 1
    monkeypatch.setenv("AFAS_SQL_TIMEOUT_S", "0.5")
    monkeypatch.setenv("AFAS_SQL_MEMORY_MB", "256")
    monkeypatch.setenv("AFAS_SQL_SPILL_MB", "0")
    monkeypatch.setenv("AFAS_SQL_THREADS", "2")
    assert SqlLimits.from_env() == SqlLimits(seconds=0.5, memory_mb=256, spill_mb=0, threads=2)
    monkeypatch.setenv("AFAS_SQL_TIMEOUT_S", "five")
    with pytest.raises(InputError, match="AFAS_SQL_TIMEOUT_S") as caught:
        SqlLimits.from_env()
    assert "five" in str(caught.value) and caught.value.hint


def test_the_time_limit_from_the_environment_applies_when_none_is_given(db, monkeypatch):
    monkeypatch.setenv("AFAS_SQL_TIMEOUT_S", "0.3")
    with pytest.raises(QueryLimit, match="longer than 0.3 s"):
        run_readonly(db, RUNAWAY)


def test_without_spill_space_the_memory_limit_is_the_wall(db):
    limits = SqlLimits(seconds=60, memory_mb=32, spill_mb=0)
    with pytest.raises(QueryLimit, match="more memory than the 32 MB"):
        run_readonly(db, SPILLING, limits=limits)


def test_limit_errors_are_input_errors_with_the_sql_box_base():
    for error in (QueryLimit, QueryCancelled):
        assert issubclass(error, QueryRefused) and issubclass(error, InputError) and error.exit_code == 2
