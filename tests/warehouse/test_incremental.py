"""Incremental refresh of journal lines: only the entry dates AFAS reports as changed are replaced."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from afas.emulator.core import Emulator
from afas.warehouse.schema import quote_ident
from afas.warehouse.sync import sync
from tests.conftest import make_client

LINES = ("Profit_Transactions", "Profit_Transactions_Allocated")


def _rows(db: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(db)) as con:
        return sorted(con.execute(f"SELECT * FROM {quote_ident(table)}").fetchall(), key=repr)


def _store(emulator: Emulator, sql: str, params: list | None = None) -> list[tuple]:
    return emulator.store.cursor().execute(sql, params or []).fetchall()


def _memorial(amount: str, day: str, description: str) -> dict:
    def line(account: str, debit: str, credit: str) -> dict:
        return {
            "Fields": {
                "VaAs": "1",
                "AcNr": account,
                "EnDa": day,
                "BpDa": day,
                "AmDe": debit,
                "AmCr": credit,
                "Ds": description,
            }
        }

    fields = {"Year": day[:4], "Peri": str(int(day[5:7])), "UnId": "1", "JoCo": "80"}
    lines = [line("0100", amount, "0"), line("0200", "0", amount)]
    return {"FiEntryPar": {"Element": {"Fields": fields, "Objects": {"FiEntries": {"Element": lines}}}}}


def _changed_dates_requested(emulator: Emulator, since: int) -> list[str]:
    """The EntryDate filter values of the Profit_Transactions calls made after request ``since``."""
    dates = []
    for method, target, _status in emulator.requests[since:]:
        parts = urlsplit(target)
        if method == "GET" and parts.path.endswith("/connectors/Profit_Transactions"):
            q = parse_qs(parts.query)
            fields = q.get("filterfieldids", [""])[0].split(",")
            values = q.get("filtervalues", [""])[0].split(",")
            dates += [v for f, v in zip(fields, values, strict=False) if f == "EntryDate"]
    return dates


@pytest.fixture
def emulator() -> Emulator:
    # a clock that moves on a minute per reading, so every change has its own Modified moment
    ticks = iter(range(10**6))
    start = dt.datetime(2026, 11, 25, 9, 0)
    return Emulator(seed=7, transactions=400, clock=lambda: start + dt.timedelta(minutes=next(ticks)))


def test_incremental_refresh_after_posts_edits_and_deletes_equals_a_full_refresh(tmp_path, emulator):
    db, reference = tmp_path / "w.duckdb", tmp_path / "full.duckdb"
    with make_client(emulator) as client:
        first = sync(db, client, LINES)
        assert [(r.status, r.mode) for r in first] == [("ok", "full")] * 2
        watermark = _store(emulator, "SELECT max(modified) FROM changed_entry_date")[0][0]

        posted = client.insert("FiEntries", _memorial("125.50", "2026-11-20", "Correctie huur"))
        assert posted.keys.get("EnNo")
        entries = _store(
            emulator, "SELECT DISTINCT entry_no FROM entry_line WHERE unit = 1 ORDER BY 1 LIMIT 2"
        )
        emulator.delete_entries(1, [entries[0][0]])
        moved = _store(
            emulator, "SELECT entry_no, seq_no, entry_date FROM entry_line WHERE unit = 2 LIMIT 1"
        )[0]
        emulator.edit_entry_line(
            2, moved[0], moved[1], entry_date=dt.date(2026, 1, 15), description="Verplaatst"
        )
        emulator.edit_entry_line(1, entries[1][0], 1, description="Omschrijving aangepast")

        before = len(emulator.requests)
        second = sync(db, client, LINES)
        assert [(r.status, r.mode) for r in second] == [("ok", "incremental")] * 2
        assert sync(reference, client, LINES, full=True)[0].mode == "full"

    for table in LINES:
        assert _rows(db, table) == _rows(reference, table)
    # only the changed booking days were fetched: the post, the delete, both days of the move and the
    # edit, plus the last day already seen (a change in that same second would otherwise be missed)
    since = "SELECT entry_date FROM changed_entry_date WHERE modified >= ?"
    changed = {d.isoformat() for (d,) in _store(emulator, since, [watermark])}
    requested = {v[:10] for v in _changed_dates_requested(emulator, before)}
    assert requested == changed and 4 <= len(changed) <= 6
    assert second[0].rows < first[0].rows / 4
    with duckdb.connect(str(db)) as con:
        modes = con.execute("SELECT connector, mode FROM sync_runs ORDER BY run_id").fetchall()
    assert sorted(modes[-2:]) == sorted((c, "incremental") for c in LINES)  # the two side by side


def test_nothing_changed_means_only_the_last_seen_day_is_fetched_again(tmp_path, emulator):
    db = tmp_path / "w.duckdb"
    with make_client(emulator) as client:
        sync(db, client, ["Profit_Transactions"])
        before_rows = _rows(db, "Profit_Transactions")
        before = len(emulator.requests)
        (result,) = sync(db, client, ["Profit_Transactions"])
    last_day = _store(emulator, "SELECT entry_date FROM changed_entry_date ORDER BY modified DESC LIMIT 1")[
        0
    ][0]
    on_that_day = _store(emulator, "SELECT count(*) FROM entry_line WHERE entry_date = ?", [last_day])[0][0]
    assert (result.status, result.mode, result.rows) == ("ok", "incremental", on_that_day)
    assert {v[:10] for v in _changed_dates_requested(emulator, before)} == {last_day.isoformat()}
    assert _rows(db, "Profit_Transactions") == before_rows


def test_another_administration_or_full_flag_means_a_full_refresh(tmp_path, emulator):
    db = tmp_path / "w.duckdb"
    with make_client(emulator) as client:
        assert sync(db, client, ["Profit_Transactions"], administration=1)[0].mode == "full"
        assert sync(db, client, ["Profit_Transactions"], administration=1)[0].mode == "incremental"
        assert sync(db, client, ["Profit_Transactions"], administration=2)[0].mode == "full"
        assert sync(db, client, ["Profit_Transactions"], administration=2, full=True)[0].mode == "full"
    units = {
        u
        for (u,) in duckdb.connect(str(db))
        .execute('SELECT DISTINCT UnitId FROM "Profit_Transactions"')
        .fetchall()
    }
    assert units == {2}


def test_incremental_per_administration_replaces_only_that_administration(tmp_path, emulator):
    db, reference = tmp_path / "w.duckdb", tmp_path / "full.duckdb"
    with make_client(emulator) as client:
        sync(db, client, ["Profit_Transactions"], administration=1)
        open_day = (
            "SELECT max(l.entry_date) FROM entry_line l JOIN period p USING (unit, year, period) "
            "WHERE l.unit = 1 AND NOT p.blocked"
        )
        day = _store(emulator, open_day)[0][0]
        client.insert("FiEntries", _memorial("10.00", day.isoformat(), "Zelfde dag"))
        assert sync(db, client, ["Profit_Transactions"], administration=1)[0].mode == "incremental"
        sync(reference, client, ["Profit_Transactions"], administration=1, full=True)
    assert _rows(db, "Profit_Transactions") == _rows(reference, "Profit_Transactions")
