"""The Close page's account panel: its evidence, its reconciling items and its sign-offs.

Every action runs in :func:`afas.ui.errors.shown_here` (a refusal is shown beside the button, the page
goes on) and, when it worked, reruns the page so the grid shows the new state.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from afas.access import User
from afas.catalogue import label
from afas.close import signoff
from afas.close.booking import CorrectionState, correction_states, plan_booking
from afas.close.form import KINDS, allowed_actions, booking_choices, statement_ibans
from afas.close.overview import AccountClose, CloseOverview
from afas.close.schema import EvidenceKind
from afas.close.signoff import Who
from afas.corrections.plans import Defaults
from afas.i18n import amount as money
from afas.i18n import date, grid_date_format, ptr, tr
from afas.ui.errors import shown_here
from afas.ui.grid import for_grid, localized_grid
from afas.ui.identity import access_config
from afas.ui.text import plain
from afas.warehouse.db import connection

__all__ = ["account_panel"]


def _act(db: Path, action, *args, notice=None, **kwargs) -> None:  # noqa: ANN001 - afas.close.signoff's
    """Run ``action``; when it worked, keep ``notice(result)`` to show after the rerun, and rerun."""
    with shown_here() as outcome, connection(db) as con:
        result = action(con, *args, **kwargs)
    if not outcome.failed:
        if notice is not None:
            st.session_state["close_notice"] = notice(result)
        st.rerun()


def _signature(who: Who) -> str:
    """How ``who`` signs: the typed name, or the signed-in person's 'Name <e-mail>'."""
    return " ".join(who.split()) if isinstance(who, str) else who.signature


def _evidence(db: Path, overview: CloseOverview, row: AccountClose, who: Who, editable: bool) -> None:
    period = overview.period
    st.markdown(tr("**Evidence:** {kind}").format(kind=plain(label(row.setting.kind))))
    if not row.setting.chosen:
        st.caption(plain(tr("Default: {why}.").format(why=row.setting.why)))
    st.write(plain(row.evidence.source))
    if row.evidence.note:
        st.caption(plain(tr("Note: {note}").format(note=row.evidence.note)))
    with st.expander(tr("Change what evidences this account"), expanded=False):
        kind = st.selectbox(
            tr("Evidence"),
            KINDS,
            index=KINDS.index(row.setting.kind),
            format_func=label,
            key=f"close_kind_{row.account}",
        )
        iban = None
        if kind == EvidenceKind.BANK_STATEMENT:
            with connection(db) as con:
                ibans = statement_ibans(con)
            if not ibans:
                st.info(tr("Import the bank's MT940 or CAMT.053 statement on the Reconcile page first."))
            current = row.setting.iban if row.setting.iban in ibans else None
            iban = st.selectbox(
                tr("Bank account (IBAN) of the imported statements"),
                ibans,
                index=ibans.index(current) if current else None,
                key=f"close_iban_{row.account}",
            )
        if st.button(
            tr("Save evidence setting"), key=f"close_kind_save_{row.account}", disabled=not editable
        ):
            _act(db, signoff.set_evidence_kind, period, row.account, kind, who, iban)
    if row.setting.kind == EvidenceKind.SCHEDULE:
        with st.form(f"close_schedule_{row.account}", clear_on_submit=False):
            amount = st.text_input(
                tr("Supporting amount"), key=f"close_amount_{row.account}", placeholder=tr("1234.56")
            )
            note = st.text_input(tr("Note (what supports it)"), key=f"close_note_{row.account}")
            file = st.file_uploader(
                tr("Attach a file (optional, up to 10 MB)"), key=f"close_file_{row.account}"
            )
            if st.form_submit_button(tr("Save evidence"), disabled=not editable):
                data = file.getvalue() if file is not None else None
                name = file.name if file is not None else None
                _act(
                    db, signoff.document_evidence, period, row.account, amount, note, who,
                    file_name=name, file_bytes=data,
                )  # fmt: skip
        if row.evidence.file_name:
            with connection(db) as con:
                found = signoff.evidence_file(con, period, row.account)
            if found is not None:
                st.download_button(
                    plain(tr("Download {file}").format(file=found[0])),
                    found[1],
                    found[0],
                    key=f"close_dl_{row.account}",
                    on_click="ignore",
                )


