"""The shapes of the emulator's UpdateConnector definitions (afas/emulator/update_fields.py).

Kept apart from the generated module so the generator only writes data.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["UField", "UObject", "UConnector"]


@dataclass(frozen=True)
class UField:
    """One field of an UpdateConnector object."""

    field_id: str  # e.g. "DbId"
    data_type: str  # AFAS metainfo dataType: "string" | "int" | "decimal" | "boolean" | "date"
    label: str  # first line of the OpenAPI description (English, a few are Dutch)
    length: int = 0  # maxLength, or 0
    decimals: int = 0
    mandatory_post: bool = False  # in the POST schema's "required"
    mandatory_put: bool = False  # in the PUT schema's "required"
    values: tuple[tuple[str, str], ...] = ()  # (code, description) of a code list, or ()
    memo: bool = False  # unbounded text or file content (OpenAPI string format "byte")


@dataclass(frozen=True)
class UObject:
    """An object (``Element``) of an UpdateConnector body with its fields and child objects."""

    name: str
    fields: tuple[UField, ...]
    objects: tuple[UObject, ...]
    key_fields: tuple[str, ...]  # sent as element attributes ("@DbId")

    def field(self, field_id: str) -> UField | None:
        """The field with this id, or None."""
        return next((f for f in self.fields if f.field_id == field_id), None)

    def child(self, name: str) -> UObject | None:
        """The child object with this name, or None."""
        return next((o for o in self.objects if o.name == name), None)


@dataclass(frozen=True)
class UConnector:
    """An UpdateConnector: its root object and the verbs AFAS offers on it."""

    id: str
    description: str
    root: UObject  # the JSON body's root object; FiEntries' is FiEntryPar
    verbs: frozenset[str]  # of "POST", "PUT", "DELETE"
    delete_path: str | None  # key path after /connectors/<id>/, values omitted
