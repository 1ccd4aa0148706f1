"""Who is sending an outbox item, and whether that sender still lives.

A *sender* is one run of sending: one press of 'Send to AFAS' in a dashboard session, one
``python -m afas post``, one worker of the fault soak. It has an id of its own
(``host:pid:process-token:sender-token``) and a name for people ("the dashboard", "python -m afas
post on host, process 123"). Before it claims anything, and for as long as it lives, it holds an
exclusive OS lock (``flock``) on its own file in the folder ``<database>.senders/`` beside the
DuckDB file. The outbox writes the sender's id into every item it claims (``claimed_by``).

"Is the sender of this claim gone?" is then answered by trying that sender's lock, not by a clock:

- a sender that is alive, however slow (AFAS takes 30 s over a POST), still holds its lock, so no
  other sender ever takes its items away;
- a sender whose process died, however it died (SIGKILL, power cut of the process, OOM killer),
  has its lock released by the operating system at once, so the next sender recovers its items;
- a sender that stopped inside a living process (its run ended by an exception) is gone as soon
  as :meth:`Sender.stop` runs; inside one process the registry of live senders answers (for an
  in-memory database it is the only record, since nothing else can open it).

The lock files hold who the sender is (JSON), for people looking at the folder; the outbox keeps
the same name in the database. A file of a sender found gone is removed by whoever finds it.
Locks of the OS, on a local file system: on a network share ``flock`` is only as good as the
share's locking.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import secrets
import socket
import threading
from contextlib import suppress
from pathlib import Path

import orjson

from afas.errors import AppError
from afas.i18n import tr

__all__ = ["Sender", "SenderLockError", "alive", "default_name", "senders_dir"]


class SenderLockError(AppError):
    """The sender cannot mark itself as sending (the folder beside the database is not writable)."""


def _new_process_token() -> str:
    return secrets.token_hex(4)


_process = {"token": _new_process_token()}
_live: set[str] = set()
_live_lock = threading.Lock()
_lock_fds: set[int] = set()  # the lock files this process's live senders hold


def _after_fork_in_child() -> None:
    """A forked child is another process: the parent's senders are not its own, and its copies of
    their lock files must not keep those locks held once the parent is gone."""
    _process["token"] = _new_process_token()
    _live.clear()
    for fd in list(_lock_fds):
        with suppress(OSError):
            os.close(fd)  # the parent's own descriptor still holds the lock while the parent lives
    _lock_fds.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "host"


def default_name() -> str:
    """A sender's name when the caller gives none: this program on this host."""
    return tr("process {pid} on {host}").format(pid=os.getpid(), host=socket.gethostname())


def senders_dir(db_file: str | os.PathLike[str] | None) -> Path | None:
    """The folder of sender locks beside a database file (None for an in-memory database)."""
    if not db_file:
        return None
    path = Path(os.path.realpath(db_file))
    return path.with_name(path.name + ".senders")


def _lock_file(folder: Path, sender_id: str) -> Path:
    return folder / (sender_id.replace(":", "_") + ".lock")


class Sender:
    """One sender: its id, its name, and (between start and stop) its lock."""

    def __init__(self, name: str, folder: Path | None) -> None:
        self.name = name
        self.folder = folder
        self.id = f"{_host()}:{os.getpid()}:{_process['token']}:{secrets.token_hex(6)}"
        self._fd: int | None = None
        self._path: Path | None = None

    def start(self) -> Sender:
        """Take this sender's lock (a new file nobody else knows yet) and register it as live."""
        if self.folder is not None:
            path = _lock_file(self.folder, self.id)
            fd = None
            try:
                self.folder.mkdir(exist_ok=True)
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: nobody else holds it
                info = {"name": self.name, "pid": os.getpid(), "host": socket.gethostname()}
                info["since"] = dt.datetime.now().isoformat(timespec="seconds")
                os.write(fd, orjson.dumps(info))
            except OSError as exc:
                if fd is not None:
                    os.close(fd)
                    with suppress(OSError):
                        os.unlink(path)
                raise SenderLockError(
                    tr("Cannot mark this program as the one sending: no lock in {folder} ({error}).").format(
                        folder=self.folder, error=exc.strerror or exc
                    ),
                    tr(
                        "The folder beside the database must be writable, on a disk that supports file "
                        "locks, for the program that sends."
                    ),
                ) from None
            self._fd, self._path = fd, path
        with _live_lock:
            _live.add(self.id)
            if self._fd is not None:
                _lock_fds.add(self._fd)
        return self

    def stop(self) -> None:
        """From here on this sender is gone: the items it still claims may be recovered by others."""
        with _live_lock:
            _live.discard(self.id)
            mine = self._fd is not None and self._fd in _lock_fds  # not after a fork: the parent's
            _lock_fds.discard(self._fd)  # type: ignore[arg-type]
        if mine:
            with suppress(OSError):
                os.unlink(self._path)  # type: ignore[arg-type]
            os.close(self._fd)  # type: ignore[arg-type]  # releases the lock
        self._fd = self._path = None

    def __enter__(self) -> Sender:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def alive(sender_id: str, folder: Path | None) -> bool:
    """True while the sender ``sender_id`` lives (holds its lock); False once it is gone for sure."""
    with _live_lock:
        if sender_id in _live:
            return True
    parts = sender_id.split(":")
    if len(parts) == 4 and parts[2] == _process["token"]:
        return False  # one of this process's senders, and no longer registered: it stopped
    if folder is None:
        return False
    path = _lock_file(folder, sender_id)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False  # a sender writes its file before it claims anything; no file, no sender
    try:
        try:  # shared: two senders probing at once both learn the truth, neither blocks the other
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        with suppress(OSError):
            os.unlink(path)  # the sender died without tidying up; its lock is free, so it is gone
        return False
    finally:
        os.close(fd)
