"""`python -m afas sync` then `python -m afas reconcile` on the shipped demo ledger, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys

import openpyxl

from afas.emulator.demo.ledger_export import DEMO_LEDGER
from tests.test_cli import start_emulator, stop

BANK_2026 = ("--administration", "1", "--account", "1100", "--from", "2026-01-01", "--to", "2026-12-31")
"""The demo ledger's scope: the bank account of administration 1 in 2026."""


def printed_counts(stdout: str) -> dict[str, int]:
    """The counts per result kind that `python -m afas reconcile` prints ('  Only in AFAS   6')."""
    return {
        label.strip(): int(n.replace(",", ""))
        for label, _, n in (ln.rstrip().rpartition(" ") for ln in stdout.splitlines())
        if n.replace(",", "").isdigit()
    }


def test_sync_then_reconcile_the_demo_ledger_from_the_command_line(tmp_path):
    proc, info, _ = start_emulator("--transactions", "20000", "--seed", "1")  # the app's demo
    try:
        env = {**os.environ, "AFAS_TOKEN": info["Token"], "AFAS_BASE_URL": info["Base URL"]}
        db = tmp_path / "w.duckdb"
        synced = subprocess.run(
            [sys.executable, "-m", "afas", "sync", "--db", str(db), "--connector", "Profit_Transactions"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert synced.returncode == 0, synced.stderr
    finally:
        stop(proc)
    out = tmp_path / "result.xlsx"
    args = ["--db", str(db), "--ledger", str(DEMO_LEDGER), *BANK_2026, "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "afas", "reconcile", *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout
    for line in ("Only in AFAS", "Only in the ledger", "Differing", "Matched"):
        assert line in printed, printed
    counts = printed_counts(printed)
    assert (counts["Only in AFAS"], counts["Only in the ledger"], counts["Differing"]) == (6, 5, 4), printed
    book = openpyxl.load_workbook(out)
    assert len(book.sheetnames) >= 5
    again = subprocess.run(
        [sys.executable, "-m", "afas", "reconcile", *args], capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0 and "imported before" in (again.stdout + again.stderr).lower(), again
