"""Connect: which AFAS environment, and is its side set up right."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from afas.profit.environment import Environment, EnvironmentType
from afas.profit.readiness import check_readiness
from afas.profit.token import ProfitToken
from afas.ui.connection import Connection, configured_environment, configured_token, demo_connection
from afas.ui.errors import show_error

st.title("Connect to AFAS Profit")
st.session_state.setdefault("connect_mode", "demo" if not configured_token() else "own")
st.session_state.setdefault("connect_result", None)
_number, _type = configured_environment()
st.session_state.setdefault("connect_env_number", _number)
st.session_state.setdefault(
    "connect_env_type", _type if _type in [t.value for t in EnvironmentType] else "production"
)

mode = st.radio(
    "Environment",
    ["demo", "own"],
    key="connect_mode",
    horizontal=True,
    format_func=lambda m: "Use the demo environment" if m == "demo" else "My AFAS environment",
)

if mode == "demo":
    st.caption(
        "A built-in AFAS emulator with a demo administration (two administrations, a Dutch chart of "
        "accounts, debtors, creditors and journal entries). Nothing leaves this machine."
    )
else:
    st.text_input(
        "Environment number",
        key="connect_env_number",
        placeholder="e.g. 36480",
        help="The digits of your environment: O36480AA means 36480.",
    )
    st.selectbox("Environment type", [t.value for t in EnvironmentType], key="connect_env_type")
    st.text_input(
        "App connector token",
        key="connect_token",
        type="password",
        placeholder="leave empty to use the configured token" if configured_token() else "",
        help="The token's data string, its XML or the base64 of the XML.",
    )

if st.button("Test connection", key="connect_test", type="primary"):
    try:
        if mode == "demo":
            conn = demo_connection()
        else:
            env = Environment.from_input(
                st.session_state.get("connect_env_number", ""),
                st.session_state.get("connect_env_type", "production"),
            )
            if env.notice:
                st.info(env.notice)
            token = ProfitToken.parse(st.session_state.get("connect_token") or configured_token() or "")
            conn = Connection(f"AFAS environment {env.number}", env, token, demo=False)
        with st.spinner("Checking the connectors and administrations…"), conn.client() as client:
            st.session_state["connect_result"] = (conn.label, check_readiness(client))
        st.session_state["connection"] = conn
    except Exception as exc:  # noqa: BLE001 - every failure is shown in plain words, never as a trace
        st.session_state["connect_result"] = None
        show_error(exc)

result = st.session_state.get("connect_result")
if result is not None:
    label, ready = result
    if ready.ok:
        st.success(
            f"Ready: {label} — environment {ready.envid}, Profit {ready.version}, "
            f"App connector '{ready.app_name}'."
        )
        st.page_link("pages/configure.py", label="Next: choose the defaults", icon=":material/arrow_forward:")
    else:
        st.error(f"Not ready: {label}. Fix the points below in AFAS, then test again.")
        for problem in ready.problems:
            st.markdown(f"- {problem}")
    if ready.connectors:
        st.subheader("Connectors")
        st.table(
            pd.DataFrame(
                [
                    {
                        "": "present" if c.present else "missing",
                        "Kind": c.kind.capitalize() + "Connector",
                        "Connector": c.tenant_id,
                        "Used for": c.purpose,
                        "How to fix": c.fix or "",
                    }
                    for c in ready.connectors
                ]
            ).set_index("")
        )
    if ready.administrations:
        st.subheader("Administrations this token may see")
        st.table(
            pd.DataFrame(
                [{"Number": a.id, "Name": a.name, "Code": a.code} for a in ready.administrations]
            ).set_index("Number")
        )
