"""``python -m afas <command>``: the parser of every command and the one place errors are shown."""

from __future__ import annotations

import argparse
import os

from afas.cli import check, close, emulator, post, reconcile, sync
from afas.cli.output import print_bug, print_error
from afas.cli.words import speak_our_language
from afas.errors import AppError
from afas.i18n import language_of_environment, mark, tr, using

__all__ = ["main"]

DESCRIPTION = mark(
    "Check and correct the books in AFAS Profit: emulator, check, sync, reconcile, close, post."
)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m afas",
        description=tr(DESCRIPTION),
        epilog=tr(
            "Exit status: 0 done; 1 AFAS refused or failed part of it; 2 input that cannot be used; "
            "3 busy (another sync, session or program holds what was needed); 4 (close) an account is not "
            "reconciled yet; 130 cancelled. The token of a "
            "real environment is read only from AFAS_TOKEN, never from the command line."
        ),
    )
    sub = root.add_subparsers(dest="command", required=True)
    for command in (emulator, check, sync, reconcile, close, post):
        command.add_parser(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    speak_our_language()  # argparse's "usage:", "options:" and refusals too
    with using(language_of_environment(os.environ)):  # AFAS_LANGUAGE, else the system's locale
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except AppError as exc:
        print_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        why = getattr(args, "on_cancel", None)
        print_error(AppError(tr("cancelled; {why}").format(why=tr(why)) if why else tr("cancelled.")))
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: said so, with its traceback (tokens masked)
        print_bug(exc)
        return 1
