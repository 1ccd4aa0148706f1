"""Faults on request: what a real AFAS (or the network to it) does on a bad day.

A rule matches requests by connector id and/or HTTP method (None matches all) and fires for the
next ``times`` matching requests (None: until cleared). Kinds:

- ``latency``: answer normally after ``latency_ms``. Clearing the faults (``DELETE
  /__emulator__/faults``) ends the waits in progress at once: a test holds a request in flight
  with a long latency and lets it go when it has seen what it wanted, instead of guessing a time.
- ``error500``: 500 with AFAS's generic error body; nothing is processed.
- ``error503``: 503 with AFAS's maintenance body and ``Retry-After``; nothing is processed.
- ``drop``: the connection is dropped before the request is processed.
- ``lost_response``: the request is processed (a write is committed) and then the connection
  is dropped, so the client never learns the result: the case an outbox must survive.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["FaultRule", "Faults", "FAULT_KINDS"]

FAULT_KINDS = ("latency", "error500", "error503", "drop", "lost_response")


@dataclass
class FaultRule:
    kind: str
    connector: str | None = None
    method: str | None = None
    times: int | None = 1
    latency_ms: int = 0
    retry_after: int = 1

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}")

    @classmethod
    def parse(cls, spec: str) -> FaultRule:
        """Read ``kind[,connector=ID][,method=VERB][,times=N|always][,latency_ms=N][,retry_after=N]``."""
        kind, *options = [part.strip() for part in spec.split(",") if part.strip()]
        kwargs: dict[str, object] = {}
        for option in options:
            name, sep, value = option.partition("=")
            if not sep or name not in ("connector", "method", "times", "latency_ms", "retry_after"):
                raise ValueError(
                    f"fault option {option!r}: expected connector=, method=, times=, latency_ms= or "
                    "retry_after="
                )
            if name in ("connector", "method"):
                kwargs[name] = value
            elif name == "times" and value == "always":
                kwargs[name] = None
            else:
                try:
                    kwargs[name] = int(value)
                except ValueError:
                    raise ValueError(f"fault option {option!r}: {name} must be a whole number") from None
        return cls(kind, **kwargs)  # type: ignore[arg-type]

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "connector": self.connector,
            "method": self.method,
            "times": self.times,
            "latency_ms": self.latency_ms,
            "retry_after": self.retry_after,
        }

    def matches(self, connector: str | None, method: str) -> bool:
        if self.connector is not None and (connector or "").lower() != self.connector.lower():
            return False
        return self.method is None or self.method.upper() == method.upper()


class Faults:
    """The active fault rules of one emulator; thread-safe."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._released = threading.Event()  # set by clear(): the latencies waiting now end
        self.fired: list[tuple[str, str | None, str]] = []  # (kind, connector, method), for tests

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            released, self._released = self._released, threading.Event()
        released.set()

    def release(self) -> threading.Event:
        """What ends the latencies of the rules taken from now on: get it before :meth:`take`, so a
        clear() between the two ends the wait too."""
        with self._lock:
            return self._released

    @staticmethod
    def delay(rule: FaultRule, released: threading.Event) -> None:
        """Wait out a latency rule: ``latency_ms``, or until the faults are cleared."""
        released.wait(rule.latency_ms / 1000)

    def take(self, connector: str | None, method: str) -> list[FaultRule]:
        """The rules that fire for this request (each consumed once); latency rules first."""
        fired: list[FaultRule] = []
        with self._lock:
            for rule in list(self._rules):
                if not rule.matches(connector, method):
                    continue
                fired.append(rule)
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
            for rule in fired:
                self.fired.append((rule.kind, connector, method))
        return sorted(fired, key=lambda r: r.kind != "latency")

    def active(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)
