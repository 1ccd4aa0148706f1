"""Streamlit's own sign-in (st.login, st.user, st.logout; Authlib) against a real OpenID Connect
provider on loopback (tests/oidc_provider.py), in Debian's Chromium: a tiny app, not the product's."""

from __future__ import annotations

import pytest

from tests import oidc_provider as oidc

pytestmark = pytest.mark.e2e

# the provider's fixtures, in this module's scope (tests/oidc_provider.py)
oidc_app_port = oidc.oidc_app_port
oidc_provider = oidc.oidc_provider

APP = """\
import streamlit as st

if not st.user.is_logged_in:
    st.write("Nobody is signed in.")
    st.button("Sign in", on_click=st.login)
else:
    st.write(st.user.email, st.user.sub, st.user.iss, st.user.name)
    st.button("Sign out", on_click=st.logout)
"""


@pytest.fixture(scope="module")
def signin_app(oidc_provider, oidc_app_port, tmp_path_factory):
    """The tiny app on ``oidc_app_port``, its [auth] pointing at the provider."""
    folder = tmp_path_factory.mktemp("signin-app")
    (folder / "app.py").write_text(APP)
    with oidc.signed_in_app(oidc_provider, oidc_app_port, folder, cwd=folder) as url:
        yield url


def test_sign_in_as_anna_sign_out_and_sign_in_as_bert(signin_app, oidc_provider, browser):
    page = browser.new_page()
    offsite = oidc.loopback_only(page)
    page.goto(signin_app)
    main = page.get_by_test_id("stMain")
    try:
        for login, other in (("anna", "bert"), ("bert", "anna")):
            user = oidc_provider.users[login]
            main.get_by_text("Nobody is signed in.").wait_for(timeout=60_000)
            page.get_by_role("button", name="Sign in").click()
            oidc.sign_in(page, oidc_provider, login)
            main.get_by_text(user.email).wait_for(timeout=30_000)
            shown = main.inner_text()
            for value in (user.email, user.sub, user.name, oidc_provider.issuer):
                assert value in shown, (value, shown)
            assert oidc_provider.users[other].email not in shown
            page.get_by_role("button", name="Sign out").click()
            oidc.confirm_sign_out(page)
        main.get_by_text("Nobody is signed in.").wait_for(timeout=30_000)
        assert offsite == []
    finally:
        page.close()
