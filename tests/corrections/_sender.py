"""A sender in a process of its own, for the tests: ``python -m tests.corrections._sender --db FILE``.

Posts the outbox as ``python -m afas post`` does (token from AFAS_TOKEN, address from AFAS_BASE_URL)
and prints one JSON line per outcome. ``--kill-at before_request|after_request`` makes the process
kill itself (SIGKILL: no cleanup of any kind) at that point of its first send, the way a process dies
when the machine or an operator stops it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

import orjson

from afas.corrections.outbox import Outbox
from afas.profit.client import ProfitClient, RetryPolicy
from afas.profit.environment import Environment
from afas.profit.token import ProfitToken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--name", default=None)
    parser.add_argument("--kill-at", choices=("before_request", "after_request"), default=None)
    args = parser.parse_args(argv)

    def hook(point: str, item_id: int) -> None:
        if point == args.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    with ProfitClient(
        Environment.from_base_url(os.environ["AFAS_BASE_URL"]),
        ProfitToken.parse(os.environ["AFAS_TOKEN"]),
        retry=RetryPolicy(attempts=4, base=0.0, cap=0.0),
    ) as client:
        outcomes = Outbox(args.db, sender=args.name, hook=hook).post(client)
    for o in outcomes:
        print(orjson.dumps({"item_id": o.item_id, "state": o.state, "held_by": o.held_by}).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
