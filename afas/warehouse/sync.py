"""Sync GetConnectors into DuckDB: fast bulk loads, whole or not at all, one writer at a time.

Per connector: metainfo gives the column types; pages come through ``ProfitClient.raw_pages``
(keyset paging on the connector's unique key, large connectors sliced per administration, year
and period, at most 5 requests in flight); each page's rows array (the bytes AFAS sent, with the
envelope cut off) is written to a file in a temporary folder beside the database, and while the pages
download a loader thread appends them in batches, one ``read_json`` each, to a staging table
(:class:`_Loader`). Then one transaction drops the old table, renames staging into place and
records the run as ok. Any failure (HTTP errors after retries,
a dropped connection, Ctrl-C) leaves the previous table exactly as it was and records the run as
failed with a one-line reason (the history: afas.warehouse.runs). Up to 5 connectors run side by
side, sharing the client's 5 calls in flight (:meth:`_Context.sync_all`).

Decimals are read by DuckDB's JSON reader straight into DECIMAL; dates and timestamps are read as
text and cast without any time-zone conversion (AFAS's trailing Z is Amsterdam local time).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import queue
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import duckdb
import orjson

from afas.access import Right, User
from afas.catalogue import label
from afas.errors import BusyError, InputError
from afas.i18n import carried, language_for, ntr, number, tr
from afas.profit.client import ProfitClient, RawPage
from afas.profit.connectors import GET_CONNECTORS, GetConnectorSpec, spec_for
from afas.profit.errors import AfasError
from afas.profit.filters import Condition, Filter, Op
from afas.profit.values import EXACT_FLOAT_LIMIT, parse_afas_datetime
from afas.warehouse import runs
from afas.warehouse.db import WarehouseBusy, connection
from afas.warehouse.labels import store_labels
from afas.warehouse.runs import SyncMode, SyncStatus
from afas.warehouse.schema import column_type, connector_columns, quote_ident

__all__ = [
    "CONNECTOR_IDS",
    "SyncAlreadyRunning",
    "SyncCancelled",
    "SyncMode",
    "SyncOutcome",
    "SyncProgress",
    "ProgressBoard",
    "SyncResult",
    "SyncStatus",
    "ProgressCallback",
    "before_swap",
    "outcome",
    "sync",
    "lock_path",
    "writer_lock",
    "load_sql",
    "rows_array",
    "recover_interrupted_runs",
    "sync_running",
]


@dataclass(frozen=True)
class SyncProgress:
    """Where a connector's sync stands, reported as each page arrives (for progress bars)."""

    connector: str
    pages: int
    rows: int
    estimate: int | None  # rows expected in all (the last full sync's count), None when unknown
    mode: SyncMode

    @property
    def fraction(self) -> float | None:
        """Share done, 0..1 (capped: the data may have grown since the estimate), or None."""
        if not self.estimate:
            return None
        return min(self.rows / self.estimate, 1.0)

    @property
    def text(self) -> str:
        """Where it stands, e.g. 'Profit_Debtor: 1,200 of ~3,000 rows, 3 pages (full)'."""
        if self.estimate:
            text = ntr(
                "{connector}: {rows} of ~{estimate} rows, {pages} page ({mode})",
                "{connector}: {rows} of ~{estimate} rows, {pages} pages ({mode})",
                self.pages,
            )
        else:
            text = ntr(
                "{connector}: {rows} rows, {pages} page ({mode})",
                "{connector}: {rows} rows, {pages} pages ({mode})",
                self.pages,
            )
        return text.format(
            connector=self.connector,
            rows=number(self.rows),
            estimate=number(self.estimate),
            pages=number(self.pages),
            mode=label(self.mode),
        )


class ProgressBoard:
    """The progress bar of a sync whose connectors run side by side: the share done of each
    connector chosen (a connector of unknown size counts as half done once started, one not yet
    started as nothing), averaged, with the line of the connector that moved last."""

    def __init__(self, connectors: Sequence[str]) -> None:
        self.connectors = list(connectors)
        self._latest: dict[str, SyncProgress] = {}

    def update(self, p: SyncProgress) -> tuple[float, str]:
        self._latest[p.connector] = p
        shares = []
        for cid in self.connectors:
            seen = self._latest.get(cid)
            shares.append(0.0 if seen is None else seen.fraction if seen.fraction is not None else 0.5)
        return min(sum(shares) / max(len(shares), 1), 1.0), p.text


ProgressCallback = Callable[[SyncProgress], None]

PERIODS_CONNECTOR = "Profit_periods_per_administration"
CHANGED_DATES = "Profit_Fin_ChangedEntrydate"
MAX_INCREMENTAL_DATES = 400  # more changed days than this: one full refresh is fewer requests
WATERMARK_OVERLAP = dt.timedelta(seconds=5)
"""How far before the last watermark the next incremental refresh asks for changes. AFAS keeps
Modified with milliseconds, shows it rounded to the second (±0.5 s) and filters on what it keeps
(afas-profit-api.md §9.2), so a watermark read from the feed may lie up to half a second after a
change made just after it; the rest is margin for a change stamped a moment before it was committed
(UNCONFIRMED for AFAS). Days changed in the overlap are fetched again and replaced whole, so seeing
a change twice does no harm."""
UNIT_FIELDS = ("UnitId", "Unit", "AdminId")  # how connectors name the administration number
STAGING_SUFFIX = "__staging"


