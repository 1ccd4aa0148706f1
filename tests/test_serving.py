"""`streamlit run app.py` as the README starts it listens on this machine only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from afas.emulator.server import free_port
from tests.e2e.support import wait_until_serving

ROOT = Path(__file__).resolve().parents[1]


def _listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on ``port`` (Linux /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # 0A: LISTEN
                found.add(address)
    return found


def test_the_dashboard_listens_on_loopback_only(tmp_path):
    port = free_port()
    env = {**os.environ, "AFAS_DATA_DIR": str(tmp_path), "AFAS_TOKEN": "C" * 64}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", proc, 60)
        addresses = _listening_addresses(port)
        # 127.0.0.1 (0100007F) or ::1 only; never 0.0.0.0 / :: (every interface)
        assert addresses and addresses <= {"0100007F", "00000000000000000000000001000000"}, addresses
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"URL: http://localhost:{port}" in out
    assert "C" * 64 not in out
