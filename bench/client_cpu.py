"""Client CPU per stream: realtime_cli vs the openai-agents realtime session on one replayed 60 s stream.

A loopback WebSocket server replays a seeded, recorded-style GA event stream (audio and transcript deltas, one
tool call; validated against openai's RealtimeServerEvent union) to each client in its own process, which
consumes every session event and reports its CPU seconds per stream. Goal: ours <= 0.5x the reference.
A third row, `floor`, is a bare websockets + stdlib json + stdlib base64 reader: what reading the stream costs
with the standard library's decoders and no SDK at all (ours goes under it with orjson and SIMD base64).

    .venv/bin/python bench/client_cpu.py              # 5 processes x 5 streams per client, prints the table
    .venv/bin/python bench/client_cpu.py --runs 5 --chunk-ms 100 --deflate
    .venv/bin/python bench/client_cpu.py --client ours --url ws://127.0.0.1:PORT/v1/realtime   # one client
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

SAMPLE_RATE = 24_000
BYTES_PER_SECOND = SAMPLE_RATE * 2  # pcm16 mono
STREAM_SECONDS = 60
GOAL_RATIO = 0.5
TOOL_NAME = "get_weather"
TOOL_ARGS = '{"city":"Paris"}'
IDLE_WATCHDOG_S = 5.0

_WORDS = ("the", "weather", "in", "Paris", "is", "mild", "today", "with", "light", "wind", "from", "west",
          "and", "a", "chance", "of", "rain", "later", "so", "bring", "an", "umbrella", "if", "you", "walk",
          "along", "river", "sure", "I", "can", "help", "that", "anything", "else", "let", "me", "check")


# --- the stream -----------------------------------------------------------------------------------

class _StreamBuilder:
    """Builds GA-dialect server events as dicts, with sequential ids."""

    def __init__(self, seed: int, chunk_ms: int) -> None:
        self.rng = random.Random(seed)
        self.chunk_bytes = BYTES_PER_SECOND * chunk_ms // 1000
        self.events: list[dict[str, Any]] = []
        self._n = 0
        self.responses = 0
        self.audio_bytes = 0
        self.audio_deltas = 0
        self._last_item: str | None = None

    def add(self, type_: str, **fields: Any) -> None:
        self._n += 1
        self.events.append({"type": type_, "event_id": f"event_{self._n:05d}", **fields})

    def session_created(self) -> None:
        audio_format = {"type": "audio/pcm", "rate": SAMPLE_RATE}
        session = {"type": "realtime", "object": "realtime.session", "id": "sess_bench",
                   "model": "gpt-realtime", "output_modalities": ["audio"], "instructions": "",
                   "audio": {"output": {"voice": "alloy", "format": audio_format}}}
        self.add("session.created", session=session)

    def _response_start(self) -> str:
        self.responses += 1
        rid = f"resp_{self.responses:03d}"
        self.add("response.created", response={"id": rid, "object": "realtime.response",
                                               "status": "in_progress", "output": []})
        return rid

    def _response_end(self, rid: str, item: dict[str, Any]) -> None:
        self.add("response.done", response={
            "id": rid, "object": "realtime.response", "status": "completed", "status_details": None,
            "output": [item], "usage": {"total_tokens": 120, "input_tokens": 40, "output_tokens": 80}})

    def _item_added(self, rid: str, item: dict[str, Any]) -> None:
        self.add("response.output_item.added", response_id=rid, output_index=0, item=item)
        self.add("conversation.item.added", item=item, previous_item_id=self._last_item)
        self._last_item = item["id"]

    def audio_response(self, seconds: float) -> None:
        rid = self._response_start()
        item_id = f"item_{rid[5:]}"
        started = {"id": item_id, "type": "message", "role": "assistant", "status": "in_progress",
                   "content": [], "object": "realtime.item"}
        self._item_added(rid, started)
        where = {"response_id": rid, "item_id": item_id, "output_index": 0, "content_index": 0}
        self.add("response.content_part.added", **where, part={"type": "audio", "transcript": ""})
        total = int(seconds * BYTES_PER_SECOND) & ~1
        words: list[str] = []
        sent = 0
        chunk_index = 0
        while sent < total:
            size = min(self.chunk_bytes, total - sent)
            pcm = self.rng.randbytes(size)
            self.add("response.output_audio.delta", **where, delta=base64.b64encode(pcm).decode())
            sent += size
            chunk_index += 1
            # about one word per 300 ms of audio, sent in small bursts like the service does
            if chunk_index * self.chunk_bytes >= (len(words) + 1) * BYTES_PER_SECOND * 0.3:
                word = self.rng.choice(_WORDS)
                piece = (" " if words else "") + word
                self.add("response.output_audio_transcript.delta", **where, delta=piece)
                words.append(word)
        self.audio_bytes += sent
        self.audio_deltas += chunk_index
        transcript = " ".join(words)
        self.add("response.output_audio.done", **where)
        self.add("response.output_audio_transcript.done", **where, transcript=transcript)
        self.add("response.content_part.done", **where, part={"type": "audio", "transcript": transcript})
        done = dict(started, status="completed", content=[{"type": "output_audio", "transcript": transcript}])
        self.add("response.output_item.done", response_id=rid, output_index=0, item=done)
        self.add("conversation.item.done", item=done, previous_item_id=None)
        self._response_end(rid, done)

    def function_call_response(self) -> None:
        rid = self._response_start()
        item_id = f"item_{rid[5:]}"
        call = {"id": item_id, "type": "function_call", "call_id": "call_bench_1", "name": TOOL_NAME,
                "arguments": "", "status": "in_progress", "object": "realtime.item"}
        self._item_added(rid, call)
        for piece in ('{"city"', ':"Par', 'is"}'):
            self.add("response.function_call_arguments.delta", response_id=rid, item_id=item_id,
                     output_index=0, call_id="call_bench_1", delta=piece)
        self.add("response.function_call_arguments.done", response_id=rid, item_id=item_id,
                 output_index=0, call_id="call_bench_1", name=TOOL_NAME, arguments=TOOL_ARGS)
        done = dict(call, status="completed", arguments=TOOL_ARGS)
        self.add("response.output_item.done", response_id=rid, output_index=0, item=done)
        self.add("conversation.item.done", item=done, previous_item_id=None)
        self._response_end(rid, done)


def build_stream(seed: int, chunk_ms: int) -> tuple[list[str], dict[str, int]]:
    """The whole stream as JSON frames, and what a client should see of it."""
    b = _StreamBuilder(seed, chunk_ms)
    b.session_created()
    # ten spoken answers of uneven length filling 60 s; the tool call comes after the third
    lengths = [b.rng.uniform(3.0, 9.0) for _ in range(10)]
    scale = STREAM_SECONDS / sum(lengths)
    seconds = [round(x * scale * 10) / 10 for x in lengths]
    seconds[-1] = round(STREAM_SECONDS - sum(seconds[:-1]), 1)
    for i, s in enumerate(seconds):
        if i == 3:
            b.function_call_response()
        b.audio_response(s)
    frames = [json.dumps(e, separators=(",", ":")) for e in b.events]
    expected = {"frames": len(frames), "responses": b.responses, "audio_deltas": b.audio_deltas,
                "audio_bytes": b.audio_bytes, "wire_bytes": sum(len(f) for f in frames)}
    return frames, expected


def validate_stream(frames: list[str]) -> None:
    """Every frame must parse as openai's RealtimeServerEvent union (a bad stream would bench error paths)."""
    from openai.types.realtime import RealtimeServerEvent
    from pydantic import Field, TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[RealtimeServerEvent, Field(discriminator="type")])
    for i, frame in enumerate(frames):
        try:
            adapter.validate_json(frame)
        except Exception as exc:
            raise SystemExit(f"stream frame {i} is not a valid RealtimeServerEvent: {exc}") from None