SwapHook = Callable[[duckdb.DuckDBPyConnection, str, str, "list[dt.date] | None", "int | None", int], object]
_SWAP_HOOKS: list[SwapHook] = []


def before_swap(hook: SwapHook) -> SwapHook:
    """Have ``hook(con, table, staging, dates, unit_id, run_id)`` called in every swap's transaction
    before the old rows go (``dates`` None: the whole table is replaced). The reconciliation keeps
    the lines its old runs read this way (afas.recon.results registers it when imported; the
    dashboard and the CLI import it before they sync)."""
    if hook not in _SWAP_HOOKS:
        _SWAP_HOOKS.append(hook)
    return hook


class SyncCancelled(BaseException):  # noqa: N818 (a stop, not an error; a BaseException like Ctrl-C)
    """Raised in a connector's run at its next page when the sync was stopped in the calling thread
    (Ctrl-C, the dashboard's Stop, a failing progress callback)."""


class SyncAlreadyRunning(BusyError):
    """Another sync holds the writer lock of this database."""


@dataclass(frozen=True)
class SyncResult:
    """The outcome of syncing one connector (also recorded in sync_runs)."""

    connector: str
    status: SyncStatus  # OK or FAILED
    rows: int
    pages: int
    seconds: float
    run_id: int
    error: str | None = None
    mode: SyncMode = SyncMode.FULL
    started: float = 0.0  # time.perf_counter() when it started: connectors run side by side


CONNECTOR_IDS: tuple[str, ...] = tuple(s.id for s in GET_CONNECTORS)
"""Every GetConnector the warehouse syncs, in the order a sync takes them (its default)."""


@dataclass(frozen=True)
class SyncOutcome:
    """What a user is told after a sync: ``ok`` False when a connector failed (its data kept)."""

    ok: bool
    text: str


def outcome(results: Sequence[SyncResult]) -> SyncOutcome:
    """One sentence on a sync's results: the first failure and that its data is unchanged, or the
    connectors, rows and seconds of a sync that went through."""
    failed = next((r for r in results if r.status != SyncStatus.OK), None)
    if failed is not None:
        text = tr("{connector} failed: {error} Its previous data is unchanged.").format(
            connector=failed.connector, error=failed.error
        )
        return SyncOutcome(False, text)
    rows = sum(r.rows for r in results)
    # the connectors ran side by side: from the first start to the last finish
    seconds = max((r.started + r.seconds for r in results), default=0.0) - min(
        (r.started for r in results), default=0.0
    )
    text = tr("Synced {connectors} connectors: {rows} rows in {seconds} s.").format(
        connectors=len(results), rows=number(rows), seconds=number(seconds, 1)
    )
    return SyncOutcome(True, text)


def lock_path(db_path: str | os.PathLike[str]) -> Path:
    """The lock file beside the database that a writer holds for the whole sync."""
    p = Path(db_path)
    return p.with_name(p.name + ".lock")


LOCK_WAIT_S = 0.5
"""How long a new sync waits for the writer lock: a probe (:func:`sync_running`) holds it for
microseconds, a recovery of killed runs for as long as one small update takes; a real sync far longer."""


def _holder(fh: IO[bytes]) -> str:
    """Who holds the lock, as its holder wrote it into the lock file: 'process N on HOST, since HH:MM:SS'."""
    fh.seek(0)
    try:
        info = orjson.loads(fh.read(4096) or b"{}")
        return f"process {info['pid']} on {info['host']}, since {info['since']}"
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return "another process"


@contextmanager
def writer_lock(db_path: str | os.PathLike[str], *, wait: float = LOCK_WAIT_S) -> Iterator[None]:
    """Hold the exclusive writer lock of ``db_path``, waiting up to ``wait`` s, or raise SyncAlreadyRunning.

    The holder writes who it is into the lock file, so the next one can say which sync runs. The lock
    is the OS's (flock): a killed sync's lock is gone with its process.
    """
    path = lock_path(db_path)
    deadline = time.monotonic() + wait
    with open(path, "a+b") as fh:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SyncAlreadyRunning(
                        f"A sync of {Path(db_path).name} is already running ({_holder(fh)}).",
                        "Wait for it to finish (the sync history shows it as running), then sync again "
                        "if you still need to.",
                    ) from None
                time.sleep(0.05)
        try:
            fh.truncate(0)
            fh.write(
                orjson.dumps(
                    {
                        "pid": os.getpid(),
                        "host": socket.gethostname(),
                        "since": f"{dt.datetime.now():%H:%M:%S}",
                    }
                )
            )
            fh.flush()
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def sync_running(db_path: str | os.PathLike[str]) -> bool:
    """True while a sync (here or in another process) holds the writer lock of ``db_path``.

    Only probes: a shared lock taken and given back at once, which never keeps a sync from starting
    (it waits :data:`LOCK_WAIT_S` for such holders) and never blocks another probe.
    """
    path = lock_path(db_path)
    if not path.exists():
        return False
    with open(path, "rb") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False


