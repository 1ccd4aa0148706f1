"""GetConnector filters: build them in Python, send them in the form AFAS understands.

A :class:`Filter` is an OR of groups, each group an AND of :class:`Condition`. AFAS takes it as three
parallel query parameters (``filterfieldids``, ``filtervalues``, ``operatortypes``; ``,`` joins the
conditions of a group, ``;`` joins groups) or, since that form cannot escape ``,``/``;`` in a value, as
``filterjson``. AFAS answers 404 when the query string is longer than 2,049 characters, so
:func:`to_query_params` checks the length before anything is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from zoneinfo import ZoneInfo

import httpx
import orjson

__all__ = [
    "MAX_QUERY_LENGTH",
    "Condition",
    "Filter",
    "FilterTooLong",
    "Op",
    "between",
    "eq",
    "format_value",
    "ge",
    "gt",
    "le",
    "lt",
    "one_of",
    "parse_filterjson",
    "parse_query_params",
    "query_length",
    "to_query_params",
]

MAX_QUERY_LENGTH = 2049
"""AFAS answers 404 when the query string, counted from its ``?``, is longer than this."""

_AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_FILTER_KEYS = ("filterfieldids", "filtervalues", "operatortypes", "filterjson")


class Op(IntEnum):
    """AFAS operator types (``operatortypes`` / ``@OperatorType``)."""

    EQ = 1
    GE = 2
    LE = 3
    GT = 4
    LT = 5
    CONTAINS = 6
    NE = 7
    EMPTY = 8
    NOT_EMPTY = 9
    STARTS_WITH = 10
    NOT_CONTAINS = 11
    NOT_STARTS_WITH = 12
    ENDS_WITH = 13
    NOT_ENDS_WITH = 14
    QUICK = 15


_NO_VALUE = frozenset({Op.EMPTY, Op.NOT_EMPTY})


class FilterTooLong(ValueError):
    """The query string would exceed AFAS's 2,049 characters (AFAS would answer 404)."""

    def __init__(self, length: int, limit: int = MAX_QUERY_LENGTH) -> None:
        super().__init__(
            f"The filter makes the query string {length:,} characters long; AFAS allows at most {limit:,} "
            "(it answers 404 beyond that). Split the filter over several requests, "
            "e.g. fewer values per request."
        )
        self.length = length
        self.limit = limit


@dataclass(frozen=True)
class Condition:
    """One comparison ``field <op> value``; ``field`` is the metainfo ``id`` of the connector field."""

    field: str
    op: Op
    value: object = None

    def __post_init__(self) -> None:
        if not isinstance(self.field, str) or not self.field:
            raise ValueError("A filter condition needs a field id (the connector field's metainfo id).")
        object.__setattr__(self, "op", Op(self.op))
        if self.op in _NO_VALUE:
            object.__setattr__(self, "value", None)
        else:
            format_value(self.value, self.op)  # fail early, where the condition is written

    def __and__(self, other: Filter | Condition) -> Filter:
        return Filter([(self,)]) & other

    def __or__(self, other: Filter | Condition) -> Filter:
        return Filter([(self,)]) | other


class Filter:
    """An OR of groups, each group an AND of conditions. ``Filter()`` means no filter (all rows)."""

    __slots__ = ("groups",)

    groups: tuple[tuple[Condition, ...], ...]

    def __init__(self, groups: Iterable[Iterable[Condition]] = ()) -> None:
        built = tuple(tuple(group) for group in groups)
        for group in built:
            if not group:
                raise ValueError("A filter group needs at least one condition.")
            for condition in group:
                if not isinstance(condition, Condition):
                    raise TypeError("Filter groups hold Condition objects.")
        object.__setattr__(self, "groups", built)

    @classmethod
    def all(cls, *conditions: Condition) -> Filter:
        """All conditions must hold (one AND group); with no conditions, no filter."""
        return cls([conditions]) if conditions else cls()

    @classmethod
    def any(cls, *groups: Filter | Condition | Iterable[Condition]) -> Filter:
        """At least one must hold: each argument is a Condition, an AND group (iterable), or a Filter."""
        if not groups:
            # OR of nothing matches nothing, which AFAS cannot express; "all rows" would be a nasty surprise.
            raise ValueError("Filter.any() needs at least one condition or group.")
        collected: list[tuple[Condition, ...]] = []
        for item in groups:
            if isinstance(item, Filter):
                if not item.groups:
                    return cls()  # one branch matches everything, so the OR does too
                collected.extend(item.groups)
            elif isinstance(item, Condition):
                collected.append((item,))
            else:
                collected.append(tuple(item))
        return cls(collected)

    def __and__(self, other: Filter | Condition) -> Filter:
        """AND distributes over the groups: (A or B) & (C or D) = AC or AD or BC or BD."""
        right = _as_filter(other)
        if right is None:
            return NotImplemented
        if not self.groups:
            return right
        if not right.groups:
            return self
        return Filter(left + group for left in self.groups for group in right.groups)

    def __or__(self, other: Filter | Condition) -> Filter:
        right = _as_filter(other)
        if right is None:
            return NotImplemented
        if not self.groups or not right.groups:
            return Filter()  # one side matches every row
        return Filter(self.groups + right.groups)

    def __rand__(self, other: Condition) -> Filter:
        left = _as_filter(other)
        return NotImplemented if left is None else left & self

    def __ror__(self, other: Condition) -> Filter:
        left = _as_filter(other)
        return NotImplemented if left is None else left | self

    def __bool__(self) -> bool:
        return bool(self.groups)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and self.groups == other.groups

    def __hash__(self) -> int:
        return hash(self.groups)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Filter is immutable")

    def __repr__(self) -> str:
        return f"Filter({[list(group) for group in self.groups]!r})"

    def conditions(self) -> list[Condition]:
        """Every condition, group by group."""
        return [condition for group in self.groups for condition in group]


