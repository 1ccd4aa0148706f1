"""A real OpenID Connect provider for the tests: tests/oidc/provider.mjs (node's certified
``oidc-provider``) on a free loopback port, which Streamlit's own sign-in (st.login, Authlib) signs
in against.

- :func:`start_oidc_provider` starts one (a context manager) for the given redirect URIs;
- the ``oidc_app_port`` and ``oidc_provider`` fixtures (module scope) give a free port for the app
  under test and a provider whose client may redirect to that port's ``/oauth2callback`` (on
  ``localhost`` and ``127.0.0.1``); a test module binds them in its own namespace
  (``oidc_provider = tests.oidc_provider.oidc_provider``, as tests/e2e/test_signed_in_e2e.py does);
- :func:`sign_in` and :func:`confirm_sign_out` drive the provider's pages in Playwright.

The node packages are installed once (``npm ci`` into tests/oidc/node_modules, under a lock so
xdist's workers do not install at once). Without node (>= 20.18) the tests that need it skip, and
fail under CI (``CI`` set), where a missing install step must not pass unnoticed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from afas.emulator.server import free_port

ROOT = Path(__file__).resolve().parents[1]
OIDC_DIR = ROOT / "tests" / "oidc"
PROVIDER_SCRIPT = OIDC_DIR / "provider.mjs"
NODE_MIN = (20, 18)  # oidc-provider 9 calls URL.parse (node 20.18) and crypto.hash (node 20.12)
CLIENT_ID = "streamlit-test"


@dataclass(frozen=True)
class OidcUser:
    login: str  # what is typed into the provider's login form
    sub: str
    email: str
    name: str


# the same users as tests/oidc/provider.mjs
USERS: Mapping[str, OidcUser] = {
    "anna": OidcUser("anna", "anna-0001", "anna@example.nl", "Anna de Vries"),
    "bert": OidcUser("bert", "bert-0002", "bert@example.nl", "Bert Jansen"),
}


@dataclass(frozen=True)
class OidcProvider:
    issuer: str  # http://127.0.0.1:PORT, also the ``iss`` of its ID tokens (st.user.iss)
    metadata_url: str  # ISSUER/.well-known/openid-configuration: [auth] server_metadata_url
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    users: Mapping[str, OidcUser]
    pid: int
    log: Path  # the provider's stdout and stderr

    def auth_secrets(self, redirect_uri: str, cookie_secret: str | None = None) -> str:
        """The ``[auth]`` section of a .streamlit/secrets.toml that signs in against this provider."""
        if redirect_uri not in self.redirect_uris:
            raise ValueError(f"{redirect_uri} is not one of this provider's {self.redirect_uris}")
        values = {
            "redirect_uri": redirect_uri,
            "cookie_secret": cookie_secret or secrets.token_urlsafe(32),
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "server_metadata_url": self.metadata_url,
        }
        return "[auth]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())


def _unavailable(reason: str) -> None:
    """Skip a test that needs the provider, or fail it under CI, where it must run."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def _node_version(node: str) -> tuple[int, ...]:
    out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout
    return tuple(int(n) for n in re.findall(r"\d+", out)[:3])


