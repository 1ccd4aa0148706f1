"""Fault soak: seeded runs of approve / send / injected fault / crash / restart / resolve.

After every run: every approved item is in AFAS exactly once, a rejected one not at all, and the
outbox's states and keys agree with AFAS. The same runs, a thousand of them, are
benchmarks/posting_faults.py: there with 2-4 sender processes at once on one outbox (as here in
``test_..._with_several_sender_processes_at_once``), or with ``--in-process`` one sender whose crashes
and restarts are simulated in one process (as here in the first test).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.posting_faults import (
    FAULTS,
    RunResult,
    concurrent_run,
    make_concurrent_world,
    make_world,
    soak_run,
)

SEEDS = range(12)  # every fault kind fires within these; benchmarks/posting_faults.py soaks longer
CONCURRENT_SEEDS = range(6)


def test_nothing_posted_twice_nothing_lost_and_every_fault_exercised(tmp_path: Path):
    """All seeded runs in one test (in order, one worker), so the coverage check sees every run."""
    emulator, client = make_world()
    results: list[RunResult] = []
    try:
        for seed in SEEDS:
            result = soak_run(seed, emulator, client, tmp_path)
            results.append(result)
            assert result.items > 0, seed
            assert (result.duplicates, result.lost, result.disagreements) == (0, 0, []), seed
            assert result.confirmed + result.rejected == result.items, seed
    finally:
        client.close()
    assert {kind for kind, _, _ in emulator.faults.fired} == set(FAULTS)
    assert all(sum(getattr(r, name) for r in results) for name in ("crashes", "restarts", "rejected"))


def test_nothing_posted_twice_nothing_lost_with_several_sender_processes_at_once(tmp_path: Path):
    """2-4 sender processes race on one outbox per run, with faults, crashes and SIGKILLs; what they
    interleave differs from run to run, what AFAS holds at the end may not."""
    world = make_concurrent_world()
    try:
        for seed in CONCURRENT_SEEDS:
            result = concurrent_run(seed, world, tmp_path)
            assert 2 <= result.senders <= 4 and result.items > 0, seed
            assert (result.duplicates, result.lost, result.disagreements) == (0, 0, []), (seed, result)
            assert result.confirmed + result.rejected == result.items, (seed, result)
    finally:
        world.close()