def sync(
    db_path: str | os.PathLike[str],
    client: ProfitClient,
    connectors: Sequence[str] | None = None,
    administration: int | None = None,
    progress: ProgressCallback | None = None,
    full: bool = False,
    *,
    by: User | None = None,
) -> list[SyncResult]:
    """Sync ``connectors`` (default: all of GET_CONNECTORS) into the DuckDB file ``db_path``.
    ``by``: the person starting it on the dashboard, who needs the preparer's right (afas.access).

    Journal lines are refreshed incrementally when the table holds an earlier complete sync of the
    same environment and administration: Profit_Fin_ChangedEntrydate names the entry dates changed
    since then (with a few seconds' overlap, :data:`WATERMARK_OVERLAP`), and only those dates are
    fetched and replaced. ``full`` forces a full refresh;
    everything else is always refreshed whole.

    The connectors are synced side by side (a few at a time, the client keeping AFAS's limit on
    calls in flight for all of them together), each swapped in on its own as soon as it is
    complete. When one fails with an AFAS error no further connector starts; those under way finish.
    Returns the results of the connectors that ran, in the order asked. Other exceptions (Ctrl-C, a
    Stop or a failing ``progress``) stop every connector at its next page; they are recorded and
    re-raised. ``progress`` is called in the calling thread. The file is open only while a run is
    recorded and while a table is swapped in, so other processes can read the previous snapshot
    while pages download.
    """
    if by is not None:
        by.require(Right.PREPARE)
    db = Path(db_path)
    ids = list(connectors) if connectors is not None else list(CONNECTOR_IDS)
    specs = [_spec(cid) for cid in ids]
    with writer_lock(db):
        ctx = _Context(db, client, administration, progress, full)
        with ctx.prefetching(ids, specs):  # the file's housekeeping while those answers come
            _remove_stale_folders(db)
            _mark_interrupted(db)
        results = ctx.sync_all(ids, specs)
    return results


def _mark_interrupted(db: Path) -> int:
    with connection(db) as con:
        return runs.mark_interrupted(con)


def recover_interrupted_runs(db_path: str | os.PathLike[str]) -> int:
    """Record runs left running by a sync that was killed as failed; returns how many.

    Changes nothing while a sync holds the writer lock (its run really is running). Pages do not call
    this on a render (the views show such runs as interrupted, see afas.warehouse.explore); the next
    sync records them. It reads first and takes the writer lock only when there is something to record.
    """
    db = Path(db_path)
    if not db.exists():
        return 0
    with connection(db) as con:
        running = runs.running_count(con)
    if not running or sync_running(db):
        return 0
    try:
        with writer_lock(db, wait=0):
            return _mark_interrupted(db)
    except SyncAlreadyRunning:
        return 0


def _spec(connector_id: str) -> GetConnectorSpec:
    try:
        return spec_for(connector_id)
    except KeyError:
        raise InputError(
            f"Unknown connector {connector_id!r}: the warehouse syncs only "
            + ", ".join(s.id for s in GET_CONNECTORS)
            + "."
        ) from None


def _periods(client: ProfitClient, administration: int | None) -> list[tuple[int, int, int]]:
    """(unit, year, period) of every period visible to the token (of one administration if given)."""
    flt = Filter([[Condition("Unit", Op.EQ, administration)]]) if administration is not None else None
    rows = client.fetch_all(PERIODS_CONNECTOR, key=("Unit", "Year", "Period"), filter=flt, typed=False)
    return sorted({(int(r["Unit"]), int(r["Year"]), int(r["Period"])) for r in rows})


