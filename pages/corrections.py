"""Corrections: the reconciliation's differences as journal entries, checked, approved and sent."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from afas.corrections.from_recon import MODES, build_item, entry_rows, journal_and_contra_choices, proposals
from afas.corrections.outbox import Outbox
from afas.corrections.plans import Defaults
from afas.corrections.validation import dry_run
from afas.recon.matching import list_runs
from afas.ui.errors import show_error
from afas.ui.warehouse import current_profile, require_connection, warehouse_path
from afas.warehouse.db import connection
from afas.warehouse.explore import has_table

EDITABLE = ("mode", "entry_date", "account", "contra", "description", "allocation")
STATE_LABELS = {
    "approved": "approved, not sent",
    "sending": "sending",
    "confirmed": "in AFAS",
    "rejected": "rejected by AFAS",
    "unknown": "unknown: resolve",
    "stale": "stopped: AFAS changed",
}

st.title("Corrections")
conn = require_connection()
db = warehouse_path(conn)
profile = current_profile()
s = st.session_state
if profile is None or profile.administration is None:
    st.info("Choose the administration and defaults on Configure first; corrections are sent with them.")
    st.page_link("pages/configure.py", label="Go to Configure", icon=":material/tune:")
    st.stop()

with connection(db) as con:
    ready = all(has_table(con, t) for t in ("Profit_Transactions", "Profit_Accounts", "Profit_Journals"))
    runs = [r for r in list_runs(con, "transactions")] if ready else []
if not runs:
    st.info("Reconcile a ledger first: its differences become the corrections proposed here.")
    st.page_link("pages/reconcile.py", label="Go to Reconcile", icon=":material/compare_arrows:")
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
    base = proposals(con, run_id)
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
if not base:
    st.success("Nothing to correct in AFAS for this run: every ledger line is in AFAS with the same amount.")
else:
    st.caption(
        "Lines only in your ledger become new entries; differing amounts a difference entry or a "
        "reversal and re-booking. Edit what you need; untick what should not go to AFAS."
    )
    table = pd.DataFrame(
        [{**p, "amount": f"{p['amount']:,.2f}", "ledger_amount": str(p["ledger_amount"])} for p in base]
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
            "mode": st.column_config.SelectboxColumn("Correction", options=list(MODES), required=True),
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
    items, checks, problems = [], [], []
    with connection(db) as con:
        by_id = {p["result_id"]: p for p in base}
        entries = entry_rows(
            con, sorted({(p["unit_id"], p["entry_no"]) for p in base if p["entry_no"] is not None})
        )
        for edit in rows:
            r = dict(by_id[edit["result_id"]])
            for f in EDITABLE:
                value = edit.get(f)
                r[f] = None if value is None or (not isinstance(value, str) and pd.isna(value)) else value
            try:
                items.append((r, build_item(con, r, defaults, entries)))
            except ValueError as exc:
                problems.append((r, str(exc)))
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
            st.caption(f"{c.method} {c.connector} — {r['description']}")
            st.json(c.body, expanded=False)

    def _close_dialog() -> None:
        s["corr_dialog"] = False

    @st.dialog("Approve corrections", on_dismiss=_close_dialog)
    def approve_dialog(ready_items: list) -> None:
        total = sum(c.item.total_debit for _, c in ready_items)
        st.write(
            f"Approve **{len(ready_items)}** journal entries (total debit € {total:,.2f}) for administration "
            f"{defaults.administration}, journal {defaults.journal}? They are sent only when you press "
            "**Send to AFAS**."
        )
        who = st.text_input("Your name", key="corr_approver")
        if st.button("Approve", key="corr_approve_confirm", type="primary", disabled=not who.strip()):
            approved, refused = 0, []
            with connection(db) as con:
                outbox = Outbox(con)
                for r, c in ready_items:
                    try:
                        outbox.approve(c.item, approver=who.strip())
                        approved += 1
                    except ValueError as exc:
                        refused.append(f"{r['description']}: {exc}")
            s["corr_message"] = (approved, refused)
            s["corr_dialog"] = False
            st.rerun()

    if st.button(f"Approve {len(ok)} corrections…", key="corr_approve", type="primary", disabled=not ok):
        s["corr_dialog"] = True
    if s.get("corr_dialog") and ok:
        approve_dialog(ok)

message = s.pop("corr_message", None)
if message:
    approved, refused = message
    st.success(f"Approved {approved} corrections. Send them to AFAS below.")
    for text in refused:
        st.error(text)

st.header("Outbox", divider="gray")
with connection(db) as con:
    outbox_items = Outbox(con).items()
if not outbox_items:
    st.caption("Nothing approved yet.")
    st.stop()
st.dataframe(
    pd.DataFrame(
        [
            {
                "Item": i.item_id,
                "State": STATE_LABELS.get(i.state, i.state),
                "Reference": i.reference,
                "Description": i.description,
                "Approved by": i.approved_by,
                "AFAS keys": ", ".join(f"{k} {v}" for k, v in (i.result_keys or {}).items() if v),
                "Message": i.message,
            }
            for i in outbox_items
        ]
    ),
    hide_index=True,
    width="stretch",
    key="corr_outbox",
)
pending = [i for i in outbox_items if i.state in ("approved", "unknown", "sending")]
if st.button(f"Send {len(pending)} to AFAS", key="corr_send", type="primary", disabled=not pending):
    bar = st.progress(0.0, text="Checking for interrupted sends…")
    results = []
    try:
        with connection(db) as con, conn.client() as client:
            outbox = Outbox(con)
            outbox.recover()
            results += outbox.resolve_all(client)
            todo = outbox.items("approved")
            for n, item in enumerate(todo, start=1):
                bar.progress(n / max(len(todo), 1), text=f"Sending {item.reference} ({n} of {len(todo)})")
                results.append(outbox.send(item.item_id, client))
    except Exception as exc:  # noqa: BLE001 - a failure mid-way leaves each item's state exact
        show_error(exc)
    confirmed = [r for r in results if r.state == "confirmed"]
    s["corr_sent"] = [
        {
            "Reference": r.reference,
            "Result": STATE_LABELS.get(r.state, r.state),
            "AFAS keys": ", ".join(f"{k} {v}" for k, v in (r.keys or {}).items() if v),
            "AFAS message": r.message,
        }
        for r in results
    ]
    s["corr_sent_summary"] = f"{len(confirmed)} of {len(results)} corrections are in AFAS."
    st.rerun()

if s.get("corr_sent"):
    st.success(s["corr_sent_summary"])
    st.dataframe(pd.DataFrame(s["corr_sent"]), hide_index=True, width="stretch", key="corr_sent_table")
    st.page_link("pages/audit.py", label="See the audit log", icon=":material/arrow_forward:")
