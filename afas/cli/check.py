"""``python -m afas check``: is the AFAS side set up right (token from AFAS_TOKEN)."""

from __future__ import annotations

import argparse
from typing import Any

from afas.cli.connection import add_connection_args, client_from_env
from afas.i18n import ptr, tr

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    ck = subparsers.add_parser(
        "check", help=tr("check that the AFAS side is set up right (token from AFAS_TOKEN)")
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
        tr("Environment: {environment}   Profit version: {version}   App connector: {app}").format(
            environment=result.envid or "?", version=result.version or "?", app=result.app_name or "?"
        )
    )
    present, missing = ptr("connector present", "ok"), tr("MISSING")
    width = max(len(present), len(missing))
    for c in result.connectors:
        mark = present if c.present else missing
        print(f"  {mark:<{width}} {c.kind:6} {c.tenant_id:36} {c.purpose}")
    if result.administrations:
        print(
            tr("Administrations: {administrations}").format(
                administrations=", ".join(f"{a.id} {a.name}" for a in result.administrations)
            )
        )
    for problem in result.problems:
        print(f"- {problem}")
    print(tr("Ready.") if result.ok else tr("Not ready: fix the points above."))
    return 0 if result.ok else 1
