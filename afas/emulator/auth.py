"""App connectors and tokens, as Profit keeps them.

In Profit an App connector lists the Get- and UpdateConnectors its tokens may call; a user token
belongs to one App connector and one user, and sees what that user's authorisation filters allow
(here: a subset of administrations). The Authorization header carries ``AfasToken`` + base64 of
``<token><version>1</version><data>DATA</data></token>`` (afas-profit-api.md §2).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

__all__ = ["AppConnector", "UserToken", "TokenCheck", "check_authorization", "demo_token_data"]

_XML_RE = re.compile(
    r"^\s*<token>\s*<version>\s*1\s*</version>\s*<data>\s*([^<\s]+)\s*</data>\s*</token>\s*$", re.IGNORECASE
)


@dataclass
class AppConnector:
    """An App connector: which connectors its tokens may use. None means every served connector."""

    name: str
    get_connectors: frozenset[str] | None = None
    update_connectors: frozenset[str] | None = None
    ip_allow: tuple[str, ...] | None = None  # exact client addresses allowed; None = no restriction

    def allows_get(self, connector_id: str) -> bool:
        return self.get_connectors is None or connector_id.lower() in {c.lower() for c in self.get_connectors}

    def allows_update(self, connector_id: str) -> bool:
        return self.update_connectors is None or connector_id.lower() in {
            c.lower() for c in self.update_connectors
        }


@dataclass
class UserToken:
    """A user token of an App connector; ``administrations`` is what the user's filter lets through."""

    data: str
    app: AppConnector
    user: str = "12345.DEMO"
    administrations: frozenset[int] | None = None  # None = all administrations
    group: str = "AuthorizationGroup 101 (12345.DEMO)"
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TokenCheck:
    """Outcome of reading an Authorization header: a data string, or why there is none."""

    data: str | None
    problem: str | None  # "missing" | "not_afastoken" | "plain_text" | "malformed"


def check_authorization(header: str | None) -> TokenCheck:
    if not header:
        return TokenCheck(None, "missing")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "afastoken" or not value.strip():
        return TokenCheck(None, "not_afastoken")
    value = value.strip()
    if value.lstrip().startswith("<"):
        # The XML sent as is: accepted until Profit 6 enforced base64 (afas-profit-api.md §2.1).
        return TokenCheck(None, "plain_text")
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return TokenCheck(None, "malformed")
    m = _XML_RE.match(decoded)
    if not m:
        return TokenCheck(None, "malformed")
    return TokenCheck(m.group(1), None)


def demo_token_data(seed: int = 1) -> str:
    """The demo environment's token data: 64 upper-case hex characters, as Profit issues them."""
    return hashlib.sha256(f"afas-emulator-demo-token-{seed}".encode()).hexdigest().upper()
