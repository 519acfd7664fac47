"""Engine isolation: how long another client's handshake and text turn take while one client attacks the engine.

Attacks (each against a fresh engine): a 30 KB one-sentence `session.update` (under the instruction limit), a
40 KB one (refused), a 15 MB user message and a response.create (refused), three 15 MB audio appends,
300-deep metadata. For each,
the victim connects while the attack is in flight and times its handshake and a "hello" turn (to response.done).
Prints the victim's figures beside the quiet baseline; the goal is no stall of seconds.

    .venv/bin/python bench/engine_isolation.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from realtime_cli.local.server import LocalRealtimeServer

HELLO = [{"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                                                       "content": [{"type": "input_text", "text": "hello"}]}},
         {"type": "response.create", "response": {"output_modalities": ["text"]}}]


async def _connect(url: str) -> Any:
    return await websockets.connect(f"{url}?model=gpt-realtime", max_size=None,
                                    additional_headers={"Authorization": "Bearer bench"})


async def _until(ws: Any, kind: str) -> None:
    while json.loads(await ws.recv())["type"] != kind:
        pass


async def _victim(url: str) -> tuple[float, float]:
    started = time.perf_counter()
    ws = await _connect(url)
    await _until(ws, "session.created")
    handshake = time.perf_counter() - started
    started = time.perf_counter()
    for event in HELLO:
        await ws.send(json.dumps(event))
    await _until(ws, "response.done")
    turn = time.perf_counter() - started
    await ws.close()
    return handshake, turn


def _sentence(chars: int) -> str:
    return " ".join(f"word{i % 700}" for i in range(chars // 6))[:chars]


def _appends() -> list[str]:
    pcm = (np.random.default_rng(0).normal(0, 300, 11_000_000 // 2)).astype("<i2").tobytes()
    one = json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm).decode()})
    return [one, one, one]


def _nested() -> str:
    value: Any = "x"
    for _ in range(300):
        value = {"k": value}
    return json.dumps({"type": "response.create", "response": {"metadata": value}})


ATTACKS: dict[str, Callable[[], list[str]]] = {
    "quiet baseline": lambda: [],
    "30 KB instructions": lambda: [json.dumps({"type": "session.update", "session": {
        "type": "realtime", "instructions": _sentence(30_000)}})],
    "40 KB instructions": lambda: [json.dumps({"type": "session.update", "session": {
        "type": "realtime", "instructions": _sentence(40_000)}})],
    "15 MB message": lambda: [json.dumps(HELLO[0]).replace('"hello"', json.dumps("y" * 15_000_000)),
                              json.dumps(HELLO[1])],
    "3 x 15 MB appends": _appends,
    "300-deep metadata": lambda: [_nested()],
}


async def _round(frames: list[str]) -> tuple[float, float]:
    async with LocalRealtimeServer() as server:
        attacker = await _connect(server.url)
        await _until(attacker, "session.created")

        async def attack() -> None:
            for frame in frames:
                await attacker.send(frame)

        sending = asyncio.create_task(attack())
        await asyncio.sleep(0.05)  # the attack is in flight
        try:
            result = await asyncio.wait_for(_victim(server.url), 60)
        except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake, websockets.ConnectionClosed):
            result = (float("inf"), float("inf"))  # the victim could not even connect or finish: a stall
        await sending
        await attacker.close()
        return result


async def main(rounds: int) -> None:
    print(f"{'attack (one client)':<22} {'victim handshake ms':>20} {'victim turn ms':>15}")
    for name, build in ATTACKS.items():
        frames = build()
        runs = [await _round(frames) for _ in range(rounds)]
        hs = statistics.median(r[0] for r in runs) * 1000
        turn = statistics.median(r[1] for r in runs) * 1000
        print(f"{name:<22} {_ms(hs):>20} {_ms(turn):>15}")


def _ms(value: float) -> str:
    return "stalled (>10 s)" if value == float("inf") else f"{value:.0f}"


def _run(coro: Awaitable[None]) -> None:
    asyncio.run(coro)  # type: ignore[arg-type]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    _run(main(parser.parse_args().rounds))