class _Slices:
    """The (unit, year, period) slices of a large connector, for the periods that can have rows.

    Each empty slice would cost a request (years of history are mostly empty in a young
    administration, the year's later periods are empty until they come), so two take=1 probes per
    administration find its first and last (year, period) with rows. The probes share the 5 calls
    with the pages (:meth:`tasks`): they go out first, and slices taken while they are still out are
    fetched without waiting for them (this year's first periods first). That can only cost a request
    for a slice that proves empty; once a unit's probes are back, its slices outside the periods they
    found are dropped.
    """

    def __init__(
        self,
        client: ProfitClient,
        cid: str,
        spec: GetConnectorSpec,
        flt: Filter | None,
        periods: Sequence[tuple[int, int, int]],
    ) -> None:
        self.client, self.cid, self.spec, self.flt = client, cid, spec, flt
        this_year = dt.date.today().year  # future years last: opened in advance, mostly empty
        self.periods = sorted(periods, key=lambda p: (p[1] > this_year, -p[1], p[2], p[0]))
        self.units = sorted({u for u, _, _ in periods})
        self.found: dict[tuple[int, bool], tuple[int, int] | None] = {}  # (unit, last?) -> (year, period)

    def _probe(self, unit: int, last: bool) -> Iterator[RawPage]:
        unit_f, year_f, period_f = self.spec.partition_fields
        unit_filter = Filter([[Condition(unit_f, Op.EQ, unit)]])
        base = unit_filter if self.flt is None else self.flt & unit_filter
        sign = "-" if last else ""
        order = (sign + year_f, sign + period_f, *self.spec.key)
        rows = self.client.get_page(self.cid, filter=base, order_by=order, take=1, typed=False).rows
        self.found[(unit, last)] = (int(rows[0][year_f]), int(rows[0][period_f])) if rows else None
        yield from ()

    def probes(self) -> Iterator[Callable[[], Iterator[RawPage]]]:
        for unit in self.units:
            for last in (False, True):
                yield lambda u=unit, x=last: self._probe(u, x)

    def wanted(self, period: tuple[int, int, int]) -> bool:
        """False once the unit's probes say the period has no rows; True while they are out."""
        unit, year, number = period
        first = self.found.get((unit, False), (year, number))
        last = self.found.get((unit, True), (year, number))
        return first is not None and last is not None and first <= (year, number) <= last

    def filter(self, period: tuple[int, int, int]) -> Filter:
        fields = self.spec.partition_fields
        return Filter([[Condition(f, Op.EQ, v) for f, v in zip(fields, period, strict=True)]])

    def tasks(self) -> Iterator[Callable[[], Iterator[RawPage]]]:
        """The probes, then the page streams of the slices still wanted when a call is free."""
        yield from self.probes()
        for period in self.periods:
            if self.wanted(period):
                base = self.filter(period) if self.flt is None else self.flt & self.filter(period)
                yield lambda b=base: self.client.raw_slice(self.cid, key=self.spec.key, filter=b)


def _partitions(
    client: ProfitClient,
    cid: str,
    spec: GetConnectorSpec,
    flt: Filter | None,
    periods: list[tuple[int, int, int]],
) -> list[Filter]:
    """The slices with rows, the probes done first (what a benchmark replays without the sync)."""
    slices = _Slices(client, cid, spec, flt, periods)
    list(client.parallel(slices.probes()))
    return [slices.filter(p) for p in sorted(periods) if slices.wanted(p)]


