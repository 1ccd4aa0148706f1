"""GetConnector requests as AFAS answers them: skip/take, filters, sort, JSON rows.

Semantics (afas-profit-api.md §3): default take 100; skip/take echoed; ',' is AND and ';' is OR in
filterfieldids/filtervalues/operatortypes, or the same as filterjson; 15 operator types; '-' in
orderbyfieldids sorts descending; empty values are null; dates are 'YYYY-MM-DDTHH:MM:SSZ' with a
misleading Z (Amsterdam local time); skip=2&take=-1 is an error; skip=-1 returns everything.
Text comparisons are case-insensitive (SQL Server's default collation, UNCONFIRMED for AFAS).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import orjson

from afas.emulator.errors import ERR_GENERIC, ProfitError, msg
from afas.emulator.getconnectors import GetConnectorDef, GField

__all__ = ["GetRequest", "build_page_sql", "materialize_sql", "parse_get_request", "render_page"]

TEXT_OPS = {6, 10, 11, 12, 13, 14, 15}


@dataclass(frozen=True)
class Cond:
    field: GField
    op: int
    value: str


@dataclass(frozen=True)
class GetRequest:
    skip: int
    take: int
    skip_echo: int
    take_echo: int
    groups: tuple[tuple[Cond, ...], ...]  # OR of ANDs; empty = no filter
    order: tuple[tuple[GField, bool], ...]  # (field, descending)


def _int_param(raw: str | None, default: int) -> int:
    """AFAS treats a non-numeric or < -1 skip/take as its default (observed by PracticalAfas)."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if value >= -1 else default


def _field(conn: GetConnectorDef, field_id: str, lang: str) -> GField:
    f = conn.field(field_id.strip())
    if f is None:
        raise ProfitError(
            msg(
                lang,
                f"Connector field '{field_id.strip()}' not found",
                f"Connectorveld '{field_id.strip()}' niet gevonden",
            ),
            error_number=ERR_GENERIC,
        )
    return f


def _operator(raw: str, lang: str) -> int:
    try:
        op = int(raw.strip())
    except ValueError:
        op = 0
    if not 1 <= op <= 15:
        raise ProfitError(
            msg(lang, f"Operator type '{raw}' is not valid.", f"Operatortype '{raw}' is niet geldig."),
            error_number=ERR_GENERIC,
        )  # UNCONFIRMED
    return op


def _split_groups(text: str) -> list[list[str]]:
    return [g.split(",") for g in text.split(";")]


def _parse_compact(
    conn: GetConnectorDef, params: Mapping[str, str], lang: str
) -> tuple[tuple[Cond, ...], ...]:
    ids = params.get("filterfieldids")
    if not ids:
        return ()
    values = _split_groups(params.get("filtervalues", ""))
    ops = _split_groups(params.get("operatortypes", ""))
    id_groups = _split_groups(ids)
    if (
        len(values) != len(id_groups)
        or len(ops) != len(id_groups)
        or any(len(v) != len(i) or len(o) != len(i) for i, v, o in zip(id_groups, values, ops, strict=False))
    ):
        raise ProfitError(
            msg(lang, "An unexpected error has occurred.", "Er is een onverwachte fout opgetreden."),
            error_number=ERR_GENERIC,
        )
    return tuple(
        tuple(Cond(_field(conn, f, lang), _operator(o, lang), v) for f, v, o in zip(i, vs, os_, strict=True))
        for i, vs, os_ in zip(id_groups, values, ops, strict=True)
    )


def _as_list(x: object) -> list:
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def _parse_json(conn: GetConnectorDef, text: str, lang: str) -> tuple[tuple[Cond, ...], ...]:
    try:
        doc = orjson.loads(text)
        filters = _as_list(doc["Filters"]["Filter"])
        groups = []
        for flt in filters:
            conds = []
            for fld in _as_list(flt["Field"]):
                value = fld.get("#text", "")
                conds.append(
                    Cond(
                        _field(conn, str(fld["@FieldId"]), lang),
                        _operator(str(fld["@OperatorType"]), lang),
                        "" if value is None else str(value),
                    )
                )
            groups.append(tuple(conds))
        return tuple(groups)
    except ProfitError:
        raise
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ProfitError(
            msg(lang, "The filter (filterjson) is not valid.", "Het filter (filterjson) is niet geldig."),
            error_number=ERR_GENERIC,
        ) from exc  # UNCONFIRMED wording


