"""Bad client input gets the service's error (type, code, param, the client's event_id); the session goes on."""

from __future__ import annotations

import pytest

from realtime_cli.local.server import LocalRealtimeServer
from support.engine_client import RawClient, ga_session

BAD = [
    ("{not json", "invalid_json", None),
    ('{"type": "bogus.event", "event_id": "e1"}', "invalid_value", "type"),
    ('{"event_id": "e1"}', "missing_required_parameter", "type"),
    ('{"type": "input_audio_buffer.append", "event_id": "e1"}', "missing_required_parameter", "audio"),
    ('{"type": "input_audio_buffer.append", "event_id": "e1", "audio": "@@@"}', "invalid_value", "audio"),
    ('{"type": "input_audio_buffer.append", "event_id": "e1", "audio": 5}', "invalid_type", "audio"),
    ('{"type": "input_audio_buffer.commit", "event_id": "e1"}', "input_audio_buffer_commit_empty", None),
    ('{"type": "conversation.item.create", "event_id": "e1"}', "missing_required_parameter", "item"),
    ('{"type": "conversation.item.create", "event_id": "e1", "item": {"type": "message", "role": "user", '
     '"content": [{"type": "output_audio"}]}}', "invalid_value", "item.content[0].type"),
    ('{"type": "conversation.item.create", "event_id": "e1", "item": {"type": "function_call_output"}}',
     "missing_required_parameter", "item.call_id"),
    ('{"type": "conversation.item.truncate", "event_id": "e1", "item_id": "nope", "content_index": 0, '
     '"audio_end_ms": 10}', "item_not_found", "item_id"),
    ('{"type": "conversation.item.delete", "event_id": "e1", "item_id": "nope"}', "item_not_found", "item_id"),
    ('{"type": "response.cancel", "event_id": "e1"}', "response_cancel_not_active", None),
    ('{"type": "session.update", "event_id": "e1", "session": {"type": "realtime", '
     '"audio": {"output": {"voice": "nobody"}}}}', "invalid_value", "session.voice"),
    ('{"type": "session.update", "event_id": "e1"}', "missing_required_parameter", "session"),
]


@pytest.mark.parametrize(("frame", "code", "param"), BAD)
async def test_bad_client_event_gets_an_error_and_the_session_continues(frame: str, code: str,
                                                                       param: str | None) -> None:
    async with LocalRealtimeServer() as server, RawClient(server.url) as c:
        await c.wait_for("session.created")
        await c.send(frame)
        error = await c.wait_for("error")
        assert error["error"]["code"] == code
        assert error["error"]["param"] == param
        assert error["error"]["message"]
        if code != "invalid_json":
            assert error["error"]["event_id"] == "e1"
        await c.send(ga_session())  # still alive
        await c.wait_for("session.updated")


async def test_active_response_truncate_errors_and_oversize_frame() -> None:
    async with LocalRealtimeServer() as server, RawClient(server.url) as c:
        await c.send(ga_session(output_modalities=["text"]))
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "tell me a long story please"}]}})
        await c.send({"type": "response.create"})
        await c.send({"type": "response.create", "event_id": "twice"})
        error = await c.wait_for("error")
        assert error["error"]["code"] == "conversation_already_has_active_response"
        done = await c.wait_for("response.done")
        text_item = done["response"]["output"][0]["id"]
        await c.send({"type": "conversation.item.truncate", "item_id": text_item, "content_index": 0,
                      "audio_end_ms": 5})
        error = await c.wait_for("error")
        assert error["error"]["message"] == "Only model output audio messages can be truncated."
    async with LocalRealtimeServer() as server, RawClient(server.url) as c:
        await c.send(ga_session())
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "hi"}]}})
        await c.send({"type": "response.create"})
        done = await c.wait_for("response.done")
        item = done["response"]["output"][0]["id"]
        await c.send({"type": "conversation.item.truncate", "item_id": item, "content_index": 0,
                      "audio_end_ms": 999_999})
        error = await c.wait_for("error")
        assert "is already shorter than 999999ms" in error["error"]["message"]
        await c.send('{"type": "input_audio_buffer.append", "audio": "' + "A" * (17 * 1024 * 1024) + '"}')
        with pytest.raises(ConnectionError):
            await c.wait_for("never", timeout=10)
        assert c._ws.close_code == 1009
