"""Opening the warehouse file: short-lived connections that wait their turn.

DuckDB lets one process at a time open a database file (any number of connections inside that
process share one instance and see the last committed snapshot). So nobody keeps the file open
longer than a read or a write takes: the sync downloads pages with the file closed and opens it only
to record its run and to swap a connector's table in; the app opens it per read. A process that
finds the file held by another waits a little (the other's hold is short) and then gets a
:class:`WarehouseBusy` that says which program holds it.

Inside one process DuckDB keeps one instance per file, which every ``connect`` shares. The SQL box
attaches the file read-only to an instance of its own (so that its safety settings do not touch the
app's); while it does, opening the file here is refused with "Unique file handle conflict", and the
other way round. Both are waited out like another process's lock: the SQL box's query is time-limited.

The meta tables are created once per file and process (:func:`ensure_once`): running DDL on every
open made two sessions' opens collide ("Catalog write-write conflict").
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from afas.errors import BusyError
from afas.i18n import tr
from afas.warehouse.schema import ensure_schema

__all__ = ["WarehouseBusy", "connect", "connection", "ensure_once", "sql_box_turn", "transaction"]

DEFAULT_WAIT_S = 30.0


class WarehouseBusy(BusyError):
    """Another process (or the SQL box) keeps the DuckDB file for longer than we are willing to wait."""


def _held_by(message: str) -> str:
    m = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", message)
    if m:
        return tr("{program} (process {pid})").format(program=Path(m.group(1)).name, pid=m.group(2))
    if "already attached" in message:
        return tr("a query in this dashboard's SQL box")
    return tr("another program")


def _retryable(exc: duckdb.Error) -> bool:
    """A hold that ends by itself: another process's file lock, or this process's SQL box; also the
    short read DuckDB 2.0 sometimes reports when it opens a file right after a process holding it was
    killed ("Could not read enough bytes": seen 2 in 1,142 kills; the next open works)."""
    text = str(exc).lower()
    if isinstance(exc, duckdb.IOException):
        return "lock" in text or "could not read enough bytes" in text
    return isinstance(exc, duckdb.ResourceInUseException) and "already attached" in text


_schema_lock = threading.Lock()
_ensured: set[tuple[str, int, str]] = set()


def _file_identity(con: duckdb.DuckDBPyConnection) -> tuple[str, int] | None:
    rows = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    row = rows[0] if rows else None
    if not row or not row[0]:
        return None  # in-memory
    try:
        return row[0], os.stat(row[0]).st_ino
    except OSError:
        return None


def ensure_once(con: duckdb.DuckDBPyConnection, name: str, create: Callable[[], None]) -> None:
    """Run ``create`` (idempotent DDL) once per database file and process, one caller at a time.

    A file removed and made anew (another inode) gets its tables again; an in-memory database always.
    """
    identity = _file_identity(con)
    key = (*identity, name) if identity is not None else None
    if key is not None and key in _ensured:
        return
    with _schema_lock:
        if key is not None and key in _ensured:
            return
        create()
        if key is not None:
            _ensured.add(key)


def connect(db_path: str | os.PathLike[str], *, wait: float = DEFAULT_WAIT_S) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the warehouse with its meta tables in place.

    Waits up to ``wait`` seconds while another process (or the SQL box) holds the file, then raises
    WarehouseBusy. Every connection in this process uses the same configuration, so DuckDB shares one
    instance between them (a differently configured second connection would be refused).
    """
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(db_path))
            break
        except duckdb.Error as exc:
            if not _retryable(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    tr("{file} is in use by {holder}.").format(
                        file=Path(db_path).name, holder=_held_by(str(exc))
                    ),
                    tr(
                        "Close that program (a DuckDB tool with the file open, or another dashboard on the "
                        "same folder) or wait for it to finish, then try again."
                    ),
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
    try:
        ensure_once(con, "warehouse", lambda: ensure_schema(con))
    except BaseException:
        con.close()
        raise
    return con


class _Turns:
    """Inside one process: the app's connections to a file and the SQL box's read-only attaches of it
    take turns, and the app goes first.

    DuckDB refuses either while the other holds the file, so without turns both sides poll; the SQL
    box's back-to-back queries could then keep a sync's swap waiting until it gave up. Here a SQL box
    query starts only when no app connection is open *or waiting* for that file, and an app connection
    only waits for the SQL box queries already running (each one time-limited). App connections never
    wait for each other, so one opened inside another cannot deadlock.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._app: dict[str, int] = {}  # open or waiting app connections per file
        self._box: dict[str, int] = {}  # running SQL box attaches per file

    @contextmanager
    def app(self, path: str, wait: float) -> Iterator[None]:
        with self._cond:
            self._app[path] = self._app.get(path, 0) + 1
            try:
                if not self._cond.wait_for(lambda: not self._box.get(path), timeout=wait):
                    raise WarehouseBusy(
                        tr("{file} is in use by {holder}.").format(
                            file=Path(path).name, holder=tr("a query in this dashboard's SQL box")
                        ),
                        tr("Try again in a moment: a query there runs for a few seconds at most."),
                    )
            except BaseException:
                self._leave(self._app, path)
                raise
        try:
            yield
        finally:
            with self._cond:
                self._leave(self._app, path)

    @contextmanager
    def box(self, path: str, wait: float) -> Iterator[bool]:
        """Yields False when the app did not let the file go within ``wait`` seconds."""
        with self._cond:
            granted = self._cond.wait_for(lambda: not self._app.get(path), timeout=wait)
            if granted:
                self._box[path] = self._box.get(path, 0) + 1
        if not granted:
            yield False
            return
        try:
            yield True
        finally:
            with self._cond:
                self._leave(self._box, path)

    def _leave(self, counts: dict[str, int], path: str) -> None:
        counts[path] -= 1
        if not counts[path]:
            del counts[path]
        self._cond.notify_all()


_turns = _Turns()


def _key(db_path: str | os.PathLike[str]) -> str:
    return os.path.realpath(db_path)


@contextmanager
def connection(
    db_path: str | os.PathLike[str], *, wait: float = DEFAULT_WAIT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """``connect`` as a context manager that closes the connection (and so releases the file).

    Within the process it first waits for SQL box queries already running on the file (:class:`_Turns`).
    """
    with _turns.app(_key(db_path), wait):
        con = connect(db_path, wait=wait)
        try:
            yield con
        finally:
            con.close()


@contextmanager
def sql_box_turn(db_path: str | os.PathLike[str], wait: float) -> Iterator[bool]:
    """The SQL box's turn at the file: True once no app connection of this process holds or awaits
    it (within ``wait`` seconds), False if the app kept it. Attach and close inside the block."""
    with _turns.box(_key(db_path), wait) as granted:
        yield granted


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN, then COMMIT when the block ends, or ROLLBACK (and the error goes on) when it fails or
    is interrupted: nothing half-written."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
