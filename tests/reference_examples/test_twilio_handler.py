"""The reference's Twilio media-stream handler, import lines changed only, against the local engine: a caller's
G.711 µ-law speech goes in, the agent's µ-law audio comes back with marks, and the marks drive the tracker."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import numpy as np
import pytest

from realtime_cli.local.server import LocalRealtimeServer
from realtime_cli.local.tts import Synthesizer
from realtime_cli.protocol.codecs import ulaw_decode, ulaw_encode

CHUNK = 160  # 20 ms of 8 kHz µ-law, as Twilio sends it


class FakeTwilioSocket:
    """What TwilioHandler uses of FastAPI's WebSocket: accept, receive_text, send_text. Media the handler sends
    is acknowledged with the mark that follows it, as Twilio does once it has played the audio."""

    def __init__(self) -> None:
        self.incoming: asyncio.Queue[str] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.marked = asyncio.Event()

    async def accept(self) -> None:
        return None

    async def receive_text(self) -> str:
        return await self.incoming.get()

    async def send_text(self, text: str) -> None:
        message = json.loads(text)
        self.sent.append(message)
        if message["event"] == "mark":
            await self.incoming.put(json.dumps({"event": "mark", "streamSid": message["streamSid"],
                                                "mark": message["mark"]}))
            self.marked.set()


@pytest.mark.slow
async def test_twilio_audio_path_in_ulaw(monkeypatch: pytest.MonkeyPatch) -> None:
    async with LocalRealtimeServer() as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-local-test")
        monkeypatch.setenv("RTAGENT_REALTIME_URL", server.url)
        from reference_examples.twilio_handler import TwilioHandler

        socket = FakeTwilioSocket()
        handler = TwilioHandler(socket)
        await handler.start()
        await socket.incoming.put(json.dumps({"event": "connected"}))
        await socket.incoming.put(json.dumps({"event": "start", "start": {"streamSid": "MZ123"}}))
        speech = Synthesizer("alloy").synthesize("what is the weather in paris", 8000)
        caller = ulaw_encode(np.concatenate([speech, np.zeros(8000 * 2, dtype=np.int16)]))
        for offset in range(0, len(caller), CHUNK):
            payload = base64.b64encode(caller[offset:offset + CHUNK]).decode()
            await socket.incoming.put(json.dumps({"event": "media", "media": {"payload": payload}}))
        await asyncio.wait_for(socket.marked.wait(), 30)

        async def tracked() -> dict[str, Any]:
            while True:
                state = dict(handler.playback_tracker.get_state())
                if state["current_item_id"] is not None:
                    return state
                await asyncio.sleep(0)  # the mark is handled by the handler's own message loop

        state = await asyncio.wait_for(tracked(), 10)
        assert handler.session is not None
        await handler.session.close()
        for task in (handler._message_loop_task, handler._buffer_flush_task, handler._realtime_session_task):
            task.cancel()  # the handler's loops run until the Twilio socket closes
        await asyncio.gather(handler._message_loop_task, handler._buffer_flush_task,
                             handler._realtime_session_task, return_exceptions=True)
    media = [m for m in socket.sent if m["event"] == "media"]
    assert media and all(m["streamSid"] == "MZ123" for m in media)
    agent_audio = b"".join(base64.b64decode(m["media"]["payload"]) for m in media)
    assert np.abs(ulaw_decode(agent_audio).astype(np.int32)).max() > 1000  # real µ-law speech, not silence
    assert state["elapsed_ms"] > 0  # one byte of µ-law is 1/8 ms: the tracker counts in the session's format
    assert any(m["event"] == "mark" for m in socket.sent)