def _remove_stale_folders(db: Path) -> None:
    """Page folders left behind by a killed sync (we hold the writer lock, so none is in use)."""
    for stale in db.parent.glob(f".{db.name}.sync-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _environment_label(client: ProfitClient) -> str:
    env = client.environment
    return f"{env.number} ({env.type})" if env.number else env.base_url


def _reason(exc: BaseException) -> str:
    if not isinstance(exc, Exception):  # Ctrl-C, or the dashboard's Stop (a BaseException there too)
        return tr("The sync was cancelled; the previous data is unchanged.")
    text = str(exc) if isinstance(exc, AfasError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split()) or type(exc).__name__


@dataclass(frozen=True)
class _Plan:
    """How one connector is refreshed in this run."""

    mode: SyncMode
    watermark: dt.datetime | None  # the changed-dates feed's latest Modified, read before any line
    dates: tuple[dt.date, ...] = ()  # incremental: the entry dates to fetch and replace


class _Context:
    """What one sync() call shares between its connectors: periods and the changed-dates feed."""

    def __init__(
        self,
        db: Path,
        client: ProfitClient,
        administration: int | None,
        progress: ProgressCallback | None,
        full: bool,
    ) -> None:
        self.db, self.client, self.administration = db, client, administration
        self.progress, self.full = progress, full
        self.environment = _environment_label(client)
        self._periods: list[tuple[int, int, int]] | None = None
        self._latest: tuple[dt.datetime | None] | None = None
        self._changes: dict[dt.datetime, tuple[set[dt.date], dt.datetime]] = {}
        # connectors asking at once share one answer (and prefetch asks for all three at once)
        self._locks = {"periods": threading.Lock(), "latest": threading.Lock(), "changes": threading.Lock()}
        self._file_lock = threading.Lock()  # run records and swaps: one transaction at a time
        self._cancel = threading.Event()

    def sync_all(self, ids: Sequence[str], specs: Sequence[GetConnectorSpec]) -> list[SyncResult]:
        """Sync the connectors side by side (see :func:`sync`); their progress is relayed to this
        thread, and what stops this thread stops them."""
        events: queue.SimpleQueue[tuple[SyncProgress, threading.Event] | None] = queue.SimpleQueue()
        report, stop = self.progress, threading.Event()

        def relay(p: SyncProgress) -> None:
            """A page arrived: the calling thread reports it, and this connector goes on only once
            it has (so a Stop raised by that report stops it here, before its swap)."""
            if report is not None and not self._cancel.is_set():
                seen = threading.Event()
                events.put((p, seen))
                while not seen.wait(0.05) and not self._cancel.is_set():
                    pass
            if self._cancel.is_set():
                raise SyncCancelled

        def run(cid: str, spec: GetConnectorSpec) -> SyncResult | None:
            try:
                if stop.is_set():
                    return None
                try:
                    result = self.sync_one(cid, spec)
                except BaseException:
                    stop.set()
                    raise
                if result.status != SyncStatus.OK:
                    stop.set()
                return result
            finally:
                events.put(None)  # wakes the calling thread: one connector fewer to wait for

        self.progress = relay
        workers = max(1, min(len(ids), self.client.max_in_flight))
        with ThreadPoolExecutor(workers, thread_name_prefix="afas-sync", **carried()) as pool:
            futures = [pool.submit(run, cid, spec) for cid, spec in zip(ids, specs, strict=True)]
            try:
                running = len(futures)
                while running or not events.empty():
                    with suppress(queue.Empty):
                        event = events.get(timeout=0.05)
                        if event is None:
                            running -= 1
                            continue
                        p, seen = event
                        try:
                            if report is not None:
                                report(p)
                        except BaseException:
                            self._cancel.set()
                            raise
                        finally:
                            seen.set()
            except BaseException:
                stop.set()
                self._cancel.set()
                raise
        failed = next((f.exception() for f in futures if f.exception() is not None), None)
        if failed is not None:
            raise failed
        return [r for r in (f.result() for f in futures) if r is not None]

    @contextmanager
    def prefetching(self, ids: Sequence[str], specs: Sequence[GetConnectorSpec]) -> Iterator[None]:
        """:meth:`prefetch` in the background while the block runs; returns once both are done."""
        with ThreadPoolExecutor(1, thread_name_prefix="afas-prefetch", **carried()) as pool:
            asked = pool.submit(self.prefetch, ids, specs)
            yield
            asked.result()

    def prefetch(self, ids: Sequence[str], specs: Sequence[GetConnectorSpec]) -> None:
        """Ask for every connector's metainfo, the periods and the changed-dates feed at once (5 in
        flight) instead of one round trip after another; the client keeps the answers. A failure
        here is left for the connector's own run to meet and record."""
        calls: list[Callable[[], object]] = [lambda c=cid: self.client.get_metainfo(c) for cid in ids]
        if any(s.partition_fields for s in specs):
            calls.append(self.periods)
        if any(s.changed_by_entry_date for s in specs):
            calls.append(self.latest_change)

        def attempt(call: Callable[[], object]) -> None:
            with suppress(AfasError):
                call()

        with ThreadPoolExecutor(
            self.client.max_in_flight, thread_name_prefix="afas-prefetch", **carried()
        ) as pool:
            list(pool.map(attempt, calls))

    # --- the changed-dates feed -------------------------------------------------------------

    def periods(self) -> list[tuple[int, int, int]]:
        with self._locks["periods"]:
            if self._periods is None:
                self._periods = _periods(self.client, self.administration)
            return self._periods

    def latest_change(self) -> dt.datetime | None:
        """The newest Modified in Profit_Fin_ChangedEntrydate (None: feed empty or not allowed)."""
        with self._locks["latest"]:
            return self._latest_change()

    def _latest_change(self) -> dt.datetime | None:
        if self._latest is None:
            try:
                page = self.client.get_page(CHANGED_DATES, order_by=("-Modified",), take=1, typed=False)
            except AfasError:
                page = None  # no incremental refresh without the feed; the full one still works
            rows = page.rows if page is not None else []
            self._latest = (parse_afas_datetime(rows[0]["Modified"]) if rows else None,)
        return self._latest[0]

    def changed_since(self, since: dt.datetime) -> tuple[set[dt.date], dt.datetime]:
        """Entry dates changed from :data:`WATERMARK_OVERLAP` before the watermark ``since`` on, and
        the new watermark (the newest Modified seen, never before ``since``)."""
        with self._locks["changes"]:
            return self._changed_since(since)

    def _changed_since(self, since: dt.datetime) -> tuple[set[dt.date], dt.datetime]:
        if since not in self._changes:
            rows = self.client.fetch_all(
                CHANGED_DATES,
                key=("EntryDate",),
                filter=Filter([[Condition("Modified", Op.GE, since - WATERMARK_OVERLAP)]]),
                typed=False,
            )
            dates = {parse_afas_datetime(r["EntryDate"]).date() for r in rows}
            newest = max([since, *(parse_afas_datetime(r["Modified"]) for r in rows)])
            self._changes[since] = (dates, newest)
        return self._changes[since]

    def plan(self, spec: GetConnectorSpec, previous: dt.datetime | None) -> _Plan:
        """How a connector is refreshed, given the watermark of its last complete sync that can be
        built on (:meth:`_previous_watermark`; None: refreshed whole)."""
        if not spec.changed_by_entry_date:
            return _Plan(SyncMode.FULL, None)
        if previous is None:
            return _Plan(SyncMode.FULL, self.latest_change())
        try:
            dates, newest = self.changed_since(previous)
        except AfasError:
            return _Plan(SyncMode.FULL, None)
        if len(dates) > MAX_INCREMENTAL_DATES:
            return _Plan(SyncMode.FULL, newest)
        return _Plan(SyncMode.INCREMENTAL, newest, tuple(sorted(dates)))

    def _previous_watermark(
        self, con: duckdb.DuckDBPyConnection, cid: str, fields: Sequence[tuple[str, str, int]]
    ) -> dt.datetime | None:
        """The watermark of the table's last complete sync, if it can be built on.

        Only when that sync was of this environment and administration and the table's columns
        are still what metainfo describes; anything else gets a full refresh.
        """
        last = runs.last_complete(con, cid)
        if last is None or last[2] is None:
            return None
        if last[0] != self.environment or last[1] != self.administration:
            return None
        try:
            described = con.execute(f"DESCRIBE {quote_ident(cid)}").fetchall()
        except duckdb.CatalogException:
            return None
        wanted = [(fid, column_type(t, d, fid)) for fid, t, d in fields]
        have = [(row[0], row[1].replace(",", ", ")) for row in described]
        return last[2] if have == wanted else None

    # --- one connector ----------------------------------------------------------------------

    def _open_run(
        self,
        cid: str,
        spec: GetConnectorSpec,
        fields: Sequence[tuple[str, str, int]],
        labels: Sequence[tuple[str, str]],
    ) -> tuple[int, dt.datetime | None, int | None]:
        """In one visit to the file (each costs a connection and a checkpoint): the run recorded as
        started, metainfo's labels kept (in the language they were asked in), the watermark an
        incremental refresh can build on, the last full sync's row count (the progress estimate) and
        an empty staging table for the pages."""
        with self._file_lock, connection(self.db) as con:
            run_id = runs.start_run(con, cid, self.environment, self.administration)
            store_labels(con, cid, language_for(self.client.language), labels)
            built_on = spec.changed_by_entry_date and not self.full
            previous = self._previous_watermark(con, cid, fields) if built_on else None
            estimate = runs.full_sync_rows(con, cid, self.administration)
            create_staging(con, cid + STAGING_SUFFIX, fields)
        return run_id, previous, estimate

    def sync_one(self, cid: str, spec: GetConnectorSpec) -> SyncResult:
        t0 = time.perf_counter()
        run_id: int | None = None
        counts = [0, 0]  # pages, rows
        loader: _Loader | None = None
        try:
            meta = self.client.get_metainfo(cid)  # prefetched: no round trip
            fields = [(f.id, f.data_type, f.decimals) for f in meta.fields]
            flt = self._administration_filter(spec, {f[0] for f in fields})
            run_id, previous, estimate = self._open_run(
                cid, spec, fields, [(f.id, f.label) for f in meta.fields]
            )
            plan = self.plan(spec, previous)
            slices: _Slices | None = None
            partitions: Sequence[Filter | None] = (None,)
            if plan.mode == SyncMode.INCREMENTAL:
                partitions = [Filter([[Condition("EntryDate", Op.EQ, d)]]) for d in plan.dates]
            elif spec.partition_fields and self.periods():
                slices = _Slices(self.client, cid, spec, flt, self.periods())
            with tempfile.TemporaryDirectory(prefix=f".{self.db.name}.sync-", dir=self.db.parent) as tmp:
                estimate = estimate if plan.mode == SyncMode.FULL else None
                loader = _Loader(self.db, cid + STAGING_SUFFIX, fields)
                if slices is not None or partitions:
                    pages = (
                        self.client.parallel(slices.tasks())
                        if slices is not None
                        else self.client.raw_pages(cid, key=spec.key, filter=flt, partitions=partitions)
                    )
                    for page in pages:
                        counts[0] += 1
                        counts[1] += page.row_count
                        path = Path(tmp) / f"{counts[0]:07d}.json"
                        path.write_bytes(rows_array(page.content))
                        loader.add(path)
                        if self.progress is not None:
                            self.progress(SyncProgress(cid, counts[0], counts[1], estimate, plan.mode))
                self._swap_in(cid, fields, plan, run_id, counts, loader)
            seconds = time.perf_counter() - t0
            return SyncResult(
                cid, SyncStatus.OK, counts[1], counts[0], seconds, run_id, mode=plan.mode, started=t0
            )
        except BaseException as exc:
            reason = _reason(exc)
            if loader is not None:
                loader.abandon()
            with self._file_lock, connection(self.db) as con:
                with suppress(duckdb.Error):
                    con.execute(f"DROP TABLE IF EXISTS {quote_ident(cid + STAGING_SUFFIX)}")
                if run_id is None:  # failed before its run was recorded (its metainfo)
                    run_id = runs.start_run(con, cid, self.environment, self.administration)
                runs.record_failed(con, run_id, counts[1], counts[0], reason)
            if not isinstance(exc, AfasError):
                raise
            seconds = time.perf_counter() - t0
            return SyncResult(
                cid, SyncStatus.FAILED, counts[1], counts[0], seconds, run_id, reason, started=t0
            )

    def _administration_filter(self, spec: GetConnectorSpec, names: set[str]) -> Filter | None:
        if self.administration is None or not spec.per_administration:
            return None
        unit = next((u for u in UNIT_FIELDS if u in names), None)
        return Filter([[Condition(unit, Op.EQ, self.administration)]]) if unit is not None else None

    def _swap_in(
        self,
        cid: str,
        fields: Sequence[tuple[str, str, int]],
        plan: _Plan,
        run_id: int,
        counts: list[int],
        loader: _Loader,
    ) -> None:
        """Load the pages the loader has not yet, check the staging table and put it in place in one
        transaction."""
        staging, target = quote_ident(cid + STAGING_SUFFIX), quote_ident(cid)
        n_pages, n_rows = counts
        rest = loader.hand_over()
        with self._file_lock, connection(self.db) as con:
            if self._cancel.is_set():  # stopped while the last pages loaded: keep the previous data
                raise SyncCancelled
            try:
                if rest:
                    loader.load_into(con, rest)
                loaded = con.execute(f"SELECT count(*) FROM {staging}").fetchone()[0]
                if loaded != n_rows:
                    raise AfasError(
                        f"{cid}: AFAS sent {n_rows:,} rows but {loaded:,} were loaded; sync again."
                    )
                _check_exact(con, staging, cid, fields)
                con.execute("BEGIN TRANSACTION")
                incremental = plan.mode == SyncMode.INCREMENTAL
                for hook in _SWAP_HOOKS:
                    hook(
                        con,
                        cid,
                        cid + STAGING_SUFFIX,
                        list(plan.dates) if incremental else None,
                        self.administration if incremental else None,
                        run_id,
                    )
                if incremental:
                    unit = " AND UnitId = ?" if self.administration is not None else ""
                    con.execute(
                        f"DELETE FROM {target} WHERE EntryDate IN (SELECT unnest(?::DATE[])){unit}",
                        [list(plan.dates)] + ([self.administration] if unit else []),
                    )
                    con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {staging}")
                    con.execute(f"DROP TABLE {staging}")
                else:
                    con.execute(f"DROP TABLE IF EXISTS {target}")
                    con.execute(f"ALTER TABLE {staging} RENAME TO {target}")
                runs.record_ok(con, run_id, n_rows, n_pages, plan.mode, plan.watermark)
                con.execute("COMMIT")
            except BaseException:
                with suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                with suppress(duckdb.Error):
                    con.execute(f"DROP TABLE IF EXISTS {staging}")
                raise


class _Loader:
    """Loads a connector's pages into its staging table while they download, so that when the last
    page arrives little remains to load.

    A thread takes the page files written so far, in batches, each appended with one read_json in a
    connection of its own that is closed straight after: between batches the file is free for other
    processes, as before. A batch that finds the file held elsewhere waits for the next one (the
    files stay on disk); only :meth:`finish` waits as long as any connection does. Every loaded file
    is removed at once, so the folder holds at most a batch or two of pages. The staging table is
    made beforehand (:func:`create_staging`).
    """

    MIN_BATCH = 8  # pages: fewer, and the per-batch connection would cost more than the load...
    QUIET_S = 0.15  # ...unless no page came for this long (AFAS is slow to answer): load what is here

    def __init__(self, db: Path, staging: str, fields: Sequence[tuple[str, str, int]]) -> None:
        self.db, self.staging, self.fields = db, quote_ident(staging), fields
        self._pending: list[Path] = []
        self._cond = threading.Condition()
        self._closing = False
        self._abandoned = False
        self._handing_over = False  # hand_over(): the pages left go to the caller, not loaded here
        self._error: BaseException | None = None
        self.deferred = 0  # batches put off because the file was held elsewhere
        self._last_add = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="afas-load", daemon=True)
        self._thread.start()

    def _ready(self) -> bool:
        quiet = time.monotonic() - self._last_add >= self.QUIET_S
        return self._closing or len(self._pending) >= self.MIN_BATCH or bool(self._pending and quiet)

    def add(self, path: Path) -> None:
        """A page file written in full; raises what went wrong in an earlier batch."""
        with self._cond:
            if self._error is not None:
                raise self._error
            self._pending.append(path)
            self._last_add = time.monotonic()
            if len(self._pending) >= self.MIN_BATCH:
                self._cond.notify()

    def finish(self) -> None:
        """Load the pages still waiting and return once every page is in the staging table."""
        rest = self.hand_over()
        if rest:
            self._load(rest, wait=None)

    def hand_over(self) -> list[Path]:
        """Stop once the batch under way is in, and return the page files still waiting: the caller
        loads them (:meth:`load_into`) in the connection it opens anyway (the swap's), one visit to
        the file fewer at the end of a sync."""
        with self._cond:
            self._closing = self._handing_over = True
            self._cond.notify()
        self._thread.join()
        if self._error is not None:
            raise self._error
        return list(self._pending)

    def load_into(self, con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
        """Append page files to the staging table through ``con``, and remove them."""
        con.execute(f"INSERT INTO {self.staging} BY NAME {load_sql(list(paths), self.fields)}")
        for path in paths:
            path.unlink(missing_ok=True)

    def abandon(self) -> None:
        """Stop loading (the sync failed or was cancelled); returns when no batch is running."""
        with self._cond:
            self._abandoned = self._closing = True
            self._cond.notify()
        self._thread.join()

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    while not self._ready():
                        self._cond.wait(self.QUIET_S)
                    if self._abandoned or self._handing_over:
                        return
                    batch, last = list(self._pending), self._closing
                if batch and not self._load(batch, wait=None if last else 0.2):
                    self.deferred += 1  # the file was held elsewhere: these pages go with the next batch
                    continue
                with self._cond:
                    del self._pending[: len(batch)]
                    if last and not self._pending:
                        return
        except BaseException as exc:  # handed to the sync's thread by add() or finish()
            self._error = exc

    def _load(self, batch: list[Path], wait: float | None) -> bool:
        try:
            with connection(self.db, **({} if wait is None else {"wait": wait})) as con:
                self.load_into(con, batch)
        except WarehouseBusy:
            if wait is None:
                raise
            return False
        return True


def create_staging(
    con: duckdb.DuckDBPyConnection, staging: str, fields: Sequence[tuple[str, str, int]]
) -> None:
    """The empty table a connector's pages are loaded into (one left by a killed sync goes first)."""
    columns = ", ".join(f"{quote_ident(f)} {t}" for f, t in connector_columns(fields))
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(staging)}")
    con.execute(f"CREATE TABLE {quote_ident(staging)} ({columns})")