def _as_filter(value: object) -> Filter | None:
    if isinstance(value, Filter):
        return value
    if isinstance(value, Condition):
        return Filter([(value,)])
    return None


def eq(field: str, value: object) -> Condition:
    """``field = value``."""
    return Condition(field, Op.EQ, value)


def ge(field: str, value: object) -> Condition:
    """``field >= value``."""
    return Condition(field, Op.GE, value)


def le(field: str, value: object) -> Condition:
    """``field <= value``."""
    return Condition(field, Op.LE, value)


def gt(field: str, value: object) -> Condition:
    """``field > value``."""
    return Condition(field, Op.GT, value)


def lt(field: str, value: object) -> Condition:
    """``field < value``."""
    return Condition(field, Op.LT, value)


def between(field: str, lo: object, hi: object) -> Filter:
    """``lo <= field <= hi`` (both ends included)."""
    return Filter.all(Condition(field, Op.GE, lo), Condition(field, Op.LE, hi))


def one_of(field: str, values: Iterable[object]) -> Filter:
    """``field`` equals any of ``values`` (an OR of equalities); raises for no values."""
    return Filter.any(*(eq(field, value) for value in values))


# --- values ------------------------------------------------------------------------------------------


def format_value(value: object, op: Op | int | None = None) -> str:
    """Format a filter value as AFAS expects it.

    Text as is (no ``%`` wildcards added); bool as ``1``/``0``; int; Decimal in plain notation with ``.``;
    dates as ``YYYY-MM-DDT00:00:00``; datetimes as Amsterdam wall time ``YYYY-MM-DDTHH:MM:SS`` without
    ``Z`` (AFAS rejects it) or microseconds. Floats are refused: amounts are Decimal.
    """
    if op is not None and Op(op) in _NO_VALUE:
        return ""
    if value is None:
        raise ValueError("A filter value is missing; to test for an empty field use Op.EMPTY.")
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        raise TypeError("Filter values cannot be floats (inexact); use Decimal for amounts or int.")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("A Decimal filter value must be a finite number.")
        text = format(value, "f")
        return text[1:] if text.startswith("-") and value == 0 else text
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(_AMSTERDAM)
        return value.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00"
    raise TypeError(
        f"Cannot use a {type(value).__name__} as a filter value; "
        "use str, int, bool, Decimal, date or datetime."
    )


# --- query parameters --------------------------------------------------------------------------------


def _compact(filter_: Filter) -> dict[str, str] | None:
    """The three-parameter form, or None when a field id or value contains ``,`` or ``;``."""
    fields, values, ops = [], [], []
    for group in filter_.groups:
        group_fields, group_values, group_ops = [], [], []
        for condition in group:
            text = format_value(condition.value, condition.op)
            if any(sep in part for part in (condition.field, text) for sep in ",;"):
                return None
            group_fields.append(condition.field)
            group_values.append(text)
            group_ops.append(str(int(condition.op)))
        fields.append(",".join(group_fields))
        values.append(",".join(group_values))
        ops.append(",".join(group_ops))
    return {
        "filterfieldids": ";".join(fields),
        "filtervalues": ";".join(values),
        "operatortypes": ";".join(ops),
    }


