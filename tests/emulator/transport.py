"""Route a real provider URL to the emulator at the transport level, URL and Host untouched.

The resolver decides the header from the *real* base URL (MiniMax gets Bearer
only at ``https://api.minimax.io/anthropic``), so to check the bytes the agent
sends there, the request must keep that URL and Host. This transport changes
only where the TCP connection goes: 127.0.0.1:PORT, in plain HTTP.
"""

from __future__ import annotations

import httpx


class RouteToEmulator(httpx.AsyncBaseTransport):
    """Send every request to ``127.0.0.1:port`` while keeping its path, query and Host header."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inner = httpx.AsyncHTTPTransport()
        self.seen: list[str] = []   # the original URLs, for assertions

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        assert "host" in request.headers  # set from the original URL when the request was built
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
