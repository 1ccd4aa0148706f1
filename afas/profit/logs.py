"""The one redaction point in logging: no AFAS token reaches a log record.

Every ``ProfitToken`` a client uses is registered here; a filter on the ``afas`` logger and on the
root logger's handlers replaces its data, XML and base64 forms with ``***`` in every message and
argument, whatever logged it (httpx, uvicorn, our code).
"""

from __future__ import annotations

import logging
import threading
import weakref

from afas.profit.token import ProfitToken, redact

__all__ = ["RedactingFilter", "install", "redact_all", "register_secret"]

_tokens: weakref.WeakSet[ProfitToken] = weakref.WeakSet()
_lock = threading.Lock()
_installed = False


def redact_all(text: str) -> str:
    with _lock:
        tokens = list(_tokens)
    for token in tokens:
        text = redact(text, token)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with every registered token masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _tokens:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix; leave the record alone
            return True
        cleaned = redact_all(message)
        if record.exc_info and record.exc_info[1] is not None:
            exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact_all(exc_text)
        record.msg, record.args = cleaned, None
        return True


def install() -> None:
    """Attach the filter to the 'afas', 'httpx' and 'httpcore' loggers and the root's handlers."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    flt = RedactingFilter()
    for name in ("afas", "httpx", "httpcore", "uvicorn", "uvicorn.error"):
        logging.getLogger(name).addFilter(flt)
    for handler in logging.getLogger().handlers:
        handler.addFilter(flt)


def register_secret(token: ProfitToken) -> None:
    with _lock:
        _tokens.add(token)
    install()
