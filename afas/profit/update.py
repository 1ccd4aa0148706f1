"""UpdateConnector bodies: the Element / Fields / Objects envelope AFAS expects.

``{"<Root>": {"Element": {"@Key": v, "Fields": {...}, "Objects": [{"<Child>": {"Element": [...]}}]}}}``
where Root is the connector id, except FiEntries whose root object is ``FiEntryPar``
(afas-profit-api.md §5.2). Values are sent as AFAS's own examples send them: amounts as strings
with a '.', dates as YYYY-MM-DD, booleans as JSON booleans; None leaves a field out (send "" to
clear one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

__all__ = ["Element", "UpdateResult", "root_object", "envelope", "delete_path", "json_value"]


def root_object(connector_id: str) -> str:
    """The JSON root of a connector's body: FiEntries posts a ``FiEntryPar``."""
    return "FiEntryPar" if connector_id.lower() == "fientries" else connector_id


@dataclass
class Element:
    """One object in an UpdateConnector body, with its key attributes and child objects."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    keys: Mapping[str, Any] = field(default_factory=dict)  # sent as "@Key" attributes
    objects: Mapping[str, Sequence[Element]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {f"@{k}": json_value(v) for k, v in self.keys.items() if v is not None}
        out["Fields"] = {k: json_value(v) for k, v in self.fields.items() if v is not None}
        if self.objects:
            out["Objects"] = [
                {name: {"Element": [child.to_json() for child in children]}}
                for name, children in self.objects.items()
                if children
            ]
        return out


def json_value(value: Any) -> Any:
    """A field value as AFAS reads it; never a float (money is Decimal)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not an amount AFAS can store")
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        raise TypeError("amounts must be Decimal, not float (floats lose cents)")
    raise TypeError(f"cannot send a {type(value).__name__} to AFAS")


def envelope(connector_id: str, elements: Element | Sequence[Element]) -> dict[str, Any]:
    """The request body for one or several elements of a connector."""
    items = [elements] if isinstance(elements, Element) else list(elements)
    if not items:
        raise ValueError("an UpdateConnector body needs at least one element")
    body = [e.to_json() for e in items]
    return {root_object(connector_id): {"Element": body[0] if len(body) == 1 else body}}


def delete_path(*segments: tuple[str, Mapping[str, Any]]) -> str:
    """The key path of a DELETE: ``Object/@K1,@K2/v1,v2[/Child/@K/v]``, values percent-encoded.

    Example: ``delete_path(("KnDimCode", {"AxId": 1, "VbCo": "WEST"}))`` -> ``KnDimCode/@AxId,@VbCo/1,WEST``.
    """
    parts: list[str] = []
    for obj, keys in segments:
        names = ",".join(f"@{k}" for k in keys)
        values = ",".join(quote(str(json_value(v)), safe="") for v in keys.values())
        parts.extend([obj, names, values])
    return "/".join(parts)


@dataclass(frozen=True)
class UpdateResult:
    """What AFAS answered to an update: its status and the keys it returned (EnNo, InId, DbId, ...)."""

    status: int
    keys: Mapping[str, str]  # the inner object of {"results": {"<Object>": {...}}}, values as strings
    object_name: str | None
    raw: Any  # the parsed body, or None when AFAS sent none

    @classmethod
    def from_body(cls, status: int, doc: Any) -> UpdateResult:
        keys: dict[str, str] = {}
        name = None
        results = doc.get("results") if isinstance(doc, dict) else None
        if isinstance(results, dict) and results:
            name, inner = next(iter(results.items()))
            if isinstance(inner, list):
                inner = inner[0] if inner else {}
            if isinstance(inner, dict):
                keys = {k: "" if v is None else str(v) for k, v in inner.items()}
        return cls(status, keys, name, doc)
