"""Streamlit glue for the warehouse: where the DuckDB file lives, cached reads, the chosen profile.

Reads are cached with st.cache_data keyed on the file's modification stamp, so a sync (here or by
the CLI in another process) makes every page read fresh data without anyone clearing caches.
The file is opened only for the duration of a read (see afas.warehouse.db).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from afas.i18n import current, tr
from afas.profit.defaults import DefaultChoices, load_choices
from afas.ui.connection import Connection
from afas.warehouse import explore
from afas.warehouse.db import connection
from afas.warehouse.profiles import ConnectionProfile

__all__ = [
    "COUNT",
    "MONEY",
    "cached_choices",
    "current_profile",
    "data_dir",
    "read",
    "require_connection",
    "require_profile",
    "stamp",
    "warehouse_path",
]

ROOT = Path(__file__).resolve().parents[2]

MONEY = st.column_config.NumberColumn(format="euro")
"""Amounts as euros with two decimals (the values stay DECIMAL: Arrow decimal128)."""

COUNT = st.column_config.NumberColumn(format="localized")
"""Counts with thousands grouped (14.136, not 14136). Like MONEY, the grid writes them in the
browser's own locale: Streamlit's grid takes no other."""


def data_dir() -> Path:
    """Where warehouse files live: AFAS_DATA_DIR, else the project's data/ folder."""
    path = Path(os.environ.get("AFAS_DATA_DIR") or ROOT / "data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def warehouse_path(conn: Connection) -> Path:
    """One DuckDB file per environment and App connector token user (the demo has its own).

    The name carries a digest of what AFAS said the token is (environment code, App connector, user
    group), so a different token for the same environment gets a file of its own and never sees
    another's imports, outbox or audit. Only a checked connection has that identity.
    """
    if conn.identity is None:
        raise ValueError("a connection that AFAS has not accepted has no warehouse")
    env = conn.environment
    if conn.demo:
        return data_dir() / "demo.duckdb"
    return data_dir() / f"afas-{env.number or 'custom'}-{env.type}-{conn.identity.key()}.duckdb"


def stamp(db: Path) -> tuple[int, int]:
    """Changes whenever the file or its write-ahead log changes: the cache key of every read."""
    parts = [p for p in (db, db.with_name(db.name + ".wal")) if p.exists()]
    return (sum(p.stat().st_mtime_ns for p in parts), sum(p.stat().st_size for p in parts))


@st.cache_data(ttl=600, max_entries=256, show_spinner=False)
def _read(view: str, db: str, version: tuple[int, int], args: tuple[Any, ...], language: str) -> Any:
    # language: part of the cache key only (headers and labels are in the session's language)
    fn: Callable[..., Any] = getattr(explore, view)
    with connection(db) as con:
        return fn(con, *args)


def read(view: str, db: Path, *args: Any) -> Any:
    """``afas.warehouse.explore.<view>(con, *args)``, cached until the warehouse changes."""
    return _read(view, str(db), stamp(db), args, current())


@st.cache_data(ttl=300, show_spinner=False)
def _choices(_conn: Connection, key: str, language: str) -> DefaultChoices:
    # language: part of the cache key only (the notes are in the session's language)
    with _conn.client() as client:
        return load_choices(client)


def cached_choices(conn: Connection) -> DefaultChoices:
    """The defaults AFAS offers, cached per environment and token (by fingerprint, never the token)."""
    with st.spinner(tr("Reading the choices from AFAS…")):
        return _choices(conn, f"{conn.environment.base_url}|{conn.token.fingerprint()}", current())


def require_connection() -> Connection:
    """The connection AFAS accepted on the Connect page, or a pointer there and a stop."""
    conn = st.session_state.get("connection")
    if conn is None or conn.identity is None:
        st.info(tr("Connect to an AFAS environment first (or use the demo environment)."))
        st.page_link("views/connect.py", label=tr("Go to Connect"), icon=":material/power:")
        st.stop()
    return conn


def require_profile(why: str) -> ConnectionProfile:
    """The profile chosen on Configure (with an administration), or a pointer there and a stop."""
    profile = current_profile()
    if profile is None or profile.administration is None:
        st.info(tr("Choose the administration and defaults on Configure first; {why}.").format(why=why))
        st.page_link("views/configure.py", label=tr("Go to Configure"), icon=":material/tune:")
        st.stop()
    return profile


def current_profile() -> ConnectionProfile | None:
    """The defaults chosen on the Configure page in this session, if any."""
    return st.session_state.get("profile")
