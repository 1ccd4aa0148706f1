"""The one error base: every error a user can meet derives from AppError, with an exit code."""

from __future__ import annotations

import pytest

from afas.corrections.outcomes import NotValid
from afas.corrections.readback import MissingTable
from afas.errors import AppError, BusyError, InputError
from afas.profit.environment import EnvironmentInputError
from afas.profit.errors import AfasError
from afas.profit.token import TokenFormatError
from afas.recon.ledgers import DuplicateImport, ImportProblems, LedgerImportError
from afas.recon.readers import LedgerFileError
from afas.warehouse.db import WarehouseBusy
from afas.warehouse.explore import NotSynced
from afas.warehouse.sqlbox import QueryRefused
from afas.warehouse.sync import SyncAlreadyRunning


@pytest.mark.parametrize(
    ("error", "base", "code"),
    [
        (AfasError, AppError, 1),
        (WarehouseBusy, BusyError, 3),
        (SyncAlreadyRunning, BusyError, 3),
        (LedgerFileError, InputError, 2),
        (LedgerImportError, InputError, 2),
        (ImportProblems, InputError, 2),
        (DuplicateImport, InputError, 2),
        (QueryRefused, InputError, 2),
        (NotValid, InputError, 2),
        (TokenFormatError, InputError, 2),
        (EnvironmentInputError, InputError, 2),
        (NotSynced, AppError, 1),
        (MissingTable, AppError, 1),
    ],
)
def test_every_user_facing_error_has_the_one_base_and_an_exit_code(error, base, code):
    assert issubclass(error, base) and issubclass(error, AppError)
    assert error.exit_code == code


def test_message_and_hint_are_kept_apart():
    exc = WarehouseBusy("demo.duckdb is in use by DBeaver (process 12).", "Close that program and try again.")
    assert str(exc) == "demo.duckdb is in use by DBeaver (process 12)."
    assert exc.hint == "Close that program and try again."
