"""Streamlit glue for the connection: the embedded demo environment and the AFAS client.

The demo environment is the emulator with its demo administration, served over real HTTP on a
loopback port for as long as the app runs (one per process, via st.cache_resource). A user's own
environment is a ProfitClient built from what they entered; the token lives in session memory
only (or in .streamlit/secrets.toml / AFAS_TOKEN) and is never rendered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from afas.emulator.core import Emulator
from afas.emulator.server import EmulatorServer
from afas.profit.client import ProfitClient
from afas.profit.environment import Environment
from afas.profit.token import ProfitToken

__all__ = [
    "DEMO_SEED",
    "DEMO_TRANSACTIONS",
    "demo_server",
    "Connection",
    "demo_connection",
    "configured_token",
    "configured_environment",
]

DEMO_SEED = 1
DEMO_TRANSACTIONS = int(os.environ.get("AFAS_DEMO_TRANSACTIONS", "20000"))


@st.cache_resource(show_spinner="Starting the demo AFAS environment…")
def demo_server() -> EmulatorServer:
    """The built-in AFAS emulator, started once per app process."""
    return EmulatorServer(Emulator(seed=DEMO_SEED, transactions=DEMO_TRANSACTIONS)).start()


@dataclass(frozen=True)
class Connection:
    """What the user connected to; the token object hides its data from repr and st.write."""

    label: str
    environment: Environment
    token: ProfitToken
    demo: bool

    def client(self) -> ProfitClient:
        return ProfitClient(self.environment, self.token)


def demo_connection() -> Connection:
    server = demo_server()
    return Connection(
        "Demo environment (built-in AFAS emulator)",
        Environment.from_base_url(server.base_url),
        ProfitToken.parse(server.emulator.token_data),
        demo=True,
    )


def _secret(name: str) -> str | None:
    """A value from .streamlit/secrets.toml's [afas] section, if the file exists and has it."""
    try:
        value = st.secrets.get("afas", {}).get(name)
    except Exception:  # streamlit raises its own error types when secrets.toml is absent or malformed
        value = None
    return str(value) if value else None


def configured_token() -> str | None:
    """A token from .streamlit/secrets.toml ([afas] token = ...) or AFAS_TOKEN, if any."""
    return _secret("token") or os.environ.get("AFAS_TOKEN") or None


def configured_environment() -> tuple[str, str]:
    """Environment number and type from secrets.toml or AFAS_ENVIRONMENT(_TYPE): the form's defaults."""
    number = _secret("environment") or os.environ.get("AFAS_ENVIRONMENT") or ""
    env_type = _secret("environment_type") or os.environ.get("AFAS_ENVIRONMENT_TYPE") or "production"
    return number, env_type
