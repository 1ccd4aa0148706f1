"""The Explore page's SQL box: one read-only query over the warehouse, within limits.

Safety does not rest on parsing: the query runs on a separate in-memory DuckDB that attaches the
warehouse file READ_ONLY, with access to other files and the network switched off and that
setting locked, so no statement can change the warehouse or read the machine's files. Statement
types are still checked first, so a user gets a plain answer ('only SELECT ...') instead of an
engine error.

A query cannot take the machine either (:class:`SqlLimits`, set by environment variables). Its
in-memory instance runs on one thread, so one query leaves the other cores to everyone else, within
a memory limit, spilling at most a fixed amount to a temporary folder of its own (DuckDB's default
would be ``.tmp`` in the working directory, up to 90 % of the disk) that is removed afterwards.
These settings belong to the query's instance and so govern its scan of the attached file too; the
app's own read-write instance of the file keeps its settings. A watchdog thread interrupts the query
(DuckDB's ``interrupt()``) when its time is up, or as soon as the caller's ``still_wanted()`` says
nobody waits for the answer any more: the page passes a check of its Streamlit session, since a
closed tab or a rerun only reaches a script at its next Streamlit call, which a running query never
makes. A limit hit is a :class:`QueryLimit` that says which limit and what to do, in words.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType

import duckdb
import pyarrow as pa

from afas.errors import InputError
from afas.i18n import mark, number, tr
from afas.warehouse.db import sql_box_turn

__all__ = [
    "EXAMPLE_QUERY",
    "MAX_ROWS",
    "QueryCancelled",
    "QueryLimit",
    "QueryRefused",
    "SqlLimits",
    "SqlResult",
    "run_readonly",
]

MAX_ROWS = 10_000
EXAMPLE_QUERY = (
    'SELECT "AccountNo", sum("AmtDebit" - "AmtCredit") AS net\nFROM "Profit_Transactions"\n'
    "GROUP BY ALL ORDER BY net DESC LIMIT 20"
)
"""What the SQL box holds before the user types: the accounts that moved most, to start from."""
_ALLOWED = {"SELECT", "EXPLAIN"}
_POLL_S = 0.1  # how often the watchdog asks still_wanted(): a closed tab stops its query this soon

_log = logging.getLogger(__name__)


class QueryRefused(InputError):
    """The SQL box did not run the query to its end: it is not one read-only query, DuckDB could not
    run it, or it was stopped (message in plain words)."""


class QueryLimit(QueryRefused):
    """The query hit one of the SQL box's limits (time, memory, temporary disk space) and was stopped."""


class QueryCancelled(QueryRefused):
    """Nobody waits for the query's answer any more (its tab was closed or its page run again)."""


