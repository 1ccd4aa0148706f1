"""Helpers shared by the corrections tests: a demo AFAS, its synced warehouse, the user's defaults."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb

from afas.corrections.plans import Defaults
from afas.emulator.core import Emulator
from afas.warehouse.sync import sync
from tests.conftest import make_client

__all__ = ["DEFAULTS", "SEED", "WAREHOUSE_CONNECTORS", "fresh_emulator", "rows", "synced_copy", "warehouse"]

SEED, TRANSACTIONS = 7, 400
WAREHOUSE_CONNECTORS = (
    "Profit_Administrations",
    "Profit_Accounts",
    "Profit_Journals",
    "Profit_periods_per_administration",
    "Profit_VAT_code",
    "Profit_Currency",
    "Profit_Debtor",
    "Profit_Creditor",
    "Profit_Transactions",
    "Recon_AllocationCodes",
    "Profit_Allocation_Assigments",
    "Recon_PaymentConditions",
)
# Memorial journal 80, suspense account 1800, cost centres on axis 1, 30 days, the demo's collectives.
DEFAULTS = Defaults(
    administration=1,
    journal="80",
    contra_account="1800",
    allocation_axis=1,
    payment_terms="30",
    currency="EUR",
    debtor_collective_account="1300",
    creditor_collective_account="1600",
)


def fresh_emulator() -> Emulator:
    """The demo administration every warehouse here was synced from (same seed, same data)."""
    return Emulator(seed=SEED, transactions=TRANSACTIONS)


def warehouse(folder: Path) -> Path:
    """Sync a fresh demo environment into ``folder``/warehouse.duckdb once; returns the file."""
    path = folder / "warehouse.duckdb"
    emulator = fresh_emulator()
    with make_client(emulator) as client:
        results = sync(path, client, list(WAREHOUSE_CONNECTORS))
    assert all(r.status == "ok" for r in results), results
    return path


def synced_copy(template: Path, folder: Path) -> Path:
    """A private copy of a synced warehouse (tests that write to it do not disturb others)."""
    path = folder / "copy.duckdb"
    shutil.copyfile(template, path)
    return path


def rows(con: duckdb.DuckDBPyConnection, table: str, where: str = "true", params: list[Any] | None = None):
    """Rows of a warehouse table as dicts (as the reconciliation hands them to the builders)."""
    cur = con.execute(f'SELECT * FROM "{table}" WHERE {where}', params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
