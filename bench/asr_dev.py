"""A tuning set for the recogniser, kept apart from bench/engine_speech.py so that bench's figures stay held out.

Another made-up domain (a bicycle repair shop), other utterances, other espeak-ng variants and speeds, other noise
levels and seeds, piper at other speeds. Recognition options are chosen on this set, then checked once on the bench.

    flock /work/wt/notes/bench.lock nice -n 0 .venv/bin/python bench/asr_dev.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_speech import _espeak_clip, _piper_clip, _with_noise

from realtime_cli.local.asr import build_prompt, shared_recognizer
from realtime_cli.local.speech import session_phrases
from realtime_cli.local.speech_util import word_error_rate

SESSION = {
    "instructions": "You answer the phone for Spokeworks, a bicycle repair shop. Book service appointments, quote "
                    "repairs, check the status of a repair ticket and sell parts such as tubes, chains and brake pads.",
    "tools": [
        {"type": "function", "name": "book_service", "description": "Book a service slot for a bike.",
         "parameters": {"type": "object", "properties": {
             "day": {"type": "string", "enum": ["monday", "tuesday", "wednesday", "thursday"]},
             "service": {"type": "string", "enum": ["tune up", "wheel truing", "brake bleed", "full overhaul"]}}}},
        {"type": "function", "name": "ticket_status", "description": "Where a repair ticket stands.",
         "parameters": {"type": "object", "properties": {"ticket_number": {"type": "integer"}}}},
        {"type": "function", "name": "quote_repair", "description": "Estimate the price of a repair.",
         "parameters": {"type": "object", "properties": {"part": {"type": "string"}}}},
        {"type": "function", "name": "order_part", "description": "Order a spare part for pickup.",
         "parameters": {"type": "object", "properties": {
             "part": {"type": "string", "enum": ["inner tube", "chain", "brake pads", "derailleur", "saddle"]},
             "quantity": {"type": "integer"}}}},
    ],
}
UTTERANCES = [
    "I need a tune up for my road bike.",
    "Can I book a service on Tuesday?",
    "What is the status of ticket eight one three?",
    "How much does a full overhaul cost?",
    "My rear derailleur is bent.",
    "Do you have inner tubes in stock?",
    "I would like to order two brake pads.",
    "The chain keeps slipping when I climb.",
    "Is my bike ready for pickup yet?",
    "Could you quote a repair for a cracked saddle?",
    "My front wheel wobbles, it needs truing.",
    "Please book a brake bleed for Thursday.",
    "Hi, I am calling about my repair.",
    "What time do you close on Wednesday?",
    "I dropped my bike off last week.",
    "Can you replace the chain and the cassette?",
    "How long does wheel truing take?",
    "Order three inner tubes for me please.",
    "No thanks, that is everything.",
    "My ticket number is two hundred and five.",
    "Is Monday morning free for a tune up?",
    "The brakes squeak when it rains.",
    "Do you sell helmets or only parts?",
    "Yes, that works for me.",
    "I want to cancel my appointment.",
    "The tire went flat on my way home.",
    "What would a new saddle cost?",
    "Can somebody call me back this afternoon?",
]
ESPEAK = [("m3 190wpm", "en-us+m3", 190, 44), ("f3 160wpm", "en-us+f3", 160, 60), ("f4 145wpm", "en-us+f4", 145, 56),
          ("m8 170wpm", "en-us+m8", 170, 42), ("klatt3 175wpm", "en-us+klatt3", 175, 50),
          ("en-gb-scotland m3 180wpm", "en-gb-scotland+m3", 180, 48)]
PIPER = [("piper x0.95", 0.95), ("piper x1.08", 1.08), ("piper x1.25", 1.25)]
NOISE_DB = [None, 15.0, 8.0]


def build_clips() -> list[tuple[str, str, np.ndarray]]:
    """(condition, text, audio) for every dev utterance in three conditions, deterministic (seeds 1000 + slot)."""
    clips = []
    for index, text in enumerate(UTTERANCES):
        for take in range(3):
            slot = 1000 + index * 3 + take
            if take == 2:
                label, length = PIPER[(index + 1) % len(PIPER)]
                clips.append((label, text, _with_noise(_piper_clip(text, length), None, slot)))
                continue
            label, voice, wpm, pitch = ESPEAK[(index * 2 + take) % len(ESPEAK)]
            snr = NOISE_DB[(index + 2 * take) % len(NOISE_DB)]
            clip = _with_noise(_espeak_clip(text, voice, wpm, pitch), snr, slot)
            clips.append((f"espeak {label}{'' if snr is None else f' +noise {snr:.0f} dB'}", text, clip))
    return clips


def _group(condition: str) -> str:
    if condition.startswith("piper"):
        return "piper"
    return "espeak+noise" if "noise" in condition else "espeak clean"


def main() -> None:
    clips = build_clips()
    recognizer = shared_recognizer()
    prompt = build_prompt(session_phrases(SESSION))  # type: ignore[arg-type]
    recognizer.transcribe(clips[0][2], prompt)
    heard, cpu, wall = [], [], []
    for _, _, clip in clips:
        c, w = time.process_time(), time.perf_counter()
        heard.append(recognizer.transcribe(clip, prompt).text)
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    groups = ["espeak clean", "espeak+noise", "piper", "all"]
    cells = []
    for group in groups:
        pairs = [(t, h) for (cond, t, _), h in zip(clips, heard, strict=True) if group in ("all", _group(cond))]
        cells.append(f"{group} {100 * (1 - word_error_rate(pairs)):.1f}%")
    print(f"dev ({len(clips)} clips): " + ", ".join(cells)
          + f"; cpu {1000 * statistics.mean(cpu):.0f} ms, p50 {1000 * statistics.median(wall):.0f} ms")
    if "-v" in sys.argv:
        for (cond, text, _), h in zip(clips, heard, strict=True):
            if word_error_rate([(text, h)]) > 0:
                print(f"  [{cond}] {text!r} -> {h!r}")


if __name__ == "__main__":
    main()
