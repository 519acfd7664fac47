"""Decode-ahead of the local engine's input: whisper decodes at a pause are reused by the commit when nothing voiced
came after, decoded again when it did, stale ones are ignored, and long speech sends partial transcript deltas."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from realtime_cli.local.ahead import (
    AHEAD,
    COMMIT,
    LEAD_MS,
    PARTIAL,
    PAUSE_MS,
    DecodeGate,
    PartialWords,
    Stale,
    ms_samples,
    utterance_span,
)
from realtime_cli.local.engine import EngineSession
from realtime_cli.local.speech import SessionSpeech, domain_model
from realtime_cli.local.tts import Synthesizer
from realtime_cli.local.turns import InputTurns, Partial, SpeechStopped

CHUNK = 480  # 20 ms at 24 kHz, as a held push-to-talk key sends it


class Recording:
    """The session's real recognizer, with a record of what it was asked to decode and an optional gate that holds
    the first decode until a test opens it (a sync point)."""

    def __init__(self, speech: SessionSpeech, hold_first: bool = False) -> None:
        self._speech = speech
        self.calls: list[int] = []  # samples of each decode, in the order they started
        self.gate = threading.Event()
        self.entered = threading.Event()
        if not hold_first:
            self.gate.set()

    @property
    def problem(self) -> str | None:
        return self._speech.problem

    def transcribe(self, samples: npt.NDArray[np.int16]) -> str:
        first = not self.calls
        self.calls.append(int(samples.size))
        if first:
            self.entered.set()
            self.gate.wait(30)
        return self._speech.transcribe(samples)


@pytest.fixture(scope="module")
def speech_model() -> SessionSpeech:
    model = domain_model({"instructions": "You help with weather and appointments."})
    if model.problem:
        pytest.skip(model.problem)
    return model


def voice(text: str) -> np.ndarray:
    return Synthesizer("alloy").synthesize(text, 24000)


def silence(ms: int) -> np.ndarray:
    return np.zeros(ms_samples(ms), np.int16)


async def feed(turns: InputTurns, audio: np.ndarray) -> list[Any]:
    events: list[Any] = []
    for start in range(0, audio.size, CHUNK):
        events += await turns.append(audio[start:start + CHUNK].astype("<i2").tobytes())
    return events


def live(turns: InputTurns) -> InputTurns:
    """Audio that comes in as it is spoken: the buffer's clock is the audio's own time (a sync point, no sleeps)."""
    turns.clock = lambda: turns.stream_ms / 1000
    return turns


def manual(model: Any = None) -> InputTurns:
    turns = live(InputTurns())
    turns.configure(None, "pcm16")
    if model is not None:
        turns.set_model(model)
    return turns


def test_the_decoded_span_runs_from_before_the_first_speech_to_a_pause_after_the_last() -> None:
    assert utterance_span(48_000, None, None) == (0, 48_000)
    assert utterance_span(48_000, 24_000, 36_000) == (24_000 - ms_samples(LEAD_MS), 36_000 + ms_samples(PAUSE_MS))
    assert utterance_span(30_000, 100, 29_000) == (0, 30_000)  # clipped to the buffer


async def test_a_commit_after_a_pause_reuses_the_decode_ahead(speech_model: SessionSpeech) -> None:
    audio = np.concatenate([silence(300), voice("What is the weather in Paris?"), silence(600)])
    model = Recording(speech_model)
    turns = manual(model)
    await feed(turns, audio)
    await turns.settle()
    assert turns.ahead.started == 1 and len(model.calls) == 1
    turn = await turns.commit()
    assert turn is not None and turn.ahead and len(model.calls) == 1  # no second decode
    assert "weather" in turn.text.lower()
    # the same audio decoded only at the commit (no model while it arrived) gives the same text
    late = Recording(speech_model)
    again = manual()
    await feed(again, audio)
    again.set_model(late)
    other = await again.commit()
    assert other is not None and not other.ahead and other.text == turn.text
    assert late.calls == model.calls  # the same span of the buffer


async def test_server_vad_commits_with_the_decode_started_at_the_pause(speech_model: SessionSpeech) -> None:
    model = Recording(speech_model)
    turns = live(InputTurns())
    turns.configure({"type": "server_vad", "silence_duration_ms": 500}, "pcm16")
    turns.set_model(model)
    audio = np.concatenate([silence(300), voice("What can you do?"), silence(900)])
    stopped_at = None
    for start in range(0, audio.size, CHUNK):
        events = await turns.append(audio[start:start + CHUNK].tobytes())
        if any(isinstance(e, SpeechStopped) for e in events):
            stopped_at = start
            break
    assert stopped_at is not None and turns.ahead.started == 1  # started at the pause, before the turn ended
    turn = await turns.commit()  # what the engine does on speech_stopped
    assert turn is not None and turn.ahead and len(model.calls) == 1


async def test_audio_sent_faster_than_spoken_is_not_decoded_ahead(speech_model: SessionSpeech) -> None:
    model = Recording(speech_model)
    turns = manual(model)
    turns.clock = lambda: 0.0  # all of it arrives in the same instant, as a file or a script sends it
    await feed(turns, np.concatenate([voice("Hello. What can you do?"), silence(600)]))
    assert turns.ahead.started == 0
    turn = await turns.commit()
    assert turn is not None and not turn.ahead and len(model.calls) == 1


async def test_speech_after_the_pause_is_decoded_again(speech_model: SessionSpeech) -> None:
    model = Recording(speech_model)
    turns = manual(model)
    await feed(turns, np.concatenate([voice("Book an appointment"), silence(500)]))
    await turns.settle()
    assert len(model.calls) == 1
    await feed(turns, voice("for tomorrow at three."))
    turn = await turns.commit()
    assert turn is not None and not turn.ahead
    assert len(model.calls) == 2 and model.calls[1] > model.calls[0]
    assert "tomorrow" in turn.text.lower()


async def test_a_stale_decode_ahead_is_ignored(speech_model: SessionSpeech) -> None:
    model = Recording(speech_model, hold_first=True)
    turns = manual(model)
    try:
        await feed(turns, np.concatenate([voice("Hello"), silence(500)]))
        assert await asyncio.to_thread(model.entered.wait, 30)  # the decode ahead is running, held at the gate
        await feed(turns, voice("what is the weather in London?"))
        assert turns.ahead.started == 1  # at most one in flight: none started while it runs
        turn = await turns.commit()  # decodes the whole turn without waiting for the held one
        assert turn is not None and not turn.ahead and "london" in turn.text.lower()
    finally:
        model.gate.set()
    await turns.settle()
    events = await feed(turns, silence(400))  # the old decode has finished: its text belongs to no buffer now
    assert not [e for e in events if isinstance(e, Partial)]


def test_partial_words_send_only_what_two_decodes_agree_on() -> None:
    words = PartialWords()
    assert words.partial("I would", "a") is None  # nothing to agree with yet
    assert words.partial("I would like to", "a") == "I would"
    assert words.partial("I would like to book", "a") == " like to"
    assert words.partial("I wood like", "a") is None  # never takes a word back
    assert words.final("I would like to book a table", "a") == [" book", " a", " table"]
    assert words.final("Hello there", "b") == ["Hello", " there"]  # a new turn starts afresh
    diverged = PartialWords()
    diverged.partial("Hi there", "c")
    diverged.partial("Hi there friend", "c")
    assert diverged.final("High there friend", "c") == []  # the completed event carries the text
    assert diverged.partial("Other words", "d") is None and diverged.item_id == "d"


async def test_long_speech_sends_transcription_deltas_before_the_commit(speech_model: SessionSpeech) -> None:
    sent: list[dict[str, Any]] = []

    async def send(event: dict[str, Any]) -> None:
        sent.append(event)

    session = EngineSession(send, "ga", "gpt-realtime")
    live(session.turns)
    await session.start()
    await session.handle_frame(json.dumps({"type": "session.update", "session": {
        "type": "realtime", "instructions": "You book appointments.",
        "audio": {"input": {"turn_detection": None, "transcription": {"model": "whisper-1"}}}}}))
    audio = voice("I would like to book an appointment for tomorrow morning at nine with the dentist, please.")
    for start in range(0, audio.size, 2400):  # 100 ms at a time; each decode ahead finishes before the next
        chunk = base64.b64encode(audio[start:start + 2400].astype("<i2").tobytes()).decode()
        await session.handle_frame(json.dumps({"type": "input_audio_buffer.append", "audio": chunk}))
        await session.turns.settle()
    await session.handle_frame(json.dumps({"type": "input_audio_buffer.commit"}))
    await session.close()
    kinds = [e["type"] for e in sent]
    committed = kinds.index("input_audio_buffer.committed")
    deltas = [e for e in sent if e["type"] == "conversation.item.input_audio_transcription.delta"]
    completed = next(e for e in sent if e["type"] == "conversation.item.input_audio_transcription.completed")
    early = [e for e in sent[:committed] if e["type"] == "conversation.item.input_audio_transcription.delta"]
    assert early, "no partial transcript before the commit"
    item_id = sent[committed]["item_id"]
    assert {e["item_id"] for e in deltas} == {item_id} == {completed["item_id"]}
    said = "".join(e["delta"] for e in deltas).split()
    assert said and said == completed["transcript"].split()[: len(said)]
    assert "appointment" in completed["transcript"].lower()


def test_the_gate_lets_the_most_urgent_decode_in_first_and_skips_stale_ones() -> None:
    gate = DecodeGate(limit=1)
    hold, holding = threading.Event(), threading.Event()
    ran: list[str] = []

    def blocker() -> str:
        holding.set()
        hold.wait(30)
        return "first"

    def job(name: str) -> str:
        ran.append(name)
        return name

    def queued(n: int) -> None:  # a sync point: until n decodes wait at the gate
        with gate._cond:
            assert gate._cond.wait_for(lambda: len(gate._queue) == n, 30)

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(gate.run, AHEAD, threading.Event(), blocker)
        assert holding.wait(30)
        stale = threading.Event()
        skipped = pool.submit(gate.run, AHEAD, stale, job, "stale")
        partial = pool.submit(gate.run, PARTIAL, threading.Event(), job, "partial")
        queued(2)
        commit = pool.submit(gate.run, COMMIT, threading.Event(), job, "commit")
        queued(3)
        gate.mark_stale(stale)
        with pytest.raises(Stale):
            skipped.result(30)
        hold.set()
        assert first.result(30) == "first" and commit.result(30) == "commit" and partial.result(30) == "partial"
    assert ran == ["commit", "partial"]
