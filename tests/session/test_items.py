"""Typed history items: wire items become the reference's item models (same `model_dump()`), and History keeps
streamed text, transcripts, tool outputs and the heard part of an interrupted reply."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from realtime_cli.session.items import (
    AssistantAudio,
    AssistantMessageItem,
    History,
    InputAudio,
    RealtimeToolCallItem,
    UserMessageItem,
    item_from_wire,
)

WIRE_USER = {"id": "u1", "type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
WIRE_ASSISTANT = {"id": "a1", "type": "message", "role": "assistant", "status": "in_progress",
                  "content": [{"type": "output_audio", "transcript": "Hello there"}]}


@pytest.mark.parametrize("wire", [WIRE_USER, WIRE_ASSISTANT])
def test_model_dump_matches_the_reference_items(wire: dict[str, Any]) -> None:
    from agents.realtime.items import RealtimeItem as ReferenceItem

    ours = item_from_wire(wire)
    assert ours is not None
    theirs = TypeAdapter(ReferenceItem).validate_python(ours.model_dump())
    assert theirs.model_dump() == ours.model_dump()
    assert type(theirs).__name__ == type(ours).__name__


def test_assistant_transcript_streams_and_truncation_keeps_the_heard_part() -> None:
    history = History()
    item = item_from_wire({"id": "a1", "type": "message", "role": "assistant", "content": []})
    assert item is not None and history.upsert(item)
    for word in ("one ", "two ", "three"):
        assert history.set_text("a1", word, append=True, audio=True)
    current = history.get("a1")
    assert isinstance(current, AssistantMessageItem) and current.content == [AssistantAudio(transcript="one two three")]
    assert history.truncate("a1", "one two")
    assert not history.set_text("a1", "one two three four", audio=True)  # a late final never restores the cut
    again = item_from_wire({**WIRE_ASSISTANT, "id": "a1", "status": "completed"})
    assert again is not None and not history.upsert(again)
    kept = history.get("a1")
    assert isinstance(kept, AssistantMessageItem)
    assert (kept.status, kept.text) == ("incomplete", "one two")


def test_thinner_server_copy_keeps_the_transcript_and_user_transcription_lands_in_input_audio() -> None:
    history = History()
    history.upsert(item_from_wire(WIRE_ASSISTANT))  # type: ignore[arg-type]
    history.upsert(item_from_wire({**WIRE_ASSISTANT, "content": [{"type": "output_audio"}]}))  # type: ignore[arg-type]
    assert history.get("a1").text == "Hello there"  # type: ignore[union-attr]
    history.upsert(item_from_wire({"id": "u2", "type": "message", "role": "user",  # type: ignore[arg-type]
                                   "content": [{"type": "input_audio"}]}))
    assert history.set_transcript("u2", "what time is it")
    user = history.get("u2")
    assert isinstance(user, UserMessageItem) and user.content == [InputAudio(transcript="what time is it")]


def test_a_function_output_completes_its_call_item() -> None:
    history = History()
    call = item_from_wire({"id": "f1", "type": "function_call", "call_id": "c1", "name": "weather",
                           "arguments": '{"city": "Paris"}'})
    assert isinstance(call, RealtimeToolCallItem) and call.status == "in_progress"
    history.upsert(call)
    done = history.add_tool_output("c1", "sunny")
    assert done is not None and (done.output, done.status) == ("sunny", "completed")
    assert history.add_tool_output("nope", "x") is None
    assert [i.item_id for i in history.items()] == ["f1"]
