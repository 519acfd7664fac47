"""The WebSocket model pointed at an embedded local engine it starts itself (RTAGENT_BACKEND=local).

The one place below the CLI that starts the engine: it is imported lazily, so the SDK never loads it otherwise.
"""

from __future__ import annotations

import os
from typing import Any

from .model import RealtimeModelConfig
from .websocket import OpenAIRealtimeWebSocketModel

BACKEND_ENV = "RTAGENT_BACKEND"
GREET_ENV = "RTAGENT_LOCAL_GREET_MS"
DEFAULT_GREET_MS = 1500


def greeting_delay_ms() -> int | None:
    """How long the engine waits for a silent client before greeting it (RTAGENT_LOCAL_GREET_MS; 0 turns it off)."""
    greet = os.environ.get(GREET_ENV, str(DEFAULT_GREET_MS)).strip()
    return int(greet) if greet.isdigit() and int(greet) > 0 else None


async def start_local_engine(*, greet: bool) -> Any:
    """Start the embedded engine on a free loopback port; the one place the client starts it.

    Returns the running `LocalRealtimeServer` (its `url` is set); the caller must `await server.stop()`.
    `greet`: an agent that opens the conversation (the SDK's default backend) greets a client that says nothing.
    """
    from ..local.server import LocalRealtimeServer  # lazy: the speech stack loads only when used

    server = LocalRealtimeServer(greet_after_ms=greeting_delay_ms() if greet else None)
    await server.start()
    return server


def local_backend_requested() -> bool:
    """True when the environment asks for the embedded engine."""
    return os.environ.get(BACKEND_ENV, "").strip().lower() == "local"


class LocalEngineModel(OpenAIRealtimeWebSocketModel):
    """Starts the embedded engine on a free loopback port at connect, talks to it over a real WebSocket,
    and stops it at close.
    """

    def __init__(self) -> None:
        super().__init__()
        self._server: Any = None

    async def connect(self, options: RealtimeModelConfig) -> None:
        self._server = await start_local_engine(greet=True)
        local_options: dict[str, Any] = dict(options)
        local_options["url"] = self._server.url
        local_options.setdefault("api_key", "local")
        try:
            await super().connect(local_options)  # type: ignore[arg-type]
        except BaseException:
            await self._server.stop()
            raise

    async def close(self) -> None:
        await super().close()
        if self._server is not None:
            await self._server.stop()
            self._server = None