def _check_exact(
    con: duckdb.DuckDBPyConnection, staging: str, cid: str, fields: Sequence[tuple[str, str, int]]
) -> None:
    """Refuse amounts too large to have come through DuckDB's JSON reader exactly.

    The reader parses JSON numbers as doubles, exact up to 15 significant digits; from 1e13 an
    amount with two decimals may be off by a cent, and a wrong warehouse is worse than none.
    """
    decimals = [quote_ident(fid) for fid, data_type, _ in fields if data_type.lower() == "decimal"]
    if not decimals:
        return
    checks = ", ".join(f"max(abs({q}))" for q in decimals)
    for fid, top in zip(decimals, con.execute(f"SELECT {checks} FROM {staging}").fetchone(), strict=True):
        if top is not None and top >= EXACT_FLOAT_LIMIT:
            raise AfasError(
                f"{cid}.{fid.strip(chr(34))} holds an amount of {top:,} or more, too large to load exactly; "
                "the warehouse cannot hold this connector yet."
            )


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_HEAD = re.compile(rb'\s*\{(?:\s*"(?:skip|take)"\s*:\s*-?\d+\s*,)*\s*"rows"\s*:\s*')
_TAIL = re.compile(rb'\s*(?:,\s*"(?:skip|take)"\s*:\s*-?\d+\s*)*\}\s*')


