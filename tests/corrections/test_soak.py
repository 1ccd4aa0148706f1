"""Fault soak: seeded runs of approve / send / injected fault / crash / restart / resolve.

After every run: every approved item is in AFAS exactly once, a rejected one not at all, and the
outbox's states and keys agree with AFAS. The same runs, a thousand of them, are
benchmarks/posting_faults.py.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.posting_faults import FAULTS, RunResult, make_world, soak_run

SEEDS = range(24)


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
