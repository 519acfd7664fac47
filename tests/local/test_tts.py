"""Tests for realtime_cli.local.tts: espeak synthesis, voices, phrase chunks, rates."""

from __future__ import annotations

import time

import numpy as np
import pytest

from realtime_cli.local.tts import DEFAULT_VOICE, VOICES, Synthesizer, split_phrases, voice_style

TEXT = "Hello! I can help you with billing, technical support, or the weather. What would you like to do today?"


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


@pytest.mark.parametrize("rate", [24_000, 8_000])
def test_synthesize_gives_audible_int16_at_the_requested_rate(alloy: Synthesizer, rate: int) -> None:
    audio = alloy.synthesize("Your appointment is booked for Friday morning.", rate)
    assert audio.dtype == np.int16
    assert _rms(audio) > 1000
    seconds = audio.size / rate
    # 7 words at ~170 words per minute, plus espeak's pauses.
    assert 1.5 < seconds < 4.5


def test_duration_grows_with_the_text(alloy: Synthesizer) -> None:
    short = alloy.synthesize("Yes.").size
    long = alloy.synthesize(TEXT).size
    assert long > 5 * short
    words = len(TEXT.split())
    assert 0.2 < long / 24_000 / words < 0.5  # seconds per word


def _envelope(samples: np.ndarray) -> np.ndarray:
    frames = samples[: samples.size - samples.size % 2400].astype(np.float64).reshape(-1, 2400)
    return np.sqrt(np.mean(frames**2, axis=1))


def test_same_input_gives_the_same_speech(alloy: Synthesizer) -> None:
    # espeak's pitch flutter carries a phase from call to call, so repeats match to within a few samples.
    first, second = alloy.synthesize(TEXT), Synthesizer("alloy").synthesize(TEXT)
    assert abs(first.size - second.size) < first.size * 0.005
    count = min(_envelope(first).size, _envelope(second).size)
    assert np.corrcoef(_envelope(first)[:count], _envelope(second)[:count])[0, 1] > 0.85


def test_voices_differ() -> None:
    rendered = {name: Synthesizer(name).synthesize("Thanks for calling.") for name in ("alloy", "nova", "onyx")}
    assert not np.array_equal(rendered["alloy"][:4000], rendered["nova"][:4000])
    assert not np.array_equal(rendered["alloy"][:4000], rendered["onyx"][:4000])
    assert len({style.espeak_voice + str(style.pitch) for style in VOICES.values()}) == len(VOICES)


def test_unknown_voice_falls_back_to_the_default() -> None:
    assert voice_style("no-such-voice") == VOICES[DEFAULT_VOICE]
    assert voice_style("NOVA") == VOICES["nova"]


def test_empty_text_is_empty_audio(alloy: Synthesizer) -> None:
    assert alloy.synthesize("   ").size == 0


@pytest.mark.parametrize(
    "text",
    [TEXT, "  Leading space.  Two sentences!", "one two three four five six seven eight nine ten eleven", "Ok"],
)
def test_phrases_join_back_to_the_text(text: str) -> None:
    phrases = split_phrases(text)
    assert "".join(phrase for phrase, _ in phrases) == text
    assert all(len(phrase.split()) <= 6 for phrase, _ in phrases)


def test_chunks_stream_the_text_with_audio(alloy: Synthesizer) -> None:
    chunks = list(alloy.synthesize_chunks(TEXT, 24_000))
    assert "".join(text for text, _ in chunks) == TEXT
    assert len(chunks) >= 5
    assert all(audio.dtype == np.int16 and _rms(audio) > 500 for _, audio in chunks)
    whole = sum(audio.size for _, audio in chunks) / 24_000
    assert 0.6 < whole / (alloy.synthesize(TEXT).size / 24_000) < 1.4


def test_synthesis_of_a_long_text_gives_its_audio(alloy: Synthesizer) -> None:
    # the real-time factor is a figure for bench/engine_latency.py, not an assertion (no wall-clock asserts)
    started = time.perf_counter()
    audio = alloy.synthesize(TEXT * 3)
    elapsed = time.perf_counter() - started
    print(f"TTS real-time factor {elapsed / (audio.size / 24_000):.4f} ({audio.size / 24_000:.1f} s of audio)")
    assert audio.size > alloy.synthesize(TEXT).size * 2