def rows_array(content: bytes) -> bytes:
    """The ``rows`` array of a GetConnector body, as the bytes AFAS sent (a JSON array).

    DuckDB reads a top-level array of row objects many times faster than an envelope whose rows
    must be unnested, so the envelope ({"skip", "take", "rows"}) is cut off without parsing the
    rows. A body of another shape is parsed and its rows written back (same numbers, slower).
    """
    head = _HEAD.match(content)
    end = content.rfind(b"]")
    if (
        head is not None
        and content.startswith(b"[", head.end())
        and end > head.end()
        and _TAIL.fullmatch(content, end + 1)
    ):
        return content[head.end() : end + 1]
    doc = orjson.loads(content) if content.strip() else {}
    rows = doc.get("rows") if isinstance(doc, dict) else None
    return orjson.dumps(rows or [])


def load_sql(
    files: str | os.PathLike[str] | Sequence[os.PathLike[str]], fields: Sequence[tuple[str, str, int]]
) -> str:
    """One read_json over files (a glob, or a list of files) holding JSON arrays of AFAS rows, giving
    typed columns.

    Decimals go straight from the JSON number to DECIMAL; dates are read as text and cast from
    their first 10 (DATE) or 19 (TIMESTAMP) characters, so no time zone is ever applied.
    """
    columns, select = [], []
    for fid, data_type, decimals in fields:
        target = column_type(data_type, decimals, fid)
        q = quote_ident(fid)
        if target in ("DATE", "TIMESTAMP"):
            columns.append(f"{_sql_text(fid)}: 'VARCHAR'")
            width = 10 if target == "DATE" else 19
            select.append(f"CAST(left({q}, {width}) AS {target}) AS {q}")
        else:
            columns.append(f"{_sql_text(fid)}: {_sql_text(target)}")
            select.append(q)
    if isinstance(files, str | os.PathLike):
        where = _sql_text(str(files))
    else:
        where = "[" + ", ".join(_sql_text(str(f)) for f in files) + "]"
    source = f"read_json({where}, columns = {{{', '.join(columns)}}}, format = 'array')"
    return f"SELECT {', '.join(select)} FROM {source}"
