"""AFAS can finish a POST after the client gave up on it: an item whose request went unanswered is read
back only once AFAS has had time to finish, never at once (that read-back would find nothing yet, and
the item would be posted a second time)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from afas.corrections.outbox import Outbox
from afas.emulator.core import Emulator
from afas.emulator.server import EmulatorServer
from afas.errors import InputError
from afas.profit.client import ProfitClient, RetryPolicy
from afas.profit.environment import Environment
from afas.profit.token import ProfitToken
from tests.corrections.test_senders import (
    approve_entries,
    hold_next_entry_post,
    in_afas,
    post_is_held,
    wait_until,
)


@pytest.fixture
def afas() -> Iterator[EmulatorServer]:
    with EmulatorServer(Emulator(seed=3, transactions=400)) as server:
        yield server
        server.emulator.faults.clear()


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 2, 10, 0, 0)

    def __call__(self) -> dt.datetime:
        return self.now


def impatient_client(server: EmulatorServer) -> ProfitClient:
    """Gives up on an answer after half a second (a real AFAS may well take longer over a POST)."""
    return ProfitClient(
        Environment.from_base_url(server.base_url),
        ProfitToken.parse(server.emulator.token_data),
        retry=RetryPolicy(attempts=1, base=0.0, cap=0.0),
        timeout=httpx.Timeout(0.5, connect=5.0),
    )


def _post_that_afas_finishes_late(afas: EmulatorServer, box: Outbox, ref: str) -> None:
    emulator = afas.emulator
    before = hold_next_entry_post(emulator)
    with impatient_client(afas) as client:
        [out] = box.post(client)
    assert out.state == "unknown" and post_is_held(emulator, before)  # AFAS has it, has not answered


@pytest.mark.parametrize("settle_after", [120.0, 0.0])
def test_an_unanswered_post_is_read_back_only_after_afas_had_time_to_finish(tmp_path, afas, settle_after):
    emulator, clock = afas.emulator, Clock()
    db = tmp_path / "w.duckdb"
    [ref] = approve_entries(db, 1)
    box = Outbox(db, clock=clock, settle_after=settle_after)
    _post_that_afas_finishes_late(afas, box, ref)

    clock.now += dt.timedelta(seconds=5)  # the user presses Send again a few seconds later
    with impatient_client(afas) as client:
        [again] = box.post(client)
    emulator.faults.clear()  # AFAS finishes the first POST after all
    wait_until(lambda: in_afas(emulator, [ref])[ref] >= 1, "AFAS has committed the first POST")

    if settle_after == 0:  # what reading back at once did: found nothing yet, and posted again
        assert again.state == "confirmed"
        wait_until(lambda: in_afas(emulator, [ref])[ref] == 2, "both posts are in AFAS")
        return
    assert again.state == "unknown" and in_afas(emulator, [ref]) == {ref: 1}
    assert again.message.startswith("AFAS may still be processing it (its last request went out at 10:00:")
    assert "it is read back from 10:02:" in again.message and "never posted twice" in again.message
    clock.now += dt.timedelta(seconds=120)
    with impatient_client(afas) as client:
        [settled] = box.post(client)
    assert settled.state == "confirmed" and settled.keys["EnNo"]  # found in AFAS, not sent again
    assert in_afas(emulator, [ref]) == {ref: 1}


def test_the_wait_comes_from_the_environment_and_a_bad_value_is_said_in_words(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_RESOLVE_AFTER_S", "45")
    assert Outbox(tmp_path / "w.duckdb").settle_after == dt.timedelta(seconds=45)
    monkeypatch.setenv("AFAS_RESOLVE_AFTER_S", "soon")
    with pytest.raises(InputError, match="AFAS_RESOLVE_AFTER_S is 'soon'; set it to a number of seconds"):
        Outbox(tmp_path / "w.duckdb")
    monkeypatch.delenv("AFAS_RESOLVE_AFTER_S")
    assert Outbox(tmp_path / "w.duckdb").settle_after == dt.timedelta(seconds=120)
