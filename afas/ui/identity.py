"""Who is working in this browser session: the signed-in person, or the name typed on one machine.

With ``[auth]`` in .streamlit/secrets.toml every page needs sign-in (Streamlit's ``st.login`` with an
OpenID Connect provider): :func:`gate` shows the sign-in page until the provider has signed the
person in, then the sidebar says who they are, their roles and offers to sign out. A person without a
role sees only that, and whom to ask. Without ``[auth]`` (the embedded default) nobody signs in: the
sidebar asks the person's name once per browser session and that name is recorded with what they
approve and sign (afas.access: one person, every role).

The decisions live in :mod:`afas.access`; this module only reads ``st.user`` and ``st.secrets``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from afas.access import AccessConfig, Right, User
from afas.catalogue import label
from afas.i18n import tr
from afas.ui.text import plain

__all__ = [
    "LOCAL_NAME",
    "access_config",
    "current_user",
    "gate",
    "permission",
    "remember_name",
    "why_not",
]

LOCAL_NAME = "local_name"
"""The session-state key of the name typed in the sidebar (one machine, no sign-in)."""


def _secrets() -> Mapping[str, Any]:
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no secrets.toml (the embedded default): nothing configured
        return {}


def access_config() -> AccessConfig:
    """Sign-in, roles and the four-eyes threshold from .streamlit/secrets.toml (none without it)."""
    return AccessConfig.from_mapping(_secrets())


def _providers(auth: Mapping[str, Any]) -> list[str]:
    """The named providers of [auth] ([auth.microsoft], [auth.google]); none for a single provider."""
    return [name for name, value in auth.items() if isinstance(value, Mapping)]


def current_user(config: AccessConfig | None = None) -> User | None:
    """The person working in this session; None until they signed in (or, on one machine, typed a name)."""
    config = config or access_config()
    if config.sign_in:
        if not st.user.is_logged_in:
            return None
        return User.signed_in(st.user.to_dict(), config)
    name = " ".join(str(st.session_state.get(LOCAL_NAME) or "").split())
    return User.local(name) if name else None


def remember_name(name: str) -> None:
    """Keep a name typed in a dialog as the session's name (a callback: before the sidebar is drawn)."""
    typed = " ".join((name or "").split())
    if typed:
        st.session_state[LOCAL_NAME] = typed


def why_not(user: User | None, right: Right) -> str | None:
    """Why the session's person may not do what ``right`` covers (None when they may): shown beside a
    disabled button. The core refuses it too."""
    if user is None:
        return tr("Type your name in the sidebar first.")
    return user.why_not(right)


def permission(right: Right) -> tuple[User | None, str | None]:
    """Signed in: the person (for the core to check too) and why they may not do what ``right``
    covers (None when they may). On one machine: (None, None), its one person may do everything."""
    config = access_config()
    if not config.sign_in:
        return None, None
    user = current_user(config)
    return user, why_not(user, right)


def _sign_in_page() -> None:
    auth = _secrets().get("auth") or {}
    st.title(tr("AFAS Profit reconciliation"))
    st.write(
        tr(
            "This dashboard is shared by your team: sign in with your work account to continue. "
            "What you approve and sign is recorded under your name."
        )
    )
    providers = _providers(auth)
    if not providers:
        st.button(tr("Sign in"), type="primary", key="sign_in", on_click=st.login)
    for name in providers:
        text = tr("Sign in with {provider}").format(provider=name.capitalize())
        st.button(text, type="primary", key=f"sign_in_{name}", on_click=st.login, args=(name,))


def _sidebar_signed_in(user: User) -> None:
    with st.sidebar:
        st.caption(tr("Signed in as"))
        st.text(user.name + (f"\n{user.email}" if user.email and user.email != user.name else ""))
        roles = ", ".join(label(r) for r in sorted(user.roles)) or tr("no role")
        st.caption(plain(tr("Role: {roles}").format(roles=roles)))
        st.button(tr("Sign out"), key="sign_out", on_click=st.logout)


def _sidebar_local() -> None:
    with st.sidebar:
        st.text_input(
            tr("Working as"),
            key=LOCAL_NAME,
            placeholder=tr("your name"),
            help=tr(
                "Recorded with everything you approve and sign in this browser session. Nobody signs "
                "in on this dashboard: it runs on this machine for one person."
            ),
        )


def gate() -> User | None:
    """Before any page: sign-in when configured (the sign-in page stops here), the sidebar's who."""
    config = access_config()
    if not config.sign_in:
        _sidebar_local()
        return current_user(config)
    user = current_user(config)
    if user is None:
        _sign_in_page()
        st.stop()
    _sidebar_signed_in(user)
    if not user.roles:
        st.title(tr("AFAS Profit reconciliation"))
        st.warning(
            plain(
                tr(
                    "You are signed in as {person}, but this dashboard gives you no role yet. Ask your "
                    "administrator to add {account} to [roles] in secrets.toml (viewer, preparer, approver "
                    "or admin)."
                ).format(person=user.signature, account=user.email or user.subject)
            )
        )
        st.stop()
    return user
