"""Local engine speech, old stack vs new, side by side: word accuracy and per-utterance CPU/latency on a fixed set.

24 in-domain utterances of a session none of the tests use, each spoken in three conditions drawn from espeak-ng
voices the tests never use (several variants and speeds, clean and with 20 / 10 dB white noise) and piper's voice
at three speeds. New stack: whisper tiny.en (faster-whisper) with the session prompt, in this process. Old stack:
pocketsphinx with the per-session LM, run from a checkout of the old code in a subprocess (`--old DIR`, a directory
holding the old `realtime_cli` package, e.g. `git archive main realtime_cli | tar -x -C DIR`); skipped without it.
Also prints the voices' synthesis speed and first-phrase latency, and how well whisper hears each voice.

    nice -n 10 .venv/bin/python bench/engine_speech.py [--old /tmp/old-rtagent]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soxr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from realtime_cli.local.asr import build_prompt, shared_recognizer
from realtime_cli.local.speech import session_phrases
from realtime_cli.local.speech_util import word_error_rate
from realtime_cli.local.tts import Synthesizer, VoiceStyle, _espeak
from realtime_cli.local.tts_piper import piper_speaker

SESSION = {
    "instructions": "You are the front desk of the Riverside public library. Help members renew loans, reserve "
                    "books, pay late fees and find opening times of the branches.",
    "tools": [
        {"type": "function", "name": "renew_loan", "description": "Renew a borrowed item by its barcode.",
         "parameters": {"type": "object", "properties": {"barcode": {"type": "string"}}}},
        {"type": "function", "name": "reserve_title", "description": "Place a hold on a book or film.",
         "parameters": {"type": "object", "properties": {
             "title": {"type": "string"}, "format": {"type": "string", "enum": ["paperback", "audiobook", "dvd"]}}}},
        {"type": "function", "name": "branch_hours", "description": "Opening hours of a library branch.",
         "parameters": {"type": "object", "properties": {
             "branch": {"type": "string", "enum": ["central", "harbor", "hillside"]}}}},
        {"type": "function", "name": "pay_fee", "description": "Pay an overdue fine with a card.",
         "parameters": {"type": "object", "properties": {"amount": {"type": "number"}}}},
    ],
}
UTTERANCES = [
    "I would like to renew my loan please.",
    "Can you renew the book with barcode four five seven two?",
    "Please reserve the audiobook of Moby Dick.",
    "When does the harbor branch open on Saturday?",
    "What are the opening hours of the central branch?",
    "I want to pay my late fee.",
    "How much is my overdue fine?",
    "Is the hillside branch open on Sunday morning?",
    "Reserve a paperback copy of Pride and Prejudice.",
    "Can I put a hold on the new dvd?",
    "My books are overdue by two weeks.",
    "I need to pay a fine of three dollars with my card.",
    "Could you check when my loans are due?",
    "Renew everything I have borrowed.",
    "Does the central branch close early on Friday?",
    "I lost my library card yesterday.",
    "Please place a hold on the audiobook version.",
    "Where is the nearest branch to the harbor?",
    "I would like to reserve a film for the weekend.",
    "Thank you, that is all for today.",
    "Can I borrow more than ten books at once?",
    "Cancel my reservation for the paperback.",
    "What time does the hillside branch close tonight?",
    "Hello, I have a question about my account.",
]
# (label, espeak voice, words per minute, pitch) — none of these variants is used by the tests.
ESPEAK = [("espeak m4 175wpm", "en-us+m4", 175, 45), ("espeak f2 150wpm", "en-us+f2", 150, 62),
          ("espeak m7 200wpm", "en-us+m7", 200, 40), ("espeak en-gb-rp f4 165wpm", "en-gb-x-rp+f4", 165, 55),
          ("espeak klatt 185wpm", "en-us+klatt2", 185, 50), ("espeak m2 140wpm", "en-us+m2", 140, 48)]
PIPER = [("piper joe x0.9", 0.9), ("piper joe x1.0", 1.0), ("piper joe x1.15", 1.15)]
NOISE_DB = [None, 20.0, 10.0]
RATE = 24_000


def _espeak_clip(text: str, voice: str, wpm: int, pitch: int) -> np.ndarray:
    engine = _espeak()
    native = engine.synth(text, VoiceStyle(voice, rate=wpm, pitch=pitch))
    return np.asarray(soxr.resample(native, engine.sample_rate, RATE), dtype=np.int16)


def _piper_clip(text: str, length: float) -> np.ndarray:
    speaker = piper_speaker()
    if speaker is None:
        raise SystemExit("piper's voice is unavailable (see the warning above)")
    return np.asarray(soxr.resample(speaker.synth(text, length), speaker.sample_rate, RATE), dtype=np.int16)


def _with_noise(clip: np.ndarray, snr_db: float | None, seed: int) -> np.ndarray:
    lead = np.zeros(RATE * 3 // 10, dtype=np.float64)
    audio = np.concatenate([lead, clip.astype(np.float64), lead])
    if snr_db is not None:
        power = float(np.mean(clip.astype(np.float64) ** 2))
        audio = audio + np.random.default_rng(seed).normal(0.0, (power / 10 ** (snr_db / 10)) ** 0.5, audio.size)
    return np.clip(audio, -32768, 32767).astype(np.int16)


def build_clips() -> list[tuple[str, str, np.ndarray]]:
    """(condition, text, audio) — every utterance in three conditions, deterministic."""
    clips = []
    for index, text in enumerate(UTTERANCES):
        for take in range(3):
            slot = index * 3 + take
            if take == 2:
                label, length = PIPER[index % len(PIPER)]
                clips.append((label, text, _with_noise(_piper_clip(text, length), None, slot)))
                continue
            label, voice, wpm, pitch = ESPEAK[(index + take * 3) % len(ESPEAK)]
            snr = NOISE_DB[(index + take) % len(NOISE_DB)]
            clip = _with_noise(_espeak_clip(text, voice, wpm, pitch), snr, slot)
            clips.append((f"{label}{'' if snr is None else f' +noise {snr:.0f} dB'}", text, clip))
    return clips


_OLD_RUNNER = r"""
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from realtime_cli.local.asr import build_domain_model, transcribe
from realtime_cli.local.speech import session_phrases
session = json.loads(open(sys.argv[2]).read())
data = np.load(sys.argv[3])
model = build_domain_model(session_phrases(session))
out = []
for key in sorted(data.files, key=int):
    cpu, wall = time.process_time(), time.perf_counter()
    text = transcribe(model, data[key])
    out.append([text, time.process_time() - cpu, time.perf_counter() - wall])
