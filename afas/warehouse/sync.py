"""Sync GetConnectors into DuckDB: fast bulk loads, whole or not at all, one writer at a time.

Per connector: metainfo gives the column types; pages come through ``ProfitClient.raw_pages``
(keyset paging on the connector's unique key, large connectors sliced per administration, year
and period, at most 5 requests in flight); each page's rows array (the bytes AFAS sent, with the
envelope cut off) is written to a file in a temporary folder beside the database, and the files
are loaded with ONE ``read_json`` into a staging table. Then one transaction drops the old table,
renames staging into place and records the run as 'ok'. Any failure (HTTP errors after retries,
a dropped connection, Ctrl-C) leaves the previous table exactly as it was and records the run as
'failed' with a one-line reason.

Decimals are read by DuckDB's JSON reader straight into DECIMAL; dates and timestamps are read as
text and cast without any time-zone conversion (AFAS's trailing Z is Amsterdam local time).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb
import orjson

from afas.profit.client import ProfitClient
from afas.profit.connectors import GET_CONNECTORS, GetConnectorSpec, spec_for
from afas.profit.errors import AfasError
from afas.profit.filters import Condition, Filter, Op
from afas.profit.values import EXACT_FLOAT_LIMIT
from afas.warehouse.schema import column_type, ensure_schema, quote_ident

__all__ = [
    "SyncAlreadyRunning",
    "SyncResult",
    "ProgressCallback",
    "sync",
    "lock_path",
    "writer_lock",
    "load_sql",
    "rows_array",
]

ProgressCallback = Callable[[str, int, int], None]
"""progress(connector, pages so far, rows so far), called as pages arrive."""

PERIODS_CONNECTOR = "Profit_periods_per_administration"
UNIT_FIELDS = ("UnitId", "Unit", "AdminId")  # how connectors name the administration number
STAGING_SUFFIX = "__staging"


class SyncAlreadyRunning(RuntimeError):
    """Another sync holds the writer lock of this database."""


@dataclass(frozen=True)
class SyncResult:
    """The outcome of syncing one connector (also recorded in sync_runs)."""

    connector: str
    status: str  # 'ok' | 'failed'
    rows: int
    pages: int
    seconds: float
    run_id: int
    error: str | None = None


def lock_path(db_path: str | os.PathLike[str]) -> Path:
    """The lock file beside the database that a writer holds for the whole sync."""
    p = Path(db_path)
    return p.with_name(p.name + ".lock")


@contextmanager
def writer_lock(db_path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the exclusive, non-blocking writer lock of ``db_path``, or raise SyncAlreadyRunning."""
    path = lock_path(db_path)
    with open(path, "a+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncAlreadyRunning(
                f"A sync is already running on {Path(db_path).name}; wait for it to finish."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def sync(
    db_path: str | os.PathLike[str],
    client: ProfitClient,
    connectors: Sequence[str] | None = None,
    administration: int | None = None,
    progress: ProgressCallback | None = None,
    full: bool = False,
) -> list[SyncResult]:
    """Sync ``connectors`` (default: all of GET_CONNECTORS) into the DuckDB file ``db_path``.

    Stops at the first connector that fails with an AFAS error and returns the results so far
    (the failed one last); other exceptions (Ctrl-C) are recorded and re-raised. ``full`` is
    accepted for the CLI; every sync is a full refresh for now (incremental refresh comes later).
    """
    del full  # every run is a full refresh for now
    db = Path(db_path)
    ids = list(connectors) if connectors is not None else [s.id for s in GET_CONNECTORS]
    results: list[SyncResult] = []
    with writer_lock(db):
        _remove_stale_folders(db)
        con = duckdb.connect(str(db))
        try:
            ensure_schema(con)
            con.execute(
                "UPDATE sync_runs SET status = 'failed', finished = coalesce(finished, started), "
                "error = 'The sync process stopped before it finished (killed or crashed).' "
                "WHERE status = 'running'"
            )
            periods: list[tuple[int, int, int]] | None = None
            for cid in ids:
                spec = _spec(cid)
                if spec.partition_fields and periods is None:
                    periods = _periods(client, administration)
                result = _sync_one(con, db, client, cid, spec, administration, periods or [], progress)
                results.append(result)
                if result.status != "ok":
                    break
        finally:
            con.close()
    return results


def _spec(connector_id: str) -> GetConnectorSpec:
    try:
        return spec_for(connector_id)
    except KeyError:
        raise AfasError(
            f"Unknown connector {connector_id!r}: the warehouse syncs only "
            + ", ".join(s.id for s in GET_CONNECTORS)
            + "."
        ) from None


def _periods(client: ProfitClient, administration: int | None) -> list[tuple[int, int, int]]:
    """(unit, year, period) of every period visible to the token (of one administration if given)."""
    flt = Filter([[Condition("Unit", Op.EQ, administration)]]) if administration is not None else None
    rows = client.fetch_all(PERIODS_CONNECTOR, key=("Unit", "Year", "Period"), filter=flt, typed=False)
    return sorted({(int(r["Unit"]), int(r["Year"]), int(r["Period"])) for r in rows})


def _partitions(
    client: ProfitClient,
    cid: str,
    spec: GetConnectorSpec,
    flt: Filter | None,
    periods: list[tuple[int, int, int]],
) -> list[Filter]:
    """One filter per (unit, year, period) slice, for the years that have rows.

    Each empty slice would cost a request (years of history are mostly empty in a young
    administration), so one take=1 probe per (unit, year), 5 in flight, picks the years first.
    """
    unit_f, year_f = spec.partition_fields[0], spec.partition_fields[1]

    def has_rows(unit_year: tuple[int, int]) -> bool:
        year_filter = Filter(
            [[Condition(unit_f, Op.EQ, unit_year[0]), Condition(year_f, Op.EQ, unit_year[1])]]
        )
        base = year_filter if flt is None else flt & year_filter
        return bool(client.get_page(cid, filter=base, order_by=spec.key, take=1, typed=False).rows)

    years = sorted({(u, y) for u, y, _ in periods})
    with ThreadPoolExecutor(client.max_in_flight, thread_name_prefix="afas-probe") as pool:
        busy = {uy for uy, found in zip(years, pool.map(has_rows, years), strict=True) if found}
    return [
        Filter([[Condition(f, Op.EQ, v) for f, v in zip(spec.partition_fields, p, strict=True)]])
        for p in periods
        if (p[0], p[1]) in busy
    ]


def _remove_stale_folders(db: Path) -> None:
    """Page folders left behind by a killed sync (we hold the writer lock, so none is in use)."""
    for stale in db.parent.glob(f".{db.name}.sync-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _environment_label(client: ProfitClient) -> str:
    env = client.environment
    return f"{env.number} ({env.type})" if env.number else env.base_url


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "The sync was cancelled; the previous data is unchanged."
    text = str(exc) if isinstance(exc, AfasError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split()) or type(exc).__name__


def _sync_one(
    con: duckdb.DuckDBPyConnection,
    db: Path,
    client: ProfitClient,
    cid: str,
    spec: GetConnectorSpec,
    administration: int | None,
    periods: list[tuple[int, int, int]],
    progress: ProgressCallback | None,
) -> SyncResult:
    t0 = time.perf_counter()
    run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM sync_runs").fetchone()[0]
    con.execute(
        "INSERT INTO sync_runs (run_id, connector, environment, administration, started, status) "
        "VALUES (?, ?, ?, ?, ?, 'running')",
        [run_id, cid, _environment_label(client), administration, dt.datetime.now()],
    )
    staging = quote_ident(cid + STAGING_SUFFIX)
    n_pages = n_rows = 0
    try:
        meta = client.get_metainfo(cid)
        fields = [(f.id, f.data_type, f.decimals) for f in meta.fields]
        names = {f[0] for f in fields}
        flt = None
        if administration is not None and spec.per_administration:
            unit = next((u for u in UNIT_FIELDS if u in names), None)
            if unit is not None:
                flt = Filter([[Condition(unit, Op.EQ, administration)]])
        partitions: Sequence[Filter | None] = (None,)
        if spec.partition_fields and periods:
            partitions = _partitions(client, cid, spec, flt, periods)
        with tempfile.TemporaryDirectory(prefix=f".{db.name}.sync-", dir=db.parent) as tmp:
            for page in client.raw_pages(cid, key=spec.key, filter=flt, partitions=partitions):
                n_pages += 1
                n_rows += page.row_count
                (Path(tmp) / f"{n_pages:07d}.json").write_bytes(rows_array(page.content))
                if progress is not None:
                    progress(cid, n_pages, n_rows)
            con.execute(f"DROP TABLE IF EXISTS {staging}")
            con.execute(f"CREATE TABLE {staging} AS {load_sql(Path(tmp) / '*.json', fields)}")
        loaded = con.execute(f"SELECT count(*) FROM {staging}").fetchone()[0]
        if loaded != n_rows:
            raise AfasError(f"{cid}: AFAS sent {n_rows:,} rows but {loaded:,} were loaded; sync again.")
        _check_exact(con, staging, cid, fields)
        con.execute("BEGIN TRANSACTION")
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(cid)}")
        con.execute(f"ALTER TABLE {staging} RENAME TO {quote_ident(cid)}")
        con.execute(
            "UPDATE sync_runs SET status = 'ok', finished = ?, rows = ?, pages = ? WHERE run_id = ?",
            [dt.datetime.now(), n_rows, n_pages, run_id],
        )
        con.execute("COMMIT")
        return SyncResult(cid, "ok", n_rows, n_pages, time.perf_counter() - t0, run_id)
    except BaseException as exc:
        reason = _reason(exc)
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        with suppress(duckdb.Error):
            con.execute(f"DROP TABLE IF EXISTS {staging}")
        con.execute(
            "UPDATE sync_runs SET status = 'failed', finished = ?, rows = ?, pages = ?, error = ? "
            "WHERE run_id = ?",
            [dt.datetime.now(), n_rows, n_pages, reason, run_id],
        )
        if not isinstance(exc, AfasError):
            raise
        return SyncResult(cid, "failed", n_rows, n_pages, time.perf_counter() - t0, run_id, reason)


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


def load_sql(files: str | os.PathLike[str], fields: Sequence[tuple[str, str, int]]) -> str:
    """One read_json over files holding JSON arrays of AFAS rows, giving typed columns.

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
    source = f"read_json({_sql_text(str(files))}, columns = {{{', '.join(columns)}}}, format = 'array')"
    return f"SELECT {', '.join(select)} FROM {source}"
