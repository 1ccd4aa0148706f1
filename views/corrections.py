"""Corrections: the reconciliation's differences as journal entries, checked, approved and sent."""

from __future__ import annotations

import streamlit as st

from afas.catalogue import labels
from afas.corrections.entries import CorrectionMode
from afas.corrections.from_recon import journal_and_contra_choices, open_proposals, waiting_for_approval
from afas.corrections.plans import Defaults
from afas.corrections.review import EDITOR_COLUMNS, proposal_table, review, run_choices
from afas.i18n import grid_date_format, ntr, number, tr
from afas.ui.outbox import approval, outbox_section
from afas.ui.text import plain
from afas.ui.warehouse import require_connection, require_profile, warehouse_path
from afas.warehouse.db import connection

st.title(tr("Corrections"))
conn = require_connection()
db = warehouse_path(conn)
profile = require_profile(tr("corrections are sent with them"))
s = st.session_state

with connection(db) as con:
    runs = run_choices(con)
if not runs:
    st.info(tr("Reconcile a ledger first: its differences become the corrections proposed here."))
    st.page_link("views/reconcile.py", label=tr("Go to Reconcile"), icon=":material/compare_arrows:")
    outbox_section(db, conn, "corr")  # what the Close page booked waits or is sent here all the same
    st.stop()

run_ids = list(runs)
run_id = st.selectbox(
    tr("Reconciliation run"),
    run_ids,
    index=run_ids.index(s["recon_run_id"]) if s.get("recon_run_id") in runs else 0,
    key="corr_run",
    format_func=runs.get,
)

with connection(db) as con:
    journals, accounts = journal_and_contra_choices(con, profile.administration)
    base, done = open_proposals(con, run_id)
    waiting = len(waiting_for_approval(con, run_id))
c1, c2 = st.columns(2)
journal = c1.selectbox(
    tr("Journal"), [j for j, _ in journals], key="corr_journal", format_func=dict(journals).get
)
contra = c2.selectbox(
    tr("Contra account (balances each correction)"),
    [a for a, _ in accounts],
    key="corr_contra",
    format_func=dict(accounts).get,
)
defaults = Defaults(
    administration=profile.administration,
    journal=journal,
    contra_account=contra,
    allocation_axis=profile.allocation_axis or 1,
    payment_terms=profile.payment_terms,
)

st.header(tr("Proposed corrections"), divider="gray")
if done:
    sent, shown_waiting = number(done - waiting), number(waiting)
    if done > waiting and waiting:
        text = tr(
            "{sent} differences of this run are in the outbox already and {waiting} wait for approval (see "
            "below); they are not offered again."
        )
    elif waiting:
        text = tr("{waiting} wait for approval (see below); they are not offered again.")
    else:
        text = tr(
            "{sent} differences of this run are in the outbox already (see below); they are not offered "
            "again."
        )
    st.caption(text.format(sent=sent, waiting=shown_waiting))
if not base and done:
    st.success(
        tr("Every difference of this run is in the outbox or waiting for approval.")
        if waiting
        else tr("Every difference of this run is in the outbox.")
    )
elif not base:
    st.success(
        tr("Nothing to correct in AFAS for this run: every ledger line is in AFAS with the same amount.")
    )
else:
    st.caption(
        tr(
            "Lines only in your ledger become new entries; differing amounts a difference entry or a "
            "reversal and re-booking. Edit what you need; untick what should not go to AFAS."
        )
    )
    modes = labels(CorrectionMode)
    edited = st.data_editor(
        proposal_table(base),
        key="corr_editor",
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        placeholder="",  # an empty cell, never "None" (afas/ui/grid.py)
        column_order=EDITOR_COLUMNS,
        column_config={
            "include": st.column_config.CheckboxColumn(tr("Send")),
            "kind": st.column_config.TextColumn(tr("Result"), disabled=True),
            "mode": st.column_config.SelectboxColumn(
                tr("Correction"), options=list(modes), required=True, format_func=modes.get
            ),
            "entry_date": st.column_config.DateColumn(tr("Date"), format=grid_date_format()),
            "account": st.column_config.TextColumn(tr("Account")),
            "contra": st.column_config.SelectboxColumn(
                tr("Contra (empty: the default)"), options=[a for a, _ in accounts]
            ),
            "amount": st.column_config.TextColumn(tr("Amount"), disabled=True),
            "description": st.column_config.TextColumn(tr("Description"), max_chars=250),
            "allocation": st.column_config.TextColumn(
                tr("Allocation code (axis {axis})").format(axis=defaults.allocation_axis)
            ),
        },
    )
    with connection(db) as con:
        checked = review(con, base, edited, defaults)
    st.write(checked.headline)
    if checked.problems:
        st.dataframe(checked.problem_table(), hide_index=True, key="corr_problems")
    requests = ntr(  # English says 'requests' for one too, as it always has; Dutch has both forms
        "What will be sent to AFAS ({n} requests)",
        "What will be sent to AFAS ({n} requests)",
        len(checked.ready),
    )
    with st.expander(requests.format(n=number(len(checked.ready)))):
        for caption, body in checked.requests(limit=50):
            st.caption(plain(caption))
            st.json(body, expanded=False)

    approval(db, checked.approvals(), checked.question(), "corr", origins=checked.origins(run_id))

outbox_section(db, conn, "corr")
