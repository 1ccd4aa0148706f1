"""The app as a Dutch (or English) user drives it in AppTest: the tests of the interface's language
start from here. Each starts the app with the language switch set, as a browser that prefers that
language would, on the demo environment; the caller gives its own AFAS_DATA_DIR (monkeypatch)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["app", "configured", "connected", "synced"]


def app(language: str | None) -> AppTest:
    """The app's first page in ``language`` (None: what AppTest's browser, naming no locale, gets)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if language is not None:
        at.session_state["language"] = language
    at.run()
    assert not at.exception, at.exception
    return at


def _go(at: AppTest, page: str | None) -> AppTest:
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def connected(language: str, page: str | None = None) -> AppTest:
    """The app in ``language`` with the demo connection tested, on ``page`` if given."""
    at = app(language)
    at.button(key="connect_test").click().run()
    assert not at.exception, at.exception
    return _go(at, page)


def configured(language: str, page: str | None = None, admin: str = "1") -> AppTest:
    """Connected, with the defaults saved (administration ``admin``, payment terms 14, axis 2)."""
    at = connected(language, "views/configure.py")
    at.selectbox(key="configure_admin").set_value(admin)
    at.selectbox(key="configure_terms").set_value("14")
    at.selectbox(key="configure_axis").set_value("2")
    at.button(key="configure_save").click().run()
    assert not at.exception, at.exception
    return _go(at, page)


def synced(language: str, page: str | None = None, connectors: list[str] | None = None) -> AppTest:
    """Configured, with ``connectors`` (all by default) synced from the demo environment."""
    at = configured(language, "views/sync.py")
    if connectors is not None:
        at.multiselect(key="sync_connectors").set_value(connectors)
    at.button(key="sync_now").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return _go(at, page)
