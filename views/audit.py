"""Audit: every request sent to AFAS for a correction, its answer, and who approved it."""

from __future__ import annotations

import streamlit as st

from afas.corrections.audit import audit_events, audit_table, event_label, excel_bytes, jsonl_bytes
from afas.i18n import tr
from afas.ui.grid import selection_key
from afas.ui.warehouse import require_connection, warehouse_path
from afas.warehouse.db import connection

st.title(tr("Audit log"))
conn = require_connection()
db = warehouse_path(conn)

with connection(db) as con:
    events = audit_events(con)
if not events:
    st.info(tr("No corrections have been approved or sent yet."))
    st.page_link("views/corrections.py", label=tr("Go to Corrections"), icon=":material/edit_note:")
    st.stop()

c1, c2 = st.columns(2)
chosen = c1.multiselect(tr("Events"), events, default=events, key="audit_events", format_func=event_label)
search = c2.text_input(tr("Search (reference, message, keys)"), key="audit_search")
with connection(db) as con:
    shown = audit_table(con, chosen, search)
event = st.dataframe(
    shown.table,
    hide_index=True,
    width="stretch",
    key=selection_key("audit_table", shown.table),
    on_select="rerun",
    selection_mode="single-row",
)
picked = shown.selected(event.selection.rows if event is not None else [])
if picked:
    request, response = picked
    c1, c2 = st.columns(2)
    c1.caption(tr("Request body (no token is ever stored)"))
    c1.code(request, language="json")
    c2.caption(tr("AFAS's response"))
    c2.code(response, language="json")


def _download(write) -> bytes:  # noqa: ANN001 - jsonl_bytes / excel_bytes
    with connection(db) as con:
        return write(con)


c1, c2, _ = st.columns([1, 1, 2])
c1.download_button(
    tr("Download JSONL"),
    lambda: _download(jsonl_bytes),
    "audit.jsonl",
    "application/jsonl",
    key="audit_jsonl",
    on_click="ignore",
)
c2.download_button(
    tr("Download Excel"),
    lambda: _download(excel_bytes),
    "audit.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="audit_xlsx",
    on_click="ignore",
)
