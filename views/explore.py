"""Explore: the warehouse as a bookkeeper reads it — trial balance, entries, open items, allocations."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from afas.errors import AppError
from afas.ui.errors import show_error
from afas.ui.session import still_wanted_check
from afas.ui.text import plain
from afas.ui.warehouse import MONEY, current_profile, read, require_connection, warehouse_path
from afas.warehouse.explore import NotSynced
from afas.warehouse.sqlbox import run_readonly

st.title("Explore the books")
conn = require_connection()
db = warehouse_path(conn)
profile = current_profile()

try:
    status = read("connector_status", db).to_pylist()
    if not any(r["Connector"] == "Profit_Transactions" and r["Rows held"] is not None for r in status):
        raise NotSynced("Sync Profit_Transactions first (Sync page), then this view fills in.")
except NotSynced as exc:
    st.info(str(exc))
    st.page_link("views/sync.py", label="Go to Sync", icon=":material/sync:")
    st.stop()

admins = dict(read("administrations", db))
units = [profile.administration] if profile is not None and profile.administration in admins else list(admins)
unit = st.selectbox(
    "Administration",
    units,
    key="explore_unit",
    format_func=lambda u: f"{u} – {admins.get(u, '')}".rstrip(" –"),
    disabled=len(units) == 1,
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
    rows = tb.to_pylist()
    debit = sum((r["Debit"] or 0) for r in rows)
    credit = sum((r["Credit"] or 0) for r in rows)
    m1, m2, m3 = st.columns(3)
    m1.metric("Debit", f"€ {debit:,.2f}")
    m2.metric("Credit", f"€ {credit:,.2f}")
    m3.metric("Difference", f"€ {debit - credit:,.2f}", help="Zero when every entry balances.")
    event = st.dataframe(
        tb,
        hide_index=True,
        width="stretch",
        key="explore_tb",
        on_select="rerun",
        selection_mode="single-row",
        column_config={c: MONEY for c in ("Debit", "Credit", "Net", "Balance year to date")},
    )
    selected = event.selection.rows if event is not None else []
    if selected:
        account = rows[selected[0]]["Account"]
        st.subheader(plain(f"Account {account} – {rows[selected[0]]['Description'] or ''}"))
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
            column_config={"Debit": MONEY, "Credit": MONEY},
        )
    else:
        st.caption("Select an account to see its entries and its balance over the periods.")
        top = sorted(rows, key=lambda r: abs(r["Net"] or 0), reverse=True)[:10]
        if top:
            st.plotly_chart(
                px.bar(
                    [{"Account": f"{r['Account']} {r['Description'] or ''}", "Net": r["Net"]} for r in top],
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
        try:
            items = read("open_items", db, kind, unit)
        except NotSynced as exc:
            st.info(str(exc))
            continue
        total = sum((r or 0) for r in items.column("Open").to_pylist())
        st.caption(f"{items.num_rows:,} open items, € {total:,.2f} open")
        st.dataframe(
            items,
            hide_index=True,
            width="stretch",
            key=f"explore_{kind}_items",
            column_config={"Invoice amount": MONEY, "Open": MONEY},
        )

with alloc_tab:
    axis = st.selectbox(
        "Allocation axis",
        [1, 2, 3, 4, 5],
        index=(profile.allocation_axis or 1) - 1 if profile else 0,
        key="explore_axis",
    )
    try:
        usage = read("allocation_usage", db, unit, axis)
    except NotSynced as exc:
        st.info(str(exc))
    else:
        st.dataframe(
            usage, hide_index=True, width="stretch", key="explore_alloc", column_config={"Net amount": MONEY}
        )
        used = [r for r in usage.to_pylist() if r["Lines"]]
        if used:
            st.plotly_chart(
                px.bar(used, x="Code", y="Lines", title="Lines per allocation code"),
                key="explore_alloc_chart",
            )

with per_tab:
    try:
        periods = read("period_overview", db, unit, st.session_state.get("explore_year", years[0]))
    except NotSynced as exc:
        st.info(str(exc))
    else:
        st.dataframe(periods, hide_index=True, width="stretch", key="explore_period_table")

with sql_tab:
    st.caption("Read-only SQL over the warehouse (DuckDB). Tables are named after the GetConnectors.")
    sql = st.text_area(
        "Query",
        value='SELECT "AccountNo", sum("AmtDebit" - "AmtCredit") AS net\nFROM "Profit_Transactions"\n'
        "GROUP BY ALL ORDER BY net DESC LIMIT 20",
        key="explore_sql",
        height=140,
    )
    if st.button("Run", key="explore_sql_run"):
        try:
            result = run_readonly(db, sql, still_wanted=still_wanted_check())
        except AppError as exc:  # refused, failed or stopped at a limit: the message and what to do
            show_error(exc)
        else:
            st.caption(
                f"{result.table.num_rows:,} rows in {result.seconds:.2f} s"
                + (" (only the first rows are shown)" if result.truncated else "")
            )
            st.dataframe(result.table, hide_index=True, width="stretch", key="explore_sql_result")
