"""The warehouse sync against the in-process emulator: counts, sums, types, faults, one writer."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import orjson
import pytest

from afas.emulator.core import Emulator
from afas.profit.client import ProfitClient
from afas.profit.connectors import GET_CONNECTORS
from afas.warehouse.schema import column_type, quote_ident
from afas.warehouse.sync import CONNECTOR_IDS, SyncAlreadyRunning, SyncProgress, rows_array, sync, writer_lock
from tests.conftest import make_client

MASTER = ["Profit_Accounts", "Profit_Debtor", "Profit_Creditor", "Profit_VAT_code"]


def _store(emulator: Emulator, sql: str) -> list[tuple]:
    cur = emulator.store.cursor()
    try:
        return cur.execute(sql).fetchall()
    finally:
        cur.close()


def _db(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _transactions_figures(db: Path) -> tuple:
    return _db(db, 'SELECT count(*), sum(AmtDebit), sum(AmtCredit) FROM "Profit_Transactions"')[0]


def test_transactions_and_master_data_equal_the_emulator(tmp_path, emulator, client):
    db = tmp_path / "w.duckdb"
    seen: list[SyncProgress] = []
    results = sync(db, client, ["Profit_Transactions", *MASTER], progress=seen.append)
    assert [r.status for r in results] == ["ok"] * 5
    assert (
        _transactions_figures(db)
        == _store(emulator, "SELECT count(*), sum(amt_debit), sum(amt_credit) FROM entry_line")[0]
    )
    for connector, table in zip(MASTER, ["account", "debtor", "creditor", "vat_code"], strict=True):
        assert _db(db, f"SELECT count(*) FROM {quote_ident(connector)}") == _store(
            emulator, f"SELECT count(*) FROM {table}"
        )
    assert _db(db, 'SELECT sum(CreditLimit) FROM "Profit_Debtor"') == _store(
        emulator, "SELECT sum(credit_limit) FROM debtor"
    )
    tx = [s for s in seen if s.connector == "Profit_Transactions"]
    assert tx[-1].rows == results[0].rows and [s.pages for s in tx] == list(range(1, len(tx) + 1))
    assert {s.estimate for s in seen} == {None}  # a first sync cannot know how many rows to expect
    runs = _db(db, "SELECT connector, status, rows, error FROM sync_runs ORDER BY connector")
    assert [(c, s, e) for c, s, _, e in runs] == sorted((r.connector, "ok", None) for r in results)
    again: list[SyncProgress] = []
    sync(db, client, ["Profit_Debtor"], progress=again.append)
    assert again[-1].estimate == results[2].rows and again[-1].fraction == 1.0


def test_every_connector_has_the_rows_afas_returns(tmp_path, client):
    db = tmp_path / "w.duckdb"
    results = sync(db, client)
    assert [r.connector for r in results] == [s.id for s in GET_CONNECTORS]
    assert all(r.status == "ok" for r in results)
    for spec in GET_CONNECTORS:
        body = orjson.loads(client._get(f"connectors/{spec.id}", {"skip": "-1", "take": "-1"}).content)
        assert _db(db, f"SELECT count(*) FROM {quote_ident(spec.id)}")[0][0] == len(body["rows"]), spec.id


def test_types_are_decimal_and_dates_without_time_zone_shift(tmp_path, emulator, client):
    db = tmp_path / "w.duckdb"
    sync(db, client, ["Profit_Transactions", "Profit_Debtor"])
    types = dict(
        _db(
            db,
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?",
            ["Profit_Transactions"],
        )
    )
    assert types["AmtDebit"] == types["AmtCredit"] == "DECIMAL(18,2)"
    assert types["EntryDate"] == "DATE" and types["Created"] == "TIMESTAMP" and types["UnitId"] == "BIGINT"
    ours = set(
        _db(
            db,
            "SELECT UnitId, EntryNo, SeqNo, EntryDate, Created, Modified, AmtDebit FROM Profit_Transactions",
        )
    )
    theirs = set(
        _store(
            emulator,
            "SELECT unit, entry_no, seq_no, entry_date, created, modified, amt_debit FROM entry_line",
        )
    )
    assert ours == theirs
    sample = next(iter(ours))
    assert isinstance(sample[3], dt.date) and isinstance(sample[4], dt.datetime)
    assert isinstance(sample[6], Decimal)
    debtors = set(_db(db, 'SELECT DebtorId, CreateDate, ModifiedDate FROM "Profit_Debtor"'))
    assert debtors == set(_store(emulator, "SELECT debtor_id, created, modified FROM debtor"))


def test_a_503_mid_sync_is_waited_out(tmp_path, emulator):
    db = tmp_path / "w.duckdb"
    sleeps: list[float] = []
    fired = []

    def progress(p: SyncProgress) -> None:
        if p.pages == 1:
            fired.append(
                emulator.add_fault("error503", connector="Profit_Transactions", times=2, retry_after=7)
            )

    with make_client(emulator, sleep=sleeps.append) as client:
        results = sync(db, client, ["Profit_Transactions"], progress=progress)
    assert results[0].status == "ok" and fired
    assert sum(1 for k, *_ in emulator.faults.fired if k == "error503") == 2
    assert sleeps.count(7) == 2
    assert (
        _transactions_figures(db)
        == _store(emulator, "SELECT count(*), sum(amt_debit), sum(amt_credit) FROM entry_line")[0]
    )


def _change_data(emulator: Emulator, n: int = 3) -> None:
    """A bookkeeper deletes ``n`` entries in Profit (their booking days are marked as changed)."""
    entries = _store(
        emulator, f"SELECT DISTINCT entry_no FROM entry_line WHERE unit = 1 ORDER BY 1 LIMIT {n}"
    )
    assert emulator.delete_entries(1, [e for (e,) in entries]) > 0


@pytest.mark.parametrize("full", [True, False], ids=["full", "incremental"])
def test_a_401_mid_sync_leaves_the_previous_snapshot(tmp_path, emulator, client, full):
    db = tmp_path / "w.duckdb"
    assert sync(db, client, ["Profit_Transactions"])[0].status == "ok"
    first = _transactions_figures(db)
    _change_data(emulator, 3 if full else 40)  # incremental: more changed days than requests in flight
    assert _store(emulator, "SELECT count(*) FROM entry_line")[0][0] < first[0]
    token = emulator.tokens[emulator.token_data]

    def progress(p: SyncProgress) -> None:
        emulator.tokens.pop(emulator.token_data, None)

    results = sync(db, client, ["Profit_Transactions", "Profit_Debtor"], progress=progress, full=full)
    emulator.add_token(token)
    # Profit_Debtor runs beside it: it may have finished before the token went, failed, or (had it
    # not started yet when the first one failed) not run at all
    assert [r.connector for r in results][:1] == ["Profit_Transactions"]
    assert [r.connector for r in results[1:]] in ([], ["Profit_Debtor"])
    assert results[0].status == "failed"
    assert results[0].error and "\n" not in results[0].error
    assert _transactions_figures(db) == first
    runs = _db(db, "SELECT connector, status, error FROM sync_runs WHERE connector = 'Profit_Transactions'")
    assert runs[-1] == ("Profit_Transactions", "failed", results[0].error)
    assert emulator.token_data not in results[0].error
    assert "Profit_Transactions__staging" not in {t for (t,) in _db(db, "SHOW TABLES")}


def test_a_500_is_recorded_with_its_reason(tmp_path, emulator, client):
    db = tmp_path / "w.duckdb"
    emulator.add_fault("error500", connector="Profit_Debtor")
    results = sync(db, client, ["Profit_Accounts", "Profit_Debtor", "Profit_Creditor"])
    # side by side: a connector under way when one fails finishes, one not started yet does not start
    assert [(r.connector, r.status) for r in results][:2] == [
        ("Profit_Accounts", "ok"),
        ("Profit_Debtor", "failed"),
    ]
    assert [(r.connector, r.status) for r in results[2:]] in ([], [("Profit_Creditor", "ok")])
    assert _db(db, "SELECT status, error FROM sync_runs WHERE connector = 'Profit_Debtor'") == [
        ("failed", results[1].error)
    ]
    assert "Profit_Debtor" not in {t for (t,) in _db(db, "SHOW TABLES")}


def test_a_connector_whose_metainfo_fails_is_recorded_failed_and_the_rest_synced(
    tmp_path, emulator, monkeypatch
):
    """Its run is recorded (with AFAS's reason) although it failed before its run was opened."""
    from afas.profit.errors import AfasError

    db = tmp_path / "w.duckdb"
    with make_client(emulator) as client:
        real = client.get_metainfo

        def refuse_debtor(connector_id: str):  # noqa: ANN202
            if connector_id == "Profit_Debtor":
                raise AfasError("Profit_Debtor: metainfo refused by AFAS (test)")
            return real(connector_id)

        monkeypatch.setattr(client, "get_metainfo", refuse_debtor)
        results = sync(db, client, ["Profit_Accounts", "Profit_Debtor"])
    assert [(r.connector, r.status) for r in results] == [
        ("Profit_Accounts", "ok"),
        ("Profit_Debtor", "failed"),
    ]
    assert _db(db, "SELECT status, error FROM sync_runs WHERE connector = 'Profit_Debtor'") == [
        ("failed", "Profit_Debtor: metainfo refused by AFAS (test)")
    ]
    assert {t for (t,) in _db(db, "SHOW TABLES")} >= {"Profit_Accounts"}
    assert "Profit_Debtor" not in {t for (t,) in _db(db, "SHOW TABLES")}


def test_no_connector_starts_after_one_failed(tmp_path, emulator):
    db = tmp_path / "w.duckdb"
    emulator.add_fault("error500", connector="Profit_Debtor")
    with make_client(emulator, max_in_flight=1) as one_at_a_time:
        results = sync(db, one_at_a_time, ["Profit_Accounts", "Profit_Debtor", "Profit_Creditor"])
    assert [(r.connector, r.status) for r in results] == [
        ("Profit_Accounts", "ok"),
        ("Profit_Debtor", "failed"),
    ]
    assert _db(db, "SELECT connector FROM sync_runs ORDER BY run_id") == [
        ("Profit_Accounts",),
        ("Profit_Debtor",),
    ]
    assert "Profit_Debtor" not in {t for (t,) in _db(db, "SHOW TABLES")}


def test_cancelling_keeps_the_previous_snapshot(tmp_path, emulator, client):
    db = tmp_path / "w.duckdb"
    sync(db, client, ["Profit_Transactions"])
    first = _transactions_figures(db)
    _change_data(emulator)

    def progress(p: SyncProgress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync(db, client, ["Profit_Transactions"], progress=progress)
    assert _transactions_figures(db) == first
    assert _db(db, "SELECT status, error FROM sync_runs ORDER BY run_id DESC LIMIT 1") == [
        ("failed", "The sync was cancelled; the previous data is unchanged.")
    ]
    assert not list(tmp_path.glob(".w.duckdb.sync-*"))


def test_a_second_writer_is_told_a_sync_is_running(tmp_path, client: ProfitClient):
    db = tmp_path / "w.duckdb"
    with writer_lock(db), pytest.raises(SyncAlreadyRunning) as refused:
        sync(db, client, ["Profit_Accounts"])
    assert re.fullmatch(
        rf"A sync of w\.duckdb is already running \(process {os.getpid()} on .+, since \d\d:\d\d:\d\d\)\.",
        str(refused.value),
    )
    assert "Wait for it to finish" in refused.value.hint
    assert sync(db, client, ["Profit_Accounts"])[0].status == "ok"


def test_a_run_left_running_by_a_killed_sync_is_marked_failed(tmp_path, client):
    db = tmp_path / "w.duckdb"
    sync(db, client, ["Profit_Accounts"])
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE sync_runs SET status = 'running', finished = NULL")
    (tmp_path / ".w.duckdb.sync-leftover").mkdir()
    sync(db, client, ["Profit_Currency"])
    assert _db(db, "SELECT status FROM sync_runs ORDER BY run_id") == [("failed",), ("ok",)]
    assert not (tmp_path / ".w.duckdb.sync-leftover").exists()


def test_the_token_is_not_in_the_database(tmp_path, emulator, client):
    db = tmp_path / "w.duckdb"
    sync(db, client, MASTER)
    cols = {
        c
        for (c,) in _db(
            db,
            "SELECT column_name FROM duckdb_columns() WHERE table_name IN "
            "('sync_runs', 'connection_profiles')",
        )
    }
    assert not any("token" in c.lower() for c in cols)
    assert emulator.token_data.encode() not in db.read_bytes()


@pytest.mark.parametrize(
    ("data_type", "decimals", "field_id", "expected"),
    [
        ("string", 0, "Description", "VARCHAR"),
        ("blob", 0, "Image", "VARCHAR"),
        ("int", 0, "UnitId", "BIGINT"),
        ("decimal", 2, "AmtDebit", "DECIMAL(18, 2)"),
        ("decimal", 14, "Rate", "DECIMAL(18, 10)"),
        ("decimal", -1, "Odd", "DECIMAL(18, 0)"),
        ("boolean", 0, "Blocked", "BOOLEAN"),
        ("date", 0, "EntryDate", "DATE"),
        ("date", 0, "Created", "TIMESTAMP"),
        ("date", 0, "ModifiedDate", "TIMESTAMP"),
        ("date", 0, "DateModified", "TIMESTAMP"),
    ],
)
def test_column_type(data_type, decimals, field_id, expected):
    assert column_type(data_type, decimals, field_id) == expected


def test_quote_ident_escapes_quotes():
    assert quote_ident('a"b') == '"a""b"'


@pytest.mark.parametrize(
    "body",
    [
        b'{"skip":0,"take":2,"rows":[{"a":"x]\\"rows\\":[","b":1.50}]}',
        b'{"rows":[{"a":"x]\\"rows\\":[","b":1.50}],"skip":0,"take":2}',
        b'{ "skip": 0, "rows": [{"a":"x]\\"rows\\":[","b":1.50}] }',
        b'{"rows":[{"a":"x]\\"rows\\":[","b":1.50}],"note":"]"}',
    ],
)
def test_rows_array_cuts_the_envelope_or_falls_back(body):
    assert orjson.loads(rows_array(body)) == [{"a": 'x]"rows":[', "b": 1.5}]


def test_rows_array_keeps_afas_bytes_and_handles_empty_pages():
    assert rows_array(b'{"skip":0,"take":100,"rows":[{"AmtDebit":21.00}]}') == b'[{"AmtDebit":21.00}]'
    assert rows_array(b'{"skip":0,"take":100,"rows":[]}') == b"[]"
    assert rows_array(b"") == b"[]"


def test_a_connector_without_rows_becomes_an_empty_typed_table(tmp_path, emulator, client):
    with emulator.store.write() as cur:
        cur.execute("DELETE FROM entry_alloc")
        cur.execute("DELETE FROM entry_line")
    db = tmp_path / "w.duckdb"
    assert sync(db, client, ["Profit_Transactions"])[0].rows == 0
    assert _db(db, 'SELECT count(*) FROM "Profit_Transactions"') == [(0,)]
    types = dict(
        _db(
            db, "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'Profit_Transactions'"
        )
    )
    assert types["AmtDebit"] == "DECIMAL(18,2)" and types["EntryDate"] == "DATE"


def test_amounts_too_large_to_load_exactly_fail_the_run(tmp_path, emulator, client):
    db = tmp_path / "w.duckdb"
    sync(db, client, ["Profit_Transactions"])
    first = _transactions_figures(db)
    with emulator.store.write() as cur:
        cur.execute("UPDATE entry_line SET amt_debit = 12345678901234.56 WHERE entry_no = 1 AND seq_no = 1")
    results = sync(db, client, ["Profit_Transactions"], full=True)
    assert results[0].status == "failed" and "too large to load exactly" in results[0].error
    assert _transactions_figures(db) == first


def test_stopping_from_the_dashboard_counts_as_cancelled(tmp_path, client):
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    db = tmp_path / "w.duckdb"

    def progress(p: SyncProgress) -> None:
        raise StopException()

    with pytest.raises(StopException):
        sync(db, client, ["Profit_Transactions"], progress=progress)
    assert _db(db, "SELECT status, error FROM sync_runs") == [
        ("failed", "The sync was cancelled; the previous data is unchanged.")
    ]


def test_connectors_sync_side_by_side(tmp_path, emulator, client):
    """One connector's requests held up in AFAS do not hold up the next connector: it is synced and
    swapped in while the first still waits."""
    import threading
    import time

    from afas.warehouse.db import connection

    db = tmp_path / "w.duckdb"
    emulator.add_fault("latency", connector="Profit_Accounts", times=None, latency_ms=120_000)
    done: list = []
    worker = threading.Thread(
        target=lambda: done.append(sync(db, client, ["Profit_Accounts", "Profit_Debtor"]))
    )
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if db.exists():
                with connection(db) as con:
                    states = dict(con.execute("SELECT connector, status FROM sync_runs").fetchall())
                if states.get("Profit_Debtor") == "ok":
                    break
            time.sleep(0.05)
        assert states == {"Profit_Accounts": "running", "Profit_Debtor": "ok"}
    finally:
        emulator.faults.clear()  # lets the held requests go at once
        worker.join(timeout=60)
    assert [(r.connector, r.status) for r in done[0]] == [("Profit_Accounts", "ok"), ("Profit_Debtor", "ok")]


def test_never_more_calls_in_flight_than_afas_allows(tmp_path, emulator):
    """All connectors side by side, each with its page streams: AFAS still sees at most the
    client's max_in_flight calls at once."""
    import threading

    from afas.emulator.transport import EmulatorTransport

    class Counting(EmulatorTransport):
        def __init__(self, em: Emulator) -> None:
            super().__init__(em)
            self.now = self.most = 0
            self.lock = threading.Lock()

        def handle_request(self, request):  # noqa: ANN001, ANN201
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            try:
                return super().handle_request(request)
            finally:
                with self.lock:
                    self.now -= 1

    transport = Counting(emulator)
    emulator.add_fault("latency", times=None, latency_ms=20)
    with make_client(emulator, max_in_flight=3, transport=transport) as three:
        results = sync(tmp_path / "w.duckdb", three)
    assert [(r.connector, r.status) for r in results] == [(cid, "ok") for cid in CONNECTOR_IDS]
    assert 1 <= transport.most <= 3


def test_the_sync_keeps_afas_labels_in_the_language_it_asked_in(tmp_path, emulator):
    """A Dutch sync keeps metainfo's Dutch labels; an English reader then gets them too (no English
    sync asked for English ones), until an English sync adds its own; an unknown field keeps its id."""
    from afas.i18n import Language
    from afas.warehouse.db import connection
    from afas.warehouse.labels import field_labels

    db = tmp_path / "w.duckdb"
    fields = ["DebtorId", "PayCon", "NotAField"]
    with make_client(emulator, language="nl-nl") as client:
        sync(db, client, ["Profit_Debtor"])
    with connection(db) as con:
        assert field_labels(con, "Profit_Debtor", fields, Language.NL) == {
            "DebtorId": "Nummer debiteur",
            "PayCon": "Betalingsvoorwaarde",
            "NotAField": "NotAField",
        }
        assert field_labels(con, "Profit_Debtor", fields, Language.EN)["PayCon"] == "Betalingsvoorwaarde"
        assert field_labels(con, "Profit_Creditor", ["CreditorId"], Language.NL) == {
            "CreditorId": "CreditorId"
        }
    with make_client(emulator, language="en-us") as client:
        sync(db, client, ["Profit_Debtor"])
    with connection(db) as con:
        assert field_labels(con, "Profit_Debtor", fields, Language.EN)["PayCon"] == "Payment condition"
        assert field_labels(con, "Profit_Debtor", fields, Language.NL)["PayCon"] == "Betalingsvoorwaarde"
