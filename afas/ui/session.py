"""Whether the browser session that started a long piece of work still waits for it."""

from __future__ import annotations

from collections.abc import Callable

from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

__all__ = ["still_wanted_check"]


def still_wanted_check() -> Callable[[], bool]:
    """A thread-safe ``still_wanted()`` for the current script run: False once its tab is closed or a
    rerun or stop is pending (Run pressed again, a widget changed).

    Streamlit hears of these only at the script's next st.* call, which a running DuckDB query never
    makes, so the work's own watchdog thread asks this instead. Streamlit 1.67 keeps the pending
    request in ScriptRequests._state (no public accessor); is_active_session is public and thread-safe.
    """
    run_ctx = get_script_run_ctx()

    def still_wanted() -> bool:
        if run_ctx is None:
            return True
        pending = getattr(run_ctx.script_requests, "_state", None)
        if pending is not None and pending.name != "CONTINUE":
            return False
        return not runtime.exists() or runtime.get_instance().is_active_session(run_ctx.session_id)

    return still_wanted
