"""Audit: every request sent to AFAS for a correction, its answer, and who approved it."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from afas.corrections.audit import audit_rows, export_excel, export_jsonl
from afas.ui.warehouse import require_connection, warehouse_path
from afas.warehouse.db import connection

st.title("Audit log")
conn = require_connection()
db = warehouse_path(conn)

with connection(db) as con:
    rows = audit_rows(con)
if not rows:
    st.info("No corrections have been approved or sent yet.")
    st.page_link("views/corrections.py", label="Go to Corrections", icon=":material/edit_note:")
    st.stop()


def _keys(value: object) -> str:
    """Returned keys as 'UnId 1, EnNo 5424' (stored as JSON text)."""
    if not value:
        return ""
    try:
        keys = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    return ", ".join(f"{k} {v}" for k, v in keys.items() if v) if isinstance(keys, dict) else str(keys)


events = sorted({r["event"] for r in rows})
c1, c2 = st.columns(2)
chosen = c1.multiselect("Events", events, default=events, key="audit_events")
search = c2.text_input("Search (reference, message, keys)", key="audit_search")
shown = [
    r
    for r in rows
    if r["event"] in chosen
    and (
        not search
        or search.lower()
        in " ".join(str(r.get(k) or "") for k in ("reference", "message", "result_keys")).lower()
    )
]
table = pd.DataFrame(
    [
        {
            "When": r["event_at"],
            "Item": r["item_id"],
            "Event": r["event"],
            "Reference": r["reference"],
            "Request": f"{r['method'] or ''} {r['connector'] or ''}".strip(),
            "Status": r["status"],
            "AFAS keys": _keys(r["result_keys"]),
            "Message": r["message"],
            "Approved by": r["approved_by"],
            "Approved at": r["approved_at"],
        }
        for r in reversed(shown)
    ]
)
event = st.dataframe(
    table, hide_index=True, width="stretch", key="audit_table", on_select="rerun", selection_mode="single-row"
)
picked = event.selection.rows if event is not None else []
if picked:
    r = list(reversed(shown))[picked[0]]
    c1, c2 = st.columns(2)
    c1.caption("Request body (no token is ever stored)")
    c1.code(r["request_body"] or "", language="json")
    c2.caption("AFAS's response")
    c2.code(r["response_body"] or "", language="json")


def _export(write) -> bytes:  # noqa: ANN001 - export_jsonl / export_excel
    with tempfile.TemporaryDirectory() as tmp, connection(db) as con:
        path = Path(tmp) / "audit"
        write(con, path)
        return path.read_bytes()


c1, c2, _ = st.columns([1, 1, 2])
c1.download_button(
    "Download JSONL",
    lambda: _export(export_jsonl),
    "audit.jsonl",
    "application/jsonl",
    key="audit_jsonl",
    on_click="ignore",
)
c2.download_button(
    "Download Excel",
    lambda: _export(export_excel),
    "audit.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="audit_xlsx",
    on_click="ignore",
)
