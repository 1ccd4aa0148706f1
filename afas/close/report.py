"""The close report for the auditor: an Excel workbook with the overview of every balance-sheet account
and one sheet per account with its evidence, its reconciling items and who signed what, when.

Amounts are numbers with a number format (never text), dates are dates; every text from a user or a
file goes through :func:`afas.recon.export.neutralise`, so nothing in it is taken for a formula.
"""

from __future__ import annotations

import io
import re

import duckdb
import xlsxwriter

from afas.catalogue import label
from afas.close.booking import correction_states
from afas.close.overview import AccountClose, CloseOverview
from afas.i18n import date, mark, tr
from afas.recon.export import neutralise

__all__ = ["close_report", "OVERVIEW_HEADERS"]

OVERVIEW_HEADERS = (
    mark("Account"), mark("Description"), mark("Evidence"), mark("AFAS balance"), mark("Evidence amount"),
    mark("Reconciling items"), mark("Unexplained"), mark("Status"), mark("Prepared by"),
    mark("Prepared (UTC)"), mark("Reviewed by"), mark("Reviewed (UTC)"),
)  # fmt: skip
"""The overview sheet's headers, in English (the workbook has ``tr()`` of each)."""
_ITEM_HEADERS = (
    mark("Item"), mark("Opened in"), mark("Amount"), mark("Description"), mark("Expected"), mark("Owner"),
    mark("Added by"), mark("Age (days)"), mark("Correction"),
)  # fmt: skip
_BANK_HEADERS = (mark("Date"), mark("Amount"), mark("Description"), mark("Why"), mark("Age (days)"))
_EVENT_HEADERS = (mark("When (UTC)"), mark("Event"), mark("Who"), mark("Detail"))


def _headers(headers: tuple[str, ...]) -> list[str]:
    return [tr(h) for h in headers]


def _text(value: object) -> object:
    return neutralise(value) if isinstance(value, str) else value


def _sheet_name(row: AccountClose, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", " ", f"{row.account} {row.description}").strip()[:31] or row.account
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.casefold())
    return name


def close_report(con: duckdb.DuckDBPyConnection, overview: CloseOverview) -> bytes:
    """The workbook's bytes."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "remove_timezone": True})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    period = overview.period

    overview_name = tr("Overview")[:31]
    sheet = book.add_worksheet(overview_name)
    title = tr("Close of administration {unit}, period {period} ({start} to {end})").format(
        unit=period.unit, period=period.label(), start=date(period.start), end=date(period.end)
    )
    sheet.write(0, 0, title, bold)
    sheet.write(1, 0, overview.summary())
    sheet.write_row(3, 0, _headers(OVERVIEW_HEADERS), bold)
    for r, row in enumerate(overview.accounts, start=4):
        s = row.signoff
        sheet.write_string(r, 0, row.account)
        sheet.write(r, 1, _text(row.description))
        sheet.write(r, 2, label(row.setting.kind))
        sheet.write_number(r, 3, row.afas_balance, money)
        for c, value in (
            (4, row.supporting),
            (5, row.items_total if row.has_items else None),
            (6, row.unexplained),
        ):
            if value is not None:
                sheet.write_number(r, c, value, money)
        sheet.write(r, 7, row.status_text())
        if s is not None:
            sheet.write(r, 8, _text(s.prepared_by or ""))
            if s.prepared:
                sheet.write_datetime(r, 9, s.prepared, when)
            sheet.write(r, 10, _text(s.reviewed_text()))
            if s.reviewed:
                sheet.write_datetime(r, 11, s.reviewed, when)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 2, 30)
    sheet.set_column(3, 6, 16)
    sheet.set_column(7, 11, 18)

    used = {overview_name.casefold()}
    for row in overview.accounts:
        ws = book.add_worksheet(_sheet_name(row, used))
        ws.write(0, 0, f"{row.account} {row.description}", bold)
        kind = label(row.setting.kind)
        facts = [
            (tr("Status"), row.status_text()),
            (tr("Evidence"), kind if row.setting.chosen else f"{kind} ({row.setting.why})"),
            (tr("Evidence source"), row.evidence.source),
            (tr("Note"), row.evidence.note or ""),
            (tr("Attached file"), row.evidence.file_name or ""),
        ]
        r = 2
        for name, value in facts:
            ws.write(r, 0, name, bold)
            ws.write(r, 1, _text(value))
            r += 1
        for name, value in (
            (tr("AFAS balance"), row.afas_balance),
            (tr("Evidence amount"), row.supporting),
            (tr("Reconciling items"), row.items_total),
            (tr("Unexplained"), row.unexplained),
        ):
            ws.write(r, 0, name, bold)
            if value is not None:
                ws.write_number(r, 1, value, money)
            r += 1
        s = row.signoff
        for name, who, at in (
            (tr("Prepared by"), s.prepared_by if s else None, s.prepared if s else None),
            (tr("Reviewed by"), s.reviewed_text() if s else None, s.reviewed if s else None),
        ):
            ws.write(r, 0, name, bold)
            ws.write(r, 1, _text(who or ""))
            if at:
                ws.write_datetime(r, 2, at, when)
            r += 1
        if s is not None and s.reopened_why:
            ws.write(r, 0, tr("Reopened"), bold)
            ws.write(r, 1, _text(s.reopened_why))
            r += 1
        r += 1
        ws.write(r, 0, tr("Reconciling items"), bold)
        ws.write_row(r + 1, 0, _headers(_ITEM_HEADERS), bold)
        r += 2
        states = correction_states(con, row.items)
        for item in row.items:
            if item.item_id in states:
                ws.write(r, 8, _text(states[item.item_id].words()))
            ws.write_number(r, 0, item.item_id)
            ws.write(r, 1, f"{item.year}-{item.period:02d}")
            ws.write_number(r, 2, item.amount, money)
            ws.write(r, 3, _text(item.description))
            if item.expected:
                ws.write_datetime(r, 4, item.expected, day)
            ws.write(r, 5, _text(item.owner or ""))
            ws.write(r, 6, _text(item.created_by))
            ws.write_number(r, 7, item.age_days(period.end))
            r += 1
        if row.bank is not None:
            r += 1
            ws.write(r, 0, tr("From the matching of the statement"), bold)
            ws.write(r + 1, 0, _text(row.bank.note))
            ws.write_row(r + 2, 0, _headers(_BANK_HEADERS), bold)
            r += 3
            for b in row.bank.items:
                ws.write_datetime(r, 0, b.on, day)
                ws.write_number(r, 1, b.amount, money)
                ws.write(r, 2, _text(b.description))
                ws.write(r, 3, _text(b.why))
                ws.write_number(r, 4, b.age_days(period.end))
                r += 1
        r += 1
        ws.write(r, 0, tr("History"), bold)
        ws.write_row(r + 1, 0, _headers(_EVENT_HEADERS), bold)
        r += 2
        events = con.execute(
            "SELECT happened, event, who, detail FROM close_events "
            "WHERE unit = ? AND year = ? AND period = ? "
            "AND account = ? ORDER BY happened",
            [*period.key, row.account],
        ).fetchall()
        from afas.close.schema import CloseEvent

        for happened, event, who, detail in events:
            ws.write_datetime(r, 0, happened, when)
            ws.write(r, 1, label(CloseEvent(event)))
            ws.write(r, 2, _text(who))
            ws.write(r, 3, _text(detail or ""))
            r += 1
        ws.set_column(0, 0, 20)
        ws.set_column(1, 1, 60)
        ws.set_column(2, 7, 16)
    book.close()
    return out.getvalue()
