"""What the Corrections page says of a batch waiting for approval (afas.corrections.batches), in words.

:func:`refusal` tells, before anyone presses a button, why a person may not approve or decline a
batch; :func:`afas.corrections.batches.approve` and ``decline`` refuse the same in the core.
"""

from __future__ import annotations

import duckdb

from afas.access import Right, User
from afas.catalogue import label
from afas.corrections.batches import Batch, BatchState
from afas.i18n import amount, date, ntr, number, tr

__all__ = ["batch_lines", "batch_text", "refusal"]


def refusal(batch: Batch, user: User | None, *, decline: bool = False) -> str | None:
    """Why ``user`` may not approve (or, with ``decline``, decline) ``batch``; None when they may."""
    if batch.state != BatchState.WAITING:
        return tr("Batch {batch} is {state} already.").format(batch=batch.batch_id, state=label(batch.state))
    if user is None:
        return tr("Sign in first.")
    if decline and batch.preparer.same_person(user):
        return None  # the preparer withdraws their own batch
    if not decline and batch.preparer.same_person(user):
        return tr("You prepared this batch, so another approver approves it (four-eyes).")
    reason = user.why_not(Right.APPROVE)
    if reason is not None or decline:
        return reason
    if any(u.same_person(user) for u, _ in batch.approvers):
        return ntr(
            "You approved this batch already; it needs {n} more approval by another person.",
            "You approved this batch already; it needs {n} more approvals by another person.",
            batch.approvals_missing,
        ).format(n=batch.approvals_missing)
    return None


def batch_text(batch: Batch) -> str:
    """'Batch 3, 4 corrections for € 1,234.50, prepared by …; 1 of 2 approvals (by …).' (plain text)."""
    corrections = ntr("{n} correction", "{n} corrections", batch.items).format(n=number(batch.items))
    if batch.amount is not None:
        corrections = tr("{corrections} for {amount}").format(
            corrections=corrections, amount=amount(batch.amount)
        )
    at = f"{date(batch.prepared_at)} {batch.prepared_at:%H:%M}"
    text = tr("Batch {batch}: {description} — {corrections}, prepared by {person} at {at} (UTC).").format(
        batch=batch.batch_id, description=batch.description, corrections=corrections,
        person=batch.preparer.signature, at=at,
    )  # fmt: skip
    approved = ntr("{done} of {n} approval", "{done} of {n} approvals", batch.approvals_needed).format(
        done=len(batch.approvers), n=batch.approvals_needed
    )
    if batch.approvers:
        approved += " (" + ", ".join(u.signature for u, _ in batch.approvers) + ")"
    if batch.approvals_needed > 1:
        approved = tr("{approvals}; above the four-eyes threshold two others approve").format(
            approvals=approved
        )
    return text + " " + approved + "."


def batch_lines(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[str]:
    """The corrections of a batch as the preparer saw them (their labels), in order."""
    return [
        str(label)
        for (label,) in con.execute(
            "SELECT label FROM correction_batch_items WHERE batch_id = ? ORDER BY position", [batch_id]
        ).fetchall()
    ]
