"""Command line: ``python -m afas <command>``.

- ``emulator``: serve the AFAS Profit emulator with its demo administration over HTTP.
- ``check``: the readiness check against an AFAS environment (or the emulator).
- ``sync``: pull the GetConnectors into a DuckDB file (incremental for journal lines by default).
- ``reconcile``: import a ledger file and match it against the synced journal lines.
- ``post``: send the approved corrections in the outbox to AFAS (never twice).

The AFAS token of a real environment is read only from the AFAS_TOKEN environment variable, never
from the command line (where it would land in shell history and process lists).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time

from afas.profit.cli_env import add_connection_args, client_from_env

__all__ = ["main"]


def _emulator(args: argparse.Namespace) -> int:
    from afas.emulator.core import Emulator, EmulatorConfig
    from afas.emulator.faults import FaultRule
    from afas.emulator.server import EmulatorServer

    started = time.monotonic()
    emulator = Emulator(
        seed=args.seed,
        transactions=args.transactions,
        token_data=args.token,
        config=EmulatorConfig(environment_number=args.environment),
    )
    try:
        emulator.restrict_demo_token(without=args.without, administrations=args.administrations)
    except ValueError as exc:
        print(f"error: --without: {exc}", file=sys.stderr)
        return 2
    for spec in args.fault:
        try:
            emulator.faults.add(FaultRule.parse(spec))
        except ValueError as exc:
            print(f"error: --fault {spec!r}: {exc}", file=sys.stderr)
            return 2
    emulator.warm()  # render the GetConnector pages now, not on the first request
    server = EmulatorServer(emulator, host=args.host, port=args.port).start()  # listening before we say so
    summary = emulator.demo_summary
    lines = getattr(summary, "lines", None)
    print(
        f"AFAS Profit emulator: environment {emulator.envid}, demo data seed {args.seed}"
        + (f", {lines:,} journal lines" if lines is not None else "")
        + f" (ready in {time.monotonic() - started:.1f} s)"
    )
    print(f"Base URL: {server.base_url}")
    print(f"Token:    {emulator.token_data}")
    print("Press Ctrl+C to stop.", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


def _check(args: argparse.Namespace) -> int:
    from afas.profit.readiness import check_readiness

    try:
        client = client_from_env(args)
    except ValueError as exc:  # TokenFormatError / EnvironmentInputError: messages never echo the input
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with client:
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


def _sync(args: argparse.Namespace) -> int:
    from afas.profit.errors import AfasError
    from afas.warehouse.db import WarehouseBusy
    from afas.warehouse.sync import SyncAlreadyRunning, SyncProgress, sync

    try:
        client = client_from_env(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    live = sys.stderr.isatty()

    def progress(p: SyncProgress) -> None:
        if live:
            share = f" ({p.fraction:.0%})" if p.fraction is not None else ""
            print(f"\r  {p.connector}: {p.rows:,} rows, {p.pages:,} pages{share}   ", end="", file=sys.stderr)

    try:
        with client:
            results = sync(
                args.db,
                client,
                args.connector or None,
                administration=args.administration,
                progress=progress,
                full=args.full,
            )
    except (SyncAlreadyRunning, WarehouseBusy, AfasError) as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        if exc.hint and exc.hint not in str(exc):
            print(f"  {exc.hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nerror: cancelled; the previous data is unchanged.", file=sys.stderr)
        return 130
    if live:
        print(file=sys.stderr)
    for r in results:
        print(
            f"{r.status:6} {r.connector:36} {r.rows:>12,} rows {r.pages:>7,} pages "
            f"{r.seconds:7.1f} s  {r.mode}"
        )
    failed = next((r for r in results if r.status != "ok"), None)
    if failed is not None:
        print(f"error: {failed.connector}: {failed.error}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m afas", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    em = sub.add_parser("emulator", help="serve the AFAS Profit emulator with its demo administration")
    em.add_argument("--host", default="127.0.0.1")
    em.add_argument("--port", type=int, default=8765)
    em.add_argument("--seed", type=int, default=1, help="demo data seed (same seed, same data)")
    em.add_argument("--transactions", type=int, default=5000, help="approximate number of journal lines")
    em.add_argument(
        "--token", default=None, help="the demo token's data string (default: derived from the seed)"
    )
    em.add_argument("--environment", type=int, default=12345, help="the environment number it reports")
    em.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="CONNECTOR",
        help="leave a Get- or UpdateConnector out of the token's App connector (repeatable), to see the "
        "readiness check report it",
    )
    em.add_argument(
        "--administrations",
        type=lambda v: [int(x) for x in v.split(",") if x.strip()],
        default=None,
        metavar="N[,N]",
        help="the administrations the token's user may see ('' for none: the missing authorisation filter)",
    )
    em.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault: KIND[,connector=ID][,method=VERB][,times=N|always][,latency_ms=N]"
        "[,retry_after=N] with KIND one of latency, error500, error503, drop, lost_response (repeatable; "
        "at run time also POST /__emulator__/faults)",
    )
    em.set_defaults(func=_emulator)

    ck = sub.add_parser("check", help="check that the AFAS side is set up right (token from AFAS_TOKEN)")
    add_connection_args(ck)
    ck.set_defaults(func=_check)

    sy = sub.add_parser("sync", help="pull the GetConnectors into a DuckDB file (token from AFAS_TOKEN)")
    sy.add_argument("--db", required=True, help="the DuckDB file (created if missing)")
    sy.add_argument(
        "--connector",
        action="append",
        default=[],
        metavar="ID",
        help="a GetConnector to sync (repeatable; default: all the product uses)",
    )
    sy.add_argument("--administration", type=int, default=None, help="only this administration (number)")
    sy.add_argument(
        "--full", action="store_true", help="refetch journal lines whole instead of incrementally"
    )
    add_connection_args(sy)
    sy.set_defaults(func=_sync)

    from afas.recon.cli import add_parser as add_reconcile

    add_reconcile(sub)

    from afas.corrections.cli import add_parser as add_post

    add_post(sub)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
