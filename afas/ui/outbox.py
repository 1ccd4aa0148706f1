"""The approval dialog and the outbox section that the Corrections and Master data pages share.

'Send to AFAS' is :meth:`afas.corrections.outbox.Outbox.post` under a sender of its own (one per
press): items another session or ``python -m afas post`` is sending at that moment are left to it,
and the page says so in words. The warehouse file is not held while AFAS is being asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import streamlit as st

from afas.corrections.from_recon import record_origins
from afas.corrections.outbox import ItemRow, Outbox, Outcome
from afas.corrections.plans import PlanItem
from afas.corrections.schema import PENDING_STATES, OutboxState
from afas.corrections.tables import held_by_others_text, outbox_table, sent_rows
from afas.ui.connection import Connection
from afas.ui.errors import show_error
from afas.ui.text import plain
from afas.warehouse.db import connection

__all__ = ["approval", "held_text", "outbox_section", "sender_name"]


def sender_name() -> str:
    """Who this session is to other sessions while it sends: the signed-in user if there is one."""
    try:
        user = st.user
        who = (user.get("name") or user.get("email")) if user.get("is_logged_in") else None
    except Exception:  # noqa: BLE001 - no sign-in configured (or an older Streamlit): no name
        who = None
    return f"the dashboard session of {who}" if who else "a dashboard session"


def held_text(held: Sequence[Outcome], approvers: dict[int, str]) -> str:
    """'N corrections are being sent by ...' in plain words (names are user text: shown literally)."""
    by: dict[str, list[Outcome]] = {}
    for o in held:
        by.setdefault(o.held_by or "a sender", []).append(o)
    parts = []
    for who, outs in by.items():
        since = min((o.held_since for o in outs if o.held_since), default=None)
        names = sorted({approvers[o.item_id] for o in outs if approvers.get(o.item_id)})
        count = f"{len(outs)} correction{'s' if len(outs) != 1 else ''}"
        refs = [o.reference for o in outs]
        shown = ", ".join(refs[:5]) + (f" and {len(refs) - 5} more" if len(refs) > 5 else "")
        parts.append(
            f"{count} ({shown}"
            + (f", approved by {', '.join(names)}" if names else "")
            + f") {'is' if len(outs) == 1 else 'are'} being sent by another session ({who})"
            + (f" since {since:%H:%M:%S}" if since else "")
            + "."
        )
    return plain(
        " ".join(parts) + " They are not sent again from here; their results show in the outbox when "
        "AFAS has answered."
    )


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
            st.error(plain(text))  # names the item by its description: user text
    st.header("Outbox", divider="gray")
    with connection(db) as con:
        box = Outbox(con)
        items = box.items()
        busy = held_by_others_text(box.held_by_others(items))
    if not items:
        st.caption("Nothing approved yet.")
        return
    st.dataframe(outbox_table(items, busy), hide_index=True, width="stretch", key=f"{prefix}_outbox")
    pending = [i for i in items if i.state in PENDING_STATES]
    free = [i for i in pending if i.item_id not in busy]  # less those another live sender sends now
    if st.button(
        f"Send {len(free)} to AFAS"
        + (f" ({len(pending) - len(free)} being sent elsewhere)" if len(pending) > len(free) else ""),
        key=f"{prefix}_send",
        type="primary",
        disabled=not pending,
    ):
        bar = st.progress(0.0, text="Checking for interrupted sends…")

        def progress(n: int, total: int, row: ItemRow) -> None:
            bar.progress(n / max(total, 1), text=f"Sending {row.reference} ({n} of {total})")

        results: list[Outcome] = []
        s.pop(f"{prefix}_send_error", None)
        try:
            with conn.client() as client:
                results = Outbox(db, sender=sender_name()).post(client, progress)
        except Exception as exc:  # noqa: BLE001 - a failure mid-way leaves each item's state exact
            s[f"{prefix}_send_error"] = exc
        mine = [r for r in results if r.held_by is None]
        confirmed = [r for r in mine if r.state == OutboxState.CONFIRMED]
        s[f"{prefix}_sent"] = sent_rows(mine)
        s[f"{prefix}_sent_summary"] = f"{len(confirmed)} of {len(mine)} corrections are in AFAS."
        s[f"{prefix}_sent_held"] = [r for r in results if r.held_by is not None]
        st.rerun()
    if s.get(f"{prefix}_send_error") is not None:
        show_error(s[f"{prefix}_send_error"])
    # what another session was sending when Send was pressed, as long as it still is
    held = [o for o in s.get(f"{prefix}_sent_held") or [] if o.item_id in busy]
    if held:
        st.info(held_text(held, {i.item_id: i.approved_by for i in items}))
    if s.get(f"{prefix}_sent"):
        st.success(s[f"{prefix}_sent_summary"])
        st.dataframe(
            pd.DataFrame(s[f"{prefix}_sent"]), hide_index=True, width="stretch", key=f"{prefix}_sent_table"
        )
        st.page_link("views/audit.py", label="See the audit log", icon=":material/arrow_forward:")