# --- the loopback server --------------------------------------------------------------------------

async def _serve_connection(ws: Any, frames: list[str], pace_s: float = 0.0) -> None:
    import websockets

    first = asyncio.get_running_loop().create_future()

    async def drain() -> None:
        try:
            async for msg in ws:
                if not first.done() and json.loads(msg).get("type") == "session.update":
                    first.set_result(None)
        except websockets.ConnectionClosed:
            pass
        finally:
            if not first.done():
                first.set_result(None)

    reader = asyncio.create_task(drain())
    try:
        await asyncio.wait_for(first, timeout=30)
        if pace_s:
            for frame in frames:
                await ws.send(frame)
                await asyncio.sleep(pace_s)
        else:
            # The whole stream is framed and written at once, so every client always finds frames waiting and
            # reads them as fast as it can. Sent one await at a time, a client about as fast as the server
            # would be woken once per frame or once per batch depending on timing, which varied its CPU 2x.
            for frame in frames:
                ws.protocol.send_text(frame.encode())
            for data in ws.protocol.data_to_send():
                ws.transport.write(data)
        await ws.close(1000)
    except websockets.ConnectionClosed:
        pass
    finally:
        reader.cancel()


# --- one client in its own process ----------------------------------------------------------------

def _weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"Sunny and 21C in {city}."