def _installed() -> bool:
    """tests/oidc/node_modules holds what package-lock.json pins (npm writes its own lock last)."""
    try:
        pinned = json.loads((OIDC_DIR / "package-lock.json").read_text())["packages"]
        pinned = pinned["node_modules/oidc-provider"]["version"]
        have = json.loads((OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").read_text())
    except (OSError, KeyError, ValueError):
        return False
    return (OIDC_DIR / "node_modules" / ".package-lock.json").exists() and have["version"] == pinned


def ensure_node_packages() -> str:
    """The path of ``node``, once tests/oidc/node_modules is installed (``npm ci``, once)."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed (apt-get install nodejs npm): the test OIDC provider needs it")
    version = _node_version(node)
    if version[:2] < NODE_MIN:
        _unavailable(
            f"node {'.'.join(map(str, version))} is too old for the test OIDC provider"
            f" (oidc-provider 9 needs >= {NODE_MIN[0]}.{NODE_MIN[1]})"
        )
    if _installed():
        return node
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed (apt-get install npm): tests/oidc/node_modules is missing")
    tag = hashlib.sha256(str(OIDC_DIR).encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"afas-recon-oidc-npm-{tag}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one xdist worker installs, the others wait for it
        if not _installed():
            done = subprocess.run(
                [npm, "ci", "--prefix", str(OIDC_DIR), "--no-audit", "--no-fund"],
                capture_output=True,
                text=True,
                timeout=600,
            )
            if done.returncode != 0 or not _installed():
                pytest.fail(
                    f"npm ci --prefix tests/oidc failed ({done.returncode}):\n{done.stdout}\n{done.stderr}",
                    pytrace=False,
                )
    return node


@contextlib.contextmanager
def start_oidc_provider(
    redirect_uris: Sequence[str],
    *,
    log: Path,
    client_id: str = CLIENT_ID,
    client_secret: str | None = None,
    token_auth_method: str = "client_secret_basic",
    seconds: float = 30,
) -> Iterator[OidcProvider]:
    """Run tests/oidc/provider.mjs on a free loopback port until the block ends.

    Its port is the one it reports ("ready http://127.0.0.1:PORT"), so parallel workers never race
    for one; it ends with its parent too (its stdin closes)."""
    node = ensure_node_packages()
    client_secret = client_secret or secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "OIDC_PORT": "0",
        "OIDC_CLIENT_ID": client_id,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_REDIRECT_URIS": " ".join(redirect_uris),
        "OIDC_TOKEN_AUTH_METHOD": token_auth_method,
        "OIDC_EXIT_WITH_STDIN": "1",
    }
    out = log.open("w")  # a file, not a pipe nobody reads
    proc = subprocess.Popen(
        [node, str(PROVIDER_SCRIPT)],
        cwd=OIDC_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        issuer = _wait_until_ready(proc, log, seconds)
        yield OidcProvider(
            issuer=issuer,
            metadata_url=issuer + "/.well-known/openid-configuration",
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=tuple(redirect_uris),
            users=USERS,
            pid=proc.pid,
            log=log,
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        proc.stdin.close()
        out.close()


def _wait_until_ready(proc: subprocess.Popen, log: Path, seconds: float) -> str:
    """The issuer, once the provider said "ready" and its discovery document answers."""
    deadline = time.monotonic() + seconds
    issuer = None
    while True:
        if issuer is None:
            found = re.search(r"^ready (http://127\.0\.0\.1:\d+)$", log.read_text(errors="replace"), re.M)
            issuer = found and found.group(1)
        if issuer is not None:
            try:
                r = httpx.get(issuer + "/.well-known/openid-configuration", timeout=2)
                if r.status_code == 200 and r.json()["issuer"] == issuer:
                    return issuer
            except httpx.TransportError:
                pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the test OIDC provider did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def oidc_app_port() -> int:
    """A free loopback port for the Streamlit app under test (its redirect URI names it)."""
    return free_port()


@pytest.fixture(scope="module")
def oidc_provider(oidc_app_port, tmp_path_factory) -> Iterator[OidcProvider]:
    """A provider (one per test module, so one per xdist worker at a time) whose one client may
    redirect to ``http://localhost:{oidc_app_port}/oauth2callback`` (Streamlit's redirect_uri) or
    the same on 127.0.0.1."""
    uris = [f"http://{host}:{oidc_app_port}/oauth2callback" for host in ("localhost", "127.0.0.1")]
    with start_oidc_provider(uris, log=tmp_path_factory.mktemp("oidc") / "provider.log") as provider:
        yield provider


def sign_in(page, provider: OidcProvider, login: str, timeout: float = 30) -> None:
    """On the provider's login page (after st.login()): sign in as ``login`` (any password) and allow
    the client on the consent page (shown unless this provider session already granted it); returns
    once the browser has left the provider for the app."""
    page.get_by_label("Login").fill(login, timeout=timeout * 1000)
    page.get_by_label("Password").fill("any password")
    page.get_by_role("button", name="Sign in").click()
    allow = page.get_by_role("button", name="Allow")
    deadline = time.monotonic() + timeout
    allowed = False
    while page.url.startswith(provider.issuer + "/"):
        if not allowed and allow.is_visible():
            allow.click()
            allowed = True
        elif page.get_by_role("alert").is_visible():
            raise AssertionError(page.get_by_role("alert").inner_text())
        if time.monotonic() > deadline:
            raise AssertionError(f"still at the provider after {timeout} s: {page.url}")
        page.wait_for_timeout(50)


def confirm_sign_out(page, timeout: float = 30) -> None:
    """On the provider's sign-out page (after st.logout()): confirm; the browser returns to the app."""
    page.get_by_role("button", name="Yes, sign me out").click(timeout=timeout * 1000)


@contextlib.contextmanager
def signed_in_app(
    provider: OidcProvider,
    port: int,
    folder: Path,
    *,
    cwd: Path,
    script: str = "app.py",
    extra_secrets: str = "",
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """A Streamlit app (``script`` in ``cwd``) on ``port`` whose [auth] signs in against ``provider``
    (and ``extra_secrets`` besides), its secrets file in ``folder`` (--secrets.files: outside the
    project). Yields its address on localhost, the redirect URI's host: the cookies set on
    /auth/login are only sent back to /oauth2callback on the same host."""
    from tests.e2e.support import wait_until_serving

    redirect_uri = f"http://localhost:{port}/oauth2callback"
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        provider.auth_secrets(redirect_uri, cookie_secret=secrets.token_urlsafe(32)) + extra_secrets
    )
    log = folder / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script]
            + ["--server.port", str(port), "--server.address", "localhost"]
            + ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
            + ["--secrets.files", str(secrets_file)],
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(f"http://127.0.0.1:{port}", proc, 90, log=log)
            yield f"http://localhost:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def loopback_only(page) -> list[str]:
    """Let ``page`` reach this machine only; the addresses it tried beyond it are collected in the
    list returned (a test asserts it stays empty: nothing leaves the machine)."""
    offsite: list[str] = []

    def route(request_route) -> None:
        if urlsplit(request_route.request.url).hostname in ("localhost", "127.0.0.1"):
            request_route.continue_()
        else:
            offsite.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return offsite
