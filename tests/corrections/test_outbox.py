"""The outbox against the emulator: one posting per approved item, whatever goes wrong on the way."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import duckdb
import httpx
import pytest

from afas.corrections.entries import amount_difference, entry_for_ledger_line
from afas.corrections.masterdata import relation_for_missing, relation_update_for_difference
from afas.corrections.outbox import NotValid, Outbox
from afas.corrections.payloads import request_for
from afas.corrections.plans import DimCodeInsertItem, RelationInsertItem
from afas.emulator.core import Emulator
from afas.emulator.transport import EmulatorTransport
from afas.profit.client import ProfitClient
from afas.profit.environment import Environment
from afas.profit.token import ProfitToken
from tests.conftest import EMULATOR_URL, make_client
from tests.corrections import DEFAULTS, fresh_emulator, rows, synced_copy, warehouse

D = Decimal
NOW = dt.datetime(2026, 1, 5, 10, 30)
OPEN = dt.date(2025, 11, 3)


class Crash(Exception):
    pass


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return warehouse(tmp_path_factory.mktemp("outbox"))


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    return synced_copy(template, tmp_path)


@pytest.fixture
def emulator() -> Emulator:
    return fresh_emulator()


@pytest.fixture
def client(emulator: Emulator) -> ProfitClient:
    with make_client(emulator) as c:
        yield c


@pytest.fixture
def con(db: Path) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(str(db))
    yield c
    c.close()


def sale(amount: str = "-125.50", day: dt.date = OPEN):  # noqa: ANN201
    return entry_for_ledger_line(
        DEFAULTS,
        entry_date=day,
        account="8000",
        amount=D(amount),
        description="Missing sale",
        allocation="WEST",
    )


def afas_entries(emulator: Emulator, voucher: str) -> list[int]:
    cur = emulator.store.cursor()
    try:
        found = cur.execute(
            "SELECT DISTINCT entry_no FROM entry_line WHERE voucher_no = ? ORDER BY 1", [voucher]
        ).fetchall()
    finally:
        cur.close()
    return [r[0] for r in found]


def posts(emulator: Emulator) -> int:
    return sum(1 for method, path, _ in emulator.requests if method == "POST")


def test_approving_records_who_when_what_and_a_reference(con):
    box = Outbox(con, clock=lambda: NOW, namespace="T1")
    row = box.approve(sale(), approver="anna")
    assert (row.state, row.approved_by, row.approved_at, row.kind) == ("approved", "anna", NOW, "entry")
    assert row.reference == f"KCT1-{row.item_id:06d}"
    line = row.request_body["FiEntryPar"]["Element"]["Objects"][0]["FiEntries"]["Element"][0]["Fields"]
    assert line["BpNr"] == row.reference
    assert len(row.fingerprint) == 64
    events = con.execute("SELECT event, actor, reference FROM correction_audit").fetchall()
    assert events == [("approved", "anna", row.reference)]
    with pytest.raises(NotValid, match="period 3 of the year 2025 is blocked"):
        box.approve(sale(day=dt.date(2025, 3, 3)), approver="anna")
    with pytest.raises(ValueError, match="approver"):
        box.approve(sale(), approver=" ")
    own = box.approve(replace(sale(), voucher_no="MB25000001"), approver="anna")  # a number AFAS already has
    assert own.reference == f"KCT1-{own.item_id:06d}"


def test_send_commits_sending_first_then_confirms_with_afas_keys(con, emulator, client):
    box = Outbox(con, clock=lambda: NOW)
    row = box.approve(sale(), approver="anna")
    seen: list[str] = []
    real_insert = client.insert

    def insert(connector, body):  # noqa: ANN001, ANN202
        seen.append(con.cursor().execute("SELECT state FROM correction_items").fetchone()[0])
        return real_insert(connector, body)

    client.insert = insert  # type: ignore[method-assign]
    out = box.send(row.item_id, client)
    assert seen == ["sending"]  # committed before the request went out
    (entry_no,) = afas_entries(emulator, row.reference)
    assert (out.state, out.keys["EnNo"], out.keys["UnId"]) == ("confirmed", str(entry_no), "1")
    assert box.get(row.item_id).result_keys == out.keys
    events = con.execute(
        "SELECT event, status, result_keys FROM correction_audit ORDER BY audit_id"
    ).fetchall()
    assert [e[0] for e in events] == ["approved", "sending", "confirmed"]
    assert events[2][1] == 201 and str(entry_no) in events[2][2]
    assert (
        box.send(row.item_id, client).state == "confirmed" and len(afas_entries(emulator, row.reference)) == 1
    )


def test_afas_rejection_is_kept_word_for_word(con, emulator, client):
    box = Outbox(con)
    row = box.approve(sale(day=dt.date(2025, 3, 3)), approver="anna", validate=False)
    out = box.send(row.item_id, client)
    assert out.state == "rejected"
    assert out.message == "For this administration, period 3 of the year 2025 is blocked."
    assert afas_entries(emulator, row.reference) == []
    assert box.send(row.item_id, client).state == "rejected" and posts(emulator) == 1


def test_lost_response_is_unknown_until_resolved_and_never_resent(con, emulator, client):
    box = Outbox(con)
    row = box.approve(sale(), approver="anna")
    emulator.add_fault("lost_response", connector="FiEntries", method="POST", times=1)
    out = box.send(row.item_id, client)
    assert out.state == "unknown" and "resolve" in out.message
    assert box.send(row.item_id, client).state == "unknown" and posts(emulator) == 1  # no blind resend
    resolved = box.resolve(row.item_id, client)
    (entry_no,) = afas_entries(emulator, row.reference)
    assert (resolved.state, resolved.keys["EnNo"]) == ("confirmed", str(entry_no))
    assert posts(emulator) == 1


@pytest.mark.parametrize("fault", ["drop", "error500", "error503"])
def test_faults_before_processing_resolve_back_to_approved_and_send_once(con, emulator, client, fault):
    box = Outbox(con)
    row = box.approve(sale(), approver="anna")
    emulator.add_fault(fault, connector="FiEntries", method="POST", times=1)
    assert box.send(row.item_id, client).state == "unknown"
    back = box.resolve(row.item_id, client)
    assert (
        back.state == "approved"
        and back.message == "Not found in AFAS: nothing was posted; safe to send again."
    )
    assert box.send(row.item_id, client).state == "confirmed"
    assert len(afas_entries(emulator, row.reference)) == 1


@pytest.mark.parametrize(
    ("point", "after_restart"), [("after_request", "confirmed"), ("before_request", "approved")]
)
def test_a_crash_while_sending_survives_a_restart(db, emulator, client, point, after_restart):
    def crash(at: str, item_id: int) -> None:
        if at == point:
            raise Crash(at)

    con = duckdb.connect(str(db))
    row = Outbox(con, hook=crash).approve(sale(), approver="anna")
    with pytest.raises(Crash):
        Outbox(con, hook=crash).send(row.item_id, client)
    con.close()  # the process dies here
    con = duckdb.connect(str(db))
    box = Outbox(con)  # restart
    assert box.get(row.item_id).state == "sending"
    assert box.recover() == [row.item_id]
    assert box.get(row.item_id).state == "unknown"
    assert box.resolve(row.item_id, client).state == after_restart
    assert box.send(row.item_id, client).state == "confirmed"
    assert len(afas_entries(emulator, row.reference)) == 1 and posts(emulator) == 1
    con.close()


def test_changed_afas_rows_stop_the_item_with_the_reason(con, emulator, client):
    source = rows(con, "Profit_Transactions", "UnitId = 1 AND EntryNo = 17")
    item = amount_difference(DEFAULTS, source, seq_no=2, ledger_amount=D("-350.00"), entry_date=OPEN)
    box = Outbox(con)
    row = box.approve(item, approver="anna")
    emulator.edit_entry_line(1, 17, 2, description="changed in Profit meanwhile")
    out = box.send(row.item_id, client)
    assert out.state == "stale"
    assert (
        "changed after it was approved (Profit_Transactions where UnitId = 1 and EntryNo = 17)" in out.message
    )
    assert posts(emulator) == 0


def test_unchanged_rows_pass_the_fingerprint_check(con, emulator, client):
    source = rows(con, "Profit_Transactions", "UnitId = 1 AND EntryNo = 17")
    item = amount_difference(
        DEFAULTS, source, seq_no=2, ledger_amount=D("-350.00"), entry_date=OPEN, mode="reverse_and_rebook"
    )
    box = Outbox(con)
    row = box.approve(item, approver="anna")
    assert box.send(row.item_id, client).state == "confirmed"


def test_an_item_already_in_afas_is_confirmed_without_posting_again(con, emulator, client):
    box = Outbox(con)
    row = box.approve(sale(), approver="anna")
    client.insert("FiEntries", row.request_body)  # e.g. a run that crashed before it recorded 'sending'
    out = box.send(row.item_id, client)
    assert out.state == "confirmed" and posts(emulator) == 1
    assert [e for (e,) in con.execute("SELECT event FROM correction_audit").fetchall()][
        -1
    ] == "found_before_send"


def test_relations_are_referenced_by_their_number(con, emulator, client):
    box = Outbox(con)
    customer = box.approve(
        relation_for_missing(DEFAULTS, sales=True, name="Nieuwe Klant B.V."), approver="bo"
    )
    supplier = box.approve(
        relation_for_missing(DEFAULTS, sales=False, name="Jansen", first_name="Piet"), approver="bo"
    )
    assert (customer.reference, supplier.reference) == ("50010", "60050")  # after the highest numbers synced
    emulator.add_fault("lost_response", connector="KnSalesRelationOrg", method="POST", times=1)
    assert box.send(customer.item_id, client).state == "unknown"
    done = box.resolve(customer.item_id, client)
    assert (done.state, done.keys["DbId"]) == ("confirmed", "50010")
    out = box.send(supplier.item_id, client)
    assert (out.state, out.keys["CrId"]) == ("confirmed", "60050")


def test_a_relation_number_taken_meanwhile_is_not_claimed(con, emulator, client):
    box = Outbox(con)
    row = box.approve(relation_for_missing(DEFAULTS, sales=True, name="Ons Nieuw B.V."), approver="bo")
    other = RelationInsertItem(
        sales=True, person=False, name="Iemand Anders", currency="EUR", number=row.reference
    )
    client.insert("KnSalesRelationOrg", request_for(other).body)
    emulator.add_fault("drop", connector="KnSalesRelationOrg", method="POST", times=1)
    out = box.send(row.item_id, client)
    assert out.state == "rejected" and "belongs to 'Iemand Anders'" in out.message


def test_relation_update_and_dim_code(con, emulator, client):
    current = rows(con, "Profit_Debtor", "DebtorId = '10004'")[0]
    change = relation_update_for_difference(
        sales=True, current=current, wanted={"Email": "x@y.nl", "PayCon": "14"}
    )
    box = Outbox(con)
    upd = box.approve(change, approver="bo")
    emulator.add_fault("lost_response", connector="KnSalesRelationOrg", method="PUT", times=1)
    assert box.send(upd.item_id, client).state == "unknown"
    assert box.resolve(upd.item_id, client).state == "confirmed"  # the values are there
    code = box.approve(DimCodeInsertItem(1, "NEW1", "Nieuw"), approver="bo")
    out = box.send(code.item_id, client)
    assert (out.state, out.keys) == ("confirmed", {"AxId": "1", "VbCo": "NEW1"})


def test_a_refused_token_leaves_the_item_approved(con, emulator):
    box = Outbox(con)
    row = box.approve(sale(), approver="anna")
    with make_client(emulator, token="A" * 64) as bad:
        out = box.send(row.item_id, bad)
    assert out.state == "approved" and "401" in out.message
    assert box.get(row.item_id).state == "approved"


def test_the_token_never_reaches_duckdb(con, emulator, client):
    box = Outbox(con)
    for item in (sale(), sale("10.00")):
        box.approve(item, approver="anna")
    emulator.add_fault("error500", connector="FiEntries", method="POST", times=1)
    box.send_all(client)
    box.resolve_all(client)
    box.send_all(client)
    header = base64.b64encode(
        f"<token><version>1</version><data>{emulator.token_data}</data></token>".encode()
    )
    dump = " ".join(
        str(v)
        for table in ("correction_items", "correction_audit", "correction_meta")
        for r in con.execute(f"SELECT * FROM {table}").fetchall()
        for v in r
    )
    assert "AfasToken" not in dump and emulator.token_data not in dump and header.decode() not in dump
    assert [r.state for r in box.items()] == ["confirmed", "confirmed"]


class TimeoutAfterCommit(httpx.BaseTransport):
    """AFAS processes the POST, but the client's read timeout fires before the answer arrives."""

    def __init__(self, emulator: Emulator) -> None:
        self.inner = EmulatorTransport(emulator)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST":
            raise httpx.ReadTimeout("timed out", request=request)
        return response