def _json(filter_: Filter) -> dict[str, str]:
    document = {
        "Filters": {
            "Filter": [
                {
                    "@FilterId": f"Filter {index}",
                    "Field": [
                        {
                            "@FieldId": condition.field,
                            "@OperatorType": int(condition.op),
                            "#text": format_value(condition.value, condition.op),
                        }
                        for condition in group
                    ],
                }
                for index, group in enumerate(filter_.groups, start=1)
            ]
        }
    }
    return {"filterjson": orjson.dumps(document).decode("utf-8")}


def query_length(params: Mapping[str, str | int]) -> int:
    """Length of the URL-encoded query string as AFAS counts it (from the ``?`` on), encoded exactly
    as httpx sends it."""
    return 1 + len(str(httpx.QueryParams(params)))


def to_query_params(
    filter_: Filter,
    *,
    prefer_json: bool = False,
    other_params: Mapping[str, str | int] | None = None,
) -> dict[str, str]:
    """The query parameters for ``filter_``, merged after ``other_params`` (skip, take, orderbyfieldids).

    Uses the compact three-parameter form unless a field id or value contains ``,``/``;`` or
    ``prefer_json`` is set; if the preferred form makes the query longer than :data:`MAX_QUERY_LENGTH`,
    the other form is tried. Raises :class:`FilterTooLong` when neither fits.
    """
    base = {key: str(value) for key, value in (other_params or {}).items()}
    clash = [key for key in base if key.lower() in _FILTER_KEYS]
    if clash:
        raise ValueError("other_params must not contain filter parameters; pass them as the Filter.")
    if not filter_.groups:
        candidates: list[dict[str, str]] = [{}]
    else:
        compact = _compact(filter_)
        as_json = _json(filter_)
        candidates = (
            [as_json] if compact is None else [as_json, compact] if prefer_json else [compact, as_json]
        )
    shortest = None
    for candidate in candidates:
        params = {**base, **candidate}
        length = query_length(params)
        if length <= MAX_QUERY_LENGTH:
            return params
        shortest = length if shortest is None else min(shortest, length)
    raise FilterTooLong(shortest or 0)


def _condition(field: str, op_text: object, value: str | None) -> Condition:
    try:
        op = Op(int(str(op_text).strip()))
    except ValueError:
        raise ValueError("An operator type must be a number from 1 to 15.") from None
    return Condition(field, op, None if op in _NO_VALUE else (value if value is not None else ""))


def parse_query_params(params: Mapping[str, str]) -> Filter:
    """Read a Filter back from decoded query parameters (compact form or ``filterjson``); values are text."""
    lowered = {key.lower(): value for key, value in params.items()}
    if "filterjson" in lowered:
        return parse_filterjson(lowered["filterjson"])
    if "filterfieldids" not in lowered:
        return Filter()
    fields = lowered["filterfieldids"].split(";")
    values = lowered.get("filtervalues", "").split(";")
    ops = lowered.get("operatortypes", "").split(";")
    if not len(fields) == len(values) == len(ops):
        raise ValueError("filterfieldids, filtervalues and operatortypes have a different number of groups.")
    groups = []
    for group_fields, group_values, group_ops in zip(fields, values, ops, strict=True):
        f, v, o = group_fields.split(","), group_values.split(","), group_ops.split(",")
        if not len(f) == len(v) == len(o):
            raise ValueError("A filter group has a different number of fields, values and operator types.")
        groups.append([_condition(field, op, value) for field, value, op in zip(f, v, o, strict=True)])
    return Filter(groups)


def _as_list(value: object) -> list[object]:
    # JSON converted from XML has an object where a list of one would be.
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def parse_filterjson(text: str) -> Filter:
    """Read a Filter from AFAS's ``filterjson`` (a ``Filter``/``Field`` object or list is accepted)."""
    try:
        document = orjson.loads(text)
        filters = _as_list(document["Filters"]["Filter"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise ValueError('filterjson must look like {"Filters":{"Filter":[{"Field":[...]}]}}.') from None
    groups = []
    for group in filters:
        if not isinstance(group, dict):
            raise ValueError("Each filterjson Filter must be an object.")
        conditions = []
        for field in _as_list(group.get("Field")):
            if not isinstance(field, dict) or "@FieldId" not in field or "@OperatorType" not in field:
                raise ValueError("Each filterjson Field needs @FieldId and @OperatorType.")
            value = field.get("#text")
            if value is not None and not isinstance(value, str):
                value = str(value).lower() if isinstance(value, bool) else str(value)
            conditions.append(_condition(str(field["@FieldId"]), field["@OperatorType"], value))
        groups.append(conditions)
    return Filter(groups)
