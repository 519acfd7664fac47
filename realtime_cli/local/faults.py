"""Fault injection for the local engine: a `FaultPlan` says how a connection misbehaves (drops, close codes,
latency, malformed frames, stalls); a `FaultyLink` carries it out on one connection by wrapping its `send`.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

Send = Callable[[dict[str, Any]], Awaitable[None]]

# What the service says when it ends a session itself, by close code.
CLOSE_REASONS = {1001: "Your session hit the maximum duration of 60 minutes.",
                 1011: "The server had an error while processing your request.",
                 1013: "The server is overloaded; try again later."}
MALFORMED_KINDS = ("invalid_json", "not_an_object", "missing_type")


@dataclass(frozen=True)
class FaultPlan:
    """How the engine misbehaves on a connection. Event counts are server frames sent on that connection
    (session.created is the first); a threshold of 0 acts right after the WebSocket handshake.

    - `drop_after_events` / `drop_after_s`: close the TCP connection with no close frame (the client sees 1006).
    - `close_code` + `close_after_events`: a proper close frame with that code (reason from `close_reason`, or
      the service's words for the code), after that many events (0 when not given).
    - `delay_ms` + `jitter_ms`: each frame reaches the client that much later (uniform jitter from a RNG seeded
      by `seed` and the connection's index); frames are never reordered and throughput is not throttled.
    - `malformed_every`: every Nth frame is replaced by a malformed one, cycling through `MALFORMED_KINDS`.
    - `stall_after_events`: after that many frames, send nothing and read nothing; the socket stays open.
    - `handshake_stall`: accept the TCP connection but never answer the WebSocket handshake.
    - `connections`: the plan applies to the first N connections only; later ones are clean.
    """

    drop_after_events: int | None = None
    drop_after_s: float | None = None
    close_code: int | None = None
    close_after_events: int | None = None
    close_reason: str | None = None
    delay_ms: float = 0.0
    jitter_ms: float = 0.0
    seed: int = 0
    malformed_every: int | None = None
    stall_after_events: int | None = None
    handshake_stall: bool = False
    connections: int | None = None

    def __post_init__(self) -> None:
        for name in ("drop_after_events", "close_after_events", "stall_after_events", "connections"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"FaultPlan.{name} must be 0 or more, not {value}")
        for name in ("drop_after_s", "delay_ms", "jitter_ms"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"FaultPlan.{name} must be 0 or more, not {value}")
        if self.malformed_every is not None and self.malformed_every < 1:
            raise ValueError(f"FaultPlan.malformed_every must be 1 or more, not {self.malformed_every}")
        code = self.close_code
        if code is not None and (not 1000 <= code <= 4999 or code in (1004, 1005, 1006, 1015)):
            raise ValueError(f"FaultPlan.close_code {self.close_code} cannot be sent in a close frame")
        if self.close_code is None and (self.close_after_events is not None or self.close_reason is not None):
            raise ValueError("FaultPlan.close_after_events and close_reason need a close_code")

    def applies_to(self, index: int) -> bool:
        """Whether connection number `index` (0 for the first the server accepted) gets these faults."""
        return self.connections is None or index < self.connections

    @property
    def reason(self) -> str:
        if self.close_reason is not None:
            return self.close_reason
        return CLOSE_REASONS.get(self.close_code or 0, "")


def malformed_frame(event: dict[str, Any], n: int) -> str:
    """The `n`th malformed stand-in for `event` (0-based; cycles invalid JSON, a non-object, a missing type)."""
    kind = MALFORMED_KINDS[n % len(MALFORMED_KINDS)]
    if kind == "invalid_json":
        whole = orjson.dumps(event)
        return whole[: max(1, len(whole) // 2)].decode("utf-8", errors="ignore")  # a cut-off object
    if kind == "not_an_object":
        return orjson.dumps([event]).decode()
    return orjson.dumps({k: v for k, v in event.items() if k != "type"}).decode()


class Socket(Protocol):
    """What a link needs from its connection (websockets' ServerConnection fits)."""

    transport: asyncio.Transport

    async def send(self, message: str, text: bool | None = None) -> None: ...

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


class FaultyLink:
    """One connection carrying out a FaultPlan. Give the engine `link.send`; call `await link.start()` before the
    first event, `await link.hold()` before handling each client frame, and `link.finish()` when the connection
    ends. `abort()` ends the connection at once (the server calls it on shutdown so stalls never block it).
    """

    def __init__(self, plan: FaultPlan, ws: Socket, index: int = 0) -> None:
        self.plan = plan
        self.ws = ws
        self.index = index
        self.sent = 0  # frames written to the socket
        self.malformed = 0
        self.stalled = False
        self.dead = False  # dropped, closing or aborted: later frames go nowhere
        self._released = asyncio.Event()
        self._rng = random.Random(plan.seed * 1_000_003 + index)
        self._timer: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.plan.drop_after_s is not None:
            self._timer = asyncio.create_task(self._drop_later(self.plan.drop_after_s))
        self._check_thresholds()

    async def hold(self) -> None:
        """Returns at once, unless the link is stalled: then only when it is aborted."""
        if self.stalled and not self.dead:
            await self._released.wait()

    def finish(self) -> None:
        for task in (self._timer, self._pump):
            if task is not None:
                task.cancel()
        self._released.set()

    def abort(self) -> None:
        self.dead = True
        self.ws.transport.abort()
        self.finish()

    async def send(self, event: dict[str, Any]) -> None:
        if self.plan.delay_ms or self.plan.jitter_ms:
            self._send_delayed(event)
        else:
            await self._send_now(event)

    def _send_delayed(self, event: dict[str, Any]) -> None:
        """Queue the frame to leave after its delay (never before an earlier frame); the caller goes on at once,
        as it would with a slow network, so latency adds up per round trip, not per frame."""
        loop = asyncio.get_running_loop()
        delay = (self.plan.delay_ms + self._rng.uniform(0, self.plan.jitter_ms)) / 1000
        self._queue.put_nowait((loop.time() + delay, event))
        if self._pump is None:
            self._pump = asyncio.create_task(self._pump_frames())

    async def _pump_frames(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due, event = await self._queue.get()
            await asyncio.sleep(max(0.0, due - loop.time()))
            try:
                await self._send_now(event)
            except Exception:  # the connection ended: what was still in flight is lost
                return

    async def _send_now(self, event: dict[str, Any]) -> None:
        if self.stalled:
            await self._released.wait()
        if self.dead:
            return
        every = self.plan.malformed_every
        if every is not None and (self.sent + 1) % every == 0:
            frame = malformed_frame(event, self.malformed)
            self.malformed += 1
        else:
            frame = orjson.dumps(event).decode()
        await self.ws.send(frame, text=True)
        self.sent += 1
        self._check_thresholds()

    def _check_thresholds(self) -> None:
        plan = self.plan
        if self.dead or self.stalled:
            return
        if plan.drop_after_events is not None and self.sent >= plan.drop_after_events:
            self._drop()
        elif plan.close_code is not None and self.sent >= (plan.close_after_events or 0):
            self.dead = True
            self._closer = asyncio.create_task(self.ws.close(plan.close_code, plan.reason))
        elif plan.stall_after_events is not None and self.sent >= plan.stall_after_events:
            self.stalled = True
            self.ws.transport.pause_reading()

    def _drop(self) -> None:
        """Close the TCP connection without a close frame; what was already written is still delivered."""
        self.dead = True
        self.ws.transport.close()
        self._released.set()

    async def _drop_later(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if not self.dead:
            self._drop()


async def stall_handshake(stopping: asyncio.Event) -> None:
    """Wait, answering nothing, until the server stops."""
    await stopping.wait()
