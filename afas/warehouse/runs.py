"""The sync history: one row per connector run in ``sync_runs``, and the vocabularies it stores.

A run starts 'running' and ends 'ok' (its table swapped in) or 'failed' (the previous table kept,
with a one-line reason). A run still 'running' while no sync holds the file's writer lock was killed:
the views show it as 'interrupted' (never stored) and the next sync records it as failed. Modes and
statuses are stored as their text; what a user reads for them comes from afas.catalogue.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import duckdb

from afas.catalogue import label_sql
from afas.i18n import mark, tr

__all__ = [
    "INTERRUPTED_REASON",
    "STOPPED_NOTE",
    "STORED_STATUSES",
    "SyncMode",
    "SyncStatus",
    "full_sync_rows",
    "last_complete",
    "mark_interrupted",
    "record_failed",
    "record_ok",
    "running_count",
    "shown_status",
    "start_run",
    "stored_statuses_sql",
]


class SyncMode(StrEnum):
    """How a connector's table was refreshed (sync_runs.mode; labels: afas.catalogue)."""

    FULL = "full"  # fetched whole into staging and swapped in
    INCREMENTAL = "incremental"  # only the entry dates AFAS reports as changed, replaced in place


class SyncStatus(StrEnum):
    """Where a connector's run stands (sync_runs.status; labels: afas.catalogue)."""

    RUNNING = "running"  # its sync is still fetching, or was killed (then shown as INTERRUPTED)
    OK = "ok"  # its table was swapped in
    FAILED = "failed"  # it stopped; the previous table is unchanged and ``error`` says why
    INTERRUPTED = "interrupted"  # shown, never stored: 'running' while no sync holds the writer lock


STORED_STATUSES = (SyncStatus.RUNNING, SyncStatus.OK, SyncStatus.FAILED)
"""The statuses sync_runs holds (its CHECK constraint); INTERRUPTED is only ever shown."""


def stored_statuses_sql() -> str:
    """The stored statuses as the list of an SQL ``IN (...)``, as the table's CHECK has always read."""
    return ", ".join(f"'{s.value}'" for s in STORED_STATUSES)


INTERRUPTED_REASON = mark(
    "The sync process stopped before it finished (killed or crashed); the previous data is unchanged."
)
"""The error recorded for a run whose sync was killed (by the next sync, or recover_interrupted_runs):
stored in English, shown in the session's language (:func:`shown_status`)."""

STOPPED_NOTE = mark(
    "The sync stopped before it finished (killed or crashed); the previous data is unchanged. "
    "The next sync records this run as failed."
)
"""What the views show as the error of a run they show as interrupted."""


def start_run(
    con: duckdb.DuckDBPyConnection, connector: str, environment: str, administration: int | None
) -> int:
    """Record a run as 'running' and return its number."""
    run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM sync_runs").fetchone()[0]
    con.execute(
        "INSERT INTO sync_runs (run_id, connector, environment, administration, started, status) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [run_id, connector, environment, administration, dt.datetime.now(), SyncStatus.RUNNING],
    )
    return int(run_id)


def record_ok(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    rows: int,
    pages: int,
    mode: SyncMode,
    watermark: dt.datetime | None,
) -> None:
    """The run's table is in place (call inside the transaction that put it there)."""
    con.execute(
        "UPDATE sync_runs SET status = ?, finished = ?, rows = ?, pages = ?, mode = ?, watermark = ? "
        "WHERE run_id = ?",
        [SyncStatus.OK, dt.datetime.now(), rows, pages, mode, watermark, run_id],
    )


def record_failed(con: duckdb.DuckDBPyConnection, run_id: int, rows: int, pages: int, reason: str) -> None:
    """The run stopped after ``rows`` rows in ``pages`` pages; ``reason`` is its one line for the user."""
    con.execute(
        "UPDATE sync_runs SET status = ?, finished = ?, rows = ?, pages = ?, error = ? WHERE run_id = ?",
        [SyncStatus.FAILED, dt.datetime.now(), rows, pages, reason, run_id],
    )


def running_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many runs are recorded as running (killed ones among them while no sync runs)."""
    return int(
        con.execute("SELECT count(*) FROM sync_runs WHERE status = ?", [SyncStatus.RUNNING]).fetchone()[0]
    )


def mark_interrupted(con: duckdb.DuckDBPyConnection) -> int:
    """Record every run still 'running' as failed, its sync killed; returns how many. Only the holder
    of the writer lock may call this (else a live run would be marked)."""
    return int(
        con.execute(
            "UPDATE sync_runs SET status = ?, finished = coalesce(finished, started), error = ? "
            "WHERE status = ?",
            [SyncStatus.FAILED, INTERRUPTED_REASON, SyncStatus.RUNNING],
        ).fetchone()[0]
    )


def last_complete(
    con: duckdb.DuckDBPyConnection, connector: str
) -> tuple[str | None, int | None, dt.datetime | None] | None:
    """(environment, administration, watermark) of the connector's last run that ended ok, if any."""
    return con.execute(
        "SELECT environment, administration, watermark FROM sync_runs "
        "WHERE connector = ? AND status = ? ORDER BY run_id DESC LIMIT 1",
        [connector, SyncStatus.OK],
    ).fetchone()


def full_sync_rows(con: duckdb.DuckDBPyConnection, connector: str, administration: int | None) -> int | None:
    """The row count of the connector's last full sync for the same administration (an estimate)."""
    row = con.execute(
        "SELECT rows FROM sync_runs WHERE connector = ? AND status = ? "
        "AND coalesce(mode, ?) = ? AND administration IS NOT DISTINCT FROM ? "
        "ORDER BY run_id DESC LIMIT 1",
        [connector, SyncStatus.OK, SyncMode.FULL, SyncMode.FULL, administration],
    ).fetchone()
    return int(row[0]) if row and row[0] else None


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def shown_status(sync_running: bool | None) -> tuple[str, str, str]:
    """SQL for what a user reads of a run's status, mode and error (columns of sync_runs).

    ``sync_running`` False: a run still 'running' was killed, so it reads 'interrupted' with
    :data:`STOPPED_NOTE` as its error; True or None (not known): the stored status. A run without a
    mode (recorded before modes were) reads as nothing. The notes read in the session's language.
    """
    interrupted, stopped = _text(tr(INTERRUPTED_REASON)), _text(tr(STOPPED_NOTE))
    status = "status"
    error = f"CASE WHEN error = {_text(INTERRUPTED_REASON)} THEN {interrupted} ELSE error END"
    if sync_running is False:
        running = _text(SyncStatus.RUNNING)
        status = f"CASE WHEN status = {running} THEN {_text(SyncStatus.INTERRUPTED)} ELSE status END"
        error = f"CASE WHEN status = {running} THEN {stopped} ELSE {error} END"
    return label_sql(SyncStatus, f"({status})"), label_sql(SyncMode, "mode"), error
