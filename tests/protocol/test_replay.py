"""ConversationMirror: what a reconnect replays, fed plain events (no sockets)."""

from __future__ import annotations

from typing import Any

from realtime_cli.protocol import client_events as ce
from realtime_cli.protocol import names
from realtime_cli.protocol.replay import ConversationMirror


def _user(item_id: str, text: str) -> dict[str, Any]:
    return {"id": item_id, "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def _assistant(item_id: str) -> dict[str, Any]:
    return {"id": item_id, "type": "message", "role": "assistant", "content": []}


def test_replays_the_last_config_then_items_in_order() -> None:
    mirror = ConversationMirror()
    mirror.on_client_event(ce.session_update({"instructions": "Be brief.", "voice": "alloy"}))
    mirror.on_client_event(ce.session_update({"instructions": "Be billing."}))
    mirror.on_server_event(names.ITEM_ADDED, {"item": _user("u1", "hello")})
    mirror.on_server_event(names.OUTPUT_ITEM_ADDED, {"item": _assistant("a1")})
    for delta in ("Hi ", "there."):
        mirror.on_server_event(names.TRANSCRIPT_DELTA, {"item_id": "a1", "delta": delta})
    events = mirror.replay_events()
    assert [e["type"] for e in events] == ["session.update", "conversation.item.create", "conversation.item.create"]
    assert events[0]["session"] == {"instructions": "Be billing.", "voice": "alloy"}  # updates merge
    assert events[1]["item"] == _user("u1", "hello")
    assert events[2]["item"] == {"id": "a1", "type": "message", "role": "assistant",
                                 "content": [{"type": "output_text", "text": "Hi there."}]}


def test_final_transcripts_replace_the_streamed_text_and_spoken_user_turns_replay_as_text() -> None:
    mirror = ConversationMirror()
    mirror.on_server_event(names.ITEM_ADDED, {"item": {"id": "u1", "type": "message", "role": "user",
                                                        "content": [{"type": "input_audio"}]}})
    mirror.on_server_event(names.TRANSCRIPTION_COMPLETED, {"item_id": "u1", "transcript": "weather in rome"})
    mirror.on_server_event(names.OUTPUT_ITEM_ADDED, {"item": _assistant("a1")})
    mirror.on_server_event(names.TRANSCRIPT_DELTA, {"item_id": "a1", "delta": "Sunny in Ro"})
    mirror.on_server_event(names.TRANSCRIPT_DONE, {"item_id": "a1", "transcript": "Sunny in Rome."})
    assert [i["content"][0]["text"] for i in mirror.items()] == ["weather in rome", "Sunny in Rome."]


def test_tool_calls_and_outputs_replay_and_an_orphaned_output_is_dropped() -> None:
    mirror = ConversationMirror(max_items=2)
    mirror.on_server_event(names.OUTPUT_ITEM_DONE, {"item": {"id": "f1", "type": "function_call", "call_id": "c1",
                                                             "name": "get_weather", "arguments": '{"city":"Oslo"}'}})
    mirror.on_server_event(names.ITEM_ADDED, {"item": {"id": "o1", "type": "function_call_output", "call_id": "c1",
                                                       "output": "cold"}})
    kinds = [(i["type"], i.get("call_id")) for i in mirror.items()]
    assert kinds == [("function_call", "c1"), ("function_call_output", "c1")]
    mirror.on_server_event(names.ITEM_ADDED, {"item": _user("u2", "thanks")})  # pushes the call out (max 2)
    assert [i["id"] for i in mirror.items()] == ["u2"]  # its output alone would be rejected by the server


def test_deleted_items_and_empty_messages_are_not_replayed() -> None:
    mirror = ConversationMirror()
    mirror.on_server_event(names.ITEM_ADDED, {"item": _user("u1", "hello")})
    mirror.on_server_event(names.OUTPUT_ITEM_ADDED, {"item": _assistant("a1")})  # never got any text
    mirror.on_server_event(names.ITEM_DELETED, {"item_id": "u1"})
    assert mirror.items() == []
    assert mirror.replay_events() == []  # nothing sent yet: no config to replay either


def test_malformed_server_events_are_ignored() -> None:
    mirror = ConversationMirror()
    for data in ({"item": "x"}, {"item": {"id": 3, "type": "message"}}, {"item": {"id": "z", "type": "weird"}}, {}):
        mirror.on_server_event(names.ITEM_ADDED, data)
    mirror.on_server_event(names.TRANSCRIPT_DELTA, {"item_id": "nope", "delta": "x"})
    mirror.on_server_event(names.TRANSCRIPT_DELTA, {"item_id": None, "delta": 5})
    assert mirror.items() == []


def test_items_we_sent_are_replayed_before_the_server_echoes_them_and_once_after() -> None:
    mirror = ConversationMirror()
    mirror.on_client_event(ce.user_text_item("my name is Ada"))
    mirror.on_client_event(ce.function_output("c9", "done"))  # its call is unknown here: dropped as an orphan
    assert mirror.items() == [{"type": "message", "role": "user",
                               "content": [{"type": "input_text", "text": "my name is Ada"}]}]  # no id: server's
    mirror.on_server_event(names.ITEM_ADDED, {"item": _user("item_srv1", "my name is Ada")})
    mirror.on_server_event(names.OUTPUT_ITEM_ADDED, {"item": _assistant("a1")})
    mirror.on_server_event(names.TRANSCRIPT_DONE, {"item_id": "a1", "transcript": "Hello Ada."})
    mirror.on_client_event(ce.user_text_item("what is my name"))  # sent, then the connection dropped
    items = mirror.items()
    assert [(i.get("id"), i["content"][0]["text"]) for i in items] == [
        ("item_srv1", "my name is Ada"), ("a1", "Hello Ada."), (None, "what is my name")]
