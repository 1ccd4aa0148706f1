"""The incremental refresh at AFAS's second boundary: AFAS keeps Modified with milliseconds, shows it
rounded to the second and filters on the kept value, so a watermark taken from what it shows may lie
half a second after a change made just after it. The emulator behaves so with ``subsecond_timestamps``.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import duckdb
import pytest

from afas.emulator.core import Emulator, EmulatorConfig
from afas.profit.filters import Condition, Filter, Op
from afas.warehouse.sync import sync
from tests.conftest import make_client

TABLE = "Profit_Transactions"
SHOWN = "UnitId, EntryNo, SeqNo, EntryDate, Description, AmtDebit, AmtCredit"
KEPT = "unit, entry_no, seq_no, entry_date, description, amt_debit, amt_credit"


class SteppingClock:
    """A clock that moves on 0 to 700 ms per reading: changes fall in the same second as others."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 9, 0, 0)
        self.rng = random.Random(0)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(milliseconds=self.rng.randint(0, 700))
        return self.now


@pytest.fixture(scope="module")
def world() -> tuple[Emulator, SteppingClock]:
    clock = SteppingClock()
    config = EmulatorConfig(subsecond_timestamps=True)
    return Emulator(seed=11, transactions=300, config=config, clock=clock), clock


def _warehouse(db: Path) -> list[tuple]:
    with duckdb.connect(str(db)) as con:
        return con.execute(f'SELECT {SHOWN} FROM "{TABLE}" ORDER BY ALL').fetchall()


def _afas(emulator: Emulator) -> list[tuple]:
    return emulator.store.cursor().execute(f"SELECT {KEPT} FROM entry_line ORDER BY ALL").fetchall()


def test_the_emulator_keeps_milliseconds_shows_seconds_and_filters_on_what_it_keeps(world):
    emulator, _clock = world
    cur = emulator.store.cursor()
    day, kept = cur.execute(
        "SELECT entry_date, modified FROM changed_entry_date "
        "WHERE millisecond(modified) % 1000 >= 500 ORDER BY modified DESC LIMIT 1"
    ).fetchall()[0]
    shown = (kept + dt.timedelta(milliseconds=500)).replace(microsecond=0)
    assert shown > kept  # rounded up: what AFAS shows lies after what it keeps
    with make_client(emulator) as client:
        row = next(
            r
            for r in client.fetch_all("Profit_Fin_ChangedEntrydate", key=("EntryDate",), typed=False)
            if r["EntryDate"].startswith(day.isoformat())
        )
        assert row["Modified"] == f"{shown:%Y-%m-%dT%H:%M:%S}Z"
        at_shown = Filter([[Condition("Modified", Op.GE, shown)]])
        found = client.fetch_all("Profit_Fin_ChangedEntrydate", key=("EntryDate",), filter=at_shown)
        assert day not in {r["EntryDate"].date() for r in found}  # the row of that very second is missed
        same = Filter([[Condition("Modified", Op.EQ, shown)]])
        assert client.fetch_all("Profit_Fin_ChangedEntrydate", key=("EntryDate",), filter=same) == []


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, world) -> Path:
    """One warehouse for the seeds below: a full sync first, then each seed's rounds build on it."""
    emulator, _clock = world
    db = tmp_path_factory.mktemp("boundary") / "w.duckdb"
    with make_client(emulator) as client:
        assert sync(db, client, [TABLE])[0].mode == "full"
    return db


@pytest.mark.parametrize("seed", range(6))
def test_incremental_refresh_misses_no_change_made_in_the_watermarks_second(world, warehouse, seed):
    """Rounds of a few edits, each followed by an incremental sync; after every round the warehouse
    holds what AFAS holds, line for line, with no line twice. (Without the watermark's overlap, most
    of these seeds miss a change within five rounds.)"""
    emulator, clock = world
    clock.rng.seed(seed)
    rng = random.Random(seed)
    lines = (
        emulator.store.cursor()
        .execute("SELECT unit, entry_no, seq_no FROM entry_line ORDER BY ALL")
        .fetchall()
    )
    with make_client(emulator) as client:
        for round_no in range(5):
            for unit, entry_no, seq_no in rng.sample(lines, rng.randint(1, 3)):
                emulator.edit_entry_line(unit, entry_no, seq_no, description=f"s{seed} r{round_no}")
            (result,) = sync(warehouse, client, [TABLE])
            assert (result.status, result.mode) == ("ok", "incremental")
            assert _warehouse(warehouse) == _afas(emulator), f"round {round_no}: a change was missed"
