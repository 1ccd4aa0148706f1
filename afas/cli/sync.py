"""``python -m afas sync``: pull the GetConnectors into a DuckDB file (token from AFAS_TOKEN)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import afas.recon.results  # noqa: F401  (registers the swap hook that keeps the lines old runs read)
from afas.cli.connection import add_connection_args, client_from_env
from afas.i18n import mark, number, tr

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    sy = subparsers.add_parser(
        "sync", help=tr("pull the GetConnectors into a DuckDB file (token from AFAS_TOKEN)")
    )
    sy.add_argument("--db", required=True, help=tr("the DuckDB file (created if missing)"))
    sy.add_argument(
        "--connector",
        action="append",
        default=[],
        metavar="ID",
        help=tr("a GetConnector to sync (repeatable; default: all the product uses)"),
    )
    sy.add_argument("--administration", type=int, default=None, help=tr("only this administration (number)"))
    sy.add_argument(
        "--full", action="store_true", help=tr("refetch journal lines whole instead of incrementally")
    )
    add_connection_args(sy)
    sy.set_defaults(func=run, on_cancel=mark("the previous data is unchanged."))
    return sy


def run(args: argparse.Namespace) -> int:
    """Prints one line per connector; exit status 0, or 1 when a connector failed (its data kept)."""
    from afas.catalogue import label
    from afas.warehouse.sync import SyncProgress, SyncStatus, sync

    client = client_from_env(args)
    live = sys.stderr.isatty()

    def progress(p: SyncProgress) -> None:
        if live:
            share = f" ({number(round(p.fraction * 100))}%)" if p.fraction is not None else ""
            text = tr("{connector}: {rows} rows, {pages} pages").format(
                connector=p.connector, rows=number(p.rows), pages=number(p.pages)
            )
            print(f"\r  {text}{share}   ", end="", file=sys.stderr)

    with client:
        results = sync(
            args.db,
            client,
            args.connector or None,
            administration=args.administration,
            progress=progress,
            full=args.full,
        )
    if live:
        print(file=sys.stderr)
    line = tr("{status} {connector} {rows} rows {pages} pages {seconds} s  {mode}")
    for r in results:
        print(
            line.format(
                status=f"{label(r.status):6}",
                connector=f"{r.connector:36}",
                rows=f"{number(r.rows):>12}",
                pages=f"{number(r.pages):>7}",
                seconds=f"{number(r.seconds, 1):>7}",
                mode=label(r.mode),
            )
        )
    from afas.close.form import reopened_texts
    from afas.close.overview import recheck_signed
    from afas.warehouse.db import connection

    with connection(args.db) as con:
        for text in reopened_texts(recheck_signed(con)):
            print(text)
    failed = next((r for r in results if r.status != SyncStatus.OK), None)
    if failed is not None:
        print(
            tr("error: {connector}: {error}").format(connector=failed.connector, error=failed.error),
            file=sys.stderr,
        )
        return 1
    return 0