def _bank_items(overview: CloseOverview, row: AccountClose) -> None:
    """A bank account's items from the matching of its statement (read only: the matching decides)."""
    bank = row.bank
    if bank is None:
        return
    st.markdown(tr("**From the matching of the statement**"))
    st.caption(plain(bank.note))
    if bank.items:
        shown, money = localized_grid(
            for_grid(
                [
                    {
                        tr("Date"): i.on,
                        tr("Amount"): i.amount,
                        tr("Description"): i.description,
                        tr("Why"): i.why,
                        tr("Age (days)"): i.age_days(overview.period.end),
                    }
                    for i in bank.items
                ]
            ),
            [tr("Amount")],
        )
        st.dataframe(
            shown,
            hide_index=True,
            placeholder="",
            column_config={
                **money,
                tr("Date"): st.column_config.DateColumn(format=grid_date_format()),
            },
            key=f"close_bank_items_{row.account}",
        )
        if bank.run_id is not None:
            st.caption(
                tr(
                    "Lines only on the statement (bank costs, interest) are booked in AFAS from the "
                    "Corrections page, reconciliation run #{run}."
                ).format(run=bank.run_id)
            )


def _items_table(
    db: Path,
    overview: CloseOverview,
    row: AccountClose,
    who: Who,
    editable: bool,
    states: dict[int, CorrectionState],
) -> None:
    period = overview.period
    st.markdown(tr("**Reconciling items** (amount: AFAS minus the evidence)"))
    if not row.items:
        st.caption(tr("No reconciling items."))
        return
    shown, money = localized_grid(
        for_grid(
            [
                {
                    tr("Item"): i.item_id,
                    tr("Opened in"): f"{i.year}-{i.period:02d}",
                    tr("Amount"): i.amount,
                    tr("Description"): i.description,
                    tr("Expected"): i.expected,
                    tr("Owner"): i.owner or "",
                    tr("Age (days)"): i.age_days(period.end),
                    tr("Correction"): states[i.item_id].words() if i.item_id in states else "",
                }
                for i in row.items
            ]
        ),
        [tr("Amount")],
    )
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="",
        width="stretch",
        column_config={
            **money,
            tr("Expected"): st.column_config.DateColumn(format=grid_date_format()),
        },
        key=f"close_items_{row.account}",
    )
    c1, c2 = st.columns([1, 3])
    chosen = c1.selectbox(
        ptr("reconciling item", "Item"), [i.item_id for i in row.items], key=f"close_clear_pick_{row.account}"
    )
    if c2.button(tr("Clear it in this period"), key=f"close_clear_{row.account}", disabled=not editable):
        _act(db, signoff.clear_reconciling_item, period, chosen, who)


def _item_form(db: Path, overview: CloseOverview, row: AccountClose, who: Who, editable: bool) -> None:
    period = overview.period
    st.markdown(tr("**Add a reconciling item**"))
    with st.form(f"close_item_{row.account}", clear_on_submit=True):
        c1, c2 = st.columns([1, 3])
        suggested = "" if not row.unexplained else f"{row.unexplained:.2f}"
        amount = c1.text_input(  # keyed by the difference: the suggestion follows it
            tr("Amount"), value=suggested, key=f"close_item_amount_{row.account}_{suggested}"
        )
        text = c2.text_input(tr("Description"), key=f"close_item_text_{row.account}")
        c3, c4 = st.columns(2)
        expected = c3.date_input(
            tr("Expected to clear"),
            value=None,
            min_value=period.start,
            format=grid_date_format(),
            key=f"close_item_date_{row.account}",
        )
        owner = c4.text_input(tr("Owner"), key=f"close_item_owner_{row.account}")
        if st.form_submit_button(tr("Add reconciling item"), disabled=not editable):
            _act(
                db, signoff.add_reconciling_item, period, row.account, amount, text, who,
                expected=expected if isinstance(expected, dt.date) else None, owner=owner,
            )  # fmt: skip


