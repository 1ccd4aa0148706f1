"""The outbox section while another sender (another session, ``python -m afas post``) holds items: the page
says so in words, sends none of them, and sends them once that sender is gone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from afas.corrections.claims import Sender, senders_dir
from afas.corrections.outbox import Outbox
from afas.corrections.plans import EntryLine, JournalEntryItem
from afas.warehouse.db import connection
from tests.pages.test_reconcile_page import synced
from tests.pages.test_workflow_pages import frame


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


def test_items_another_sender_holds_are_named_and_not_sent(fresh_demo, tmp_path):
    from afas.ui.connection import demo_server

    at = synced(all_connectors=True)
    at.switch_page("views/masterdata.py").run()  # its outbox section, below the file choice
    assert not at.exception, at.exception
    db = tmp_path / "demo.duckdb"
    day = dt.date(2025, 11, 3)
    lines = (EntryLine("4600", debit=Decimal("7.50")), EntryLine("1800", credit=Decimal("7.50")))
    box = Outbox(db)
    items = [JournalEntryItem(1, 2025, 11, "80", day, f"held {n}", lines) for n in range(2)]
    refs = [box.approve(item, approver="Anna de Vries", validate=False).reference for item in items]
    with Sender("python -m afas post (process 4242 on batch01)", senders_dir(db)) as other:
        with connection(db) as con:  # the other sender has claimed both and is waiting for AFAS
            con.execute(
                "UPDATE correction_items SET claimed_by = ?, claimed_name = ?, claimed_at = ?",
                [other.id, other.name, dt.datetime(2026, 1, 5, 10, 30)],
            )
        at.run()
        before = len(demo_server().emulator.requests)
        shown = frame(at, "Approved by")
        assert set(shown["State"]) == {"being sent by another session"}
        assert set(shown["Message"]) == {"by python -m afas post (process 4242 on batch01) since 10:30:00"}
        at.button(key="md_send").click().run()
        assert not at.exception and not at.error, (at.exception, at.error)
        (told,) = [i.value for i in at.info if "being sent" in i.value]
        words = told.replace("\\", "")  # shown literally: Markdown punctuation is escaped
        assert words.startswith(
            f"2 corrections ({refs[0]}, {refs[1]}, approved by Anna de Vries) are being sent "
        )
        assert "by another session (python -m afas post (process 4242 on batch01)) since 10:30:00." in words
        assert not [s.value for s in at.success if "in AFAS" in s.value]  # none sent from here
        posts = [p for m, p, _ in demo_server().emulator.requests[before:] if m == "POST"]
        assert posts == []

    at.button(key="md_send").click().run()  # that sender has stopped: its items are free again
    assert "2 of 2 corrections are in AFAS." in [s.value for s in at.success]
    assert not [i.value for i in at.info if "being sent" in i.value]
