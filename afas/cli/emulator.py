"""``python -m afas emulator``: serve the AFAS Profit emulator with its demo administration over HTTP."""

from __future__ import annotations

import argparse
import contextlib
import time
from typing import Any

from afas.errors import InputError
from afas.i18n import number, tr

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    em = subparsers.add_parser(
        "emulator", help=tr("serve the AFAS Profit emulator with its demo administration")
    )
    em.add_argument("--host", default="127.0.0.1")
    em.add_argument("--port", type=int, default=8765)
    em.add_argument("--seed", type=int, default=1, help=tr("demo data seed (same seed, same data)"))
    em.add_argument("--transactions", type=int, default=5000, help=tr("approximate number of journal lines"))
    em.add_argument(
        "--token", default=None, help=tr("the demo token's data string (default: derived from the seed)")
    )
    em.add_argument("--environment", type=int, default=12345, help=tr("the environment number it reports"))
    em.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="CONNECTOR",
        help=tr(
            "leave a Get- or UpdateConnector out of the token's App connector (repeatable), to see the "
            "readiness check report it"
        ),
    )
    em.add_argument(
        "--administrations",
        type=lambda v: [int(x) for x in v.split(",") if x.strip()],
        default=None,
        metavar="N[,N]",
        help=tr(
            "the administrations the token's user may see ('' for none: the missing authorisation filter)"
        ),
    )
    em.add_argument(
        "--subsecond-timestamps",
        action="store_true",
        help=tr(
            "keep Created/Modified with milliseconds, show them rounded to the second and filter on the "
            "kept value, as AFAS does"
        ),
    )
    em.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help=tr(
            "inject a fault: KIND[,connector=ID][,method=VERB][,times=N|always][,latency_ms=N]"
            "[,retry_after=N] with KIND one of latency, error500, error503, drop, lost_response (repeatable; "
            "at run time also POST /__emulator__/faults)"
        ),
    )
    em.set_defaults(func=run)
    return em


def run(args: argparse.Namespace) -> int:
    from afas.emulator.core import Emulator, EmulatorConfig
    from afas.emulator.faults import FaultRule
    from afas.emulator.server import EmulatorServer

    started = time.monotonic()
    emulator = Emulator(
        seed=args.seed,
        transactions=args.transactions,
        token_data=args.token,
        config=EmulatorConfig(
            environment_number=args.environment, subsecond_timestamps=args.subsecond_timestamps
        ),
    )
    try:
        emulator.restrict_demo_token(without=args.without, administrations=args.administrations)
    except ValueError as exc:  # the emulator stands apart from the app: its errors are plain
        raise InputError(f"--without: {exc}") from None
    for spec in args.fault:
        try:
            emulator.faults.add(FaultRule.parse(spec))
        except ValueError as exc:
            raise InputError(f"--fault {spec!r}: {exc}") from None
    emulator.warm()  # render the GetConnector pages now, not on the first request
    server = EmulatorServer(emulator, host=args.host, port=args.port).start()  # listening before we say so
    summary = emulator.demo_summary
    lines = getattr(summary, "lines", None)
    seconds = number(time.monotonic() - started, 1)
    if lines is not None:
        print(
            tr(
                "AFAS Profit emulator: environment {environment}, demo data seed {seed}, {lines} journal "
                "lines (ready in {seconds} s)"
            ).format(environment=emulator.envid, seed=args.seed, lines=number(lines), seconds=seconds)
        )
    else:
        print(
            tr(
                "AFAS Profit emulator: environment {environment}, demo data seed {seed} (ready in "
                "{seconds} s)"
            ).format(environment=emulator.envid, seed=args.seed, seconds=seconds)
        )
    print(f"Base URL: {server.base_url}")  # fixed labels: scripts (and the tests) read these two lines
    print(f"Token:    {emulator.token_data}")
    print(tr("Press Ctrl+C to stop."), flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # stopping is what Ctrl+C is for here
        server.serve_forever()
    return 0
