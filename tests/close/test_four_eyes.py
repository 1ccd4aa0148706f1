"""Four-eyes in the close, signed in: above the threshold two people review an account (each another
person than the preparer and than each other, by identity), and a reconciling item is booked through a
correction batch another person approves, linked to its outbox item in that approval's transaction.

The warehouse is the booking tests' (a synced emulator administration, copied per test)."""

from __future__ import annotations

import threading
from decimal import Decimal

import duckdb
import pytest

from afas.access import AccessConfig, NotAllowed, Role, User
from afas.close import signoff
from afas.close.balances import close_period
from afas.close.booking import BookedMeanwhile, CorrectionState, WaitingApproval, correction_states
from afas.close.form import allowed_actions, grid_rows
from afas.close.overview import close_overview
from afas.close.schema import CloseStatus, ensure_close_schema
from afas.close.signoff import (
    FourEyes,
    Locked,
    add_reconciling_item,
    book_item,
    clear_reconciling_item,
    prepare,
    review,
    withdraw,
)
from afas.corrections import batches
from afas.corrections.batches import BatchState
from afas.corrections.outbox import Outbox
from afas.corrections.schema import OutboxState
from afas.errors import AppError, InputError
from afas.warehouse.sync import sync
from tests.close.conftest import CONNECTORS
from tests.close.test_booking import UNIT, defaults, documented_with_item, open_period
from tests.conftest import make_client

ISSUER = "http://issuer"
ANNA = User("anna-0001", "anna@example.nl", "Anna de Vries", ISSUER, frozenset({Role.PREPARER}))
BERT = User("bert-0002", "bert@example.nl", "Bert Jansen", ISSUER, frozenset({Role.APPROVER}))
CARLA = User("carla-0003", "carla@example.nl", "Carla Smit", ISSUER, frozenset({Role.APPROVER}))
DAVE = User("dave-0004", "dave@example.nl", "Dave Visser", ISSUER, frozenset({Role.VIEWER}))


def config(above: Decimal | str | None) -> AccessConfig:
    return AccessConfig(sign_in=True, two_approvers_above=None if above is None else Decimal(above))


def prepared(con, amount: str = "40.00", by=ANNA, cfg: AccessConfig | None = None):  # noqa: ANN001, ANN201
    """Account 0100 documented, explained by one item and prepared: (period, item id, its balance)."""
    year, period = open_period(con)
    at, item = documented_with_item(con, year, period, amount)
    row = prepare(con, at, "0100", by, config=cfg)
    assert row.status == CloseStatus.PREPARED and row.afas_balance
    return at, item, row.afas_balance


def events(con, event: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT who, detail FROM close_events WHERE event = ? ORDER BY happened", [event]
    ).fetchall()


FIRST_SHAPE = """
CREATE TABLE close_signoffs (
    unit BIGINT NOT NULL, year BIGINT NOT NULL, period BIGINT NOT NULL, account VARCHAR NOT NULL,
    prepared_by VARCHAR, prepared TIMESTAMP, reviewed_by VARCHAR, reviewed TIMESTAMP,
    afas_balance DECIMAL(18, 2), supporting DECIMAL(18, 2), last_change TIMESTAMP,
    reopened TIMESTAMP, reopened_from DECIMAL(18, 2), reopened_to DECIMAL(18, 2), reopened_why VARCHAR,
    PRIMARY KEY (unit, year, period, account));
CREATE TABLE close_items (
    item_id BIGINT PRIMARY KEY, unit BIGINT NOT NULL, account VARCHAR NOT NULL,
    year BIGINT NOT NULL, period BIGINT NOT NULL, opened_on DATE NOT NULL,
    amount DECIMAL(18, 2) NOT NULL, description VARCHAR NOT NULL, expected DATE, owner VARCHAR,
    created_by VARCHAR NOT NULL, created TIMESTAMP NOT NULL, cleared_year BIGINT, cleared_period BIGINT,
    cleared_by VARCHAR, cleared TIMESTAMP, correction_ref VARCHAR);
"""
"""close_signoffs and close_items as the first close created them (before identities and reviews)."""


