"""The WebSocket model pointed at an embedded local engine it starts itself (RTAGENT_BACKEND=local).

The one place below the CLI that starts the engine: it is imported lazily, so the SDK never loads it otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from typing import Any

from ..protocol.errors import RealtimeConnectionError
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


ENGINE_START_S = 60.0  # the longest a child engine may take to say where it listens (imports, a cold disk)
engine_log = logging.getLogger("realtime_cli.local")


class EngineProcess:
    """The embedded engine in a child process (`python -m realtime_cli.local`): its own interpreter, so its
    recognizer and voice never wait for the client's GIL (nor the client's audio callbacks for theirs).

    `await start()` returns its URL; `await stop()` ends it. The child also ends when its stdin closes, so it never
    outlives the client however the client exits. Its log lines are passed to the `realtime_cli.local` logger.
    """

    def __init__(self, *, greet_after_ms: int | None = None, command: list[str] | None = None) -> None:
        """`command`: what to run instead of `python -m realtime_cli.local` (tests start a failing one)."""
        self.greet_after_ms = greet_after_ms
        self.command = command or [sys.executable, "-m", "realtime_cli.local"]
        self.url = ""
        self._proc: asyncio.subprocess.Process | None = None
        self._log: asyncio.Task[None] | None = None
        self._last_line = ""  # the child's latest log line: why it failed, when it does

    async def start(self) -> str:
        args = list(self.command)
        if self.greet_after_ms is not None:
            args += ["--greet-after-ms", str(self.greet_after_ms)]
        self._proc = proc = await asyncio.create_subprocess_exec(
            *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            start_new_session=True)  # out of the terminal's process group: Ctrl-C and Ctrl-Z reach the client only
        assert proc.stdout is not None and proc.stderr is not None
        self._log = asyncio.create_task(self._relay(proc.stderr))
        try:
            first = await asyncio.wait_for(proc.stdout.readline(), ENGINE_START_S)
        except asyncio.TimeoutError:
            first = b""
        url = first.decode("utf-8", "replace").strip()
        if not url.startswith("ws://"):
            await self.stop()
            why = self._last_line or f"no address within {ENGINE_START_S:.0f} s"
            raise RealtimeConnectionError(f"the local engine did not start: {why}")
        self.url = url
        return url

    async def _relay(self, stream: asyncio.StreamReader) -> None:
        while raw := await stream.readline():
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                self._last_line = line
                engine_log.warning("%s", line)

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # the child's cue to stop serving
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
        if self._log is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._log, 2)


async def start_engine_process(*, greet: bool) -> EngineProcess:
    """The embedded engine in a child process, started; the caller must `await engine.stop()`."""
    engine = EngineProcess(greet_after_ms=greeting_delay_ms() if greet else None)
    await engine.start()
    return engine


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
