"""What the UpdateConnectors answer (:class:`UpdateResult`) and the key path of a DELETE.

The request bodies themselves are built in one place, afas.corrections.payloads, as AFAS's official
examples write them; the client sends whatever JSON body it is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

__all__ = ["UpdateResult", "delete_path"]


def _key_value(value: Any) -> str:
    """A key value in a DELETE path as AFAS's examples write it (amounts with '.', dates ISO)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        raise TypeError("keys must not be float")
    return str(value)


def delete_path(*segments: tuple[str, Mapping[str, Any]]) -> str:
    """The key path of a DELETE: ``Object/@K1,@K2/v1,v2[/Child/@K/v]``, values percent-encoded.

    Example: ``delete_path(("KnDimCode", {"AxId": 1, "VbCo": "WEST"}))`` -> ``KnDimCode/@AxId,@VbCo/1,WEST``.
    """
    parts: list[str] = []
    for obj, keys in segments:
        names = ",".join(f"@{k}" for k in keys)
        values = ",".join(quote(_key_value(v), safe="") for v in keys.values())
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
