"""A WebSocket server on 127.0.0.1:0 as an async context manager, with `url` pointing at its /v1/realtime."""

from __future__ import annotations

from typing import Any, ClassVar

import websockets
from websockets.asyncio.server import ServerConnection


class LoopbackServer:
    """Subclasses implement `_serve(ws)` and may set `serve_options` (passed to `websockets.serve`)."""

    serve_options: ClassVar[dict[str, Any]] = {}

    def __init__(self) -> None:
        self.url = ""
        self._server: Any = None

    async def _serve(self, ws: ServerConnection) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Any:
        self._server = await websockets.serve(self._serve, "127.0.0.1", 0, **self.serve_options)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/v1/realtime"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        await self._server.wait_closed()
