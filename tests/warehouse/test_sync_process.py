"""`python -m afas sync` as real processes: the CLI, a sync killed mid-run, readers and a second writer.

The emulator runs as its own process (`python -m afas emulator`), and a latency fault switched on
over its control API keeps a sync busy downloading long enough to act on it; the tests wait for
conditions they can see (page files appearing), never for a fixed time.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from afas.warehouse.sync import recover_interrupted_runs
from tests.test_cli import start_emulator, stop

TX = "Profit_Transactions"


@pytest.fixture(scope="module")
def afas() -> Iterator[dict[str, str]]:
    proc, info, _ = start_emulator("--transactions", "3000", "--seed", "11")
    yield info
    stop(proc)


def _env(afas: dict[str, str]) -> dict[str, str]:
    return {**os.environ, "AFAS_TOKEN": afas["Token"], "AFAS_BASE_URL": afas["Base URL"]}


def _cli(afas: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "afas", "sync", *args],
        env=_env(afas),
        capture_output=True,
        text=True,
        timeout=240,
    )


def _spawn(afas: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "afas", "sync", *args],
        env=_env(afas),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _faults(afas: dict[str, str], method: str, spec: dict | None = None) -> None:
    xml = f"<token><version>1</version><data>{afas['Token']}</data></token>"
    auth = {"Authorization": "AfasToken " + base64.b64encode(xml.encode()).decode()}
    url = afas["Base URL"].rsplit("/ProfitRestServices", 1)[0] + "/__emulator__/faults"
    r = httpx.request(method, url, json=spec, headers=auth, timeout=30)
    assert r.status_code in (200, 201), r.text


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _downloading(db: Path) -> bool:
    """The sync's page folder is there: it is downloading (its loader removes each page once loaded,
    so the pages themselves may come and go between two looks)."""
    return any(db.parent.glob(f".{db.name}.sync-*"))


def _figures(db: Path) -> tuple:
    with duckdb.connect(str(db)) as con:
        return con.execute(f'SELECT count(*), sum(AmtDebit), sum(AmtCredit) FROM "{TX}"').fetchone()


@pytest.fixture
def slow(afas: dict[str, str]) -> Iterator[Callable[[], None]]:
    """Call it to make every Profit_Transactions page take 250 ms, until the test ends."""
    yield lambda: _faults(
        afas, "POST", {"kind": "latency", "connector": TX, "times": None, "latency_ms": 250}
    )
    _faults(afas, "DELETE")


def test_cli_sync_full_then_incremental(tmp_path, afas):
    db = tmp_path / "w.duckdb"
    first = _cli(afas, "--db", str(db), "--connector", TX, "--connector", "Profit_Debtor")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("ok") and TX in lines[0] and lines[0].endswith("full")
    assert lines[1].startswith("ok") and "Profit_Debtor" in lines[1]
    assert afas["Token"] not in first.stdout + first.stderr
    assert _figures(db)[0] > 2000
    second = _cli(afas, "--db", str(db), "--connector", TX)
    assert second.returncode == 0 and second.stdout.rstrip().endswith("incremental")
    forced = _cli(afas, "--db", str(db), "--connector", TX, "--full")
    assert forced.returncode == 0 and forced.stdout.rstrip().endswith("full")


def test_cli_sync_failures_are_one_line_with_a_non_zero_exit(tmp_path, afas):
    db = tmp_path / "w.duckdb"
    unknown = _cli(afas, "--db", str(db), "--connector", "Profit_Nonsense")
    assert unknown.returncode == 2  # input that cannot be used
    assert (
        unknown.stderr.strip().splitlines() == [unknown.stderr.strip()]
        and "Unknown connector 'Profit_Nonsense'" in unknown.stderr
    )
    no_token = subprocess.run(
        [sys.executable, "-m", "afas", "sync", "--db", str(db)],
        env={k: v for k, v in os.environ.items() if k != "AFAS_TOKEN"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert no_token.returncode != 0 and "AFAS_TOKEN is not set" in no_token.stderr
    wrong = subprocess.run(
        [sys.executable, "-m", "afas", "sync", "--db", str(db), "--connector", "Profit_Debtor"],
        env={**_env(afas), "AFAS_TOKEN": "0" * 64},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 1 and len(wrong.stderr.strip().splitlines()) == 1
    assert "error: Profit_Debtor:" in wrong.stderr and "0" * 64 not in wrong.stderr


def test_a_sync_killed_mid_run_leaves_the_previous_snapshot(tmp_path, afas, slow):
    db = tmp_path / "w.duckdb"
    assert _cli(afas, "--db", str(db), "--connector", TX).returncode == 0
    before = _figures(db)
    slow()
    proc = _spawn(afas, "--db", str(db), "--connector", TX, "--full")
    _wait_for(lambda: _downloading(db) or proc.poll() is not None, "the sync to start downloading pages")
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    assert _figures(db) == before  # the file opens and the previous snapshot is whole
    with duckdb.connect(str(db)) as con:
        assert con.execute("SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1").fetchone() == (
            "running",
        )
    assert recover_interrupted_runs(db) == 1
    with duckdb.connect(str(db)) as con:
        status, error = con.execute(
            "SELECT status, error FROM sync_runs ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
    assert status == "failed" and "stopped before it finished" in error

    _faults(afas, "DELETE")
    again = _cli(afas, "--db", str(db), "--connector", TX, "--full")
    assert again.returncode == 0 and _figures(db) == before
    assert not list(tmp_path.glob(".w.duckdb.sync-*"))


def test_readers_see_the_last_snapshot_and_a_second_writer_is_told(tmp_path, afas, slow):
    db = tmp_path / "w.duckdb"
    assert _cli(afas, "--db", str(db), "--connector", TX).returncode == 0
    before = _figures(db)
    slow()
    proc = _spawn(afas, "--db", str(db), "--connector", TX, "--full")
    try:
        _wait_for(lambda: _downloading(db) or proc.poll() is not None, "the sync to start downloading pages")
        assert proc.poll() is None, proc.communicate()
        reader = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from afas.warehouse.db import connection\n"
                "with connection(sys.argv[1]) as con:\n"
                f"    print(con.execute('SELECT count(*) FROM \"{TX}\"').fetchone()[0])",
                str(db),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert reader.returncode == 0, reader.stderr
        assert int(reader.stdout) == before[0]
        second = _cli(afas, "--db", str(db), "--connector", "Profit_Debtor")
        assert second.returncode == 3  # busy: run again later
        first_line, hint = second.stderr.strip().splitlines()
        assert first_line == f"error: A sync of w.duckdb is already running (process {proc.pid} on " + (
            f"{socket.gethostname()}, since {first_line[-10:-2]})."
        )
        assert hint.strip().startswith("Wait for it to finish")
        assert recover_interrupted_runs(db) == 0  # its run is really running: left alone
    finally:
        _faults(afas, "DELETE")
        out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    assert _figures(db) == before
