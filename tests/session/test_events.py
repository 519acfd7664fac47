"""Session events: each server event is one raw_model_event that answers to "raw_model_event" and to its wire
type (the reference's loops and the seed's both work), and connection news is a raw_model_event too."""

from __future__ import annotations

from typing import Any

from realtime_cli import (
    RealtimeAgent,
    RealtimeModelAudioEvent,
    RealtimeModelAudioInterruptedEvent,
    RealtimeModelRawServerEvent,
    RealtimeModelUsageEvent,
    RealtimeRawModelEvent,
)
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


def _label(event: Any) -> str:
    """A typed model event's own type when the event wraps one; else the event's type."""
    if event.type == "raw_model_event" and getattr(event, "server_event", None) is None:
        return str(event.data.type)
    return str(event.type)


async def test_typed_model_events_come_wrapped_after_their_server_event_as_the_reference_emits_them() -> None:
    """The reference guide's usage loop, and the order: the server event, the typed model events derived from it,
    then the session events."""
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(*E.assistant_turn("resp_1", "item_a", "Hello there", b"\0\0" * 480))
        await c.close()

    events, _ = await run_scripted(script, RealtimeAgent(name="A"))
    printed: list[Any] = []
    for event in events:  # the guide's loop, import lines changed only
        if event.type == "raw_model_event" and isinstance(event.data, RealtimeModelUsageEvent):
            printed.append(("response", event.data.usage.total_tokens))
        elif event.type == "agent_end":
            printed.append(("session", event.info.context.usage.total_tokens))
    assert printed == [("response", 10), ("session", 10)]
    typed = [_label(e) for e in events if _label(e) != str(e.type)]
    assert typed[:2] == ["turn_started", "item_updated"]
    assert "transcript_delta" in typed and typed[-3:] == ["usage", "turn_ended", "connection_status"]
    assert "audio" not in typed  # the typed audio event is each `audio` event's `.audio`
    kinds = [_label(e) for e in events]
    created = kinds.index("raw_model_event")  # response.created, the first server event after session.created
    assert kinds.index("turn_started") < kinds.index("agent_start")
    assert created < kinds.index("turn_started")
    assert kinds.index("usage") < kinds.index("agent_end")
    audio = next(e for e in events if e.type == "audio")
    assert isinstance(audio.audio, RealtimeModelAudioEvent) and audio.audio.item_id == "item_a"


async def test_a_barge_in_reports_the_typed_interrupt_before_the_session_event() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(E.response_created("resp_1"), E.output_item_added("resp_1", "item_a"),
                     E.audio_delta("resp_1", "item_a", b"\1\0" * 24000))
        await c.send(E.speech_started("item_u"))
        await c.expect("conversation.item.truncate")
        await c.close()

    events, _ = await run_scripted(script, RealtimeAgent(name="A"))
    kinds = [_label(e) for e in events]
    assert kinds.index("audio_interrupted") < len(kinds) - 1 - kinds[::-1].index("audio_interrupted")
    typed = next(e.data for e in events if _label(e) == "audio_interrupted" and e.type == "raw_model_event")
    assert isinstance(typed, RealtimeModelAudioInterruptedEvent)
    assert (typed.item_id, typed.content_index) == ("item_a", 0)
