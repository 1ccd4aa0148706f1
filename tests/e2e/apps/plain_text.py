"""A page that shows hostile texts through afas.ui.text.plain in every Markdown-rendering element."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from afas.ui.text import plain  # noqa: E402
from tests.test_ui_text import HOSTILE  # noqa: E402

ADDRESSES = ["see http://127.0.0.1:9/x.png now", "www.example.com", "mail a@b.example"]

for n, text in enumerate([*HOSTILE, *ADDRESSES]):
    st.caption(plain(text))
    st.error(plain(text))
    st.markdown(plain(text))
    st.subheader(plain(text))
    st.metric(plain(text), n)
st.caption("end of the texts")
