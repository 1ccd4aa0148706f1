"""``python -m afas close``: the month-end close of one administration and period, one line per
balance-sheet account with its status, then "N of M accounts reconciled"; exit 0 only when every
account is reconciled or reviewed, so a scheduled job can alert. ``--out`` writes the auditor's
workbook."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from afas.catalogue import label
from afas.errors import InputError
from afas.i18n import number, tr

__all__ = ["add_parser", "run"]

NOT_CLOSED = 4
"""Exit status when an account is not reconciled yet (nothing failed: the close is not done)."""


def _period(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{1,3})", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(
            tr("{text} is not a period; write it as YYYY-MM, e.g. 2026-03").format(text=repr(text))
        )
    return int(m.group(1)), int(m.group(2))


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "close", help=tr("the month-end close of a period: each balance-sheet account's status")
    )
    p.add_argument("--db", required=True, help=tr("the DuckDB file holding the synced AFAS tables"))
    p.add_argument("--administration", type=int, required=True, help=tr("the AFAS administration (number)"))
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM", help=tr("year and period"))
    p.add_argument("--out", type=Path, metavar="FILE.xlsx", help=tr("write the close report for the auditor"))
    p.set_defaults(func=run)
    return p


def _money(value) -> str:
    return "" if value is None else number(value, 2)


def run(args: argparse.Namespace) -> int:
    from afas.close.overview import close_overview
    from afas.warehouse.db import connection

    if not Path(args.db).exists():
        raise InputError(
            tr("{file} does not exist.").format(file=args.db), tr("Run python -m afas sync --db FILE first.")
        )
    year, period = args.period
    with connection(args.db) as con:
        overview = close_overview(con, args.administration, year, period)
        if args.out:
            from afas.close.report import close_report

            args.out.write_bytes(close_report(con, overview))
    line = tr(
        "{account} {description} {status} AFAS {balance}  evidence {evidence}  unexplained {unexplained}"
    )
    for row in overview.accounts:
        print(
            line.format(
                account=f"{row.account:<8}",
                description=f"{row.description[:32]:<32}",
                status=f"{label(row.status):<24}",
                balance=f"{_money(row.afas_balance):>15}",
                evidence=f"{_money(row.supporting):>15}",
                unexplained=f"{_money(row.unexplained):>12}",
            )
        )
    print(
        tr("{summary} (administration {unit}, period {period})").format(
            summary=overview.summary(), unit=args.administration, period=overview.period.label()
        )
    )
    if args.out:
        print(tr("report written to {file}").format(file=args.out))
    return 0 if overview.done == overview.total else NOT_CLOSED
