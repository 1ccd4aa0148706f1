"""Every error the AFAS Profit client raises, with the fix in plain words.

::

    AfasError(Exception)                  base; .message (plain words), .hint (what to do, or None)
    ├── AfasConfigError                   bad local configuration before any request
    │                                     (e.g. a connector id unknown to our catalogue)
    ├── AfasTransportError                no HTTP response: connect error, timeout, dropped connection;
    │   │                                 .request_method, .request_url
    │   └── AfasTimeout                   the request timed out (AFAS may still be working on it)
    └── AfasHTTPError                     a response with an error status; .status, .external_message,
        │                                 .profit_log_reference, .error_number, .method, .url, .body_text
        ├── AfasRedirect                  3xx: something other than Profit's REST service answered;
        │                                 .location (never followed: the token would go along)
        ├── AfasAuthError                 401 / 403; .likely_causes
        ├── AfasNotFound                  404 (also: query string longer than 2,049 characters)
        ├── AfasRejected                  500 with AFAS's functional message (validation and the like)
        └── AfasUnavailable               503 maintenance (also 502/504 gateway errors); .retry_after

Bad pasted input (token, environment number) raises ``ValueError`` subclasses from ``token`` and
``environment`` instead, since it is caught before anything is configured.

``str(error)`` is one readable line: the message, AFAS's own text and the logbook reference. Errors
carry the response body AFAS sent (truncated) but never request headers or request bodies.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson

from afas.errors import AppError
from afas.i18n import mark, number, tr

__all__ = [
    "MAX_BODY_TEXT",
    "AfasAuthError",
    "AfasConfigError",
    "AfasError",
    "AfasHTTPError",
    "AfasNotFound",
    "AfasRedirect",
    "AfasRejected",
    "AfasTimeout",
    "AfasTransportError",
    "AfasUnavailable",
    "error_from_response",
    "error_from_transport",
]

MAX_BODY_TEXT = 2000
_MAX_QUERY = 2049
_WS_RE = re.compile(r"\s+")


def _one_line(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def _safe_url(url: str) -> str:
    """The URL without user info (AFAS URLs carry no secrets, but a proxy URL might)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class AfasError(AppError):
    """Base of all AFAS client errors: ``message`` says what happened, ``hint`` what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return _one_line(self.message)


class AfasConfigError(AfasError):
    """Bad local configuration, found before any request (e.g. an unknown connector id)."""


class AfasTransportError(AfasError):
    """No HTTP response arrived: the connection failed, was dropped, or timed out."""

    def __init__(
        self, message: str, hint: str | None = None, *, request_method: str, request_url: str
    ) -> None:
        super().__init__(message, hint)
        self.request_method = request_method
        self.request_url = _safe_url(request_url)


class AfasTimeout(AfasTransportError):
    """The request timed out; AFAS may still be processing it, so a POST may have gone through."""


class AfasHTTPError(AfasError):
    """AFAS (or something in front of it) answered with an error status."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        status: int,
        method: str,
        url: str,
        external_message: str | None = None,
        profit_log_reference: str | None = None,
        error_number: int | None = None,
        body_text: str = "",
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.method = method
        self.url = _safe_url(url)
        self.external_message = external_message
        self.profit_log_reference = profit_log_reference
        self.error_number = error_number
        self.body_text = body_text[:MAX_BODY_TEXT]

    def __str__(self) -> str:
        parts = [_one_line(self.message)]
        if self.external_message and _one_line(self.external_message) != parts[0]:
            parts.append(f'(AFAS: "{_one_line(self.external_message)}")')
        if self.profit_log_reference:
            parts.append(tr("(log reference {reference})").format(reference=self.profit_log_reference))
        return " ".join(parts)


class AfasRedirect(AfasHTTPError):
    """3xx: a login page, portal or proxy answered in Profit's place; ``location`` is where it points."""

    def __init__(self, message: str, hint: str | None = None, *, location: str | None, **kwargs: Any):
        super().__init__(message, hint, **kwargs)
        self.location = location


class AfasAuthError(AfasHTTPError):
    """401 or 403: AFAS refused the token or the network; ``likely_causes`` lists what to check."""

    def __init__(self, message: str, hint: str | None = None, *, likely_causes: list[str], **kwargs: Any):
        super().__init__(message, hint, **kwargs)
        self.likely_causes = likely_causes


class AfasNotFound(AfasHTTPError):
    """404: wrong URL or connector id, or a query string longer than AFAS accepts."""


