"""Shared fixtures: an emulated AFAS environment, in-process and over real loopback HTTP.

Tests that read AFAS's official OpenAPI files from ../shared are marked ``shared`` and skip, with
that reason, when the folder is not beside the project (it is not in a user's clone).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from afas.emulator.core import Emulator
from afas.emulator.server import EmulatorServer
from afas.emulator.transport import EmulatorTransport
from afas.profit.client import ProfitClient, RetryPolicy
from afas.profit.environment import Environment
from afas.profit.token import ProfitToken

# The emulator commits a request before it answers (or loses the answer), so the tests read an
# unanswered item back at once; the wait a real AFAS needs (afas.corrections.outbox.SETTLE_AFTER_S)
# has tests of its own that set it. Processes the tests start (the CLI, the app) inherit it.
os.environ.setdefault("AFAS_RESOLVE_AFTER_S", "0")
os.environ["AFAS_LANGUAGE"] = "en"  # the CLI speaks English in tests, whatever this machine's locale

ROOT = Path(__file__).resolve().parents[1]
SHARED_OPENAPI = ROOT.parent / "shared" / "afas-openapi"
SHARED_REASON = "../shared/afas-openapi (AFAS's official OpenAPI files) is not present beside the project"
EMULATOR_URL = "http://afas-emulator.localhost/ProfitRestServices"


def openapi(name: str) -> dict:
    """One of AFAS's official OpenAPI files, or a skip when ../shared is absent."""
    path = SHARED_OPENAPI / name
    if not path.exists():
        pytest.skip(SHARED_REASON)
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def emulator() -> Emulator:
    """A fresh demo environment (small: a few hundred journal lines)."""
    return Emulator(seed=7, transactions=400)


def make_client(emulator: Emulator, token: str | None = None, **kwargs) -> ProfitClient:
    kwargs.setdefault("retry", RetryPolicy(attempts=4, base=0.0, cap=0.0))
    kwargs.setdefault("sleep", lambda s: None)
    kwargs.setdefault("transport", EmulatorTransport(emulator))
    return ProfitClient(
        Environment.from_base_url(EMULATOR_URL), ProfitToken.parse(token or emulator.token_data), **kwargs
    )


def synced_demo(path: Path, connectors: list[str] | None = None) -> Path:
    """A small demo administration (seed 7, 100 journal lines) synced into the warehouse ``path``."""
    from afas.warehouse.sync import sync

    with make_client(Emulator(seed=7, transactions=100)) as client:
        results = sync(path, client, connectors) if connectors else sync(path, client)
    assert {r.status for r in results} == {"ok"}
    return path


@pytest.fixture
def client(emulator: Emulator) -> ProfitClient:
    """A client talking to the emulator in-process (no sockets)."""
    with make_client(emulator) as c:
        yield c


@pytest.fixture(scope="session")
def live_emulator() -> Emulator:
    return Emulator(seed=3, transactions=2000)


@pytest.fixture(scope="session")
def live_server(live_emulator: Emulator) -> EmulatorServer:
    """The emulator served by uvicorn on a free loopback port, for the whole session."""
    server = EmulatorServer(live_emulator).start()
    yield server
    server.stop()


@pytest.fixture
def live_client(live_server: EmulatorServer) -> ProfitClient:
    with ProfitClient(
        Environment.from_base_url(live_server.base_url),
        ProfitToken.parse(live_server.emulator.token_data),
        retry=RetryPolicy(attempts=4, base=0.0, cap=0.0),
    ) as c:
        yield c


def pytest_collection_modifyitems(config, items) -> None:  # noqa: ARG001 - pytest's hook signature
    """The browser journeys first: each takes tens of seconds, and xdist hands out files in this order
    (pyproject's ``--no-loadscope-reorder``: by default it puts files with few tests last), so they
    start at once beside the many short tests instead of ending the run alone."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("e2e") else 1)  # stable: file order kept


def _discard_demo_server() -> None:
    import streamlit as st  # noqa: F401  (the cache the demo server lives in)

    from afas.ui.connection import demo_server

    server = demo_server()
    server.stop()
    server.emulator.store.close()
    demo_server.clear()


@pytest.fixture
def fresh_demo():
    """A demo AFAS of the test's own, for a test that sends to it: the app's demo server is shared by
    every test of the process, and a test that sent the demo customer list's changes would leave the
    next one fewer differences to find (in whatever order the tests run)."""
    _discard_demo_server()
    yield
    _discard_demo_server()


@pytest.fixture(scope="session", autouse=True)
def _no_full_collection_after_each_run():
    """Streamlit collects all of the process's garbage (gc.collect(2)) after every script run, to keep
    a long-running server's memory down. Here the process is the test session, whose heap holds every
    module and fixture of the run: each collection took a sixth of a second, more than a page's render.
    What the pages show does not depend on it. Every AppTest of the session (tests/pages and the
    language tests beside them) runs without it."""
    from streamlit import config

    config.set_option("runner.postScriptGC", False)
    yield
    config.set_option("runner.postScriptGC", True)
