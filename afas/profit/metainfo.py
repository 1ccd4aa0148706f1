"""AFAS metainfo as typed objects: the catalogue, GetConnector fields, UpdateConnector trees.

Shapes from afas-profit-api.md §4: GET metainfo fields spell ``decimalsFieldId``, update metainfo
fields spell ``decimalFieldId`` and ``notzero``; both are read here without the caller caring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ConnectorRef",
    "EnvironmentInfo",
    "Catalogue",
    "GetField",
    "GetConnectorMeta",
    "UpdateField",
    "UpdateObject",
    "UpdateConnectorMeta",
]


@dataclass(frozen=True)
class ConnectorRef:
    id: str
    description: str


@dataclass(frozen=True)
class EnvironmentInfo:
    envid: str  # the environment code, e.g. "O36480AA"
    app_name: str  # the App connector's description
    group: str  # the token user's authorisation group
    token_expiry: str  # as AFAS sends it ("0" in AFAS's example; meaning unconfirmed)


@dataclass(frozen=True)
class Catalogue:
    """GET /metainfo: the connectors the token's App connector may call."""

    get_connectors: tuple[ConnectorRef, ...]
    update_connectors: tuple[ConnectorRef, ...]
    info: EnvironmentInfo

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Catalogue:
        info = doc.get("info") or {}
        return cls(
            tuple(
                ConnectorRef(str(c.get("id", "")), str(c.get("description", "")))
                for c in doc.get("getConnectors") or []
            ),
            tuple(
                ConnectorRef(str(c.get("id", "")), str(c.get("description", "")))
                for c in doc.get("updateConnectors") or []
            ),
            EnvironmentInfo(
                str(info.get("envid", "")),
                str(info.get("appName", "")),
                str(info.get("group", "")),
                str(info.get("tokenExpiry", "")),
            ),
        )

    def has_get(self, connector_id: str) -> bool:
        return connector_id.lower() in {c.id.lower() for c in self.get_connectors}

    def has_update(self, connector_id: str) -> bool:
        return connector_id.lower() in {c.id.lower() for c in self.update_connectors}


@dataclass(frozen=True)
class GetField:
    id: str  # the row key, used in filters and orderbyfieldids
    field_id: str  # Profit's internal field id
    data_type: str  # string | int | decimal | boolean | date | blob
    label: str
    length: int
    control_type: int
    decimals: int
    decimals_field_id: str


@dataclass(frozen=True)
class GetConnectorMeta:
    """GET /metainfo/get/{id}."""

    name: str
    description: str
    fields: tuple[GetField, ...]

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> GetConnectorMeta:
        return cls(
            str(doc.get("name", "")),
            str(doc.get("description", "")),
            tuple(
                GetField(
                    str(f.get("id", "")),
                    str(f.get("fieldId", "")),
                    str(f.get("dataType", "string")),
                    str(f.get("label", "")),
                    int(f.get("length") or 0),
                    int(f.get("controlType") or 0),
                    int(f.get("decimals") or 0),
                    str(f.get("decimalsFieldId") or ""),
                )
                for f in doc.get("fields") or []
            ),
        )

    def field(self, field_id: str) -> GetField | None:
        for f in self.fields:
            if f.id.lower() == field_id.lower():
                return f
        return None


@dataclass(frozen=True)
class UpdateField:
    field_id: str
    primary_key: bool
    data_type: str
    label: str
    mandatory: bool
    length: int
    decimals: int
    decimal_field_id: str
    not_zero: bool
    control_type: int
    values: tuple[tuple[str, str], ...]  # code table: (code, description)

    @classmethod
    def from_json(cls, f: Mapping[str, Any]) -> UpdateField:
        return cls(
            str(f.get("fieldId", "")),
            bool(f.get("primaryKey") in (True, "true", "True", 1, "1")),
            str(f.get("dataType", "string")),
            str(f.get("label", "")),
            bool(f.get("mandatory")),
            int(f.get("length") or 0),
            int(f.get("decimals") or 0),
            str(f.get("decimalFieldId") or ""),
            bool(f.get("notzero")),
            int(f.get("controlType") or 0),
            tuple((str(v.get("id", "")), str(v.get("description", ""))) for v in f.get("values") or []),
        )


@dataclass(frozen=True)
class UpdateObject:
    name: str
    fields: tuple[UpdateField, ...]
    objects: tuple[UpdateObject, ...]

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> UpdateObject:
        return cls(
            str(doc.get("name", "")),
            tuple(UpdateField.from_json(f) for f in doc.get("fields") or []),
            tuple(UpdateObject.from_json(o) for o in doc.get("objects") or []),
        )

    def field(self, field_id: str) -> UpdateField | None:
        for f in self.fields:
            if f.field_id.lower() == field_id.lower():
                return f
        return None

    def object(self, name: str) -> UpdateObject | None:
        for o in self.objects:
            if o.name.lower() == name.lower():
                return o
        return None


@dataclass(frozen=True)
class UpdateConnectorMeta:
    """GET /metainfo/update/{id}: the object tree of an UpdateConnector."""

    id: str
    description: str
    root: UpdateObject

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> UpdateConnectorMeta:
        return cls(str(doc.get("id", "")), str(doc.get("description", "")), UpdateObject.from_json(doc))
