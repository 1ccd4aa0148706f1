"""One place that turns errors into what the page shows: plain words and what to do, no traces.

app.py calls :func:`render_errors` around ``page.run()``: an :class:`afas.errors.AppError` that a page
does not handle itself ends there, shown in the user's words, and the page stops. Where a page must go
on after a failed action (the rest of the page still belongs on screen), it wraps the action in
:func:`shown_here`: the same words, shown where the action was, and the page carries on. Pages hold
no ``try`` blocks of their own. Messages are shown as plain text
(``st.error`` with Markdown switched off by escaping), since they may quote a file name, a header or
AFAS's own text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from afas.errors import AppError, BusyError
from afas.i18n import tr
from afas.profit.errors import AfasAuthError
from afas.ui.text import plain

__all__ = ["error_text", "render_errors", "show_error", "shown_here"]

_log = logging.getLogger(__name__)


def error_text(exc: AppError) -> str:
    """The error as Markdown that shows it literally: message, then the hint or the likely causes."""
    text = str(exc)
    shown = plain(text)
    if exc.hint and exc.hint not in text:
        shown += "\n\n" + plain(exc.hint)
    if isinstance(exc, AfasAuthError) and exc.likely_causes:
        causes = "\n".join(f"- {plain(c)}" for c in exc.likely_causes)
        shown += "\n\n" + plain(tr("Likely causes:")) + "\n" + causes
    return shown


def show_error(exc: BaseException, where: Callable[[str], object] | None = None) -> None:
    """Show ``exc`` in words; an error that is not an AppError is a bug: a short notice, no details."""
    box = where or (st.warning if isinstance(exc, BusyError) else st.error)
    if isinstance(exc, AppError):
        box(error_text(exc))
    else:
        _log.error("unexpected error shown to the user", exc_info=exc)
        box(
            plain(
                tr(
                    "Something went wrong inside the dashboard ({error}). Try it again; if it keeps "
                    "failing, tell whoever runs the dashboard (the details are in its log)."
                ).format(error=type(exc).__name__)
            )
        )


class _Outcome:
    """What :func:`shown_here` saw: ``failed`` is True when the block raised (and the error was shown)."""

    failed = False


@contextmanager
def shown_here(where: Callable[[str], object] | None = None) -> Iterator[_Outcome]:
    """Run an action; an error it raises is shown here (as :func:`render_errors` would) and the page goes
    on. ``with shown_here() as outcome: ...`` then ``outcome.failed`` says whether it failed."""
    outcome = _Outcome()
    try:
        yield outcome
    except Exception as exc:  # noqa: BLE001 - shown in words, like render_errors
        outcome.failed = True
        show_error(exc, where)


@contextmanager
def render_errors() -> Iterator[None]:
    """Show an error that escapes a page: an AppError in words, anything else as a short notice (and in
    the log); st.stop/st.rerun are BaseExceptions and pass through."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the one place errors reach the page
        show_error(exc)
