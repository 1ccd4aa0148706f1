"""The AFAS App-connector token: parsed from what users paste, and hard to leak.

AFAS expects ``Authorization: AfasToken <base64 of <token><version>1</version><data>DATA</data></token>>``.
Users paste the bare data string, the XML, or its base64 (sometimes with the ``AfasToken`` prefix and
stray whitespace); :meth:`ProfitToken.parse` accepts all of them. The token object never shows its data
in ``repr``/``str``, refuses pickling, and keeps the data masked in memory so that introspection tools
that print attribute values (debuggers, "show locals" tracebacks) do not show it either. Error messages
never repeat the pasted text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from typing import Any, NoReturn

from afas.errors import InputError
from afas.i18n import mark, tr

__all__ = ["ProfitToken", "TokenFormatError", "redact"]

_MIN_DATA, _MAX_DATA = 16, 200
_DATA_RE = re.compile(rf"[A-Za-z0-9]{{{_MIN_DATA},{_MAX_DATA}}}")
_XML_RE = re.compile(
    r"(?:<\?xml[^>]*\?>)?\s*<token>\s*<version>\s*([^<]*?)\s*</version>\s*"
    r"<data>\s*([^<]*?)\s*</data>\s*</token>",
    re.IGNORECASE,
)
_PREFIX_RE = re.compile(r"^(?:authorization\s*:\s*)?afastoken(?:\s+|$)", re.IGNORECASE)
_B64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}")

# The messages are marked here and translated where they are raised (_fail), in the session's language.
_MSG_MALFORMED = mark(
    "The token is not in a form AFAS issues: paste the token's data string (letters and digits), the XML "
    "<token><version>1</version><data>…</data></token>, or its base64 encoding."
)
_MSG_EMPTY = mark(
    "No token given: paste the token's data string (letters and digits), the XML "
    "<token><version>1</version><data>…</data></token>, or its base64 encoding."
)
_MSG_VERSION = mark(
    "The token's XML has a version other than 1; AFAS issues version 1 tokens: "
    "<token><version>1</version><data>…</data></token>."
)
_MSG_DATA = mark(
    "The token's data is not in a form AFAS issues: it should be 16 to 200 letters and digits "
    "(usually 64 hexadecimal characters)."
)
_MSG_DOUBLE = mark(
    "The token looks base64-encoded twice: paste the token's data string, the XML "
    "<token><version>1</version><data>…</data></token>, or its base64 encoding once."
)

# Per-process mask: the data is stored XOR-ed with it, so attribute dumps show only noise.
# This is not encryption (the key is in the same process); it only stops accidental display.
_MASK = secrets.token_bytes(_MAX_DATA)


class TokenFormatError(InputError):
    """The pasted token is in none of the forms AFAS issues; the message never contains the input."""


def _fail(message: str) -> NoReturn:
    # Raised outside any ``except`` block by callers, so no chained exception carries the input.
    raise TokenFormatError(tr(message))


def _xml(data: str) -> str:
    return f"<token><version>1</version><data>{data}</data></token>"


def _mask(raw: bytes) -> bytes:
    """XOR with the process mask (its own inverse); ``raw`` is at most ``_MAX_DATA`` bytes."""
    size = len(raw)
    if not size:
        return b""
    return (int.from_bytes(raw, "big") ^ int.from_bytes(_MASK[:size], "big")).to_bytes(size, "big")


def _b64decode_text(text: str) -> str | None:
    """Decode standard base64 (padding optional) to text, or None when it is not base64 of text."""
    compact = "".join(text.split())
    if not compact or not _B64_RE.fullmatch(compact):
        return None
    compact += "=" * (-len(compact) % 4)
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        return None


def _data_from_xml(text: str) -> tuple[str | None, str | None]:
    """Return (data, None) for a valid XML token, or (None, error message)."""
    match = _XML_RE.fullmatch(text.strip())
    if match is None:
        return None, _MSG_MALFORMED
    version, data = match.groups()
    if version != "1":
        return None, _MSG_VERSION
    if not _DATA_RE.fullmatch(data):
        return None, _MSG_DATA
    return data, None


class ProfitToken:
    """An AFAS App-connector token; build it with :meth:`parse` from whatever the user pasted."""

    __slots__ = ("_masked", "_fingerprint", "__weakref__")  # weakref: the log redactor tracks live tokens

    _masked: bytes
    _fingerprint: str

    def __init__(self, data: str) -> None:
        """Wrap a bare data string (16..200 letters and digits); use :meth:`parse` for pasted input."""
        if not isinstance(data, str) or not _DATA_RE.fullmatch(data):
            _fail(_MSG_DATA)
        raw = data.encode("ascii")
        object.__setattr__(self, "_masked", _mask(raw))
        object.__setattr__(self, "_fingerprint", hashlib.sha256(raw).hexdigest()[:8])

    @classmethod
    def parse(cls, text: str) -> ProfitToken:
        """Accept the bare data string, the XML token, or its base64, with or without ``AfasToken ``."""
        if not isinstance(text, str):
            raise TypeError("a token must be given as text")
        data, error = cls._extract(text)
        if data is None:
            _fail(error or _MSG_MALFORMED)
        return cls(data)

    @staticmethod
    def _extract(text: str) -> tuple[str | None, str | None]:
        """Find the data string in pasted text; (data, None) or (None, error message)."""
        text = text.strip().lstrip("\ufeff").strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            text = text[1:-1].strip()
        text = _PREFIX_RE.sub("", text, count=1).strip()
        if not text:
            return None, _MSG_EMPTY
        if text.startswith("<"):
            return _data_from_xml(text)
        decoded = _b64decode_text(text)
        if decoded is not None:
            if "<token" in decoded.lower():
                return _data_from_xml(decoded)
            twice = _b64decode_text(decoded)
            if twice is not None and "<token" in twice.lower():
                return None, _MSG_DOUBLE
        if _DATA_RE.fullmatch(text):
            return text, None
        return None, _MSG_MALFORMED

    def data_reveal(self) -> str:
        """The secret data string; the name makes every use stand out in review."""
        return _mask(self._masked).decode("ascii")

    def xml(self) -> str:
        """The full XML token ``<token><version>1</version><data>…</data></token>``."""
        return _xml(self.data_reveal())

    def header_value(self) -> str:
        """The value for the ``Authorization`` header: ``AfasToken `` + base64 of the XML."""
        return "AfasToken " + base64.b64encode(self.xml().encode("ascii")).decode("ascii")

    def fingerprint(self) -> str:
        """A short, non-reversible id for logs: the first 8 hex digits of sha256(data)."""
        return self._fingerprint

    def __repr__(self) -> str:
        return f"ProfitToken(fingerprint={self._fingerprint!r})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(repr(self), spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProfitToken):
            return NotImplemented
        return hmac.compare_digest(self._masked, other._masked)

    def __hash__(self) -> int:
        return hash(("ProfitToken", self._masked))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("ProfitToken is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("ProfitToken is immutable")

    def __copy__(self) -> ProfitToken:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ProfitToken:
        return self

    def __reduce__(self) -> NoReturn:
        raise TypeError("tokens are not pickled")

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError("tokens are not pickled")

    def __getstate__(self) -> NoReturn:
        raise TypeError("tokens are not pickled")


def redact(text: str, token: ProfitToken) -> str:
    """Replace the token's header base64, XML and data string in ``text`` with ``***`` (for logging)."""
    header = token.header_value()
    secrets_ = (header.removeprefix("AfasToken "), token.xml(), token.data_reveal())
    for secret in secrets_:
        if secret in text:
            text = text.replace(secret, "***")
    return text
