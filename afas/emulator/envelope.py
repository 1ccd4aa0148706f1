"""Parsing AFAS UpdateConnector bodies into a typed element tree.

Every envelope variant found in AFAS's official examples is accepted (fact sheet §5.2)::

    {"<Root>": {"Element": <element> | [<element>, ...]}}
    <element> = {"@<Key>": v, ...,
                 "Fields": {...} | [{...}, ...] | "" | null,
                 "Objects": {"<Child>": {"Element": ...}, ...} | [{"<Child>": {...}}, ...] | "" | null}

Values may be JSON numbers/booleans or strings (``"1"``, ``"true"``, ``"2024"``, ``"1806.22"``); they
are coerced to the field's data type from afas/emulator/update_fields.py: boolean -> bool,
int -> int, decimal -> Decimal (exactly, JSON numbers are read as Decimal), date -> date (or
datetime when a time other than midnight is given), string -> str. ``""`` and ``null`` mean
"empty" and become None (a PUT clears the field). Free fields (``U`` + 32 hex digits) are kept
as given. ``@Action`` (on the Element or inside ``Fields``) is taken out into ``ParsedElement.action``.

Errors: malformed JSON and a wrong envelope (root object, ``Element``, ``Fields``/``Objects`` of
the wrong JSON type) raise ``ProfitError`` with status 400; the caller renders it as
``{"message": ...}`` (GO client saw ``{"message": "Invalid json"}``; AFAS's status and wording for
these cases are UNCONFIRMED). Unknown fields or objects, values of the wrong type and values
longer than the field's length raise ``ProfitError`` with status 500 (functional errors).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote

from afas.emulator.errors import ProfitError, msg
from afas.emulator.update_fields import UConnector, UField, UObject

__all__ = [
    "ParsedElement",
    "is_free_field",
    "parse_body",
    "parse_key_path",
    "coerce_value",
    "invalid_json",
]

_FREE_FIELD = re.compile(r"^U[0-9A-Fa-f]{32}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_INT = re.compile(r"^[+-]?\d+$")
_DEC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_TRUE = frozenset({"1", "true", "-1"})
_FALSE = frozenset({"0", "false"})
_MAX_INT_DIGITS = 16

# Where AFAS's own official examples contradict the OpenAPI schema, the examples win (they are
# what AFAS says works). Fields an example sends on an object whose schema lacks them: accepted
# and kept. KnSalesRelationPer PUT "AfleveradresToevoegen" sends TeN2 (a KnPerson field) on the
# relation itself.
_TOLERATED_FIELDS: dict[str, UField] = {
    "KnSalesRelationPer.TeN2": UField("TeN2", "string", "Personal phone no.", length=255),
}
# Lengths an example exceeds: KnSalesRelationOrg POST "EDA" sends FiNr "NL123456789B01" (14
# characters, an NL VAT number) where the schema says maxLength 9.
_TOLERATED_LENGTHS: dict[str, int] = {"KnOrganisation.FiNr": 14}


@dataclass
class ParsedElement:
    """One ``Element`` of an update body: its object, ``@`` keys, coerced fields and children."""

    object_name: str
    keys: dict[str, Any] = field(default_factory=dict)  # "@DbId" -> {"DbId": ...}; empty ones left out
    fields: dict[str, Any] = field(default_factory=dict)  # field id -> coerced value (None = empty)
    children: dict[str, list[ParsedElement]] = field(default_factory=dict)
    action: str | None = None  # "insert" | "update" | "delete": "@Action" of the Element or its Fields

    def key(self, name: str) -> Any:
        """The key's value from ``@name`` or, failing that, from ``Fields``; None when empty."""
        value = self.keys.get(name)
        return value if value is not None else self.fields.get(name)

    def child(self, name: str) -> list[ParsedElement]:
        """The child elements of one object name (empty list when absent)."""
        return self.children.get(name, [])

    def has(self, field_id: str) -> bool:
        """Whether the field was sent at all (also when sent empty)."""
        return field_id in self.fields


def is_free_field(field_id: str) -> bool:
    """Whether a field id is a free field (``U`` + 32 hex digits)."""
    return bool(_FREE_FIELD.match(field_id))


def invalid_json(lang: str, detail: str | None = None) -> ProfitError:
    """A status-400 error for a body that is no valid JSON or no valid envelope.

    The message starts with "Invalid json" as the GO client observed (UNCONFIRMED wording beyond it).
    """
    text = "Invalid json" if detail is None else f"Invalid json: {detail}"  # UNCONFIRMED wording
    return ProfitError(text, status=400)


def _too_long(lang: str, f: UField) -> ProfitError:
    return ProfitError(
        msg(
            lang,
            f"The value for '{f.label}' is too long (maximum {f.length} characters).",  # UNCONFIRMED wording
            f"De waarde voor '{f.label}' is te lang (maximaal {f.length} tekens).",  # UNCONFIRMED wording
        )
    )


