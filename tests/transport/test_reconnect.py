"""Reconnecting: forced disconnects during a conversation, replay of the conversation, no duplicate tool
runs, clean and abnormal closes, 1001, a server that never answers the handshake, a refused connection."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from realtime_cli import RealtimeAgent, RealtimeConnectionError, RealtimeRunner, function_tool
from realtime_cli.local.faults import FaultPlan
from realtime_cli.local.server import LocalRealtimeServer
from support.flaky_proxy import FlakyProxy
from support.scripted_server import ScriptedConnection, ScriptedServer
from support.server_events import Events

CITIES = ["Paris", "London", "Tokyo", "Berlin", "Madrid", "Rome", "Oslo", "Vienna", "Dublin", "Lisbon",
          "Prague", "Warsaw", "Athens", "Helsinki", "Brussels", "Zurich", "Toronto", "Sydney", "Chicago", "Boston"]
FAST = {"max_attempts": 8, "base_delay_s": 0.02, "max_delay_s": 0.2}


async def test_twenty_forced_disconnects_in_one_conversation() -> None:
    runs: list[str] = []

    @function_tool
    async def get_weather(city: str) -> str:
        """Get current weather for a city."""
        runs.append(city)
        await asyncio.sleep(0.05)  # long enough for a drop to land while the tool runs
        return f"The weather in {city} is sunny."

    agent = RealtimeAgent(name="Assistant", instructions="You help with weather.", tools=[get_weather])
    events: list[Any] = []
    async with LocalRealtimeServer() as engine, FlakyProxy(engine.url) as proxy:
        config = {"model_settings": {"turn_detection": None, "modalities": ["text", "audio"]}}
        session = await RealtimeRunner(agent, config=config).run(
            model_config={"url": proxy.url, "api_key": "x", "reconnect": FAST})
        async with session:
            reader = asyncio.create_task(_collect(session, events))

            async def wait_for(predicate: Any, timeout: float = 20) -> None:
                await _until(predicate, events, timeout)

            def count(kind: str) -> int:
                return sum(1 for e in events if e.type == kind)

            for turn, city in enumerate(CITIES):
                ends_before = sum(1 for e in events if e.type == "agent_end" and e.status == "completed")
                reconnected_before = sum(1 for e in events if e.type == "connection" and e.status == "reconnected")
                await session.send_message(f"What's the weather in {city}?")
                where = turn % 3
                if where == 0:  # while the tool runs
                    await wait_for(lambda n=turn: count("tool_start") > n)
                elif where == 1:  # while the answer streams
                    await wait_for(lambda n=turn: count("tool_end") > n)
                    await asyncio.sleep(0.01)
                if where != 2:
                    proxy.drop()
                else:  # after the turn completed
                    await wait_for(lambda b=ends_before: sum(1 for e in events if e.type == "agent_end"
                                                             and e.status == "completed") >= b + 2)
                    proxy.drop()
                await wait_for(lambda r=reconnected_before: sum(1 for e in events if e.type == "connection"
                                                                and e.status == "reconnected") > r)
                # the turn completes: the tool ran once for this city and the agent answered about it
                await wait_for(lambda c=city: any(
                    getattr(e, "kind", "") == "response.output_audio_transcript.done" and c in e.transcript
                    for e in events), timeout=20)
            history = [(i.role, i.text) for i in session.history if i.type == "message" and i.role == "user"]

            def engine_users() -> list[tuple[str, str]]:
                return [(t.role, t.text) for s in engine.sessions for t in s.conv.turns() if t.role == "user"]

            await wait_for(lambda: len(engine_users()) == len(CITIES), timeout=5)  # the replay has landed
            replayed = engine_users()
        await asyncio.wait_for(reader, 10)
    assert runs == CITIES  # every tool ran exactly once, in order: nothing executed twice
    assert [t for _, t in history] == [f"What's the weather in {c}?" for c in CITIES]
    assert replayed == history  # the last connection's server holds the replayed conversation
    assert sum(1 for e in events if e.type == "connection" and e.status == "reconnected") == 20
    assert proxy.connections == 21
    assert not [e for e in events if e.type == "error"], [e.error for e in events if e.type == "error"]


async def test_1001_session_limit_close_reconnects_and_replays() -> None:
    e = Events("ga")
    replays: list[list[str]] = []

    async def script(c: ScriptedConnection) -> None:
        if len(replays) == 0:
            replays.append([])
            await c.expect("session.update")
            await c.send(e.item_added({"id": "item_u1", "type": "message", "role": "user",
                                       "content": [{"type": "input_text", "text": "remember the number 42"}]}))
            await c.send(*e.assistant_turn("resp_1", "item_a1", "I will remember 42.", b"\x00\x00" * 480))
            await c.close(1001, "Your session hit the maximum duration of 60 minutes.")
            return
        await c.expect("session.update")
        user = await c.expect("conversation.item.create")
        assistant = await c.expect("conversation.item.create")
        replays.append([user["item"]["content"][0]["text"], assistant["item"]["content"][0]["text"]])
        assert user["item"]["id"] == "item_u1" and assistant["item"]["role"] == "assistant"
        await c.close(1000)

    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(RealtimeAgent(name="A")).run(
            model_config={"url": server.url, "api_key": "x", "reconnect": FAST})
        statuses = []
        async with session:
            async for event in session:
                if event.type == "connection":
                    statuses.append(event.status)
    server.check()
    assert replays[1] == ["remember the number 42", "I will remember 42."]
    assert statuses == ["reconnecting", "reconnected", "closed"]


async def test_clean_close_ends_iteration_promptly() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.close(1000)

    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(RealtimeAgent(name="A")).run(model_config={"url": server.url, "api_key": "x"})
        started = asyncio.get_running_loop().time()
        async with session:
            kinds = [event.type async for event in session]
        assert asyncio.get_running_loop().time() - started < 2
    assert kinds[-1] == "connection" and "error" not in kinds
    assert len(server.connections) == 1  # a normal close is not retried


async def test_gives_up_after_the_configured_attempts() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        c.ws.transport.abort()

    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(RealtimeAgent(name="A")).run(
            model_config={"url": server.url, "api_key": "x", "reconnect": {"max_attempts": 3, "base_delay_s": 0.01}})
        async with session:
            events = [event async for event in session]
    errors = [e for e in events if e.type == "error"]
    assert any(e.error.code == "reconnect_failed" and "after 3 attempts" in e.error.message for e in errors)
    assert [e.status for e in events if e.type == "connection"] == ["reconnecting"] * 1 + ["failed", "closed"] or \
        [e.status for e in events if e.type == "connection"][-2:] == ["failed", "closed"]
    assert len(server.connections) == 4


async def test_server_that_never_answers_the_handshake_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import realtime_cli.transport.websocket as ws_module

    monkeypatch.setattr(ws_module, "OPEN_TIMEOUT_S", 0.5)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        session = await RealtimeRunner(RealtimeAgent(name="A")).run(
            model_config={"url": f"ws://127.0.0.1:{port}/v1/realtime", "api_key": "sk-hidden"})
        with pytest.raises(RealtimeConnectionError) as info:
            await session.enter()
        assert "Could not connect" in str(info.value) and "sk-hidden" not in str(info.value)
    finally:
        listener.close()


async def test_refused_connection_is_a_clear_error() -> None:
    session = await RealtimeRunner(RealtimeAgent(name="A")).run(
        model_config={"url": "ws://127.0.0.1:9/v1/realtime", "api_key": "x"})
    with pytest.raises(RealtimeConnectionError, match=r"Could not connect to ws://127\.0\.0\.1:9"):
        await session.enter()


async def test_a_response_in_flight_at_the_drop_is_reported_interrupted_and_asked_for_again() -> None:
    e = Events("ga")

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        if len(server.connections) == 1:
            await c.expect("response.create")
            await c.send(e.response_created("resp_1"), e.output_item_added("resp_1", "item_a1"),
                         e.audio_delta("resp_1", "item_a1", b"\x01\x00" * 2400),
                         e.transcript_delta("resp_1", "item_a1", "Once upon"))
            await asyncio.sleep(0.1)
            c.ws.transport.abort()
            return
        await c.expect("response.create")  # asked again by the session itself: the cut-short turn gets its answer
        await c.send(*e.assistant_turn("resp_2", "item_a2", "Hello again.", b"\x00\x00" * 480))
        await asyncio.sleep(0.2)
        await c.close(1000)

    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(RealtimeAgent(name="A"), config={"model_settings": {"turn_detection": None}}) \
            .run(model_config={"url": server.url, "api_key": "x", "reconnect": FAST})
        kinds: list[str] = []
        async with session:
            await session.send_audio(b"\x00\x00" * 2400, commit=True)
            async for event in session:
                kinds.append(event.type if event.type != "agent_end" else f"agent_end:{event.status}")
    server.check()
    assert server.connections[1].sent_types().count("response.create") == 1  # asked once, not twice
    drop = kinds.index("connection")  # the first connection event is `reconnecting`
    assert "audio_interrupted" in kinds[:drop + 1] and "agent_end:interrupted" in kinds[:drop + 1], kinds
    assert kinds.count("agent_end:completed") == 1 and "error" not in kinds, kinds


@pytest.mark.parametrize("plan", [
    pytest.param(FaultPlan(close_code=1001, close_after_events=40, connections=3), id="engine-closes-1001"),
    pytest.param(FaultPlan(drop_after_events=40, delay_ms=5, jitter_ms=20, seed=3, connections=3),
                 id="engine-drops-with-jittered-delivery"),
])
async def test_the_engines_own_faults_during_a_tool_conversation(plan: FaultPlan) -> None:
    """The local engine misbehaving by itself (FaultPlan), not a proxy: every turn still completes, once."""
    runs: list[str] = []

    @function_tool
    def get_weather(city: str) -> str:
        """Get current weather for a city."""
        runs.append(city)
        return f"The weather in {city} is sunny."

    agent = RealtimeAgent(name="Assistant", instructions="You help with weather.", tools=[get_weather])
    cities = ["Paris", "Oslo", "Rome", "Lima", "Kyiv"]
    events: list[Any] = []
    async with LocalRealtimeServer(faults=plan) as engine:
        config = {"model_settings": {"turn_detection": None, "modalities": ["text"]}}
        session = await RealtimeRunner(agent, config=config).run(
            model_config={"url": engine.url, "api_key": "x", "reconnect": FAST})
        async with session:
            reader = asyncio.create_task(_collect(session, events))
            for city in cities:
                await session.send_message(f"What's the weather in {city}?")
                await _until(lambda c=city: any(getattr(e, "kind", "") == "response.output_text.done"
                                                and c in e.text for e in events), events)
            await session.close()
            await asyncio.wait_for(reader, 10)
    assert sorted(runs) == sorted(cities) and len(runs) == len(set(runs))  # each tool ran once
    reconnects = sum(1 for e in events if e.type == "connection" and e.status == "reconnected")
    assert 1 <= reconnects <= 3, [e.status for e in events if e.type == "connection"]
    assert not [e for e in events if e.type == "error"], [e.error for e in events if e.type == "error"]


async def _collect(session: Any, into: list[Any]) -> None:
    async for event in session:
        into.append(event)


async def _until(predicate: Any, events: list[Any], timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, [getattr(e, "kind", e.type) for e in events[-20:]]
        await asyncio.sleep(0.01)
