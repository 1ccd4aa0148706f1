"""The approval dialog and the outbox section that the Corrections and Master data pages share.

'Send to AFAS' is :meth:`afas.corrections.outbox.Outbox.post` under a sender of its own (one per
press): items another session or ``python -m afas post`` is sending at that moment are left to it,
and the page says so in words. The warehouse file is not held while AFAS is being asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pandas as pd
import streamlit as st

import afas.close.booking  # noqa: F401 - links a close item to its correction in the approval's transaction
from afas.access import AccessConfig, Right, User, approvals_needed
from afas.corrections.batch_view import batch_lines, batch_text, refusal
from afas.corrections.batches import BatchState, approve, batches, decline, propose
from afas.corrections.from_recon import record_origins
from afas.corrections.outbox import ItemRow, Outbox, Outcome
from afas.corrections.plans import PlanItem
from afas.corrections.schema import PENDING_STATES, OutboxState
from afas.corrections.tables import held_by_others_text, outbox_table, sent_rows
from afas.ui.connection import Connection
from afas.ui.errors import show_error, shown_here
from afas.ui.identity import access_config, current_user, remember_name, why_not
from afas.ui.text import plain
from afas.warehouse.db import connection

__all__ = ["approval", "held_text", "outbox_section", "sender_name", "waiting_section"]


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


def _approve_locally(
    db: Path,
    ready: Sequence[tuple[str, PlanItem]],
    question: str,
    prefix: str,
    origins: Sequence[tuple[int, int]] | None,
    user: User | None,
) -> None:
    """One machine without sign-in: its one person approves in one step, under the session's name."""
    s = st.session_state
    flag = f"{prefix}_dialog"

    def close() -> None:
        s[flag] = False

    @st.dialog("Approve corrections", on_dismiss=close)
    def dialog() -> None:
        st.write(question + " They are sent only when you press **Send to AFAS**.")
        if user is None:  # asked once per session: the sidebar keeps it from now on
            who = st.text_input("Your name", key=f"{prefix}_approver")
        else:
            who = user.name
            st.caption(plain(f"Approved as {user.name} (the name in the sidebar)."))
        if st.button(
            "Approve",
            key=f"{prefix}_approve_confirm",
            type="primary",
            disabled=not who.strip(),
            on_click=remember_name,
            args=(who,),
        ):
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


def _prepare_for_approval(
    db: Path,
    ready: Sequence[tuple[str, PlanItem]],
    prefix: str,
    origins: Sequence[tuple[int, int]] | None,
    user: User,
    config: AccessConfig,
) -> None:
    """Signed in: the preparer puts the corrections in a batch that another person approves."""
    s = st.session_state
    flag = f"{prefix}_dialog"
    reason = user.why_not(Right.PREPARE)

    def close() -> None:
        s[flag] = False

    @st.dialog("Prepare corrections for approval", on_dismiss=close)
    def dialog() -> None:
        total = sum((abs(i.amount) for _, i in ready if i.amount is not None), Decimal(0))
        needed = approvals_needed(user, config, total)
        st.write(
            plain(
                f"Prepare {len(ready)} corrections (€ {total:,.2f} in all) for approval? They wait on this "
                f"page until {'two other approvers approve' if needed > 1 else 'another approver approves'} "
                "them, and are sent only after that."
            )
        )
        text = st.text_input(
            "What the approver should know", key=f"{prefix}_batch_description",
            placeholder="e.g. bank costs September not booked in AFAS", max_chars=200,
        )  # fmt: skip
        if st.button("Prepare for approval", key=f"{prefix}_prepare_confirm", type="primary"):
            with connection(db) as con, shown_here():
                batch = propose(
                    Outbox(con), ready, by=user, config=config, origins=origins,
                    description=" ".join(text.split()) or f"{len(ready)} corrections",
                )  # fmt: skip
                s[f"{prefix}_prepared"] = (
                    f"Prepared batch {batch.batch_id} ({batch.items} corrections) for approval: it waits "
                    "below until "
                    + (
                        "two other approvers approve it."
                        if batch.approvals_needed > 1
                        else "another approver approves it."
                    )
                )
                s[flag] = False
                st.rerun()

    if st.button(
        f"Prepare {len(ready)} corrections for approval…",
        key=f"{prefix}_approve",
        type="primary",
        disabled=not ready or reason is not None,
        help=reason,
    ):
        s[flag] = True
    if reason is not None:
        st.caption(plain(reason))
    if s.get(flag) and ready and reason is None:
        dialog()


