"""What a user notices about tokens: every paste form works, and the data never shows up anywhere."""

from __future__ import annotations

import base64
import copy
import hashlib
import logging
import pickle
import weakref

import pytest

from afas.profit.token import ProfitToken, TokenFormatError, redact

DATA = "7D2E0C5C21B94F4C8E0F7A6B9C3D2E1F0A9B8C7D6E5F4A3B2C1D0E9F8A7B6C5D"
XML = f"<token><version>1</version><data>{DATA}</data></token>"
B64 = base64.b64encode(XML.encode()).decode()
HEADER = "AfasToken " + B64

EXPECTED_FORMS = "the XML <token><version>1</version><data>…</data></token>"


def _assert_no_leak(text: str) -> None:
    assert DATA not in text
    assert DATA[:16] not in text
    assert B64 not in text
    assert B64[20:40] not in text


@pytest.mark.parametrize(
    "pasted",
    [
        DATA,
        XML,
        B64,
        HEADER,
        f"  {DATA}\n",
        f"\r\n{XML}\r\n",
        f"<token>\n  <version>1</version>\n  <data>{DATA}</data>\n</token>\n",
        f'<?xml version="1.0" encoding="utf-8"?>\n{XML}',
        f"\t{B64}\n",
        "\n".join(B64[i : i + 76] for i in range(0, len(B64), 76)),  # wrapped like `base64` output
        B64.rstrip("="),
        f"  AfasToken   {B64}  ",
        f"afastoken {B64}",
        f"Authorization: AfasToken {B64}",
        f'"{DATA}"',
        f"AfasToken {XML}",
    ],
)
def test_every_paste_form_gives_the_same_header(pasted: str) -> None:
    token = ProfitToken.parse(pasted)
    assert token.header_value() == HEADER
    assert token.data_reveal() == DATA


def test_header_is_afastoken_plus_base64_of_exact_xml() -> None:
    token = ProfitToken.parse(DATA)
    prefix, encoded = token.header_value().split(" ")
    assert prefix == "AfasToken"
    assert base64.b64decode(encoded).decode() == XML
    assert token.header_value().count(" ") == 1


@pytest.mark.parametrize(
    "data",
    ["A" * 16, "a1" * 100, "12345678901234567890123456789012345678901234567890", "abcDEF0123456789xyz"],
)
def test_data_length_is_not_fixed_at_64(data: str) -> None:
    assert ProfitToken.parse(data).data_reveal() == data
    assert ProfitToken.parse(f"<token><version>1</version><data>{data}</data></token>").data_reveal() == data


@pytest.mark.parametrize("empty", ["", "   ", "\n\t\r\n", "AfasToken ", "''"])
def test_empty_input_says_no_token_given(empty: str) -> None:
    with pytest.raises(TokenFormatError, match=r"^No token given: ") as info:
        ProfitToken.parse(empty)
    assert EXPECTED_FORMS in str(info.value)


BAD_INPUTS = [
    "SECRETSHORT123",  # 14 characters: too short to be data
    "S" * 201,  # too long
    "SECRET-7D2E0C5C21B94F4C8E0F7A6B9C3D",  # punctuation
    "SECRETPART 7D2E0C5C21B94F4C8E0F7A6B9C3D",  # a space in the middle
    f"<token><version>1</version><data>{DATA}</data>",  # unclosed
    f"<token><version>2</version><data>{DATA}</data></token>",  # wrong version
    "<token><version>1</version><data>SECRET-xyz-1234567890</data></token>",  # bad data inside XML
    "<token><version>1</version><data>SECRETSHORT</data></token>",
    "<html><body>SECRETPAGE0123456789</body></html>",
    base64.b64encode(b"SECRETNOTXML 0123456789 plain text").decode(),
    base64.b64encode(f"<token><version>3</version><data>{DATA}</data></token>".encode()).decode(),
    "SECRETÄÖÜ0123456789abcdef",
    B64 + "%%",
]


@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_malformed_input_is_rejected_without_echoing_it(bad: str) -> None:
    with pytest.raises(TokenFormatError) as info:
        ProfitToken.parse(bad)
    message = str(info.value)
    assert "not in a form AFAS issues" in message or "version" in message
    assert "SECRET" not in message
    assert DATA not in message
    assert bad not in message
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


def test_malformed_message_names_the_expected_forms() -> None:
    with pytest.raises(TokenFormatError) as info:
        ProfitToken.parse("not a token at all!")
    assert str(info.value) == (
        "The token is not in a form AFAS issues: paste the token's data string (letters and digits), "
        "the XML <token><version>1</version><data>…</data></token>, or its base64 encoding."
    )


