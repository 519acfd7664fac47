"""How whisper decodes scale with sessions that speak at once: 1 request alone vs N requests released together.

Each request is one utterance (piper's voice, about 2-3 s) decoded through Recognizer.transcribe from its own
thread, as the engine's sessions do. Prints latency (mean / max over requests) and the ratio N-at-once / alone,
for several batch sizes (max_batch=1 is the old one-decode-per-worker behaviour).

    flock /work/wt/notes/bench.lock nice -n 0 .venv/bin/python bench/asr_concurrency.py [--sessions 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from realtime_cli.local.asr import Recognizer, build_prompt
from realtime_cli.local.tts import Synthesizer

PROMPT = build_prompt(["You take orders for a flower shop: bouquets, delivery dates and card messages.",
                       "order bouquet", "delivery date", "roses", "tulips", "lilies"])
LINES = ["I would like to order a bouquet of roses.", "Can you deliver the tulips on Friday?",
         "Please add a card that says happy birthday.", "How much are a dozen lilies?",
         "Is same day delivery possible?", "I want to change my delivery address.",
         "Do you have any white flowers today?", "Cancel the order I placed this morning.",
         "What time does the shop close?", "Thank you, that is all."]


def _at_once(recognizer: Recognizer, clips: list[np.ndarray]) -> list[float]:
    """Latency of each clip's transcribe when all start together (one thread each)."""
    latencies = [0.0] * len(clips)
    barrier = threading.Barrier(len(clips))

    def one(index: int) -> None:
        barrier.wait()
        started = time.perf_counter()
        recognizer.transcribe(clips[index], PROMPT)
        latencies[index] = time.perf_counter() - started

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(clips))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def measure(recognizer: Recognizer, clips: list[np.ndarray], rounds: int) -> tuple[float, float, float]:
    """(alone mean s, together mean s, together max s) over `rounds` rounds."""
    recognizer.transcribe(clips[0], PROMPT)
    _at_once(recognizer, clips)  # warm-up of every worker and batch shape
    alone = [t for _ in range(rounds) for clip in clips[:3] for t in _at_once(recognizer, [clip])]
    together = [_at_once(recognizer, clips) for _ in range(rounds)]
    return (statistics.mean(alone), statistics.mean(t for run in together for t in run),
            statistics.mean(max(run) for run in together))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    synth = Synthesizer("alloy")
    pad = np.zeros(7200, dtype=np.int16)
    clips = [np.concatenate([pad, synth.synthesize(LINES[i % len(LINES)]), pad]) for i in range(args.sessions)]
    print(f"{args.sessions} sessions, {statistics.mean(c.size for c in clips) / 24000:.1f} s per utterance")
    print(f"{'recognizer':28} {'alone ms':>9} {'together mean':>14} {'together max':>13} {'max/alone':>10}")
    for label, kwargs in (("one decode per worker", {"max_batch": 1}), ("batches of up to 2", {"max_batch": 2}),
                          ("batches of up to 4", {"max_batch": 4}), ("batches of up to 10", {"max_batch": 10}),
                          ("default", {})):
        recognizer = Recognizer(**kwargs)  # type: ignore[arg-type]
        alone, mean, worst = measure(recognizer, clips, args.rounds)
        sizes = recognizer.batch_sizes[-args.rounds * args.sessions:]
        print(f"{label:28} {alone * 1000:9.0f} {mean * 1000:14.0f} {worst * 1000:13.0f} {worst / alone:9.2f}x"
              f"  (batch sizes {sorted(set(sizes))})", flush=True)


if __name__ == "__main__":
    main()
