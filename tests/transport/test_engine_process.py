"""The local engine in a child process, as `rtagent talk` runs it for voice: it serves the Realtime API, ends with
its parent (stdin closed) or at stop, and a child that cannot start is one clear error, never a hang."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import websockets

from realtime_cli.protocol.errors import RealtimeConnectionError
from realtime_cli.transport.local_backend import EngineProcess


async def _ask(url: str, text: str) -> str:
    async with websockets.connect(url + "?model=gpt-realtime") as ws:
        await ws.send(json.dumps({"type": "session.update", "session": {
            "type": "realtime", "output_modalities": ["text"], "instructions": "You help with the weather."}}))
        await ws.send(json.dumps({"type": "conversation.item.create", "item": {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}))
        await ws.send(json.dumps({"type": "response.create"}))
        async for frame in ws:
            event = json.loads(frame)
            if event["type"] == "response.done":
                parts = [c.get("text", "") for o in event["response"]["output"] for c in o.get("content", [])]
                return " ".join(parts)
    raise AssertionError("no response.done")


async def test_the_child_engine_answers_and_is_gone_after_stop() -> None:
    engine = EngineProcess()
    url = await engine.start()
    pid = engine._proc.pid if engine._proc else 0
    try:
        assert url.startswith("ws://127.0.0.1:")
        assert (await _ask(url, "hello")).strip()
    finally:
        await engine.stop()
    assert not _alive(pid)


def test_the_child_engine_ends_when_its_parent_dies() -> None:
    """A parent killed outright (no cleanup at all) still takes its engine with it: the engine watches its stdin."""
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import asyncio, sys\n"
         "from realtime_cli.transport.local_backend import EngineProcess\n"
         "async def main():\n"
         "    engine = EngineProcess()\n"
         "    await engine.start()\n"
         "    print(engine._proc.pid, flush=True)\n"
         "    await asyncio.sleep(3600)\n"
         "asyncio.run(main())\n"],
        stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(10)
    for _ in range(600):  # the child notices the closed pipe and stops (a bound on a failure, not a timing check)
        if not _alive(child):
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        raise AssertionError("the engine outlived its parent")


def _alive(pid: int) -> bool:
    """Running (a zombie has exited: only its reaping is left)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


async def test_a_child_that_cannot_start_is_one_clear_error() -> None:
    engine = EngineProcess(command=[sys.executable, "-c",
                                    "import sys; print('no voice model here', file=sys.stderr); sys.exit(3)"])
    with pytest.raises(RealtimeConnectionError, match="the local engine did not start: no voice model here"):
        await asyncio.wait_for(engine.start(), 30)