def approval(
    db: Path,
    ready: Sequence[tuple[str, PlanItem]],
    question: str,
    prefix: str,
    origins: Sequence[tuple[int, int]] | None = None,
) -> None:
    """'Approve N …' on one machine, 'Prepare N … for approval' signed in; the outcome shows next run.

    ``origins``: per ready item, the (run_id, result_id) of the reconciliation result it corrects,
    remembered so that the same difference is not offered for approval again.
    """
    config = access_config()
    user = current_user(config)
    if user is not None and not user.is_local:
        _prepare_for_approval(db, ready, prefix, origins, user, config)
    else:
        _approve_locally(db, ready, question, prefix, origins, user)


def waiting_section(db: Path, prefix: str) -> None:
    """The batches waiting for approval: each with its corrections, Approve and Decline (four-eyes)."""
    s = st.session_state
    with connection(db) as con:
        waiting = batches(con, BatchState.WAITING)
        lines = {b.batch_id: batch_lines(con, b.batch_id) for b in waiting}
    if not waiting:
        return
    user = current_user()
    st.header("Waiting for approval", divider="gray")
    for batch in waiting:
        with st.container(border=True):
            st.text(batch_text(batch))
            with st.expander(
                f"The {batch.items} corrections of batch {batch.batch_id}"
                if batch.items != 1
                else f"The correction of batch {batch.batch_id}"
            ):
                st.text("\n".join(lines[batch.batch_id]))
            no_approve = refusal(batch, user)
            no_decline = refusal(batch, user, decline=True)
            c1, c2 = st.columns([1, 3])
            if c1.button(
                f"Approve batch {batch.batch_id}", key=f"{prefix}_batch_approve_{batch.batch_id}",
                type="primary", disabled=no_approve is not None, help=no_approve,
            ):  # fmt: skip
                with connection(db) as con, shown_here():
                    done, rows = approve(Outbox(con), batch.batch_id, by=user)
                    s[f"{prefix}_prepared"] = (
                        f"Approved batch {batch.batch_id}: "
                        + (
                            "its correction is in the outbox."
                            if len(rows) == 1
                            else f"its {len(rows)} corrections are in the outbox."
                        )
                        if rows
                        else f"Approved batch {batch.batch_id}: it waits for one more approver."
                    )
                    st.rerun()
            if no_approve is not None:
                c2.caption(plain(no_approve))
            if no_decline is None:
                with st.popover(
                    "Withdraw…" if user is not None and batch.preparer.same_person(user) else "Decline…"
                ):
                    why = st.text_input("Why", key=f"{prefix}_batch_why_{batch.batch_id}")
                    if st.button(
                        f"Decline batch {batch.batch_id}", key=f"{prefix}_batch_decline_{batch.batch_id}"
                    ):
                        with connection(db) as con, shown_here():
                            decline(Outbox(con), batch.batch_id, by=user, reason=why)
                            s[f"{prefix}_prepared"] = (
                                f"Batch {batch.batch_id} is declined: nothing of it is sent."
                            )
                            st.rerun()


def outbox_section(db: Path, conn: Connection, prefix: str) -> None:
    """The outbox's items, 'Send to AFAS' (recover, resolve, then send each once) and the results."""
    s = st.session_state
    prepared = s.pop(f"{prefix}_prepared", None)  # left by the batch dialog or buttons
    if prepared:
        st.success(plain(prepared))
    waiting_section(db, prefix)
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
    config = access_config()
    user = current_user(config)
    no_send = why_not(user, Right.APPROVE) if config.sign_in else None
    if no_send is not None:
        st.caption(plain(no_send))
    if st.button(
        f"Send {len(free)} to AFAS"
        + (f" ({len(pending) - len(free)} being sent elsewhere)" if len(pending) > len(free) else ""),
        key=f"{prefix}_send",
        type="primary",
        disabled=not pending or no_send is not None,
        help=no_send,
    ):
        bar = st.progress(0.0, text="Checking for interrupted sends…")

        def progress(n: int, total: int, row: ItemRow) -> None:
            bar.progress(n / max(total, 1), text=f"Sending {row.reference} ({n} of {total})")

        results: list[Outcome] = []
        s.pop(f"{prefix}_send_error", None)
        try:
            with conn.client() as client:
                results = Outbox(db, sender=sender_name()).post(
                    client, progress, by=user if config.sign_in else None
                )
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
