"""Errors the emulator answers with, in AFAS's shapes.

A ``ProfitError`` becomes AFAS's standard error body
``{"externalMessage": ..., "errorNumber": ..., "profitLogReference": <32 hex>}`` with its HTTP
status (500 for functional/validation errors, as Profit does). Messages come in the environment's
language (nl-nl) or English (en-us) depending on the request's Accept-Language.
"""

from __future__ import annotations

__all__ = [
    "ProfitError",
    "ERR_GENERIC",
    "ERR_NOT_AUTHORISED",
    "ERR_VALUE_DOES_NOT_EXIST",
    "ERR_VALIDATION",
    "msg",
]

# errorNumber values seen in AFAS's documentation and clients (afas-profit-api.md §6.2).
ERR_GENERIC = -2147180999  # "An unexpected error has occurred." (bad skip/take)
ERR_NOT_AUTHORISED = -2147180996  # connector not supported for this app / user not authorised
ERR_VALUE_DOES_NOT_EXIST = -2147220469  # "The entered value for '<label>' does not exist."
ERR_VALIDATION = -2147024809  # other functional messages (UNCONFIRMED: AFAS uses generic numbers)


class ProfitError(Exception):
    """A functional error as Profit reports it: HTTP status, externalMessage, errorNumber."""

    def __init__(self, message: str, *, status: int = 500, error_number: int = ERR_VALIDATION) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_number = error_number


def msg(lang: str, en: str, nl: str) -> str:
    """Pick the English or Dutch text of a message for the request's language."""
    return en if lang.lower().startswith(("en", "fr", "de")) else nl
