"""Fault injection in the local engine, observed with a raw websockets client: abrupt drops (1006), close frames
(1001), malformed frames, latency with jitter, stalls, clean later connections, and a handshake that never ends."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK
from websockets.protocol import State

from realtime_cli.local.faults import CLOSE_REASONS, MALFORMED_KINDS, FaultPlan, malformed_frame
from realtime_cli.local.server import LocalRealtimeServer

SESSION = {"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"],
                                                 "instructions": "You help with weather."}}
HELLO = {"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                                                      "content": [{"type": "input_text", "text": "Hello there"}]}}


@asynccontextmanager
async def engine(plan: FaultPlan | None) -> AsyncIterator[LocalRealtimeServer]:
    server = LocalRealtimeServer(faults=plan)
    await server.start()
    try:
        yield server
    finally:
        started = time.monotonic()
        await server.stop()
        assert time.monotonic() - started < 3, "a fault kept the server from stopping"


@asynccontextmanager
async def connect(url: str, **kwargs: Any) -> AsyncIterator[ClientConnection]:
    ws = await websockets.connect(f"{url}?model=gpt-realtime", close_timeout=0.5, max_size=None, **kwargs)
    try:
        yield ws
    finally:
        ws.transport.abort()


async def recv_event(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    event = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    assert isinstance(event, dict)
    return event


async def text_turn(ws: ClientConnection) -> list[dict[str, Any]]:
    """Configure, say hello, ask for a response; every event up to response.done (session.created included)."""
    events = [await recv_event(ws)]
    for event in (SESSION, HELLO, {"type": "response.create"}):
        await ws.send(json.dumps(event))
    while events[-1]["type"] != "response.done":
        events.append(await recv_event(ws))
    return events


async def drain_until_closed(ws: ClientConnection, timeout: float = 5) -> tuple[list[str], Exception]:
    frames: list[str] = []
    try:
        while True:
            frames.append(str(await asyncio.wait_for(ws.recv(), timeout)))
    except websockets.ConnectionClosed as exc:
        return frames, exc


async def test_drop_after_events_closes_tcp_without_a_close_frame() -> None:
    async with engine(FaultPlan(drop_after_events=2)) as server, connect(server.url) as ws:
        await ws.send(json.dumps(SESSION))
        frames, exc = await drain_until_closed(ws)
        assert [json.loads(f)["type"] for f in frames] == ["session.created", "session.updated"]
        assert isinstance(exc, ConnectionClosedError)
        assert exc.rcvd is None and ws.close_code == 1006


async def test_drop_after_zero_events_drops_before_session_created() -> None:
    async with engine(FaultPlan(drop_after_events=0)) as server, connect(server.url) as ws:
        frames, exc = await drain_until_closed(ws)
        assert frames == [] and isinstance(exc, ConnectionClosedError) and ws.close_code == 1006


async def test_drop_after_seconds() -> None:
    async with engine(FaultPlan(drop_after_s=0.3)) as server:
        started = time.monotonic()  # before the handshake: the engine's clock starts after it, so never earlier
        async with connect(server.url) as ws:
            assert (await recv_event(ws))["type"] == "session.created"
            _, exc = await drain_until_closed(ws)
            assert 0.3 <= time.monotonic() - started < 3
            assert isinstance(exc, ConnectionClosedError) and ws.close_code == 1006


async def test_close_code_1001_with_the_services_reason() -> None:
    async with engine(FaultPlan(close_code=1001, close_after_events=2)) as server, connect(server.url) as ws:
        await ws.send(json.dumps(SESSION))
        frames, exc = await drain_until_closed(ws)
        assert [json.loads(f)["type"] for f in frames] == ["session.created", "session.updated"]
        assert isinstance(exc, ConnectionClosedOK)
        assert exc.rcvd is not None and exc.rcvd.code == 1001
        assert exc.rcvd.reason == CLOSE_REASONS[1001] == "Your session hit the maximum duration of 60 minutes."


async def test_close_code_4000_with_a_custom_reason() -> None:
    plan = FaultPlan(close_code=4000, close_after_events=1, close_reason="bye")
    async with engine(plan) as server, connect(server.url) as ws:
        frames, exc = await drain_until_closed(ws)
        assert len(frames) == 1 and isinstance(exc, ConnectionClosedError)
        assert exc.rcvd is not None and (exc.rcvd.code, exc.rcvd.reason) == (4000, "bye")


async def test_every_third_frame_is_malformed_cycling_the_kinds() -> None:
    async with engine(FaultPlan(malformed_every=3)) as server, connect(server.url) as ws:
        await ws.send(json.dumps(SESSION))
        await ws.send(json.dumps(HELLO))
        await ws.send(json.dumps({"type": "response.create"}))
        frames = [str(await asyncio.wait_for(ws.recv(), 5)) for _ in range(12)]
    kinds = []
    for number, frame in enumerate(frames, 1):
        try:
            value = json.loads(frame)
        except ValueError:
            kinds.append("invalid_json")
            continue
        if not isinstance(value, dict):
            kinds.append("not_an_object")
        elif "type" not in value:
            kinds.append("missing_type")
        else:
            kinds.append("ok")
        assert (kinds[-1] == "ok") == (number % 3 != 0)
    assert [k for k in kinds if k != "ok"] == ["invalid_json", "not_an_object", "missing_type", "invalid_json"]


def test_malformed_frame_kinds_are_never_valid_events() -> None:
    event = {"type": "response.output_text.delta", "event_id": "event_1", "delta": "héllo wörld ✓"}
    for n in range(len(MALFORMED_KINDS) * 2):
        frame = malformed_frame(event, n)
        try:
            value = json.loads(frame)
        except ValueError:
            assert MALFORMED_KINDS[n % 3] == "invalid_json"
            continue
        assert not (isinstance(value, dict) and isinstance(value.get("type"), str))


async def test_delay_is_measurable_and_jitter_never_reorders() -> None:
    async with engine(None) as clean, connect(clean.url) as ws:
        started = time.monotonic()
        reference = await text_turn(ws)
        clean_s = time.monotonic() - started
    plan = FaultPlan(delay_ms=250, jitter_ms=40, seed=7)
    async with engine(plan) as server, connect(server.url) as ws:
        started = time.monotonic()
        first = await recv_event(ws)
        assert time.monotonic() - started >= 0.25
        events = [first] + (await text_turn_after_created(ws))
        delayed_s = time.monotonic() - started
    assert [e["type"] for e in events] == [e["type"] for e in reference]
    text = next(e["text"] for e in events if e["type"] == "response.output_text.done")
    assert "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta") == text
    # Latency, not throttling: the whole turn takes about one delay per round trip, not one per event.
    assert delayed_s < clean_s + 0.29 * 4 + 1.0, (delayed_s, clean_s, len(events))


async def text_turn_after_created(ws: ClientConnection) -> list[dict[str, Any]]:
    for event in (SESSION, HELLO, {"type": "response.create"}):
        await ws.send(json.dumps(event))
    events = [await recv_event(ws)]
    while events[-1]["type"] != "response.done":
        events.append(await recv_event(ws))
    return events


async def test_stall_sends_and_reads_nothing_but_keeps_the_socket_open() -> None:
    async with engine(FaultPlan(stall_after_events=1)) as server, connect(server.url) as ws:
        assert (await recv_event(ws))["type"] == "session.created"
        await ws.send(json.dumps(SESSION))
        with pytest.raises(TimeoutError):
            await recv_event(ws, timeout=0.5)
        assert ws.state is State.OPEN
        pong = await ws.ping()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(pong, 0.3)  # the server reads nothing, so not even pings
        assert len(server.sessions) == 1


async def test_only_the_first_connection_is_faulty() -> None:
    async with engine(FaultPlan(drop_after_events=1, connections=1)) as server:
        async with connect(server.url) as ws:
            frames, _ = await drain_until_closed(ws)
            assert len(frames) == 1 and ws.close_code == 1006
        async with connect(server.url) as ws:
            events = await text_turn(ws)
            assert events[-1]["response"]["status"] == "completed"
        assert server.connections_served == 2


async def test_handshake_stall_fires_the_clients_open_timeout() -> None:
    async with engine(FaultPlan(handshake_stall=True, connections=1)) as server:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await websockets.connect(f"{server.url}?model=gpt-realtime", open_timeout=0.4)
        assert time.monotonic() - started < 2
        async with connect(server.url, open_timeout=2) as ws:  # the second connection is clean
            assert (await recv_event(ws))["type"] == "session.created"
        assert server.connections_served == 2


async def test_handshake_stall_does_not_block_stop() -> None:
    async with engine(FaultPlan(handshake_stall=True)) as server:
        async def open_() -> ClientConnection:
            return await websockets.connect(f"{server.url}?model=gpt-realtime", open_timeout=30)

        attempt = asyncio.create_task(open_())
        await asyncio.sleep(0.2)
        assert not attempt.done()
    with pytest.raises(Exception):  # noqa: B017 -- a 503 (InvalidStatus) or a reset, either way it ends
        await asyncio.wait_for(attempt, 3)


@pytest.mark.parametrize(("fields", "message"), [
    ({"drop_after_events": -1}, "drop_after_events"),
    ({"malformed_every": 0}, "malformed_every"),
    ({"close_code": 1006}, "cannot be sent"),
    ({"close_code": 999}, "cannot be sent"),
    ({"close_after_events": 2}, "need a close_code"),
    ({"delay_ms": -5}, "delay_ms"),
])
def test_plan_validation(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultPlan(**fields)


def test_plan_applies_to_the_first_connections() -> None:
    assert FaultPlan().applies_to(99)
    plan = FaultPlan(connections=2)
    assert [plan.applies_to(i) for i in range(4)] == [True, True, False, False]
