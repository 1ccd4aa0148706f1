"""Four-eyes for corrections (afas/corrections/batches.py): prepared by one person, approved by
another (two others above the threshold), and only then in the outbox, with every identity in the
audit log; two approvers at once in two sessions make the outbox items once."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from afas.access import AccessConfig, NotAllowed, User
from afas.corrections import batches
from afas.corrections.audit import audit_table, jsonl_bytes
from afas.corrections.batches import BatchState, DecidedMeanwhile
from afas.corrections.entries import entry_for_ledger_line
from afas.corrections.from_recon import in_outbox, waiting_for_approval
from afas.corrections.outbox import NotValid, Outbox
from afas.errors import InputError
from tests.corrections import DEFAULTS, synced_copy, warehouse

D = Decimal
ISSUER = "https://login.example.nl"
CONFIG = AccessConfig.from_mapping(
    {
        "auth": {"client_id": "dashboard"},
        "roles": {
            "preparer": ["anna@example.nl"],
            "approver": ["bert@example.nl", "carla@example.nl"],
            "viewer": ["dave@example.nl"],
        },
        "four_eyes": {"two_approvers_above": "10000.00"},
    }
)


def person(login: str, name: str) -> User:
    return User.signed_in(
        {"sub": f"{login}-id", "iss": ISSUER, "email": f"{login}@example.nl", "name": name}, CONFIG
    )


ANNA, BERT, CARLA, DAVE = (
    person("anna", "Anna de Vries"),
    person("bert", "Bert Jansen"),
    person("carla", "Carla Smit"),
    person("dave", "Dave Visser"),
)


def sale(amount: str, day: dt.date = dt.date(2025, 11, 3)):  # noqa: ANN201
    return entry_for_ledger_line(
        DEFAULTS,
        entry_date=day,
        account="8000",
        amount=D(amount),
        description="Missing sale",
        allocation="WEST",
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return warehouse(tmp_path_factory.mktemp("batches"))


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    return synced_copy(template, tmp_path)


@pytest.fixture
def con(db: Path) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(str(db))
    yield c
    c.close()


def audit(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT item_id, event, actor, actor_email, actor_subject, actor_issuer FROM correction_audit "
        "ORDER BY item_id, audit_id"
    ).fetchall()


def test_a_batch_is_approved_by_another_person_and_only_then_in_the_outbox(con):
    box = Outbox(con, namespace="B1")
    batch = batches.propose(
        box,
        [("sale 1", sale("-125.50")), ("sale 2", sale("125.00"))],
        by=ANNA,
        config=CONFIG,
        description="2 sales",
    )
    assert (batch.state, batch.amount, batch.approvals_needed, batch.items) == ("waiting", D("250.50"), 1, 2)
    assert batch.preparer.same_person(ANNA) and box.items() == []  # nothing a sender could send
    with pytest.raises(NotAllowed, match="needs the approver role; Anna de Vries is preparer"):
        batches.approve(box, batch.batch_id, by=ANNA)
    own = batches.propose(box, [("sale", sale("1.00"))], by=BERT, config=CONFIG, description="his own")
    with pytest.raises(NotAllowed, match="You prepared batch .* yourself, so you cannot approve it too"):
        batches.approve(box, own.batch_id, by=BERT)  # an approver may prepare, not approve his own
    with pytest.raises(NotAllowed, match="needs the approver role; Dave Visser is viewer"):
        batches.approve(box, batch.batch_id, by=DAVE)
    with pytest.raises(NotAllowed, match="needs the preparer role"):
        batches.propose(box, [("sale", sale("1.00"))], by=DAVE, config=CONFIG, description="x")

    done, rows = batches.approve(box, batch.batch_id, by=BERT)
    assert done.state == BatchState.APPROVED and done.approvals_missing == 0
    assert [(r.state, r.approved_by) for r in rows] == [("approved", "Bert Jansen <bert@example.nl>")] * 2
    assert [r.item_id for r in box.items()] == [r.item_id for r in rows]
    first = rows[0].item_id
    assert [a for a in audit(con) if a[0] == first] == [
        (first, "approved", "Bert Jansen", "bert@example.nl", "bert-id", ISSUER),
        (first, "prepared", "Anna de Vries", "anna@example.nl", "anna-id", ISSUER),
    ]
    with pytest.raises(DecidedMeanwhile, match="is approved already"):
        batches.approve(box, batch.batch_id, by=CARLA)
    exported = [json.loads(line) for line in jsonl_bytes(con).splitlines()]
    assert {
        (e["event"], e["actor"], e["actor_email"], e["actor_subject"], e["actor_issuer"]) for e in exported
    } == {
        ("approved", "Bert Jansen", "bert@example.nl", "bert-id", ISSUER),
        ("prepared", "Anna de Vries", "anna@example.nl", "anna-id", ISSUER),
    }
    shown = audit_table(con).table
    assert set(shown["Who"]) == {"Bert Jansen <bert@example.nl>", "Anna de Vries <anna@example.nl>"}


def test_what_the_items_came_from_links_in_the_batch_own_transactions(con, monkeypatch):
    """``propose(then=)`` and the hooks of ``when_decided`` run inside the batch's transactions: when
    they refuse, nothing is prepared, approved or declined."""
    box, seen = Outbox(con, namespace="B6"), []

    def refuse(_c, batch_id):  # noqa: ANN001, ANN202
        seen.append(batch_id)
        raise InputError("the origin moved meanwhile", "reload")

    with pytest.raises(InputError, match="the origin moved"):
        batches.propose(box, [("s", sale("1.00"))], by=ANNA, config=CONFIG, description="x", then=refuse)
    assert len(seen) == 1 and batches.batches(con) == []
    batch = batches.propose(
        box, [("s", sale("1.00"))], by=ANNA, config=CONFIG, description="y", then=lambda c, b: seen.append(b)
    )
    assert seen[-1] == batch.batch_id

    def no(_c, _decision):  # noqa: ANN001, ANN202
        raise InputError("no", "x")

    decisions = []
    monkeypatch.setitem(batches._HOOKS, "test", lambda c, d: decisions.append(d))
    monkeypatch.setitem(batches._HOOKS, "refusing", no)
    with pytest.raises(InputError, match="no"):
        batches.approve(box, batch.batch_id, by=BERT)
    assert box.items() == [] and batches.batches(con, BatchState.WAITING)[0].approvers == ()
    monkeypatch.delitem(batches._HOOKS, "refusing")
    decisions.clear()
    _, (row,) = batches.approve(box, batch.batch_id, by=BERT)
    (approved,) = decisions
    assert approved.state == BatchState.APPROVED and approved.items == ((0, row),)
    assert approved.signatures == BERT.signature and approved.batch.batch_id == batch.batch_id
    other = batches.propose(box, [("s", sale("2.00"))], by=ANNA, config=CONFIG, description="z")
    batches.decline(box, other.batch_id, by=CARLA, reason="not this one")
    assert (decisions[-1].state, decisions[-1].reason, decisions[-1].by) == (
        BatchState.DECLINED,
        "not this one",
        (CARLA,),
    )


def test_above_the_threshold_two_approvers_are_needed_each_another_person(con):
    box = Outbox(con, namespace="B2")
    big = batches.propose(box, [("big", sale("-25000.00"))], by=ANNA, config=CONFIG, description="big")
    assert big.approvals_needed == 2
    half, rows = batches.approve(box, big.batch_id, by=BERT)
    assert (half.state, half.approvals_missing, rows, box.items()) == ("waiting", 1, [], [])
    with pytest.raises(NotAllowed, match="You approved batch .* already; it needs 1 more approval"):
        batches.approve(box, big.batch_id, by=BERT)
    done, rows = batches.approve(box, big.batch_id, by=CARLA)
    assert done.state == "approved" and [u.name for u, _ in done.approvers] == ["Bert Jansen", "Carla Smit"]
    (row,) = rows
    assert row.approved_by == "Bert Jansen <bert@example.nl>, Carla Smit <carla@example.nl>"
    assert sorted((e[1], e[3]) for e in audit(con)) == [
        ("approved", "bert@example.nl"),
        ("approved", "carla@example.nl"),
        ("prepared", "anna@example.nl"),
    ]


def test_a_declined_batch_is_never_sent_and_who_may_decline_it(con):
    box = Outbox(con, namespace="B3")
    one = batches.propose(
        box, [("s", sale("-10.00"))], by=ANNA, config=CONFIG, description="one", origins=[(7, 3)]
    )
    assert waiting_for_approval(con, 7) == {3} and in_outbox(con, 7) == {}  # not offered again meanwhile
    with pytest.raises(NotAllowed, match="needs the approver role"):
        batches.decline(box, one.batch_id, by=DAVE, reason="no")
    with pytest.raises(ValueError, match="Say why"):
        batches.decline(box, one.batch_id, by=BERT, reason="  ")
    declined = batches.decline(box, one.batch_id, by=BERT, reason="wrong account")
    assert (declined.state, declined.reason, declined.decided_by) == (
        "declined",
        "wrong account",
        "Bert Jansen <bert@example.nl>",
    )
    with pytest.raises(DecidedMeanwhile):
        batches.approve(box, one.batch_id, by=CARLA)
    assert box.items() == [] and waiting_for_approval(con, 7) == set()  # offered again
    two = batches.propose(
        box, [("s", sale("-10.00"))], by=ANNA, config=CONFIG, description="two", origins=[(7, 3)]
    )
    assert batches.decline(box, two.batch_id, by=ANNA, reason="withdrawn").state == "declined"  # her own
    three = batches.propose(
        box, [("s", sale("-10.00"))], by=ANNA, config=CONFIG, description="three", origins=[(7, 3)]
    )
    _, (row,) = batches.approve(box, three.batch_id, by=BERT)
    assert waiting_for_approval(con, 7) == set() and in_outbox(con, 7) == {3: (row.item_id, "approved")}


def test_one_step_approval_is_for_one_machine_without_sign_in_and_a_blocked_period_is_told(con):
    box = Outbox(con, namespace="B4")
    with pytest.raises(NotAllowed, match="prepared by one person and approved by another"):
        box.approve(sale("-1.00"), approver=BERT)
    with pytest.raises(NotAllowed, match="Without sign-in nobody else can approve"):
        batches.propose(box, [("s", sale("-1.00"))], by=User.local("Anna"), config=CONFIG, description="x")
    assert box.approve(sale("-1.00"), approver=User.local("Anna")).approved_by == "Anna"
    with pytest.raises(NotValid, match="blocked"):
        batches.propose(
            box, [("s", sale("-1.00", dt.date(2025, 3, 3)))], by=ANNA, config=CONFIG, description="x"
        )


@pytest.mark.parametrize("needed_amount", ["-10.00", "-25000.00"])
def test_two_approvers_at_once_in_two_sessions_make_the_items_once(db, needed_amount):
    with duckdb.connect(str(db)) as con:
        batch = batches.propose(
            Outbox(con, namespace="B5"),
            [("s", sale(needed_amount))],
            by=ANNA,
            config=CONFIG,
            description="race",
        )
    start, outcomes = threading.Barrier(2), {}

    def approve(user: User) -> None:
        with duckdb.connect(str(db)) as c:  # noqa: SIM117 - each thread its own session
            start.wait()
            try:
                outcomes[user.name] = len(batches.approve(Outbox(c), batch.batch_id, by=user)[1])
            except DecidedMeanwhile as exc:
                outcomes[user.name] = exc.message

    threads = [threading.Thread(target=approve, args=(u,)) for u in (BERT, CARLA)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with duckdb.connect(str(db)) as con:
        (state,) = con.execute("SELECT state FROM correction_batches").fetchone()
        items = con.execute("SELECT count(*) FROM correction_items").fetchone()[0]
        approvals = con.execute("SELECT count(*) FROM correction_approvals").fetchone()[0]
    assert (state, items) == ("approved", 1)
    made = sorted(v for v in outcomes.values() if isinstance(v, int))
    if needed_amount == "-10.00":  # one approval suffices: the second is told the batch was approved
        assert made == [1] and approvals == 1
    else:  # both approvals count, whichever came second made the item
        assert made in ([0, 1], [1]) and approvals == 2 and 1 in made
