"""Streamlit glue for the connection: the embedded demo environment, the AFAS client, and who may read.

The demo environment is the emulator with its demo administration, served over real HTTP on a
loopback port for as long as the app runs (one per process, via st.cache_resource). A user's own
environment is a ProfitClient built from what they entered; the token lives in session memory
only (or in .streamlit/secrets.toml / AFAS_TOKEN) and is never rendered.

Only a connection whose check AFAS accepted is kept (:func:`check_connection`): it then carries the
:class:`Identity` AFAS gave for the token (environment, App connector, user group), and the warehouse
file belongs to that identity (afas.ui.warehouse.warehouse_path), so another token, even for the same
environment, never sees this one's imports, outbox or audit.

A token configured for the app (secrets.toml, AFAS_TOKEN) connects whoever opens the dashboard. That
is safe only while the dashboard listens on this machine alone (.streamlit/config.toml sets
server.address = "localhost"); served to the network, the configured token is not used and every user
enters their own (:func:`configured_token`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass
from typing import Any

import streamlit as st

from afas.emulator.core import Emulator
from afas.emulator.server import EmulatorServer
from afas.errors import InputError
from afas.i18n import accept_language, tr
from afas.profit.client import ProfitClient
from afas.profit.environment import Environment, EnvironmentType, is_loopback_host
from afas.profit.readiness import Readiness, check_readiness
from afas.profit.token import ProfitToken
from afas.ui.identity import access_config

__all__ = [
    "DEMO_SEED",
    "DEMO_TRANSACTIONS",
    "Connection",
    "Identity",
    "administration_rows",
    "check_connection",
    "connect",
    "connector_rows",
    "configured_base_url",
    "configured_environment",
    "configured_token",
    "configured_token_text",
    "demo_connection",
    "demo_server",
    "listen_address",
    "own_connection",
    "own_environment",
    "readiness_text",
    "served_to_others",
]

DEMO_SEED = 1
DEMO_TRANSACTIONS = int(os.environ.get("AFAS_DEMO_TRANSACTIONS", "20000"))


@st.cache_resource(show_spinner="Starting the demo AFAS environment…")
def demo_server() -> EmulatorServer:
    """The built-in AFAS emulator, started once per app process."""
    return EmulatorServer(Emulator(seed=DEMO_SEED, transactions=DEMO_TRANSACTIONS)).start()


@dataclass(frozen=True)
class Identity:
    """Who AFAS says the token is: its environment code, App connector and the user's group."""

    envid: str
    app_name: str
    group: str

    @classmethod
    def of(cls, ready: Readiness) -> Identity:
        return cls(ready.envid or "", ready.app_name or "", ready.group or "")

    def key(self) -> str:
        """A short stable digest: part of the warehouse file's name (the names themselves stay out)."""
        text = "\x1f".join((self.envid, self.app_name, self.group))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Connection:
    """What the user connected to; the token object hides its data from repr and st.write.

    ``identity`` is set only once AFAS accepted the token (:func:`check_connection`).
    """

    label: str
    environment: Environment
    token: ProfitToken
    demo: bool
    identity: Identity | None = None

    def client(self) -> ProfitClient:
        """A client asking AFAS for its messages in the interface's language (shown as AFAS sent them)."""
        return ProfitClient(self.environment, self.token, language=accept_language())


def demo_connection() -> Connection:
    server = demo_server()
    return Connection(
        tr("Demo environment (built-in AFAS emulator)"),
        Environment.from_base_url(server.base_url),
        ProfitToken.parse(server.emulator.token_data),
        demo=True,
    )


def own_connection(env: Environment, token_text: str | None) -> Connection:
    """A connection to the user's environment (:func:`own_environment`); TokenFormatError says what
    to correct. An empty token field falls back to the configured
    token when it may be used (:func:`configured_token`). Signed in, only the configured token is used:
    a token typed into the page is not."""
    if access_config().sign_in:
        token_text = configured_token()
        if not token_text:
            raise InputError(
                tr(
                    "This dashboard signs people in, so it connects to AFAS only with the token its "
                    "administrator configured, and none is configured."
                ),
                tr(
                    "The administrator sets AFAS_TOKEN (or token under [afas] in .streamlit/secrets.toml) "
                    "and starts the dashboard again."
                ),
            )
    token = ProfitToken.parse(token_text or configured_token() or "")
    if env.number:
        label = tr("AFAS environment {number}").format(number=env.number)
    else:
        label = tr("AFAS at {url}").format(url=env.base_url)
    return Connection(label, env, token, demo=False)