def parse_get_request(conn: GetConnectorDef, params: Mapping[str, str], lang: str) -> GetRequest:
    skip_raw, take_raw = params.get("skip"), params.get("take")
    skip = _int_param(skip_raw, 0)
    take = _int_param(take_raw, 100)
    if skip == -1:
        take = -1  # skip=-1 returns everything and ignores take (PracticalAfas, observed)
    elif take == -1:
        # skip=2&take=-1 is refused (official troubleshooting page)
        raise ProfitError(
            msg(lang, "An unexpected error has occurred.", "Er is een onverwachte fout opgetreden."),
            error_number=ERR_GENERIC,
        )
    if "filterjson" in params and params["filterjson"]:
        groups = _parse_json(conn, params["filterjson"], lang)
    else:
        groups = _parse_compact(conn, params, lang)
    order: list[tuple[GField, bool]] = []
    for part in (params.get("orderbyfieldids") or "").split(","):
        part = part.strip()
        if not part:
            continue
        desc = part.startswith("-")
        order.append((_field(conn, part.lstrip("-"), lang), desc))
    skip_echo = skip if skip_raw is not None else 0
    take_echo = take if take_raw is not None or skip == -1 else 100
    # take=0 returned a row in PracticalAfas's tests (2017); a page of one row it is.
    effective_take = 1 if take == 0 else take
    return GetRequest(max(skip, 0), effective_take, skip_echo, take_echo, groups, tuple(order))


# --- SQL -------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")


def _parse_date_value(value: str, field: GField, lang: str) -> dt.datetime:
    # A trailing Z is refused (PracticalAfas); so is anything that is not a date.
    bad = ProfitError(
        msg(
            lang,
            f"The value '{value}' for field '{field.id}' is not a valid date.",
            f"De waarde '{value}' voor veld '{field.id}' is geen geldige datum.",
        ),
        error_number=ERR_GENERIC,
    )  # UNCONFIRMED wording
    m = _DATE_RE.match(value.strip())
    if not m:
        raise bad
    y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
    try:
        return dt.datetime(y, mo, d, h, mi, s)
    except ValueError:
        raise bad from None


def _typed_value(field: GField, value: str, lang: str) -> object:
    bad = ProfitError(
        msg(
            lang,
            f"The value '{value}' for field '{field.id}' is not valid.",
            f"De waarde '{value}' voor veld '{field.id}' is niet geldig.",
        ),
        error_number=ERR_GENERIC,
    )  # UNCONFIRMED wording
    t = field.data_type
    if t == "int":
        try:
            return int(value.strip())
        except ValueError:
            raise bad from None
    if t == "decimal":
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise bad from None
    if t == "boolean":
        v = value.strip().lower()
        if v in ("1", "true", "-1", "waar", "ja"):
            return True
        if v in ("0", "false", "onwaar", "nee"):
            return False
        raise bad
    if t == "date":
        return _parse_date_value(value, field, lang)
    return value


def _strip_wildcards(value: str) -> str:
    return value.strip("%").strip("*")


def _condition_sql(c: Cond, params: list, lang: str) -> str:
    col = f'"{c.field.id}"'
    is_text = c.field.data_type in ("string", "blob")
    if c.op == 8:
        return f"({col} IS NULL" + (f" OR {col} = ''" if is_text else "") + ")"
    if c.op == 9:
        return f"({col} IS NOT NULL" + (f" AND {col} <> ''" if is_text else "") + ")"
    op = c.op
    if op == 7 and c.value.startswith("%") and c.value.endswith("%") and len(c.value) > 1:
        op = 11  # '%v%' with 'not equal' means 'does not contain' (AFAS filter XML documentation)
    if op in TEXT_OPS:
        params.append(_strip_wildcards(c.value).lower())
        text = f"lower(CAST({col} AS VARCHAR))"
        expr = {
            6: f"contains({text}, ?)",
            15: f"contains({text}, ?)",
            11: f"NOT contains({text}, ?)",
            10: f"starts_with({text}, ?)",
            12: f"NOT starts_with({text}, ?)",
            13: f"ends_with({text}, ?)",
            14: f"NOT ends_with({text}, ?)",
        }[op]
        if op in (11, 12, 14):
            return f"({col} IS NULL OR {expr})"
        return f"({col} IS NOT NULL AND {expr})"
    sym = {1: "=", 2: ">=", 3: "<=", 4: ">", 5: "<", 7: "<>"}[op]
    value = _typed_value(c.field, c.value, lang)
    if is_text:
        params.append(str(value).lower())
        left = f"lower({col})"
    else:
        params.append(value)
        left = col
        if c.field.data_type == "date":
            left = f"CAST({col} AS TIMESTAMP)"
    if op == 7:
        return f"({left} IS DISTINCT FROM ?)"  # rows without a value count as 'not equal' (UNCONFIRMED)
    return f"({left} {sym} ?)"