async def _one_stream(runner: Any, url: str) -> dict[str, Any]:
    """Consume one whole stream; CPU and wall time from just before connecting to the end of iteration."""
    counts: dict[str, int] = {}
    audio_bytes = 0
    total = 0
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    session = await runner.run(model_config={"url": url, "api_key": "x"})
    last_event = time.monotonic()

    async def watchdog() -> None:
        # Ends the run if the stream stalls (a client that does not end iteration when the server closes).
        while time.monotonic() - last_event < IDLE_WATCHDOG_S:
            await asyncio.sleep(0.5)
        counts["watchdog_timeout"] = 1
        await session.close()

    async with session:
        guard = asyncio.create_task(watchdog())
        async for event in session:
            last_event = time.monotonic()
            total += 1
            name = event.type
            counts[name] = counts.get(name, 0) + 1
            if name == "audio":
                audio_bytes += len(event.audio.data)
        guard.cancel()
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    if counts.get("watchdog_timeout"):
        wall -= IDLE_WATCHDOG_S  # the idle wait burns no CPU but would distort wall time
    return {"cpu_s": cpu, "wall_s": wall, "events": total, "audio_bytes": audio_bytes, "counts": counts}


async def _floor_stream(url: str) -> dict[str, Any]:
    """The transport floor: the same websockets client, json.loads and base64 decoding, and nothing else."""
    import websockets

    counts: dict[str, int] = {}
    audio_bytes = 0
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send('{"type":"session.update","session":{"type":"realtime"}}')
        async for frame in ws:
            event = json.loads(frame)
            counts[event["type"]] = counts.get(event["type"], 0) + 1
            if event["type"] == "response.output_audio.delta":
                audio_bytes += len(base64.b64decode(event["delta"]))
    counts["tool_end"] = 1  # the floor runs no tools; keep the consistency check quiet
    return {"cpu_s": time.process_time() - cpu0, "wall_s": time.perf_counter() - wall0,
            "events": sum(counts.values()) - 1, "audio_bytes": audio_bytes, "counts": counts}


async def _run_client(kind: str, url: str, streams: int) -> dict[str, Any]:
    if kind == "floor":
        return {"client": kind, "streams": [await _floor_stream(url) for _ in range(streams)]}
    if kind == "ours":
        from realtime_cli import RealtimeAgent, RealtimeRunner, function_tool
    else:
        from agents import function_tool
        from agents.realtime import RealtimeAgent, RealtimeRunner

    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        return _weather(city)

    agent = RealtimeAgent(name="Bench", instructions="Answer briefly.", tools=[function_tool(get_weather)])
    runner = RealtimeRunner(agent, config={"model_settings": {"model_name": "gpt-realtime"}})
    return {"client": kind, "streams": [await _one_stream(runner, url) for _ in range(streams)]}


def _pin(which: int) -> None:
    """Pin this process to one CPU (the first or the last), so every client runs where the others ran and the
    server never shares its core: on a 2-core VM, migrations and a shared core cost up to 2x in CPU per stream."""
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) > 1:
            os.sched_setaffinity(0, {cpus[which]})


def client_main(kind: str, url: str, streams: int) -> None:
    _pin(-1)
    result = asyncio.run(_run_client(kind, url, streams))
    sys.stdout.write(json.dumps(result) + "\n")


# --- the parent -----------------------------------------------------------------------------------

async def _spawn(kind: str, url: str, streams: int) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(Path(__file__).resolve()), "--client", kind, "--url", url, "--streams", str(streams),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} client failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    return json.loads(out.decode().strip().splitlines()[-1])  # type: ignore[no-any-return]


async def _bench(args: argparse.Namespace, frames: list[str]) -> list[dict[str, Any]]:
    import websockets

    compression = "deflate" if args.deflate else None
    pace_s = args.pace_ms / 1000
    async with websockets.serve(lambda ws: _serve_connection(ws, frames, pace_s), "127.0.0.1", 0,
                                max_size=None, compression=compression) as server:
        port = server.sockets[0].getsockname()[1]
        url = f"ws://127.0.0.1:{port}/v1/realtime"
        results = []
        order = ["ours", "reference", "floor"]
        for i in range(args.runs):
            for kind in order if i % 2 == 0 else order[1::-1] + order[2:]:
                result = await _spawn(kind, url, args.streams)
                cpus = " ".join(f"{s['cpu_s']:.3f}" for s in result["streams"])
                print(f"  run {i + 1} {kind:<9} CPU s per stream: {cpus}", flush=True)
                results.append(result)
        return results


def _check(result: dict[str, Any], expected: dict[str, int]) -> list[str]:
    problems = []
    counts = result["counts"]
    if result["audio_bytes"] != expected["audio_bytes"]:
        problems.append(f"audio bytes {result['audio_bytes']} != {expected['audio_bytes']}")
    if counts.get("tool_end", 0) != 1:
        problems.append(f"tool_end events {counts.get('tool_end', 0)} != 1")
    if counts.get("watchdog_timeout"):
        problems.append("stream did not end on close (idle watchdog fired)")
    if counts.get("error"):
        problems.append(f"{counts['error']} error events")
    return problems