class AfasRejected(AfasHTTPError):
    """500 with a message from Profit (validation, unknown field, blocked connector, ...)."""


class AfasUnavailable(AfasHTTPError):
    """503 (maintenance) or a gateway error; ``retry_after`` is AFAS's advised wait in seconds, if any."""

    def __init__(self, message: str, hint: str | None = None, *, retry_after: float | None, **kwargs: Any):
        super().__init__(message, hint, **kwargs)
        self.retry_after = retry_after


# --- parsing AFAS error responses -------------------------------------------------------------------

_CAUSES_401 = [
    mark(
        "The token is wrong, revoked or expired: create a new one on the App connector's 'User tokens' tab."
    ),
    mark("The environment number or type (production/test/accept) does not match the token's environment."),
    mark("The connector is not added to the App connector."),
]
_CAUSES_403 = [
    mark("The App connector has an IP restriction that excludes this machine's address."),
    mark("Rarely, a temporary disturbance at AFAS; try again in a few minutes."),
]


def _shown_host(url: str) -> str:
    """Scheme and host of ``url`` (a redirect's path and query may carry anything)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return tr("another address")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else tr("another path on the same host")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lowered:
                return candidate
    return value


def _json_object(text: str) -> dict[str, object] | None:
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, dict):
        return None
    return {str(key).lower(): value for key, value in parsed.items()}


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _seconds(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _retry_after_header(value: str | None, now: datetime | None) -> float | None:
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    if current.tzinfo is None:
        current = current.replace(tzinfo=UTC)
    return max(0.0, (when - current).total_seconds())


def _decode_profit_error_header(value: str | None) -> dict[str, object]:
    """Decode the deprecated X-PROFIT-ERROR header: base64 of text or of a JSON error object."""
    if not value or not value.strip():
        return {}
    raw = value.strip()
    try:
        text = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        text = raw  # some gateways send it as plain text
    obj = _json_object(text)
    if obj is not None:
        return obj
    return {"externalmessage": text} if text.strip() else {}


def _human_wait(seconds: float) -> str:
    if seconds >= 5400:
        return tr("about {n} hours").format(n=round(seconds / 3600))
    if seconds >= 90:
        return tr("about {n} minutes").format(n=round(seconds / 60))
    return tr("{n} seconds").format(n=round(seconds))


def _query_length(url: str) -> int:
    """The query string's length as AFAS counts it: from the ``?`` on."""
    return len(url) - url.index("?") if "?" in url else 0


