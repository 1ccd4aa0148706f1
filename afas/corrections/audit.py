"""The audit log: every outbox event with its request, AFAS's answer, the keys and who approved.

Exports as JSON Lines (one event per line, exact values) and as an Excel workbook for people.
In Excel, text cells that begin with = + - @ tab or CR are neutralised with a leading apostrophe so
no cell becomes a formula; numbers stay numbers. Request bodies are the UpdateConnector bodies
only: no header and no token ever reach the log.

:func:`audit_table` is the Audit page's table: the events chosen and matching a search, newest first,
every cell text (never None, nan or NaT).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import duckdb
import orjson
import pandas as pd
import xlsxwriter

from afas.catalogue import label
from afas.corrections.schema import AuditEvent, ensure_corrections_schema
from afas.corrections.tables import keys_text
from afas.i18n import mark, tr

__all__ = [
    "AUDIT_COLUMNS",
    "AuditTable",
    "audit_events",
    "event_label",
    "audit_rows",
    "audit_table",
    "excel_bytes",
    "export_excel",
    "export_jsonl",
    "jsonl_bytes",
    "neutralise",
]

AUDIT_COLUMNS = (
    "audit_id",
    "item_id",
    "event_at",
    "event",
    "actor",
    "actor_email",
    "actor_subject",
    "actor_issuer",
    "approved_by",
    "approved_at",
    "connector",
    "method",
    "reference",
    "status",
    "result_keys",
    "message",
    "request_body",
    "response_body",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_EXCEL_HEADERS = {
    "audit_id": mark("Audit no."),
    "item_id": mark("Item"),
    "event_at": mark("When"),
    "event": mark("Event"),
    "actor": mark("Who"),
    "actor_email": mark("E-mail"),
    "actor_subject": mark("Sign-in subject"),
    "actor_issuer": mark("Sign-in issuer"),
    "approved_by": mark("Approved by"),
    "approved_at": mark("Approved at"),
    "connector": mark("Connector"),
    "method": mark("Method"),
    "reference": mark("Reference"),
    "status": mark("HTTP status"),
    "result_keys": mark("AFAS keys"),
    "message": mark("Message"),
    "request_body": mark("Request body"),
    "response_body": mark("AFAS's response"),
}
"""The workbook's header of each column, for people (the JSONL keeps the column names: scripts read it)."""


def audit_rows(
    con: duckdb.DuckDBPyConnection,
    item_id: int | None = None,
    *,
    events: Collection[str] | None = None,
    search: str | None = None,
    newest_first: bool = False,
) -> list[dict[str, Any]]:
    """The audit events (oldest first), each with the approver and approval time of its item.

    ``item_id``: that item's only; ``events``: only these (None: all); ``search``: only those whose
    reference, message or keys hold the text (any case).
    """
    ensure_corrections_schema(con)
    sql = (
        "SELECT a.audit_id, a.item_id, a.event_at, a.event, a.actor, a.actor_email, a.actor_subject, "
        "a.actor_issuer, i.approved_by, i.approved_at, "
        "a.connector, a.method, a.reference, a.status, a.result_keys, a.message, a.request_body, "
        "a.response_body FROM correction_audit a LEFT JOIN correction_items i USING (item_id) "
        "WHERE ($item IS NULL OR a.item_id = $item) "
        "AND ($events IS NULL OR list_contains($events, a.event)) "
        "AND ($search = '' OR strpos(lower(concat_ws(' ', coalesce(a.reference, ''), "
        "coalesce(a.message, ''), coalesce(a.result_keys, ''))), lower($search)) > 0)"
    )
    order = " ORDER BY a.audit_id" + (" DESC" if newest_first else "")
    params = {
        "item": item_id,
        "events": None if events is None else [str(e) for e in events],
        "search": search or "",
    }
    rows = con.execute(sql + order, params).fetchall()
    return [dict(zip(AUDIT_COLUMNS, r, strict=True)) for r in rows]


def event_label(event: str) -> str:
    """An event as people read it (a value this version does not know stays as stored)."""
    try:
        return label(AuditEvent(event))
    except ValueError:
        return event


def audit_events(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The events the log holds, in alphabetical order (none: nothing was approved yet)."""
    ensure_corrections_schema(con)
    found = con.execute("SELECT DISTINCT event FROM correction_audit ORDER BY event").fetchall()
    return [e for (e,) in found]


_SHOWN = (
    mark("When"),
    mark("Item"),
    mark("Event"),
    mark("Reference"),
    mark("Request"),
    mark("Status"),
    mark("AFAS keys"),
    mark("Message"),
    mark("Who"),
    mark("Approved by"),
    mark("Approved at"),
)
"""The Audit page's headers (in the session's language where shown)."""


def _who(row: dict[str, Any]) -> str:
    """The event's actor: 'Anna de Vries <anna@example.nl>' signed in (subject and issuer in the
    exports), the typed name without sign-in, empty for the sender's own events."""
    name, email = row["actor"] or "", row["actor_email"] or ""
    return f"{name} <{email}>" if email and email != name else name


