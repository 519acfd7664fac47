"""The local engine on the wire: event order and shapes (validated against openai's unions in both dialects),
tools, cancel and truncate, audio formats, and real speech in and out."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio

from realtime_cli.local.server import LocalRealtimeServer
from realtime_cli.local.tts import Synthesizer
from realtime_cli.protocol.codecs import ulaw_decode
from support.engine_client import RawClient, ga_session


@pytest_asyncio.fixture
async def engine() -> LocalRealtimeServer:
    server = LocalRealtimeServer()
    await server.start()
    yield server  # type: ignore[misc]
    await server.stop()


def speech(text: str, lead_ms: int = 300, tail_ms: int = 900) -> np.ndarray:
    voice = Synthesizer("alloy").synthesize(text, 24000)
    return np.concatenate([np.zeros(24 * lead_ms, np.int16), voice, np.zeros(24 * tail_ms, np.int16)])


async def test_text_turn_event_order_ga(engine: LocalRealtimeServer) -> None:
    async with RawClient(engine.url) as c:
        created = await c.wait_for("session.created")
        assert created["session"]["type"] == "realtime"
        await c.send(ga_session(audio={"output": {"voice": "coral"}}))
        updated = await c.wait_for("session.updated")
        assert updated["session"]["audio"]["output"]["voice"] == "coral"
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "Hello there"}]}})
        await c.send({"type": "response.create"})
        done = await c.wait_for("response.done")
        assert done["response"]["status"] == "completed"
        assert done["response"]["usage"]["total_tokens"] > 0
        await c.wait_for("rate_limits.updated")
        order = [t for t in c.types() if t.startswith("response.") or t.startswith("conversation.")]
        first_after = order.index("response.created")
        expected = ["response.created", "response.output_item.added", "conversation.item.added",
                    "response.content_part.added", "response.output_audio.delta"]
        assert order[first_after:first_after + 5] == expected
        tail = order[-6:]
        assert tail == ["response.output_audio.done", "response.output_audio_transcript.done",
                        "response.content_part.done", "response.output_item.done", "conversation.item.done",
                        "response.done"]
        transcript = next(e for e in c.events if e["type"] == "response.output_audio_transcript.done")["transcript"]
        deltas = "".join(e["delta"] for e in c.events if e["type"] == "response.output_audio_transcript.delta")
        assert transcript and deltas == transcript
        assert len(c.audio()) > 24000  # at least half a second of speech


async def test_beta_dialect_names_and_text_modality(engine: LocalRealtimeServer) -> None:
    async with RawClient(engine.url, "beta", "gpt-4o-realtime-preview") as c:
        await c.wait_for("session.created")
        await c.send({"type": "session.update", "session": {"modalities": ["text"], "instructions": "Be kind."}})
        updated = await c.wait_for("session.updated")
        assert updated["session"]["modalities"] == ["text"]
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "hi"}]}})
        await c.wait_for("conversation.item.created")
        await c.send({"type": "response.create"})
        text = await c.wait_for("response.text.done")
        assert text["text"]
        await c.wait_for("response.done")
        assert "response.audio.delta" not in c.types() and "conversation.item.done" not in c.types()


async def test_tool_call_then_answer_from_output(engine: LocalRealtimeServer) -> None:
    async with RawClient(engine.url) as c:
        await c.send(ga_session(output_modalities=["text"]))
        await c.wait_for("session.updated")
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "What's the weather in Paris?"}]}})
        await c.send({"type": "response.create"})
        args = await c.wait_for("response.function_call_arguments.done")
        assert args["name"] == "get_weather" and json.loads(args["arguments"])["city"].lower() == "paris"
        await c.wait_for("response.done")
        await c.send({"type": "conversation.item.create", "item": {"type": "function_call_output",
                      "call_id": args["call_id"], "output": "Sunny and 22 degrees in Paris"}})
        await c.send({"type": "response.create"})
        text = await c.wait_for("response.output_text.done")
        assert "sunny" in text["text"].lower()


async def test_cancel_and_truncate_cut_the_transcript(engine: LocalRealtimeServer) -> None:
    async with RawClient(engine.url) as c:
        await c.send(ga_session())
        await c.wait_for("session.updated")
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "Please explain in detail what you can do"}]}})
        await c.send({"type": "response.create"})
        first = await c.wait_for("response.output_audio.delta")
        await c.send({"type": "response.cancel"})
        done = await c.wait_for("response.done")
        assert done["response"]["status"] == "cancelled"
        assert done["response"]["status_details"]["reason"] == "client_cancelled"
        await c.send({"type": "conversation.item.truncate", "item_id": first["item_id"], "content_index": 0,
                      "audio_end_ms": 0})
        truncated = await c.wait_for("conversation.item.truncated")
        assert truncated["audio_end_ms"] == 0
        await c.send({"type": "conversation.item.retrieve", "item_id": first["item_id"]})
        retrieved = await c.wait_for("conversation.item.retrieved")
        assert retrieved["item"]["content"][0]["transcript"] == ""


async def test_g711_output_is_decodable_speech(engine: LocalRealtimeServer) -> None:
    async with RawClient(engine.url) as c:
        await c.send(ga_session(audio={"output": {"format": {"type": "audio/pcmu"}}}))
        await c.wait_for("session.updated")
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "hello"}]}})
        await c.send({"type": "response.create"})
        await c.wait_for("response.done")
        samples = ulaw_decode(c.audio())
        assert samples.size > 4000 and np.abs(samples.astype(np.int32)).max() > 1000


async def test_spoken_turn_manual_commit_is_transcribed_and_answered(engine: LocalRealtimeServer) -> None:
    async with RawClient(engine.url) as c:
        await c.send(ga_session(audio={"input": {"turn_detection": None,
                                                 "transcription": {"model": "whisper-1"}}}))
        await c.wait_for("session.updated")
        await c.append_audio(speech("what is the weather in paris"))
        await c.send({"type": "input_audio_buffer.commit"})
        committed = await c.wait_for("input_audio_buffer.committed")
        completed = await c.wait_for("conversation.item.input_audio_transcription.completed")
        assert completed["item_id"] == committed["item_id"]
        assert "weather" in completed["transcript"].lower() and "paris" in completed["transcript"].lower()
        assert "response.created" not in c.types()  # manual mode: commit makes no response by itself
        await c.send({"type": "response.create"})
        args = await c.wait_for("response.function_call_arguments.done")
        assert args["name"] == "get_weather"


async def test_server_vad_detects_the_turn_and_responds(engine: LocalRealtimeServer) -> None:
    async with RawClient(engine.url) as c:
        await c.send(ga_session(audio={"input": {"turn_detection": {
            "type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500}}}))
        await c.wait_for("session.updated")
        utterance = speech("hello", lead_ms=1000, tail_ms=1200)
        await c.append_audio(utterance, chunk_ms=20)
        started = await c.wait_for("input_audio_buffer.speech_started")
        stopped = await c.wait_for("input_audio_buffer.speech_stopped")
        assert 400 <= started["audio_start_ms"] <= 1000
        assert stopped["audio_end_ms"] > started["audio_start_ms"]
        await c.wait_for("input_audio_buffer.committed")
        await c.wait_for("response.created")
        await c.wait_for("response.done")


async def test_barge_in_cancels_with_turn_detected(engine: LocalRealtimeServer) -> None:
    async with RawClient(engine.url) as c:
        await c.send(ga_session())
        await c.wait_for("session.updated")
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "tell me a long story"}]}})
        await c.send({"type": "response.create"})
        await c.wait_for("response.output_audio.delta")
        await c.append_audio(speech("stop", lead_ms=0, tail_ms=0), chunk_ms=20)
        await c.wait_for("input_audio_buffer.speech_started")
        done = await c.wait_for("response.done")
        assert done["response"]["status"] in ("cancelled", "completed")
        if done["response"]["status"] == "cancelled":
            assert done["response"]["status_details"]["reason"] == "turn_detected"


async def test_voice_is_fixed_after_audio(engine: LocalRealtimeServer) -> None:
    async with RawClient(engine.url) as c:
        await c.send(ga_session())
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "hi"}]}})
        await c.send({"type": "response.create"})
        await c.wait_for("response.done")
        await c.send({"type": "session.update", "event_id": "ev_voice",
                      "session": {"type": "realtime", "audio": {"output": {"voice": "onyx"}}}})
        error = await c.wait_for("error")
        assert error["error"]["code"] == "cannot_update_voice" and error["error"]["event_id"] == "ev_voice"


async def test_many_sessions_are_isolated(engine: LocalRealtimeServer) -> None:
    async def one(i: int) -> str:
        async with RawClient(engine.url) as c:
            await c.send(ga_session(instructions=f"Session {i}.", output_modalities=["text"]))
            await c.send("{not json")  # a broken client must not disturb the others
            await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                          "content": [{"type": "input_text", "text": "what's the weather in Tokyo"}]}})
            await c.send({"type": "response.create"})
            args = await c.wait_for("response.function_call_arguments.done")
            return str(json.loads(args["arguments"])["city"]).lower()

    assert await asyncio.gather(*(one(i) for i in range(5))) == ["tokyo"] * 5


def test_audio_helpers_roundtrip() -> None:
    data = np.arange(10, dtype="<i2").tobytes()
    assert base64.b64decode(base64.b64encode(data)) == data


async def test_a_question_cut_short_by_a_barge_in_still_gets_its_answer(engine: LocalRealtimeServer) -> None:
    async with RawClient(engine.url) as c:
        await c.send(ga_session(audio={"input": {"turn_detection": None}}))
        await c.wait_for("session.updated")
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "what is the weather like"}]}})
        await c.send({"type": "response.create"})
        asked = await c.wait_for("response.done")
        question = asked["response"]["output"][0]
        assert question["content"][0]["transcript"].endswith("?")
        await c.send({"type": "conversation.item.truncate", "item_id": question["id"], "content_index": 0,
                      "audio_end_ms": 150})  # the user barged in after a word or two
        truncated = await c.wait_for("conversation.item.truncated")
        assert truncated["item_id"] == question["id"]
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "Paris"}]}})
        await c.send({"type": "response.create"})
        done = await c.wait_for("response.done")
    call = done["response"]["output"][0]
    assert call["type"] == "function_call" and call["name"] == "get_weather"
    assert json.loads(call["arguments"]) == {"city": "Paris"}


async def test_a_model_that_cannot_load_is_one_clear_error_and_the_audio_is_kept(
        engine: LocalRealtimeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RTAGENT_WHISPER_MODEL", str(tmp_path))  # an empty directory: no model.bin
    async with RawClient(engine.url) as c:
        await c.send(ga_session(audio={"input": {"turn_detection": None}}))
        await c.wait_for("session.updated")
        await c.append_audio(speech("hello"))
        await c.send({"type": "input_audio_buffer.commit"})
        committed = await c.wait_for("input_audio_buffer.committed")
        errors = [e["error"] for e in c.events if e["type"] == "error"]
    assert committed["item_id"]
    assert len(errors) == 1 and errors[0]["code"] == "speech_model_unavailable"
    assert errors[0]["message"].startswith("Speech recognition is unavailable:") and str(tmp_path) in errors[0]["message"]
