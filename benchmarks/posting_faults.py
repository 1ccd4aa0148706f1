"""Fault soak of the corrections outbox: nothing posted twice, nothing lost, with 2-4 senders at once.

Each run (seeded) approves a few items (a journal entry, a new customer, an allocation code; now and
then one AFAS refuses) into a DuckDB file of its own, then lets 2-4 *sender processes* loose on that
one outbox at the same time, against a real loopback AFAS (the emulator behind uvicorn) that answers
every POST after a short delay, so that sends overlap. Each sender plays a seeded sequence: post all
(the dashboard's 'Send to AFAS' and ``python -m afas post``), send one item, resolve, recover,
approve more, inject a fault for the next request (``lost_response``: committed but the answer lost;
``drop``; ``error500``; ``error503``), crash (an exception just before or after the HTTP call: its
run ends, then a restart with a new Outbox), and SIGKILL itself just before or after the HTTP call
(the process is gone with whatever it held; a new sender process takes its place). The run ends with
a clean drain (one more sender: recover, resolve, send until nothing is open) and checks against
AFAS's own tables: every approved item exists exactly once in AFAS, a rejected one not at all, and
the outbox's state and keys agree with AFAS. ``duplicates`` and ``lost`` must both be 0.

    python benchmarks/posting_faults.py --runs 1000                 # 2-4 sender processes per run
    python benchmarks/posting_faults.py --runs 1000 --in-process    # one sender, simulated restarts

``--in-process`` is the older soak in one process (an Outbox over a held connection; crashes and
restarts simulated by exceptions and new Outbox objects), against the in-process emulator.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import importlib
import multiprocessing
import os
import random
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing.connection import Connection, wait
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The emulator commits a request before it answers or loses the answer, so an unanswered item may be
# read back at once here (a real AFAS gets afas.corrections.outbox.SETTLE_AFTER_S first).
os.environ.setdefault("AFAS_RESOLVE_AFTER_S", "0")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import httpx  # noqa: E402

from afas.corrections.entries import entry_for_ledger_line  # noqa: E402
from afas.corrections.outbox import Outbox  # noqa: E402
from afas.corrections.plans import Defaults, DimCodeInsertItem, RelationInsertItem  # noqa: E402
from afas.emulator.core import Emulator  # noqa: E402
from afas.emulator.server import EmulatorServer  # noqa: E402
from afas.emulator.transport import EmulatorTransport  # noqa: E402
from afas.profit.client import ProfitClient, RetryPolicy  # noqa: E402
from afas.profit.environment import Environment  # noqa: E402
from afas.profit.token import ProfitToken  # noqa: E402

__all__ = [
    "FAULTS",
    "ConcurrentWorld",
    "RunResult",
    "SimulatedCrash",
    "concurrent_run",
    "make_concurrent_world",
    "make_world",
    "soak_run",
]

FAULTS = ("lost_response", "drop", "error500", "error503")
DEFAULTS = Defaults(administration=1, journal="80", contra_account="1800", allocation_axis=1)
OPEN_DAY = dt.date(2025, 11, 14)  # an open period of administration 1 in the demo data
BLOCKED_DAY = dt.date(2025, 3, 14)  # a blocked one: AFAS refuses entries there


class SimulatedCrash(Exception):
    """Stands for the process dying after the HTTP call returned and before the outbox recorded it."""


@dataclass
class RunResult:
    seed: int
    items: int = 0
    confirmed: int = 0
    rejected: int = 0
    duplicates: int = 0
    lost: int = 0
    disagreements: list[str] = field(default_factory=list)
    faults: int = 0
    crashes: int = 0
    restarts: int = 0
    senders: int = 0  # sender processes that took part (concurrent runs)
    kills: int = 0  # of them, killed with SIGKILL mid-way
    errors: int = 0  # of them, stopped by an error (a traceback on stderr): the outbox must survive it too
    held: int = 0  # times a sender left an item to another live sender

    def add(self, other: RunResult) -> None:
        for name in (
            "items", "confirmed", "rejected", "duplicates", "lost", "faults", "crashes", "restarts",
            "senders", "kills", "errors", "held",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))


def make_world(transactions: int = 60) -> tuple[Emulator, ProfitClient]:
    """One emulator (shared by all runs: every run uses its own references) and a client to it."""
    emulator = Emulator(seed=11, transactions=transactions)
    client = ProfitClient(
        Environment.from_base_url("http://afas-emulator.localhost/ProfitRestServices"),
        ProfitToken.parse(emulator.token_data),
        transport=EmulatorTransport(emulator),
        retry=RetryPolicy(attempts=4, base=0.0, cap=0.0),
        sleep=lambda s: None,
    )
    return emulator, client


def _afas_counts(emulator: Emulator, rows: list) -> dict[int, tuple[int, str | None]]:
    """Per outbox item: (how many times AFAS holds its reference, the key AFAS has), read straight
    from the emulator's tables (AFAS's ground truth, not through the API under test)."""
    refs = {
        kind: [r.reference for r in rows if r.kind == kind]
        for kind in ("entry", "relation_insert", "dim_code")
    }
    found: dict[tuple[str, str], list[str]] = {}
    cur = emulator.store.cursor()
    try:
        if refs["entry"]:
            for ref, no in cur.execute(
                "SELECT DISTINCT voucher_no, entry_no FROM entry_line WHERE unit = 1 AND voucher_no IN "
                "(SELECT unnest(?))",
                [refs["entry"]],
            ).fetchall():
                found.setdefault(("entry", ref), []).append(str(no))
        if refs["relation_insert"]:
            for (ref,) in cur.execute(
                "SELECT debtor_id FROM debtor WHERE debtor_id IN (SELECT unnest(?))",
                [refs["relation_insert"]],
            ).fetchall():
                found.setdefault(("relation_insert", ref), []).append(ref)
        if refs["dim_code"]:
            for ax, code in cur.execute(
                "SELECT ax_id, code FROM allocation_code "
                "WHERE concat(ax_id, '/', code) IN (SELECT unnest(?))",
                [refs["dim_code"]],
            ).fetchall():
                found.setdefault(("dim_code", f"{ax}/{code}"), []).append(code)
    finally:
        cur.close()
    out = {}
    for r in rows:
        keys = found.get((r.kind, r.reference), [])
        out[r.item_id] = (len(keys), keys[0] if len(keys) == 1 else None)
    return out


def _new_item(rng: random.Random, seed: int, n: int):  # noqa: ANN202
    roll = rng.random()
    if roll < 0.6:
        amount = Decimal(rng.randint(1, 500_000)) / 100 * rng.choice((1, -1))
        day = BLOCKED_DAY if rng.random() < 0.1 else OPEN_DAY
        return entry_for_ledger_line(
            DEFAULTS, entry_date=day, account="4600", amount=amount, description=f"soak {seed}/{n}"
        )
    if roll < 0.8:
        return RelationInsertItem(
            sales=True,
            person=False,
            name=f"Soak {seed}-{n} B.V.",
            currency="EUR",
            number=f"8{seed:06d}{n:03d}",
        )
    return DimCodeInsertItem(1, f"S{seed}-{n}", f"soak {seed}/{n}")  # no warehouse here: no sources


def _check(emulator: Emulator, rows: list, result: RunResult) -> None:
    """After the drain: each item in AFAS as often as its state says (confirmed once, rejected never),
    with the keys the outbox recorded."""
    counts = _afas_counts(emulator, rows)
    for row in rows:
        count, key = counts[row.item_id]
        result.duplicates += max(0, count - 1)
        if row.state == "confirmed":
            result.confirmed += 1
            want = {"entry": "EnNo", "relation_insert": "DbId", "dim_code": "VbCo"}[row.kind]
            got = (row.result_keys or {}).get(want)
            if count == 0:
                result.lost += 1
            elif count == 1 and got != key:
                result.disagreements.append(f"#{row.item_id}: outbox {want}={got}, AFAS {key}")
        elif row.state == "rejected":
            result.rejected += 1
            if count:
                result.disagreements.append(f"#{row.item_id}: rejected but in AFAS")
        else:
            result.lost += 1  # approved but never settled
            result.disagreements.append(f"#{row.item_id}: left {row.state}")


def soak_run(
    seed: int, emulator: Emulator, client: ProfitClient, workdir: Path, steps: int = 12
) -> RunResult:
    """One seeded run; returns what it found (duplicates and lost must be 0)."""
    rng = random.Random(seed)
    result = RunResult(seed)
    db = workdir / f"soak-{seed}.duckdb"
    crash_next: dict[str, str | None] = {"at": None}

    def hook(point: str, item_id: int) -> None:
        if crash_next["at"] == point:
            crash_next["at"] = None
            raise SimulatedCrash(f"crash at {point} of item {item_id}")

    clock = lambda: dt.datetime(2026, 1, 1, 12, 0)  # noqa: E731
    con = duckdb.connect(str(db))
    outbox = Outbox(con, clock=clock, hook=hook, namespace=f"S{seed}")
    n = 0
    try:
        for _ in range(steps):
            op = rng.choice(("approve", "approve", "send", "fault", "crash", "restart", "resolve"))
            if op == "approve" or not outbox.items():
                n += 1
                outbox.approve(_new_item(rng, seed, n), approver="soak", validate=False)
                result.items += 1
                continue
            if op == "restart":
                con.close()
                con = duckdb.connect(str(db))
                outbox = Outbox(con, clock=clock, hook=hook)
                outbox.recover()
                result.restarts += 1
            elif op == "resolve":
                outbox.resolve_all(client)
            else:
                approved = outbox.items("approved")
                if not approved:
                    continue
                row = rng.choice(approved)
                if op == "fault":
                    emulator.add_fault(
                        rng.choice(FAULTS), connector=row.connector, method=row.method, times=1
                    )
                    result.faults += 1
                elif op == "crash":  # mostly after the answer came in, sometimes just before sending
                    crash_next["at"] = "after_request" if rng.random() < 0.75 else "before_request"
                    result.crashes += 1
                try:
                    outbox.send(row.item_id, client)
                except SimulatedCrash:
                    con.close()  # the process is gone; what it committed stays
                    con = duckdb.connect(str(db))
                    outbox = Outbox(con, clock=clock, hook=hook)
                    outbox.recover()
                crash_next["at"] = None
                emulator.faults.clear()
            counts = _afas_counts(emulator, outbox.items())  # never two postings, at any moment
            result.duplicates += sum(max(0, c - 1) for c, _ in counts.values())
        # drain: no more faults; settle everything
        emulator.faults.clear()
        outbox.recover()
        for _ in range(5):
            outbox.resolve_all(client)
            outbox.send_all(client)
            if not (outbox.items("approved") or outbox.items("unknown")):
                break
        _check(emulator, outbox.items(), result)
    finally:
        con.close()
        emulator.faults.clear()
    return result


# --- several sender processes at once --------------------------------------------------------------

SENDER_OPS = (
    "post", "post", "send", "send", "fault", "crash", "kill", "kill_later", "restart", "resolve", "recover",
    "approve",
)  # fmt: skip
POST_DELAY_MS = (2, 25)  # every POST/PUT is answered after this long (ms): sends of different senders overlap


def _sender_main(conn: Connection, base_url: str, token: str) -> None:
    """A sender process: runs the scripts it is given, one at a time, until told to stop (None)."""
    client = ProfitClient(
        Environment.from_base_url(base_url),
        ProfitToken.parse(token),
        retry=RetryPolicy(attempts=4, base=0.0, cap=0.0),
        sleep=lambda s: None,
    )
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        conn.send(_sender_script(task, client))


def _sender_script(task: dict, client: ProfitClient) -> dict[str, int]:
    """One sender's part of a run: ``steps`` seeded operations on the run's outbox (see the module doc)."""
    rng = random.Random(f"{task['seed']}/{task['index']}")
    db, seed, index = Path(task["db"]), task["seed"], task["index"]
    stats = {"faults": 0, "crashes": 0, "restarts": 0, "held": 0}
    crash: dict[str, str | None] = {"at": None, "how": None}

    def hook(point: str, item_id: int) -> None:
        if crash["at"] == point:
            how, crash["at"] = crash["how"], None
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)  # gone, with its claims and its lock
            raise SimulatedCrash(f"crash at {point} of item {item_id}")

    name = f"soak sender {index} (process {os.getpid()})"
    outbox = Outbox(db, hook=hook, sender=name)
    timer: threading.Timer | None = None
    n = 100 * (index + 1)  # its own item numbers: references never collide
    for _ in range(task["steps"]):
        op = rng.choice(SENDER_OPS)
        try:
            if op == "approve":
                n += 1
                outbox.approve(_new_item(rng, seed, n), approver=f"soak {index}", validate=False)
            elif op == "restart":
                outbox = Outbox(db, hook=hook, sender=name)
                outbox.recover()
                stats["restarts"] += 1
            elif op == "recover":
                outbox.recover()
            elif op == "kill_later" and timer is None:  # dies wherever it is then: a query, a POST, idle
                timer = threading.Timer(rng.uniform(0.0, 0.3), os.kill, (os.getpid(), signal.SIGKILL))
                timer.daemon = True
                timer.start()
            elif op == "resolve":
                stats["held"] += sum(o.held_by is not None for o in outbox.resolve_all(client))
            elif op == "post":
                stats["held"] += sum(o.held_by is not None for o in outbox.post(client))
            else:
                approved = outbox.items("approved")
                if not approved:
                    continue
                row = rng.choice(approved)
                if op == "fault":
                    rule = {"kind": rng.choice(FAULTS), "connector": row.connector, "method": row.method}
                    control = task["control"]
                    httpx.post(control, json=rule, headers=task["auth"], timeout=30).raise_for_status()
                    stats["faults"] += 1
                elif op in ("crash", "kill"):  # mostly after the answer came in, sometimes just before
                    crash["at"] = "after_request" if rng.random() < 0.75 else "before_request"
                    crash["how"] = op
                    stats["crashes"] += op == "crash"
                stats["held"] += outbox.send(row.item_id, client).held_by is not None
        except SimulatedCrash:
            outbox = Outbox(db, hook=hook, sender=name)  # the restart after the crash
            outbox.recover()
            stats["restarts"] += 1
        crash["at"] = None
    if timer is not None:
        timer.cancel()
    return stats


class SenderPool:
    """Long-lived sender processes (forked from a server that has the modules loaded, so that one
    killed is replaced in milliseconds). ``run`` gives each its script at once and waits for all."""

    def __init__(self, base_url: str, token: str, size: int = 4) -> None:
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["afas.corrections.outbox", "httpx", "benchmarks.posting_faults"])
        self._target = importlib.import_module("benchmarks.posting_faults")._sender_main
        self._args = (base_url, token)
        self._workers = [self._spawn() for _ in range(size)]

    def _spawn(self) -> tuple[multiprocessing.Process, Connection]:
        mine, theirs = self._ctx.Pipe()
        proc = self._ctx.Process(target=self._target, args=(theirs, *self._args), daemon=True)
        proc.start()
        theirs.close()
        return proc, mine

    def run(self, tasks: list[dict]) -> list[dict | int]:
        """Every task on a sender of its own, all at once; for a sender that died, its exit code
        (-9: SIGKILL; 1: stopped by an error, its traceback on stderr)."""
        results: list[dict | int] = [0] * len(tasks)
        waiting = {}
        for i, task in enumerate(tasks):
            if not self._workers[i][0].is_alive():  # killed by its own timer after it had answered
                self._replace(i)
            proc, conn = self._workers[i]
            conn.send(task)
            waiting[conn] = i
        while waiting:
            for conn in wait(list(waiting)):
                i = waiting.pop(conn)  # type: ignore[call-overload]
                try:
                    results[i] = conn.recv()  # type: ignore[union-attr]
                except (EOFError, OSError):  # died: a new process takes its place
                    results[i] = self._replace(i)
        return results

    def _replace(self, i: int) -> int:
        proc, conn = self._workers[i]
        proc.join()
        conn.close()
        self._workers[i] = self._spawn()
        return proc.exitcode or 0

    def close(self) -> None:
        for proc, conn in self._workers:
            with contextlib.suppress(OSError):
                conn.send(None)
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()


@dataclass
class ConcurrentWorld:
    emulator: Emulator
    server: EmulatorServer
    client: ProfitClient  # the drain's, over HTTP like the senders'
    pool: SenderPool

    def close(self) -> None:
        self.pool.close()
        self.client.close()
        self.server.stop()


def make_concurrent_world(transactions: int = 60, senders: int = 4) -> ConcurrentWorld:
    """The emulator served on loopback (shared by all runs) and a pool of sender processes."""
    emulator = Emulator(seed=11, transactions=transactions)
    server = EmulatorServer(emulator).start()
    client = ProfitClient(
        Environment.from_base_url(server.base_url),
        ProfitToken.parse(emulator.token_data),
        retry=RetryPolicy(attempts=4, base=0.0, cap=0.0),
        sleep=lambda s: None,
    )
    return ConcurrentWorld(
        emulator, server, client, SenderPool(server.base_url, emulator.token_data, senders)
    )


def _auth(token: str) -> dict[str, str]:
    xml = f"<token><version>1</version><data>{token}</data></token>"
    return {"Authorization": "AfasToken " + base64.b64encode(xml.encode()).decode()}


def concurrent_run(seed: int, world: ConcurrentWorld, workdir: Path, steps: int = 4) -> RunResult:
    """One seeded run with 2-4 sender processes on one outbox at once; duplicates and lost must be 0."""
    rng = random.Random(seed)
    result = RunResult(seed)
    emulator = world.emulator
    db = workdir / f"soak-{seed}.duckdb"
    first = Outbox(db, namespace=f"S{seed}")
    approved = [
        first.approve(_new_item(rng, seed, n + 1), approver="soak", validate=False)
        for n in range(rng.randint(2, 4))
    ]
    for row in rng.sample(approved, rng.randint(0, 2)):  # faults waiting for the first sends
        emulator.add_fault(rng.choice(FAULTS), connector=row.connector, method=row.method, times=1)
        result.faults += 1
    for method in ("POST", "PUT"):
        emulator.add_fault("latency", method=method, times=None, latency_ms=rng.randint(*POST_DELAY_MS))
    senders = rng.randint(2, min(4, len(world.pool._workers)))
    control = world.server.base_url.rsplit("/ProfitRestServices", 1)[0] + "/__emulator__/faults"
    tasks = [
        {
            "db": str(db),
            "seed": seed,
            "index": i,
            "steps": rng.randint(max(1, steps - 2), steps + 2),
            "control": control,
            "auth": _auth(emulator.token_data),
        }
        for i in range(senders)
    ]
    try:
        stats = world.pool.run(tasks)
        result.senders = senders
        result.kills = sum(s == -signal.SIGKILL for s in stats)
        result.errors = sum(isinstance(s, int) and s != -signal.SIGKILL for s in stats)
        for s in stats:
            for name, value in (s if isinstance(s, dict) else {}).items():
                setattr(result, name, getattr(result, name) + value)
        # drain: no more faults; one more sender settles everything the others left
        emulator.faults.clear()
        drain = Outbox(db, sender="soak drain")
        for _ in range(5):
            drain.post(world.client)
            if not any(r.state in ("approved", "unknown", "sending") for r in drain.items()):
                break
        rows = drain.items()
        result.items = len(rows)
        _check(emulator, rows, result)
    finally:
        emulator.faults.clear()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument(
        "--steps", type=int, default=None, help="operations per sender (default 4; 12 with --in-process)"
    )
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument(
        "--in-process", action="store_true", help="the one-process soak (one sender, simulated restarts)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    totals = RunResult(-1)
    bad: list[str] = []
    # RAM-backed files where the system has them: the runs measure the outbox, not the disk's fsync
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="posting-faults-", dir=shm) as tmp:
        if args.in_process:
            emulator, client = make_world()
            run = lambda seed: soak_run(seed, emulator, client, Path(tmp), args.steps or 12)  # noqa: E731
            close = client.close
        else:
            world = make_concurrent_world()
            run = lambda seed: concurrent_run(seed, world, Path(tmp), args.steps or 4)  # noqa: E731
            close = world.close
        try:
            for seed in range(args.first_seed, args.first_seed + args.runs):
                r = run(seed)
                totals.add(r)
                bad += [f"seed {seed}: {d}" for d in r.disagreements]
                for leftover in Path(tmp).glob(f"soak-{seed}.duckdb*"):
                    if leftover.is_dir():
                        for f in leftover.iterdir():
                            f.unlink()
                        leftover.rmdir()
                    else:
                        leftover.unlink()
        finally:
            close()
    seconds = time.perf_counter() - started
    print(f"runs         {args.runs}" + ("" if args.in_process else f" ({totals.senders} sender processes)"))
    print(f"items        {totals.items} (confirmed {totals.confirmed}, rejected by AFAS {totals.rejected})")
    print(f"faults       {totals.faults} injected, {totals.crashes} crashes, {totals.restarts} restarts")
    if not args.in_process:
        print(
            f"senders      {totals.kills} killed mid-way, {totals.errors} stopped by an error, "
            f"{totals.held} times an item left to another sender"
        )
    print(f"duplicates   {totals.duplicates}   (goal 0)")
    print(f"lost         {totals.lost}   (goal 0)")
    print(f"disagree     {len(bad)}   (goal 0)")
    for line in bad[:20]:
        print("  " + line)
    print(f"time         {seconds:.1f} s ({seconds / max(args.runs, 1) * 1000:.0f} ms per run)")
    return 0 if not (totals.duplicates or totals.lost or bad) else 1


if __name__ == "__main__":
    sys.exit(main())
