"""Who is working and what they may do: the person, their roles, and the four-eyes rules.

Two ways to run the dashboard:

- **On one machine, without sign-in** (no ``[auth]`` in .streamlit/secrets.toml, the embedded
  default): one person, the name they type once per browser session. They hold every role; a close
  review still needs another name than the preparer's (:func:`afas.close.signoff.review`).
- **Signed in** (``[auth]`` configured: Streamlit's ``st.login`` with an OpenID Connect provider):
  the person is the provider's identity (subject, e-mail, name, issuer) and holds the roles the
  ``[roles]`` section gives their e-mail address, subject or e-mail domain::

      [roles]
      admin = ["it@example.nl"]                # connection and defaults
      approver = ["bert@example.nl"]           # also approve and send, review the close
      preparer = ["anna@example.nl"]           # also propose corrections, prepare the close
      viewer = ["@example.nl"]                 # explore, reconcile, export (a whole domain)

      [four_eyes]
      two_approvers_above = "10000.00"         # a batch above this needs two approvers

  A correction batch is prepared by one person and approved by another (two others above the
  threshold); a close reconciliation the same (:func:`approvals_needed`).

The core (the outbox, the close) receives a :class:`User` and refuses what its roles do not allow
(:meth:`User.require`), whatever the page showed. Nothing here imports Streamlit: the pages build the
user from ``st.user`` and the configuration from ``st.secrets``; the CLI from the secrets file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

from afas.catalogue import label
from afas.errors import InputError
from afas.i18n import tr

__all__ = [
    "LOCAL_ISSUER",
    "AccessConfig",
    "NotAllowed",
    "Right",
    "Role",
    "User",
    "approvals_needed",
    "load_config",
]

LOCAL_ISSUER = "this machine"
"""The issuer of a person who typed their name (no sign-in): nobody vouches for it."""


class Role(StrEnum):
    """What a person is in the team ([roles] in secrets.toml; labels: afas.catalogue)."""

    VIEWER = "viewer"
    PREPARER = "preparer"
    APPROVER = "approver"
    ADMIN = "admin"


class Right(StrEnum):
    """What a person may do (labels: afas.catalogue, as the reason a button is disabled)."""

    VIEW = "view"  # explore, reconcile (import, match, match by hand), export, the audit log
    PREPARE = "prepare"  # sync, propose corrections, the close's evidence, items and preparation
    APPROVE = "approve"  # approve and send corrections, review the close
    ADMINISTER = "administer"  # the connection and the defaults


ROLE_RIGHTS: dict[Role, frozenset[Right]] = {
    Role.VIEWER: frozenset({Right.VIEW}),
    Role.PREPARER: frozenset({Right.VIEW, Right.PREPARE}),
    Role.APPROVER: frozenset({Right.VIEW, Right.PREPARE, Right.APPROVE}),
    # the administrator sets the dashboard up; approving the books is a finance role of its own
    Role.ADMIN: frozenset({Right.VIEW, Right.ADMINISTER}),
}

# the role a right comes with first, to tell a person which role they lack
_FIRST_ROLE = {Right.VIEW: Role.VIEWER, Right.PREPARE: Role.PREPARER, Right.APPROVE: Role.APPROVER,
               Right.ADMINISTER: Role.ADMIN}  # fmt: skip


class NotAllowed(InputError):
    """The person's roles do not allow what they asked for (or four-eyes forbids it)."""


def _spaces(text: str | None) -> str:
    return " ".join((text or "").split())


