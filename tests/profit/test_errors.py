"""AFAS error responses become exceptions with plain-words messages and the fix."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import httpx
import orjson
import pytest

from afas.profit.errors import (
    AfasAuthError,
    AfasConfigError,
    AfasError,
    AfasHTTPError,
    AfasNotFound,
    AfasRejected,
    AfasTimeout,
    AfasTransportError,
    AfasUnavailable,
    error_from_response,
    error_from_transport,
)
from afas.profit.token import ProfitToken

URL = "https://36480.rest.afas.online/ProfitRestServices/connectors/Profit_Accounts?skip=0&take=100"
REF = "8f2c1e0d9a7b4c3e5f6a7b8c9d0e1f2a"


def _json(obj: object) -> bytes:
    return orjson.dumps(obj)


def test_hierarchy() -> None:
    for cls in (AfasConfigError, AfasTransportError, AfasHTTPError):
        assert issubclass(cls, AfasError)
    assert issubclass(AfasTimeout, AfasTransportError)
    for cls in (AfasAuthError, AfasNotFound, AfasRejected, AfasUnavailable):
        assert issubclass(cls, AfasHTTPError)


def test_config_error_carries_message_and_hint() -> None:
    err = AfasConfigError("Unknown connector id.", "Pick one from the catalogue.")
    assert str(err) == "Unknown connector id."
    assert err.hint == "Pick one from the catalogue."


def test_500_validation_message_as_afas_wrote_it() -> None:
    body = _json(
        {
            "externalMessage": "Date '1-11-2024' belongs to a blocked period",
            "errorNumber": -2147220469,
            "profitLogReference": REF,
        }
    )
    err = error_from_response(500, body, {"Content-Type": "application/json"}, "POST", URL)
    assert type(err) is AfasRejected
    assert err.status == 500
    assert err.external_message == "Date '1-11-2024' belongs to a blocked period"
    assert err.message == err.external_message
    assert err.error_number == -2147220469
    assert err.profit_log_reference == REF
    assert err.hint is not None and REF in err.hint and "logbook" in err.hint
    assert str(err) == f"Date '1-11-2024' belongs to a blocked period (log reference {REF})"
    assert err.method == "POST"
    assert err.url == URL


def test_500_without_message() -> None:
    err = error_from_response(500, b"", {}, "GET", URL)
    assert type(err) is AfasHTTPError
    assert err.message == "AFAS reported an error (HTTP 500)."
    assert str(err) == "AFAS reported an error (HTTP 500)."


def test_500_html_body_is_tolerated_and_truncated() -> None:
    html = b"<html><head><title>Server Error</title></head><body>" + b"x" * 5000 + b"</body></html>"
    err = error_from_response(500, html, {"Content-Type": "text/html"}, "GET", URL)
    assert err.external_message is None
    assert err.body_text.startswith("<html>")
    assert len(err.body_text) == 2000


def test_xml_body_is_tolerated() -> None:
    err = error_from_response(400, b"<?xml version='1.0'?><error>bad</error>", {}, "GET", URL)
    assert type(err) is AfasHTTPError
    assert err.status == 400
    assert "HTTP 400" in str(err)


def test_invalid_json_message() -> None:
    err = error_from_response(400, b'{"message": "Invalid json"}', {}, "POST", URL)
    assert err.external_message == "Invalid json"
    assert str(err) == 'AFAS could not read the request (HTTP 400). (AFAS: "Invalid json")'


def test_401_empty_body() -> None:
    err = error_from_response(401, b"", {"Content-Length": "0"}, "GET", URL)
    assert isinstance(err, AfasAuthError)
    assert err.message == "AFAS refused the token (HTTP 401)."
    assert str(err) == "AFAS refused the token (HTTP 401)."
    causes = " ".join(err.likely_causes)
    assert "'User tokens' tab" in causes
    assert "production/test/accept" in causes
    assert "not added to the App connector" in causes
    assert len(err.likely_causes) == 3


def test_401_with_profit_body() -> None:
    body = _json({"externalMessage": "Ongeldige token", "errorNumber": -1, "profitLogReference": REF})
    err = error_from_response(401, body, {}, "GET", URL)
    assert isinstance(err, AfasAuthError)
    assert str(err) == f'AFAS refused the token (HTTP 401). (AFAS: "Ongeldige token") (log reference {REF})'


def test_403_ip_restriction() -> None:
    err = error_from_response(403, b"", {}, "GET", URL)
    assert isinstance(err, AfasAuthError)
    assert err.message == "AFAS refused the request from this network (HTTP 403)."
    assert any("IP restriction" in cause for cause in err.likely_causes)
    assert any("temporary" in cause for cause in err.likely_causes)


def test_404_mentions_query_limit_and_connector() -> None:
    err = error_from_response(404, b"", {}, "GET", URL)
    assert isinstance(err, AfasNotFound)
    assert err.hint is not None
    assert "connector id" in err.hint
    assert "2,049" in err.hint


def test_404_for_a_long_query_says_so() -> None:
    long_url = URL + "&filtervalues=" + "x" * 2100
    err = error_from_response(404, b"", {}, "GET", long_url)
    assert isinstance(err, AfasNotFound)
    assert "2,049" in err.message
    assert "query string" in err.message


def test_503_body_and_header() -> None:
    body = _json({"error": {"code": "503", "message": "Onderhoud, zie afasstatus.nl"}, "retry_after": 7200})
    err = error_from_response(503, body, {"Retry-After": "120"}, "GET", URL)
    assert isinstance(err, AfasUnavailable)
    assert err.retry_after == 120.0  # the header wins
    assert err.external_message == "Onderhoud, zie afasstatus.nl"
    assert str(err).startswith("AFAS is temporarily unavailable (maintenance)")
    assert 'AFAS: "Onderhoud, zie afasstatus.nl"' in str(err)


def test_503_body_retry_after_as_fallback() -> None:
    body = _json({"error": {"code": "503", "message": "Maintenance"}, "retry_after": 7200})
    err = error_from_response(503, body, {}, "GET", URL)
    assert isinstance(err, AfasUnavailable)
    assert err.retry_after == 7200.0
    assert err.hint is not None and "2 hours" in err.hint


def test_503_retry_after_http_date() -> None:
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    err = error_from_response(503, b"", {"retry-after": "Sat, 01 Mar 2025 12:10:00 GMT"}, "GET", URL, now=now)
    assert isinstance(err, AfasUnavailable)
    assert err.retry_after == 600.0


def test_503_retry_after_in_the_past_is_zero() -> None:
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    err = error_from_response(503, b"", {"Retry-After": "Sat, 01 Mar 2025 11:00:00 GMT"}, "GET", URL, now=now)
    assert isinstance(err, AfasUnavailable)
    assert err.retry_after == 0.0


def test_503_without_any_retry_information() -> None:
    err = error_from_response(503, b"", {"Retry-After": "soon"}, "GET", URL)
    assert isinstance(err, AfasUnavailable)
    assert err.retry_after is None


def test_x_profit_error_header_text_fallback() -> None:
    header = base64.b64encode(b"Connector field 'Foo' not found").decode()
    err = error_from_response(500, b"", {"X-PROFIT-ERROR": header}, "GET", URL)
    assert isinstance(err, AfasRejected)
    assert err.external_message == "Connector field 'Foo' not found"


def test_x_profit_error_header_json_fallback() -> None:
    inner = {"externalMessage": "GetConnector not supported for this app", "profitLogReference": REF}
    header = base64.b64encode(orjson.dumps(inner)).decode()
    err = error_from_response(500, b"", {"x-profit-error": header}, "GET", URL)
    assert err.external_message == "GetConnector not supported for this app"
    assert err.profit_log_reference == REF


def test_body_message_wins_over_header() -> None:
    header = base64.b64encode(b"from header").decode()
    body = _json({"externalMessage": "from body"})
    err = error_from_response(500, body, httpx.Headers({"X-Profit-Error": header}), "GET", URL)
    assert err.external_message == "from body"


def test_str_is_one_line() -> None:
    body = _json({"externalMessage": "General message:\r\nThe entered value\nfor 'Employee' does not exist."})
    err = error_from_response(500, body, {}, "POST", URL)
    assert "\n" not in str(err) and "\r" not in str(err)
    assert str(err) == "General message: The entered value for 'Employee' does not exist."
    assert "\n" in err.external_message  # kept as AFAS wrote it


def test_error_never_contains_request_headers() -> None:
    token = ProfitToken.parse("C" * 64)
    request_headers = {"Authorization": token.header_value()}
    err = error_from_response(401, b"", {"Content-Length": "0"}, "GET", URL)
    everything = " ".join([str(err), repr(err), repr(vars(err))])
    assert request_headers["Authorization"] not in everything
    assert token.data_reveal() not in everything


def test_other_status() -> None:
    err = error_from_response(418, b"", {}, "GET", URL)
    assert type(err) is AfasHTTPError
    assert str(err) == "AFAS answered with an error (HTTP 418)."


def test_413_mentions_the_size_limit() -> None:
    err = error_from_response(413, b"", {}, "POST", URL)
    assert err.hint is not None and "75 MB" in err.hint


def test_url_credentials_are_dropped() -> None:
    err = error_from_response(500, b"", {}, "GET", "http://user:pw@proxy.local/ProfitRestServices/x")
    assert err.url == "http://proxy.local/ProfitRestServices/x"


@pytest.mark.parametrize(
    ("exc", "cls", "words"),
    [
        (httpx.ReadTimeout("read timed out"), AfasTimeout, "did not answer in time"),
        (httpx.ConnectTimeout("connect timed out"), AfasTimeout, "Connecting to AFAS timed out"),
        (httpx.ConnectError("[Errno 111] Connection refused"), AfasTransportError, "Could not connect"),
        (httpx.RemoteProtocolError("peer closed"), AfasTransportError, "dropped"),
        (httpx.ReadError("reset"), AfasTransportError, "dropped"),
        (TimeoutError(), AfasTimeout, "did not answer in time"),
    ],
)
def test_transport_errors(exc: Exception, cls: type[AfasTransportError], words: str) -> None:
    err = error_from_transport(exc, "GET", URL)
    assert type(err) is cls
    assert words in str(err)
    assert err.request_method == "GET"
    assert err.request_url == URL
    assert err.hint


def test_timeout_hint_warns_about_double_posting() -> None:
    err = error_from_transport(httpx.ReadTimeout("x"), "POST", URL)
    assert err.hint is not None and "still be processing" in err.hint