def test_double_base64_is_explained_without_echo() -> None:
    twice = base64.b64encode(B64.encode()).decode()
    with pytest.raises(TokenFormatError, match="base64-encoded twice") as info:
        ProfitToken.parse(twice)
    assert twice not in str(info.value)
    _assert_no_leak(str(info.value))


def test_token_format_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        ProfitToken.parse("?")


def test_non_text_input_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        ProfitToken.parse(None)  # type: ignore[arg-type]


def test_repr_str_format_show_only_the_fingerprint() -> None:
    token = ProfitToken.parse(DATA)
    fingerprint = hashlib.sha256(DATA.encode()).hexdigest()[:8]
    assert token.fingerprint() == fingerprint
    assert repr(token) == f"ProfitToken(fingerprint='{fingerprint}')"
    assert str(token) == repr(token)
    assert f"{token}" == repr(token)
    assert f"{token!r:>60}".strip() == repr(token)
    assert "{} {!r}".format(token, token) == f"{token} {token}"  # noqa: UP032
    for text in (repr(token), str(token), f"{token}", repr([token]), repr({"t": token})):
        _assert_no_leak(text)


def test_logging_a_token_never_shows_the_data(caplog: pytest.LogCaptureFixture) -> None:
    token = ProfitToken.parse(B64)
    logger = logging.getLogger("afas.test.token")
    with caplog.at_level(logging.DEBUG, logger="afas.test.token"):
        logger.info("connecting with %s", token)
        logger.debug("state: %r", {"token": token, "env": 36480})
        logger.warning("token=%(token)s", {"token": token})
    assert "ProfitToken(fingerprint=" in caplog.text
    _assert_no_leak(caplog.text)


def test_exception_raised_while_holding_a_token_does_not_leak(caplog: pytest.LogCaptureFixture) -> None:
    token = ProfitToken.parse(XML)

    def fail_with(tok: ProfitToken) -> None:
        raise RuntimeError(f"request failed for {tok!r}")

    logger = logging.getLogger("afas.test.token.exc")
    with caplog.at_level(logging.ERROR, logger="afas.test.token.exc"):
        try:
            fail_with(token)
        except RuntimeError as exc:
            logger.exception("sync failed: %s", exc)
            text = str(exc) + repr(exc)
    _assert_no_leak(caplog.text)
    _assert_no_leak(text)


def test_attribute_dump_does_not_show_the_data() -> None:
    token = ProfitToken.parse(DATA)
    assert not hasattr(token, "__dict__")
    with pytest.raises(TypeError):
        vars(token)
    dumped = " ".join(repr(getattr(token, name)) for name in ProfitToken.__slots__)
    _assert_no_leak(dumped)
    assert DATA.encode() not in b"".join(
        getattr(token, name) for name in ProfitToken.__slots__ if isinstance(getattr(token, name), bytes)
    )


def test_token_can_be_weakly_referenced() -> None:
    # The log redactor keeps a WeakSet of live tokens.
    token = ProfitToken.parse(DATA)
    tracked = weakref.WeakSet([token])
    assert token in tracked


def test_token_is_immutable() -> None:
    token = ProfitToken.parse(DATA)
    with pytest.raises(AttributeError):
        token.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        token._masked = b""  # type: ignore[misc]


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_tokens_are_not_pickled(protocol: int) -> None:
    token = ProfitToken.parse(DATA)
    with pytest.raises(TypeError, match="tokens are not pickled"):
        pickle.dumps(token, protocol=protocol)
    with pytest.raises(TypeError, match="tokens are not pickled"):
        token.__getstate__()


def test_copy_returns_the_same_token() -> None:
    token = ProfitToken.parse(DATA)
    assert copy.copy(token) is token
    assert copy.deepcopy({"t": token})["t"] is token


def test_equality_and_hash_follow_the_data() -> None:
    a = ProfitToken.parse(DATA)
    b = ProfitToken.parse(HEADER)
    c = ProfitToken.parse("B" * 64)
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    assert len({a, b, c}) == 2
    assert a != DATA  # never equal to the bare string


def test_constructor_takes_only_a_data_string() -> None:
    assert ProfitToken(DATA).header_value() == HEADER
    with pytest.raises(TokenFormatError):
        ProfitToken(XML)


def test_redact_replaces_every_form() -> None:
    token = ProfitToken.parse(DATA)
    text = f"Authorization: {HEADER}\nxml={XML}\ndata={DATA}\nb64={B64}"
    redacted = redact(text, token)
    _assert_no_leak(redacted)
    assert XML not in redacted
    assert redacted == "Authorization: AfasToken ***\nxml=***\ndata=***\nb64=***"


def test_redact_leaves_other_text_alone() -> None:
    token = ProfitToken.parse(DATA)
    assert redact("nothing secret here", token) == "nothing secret here"
