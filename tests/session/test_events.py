"""Session events: each server event is one raw_model_event that answers to "raw_model_event" and to its wire
type (the reference's loops and the seed's both work), and connection news is a raw_model_event too."""

from __future__ import annotations

from typing import Any

from realtime_cli import RealtimeAgent, RealtimeModelRawServerEvent, RealtimeRawModelEvent
from realtime_cli.session import events as ev
from support.harness import run_scripted
from support.scripted_server import ScriptedConnection
from support.server_events import Events

E = Events("ga")


async def test_a_raw_event_answers_to_both_types_and_reads_its_wire_fields() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(*E.assistant_turn("resp_1", "item_a", "Hello there"))
        await c.close()

    events, _ = await run_scripted(script, RealtimeAgent(name="A"))
    done = [e for e in events if e.type == "response.output_audio_transcript.done"]
    assert len(done) == 1 and done[0].transcript == "Hello there"  # the seed's loop
    event: Any = done[0]
    assert isinstance(event, RealtimeRawModelEvent) and event.type == "raw_model_event"  # the reference's loop
    assert isinstance(event.data, RealtimeModelRawServerEvent) and event.data.type == "raw_server_event"
    assert event.data.data["type"] == "response.output_audio_transcript.done" and event.info.context is not None
    assert event.type != "response.done" and event.type != "agent_end"
    assert not [e for e in events if e.type == "raw_model_event" and e.type == "agent_start"]
    closed = [e for e in events if e.type == "connection"]
    assert [e.status for e in closed] == ["closed"] and closed[0].type == "raw_model_event"
    assert closed[0].data.type == "connection_status" and closed[0].data.status == "disconnected"


def test_the_type_string_behaves_as_a_string() -> None:
    kind = ev.raw_type_for("response.done")
    assert kind is ev.raw_type_for("response.done")  # one per wire type
    assert str(kind) == "raw_model_event" and kind == "response.done" and kind == "raw_model_event"
    assert kind != "response.created" and {kind: 1}["raw_model_event"] == 1
