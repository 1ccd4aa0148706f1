"""Sync: copy the administration's GetConnectors into the local DuckDB warehouse, and its history."""

from __future__ import annotations

import streamlit as st

from afas.errors import AppError
from afas.profit.connectors import GET_CONNECTORS
from afas.ui.errors import show_error
from afas.ui.text import plain
from afas.ui.warehouse import current_profile, read, require_connection, warehouse_path
from afas.warehouse.sync import SyncProgress, sync, sync_running

st.title("Sync from AFAS")
conn = require_connection()
db = warehouse_path(conn)
profile = current_profile()
administration = profile.administration if profile else None
st.caption(
    plain(
        f"Warehouse file: {db.name} · "
        + (
            f"administration {administration} (profile '{profile.name}')"
            if profile
            else "all administrations the token may see (choose one on Configure)"
        )
    )
)

running = sync_running(db)  # a run left 'running' by a killed sync shows as interrupted
message = st.session_state.pop("sync_message", None)
if message:
    (st.success if message[0] == "success" else st.error)(plain(message[1]))
    if message[0] == "success":
        c1, c2 = st.columns(2)
        c1.page_link("views/explore.py", label="Next: explore the books", icon=":material/arrow_forward:")
        c2.page_link("views/reconcile.py", label="or reconcile a ledger", icon=":material/arrow_forward:")

status = read("connector_status", db, running)
st.dataframe(
    status,
    hide_index=True,
    width="stretch",
    key="sync_status",
    column_config={"Finished": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")},
)

ids = [s.id for s in GET_CONNECTORS]
with st.form("sync_form"):
    chosen = st.multiselect("Connectors", ids, default=ids, key="sync_connectors")
    full = st.checkbox(
        "Full refresh of journal lines",
        key="sync_full",
        help="Normally only the entry dates AFAS reports as changed since the last sync are fetched again.",
    )
    start = st.form_submit_button("Sync now", type="primary")

if start:
    if not chosen:
        st.warning("Choose at least one connector.")
    else:
        bar = st.progress(0.0, text="Starting…")

        def progress(p: SyncProgress) -> None:
            share = p.fraction if p.fraction is not None else 0.5
            overall = (chosen.index(p.connector) + share) / len(chosen)
            estimate = f" of ~{p.estimate:,}" if p.estimate else ""
            bar.progress(
                min(overall, 1.0),
                text=f"{p.connector}: {p.rows:,}{estimate} rows, {p.pages:,} pages ({p.mode})",
            )

        try:
            with conn.client() as client:
                results = sync(
                    db, client, chosen, administration=administration, progress=progress, full=full
                )
        except AppError as exc:  # SyncAlreadyRunning, WarehouseBusy, AFAS errors: in words, page goes on
            show_error(exc)
        else:
            failed = [r for r in results if r.status != "ok"]
            if failed:
                message = (
                    "error",
                    f"{failed[0].connector} failed: {failed[0].error} Its previous data is unchanged.",
                )
            else:
                rows = sum(r.rows for r in results)
                seconds = sum(r.seconds for r in results)
                message = ("success", f"Synced {len(results)} connectors: {rows:,} rows in {seconds:.1f} s.")
            st.session_state["sync_message"] = message
            st.rerun()

st.subheader("History")
history = read("run_history", db, running)
st.dataframe(history, hide_index=True, width="stretch", key="sync_history")
