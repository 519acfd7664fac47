"""Engine memory with an open mic that is never committed: quiet-room audio appended (manual turns, so nothing
commits) as fast as loopback allows; prints the process's RSS at each simulated minute.

The engine keeps at most 15 minutes of uncommitted audio and restarts the recognizer every 5 minutes of it, so
RSS should stop growing after minute 15. Goal: RSS at the last minute within 10 MB of minute 15.

    .venv/bin/python bench/engine_open_mic.py [--minutes 20]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
from pathlib import Path

import numpy as np
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from realtime_cli.local.server import LocalRealtimeServer

RATE = 24_000


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


async def _feed(url: str, minutes: int) -> None:
    quiet = np.random.default_rng(0).normal(0, 30, RATE).astype("<i2").tobytes()  # one second of room noise
    frame = json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(quiet).decode()})
    marker = json.dumps({"type": "conversation.item.retrieve", "item_id": "marker"})
    async with websockets.connect(f"{url}?model=gpt-realtime", max_size=None) as ws:
        await ws.send(json.dumps({"type": "session.update", "session": {
            "type": "realtime", "audio": {"input": {"turn_detection": None}}}}))
        print(f"{'minute':>6} {'RSS MB':>8}")
        for minute in range(1, minutes + 1):
            for _ in range(60):
                await ws.send(frame)
            await ws.send(marker)
            while json.loads(await ws.recv())["type"] != "error":  # the marker's error: all applied
                pass
            print(f"{minute:>6} {_rss_mb():>8.1f}", flush=True)


async def main(minutes: int) -> None:
    async with LocalRealtimeServer(idle_timeout_s=None) as server:
        await _feed(server.url, minutes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=20)
    asyncio.run(main(parser.parse_args().minutes))