def _env_number(name: str, default: float, *, integer: bool, minimum: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = None
    if value is None or value < minimum or value != value:  # value != value: NaN
        message = (
            tr("{name} is {value}, which is not a whole number of at least {minimum}.")
            if integer
            else tr("{name} is {value}, which is not a number of at least {minimum}.")
        )
        raise InputError(
            message.format(name=name, value=repr(raw), minimum=number(minimum)),
            tr("Set {name} to such a number, or remove it for the default ({default}).").format(
                name=name, default=number(default)
            ),
        )
    return value


@dataclass(frozen=True)
class SqlLimits:
    """What one SQL-box query may use. ``spill_mb=0`` means no spilling: memory is the wall."""

    seconds: float = 5.0  # AFAS_SQL_TIMEOUT_S
    memory_mb: int = 512  # AFAS_SQL_MEMORY_MB: DuckDB's buffer memory for the query
    spill_mb: int = 1024  # AFAS_SQL_SPILL_MB: temporary disk space when memory runs short
    threads: int = 1  # AFAS_SQL_THREADS

    @classmethod
    def from_env(cls) -> SqlLimits:
        d = cls()
        return cls(
            seconds=_env_number("AFAS_SQL_TIMEOUT_S", d.seconds, integer=False, minimum=0.01),
            memory_mb=int(_env_number("AFAS_SQL_MEMORY_MB", d.memory_mb, integer=True, minimum=16)),
            spill_mb=int(_env_number("AFAS_SQL_SPILL_MB", d.spill_mb, integer=True, minimum=0)),
            threads=int(_env_number("AFAS_SQL_THREADS", d.threads, integer=True, minimum=1)),
        )


@dataclass(frozen=True)
class SqlResult:
    table: pa.Table
    truncated: bool  # more rows than MAX_ROWS: only the first ones are shown
    seconds: float


class _Stop(StrEnum):
    """Why the watchdog interrupted a query."""

    TIME = "time"  # it ran past SqlLimits.seconds
    UNWANTED = "unwanted"  # still_wanted() turned false


_WHAT_TO_DO = mark(
    "Add a WHERE or a LIMIT, select fewer columns, or aggregate with GROUP BY so it has less to do. "
    "Whoever runs the dashboard can change the limit ({setting})."
)


def _what_to_do(setting: str) -> str:
    return tr(_WHAT_TO_DO).format(setting=setting)


def _timed_out(limits: SqlLimits) -> QueryLimit:
    return QueryLimit(
        tr("The query ran longer than {seconds} s and was stopped.").format(seconds=number(limits.seconds)),
        _what_to_do("AFAS_SQL_TIMEOUT_S"),
    )


def _cancelled() -> QueryCancelled:
    return QueryCancelled(tr("The query was stopped: the page it ran for was closed or run again."))


def _explain(exc: Exception, reason: _Stop | None, limits: SqlLimits) -> QueryRefused:
    """The plain-words error for a query that ended in ``exc`` (the watchdog's ``reason``, if it fired)."""
    if reason is _Stop.TIME:
        return _timed_out(limits)
    if reason is _Stop.UNWANTED:
        return _cancelled()
    text = str(exc)
    # Out of memory comes as duckdb.OutOfMemoryException, or as an OSError when Arrow was fetching.
    if isinstance(exc, duckdb.OutOfMemoryException) or text.startswith("Out of Memory Error"):
        if "max_temp_directory_size" in text:
            return QueryLimit(
                tr(
                    "The query needs more than the {mb} MB of temporary disk space a query may use and "
                    "was stopped."
                ).format(mb=number(limits.spill_mb)),
                _what_to_do("AFAS_SQL_SPILL_MB"),
            )
        return QueryLimit(
            tr("The query needs more memory than the {mb} MB a query may use and was stopped.").format(
                mb=number(limits.memory_mb)
            ),
            _what_to_do("AFAS_SQL_MEMORY_MB"),
        )
    return QueryRefused(text.splitlines()[0] if text else type(exc).__name__)


class _Watchdog:
    """Interrupts the connection's query when its time is up or ``still_wanted()`` turns false.

    ``reason`` says which; it is set only if the watchdog interrupted, and never
    after the query has ended (a lock orders the two), so a finished query is never reported stopped.
    """

    def __init__(
        self, con: duckdb.DuckDBPyConnection, seconds: float, still_wanted: Callable[[], bool] | None
    ) -> None:
        self._con = con
        self._seconds = seconds
        self._still_wanted = still_wanted
        self._ended = threading.Event()
        self._lock = threading.Lock()
        self._done = False
        self.reason: _Stop | None = None
        self._thread = threading.Thread(target=self._watch, name="sqlbox-watchdog", daemon=True)

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with self._lock:
            self._done = True
        self._ended.set()
        self._thread.join()

    def _watch(self) -> None:
        deadline = time.monotonic() + self._seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                reason = _Stop.TIME
                break
            if self._ended.wait(min(_POLL_S, left)):
                return
            if not _wanted(self._still_wanted):
                reason = _Stop.UNWANTED
                break
        with self._lock:
            if not self._done:
                self.reason = reason
                self._con.interrupt()


def _wanted(still_wanted: Callable[[], bool] | None) -> bool:
    """The caller's answer; a check that fails counts as 'wanted' (the time limit still holds)."""
    if still_wanted is None:
        return True
    try:
        return bool(still_wanted())
    except Exception:  # noqa: BLE001 - a broken check must not leave the query without its watchdog
        _log.warning("the SQL box's still_wanted() check failed; the time limit still applies", exc_info=True)
        return True


def _check(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise QueryRefused(tr('Type a query, e.g. SELECT * FROM "Profit_Accounts" LIMIT 10.'))
    try:
        statements = con.extract_statements(text)
    except duckdb.Error as exc:
        raise QueryRefused(
            tr("DuckDB cannot read this query: {reason}").format(reason=str(exc).splitlines()[0])
        ) from None
    if len(statements) != 1:
        raise QueryRefused(tr("Run one query at a time (the box holds several statements)."))
    kind = statements[0].type.name
    if kind not in _ALLOWED:
        raise QueryRefused(
            tr(
                "Only SELECT queries run here ({kind} would change something or reach outside the warehouse)."
            ).format(kind=kind)
        )
    return text


def _held(exc: duckdb.Error) -> bool:
    """The file is held by something that lets go soon: another process's lock, or this process's app
    (DuckDB refuses a second handle on a file an instance in this process has open read-write)."""
    text = str(exc).lower()
    return "lock" in text or "unique file handle conflict" in text or "already attached" in text


def _busy() -> QueryRefused:
    return QueryRefused(
        tr(
            "The warehouse is busy (a sync is swapping tables in, the dashboard is reading it, or "
            "another program has it open); try again in a moment."
        )
    )


def _attach(
    con: duckdb.DuckDBPyConnection, db_path: str, wait: float, still_wanted: Callable[[], bool] | None
) -> None:
    """ATTACH the warehouse read-only, waiting up to ``wait`` seconds while the file is held."""
    path = db_path.replace("'", "''")
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            con.execute(f"ATTACH '{path}' AS warehouse (READ_ONLY)")
            return
        except (duckdb.IOException, duckdb.ResourceInUseException) as exc:
            if not _held(exc):
                raise QueryRefused(
                    tr("DuckDB cannot open the warehouse: {reason}").format(reason=str(exc).splitlines()[0])
                ) from None
            if time.monotonic() >= deadline:
                raise _busy() from exc
        if not _wanted(still_wanted):
            raise _cancelled()
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def _open(limits: SqlLimits, spill_dir: str | None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory instance with the query's limits (each query gets its own instance).

    The limits are SET, not passed as ``config=`` to connect: DuckDB 2.0.0 reports a
    max_temp_directory_size given there but does not enforce it (measured: 16 MB allowed 210 MB).
    They are set before external access is switched off, which keeps the spill folder (only) open.
    """
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"SET threads = {int(limits.threads)}")
        con.execute(f"SET memory_limit = '{int(limits.memory_mb)}MB'")
        con.execute("SET temp_directory = ?", [spill_dir or ""])
        con.execute(f"SET max_temp_directory_size = '{int(limits.spill_mb)}MB'")
    except BaseException:
        con.close()
        raise
    return con


def _fetch(con: duckdb.DuckDBPyConnection, text: str, max_rows: int) -> pa.Table:
    reader = con.sql(text).to_arrow_reader(max_rows + 1)
    batches, n = [], 0
    for batch in reader:
        batches.append(batch)
        n += batch.num_rows
        if n > max_rows:
            break  # the rest of the query is dropped with the connection
    return pa.Table.from_batches(batches, schema=reader.schema)


def run_readonly(
    db_path: str | os.PathLike[str],
    sql: str,
    max_rows: int = MAX_ROWS,
    *,
    limits: SqlLimits | None = None,
    still_wanted: Callable[[], bool] | None = None,
) -> SqlResult:
    """Run one SELECT over the warehouse; the first ``max_rows`` rows come back.

    ``limits`` default to :meth:`SqlLimits.from_env`. ``still_wanted`` is asked a few times a second
    from another thread while the query runs (it must be thread-safe); once it returns False the query
    stops with :class:`QueryCancelled`. A limit hit raises :class:`QueryLimit`.
    """
    if not Path(db_path).exists():
        raise QueryRefused(tr("There is no warehouse yet: sync first."))
    limits = limits or SqlLimits.from_env()
    if not _wanted(still_wanted):
        raise _cancelled()
    spill_dir = tempfile.mkdtemp(prefix="afas-sqlbox-") if limits.spill_mb > 0 else None
    try:
        with sql_box_turn(db_path, limits.seconds) as granted:
            if not granted:
                raise _busy()
            return _run(db_path, sql, max_rows, limits, still_wanted, spill_dir)
    finally:
        if spill_dir is not None:
            shutil.rmtree(spill_dir, ignore_errors=True)


def _run(
    db_path: str | os.PathLike[str],
    sql: str,
    max_rows: int,
    limits: SqlLimits,
    still_wanted: Callable[[], bool] | None,
    spill_dir: str | None,
) -> SqlResult:
    """The query on its own instance, in the SQL box's turn at the file (afas.warehouse.db)."""
    con = _open(limits, spill_dir)
    try:
        text = _check(con, sql)
        _attach(con, str(db_path), limits.seconds, still_wanted)
        con.execute("USE warehouse")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        t = time.perf_counter()
        with _Watchdog(con, limits.seconds, still_wanted) as watchdog:
            try:
                table = _fetch(con, text, max_rows)
            except (duckdb.Error, OSError) as exc:  # OSError: DuckDB's error while Arrow was fetching
                raise _explain(exc, watchdog.reason, limits) from None
        seconds = time.perf_counter() - t
        return SqlResult(table.slice(0, max_rows), table.num_rows > max_rows, seconds)
    finally:
        con.close()