# --- reviewing: the threshold ------------------------------------------------------------------------


def test_above_the_threshold_two_people_review_each_another_person(world):
    _emulator, _path, con = world
    year, period = open_period(con)
    balance = close_overview(con, UNIT, year, period).account("0100").afas_balance
    cfg = config(abs(balance) - 1)  # the balance is above it: two reviews
    at, _item, _ = prepared(con, cfg=cfg)
    row = close_overview(con, UNIT, year, period).account("0100")
    assert row.reviews_needed == 2 and row.reviewers == ()  # known from the preparation on

    row = review(con, at, "0100", BERT, config=cfg)
    assert row.status == CloseStatus.PREPARED and row.signoff.reviewed_by is None
    assert row.reviewers == ("Bert Jansen <bert@example.nl>",) and row.reviews_needed == 2
    assert row.review_progress() == "1 of 2 reviews (Bert Jansen <bert@example.nl>)"
    assert row.status_text() == "prepared, 1 of 2 reviews"
    grid = grid_rows(close_overview(con, UNIT, year, period)).to_pylist()
    (line,) = [g for g in grid if g["Account"] == "0100"]
    assert (line["Status"], line["Reviewed by"]) == (
        "prepared, 1 of 2 reviews",
        "Bert Jansen <bert@example.nl> (1 of 2)",
    )
    with pytest.raises(Locked, match="1 of 2 reviews"):  # still prepared: locked as before
        add_reconciling_item(con, at, "0100", "1.00", "late", ANNA)

    # the first reviewer, also under another name and address, does not give the second review
    bert_elsewhere = User("bert-0002", "b.jansen@other.nl", "B. Jansen", ISSUER, BERT.roles)
    for again in (BERT, bert_elsewhere):
        with pytest.raises(FourEyes, match="reviewed account 0100 already; it needs 1 more review"):
            review(con, at, "0100", again, config=cfg)
        assert "You reviewed it already (1 of 2 reviews)" in allowed_actions(row, again)["review"].why
    # nor does the preparer, whatever her name says now (an approver by now, same identity)
    anna_approver = User(
        "anna-0001", "a.devries@example.nl", "A. de Vries", ISSUER, frozenset({Role.APPROVER})
    )
    with pytest.raises(FourEyes, match="You prepared account 0100"):
        review(con, at, "0100", anna_approver, config=cfg)
    assert not allowed_actions(row, anna_approver)["review"].ok
    assert not allowed_actions(row, ANNA.signature)["review"].ok  # her signature as text: by name
    assert allowed_actions(row, CARLA)["review"].ok
    assert "needs the approver role" in allowed_actions(row, DAVE)["review"].why

    row = review(con, at, "0100", CARLA, config=cfg)
    assert row.status == CloseStatus.REVIEWED and row.locked
    assert row.signoff.reviewed_by == "Bert Jansen <bert@example.nl>, Carla Smit <carla@example.nl>"
    assert row.reviewers == ("Bert Jansen <bert@example.nl>", "Carla Smit <carla@example.nl>")
    assert row.review_progress() is None and row.status_text() == "reviewed"
    assert [d for _, d in events(con, "reviewed")] == [
        "prepared by Anna de Vries <anna@example.nl>; review 1 of 2, waiting for the other",
        "prepared by Anna de Vries <anna@example.nl>; review 2 of 2",
    ]
    with pytest.raises(InputError, match="is reviewed, not prepared"):
        review(con, at, "0100", User("erik-5", "erik@example.nl", "Erik", ISSUER, BERT.roles), config=cfg)


