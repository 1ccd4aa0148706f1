"""The approval dialog and the outbox section that the Corrections and Master data pages share."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import streamlit as st

from afas.corrections.from_recon import record_origins
from afas.corrections.outbox import Outbox
from afas.corrections.plans import PlanItem
from afas.ui.connection import Connection
from afas.ui.errors import show_error
from afas.warehouse.db import connection

__all__ = ["STATE_LABELS", "approval", "outbox_section"]

STATE_LABELS = {
    "approved": "approved, not sent",
    "sending": "sending",
    "confirmed": "in AFAS",
    "rejected": "rejected by AFAS",
    "unknown": "unknown: resolve",
    "stale": "stopped: AFAS changed",
}


def _keys(keys: dict | None) -> str:
    return ", ".join(f"{k} {v}" for k, v in (keys or {}).items() if v)


def approval(
    db: Path,
    ready: Sequence[tuple[str, PlanItem]],
    question: str,
    prefix: str,
    origins: Sequence[tuple[int, int]] | None = None,
) -> None:
    """'Approve N …' and its confirmation dialog asking who approves; the outcome shows next run.

    ``origins``: per ready item, the (run_id, result_id) of the reconciliation result it corrects,
    remembered so that the same difference is not offered for approval again.
    """
    s = st.session_state
    flag = f"{prefix}_dialog"

    def close() -> None:
        s[flag] = False

    @st.dialog("Approve corrections", on_dismiss=close)
    def dialog() -> None:
        st.write(question + " They are sent only when you press **Send to AFAS**.")
        who = st.text_input("Your name", key=f"{prefix}_approver")
        if st.button("Approve", key=f"{prefix}_approve_confirm", type="primary", disabled=not who.strip()):
            approved, refused = 0, []
            with connection(db) as con:
                outbox = Outbox(con)
                linked = []
                for n, (label, item) in enumerate(ready):
                    try:
                        row = outbox.approve(item, approver=who.strip())
                        approved += 1
                    except ValueError as exc:
                        refused.append(f"{label}: {exc}")
                        continue
                    if origins is not None:
                        linked.append((row.item_id, *origins[n]))
                record_origins(con, linked)
            s[f"{prefix}_message"] = (approved, refused)
            s[flag] = False
            st.rerun()

    if st.button(
        f"Approve {len(ready)} corrections…", key=f"{prefix}_approve", type="primary", disabled=not ready
    ):
        s[flag] = True
    if s.get(flag) and ready:
        dialog()


def outbox_section(db: Path, conn: Connection, prefix: str) -> None:
    """The outbox's items, 'Send to AFAS' (recover, resolve, then send each once) and the results."""
    s = st.session_state
    message = s.pop(f"{prefix}_message", None)  # left by the approval dialog
    if message:
        approved, refused = message
        st.success(f"Approved {approved} corrections. Send them to AFAS below.")
        for text in refused:
            st.error(text)
    st.header("Outbox", divider="gray")
    with connection(db) as con:
        items = Outbox(con).items()
    if not items:
        st.caption("Nothing approved yet.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Item": i.item_id,
                    "State": STATE_LABELS.get(i.state, i.state),
                    "Reference": i.reference,
                    "Description": i.description,
                    "Approved by": i.approved_by,
                    "AFAS keys": _keys(i.result_keys),
                    "Message": i.message,
                }
                for i in items
            ]
        ),
        hide_index=True,
        width="stretch",
        key=f"{prefix}_outbox",
    )
    pending = [i for i in items if i.state in ("approved", "unknown", "sending")]
    if st.button(f"Send {len(pending)} to AFAS", key=f"{prefix}_send", type="primary", disabled=not pending):
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
        s[f"{prefix}_sent"] = [
            {
                "Reference": r.reference,
                "Result": STATE_LABELS.get(r.state, r.state),
                "AFAS keys": _keys(r.keys),
                "AFAS message": r.message,
            }
            for r in results
        ]
        s[f"{prefix}_sent_summary"] = f"{len(confirmed)} of {len(results)} corrections are in AFAS."
        st.rerun()
    if s.get(f"{prefix}_sent"):
        st.success(s[f"{prefix}_sent_summary"])
        st.dataframe(
            pd.DataFrame(s[f"{prefix}_sent"]), hide_index=True, width="stretch", key=f"{prefix}_sent_table"
        )
        st.page_link("pages/audit.py", label="See the audit log", icon=":material/arrow_forward:")
