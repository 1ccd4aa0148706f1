"""Connect: which AFAS environment, and is its side set up right."""

from __future__ import annotations

import streamlit as st

from afas.i18n import tr
from afas.profit.environment import EnvironmentType
from afas.ui.connection import (
    administration_rows,
    configured_base_url,
    configured_environment,
    configured_token,
    configured_token_text,
    connect,
    connector_rows,
    listen_address,
    own_environment,
    readiness_text,
    served_to_others,
)
from afas.ui.errors import shown_here
from afas.ui.identity import access_config
from afas.ui.text import plain

st.title(tr("Connect to AFAS Profit"))
s = st.session_state
# Widget values are forgotten while another page shows; what the user chose is kept beside them.
saved = s.setdefault("connect_saved", {})
_number, _type = configured_environment()
s.setdefault("connect_mode", saved.get("mode", "demo" if not configured_token_text() else "own"))
s.setdefault("connect_result", None)
s.setdefault("connect_env_number", saved.get("number", _number))
s.setdefault(
    "connect_env_type",
    saved.get("type", _type),
)

mode = st.radio(
    tr("Environment"),
    ["demo", "own"],
    key="connect_mode",
    horizontal=True,
    format_func={"demo": tr("Use the demo environment"), "own": tr("My AFAS environment")}.__getitem__,
)

if mode == "demo":
    st.caption(
        tr(
            "A built-in AFAS emulator with a demo administration (two administrations, a Dutch chart of "
            "accounts, debtors, creditors and journal entries). Nothing leaves this machine."
        )
    )
elif configured_base_url():
    st.caption(
        plain(
            tr("AFAS at {url} (the base URL configured for this dashboard).").format(
                url=configured_base_url()
            )
        )
    )
else:
    st.text_input(
        tr("Environment number"),
        key="connect_env_number",
        placeholder=tr("e.g. 36480"),
        help=tr("The digits of your environment: O36480AA means 36480."),
    )
    st.selectbox(tr("Environment type"), [t.value for t in EnvironmentType], key="connect_env_type")
signed_in = access_config().sign_in
if mode == "own" and signed_in:
    st.caption(
        tr(
            "You are signed in, so the dashboard connects with the token your administrator configured "
            "for it (AFAS_TOKEN or .streamlit/secrets.toml): nobody types a token here."
        )
        if configured_token()
        else tr(
            "You are signed in, so the dashboard connects only with a token your administrator "
            "configures for it (AFAS_TOKEN or .streamlit/secrets.toml), and none is configured yet."
        )
    )
elif mode == "own":
    st.text_input(
        tr("App connector token"),
        key="connect_token",
        type="password",
        placeholder=tr("leave empty to use the configured token") if configured_token() else "",
        help=tr("The token's data string, its XML or the base64 of the XML."),
    )
    if configured_token_text() and served_to_others():
        st.warning(
            plain(
                tr(
                    "This dashboard is served to the network (server.address = '{address}'), so the token "
                    "configured for it (AFAS_TOKEN or .streamlit/secrets.toml) is not used: anyone who can "
                    "reach this address would read and post to your books with it. Enter your own token, or "
                    "run the dashboard on this machine only (server.address = 'localhost')."
                ).format(address=listen_address() or "all")
            )
        )
    elif configured_token():
        st.caption(
            tr(
                "A token is configured for this dashboard, which listens on this machine only (localhost): "
                "whoever uses it here is connected with that token."
            )
        )

saved.update(mode=mode, number=s.get("connect_env_number", ""), type=s.get("connect_env_type"))

if st.button(tr("Test connection"), key="connect_test", type="primary"):
    s.pop("connection", None)  # a new check: until AFAS accepts the token, nothing is readable
    s["connect_result"] = None
    with shown_here() as attempt:  # the token or number cannot be read: said in words, nothing connected
        env = None
        if mode == "own":
            env = own_environment(s.get("connect_env_number", ""), s.get("connect_env_type", "production"))
            if env.notice:
                st.info(plain(env.notice))
        with st.spinner(tr("Checking the connectors and administrations…")):
            accepted, ready, label = connect(env, None if signed_in else s.get("connect_token"))
    if not attempt.failed:
        s["connect_result"] = (label, ready)
        if accepted is not None:
            s["connection"] = accepted

result = s.get("connect_result")
if result is not None:
    label, ready = result
    verdict = st.success if ready.ok else st.warning if ready.accepted else st.error
    verdict(plain(readiness_text(label, ready)))
    if ready.accepted:
        st.page_link(
            "views/configure.py", label=tr("Next: choose the defaults"), icon=":material/arrow_forward:"
        )
    for problem in ready.problems:
        st.markdown("- " + plain(problem))
    if ready.connectors:
        st.subheader(tr("Connectors"))
        st.dataframe(  # not st.table: it renders Markdown in cells, and these texts come from AFAS
            connector_rows(ready),
            hide_index=True,
            width="stretch",
            height="content",  # all 24 at a glance
            key="connect_connectors",
            placeholder="",
        )
    if ready.administrations:
        st.subheader(tr("Administrations this token may see"))
        st.dataframe(
            administration_rows(ready), hide_index=True, key="connect_administrations", placeholder=""
        )
