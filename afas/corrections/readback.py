"""Reading AFAS back: fingerprints of the rows an item was built from, and finding an item's reference.

A fingerprint is a SHA-256 over the rows of each :class:`SourceRows` (every field the warehouse
table holds, values in a canonical text form), so the rows the user saw in the warehouse and the
rows a GetConnector returns just before posting hash alike when, and only when, nothing changed.

``find_reference`` answers "is this item in AFAS?" for the outbox: the entry lines carrying its
voucher number (VoucherNo = BpNr), the debtor/creditor with its number, the allocation code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import orjson

from afas.corrections.plans import PlanKind, SourceRows
from afas.errors import AppError
from afas.i18n import tr
from afas.profit.client import ProfitClient
from afas.profit.connectors import ConnectorIds, spec_for
from afas.profit.filters import Filter, eq
from afas.warehouse.schema import quote_ident

__all__ = [
    "Found",
    "MissingTable",
    "afas_rows",
    "canonical",
    "fingerprint",
    "find_reference",
    "table_exists",
    "warehouse_rows",
]


class MissingTable(AppError, LookupError):
    """A warehouse table the check needs has not been synced."""

    def __init__(self, table: str) -> None:
        super().__init__(
            tr("The warehouse has no table {table}: sync that GetConnector first.").format(table=table)
        )
        self.table = table


def canonical(value: Any) -> Any:
    """A value as hashed: Decimal without trailing zeros (1.50 == 1.5), dates in ISO form."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return value


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
        [table],
    ).fetchone()
    return bool(row and row[0])


def warehouse_rows(
    con: duckdb.DuckDBPyConnection, source: SourceRows
) -> tuple[list[str], list[dict[str, Any]]]:
    """(the table's columns, the rows matching ``source``) from the warehouse."""
    if not table_exists(con, source.connector):
        raise MissingTable(source.connector)
    where = " AND ".join(f"{quote_ident(k)} = ?" for k, _ in source.match) or "true"
    cur = con.execute(
        f"SELECT * FROM {quote_ident(source.connector)} WHERE {where}", [v for _, v in source.match]
    )
    columns = [d[0] for d in cur.description]
    return columns, [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]


def afas_rows(
    client: ProfitClient, source: SourceRows, ids: ConnectorIds | None = None
) -> list[dict[str, Any]]:
    """The rows matching ``source``, read from AFAS now (GetConnector with a filter)."""
    connector = (ids or ConnectorIds())(source.connector)
    flt = Filter.all(*(eq(k, v) for k, v in source.match)) if source.match else None
    return client.fetch_all(connector, key=spec_for(source.connector).key, filter=flt)


def fingerprint(parts: Sequence[tuple[SourceRows, Sequence[str], Sequence[Mapping[str, Any]]]]) -> str:
    """SHA-256 over each source's description and its rows (``fields`` only, order-independent)."""
    h = hashlib.sha256()
    for source, fields, rows in parts:
        h.update(source.describe().encode())
        lines = sorted(orjson.dumps([canonical(r.get(f)) for f in fields]) for r in rows)
        for line in lines:
            h.update(b"\n" + line)
        h.update(b"\x00")
    return h.hexdigest()


@dataclass(frozen=True)
class Found:
    """What AFAS holds for a reference: the keys to report (EnNo, DbId, ...) and the rows read."""

    keys: dict[str, str]
    rows: list[dict[str, Any]]


def find_reference(
    client: ProfitClient,
    kind: PlanKind,
    reference: str,
    *,
    administration: int | None = None,
    sales: bool = True,
    ids: ConnectorIds | None = None,
) -> Found | None:
    """The item with ``reference`` as AFAS holds it now, or None when AFAS has no such thing."""
    if kind == PlanKind.ENTRY:
        match: tuple[tuple[str, Any], ...] = (("VoucherNo", reference),)
        if administration is not None:
            match = (("UnitId", administration), *match)
        rows = afas_rows(client, SourceRows("Profit_Transactions", match), ids)
        if not rows:
            return None
        entries = sorted({int(r["EntryNo"]) for r in rows})
        keys = {"UnId": str(rows[0]["UnitId"]), "EnNo": ",".join(str(e) for e in entries)}
        invoice = next((r["InvoiceId"] for r in rows if r.get("InvoiceId")), None)
        if invoice:
            keys["InId"] = str(invoice)
        return Found(keys, rows)
    if kind in (PlanKind.RELATION_INSERT, PlanKind.RELATION_UPDATE):
        connector, id_field, key = (
            ("Profit_Debtor", "DebtorId", "DbId") if sales else ("Profit_Creditor", "CreditorId", "CrId")
        )
        rows = afas_rows(client, SourceRows(connector, ((id_field, reference),)), ids)
        if not rows:
            return None
        return Found({key: str(rows[0][id_field]), "BcCo": str(rows[0].get("BcCo") or "")}, rows)
    if kind == PlanKind.DIM_CODE:
        axis, _, code = reference.partition("/")
        source = SourceRows("Recon_AllocationCodes", (("AxisId", int(axis)), ("AllocationCode", code)))
        rows = afas_rows(client, source, ids)
        return Found({"AxId": axis, "VbCo": code}, rows) if rows else None
    raise ValueError(f"unknown item kind {kind!r}")
