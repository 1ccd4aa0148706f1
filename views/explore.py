"""Explore: the warehouse as a bookkeeper reads it — trial balance, entries, open items, allocations."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from afas.i18n import amount, grid_date_format, ntr, number, tr
from afas.ui.charts import show_chart
from afas.ui.errors import shown_here
from afas.ui.grid import localized_grid, selection_key
from afas.ui.sqlbox import sql_section
from afas.ui.text import plain
from afas.ui.warehouse import current_profile, read, require_connection, warehouse_path
from afas.warehouse.explore import (
    Administrations,
    account_title,
    header,
    largest_movements,
    open_total,
    totals,
    used_codes,
)

st.title(tr("Explore the books"))
conn = require_connection()
db = warehouse_path(conn)
profile = current_profile()


def _money(rows, *columns: str, counts: tuple[str, ...] = ()) -> tuple[object, dict[str, object]]:  # noqa: ANN001
    """The grid's data and column_config with its amount and count columns (by their English header,
    shown translated) written in the session's language."""
    return localized_grid(rows, [header(c) for c in columns], [header(c) for c in counts])


def _dates(*columns: str) -> dict[str, object]:
    """Dates as the user's language writes them: 31-12-2026 (Dutch), 31/12/2026 (English)."""
    return {header(c): st.column_config.DateColumn(format=grid_date_format()) for c in columns}


missing = read("sync_first", db, "Profit_Transactions")
if missing:
    st.info(plain(missing))
    st.page_link("views/sync.py", label=tr("Go to Sync"), icon=":material/sync:")
    st.stop()

admins = Administrations.of(read("administrations", db), profile.administration if profile else None)
unit = st.selectbox(
    tr("Administration"),
    admins.units,
    key="explore_unit",
    format_func=admins.label,
    disabled=admins.fixed,
    help=tr("Chosen on Configure.") if profile else tr("Choose a profile on Configure to fix it."),
)
years = read("years", db, unit)
if not years:
    st.info(tr("Administration {number} has no journal lines in the warehouse.").format(number=unit))
    st.stop()

tb_tab, rel_tab, alloc_tab, per_tab, sql_tab = st.tabs(
    [tr("Trial balance"), tr("Debtors & creditors"), tr("Allocations"), tr("Periods"), tr("SQL")]
)

with tb_tab:
    c1, c2 = st.columns([1, 3])
    year = c1.selectbox(tr("Year"), years, key="explore_year")
    period_from, period_to = c2.select_slider(
        tr("Periods"), options=list(range(1, 13)), value=(1, 12), key="explore_periods"
    )
    tb = read("trial_balance", db, unit, year, period_from, period_to)
    debit, credit, difference = totals(tb)
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("Debit"), amount(debit))
    m2.metric(tr("Credit"), amount(credit))
    m3.metric(tr("Difference"), amount(difference), help=tr("Zero when every entry balances."))
    shown, config = _money(tb, "Debit", "Credit", "Net", "Balance year to date", counts=("Lines",))
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key=selection_key("explore_tb", tb),
        placeholder="",
        on_select="rerun",
        selection_mode="single-row",
        column_config=config,
    )
    selected = event.selection.rows if event is not None else []
    if selected:
        account, title = account_title(tb, selected[0])
        st.subheader(plain(title))
        chart = read("balances_over_periods", db, unit, year, [account]).to_pandas()
        show_chart(
            px.line(
                chart,
                x="Period",
                y="Balance",
                markers=True,
                title=tr("Balance over the periods"),
                labels={"Period": tr("Period"), "Balance": tr("Balance"), "Account": tr("Account")},
            ),
            "explore_chart",
        )
        entries = read("account_entries", db, unit, account, year, period_from, period_to)
        st.caption(
            ntr(
                "{n} line (newest first, at most 500)",
                "{n} lines (newest first, at most 500)",
                entries.num_rows,
            ).format(n=number(entries.num_rows))
        )
        shown, config = _money(entries, "Debit", "Credit")
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            key="explore_entries",
            placeholder="",
            column_config={**config, **_dates("Date")},
        )
    else:
        st.caption(tr("Select an account to see its entries and its balance over the periods."))
        top = largest_movements(tb)
        if top:
            show_chart(
                px.bar(
                    top,
                    x="Net",
                    y="Account",
                    orientation="h",
                    title=tr("Largest movements in these periods"),
                    labels={"Net": tr("Net"), "Account": tr("Account")},
                ),
                "explore_top",
            )

with rel_tab:
    for kind, title in (
        ("debtor", tr("Customers: open items")),
        ("creditor", tr("Suppliers: open items")),
    ):
        st.subheader(title)
        with shown_here(st.info):  # not synced yet: which connector to sync, and the other tabs go on
            items = read("open_items", db, kind, unit)
            st.caption(
                ntr("{n} open item, {amount} open", "{n} open items, {amount} open", items.num_rows).format(
                    n=number(items.num_rows), amount=amount(open_total(items))
                )
            )
            shown, config = _money(items, "Invoice amount", "Open")
            st.dataframe(
                shown,
                hide_index=True,
                width="stretch",
                key=f"explore_{kind}_items",
                placeholder="",
                column_config={**config, **_dates("Date", "Due")},
            )

with alloc_tab:
    axis = st.selectbox(
        tr("Allocation axis"),
        [1, 2, 3, 4, 5],
        index=(profile.allocation_axis or 1) - 1 if profile else 0,
        key="explore_axis",
    )
    with shown_here(st.info):
        usage = read("allocation_usage", db, unit, axis)
        shown, config = _money(usage, "Net amount")
        st.dataframe(
            shown, hide_index=True, width="stretch", key="explore_alloc", placeholder="", column_config=config
        )
        used = used_codes(usage)
        if used:
            show_chart(
                px.bar(
                    used,
                    x="Code",
                    y="Lines",
                    title=tr("Lines per allocation code"),
                    labels={"Code": tr("Code"), "Lines": tr("Lines")},
                ),
                "explore_alloc_chart",
            )

with per_tab, shown_here(st.info):
    periods = read("period_overview", db, unit, st.session_state.get("explore_year", years[0]))
    st.dataframe(
        periods,
        hide_index=True,
        width="stretch",
        key="explore_period_table",
        placeholder="",
        column_config=_dates("From", "To"),
    )

with sql_tab:
    sql_section(db)
