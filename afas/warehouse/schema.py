"""The warehouse's DuckDB schema in one place: meta tables and AFAS metainfo -> column types.

Every GetConnector becomes one table named after the connector id (a quoted identifier), with
columns typed from metainfo: decimals as DECIMAL with their decimals (never DOUBLE), dates as DATE,
timestamps (created/modified fields) as TIMESTAMP in Amsterdam local time (AFAS's trailing Z is
not UTC), booleans, integers. The token is never stored: connection_profiles has no column for it.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from afas.warehouse.runs import stored_statuses_sql

__all__ = [
    "META_DDL",
    "TIMESTAMP_FIELDS",
    "column_type",
    "connector_columns",
    "ensure_schema",
    "is_timestamp_field",
    "quote_ident",
]

TIMESTAMP_FIELDS = frozenset({"Created", "Modified", "CreateDate", "ModifiedDate"})
"""Date fields AFAS fills with a time of day (creation and change moments)."""

META_DDL = f"""
CREATE TABLE IF NOT EXISTS sync_runs (
    run_id BIGINT PRIMARY KEY, connector VARCHAR NOT NULL, environment VARCHAR,
    administration BIGINT, started TIMESTAMP NOT NULL, finished TIMESTAMP,
    rows BIGINT, pages BIGINT, status VARCHAR NOT NULL CHECK (status IN ({stored_statuses_sql()})),
    error VARCHAR, mode VARCHAR, watermark TIMESTAMP);
ALTER TABLE sync_runs ADD COLUMN IF NOT EXISTS mode VARCHAR;
ALTER TABLE sync_runs ADD COLUMN IF NOT EXISTS watermark TIMESTAMP;
CREATE TABLE IF NOT EXISTS connection_profiles (
    name VARCHAR PRIMARY KEY, environment_number VARCHAR, environment_type VARCHAR,
    base_url VARCHAR NOT NULL, administration BIGINT, payment_terms VARCHAR, allocation_axis BIGINT,
    updated TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS field_labels (
    connector VARCHAR NOT NULL, field VARCHAR NOT NULL, language VARCHAR NOT NULL,
    label VARCHAR NOT NULL, PRIMARY KEY (connector, field, language));
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the meta tables if they are missing (idempotent)."""
    con.execute(META_DDL)


def quote_ident(name: str) -> str:
    """A DuckDB quoted identifier: double quotes, embedded quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def is_timestamp_field(field_id: str) -> bool:
    """True for AFAS date fields that carry a time (created/modified moments)."""
    return field_id in TIMESTAMP_FIELDS or field_id.endswith(("Modified", "Created"))


def column_type(data_type: str, decimals: int, field_id: str) -> str:
    """The DuckDB type of an AFAS metainfo field (dataType string|int|decimal|boolean|date|blob)."""
    kind = (data_type or "string").lower()
    if kind == "decimal":
        return f"DECIMAL(18, {min(max(int(decimals or 0), 0), 10)})"
    if kind == "int":
        return "BIGINT"
    if kind == "boolean":
        return "BOOLEAN"
    if kind == "date":
        return "TIMESTAMP" if is_timestamp_field(field_id) else "DATE"
    return "VARCHAR"


def connector_columns(fields: Iterable[tuple[str, str, int]]) -> list[tuple[str, str]]:
    """(field id, DuckDB type) for metainfo fields given as (id, data_type, decimals)."""
    return [(fid, column_type(dt, dec, fid)) for fid, dt, dec in fields]