def source_sql(conn: GetConnectorDef) -> str:
    """The connector's rows: its fields under their ids, plus the administration as ``__unit``."""
    select = ", ".join(f'{f.sql} AS "{f.id}"' for f in conn.fields)
    return f"SELECT {select}, {conn.unit_sql or 'NULL'} AS __unit {conn.source}"


def materialize_sql(conn: GetConnectorDef, table: str, types: Mapping[str, str]) -> str:
    """SQL creating ``table``: the connector's rows (``source_sql``) with their JSON text.

    Every row's JSON object (``__j``) is rendered once, as AFAS writes it: decimals with the digits
    of their column ("21.00"), dates as 'YYYY-MM-DDTHH:MM:SSZ', empty values as null, keys in
    metainfo order. ``types`` are the DuckDB types of the source columns (DESCRIBE of source_sql):
    DuckDB writes narrow decimals to JSON through a double (21.0), so they are widened first.
    A page is then a filter, sort and limit over this table, joined with commas.
    """
    pairs = ", ".join(f"'{f.id}', {_render_expr(f, types.get(f.id.lower(), ''))}" for f in conn.fields)
    return (
        f"CREATE OR REPLACE TABLE {table} AS "
        f"SELECT *, CAST(json_object({pairs}) AS VARCHAR) AS __j FROM ({source_sql(conn)}) q"
    )


def build_page_sql(
    conn: GetConnectorDef, req: GetRequest, visible_units: frozenset[int] | None, lang: str, table: str
) -> tuple[str, list]:
    """SQL returning the page's rows as a JSON array body in UTF-8 bytes (a BLOB, so the text is
    never turned into a Python string and back), over ``materialize_sql``'s table."""
    params: list = []
    where = []
    if visible_units is not None and conn.unit_sql:
        units = ", ".join(str(int(u)) for u in sorted(visible_units))
        where.append(f"__unit IN ({units})" if units else "false")
    if req.groups:
        ors = [" AND ".join(_condition_sql(c, params, lang) for c in g) or "true" for g in req.groups]
        where.append("(" + " OR ".join(f"({o})" for o in ors) + ")")
    filt = f"WHERE {' AND '.join(where)}" if where else ""
    order_parts = []
    for f, desc in req.order or tuple((conn.field(k), False) for k in conn.key):
        col = f'"{f.id}"'
        if f.data_type in ("string", "blob"):
            col = f"lower({col})"
        # SQL Server sorts NULL first ascending and last descending.
        order_parts.append(f"{col} DESC NULLS LAST" if desc else f"{col} ASC NULLS FIRST")
    order = ", ".join(order_parts)
    limit = "" if req.take < 0 else f"LIMIT {int(req.take)}"
    offset = f"OFFSET {int(req.skip)}" if req.skip > 0 else ""
    sql = (
        f"SELECT encode('[' || coalesce(string_agg(__j, ',' ORDER BY {order}), '') || ']') "
        f"FROM (SELECT * FROM {table} {filt} ORDER BY {order} {limit} {offset}) page"
    )
    return sql, params


_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def _render_expr(f: GField, column_type: str) -> str:
    col = f'"{f.id}"'
    if f.data_type == "date":
        # shown to the second, rounded half up (AFAS keeps milliseconds it does not show)
        shown = f"date_trunc('second', CAST({col} AS TIMESTAMP) + INTERVAL 500 MILLISECOND)"
        return f"strftime({shown}, '%Y-%m-%dT%H:%M:%SZ')"
    m = _DECIMAL.fullmatch(column_type.upper().replace(" ", ""))
    if m and int(m.group(1)) < 18:
        return f"CAST({col} AS DECIMAL(18, {int(m.group(2))}))"
    return col


def render_page(rows_json: bytes, skip: int, take: int) -> bytes:
    """The JSON body AFAS sends: {"skip": .., "take": .., "rows": [{field: value, ...}]}."""
    return b'{"skip":%d,"take":%d,"rows":%s}' % (skip, take, rows_json)
