"""Start `python -m afas emulator` in its own process for a benchmark (AFAS is another machine)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from afas.emulator.server import free_port  # noqa: E402

__all__ = ["ROOT", "start_emulator"]


def start_emulator(rows: int, *extra: str) -> tuple[subprocess.Popen, str, str]:
    """The emulator with ~``rows`` journal lines; returns (process, base URL, token data)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "afas", "emulator", "--port", str(port), "--transactions", str(rows), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    info = {}
    for line in proc.stdout:
        print("  emulator:", line.rstrip())
        if line.startswith(("Base URL:", "Token:")):
            k, _, v = line.partition(":")
            info[k] = v.strip()
        if line.startswith("Press Ctrl+C"):
            break
    if proc.poll() is not None or len(info) < 2:
        raise SystemExit("the emulator did not start")
    return proc, info["Base URL"], info["Token"]
