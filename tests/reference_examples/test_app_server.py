"""The reference web app's server (examples/realtime/app/server.py), import lines changed only, against the local
engine: the browser's audio goes in, and every session event we yield is serialized by its handler (which ends
in `assert_never` for a type it does not know) and logged by its debug summaries."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import numpy as np
import pytest

from realtime_cli.local.server import LocalRealtimeServer
from realtime_cli.local.tts import Synthesizer


class FakeBrowserSocket:
    """The browser end of /ws/{session_id}: queued messages in, every JSON message out kept."""

    def __init__(self) -> None:
        self.incoming: asyncio.Queue[str | None] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.changed = asyncio.Event()

    async def accept(self) -> None:
        return None

    async def receive_text(self) -> str:
        from reference_examples.fastapi_standin import WebSocketDisconnect

        message = await self.incoming.get()
        if message is None:
            raise WebSocketDisconnect()
        return message

    async def send_text(self, text: str) -> None:
        self.sent.append(json.loads(text))
        self.changed.set()

    async def wait_for(self, done: Any) -> None:
        while not done(self.sent):
            self.changed.clear()
            await self.changed.wait()


def _types(sent: list[dict[str, Any]]) -> list[str]:
    return [m["type"] for m in sent]


@pytest.mark.slow
async def test_app_server_handles_every_event_type(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str],
                                                   caplog: pytest.LogCaptureFixture) -> None:
    async with LocalRealtimeServer() as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-local-test")
        monkeypatch.setenv("RTAGENT_REALTIME_URL", server.url)
        from reference_examples import app_server

        caplog.set_level(logging.DEBUG, logger=app_server.logger.name)
        app_server.logger.setLevel(logging.DEBUG)  # its debug summaries walk every event type too
        browser = FakeBrowserSocket()
        endpoint = asyncio.create_task(app_server.websocket_endpoint(browser, "s1"))
        speech = Synthesizer("alloy").synthesize("what is the weather in paris", 24000)
        samples = np.concatenate([speech, np.zeros(24000 * 2, dtype=np.int16)])
        for offset in range(0, len(samples), 2400):
            await browser.incoming.put(json.dumps({"type": "audio", "data": samples[offset:offset + 2400].tolist()}))
        await asyncio.wait_for(browser.wait_for(lambda s: "tool_end" in _types(s)
                                                and _types(s).count("agent_end") >= 2), 30)
        await browser.incoming.put(json.dumps({"type": "interrupt"}))
        await browser.incoming.put(None)  # the browser disconnects
        await asyncio.wait_for(endpoint, 10)
    out = capsys.readouterr().out
    assert "Error" not in out and "assert" not in out.lower(), out  # _process_events prints what it could not handle
    types = set(_types(browser.sent))
    assert {"agent_start", "agent_end", "audio", "audio_end", "history_added", "history_updated", "tool_start",
            "tool_end", "raw_model_event"} <= types, types
    raw = [m["raw_model_event"]["type"] for m in browser.sent if m["type"] == "raw_model_event"]
    assert "raw_server_event" in raw and "connection_status" not in raw  # nothing dropped mid-session
    tool_end = next(m for m in browser.sent if m["type"] == "tool_end")
    assert tool_end["tool"] == "get_weather" and "sunny" in tool_end["output"]
    added = [m["item"] for m in browser.sent if m["type"] == "history_added"]
    assert any(i["type"] == "function_call" for i in added) and any(i.get("role") == "assistant" for i in added)
    assert any("Realtime raw response completed" in r.getMessage() for r in caplog.records)
