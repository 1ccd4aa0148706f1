"""AFAS's ``GET /metainfo/update/{UpdateConnectorId}`` answer, built from update_fields.

Shape (fact sheet §4.3)::

    {"id", "description", "name": <root object>, "fields": [<field>...],
     "objects": [{"name", "fields", "objects"}...]}
    <field> = {"fieldId", "primaryKey", "dataType", "label", "mandatory", "length", "decimals",
               "decimalFieldId", "notzero", "controlType", "values": null | [{"id", "description"}]}

Note the spellings ``decimalFieldId`` and ``notzero`` (GET metainfo says ``decimalsFieldId``).
``mandatory`` is the POST (insert) requirement. ``controlType``: 5 for fields with a code list,
23 for memo fields (unbounded text or file content) and strings of 1000+ characters, 1 otherwise
(booleans included); AFAS's full mapping is not public.
"""

from __future__ import annotations

from typing import Any

from afas.emulator.update_fields import UPDATE_CONNECTORS, UConnector, UField, UObject

__all__ = [
    "CONTROL_CODE_LIST",
    "CONTROL_MEMO",
    "CONTROL_PLAIN",
    "control_type",
    "field_metainfo",
    "get_update_connector",
    "object_metainfo",
    "update_metainfo",
]

CONTROL_PLAIN = 1
CONTROL_CODE_LIST = 5
CONTROL_MEMO = 23
_LONG_TEXT = 1000


def get_update_connector(connector_id: str) -> UConnector | None:
    """The UpdateConnector with this id (case-insensitive), or None."""
    found = UPDATE_CONNECTORS.get(connector_id)
    if found is not None:
        return found
    lowered = connector_id.lower()
    return next((c for cid, c in UPDATE_CONNECTORS.items() if cid.lower() == lowered), None)


def control_type(field: UField) -> int:
    """The metainfo ``controlType`` of a field."""
    if field.values:
        return CONTROL_CODE_LIST
    if field.memo or (field.data_type == "string" and field.length >= _LONG_TEXT):
        return CONTROL_MEMO
    return CONTROL_PLAIN


def field_metainfo(field: UField, key_fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """One ``fields`` entry of update metainfo."""
    return {
        "fieldId": field.field_id,
        "primaryKey": field.field_id in key_fields,
        "dataType": field.data_type,
        "label": field.label,
        "mandatory": field.mandatory_post,
        "length": field.length,
        "decimals": field.decimals,
        "decimalFieldId": "",
        "notzero": False,
        "controlType": control_type(field),
        "values": [{"id": code, "description": text} for code, text in field.values] or None,
    }


def object_metainfo(obj: UObject) -> dict[str, Any]:
    """``{"name", "fields", "objects"}`` of an object and, recursively, its children."""
    return {
        "name": obj.name,
        "fields": [field_metainfo(f, obj.key_fields) for f in obj.fields],
        "objects": [object_metainfo(o) for o in obj.objects],
    }


def update_metainfo(connector_id: str) -> dict[str, Any]:
    """The ``/metainfo/update/{connector_id}`` body; KeyError for an unknown connector."""
    connector = get_update_connector(connector_id)
    if connector is None:
        raise KeyError(connector_id)
    return {"id": connector.id, "description": connector.description, **object_metainfo(connector.root)}
