"""The one base of every error a user can meet, so the dashboard and the CLI show them in one place.

::

    AppError(Exception)            .message (plain words), .hint (what to do, or None), .exit_code
    ├── InputError                 what the user typed or uploaded cannot be used (exit code 2)
    ├── BusyError                  someone else holds what is needed; try again (exit code 3)
    ├── afas.profit.errors.AfasError and its tree (AFAS refused, failed or did not answer)
    └── the errors of the warehouse, the ledger import, the SQL box and the outbox

The dashboard renders an AppError around ``page.run()`` (afas.ui.errors.show_error), the CLI in
``main()``; nothing else catches them to show them. Anything else is a bug and keeps its traceback
(in the server log, never on the page). Messages never carry a token.
"""

from __future__ import annotations

__all__ = ["AppError", "BusyError", "InputError"]


class AppError(Exception):
    """An error in the user's words: ``message`` says what happened, ``hint`` what to do about it."""

    exit_code: int = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(AppError, ValueError):
    """Input the user gave (a value, a file, a query) cannot be used; the message says how to fix it."""

    exit_code = 2


class BusyError(AppError):
    """Another session, process or program holds what this needs for now; trying again later works."""

    exit_code = 3
