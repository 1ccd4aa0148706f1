"""Corrections: the reconciliation's differences as journal entries, checked, approved and sent."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from afas.catalogue import label
from afas.corrections.from_recon import (
    MODES,
    build_items,
    in_outbox,
    journal_and_contra_choices,
    proposals,
)
from afas.corrections.plans import Defaults
from afas.corrections.validation import dry_run
from afas.recon.matching import list_runs
from afas.recon.schema import ResultKind
from afas.ui.outbox import approval, outbox_section
from afas.ui.text import plain
from afas.ui.warehouse import require_connection, require_profile, warehouse_path
from afas.warehouse.db import connection
from afas.warehouse.explore import has_table

st.title("Corrections")
conn = require_connection()
db = warehouse_path(conn)
profile = require_profile("corrections are sent with them")
s = st.session_state

with connection(db) as con:
    ready = all(has_table(con, t) for t in ("Profit_Transactions", "Profit_Accounts", "Profit_Journals"))
    runs = [r for r in list_runs(con, "transactions")] if ready else []
if not runs:
    st.info("Reconcile a ledger first: its differences become the corrections proposed here.")
    st.page_link("views/reconcile.py", label="Go to Reconcile", icon=":material/compare_arrows:")
    st.stop()

run_ids = [r["run_id"] for r in runs]
run_id = st.selectbox(
    "Reconciliation run",
    run_ids,
    index=run_ids.index(s["recon_run_id"]) if s.get("recon_run_id") in run_ids else 0,
    key="corr_run",
    format_func=lambda r: next(
        f"#{x['run_id']} ledger #{x['import_id']}, {x['started']:%d-%m-%Y %H:%M}"
        for x in runs
        if x["run_id"] == r
    ),
)

with connection(db) as con:
    journals, accounts = journal_and_contra_choices(con, profile.administration)
    done = in_outbox(con, run_id)
    base = [p for p in proposals(con, run_id) if p["result_id"] not in done]
c1, c2 = st.columns(2)
journal = c1.selectbox(
    "Journal", [j for j, _ in journals], key="corr_journal", format_func=dict(journals).get
)
contra = c2.selectbox(
    "Contra account (balances each correction)",
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

st.header("Proposed corrections", divider="gray")
if done:
    st.caption(
        f"{len(done)} differences of this run are in the outbox already (see below) "
        "and are not offered again."
    )
if not base and done:
    st.success("Every difference of this run is in the outbox.")
elif not base:
    st.success("Nothing to correct in AFAS for this run: every ledger line is in AFAS with the same amount.")
else:
    st.caption(
        "Lines only in your ledger become new entries; differing amounts a difference entry or a "
        "reversal and re-booking. Edit what you need; untick what should not go to AFAS."
    )
    table = pd.DataFrame(
        [
            {
                **p,
                "kind": label(ResultKind(p["kind"])),
                "amount": f"{p['amount']:,.2f}",
                "ledger_amount": str(p["ledger_amount"]),
            }
            for p in base
        ]
    )
    edited = st.data_editor(
        table,
        key="corr_editor",
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        column_order=[
            "include",
            "kind",
            "mode",
            "entry_date",
            "account",
            "contra",
            "amount",
            "description",
            "allocation",
        ],
        column_config={
            "include": st.column_config.CheckboxColumn("Send"),
            "kind": st.column_config.TextColumn("Result", disabled=True),
            "mode": st.column_config.SelectboxColumn(
                "Correction", options=list(MODES), required=True, format_func=MODES.get
            ),
            "entry_date": st.column_config.DateColumn("Date", format="DD-MM-YYYY"),
            "account": st.column_config.TextColumn("Account"),
            "contra": st.column_config.SelectboxColumn(
                "Contra (empty: the default)", options=[a for a, _ in accounts]
            ),
            "amount": st.column_config.TextColumn("Amount", disabled=True),
            "description": st.column_config.TextColumn("Description", max_chars=250),
            "allocation": st.column_config.TextColumn(f"Allocation code (axis {defaults.allocation_axis})"),
        },
    )
    rows = [r for r in edited.to_dict("records") if r["include"]]
    with connection(db) as con:
        items, problems = build_items(con, base, rows, defaults)
        checks = dry_run(con, [item for _, item in items])
    ok = [(r, c) for (r, _), c in zip(items, checks, strict=True) if c.ok]
    bad = [(r, "; ".join(c.messages)) for (r, _), c in zip(items, checks, strict=True) if not c.ok] + problems
    st.write(f"**{len(ok)}** ready to approve" + (f", **{len(bad)}** need attention" if bad else ""))
    if bad:
        st.dataframe(
            pd.DataFrame(
                [
                    {"Result": r["result_id"], "Description": r["description"], "AFAS would say": m}
                    for r, m in bad
                ]
            ),
            hide_index=True,
            key="corr_problems",
        )
    with st.expander(f"What will be sent to AFAS ({len(ok)} requests)"):
        for r, c in ok[:50]:
            st.caption(plain(f"{c.method} {c.connector} — {r['description']}"))
            st.json(c.body, expanded=False)

    total = sum(c.item.total_debit for _, c in ok)
    approval(
        db,
        [(r["description"], c.item) for r, c in ok],
        f"Approve **{len(ok)}** journal entries (total debit € {total:,.2f}) for administration "
        f"{defaults.administration}, journal {defaults.journal}?",
        "corr",
        origins=[(run_id, r["result_id"]) for r, _ in ok],
    )

outbox_section(db, conn, "corr")
