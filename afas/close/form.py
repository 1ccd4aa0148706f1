"""What the Close page shows, decided here: the periods to pick from, the grid's rows, what each
sign-off button may do and why not."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from afas.access import Right, User
from afas.catalogue import label
from afas.close.overview import AccountClose, CloseOverview
from afas.close.schema import CloseStatus, EvidenceKind
from afas.close.signoff import Who, prepared_it, reviewed_it
from afas.corrections.from_recon import journal_and_contra_choices
from afas.i18n import mark, tr
from afas.warehouse.explore import has_table

__all__ = [
    "GRID_COLUMNS",
    "HISTORY_COLUMNS",
    "Allowed",
    "allowed_actions",
    "booking_choices",
    "close_periods",
    "grid_rows",
    "history_table",
    "linked_accounts",
    "reopened_texts",
    "statement_ibans",
]

GRID_COLUMNS = (
    mark("Account"), mark("Description"), mark("Evidence"), mark("AFAS balance"), mark("Evidence amount"),
    mark("Reconciling items"), mark("Unexplained"), mark("Status"), mark("Prepared by"), mark("Reviewed by"),
)  # fmt: skip
"""The grid's columns as :func:`grid_rows` names them (English: the page shows ``tr()`` of each)."""

HISTORY_COLUMNS = (mark("Period"), mark("Open difference"), mark("Accounts not reconciled"))


def close_periods(con: duckdb.DuckDBPyConnection, unit: int) -> list[tuple[int, int, str]]:
    """The administration's periods that have balances, newest first: (year, period, label)."""
    if not (has_table(con, "Profit_Period_balance") and has_table(con, "Profit_periods_per_administration")):
        return []
    rows = con.execute(
        'SELECT DISTINCT b."Year", b."Period", coalesce(p."PeriodDesc", \'\') FROM "Profit_Period_balance" b '
        'JOIN "Profit_periods_per_administration" p ON p."Unit" = b."UnitId" AND p."Year" = b."Year" '
        'AND p."Period" = b."Period" WHERE b."UnitId" = ? AND b."Period" > 0 ORDER BY 1 DESC, 2 DESC',
        [unit],
    ).fetchall()
    return [(y, p, f"{y}-{p:02d}" + (f" ({d})" if d else "")) for y, p, d in rows]


