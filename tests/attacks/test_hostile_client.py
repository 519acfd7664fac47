"""Attacks on the local engine from raw clients on loopback: oversized instructions and messages, nested
metadata, strangers (no token, a web page's Origin), too many connections, idle connections, open-mic memory."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import websockets

import realtime_cli.local.turns as turns_module
from realtime_cli.local.server import LocalRealtimeServer
from support.engine_client import RawClient


def _text_turn(text: str) -> list[dict[str, Any]]:
    return [{"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                                                          "content": [{"type": "input_text", "text": text}]}},
            {"type": "response.create", "response": {"output_modalities": ["text"]}}]


async def _turn(client: RawClient, text: str = "hello") -> dict[str, Any]:
    for event in _text_turn(text):
        await client.send(event)
    return await client.wait_for("response.done", timeout=30)


async def test_long_instructions_do_not_stall_other_sessions() -> None:
    sentence = " ".join(f"word{i % 500}" for i in range(4500))[:30_000]  # one 30 KB sentence: under the limit
    async with LocalRealtimeServer() as server, RawClient(server.url) as heavy, RawClient(server.url) as other:
        await heavy.send({"type": "session.update", "session": {"type": "realtime", "instructions": sentence}})
        await heavy.wait_for("session.updated", timeout=30)
        done = await _turn(other)  # another client's turn is not held up by the heavy session's vocabulary
        assert done["response"]["status"] == "completed"
        await _turn(heavy)


async def test_instructions_over_the_limit_get_the_services_error() -> None:
    async with LocalRealtimeServer() as server, RawClient(server.url) as client:
        await client.send({"type": "session.update", "session": {"type": "realtime", "instructions": "x" * 40_000}})
        error = (await client.wait_for("error"))["error"]
        assert error["code"] == "string_above_max_length" and error["param"] == "session.instructions"
        assert (await _turn(client))["response"]["status"] == "completed"


async def test_a_15_mb_message_is_refused_and_the_session_goes_on() -> None:
    async with LocalRealtimeServer() as server, RawClient(server.url) as client:
        await client.send(_text_turn("y" * 15_000_000)[0])
        error = (await client.wait_for("error"))["error"]
        assert error["code"] == "string_above_max_length"
        assert (await _turn(client))["response"]["status"] == "completed"


async def test_deeply_nested_metadata_does_not_wedge_the_session() -> None:
    nested: Any = "leaf"
    for _ in range(300):
        nested = {"k": nested}
    async with LocalRealtimeServer() as server, RawClient(server.url) as client:
        await client.send(json.dumps({"type": "response.create", "response": {"metadata": nested}}))
        error = (await client.wait_for("error"))["error"]
        assert error["param"] == "response.metadata.k"
        assert (await _turn(client))["response"]["status"] == "completed"  # not "active response in progress"


async def test_a_token_is_required_when_set() -> None:
    async with LocalRealtimeServer(token="s3cret-token") as server:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with RawClient(server.url):
                pass
        assert refused.value.response.status_code == 401
        url = f"{server.url}?model=gpt-realtime"
        async with websockets.connect(url, additional_headers={"Authorization": "Bearer s3cret-token"}) as ws:
            assert json.loads(await ws.recv())["type"] == "session.created"


async def test_a_web_pages_origin_is_refused() -> None:
    url_suffix = "?model=gpt-realtime"
    async with LocalRealtimeServer() as server:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(server.url + url_suffix, origin="https://evil.example"):  # type: ignore[arg-type]
                pass
        assert refused.value.response.status_code == 403
        async with websockets.connect(server.url + url_suffix, origin="http://localhost:3000") as ws:  # type: ignore[arg-type]
            assert json.loads(await ws.recv())["type"] == "session.created"


async def test_connections_over_the_cap_get_503_until_one_leaves() -> None:
    async with LocalRealtimeServer(max_connections=2) as server:
        async with RawClient(server.url) as first, RawClient(server.url) as second:
            await first.wait_for("session.created")
            await second.wait_for("session.created")
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with RawClient(server.url):
                    pass
            assert refused.value.response.status_code == 503
        while server.sessions:  # sync point: both sessions have ended on the server
            await asyncio.sleep(0.01)
        async with RawClient(server.url) as again:
            await again.wait_for("session.created")


async def test_an_idle_connection_is_closed_with_1001() -> None:
    async with LocalRealtimeServer(idle_timeout_s=0.3) as server, RawClient(server.url) as client:
        await client.wait_for("session.created")
        while not client.closed:
            await asyncio.sleep(0.01)
        assert client._ws.close_code == 1001


async def test_an_uncommitted_open_mic_has_a_memory_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turns_module, "MAX_BUFFER_SAMPLES", 48_000)  # two seconds of buffer
    quiet_room = np.random.default_rng(0).normal(0, 30, 24_000 * 5).astype(np.int16)
    async with LocalRealtimeServer() as server, RawClient(server.url) as client:
        await client.send({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {
            "turn_detection": None}}}})
        await client.wait_for("session.updated")
        (session,) = server.sessions
        for second in range(5):
            await client.append_audio(quiet_room[second * 24_000:(second + 1) * 24_000])
            await client.send({"type": "conversation.item.retrieve", "item_id": "marker"})
            await client.wait_for("error")  # sync point: every append before it has been applied
            assert session.turns.buffered_ms <= 2000  # the oldest audio gave way
        await client.send({"type": "input_audio_buffer.commit"})
        await client.wait_for("input_audio_buffer.committed", timeout=30)
        assert session.turns.buffered_ms == 0


def test_the_engine_process_leaves_no_temp_folder(tmp_path: Path) -> None:
    code = ("import asyncio, base64, numpy as np\n"
            "from realtime_cli.local.server import LocalRealtimeServer\n"
            "from realtime_cli.local.speech import domain_model\n"
            "domain_model({'instructions': 'hello there'})\n")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    assert not list(tmp_path.glob("rtagent-asr-*"))
