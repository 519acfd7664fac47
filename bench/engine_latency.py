"""Local engine turn latency: time from the user's last speech frame to the first `output_audio.delta`.

Push-to-talk: the audio is appended in real time (20 ms frames, as while a key is held; also, as a worst case, all
at once; and as a person does it, with the key released a moment after the last word: 300 ms of room noise, the
CLI's 150 ms tail included), then `input_audio_buffer.commit` + `response.create`; the clock starts at the commit.
Concurrent sessions speak at least 4 turns each, twice: as independent users ("staggered": starting at staggered
moments, each listening to the agent's reply, its audio length, before speaking again, as one session alone does)
and as a stress test ("burst": all starting in the same instant, each speaking again as soon as the reply is sent,
as this benchmark used to). Server VAD:
speech then silence is streamed in real time (20 ms frames); the clock starts when
the last frame containing speech was appended, so the figure includes the configured silence wait. A turn in
which the agent calls a tool is answered at once, as an SDK would, so its figure includes that round trip.
Prints each row as soon as it is measured: p50/p95 over >= 20 turns, alone and with 10 concurrent sessions (a VAD
turn the server never answers within 10 s is counted as missed, not fatal), and how many commits found their
transcript decoded ahead. Goals (push-to-talk): p50 <= 700 ms after commit for one session, 10 sessions within 2x.

    .venv/bin/python bench/engine_latency.py [--turns 20] [--sessions 10]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from realtime_cli.local.server import LocalRealtimeServer
from realtime_cli.local.tts import Synthesizer

UTTERANCES = [
    "what is the weather in paris", "book an appointment for tomorrow", "hello", "thank you",
    "what can you do", "what is the weather in london", "i need help with my bill", "goodbye",
    "book a haircut on friday at three pm", "what is the weather in tokyo",
]
SESSION = {"type": "realtime", "instructions": "You help with weather and appointments.",
           "output_modalities": ["audio"],
           "tools": [{"type": "function", "name": "get_weather", "description": "Get current weather for a city.",
                      "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                     "required": ["city"]}},
                     {"type": "function", "name": "book_appointment", "description": "Book an appointment.",
                      "parameters": {"type": "object", "properties": {
                          "date": {"type": "string"}, "time": {"type": "string"}, "service": {"type": "string"}},
                          "required": ["date", "time", "service"]}}]}
GOAL_MS = 700.0
CONCURRENCY_FACTOR = 2.0
VAD_WAIT_S = 10.0
PER_SESSION = 4  # turns per session at least when several talk at once (not only their first, cold turn)
STAGGER_S = 0.37  # session k starts talking k times this late (about one turn cycle spread over 10 sessions)
RELEASE_MS = 300  # key released this long after the last word (reaction plus the CLI's 150 ms tail)
NOISE_RMS = 30.0  # room noise under and after the speech (about -60 dBFS): silence is never digital zero


def _room(samples: int, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0.0, NOISE_RMS, samples)
    return np.clip(noise, -32768, 32767).astype(np.int16)


def _b64(samples: np.ndarray) -> str:
    return base64.b64encode(samples.astype("<i2").tobytes()).decode()


class Client:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.first_audio: asyncio.Future[float] | None = None
        self.done: asyncio.Event = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None
        self.heard_s = 0.0  # seconds of agent audio received in the current turn (played before the next one)
        self.listens = True  # False: speaks again as soon as the reply is sent (the stress case)

    async def read(self) -> None:
        async for frame in self.ws:
            event = json.loads(frame)
            kind = event["type"]
            if kind == "response.output_audio.delta":
                if self.first_audio and not self.first_audio.done():
                    self.first_audio.set_result(time.perf_counter())
                self.heard_s += len(event["delta"]) * 3 / 4 / 2 / 24000
            elif kind == "response.done":
                calls = [o for o in event["response"]["output"] if o["type"] == "function_call"]
                if not calls:
                    self.done.set()
                for call in calls:  # answer tool calls at once, as an SDK would: the clock keeps running
                    output = {"type": "function_call_output", "call_id": call["call_id"], "output": "Done: all set."}
                    await self.ws.send(json.dumps({"type": "conversation.item.create", "item": output}))
                if calls:
                    await self.ws.send(json.dumps({"type": "response.create"}))
            elif kind == "error":
                raise RuntimeError(event["error"])


async def _session(url: str, turn_detection: dict[str, Any] | None) -> Client:
    ws = await websockets.connect(url + "?model=gpt-realtime", max_size=None)
    session = dict(SESSION, audio={"input": {"turn_detection": turn_detection}})
    await ws.send(json.dumps({"type": "session.update", "session": session}))
    client = Client(ws)
    client.reader = asyncio.create_task(client.read())
    return client


async def listen(client: Client, since: float) -> None:
    """Wait until the reply would have finished playing (it started playing when its first audio came)."""
    if client.listens:
        await asyncio.sleep(max(0.0, since + client.heard_s - time.perf_counter()))


async def ptt_turn(client: Client, speech: np.ndarray, paced: bool = True, release_ms: int = 0) -> float:
    """Push-to-talk: `paced` streams 20 ms frames in real time, as a held key does; else all audio at once;
    `release_ms` of room noise follows the speech before the key is released."""
    step = 480 if paced else 2400
    speech = np.concatenate([speech, _room(24 * release_ms, speech.size)])
    tick = time.perf_counter()
    for start in range(0, speech.size, step):
        chunk = _b64(speech[start:start + step])
        await client.ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": chunk}))
        if paced:
            tick += 0.02
            await asyncio.sleep(max(0.0, tick - time.perf_counter()))
    client.first_audio = asyncio.get_running_loop().create_future()
    client.done.clear()
    client.heard_s = 0.0
    began = time.perf_counter()
    await client.ws.send(json.dumps({"type": "input_audio_buffer.commit"}))
    await client.ws.send(json.dumps({"type": "response.create"}))
    first = await asyncio.wait_for(client.first_audio, 30)
    await asyncio.wait_for(client.done.wait(), 60)
    await listen(client, first)
    return (first - began) * 1000


class Missed(Exception):
    """The server VAD never ended the turn (or never answered it) in time."""


async def vad_turn(client: Client, speech: np.ndarray) -> float:
    frames = [speech[i:i + 480] for i in range(0, speech.size, 480)]
    silence = _room(480, speech.size)
    client.first_audio = asyncio.get_running_loop().create_future()
    client.done.clear()
    client.heard_s = 0.0
    last_speech = 0.0
    tick = time.perf_counter()
    for frame in frames:
        await client.ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": _b64(frame)}))
        last_speech = time.perf_counter()
        tick += 0.02
        await asyncio.sleep(max(0.0, tick - time.perf_counter()))
    while not client.first_audio.done():
        await client.ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": _b64(silence)}))
        tick += 0.02
        await asyncio.sleep(max(0.0, tick - time.perf_counter()))
        if time.perf_counter() - last_speech > VAD_WAIT_S:
            await client.ws.send(json.dumps({"type": "input_audio_buffer.clear"}))
            raise Missed
    await asyncio.wait_for(client.done.wait(), 60)
    await listen(client, client.first_audio.result())
    return (client.first_audio.result() - last_speech) * 1000


async def _ptt_at_once(client: Client, speech: np.ndarray) -> float:
    return await ptt_turn(client, speech, paced=False)


async def _ptt_released(client: Client, speech: np.ndarray) -> float:
    return await ptt_turn(client, speech, release_ms=RELEASE_MS)


def _ahead_counts(sessions: set[Any]) -> int:
    """Commits of these engine sessions whose transcript was decoded ahead (0 for an engine without it)."""
    return sum(getattr(getattr(s.turns, "ahead", None), "reused", 0) for s in sessions)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(turns: int, sessions: int) -> None:
    synth = Synthesizer("alloy")
    speech = [synth.synthesize(u, 24000) for u in UTTERANCES]
    for k, clip in enumerate(speech):  # room noise under the speech too
        speech[k] = np.clip(clip.astype(np.int32) + _room(clip.size, k), -32768, 32767).astype(np.int16)
    print(f"{'mode':58} {'sessions':>13} {'turns':>6} {'missed':>6} {'ahead':>6} {'p50 ms':>8} {'p95 ms':>8}",
          flush=True)
    p50s: dict[tuple[str, str], float] = {}
    # (sessions, label, start stagger, whether clients listen to the reply before speaking again)
    groups = ((1, "alone", 0.0, True), (sessions, "staggered", STAGGER_S, True), (sessions, "burst", 0.0, False))
    async with LocalRealtimeServer() as server:
        vad = {"type": "server_vad", "silence_duration_ms": 500, "create_response": True}
        for mode, td, turn in (("push-to-talk, released 300 ms after speech (after commit)", None, _ptt_released),
                               ("push-to-talk, spoken in real time (after commit)", None, ptt_turn),
                               ("push-to-talk, audio sent at once (after commit)", None, _ptt_at_once),
                               ("server VAD (after last speech, silence 500 ms)", vad, vad_turn)):
            for concurrent, label, stagger, listens in groups:
                clients = [await _session(server.url, td) for _ in range(concurrent)]
                for client in clients:
                    client.listens = listens
                await asyncio.sleep(0.3)
                fresh = set(server.sessions)
                per = max(PER_SESSION, turns // concurrent) if concurrent > 1 else turns
                if td is not None:
                    per = max(2, per // 2)
                missed = 0

                async def drive(client: Client, offset: int, per: int = per, turn: Any = turn,
                                stagger: float = stagger) -> list[float]:
                    nonlocal missed
                    out = []
                    await asyncio.sleep(offset * stagger)  # users do not all start in the same instant (or do)
                    for i in range(per):
                        utterance = speech[(i + offset) % len(speech)]
                        try:
                            out.append(await turn(client, utterance))
                        except Missed:
                            missed += 1
                    return out

                results = await asyncio.gather(*(drive(c, k) for k, c in enumerate(clients)))
                values = [v for r in results for v in r]
                p50 = statistics.median(values) if values else float("nan")
                p95 = _pct(values, 0.95) if values else float("nan")
                p50s[(mode, label)] = p50
                ahead = _ahead_counts(fresh)
                who = f"{concurrent} {label}" if concurrent > 1 else "1"
                print(f"{mode:58} {who:>13} {len(values):6d} {missed:6d} {ahead:6d} {p50:8.1f} {p95:8.1f}",
                      flush=True)
                for client in clients:
                    await client.ws.close()
    for (mode, label), p50 in p50s.items():
        if not mode.startswith("push-to-talk"):
            continue
        if label == "alone":
            verdict = "PASS" if p50 <= GOAL_MS else "MISS"
            print(f"goal: p50 <= {GOAL_MS:.0f} ms after commit, {mode.split(' (')[0]}, 1 session: {p50:.1f} ms "
                  f"-> {verdict}")
        else:
            ratio = p50 / p50s[(mode, "alone")]
            verdict = "PASS" if ratio <= CONCURRENCY_FACTOR else "MISS"
            print(f"goal: {sessions} sessions ({label}) p50 <= {CONCURRENCY_FACTOR:.0f}x one session, "
                  f"{mode.split(' (')[0]}: {ratio:.2f}x -> {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.turns, args.sessions))


if __name__ == "__main__":
    main()
