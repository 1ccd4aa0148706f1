"""Which AFAS environment to talk to: number + type -> REST base URL.

Users type the environment number (``36480``), sometimes the environment code they see in Profit
(``O36480AA``: letter O/T/A = production/test/accept, then the number). Both are understood; when input
is interpreted, :attr:`Environment.notice` says how, in plain words. An explicit base URL is accepted for
the emulator or a proxy.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from afas.errors import InputError
from afas.i18n import mark, ptr, tr

__all__ = ["Environment", "EnvironmentInputError", "EnvironmentType", "is_loopback_host"]

_PATH = "/ProfitRestServices"
# The messages are marked here and translated where they are raised, in the session's language.
_MSG_NUMBER = mark(
    "Enter the environment number: the digits of your AFAS environment, e.g. 36480 "
    "(an environment code such as O36480AA is also understood)."
)
_MSG_TYPE = mark("Choose the environment type: production, test or accept.")
_MSG_URL = mark(
    "Enter the base URL as http(s)://host[:port][/path], e.g. "
    "https://36480.rest.afas.online/ProfitRestServices or http://127.0.0.1:8000/ProfitRestServices."
)

_NUMBER_RE = re.compile(r"[0-9]{4,7}")
_CODE_RE = re.compile(r"([OTA])([0-9]{4,7})([A-Z]*)", re.IGNORECASE | re.ASCII)
_HOST_RE = re.compile(r"([0-9]+)\.(rest|resttest|restaccept)\.afas\.online", re.IGNORECASE | re.ASCII)


class EnvironmentInputError(InputError):
    """The environment number, type or base URL could not be understood; the message says what to enter."""


class EnvironmentType(StrEnum):
    """Production, test or accept; each has its own REST host (rest, resttest, restaccept)."""

    PRODUCTION = "production"
    TEST = "test"
    ACCEPT = "accept"

    @property
    def service(self) -> str:
        """The host label AFAS uses for this type's REST service."""
        return _SERVICES[self]

    @property
    def code_letter(self) -> str:
        """The letter that starts environment codes of this type (O, T or A)."""
        return _LETTERS[self]

    @classmethod
    def parse(cls, value: str | EnvironmentType) -> EnvironmentType:
        """Understand English and Dutch names and the code letters, case-insensitively."""
        if isinstance(value, EnvironmentType):
            return value
        if isinstance(value, str):
            found = _ALIASES.get(value.strip().lower())
            if found is not None:
                return found
        raise EnvironmentInputError(tr(_MSG_TYPE))

    def shown(self) -> str:
        """The type as the session reads it in a sentence (production / productie)."""
        if self is EnvironmentType.PRODUCTION:
            return ptr("environment type", "production")
        if self is EnvironmentType.TEST:
            return ptr("environment type", "test")
        return ptr("environment type", "accept")


_SERVICES = {
    EnvironmentType.PRODUCTION: "rest",
    EnvironmentType.TEST: "resttest",
    EnvironmentType.ACCEPT: "restaccept",
}
_LETTERS = {EnvironmentType.PRODUCTION: "O", EnvironmentType.TEST: "T", EnvironmentType.ACCEPT: "A"}
_ALIASES = {
    "production": EnvironmentType.PRODUCTION,
    "prod": EnvironmentType.PRODUCTION,
    "productie": EnvironmentType.PRODUCTION,
    "o": EnvironmentType.PRODUCTION,
    "test": EnvironmentType.TEST,
    "t": EnvironmentType.TEST,
    "accept": EnvironmentType.ACCEPT,
    "acceptatie": EnvironmentType.ACCEPT,
    "a": EnvironmentType.ACCEPT,
}
_BY_SERVICE = {service: env_type for env_type, service in _SERVICES.items()}
_BY_LETTER = {letter: env_type for env_type, letter in _LETTERS.items()}


def is_loopback_host(host: str) -> bool:
    """This machine itself: localhost (and *.localhost, RFC 6761) or a loopback address."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Environment:
    """An AFAS environment and the REST base URL to reach it (no trailing slash)."""

    number: str | None
    type: EnvironmentType
    base_url: str
    notice: str | None = None

    @classmethod
    def from_input(cls, number: str, env_type: str | EnvironmentType = "production") -> Environment:
        """Build from what the user typed: digits (4..7, usually 5) or an environment code like O36480AA."""
        chosen = EnvironmentType.parse(env_type)
        text = "".join(str(number).split()) if number is not None else ""
        if _NUMBER_RE.fullmatch(text):
            return cls(text, chosen, _online_url(text, chosen))
        match = _CODE_RE.fullmatch(text)
        if match is None:
            raise EnvironmentInputError(tr(_MSG_NUMBER))
        letter, digits, _suffix = match.groups()
        code_type = _BY_LETTER[letter.upper()]
        notice = tr(
            "You entered the environment code {code}; using environment number {number} ({type})."
        ).format(code=text.upper(), number=digits, type=code_type.shown())
        if chosen is not EnvironmentType.PRODUCTION and chosen is not code_type:
            notice += " " + tr(
                "The code's letter {letter} means {type}, so it was used instead of the selected type "
                "{chosen}."
            ).format(letter=letter.upper(), type=code_type.shown(), chosen=chosen.shown())
        return cls(digits, code_type, _online_url(digits, code_type), notice)

    @classmethod
    def from_base_url(cls, url: str) -> Environment:
        """Use an explicit base URL (emulator, proxy); AFAS Online hosts still yield number and type."""
        text = url.strip() if isinstance(url, str) else ""
        if not text or any(ch.isspace() for ch in text):
            raise EnvironmentInputError(tr(_MSG_URL))
        try:
            parts = urlsplit(text)
            host = parts.hostname
            _ = parts.port  # raises ValueError for a malformed port
        except ValueError:
            raise EnvironmentInputError(tr(_MSG_URL)) from None
        if parts.scheme.lower() not in ("http", "https") or not host:
            raise EnvironmentInputError(tr(_MSG_URL))
        if parts.username is not None or parts.password is not None:
            raise EnvironmentInputError(
                tr("Leave user names and passwords out of the base URL; the token is the only credential.")
                + " "
                + tr(_MSG_URL)
            )
        if parts.query or parts.fragment:
            raise EnvironmentInputError(tr("Leave the query (?...) and fragment (#...) out of the base URL."))
        if parts.scheme.lower() == "http" and not is_loopback_host(host):
            raise EnvironmentInputError(
                tr(
                    "The base URL uses plain http to {host}, so the token would travel unencrypted; use "
                    "https:// (plain http is accepted only for this machine itself: localhost, 127.0.0.1, "
                    "::1)."
                ).format(host=host)
            )

        path = parts.path.rstrip("/")
        notice = None
        segments = path.split("/")
        lowered = [segment.lower() for segment in segments]
        if _PATH[1:].lower() in lowered:
            end = lowered.index(_PATH[1:].lower()) + 1
            if end < len(segments):
                notice = tr("Using the base URL up to {path}; the rest of the path was dropped.").format(
                    path=_PATH
                )
            path = "/".join(segments[:end])
        else:
            path += _PATH
            notice = tr("Added {path} to the base URL.").format(path=_PATH)
        base_url = f"{parts.scheme.lower()}://{parts.netloc}{path}"

        match = _HOST_RE.fullmatch(host)
        if match is not None:
            number, service = match.groups()
            return cls(number, _BY_SERVICE[service.lower()], base_url, notice)
        return cls(None, EnvironmentType.PRODUCTION, base_url, notice)


def _online_url(number: str, env_type: EnvironmentType) -> str:
    return f"https://{number}.{env_type.service}.afas.online{_PATH}"
