from __future__ import annotations

import os

import pytest

# The page tests start the demo environment; a small administration keeps them quick.
os.environ.setdefault("AFAS_DEMO_TRANSACTIONS", "500")


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture(scope="session", autouse=True)
def _stop_demo_server():
    """Stop the demo server the pages started, so nothing of it outlives the test session."""
    yield
    import streamlit as st

    from afas.ui.connection import demo_server

    server = demo_server()
    server.stop()
    server.emulator.store.close()
    st.cache_resource.clear()
