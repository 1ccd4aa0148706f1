"""Configure: the defaults corrections are sent with, chosen from what AFAS returned."""

from __future__ import annotations

import streamlit as st

from afas.access import Right
from afas.i18n import tr
from afas.ui.errors import shown_here
from afas.ui.identity import permission
from afas.ui.text import plain
from afas.ui.warehouse import cached_choices, current_profile, require_connection, warehouse_path
from afas.warehouse.profileform import ProfileForm, SavedProfiles
from afas.warehouse.profiles import save_profile

st.title(tr("Configure defaults"))
conn = require_connection()
db = warehouse_path(conn)
s = st.session_state

choices = cached_choices(conn)  # AFAS refused or failed: said in words (app.py), and nothing to choose
for note in choices.notes:
    st.warning(plain(note))

saved = SavedProfiles.of(db, conn.environment.base_url, current_profile(), any_environment=conn.demo)
if saved.profiles:
    st.selectbox(
        tr("Saved profiles"),
        saved.names,
        index=saved.index,
        key="configure_switch",
        help=tr("Several administrations or environments can be kept; pick one to use it."),
    )
    if st.button(tr("Use this profile"), key="configure_use"):
        s["profile"] = saved.named(s["configure_switch"])
        st.success(plain(tr("Using '{name}'.").format(name=s["profile"].name)))

if not choices.administrations:
    st.error(tr("AFAS shows this token no administrations, so there is nothing to configure yet."))
    st.stop()

form = ProfileForm.of(choices, current_profile(), conn.label)
admin, no_admin = permission(Right.ADMINISTER)  # signed in: the defaults are the administrator's
with st.form("configure_form"):
    st.text_input(tr("Profile name"), value=form.name, key="configure_name")
    st.selectbox(
        tr("Administration"),
        form.administration.values,
        index=form.administration.index,
        format_func=form.administration.label,
        key="configure_admin",
    )
    st.selectbox(
        tr("Default payment terms (new customers and suppliers)"),
        form.payment_terms.values,
        index=form.payment_terms.index,
        format_func=form.payment_terms.label,
        key="configure_terms",
        disabled=not form.payment_terms.values,
    )
    st.selectbox(
        tr("Default allocation axis (allocation lines and new allocation codes)"),
        form.allocation_axis.values,
        index=form.allocation_axis.index,
        format_func=form.allocation_axis.label,
        key="configure_axis",
        disabled=not form.allocation_axis.values,
    )
    submitted = st.form_submit_button(
        tr("Save defaults"),
        type="primary",
        disabled=no_admin is not None,
        help=no_admin,
        key="configure_save",
    )
if no_admin is not None:
    st.caption(plain(no_admin))

if submitted:
    with shown_here() as saving:  # a profile without a name or address: said in words, form kept
        profile = save_profile(
            db,
            form.profile(
                conn.environment,
                name=s["configure_name"],
                administration=s["configure_admin"],
                payment_terms=s.get("configure_terms"),
                allocation_axis=s.get("configure_axis"),
            ),
            by=admin,
        )
    if not saving.failed:
        s["profile"] = profile
        st.success(plain(form.saved(profile)))
        st.page_link(
            "views/sync.py", label=tr("Next: sync the administration"), icon=":material/arrow_forward:"
        )
