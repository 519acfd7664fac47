"""Tests for batched recognition: the Batcher's grouping and error hand-back, and whisper's batched results
being the ones each utterance gets alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from realtime_cli.local.asr import Recognizer, Transcript
from realtime_cli.local.asr_batch import Batcher
from realtime_cli.local.tts import Synthesizer


def _wait_until(condition: object, timeout: float = 10.0) -> None:
    """Spin (briefly yielding) until `condition()` holds; a sync point, not a timing assertion."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition never held")
        time.sleep(0.001)


def _start(batcher: Batcher[str, str], key: str, request: str, out: dict[str, object]) -> threading.Thread:
    def run() -> None:
        try:
            out[request] = batcher.submit(key, request)
        except Exception as exc:  # recorded for the assertion below
            out[request] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_requests_waiting_together_run_as_one_batch_per_key() -> None:
    gate = threading.Event()
    batches: list[list[str]] = []

    def run_batch(requests: Sequence[str]) -> list[str]:
        batches.append(list(requests))
        if requests[0] == "first":
            gate.wait()
        return [request.upper() for request in requests]

    batcher: Batcher[str, str] = Batcher(run_batch, workers=1, max_batch=3)
    out: dict[str, object] = {}
    threads = [_start(batcher, "a", "first", out)]
    _wait_until(lambda: len(batches) == 1)  # the worker is busy with "first"
    for key, request in (("a", "a1"), ("b", "b1"), ("a", "a2"), ("a", "a3"), ("a", "a4")):
        threads.append(_start(batcher, key, request, out))
        queued = len(threads) - 1
        _wait_until(lambda: batcher.waiting() == queued)  # noqa: B023 - queued in this order, one by one
    gate.set()
    for thread in threads:
        thread.join()
    # oldest first; its key's waiting requests join it up to max_batch, the other key waits its turn in order
    assert batches == [["first"], ["a1", "a2", "a3"], ["b1"], ["a4"]]
    assert out == {name: name.upper() for name in ("first", "a1", "a2", "a3", "a4", "b1")}
    assert batcher.batch_sizes == [1, 3, 1, 1]


def test_an_error_reaches_every_caller_of_its_batch_and_the_worker_goes_on() -> None:
    def run_batch(requests: Sequence[str]) -> list[str]:
        if "bad" in requests:
            raise ValueError("cannot decode")
        return list(requests)

    batcher: Batcher[str, str] = Batcher(run_batch, workers=1, max_batch=4, gather_s=30.0)
    out: dict[str, object] = {}
    threads = [_start(batcher, "k", name, out) for name in ("ok", "bad", "ok2", "ok3")]  # one batch of four
    for thread in threads:
        thread.join()
    assert all(isinstance(out[name], ValueError) for name in ("ok", "bad", "ok2", "ok3"))
    assert batcher.submit("k", "later") == "later"


def test_a_batched_decode_equals_each_utterance_decoded_alone(recognizer: Recognizer, alloy: Synthesizer,
                                                             agent_prompt: str) -> None:
    lines = ["Is there an outage in my area?", "Please transfer me to billing.", "What is the weather in Boston?"]
    pad = np.zeros(7200, dtype=np.int16)
    clips = [np.concatenate([pad, alloy.synthesize(line), pad]) for line in lines]
    alone = [recognizer.transcribe(clip, agent_prompt) for clip in clips]  # one at a time: batches of one
    # this one's worker waits (up to a minute) until all three have arrived, so they are decoded together
    gathering = Recognizer(max_batch=len(clips), gather_s=60.0, workers=1)
    together: dict[int, Transcript] = {}
    barrier = threading.Barrier(len(clips))

    def work(index: int) -> None:
        barrier.wait()
        together[index] = gathering.transcribe(clips[index], agent_prompt)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clips))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gathering.batch_sizes == [len(clips)]
    for index, single in enumerate(alone):
        batched = together[index]
        assert batched.text == single.text
        assert batched.avg_logprob == pytest.approx(single.avg_logprob, abs=1e-4)
        assert batched.no_speech_prob == pytest.approx(single.no_speech_prob, abs=1e-4)
    assert "outage" in together[0].text.lower()
    assert "billing" in together[1].text.lower()


def test_batching_is_off_unless_the_environment_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    from realtime_cli.local.asr import BATCH_ENV, _batch_from_env

    monkeypatch.delenv(BATCH_ENV, raising=False)
    assert _batch_from_env() == 1
    monkeypatch.setenv(BATCH_ENV, "8")
    assert _batch_from_env() == 8
    monkeypatch.setenv(BATCH_ENV, "lots")
    assert _batch_from_env() == 1
