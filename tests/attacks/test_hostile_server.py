"""Attacks on the SDK from a hostile realtime server on loopback: reconnect loops, oversized frames, malformed
items, stalls mid-response, a lost response.done, a key echoed back, ANSI escapes in error text."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from realtime_cli import RealtimeAgent, RealtimeConnectionError, RealtimeRunner
from support.scripted_server import ScriptedConnection, ScriptedServer
from support.server_events import Events

FAST = {"max_attempts": 3, "base_delay_s": 0.01, "max_delay_s": 0.05}
e = Events("ga")


async def _run(server: ScriptedServer, **model_config: Any) -> list[Any]:
    session = await RealtimeRunner(RealtimeAgent(name="A")).run(
        model_config={"url": server.url, "api_key": "x", "reconnect": FAST, **model_config})
    async with session:
        return await asyncio.wait_for(_collect(session), 30)


async def _collect(session: Any) -> list[Any]:
    return [event async for event in session]


def _statuses(events: list[Any]) -> list[str]:
    return [ev.status for ev in events if ev.type == "connection"]


def _errors(events: list[Any]) -> list[Any]:
    return [ev.error for ev in events if ev.type == "error"]


async def test_session_created_then_1011_forever_ends_in_failed() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.send(e.session_created())
        await c.expect("session.update")
        await c.close(1011, "internal error")

    async with ScriptedServer(script) as server:
        events = await _run(server)
    assert _statuses(events)[-2:] == ["failed", "closed"]
    assert any(err.code == "reconnect_failed" for err in _errors(events))
    assert len(server.connections) == 1 + FAST["max_attempts"]


async def test_a_frame_over_the_limit_is_not_retried_forever() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send_raw('{"type": "rate_limits.updated", "pad": "' + "x" * (17 * 1024 * 1024) + '"}')
        await c.ws.wait_closed()

    async with ScriptedServer(script) as server:
        events = await _run(server)
    assert _statuses(events)[-1] == "closed"
    assert len(server.connections) == 1  # 1009: the same frame would come again, so no reconnect
    assert any("larger than the connection allows" in err.message for err in _errors(events))


async def test_server_refusing_a_message_as_too_big_ends_the_session_and_sends_fail_clearly() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("conversation.item.create")
        await c.close(1009, "message too big")

    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(RealtimeAgent(name="A")).run(
            model_config={"url": server.url, "api_key": "x", "reconnect": FAST})
        async with session:
            await session.send_message("hello")
            events = await asyncio.wait_for(_collect(session), 30)
            with pytest.raises(RealtimeConnectionError, match="closed"):
                await session.send_message("again")
    assert len(server.connections) == 1
    assert any(err.code == "connection_closed" and "1009" in err.message for err in _errors(events))


async def test_an_event_over_the_frame_limit_is_refused_before_sending() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("conversation.item.create")  # the small message after the refused one
        await c.close(1000)

    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(RealtimeAgent(name="A")).run(
            model_config={"url": server.url, "api_key": "x", "reconnect": FAST})
        async with session:
            from realtime_cli.protocol.errors import UserError

            with pytest.raises(UserError, match="at most"):
                await session.send_message("y" * (17 * 1024 * 1024))
            await session.send_message("small")
            await asyncio.wait_for(_collect(session), 30)
    assert len(server.connections) == 1


async def test_malformed_item_becomes_an_error_event_and_the_session_goes_on() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send_raw('{"type": "conversation.item.added", "event_id": "ev1", "item": '
                         '{"id": "item_1", "type": "message", "role": "user", "content": 5}}')
        await c.send(*e.assistant_turn("resp_1", "item_a1", "still here"))
        await c.close(1000)

    async with ScriptedServer(script) as server:
        events = await _run(server)
    assert any(err.code == "invalid_server_event" for err in _errors(events))
    assert any(ev.type == "agent_end" for ev in events)  # the turn after the bad item arrived
    assert _statuses(events) == ["closed"]


@pytest.mark.parametrize("cut", ["mid_response", "lost_done"])
async def test_a_stalled_response_times_out_and_the_turn_is_asked_again(cut: str) -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("response.create")
        if len(server.connections) == 1:
            events = [e.response_created("resp_1"), e.output_item_added("resp_1", "item_a1")]
            if cut == "lost_done":
                events = e.assistant_turn("resp_1", "item_a1", "half")[:-1]  # everything but response.done
            await c.send(*events)
            await c.ws.wait_closed()  # pings are still answered: only the response is stuck
            return
        await c.send(*e.assistant_turn("resp_2", "item_a2", "recovered"))
        await c.close(1000)

    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(RealtimeAgent(name="A")).run(model_config={
            "url": server.url, "api_key": "x", "reconnect": FAST, "response_timeout_s": 0.3})
        async with session:
            await session.send_message("hi")
            events = await asyncio.wait_for(_collect(session), 30)
    assert any(err.code == "response_timeout" for err in _errors(events))
    assert _statuses(events) == ["reconnecting", "reconnected", "closed"]
    assert [ev.status for ev in events if ev.type == "agent_end"][-1] == "completed"


async def test_a_server_that_always_stalls_reaches_failed() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("response.create")
        await c.send(e.response_created("resp_x"))
        await c.ws.wait_closed()

    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(RealtimeAgent(name="A")).run(model_config={
            "url": server.url, "api_key": "x", "reconnect": FAST, "response_timeout_s": 0.2})
        async with session:
            await session.send_message("hi")
            events = await asyncio.wait_for(_collect(session), 30)
    assert _statuses(events)[-2:] == ["failed", "closed"]
    assert len(server.connections) == 1 + FAST["max_attempts"]


async def test_key_echoed_in_an_error_and_debug_logs_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    key = "sk-attack-0123456789abcdef"

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(e.error("invalid_api_key", f"Incorrect API key provided: {key}. \x1b[2J\x1b]0;pwned\x07"))
        await c.close(1000)

    caplog.set_level(logging.DEBUG)
    async with ScriptedServer(script) as server:
        events = await _run(server, api_key=key)
    message = _errors(events)[0].message
    assert key not in message and "[redacted]" in message
    assert "\x1b" not in message and "\\x1b[2J" in message  # shown, not acted on
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("websockets.server"))
    assert key not in ours  # (the hostile server's own log is not the SDK's)
    assert "Authorization: Bearer [redacted]" in ours  # websockets did log the request headers, redacted
