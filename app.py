"""The AFAS reconciliation dashboard: page config and navigation, nothing else."""

from __future__ import annotations

import streamlit as st

from afas.i18n import ptr, tr
from afas.ui.errors import render_errors, shown_here
from afas.ui.heap import freeze_what_was_imported
from afas.ui.identity import gate
from afas.ui.language import choose_language

choose_language()  # before anything is said: the sign-in too speaks the user's language
st.set_page_config(page_title=tr("AFAS Profit reconciliation"), page_icon="📒", layout="wide")
with shown_here() as signing_in:  # sign-in when [auth] is configured; the sidebar says who is working
    gate()
if signing_in.failed:  # the sign-in configuration cannot be read (said above): no page without it
    st.stop()
page = st.navigation(
    {
        ptr("navigation", "Set up"): [
            st.Page(
                "views/connect.py", title=ptr("navigation", "Connect"), icon=":material/power:", default=True
            ),
            st.Page("views/configure.py", title=ptr("navigation", "Configure"), icon=":material/tune:"),
            st.Page("views/sync.py", title=ptr("navigation", "Sync"), icon=":material/sync:"),
        ],
        ptr("navigation", "Check"): [
            st.Page("views/explore.py", title=ptr("navigation", "Explore"), icon=":material/query_stats:"),
            st.Page(
                "views/reconcile.py", title=ptr("navigation", "Reconcile"), icon=":material/compare_arrows:"
            ),
            st.Page(
                "views/masterdata.py", title=ptr("navigation", "Master data"), icon=":material/contacts:"
            ),
            st.Page("views/close.py", title=ptr("navigation", "Close"), icon=":material/task_alt:"),
        ],
        ptr("navigation", "Correct"): [
            st.Page(
                "views/corrections.py", title=ptr("navigation", "Corrections"), icon=":material/edit_note:"
            ),
            st.Page("views/audit.py", title=ptr("navigation", "Audit"), icon=":material/history:"),
        ],
    }
)
try:
    with render_errors():  # an AppError a page leaves unhandled is shown here, in words
        page.run()
finally:  # also when the page stops or reruns: Streamlit's collection after each run skips the modules
    freeze_what_was_imported()
