"""``python -m afas reconcile``: import a ledger file (or take an imported one), match it against the
synced AFAS journal lines, print the counts per result kind and optionally export the results.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from afas.catalogue import label
from afas.errors import InputError
from afas.i18n import ntr, number, tr
from afas.recon.schema import RESULT_KINDS

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``reconcile`` command on an argparse subparsers object."""
    p = subparsers.add_parser(
        "reconcile", help=tr("match a ledger file against the synced AFAS journal lines")
    )
    p.add_argument("--db", required=True, help=tr("the DuckDB file holding the synced AFAS tables"))
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--ledger", type=Path, metavar="FILE", help=tr("a ledger file to import (CSV, Excel, ...)")
    )
    src.add_argument(
        "--import-id", type=int, metavar="N", help=tr("reconcile ledger import N, imported before")
    )
    p.add_argument("--mapping", metavar="PROFILE", help=tr("a saved mapping profile (default: suggested)"))
    p.add_argument("--out", type=Path, metavar="FILE.xlsx", help=tr("write the results as an Excel workbook"))
    p.add_argument("--csv", type=Path, metavar="FILE.csv", help=tr("write the results as CSV"))
    p.add_argument("--ambiguity", choices=("unique", "oldest", "newest"), default="unique")
    p.add_argument("--administration", type=int, default=None, help=tr("only this AFAS administration"))
    p.add_argument("--account", action="append", default=[], help=tr("only this AFAS account (repeatable)"))
    p.add_argument("--from", dest="date_from", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD")
    p.set_defaults(func=run)
    return p


def _import(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    # The import side is another module of the project; imported here so that reconciling an
    # already imported ledger does not need it.
    from afas.recon.ledgers import (
        DuplicateImport,
        import_table,
        load_profile,
        preview_table,
        suggested_mapping,
    )
    from afas.recon.readers import read_ledger_table

    path: Path = args.ledger
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            tr("{file} cannot be read ({why}).").format(file=path, why=exc.strerror or type(exc).__name__)
        ) from None
    table = read_ledger_table(data, path.name)  # read once, column-wise: fit for a million lines
    # the dashboard's path: the recognised layout's mapping, or the one suggested from the header
    mapping = load_profile(con, args.mapping) if args.mapping else suggested_mapping(table)
    for note in preview_table(None, table, mapping).notes:  # every guess, and what it rests on
        said = tr("warning: {subject}: {text}") if note.warn else tr("note: {subject}: {text}")
        print(said.format(subject=label(note.subject), text=note.text))
    try:
        result = import_table(con, table, mapping, file_name=path.name, profile=args.mapping)
    except DuplicateImport as exc:
        earlier = exc.earlier
        print(
            tr("{file} was imported before as import {import_id}; reconciling that import").format(
                file=path.name, import_id=earlier.import_id
            )
        )
        return int(earlier.import_id)
    print(
        ntr(
            "imported {n} line of {file} as import {import_id}",
            "imported {n} lines of {file} as import {import_id}",
            result.rows,
        ).format(n=number(result.rows), file=path.name, import_id=result.import_id)
    )
    return int(result.import_id)


def run(args: argparse.Namespace) -> int:
    """Run the command; prints the counts per result kind. Errors are AppErrors (afas.cli.main)."""
    from afas.corrections.folding import with_corrections
    from afas.recon.export import export_csv, export_workbook
    from afas.recon.matching import AfasFilter, MatchConfig, reconcile
    from afas.warehouse.db import connection

    with connection(args.db) as con:
        import_id = _import(con, args) if args.ledger is not None else args.import_id
        config = MatchConfig(
            ambiguity=args.ambiguity,
            afas_filter=AfasFilter(
                unit_id=args.administration,
                accounts=tuple(args.account) or None,
                date_from=args.date_from,
                date_to=args.date_to,
            ),
        )
        # corrections this tool posted are folded into the lines they correct
        config = dataclasses.replace(config, afas_table=with_corrections(con))
        summary = reconcile(con, import_id, config)
        print(
            tr("run {run}: AFAS lines against ledger import {import_id}").format(
                run=summary.run_id, import_id=import_id
            )
        )
        width = max(len(label(k)) for k in RESULT_KINDS)
        for kind in RESULT_KINDS:
            print(f"  {label(kind):<{width}}  {number(summary.counts[kind]):>10}")
        if args.out is not None:
            export_workbook(con, summary.run_id, args.out)
            print(tr("workbook written to {file}").format(file=args.out))
        if args.csv is not None:
            export_csv(con, summary.run_id, args.csv)
            print(tr("CSV written to {file}").format(file=args.csv))
    return 0
