"""Typed values for GetConnector rows: AFAS dates, timestamps and decimals as Python objects.

AFAS writes timestamps as ``YYYY-MM-DDTHH:MM:SSZ`` but the ``Z`` is misleading: the time is Amsterdam
wall time, so it is parsed as a naive datetime and never shifted. Decimals arrive as JSON numbers; orjson
reads them as floats, and ``Decimal(repr(float))`` gives the decimal text back exactly as long as the
number has at most 15 significant digits. Larger amounts (``abs >= 1e13`` with two decimals) need the raw
JSON re-parsed with ``parse_float=Decimal``; :class:`RowConverter` raises :class:`InexactNumberError`
so that this cannot be missed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

__all__ = [
    "EXACT_FLOAT_LIMIT",
    "InexactNumberError",
    "RowConverter",
    "needs_exact_reparse",
    "parse_afas_date",
    "parse_afas_datetime",
    "to_decimal",
]

EXACT_FLOAT_LIMIT = 1e13
"""From this magnitude a float may not hold an amount with two decimals exactly (15 significant digits)."""

_MIDNIGHT = dt.time()
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BOOLEANS: dict[object, bool] = {
    True: True,
    False: False,
    "true": True,
    "false": False,
    "True": True,
    "False": False,
    "TRUE": True,
    "FALSE": False,
    "1": True,
    "0": False,
}


class InexactNumberError(ValueError):
    """A decimal field came as a float too large to convert exactly; re-parse the JSON with Decimal."""


def parse_afas_datetime(text: str) -> dt.datetime:
    """Parse an AFAS timestamp as naive Amsterdam wall time; a ``Z`` or UTC offset is dropped, not applied."""
    if not isinstance(text, str):
        raise TypeError("An AFAS timestamp is text like 2025-03-01T14:30:00Z.")
    try:
        parsed = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("Not an AFAS timestamp; expected text like 2025-03-01T14:30:00Z.") from None
    return parsed.replace(tzinfo=None)


def parse_afas_date(text: str) -> dt.date:
    """Parse a date-only AFAS value (``YYYY-MM-DDT00:00:00Z``); a time other than midnight is an error."""
    parsed = parse_afas_datetime(text)
    if parsed.time() != _MIDNIGHT:
        raise ValueError("Expected a date (time 00:00:00); this value has a time, use parse_afas_datetime.")
    return parsed.date()


def needs_exact_reparse(value: float) -> bool:
    """True when ``value`` is too large for ``Decimal(repr(value))`` to be trusted for a 2-decimal amount."""
    return abs(value) >= EXACT_FLOAT_LIMIT


def _quantizer(decimals: int | None) -> Decimal | None:
    if decimals is None:
        return None
    if decimals < 0:
        raise ValueError("decimals must be 0 or more")
    return Decimal(1).scaleb(-decimals)


def to_decimal(value: object, decimals: int | None = None) -> Decimal:
    """Convert a JSON number (int, float, or text like ``-.5``) to Decimal, rounded half-even to ``decimals``.

    Floats are converted through ``repr``, which is exact for numbers of at most 15 significant digits;
    see :func:`needs_exact_reparse` for larger ones.
    """
    if isinstance(value, bool) or value is None:
        raise TypeError("Expected a number, not a boolean or nothing.")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("Expected a finite number.")
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if not _NUMBER_RE.fullmatch(text):
            raise ValueError("Expected a number written with digits and an optional '.' (e.g. -0.5 or -.5).")
        number = Decimal(text)
    else:
        raise TypeError(f"Cannot read a {type(value).__name__} as a decimal number.")
    if not number.is_finite():
        raise ValueError("Expected a finite number.")
    quantizer = _quantizer(decimals)
    if quantizer is None:
        return number
    try:
        return number.quantize(quantizer, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        raise ValueError(f"The number is too large to keep {decimals} decimals.") from None


def _date_value(text: str) -> dt.date | dt.datetime:
    parsed = parse_afas_datetime(text)
    return parsed.date() if parsed.time() == _MIDNIGHT else parsed


class RowConverter:
    """Convert GetConnector rows in place to Decimal, date/datetime and bool, using the connector's metainfo.

    Built from ``(field_id, data_type, decimals)``; ``data_type`` is a metainfo ``dataType`` (``string``,
    ``int``, ``decimal``, ``boolean``, ``date``, ``blob``). Only decimal, date and boolean fields are
    touched; other and unknown types are left as they are, and so is ``None``.
    """

    __slots__ = ("_decimals", "_dates", "_booleans")

    def __init__(self, fields: Iterable[tuple[str, str, int | None]]) -> None:
        decimals: list[tuple[str, Decimal | None]] = []
        dates: list[str] = []
        booleans: list[str] = []
        for field_id, data_type, places in fields:
            kind = (data_type or "").lower()
            if kind == "decimal":
                decimals.append((field_id, _quantizer(places)))
            elif kind == "date":
                dates.append(field_id)
            elif kind == "boolean":
                booleans.append(field_id)
        self._decimals = tuple(decimals)
        self._dates = tuple(dates)
        self._booleans = tuple(booleans)

    @classmethod
    def from_metainfo(cls, fields: Iterable[Mapping[str, Any]]) -> RowConverter:
        """Build from the ``fields`` of ``GET /metainfo/get/{connector}`` (keys id, dataType, decimals)."""
        return cls((field["id"], field.get("dataType") or "", field.get("decimals")) for field in fields)

    def convert_rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Convert ``rows`` in place and return them.

        Raises :class:`InexactNumberError` when a decimal field holds a float of 1e13 or more: re-parse
        that response with ``json.loads(raw, parse_float=Decimal)`` and convert again.
        """
        decimal_fields = self._decimals
        date_fields = self._dates
        boolean_fields = self._booleans
        make_decimal = Decimal
        float_type, int_type, str_type = float, int, str
        limit = EXACT_FLOAT_LIMIT
        half_even = ROUND_HALF_EVEN
        booleans = _BOOLEANS
        date_cache: dict[str, dt.date | dt.datetime] = {}
        caches: dict[Decimal | None, dict[float, Decimal]] = {}
        decimal_fields = tuple((f, q, caches.setdefault(q, {})) for f, q in decimal_fields)
        for row in rows:
            for field_id, quantizer, cache in decimal_fields:
                value = row.get(field_id)
                if value is None:
                    continue
                kind = type(value)
                if kind is float_type:
                    # Amounts repeat (0.00, round sums): convert each distinct float once per call.
                    number = cache.get(value)
                    if number is None:
                        if value >= limit or value <= -limit or value != value:
                            self._raise_inexact(field_id, value)
                        number = make_decimal(repr(value))
                        if quantizer is not None:
                            number = number.quantize(quantizer, rounding=half_even)
                        if len(cache) < 262144:
                            cache[value] = number
                    row[field_id] = number
                    continue
                number = make_decimal(value) if kind is int_type else self._other_decimal(field_id, value)
                if quantizer is not None:
                    number = number.quantize(quantizer, rounding=half_even)
                row[field_id] = number
            for field_id in date_fields:
                value = row.get(field_id)
                if type(value) is str_type:
                    converted = date_cache.get(value)
                    if converted is None:
                        converted = self._other_date(field_id, value)
                        if len(date_cache) < 65536:
                            date_cache[value] = converted
                    row[field_id] = converted
            for field_id in boolean_fields:
                value = row.get(field_id)
                if value is None or value is True or value is False:
                    continue
                try:
                    row[field_id] = booleans[value]
                except (KeyError, TypeError):
                    raise ValueError(f"Field {field_id!r}: expected a boolean (true/false/1/0).") from None
        return rows

    @staticmethod
    def _raise_inexact(field_id: str, value: float) -> None:
        if value != value or value in (math.inf, -math.inf):
            raise ValueError(f"Field {field_id!r}: expected a finite number.")
        raise InexactNumberError(
            f"Field {field_id!r} holds a number too large to read exactly from a float; "
            "re-parse the response with parse_float=Decimal."
        )

    @staticmethod
    def _other_decimal(field_id: str, value: object) -> Decimal:
        try:
            return to_decimal(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Field {field_id!r}: {exc}") from None

    @staticmethod
    def _other_date(field_id: str, value: str) -> dt.date | dt.datetime:
        try:
            return _date_value(value)
        except ValueError as exc:
            raise ValueError(f"Field {field_id!r}: {exc}") from None
