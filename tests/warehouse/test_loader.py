"""The sync's loader: pages go into the staging table in batches while they download."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import orjson
import pytest

from afas.warehouse.db import connection
from afas.warehouse.sync import _Loader, create_staging

FIELDS = [("EntryNo", "int", 0), ("AmtDebit", "decimal", 2), ("EntryDate", "date", 0)]


def _page(folder: Path, n: int, rows: int = 3) -> Path:
    path = folder / f"{n:07d}.json"
    first = n * rows
    body = [
        {"EntryNo": first + i, "AmtDebit": float(f"{first + i}.05"), "EntryDate": "2026-11-30T00:00:00Z"}
        for i in range(rows)
    ]
    path.write_bytes(orjson.dumps(body))
    return path


def _loader(db: Path) -> _Loader:
    with connection(db) as con:
        create_staging(con, "T__staging", FIELDS)
    return _Loader(db, "T__staging", FIELDS)


def _staged(db: Path) -> list[tuple]:
    with connection(db) as con:
        return con.execute('SELECT * FROM "T__staging" ORDER BY 1').fetchall()


def test_pages_are_loaded_in_batches_while_they_come_and_their_files_removed(tmp_path):
    db = tmp_path / "w.duckdb"
    loader = _loader(db)
    files = [_page(tmp_path, n) for n in range(1, 2 * _Loader.MIN_BATCH + 1)]
    for path in files[: _Loader.MIN_BATCH]:
        loader.add(path)
    deadline = time.monotonic() + 30
    while any(p.exists() for p in files[: _Loader.MIN_BATCH]) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(_staged(db)) == 3 * _Loader.MIN_BATCH  # loaded before the download ended
    for path in files[_Loader.MIN_BATCH :]:
        loader.add(path)
    loader.finish()
    rows = _staged(db)
    assert len(rows) == 3 * len(files) and not any(p.exists() for p in files)
    assert str(rows[0][1]) == "3.05" and str(rows[0][2]) == "2026-11-30"


def test_a_page_the_reader_refuses_fails_the_load(tmp_path):
    db = tmp_path / "w.duckdb"
    loader = _loader(db)
    bad = tmp_path / "0000001.json"
    bad.write_bytes(b'[{"EntryNo": 1, "AmtDebit": 1.00, "EntryDate": "not a date"}]')
    loader.add(bad)
    with pytest.raises(duckdb.Error):
        loader.finish()


def test_a_file_held_by_another_process_defers_a_batch_and_the_end_waits_for_it(tmp_path):
    db = tmp_path / "w.duckdb"
    loader = _loader(db)
    hold = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.readline()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        for n in range(1, _Loader.MIN_BATCH + 1):
            loader.add(_page(tmp_path, n))
        deadline = time.monotonic() + 30
        while not loader.deferred and time.monotonic() < deadline:
            time.sleep(0.05)
        assert loader.deferred  # the batch waited instead of failing the sync
    finally:
        holder.communicate("\n", timeout=30)
    loader.finish()
    assert len(_staged(db)) == 3 * _Loader.MIN_BATCH
