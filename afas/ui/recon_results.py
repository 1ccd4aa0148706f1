"""The Reconcile page's results section: the counts, the chart, the results grid, matching by hand
and the exports.

Rendering only, as a page: what it shows comes from afas.recon (matching, overrides, views, export).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import plotly.express as px
import streamlit as st

from afas.catalogue import label
from afas.i18n import current, grid_date_format, ntr, number, tr, using
from afas.recon.export import export_csv, export_workbook
from afas.recon.forms import MatchForm
from afas.recon.matching import differences_by_account_period, result_counts
from afas.recon.overrides import match_manually, selection_summary, unmatch_groups
from afas.recon.schema import RESULT_KINDS
from afas.recon.views import (
    SHOWN_COLUMNS_DROPPED,
    Selection,
    chart_headers,
    open_differences,
    result_headers,
    results_table,
)
from afas.ui.charts import show_chart
from afas.ui.errors import shown_here
from afas.ui.grid import for_grid, localized_grid, selection_key
from afas.warehouse.db import connection

__all__ = ["results_section"]


def results_section(db: Path, import_id: int, run_id: int, rerun: Callable[[MatchForm], None]) -> None:
    """Section 3: run ``run_id`` of ledger ``import_id``; ``rerun`` runs a match form again (after a
    match made or undone by hand)."""
    s = st.session_state
    st.header(tr("3. Results"), divider="gray")
    with connection(db) as con:
        counts = result_counts(con, run_id)
        chart = open_differences(differences_by_account_period(con, run_id))
    for col, kind in zip(st.columns(4), RESULT_KINDS, strict=True):
        col.metric(label(kind), number(counts[kind]))
    if chart:
        period, account, difference = chart_headers()
        show_chart(
            px.bar(
                chart,
                x=period,
                y=difference,
                color=account,
                title=tr("Unmatched difference per period (AFAS − ledger)"),
            ),
            "recon_chart",
        )

    c1, c2 = st.columns([2, 2])
    kind = c1.selectbox(
        tr("Show"),
        [None, *RESULT_KINDS],
        key="recon_kind",
        format_func=lambda k: tr("everything") if k is None else label(k),
    )
    search = c2.text_input(tr("Search (voucher, description, amount)"), key="recon_search")
    with connection(db) as con:
        table = results_table(con, run_id, kind, search or None)
    headers = result_headers()
    grid, money = localized_grid(
        for_grid(table, drop=SHOWN_COLUMNS_DROPPED),
        [headers[c] for c in ("AFAS amount", "Ledger amount", "Difference")],
    )
    event = st.dataframe(
        grid,
        hide_index=True,
        width="stretch",
        key=selection_key("recon_results", table),
        on_select="rerun",
        selection_mode="multi-row",
        column_config={
            **money,
            **{
                headers[c]: st.column_config.DateColumn(format=grid_date_format())
                for c in ("AFAS date", "Ledger date")
            },
        },
        placeholder="",
    )
    shown = ntr(
        "{n} rows shown (at most 500; narrow with the filters).",
        "{n} rows shown (at most 500; narrow with the filters).",
        table.num_rows,
    )
    st.caption(shown.format(n=number(table.num_rows)))
    selection = Selection.of(table, event.selection.rows if event is not None else [])
    if not selection.empty:
        st.caption(selection_summary(len(selection.afas_keys), len(selection.line_nos)))
    line_run = s.get("recon_form") is not None and s["recon_form"].lines
    c1, c2, _ = st.columns([1, 1, 2])
    if c1.button(
        tr("Match selected by hand"),
        key="recon_match_manual",
        disabled=not selection.can_match or not line_run,
        help=tr("Select at least one AFAS line and one ledger line."),
    ):
        with shown_here() as outcome, connection(db) as con:
            match_manually(
                con,
                import_id,
                selection.afas_keys,
                selection.line_nos,
                note=tr("matched on the Reconcile page"),
            )
        if not outcome.failed:
            rerun(s["recon_form"])
            st.rerun()
    if c2.button(tr("Unmatch selected"), key="recon_unmatch", disabled=not selection.groups or not line_run):
        with connection(db) as con:
            unmatch_groups(con, run_id, selection.groups, note=tr("unmatched on the Reconcile page"))
        rerun(s["recon_form"])
        st.rerun()

    language = current()  # the files are made later, when asked for, outside this script run

    def _xlsx() -> bytes:
        out = io.BytesIO()
        with using(language), connection(db) as con:
            export_workbook(con, run_id, out)
        return out.getvalue()

    def _csv() -> bytes:
        out = io.StringIO()
        with using(language), connection(db) as con:
            export_csv(con, run_id, out)
        return out.getvalue().encode("utf-8")

    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        tr("Download Excel"),
        _xlsx,
        f"reconciliation-{run_id}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="recon_xlsx",
        on_click="ignore",
    )
    c2.download_button(
        tr("Download CSV"),
        _csv,
        f"reconciliation-{run_id}.csv",
        "text/csv",
        key="recon_csv",
        on_click="ignore",
    )
    if line_run and (counts["only_in_ledger"] or counts["differing"]):
        st.page_link(
            "views/corrections.py",
            label=tr("Next: turn the differences into corrections"),
            icon=":material/arrow_forward:",
        )
