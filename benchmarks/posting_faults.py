"""Fault soak of the corrections outbox: nothing posted twice, nothing lost.

Each run (seeded, deterministic) plays a random sequence against the in-process emulator:
approve an item (a journal entry, a new customer, an allocation code; now and then one AFAS refuses),
send, send under an injected fault (``lost_response``: committed but the answer lost; ``drop``;
``error500``; ``error503``), a crash after the HTTP call and before the outbox records the answer
(or just before the call), a restart (a new Outbox over the same DuckDB file, then ``recover``),
and ``resolve``. The run ends with a clean drain (recover, resolve, send until nothing is open)
and checks against AFAS's own tables: every approved item exists exactly once in AFAS, a rejected
one not at all, and the outbox's state and keys agree with AFAS. ``duplicates`` and ``lost`` must both be 0.

    python benchmarks/posting_faults.py --runs 1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from afas.corrections.entries import entry_for_ledger_line  # noqa: E402
from afas.corrections.outbox import Outbox  # noqa: E402
from afas.corrections.plans import Defaults, DimCodeInsertItem, RelationInsertItem  # noqa: E402
from afas.emulator.core import Emulator  # noqa: E402
from afas.emulator.transport import EmulatorTransport  # noqa: E402
from afas.profit.client import ProfitClient, RetryPolicy  # noqa: E402
from afas.profit.environment import Environment  # noqa: E402
from afas.profit.token import ProfitToken  # noqa: E402

__all__ = ["FAULTS", "RunResult", "SimulatedCrash", "make_world", "soak_run"]

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


def make_world(transactions: int = 60) -> tuple[Emulator, ProfitClient]:
    """One emulator (shared by all runs: every run uses its own references) and a client to it."""
    emulator = Emulator(seed=11, transactions=transactions)
    client = ProfitClient(
        Environment.from_base_url("http://afas-emulator.test/ProfitRestServices"),
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
        rows = outbox.items()
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
    finally:
        con.close()
        emulator.faults.clear()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=12, help="operations per run")
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    emulator, client = make_world()
    totals = RunResult(-1)
    bad: list[str] = []
    # RAM-backed files where the system has them: the runs measure the outbox, not the disk's fsync
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="posting-faults-", dir=shm) as tmp:
        for seed in range(args.first_seed, args.first_seed + args.runs):
            r = soak_run(seed, emulator, client, Path(tmp), args.steps)
            for name in (
                "items",
                "confirmed",
                "rejected",
                "duplicates",
                "lost",
                "faults",
                "crashes",
                "restarts",
            ):
                setattr(totals, name, getattr(totals, name) + getattr(r, name))
            bad += [f"seed {seed}: {d}" for d in r.disagreements]
            (Path(tmp) / f"soak-{seed}.duckdb").unlink(missing_ok=True)
    client.close()
    seconds = time.perf_counter() - started
    print(f"runs         {args.runs}")
    print(f"items        {totals.items} (confirmed {totals.confirmed}, rejected by AFAS {totals.rejected})")
    print(f"faults       {totals.faults} injected, {totals.crashes} crashes, {totals.restarts} restarts")
    print(f"duplicates   {totals.duplicates}   (goal 0)")
    print(f"lost         {totals.lost}   (goal 0)")
    print(f"disagree     {len(bad)}   (goal 0)")
    for line in bad[:20]:
        print("  " + line)
    print(f"time         {seconds:.1f} s ({seconds / max(args.runs, 1) * 1000:.0f} ms per run)")
    return 0 if not (totals.duplicates or totals.lost or bad) else 1


if __name__ == "__main__":
    sys.exit(main())