def test_at_or_below_the_threshold_and_with_typed_names_one_review_does(world):
    _emulator, _path, con = world
    year, period = open_period(con)
    balance = close_overview(con, UNIT, year, period).account("0100").afas_balance
    at, _item, _ = prepared(con)  # prepared without the configuration: decided at the first review
    assert review(con, at, "0100", BERT, config=config(abs(balance))).status == CloseStatus.REVIEWED
    assert events(con, "reviewed") == [
        ("Bert Jansen <bert@example.nl>", "prepared by Anna de Vries <anna@example.nl>")
    ]

    # typed names (one machine): one reviewer other than the preparer, whatever the threshold
    earlier = close_period(con, UNIT, year, period - 1)
    row = close_overview(con, UNIT, year, period - 1).account("0100")
    signoff.document_evidence(con, earlier, "0100", row.afas_balance, "register", "Anna")
    prepare(con, earlier, "0100", "Anna", config=config("0.00"))
    with pytest.raises(FourEyes):
        review(con, earlier, "0100", " ANNA ", config=config("0.00"))
    with pytest.raises(FourEyes):
        review(con, earlier, "0100", User.local("anna"), config=config("0.00"))  # the same typed name
    row = review(con, earlier, "0100", "Bert", config=config("0.00"))
    assert row.status == CloseStatus.REVIEWED and row.signoff.reviewed_by == "Bert"
    assert row.reviewers == ("Bert",) and row.reviews_needed == 1


def test_a_change_in_afas_or_a_withdrawal_takes_the_first_review_with_it(world):
    _emulator, _path, con = world
    year, period = open_period(con)
    cfg = config("0.00")
    at, _item, _ = prepared(con, cfg=cfg)
    review(con, at, "0100", BERT, config=cfg)
    row = withdraw(con, at, "0100", ANNA)
    assert row.signoff is None and row.reviewers == ()
    assert events(con, "unsigned")[-1][1].endswith("with 1 of 2 reviews (Bert Jansen <bert@example.nl>)")
    prepare(con, at, "0100", ANNA, config=cfg)
    assert review(con, at, "0100", BERT, config=cfg).reviewers == ("Bert Jansen <bert@example.nl>",)

    con.execute(  # a later sync: a line booked on the account in the period
        'INSERT INTO "Profit_Period_balance" ("UnitId", "Year", "Period", "AccountNr", "Debit", "Credit", '
        "\"Balance\") VALUES (?, ?, ?, '0100', 9.95, 0, 9.95)",
        [UNIT, year, period],
    )
    row = close_overview(con, UNIT, year, period).account("0100")
    assert row.status == CloseStatus.REOPENED and row.reviewers == ()
    assert "Anna de Vries <anna@example.nl>, Bert Jansen <bert@example.nl>" in row.signoff.reopened_why
    assert con.execute("SELECT count(*) FROM close_reviews").fetchone()[0] == 0
    signoff.document_evidence(con, at, "0100", row.afas_balance - Decimal("40.00"), "register", ANNA)
    prepare(con, at, "0100", ANNA, config=cfg)
    row = review(con, at, "0100", BERT, config=cfg)  # Bert's first review again, of the new balance
    assert row.status == CloseStatus.PREPARED and row.review_progress().startswith("1 of 2")


def test_a_warehouse_of_the_first_shape_keeps_its_sign_offs_and_gains_the_reviews(world):
    """close_signoffs and close_items as they were created before identities and reviews were kept."""
    _emulator, _path, con = world
    year, period = open_period(con)
    con.execute(FIRST_SHAPE)
    overview = close_overview(con, UNIT, year, period)  # migrates
    balances = {a.account: a.afas_balance for a in overview.accounts}
    con.execute(
        "INSERT INTO close_signoffs (unit, year, period, account, prepared_by, prepared, reviewed_by, "
        "reviewed, afas_balance) VALUES (?, ?, ?, '0100', 'Anna', now(), NULL, NULL, ?), "
        "(?, ?, ?, '1300', 'Anna', now(), 'Bert', now(), ?)",
        [UNIT, year, period, balances["0100"], UNIT, year, period, balances["1300"]],
    )
    overview = close_overview(con, UNIT, year, period)
    assert overview.account("1300").status == CloseStatus.REVIEWED
    assert overview.account("1300").reviewers == ("Bert",)  # reviewed before the reviews were kept
    at = overview.period
    with pytest.raises(FourEyes):
        review(con, at, "0100", "anna")  # no identity recorded: the names decide, as before
    assert review(con, at, "0100", "Bert").signoff.reviewed_by == "Bert"
    ensure_close_schema(con)  # again: nothing changes
    columns = {
        c
        for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'close_items'"
        ).fetchall()
    }
    assert {"correction_item", "correction_batch"} <= columns


