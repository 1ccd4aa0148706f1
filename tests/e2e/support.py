"""What the browser tests share besides fixtures: where screenshots go, Chromium's options, and the
address of the demo AFAS that the app under test started for itself."""

from __future__ import annotations

import base64
import subprocess
import time
from pathlib import Path

import httpx

from afas.emulator.auth import demo_token_data

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_SEED = 1  # afas.ui.connection.DEMO_SEED: the demo token is derived from it


def wait_until_serving(
    url: str, proc: subprocess.Popen, seconds: float = 90, log: Path | None = None
) -> None:
    """Poll ``url``'s /_stcore/health until Streamlit answers 'ok'; fail (with its output: ``log``, or
    its stdout pipe) if the process ends first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url + "/_stcore/health", timeout=2).text == "ok":
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out = log.read_text(errors="replace") if log else proc.stdout.read() if proc.stdout else ""
            raise RuntimeError(f"streamlit did not start on {url}:\n{out or ''}")
        time.sleep(0.1)


def idle(page) -> None:
    """Wait until the app has finished its rerun (Streamlit's running icon is gone): a list opened,
    a key typed or a grid cell clicked during a rerun is lost when the rerun replaces the element."""
    page.wait_for_timeout(150)  # the icon shows a moment after the rerun starts
    page.locator('[data-testid="stStatusWidgetRunningIcon"]').wait_for(state="detached", timeout=60_000)


def to_middle(locator) -> None:
    """Scroll ``locator`` to the middle of the window at once: an element at the window's edge opens
    its list off-screen, and a bounding box read while a smooth scroll still runs misses its target."""
    locator.evaluate("e => e.scrollIntoView({block: 'center', behavior: 'instant'})")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def demo_auth() -> dict[str, str]:
    xml = f"<token><version>1</version><data>{demo_token_data(DEMO_SEED)}</data></token>"
    return {"Authorization": "AfasToken " + base64.b64encode(xml.encode()).decode()}


def _listening_ports(pid: int) -> set[int]:
    """The TCP ports process ``pid`` listens on (Linux: its socket inodes in /proc/net/tcp*)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def demo_emulator_url(app_pid: int, app_port: int) -> str:
    """The base URL of the demo AFAS the app at ``app_port`` started (after a demo connect): the
    loopback port of that process where the emulator's control API answers to the demo token."""
    for port in sorted(_listening_ports(app_pid) - {app_port}):
        base = f"http://127.0.0.1:{port}"
        try:
            if httpx.get(base + "/__emulator__/faults", headers=demo_auth(), timeout=5).status_code == 200:
                return base + "/ProfitRestServices"
        except httpx.HTTPError:
            continue
    raise AssertionError(f"the app (process {app_pid}) serves no demo AFAS yet: connect to the demo first")


def faults(base_url: str, method: str, rule: dict | None = None) -> dict:
    """The demo AFAS's fault control: GET (what is set and what fired), POST a rule, DELETE all."""
    control = base_url.rsplit("/ProfitRestServices", 1)[0] + "/__emulator__/faults"
    r = httpx.request(method, control, json=rule, headers=demo_auth(), timeout=30)
    r.raise_for_status()
    return r.json() if r.content else {}
