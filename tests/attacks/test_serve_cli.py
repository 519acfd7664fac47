"""`rtagent serve` attacked from the command line, as a user would: a bad port, the network without a token;
and with a token, the warning that it is reachable, and a client without the token refused."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
import websockets

RTAGENT = [sys.executable, "-m", "realtime_cli.cli.app"]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RTAGENT, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_a_port_out_of_range_is_one_line_and_exit_2(port: str) -> None:
    done = _run("serve", "--port", port)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "not a port number" in done.stderr
    assert "Traceback" not in done.stderr


def test_off_loopback_without_a_token_is_refused() -> None:
    done = _run("serve", "--host", "0.0.0.0", env={"RTAGENT_SERVE_TOKEN": ""})
    assert done.returncode == 2 and "--token" in done.stderr and "Traceback" not in done.stderr


async def test_off_loopback_with_a_token_warns_and_checks_it() -> None:
    proc = await asyncio.create_subprocess_exec(
        *RTAGENT, "serve", "--host", "0.0.0.0", "--port", "0", stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env={**os.environ, "RTAGENT_SERVE_TOKEN": "tok-123456"})
    try:
        assert proc.stdout is not None and proc.stderr is not None
        url = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode().strip()
        warning = (await asyncio.wait_for(proc.stderr.readline(), 10)).decode()
        assert "reachable from other machines" in warning and "loopback" not in warning
        port = url.rsplit(":", 1)[1].split("/", 1)[0]
        target = f"ws://127.0.0.1:{port}/v1/realtime?model=gpt-realtime"
        with pytest.raises(websockets.InvalidStatus):
            async with websockets.connect(target, additional_headers={"Authorization": "Bearer wrong"}):
                pass
        async with websockets.connect(target, additional_headers={"Authorization": "Bearer tok-123456"}) as ws:
            assert b"session.created" in await ws.recv(decode=False)
    finally:
        proc.terminate()
        await proc.wait()
