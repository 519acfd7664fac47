"""Tests for realtime_cli.local.brain_llm: the engine thinking with a scripted chat-completions server over HTTP
(streamed text, tool calls, HTTP errors, a stall, a cancel), seen from a realtime client on the wire."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from local.chat_server import ChatServer, Step
from realtime_cli.local.server import LocalRealtimeServer
from support.engine_client import RawClient, ga_session


@pytest_asyncio.fixture
async def engine(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[LocalRealtimeServer]:
    server = LocalRealtimeServer()
    await server.start()
    yield server
    await server.stop()


def _use(monkeypatch: pytest.MonkeyPatch, chat: ChatServer, timeout_s: float = 30.0) -> None:
    monkeypatch.setenv("RTAGENT_LLM_URL", chat.url)
    monkeypatch.setenv("RTAGENT_LLM_MODEL", "tiny-test")
    monkeypatch.setenv("RTAGENT_LLM_TIMEOUT", str(timeout_s))


async def _ask(c: RawClient, text: str, modalities: list[str]) -> None:
    await c.send(ga_session(output_modalities=modalities))
    await c.wait_for("session.updated")
    await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                  "content": [{"type": "input_text", "text": text}]}})
    await c.send({"type": "response.create"})


def _said(c: RawClient, kind: str = "response.output_text.done") -> list[str]:
    return [e.get("text", e.get("transcript")) for e in c.events if e["type"] == kind]


async def test_streamed_text_is_spoken_sentence_by_sentence(engine: LocalRealtimeServer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    async with ChatServer([Step(text=["It is sun", "ny in Paris. ", "Anything ", "else?"])]) as chat:
        _use(monkeypatch, chat)
        async with RawClient(engine.url) as c:
            await _ask(c, "weather in paris", ["audio"])
            done = await c.wait_for("response.done", timeout=60)
    assert done["response"]["status"] == "completed"
    assert _said(c, "response.output_audio_transcript.done") == ["It is sunny in Paris. Anything else?"]
    assert len(c.audio()) > 24_000
    request = chat.requests[0]
    assert request["model"] == "tiny-test" and request["stream"] is True
    assert request["messages"] == [{"role": "system", "content": "You help with weather."},
                                   {"role": "user", "content": "weather in paris"}]
    assert request["tools"][0]["function"]["name"] == "get_weather"
    assert request["tools"][0]["function"]["parameters"]["required"] == ["city"]


async def test_a_tool_call_becomes_a_function_call_item_and_its_output_goes_back(
        engine: LocalRealtimeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    steps = [Step(tool=("get_weather", ['{"ci', 'ty": "Par', 'is"}'])), Step(text=["Sunny, 22 degrees."])]
    async with ChatServer(steps) as chat:
        _use(monkeypatch, chat)
        async with RawClient(engine.url) as c:
            await _ask(c, "weather in paris", ["text"])
            done = await c.wait_for("response.done")
            call: dict[str, Any] = done["response"]["output"][0]
            assert call["type"] == "function_call" and call["name"] == "get_weather"
            assert call["arguments"] == '{"city": "Paris"}'
            await c.send({"type": "conversation.item.create", "item": {
                "type": "function_call_output", "call_id": call["call_id"], "output": "sunny, 22C"}})
            await c.send({"type": "response.create"})
            await c.wait_for("response.output_text.done")
    assert _said(c) == ["Sunny, 22 degrees."]
    history = chat.requests[1]["messages"]
    assert history[-2]["tool_calls"][0]["id"] == call["call_id"]
    assert history[-2]["tool_calls"][0]["function"] == {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    assert history[-1] == {"role": "tool", "tool_call_id": call["call_id"], "content": "sunny, 22C"}


async def test_a_server_error_is_one_spoken_apology(engine: LocalRealtimeServer,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    async with ChatServer([Step(status=500)]) as chat:
        _use(monkeypatch, chat)
        url = chat.url
        async with RawClient(engine.url) as c:
            await _ask(c, "hello", ["text"])
            done = await c.wait_for("response.done")
    assert done["response"]["status"] == "completed"
    assert _said(c) == ["Sorry, I can't think right now: the language model server did not answer."]
    assert [r.getMessage() for r in caplog.records if "LLM brain" in r.getMessage()] == [
        f"LLM brain at {url} failed: HTTP 500"]


async def test_a_stall_before_any_text_times_out_and_one_mid_answer_ends_it(
        engine: LocalRealtimeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    async with ChatServer([Step(text=["never"], stall_after=0), Step(text=["Half an ", "answer"], stall_after=1)]) as chat:
        _use(monkeypatch, chat, timeout_s=0.5)
        async with RawClient(engine.url) as c:
            await _ask(c, "hello", ["text"])
            await c.wait_for("response.done")
            await c.send({"type": "response.create"})
            await asyncio.wait_for(chat.hung_up.wait(), 10)
            await c.wait_for("response.output_text.done")
    assert _said(c) == ["Sorry, I can't think right now: the language model server did not answer.", "Half an "]


async def test_a_cancel_stops_the_stream(engine: LocalRealtimeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    async with ChatServer([Step(text=["First words. ", "more"], stall_after=1)]) as chat:
        _use(monkeypatch, chat)
        async with RawClient(engine.url) as c:
            await _ask(c, "hello", ["text"])
            await c.wait_for("response.output_text.delta")
            await c.send({"type": "response.cancel"})
            done = await c.wait_for("response.done")
            await asyncio.wait_for(chat.hung_up.wait(), 10)
    assert done["response"]["status"] == "cancelled"
