"""The AFAS reconciliation dashboard: page config and navigation, nothing else."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="AFAS Profit reconciliation", page_icon="📒", layout="wide")
page = st.navigation(
    [
        st.Page("pages/connect.py", title="Connect", icon="🔌", default=True),
        st.Page("pages/configure.py", title="Configure", icon="⚙️"),
        st.Page("pages/sync.py", title="Sync", icon="🔄"),
        st.Page("pages/explore.py", title="Explore", icon="📊"),
    ]
)
page.run()