def check_connection(conn: Connection) -> tuple[Connection | None, Readiness]:
    """Run the readiness check; the connection comes back (with its identity) only if AFAS accepted
    the token. Missing connectors or administrations are problems to show, not a refusal: the
    rest of the dashboard works with what the App connector offers."""
    with conn.client() as client:
        ready = check_readiness(client)
    if not ready.accepted:
        return None, ready
    return dataclasses.replace(conn, identity=Identity.of(ready)), ready


def connect(
    env: Environment | None, token_text: str | None = None
) -> tuple[Connection | None, Readiness, str]:
    """Test the connection the Connect form names: the demo (``env`` None), or the user's environment
    (:func:`own_environment`) with their token.

    Returns the accepted connection (None when AFAS refused it), the readiness check and the
    connection's label. A token that cannot be read raises its TokenFormatError, nothing connected.
    """
    conn = demo_connection() if env is None else own_connection(env, token_text)
    accepted, ready = check_connection(conn)
    return accepted, ready, conn.label


def readiness_text(label: str, ready: Readiness) -> str:
    """The verdict on a tested connection in one paragraph: ready, connected with points to fix, or
    not connected (shown as success, warning and error: ``ready.ok``, ``ready.accepted``)."""
    if ready.ok:
        text = tr("Ready: {label} — environment {envid}, Profit {version}, App connector '{app}'.")
    elif ready.accepted:
        text = tr(
            "Connected to {label} (App connector '{app}'), but not everything is set up: what needs the "
            "points below will not work until they are fixed in AFAS; test again then."
        )
    else:
        text = tr(
            "Not connected: {label}. AFAS did not accept this connection, so no data can be read; fix the "
            "point below, then test again."
        )
    return text.format(label=label, envid=ready.envid, version=ready.version, app=ready.app_name)


def connector_rows(ready: Readiness) -> list[dict[str, Any]]:
    """One row per connector the dashboard needs: present or missing, and the fix in plain words."""
    return [
        {
            "": tr("present") if c.present else tr("missing"),
            tr("Kind"): c.kind.capitalize() + "Connector",
            tr("Connector"): c.tenant_id,
            tr("Used for"): c.purpose,
            tr("How to fix"): c.fix or "",
        }
        for c in ready.connectors
    ]


def administration_rows(ready: Readiness) -> list[dict[str, Any]]:
    """The administrations the token may see."""
    return [{tr("Number"): a.id, tr("Name"): a.name, tr("Code"): a.code} for a in ready.administrations]


def _secret(name: str) -> str | None:
    """A value from .streamlit/secrets.toml's [afas] section, if the file exists and has it."""
    try:
        value = st.secrets.get("afas", {}).get(name)
    except Exception:  # streamlit raises its own error types when secrets.toml is absent or malformed
        value = None
    return str(value) if value else None


def listen_address() -> str:
    """The address the dashboard listens on (Streamlit's server.address; empty means every interface)."""
    return str(st.get_option("server.address") or "")


def served_to_others(address: str | None = None) -> bool:
    """True unless the dashboard listens on this machine only (localhost or a loopback address)."""
    # every interface (""), 0.0.0.0, or a host name other machines resolve: served to others
    return not is_loopback_host(listen_address() if address is None else address)


def configured_token() -> str | None:
    """A token from .streamlit/secrets.toml ([afas] token = ...) or AFAS_TOKEN, if any and usable.

    Not used while the dashboard is served to others without sign-in: anyone who reached it would be
    connected. With sign-in ([auth] in secrets.toml) it is the only token: users never type one.
    """
    if served_to_others() and not access_config().sign_in:
        return None
    return configured_token_text()


def configured_token_text() -> str | None:
    """The configured token whether or not it may be used (to tell the user it is set but unused)."""
    return _secret("token") or os.environ.get("AFAS_TOKEN") or None


def configured_base_url() -> str | None:
    """An explicit REST base URL (secrets.toml [afas] base_url or AFAS_BASE_URL): a proxy, a test
    environment behind another address, or a standalone emulator; it replaces the number and type."""
    return _secret("base_url") or os.environ.get("AFAS_BASE_URL") or None


def own_environment(number: str, env_type: str) -> Environment:
    """The environment the form names: the configured base URL if there is one, else number and type."""
    base_url = configured_base_url()
    if base_url:
        return Environment.from_base_url(base_url)
    return Environment.from_input(number, env_type)


def configured_environment() -> tuple[str, str]:
    """Environment number and type from secrets.toml or AFAS_ENVIRONMENT(_TYPE): the form's defaults
    (a type AFAS does not have reads as production)."""
    number = _secret("environment") or os.environ.get("AFAS_ENVIRONMENT") or ""
    env_type = _secret("environment_type") or os.environ.get("AFAS_ENVIRONMENT_TYPE") or ""
    known = env_type in {t.value for t in EnvironmentType}
    return number, env_type if known else EnvironmentType.PRODUCTION.value
