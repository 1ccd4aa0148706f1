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
from zoneinfo import ZoneInfo

import msgspec
import orjson

__all__ = [
    "EXACT_FLOAT_LIMIT",
    "SHOWN_ROUNDING",
    "InexactNumberError",
    "PageDecoder",
    "RowConverter",
    "needs_exact_reparse",
    "parse_afas_date",
    "parse_afas_datetime",
    "to_decimal",
    "wall_time",
]

EXACT_FLOAT_LIMIT = 1e13
"""From this magnitude a float may not hold an amount with two decimals exactly (15 significant digits)."""

SHOWN_ROUNDING = dt.timedelta(milliseconds=500)
"""How far a timestamp AFAS shows may lie from the one it keeps: it keeps milliseconds and shows the
second, rounded (afas-profit-api.md §3.6, §9.2). A shown Modified is the change's moment ± this."""

_MIDNIGHT = dt.time()
_AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_LEADING_DOT = re.compile(rb'(":\s*)(-?)\.([0-9])')
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


def wall_time(moment: dt.datetime) -> dt.datetime:
    """A moment of ours (naive UTC, or aware) as AFAS's timestamps give it: naive Amsterdam wall time."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(_AMSTERDAM).replace(tzinfo=None)


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

    Rows arrive by the million, so the per-row work is a generated function with one straight block per
    field, and each distinct amount or date text is converted once per converter (bounded caches; safe
    to share between threads: a race only converts a value twice).
    """

    __slots__ = ("_decimals", "_dates", "_booleans", "_convert", "_caches", "_date_cache", "_quantizers")

    _CACHE_LIMIT = 200_000

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
        self._caches: tuple[dict[object, Decimal], ...] = tuple({} for _ in decimals)
        self._date_cache: dict[str, dt.date | dt.datetime] = {}
        self._quantizers = tuple(q for _, q in decimals)
        self._convert = self._compile()

    def _compile(self) -> Any:
        """Generate the row loop; field ids enter the source only as repr() literals."""
        lines = ["def convert(rows, caches, dcache, dec_slow, date_slow, bool_slow, quantizers):"]
        lines += ["    D = Decimal; LIMIT = EXACT_FLOAT_LIMIT"]
        lines += [f"    c{i} = caches[{i}]; q{i} = quantizers[{i}]" for i in range(len(self._decimals))]
        lines.append("    for row in rows:")
        for i, (field_id, quantizer) in enumerate(self._decimals):
            key = repr(field_id)
            lines += [
                f"        v = row.get({key})",
                "        if v is not None:",
                "            if type(v) is float and -LIMIT < v < LIMIT:",
            ]
            if quantizer is None:
                lines.append(f"                row[{key}] = D(repr(v))")
            else:
                # repr() already has the metainfo's decimals for most amounts; the others (0.0, 12.5)
                # need quantize() and repeat a lot, so only those go through the cache.
                places = -quantizer.as_tuple().exponent
                lines += [
                    "                r = repr(v)",
                    f"                if len(r) - r.find('.') == {places + 1} and 'e' not in r:",
                    f"                    row[{key}] = D(r)",
                    "                else:",
                    f"                    n = c{i}.get(v)",
                    f"                    row[{key}] = n if n is not None else quantize(c{i}, v, r, q{i})",
                ]
            lines += [
                "            else:",
                f"                row[{key}] = dec_slow({i}, v)",
            ]
        for field_id in self._dates:
            key = repr(field_id)
            # Date-only values ("...T00:00:00Z") repeat and are cached; timestamps are parsed each time.
            lines += [
                f"        v = row.get({key})",
                "        if v is not None:",
                "            d = dcache.get(v)",
                "            if d is None:",
                "                try:",
                "                    if v[19:] == 'Z' and v[10] == 'T':",
                "                        if v[11:19] == '00:00:00':",
                "                            d = dcache[v] = date_iso(v[:10])",
                "                        else:",
                "                            d = datetime_iso(v[:19])",
                "                    else:",
                f"                        d = date_slow({key}, v)",
                "                except (ValueError, TypeError, IndexError):",
                f"                    d = date_slow({key}, v)",
                f"            row[{key}] = d",
            ]
        for field_id in self._booleans:
            key = repr(field_id)
            lines += [
                f"        v = row.get({key})",
                "        if v is not None and v is not True and v is not False:",
                f"            row[{key}] = bool_slow({key}, v)",
            ]
        if lines[-1] == "    for row in rows:":
            lines.pop()  # nothing to convert (a connector of text and whole numbers only)
        lines.append("    return rows")
        namespace: dict[str, Any] = {
            "Decimal": Decimal,
            "ROUND_HALF_EVEN": ROUND_HALF_EVEN,
            "EXACT_FLOAT_LIMIT": EXACT_FLOAT_LIMIT,
            "CACHE_LIMIT": self._CACHE_LIMIT,
            "date_iso": dt.date.fromisoformat,
            "datetime_iso": dt.datetime.fromisoformat,
            "quantize": self._quantize_cached,
        }
        exec("\n".join(lines), namespace)  # noqa: S102 - source built above from repr() literals only
        return namespace["convert"]

    @classmethod
    def from_metainfo(cls, fields: Iterable[Mapping[str, Any]]) -> RowConverter:
        """Build from the ``fields`` of ``GET /metainfo/get/{connector}`` (keys id, dataType, decimals)."""
        return cls((field["id"], field.get("dataType") or "", field.get("decimals")) for field in fields)

    def convert_rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Convert ``rows`` in place and return them.

        Raises :class:`InexactNumberError` when a decimal field holds a float of 1e13 or more: re-parse
        that response with ``json.loads(raw, parse_float=Decimal)`` and convert again.
        """
        return self._convert(
            rows,
            self._caches,
            self._date_cache,
            self._decimal_slow,
            self._date_slow,
            self._boolean_slow,
            self._quantizers,
        )

    def _quantize_cached(
        self, cache: dict[object, Decimal], value: float, text: str, quantizer: Decimal
    ) -> Decimal:
        number = Decimal(text).quantize(quantizer, rounding=ROUND_HALF_EVEN)
        if len(cache) >= self._CACHE_LIMIT:
            cache.clear()
        cache[value] = number
        return number

    def _date_slow(self, field_id: str, value: object) -> dt.date | dt.datetime:
        if type(value) is not str:
            raise ValueError(f"Field {field_id!r}: expected a date text like 2025-03-01T00:00:00Z.")
        return self._other_date(field_id, value)

    def _decimal_slow(self, index: int, value: object) -> Decimal:
        field_id, quantizer = self._decimals[index]
        kind = type(value)
        if kind is float:
            if value >= EXACT_FLOAT_LIMIT or value <= -EXACT_FLOAT_LIMIT or value != value:  # type: ignore[operator]
                self._raise_inexact(field_id, value)  # type: ignore[arg-type]
            number = Decimal(repr(value))
        elif kind is int:
            number = Decimal(value)  # type: ignore[arg-type]
        else:
            number = self._other_decimal(field_id, value)
        if quantizer is not None:
            number = number.quantize(quantizer, rounding=ROUND_HALF_EVEN)
        if kind is float:
            cache = self._caches[index]
            if len(cache) >= self._CACHE_LIMIT:
                cache.clear()
            cache[value] = number
        return number

    @staticmethod
    def _boolean_slow(field_id: str, value: object) -> bool:
        try:
            return _BOOLEANS[value]
        except (KeyError, TypeError):
            raise ValueError(f"Field {field_id!r}: expected a boolean (true/false/1/0).") from None

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


class PageDecoder:
    """Decode a whole GetConnector response straight into typed rows (dicts), fast and exact.

    msgspec reads the JSON once, with each field's type from metainfo: decimals become Decimal from the
    number's own digits (no float in between, so no 1e13 limit), integers int, booleans bool. Dates are
    read as text and converted by a :class:`RowConverter` (Amsterdam wall time, date when midnight).
    A response that does not fit the metainfo (older Profit versions' "-.5" numbers, 1/0 booleans, an
    unexpected field type) falls back to orjson plus :class:`RowConverter`, which is tolerant.
    """

    __slots__ = ("_decoder", "_ids", "_identifiers", "_dates", "_fallback")

    _TYPES: dict[str, Any] = {
        "string": str,
        "blob": str,
        "int": int,
        "decimal": Decimal,
        "boolean": bool,
        "date": str,
    }

    def __init__(self, fields: Iterable[tuple[str, str, int | None]]) -> None:
        fields = list(fields)
        self._ids = [f[0] for f in fields]
        self._identifiers = all(i.isidentifier() and not i.startswith("_") for i in self._ids)
        names = self._ids if self._identifiers else [f"f{n}" for n in range(len(fields))]
        row_type = msgspec.defstruct(
            "Row",
            [
                (name, self._TYPES.get((dtype or "").lower(), Any) | None, None)
                for name, (_, dtype, _) in zip(names, fields, strict=True)
            ],
            rename=None if self._identifiers else dict(zip(names, self._ids, strict=True)),
        )
        page_type = msgspec.defstruct("Page", [("rows", list[row_type], [])])  # type: ignore[valid-type]
        self._decoder = msgspec.json.Decoder(page_type)
        self._dates = RowConverter([f for f in fields if (f[1] or "").lower() == "date"])
        self._fallback = RowConverter(fields)

    def decode(self, raw: bytes) -> list[dict[str, Any]]:
        """The typed rows of a response body."""
        try:
            page = self._decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return self._decode_tolerant(raw)
        if self._identifiers:
            asdict = msgspec.structs.asdict
            rows = [asdict(r) for r in page.rows]
        else:
            astuple, ids = msgspec.structs.astuple, self._ids
            rows = [dict(zip(ids, astuple(r), strict=True)) for r in page.rows]
        return self._dates.convert_rows(rows)

    def _decode_tolerant(self, raw: bytes) -> list[dict[str, Any]]:
        import json

        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError:
            # Before Profit 7, AFAS could write numbers as -.5 (not JSON): add the missing zero after a key.
            raw = _LEADING_DOT.sub(rb"\1\g<2>0.\3", raw)
            doc = orjson.loads(raw)
        rows = (doc.get("rows") or []) if isinstance(doc, dict) else []
        try:
            return self._fallback.convert_rows(rows)
        except InexactNumberError:
            rows = json.loads(raw, parse_float=Decimal).get("rows") or []
            return self._fallback.convert_rows(rows)
