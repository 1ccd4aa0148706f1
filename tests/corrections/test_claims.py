"""Whether a sender still lives, as other processes and this one see it (afas/corrections/claims.py),
and an outbox from before claims."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from afas.corrections.claims import Sender, SenderLockError, alive, senders_dir
from afas.corrections.outbox import Outbox
from afas.corrections.schema import CORRECTIONS_DDL
from afas.errors import AppError

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import sys; from pathlib import Path; from afas.corrections.claims import alive; " \
    "print(alive(sys.argv[1], Path(sys.argv[2])))"  # fmt: skip
HOLDER = (
    "import sys; from pathlib import Path; from afas.corrections.claims import Sender; "
    "s = Sender('held', Path(sys.argv[1])).start(); print(s.id, flush=True); sys.stdin.read()"
)


def probe(sender_id: str, folder: Path) -> bool:
    """``alive`` as another process answers it."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, sender_id, str(folder)], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() == "True"


def test_a_sender_lives_from_start_to_stop_for_this_process_and_others(tmp_path):
    folder = senders_dir(tmp_path / "w.duckdb")
    assert folder == tmp_path / "w.duckdb.senders"
    sender = Sender("Anna's session", folder)
    sender.start()
    assert alive(sender.id, folder) and probe(sender.id, folder)
    assert b'"name":"Anna\'s session"' in next(folder.iterdir()).read_bytes()
    sender.stop()
    assert not alive(sender.id, folder) and not probe(sender.id, folder)
    assert list(folder.iterdir()) == []  # its lock file went with it


def test_a_killed_sender_is_gone_at_once_and_its_file_is_tidied(tmp_path):
    folder = tmp_path / "w.duckdb.senders"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        sender_id = holder.stdout.readline().strip()
        assert alive(sender_id, folder)  # another process, holding its lock
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=30)
    assert not alive(sender_id, folder)  # the OS dropped the lock with the process
    assert list(folder.iterdir()) == []


def test_unknown_and_in_memory_senders_are_gone(tmp_path):
    assert not alive("elsewhere:1:abcd:ef", tmp_path)  # no lock file: never started, or tidied
    with Sender("in memory", None) as s:  # an in-memory database: only this process can know
        assert alive(s.id, None)
    assert not alive(s.id, None)


def test_a_folder_that_cannot_hold_locks_is_said_in_words(tmp_path):
    blocked = tmp_path / "w.duckdb.senders"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(SenderLockError, match="Cannot mark this program as the one sending") as err:
        Sender("x", blocked).start()
    assert isinstance(err.value, AppError) and "writable" in err.value.hint


def test_an_outbox_from_before_claims_gets_them_and_its_interrupted_send_is_recovered(tmp_path):
    old_ddl = CORRECTIONS_DDL.replace(
        ",\n    claimed_by VARCHAR,\n    claimed_name VARCHAR,\n    claimed_at TIMESTAMP", ""
    )
    assert "claimed_by" not in old_ddl
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute(old_ddl)  # a file of the previous version, which stopped while sending item 1
    con.execute(
        "INSERT INTO correction_items (item_id, kind, connector, method, reference, plan, request_body, "
        "sources, fingerprint, state, approved_by, approved_at) VALUES (1, 'entry', 'FiEntries', 'POST', "
        "'KCOLD-000001', '{}', '{}', '[]', 'x', 'sending', 'anna', TIMESTAMP '2026-01-05 10:30:00')"
    )
    con.close()
    box = Outbox(db)
    assert box.get(1).claimed_by is None
    assert box.recover() == [1]  # no claimant: nobody can be sending it now
    assert box.get(1).state == "unknown"
