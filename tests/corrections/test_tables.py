"""The outbox grids: states in the catalogue's words, AFAS's keys readable, nothing shown as None."""

from __future__ import annotations

import datetime as dt

import pytest

from afas.catalogue import label, labels
from afas.corrections.entries import CorrectionMode
from afas.corrections.outcomes import ItemRow, Outcome
from afas.corrections.plans import PlanKind
from afas.corrections.schema import OutboxState
from afas.corrections.tables import HELD_ELSEWHERE, held_by_others_text, keys_text, outbox_table, sent_rows

NOW = dt.datetime(2026, 1, 5, 10, 30)


def row(item_id: int, state: OutboxState, **kw) -> ItemRow:
    values = dict(
        item_id=item_id,
        kind=PlanKind.ENTRY,
        connector="FiEntries",
        method="POST",
        reference=f"KCT-{item_id:06d}",
        administration=1,
        description=None,
        state=state,
        approved_by="Anna de Vries",
        approved_at=NOW,
        attempts=0,
        result_keys=None,
        message=None,
        plan={},
        request_body={},
        sources=[],
        fingerprint="",
    )
    return ItemRow(**{**values, **kw})


@pytest.mark.parametrize(
    ("vocabulary", "words"),
    [
        (
            OutboxState,
            ["approved, not sent", "sending", "in AFAS", "rejected by AFAS", "unknown: resolve",
             "stopped: AFAS changed"],
        ),
        (PlanKind, ["journal entry", "new relation", "change of fields", "new allocation code"]),
        (CorrectionMode, ["new entry", "difference entry", "reverse and re-book"]),
    ],
)  # fmt: skip
def test_every_member_has_its_words_in_the_catalogue(vocabulary, words):
    assert list(labels(vocabulary).values()) == words


def test_the_outbox_grid_words_states_and_keys_and_leaves_missing_cells_empty():
    items = [
        row(
            1, OutboxState.CONFIRMED, result_keys={"UnId": "1", "EnNo": "5424", "InId": ""}, description="Fee"
        ),
        row(
            2, OutboxState.REJECTED, message="For this administration, period 3 of the year 2025 is blocked."
        ),
        row(3, OutboxState.APPROVED, claimed_name="python -m afas post (process 42)", claimed_at=NOW),
        row(4, OutboxState.STALE),
    ]
    held = held_by_others_text([items[2]])
    assert held == {3: "by python -m afas post (process 42) since 10:30:00"}
    table = outbox_table(items, held)
    assert list(table["State"]) == ["in AFAS", "rejected by AFAS", HELD_ELSEWHERE, "stopped: AFAS changed"]
    assert list(table["AFAS keys"]) == ["UnId 1, EnNo 5424", "", "", ""]
    assert list(table["Description"]) == ["Fee", "", "", ""]
    assert list(table["Message"]) == [
        "",
        "For this administration, period 3 of the year 2025 is blocked.",
        "by python -m afas post (process 42) since 10:30:00",
        "",
    ]
    assert not table.astype(str).isin(["None", "nan", "NaT"]).any().any()
    assert list(outbox_table([], {}).columns) == list(table.columns)


def test_a_send_s_results_read_as_the_outbox_does():
    outcomes = [
        Outcome(1, "KCT-000001", OutboxState.CONFIRMED, None, {"UnId": "1", "EnNo": "7"}),
        Outcome(2, "KCT-000002", OutboxState.UNKNOWN, "AFAS gave no answer (timeout)"),
    ]
    assert sent_rows(outcomes) == [
        {"Reference": "KCT-000001", "Result": "in AFAS", "AFAS keys": "UnId 1, EnNo 7", "AFAS message": ""},
        {
            "Reference": "KCT-000002",
            "Result": label(OutboxState.UNKNOWN),
            "AFAS keys": "",
            "AFAS message": "AFAS gave no answer (timeout)",
        },
    ]


def test_keys_as_stored_text_are_read_and_other_text_is_kept():
    assert keys_text('{"UnId": "1", "EnNo": "5424"}') == "UnId 1, EnNo 5424"
    assert keys_text("not json") == "not json"
    assert keys_text("[1, 2]") == "[1, 2]"
    assert keys_text(None) == "" and keys_text({}) == ""
