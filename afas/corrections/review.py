"""What the Corrections page shows, ready to render: the runs to choose from, the proposals as the user
edits them, and what checking the edited ones found (ready to approve, or what AFAS would say).

Every cell is text, a date or a tick, never None, nan or NaT (an empty cell is empty text); the result
kind and the correction mode read as afas.catalogue words them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from afas.catalogue import label
from afas.corrections.from_recon import build_items
from afas.corrections.plans import ZERO, Defaults, PlanItem
from afas.corrections.validation import ItemCheck, dry_run
from afas.i18n import amount, date, mark, ntr, number, tr
from afas.recon.matching import list_runs
from afas.recon.schema import ResultKind
from afas.warehouse.explore import has_table

__all__ = ["EDITOR_COLUMNS", "NEEDED_TABLES", "Review", "proposal_table", "review", "run_choices"]

NEEDED_TABLES = ("Profit_Transactions", "Profit_Accounts", "Profit_Journals")
"""What the warehouse must hold before a run's differences can become entries."""

EDITOR_COLUMNS = (
    "include",
    "kind",
    "mode",
    "entry_date",
    "account",
    "contra",
    "amount",
    "description",
    "allocation",
)
"""The proposal table's columns in the order the editor shows them (``result_id`` rides along hidden)."""

_PROBLEM_COLUMNS = (mark("Result"), mark("Description"), mark("AFAS would say"))


def run_choices(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """The line reconciliations, newest first, as run_id -> '#3 ledger #1, 05-01-2026 10:30'; none
    while the warehouse lacks the AFAS tables an entry is checked against."""
    if not all(has_table(con, t) for t in NEEDED_TABLES):
        return {}
    template = tr("#{run} ledger #{ledger}, {started}")
    return {
        r["run_id"]: template.format(
            run=r["run_id"], ledger=r["import_id"], started=f"{date(r['started'])} {r['started']:%H:%M}"
        )
        for r in list_runs(con, "transactions")
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def proposal_table(proposals: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The proposals (afas.corrections.from_recon.proposals) as the editor shows them: the result kind
    in words, the mode as its stored text (the editor words it: afas.catalogue), the amount as
    '1,234.50', empty text where there is nothing (the contra account: the default)."""
    rows = [
        {
            "result_id": p["result_id"],
            "include": bool(p["include"]),
            "kind": label(ResultKind(p["kind"])),
            "mode": str(p["mode"]),
            "entry_date": p["entry_date"],
            "account": _text(p["account"]),
            "contra": _text(p["contra"]),
            "amount": number(p["amount"], 2),
            "description": _text(p["description"]),
            "allocation": _text(p["allocation"]),
        }
        for p in proposals
    ]
    return pd.DataFrame(rows, columns=["result_id", *EDITOR_COLUMNS])


@dataclass(frozen=True)
class Review:
    """The edited proposals once checked: those ready to approve (with their check: request and body)
    and those that are not, with what is wrong in AFAS's words."""

    defaults: Defaults
    ready: list[tuple[dict[str, Any], ItemCheck]]
    problems: list[tuple[dict[str, Any], str]]

    @property
    def headline(self) -> str:
        """'**9** ready to approve, **2** need attention' (Markdown)."""
        ready = tr("**{n}** ready to approve").format(n=number(len(self.ready)))
        if not self.problems:
            return ready
        return tr("{ready}, **{n}** need attention").format(ready=ready, n=number(len(self.problems)))

    @property
    def total_debit(self) -> Decimal:
        return sum((c.item.amount or ZERO for _, c in self.ready), ZERO)

    def problem_table(self) -> pd.DataFrame:
        """One row per proposal that cannot be approved: its result, description and what AFAS would say
        (the headers in the session's language)."""
        columns = [tr(c) for c in _PROBLEM_COLUMNS]
        rows = [dict(zip(columns, (r["result_id"], _text(r.get("description")), m), strict=True))
                for r, m in self.problems]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def requests(self, limit: int = 50) -> list[tuple[str, dict[str, Any]]]:
        """The first ``limit`` requests that approving sends: ('POST FiEntries — description', body)."""
        return [(f"{c.method} {c.connector} — {c.item.summary}", c.body or {}) for _, c in self.ready[:limit]]

    def approvals(self) -> list[tuple[str, PlanItem]]:
        """(its description, item) for each proposal ready to approve."""
        return [(c.item.summary, c.item) for _, c in self.ready]

    def origins(self, run_id: int) -> list[tuple[int, int]]:
        """Per ready item, the (run_id, result_id) of the difference it corrects."""
        return [(run_id, r["result_id"]) for r, _ in self.ready]

    def question(self) -> str:
        """What the approval dialog asks (Markdown)."""
        return ntr(  # English says 'entries' for one too, as it always has; Dutch has both forms
            "Approve **{n}** journal entries (total debit {amount}) for administration {administration}, "
            "journal {journal}?",
            "Approve **{n}** journal entries (total debit {amount}) for administration {administration}, "
            "journal {journal}?",
            len(self.ready),
        ).format(
            n=number(len(self.ready)),
            amount=amount(self.total_debit),
            administration=self.defaults.administration,
            journal=self.defaults.journal,
        )


def review(
    con: duckdb.DuckDBPyConnection,
    proposals: Sequence[Mapping[str, Any]],
    edited: pd.DataFrame | Sequence[Mapping[str, Any]],
    defaults: Defaults,
) -> Review:
    """Build and check the ticked rows of ``edited`` (the editor's rows of :func:`proposal_table`)."""
    records = edited.to_dict("records") if isinstance(edited, pd.DataFrame) else list(edited)
    ticked = [r for r in records if r.get("include")]
    items, problems = build_items(con, proposals, ticked, defaults)
    checks = dry_run(con, [item for _, item in items])
    ready = [(r, c) for (r, _), c in zip(items, checks, strict=True) if c.ok]
    refused = [(r, "; ".join(c.messages)) for (r, _), c in zip(items, checks, strict=True) if not c.ok]
    return Review(defaults, ready, refused + problems)