def statement_ibans(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The IBANs of the imported bank statements (with closing balances), for linking a bank account."""
    from afas.recon.statementbalances import statement_accounts

    return statement_accounts(con)


def grid_rows(overview: CloseOverview, statuses: list[CloseStatus] | None = None) -> pa.Table:
    """The grid: one row per account (only those of ``statuses`` when given), amounts as DECIMAL."""
    money = pa.decimal128(18, 2)
    rows = [a for a in overview.accounts if statuses is None or a.status in statuses]

    def signer(a: AccountClose, field: str) -> str:
        return (getattr(a.signoff, field) or "") if a.signoff is not None else ""

    def reviewers(a: AccountClose) -> str:  # all of them; while one of two is missing '… (1 of 2)'
        return a.signoff.reviewed_text() if a.signoff is not None else ""

    return pa.table(
        {
            "Account": pa.array([a.account for a in rows], pa.string()),
            "Description": pa.array([a.description for a in rows], pa.string()),
            "Evidence": pa.array([label(a.setting.kind) for a in rows], pa.string()),
            "AFAS balance": pa.array([a.afas_balance for a in rows], money),
            "Evidence amount": pa.array([a.supporting for a in rows], money),
            "Reconciling items": pa.array([a.items_total if a.has_items else None for a in rows], money),
            "Unexplained": pa.array([a.unexplained for a in rows], money),
            "Status": pa.array([a.status_text() for a in rows], pa.string()),
            "Prepared by": pa.array([signer(a, "prepared_by") for a in rows], pa.string()),
            "Reviewed by": pa.array([reviewers(a) for a in rows], pa.string()),
        }
    )


@dataclass(frozen=True)
class Allowed:
    """Whether an action may be taken now, and if not, why (shown beside the disabled button)."""

    ok: bool
    why: str = ""


def allowed_actions(row: AccountClose, who: Who) -> dict[str, Allowed]:
    """prepare / review / withdraw / edit for ``who`` on ``row``: a typed name (or signature), or a
    signed-in :class:`afas.access.User` (then compared by identity, and their rights count)."""
    name = who.signature if isinstance(who, User) else " ".join((who or "").split())
    if not name:
        nobody = Allowed(False, tr("Type your name first."))
        return {"prepare": nobody, "review": nobody, "withdraw": nobody, "edit": nobody}
    cannot_prepare = who.why_not(Right.PREPARE) if isinstance(who, User) else None
    cannot_review = who.why_not(Right.APPROVE) if isinstance(who, User) else None
    locked = Allowed(False, row.lock_reason()) if row.locked else Allowed(True)
    if cannot_prepare is not None:
        locked = Allowed(False, cannot_prepare)
    if cannot_prepare is not None:
        prepare = Allowed(False, cannot_prepare)
    elif row.locked:
        prepare = Allowed(False, row.lock_reason())
    elif not row.reconciled.done:
        prepare = Allowed(
            False, tr("It is not reconciled: add its evidence or items explaining the difference.")
        )
    else:
        prepare = Allowed(True)
    s = row.signoff
    if row.status != CloseStatus.PREPARED or s is None:
        review = Allowed(False, tr("Only a prepared account can be reviewed."))
    elif cannot_review is not None:
        review = Allowed(False, cannot_review)
    elif prepared_it(s, who if isinstance(who, User) else name):
        review = Allowed(False, tr("You prepared it: another person reviews it (four-eyes)."))
    elif reviewed_it(s, who if isinstance(who, User) else name):
        review = Allowed(
            False,
            tr(
                "You reviewed it already ({given} of {needed} reviews): another person gives the "
                "other review."
            ).format(given=len(s.reviews), needed=s.reviews_needed),
        )
    else:
        review = Allowed(True)
    if cannot_prepare is not None:
        withdraw = Allowed(False, cannot_prepare)
    elif row.status == CloseStatus.PREPARED:
        withdraw = Allowed(True)
    else:
        withdraw = Allowed(False, tr("Only a preparation not yet reviewed can be withdrawn."))
    return {"prepare": prepare, "review": review, "withdraw": withdraw, "edit": locked}


KINDS = tuple(EvidenceKind)


def history_table(history: list[tuple[str, object, int]]) -> pa.Table:
    """:func:`afas.close.overview.open_difference_history` as a table for a chart (amounts DECIMAL)."""
    return pa.table(
        {
            "Period": pa.array([h[0] for h in history], pa.string()),
            "Open difference": pa.array([h[1] for h in history], pa.decimal128(18, 2)),
            "Accounts not reconciled": pa.array([h[2] for h in history], pa.int64()),
        }
    )


def reopened_texts(reopened: list[tuple[int, str, str]]) -> list[str]:
    """What a sync tells of the signed account-periods it reopened (``recheck_signed``'s answer)."""
    text = tr(
        "Month-end close: account {account} of administration {unit}, period {period}, is reopened: "
        "AFAS's balance changed after it was signed. Prepare it again on the Close page."
    )
    return [text.format(account=account, unit=unit, period=period) for unit, period, account in reopened]


def linked_accounts(con: duckdb.DuckDBPyConnection, ibans: list[str]) -> list[str]:
    """The ledger accounts the close links to these IBANs (a bank statement's own accounts)."""
    if not ibans or not has_table(con, "close_settings"):
        return []
    wanted = ["".join(i.split()).upper() for i in ibans]
    rows = con.execute(
        "SELECT DISTINCT account FROM close_settings WHERE list_contains(?, iban) ORDER BY account", [wanted]
    ).fetchall()
    return [a for (a,) in rows]


def booking_choices(
    con: duckdb.DuckDBPyConnection, unit: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(journals, contra accounts) a correction of ``unit`` may use, the usual first; empty before a
    sync of Profit_Journals and Profit_Accounts."""
    if not (has_table(con, "Profit_Journals") and has_table(con, "Profit_Accounts")):
        return [], []
    return journal_and_contra_choices(con, unit)
