"""Behaviour of RealtimeSession against a real scripted WebSocket server (loopback)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np
import pytest

from realtime_cli import RealtimeAgent, RealtimePlaybackTracker, function_tool
from support.harness import of_type, run_scripted, types
from support.scripted_server import ScriptedConnection
from support.server_events import Events

E = Events("ga")
PCM_100MS = (np.sin(np.arange(2400) / 5) * 8000).astype("<i2").tobytes()  # 100 ms at 24 kHz


@function_tool
def get_weather(city: str) -> str:
    """Get current weather for a city."""
    return f"The weather in {city} is sunny, 72F"


@function_tool
def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"boom: {reason}")


async def test_text_turn_sends_item_then_response_and_yields_raw_events() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.send(E.session_created())
        update = await c.expect("session.update")
        assert update["session"]["instructions"] == "Be brief."
        item = await c.expect("conversation.item.create")
        assert item["item"]["content"][0] == {"type": "input_text", "text": "Hello"}
        await c.expect("response.create")
        await c.send(*E.assistant_turn("resp_1", "item_a", "Hi there friend", PCM_100MS))
        await c.close()

    agent = RealtimeAgent(name="A", instructions="Be brief.")
    events, server = await run_scripted(script, agent, action=lambda s: s.send_message("Hello"))
    assert server.connections[0].sent_types()[:3] == ["session.update", "conversation.item.create", "response.create"]
    done = of_type(events, "response.output_audio_transcript.done")
    assert [e.transcript for e in done] == ["Hi there friend"]
    assert b"".join(e.audio.data for e in of_type(events, "audio")) == PCM_100MS
    assert types(events).count("agent_start") == 1 and types(events).count("agent_end") == 1
    assert of_type(events, "audio_end")
    assistant = [i for i in events[-1].history] if hasattr(events[-1], "history") else None
    history = [e for e in events if e.type == "history_updated"][-1].history
    assert history[-1].text == "Hi there friend" and history[-1].role == "assistant"
    assert assistant is None or assistant


async def test_audio_turn_appends_and_commits() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        append = await c.expect("input_audio_buffer.append")
        await c.expect("input_audio_buffer.commit")
        import base64

        assert base64.b64decode(append["audio"]) == PCM_100MS
        await c.send(E.committed("item_u"), E.item_added({"id": "item_u", "type": "message", "role": "user",
                                                        "content": [{"type": "input_audio"}]}))
        await c.send(E.transcription_completed("item_u", "what is the weather"))
        await c.close()

    events, server = await run_scripted(script, RealtimeAgent(name="A"),
                                        action=lambda s: s.send_audio(PCM_100MS, commit=True))
    sent = server.connections[0].sent_types()
    assert "response.create" not in sent  # VAD mode: committing never asks for a response by itself
    user = of_type(events, "conversation.item.input_audio_transcription.completed")
    assert user[0].transcript == "what is the weather"
    assert of_type(events, "history_updated")[-1].history[0].text == "what is the weather"


async def test_manual_turns_commit_also_requests_a_response() -> None:
    async def script(c: ScriptedConnection) -> None:
        update = await c.expect("session.update")
        assert update["session"]["audio"]["input"]["turn_detection"] is None
        await c.expect("input_audio_buffer.commit")
        await c.expect("response.create")
        await c.close()

    await run_scripted(script, RealtimeAgent(name="A"), config={"model_settings": {"turn_detection": None}},
                       action=lambda s: s.send_audio(PCM_100MS, commit=True))


async def _tool_script(c: ScriptedConnection, name: str, arguments: str) -> dict[str, Any]:
    await c.expect("session.update")
    await c.send(E.response_created("resp_1"),
                 E.function_call("resp_1", "fc_1", "call_1", name, arguments), E.response_done("resp_1"))
    output = await c.expect("conversation.item.create")
    await c.expect("response.create")
    await c.close()
    return output["item"]


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("get_weather", '{"city": "Paris"}', "The weather in Paris is sunny, 72F"),
        ("explode", '{"reason": "x"}', "An error occurred while running the tool explode: boom: x"),
        ("get_weather", '{"city": ', "Invalid arguments for tool get_weather: arguments are not valid JSON"),
        ("get_weather", '{"town": "Paris"}', "Invalid arguments for tool get_weather: city: Field required"),
        ("no_such_tool", "{}", "Tool no_such_tool not found"),
    ],
)
async def test_every_function_call_gets_exactly_one_output(name: str, arguments: str, expected: str) -> None:
    outputs: list[dict[str, Any]] = []

    async def script(c: ScriptedConnection) -> None:
        outputs.append(await _tool_script(c, name, arguments))

    agent = RealtimeAgent(name="A", tools=[get_weather, explode])
    events, server = await run_scripted(script, agent)
    assert outputs[0]["type"] == "function_call_output" and outputs[0]["call_id"] == "call_1"
    assert outputs[0]["output"].startswith(expected)
    assert server.connections[0].sent_types().count("conversation.item.create") == 1
    if name != "no_such_tool":
        assert types(events).index("tool_start") < types(events).index("tool_end")


async def test_tool_schema_is_sent_with_the_session() -> None:
    async def script(c: ScriptedConnection) -> None:
        update = await c.expect("session.update")
        tools = update["session"]["tools"]
        assert tools[0]["name"] == "get_weather"
        assert tools[0]["parameters"]["required"] == ["city"]
        assert tools[0]["description"] == "Get current weather for a city."
        await c.close()

    await run_scripted(script, RealtimeAgent(name="A", tools=[get_weather]))


@pytest.mark.parametrize("approve", [True, False])
async def test_tool_approval(approve: bool) -> None:
    ran: list[str] = []

    @function_tool(needs_approval=True)
    def delete_account(user: str) -> str:
        """Delete a user account."""
        ran.append(user)
        return "deleted"

    outputs: list[dict[str, Any]] = []

    async def script(c: ScriptedConnection) -> None:
        outputs.append(await _tool_script(c, "delete_account", '{"user": "bob"}'))

    async def on_event(session: Any, event: Any) -> None:
        if event.type == "tool_approval_required":
            assert event.tool.name == "delete_account" and event.call_id == "call_1"
            if approve:
                await session.approve_tool_call(event.call_id)
            else:
                await session.reject_tool_call(event.call_id)

    events, _ = await run_scripted(script, RealtimeAgent(name="A", tools=[delete_account]), on_event=on_event)
    assert "tool_approval_required" in types(events)
    if approve:
        assert ran == ["bob"] and outputs[0]["output"] == "deleted"
    else:
        assert ran == [] and outputs[0]["output"] == "Tool call delete_account was rejected by the user."
        end = [e for e in events if e.type == "tool_end"]  # a rejection still ends the call, as the reference does
        assert len(end) == 1 and end[0].output == outputs[0]["output"]


async def test_duplicate_function_call_runs_once() -> None:
    calls: list[str] = []

    @function_tool
    async def count(n: int) -> str:
        """Count."""
        calls.append(str(n))
        return "ok"

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        call = E.function_call("resp_1", "fc_1", "call_1", "count", '{"n": 3}')
        await c.send(E.response_created("resp_1"), call, dict(call, event_id="dup"), E.response_done("resp_1"))
        await c.expect("conversation.item.create")
        await asyncio.sleep(0.1)
        await c.close()

    await run_scripted(script, RealtimeAgent(name="A", tools=[count]))
    assert calls == ["3"]


async def test_response_create_is_serialized_and_retried_after_rejection() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.expect("response.create")
        await c.send(E.response_created("resp_1"))
        await asyncio.sleep(0.2)  # the second and third send_message happen while resp_1 is active
        assert c.sent_types().count("response.create") == 1
        await c.send(E.response_done("resp_1"))
        await c.expect("response.create")
        # the server started one itself (VAD) and rejects ours: the client must retry after it ends
        await c.send(E.response_created("resp_vad"), E.error("conversation_already_has_active_response", "busy"))
        await c.send(E.response_done("resp_vad"))
        await c.expect("response.create")
        await c.close()

    async def action(s: Any) -> None:
        await s.send_message("one")
        await asyncio.sleep(0.05)
        await s.send_message("two")
        await s.send_message("three")

    events, server = await run_scripted(script, RealtimeAgent(name="A"), action=action)
    assert server.connections[0].sent_types().count("response.create") == 3
    assert of_type(events, "error")[0].error.code == "conversation_already_has_active_response"


async def test_listener_sees_raw_events_and_clean_close_ends_iteration() -> None:
    seen: list[str] = []

    class Listener:
        async def on_event(self, event: Any) -> None:
            seen.append(event.type)

    async def script(c: ScriptedConnection) -> None:
        await c.send(E.session_created())
        await c.expect("session.update")
        await c.send(E.session_updated(instructions="x"))
        await c.close(1000)

    async def action(s: Any) -> None:
        s.model.add_listener(Listener())

    events, _ = await run_scripted(script, RealtimeAgent(name="A"), action=action, timeout=5)
    assert "session.updated" in seen and seen[-1] == "connection"
    assert events[-1].type == "connection" and events[-1].status == "closed"
    assert not of_type(events, "error")


async def test_abnormal_close_is_an_error_event_and_ends_iteration() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.close(1011, "internal")

    events, _ = await run_scripted(script, RealtimeAgent(name="A"), model_config={"reconnect": False})
    errors = of_type(events, "error")
    assert errors and "1011" in errors[0].error.message


async def test_beta_dialect_for_preview_models() -> None:
    B = Events("beta")

    async def script(c: ScriptedConnection) -> None:
        assert c.dialect == "beta"
        update = await c.expect("session.update")
        assert update["session"]["modalities"] == ["text", "audio"]
        assert update["session"]["voice"] == "alloy"
        assert update["session"]["turn_detection"]["silence_duration_ms"] == 200
        await c.expect("response.create")
        await c.send(*B.assistant_turn("resp_1", "item_a", "Hello from beta", PCM_100MS))
        await c.close()

    config = {"model_settings": {"model_name": "gpt-4o-realtime-preview", "voice": "alloy",
                                 "modalities": ["text", "audio"],
                                 "turn_detection": {"type": "server_vad", "silence_duration_ms": 200}}}
    events, server = await run_scripted(script, RealtimeAgent(name="A"), config=config,
                                        action=lambda s: s.send_message("hi"))
    assert server.connections[0].headers.get("openai-beta") == "realtime=v1"
    assert [e.transcript for e in of_type(events, "response.audio_transcript.done")] == ["Hello from beta"]
    assert of_type(events, "audio")


async def test_api_key_sent_as_bearer_and_never_in_events() -> None:
    async def script(c: ScriptedConnection) -> None:
        assert c.headers["authorization"] == "Bearer sk-test-secret"
        assert "model=gpt-realtime" in c.path
        await c.expect("session.update")
        await c.close(1011, "bye")

    events, _ = await run_scripted(script, RealtimeAgent(name="A"), model_config={"reconnect": False})
    assert "sk-test-secret" not in repr(events)


async def test_voice_is_kept_on_update_agent() -> None:
    async def script(c: ScriptedConnection) -> None:
        first = await c.expect("session.update")
        second = await c.expect("session.update")
        assert first["session"]["audio"]["output"]["voice"] == "coral"
        assert second["session"]["audio"]["output"]["voice"] == "coral"
        assert second["session"]["instructions"] == "second"
        await c.close()

    await run_scripted(script, RealtimeAgent(name="A", voice="coral"),
                       action=lambda s: s.update_agent(RealtimeAgent(name="B", instructions="second", voice="onyx")))


def test_tracker_reports_played_time_per_item() -> None:
    tracker = RealtimePlaybackTracker()
    tracker.on_play_bytes("item_1", 0, 4800)
    tracker.on_play_ms("item_1", 0, 50)
    assert tracker.get_state().elapsed_ms == pytest.approx(150)
    tracker.on_play_bytes("item_2", 0, 480)
    assert tracker.get_state().current_item_id == "item_2"
    assert tracker.get_state().elapsed_ms == pytest.approx(10)
    tracker.on_interrupted()
    assert tracker.get_state().current_item_id is None


async def test_session_update_and_messages_are_valid_json_objects() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("conversation.item.create")
        for event in c.received:
            json.dumps(event)
        await c.close()

    await run_scripted(script, RealtimeAgent(name="A"),
                       action=lambda s: s.send_message({"content": [{"type": "input_text", "text": "x"}]}))
