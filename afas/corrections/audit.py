"""The audit log: every outbox event with its request, AFAS's answer, the keys and who approved.

Exports as JSON Lines (one event per line, exact values) and as an Excel workbook for people.
In Excel, text cells that begin with = + - @ tab or CR are neutralised with a leading apostrophe so
no cell becomes a formula; numbers stay numbers. Request bodies are the UpdateConnector bodies
only: no header and no token ever reach the log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from decimal import Decimal
from typing import Any

import duckdb
import orjson
import xlsxwriter

from afas.corrections.schema import ensure_corrections_schema

__all__ = ["AUDIT_COLUMNS", "audit_rows", "export_excel", "export_jsonl", "neutralise"]

AUDIT_COLUMNS = (
    "audit_id",
    "item_id",
    "event_at",
    "event",
    "actor",
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


def audit_rows(con: duckdb.DuckDBPyConnection, item_id: int | None = None) -> list[dict[str, Any]]:
    """The audit events (oldest first), each with the approver and approval time of its item."""
    ensure_corrections_schema(con)
    sql = (
        "SELECT a.audit_id, a.item_id, a.event_at, a.event, a.actor, i.approved_by, i.approved_at, "
        "a.connector, a.method, a.reference, a.status, a.result_keys, a.message, a.request_body, "
        "a.response_body FROM correction_audit a LEFT JOIN correction_items i USING (item_id)"
    )
    params: list[Any] = []
    if item_id is not None:
        sql += " WHERE a.item_id = ?"
        params.append(item_id)
    rows = con.execute(sql + " ORDER BY a.audit_id", params).fetchall()
    return [dict(zip(AUDIT_COLUMNS, r, strict=True)) for r in rows]


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def export_jsonl(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str]) -> int:
    """Write the audit log as JSON Lines; bodies and keys stay JSON (not strings). Returns the count."""
    rows = audit_rows(con)
    with open(path, "wb") as fh:
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
    """Write the audit log as an .xlsx workbook (one sheet). Returns the number of events."""
    rows = audit_rows(con)
    workbook = xlsxwriter.Workbook(str(path))
    try:
        sheet = workbook.add_worksheet("Audit")
        bold = workbook.add_format({"bold": True})
        stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for col, name in enumerate(AUDIT_COLUMNS):
            sheet.write_string(0, col, name, bold)
        for r, row in enumerate(rows, start=1):
            for c, name in enumerate(AUDIT_COLUMNS):
                value = row[name]
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
