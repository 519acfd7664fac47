"""Tests for realtime_cli.local.tts and tts_piper: piper and espeak synthesis, voices, phrase chunks, rates, hashes."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from realtime_cli.local import tts_piper
from realtime_cli.local.asr import Recognizer
from realtime_cli.local.speech_util import word_error_rate
from realtime_cli.local.tts import DEFAULT_VOICE, VOICES, Synthesizer, split_phrases, voice_style
from realtime_cli.local.tts_piper import VOICE_PACKAGE, VOICE_SHA256, VoiceIntegrityError, verify_voice_files, voice_dir

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
    assert not np.array_equal(rendered["alloy"], rendered["nova"])
    assert not np.array_equal(rendered["alloy"], rendered["onyx"])
    assert rendered["onyx"].size > rendered["alloy"].size  # the same piper voice, a slower speed
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


def test_synthesis_of_a_long_text_gives_its_audio() -> None:
    # the real-time factor is printed, not asserted (no wall-clock asserts; bench/engine_speech.py has the figures)
    espeak = Synthesizer("nova")  # the instant fallback
    started = time.perf_counter()
    audio = espeak.synthesize(TEXT * 3)
    elapsed = time.perf_counter() - started
    rtf = elapsed / (audio.size / 24_000)
    print(f"TTS real-time factor {rtf:.4f} ({audio.size / 24_000:.1f} s of audio in {elapsed * 1000:.0f} ms)")
    assert audio.size > espeak.synthesize(TEXT).size * 2


def test_male_and_neutral_voices_speak_with_piper_and_the_others_with_espeak() -> None:
    assert Synthesizer("alloy").uses_piper and Synthesizer("onyx").uses_piper
    assert not Synthesizer("nova").uses_piper and not Synthesizer("fable").uses_piper
    assert Synthesizer("alloy").native_rate == 22_050


def test_espeak_can_be_forced_for_every_voice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RTAGENT_TTS", "espeak")
    espeak = Synthesizer("alloy")
    assert not espeak.uses_piper
    monkeypatch.delenv("RTAGENT_TTS")
    assert not np.array_equal(espeak.synthesize("Thanks for calling."), Synthesizer("alloy").synthesize("Thanks for calling."))


def test_whisper_understands_the_natural_voice(recognizer: Recognizer) -> None:
    texts = ["Your appointment is booked for Friday morning.", "I could not find that order, could you spell it?",
             "The package left our warehouse yesterday and should arrive on Tuesday."]
    piper = Synthesizer("echo")
    pairs = [(text, recognizer.transcribe(piper.synthesize(text)).text) for text in texts]
    print(f"piper voice re-transcribed: {pairs}")
    assert word_error_rate(pairs) <= 0.1


def test_a_corrupted_voice_is_refused_naming_the_package(tmp_path: Path) -> None:
    source = voice_dir()
    verify_voice_files(source)
    model, config = list(VOICE_SHA256)
    (tmp_path / model).symlink_to(source / model)
    (tmp_path / config).write_bytes((source / config).read_bytes() + b" ")
    with pytest.raises(VoiceIntegrityError, match=VOICE_PACKAGE):
        verify_voice_files(tmp_path)
    with pytest.raises(VoiceIntegrityError, match=VOICE_PACKAGE):
        tts_piper.PiperSpeaker(tmp_path)
    shutil.copy(source / config, tmp_path / config)
    assert tts_piper.PiperSpeaker(tmp_path).synth("Hello there.").size > 10_000
