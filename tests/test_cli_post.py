"""From the command line, as a scheduled job would: sync, reconcile, approve (as the dashboard does),
then `python -m afas post --dry-run` and `python -m afas post` against a separate AFAS process."""

from __future__ import annotations

import os
import subprocess
import sys

from afas.corrections.from_recon import build_item, entry_rows, proposals, record_origins
from afas.corrections.outbox import Outbox
from afas.corrections.plans import Defaults
from afas.emulator.demo.ledger_export import DEMO_LEDGER
from afas.warehouse.db import connection
from tests.test_cli import start_emulator, stop
from tests.test_cli_reconcile import BANK_2026, printed_counts


def _afas(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "afas", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_approved_corrections_are_posted_once_from_the_command_line(tmp_path):
    proc, info, _ = start_emulator("--transactions", "20000", "--seed", "1")
    try:
        env = {**os.environ, "AFAS_TOKEN": info["Token"], "AFAS_BASE_URL": info["Base URL"]}
        db = str(tmp_path / "w.duckdb")
        assert _afas(env, "sync", "--db", db, "--administration", "1").returncode == 0
        recon = _afas(
            env,
            "reconcile",
            "--db",
            db,
            "--ledger",
            str(DEMO_LEDGER),
            *BANK_2026,
        )
        assert recon.returncode == 0, recon.stderr
        with connection(db) as con:  # what the Corrections page does on 'Approve'
            run_id = con.execute("SELECT max(run_id) FROM recon_runs").fetchone()[0]
            found = proposals(con, run_id)
            defaults = Defaults(administration=1, journal="80", contra_account="1901")
            rows = entry_rows(con, sorted({(p["unit_id"], p["entry_no"]) for p in found if p["entry_no"]}))
            outbox = Outbox(con)
            approved = [outbox.approve(build_item(con, p, defaults, rows), approver="Batch") for p in found]
            record_origins(
                con, [(a.item_id, run_id, p["result_id"]) for a, p in zip(approved, found, strict=True)]
            )
        assert len(approved) == 9

        dry = _afas({k: v for k, v in env.items() if k != "AFAS_TOKEN"}, "post", "--db", db, "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert dry.stdout.count("FiEntries") >= 9 and info["Token"] not in dry.stdout

        sent = _afas(env, "post", "--db", db)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        lines = sent.stdout.splitlines()
        assert len(lines) == 9 and all(": confirmed (" in ln and "EnNo=" in ln for ln in lines), sent.stdout
        again = _afas(env, "post", "--db", db)  # nothing approved is left: nothing is sent twice
        assert again.returncode == 0
        assert again.stdout.strip() == "Nothing to send: the outbox has no approved or unknown items."

        assert _afas(env, "sync", "--db", db, "--connector", "Profit_Transactions").returncode == 0
        recon_again = _afas(
            env,
            "reconcile",
            "--db",
            db,
            "--import-id",
            "1",
            *BANK_2026,
        )
        counts = printed_counts(recon_again.stdout)
        assert (counts["Only in the ledger"], counts["Differing"]) == (0, 0), recon_again.stdout
    finally:
        stop(proc)
