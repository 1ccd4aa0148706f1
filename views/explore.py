"""Explore: the warehouse as a bookkeeper reads it — trial balance, entries, open items, allocations."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from afas.ui.errors import shown_here
from afas.ui.grid import selection_key
from afas.ui.session import still_wanted_check
from afas.ui.text import plain
from afas.ui.warehouse import MONEY, current_profile, read, require_connection, warehouse_path
from afas.warehouse.explore import (
    Administrations,
    account_title,
    largest_movements,
    open_total,
    totals,
    used_codes,
)
from afas.warehouse.sqlbox import EXAMPLE_QUERY, run_readonly

st.title("Explore the books")
conn = require_connection()
db = warehouse_path(conn)
profile = current_profile()

missing = read("sync_first", db, "Profit_Transactions")
if missing:
    st.info(plain(missing))
    st.page_link("views/sync.py", label="Go to Sync", icon=":material/sync:")
    st.stop()

admins = Administrations.of(read("administrations", db), profile.administration if profile else None)
unit = st.selectbox(
    "Administration",
    admins.units,
    key="explore_unit",
    format_func=admins.label,
    disabled=admins.fixed,
    help="Chosen on Configure." if profile else "Choose a profile on Configure to fix it.",
)
years = read("years", db, unit)
if not years:
    st.info(f"Administration {unit} has no journal lines in the warehouse.")
    st.stop()

tb_tab, rel_tab, alloc_tab, per_tab, sql_tab = st.tabs(
    ["Trial balance", "Debtors & creditors", "Allocations", "Periods", "SQL"]
)

with tb_tab:
    c1, c2 = st.columns([1, 3])
    year = c1.selectbox("Year", years, key="explore_year")
    period_from, period_to = c2.select_slider(
        "Periods", options=list(range(1, 13)), value=(1, 12), key="explore_periods"
    )
    tb = read("trial_balance", db, unit, year, period_from, period_to)
    debit, credit, difference = totals(tb)
    m1, m2, m3 = st.columns(3)
    m1.metric("Debit", f"€ {debit:,.2f}")
    m2.metric("Credit", f"€ {credit:,.2f}")
    m3.metric("Difference", f"€ {difference:,.2f}", help="Zero when every entry balances.")
    event = st.dataframe(
        tb,
        hide_index=True,
        width="stretch",
        key=selection_key("explore_tb", tb),
        placeholder="",
        on_select="rerun",
        selection_mode="single-row",
        column_config={c: MONEY for c in ("Debit", "Credit", "Net", "Balance year to date")},
    )
    selected = event.selection.rows if event is not None else []
    if selected:
        account, title = account_title(tb, selected[0])
        st.subheader(plain(title))
        chart = read("balances_over_periods", db, unit, year, [account]).to_pandas()
        st.plotly_chart(
            px.line(chart, x="Period", y="Balance", markers=True, title="Balance over the periods"),
            key="explore_chart",
        )
        entries = read("account_entries", db, unit, account, year, period_from, period_to)
        st.caption(f"{entries.num_rows:,} lines (newest first, at most 500)")
        st.dataframe(
            entries,
            hide_index=True,
            width="stretch",
            key="explore_entries",
            placeholder="",
            column_config={"Debit": MONEY, "Credit": MONEY},
        )
    else:
        st.caption("Select an account to see its entries and its balance over the periods.")
        top = largest_movements(tb)
        if top:
            st.plotly_chart(
                px.bar(
                    top,
                    x="Net",
                    y="Account",
                    orientation="h",
                    title="Largest movements in these periods",
                ),
                key="explore_top",
            )

with rel_tab:
    for kind, title in (("debtor", "Customers: open items"), ("creditor", "Suppliers: open items")):
        st.subheader(title)
        with shown_here(st.info):  # not synced yet: which connector to sync, and the other tabs go on
            items = read("open_items", db, kind, unit)
            st.caption(f"{items.num_rows:,} open items, € {open_total(items):,.2f} open")
            st.dataframe(
                items,
                hide_index=True,
                width="stretch",
                key=f"explore_{kind}_items",
                placeholder="",
                column_config={"Invoice amount": MONEY, "Open": MONEY},
            )

with alloc_tab:
    axis = st.selectbox(
        "Allocation axis",
        [1, 2, 3, 4, 5],
        index=(profile.allocation_axis or 1) - 1 if profile else 0,
        key="explore_axis",
    )
    with shown_here(st.info):
        usage = read("allocation_usage", db, unit, axis)
        st.dataframe(
            usage,
            hide_index=True,
            width="stretch",
            key="explore_alloc",
            placeholder="",
            column_config={"Net amount": MONEY},
        )
        used = used_codes(usage)
        if used:
            st.plotly_chart(
                px.bar(used, x="Code", y="Lines", title="Lines per allocation code"),
                key="explore_alloc_chart",
            )

with per_tab, shown_here(st.info):
    periods = read("period_overview", db, unit, st.session_state.get("explore_year", years[0]))
    st.dataframe(periods, hide_index=True, width="stretch", key="explore_period_table", placeholder="")

with sql_tab:
    st.caption("Read-only SQL over the warehouse (DuckDB). Tables are named after the GetConnectors.")
    sql = st.text_area(
        "Query",
        value=EXAMPLE_QUERY,
        key="explore_sql",
        height=140,
    )
    if st.button("Run", key="explore_sql_run"):
        with shown_here():  # refused, failed or stopped at a limit: the message and what to do
            result = run_readonly(db, sql, still_wanted=still_wanted_check())
            st.caption(
                f"{result.table.num_rows:,} rows in {result.seconds:.2f} s"
                + (" (only the first rows are shown)" if result.truncated else "")
            )
            st.dataframe(
                result.table, hide_index=True, width="stretch", key="explore_sql_result", placeholder=""
            )
