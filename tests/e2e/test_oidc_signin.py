"""Streamlit's own sign-in (st.login, st.user, st.logout; Authlib) against a real OpenID Connect
provider on loopback (tests/oidc_provider.py), in Debian's Chromium: a tiny app, not the product's."""

from __future__ import annotations

import secrets
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from tests import oidc_provider as oidc
from tests.e2e.support import wait_until_serving

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
    """The tiny app on ``oidc_app_port``, its [auth] pointing at the provider. Reached as localhost:
    the redirect_uri's host, so the cookies set on /auth/login are sent back to /oauth2callback."""
    folder = tmp_path_factory.mktemp("signin-app")
    (folder / "app.py").write_text(APP)
    (folder / ".streamlit").mkdir()
    redirect_uri = f"http://localhost:{oidc_app_port}/oauth2callback"
    secrets_toml = oidc_provider.auth_secrets(redirect_uri, cookie_secret=secrets.token_urlsafe(32))
    (folder / ".streamlit" / "secrets.toml").write_text(secrets_toml)
    log = folder / "streamlit.log"
    out = log.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py"]
        + ["--server.port", str(oidc_app_port), "--server.address", "localhost"]
        + ["--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=folder,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{oidc_app_port}", proc, 60, log=log)
        yield f"http://localhost:{oidc_app_port}"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        out.close()


def test_sign_in_as_anna_sign_out_and_sign_in_as_bert(signin_app, oidc_provider, browser):
    page = browser.new_page()
    offsite: list[str] = []

    def loopback_only(route):
        if urlsplit(route.request.url).hostname in ("localhost", "127.0.0.1"):
            route.continue_()
        else:  # nothing leaves the machine
            offsite.append(route.request.url)
            route.abort()

    page.route("**/*", loopback_only)
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
