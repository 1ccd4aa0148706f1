"""argparse's own words in the CLI's language: "usage:", "options:", "show this help message and
exit" and its refusals of a command line ("the following arguments are required: --db").

argparse words these through gettext's default domain, which holds no Dutch, so a Dutch user read
English between the Dutch help texts. :func:`speak_our_language` hands argparse our catalogue at
its seam (the module's ``_`` and ``ngettext``, the names it calls gettext by): each text below is
argparse's own msgid (CPython 3.11-3.13), translated with the context "argparse"; any other text of
argparse's (those for a programmer's mistakes) stays as argparse writes it.
"""

from __future__ import annotations

import argparse

from afas.i18n import ntr, pmark, ptr

__all__ = ["ARGPARSE_TEXTS", "speak_our_language"]

CONTEXT = "argparse"

ARGPARSE_TEXTS = (
    pmark("argparse", "usage: "),
    pmark("argparse", "options"),
    pmark("argparse", "positional arguments"),
    pmark("argparse", "show this help message and exit"),
    pmark("argparse", "%(prog)s: error: %(message)s\n"),
    pmark("argparse", "argument %(argument_name)s: %(message)s"),
    pmark("argparse", "the following arguments are required: %s"),
    pmark("argparse", "one of the arguments %s is required"),
    pmark("argparse", "unrecognized arguments: %s"),
    pmark("argparse", "not allowed with argument %s"),
    pmark("argparse", "ignored explicit argument %r"),
    pmark("argparse", "expected one argument"),
    pmark("argparse", "expected at most one argument"),
    pmark("argparse", "expected at least one argument"),
    pmark("argparse", "invalid %(type)s value: %(value)r"),
    pmark("argparse", "invalid choice: %(value)r (choose from %(choices)s)"),
    pmark("argparse", "ambiguous option: %(option)s could match %(matches)s"),
    pmark("argparse", "can't open '%(filename)s': %(error)s"),
)
"""The texts of argparse's that a user of the command line reads."""


def _text(message: str) -> str:
    return ptr(CONTEXT, message) if message in ARGPARSE_TEXTS else message


def _plural(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return ntr("expected %s argument", "expected %s arguments", n)
    return singular if n == 1 else plural


def speak_our_language() -> None:
    """Have argparse word its texts in the current language (afas.i18n) from now on, in this process."""
    argparse._ = _text  # type: ignore[attr-defined]
    argparse.ngettext = _plural  # type: ignore[attr-defined]
