"""Tests for realtime_cli.local.asr (and the text helpers it uses): domain LM, streaming, word accuracy."""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest

from realtime_cli.local.asr import DomainModel, StreamingRecognizer, build_domain_model, ipa_to_arpabet, transcribe
from realtime_cli.local.speech_util import normalize_words, word_error_rate, word_errors
from realtime_cli.local.tts import Synthesizer

CHUNK = 480  # 20 ms at 24 kHz

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


def _stream(recognizer: StreamingRecognizer, audio: np.ndarray) -> tuple[list[str], str]:
    padding = np.zeros(7200, dtype=np.int16)  # the 300 ms a VAD's prefix padding would deliver
    audio = np.concatenate([padding, audio, padding])
    partials = [p for i in range(0, audio.size, CHUNK) if (p := recognizer.accept(audio[i : i + CHUNK]))]
    return partials, recognizer.finish()


def test_word_accuracy_on_synthesized_in_domain_speech(agent_model: DomainModel) -> None:
    pairs: list[tuple[str, str]] = []
    audio_seconds = decode_seconds = 0.0
    for voice in ("alloy", "marin"):
        synthesizer = Synthesizer(voice)
        for text in UTTERANCES:
            recognizer = StreamingRecognizer(agent_model)  # a fresh decoder per utterance: the hardest case
            _, heard = _stream(recognizer, synthesizer.synthesize(text))
            pairs.append((text, heard))
            audio_seconds += recognizer.audio_seconds
            decode_seconds += recognizer.decode_seconds
    accuracy = 1.0 - word_error_rate(pairs)
    misheard = [f"{ref!r} -> {hyp!r}" for ref, hyp in pairs if normalize_words(ref) != normalize_words(hyp)]
    print(
        f"ASR word accuracy {accuracy:.3f} over {len(pairs)} utterances; decode RTF "
        f"{decode_seconds / audio_seconds:.3f}; misheard: {misheard}"
    )
    assert accuracy >= 0.9


def test_partials_arrive_before_finish(agent_model: DomainModel, alloy: Synthesizer) -> None:
    recognizer = StreamingRecognizer(agent_model)
    partials, final = _stream(recognizer, alloy.synthesize("I need technical support for my router."))
    assert len(partials) >= 2
    # only changes are reported (a hypothesis may return to an earlier one, but never repeats the last)
    assert all(a != b for a, b in itertools.pairwise(partials))
    assert normalize_words(final)[-3:] == ["for", "my", "router"]


def test_recognizer_is_reusable_across_utterances(agent_model: DomainModel, alloy: Synthesizer) -> None:
    recognizer = StreamingRecognizer(agent_model)
    assert recognizer.finish() == ""
    first = _stream(recognizer, alloy.synthesize("Please transfer me to billing."))[1]
    second = _stream(recognizer, alloy.synthesize("What is the weather in Boston?"))[1]
    assert first == "please transfer me to billing"
    assert second == "what is the weather in boston"
    assert recognizer.cmn.count(",") >= 12


def test_silence_gives_no_words(agent_model: DomainModel) -> None:
    assert transcribe(agent_model, np.zeros(24_000, dtype=np.int16)) == ""


def test_recognizers_run_in_parallel_threads(agent_model: DomainModel, alloy: Synthesizer) -> None:
    texts = ["Is there an outage in my area?", "Can I get a refund for last month?"]
    audio = [alloy.synthesize(text) for text in texts]
    expected = [transcribe(agent_model, clip) for clip in audio]
    results: dict[int, str] = {}

    def work(index: int) -> None:
        results[index] = transcribe(agent_model, audio[index])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[0], results[1]] == expected


def test_model_builds_and_is_cached() -> None:
    phrases = ["Check the order status of a parcel.", "lookup_order_status: find an order by number"]
    started = time.perf_counter()
    model = build_domain_model(phrases)
    built = time.perf_counter() - started
    again_started = time.perf_counter()
    assert build_domain_model(phrases) is model
    again = time.perf_counter() - again_started
    started = time.perf_counter()
    StreamingRecognizer(model)
    loaded = time.perf_counter() - started
    print(
        f"LM build {built * 1000:.0f} ms ({len(model.vocabulary)} words), cached {again * 1000:.1f} ms, "
        f"decoder load {loaded * 1000:.0f} ms"
    )
    assert {"parcel", "lookup", "order", "status", "hello", "thursday"} <= model.vocabulary


def test_unknown_words_get_a_letter_to_sound_pronunciation() -> None:
    model = build_domain_model(["Ask Zorblaxian support about the frobnicator."], include_core=False)
    assert {"zorblaxian", "frobnicator"} <= model.guessed_words
    assert "zorblaxian" in model.dict_path.read_text()
    assert ipa_to_arpabet("həlˈoʊ wˈɜːld") == "HH AH L OW W ER L D"


def test_a_model_needs_words() -> None:
    with pytest.raises(ValueError):
        build_domain_model(["...", "  "], include_core=False)


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
