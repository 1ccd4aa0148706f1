"""The Explore page's SQL box: one read-only query over the warehouse, with a row cap.

Safety does not rest on parsing: the query runs on a separate in-memory DuckDB that attaches the
warehouse file READ_ONLY, with access to other files and the network switched off and that
setting locked, so no statement can change the warehouse or read the machine's files. Statement
types are still checked first, so a user gets a plain answer ('only SELECT ...') instead of an
engine error.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from afas.errors import InputError

__all__ = ["QueryRefused", "SqlResult", "run_readonly"]

MAX_ROWS = 10_000
_ALLOWED = {"SELECT", "EXPLAIN"}


class QueryRefused(InputError):
    """The SQL is not one read-only query, or DuckDB could not run it (message in plain words)."""


@dataclass(frozen=True)
class SqlResult:
    table: pa.Table
    truncated: bool  # more rows than MAX_ROWS: only the first ones are shown
    seconds: float


def _check(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise QueryRefused('Type a query, e.g. SELECT * FROM "Profit_Accounts" LIMIT 10.')
    try:
        statements = con.extract_statements(text)
    except duckdb.Error as exc:
        raise QueryRefused(f"DuckDB cannot read this query: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise QueryRefused("Run one query at a time (the box holds several statements).")
    kind = statements[0].type.name
    if kind not in _ALLOWED:
        raise QueryRefused(
            f"Only SELECT queries run here ({kind} would change something or reach outside the warehouse)."
        )
    return text


def run_readonly(db_path: str | os.PathLike[str], sql: str, max_rows: int = MAX_ROWS) -> SqlResult:
    if not Path(db_path).exists():
        raise QueryRefused("There is no warehouse yet: sync first.")
    con = duckdb.connect(":memory:")
    try:
        text = _check(con, sql)
        path = str(db_path).replace("'", "''")
        try:
            con.execute(f"ATTACH '{path}' AS warehouse (READ_ONLY)")
        except duckdb.IOException as exc:
            raise QueryRefused(
                "The warehouse is busy (a sync is swapping tables in, or another program has it open); "
                "try again in a moment."
            ) from exc
        con.execute("USE warehouse")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        t = time.perf_counter()
        try:
            reader = con.sql(text).to_arrow_reader(max_rows + 1)
            batches, n = [], 0
            for batch in reader:
                batches.append(batch)
                n += batch.num_rows
                if n > max_rows:
                    break
            table = pa.Table.from_batches(batches, schema=reader.schema)
        except duckdb.Error as exc:
            raise QueryRefused(str(exc).splitlines()[0]) from None
        seconds = time.perf_counter() - t
        return SqlResult(table.slice(0, max_rows), table.num_rows > max_rows, seconds)
    finally:
        con.close()
