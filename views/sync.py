"""Sync: copy the administration's GetConnectors into the local DuckDB warehouse, and its history."""

from __future__ import annotations

import streamlit as st

import afas.recon.results  # noqa: F401  (registers the swap hook that keeps the lines old runs read)
from afas.access import Right
from afas.close.form import reopened_texts
from afas.close.overview import recheck_signed
from afas.i18n import grid_datetime_format, tr
from afas.ui.errors import shown_here
from afas.ui.grid import localized_grid
from afas.ui.identity import permission
from afas.ui.text import plain
from afas.ui.warehouse import current_profile, read, require_connection, warehouse_path
from afas.warehouse.db import connection
from afas.warehouse.sync import CONNECTOR_IDS, ProgressBoard, SyncProgress, outcome, sync, sync_running

st.title(tr("Sync from AFAS"))
conn = require_connection()
db = warehouse_path(conn)
profile = current_profile()
administration = profile.administration if profile else None
st.caption(
    plain(
        tr("Warehouse file: {file}").format(file=db.name)
        + " · "
        + (
            tr("administration {number} (profile '{profile}')").format(
                number=administration, profile=profile.name
            )
            if profile
            else tr("all administrations the token may see (choose one on Configure)")
        )
    )
)

running = sync_running(db)  # a run left running by a killed sync shows as interrupted
told = st.session_state.pop("sync_outcome", None)
if told is not None:
    (st.success if told.ok else st.error)(plain(told.text))
    for text in st.session_state.pop("sync_reopened", []):
        st.warning(plain(text))
    if told.ok:
        c1, c2 = st.columns(2)
        c1.page_link("views/explore.py", label=tr("Next: explore the books"), icon=":material/arrow_forward:")
        c2.page_link("views/reconcile.py", label=tr("or reconcile a ledger"), icon=":material/arrow_forward:")

status = read("connector_status", db, running)
shown, counts = localized_grid(status, [], [tr("Rows held"), tr("Rows fetched")])
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    key="sync_status",
    placeholder="",
    column_config={tr("Finished"): st.column_config.DatetimeColumn(format=grid_datetime_format()), **counts},
)

preparer, no_sync = permission(Right.PREPARE)  # signed in: a sync replaces what everyone reads
with st.form("sync_form"):
    chosen = st.multiselect(tr("Connectors"), CONNECTOR_IDS, default=CONNECTOR_IDS, key="sync_connectors")
    full = st.checkbox(
        tr("Full refresh of journal lines"),
        key="sync_full",
        help=tr(
            "Normally only the entry dates AFAS reports as changed since the last sync are fetched again."
        ),
    )
    start = st.form_submit_button(
        tr("Sync now"), type="primary", disabled=no_sync is not None, help=no_sync, key="sync_now"
    )
if no_sync is not None:
    st.caption(plain(no_sync))

if start:
    if not chosen:
        st.warning(tr("Choose at least one connector."))
    else:
        bar = st.progress(0.0, text=tr("Starting…"))
        board = ProgressBoard(chosen)

        def progress(p: SyncProgress) -> None:
            share, text = board.update(p)
            bar.progress(share, text=text)

        # SyncAlreadyRunning, WarehouseBusy, AFAS errors: said in words here, and the history still shows
        with shown_here() as attempt, conn.client() as client:
            results = sync(
                db, client, chosen, administration=administration, progress=progress, full=full, by=preparer
            )
        if not attempt.failed:
            with shown_here() as recheck, connection(db) as con:
                st.session_state["sync_reopened"] = reopened_texts(recheck_signed(con))
            st.session_state["sync_outcome"] = outcome(results)
            if not recheck.failed:
                st.rerun()

st.subheader(tr("History"))
history = read("run_history", db, running)
shown, counts = localized_grid(history, [], [tr("Rows"), tr("Pages")])
st.dataframe(
    shown, hide_index=True, width="stretch", key="sync_history", placeholder="", column_config=counts
)
