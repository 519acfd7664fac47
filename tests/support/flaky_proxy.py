"""A WebSocket proxy on loopback between a client and a realtime server that can cut the connection at will:
abruptly (no close frame, the client sees 1006) or with a close code (e.g. 1001)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, ClassVar

import websockets
from websockets.asyncio.server import ServerConnection

from .loopback import LoopbackServer


class FlakyProxy(LoopbackServer):
    serve_options: ClassVar[dict[str, Any]] = {"max_size": None, "compression": None}

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target.rstrip("/")
        self.connections = 0
        self._current: ServerConnection | None = None

    async def _serve(self, client: ServerConnection) -> None:
        self.connections += 1
        request = client.request
        assert request is not None
        query = request.path.split("?", 1)[1] if "?" in request.path else ""
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "openai-beta")}
        async with websockets.connect(f"{self.target}?{query}", additional_headers=headers, max_size=None,
                                      compression=None) as upstream:
            self._current = client

            async def pump(src: Any, dst: Any) -> None:
                async for frame in src:
                    await dst.send(frame)

            tasks = [asyncio.create_task(pump(client, upstream)), asyncio.create_task(pump(upstream, client))]
            with contextlib.suppress(Exception):
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()

    def drop(self) -> None:
        """Cut the current client connection with no close frame."""
        if self._current is not None and self._current.transport is not None:
            self._current.transport.abort()

    async def close(self, code: int, reason: str = "") -> None:
        if self._current is not None:
            await self._current.close(code, reason)
