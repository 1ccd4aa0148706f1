"""What the Corrections page says of a waiting batch before anyone presses a button: who may approve
or decline it and why not (the same refusals afas.corrections.batches makes), and its line of text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from afas.access import Role, User
from afas.corrections.batch_view import batch_text, refusal
from afas.corrections.batches import Batch, BatchState

ISSUER = "https://login.example"
ANNA = User(
    "anna-0001", "anna@example.nl", "Anna de Vries", ISSUER, frozenset({Role.PREPARER, Role.APPROVER})
)
BERT = User("bert-0002", "bert@example.nl", "Bert Jansen", ISSUER, frozenset({Role.APPROVER}))
CARLA = User("carla-0003", "carla@example.nl", "Carla Smit", ISSUER, frozenset({Role.APPROVER}))
DAVE = User("dave-0004", "dave@example.nl", "Dave", ISSUER, frozenset({Role.VIEWER}))
AT = dt.datetime(2026, 10, 5, 9, 30)


def _batch(
    needed: int = 1, approvers: tuple[User, ...] = (), state: BatchState = BatchState.WAITING
) -> Batch:
    return Batch(7, "September bank costs", Decimal("12500.00"), needed, state, ANNA, AT,
                 tuple((u, AT) for u in approvers), 3)  # fmt: skip


def test_the_preparer_may_withdraw_not_approve_another_approver_may_approve_or_decline():
    batch = _batch()
    assert refusal(batch, ANNA) == "You prepared this batch, so another approver approves it (four-eyes)."
    assert refusal(batch, ANNA, decline=True) is None  # withdrawing one's own batch
    assert refusal(batch, BERT) is None and refusal(batch, BERT, decline=True) is None
    assert "needs the approver role; Dave is viewer" in refusal(batch, DAVE)
    assert "needs the approver role" in refusal(batch, DAVE, decline=True)
    assert refusal(batch, None) == "Sign in first."


def test_above_the_threshold_each_approver_once_and_a_decided_batch_for_nobody():
    half = _batch(needed=2, approvers=(BERT,))
    assert (
        refusal(half, BERT) == "You approved this batch already; it needs 1 more approval by another person."
    )
    assert refusal(half, CARLA) is None
    done = _batch(state=BatchState.APPROVED, approvers=(BERT,))
    assert refusal(done, CARLA) == "Batch 7 is approved already."
    assert refusal(done, ANNA, decline=True) == "Batch 7 is approved already."


def test_the_batch_in_one_line_names_preparer_amount_and_approvals():
    assert batch_text(_batch(needed=2, approvers=(BERT,))) == (
        "Batch 7: September bank costs — 3 corrections for €12,500.00, prepared by Anna de Vries "
        "<anna@example.nl> at 05/10/2026 09:30 (UTC). 1 of 2 approvals (Bert Jansen <bert@example.nl>); "
        "above the four-eyes threshold two others approve."
    )


def test_duckdb_sees_an_approval_and_a_decline_of_one_batch_at_once_as_a_conflict(tmp_path):
    """What batches.approve rests on: its counter UPDATE also writes the state column, so a decline
    committed after the approval's transaction began conflicts (and the approval tries again, reading
    the decline) instead of being written over with the state the approval read."""
    import duckdb
    import pytest

    con = duckdb.connect(str(tmp_path / "b.duckdb"))
    con.execute("CREATE TABLE b (batch_id BIGINT PRIMARY KEY, approvals INT, state VARCHAR, reason VARCHAR)")
    con.execute("INSERT INTO b VALUES (1, 0, 'waiting', NULL)")
    approving, declining = con.cursor(), con.cursor()
    approving.execute("BEGIN")
    approving.execute("SELECT count(*) FROM b").fetchall()  # its snapshot: waiting
    declining.execute("UPDATE b SET state = 'declined', reason = 'no' WHERE batch_id = 1 RETURNING batch_id")
    with pytest.raises(duckdb.TransactionException):
        approving.execute(
            "UPDATE b SET approvals = approvals + 1, state = state WHERE batch_id = 1 AND state = 'waiting' "
            "RETURNING approvals"
        ).fetchall()
    approving.execute("ROLLBACK")
    assert con.execute("SELECT approvals, state, reason FROM b").fetchall() == [(0, "declined", "no")]
