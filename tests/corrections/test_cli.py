"""``post``: the outbox sent from the command line, over real HTTP to the emulator."""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from afas.cli import post as cli
from afas.cli.main import main
from afas.corrections.outbox import Outbox
from afas.corrections.plans import EntryLine, JournalEntryItem
from afas.emulator.server import EmulatorServer

D = Decimal


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m afas")
    cli.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(list(argv))


def approve(db: Path, day: dt.date, amount: str = "10.00") -> str:
    lines = (EntryLine("4600", debit=D(amount)), EntryLine("1800", credit=D(amount)))
    item = JournalEntryItem(1, day.year, day.month, "80", day, "cli test", lines)
    con = duckdb.connect(str(db))
    try:
        return Outbox(con).approve(item, approver="cli", validate=False).reference
    finally:
        con.close()


def test_corrections_import_no_streamlit():
    code = (
        "import sys, afas.cli.post, afas.corrections.outbox, afas.corrections.audit, "
        "afas.corrections.validation; assert 'streamlit' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_post_is_registered_with_its_options():
    args = parse("post", "--db", "x.duckdb", "--dry-run", "--env", "36480", "--env-type", "test")
    assert (args.db, args.dry_run, args.env, args.env_type, args.func) == (
        "x.duckdb",
        True,
        "36480",
        "test",
        cli.run,
    )
    assert parse("post", "--db", "x.duckdb").dry_run is False


def test_dry_run_validates_and_shows_bodies_without_a_token(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("AFAS_TOKEN", raising=False)
    db = tmp_path / "w.duckdb"
    ref = approve(db, dt.date(2025, 11, 3))
    assert main(["post", "--db", str(db), "--dry-run"]) == 1  # not synced: cannot be validated
    out = capsys.readouterr().out
    assert f"#1 POST FiEntries {ref} (cli test): INVALID" in out
    assert "sync that GetConnector first" in out and f'"BpNr": "{ref}"' in out


def test_post_without_token_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("AFAS_TOKEN", raising=False)
    assert main(["post", "--db", str(tmp_path / "w.duckdb"), "--base-url", "http://x"]) == 2
    assert "AFAS_TOKEN is not set" in capsys.readouterr().err


def test_post_sends_resolves_and_reports_each_item(
    tmp_path, monkeypatch, capsys, live_server: EmulatorServer
):
    monkeypatch.setenv("AFAS_TOKEN", live_server.emulator.token_data)
    monkeypatch.setenv("AFAS_BASE_URL", live_server.base_url)
    db = tmp_path / "w.duckdb"
    good = approve(db, dt.date(2025, 11, 3))
    bad = approve(db, dt.date(2025, 3, 3))
    live_server.emulator.add_fault("lost_response", connector="FiEntries", method="POST", times=1)
    assert main(["post", "--db", str(db)]) == 1
    first = capsys.readouterr().out.splitlines()
    assert first[0].startswith(f"#1 {good}: unknown: AFAS gave no answer")
    assert first[1] == f"#2 {bad}: rejected: For this administration, period 3 of the year 2025 is blocked."
    assert main(["post", "--db", str(db)]) == 0  # the unknown one is found by reading AFAS back
    second = capsys.readouterr().out.splitlines()
    assert len(second) == 1 and second[0].startswith(f"#1 {good}: confirmed (UnId=1 EnNo=")
    assert main(["post", "--db", str(db)]) == 0
    assert "Nothing to send" in capsys.readouterr().out
    posted = [p for m, p, s in live_server.emulator.requests if m == "POST" and "FiEntries" in p]
    assert len(posted) == 2  # one per item: nothing resent


@pytest.mark.parametrize("env", [{"AFAS_TOKEN": "not a token"}])
def test_bad_token_input_is_named_without_echoing_it(tmp_path, monkeypatch, capsys, env):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert main(["post", "--db", str(tmp_path / "w.duckdb"), "--base-url", "http://x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not a token" not in err