def _bad_value(lang: str, f: UField, value: Any) -> ProfitError:
    shown = json.dumps(value) if isinstance(value, bool) or value is None else str(value)
    return ProfitError(
        msg(
            lang,
            f"The value '{shown}' is not valid for '{f.label}'.",  # UNCONFIRMED wording
            f"De waarde '{shown}' is ongeldig voor '{f.label}'.",  # UNCONFIRMED wording
        )
    )


def coerce_value(f: UField, value: Any, lang: str, max_length: int | None = None) -> Any:
    """Coerce one JSON value to the field's data type; ``""``/``null`` give None.

    ``max_length`` overrides the field's length (see ``_TOLERATED_LENGTHS``).
    """
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, dict | list):
        raise _bad_value(lang, f, json.dumps(value, default=str))
    dt = f.data_type.lower()
    if dt == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | Decimal) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise _bad_value(lang, f, value)
    if dt in ("int", "integer"):
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)
        if isinstance(value, str):
            s = value.strip()
            if _INT.match(s):
                return int(s)
            if _DEC.match(s) and Decimal(s) == Decimal(s).to_integral_value():
                return int(Decimal(s))
        raise _bad_value(lang, f, value)
    if dt in ("decimal", "number", "double"):
        number = _decimal(value)
        # finite and at most 16 digits before the point (Profit's and the store's DECIMAL(18, 2))
        if number is None or not number.is_finite() or (number and number.adjusted() >= _MAX_INT_DIGITS):
            raise _bad_value(lang, f, value)
        return number
    if dt in ("date", "datetime", "date-time"):
        if isinstance(value, str) and _DATE.match(value.strip()):
            s = value.strip()
            try:
                if "T" not in s:
                    return date.fromisoformat(s)
                dt_value = datetime.fromisoformat(s)
            except ValueError:
                raise _bad_value(lang, f, value) from None
            dt_value = dt_value.replace(tzinfo=None)
            if dt_value.hour == dt_value.minute == dt_value.second == dt_value.microsecond == 0:
                return dt_value.date()
            return dt_value
        raise _bad_value(lang, f, value)
    # string (and blob/memo): JSON numbers and booleans are written as AFAS would read them
    if isinstance(value, bool):
        text = "1" if value else "0"
    elif isinstance(value, Decimal):
        text = format(value, "f")
    else:
        text = str(value)
    limit = f.length if max_length is None else max_length
    if limit and not f.memo and len(text) > limit:
        raise _too_long(lang, f)
    return text


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):  # not produced by parse_body (floats are read as Decimal)
        return Decimal(repr(value))
    if isinstance(value, str) and _DEC.match(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern rules it out
            return None
    return None


def _unknown_field(lang: str, field_id: str, obj: UObject) -> ProfitError:
    return ProfitError(
        msg(
            lang,
            f"Field '{field_id}' does not exist in object '{obj.name}'.",  # UNCONFIRMED wording
            f"Veld '{field_id}' bestaat niet in object '{obj.name}'.",  # UNCONFIRMED wording
        )
    )


def _unknown_object(lang: str, name: str, obj: UObject) -> ProfitError:
    return ProfitError(
        msg(
            lang,
            f"Object '{name}' does not exist in object '{obj.name}'.",  # UNCONFIRMED wording
            f"Object '{name}' bestaat niet in object '{obj.name}'.",  # UNCONFIRMED wording
        )
    )


def _field_def(obj: UObject, field_id: str) -> UField | None:
    return obj.field(field_id) or _TOLERATED_FIELDS.get(f"{obj.name}.{field_id}")


def _free_value(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return value


def _parse_fields(raw: Any, obj: UObject, pe: ParsedElement, lang: str) -> None:
    if raw is None or raw == "":
        return
    parts = raw if isinstance(raw, list) else [raw]
    for part in parts:
        if part is None or part == "":
            continue
        if not isinstance(part, dict):
            raise invalid_json(lang, f"'Fields' of object '{obj.name}' must be an object")
        for fid, value in part.items():
            if fid == "@Action":
                pe.action = _action(value, obj, lang)
                continue
            f = _field_def(obj, fid)
            if f is None:
                if is_free_field(fid):
                    pe.fields[fid] = _free_value(value)
                    continue
                raise _unknown_field(lang, fid, obj)
            pe.fields[fid] = coerce_value(f, value, lang, _TOLERATED_LENGTHS.get(f"{obj.name}.{fid}"))


def _child_items(raw: Any, obj: UObject, lang: str) -> list[tuple[str, Any]]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, dict):
        return list(raw.items())
    if isinstance(raw, list):
        items: list[tuple[str, Any]] = []
        for part in raw:
            if part is None or part == "":
                continue
            if not isinstance(part, dict):
                raise invalid_json(lang, f"'Objects' of object '{obj.name}' must hold objects")
            items.extend(part.items())
        return items
    raise invalid_json(lang, f"'Objects' of object '{obj.name}' must be an object or an array")


def _elements(raw: Any, obj: UObject, lang: str) -> list[ParsedElement]:
    """Parse ``{"Element": ...}`` of one object."""
    if raw is None or raw == "":
        return []
    if not isinstance(raw, dict) or "Element" not in raw or len(raw) != 1:
        raise invalid_json(lang, f"object '{obj.name}' must hold exactly one 'Element'")
    element = raw["Element"]
    parts = element if isinstance(element, list) else [element]
    return [_element(part, obj, lang) for part in parts if part is not None and part != ""]


ACTIONS = ("insert", "update", "delete")


def _action(value: Any, obj: UObject, lang: str) -> str | None:
    """An ``@Action`` value (insert, update or delete; empty is none), lower case."""
    if value in (None, ""):
        return None
    action = str(value).strip().lower()
    if action not in ACTIONS:
        raise invalid_json(lang, f"'@Action' of object '{obj.name}' must be insert, update or delete")
    return action


def _element(raw: Any, obj: UObject, lang: str) -> ParsedElement:
    if not isinstance(raw, dict):
        raise invalid_json(lang, f"an 'Element' of object '{obj.name}' must be an object")
    pe = ParsedElement(obj.name)
    keys: list[tuple[str, Any]] = []
    for name, value in raw.items():
        if name == "@Action":  # AFAS's update-connector page puts it here; the fact sheet in Fields
            pe.action = _action(value, obj, lang)
        elif name.startswith("@"):
            keys.append((name[1:], value))
        elif name == "Fields":
            _parse_fields(value, obj, pe, lang)
        elif name == "Objects":
            for child_name, child_raw in _child_items(value, obj, lang):
                child = obj.child(child_name)
                if child is None:
                    raise _unknown_object(lang, child_name, obj)
                pe.children.setdefault(child_name, []).extend(_elements(child_raw, child, lang))
        else:
            raise invalid_json(lang, f"unexpected '{name}' in an 'Element' of object '{obj.name}'")
    for key_id, value in keys:
        f = _field_def(obj, key_id)
        if f is None:
            if key_id not in obj.key_fields:
                raise _unknown_field(lang, key_id, obj)
            coerced = None if value in (None, "") else str(value)
        else:
            coerced = coerce_value(f, value, lang)
        if coerced is not None:
            pe.keys[key_id] = coerced
    return pe


def parse_body(
    body: bytes | str | dict[str, Any] | None, connector: UConnector, *, lang: str
) -> list[ParsedElement]:
    """Parse an update body into the root object's elements (at least one).

    ``body`` may be the raw bytes/text or an already decoded JSON document.
    """
    if isinstance(body, dict):
        doc: Any = body
    else:
        if body is None or (isinstance(body, bytes | str) and not body.strip()):
            raise invalid_json(lang)
        try:
            text = _utf8(body) if isinstance(body, bytes) else body
            doc = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        except ValueError:
            raise invalid_json(lang) from None
    root = connector.root
    if not isinstance(doc, dict) or len(doc) != 1:
        raise invalid_json(lang, f"the body must hold one root object '{root.name}'")
    ((name, value),) = doc.items()
    if name != root.name:
        raise invalid_json(
            lang, f"the root object of UpdateConnector '{connector.id}' is '{root.name}', not '{name}'"
        )
    elements = _elements(value, root, lang)
    if not elements:
        raise invalid_json(lang, f"object '{root.name}' holds no 'Element'")
    return elements


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def parse_key_path(key_path: str) -> list[tuple[str, dict[str, str]]]:
    """Split a DELETE key path into (object, {key field: value}) steps.

    ``"FiEntryPar/UnId,JoCo/1,80/FiEntries/@EnNo/5789"`` ->
    ``[("FiEntryPar", {"UnId": "1", "JoCo": "80"}), ("FiEntries", {"EnNo": "5789"})]``.
    Key names may carry ``@`` or not; segments are URL-decoded. Raises ValueError when the path
    is not a sequence of object / key names / values triples with as many values as names.
    """
    parts = [unquote(p) for p in key_path.strip("/").split("/")]
    if not parts or len(parts) % 3 != 0:
        raise ValueError(key_path)
    steps: list[tuple[str, dict[str, str]]] = []
    for i in range(0, len(parts), 3):
        obj, names, values = parts[i], parts[i + 1].split(","), parts[i + 2].split(",")
        if not obj or len(names) != len(values):
            raise ValueError(key_path)
        steps.append((obj, {n.strip().lstrip("@"): v for n, v in zip(names, values, strict=True)}))
    return steps


def _utf8(body: bytes) -> str:
    """The body as text. AFAS reads UTF-8; characters sent in another encoding (a cp1252 é) are not
    refused but end up as '?' in Profit (AFAS's help on UpdateConnectors)."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("utf-8-sig", errors="replace").replace("\ufffd", "?")
