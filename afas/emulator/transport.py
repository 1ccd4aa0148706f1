"""Mount the emulator in-process: an httpx transport that calls ``Emulator.handle`` directly.

Tests and the benchmark's reference use it to talk to AFAS's behaviour without sockets; a dropped
connection surfaces as the same httpx exception a real one would (``RemoteProtocolError``).
"""

from __future__ import annotations

import httpx

from afas.emulator.core import EmRequest, Emulator

__all__ = ["EmulatorTransport"]


class EmulatorTransport(httpx.BaseTransport):
    def __init__(self, emulator: Emulator, client_address: str = "127.0.0.1") -> None:
        self.emulator = emulator
        self.client_address = client_address

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        req = EmRequest(
            method=request.method,
            path=request.url.raw_path.split(b"?", 1)[0].decode("ascii"),
            query=request.url.query.decode("ascii"),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            client=self.client_address,
        )
        resp = self.emulator.handle(req)
        if resp.drop:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx.Response(resp.status, headers=resp.headers, content=resp.body, request=request)
