"""Run the emulator over real HTTP with uvicorn: in the foreground (CLI) or in a thread (tests, app)."""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn

from afas.emulator.asgi import EmulatorASGI
from afas.emulator.core import Emulator

__all__ = ["EmulatorServer", "free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class EmulatorServer:
    """An emulator served by uvicorn on host:port; ``start()`` returns once it accepts connections."""

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(
            EmulatorASGI(emulator),
            host=host,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_keep_alive=30,
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        # Uvicorn reports the deliberate drops as errors; they are the point of the fault.
        logging.getLogger("uvicorn.error").addFilter(
            lambda record: (
                "connection dropped on purpose" not in record.getMessage()
                and "(fault injection)" not in str(record.exc_info[1] if record.exc_info else "")
            )
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/ProfitRestServices"

    def start(self, timeout: float = 30.0) -> EmulatorServer:
        self._thread = threading.Thread(target=self.server.run, name="afas-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the AFAS emulator did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def serve_forever(self) -> None:
        """Serve until the server stops or Ctrl+C; call after :meth:`start` (so that whoever reads the
        base URL printed in between can connect at once)."""
        if self._thread is None:
            self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
