"""A raw WebSocket client for the local engine that validates every server event against openai's unions."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import numpy as np
import websockets

from . import conformance


class RawClient:
    def __init__(self, url: str, dialect: str = "ga", model: str = "gpt-realtime") -> None:
        self.url = f"{url}?model={model}"
        self.dialect = dialect
        self.events: list[dict[str, Any]] = []
        self._ws: Any = None
        self._cursor = 0
        self._new = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self.closed = False

    async def __aenter__(self) -> RawClient:
        headers = {"Authorization": "Bearer anything"}
        if self.dialect == "beta":
            headers["OpenAI-Beta"] = "realtime=v1"
        self._ws = await websockets.connect(self.url, additional_headers=headers, max_size=None)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self.closed:
            await self._ws.close()
        if self._reader:
            self._reader.cancel()

    async def _read(self) -> None:
        try:
            async for frame in self._ws:
                event = json.loads(frame)
                conformance.validate("server", self.dialect, event)
                self.events.append(event)
                self._new.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed = True
            self._new.set()

    async def send(self, event: dict[str, Any] | str) -> None:
        await self._ws.send(event if isinstance(event, str) else json.dumps(event))

    async def wait_for(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        """The next event of `kind` after the previous wait (earlier ones stay in `events`)."""
        async def find() -> dict[str, Any]:
            while True:
                for index in range(self._cursor, len(self.events)):
                    if self.events[index]["type"] == kind:
                        self._cursor = index + 1
                        return self.events[index]
                if self.closed:
                    raise ConnectionError(f"connection closed before {kind!r} arrived")
                self._new.clear()
                await self._new.wait()
        return await asyncio.wait_for(find(), timeout)

    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    def audio(self, response_id: str | None = None) -> bytes:
        return b"".join(base64.b64decode(e["delta"]) for e in self.events
                        if e["type"] in ("response.output_audio.delta", "response.audio.delta")
                        and (response_id is None or e["response_id"] == response_id))

    async def append_audio(self, samples: np.ndarray, chunk_ms: int = 100, rate: int = 24000) -> None:
        step = rate * chunk_ms // 1000
        for start in range(0, samples.size, step):
            data = samples[start:start + step].astype("<i2").tobytes()
            await self.send({"type": "input_audio_buffer.append", "audio": base64.b64encode(data).decode()})


def ga_session(**overrides: Any) -> dict[str, Any]:
    session: dict[str, Any] = {"type": "realtime", "instructions": "You help with weather.",
                               "tools": [{"type": "function", "name": "get_weather",
                                          "description": "Get current weather for a city.",
                                          "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                         "required": ["city"]}}]}
    session.update(overrides)
    return {"type": "session.update", "session": session}
