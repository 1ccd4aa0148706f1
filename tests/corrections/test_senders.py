"""Several senders on one outbox at once: dashboard sessions (threads of one process), the CLI and other
processes, against a real loopback AFAS that is slow on purpose. Each item reaches AFAS once; a sender
that is alive keeps its items however long AFAS takes; a killed sender's items are recovered by the
next one, which reads AFAS back before it sends anything again.

AFAS's slowness is a latency fault that holds the first FiEntries POST until the test clears the faults
(afas/emulator/faults.py): every wait below is for a condition, none for a time.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from afas.corrections.audit import audit_rows
from afas.corrections.outbox import Outbox, Outcome
from afas.corrections.plans import EntryLine, JournalEntryItem
from afas.emulator.core import Emulator
from afas.emulator.server import EmulatorServer
from afas.profit.client import ProfitClient, RetryPolicy
from afas.profit.environment import Environment
from afas.profit.token import ProfitToken
from afas.warehouse.db import connection

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2025, 11, 3)  # an open period of the live emulator's administration 1


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    """A loopback AFAS of these tests' own (the session's live_server counts its requests for others)."""
    with EmulatorServer(Emulator(seed=3, transactions=400)) as s:
        yield s


@pytest.fixture
def afas(server: EmulatorServer) -> Iterator[EmulatorServer]:
    """The loopback AFAS, its faults cleared afterwards whatever happened."""
    yield server
    server.emulator.faults.clear()


def client_for(server: EmulatorServer) -> ProfitClient:
    return ProfitClient(
        Environment.from_base_url(server.base_url),
        ProfitToken.parse(server.emulator.token_data),
        retry=RetryPolicy(attempts=4, base=0.0, cap=0.0),
    )


def approve_entries(db: Path, n: int) -> list[str]:
    box = Outbox(db)
    refs = []
    for i in range(n):
        amount = Decimal(f"{10 + i}.25")
        lines = (EntryLine("4600", debit=amount), EntryLine("1800", credit=amount))
        item = JournalEntryItem(1, DAY.year, DAY.month, "80", DAY, f"two senders {i}", lines)
        refs.append(box.approve(item, approver="Anna de Vries", validate=False).reference)
    return refs


def hold_next_entry_post(emulator: Emulator) -> int:
    """AFAS takes 'forever' over the next FiEntries POST (until the faults are cleared)."""
    before = len(emulator.faults.fired)
    emulator.add_fault("latency", connector="FiEntries", method="POST", times=1, latency_ms=600_000)
    return before


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def post_is_held(emulator: Emulator, before: int) -> bool:
    return any(kind == "latency" for kind, _, _ in emulator.faults.fired[before:])


def in_afas(emulator: Emulator, refs: list[str]) -> dict[str, int]:
    """How many entries AFAS holds per voucher number (its own tables: the ground truth)."""
    cur = emulator.store.cursor()
    try:
        found = dict(
            cur.execute(
                "SELECT voucher_no, count(DISTINCT entry_no) FROM entry_line "
                "WHERE voucher_no IN (SELECT unnest(?)) GROUP BY voucher_no",
                [refs],
            ).fetchall()
        )
    finally:
        cur.close()
    return {r: found.get(r, 0) for r in refs}


def entry_posts(emulator: Emulator, since: int) -> int:
    return sum(1 for m, p, _ in emulator.requests[since:] if m == "POST" and "FiEntries" in p)


def cli_env(server: EmulatorServer) -> dict[str, str]:
    return {**os.environ, "AFAS_TOKEN": server.emulator.token_data, "AFAS_BASE_URL": server.base_url}


def start_cli_post(db: Path, server: EmulatorServer) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "afas", "post", "--db", str(db)],
        cwd=ROOT,
        env=cli_env(server),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_cli_post(db: Path, server: EmulatorServer) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "afas", "post", "--db", str(db)],
        cwd=ROOT,
        env=cli_env(server),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_two_sender_processes_post_each_entry_once_while_afas_is_slow(tmp_path, afas):
    """The tester's report, as processes: a second `post` while AFAS takes long over the first's POST."""
    db = tmp_path / "w.duckdb"
    refs = approve_entries(db, 4)
    emulator = afas.emulator
    before, requests = hold_next_entry_post(emulator), len(emulator.requests)
    first = start_cli_post(db, afas)
    try:
        wait_until(lambda: post_is_held(emulator, before) or first.poll() is not None, "AFAS has the POST")
        assert first.poll() is None, first.communicate()
        second = run_cli_post(db, afas)  # meanwhile: the file is free, the items are not
        assert second.returncode == 3, second.stdout + second.stderr
        lines = second.stdout.splitlines()
        assert len(lines) == 4, second.stdout
        assert all(
            f"being sent by python -m afas post (process {first.pid} on " in ln.lower() for ln in lines
        )
        assert "#1 " in lines[0] and ": sending;" in lines[0] and ": approved;" in lines[1]
        assert entry_posts(emulator, requests) == 0  # the second sent nothing (the first's is still held)
    finally:
        emulator.faults.clear()  # AFAS answers the first sender
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err
    assert [ln.split(": ")[1].split(" ")[0] for ln in out.splitlines()] == ["confirmed"] * 4, out
    assert in_afas(emulator, refs) == {r: 1 for r in refs}
    assert entry_posts(emulator, requests) == 4


def test_a_live_slow_sender_keeps_its_items(tmp_path, afas):
    """Another sender's recover leaves a live sender's item alone, however long AFAS takes."""
    db = tmp_path / "w.duckdb"
    (ref,) = approve_entries(db, 1)
    emulator = afas.emulator
    before = hold_next_entry_post(emulator)
    sender = start_cli_post(db, afas)
    try:
        wait_until(lambda: post_is_held(emulator, before) or sender.poll() is not None, "AFAS has the POST")
        box = Outbox(db, sender="the test")
        assert box.recover() == []
        row = box.get(1)
        assert row.state == "sending" and row.claimed_name.startswith("python -m afas post (process ")
        with client_for(afas) as client:
            (held,) = box.post(client)
            assert (held.state, held.held_by) == ("sending", row.claimed_name)
            assert box.resolve(1, client).held_by == row.claimed_name
        assert box.get(1).state == "sending"
    finally:
        emulator.faults.clear()
        out, err = sender.communicate(timeout=120)
    assert sender.returncode == 0 and ": confirmed (" in out, out + err
    assert in_afas(emulator, [ref]) == {ref: 1}


@pytest.mark.parametrize("when", ["while AFAS works on the POST", "before_request", "after_request"])
def test_a_killed_sender_is_recovered_by_the_next_which_reads_afas_back(tmp_path, afas, when):
    db = tmp_path / "w.duckdb"
    refs = approve_entries(db, 2)
    emulator = afas.emulator
    requests = len(emulator.requests)
    if when == "while AFAS works on the POST":
        before = hold_next_entry_post(emulator)
        victim = start_cli_post(db, afas)
        wait_until(lambda: post_is_held(emulator, before) or victim.poll() is not None, "AFAS has the POST")
        os.kill(victim.pid, signal.SIGKILL)
        victim.communicate(timeout=60)
        emulator.faults.clear()  # AFAS finishes the request its sender no longer waits for
        wait_until(lambda: in_afas(emulator, refs[:1]) == {refs[0]: 1}, "AFAS has booked the entry")
    else:
        victim = subprocess.run(
            [sys.executable, "-m", "tests.corrections._sender", "--db", str(db), "--kill-at", when],
            cwd=ROOT,
            env=cli_env(afas),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert victim.returncode == -signal.SIGKILL
    with connection(db) as con:
        left = con.execute("SELECT state, claimed_by FROM correction_items ORDER BY item_id").fetchall()
    assert left[0][0] == "sending" and all(who for _, who in left)  # the dead sender's claims are there

    nxt = run_cli_post(db, afas)
    assert nxt.returncode == 0, nxt.stdout + nxt.stderr
    lines = nxt.stdout.splitlines()
    assert lines[0] == "#1: interrupted while sending; now unknown"
    assert lines[1].startswith(f"#1 {refs[0]}: confirmed (") and lines[2].startswith(
        f"#2 {refs[1]}: confirmed ("
    )
    assert in_afas(emulator, refs) == {r: 1 for r in refs}
    assert entry_posts(emulator, requests) == 2  # one per item, whoever sent it
    with connection(db) as con:
        events = [e["event"] for e in audit_rows(con, item_id=1)]
    resent = ["sending", "confirmed"] if when == "before_request" else []
    assert events == ["approved", "sending", "unknown", "resolved", *resent]


def test_two_dashboard_sessions_in_one_process_send_each_entry_once(tmp_path, afas):
    """Two sessions of one Streamlit process (threads) press Send a moment apart while AFAS is slow."""
    db = tmp_path / "w.duckdb"
    refs = approve_entries(db, 3)
    emulator = afas.emulator
    before = hold_next_entry_post(emulator)
    first: list[Outcome] = []

    def session_a() -> None:
        with client_for(afas) as client:
            first.extend(Outbox(db, sender="Anna's session").post(client))

    a = threading.Thread(target=session_a)
    a.start()
    try:
        wait_until(lambda: post_is_held(emulator, before) or not a.is_alive(), "AFAS has the POST")
        with client_for(afas) as client:
            second = Outbox(db, sender="Bob's session").post(client)
        assert [(o.state, o.held_by) for o in second] == [
            ("sending", "Anna's session"),
            ("approved", "Anna's session"),
            ("approved", "Anna's session"),
        ]
        assert all(o.message.startswith("Being sent by Anna's session since ") for o in second)
    finally:
        emulator.faults.clear()
        a.join(timeout=120)
    assert [o.state for o in first] == ["confirmed"] * 3
    assert in_afas(emulator, refs) == {r: 1 for r in refs}
