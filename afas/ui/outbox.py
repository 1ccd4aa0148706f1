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
from afas.i18n import amount, ntr, number, tr
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
    return tr("the dashboard session of {person}").format(person=who) if who else tr("a dashboard session")


def held_text(held: Sequence[Outcome], approvers: dict[int, str]) -> str:
    """'N corrections are being sent by ...' in plain words (names are user text: shown literally)."""
    by: dict[str, list[Outcome]] = {}
    for o in held:
        by.setdefault(o.held_by or tr("a sender"), []).append(o)
    parts = []
    for who, outs in by.items():
        since = min((o.held_since for o in outs if o.held_since), default=None)
        names = sorted({approvers[o.item_id] for o in outs if approvers.get(o.item_id)})
        refs = [o.reference for o in outs]
        shown = ", ".join(refs[:5])
        if len(refs) > 5:
            shown = tr("{references} and {n} more").format(references=shown, n=number(len(refs) - 5))
        if names:
            shown = tr("{references}, approved by {names}").format(references=shown, names=", ".join(names))
        n = len(outs)
        if since:
            text = ntr(
                "{n} correction ({details}) is being sent by another session ({sender}) since {time}.",
                "{n} corrections ({details}) are being sent by another session ({sender}) since {time}.",
                n,
            ).format(n=number(n), details=shown, sender=who, time=f"{since:%H:%M:%S}")
        else:
            text = ntr(
                "{n} correction ({details}) is being sent by another session ({sender}).",
                "{n} corrections ({details}) are being sent by another session ({sender}).",
                n,
            ).format(n=number(n), details=shown, sender=who)
        parts.append(text)
    return plain(
        " ".join(
            [
                *parts,
                tr(
                    "They are not sent again from here; their results show in the outbox when AFAS has "
                    "answered."
                ),
            ]
        )
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

    @st.dialog(tr("Approve corrections"), on_dismiss=close)
    def dialog() -> None:
        st.write(
            tr("{question} They are sent only when you press **Send to AFAS**.").format(question=question)
        )
        if user is None:  # asked once per session: the sidebar keeps it from now on
            who = st.text_input(tr("Your name"), key=f"{prefix}_approver")
        else:
            who = user.name
            st.caption(plain(tr("Approved as {person} (the name in the sidebar).").format(person=user.name)))
        if st.button(
            tr("Approve"),
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

    approve_text = ntr("Approve {n} corrections…", "Approve {n} corrections…", len(ready))  # English: as ever
    if st.button(
        approve_text.format(n=number(len(ready))), key=f"{prefix}_approve", type="primary", disabled=not ready
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

    @st.dialog(tr("Prepare corrections for approval"), on_dismiss=close)
    def dialog() -> None:
        total = sum((abs(i.amount) for _, i in ready if i.amount is not None), Decimal(0))
        needed = approvals_needed(user, config, total)
        question = (
            ntr(
                "Prepare {n} corrections ({amount} in all) for approval? They wait on this page until two "
                "other approvers approve them, and are sent only after that.",
                "Prepare {n} corrections ({amount} in all) for approval? They wait on this page until two "
                "other approvers approve them, and are sent only after that.",
                len(ready),
            )
            if needed > 1
            else ntr(
                "Prepare {n} corrections ({amount} in all) for approval? They wait on this page until "
                "another approver approves them, and are sent only after that.",
                "Prepare {n} corrections ({amount} in all) for approval? They wait on this page until "
                "another approver approves them, and are sent only after that.",
                len(ready),
            )
        )  # English says 'corrections' for one too, as it always has; Dutch has both forms
        st.write(plain(question.format(n=number(len(ready)), amount=amount(total))))
        text = st.text_input(
            tr("What the approver should know"), key=f"{prefix}_batch_description",
            placeholder=tr("e.g. bank costs September not booked in AFAS"), max_chars=200,
        )  # fmt: skip
        if st.button(tr("Prepare for approval"), key=f"{prefix}_prepare_confirm", type="primary"):
            with connection(db) as con, shown_here():
                default = ntr("{n} corrections", "{n} corrections", len(ready)).format(n=len(ready))
                batch = propose(
                    Outbox(con), ready, by=user, config=config, origins=origins,
                    description=" ".join(text.split()) or default,
                )  # fmt: skip
                prepared = (
                    ntr(
                        "Prepared batch {batch} ({n} corrections) for approval: it waits below until two "
                        "other approvers approve it.",
                        "Prepared batch {batch} ({n} corrections) for approval: it waits below until two "
                        "other approvers approve it.",
                        batch.items,
                    )
                    if batch.approvals_needed > 1
                    else ntr(
                        "Prepared batch {batch} ({n} corrections) for approval: it waits below until another "
                        "approver approves it.",
                        "Prepared batch {batch} ({n} corrections) for approval: it waits below until another "
                        "approver approves it.",
                        batch.items,
                    )
                )
                s[f"{prefix}_prepared"] = prepared.format(batch=batch.batch_id, n=number(batch.items))
                s[flag] = False
                st.rerun()

    prepare_text = ntr(
        "Prepare {n} corrections for approval…", "Prepare {n} corrections for approval…", len(ready)
    )  # English: as ever
    if st.button(
        prepare_text.format(n=number(len(ready))),
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
    st.header(tr("Waiting for approval"), divider="gray")
    for batch in waiting:
        with st.container(border=True):
            st.text(batch_text(batch))
            with st.expander(
                tr("The {n} corrections of batch {batch}").format(n=number(batch.items), batch=batch.batch_id)
                if batch.items != 1
                else tr("The correction of batch {batch}").format(batch=batch.batch_id)
            ):
                st.text("\n".join(lines[batch.batch_id]))
            no_approve = refusal(batch, user)
            no_decline = refusal(batch, user, decline=True)
            c1, c2 = st.columns([1, 3])
            if c1.button(
                tr("Approve batch {batch}").format(batch=batch.batch_id),
                key=f"{prefix}_batch_approve_{batch.batch_id}",
                type="primary", disabled=no_approve is not None, help=no_approve,
            ):  # fmt: skip
                with connection(db) as con, shown_here():
                    done, rows = approve(Outbox(con), batch.batch_id, by=user)
                    s[f"{prefix}_prepared"] = (
                        (
                            tr("Approved batch {batch}: its correction is in the outbox.").format(
                                batch=batch.batch_id
                            )
                            if len(rows) == 1
                            else tr("Approved batch {batch}: its {n} corrections are in the outbox.").format(
                                batch=batch.batch_id, n=number(len(rows))
                            )
                        )
                        if rows
                        else tr("Approved batch {batch}: it waits for one more approver.").format(
                            batch=batch.batch_id
                        )
                    )
                    st.rerun()
            if no_approve is not None:
                c2.caption(plain(no_approve))
            if no_decline is None:
                with st.popover(
                    tr("Withdraw…")
                    if user is not None and batch.preparer.same_person(user)
                    else tr("Decline…")
                ):
                    why = st.text_input(tr("Why"), key=f"{prefix}_batch_why_{batch.batch_id}")
                    if st.button(
                        tr("Decline batch {batch}").format(batch=batch.batch_id),
                        key=f"{prefix}_batch_decline_{batch.batch_id}",
                    ):
                        with connection(db) as con, shown_here():
                            decline(Outbox(con), batch.batch_id, by=user, reason=why)
                            s[f"{prefix}_prepared"] = tr(
                                "Batch {batch} is declined: nothing of it is sent."
                            ).format(batch=batch.batch_id)
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
        st.success(
            ntr(
                "Approved {n} corrections. Send them to AFAS below.",
                "Approved {n} corrections. Send them to AFAS below.",
                approved,
            ).format(n=number(approved))
        )  # English says 'corrections' for one too, as it always has; Dutch has both forms
        for text in refused:
            st.error(plain(text))  # names the item by its description: user text
    st.header(tr("Outbox"), divider="gray")
    with connection(db) as con:
        box = Outbox(con)
        items = box.items()
        busy = held_by_others_text(box.held_by_others(items))
    if not items:
        st.caption(tr("Nothing approved yet."))
        return
    st.dataframe(outbox_table(items, busy), hide_index=True, width="stretch", key=f"{prefix}_outbox")
    pending = [i for i in items if i.state in PENDING_STATES]
    free = [i for i in pending if i.item_id not in busy]  # less those another live sender sends now
    config = access_config()
    user = current_user(config)
    no_send = why_not(user, Right.APPROVE) if config.sign_in else None
    if no_send is not None:
        st.caption(plain(no_send))
    send_text = (
        tr("Send {n} to AFAS ({others} being sent elsewhere)").format(
            n=number(len(free)), others=number(len(pending) - len(free))
        )
        if len(pending) > len(free)
        else tr("Send {n} to AFAS").format(n=number(len(free)))
    )
    if st.button(
        send_text,
        key=f"{prefix}_send",
        type="primary",
        disabled=not pending or no_send is not None,
        help=no_send,
    ):
        bar = st.progress(0.0, text=tr("Checking for interrupted sends…"))

        def progress(n: int, total: int, row: ItemRow) -> None:
            text = tr("Sending {reference} ({n} of {total})").format(
                reference=row.reference, n=number(n), total=number(total)
            )
            bar.progress(n / max(total, 1), text=text)

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
        s[f"{prefix}_sent_summary"] = ntr(
            "{done} of {n} corrections are in AFAS.", "{done} of {n} corrections are in AFAS.", len(mine)
        ).format(done=number(len(confirmed)), n=number(len(mine)))  # English: as ever
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
        st.page_link("views/audit.py", label=tr("See the audit log"), icon=":material/arrow_forward:")
