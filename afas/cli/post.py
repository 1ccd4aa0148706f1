"""``python -m afas post``: send the approved corrections in a warehouse file's outbox to AFAS.

It sends as the dashboard's 'Send to AFAS' does (afas.corrections.outbox.Outbox.post): items whose
sender was killed or stopped while sending become 'unknown', every unknown item is resolved by reading
AFAS back (never by resending), then every approved item is sent once. Items that a dashboard session
or another ``post`` is sending at the same time are left to it and named. The warehouse file is open
only for each step, never while AFAS is being asked, so the dashboard keeps working meanwhile.
``--dry-run`` validates the approved items against the warehouse and prints their request bodies;
nothing is sent to AFAS and no item changes state. The token comes only from AFAS_TOKEN, never from
the command line. Each line names the item's state by its stored name (OutboxState: approved,
confirmed, rejected, unknown, stale), which scripts match on; the dashboard shows the catalogue's words.
Exit status (afas.cli): 0 all went through, 1 some item is rejected, stale, unknown or invalid, 2 bad
input, 3 busy: some items were being sent by another program, or the warehouse is held elsewhere
(run again later to see them).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from afas.cli.connection import add_connection_args, client_from_env
from afas.i18n import tr

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``post`` command on an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "post", help=tr("send the approved corrections in the outbox to AFAS (token from AFAS_TOKEN)")
    )
    p.add_argument("--db", required=True, help=tr("the warehouse DuckDB file holding the outbox"))
    p.add_argument(
        "--dry-run", action="store_true", help=tr("validate and show the request bodies; send nothing")
    )
    add_connection_args(p)
    p.set_defaults(func=run)
    return p


def _dry_run(con: Any) -> int:
    from afas.corrections.outbox import Outbox
    from afas.corrections.schema import PENDING_STATES, OutboxState
    from afas.corrections.serialize import item_from_json, to_json
    from afas.corrections.validation import Validator

    outbox = Outbox(con)
    validator = Validator(con)
    problems = 0
    rows = [row for state in PENDING_STATES for row in outbox.items(state)]
    held = {r.item_id for r in outbox.held_by_others(rows)}
    if not rows:
        print(tr("Nothing to send: the outbox has no approved or unknown items."))
    for row in sorted(rows, key=lambda r: r.item_id):
        if row.item_id in held:
            print(
                tr("#{item} {reference}: {state}; being sent by {sender}").format(
                    item=row.item_id, reference=row.reference, state=row.state, sender=row.claimed_name
                )
            )
            continue
        if row.state != OutboxState.APPROVED:
            print(
                tr("#{item} {reference}: {state}; would be resolved by reading AFAS back").format(
                    item=row.item_id, reference=row.reference, state=row.state
                )
            )
            continue
        check = validator.check(item_from_json(row.kind, to_json(row.plan)))
        mark = tr("valid") if check.ok else tr("INVALID")
        print(f"#{row.item_id} {row.method} {row.connector} {row.reference} ({row.description}): {mark}")
        for text in check.messages:
            print(f"    - {text}")
        hint = tr("hint: {text}")
        for text in check.hints:
            print("    " + hint.format(text=text))
        print("    " + json.dumps(row.request_body, ensure_ascii=False))
        problems += not check.ok
    return 1 if problems else 0


def _post(db: str, client: Any) -> int:
    from afas.corrections.claims import default_name
    from afas.corrections.outbox import Outbox
    from afas.corrections.schema import OutboxState

    with Outbox(db, sender=f"python -m afas post ({default_name()})") as outbox:
        for item_id in outbox.recover():
            print(
                tr("#{item}: interrupted while sending; now {state}").format(
                    item=item_id, state=OutboxState.UNKNOWN
                )
            )
        outcomes = outbox.post(client)
    if not outcomes:
        print(tr("Nothing to send: the outbox has no approved or unknown items."))
    bad = held = 0
    for o in outcomes:
        if o.held_by is not None:
            print(f"#{o.item_id} {o.reference}: {o.state}; {o.message}")
            held += 1
            continue
        keys = " ".join(f"{k}={v}" for k, v in (o.keys or {}).items() if v)
        line = f"#{o.item_id} {o.reference}: {o.state}"
        if keys:
            line += f" ({keys})"
        if o.message:
            line += f": {o.message}"
        print(line)
        bad += o.state != OutboxState.CONFIRMED
    return 1 if bad else 3 if held else 0


def run(args: argparse.Namespace) -> int:
    """Carry out ``post``; prints one line per item and returns the exit status."""
    from afas.warehouse.db import connection

    if args.dry_run:
        with connection(args.db) as con:
            return _dry_run(con)
    with client_from_env(args) as client:
        return _post(args.db, client)
