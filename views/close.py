"""Close: every balance-sheet account of a period reconciled to its evidence, prepared and reviewed."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from afas.catalogue import label
from afas.close.form import close_periods, grid_rows, history_table
from afas.close.overview import close_overview, open_difference_history
from afas.close.report import close_report
from afas.close.schema import CloseStatus
from afas.close.signoff import Who
from afas.ui.close import account_panel
from afas.ui.grid import for_grid
from afas.ui.identity import current_user, remember_name
from afas.ui.text import plain
from afas.ui.warehouse import MONEY, current_profile, read, require_connection, warehouse_path
from afas.warehouse.db import connection
from afas.warehouse.explore import Administrations

st.title("Month-end close")
conn = require_connection()
db = warehouse_path(conn)
profile = current_profile()

missing = read("sync_first", db, "Profit_Period_balance")
if missing:
    st.info(plain(missing))
    st.page_link("views/sync.py", label="Go to Sync", icon=":material/sync:")
    st.stop()

admins = Administrations.of(read("administrations", db), profile.administration if profile else None)
c1, c2, c3 = st.columns([2, 2, 2])
unit = c1.selectbox(
    "Administration", admins.units, key="close_unit", format_func=admins.label, disabled=admins.fixed
)
with connection(db) as con:
    periods = close_periods(con, unit)
if not periods:
    st.info(f"Administration {unit} has no period balances in the warehouse yet; sync Profit_Period_balance.")
    st.stop()
chosen = c2.selectbox("Period", periods, key="close_period", format_func=lambda p: p[2])
user = current_user()
if user is None:  # one machine, no name yet: asked once, then kept in the sidebar for the session
    c3.text_input(
        "Your name",
        key="close_who",
        on_change=lambda: remember_name(st.session_state.get("close_who", "")),
        help="Recorded with every sign-off and change (kept in the sidebar from then on).",
    )
    who: Who = ""
else:
    c3.text(plain(f"Signing as {user.signature}"))
    who = user.name if user.is_local else user
year, period = chosen[0], chosen[1]

with connection(db) as con:
    overview = close_overview(con, unit, year, period)
for account in overview.reopened_now:
    st.warning(plain(f"Account {account} was reopened: AFAS's balance changed after it was signed."))

st.progress(overview.done / overview.total if overview.total else 1.0, text=overview.summary())
counts = overview.counts()
shown_counts = [(s, n) for s, n in counts.items() if n]
for column, (status, n) in zip(st.columns(len(shown_counts)), shown_counts, strict=True):
    column.metric(label(status).capitalize(), n)

statuses = st.multiselect(
    "Show accounts that are",
    list(CloseStatus),
    default=list(CloseStatus),
    format_func=label,
    key="close_statuses",
)
table = grid_rows(overview, statuses)
st.dataframe(
    for_grid(table),
    hide_index=True,
    placeholder="",
    width="stretch",
    key="close_grid",
    column_config={c: MONEY for c in ("AFAS balance", "Evidence amount", "Reconciling items", "Unexplained")},
)
rows = {a.account: a for a in overview.accounts}
account = st.selectbox(
    "Account",
    list(rows),
    index=None,
    key="close_account",
    format_func=lambda a: f"{a} {rows[a].description}",
    placeholder="Choose an account for its evidence, reconciling items and sign-offs",
)
if account is not None:
    account_panel(db, overview, rows[account], who, (profile.allocation_axis if profile else None) or 1)

if st.toggle("Open differences over the last periods", key="close_history_on"):
    with connection(db) as con:
        history = open_difference_history(con, unit, year, period)
    chart = px.bar(
        history_table(history).to_pandas(),
        x="Period",
        y="Open difference",
        hover_data=["Accounts not reconciled"],
        title="Unexplained differences (€, in absolute amounts)",
    )
    st.plotly_chart(chart, key="close_history")


def _report() -> bytes:
    with connection(db) as con:
        return close_report(con, close_overview(con, unit, year, period))


st.download_button(
    "Download the close report (Excel)",
    _report,
    f"close-{unit}-{overview.period.label()}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="close_report",
    on_click="ignore",
)
