"""The CLI (text mode in a subprocess) against a hostile server: a key echoed back in an error, ANSI escapes in
its text, a malformed item. Nothing leaks to the screen or --record, no escape reaches the terminal, no traceback."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from support.scripted_server import ScriptedConnection, ScriptedServer
from support.server_events import Events

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-hostile-echo-0123456789"
E = Events("ga")


async def _text_mode(url: str, record: Path) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RTAGENT_"))}
    env.update(OPENAI_API_KEY=KEY, RTAGENT_REALTIME_URL=url)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "realtime_cli.cli.app", "talk", "--agent", "configs/assistant.yaml", "--text",
        "--backend", "openai", "--record", str(record), "--debug", cwd=ROOT, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(b"hello\n"), 60)
    return int(proc.returncode if proc.returncode is not None else -1), out.decode(errors="replace")


async def test_a_hostile_server_cannot_leak_the_key_inject_escapes_or_crash_the_cli(tmp_path: Path) -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.send(E.session_created())
        await c.expect("session.update")
        await c.send_raw('{"type": "conversation.item.added", "event_id": "ev1", "item": '
                         '{"id": "item_1", "type": "message", "role": "user", "content": 5}}')
        await c.expect("response.create")
        await c.send(E.error("invalid_api_key", f"Incorrect API key provided: {KEY}.\x1b[2J\x1b]0;owned\x07"))
        await c.send(*E.assistant_turn("resp_1", "item_a1", "Still here."))
        await c.ws.wait_closed()

    async with ScriptedServer(script) as server:
        code, out = await _text_mode(server.url, tmp_path / "rec")
    recorded = (tmp_path / "rec" / "events.jsonl").read_text()
    assert "Still here." in out  # the session outlived the malformed item
    assert "Incorrect API key provided: [redacted]" in out
    assert KEY not in out and KEY not in recorded  # --debug logs included
    assert "\x1b[2J" not in out and "\x1b]0;" not in out
    assert "Traceback" not in out
    assert code == 0, out[-2000:]
