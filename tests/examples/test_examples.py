"""The seed document's Quickstart and Complete example, import line changed, run as programs against a
scripted server (beta dialect, since they ask for a preview model)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import numpy as np
import pytest

from support.scripted_server import ScriptedConnection, ScriptedServer
from support.server_events import Events

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
B = Events("beta")
PCM = (np.sin(np.arange(4800) / 4) * 6000).astype("<i2").tobytes()


async def _run_example(name: str, script: object) -> str:
    async with ScriptedServer(script) as server:  # type: ignore[arg-type]
        env = dict(os.environ, OPENAI_API_KEY="sk-example", RTAGENT_REALTIME_URL=server.url)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(EXAMPLES / name), env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    server.check()
    assert proc.returncode == 0, err.decode()
    assert server.connections[0].dialect == "beta"
    return out.decode()


async def test_quickstart_prints_the_assistant_line() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        item = await c.expect("conversation.item.create")
        assert item["item"]["content"][0]["text"] == "Hello! How are you today?"
        await c.expect("response.create")
        await c.send(*B.assistant_turn("resp_1", "item_a", "I'm doing great, thanks for asking!", PCM))
        await c.close()

    out = await _run_example("quickstart.py", script)
    assert "Assistant: I'm doing great, thanks for asking!" in out


async def test_complete_example_prints_user_and_assistant_lines() -> None:
    async def script(c: ScriptedConnection) -> None:
        update = await c.expect("session.update")
        assert update["session"]["input_audio_transcription"] == {"model": "whisper-1"}
        assert update["session"]["turn_detection"]["prefix_padding_ms"] == 300
        user = {"id": "item_u", "type": "message", "role": "user", "content": [{"type": "input_audio"}],
                "object": "realtime.item"}
        await c.send(B.speech_started("item_u"), B.committed("item_u"), B.item_added(user))
        await c.send(B.transcription_completed("item_u", "what's the weather like"))
        await c.send(*B.assistant_turn("resp_1", "item_a", "Sunny and warm today.", PCM))
        await c.close()

    out = await _run_example("complete.py", script)
    assert "Session started!" in out
    assert "User: what's the weather like" in out
    assert "Assistant: Sunny and warm today." in out


@pytest.mark.parametrize("name", ["quickstart.py", "complete.py"])
async def test_ctrl_c_ends_an_example_quietly(name: str) -> None:
    """No key and no RTAGENT_BACKEND: the example talks to the local engine; Ctrl-C after its first line ends it
    at once, with no traceback."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "RTAGENT_BACKEND")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / name), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        first = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert first.strip(), (await proc.stderr.read()).decode()
        proc.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(proc.communicate(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert "Traceback" not in err.decode(), err.decode()
    assert proc.returncode == 0
