"""The booking world shared by the close tests: a demo AFAS and the warehouse synced from it, copied
per test (tests/close/test_booking.py, tests/close/test_four_eyes.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from afas.emulator.core import Emulator
from afas.warehouse.sync import sync
from tests.conftest import make_client

CONNECTORS = [
    "Profit_Administrations", "Profit_Accounts", "Profit_periods_per_administration", "Profit_Debtor",
    "Profit_Creditor", "Profit_Transactions", "Profit_Period_balance", "Profit_Journals", "Profit_VAT_code",
    "Recon_AllocationCodes",
]  # fmt: skip


def emulator() -> Emulator:
    return Emulator(seed=7, transactions=600)  # the same data every time it is made


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("booking") / "warehouse.duckdb"
    with make_client(emulator()) as client:
        assert all(r.status == "ok" for r in sync(path, client, CONNECTORS))
    return path


@pytest.fixture
def world(template: Path, tmp_path: Path):
    """(emulator, warehouse path, connection): a fresh emulator and the warehouse synced from its data."""
    path = tmp_path / "w.duckdb"
    shutil.copyfile(template, path)
    con = duckdb.connect(str(path))
    yield emulator(), path, con
    con.close()