@dataclass(frozen=True)
class User:
    """A person at work: who (subject, e-mail, name, issuer) and their roles."""

    subject: str
    email: str
    name: str
    issuer: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    @classmethod
    def local(cls, name: str) -> User:
        """The person on one machine without sign-in: the name they typed, every role."""
        typed = _spaces(name)
        if not typed:
            raise InputError(tr("Say who you are first."), tr("Type your name in the sidebar."))
        return cls(typed.casefold(), "", typed, LOCAL_ISSUER, frozenset(Role))

    @classmethod
    def signed_in(cls, claims: Mapping[str, Any], config: AccessConfig) -> User:
        """The person the OpenID Connect provider signed in (the ID token's claims: sub, email, name,
        iss), with the roles ``config`` gives them."""
        subject, issuer = _spaces(str(claims.get("sub") or "")), _spaces(str(claims.get("iss") or ""))
        if not subject or not issuer:
            raise InputError(
                tr("The sign-in did not say who you are (no subject or issuer in the identity token)."),
                tr(
                    "Sign out and in again; if it persists, the administrator checks the provider's settings."
                ),
            )
        email = _spaces(str(claims.get("email") or ""))
        name = _spaces(str(claims.get("name") or "")) or email or subject
        return cls(subject, email, name, issuer, config.roles_for(email, subject))

    @property
    def is_local(self) -> bool:
        return self.issuer == LOCAL_ISSUER

    @property
    def signature(self) -> str:
        """How the person is recorded beside what they signed: 'Anna de Vries <anna@example.nl>'
        signed in, the typed name without sign-in."""
        return f"{self.name} <{self.email}>" if self.email and self.email != self.name else self.name

    @property
    def rights(self) -> frozenset[Right]:
        return frozenset().union(*(ROLE_RIGHTS[r] for r in self.roles))

    def can(self, right: Right) -> bool:
        return right in self.rights

    def same_person(self, other: User) -> bool:
        """Whether two users are one person: one issuer's subject (typed names: without case)."""
        return self.issuer == other.issuer and self.subject == other.subject

    def why_not(self, right: Right) -> str | None:
        """Why this person may not do what ``right`` covers, in words; None when they may."""
        if self.can(right):
            return None
        held = ", ".join(label(r) for r in sorted(self.roles)) or tr("no role")
        text = tr("{right} needs the {role} role; {name} is {roles}.").format(
            right=label(right), role=label(_FIRST_ROLE[right]), name=self.name, roles=held
        )
        return text[:1].upper() + text[1:]

    def require(self, right: Right) -> None:
        """Refuse (:class:`NotAllowed`) what this person's roles do not allow."""
        reason = self.why_not(right)
        if reason is not None:
            raise NotAllowed(
                reason,
                tr(
                    "Ask your administrator to give {person} the {role} role ([roles] in secrets.toml)."
                ).format(person=self.email or self.name, role=label(_FIRST_ROLE[right])),
            )


def _amount(value: Any, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0:
        raise InputError(
            tr("{setting} is {value}, not an amount.").format(setting=where, value=repr(value)),
            tr('Write it as a number of euros in quotes, e.g. two_approvers_above = "10000.00".'),
        )
    return amount


@dataclass(frozen=True)
class AccessConfig:
    """Who holds which roles, and when two approvers are needed (:func:`load_config`)."""

    sign_in: bool = False
    members: Mapping[str, frozenset[Role]] = field(default_factory=dict)  # e-mail, subject or @domain
    two_approvers_above: Decimal | None = None

    @classmethod
    def from_mapping(cls, secrets: Mapping[str, Any]) -> AccessConfig:
        """Read ``[auth]``, ``[roles]`` and ``[four_eyes]`` of a secrets file (st.secrets or TOML)."""
        sign_in = bool(secrets.get("auth"))
        members: dict[str, set[Role]] = {}
        known = {r.value: r for r in Role}
        for name, who in dict(secrets.get("roles") or {}).items():
            role = known.get(str(name).strip().lower())
            if role is None:
                raise InputError(
                    tr(
                        "[roles] in secrets.toml names the role {role}, which the dashboard does not have."
                    ).format(role=repr(name)),
                    tr("Use viewer, preparer, approver or admin."),
                )
            entries = [who] if isinstance(who, str) else list(who or [])
            for entry in entries:
                key = _spaces(str(entry)).casefold()
                if key:
                    members.setdefault(key, set()).add(role)
        four_eyes = dict(secrets.get("four_eyes") or {})
        threshold = _amount(four_eyes.get("two_approvers_above"), "[four_eyes] two_approvers_above")
        return cls(sign_in, {k: frozenset(v) for k, v in members.items()}, threshold)

    def roles_for(self, email: str, subject: str) -> frozenset[Role]:
        """The roles of a signed-in person: by e-mail address, by subject, and by e-mail domain."""
        email, subject = email.casefold(), subject.casefold()
        keys: Iterable[str] = [email, subject]
        if "@" in email:
            keys = [*keys, "@" + email.rsplit("@", 1)[1]]
        return frozenset().union(*(self.members.get(k, frozenset()) for k in keys if k))


def load_config(path: Path) -> AccessConfig:
    """The configuration in a secrets file (.streamlit/secrets.toml); none when the file is absent."""
    if not path.is_file():
        return AccessConfig()
    try:
        secrets = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            tr("{path} cannot be read as TOML: {error}").format(path=path, error=exc),
            tr("Correct the file and start the dashboard again."),
        ) from None
    return AccessConfig.from_mapping(secrets)


def approvals_needed(user: User, config: AccessConfig, amount: Decimal | None) -> int:
    """How many people other than the preparer approve a batch of ``amount`` (the absolute amounts of
    its entries): none on one machine without sign-in (its one person approves what they prepare),
    else one, two above the four-eyes threshold."""
    if user.is_local:
        return 0
    threshold = config.two_approvers_above
    return 2 if threshold is not None and amount is not None and abs(amount) > threshold else 1