def test_a_timeout_after_afas_committed_is_resolved_not_resent(con, emulator):
    box = Outbox(con)
    row = box.approve(sale(), approver="anna")
    with ProfitClient(
        Environment.from_base_url(EMULATOR_URL),
        ProfitToken.parse(emulator.token_data),
        transport=TimeoutAfterCommit(emulator),
    ) as slow:
        out = box.send(row.item_id, slow)
        assert out.state == "unknown" and "did not answer in time" in out.message
        assert box.resolve(row.item_id, slow).state == "confirmed"
    assert len(afas_entries(emulator, row.reference)) == 1 and posts(emulator) == 1


def test_two_sessions_opening_a_new_outbox_at_once_share_one_namespace(tmp_path, monkeypatch):
    """The other session's namespace is committed after this one looked and found none, before it
    writes its own (DuckDB refuses the second key): this one looks again and takes theirs."""
    from afas.corrections import outbox as module
    from afas.corrections.schema import ensure_corrections_schema

    path = tmp_path / "w.duckdb"
    first = duckdb.connect(str(path))
    ensure_corrections_schema(first)
    first.execute("BEGIN TRANSACTION")
    first.execute("INSERT INTO correction_meta VALUES ('namespace', 'A1B2C3')")
    chosen: list[str] = []
    token_hex = module.secrets.token_hex

    def choose(n: int) -> str:  # between this session's look and its write, the other one commits
        if not chosen:
            first.execute("COMMIT")
        chosen.append(token_hex(n).upper())
        return chosen[-1]

    monkeypatch.setattr(module.secrets, "token_hex", choose)
    second = duckdb.connect(str(path))
    assert Outbox(second).namespace == "A1B2C3"
    assert chosen  # it had chosen one of its own, and let it go
    assert second.execute("SELECT value FROM correction_meta").fetchall() == [("A1B2C3",)]
    second.close()
    first.close()


def test_a_namespace_refused_again_and_again_is_looked_at_again_until_the_other_one_shows(
    tmp_path, monkeypatch
):
    """While the other session's commit is still under way DuckDB can refuse this session's key
    more than once before the other's row shows: it keeps looking (a short wait each time)."""
    from afas.corrections import outbox as module

    refusals = [duckdb.ConstraintException("Duplicate key"), duckdb.ConstraintException("Duplicate key")]
    plain = module.Outbox._namespace

    def namespace(con: duckdb.DuckDBPyConnection, wanted: str | None) -> str:
        if refusals:
            raise refusals.pop()
        return plain(con, wanted)

    monkeypatch.setattr(module.Outbox, "_namespace", staticmethod(namespace))
    monkeypatch.setattr(module.time, "sleep", lambda s: None)
    assert len(Outbox(duckdb.connect(str(tmp_path / "w.duckdb"))).namespace) == 6
    assert not refusals
