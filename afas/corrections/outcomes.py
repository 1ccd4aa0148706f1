"""What the outbox stores and answers: an item's row, the outcome of a send or resolve, and how an
AFAS error is read (a definite rejection, or no definite answer at all).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

from afas.corrections.plans import PlanKind
from afas.corrections.readback import canonical
from afas.corrections.schema import OutboxState
from afas.errors import InputError
from afas.profit.errors import AfasRejected

__all__ = [
    "COLUMNS",
    "INDEFINITE_MESSAGES",
    "ItemRow",
    "NotValid",
    "Outcome",
    "indefinite",
    "item_row",
    "same",
]

# 500 texts that say nothing about the request: AFAS may or may not have processed it.
INDEFINITE_MESSAGES = frozenset(
    {
        "An unexpected error has occurred.",
        "Er is een onverwachte fout opgetreden.",
        "The maximum duration for performing the assignment has been exceeded.",
        "De maximale tijdsduur voor het uitvoeren van de opdracht is verstreken.",
    }
)
_GENERIC_ERROR_NUMBER = -2147180999


class NotValid(InputError):
    """The item fails local validation; ``messages`` are AFAS's wordings."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class ItemRow:
    """One outbox row as stored."""

    item_id: int
    kind: PlanKind
    connector: str
    method: str
    reference: str
    administration: int | None
    description: str | None
    state: OutboxState
    approved_by: str
    approved_at: dt.datetime
    attempts: int
    result_keys: dict[str, str] | None
    message: str | None
    plan: dict[str, Any]
    request_body: dict[str, Any]
    sources: list[dict[str, Any]]
    fingerprint: str
    claimed_by: str | None = None  # the id of the sender working on it (afas/corrections/claims.py)
    claimed_name: str | None = None  # that sender, in words
    claimed_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None  # when its last request went out
    finished_at: dt.datetime | None = None  # when its state last changed after a request

    @property
    def last_heard(self) -> dt.datetime | None:
        """The later of its last request and its last answer (or the giving up on one)."""
        moments = [m for m in (self.sent_at, self.finished_at) if m is not None]
        return max(moments) if moments else None


@dataclass(frozen=True)
class Outcome:
    """What one send/resolve did to an item.

    ``held_by``: the item was left alone because another sender, alive, is working on it (its name;
    ``state`` is then the item's state as that sender left it so far, and ``held_since`` its claim's time).
    """

    item_id: int
    reference: str
    state: OutboxState
    message: str | None = None
    keys: dict[str, str] | None = None
    held_by: str | None = None
    held_since: dt.datetime | None = None


COLUMNS = (
    "item_id, kind, connector, method, reference, administration, description, state, approved_by, "
    "approved_at, attempts, result_keys, message, plan, request_body, sources, fingerprint, "
    "claimed_by, claimed_name, claimed_at, sent_at, finished_at"
)


def item_row(r: tuple[Any, ...]) -> ItemRow:
    """The row of a ``SELECT {COLUMNS}``, its kind and state as their vocabularies' members."""
    return ItemRow(
        r[0],
        PlanKind(r[1]),
        *r[2:7],
        OutboxState(r[7]),
        *r[8:11],
        orjson.loads(r[11]) if r[11] else None,
        r[12],
        orjson.loads(r[13]),
        orjson.loads(r[14]),
        orjson.loads(r[15]),
        r[16],
        *r[17:22],
    )


def same(current: Any, wanted: Any) -> bool:
    """A value read back equals the wanted one (stored as JSON text: amounts come back as strings)."""
    if isinstance(current, Decimal) and isinstance(wanted, str | int):
        try:
            return current == Decimal(str(wanted))
        except ArithmeticError:
            return False
    if isinstance(current, str) and isinstance(wanted, str):
        return current.strip() == wanted.strip()
    return canonical(current) == canonical(wanted)


def indefinite(exc: AfasRejected) -> bool:
    text = (exc.external_message or "").strip()
    return text in INDEFINITE_MESSAGES or (exc.error_number == _GENERIC_ERROR_NUMBER and not text)
