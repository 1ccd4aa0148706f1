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
from afas.i18n import tr
from afas.ui.charts import show_chart
from afas.ui.close import account_panel
from afas.ui.grid import for_grid, localized_grid
from afas.ui.identity import current_user, remember_name
from afas.ui.text import plain
from afas.ui.warehouse import current_profile, read, require_connection, warehouse_path
from afas.warehouse.db import connection
from afas.warehouse.explore import Administrations

st.title(tr("Month-end close"))
conn = require_connection()
db = warehouse_path(conn)
profile = current_profile()

missing = read("sync_first", db, "Profit_Period_balance")
if missing:
    st.info(plain(missing))
    st.page_link("views/sync.py", label=tr("Go to Sync"), icon=":material/sync:")
    st.stop()

admins = Administrations.of(read("administrations", db), profile.administration if profile else None)
c1, c2, c3 = st.columns([2, 2, 2])
unit = c1.selectbox(
    tr("Administration"), admins.units, key="close_unit", format_func=admins.label, disabled=admins.fixed
)
with connection(db) as con:
    periods = close_periods(con, unit)
if not periods:
    st.info(
        tr(
            "Administration {unit} has no period balances in the warehouse yet; sync Profit_Period_balance."
        ).format(unit=unit)
    )
    st.stop()
chosen = c2.selectbox(tr("Period"), periods, key="close_period", format_func=lambda p: p[2])
user = current_user()
if user is None:  # one machine, no name yet: asked once, then kept in the sidebar for the session
    c3.text_input(
        tr("Your name"),
        key="close_who",
        on_change=lambda: remember_name(st.session_state.get("close_who", "")),
        help=tr("Recorded with every sign-off and change (kept in the sidebar from then on)."),
    )
    who: Who = ""
else:
    c3.text(plain(tr("Signing as {signature}").format(signature=user.signature)))
    who = user.name if user.is_local else user
year, period = chosen[0], chosen[1]

with connection(db) as con:
    overview = close_overview(con, unit, year, period)
for account in overview.reopened_now:
    st.warning(
        plain(
            tr("Account {account} was reopened: AFAS's balance changed after it was signed.").format(
                account=account
            )
        )
    )

st.progress(overview.done / overview.total if overview.total else 1.0, text=overview.summary())
counts = overview.counts()
shown_counts = [(s, n) for s, n in counts.items() if n]
for column, (status, n) in zip(st.columns(len(shown_counts)), shown_counts, strict=True):
    column.metric(label(status).capitalize(), n)

statuses = st.multiselect(
    tr("Show accounts that are"),
    list(CloseStatus),
    default=list(CloseStatus),
    format_func=label,
    key="close_statuses",
)
table = grid_rows(overview, statuses)
table = table.rename_columns([tr(c) for c in table.column_names])  # the headers in the session's language
money_columns = ("AFAS balance", "Evidence amount", "Reconciling items", "Unexplained")
shown, config = localized_grid(for_grid(table), [tr(c) for c in money_columns])
st.dataframe(shown, hide_index=True, placeholder="", width="stretch", key="close_grid", column_config=config)
rows = {a.account: a for a in overview.accounts}
account = st.selectbox(
    tr("Account"),
    list(rows),
    index=None,
    key="close_account",
    format_func=lambda a: f"{a} {rows[a].description}",
    placeholder=tr("Choose an account for its evidence, reconciling items and sign-offs"),
)
if account is not None:
    account_panel(db, overview, rows[account], who, (profile.allocation_axis if profile else None) or 1)

if st.toggle(tr("Open differences over the last periods"), key="close_history_on"):
    with connection(db) as con:
        history = open_difference_history(con, unit, year, period)
    shown = history_table(history)
    chart = px.bar(
        shown.rename_columns([tr(c) for c in shown.column_names]).to_pandas(),
        x=tr("Period"),
        y=tr("Open difference"),
        hover_data=[tr("Accounts not reconciled")],
        title=tr("Unexplained differences (€, in absolute amounts)"),
    )
    show_chart(chart, "close_history")


def _report() -> bytes:
    with connection(db) as con:
        return close_report(con, close_overview(con, unit, year, period))


st.download_button(
    tr("Download the close report (Excel)"),
    _report,
    tr("close-{unit}-{period}.xlsx").format(unit=unit, period=overview.period.label()),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="close_report",
    on_click="ignore",
)
