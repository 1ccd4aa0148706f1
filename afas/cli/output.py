"""How the command line says what went wrong: one line of message, the hint beneath it."""

from __future__ import annotations

import sys
import traceback

from afas.errors import AppError
from afas.i18n import tr
from afas.profit.logs import redact_all

__all__ = ["print_bug", "print_error"]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def print_error(exc: AppError) -> None:
    print(tr("error: {message}").format(message=_one_line(exc)), file=sys.stderr)
    if exc.hint and exc.hint not in str(exc):
        print(f"  {_one_line(exc.hint)}", file=sys.stderr)


def print_bug(exc: BaseException) -> None:
    """An error that is not an AppError is a bug: a short line, then the traceback (tokens masked)."""
    print(
        tr(
            "error: something went wrong inside the program ({error}); please report it with the "
            "details below."
        ).format(error=type(exc).__name__),
        file=sys.stderr,
    )
    print(redact_all("".join(traceback.format_exception(exc))), file=sys.stderr, end="")
