"""Every error a user can meet shows its own words and its hint in every command, with its exit code."""

from __future__ import annotations

import pytest

from afas.cli.main import main
from afas.errors import AppError
from afas.profit.errors import AfasAuthError, AfasRejected, AfasUnavailable
from afas.recon.readers import LedgerFileError
from afas.warehouse.db import WarehouseBusy
from afas.warehouse.explore import NotSynced
from afas.warehouse.sqlbox import QueryRefused
from afas.warehouse.sync import SyncAlreadyRunning

URL = "https://36480.rest.afas.online/ProfitRestServices/metainfo"

ERRORS = [
    WarehouseBusy("demo.duckdb is in use by DBeaver (process 12).", "Close that program, then try again."),
    SyncAlreadyRunning(
        "A sync of demo.duckdb is already running (process 7 on vm).", "Wait for it to finish."
    ),
    LedgerFileError("bank.csv is empty; export the ledger again and upload that file."),
    NotSynced("Sync Profit_Transactions first (Sync page), then this view fills in."),
    QueryRefused("Only SELECT queries run here."),
    AfasAuthError(
        "AFAS refused the token (HTTP 401).",
        "Check the token.",
        likely_causes=["The token is wrong, revoked or expired."],
        status=401,
        method="GET",
        url=URL,
    ),
    AfasRejected(
        "Voer een waarde in bij 'Dagboek'.", "See Profit's logbook.", status=500, method="POST", url=URL
    ),
    AfasUnavailable(
        "AFAS is temporarily unavailable (maintenance) (HTTP 503).",
        "Try again in 5 minutes.",
        retry_after=300,
        status=503,
        method="GET",
        url=URL,
    ),
]
IDS = [type(e).__name__ for e in ERRORS]


def _raise(exc: BaseException):
    def fail(*args, **kwargs):
        raise exc

    return fail


COMMANDS = {
    "check": (["check"], "afas.cli.check.client_from_env"),
    "sync": (["sync", "--db", "w.duckdb"], "afas.cli.sync.client_from_env"),
    "reconcile": (["reconcile", "--db", "w.duckdb", "--import-id", "1"], "afas.warehouse.db.connect"),
    "post": (["post", "--db", "w.duckdb"], "afas.cli.post.client_from_env"),
    "post --dry-run": (["post", "--db", "w.duckdb", "--dry-run"], "afas.warehouse.db.connect"),
}


@pytest.mark.parametrize("exc", ERRORS, ids=IDS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_each_command_shows_an_error_in_its_own_words_and_exits_with_its_code(
    command, exc, monkeypatch, capsys, tmp_path
):
    argv, target = COMMANDS[command]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(target, _raise(exc))
    assert main(argv) == exc.exit_code
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"error: {' '.join(str(exc).split())}"
    assert err[1:] == ([f"  {exc.hint}"] if exc.hint else [])


def test_exit_codes_say_input_busy_or_failure():
    assert {type(e).__name__: e.exit_code for e in ERRORS} == {
        "WarehouseBusy": 3,
        "SyncAlreadyRunning": 3,
        "LedgerFileError": 2,
        "NotSynced": 1,
        "QueryRefused": 2,
        "AfasAuthError": 1,
        "AfasRejected": 1,
        "AfasUnavailable": 1,
    }
    assert AppError.exit_code == 1


def test_a_bug_is_said_to_be_one_with_its_traceback(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("afas.warehouse.db.connect", _raise(ZeroDivisionError("oops")))
    assert main(["reconcile", "--db", "w.duckdb", "--import-id", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: something went wrong inside the program (ZeroDivisionError)")
    assert "Traceback (most recent call last)" in err and "ZeroDivisionError: oops" in err
