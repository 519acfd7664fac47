"""Tests for realtime_cli.local.asr (and the text helpers it uses): whisper on synthesized speech, guards, hashes."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from realtime_cli.local.asr import (
    BUNDLED_PACKAGE,
    BUNDLED_SHA256,
    MAX_PIECE_S,
    ModelIntegrityError,
    Recognizer,
    build_prompt,
    bundled_model_dir,
    collapse_repeats,
    compression_ratio,
    long_speech_pieces,
    resolve_model,
    verify_model_files,
)
from realtime_cli.local.speech_util import normalize_words, spoken_readings, word_error_rate, word_errors
from realtime_cli.local.tts import Synthesizer

UTTERANCES = [
    "What is the weather in Boston?",
    "I want to book an appointment on Friday morning.",
    "Please transfer me to billing.",
    "My internet is not working since yesterday.",
    "I was charged twice on my last bill.",
    "Can I get a refund for last month?",
    "I need technical support for my router.",
    "Is there an outage in my area?",
    "What is the weather in Seattle in celsius?",
    "Thank you very much, goodbye.",
    "Transfer me to technical support.",
    "Book a technician for Tuesday afternoon.",
]


def _padded(audio: np.ndarray) -> np.ndarray:
    padding = np.zeros(7200, dtype=np.int16)  # the 300 ms a VAD's prefix padding would deliver
    return np.concatenate([padding, audio, padding])


def test_word_accuracy_on_synthesized_in_domain_speech(recognizer: Recognizer, agent_prompt: str) -> None:
    pairs: list[tuple[str, str]] = []
    audio_seconds = decode_seconds = 0.0
    for voice in ("alloy", "marin"):
        synthesizer = Synthesizer(voice)
        for text in UTTERANCES:
            heard = recognizer.transcribe(_padded(synthesizer.synthesize(text)), agent_prompt)
            pairs.append((text, heard.text))
            audio_seconds += heard.audio_seconds
            decode_seconds += heard.decode_seconds
    accuracy = 1.0 - word_error_rate(pairs)
    misheard = [f"{ref!r} -> {hyp!r}" for ref, hyp in pairs if normalize_words(ref) != normalize_words(hyp)]
    print(f"ASR word accuracy {accuracy:.3f} over {len(pairs)} utterances; decode RTF "
          f"{decode_seconds / audio_seconds:.3f}; misheard: {misheard}")
    assert accuracy >= 0.9


def test_silence_and_noise_give_no_words(recognizer: Recognizer, agent_prompt: str) -> None:
    rng = np.random.default_rng(3)
    assert recognizer.transcribe(np.zeros(24_000, dtype=np.int16), agent_prompt).text == ""
    for level in (30.0, 600.0, 4000.0):
        noise = np.clip(rng.normal(0.0, level, 48_000), -32768, 32767).astype(np.int16)
        assert recognizer.transcribe(noise, agent_prompt).text == ""


def test_recognition_runs_in_parallel_threads(recognizer: Recognizer, alloy: Synthesizer, agent_prompt: str) -> None:
    audio = [alloy.synthesize(text) for text in ("Is there an outage in my area?", "Can I get a refund for last month?")]
    expected = [recognizer.transcribe(clip, agent_prompt).text for clip in audio]
    results: dict[int, str] = {}
    barrier = threading.Barrier(2)

    def work(index: int) -> None:
        barrier.wait()
        results[index] = recognizer.transcribe(audio[index], agent_prompt).text

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[0], results[1]] == expected
    assert normalize_words(expected[0]) == normalize_words("Is there an outage in my area?")


def test_the_bundled_weights_pass_the_hash_check() -> None:
    directory = bundled_model_dir()
    verify_model_files(directory)
    assert resolve_model() == (str(directory), True)
    assert sorted(path.name for path in directory.iterdir() if path.is_file()) == sorted(BUNDLED_SHA256)


def test_a_corrupted_copy_is_refused_naming_the_package(tmp_path: Path) -> None:
    source = bundled_model_dir()
    for name in BUNDLED_SHA256:
        if name == "model.bin":
            (tmp_path / name).symlink_to(source / name)
        else:
            shutil.copy(source / name, tmp_path / name)
    verify_model_files(tmp_path)  # an intact copy passes
    config = tmp_path / "config.json"
    config.write_bytes(config.read_bytes().replace(b"{", b"{ ", 1))
    with pytest.raises(ModelIntegrityError, match=BUNDLED_PACKAGE):
        verify_model_files(tmp_path)
    config.unlink()
    with pytest.raises(ModelIntegrityError, match="cannot read"):
        verify_model_files(tmp_path)


def test_a_directory_or_a_name_from_the_environment_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RTAGENT_WHISPER_MODEL", str(tmp_path))
    assert resolve_model() == (str(tmp_path), False)
    monkeypatch.setenv("RTAGENT_WHISPER_MODEL", "base.en")
    assert resolve_model() == ("base.en", False)
    assert resolve_model("small.en") == ("small.en", False)


@pytest.mark.parametrize(
    ("text", "collapsed"),
    [
        ("How much is it? How much is it? How much is it? How much", "How much is it? How much"),
        ("I have a question. I have a question.", "I have a question."),
        ("no no, that is fine", "no no, that is fine"),
        ("go go go go", "go"),
        ("very very good", "very very good"),
        ("I dropped my bike off last week. I dropped my bike off last", "I dropped my bike off last week."),
        ("I need help. I need help with my bill.", "I need help. I need help with my bill."),
    ],
)
def test_repeated_phrases_are_said_once(text: str, collapsed: str) -> None:
    assert collapse_repeats(text) == collapsed


def test_looping_text_compresses_far_better_than_speech() -> None:
    assert compression_ratio("I want to book an appointment on Friday morning.") < 2.0
    assert compression_ratio("thank you " * 20) > 2.4


def test_the_prompt_holds_the_session_words_once() -> None:
    prompt = build_prompt(["Help with invoices", "lookup_invoice", "help with invoices", "", "Say hi!"])
    assert prompt == "Help with invoices, lookup invoice. Say hi!"


def test_the_prompt_lists_names_first_and_ends_on_the_instructions() -> None:
    # whisper reads the prompt as the text said just before the audio: a prompt ending in fragments
    # ("doctor okafor.") made it start on such a fragment and drop the words said before it
    prompt = build_prompt(["You book dental visits for a clinic.", "book_visit", "Book a dental visit.",
                           "doctor okafor", "checkup"])
    assert prompt == "Book visit, doctor okafor, checkup. Book a dental visit. You book dental visits for a clinic."
    assert build_prompt(["a long phrase without an end", "kind"]) == "Kind. a long phrase without an end."


def test_long_instructions_are_cut_at_their_end_not_the_names_before_them() -> None:
    instructions = "You run the depot. " + "Be brief and kind to every caller. " * 40
    prompt = build_prompt([instructions, "track_parcel", "parcel number", "Where a parcel is now."])
    assert prompt.startswith("Track parcel, parcel number. Where a parcel is now. You run the depot. Be brief")
    assert prompt.endswith("caller.") and len(prompt.split()) <= 130
    assert build_prompt(["word " * 300]).count("word") == 130


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Call getWeather at 3:30!", ["call", "get", "weather", "at", "three", "thirty"]),
        ("transfer_to_billing", ["transfer", "to", "billing"]),
        ("the 21st, $20, 15%", ["the", "twenty", "first", "twenty", "dollars", "fifteen", "percent"]),
        ("What's 1200 + 7?", ["what's", "one", "thousand", "two", "hundred", "plus", "seven"]),
    ],
)
def test_normalize_words_speaks_written_text(text: str, words: list[str]) -> None:
    assert normalize_words(text) == words


def test_word_errors_counts_edits() -> None:
    assert word_errors(["a", "b", "c"], ["a", "x", "c", "d"]) == 2
    assert word_error_rate([("Hello there.", "hello there"), ("one two", "one")]) == pytest.approx(0.25)


def test_a_number_written_in_digits_scores_as_the_way_it_was_said() -> None:
    assert word_error_rate([("the barcode four five seven two", "the barcode 4572")]) == 0.0
    assert word_error_rate([("ticket two hundred and five", "ticket 205.")]) == 0.0
    assert word_error_rate([("four thousand five hundred seventy two", "4572")]) == 0.0
    assert word_error_rate([("barcode four five seven two", "barcode 4573")]) == pytest.approx(1 / 5)
    assert spoken_readings("order 12, please")[0] == normalize_words("order 12, please")
    assert ["order", "one", "two", "please"] in spoken_readings("order 12, please")


def test_long_speech_is_cut_into_pieces_whisper_hears_whole_at_its_pauses() -> None:
    rate = 24_000
    rng = np.random.default_rng(7)
    tone = (3000 * np.sin(np.arange(rate) * 2 * np.pi * 220 / rate)).astype(np.int16)
    # 70 s of one-second "words" with a 200 ms pause after every fourth one
    parts: list[np.ndarray] = []
    for k in range(64):
        parts.append(tone)
        if k % 4 == 3:
            parts.append(rng.integers(-20, 20, rate // 5).astype(np.int16))
    samples = np.concatenate(parts)
    pieces = long_speech_pieces(samples, rate)
    assert len(pieces) == 3 and sum(p.size for p in pieces) == samples.size  # nothing lost, nothing doubled
    assert np.array_equal(np.concatenate(pieces), samples)
    assert all(p.size <= MAX_PIECE_S * rate for p in pieces)
    for piece in pieces[:-1]:  # each cut falls inside a pause, not in a word
        assert np.abs(piece[-rate // 100 :]).max() < 100
    short = samples[: 5 * rate]
    assert [p.size for p in long_speech_pieces(short, rate)] == [short.size]


def test_speech_longer_than_whisper_hears_at_once_keeps_its_end(recognizer: Recognizer, agent_prompt: str) -> None:
    from realtime_cli.local.speech import SessionSpeech

    voice = Synthesizer("alloy")
    gap = np.zeros(24_000, dtype=np.int16)  # a second's pause after each sentence
    said = [*UTTERANCES[:9], *UTTERANCES[10:], UTTERANCES[9]]  # twelve different sentences, "goodbye" last
    audio = np.concatenate([x for text in said for x in (voice.synthesize(text), gap)])
    assert audio.size > 31 * 24_000  # past whisper's 30 s
    heard = SessionSpeech(recognizer, agent_prompt).transcribe(audio)
    assert "goodbye" in heard.lower(), heard  # the last sentence, past 30 s, is heard
