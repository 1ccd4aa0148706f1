"""The browser tests' fixtures: the app started as a user starts it (``streamlit run app.py``) on a
free port with a data folder of its own, once per test module, and Debian's Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from afas.emulator.server import free_port
from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, ROOT, wait_until_serving


@dataclass(frozen=True)
class App:
    url: str
    port: int
    pid: int
    data: Path


@pytest.fixture(scope="module")
def app_data(tmp_path_factory) -> Path:
    """The app's data folder (AFAS_DATA_DIR): its warehouse files."""
    return tmp_path_factory.mktemp("app-data")


@pytest.fixture(scope="module")
def app(app_data) -> App:
    port = free_port()
    # the app's default demo size (the shipped demo ledger is cut from it); warehouses in a temp dir
    env = {
        **os.environ,
        "AFAS_DEMO_TRANSACTIONS": "20000",
        "AFAS_DATA_DIR": str(app_data),
    }
    env.pop("AFAS_TOKEN", None)
    log = app_data / "streamlit.log"
    out = log.open("w")  # a file, not a pipe nobody reads: a full pipe would stall the app
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(url, proc, log=log)
    yield App(url, port, proc.pid, app_data)
    proc.terminate()
    proc.wait(timeout=15)
    out.close()


@pytest.fixture(scope="module")
def app_url(app) -> str:
    return app.url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        "Debian's chromium is not installed: apt-get install chromium chromium-driver"
    )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
