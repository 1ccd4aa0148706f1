"""Opening the warehouse file: short-lived connections that wait their turn.

DuckDB lets one process at a time open a database file (any number of connections inside that
process share one instance and see the last committed snapshot). So nobody keeps the file open
longer than a read or a write takes: the sync downloads pages with the file closed and opens it only
to record its run and to swap a connector's table in; the app opens it per read. A process that
finds the file held by another waits a little (the other's hold is short) and then gets a
:class:`WarehouseBusy` that says which program holds it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from afas.errors import BusyError
from afas.warehouse.schema import ensure_schema

__all__ = ["WarehouseBusy", "connect", "connection"]

DEFAULT_WAIT_S = 30.0


class WarehouseBusy(BusyError):
    """Another process keeps the DuckDB file open for longer than we are willing to wait."""


def _held_by(message: str) -> str:
    m = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", message)
    return f"{Path(m.group(1)).name} (process {m.group(2)})" if m else "another program"


def connect(db_path: str | os.PathLike[str], *, wait: float = DEFAULT_WAIT_S) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the warehouse with its meta tables in place.

    Waits up to ``wait`` seconds while another process holds the file, then raises WarehouseBusy.
    Every connection in this process uses the same configuration, so DuckDB shares one instance
    between them (a differently configured second connection would be refused).
    """
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(db_path))
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{Path(db_path).name} is in use by {_held_by(str(exc))}; close that program "
                    "(a DuckDB tool with the file open, or another dashboard) and try again."
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
    try:
        ensure_schema(con)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def connection(
    db_path: str | os.PathLike[str], *, wait: float = DEFAULT_WAIT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """``connect`` as a context manager that closes the connection (and so releases the file)."""
    con = connect(db_path, wait=wait)
    try:
        yield con
    finally:
        con.close()


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
