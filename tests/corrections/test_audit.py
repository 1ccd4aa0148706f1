"""The audit log: every request and answer, as the Audit page shows it, exported as JSON Lines and as a
formula-safe workbook."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import duckdb
import openpyxl
import orjson

from afas.corrections.audit import (
    audit_events,
    audit_rows,
    audit_table,
    event_label,
    excel_bytes,
    export_excel,
    export_jsonl,
    jsonl_bytes,
    neutralise,
)
from afas.corrections.outbox import Outbox
from afas.corrections.plans import EntryLine, JournalEntryItem
from tests.conftest import make_client
from tests.corrections import fresh_emulator

D = Decimal
NOW = dt.datetime(2026, 1, 5, 10, 30)


def entry(day: dt.date) -> JournalEntryItem:
    lines = (EntryLine("4600", debit=D("12.34"), description="-1 fee"), EntryLine("1800", credit=D("12.34")))
    return JournalEntryItem(1, day.year, day.month, "80", day, "=cmd|' /C calc'!A0", lines)


def filled_log() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    emulator = fresh_emulator()
    box = Outbox(con, clock=lambda: NOW, namespace="AUD")
    ok = box.approve(entry(dt.date(2025, 11, 3)), approver='=HYPERLINK("http://x")', validate=False)
    bad = box.approve(entry(dt.date(2025, 3, 3)), approver="bo", validate=False)
    with make_client(emulator) as client:
        box.send(ok.item_id, client)
        box.send(bad.item_id, client)
    return con


def test_audit_rows_hold_request_answer_keys_and_approver():
    con = filled_log()
    events = audit_rows(con)
    assert [(e["item_id"], e["event"]) for e in events] == [
        (1, "approved"), (2, "approved"), (1, "sending"), (1, "confirmed"), (2, "sending"), (2, "rejected"),
    ]  # fmt: skip
    confirmed = events[3]
    assert confirmed["status"] == 201 and orjson.loads(confirmed["result_keys"])["EnNo"]
    assert orjson.loads(confirmed["response_body"])["results"]["FiEntryPar"]["EnNo"]
    assert events[2]["request_body"] and orjson.loads(events[2]["request_body"])["FiEntryPar"]
    assert confirmed["approved_by"] == '=HYPERLINK("http://x")' and confirmed["approved_at"] == NOW
    rejected = events[5]
    assert rejected["status"] == 500
    assert rejected["message"] == "For this administration, period 3 of the year 2025 is blocked."
    assert audit_rows(con, item_id=2)[-1]["event"] == "rejected"


def test_jsonl_export_keeps_bodies_as_json(tmp_path):
    con = filled_log()
    path = tmp_path / "audit.jsonl"
    assert export_jsonl(con, path) == 6
    lines = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    sending = lines[2]
    fields = sending["request_body"]["FiEntryPar"]["Element"]["Objects"][0]["FiEntries"]["Element"][0][
        "Fields"
    ]
    assert fields["AmDe"] == "12.34" and fields["BpNr"] == "KCAUD-000001"
    assert lines[3]["result_keys"]["EnNo"] and lines[0]["event_at"] == "2026-01-05T10:30:00"


def test_excel_export_neutralises_formula_text_and_keeps_numbers(tmp_path):
    con = filled_log()
    path = tmp_path / "audit.xlsx"
    assert export_excel(con, path) == 6
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "Audit log"
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Audit no.", "Item", "When", "Event"] and "Request body" in header
    confirmed = dict(zip(header, [c.value for c in sheet[5]], strict=True))
    assert confirmed["Event"] == "in AFAS"  # the event as the Audit page names it
    assert confirmed["Approved by"] == '\'=HYPERLINK("http://x")'
    assert confirmed["HTTP status"] == 201 and isinstance(confirmed["HTTP status"], int)
    cells = [c.value for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in cells)
    assert [neutralise(t) for t in ("=1", "+1", "-1", "@x", "\tx", "\rx", "ok")] == [
        "'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "ok",
    ]  # fmt: skip


def test_the_audit_table_shows_the_chosen_events_newest_first_with_nothing_as_none():
    con = filled_log()
    assert audit_events(con) == ["approved", "confirmed", "rejected", "sending"]
    shown = audit_table(con)
    table = shown.table
    assert list(table["Event"]) == [  # in words (the log and its exports keep the values)
        "rejected by AFAS",
        "sent to AFAS",
        "in AFAS",
        "sent to AFAS",
        "approved",
        "approved",
    ]
    assert [event_label(e) for e in audit_events(con)] == [
        "approved",
        "in AFAS",
        "rejected by AFAS",
        "sent to AFAS",
    ]
    assert event_label("from_a_later_version") == "from_a_later_version"
    assert list(table.columns) == [
        "When", "Item", "Event", "Reference", "Request", "Status", "AFAS keys", "Message", "Who",
        "Approved by", "Approved at",
    ]  # fmt: skip
    confirmed = table.iloc[2].to_dict()
    assert confirmed["Status"] == "201" and confirmed["AFAS keys"].startswith("UnId 1, EnNo ")
    assert confirmed["Request"] == "FiEntries" and confirmed["When"] == "2026-01-05 10:30:00"
    assert table.iloc[3]["Request"] == "POST FiEntries" and table.iloc[3]["Reference"] == "KCAUD-000001"
    approved = table.iloc[5].to_dict()
    assert (approved["Status"], approved["AFAS keys"], approved["Message"]) == ("", "", "")
    assert not table.astype(str).isin(["None", "nan", "NaT", "<NA>"]).any().any()
    request, response = shown.selected([3])
    assert orjson.loads(request)["FiEntryPar"] and response == ""
    assert shown.selected([]) is None and shown.selected([99]) is None


def test_the_audit_table_filters_by_event_and_searches_reference_message_and_keys():
    con = filled_log()
    only = audit_table(con, events=["rejected", "confirmed"])
    assert list(only.table["Event"]) == ["rejected by AFAS", "in AFAS"]
    assert audit_table(con, events=[]).table.empty
    blocked = audit_table(con, search="PERIOD 3")  # any case, in the message
    assert list(blocked.table["Item"]) == [2] and list(blocked.table["Event"]) == ["rejected by AFAS"]
    by_ref = audit_table(con, search="kcaud-000002")
    assert set(by_ref.table["Item"]) == {2} and len(by_ref.table) == 3
    by_keys = audit_table(con, search='"EnNo"')  # the keys as stored
    assert list(by_keys.table["Event"]) == ["in AFAS"]
    assert audit_table(con, events=["approved"], search="blocked").table.empty


def test_downloads_are_the_exported_files(tmp_path):
    con = filled_log()
    export_jsonl(con, tmp_path / "a.jsonl")
    assert jsonl_bytes(con) == (tmp_path / "a.jsonl").read_bytes()
    export_excel(con, tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(con)))
    expected = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert [[c.value for c in r] for r in book.active.iter_rows()] == [
        [c.value for c in r] for r in expected.active.iter_rows()
    ]


def test_the_workbook_speaks_the_users_language_and_the_jsonl_keeps_its_keys(tmp_path):
    """A Dutch user's workbook has a Dutch sheet, headers and events; the JSONL, read by scripts,
    keeps the column names and the stored events in any language."""
    from afas.i18n import Language, using

    con = filled_log()
    with using(Language.NL):
        book = openpyxl.load_workbook(io.BytesIO(excel_bytes(con)))
        lines = [orjson.loads(line) for line in jsonl_bytes(con).splitlines()]
    sheet = book.active
    assert sheet.title == "Logboek"
    header = [c.value for c in sheet[1]]
    assert {"Wanneer", "Gebeurtenis", "Goedgekeurd door", "AFAS-sleutels"} <= set(header), header
    events = {
        sheet.cell(row=r, column=header.index("Gebeurtenis") + 1).value for r in range(2, sheet.max_row + 1)
    }
    assert "in AFAS" in events and "confirmed" not in events
    assert {line["event"] for line in lines} == {"approved", "confirmed", "rejected", "sending"}
    assert "event_at" in lines[0] and "Wanneer" not in lines[0]