def error_from_response(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    method: str,
    url: str,
    *,
    now: datetime | None = None,
) -> AfasHTTPError:
    """Turn an AFAS error response into the matching :class:`AfasHTTPError` subclass.

    Understands the Profit error body (externalMessage/errorNumber/profitLogReference), the 503 body
    with ``retry_after``, ``{"message": ...}``, empty and non-JSON bodies, and the deprecated
    ``X-PROFIT-ERROR`` header as a fallback. ``now`` fixes the clock for HTTP-date ``Retry-After``.
    """
    body_text = body.decode("utf-8", errors="replace") if body else ""
    obj = _json_object(body_text) if body_text.strip() else None
    fields: dict[str, object] = obj or {}

    nested = fields.get("error")
    nested_message = _text(nested.get("message")) if isinstance(nested, dict) else _text(nested)
    external = _text(fields.get("externalmessage")) or _text(fields.get("message")) or nested_message
    log_reference = _text(fields.get("profitlogreference"))
    error_number = _int(fields.get("errornumber"))

    if external is None:
        fallback = _decode_profit_error_header(_header(headers, "X-PROFIT-ERROR"))
        external = _text(fallback.get("externalmessage")) or _text(fallback.get("message"))
        log_reference = log_reference or _text(fallback.get("profitlogreference"))
        if error_number is None:
            error_number = _int(fallback.get("errornumber"))

    common: dict[str, Any] = {
        "status": status,
        "method": method,
        "url": url,
        "external_message": external,
        "profit_log_reference": log_reference,
        "error_number": error_number,
        "body_text": body_text,
    }

    if 300 <= status < 400:
        location = _header(headers, "Location")
        target = _safe_url(location) if location else None
        where = tr(" to {address}").format(address=_shown_host(target)) if target else ""
        return AfasRedirect(
            tr(
                "The address answered with a redirect (HTTP {status}){where} instead of AFAS Profit's REST "
                "service; nothing was read or sent."
            ).format(status=status, where=where),
            tr(
                "Check the environment number and type (or the base URL): a login page or a proxy answers "
                "there. The redirect is not followed, so the token never goes to another address."
            ),
            location=target,
            **common,
        )
    if status == 401:
        return AfasAuthError(
            tr("AFAS refused the token (HTTP 401)."),
            tr("Check the token, the environment number and type, and the App connector's connectors."),
            likely_causes=[tr(c) for c in _CAUSES_401],
            **common,
        )
    if status == 403:
        return AfasAuthError(
            tr("AFAS refused the request from this network (HTTP 403)."),
            tr("Ask the AFAS administrator to allow this machine's IP address on the App connector."),
            likely_causes=[tr(c) for c in _CAUSES_403],
            **common,
        )
    if status == 404:
        length = _query_length(url)
        if length > _MAX_QUERY:
            message = tr(
                "AFAS did not accept the request (HTTP 404): its query string is {length} characters, "
                "more than the {most} AFAS allows."
            ).format(length=number(length), most=number(_MAX_QUERY))
            hint = tr("Split the filter over several requests, e.g. fewer values per request.")
        else:
            message = tr("AFAS did not find the requested address (HTTP 404).")
            hint = tr(
                "Check the connector id and the environment's URL. AFAS also answers 404 when the query "
                "string is longer than {most} characters."
            ).format(most=number(_MAX_QUERY))
        return AfasNotFound(message, hint, **common)
    if status == 500:
        if log_reference:
            hint = tr(
                "The AFAS administrator finds the full error in Profit's logbook under reference {reference}."
            ).format(reference=log_reference)
        else:
            hint = tr("The AFAS administrator may find the full error in Profit's logbook.")
        if external:
            return AfasRejected(external, hint, **common)
        return AfasHTTPError(tr("AFAS reported an error (HTTP 500)."), hint, **common)
    if status in (502, 503, 504):
        retry_after = _retry_after_header(_header(headers, "Retry-After"), now)
        if retry_after is None:
            retry_after = _seconds(fields.get("retry_after"))
        if status == 503:
            message = tr("AFAS is temporarily unavailable (maintenance) (HTTP 503).")
        else:
            message = tr("AFAS could not be reached through its gateway (HTTP {status}).").format(
                status=status
            )
        hint = tr("Try again later; afasstatus.nl shows planned maintenance.")
        if retry_after is not None:
            hint = tr("Try again in {wait}; afasstatus.nl shows planned maintenance.").format(
                wait=_human_wait(retry_after)
            )
        return AfasUnavailable(message, hint, retry_after=retry_after, **common)
    if status == 413:
        message = tr("The request is too large for AFAS (HTTP 413).")
        hint = tr("AFAS accepts at most 75 MB per call; send fewer lines or records per request.")
    elif status == 400:
        message = tr("AFAS could not read the request (HTTP 400).")
        hint = None
    else:
        message = tr("AFAS answered with an error (HTTP {status}).").format(status=status)
        hint = None
    return AfasHTTPError(message, hint, **common)


def error_from_transport(exc: BaseException, method: str, url: str) -> AfasTransportError:
    """Describe a failure without an HTTP response (an ``httpx.TransportError`` or ``OSError``).

    A timeout becomes :class:`AfasTimeout`; its hint warns that AFAS may still complete the request.
    Only the exception's type name is kept in the message: library messages can quote request data.
    """
    kind = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        if isinstance(exc, httpx.ConnectTimeout):
            message = tr("Connecting to AFAS timed out ({kind}).").format(kind=kind)
            hint = tr("Check the network and the environment's URL, then try again.")
        else:
            message = tr("AFAS did not answer in time ({kind}).").format(kind=kind)
            hint = tr(
                "AFAS may still be processing the request: check before sending a change again, "
                "and try a smaller page (take) for reads."
            )
        return AfasTimeout(message, hint, request_method=method, request_url=url)
    if isinstance(exc, httpx.ConnectError | ConnectionRefusedError):
        message = tr("Could not connect to AFAS ({kind}).").format(kind=kind)
        hint = tr("Check the network connection, proxy settings and the environment's URL.")
    elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError | ConnectionError):
        message = tr("The connection to AFAS was dropped ({kind}).").format(kind=kind)
        hint = tr("Try again; for a change sent to AFAS, first check whether it arrived.")
    else:
        message = tr("The request to AFAS failed without a response ({kind}).").format(kind=kind)
        hint = None
    return AfasTransportError(message, hint, request_method=method, request_url=url)