def _stamp(value: dt.datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"


@dataclass(frozen=True)
class AuditTable:
    """The Audit page's table and, per row, the request and response bodies (empty text if none)."""

    table: pd.DataFrame
    bodies: list[tuple[str, str]]

    def selected(self, rows: Collection[int]) -> tuple[str, str] | None:
        """(request, response) of the first selected table row; None when none is (or it is gone)."""
        first = next(iter(rows), None)
        return self.bodies[first] if first is not None and 0 <= first < len(self.bodies) else None


def audit_table(
    con: duckdb.DuckDBPyConnection, events: Collection[str] | None = None, search: str = ""
) -> AuditTable:
    """The events of ``events`` (None: all) whose reference, message or keys hold ``search`` (any
    case), newest first: when, item, event, reference, request ('POST FiEntries'), HTTP status, AFAS's
    keys ('UnId 1, EnNo 5424'), message, who approved and when; every cell text, empty where nothing.
    The headers are in the session's language."""
    rows = audit_rows(con, events=events, search=search.strip(), newest_first=True)
    shown = [
        {
            "When": _stamp(r["event_at"]),
            "Item": r["item_id"],
            "Event": event_label(r["event"]),
            "Reference": r["reference"] or "",
            "Request": f"{r['method'] or ''} {r['connector'] or ''}".strip(),
            "Status": "" if r["status"] is None else str(r["status"]),
            "AFAS keys": keys_text(r["result_keys"]),
            "Message": r["message"] or "",
            "Who": _who(r),
            "Approved by": r["approved_by"] or "",
            "Approved at": _stamp(r["approved_at"]),
        }
        for r in rows
    ]
    bodies = [(r["request_body"] or "", r["response_body"] or "") for r in rows]
    return AuditTable(pd.DataFrame(shown, columns=list(_SHOWN)).rename(columns=tr), bodies)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def export_jsonl(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str]) -> int:
    """Write the audit log as JSON Lines; bodies and keys stay JSON (not strings). Returns the count."""
    with open(path, "wb") as fh:
        return _write_jsonl(con, fh)


def jsonl_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """The audit log as JSON Lines (as :func:`export_jsonl` writes it), for a download."""
    buffer = io.BytesIO()
    _write_jsonl(con, buffer)
    return buffer.getvalue()


def _write_jsonl(con: duckdb.DuckDBPyConnection, fh: IO[bytes]) -> int:
    rows = audit_rows(con)
    for row in rows:
        out = dict(row)
        for col in ("request_body", "response_body", "result_keys"):
            text = out[col]
            if text:  # AFAS may send non-JSON text: that stays text
                with contextlib.suppress(orjson.JSONDecodeError):
                    out[col] = orjson.loads(text)
        fh.write(orjson.dumps(out, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME) + b"\n")
    return len(rows)


def neutralise(text: str) -> str:
    """Text that a spreadsheet would read as a formula, made inert with a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_excel(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str]) -> int:
    """Write the audit log as an .xlsx workbook (one sheet, its headers and events in the session's
    language). Returns the number of events."""
    return _write_excel(con, xlsxwriter.Workbook(str(path)))


def excel_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """The audit log as the workbook :func:`export_excel` writes, for a download."""
    buffer = io.BytesIO()
    _write_excel(con, xlsxwriter.Workbook(buffer, {"in_memory": True}))
    return buffer.getvalue()


def _write_excel(con: duckdb.DuckDBPyConnection, workbook: xlsxwriter.Workbook) -> int:
    rows = audit_rows(con)
    try:
        sheet = workbook.add_worksheet(tr("Audit log"))
        bold = workbook.add_format({"bold": True})
        stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for col, name in enumerate(AUDIT_COLUMNS):
            sheet.write_string(0, col, tr(_EXCEL_HEADERS[name]), bold)
        for r, row in enumerate(rows, start=1):
            for c, name in enumerate(AUDIT_COLUMNS):
                value = event_label(row[name]) if name == "event" else row[name]
                if value is None:
                    sheet.write_blank(r, c, None)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | Decimal):
                    sheet.write_number(r, c, value)
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, stamp)
                else:
                    sheet.write_string(r, c, neutralise(str(value))[:32767])
        sheet.freeze_panes(1, 0)
    finally:
        workbook.close()
    return len(rows)
