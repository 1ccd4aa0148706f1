"""What the Corrections page says of a batch waiting for approval (afas.corrections.batches), in words.

:func:`refusal` tells, before anyone presses a button, why a person may not approve or decline a
batch; :func:`afas.corrections.batches.approve` and ``decline`` refuse the same in the core.
"""

from __future__ import annotations

import duckdb

from afas.access import Right, User
from afas.corrections.batches import Batch, BatchState

__all__ = ["batch_lines", "batch_text", "refusal"]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def refusal(batch: Batch, user: User | None, *, decline: bool = False) -> str | None:
    """Why ``user`` may not approve (or, with ``decline``, decline) ``batch``; None when they may."""
    if batch.state != BatchState.WAITING:
        return f"Batch {batch.batch_id} is {batch.state.value} already."
    if user is None:
        return "Sign in first."
    if decline and batch.preparer.same_person(user):
        return None  # the preparer withdraws their own batch
    if not decline and batch.preparer.same_person(user):
        return "You prepared this batch, so another approver approves it (four-eyes)."
    reason = user.why_not(Right.APPROVE)
    if reason is not None or decline:
        return reason
    if any(u.same_person(user) for u, _ in batch.approvers):
        return (
            f"You approved this batch already; it needs {_plural(batch.approvals_missing, 'more approval')} "
            "by another person."
        )
    return None


def batch_text(batch: Batch) -> str:
    """'Batch 3, 4 corrections for € 1,234.50, prepared by …; 1 of 2 approvals (by …).' (plain text)."""
    amount = f" for € {batch.amount:,.2f}" if batch.amount is not None else ""
    text = (
        f"Batch {batch.batch_id}: {batch.description} — {_plural(batch.items, 'correction')}{amount}, "
        f"prepared by {batch.preparer.signature} at {batch.prepared_at:%d-%m-%Y %H:%M} (UTC)."
    )
    approved = len(batch.approvers)
    text += f" {approved} of {_plural(batch.approvals_needed, 'approval')}"
    if batch.approvers:
        text += " (" + ", ".join(u.signature for u, _ in batch.approvers) + ")"
    if batch.approvals_needed > 1:
        text += "; above the four-eyes threshold two others approve"
    return text + "."


def batch_lines(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[str]:
    """The corrections of a batch as the preparer saw them (their labels), in order."""
    return [
        str(label)
        for (label,) in con.execute(
            "SELECT label FROM correction_batch_items WHERE batch_id = ? ORDER BY position", [batch_id]
        ).fetchall()
    ]