# --- reviewing: two sessions at once ------------------------------------------------------------------


def test_a_second_review_committed_meanwhile_is_counted_not_overwritten(world, monkeypatch):
    """Deterministic: the other reviewer commits inside this review's transaction, after it read the
    account (DuckDB would let a conditional UPDATE overwrite that; the review's position key does not)."""
    _emulator, path, con = world
    cfg = config("0.00")
    at, _item, _ = prepared(con, cfg=cfg)
    other = duckdb.connect(str(path))
    real, armed = signoff._now, [True]

    def now():  # noqa: ANN202 - called in the review's transaction, after its reads
        if armed[0]:
            armed[0] = False
            review(other, at, "0100", CARLA, config=cfg)
        return real()

    monkeypatch.setattr(signoff, "_now", now)
    row = review(con, at, "0100", BERT, config=cfg)
    other.close()
    assert row.status == CloseStatus.REVIEWED
    assert row.reviewers == ("Carla Smit <carla@example.nl>", "Bert Jansen <bert@example.nl>")
    assert [p for (p,) in con.execute("SELECT position FROM close_reviews ORDER BY position").fetchall()] == [
        1,
        2,
    ]
    assert len(events(con, "reviewed")) == 2


@pytest.mark.parametrize(
    ("threshold", "people"),
    [("0.00", ("bert", "carla")), (None, ("bert", "carla")), ("0.00", ("bert", "bert"))],
    ids=["two-of-two-at-once", "one-needed-two-at-once", "same-person-twice-at-once"],
)
def test_two_sessions_reviewing_at_once(world, threshold, people):
    _emulator, path, con = world
    cfg = config(threshold)
    at, _item, _ = prepared(con, cfg=cfg)
    users = {"bert": BERT, "carla": CARLA}
    barrier, outcomes = threading.Barrier(2), []

    def session(who: User) -> None:
        mine = duckdb.connect(str(path))
        try:
            barrier.wait()
            review(mine, at, "0100", who, config=cfg)
            outcomes.append("reviewed")
        except (InputError, AppError) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            mine.close()

    threads = [threading.Thread(target=session, args=(users[p],)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    row = close_overview(con, UNIT, at.year, at.period).account("0100")
    given = len(events(con, "reviewed"))
    if people == ("bert", "bert"):  # one review counts; the other is refused
        assert outcomes.count("reviewed") == 1 and row.status == CloseStatus.PREPARED, outcomes
        assert row.reviewers == ("Bert Jansen <bert@example.nl>",) and given == 1
    elif threshold is None:  # one review was needed: the second is told, nothing is overwritten
        assert outcomes.count("reviewed") == 1 and row.status == CloseStatus.REVIEWED, outcomes
        assert len(row.reviewers) == 1 and given == 1
        assert row.signoff.reviewed_by == row.reviewers[0]
    else:  # both count, one after the other
        assert outcomes == ["reviewed", "reviewed"] and row.status == CloseStatus.REVIEWED
        assert set(row.reviewers) == {BERT.signature, CARLA.signature} and given == 2


# --- booking an item signed in: a correction batch ---------------------------------------------------


def test_an_item_booked_signed_in_waits_for_another_and_its_approval_links_it(world):
    emulator, path, con = world
    year, period = open_period(con)
    at, item = documented_with_item(con, year, period)
    with pytest.raises(NotAllowed, match="needs the preparer role"):
        book_item(con, at, item, defaults(con), DAVE)
    booking, batch = book_item(con, at, item, defaults(con), ANNA, config=config(None))
    assert batch.state == BatchState.WAITING and batch.items == 1 and batch.approvals_needed == 1
    assert batch.preparer.same_person(ANNA) and f"#{item}" in batch.description
    assert Outbox(con).items() == []  # nothing can be sent yet
    row = close_overview(con, UNIT, year, period).account("0100")
    assert row.status == CloseStatus.EXPLAINED  # the item still explains the difference
    (state,) = correction_states(con, row.items).values()
    assert isinstance(state, WaitingApproval) and not state.frees
    assert state.words() == (
        f"waiting for approval in batch {batch.batch_id} (prepared by Anna de Vries <anna@example.nl>)"
    )
    for who in (ANNA, BERT, "Anna"):  # not booked again while it waits, signed in or not
        with pytest.raises(InputError, match=f"waiting for approval in batch {batch.batch_id}"):
            book_item(con, at, item, defaults(con), who, config=config(None))
    with pytest.raises(InputError, match="waits for approval"):
        clear_reconciling_item(con, at, item, ANNA)
    with pytest.raises(NotAllowed, match="prepared batch"):
        batches.approve(Outbox(con), batch.batch_id, by=User("anna-0001", "", "Anna", ISSUER, BERT.roles))

    done, (outbox_row,) = batches.approve(Outbox(con), batch.batch_id, by=BERT)
    assert done.state == BatchState.APPROVED and outbox_row.state == OutboxState.APPROVED
    linked = con.execute(
        "SELECT correction_item, correction_ref, correction_year, correction_period, correction_batch "
        "FROM close_items WHERE item_id = ?",
        [item],
    ).fetchone()
    assert linked == (outbox_row.item_id, outbox_row.reference, booking.when.year, booking.when.period, None)
    (state,) = correction_states(con, close_overview(con, UNIT, year, period).account("0100").items).values()
    assert isinstance(state, CorrectionState) and state.item_id == outbox_row.item_id
    assert "in the outbox" in state.words()
    history = events(con, "item_to_correction")
    assert history[0][0] == ANNA.signature and f"batch {batch.batch_id} for approval" in history[0][1]
    assert history[1] == (
        BERT.signature,
        f"#{item} as correction {outbox_row.reference} in {booking.when.label()} against "
        f"{defaults(con).contra_account}, approved in batch {batch.batch_id}",
    )

    # from here it is a booked item like any other: sent once, synced, cleared by the correction
    with make_client(emulator) as client:
        (outcome,) = Outbox(path).post(client)
        assert outcome.state == OutboxState.CONFIRMED, outcome.message
        assert all(r.status == "ok" for r in sync(path, client, CONNECTORS))
    row = close_overview(con, UNIT, year, period).account("0100")
    assert row.items == () and row.status == CloseStatus.RECONCILED


def test_above_the_threshold_two_approve_and_a_declined_or_rejected_one_frees_the_item(world):
    _emulator, _path, con = world
    year, period = open_period(con)
    at, item = documented_with_item(con, year, period, "40.00")
    cfg = config("39.99")
    _, first = book_item(con, at, item, defaults(con), ANNA, config=cfg)
    assert first.approvals_needed == 2
    batches.decline(Outbox(con), first.batch_id, by=BERT, reason="wrong contra account")
    assert correction_states(con, close_overview(con, UNIT, year, period).account("0100").items) == {}
    assert (
        f"batch {first.batch_id} declined (wrong contra account)" in events(con, "item_to_correction")[-1][1]
    )

    _, second = book_item(con, at, item, defaults(con), ANNA, config=cfg)  # free again: a new batch
    batches.approve(Outbox(con), second.batch_id, by=BERT)
    (state,) = correction_states(con, close_overview(con, UNIT, year, period).account("0100").items).values()
    assert isinstance(state, WaitingApproval) and state.words().endswith(", 1 of 2 approvals")
    _, (row,) = batches.approve(Outbox(con), second.batch_id, by=CARLA)
    assert (
        con.execute("SELECT correction_item FROM close_items WHERE item_id = ?", [item]).fetchone()[0]
        == row.item_id
    )

    con.execute("UPDATE correction_items SET state = 'rejected' WHERE item_id = ?", [row.item_id])
    (state,) = correction_states(con, close_overview(con, UNIT, year, period).account("0100").items).values()
    assert state.frees and "can be booked again" in state.words()
    _, third = book_item(con, at, item, defaults(con), ANNA, config=config(None))
    assert third.state == BatchState.WAITING and third.batch_id not in (first.batch_id, second.batch_id)


def test_an_approval_finds_its_item_cleared_meanwhile_and_is_refused(world):
    _emulator, _path, con = world
    year, period = open_period(con)
    at, item = documented_with_item(con, year, period)
    _, batch = book_item(con, at, item, defaults(con), ANNA)
    # another session's clearing slipped through (the page refuses it while the batch waits)
    con.execute(
        "UPDATE close_items SET cleared_year = ?, cleared_period = ? WHERE item_id = ?", [year, period, item]
    )
    with pytest.raises(BookedMeanwhile, match="cleared on the Close page meanwhile"):
        batches.approve(Outbox(con), batch.batch_id, by=BERT)
    assert (
        Outbox(con).items() == [] and batches.batches(con, batch_ids=[batch.batch_id])[0].state == "waiting"
    )


def test_a_batch_approved_where_the_close_was_not_loaded_is_linked_when_the_close_is_read(world, monkeypatch):
    _emulator, _path, con = world
    year, period = open_period(con)
    at, item = documented_with_item(con, year, period)
    _, batch = book_item(con, at, item, defaults(con), ANNA)
    monkeypatch.delitem(batches._HOOKS, "afas.close.booking")  # a process without afas.close
    _, (row,) = batches.approve(Outbox(con), batch.batch_id, by=BERT)
    assert (
        con.execute("SELECT correction_item FROM close_items WHERE item_id = ?", [item]).fetchone()[0] is None
    )
    monkeypatch.undo()
    overview = close_overview(con, UNIT, year, period)  # links it (once)
    (state,) = correction_states(con, overview.account("0100").items).values()
    assert isinstance(state, CorrectionState) and state.item_id == row.item_id
    close_overview(con, UNIT, year, period)
    approved = [d for _, d in events(con, "item_to_correction") if "approved in batch" in d]
    assert len(approved) == 1


def test_two_sessions_booking_one_item_signed_in_make_one_batch(world):
    _emulator, path, con = world
    year, period = open_period(con)
    at, item = documented_with_item(con, year, period)
    barrier, outcomes = threading.Barrier(2), []

    def session(who: User) -> None:
        mine = duckdb.connect(str(path))
        try:
            barrier.wait()
            book_item(mine, at, item, defaults(mine), who)
            outcomes.append("prepared")
        except (InputError, AppError) as exc:
            outcomes.append(str(exc))
        finally:
            mine.close()

    carla_preparer = User("carla-0003", "carla@example.nl", "Carla Smit", ISSUER, frozenset({Role.PREPARER}))
    threads = [threading.Thread(target=session, args=(u,)) for u in (ANNA, carla_preparer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("prepared") == 1, outcomes
    assert len(batches.batches(con, BatchState.WAITING)) == 1
    assert con.execute("SELECT count(*) FROM close_item_batches").fetchone()[0] == 1


def test_a_proposal_committed_meanwhile_refuses_the_second(world, monkeypatch):
    """Deterministic: the other session's batch commits inside this one's transaction, after it began
    (a conditional UPDATE would not see it; the item's attempt key does)."""
    _emulator, path, con = world
    year, period = open_period(con)
    at, item = documented_with_item(con, year, period)
    other = duckdb.connect(str(path))
    real, armed = batches.item_to_json, [True]

    def to_json(plan):  # noqa: ANN001, ANN202 - called in the proposal's transaction
        if armed[0]:
            armed[0] = False
            book_item(other, at, item, defaults(other), BERT)
        return real(plan)

    monkeypatch.setattr(batches, "item_to_json", to_json)
    with pytest.raises(BookedMeanwhile, match="prepared as a correction in another session"):
        book_item(con, at, item, defaults(con), ANNA)
    other.close()
    (waiting,) = batches.batches(con, BatchState.WAITING)
    assert waiting.preparer.same_person(BERT)
    assert con.execute("SELECT correction_batch FROM close_items WHERE item_id = ?", [item]).fetchone()[
        0
    ] == (waiting.batch_id)
    with pytest.raises(InputError, match=f"waiting for approval in batch {waiting.batch_id}"):
        book_item(con, at, item, defaults(con), ANNA)