def _booking(
    db: Path,
    overview: CloseOverview,
    row: AccountClose,
    who: Who,
    editable: bool,
    states: dict[int, CorrectionState],
    allocation_axis: int,
) -> None:
    """Book an open item as a correction in AFAS: the entry shown and checked, approved by ``who``."""
    bookable = [i for i in row.items if i.item_id not in states or states[i.item_id].frees]
    if not bookable:
        return
    period, acct = overview.period, row.account
    with st.expander(tr("Book an item as a correction in AFAS")):
        with connection(db) as con:
            journals, accounts = booking_choices(con, period.unit)
        if not journals or not accounts:
            st.info(
                tr(
                    "Sync Profit_Journals and Profit_Accounts first: a correction needs a journal and "
                    "an account."
                )
            )
            return
        items = {i.item_id: i for i in bookable}
        item_id = st.selectbox(
            ptr("reconciling item", "Item"),
            list(items),
            key=f"close_book_item_{acct}",
            format_func=lambda i: plain(f"#{i} {money(items[i].amount)} {items[i].description}"),
        )
        c1, c2 = st.columns(2)
        journal = c1.selectbox(
            tr("Journal"),
            [j for j, _ in journals],
            key=f"close_book_journal_{acct}",
            format_func=dict(journals).get,
        )
        contra = c2.selectbox(
            tr("Contra account"),
            [a for a, _ in accounts if a != acct],
            key=f"close_book_contra_{acct}",
            format_func=dict(accounts).get,
        )
        text = st.text_input(
            tr("Description (empty: the item's)"), key=f"close_book_text_{acct}", max_chars=250
        )
        defaults = Defaults(
            administration=period.unit,
            journal=journal,
            contra_account=contra,
            allocation_axis=allocation_axis,
        )
        with shown_here() as planned, connection(db) as con:
            booking = plan_booking(con, period, item_id, defaults, text or None)
        if planned.failed:
            return
        st.write(plain(booking.summary(period)))
        for problem in booking.problems:
            st.error(plain(problem))
        for hint in booking.hints:
            st.caption(plain(hint))
        signer = _signature(who)
        ready = editable and not booking.problems and bool(signer)
        if isinstance(who, User) and not who.is_local:  # signed in: another person approves it
            if st.button(
                tr("Prepare this correction for approval"), key=f"close_book_{acct}", disabled=not ready
            ):
                _act(
                    db, signoff.book_item, period, item_id, defaults, who, text or None,
                    config=access_config(),
                    notice=lambda done: tr(
                        "Prepared as batch {batch} for approval: another approver approves it on the "
                        "Corrections page, then it is sent from the outbox there. The item explains the "
                        "difference until a sync brings it in."
                    ).format(batch=done[1].batch_id),
                )  # fmt: skip
            st.caption(tr("It waits for another approver on the Corrections page, then goes to the outbox."))
            return
        if st.button(
            plain(tr("Approve this correction as {signer}").format(signer=signer))
            if signer
            else tr("Approve this correction"),
            key=f"close_book_{acct}",
            disabled=not ready,
            help=None if ready else (tr("Type your name above first.") if not signer else None),
        ):
            _act(
                db, signoff.book_item, period, item_id, defaults, who, text or None,
                notice=lambda done: tr(
                    "Correction {reference} approved: send it from the outbox on the Corrections page. The "
                    "item explains the difference until a sync brings it in."
                ).format(reference=done[1].reference),
            )  # fmt: skip
        st.caption(tr("It goes to the outbox; send it from the Corrections page."))


def account_panel(
    db: Path, overview: CloseOverview, row: AccountClose, who: Who, allocation_axis: int = 1
) -> None:
    """Everything about one account in the period: evidence, items, sign-offs."""
    st.subheader(plain(f"{row.account} {row.description}"))
    if notice := st.session_state.pop("close_notice", None):
        st.success(plain(notice))
    s = row.signoff
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(tr("AFAS balance"), money(row.afas_balance))
    m2.metric(tr("Evidence"), "—" if row.supporting is None else money(row.supporting))
    m3.metric(tr("Unexplained"), "—" if row.unexplained is None else money(row.unexplained))
    m4.metric(tr("Status"), row.status_text())
    if s is not None and s.reopened_why and not (s.prepared or s.reviewed):
        st.warning(plain(tr("Reopened: {why}").format(why=s.reopened_why)))
    allowed = allowed_actions(row, who)
    with connection(db) as con:
        states = correction_states(con, row.items)
    left, right = st.columns(2)
    with left:
        _evidence(db, overview, row, who, allowed["edit"].ok)
    with right:
        _item_form(db, overview, row, who, allowed["edit"].ok)
        _booking(db, overview, row, who, allowed["edit"].ok, states, allocation_axis)
    _items_table(db, overview, row, who, allowed["edit"].ok, states)
    _bank_items(overview, row)
    if s is not None and s.prepared_by:
        st.caption(
            plain(
                tr("Prepared by {who} on {date} {time} UTC.").format(
                    who=s.prepared_by, date=date(s.prepared), time=f"{s.prepared:%H:%M}"
                )
            )
        )
    if s is not None and s.reviewed_by:
        st.caption(
            plain(
                tr("Reviewed by {who} on {date} {time} UTC.").format(
                    who=s.reviewed_by, date=date(s.reviewed), time=f"{s.reviewed:%H:%M}"
                )
            )
        )
    elif s is not None and s.review_progress():  # above the four-eyes threshold: two reviewers
        st.caption(
            plain(
                tr("Reviewed so far: {progress}; another person reviews it too.").format(
                    progress=s.review_progress()
                )
            )
        )
    c1, c2, c3 = st.columns(3)
    for column, name, action, text in (
        (c1, "prepare", signoff.prepare, tr("Prepare")),
        (c2, "review", signoff.review, tr("Review")),
        (c3, "withdraw", signoff.withdraw, tr("Withdraw preparation")),
    ):
        ok = allowed[name]
        if column.button(text, key=f"close_{name}_{row.account}", disabled=not ok.ok, help=ok.why or None):
            signing = {"config": access_config()} if name != "withdraw" else {}
            _act(db, action, overview.period, row.account, who, **signing)
        if not ok.ok and name != "withdraw":
            column.caption(plain(ok.why))
