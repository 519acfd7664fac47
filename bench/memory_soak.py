"""Memory soak: one simulated hour of agent audio into a session whose consumer has stalled; prints client RSS.

A loopback WebSocket server (its own process, so its memory does not count) sends a GA event stream equivalent
to an hour of 24 kHz pcm16 audio — 100 ms audio deltas each with a transcript delta, a user turn and a response
boundary every 10 s — as fast as loopback allows. This process is the client: an SDK session
(`RealtimeRunner(agent).run(...)`, `async with session:`) whose consumer reads nothing for the hour (or, with
`--consumer minute`, one event per simulated minute). A second model listener counts the audio and samples RSS
(/proc/self/statm) at each simulated minute. Goal: peak RSS < 150 MB, flat after minute 1 (max − minute 1 < 10 MB).

    .venv/bin/python bench/memory_soak.py                        # the hour, stalled consumer, table every 5 min
    .venv/bin/python bench/memory_soak.py --consumer minute --every 1
    .venv/bin/python bench/memory_soak.py --minutes 10 --tracemalloc   # where the growth is allocated
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SAMPLE_RATE = 24_000
BYTES_PER_SECOND = SAMPLE_RATE * 2
RESPONSE_SECONDS = 10
GOAL_PEAK_MB = 150.0
GOAL_FLAT_MB = 10.0
_PAGE = os.sysconf("SC_PAGE_SIZE")
_WORDS = ("the", "weather", "in", "Paris", "is", "mild", "today", "with", "light", "wind", "from", "the", "west",
          "and", "a", "chance", "of", "rain", "later", "so", "bring", "an", "umbrella")


def rss_mb() -> float:
    """Resident set size of this process now, in MB (Linux /proc; no psutil)."""
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * _PAGE / 1e6


def peak_rss_mb() -> float:
    """The kernel's high-water mark of this process's RSS, in MB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


# --- the server (a child process) -----------------------------------------------------------------------


