"""Reconciling items: what explains the difference between an account's balance in AFAS and its
evidence (an amount signed as AFAS minus the evidence, a description, an expected clearing date and
an owner). An item opened in a period stays on the account in every later period, with its age, until
it is cleared; clearing it in a period leaves it open in the periods before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from afas.close.balances import ClosePeriod
from afas.close.schema import CloseEvent
from afas.errors import InputError
from afas.i18n import date, number, tr
from afas.recon.textvalues import typed_amount as parse_amount

__all__ = [
    "HELD_BY_BATCH",
    "ReconcilingItem",
    "add_item",
    "clear_item",
    "items_by_id",
    "open_items",
    "parse_amount",
    "record_event",
]


@dataclass(frozen=True)
class ReconcilingItem:
    item_id: int
    account: str
    year: int
    period: int
    opened_on: dt.date  # the end of the period it was opened in
    amount: Decimal
    description: str
    expected: dt.date | None
    owner: str | None
    created_by: str
    created: dt.datetime
    correction_ref: str | None  # the voucher number of the correction it was booked as
    correction_item: int | None = None  # that correction's outbox item
    correction_year: int | None = None  # the period the correction is booked in
    correction_period: int | None = None
    correction_batch: int | None = None  # the correction batch prepared for it, while it waits (or after)

    def age_days(self, on: dt.date) -> int:
        """Its age at ``on`` (a period's end): days since the end of the period it was opened in."""
        return max(0, (on - self.opened_on).days)

    def carried(self, period: ClosePeriod) -> bool:
        """Whether it was opened in an earlier period and rolled forward into ``period``."""
        return (self.year, self.period) < (period.year, period.period)


_ITEM_COLUMNS = (
    "item_id, account, year, period, opened_on, amount, description, expected, owner, created_by, created, "
    "correction_ref, correction_item, correction_year, correction_period, correction_batch"
)

HELD_BY_BATCH = (
    "(correction_batch IS NOT NULL AND correction_batch IN "
    "(SELECT batch_id FROM correction_batches WHERE state <> 'declined'))"
)
"""SQL on close_items: a correction batch prepared for the item is not declined (it waits for
approval, or its approval is still to be linked to the item): the item is neither booked nor cleared
meanwhile (afas.close.booking)."""


def record_event(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    account: str,
    event: CloseEvent,
    who: str,
    detail: str,
) -> None:
    con.execute(
        "INSERT INTO close_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [_now(), period.unit, period.year, period.period, account, str(event), who, detail],
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def open_items(
    con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str | None = None
) -> list[ReconcilingItem]:
    """The items open on the account(s) at the end of ``period``, oldest first."""
    rows = con.execute(
        f"SELECT {_ITEM_COLUMNS} FROM close_items WHERE unit = ? AND (? IS NULL OR account = ?) "
        "AND (year, period) <= (?, ?) AND (cleared_year IS NULL OR (cleared_year, cleared_period) > (?, ?)) "
        "ORDER BY item_id",
        [period.unit, account, account, period.year, period.period, period.year, period.period],
    ).fetchall()
    return [ReconcilingItem(*row[:5], Decimal(row[5]), *row[6:]) for row in rows]


def items_by_id(con: duckdb.DuckDBPyConnection, item_ids: list[int]) -> dict[int, ReconcilingItem]:
    """The items of these ids as stored now (cleared or not)."""
    rows = con.execute(
        f"SELECT {_ITEM_COLUMNS} FROM close_items WHERE list_contains(?, item_id)", [item_ids]
    ).fetchall()
    return {int(row[0]): ReconcilingItem(*row[:5], Decimal(row[5]), *row[6:]) for row in rows}


def add_item(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    account: str,
    amount: Decimal | str,
    description: str,
    who: str,
    *,
    expected: dt.date | None = None,
    owner: str | None = None,
) -> int:
    """Open a reconciling item on ``account`` in ``period``; its id. The caller checks the lock."""
    value = parse_amount(amount)
    text = " ".join((description or "").split())
    if not text:
        raise InputError(
            tr("A reconciling item needs a description."), tr("Say what the difference is and why.")
        )
    if not value:
        raise InputError(
            tr("A reconciling item of 0.00 explains nothing."), tr("Type the amount of the difference.")
        )
    if expected is not None and expected < period.start:
        raise InputError(
            tr("The expected clearing date {date} is before the period ({start} to {end}).").format(
                date=date(expected), start=date(period.start), end=date(period.end)
            ),
            tr("Give the date the item is expected to clear."),
        )
    item_id = con.execute("SELECT nextval('close_item_ids')").fetchall()[0][0]
    con.execute(
        "INSERT INTO close_items (item_id, unit, account, year, period, opened_on, amount, description, "
        "expected, "
        "owner, created_by, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            item_id,
            period.unit,
            account,
            period.year,
            period.period,
            period.end,
            value,
            text,
            expected,
            owner or None,
            who,
            _now(),
        ],
    )
    record_event(con, period, account, CloseEvent.ITEM_ADDED, who, f"#{item_id} {number(value, 2)} {text}")
    return int(item_id)


def clear_item(
    con: duckdb.DuckDBPyConnection, period: ClosePeriod, item_id: int, who: str
) -> ReconcilingItem:
    """Clear an open item in ``period`` (it stays open in the periods before)."""
    found = [item for item in open_items(con, period) if item.item_id == item_id]
    if not found:
        raise InputError(
            tr("Reconciling item #{item} is not open in {period}.").format(
                item=item_id, period=period.label()
            ),
            tr("Reload the page: it may have been cleared already, or it belongs to a later period."),
        )
    item = found[0]
    done = con.execute(
        "UPDATE close_items SET cleared_year = ?, cleared_period = ?, cleared_by = ?, cleared = ? "
        f"WHERE item_id = ? AND cleared_year IS NULL AND NOT coalesce({HELD_BY_BATCH}, false) "
        "RETURNING item_id",
        [period.year, period.period, who, _now(), item_id],
    ).fetchall()
    if not done:
        raise InputError(
            tr(
                "Reconciling item #{item} waits for approval as a correction (batch {batch}), or was "
                "cleared meanwhile: it is not cleared now."
            ).format(item=item_id, batch=item.correction_batch),
            tr("Decline or withdraw the batch on the Corrections page first, or reload the page."),
        )
    record_event(
        con, period, item.account, CloseEvent.ITEM_CLEARED, who, f"#{item_id} {number(item.amount, 2)}"
    )
    return item
