"""``python -m afas check``: is the AFAS side set up right (token from AFAS_TOKEN)."""

from __future__ import annotations

import argparse
from typing import Any

from afas.cli.connection import add_connection_args, client_from_env

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    ck = subparsers.add_parser(
        "check", help="check that the AFAS side is set up right (token from AFAS_TOKEN)"
    )
    add_connection_args(ck)
    ck.set_defaults(func=run)
    return ck


def run(args: argparse.Namespace) -> int:
    """Prints one line per connector and every problem; exit status 0 when ready, 1 when not."""
    from afas.profit.readiness import check_readiness

    with client_from_env(args) as client:
        result = check_readiness(client)
    print(
        f"Environment: {result.envid or '?'}   Profit version: {result.version or '?'}   "
        f"App connector: {result.app_name or '?'}"
    )
    for c in result.connectors:
        mark = "ok     " if c.present else "MISSING"
        print(f"  {mark} {c.kind:6} {c.tenant_id:36} {c.purpose}")
    if result.administrations:
        print("Administrations: " + ", ".join(f"{a.id} {a.name}" for a in result.administrations))
    for problem in result.problems:
        print(f"- {problem}")
    print("Ready." if result.ok else "Not ready: fix the points above.")
    return 0 if result.ok else 1