def stream(minutes: int, chunk_ms: int) -> Iterator[dict[str, Any]]:
    """The GA server events of `minutes` of agent audio: one user turn and one response per 10 s."""
    rng = random.Random(7)
    chunk = BYTES_PER_SECOND * chunk_ms // 1000
    # Distinct payloads (a few) so nothing is accidentally shared by identity on the client side.
    payloads = [base64.b64encode(rng.randbytes(chunk)).decode() for _ in range(8)]
    n = 0

    def ev(type_: str, **fields: Any) -> dict[str, Any]:
        nonlocal n
        n += 1
        return {"type": type_, "event_id": f"event_{n}", **fields}

    yield ev("session.created", session={"type": "realtime", "object": "realtime.session", "id": "sess_soak",
                                         "model": "gpt-realtime", "output_modalities": ["audio"],
                                         "instructions": "", "audio": {"output": {"voice": "alloy"}}})
    deltas_per_response = RESPONSE_SECONDS * 1000 // chunk_ms
    for r in range(minutes * 60 // RESPONSE_SECONDS):
        user_id, item_id, rid = f"item_u{r}", f"item_a{r}", f"resp_{r}"
        user = {"id": user_id, "type": "message", "role": "user", "status": "completed", "object": "realtime.item",
                "content": [{"type": "input_audio", "transcript": None}]}
        yield ev("input_audio_buffer.committed", item_id=user_id, previous_item_id=None)
        yield ev("conversation.item.added", item=user, previous_item_id=None)
        yield ev("conversation.item.input_audio_transcription.completed", item_id=user_id, content_index=0,
                 transcript="what is the weather like in Paris today", usage={"type": "duration", "seconds": 2.0})
        yield ev("response.created", response={"id": rid, "object": "realtime.response", "status": "in_progress",
                                               "output": []})
        item = {"id": item_id, "type": "message", "role": "assistant", "status": "in_progress", "content": [],
                "object": "realtime.item"}
        yield ev("response.output_item.added", response_id=rid, output_index=0, item=item)
        yield ev("conversation.item.added", item=item, previous_item_id=user_id)
        words = []
        for i in range(deltas_per_response):
            yield ev("response.output_audio.delta", response_id=rid, item_id=item_id, output_index=0,
                     content_index=0, delta=payloads[i % len(payloads)])
            word = _WORDS[(r + i) % len(_WORDS)]
            words.append(word)
            yield ev("response.output_audio_transcript.delta", response_id=rid, item_id=item_id, output_index=0,
                     content_index=0, delta=(" " if i else "") + word)
        transcript = " ".join(words)
        yield ev("response.output_audio.done", response_id=rid, item_id=item_id, output_index=0, content_index=0)
        yield ev("response.output_audio_transcript.done", response_id=rid, item_id=item_id, output_index=0,
                 content_index=0, transcript=transcript)
        final = dict(item, status="completed", content=[{"type": "output_audio", "transcript": transcript}])
        yield ev("response.output_item.done", response_id=rid, output_index=0, item=final)
        yield ev("response.done", response={"id": rid, "object": "realtime.response", "status": "completed",
                                            "status_details": None, "output": [final],
                                            "usage": {"total_tokens": 10, "input_tokens": 4, "output_tokens": 6}})


async def serve(minutes: int, chunk_ms: int) -> None:
    """Serve one connection: the whole stream as fast as the socket takes it, then wait for the client to close."""
    import orjson
    import websockets

    done = asyncio.get_running_loop().create_future()

    async def handler(ws: Any) -> None:
        reader = asyncio.create_task(_drain(ws))
        try:
            for event in stream(minutes, chunk_ms):
                await ws.send(orjson.dumps(event).decode())
            await ws.wait_closed()
        except websockets.ConnectionClosed:
            pass
        finally:
            reader.cancel()
            if not done.done():
                done.set_result(None)

    async with websockets.serve(handler, "127.0.0.1", 0, max_size=None, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        await done


async def _drain(ws: Any) -> None:
    async for _ in ws:  # the client's session.update; read so its sends never block
        pass


# --- the client (this process, measured) ---------------------------------------------------------------


class Sampler:
    """A second model listener: counts agent audio as it arrives and samples RSS at each simulated minute."""

    def __init__(self, minutes: int, trace: bool) -> None:
        self.minutes = minutes
        self.audio_bytes = 0
        self.events = 0
        self.samples: list[tuple[int, float, float, int]] = []  # minute, rss MB, wall s, buffered events
        self.finished = asyncio.Event()
        self.minute_ticks = asyncio.Queue[int]()
        self.session: Any = None
        self.snapshots: dict[int, Any] = {}
        self._trace = trace
        self._started = time.perf_counter()

    async def on_event(self, event: Any) -> None:
        self.events += 1
        if getattr(event, "kind", None) != "response.output_audio.delta":
            return
        before = self.audio_bytes // (BYTES_PER_SECOND * 60)
        self.audio_bytes += len(event.data["delta"]) * 3 // 4
        minute = self.audio_bytes // (BYTES_PER_SECOND * 60)
        if minute > before:
            buffered = len(self.session._queue) if self.session is not None else -1
            self.samples.append((minute, rss_mb(), time.perf_counter() - self._started, buffered))
            if self._trace and minute in (1, self.minutes):
                import tracemalloc

                self.snapshots[minute] = tracemalloc.take_snapshot()
            self.minute_ticks.put_nowait(minute)
            if minute >= self.minutes:
                self.finished.set()


async def run_client(url: str, args: argparse.Namespace) -> dict[str, Any]:
    from realtime_cli import RealtimeAgent, RealtimeRunner

    agent: RealtimeAgent[Any] = RealtimeAgent(name="Soak", instructions="Be brief.")
    baseline = rss_mb()
    session = await RealtimeRunner(agent).run(model_config={"url": url, "api_key": "x", "reconnect": False})
    sampler = Sampler(args.minutes, args.tracemalloc)
    sampler.session = session
    read = 0
    session.model.add_listener(sampler)  # before connecting, so it sees every delta
    async with session:

        async def consume() -> None:  # stalled: one event per simulated minute at most
            nonlocal read
            while True:
                await sampler.minute_ticks.get()
                await session.__anext__()
                read += 1

        consumer = asyncio.create_task(consume()) if args.consumer == "minute" else None
        await asyncio.wait_for(sampler.finished.wait(), args.timeout)
        if consumer is not None:
            consumer.cancel()
        buffered, dropped = len(session._queue), session._queue.dropped
        wall = time.perf_counter() - sampler._started
    return {"baseline": baseline, "samples": sampler.samples, "buffered": buffered, "dropped": dropped,
            "read": read, "events": sampler.events, "wall": wall, "snapshots": sampler.snapshots}


def report(result: dict[str, Any], args: argparse.Namespace) -> bool:
    samples = result["samples"]
    print(f"memory soak: {args.minutes} simulated min of 24 kHz pcm16 ({args.chunk_ms} ms deltas + transcript "
          f"deltas, a response every {RESPONSE_SECONDS} s), consumer {args.consumer}")
    print(f"client RSS before connecting: {result['baseline']:.1f} MB")
    print(f"{'sim min':>7} {'RSS MB':>8} {'Δ vs min 1':>10} {'buffered':>9} {'wall s':>7}")
    first = samples[0][1]
    for minute, rss, wall, buffered in samples:
        if minute == 1 or minute % args.every == 0 or minute == samples[-1][0]:
            print(f"{minute:>7} {rss:>8.1f} {rss - first:>+10.1f} {buffered:>9} {wall:>7.1f}")
    peak = peak_rss_mb()
    sampled_max = max(rss for _, rss, _, _ in samples)
    growth = sampled_max - first
    peak_ok, flat_ok = peak < GOAL_PEAK_MB, growth < GOAL_FLAT_MB
    print(f"events received {result['events']}, read by the consumer {result['read']}, "
          f"still buffered {result['buffered']}, dropped by the buffer {result['dropped']}, "
          f"wall {result['wall']:.1f} s")
    print(f"peak RSS (ru_maxrss): {peak:.1f} MB   goal < {GOAL_PEAK_MB:.0f} MB   "
          f"{'OK' if peak_ok else 'MISSED'}")
    print(f"flat after minute 1: max − minute 1 = {growth:+.1f} MB   goal < {GOAL_FLAT_MB:.0f} MB   "
          f"{'OK' if flat_ok else 'MISSED'}")
    snapshots = result["snapshots"]
    if len(snapshots) == 2:
        first_snap, last_snap = (snapshots[k] for k in sorted(snapshots))
        print("tracemalloc: top growth between minute 1 and the last minute")
        for stat in last_snap.compare_to(first_snap, "lineno")[:args.top]:
            print(f"  {stat.size_diff / 1e6:+8.2f} MB {stat.count_diff:+8d} blocks  {stat.traceback[0]}")
    return peak_ok and flat_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=int, default=60, help="simulated minutes of audio (default 60)")
    parser.add_argument("--chunk-ms", type=int, default=100, choices=(50, 60, 80, 100), help="audio delta size")
    parser.add_argument("--consumer", choices=("stalled", "minute"), default="stalled",
                        help="stalled: read nothing; minute: read one event per simulated minute")
    parser.add_argument("--every", type=int, default=5, help="print a row every N simulated minutes")
    parser.add_argument("--tracemalloc", action="store_true", help="diff allocations between minute 1 and the end")
    parser.add_argument("--top", type=int, default=12, help="tracemalloc lines to print")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up after this many wall seconds")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.minutes, args.chunk_ms))
        return 0
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(4)
    server = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve", "--minutes",
                               str(args.minutes), "--chunk-ms", str(args.chunk_ms)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            print("memory soak: the server process did not start", file=sys.stderr)
            return 1
        url = f"ws://127.0.0.1:{line[1]}/v1/realtime"
        result = asyncio.run(run_client(url, args))
    finally:
        server.terminate()
        server.wait(10)
    return 0 if report(result, args) else 1


if __name__ == "__main__":
    sys.exit(main())
