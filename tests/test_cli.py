"""`python -m afas emulator` and `python -m afas check`, run as a user runs them."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import httpx
import pytest

from afas.emulator.server import free_port


def start_emulator(*extra: str) -> tuple[subprocess.Popen, dict[str, str], list[str]]:
    """`python -m afas emulator` on a free port; returns once it printed its base URL and token."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "afas", "emulator", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip())
        if line.startswith("Press Ctrl+C"):
            break
    info = {
        k.strip(): v.strip()
        for k, _, v in (ln.partition(":") for ln in lines if ln.startswith(("Base", "Token")))
    }
    return proc, info, lines


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def emulator_process():
    proc, info, lines = start_emulator("--transactions", "300", "--seed", "5")
    yield proc, info, lines
    stop(proc)


def test_emulator_prints_base_url_and_token_and_serves_them(emulator_process):
    proc, info, lines = emulator_process
    assert proc.poll() is None, "\n".join(lines)
    base, token = info["Base URL"], info["Token"]
    assert base.endswith("/ProfitRestServices") and len(token) == 64
    xml = f"<token><version>1</version><data>{token}</data></token>"
    auth = {"Authorization": "AfasToken " + base64.b64encode(xml.encode()).decode()}
    r = httpx.get(base + "/ProfitVersion", headers=auth, timeout=30)
    assert r.status_code == 200 and r.json()["version"]
    assert httpx.get(base + "/ProfitVersion", timeout=30).status_code == 401


def test_check_reports_ready_and_takes_the_token_only_from_the_environment(emulator_process):
    _, info, _ = emulator_process
    env = {**os.environ, "AFAS_TOKEN": info["Token"]}
    done = subprocess.run(
        [sys.executable, "-m", "afas", "check", "--base-url", info["Base URL"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ready." in done.stdout and "FiEntries" in done.stdout
    assert info["Token"] not in done.stdout + done.stderr


WRONG_TOKEN = "A1" * 32


def check_with_a_wrong_token(base_url: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m afas check` against ``base_url`` with a token AFAS refuses, ``env`` on top."""
    return subprocess.run(
        [sys.executable, "-m", "afas", "check", "--base-url", base_url],
        env={**os.environ, "AFAS_TOKEN": WRONG_TOKEN, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_with_a_wrong_token_says_why_without_showing_it(emulator_process):
    _, info, _ = emulator_process
    done = check_with_a_wrong_token(info["Base URL"])
    assert done.returncode == 1
    assert "401" in done.stdout and "Not ready" in done.stdout
    assert WRONG_TOKEN not in done.stdout + done.stderr


def test_the_cli_speaks_dutch_when_asked_or_on_a_dutch_system(emulator_process):
    _, info, _ = emulator_process
    for language in ({"AFAS_LANGUAGE": "nl"}, {"AFAS_LANGUAGE": "", "LC_ALL": "", "LANG": "nl_NL.UTF-8"}):
        done = check_with_a_wrong_token(info["Base URL"], LC_MESSAGES="", **language)
        assert done.returncode == 1
        assert "AFAS weigerde het token (HTTP 401)." in done.stdout, done.stdout
        assert "Waarschijnlijke oorzaken:" in done.stdout
        assert WRONG_TOKEN not in done.stdout + done.stderr


def test_check_without_a_token_explains_where_it_comes_from():
    env = {k: v for k, v in os.environ.items() if k != "AFAS_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "afas", "check", "--env", "36480"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "AFAS_TOKEN" in done.stderr


def test_faults_on_request_over_http_and_from_the_command_line(emulator_process):
    _, info, _ = emulator_process
    base, token = info["Base URL"], info["Token"]
    xml = f"<token><version>1</version><data>{token}</data></token>"
    auth = {"Authorization": "AfasToken " + base64.b64encode(xml.encode()).decode()}
    control = base.rsplit("/ProfitRestServices", 1)[0] + "/__emulator__/faults"
    assert (
        httpx.post(control, json={"kind": "error503", "connector": "Profit_Accounts"}, timeout=30).status_code
        == 401
    )
    r = httpx.post(
        control,
        json={"kind": "error503", "connector": "Profit_Accounts", "retry_after": 4},
        headers=auth,
        timeout=30,
    )
    assert r.status_code == 201
    hit = httpx.get(base + "/connectors/Profit_Accounts", headers=auth, timeout=30)
    assert hit.status_code == 503 and hit.headers["Retry-After"] == "4"
    assert httpx.get(base + "/connectors/Profit_Accounts", headers=auth, timeout=30).status_code == 200
    assert httpx.post(control, json={"kind": "nonsense"}, headers=auth, timeout=30).status_code == 400
    assert httpx.delete(control, headers=auth, timeout=30).status_code == 200
    assert httpx.get(control, headers=auth, timeout=30).json()["faults"] == []


def test_fault_flag_is_validated():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "afas",
            "emulator",
            "--transactions",
            "0",
            "--fault",
            "error503,connector=Profit_Accounts,times=x",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "times must be a whole number" in done.stderr


def test_a_half_configured_environment_is_reported_by_check():
    proc, info, _ = start_emulator(
        "--transactions",
        "100",
        "--without",
        "KnDimCode",
        "--without",
        "Recon_PaymentConditions",
        "--administrations",
        "",
    )
    try:
        env = {**os.environ, "AFAS_TOKEN": info["Token"]}
        done = subprocess.run(
            [sys.executable, "-m", "afas", "check", "--base-url", info["Base URL"]],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        stop(proc)
    assert done.returncode == 1
    assert "MISSING update KnDimCode" in " ".join(done.stdout.split())
    assert "MISSING get Recon_PaymentConditions" in " ".join(done.stdout.split())
    assert "Algemeen - Administraties" in done.stdout


def test_emulator_listens_before_it_prints_its_address():
    import socket

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "afas", "emulator", "--port", str(port), "--transactions", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in proc.stdout:
            if line.startswith("AFAS Profit emulator:"):  # the first line it prints
                break
        with socket.create_connection(("127.0.0.1", port), timeout=5):  # once: no retry
            pass
    finally:
        stop(proc)