def parent_main(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    frames, expected = build_stream(args.seed, args.chunk_ms)
    validate_stream(frames)
    print(f"stream: {expected['frames']} frames, {expected['wire_bytes'] / 1e6:.1f} MB, "
          f"{expected['responses']} responses, {expected['audio_deltas']} audio deltas of {args.chunk_ms} ms, "
          f"{expected['audio_bytes'] / BYTES_PER_SECOND:.1f} s of 24 kHz pcm16, 1 tool call (validated)")
    print(f"each client: {args.runs} processes x {args.streams} streams, alternating order, "
          f"permessage-deflate {'on' if args.deflate else 'off'}")
    _pin(0)
    results = asyncio.run(_bench(args, frames))

    rows = {}
    for kind in ("ours", "reference", "floor"):
        runs = [r["streams"] for r in results if r["client"] == kind]
        cold = [streams[0] for streams in runs]
        warm = [s for streams in runs for s in streams[1:]] or cold
        every = [s for streams in runs for s in streams]
        rows[kind] = {
            "warm": statistics.median(s["cpu_s"] for s in warm),
            "cold": statistics.median(s["cpu_s"] for s in cold),
            "wall": statistics.median(s["wall_s"] for s in warm),
            "events": every[-1]["events"],
            "audio": every[-1]["audio_bytes"],
            "tools": every[-1]["counts"].get("tool_end", 0),
            "problems": sorted({p for s in every for p in _check(s, expected)}),
        }
    ratio = rows["ours"]["warm"] / rows["reference"]["warm"]
    per_run = sorted(  # each run's ours/reference: ours and the reference ran back to back in it
        statistics.median(s["cpu_s"] for s in o["streams"][1:] or o["streams"])
        / statistics.median(s["cpu_s"] for s in r["streams"][1:] or r["streams"])
        for o, r in zip([x for x in results if x["client"] == "ours"],
                        [x for x in results if x["client"] == "reference"], strict=True))
    floor_ratio = rows["floor"]["warm"] / rows["reference"]["warm"]
    cold_ratio = rows["ours"]["cold"] / rows["reference"]["cold"]
    print()
    header = (f"{'client':<11}{'CPU s/stream':>13}{'1st stream':>12}{'wall s':>8}{'events':>8}{'audio s':>9}"
              f"{'tools':>7}{'CPU us/frame':>14}")
    print(header)
    print("-" * len(header))
    for kind, row in rows.items():
        print(f"{kind:<11}{row['warm']:>13.4f}{row['cold']:>12.4f}{row['wall']:>8.3f}{row['events']:>8}"
              f"{row['audio'] / BYTES_PER_SECOND:>9.1f}{row['tools']:>7}"
              f"{row['warm'] / expected['frames'] * 1e6:>14.1f}")
    print("-" * len(header))
    print("CPU s/stream: median over warm streams (2nd onward in each process); 1st stream: median of the")
    print("first stream in each process (includes one-time lazy setup). Events: session events yielded.")
    print("floor: bare websockets client + stdlib json.loads + base64.b64decode of the same stream, no SDK")
    print("(not part of the ratio; ours goes under it by decoding with orjson and SIMD base64).")
    print("On a shared VM an odd process of either client runs up to 2x slower throughout; the medians over")
    print("all runs' warm streams ride over such a process, a single run's ratio does not.")
    print()
    verdict = "PASS" if ratio <= GOAL_RATIO else "MISS"
    print(f"ratio ours/reference (CPU per stream): {ratio:.3f}x   goal <= {GOAL_RATIO}x   {verdict}")
    print(f"  each run alone: {' '.join(f'{r:.3f}' for r in per_run)}")
    print(f"ratio ours/reference (1st stream):     {cold_ratio:.3f}x")
    print(f"ratio floor/reference (CPU per stream): {floor_ratio:.3f}x   (stdlib decoders, no SDK)")
    for kind, row in rows.items():
        for problem in row["problems"]:
            print(f"warning: {kind}: {problem}")
    print(f"(total {time.perf_counter() - t0:.1f}s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", choices=["ours", "reference", "floor"],
                        help="run one client against --url (internal)")
    parser.add_argument("--url", help="server URL for --client")
    parser.add_argument("--runs", type=int, default=5, help="runs per client (default 5)")
    parser.add_argument("--chunk-ms", type=int, default=50, help="audio per output_audio.delta (default 50)")
    parser.add_argument("--streams", type=int, default=5, help="streams per client process (default 5)")
    parser.add_argument("--pace-ms", type=float, default=0.0,
                        help="gap between frames (default 0: as fast as the server sends)")
    parser.add_argument("--deflate", action="store_true", help="let the server negotiate permessage-deflate")
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    if args.client:
        if not args.url:
            parser.error("--client needs --url")
        client_main(args.client, args.url, args.streams)
    else:
        parent_main(args)


if __name__ == "__main__":
    main()
