"""Plan items to JSON and back, exactly: amounts as decimal text, dates as ISO text.

The outbox stores each approved item's plan this way, so a later run (the CLI's dry run, the audit
page) can validate and show it again without the reconciliation that produced it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson

from afas.corrections.plans import ITEM_CLASSES, EntryLine, PlanItem, PlanKind, SourceRows

__all__ = ["item_from_json", "item_to_json", "to_json"]


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def to_json(value: Any) -> str:
    """JSON text with Decimal as exact text and dates/datetimes in ISO form (never a float)."""
    return orjson.dumps(value, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()


def item_to_json(item: PlanItem) -> str:
    """The item as JSON text (its kind is stored beside it: ``item.kind``)."""
    return to_json(dataclasses.asdict(item))


def _sources(doc: list[dict[str, Any]]) -> tuple[SourceRows, ...]:
    return tuple(SourceRows(s["connector"], tuple((k, v) for k, v in s["match"])) for s in doc)


def _pairs(doc: list[list[Any]]) -> tuple[tuple[str, Any], ...]:
    return tuple((k, v) for k, v in doc)


def _entry_fields(doc: dict[str, Any]) -> dict[str, Any]:
    doc["entry_date"] = dt.date.fromisoformat(doc["entry_date"])
    doc["lines"] = tuple(
        EntryLine(
            **{
                **ln,
                "debit": Decimal(ln["debit"]),
                "credit": Decimal(ln["credit"]),
                "allocations": tuple((int(a), str(c)) for a, c in ln["allocations"]),
            }
        )
        for ln in doc["lines"]
    )
    return doc


def _update_fields(doc: dict[str, Any]) -> dict[str, Any]:
    for key in ("relation_fields", "party_fields", "expected"):
        doc[key] = _pairs(doc[key])
    return doc


# What JSON does not keep of each kind's fields (dates, Decimals, tuples); the rest is as stored.
_DECODE: dict[PlanKind, Callable[[dict[str, Any]], dict[str, Any]]] = {
    PlanKind.ENTRY: _entry_fields,
    PlanKind.RELATION_INSERT: lambda doc: doc,
    PlanKind.RELATION_UPDATE: _update_fields,
    PlanKind.DIM_CODE: lambda doc: doc,
}


def item_from_json(kind: str, text: str) -> PlanItem:
    """The plan item ``item_to_json`` wrote, of ``kind`` (a :class:`PlanKind` or its stored text)."""
    if kind not in ITEM_CLASSES:
        raise ValueError(f"unknown item kind {kind!r}")
    doc = orjson.loads(text)
    doc["sources"] = _sources(doc.get("sources", []))
    return ITEM_CLASSES[PlanKind(kind)](**_DECODE[PlanKind(kind)](doc))
