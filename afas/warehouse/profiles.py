"""Connection profiles: an environment and the defaults chosen for it, kept in the warehouse.

A profile holds what the user picked on the Configure page (administration, default payment terms,
default allocation axis) for one AFAS environment, so that several environments or administrations
can be kept and switched. It never holds the token: there is no column for it, and a test looks.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from afas.access import Right, User
from afas.errors import InputError
from afas.i18n import tr
from afas.warehouse.db import connection

__all__ = ["ConnectionProfile", "delete_profile", "list_profiles", "load_profile", "save_profile"]


@dataclass(frozen=True)
class ConnectionProfile:
    name: str
    base_url: str
    environment_number: str | None = None
    environment_type: str | None = None
    administration: int | None = None
    payment_terms: str | None = None
    allocation_axis: int | None = None
    updated: dt.datetime | None = None

    def __post_init__(self) -> None:
        """An InputError (a ValueError) says what the profile lacks, in the user's words."""
        if not self.name.strip():
            raise InputError(tr("A profile needs a name: type one, e.g. 'Production - Holding'."))
        if not self.base_url.strip():
            raise InputError(tr("A profile needs the environment's address: test the connection first."))


_COLUMNS = (
    "name, base_url, environment_number, environment_type, administration, payment_terms, "
    "allocation_axis, updated"
)


def save_profile(
    db_path: str | os.PathLike[str], profile: ConnectionProfile, *, by: User | None = None
) -> ConnectionProfile:
    """Insert or replace the profile of that name; returns it with its save time. ``by``: the person
    saving it on the dashboard, who needs the administrator's right (afas.access)."""
    if by is not None:
        by.require(Right.ADMINISTER)
    saved = ConnectionProfile(
        **{**profile.__dict__, "name": profile.name.strip(), "updated": dt.datetime.now()}
    )
    with connection(db_path) as con:
        con.execute(
            f"INSERT OR REPLACE INTO connection_profiles ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [getattr(saved, c.strip()) for c in _COLUMNS.split(",")],
        )
    return saved


def list_profiles(db_path: str | os.PathLike[str]) -> list[ConnectionProfile]:
    """All profiles, the most recently saved first."""
    with connection(db_path) as con:
        rows = con.execute(
            f"SELECT {_COLUMNS} FROM connection_profiles ORDER BY updated DESC, name"
        ).fetchall()
    return [ConnectionProfile(*row) for row in rows]


def load_profile(db_path: str | os.PathLike[str], name: str) -> ConnectionProfile | None:
    with connection(db_path) as con:
        row = con.execute(f"SELECT {_COLUMNS} FROM connection_profiles WHERE name = ?", [name]).fetchone()
    return ConnectionProfile(*row) if row else None


def delete_profile(db_path: str | os.PathLike[str], name: str) -> bool:
    with connection(db_path) as con:
        return bool(con.execute("DELETE FROM connection_profiles WHERE name = ?", [name]).fetchone()[0])
