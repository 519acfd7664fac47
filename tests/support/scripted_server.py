"""A real WebSocket server on 127.0.0.1:0 that plays a script and records what the client sent.

Every client event it receives and every server event a script sends is validated against the `openai`
package's typed unions for the connection's dialect, so each test doubles as a conformance test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import websockets
from websockets.asyncio.server import ServerConnection

from . import conformance
from .loopback import LoopbackServer

Script = Callable[["ScriptedConnection"], Awaitable[None]]


class ScriptedConnection:
    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        headers = ws.request.headers if ws.request else {}
        self.dialect = "beta" if headers.get("OpenAI-Beta") == "realtime=v1" else "ga"
        self.headers = {k.lower(): v for k, v in headers.items()} if ws.request else {}
        self.path = ws.request.path if ws.request else ""
        self.received: list[dict[str, Any]] = []
        self.conformance_errors: list[str] = []
        self._new = asyncio.Condition()
        self._cursor = 0

    async def _pump(self) -> None:
        async for frame in self.ws:
            event = json.loads(frame)
            try:
                conformance.validate("client", self.dialect, event)
            except Exception as exc:
                self.conformance_errors.append(f"{event.get('type')}: {exc}")
            async with self._new:
                self.received.append(event)
                self._new.notify_all()

    async def expect(self, kind: str, timeout: float = 5.0) -> dict[str, Any]:
        """The next client event of type `kind` after the previous expect (others are skipped, kept in received)."""
        async def find() -> dict[str, Any]:
            async with self._new:
                while True:
                    for index in range(self._cursor, len(self.received)):
                        if self.received[index]["type"] == kind:
                            self._cursor = index + 1
                            return self.received[index]
                    await self._new.wait()
        return await asyncio.wait_for(find(), timeout)

    async def send(self, *events: dict[str, Any]) -> None:
        for event in events:
            conformance.validate("server", self.dialect, event)
            await self.ws.send(json.dumps(event))

    async def send_raw(self, frame: str) -> None:
        await self.ws.send(frame)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.ws.close(code, reason)

    def sent_types(self) -> list[str]:
        return [e["type"] for e in self.received]


class ScriptedServer(LoopbackServer):
    """`async with ScriptedServer(script) as server:` → `server.url`; `server.connections` after the run."""

    serve_options: ClassVar[dict[str, Any]] = {"max_size": 16 * 1024 * 1024}

    def __init__(self, script: Script) -> None:
        super().__init__()
        self.script = script
        self.connections: list[ScriptedConnection] = []
        self.errors: list[BaseException] = []

    async def _serve(self, ws: ServerConnection) -> None:
        conn = ScriptedConnection(ws)
        self.connections.append(conn)
        pump = asyncio.create_task(conn._pump())
        try:
            await self.script(conn)
            with contextlib.suppress(Exception):
                await pump
        except websockets.ConnectionClosed:
            pass
        except BaseException as exc:  # surfaced by the test through server.errors
            self.errors.append(exc)
            await ws.close(1011, "script failed")
        finally:
            pump.cancel()

    def check(self) -> None:
        """Fail the test on script errors or non-conforming client events."""
        if self.errors:
            raise self.errors[0]
        problems = [p for c in self.connections for p in c.conformance_errors]
        assert not problems, problems
