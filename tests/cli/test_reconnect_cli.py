"""The CLI across a dropped connection: text mode shows it reconnecting, the conversation goes on (exit 0); a server
that keeps dropping makes it give up with one clear line and exit 1."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from support.scripted_server import ScriptedConnection, ScriptedServer
from support.server_events import Events

ROOT = Path(__file__).resolve().parents[2]
E = Events("ga")
pytestmark = pytest.mark.slow


async def _start(url: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RTAGENT_"))}
    env.update(OPENAI_API_KEY="sk-test-reconnect-0000", RTAGENT_REALTIME_URL=url)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "realtime_cli.cli.app", "talk", "--agent", "configs/assistant.yaml", "--text",
        "--backend", "openai", cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)


async def _text_mode(url: str, stdin: bytes, timeout: float = 30) -> tuple[int, str]:
    proc = await _start(url)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(stdin), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        out, _ = await proc.communicate()
    return int(proc.returncode if proc.returncode is not None else -1), out.decode(errors="replace")


async def test_text_mode_rides_out_a_dropped_connection() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.send(E.session_created())
        await c.expect("session.update")
        if len(server.connections) == 1:
            await c.expect("conversation.item.create")
            await c.expect("response.create")
            await c.send(*E.assistant_turn("resp_1", "item_a1", "Noted, your name is Ada.", b"\x00\x01" * 2400))
            await asyncio.sleep(0.3)
            c.ws.transport.abort()  # no close frame: the client sees 1006
            return
        replayed = [await c.expect("conversation.item.create") for _ in range(2)]
        assert [r["item"]["role"] for r in replayed] == ["user", "assistant"]
        user = await c.expect("conversation.item.create")
        assert user["item"]["content"][0]["text"] == "what is my name"
        await c.expect("response.create")
        await c.send(*E.assistant_turn("resp_2", "item_a2", "Your name is Ada.", b"\x00\x01" * 2400))
        await c.ws.wait_closed()

    async with ScriptedServer(script) as server:
        code, out = await _text_mode(server.url, b"my name is ada\nwhat is my name\n")
    server.check()
    assert code == 0, out[-2000:]
    assert "[connection] reconnecting" in out and "[connection] reconnected" in out, out[-2000:]
    assert "Your name is Ada." in out
    assert "Traceback" not in out
    assert len(server.connections) == 2


async def test_text_mode_gives_up_with_one_line_and_exit_1() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        c.ws.transport.abort()

    async with ScriptedServer(script) as server:
        proc = await _start(server.url)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(b"hello\n")
        await proc.stdin.drain()
        seen: list[bytes] = []
        try:
            # stdin stays open until the CLI has given up: an early end of input would close the session first
            # and race the give-up (the flake this replaces)
            while not any(b"Gave up reconnecting" in line for line in seen):
                line = await asyncio.wait_for(proc.stdout.readline(), 60)
                if not line:
                    break
                seen.append(line)
            proc.stdin.close()
            rest = await asyncio.wait_for(proc.stdout.read(), 30)
            code = await asyncio.wait_for(proc.wait(), 30)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        out = (b"".join(seen) + rest).decode(errors="replace")
    assert code == 1, out[-2000:]
    assert "Gave up reconnecting after 6 attempts" in out, out[-2000:]
    assert "Traceback" not in out
    assert len(server.connections) == 7  # the first connection and six tries


async def test_text_mode_in_process_ends_on_the_give_up_without_a_traceback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """run_text itself (not a subprocess): the message typed while the client reconnects meets the give-up; the
    RealtimeConnectionError becomes one line and exit 1, never an exception out of text mode."""
    import io

    from realtime_cli import RealtimeAgent, RealtimeRunner
    from realtime_cli.cli.text_mode import run_text
    from realtime_cli.cli.view_state import ViewState

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        c.ws.transport.abort()

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"hello\n")))
    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(RealtimeAgent(name="A")).run(model_config={
            "url": server.url, "api_key": "sk-test", "reconnect": {"max_attempts": 2, "base_delay_s": 0.01}})
        await session.enter()
        code = await asyncio.wait_for(run_text(session, ViewState(mode="text")), 30)
    out = capsys.readouterr().out
    assert code == 1, out
    assert out.count("Gave up reconnecting after 2 attempts") == 1 and "Traceback" not in out, out