print(json.dumps(out))
"""


def run_old(old_dir: Path, clips: list[tuple[str, str, np.ndarray]]) -> list[tuple[str, float, float]] | None:
    if not (old_dir / "realtime_cli" / "local" / "asr.py").is_file():
        print(f"old stack: no realtime_cli/local/asr.py under {old_dir}; skipped")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        session_path, audio_path = Path(tmp) / "session.json", Path(tmp) / "clips.npz"
        session_path.write_text(json.dumps(SESSION))
        np.savez(audio_path, **{str(i): clip for i, (_, _, clip) in enumerate(clips)})
        done = subprocess.run([sys.executable, "-c", _OLD_RUNNER, str(old_dir), str(session_path), str(audio_path)],
                              capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"old stack failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return [(str(t), float(c), float(w)) for t, c, w in json.loads(done.stdout.strip().splitlines()[-1])]


def run_new(clips: list[tuple[str, str, np.ndarray]]) -> list[tuple[str, float, float]]:
    recognizer = shared_recognizer()
    prompt = build_prompt(session_phrases(SESSION))  # type: ignore[arg-type]
    recognizer.transcribe(clips[0][2], prompt)  # warm-up (first call allocates)
    out = []
    for _, _, clip in clips:
        cpu, wall = time.process_time(), time.perf_counter()
        text = recognizer.transcribe(clip, prompt).text
        out.append((text, time.process_time() - cpu, time.perf_counter() - wall))
    return out


def _group(condition: str) -> str:
    if condition.startswith("piper"):
        return "piper voice"
    return "espeak + noise" if "noise" in condition else "espeak clean"


def report(clips: list[tuple[str, str, np.ndarray]], stacks: dict[str, list[tuple[str, float, float]]]) -> None:
    groups = ["espeak clean", "espeak + noise", "piper voice", "all"]
    print(f"\n{'stack':34} " + " ".join(f"{g:>15}" for g in groups) + f" {'exact':>7} {'cpu ms':>7} {'p50 ms':>7}")
    for name, results in stacks.items():
        cells = []
        for group in groups:
            pairs = [(text, heard) for (cond, text, _), (heard, _, _) in zip(clips, results, strict=True)
                     if group == "all" or _group(cond) == group]
            cells.append(f"{100 * (1 - word_error_rate(pairs)):14.1f}%")
        exact = sum(word_error_rate([(t, h)]) == 0 for (_, t, _), (h, _, _) in zip(clips, results, strict=True))
        cpu = statistics.mean(c for _, c, _ in results) * 1000
        wall = statistics.median(w for _, _, w in results) * 1000
        print(f"{name:34} " + " ".join(cells) + f" {exact:4d}/{len(clips)} {cpu:7.0f} {wall:7.0f}")
    print("(columns: word accuracy by condition; exact = utterances heard word for word; cpu = mean CPU-ms per "
          "utterance; p50 = median decode latency)")
    new = stacks.get("new: whisper tiny.en + prompt")
    if new:
        wrong = [f"  [{c}] {t!r} -> {h!r}" for (c, t, _), (h, _, _) in zip(clips, new, strict=True)
                 if word_error_rate([(t, h)]) > 0]
        print("new stack misheard:\n" + ("\n".join(wrong) or "  (none)"))


def voices() -> None:
    reply = "I have renewed your loan. It is now due on the twelfth of March, is there anything else?"
    recognizer = shared_recognizer()
    print(f"\n{'voice':20} {'first phrase ms':>15} {'RTF':>6} {'whisper words':>14}")
    for label, name in (("piper (alloy)", "alloy"), ("espeak (nova)", "nova")):
        synth = Synthesizer(name)
        synth.synthesize("Warm up.")
        started = time.perf_counter()
        chunks = synth.synthesize_chunks(reply, RATE)
        _, first_audio = next(chunks)
        first_ms = (time.perf_counter() - started) * 1000
        rest = [audio for _, audio in chunks]
        total = time.perf_counter() - started
        audio = np.concatenate([first_audio, *rest])
        heard = recognizer.transcribe(audio).text
        accuracy = 100 * (1 - word_error_rate([(reply, heard)]))
        print(f"{label:20} {first_ms:15.0f} {total / (audio.size / RATE):6.3f} {accuracy:13.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, default=None, help="directory holding the old realtime_cli package")
    args = parser.parse_args()
    clips = build_clips()
    print(f"{len(clips)} clips ({len(UTTERANCES)} utterances x 3 conditions), "
          f"{sum(c.size for _, _, c in clips) / RATE:.0f} s of audio", flush=True)
    stacks: dict[str, list[tuple[str, float, float]]] = {}
    if args.old is not None:
        old = run_old(args.old, clips)
        if old is not None:
            stacks["old: pocketsphinx + session LM"] = old
    stacks["new: whisper tiny.en + prompt"] = run_new(clips)
    report(clips, stacks)
    voices()


if __name__ == "__main__":
    main()
