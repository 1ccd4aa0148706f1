"""The outbox as its grids show it: states in the catalogue's words, AFAS's keys as 'EnNo 5424',
empty cells empty (never None or nan).

The Corrections and Master data pages share these grids (afas.ui.outbox renders them); the audit
page's table is in afas.corrections.audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
import pandas as pd

from afas.catalogue import label
from afas.corrections.outcomes import ItemRow, Outcome
from afas.corrections.schema import OutboxState
from afas.i18n import mark, tr

__all__ = ["HELD_ELSEWHERE", "held_by_others_text", "keys_text", "outbox_table", "sent_rows"]

HELD_ELSEWHERE = mark("being sent by another session")
"""The state shown for an item another live sender holds, whatever its stored state (tr() it)."""

_OUTBOX_COLUMNS = (
    mark("Item"),
    mark("State"),
    mark("Reference"),
    mark("Description"),
    mark("Approved by"),
    mark("AFAS keys"),
    mark("Message"),
)
_SENT_COLUMNS = (mark("Reference"), mark("Result"), mark("AFAS keys"), mark("AFAS message"))


def keys_text(keys: Mapping[str, Any] | str | None) -> str:
    """AFAS's keys as 'UnId 1, EnNo 5424' (a dict, or JSON text as stored); empty ones left out.
    Text that is not a JSON object is shown as it is."""
    if not keys:
        return ""
    if isinstance(keys, str):
        try:
            keys = orjson.loads(keys)
        except orjson.JSONDecodeError:
            return keys
        if not isinstance(keys, dict):
            return str(keys)
    return ", ".join(f"{k} {v}" for k, v in keys.items() if v)


def held_by_others_text(held: Iterable[ItemRow]) -> dict[int, str]:
    """item_id -> 'by <sender> since 10:30:00' for the items another live sender holds."""
    return {
        i.item_id: (
            tr("by {sender} since {time}").format(sender=i.claimed_name, time=f"{i.claimed_at:%H:%M:%S}")
            if i.claimed_at
            else tr("by {sender}").format(sender=i.claimed_name)
        )
        for i in held
    }


def outbox_table(items: Sequence[ItemRow], held: Mapping[int, str]) -> pd.DataFrame:
    """One row per outbox item: its state in words (or that another session is sending it, ``held``:
    from :func:`held_by_others_text`), reference, description, approver, AFAS's keys and message; the
    headers in the session's language."""
    rows = [
        {
            "Item": i.item_id,
            "State": tr(HELD_ELSEWHERE) if i.item_id in held else label(OutboxState(i.state)),
            "Reference": i.reference,
            "Description": i.description or "",
            "Approved by": i.approved_by,
            "AFAS keys": keys_text(i.result_keys),
            "Message": held.get(i.item_id, i.message or ""),
        }
        for i in items
    ]
    return pd.DataFrame(rows, columns=list(_OUTBOX_COLUMNS)).rename(columns=tr)


def sent_rows(outcomes: Iterable[Outcome]) -> list[dict[str, str]]:
    """What one 'Send to AFAS' did, one row per item this session sent: reference, result in words,
    AFAS's keys and message (keyed by the headers in the session's language)."""
    return [
        dict(
            zip(
                map(tr, _SENT_COLUMNS),
                (o.reference, label(OutboxState(o.state)), keys_text(o.keys), o.message or ""),
                strict=True,
            )
        )
        for o in outcomes
    ]
