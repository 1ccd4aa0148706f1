"""Configure: the defaults corrections are sent with, chosen from what AFAS returned."""

from __future__ import annotations

import streamlit as st

from afas.ui.errors import show_error
from afas.ui.text import plain
from afas.ui.warehouse import cached_choices, current_profile, require_connection, warehouse_path
from afas.warehouse.profiles import ConnectionProfile, list_profiles, save_profile

st.title("Configure defaults")
conn = require_connection()
db = warehouse_path(conn)

try:
    choices = cached_choices(conn)
except Exception as exc:  # noqa: BLE001 - shown in plain words
    show_error(exc)
    st.stop()

for note in choices.notes:
    st.warning(plain(note))

saved = [p for p in list_profiles(db) if p.base_url == conn.environment.base_url or conn.demo]
if saved:
    names = [p.name for p in saved]
    active = current_profile()
    st.selectbox(
        "Saved profiles",
        names,
        index=names.index(active.name) if active and active.name in names else 0,
        key="configure_switch",
        help="Several administrations or environments can be kept; pick one to use it.",
    )
    if st.button("Use this profile", key="configure_use"):
        st.session_state["profile"] = next(p for p in saved if p.name == st.session_state["configure_switch"])
        st.success(plain(f"Using '{st.session_state['profile'].name}'."))

if not choices.administrations:
    st.error("AFAS shows this token no administrations, so there is nothing to configure yet.")
    st.stop()

active = current_profile()
admin_values = [c.value for c in choices.administrations]
terms_values = [c.value for c in choices.payment_terms]
axis_values = [c.value for c in choices.allocation_axes]
labels = {
    "admin": {c.value: c.label for c in choices.administrations},
    "terms": {c.value: c.label for c in choices.payment_terms},
    "axis": {c.value: c.label for c in choices.allocation_axes},
}


def _index(values: list[str], current: object) -> int:
    return values.index(str(current)) if current is not None and str(current) in values else 0


with st.form("configure_form"):
    st.text_input(
        "Profile name",
        value=active.name if active else f"{conn.label.split(' (')[0]} – administration {admin_values[0]}",
        key="configure_name",
    )
    st.selectbox(
        "Administration",
        admin_values,
        index=_index(admin_values, active.administration if active else None),
        format_func=labels["admin"].get,
        key="configure_admin",
    )
    st.selectbox(
        "Default payment terms (new customers and suppliers)",
        terms_values,
        index=_index(terms_values, active.payment_terms if active else "30"),
        format_func=labels["terms"].get,
        key="configure_terms",
        disabled=not terms_values,
    )
    st.selectbox(
        "Default allocation axis (allocation lines and new allocation codes)",
        axis_values,
        index=_index(axis_values, active.allocation_axis if active else None),
        format_func=labels["axis"].get,
        key="configure_axis",
        disabled=not axis_values,
    )
    submitted = st.form_submit_button("Save defaults", type="primary")

if submitted:
    s = st.session_state
    try:
        profile = save_profile(
            db,
            ConnectionProfile(
                name=s["configure_name"],
                base_url=conn.environment.base_url,
                environment_number=conn.environment.number,
                environment_type=str(conn.environment.type),
                administration=int(s["configure_admin"]),
                payment_terms=s.get("configure_terms"),
                allocation_axis=int(s["configure_axis"]) if s.get("configure_axis") else None,
            ),
        )
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
    else:
        s["profile"] = profile
        st.success(
            plain(
                f"Saved '{profile.name}': administration {labels['admin'][str(profile.administration)]}, "
                f"payment terms {labels['terms'].get(profile.payment_terms or '', 'none')}, allocation axis "
                f"{labels['axis'].get(str(profile.allocation_axis), 'none')}. "
                "Syncs and corrections use these now."
            )
        )
        st.page_link("views/sync.py", label="Next: sync the administration", icon=":material/arrow_forward:")
