"""The Explore page's SQL tab: a read-only query over the warehouse, its result and what it cost."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from afas.i18n import ntr, number, ptr, tr
from afas.ui.errors import shown_here
from afas.ui.session import still_wanted_check
from afas.warehouse.sqlbox import EXAMPLE_QUERY, run_readonly

__all__ = ["sql_section"]


def sql_section(db: Path) -> None:
    st.caption(tr("Read-only SQL over the warehouse (DuckDB). Tables are named after the GetConnectors."))
    sql = st.text_area(tr("Query"), value=EXAMPLE_QUERY, key="explore_sql", height=140)
    if not st.button(ptr("SQL box", "Run"), key="explore_sql_run"):
        return
    with shown_here():  # refused, failed or stopped at a limit: the message and what to do
        result = run_readonly(db, sql, still_wanted=still_wanted_check())
        n = result.table.num_rows
        said = (
            ntr(
                "{n} row in {seconds} s (only the first rows are shown)",
                "{n} rows in {seconds} s (only the first rows are shown)",
                n,
            )
            if result.truncated
            else ntr("{n} row in {seconds} s", "{n} rows in {seconds} s", n)
        )
        st.caption(said.format(n=number(n), seconds=number(result.seconds, 2)))
        st.dataframe(result.table, hide_index=True, width="stretch", key="explore_sql_result", placeholder="")
