"""The emulator as an ASGI application, for uvicorn: a real HTTP server on loopback.

Requests are handled in a worker thread (the core is synchronous and DuckDB releases the GIL
while it works), so several calls are served at once, as AFAS serves up to 8 in parallel.
A dropped connection is produced by failing after the response has started: the server then
closes the socket and the client sees an incomplete response.
"""

from __future__ import annotations

import anyio.to_thread

from afas.emulator.core import EmRequest, Emulator

__all__ = ["EmulatorASGI"]


class _Drop(Exception):
    """Raised to make the server close the connection mid-response."""


class EmulatorASGI:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.limiter = anyio.CapacityLimiter(16)

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 (ASGI signature)
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        client = scope.get("client") or ("127.0.0.1", 0)
        req = EmRequest(
            method=scope["method"],
            path=scope.get("raw_path", scope["path"].encode()).split(b"?", 1)[0].decode("latin-1"),
            query=scope.get("query_string", b"").decode("latin-1"),
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
            body=b"".join(chunks),
            client=client[0],
        )
        resp = await anyio.to_thread.run_sync(self.emulator.handle, req, limiter=self.limiter)
        if resp.drop:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
                }
            )
            raise _Drop("connection dropped on purpose (fault injection)")
        headers = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in resp.headers
            if k.lower() != "content-length"
        ]
        headers.append((b"content-length", str(len(resp.body)).encode()))
        await send({"type": "http.response.start", "status": resp.status, "headers": headers})
        await send({"type": "http.response.body", "body": resp.body})
