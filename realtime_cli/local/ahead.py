"""Decode-ahead for one session's input buffer: whisper runs on the words so far at a pause after speech (and now
and then in long speech), so that a commit usually finds its transcript decoded, or nearly, when it arrives.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from ..protocol.codecs import PCM16_RATE

PAUSE_MS = 192  # silence after speech that starts a decode ahead; also the silence kept after the last speech
LEAD_MS = 400  # audio kept before the first speech of a buffer
PARTIAL_EVERY_MS = 1000  # in long speech (partial transcripts wanted): a decode after this much more audio
PARTIAL_MIN_MS = 1000  # ... once the utterance is at least this long
PARTIAL_WHEN_FEWER = 2  # partial-transcript decodes start only while fewer decodes than this run (spare CPU)
DECODES_AT_ONCE = 2  # decodes let into the recognizer at once (its own parallel limit); the others wait their turn
COMMIT, AHEAD, PARTIAL = 0, 1, 2  # whose decode goes first: a commit's, then one at a pause, then a partial one
_ASR_THREADS = 32  # threads that may wait for a turn to decode (two per session at most)
_pool = ThreadPoolExecutor(max_workers=_ASR_THREADS, thread_name_prefix="rtagent-asr")
_running = 0  # decodes of this process in flight (changed on event loops only)
T = TypeVar("T")


class Stale(Exception):
    """A decode ahead whose audio changed while it waited for its turn: skipped, never decoded."""


class DecodeGate:
    """Lets at most `limit` decodes into the recognizer at once, the most urgent first; a waiting one marked stale
    leaves without decoding (a decode already running cannot be stopped: its result is ignored)."""

    def __init__(self, limit: int = DECODES_AT_ONCE) -> None:
        self._cond = threading.Condition()
        self._limit = limit
        self._inside = 0
        self._queue: list[tuple[int, int]] = []
        self._order = itertools.count()

    def run(self, priority: int, stale: threading.Event, fn: Callable[..., T], *args: object) -> T:
        ticket = (priority, next(self._order))
        with self._cond:
            heapq.heappush(self._queue, ticket)
            self._cond.notify_all()  # (for anyone watching the queue)
            self._cond.wait_for(lambda: stale.is_set() or (self._inside < self._limit and self._queue[0] == ticket))
            self._queue.remove(ticket)
            heapq.heapify(self._queue)
            self._cond.notify_all()
            if stale.is_set():
                raise Stale
            self._inside += 1
        try:
            return fn(*args)
        finally:
            with self._cond:
                self._inside -= 1
                self._cond.notify_all()

    def mark_stale(self, stale: threading.Event) -> None:
        with self._cond:
            stale.set()
            self._cond.notify_all()


_gate = DecodeGate()

Span = tuple[int, int]  # [start, end) in samples (24 kHz) of the session's input buffer


def ms_samples(ms: float) -> int:
    return int(ms * PCM16_RATE) // 1000


class Transcriber(Protocol):
    """What a session recognizes with (SessionSpeech): `transcribe` blocks; `problem` says why it cannot."""

    @property
    def problem(self) -> str | None: ...

    def transcribe(self, samples: npt.NDArray[np.int16]) -> str: ...


def utterance_span(size: int, first_voiced: int | None, last_voiced: int | None) -> Span:
    """The part of a buffer of `size` samples that is decoded: from LEAD_MS before the first speech heard in it to
    PAUSE_MS after the last (either edge stays where it is when no speech was heard there). Commit-time and
    decode-ahead use the same span, so the same audio gives the same text whichever path decoded it."""
    start = 0 if first_voiced is None else max(0, first_voiced - ms_samples(LEAD_MS))
    end = size if last_voiced is None else min(size, last_voiced + ms_samples(PAUSE_MS))
    return start, max(start, end)


async def transcribe_off_loop(model: Transcriber, audio: npt.NDArray[np.int16], priority: int = COMMIT,
                              stale: threading.Event | None = None) -> str:
    """`model.transcribe(audio)` on the recognition threads (never the loop, never the default pool), when the
    gate gives it its turn; raises Stale when `stale` was set before that."""
    global _running
    _running += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(
            _pool, _gate.run, priority, stale or threading.Event(), model.transcribe, audio)
    finally:
        _running -= 1


def spare_recognizer() -> bool:
    """Whether the recognizer has room for a decode nobody waits for (partial transcripts)."""
    return _running < PARTIAL_WHEN_FEWER


@dataclass
class _Decode:
    span: Span
    future: asyncio.Future[str]
    stale: threading.Event = field(default_factory=threading.Event)
    told: bool = False  # its text was handed out as a partial transcript


def _consume(future: asyncio.Future[str]) -> None:
    if not future.cancelled():
        future.exception()  # a failed decode ahead is retried at commit; never an "exception never retrieved"


class DecodeAhead:
    """The decode ahead of one buffer: at most one in flight; a new buffer forgets the old one's (its thread runs
    to its end and nobody reads the result)."""

    def __init__(self) -> None:
        self._last: _Decode | None = None
        self.started = 0  # decodes started ahead, and commits answered by one (figures and tests)
        self.reused = 0

    def new_buffer(self, cancel: bool = False) -> None:
        """Forget the decode ahead (`cancel`: the session is ending, nobody will await it either)."""
        if self._last is not None and not self._last.future.done():
            _gate.mark_stale(self._last.stale)  # skipped if it is still waiting for its turn
            if cancel:
                self._last.future.cancel()
        self._last = None

    @property
    def busy(self) -> bool:
        return self._last is not None and not self._last.future.done()

    @property
    def last_span(self) -> Span | None:
        return self._last.span if self._last is not None else None

    def start(self, model: Transcriber, audio: npt.NDArray[np.int16], span: Span, partial: bool = False) -> None:
        stale = threading.Event()
        future = asyncio.ensure_future(transcribe_off_loop(model, audio, PARTIAL if partial else AHEAD, stale))
        future.add_done_callback(_consume)
        self._last = _Decode(span, future, stale)
        self.started += 1

    def finished_text(self) -> str | None:
        """The text of the latest decode ahead, once, when it has finished well (else None)."""
        last = self._last
        if last is None or last.told or not _succeeded(last.future):
            return None
        last.told = True
        return last.future.result()

    def matching(self, span: Span) -> asyncio.Future[str] | None:
        """The decode of exactly `span` when one is running or has succeeded (a failed one is decoded again)."""
        last = self._last
        if last is None or last.span != span or (last.future.done() and not _succeeded(last.future)):
            return None
        return last.future

    def take(self, span: Span) -> asyncio.Future[str] | None:
        """For a commit of `span`: its decode ahead when there is one (running or done); any other is dropped."""
        ready = self.matching(span)
        if ready is not None:
            self._last = None  # handed over: not marked stale
        else:
            self.new_buffer()
        return ready

    async def settle(self) -> None:
        """Wait until the decode in flight (if any) has finished."""
        if self._last is not None:
            await asyncio.wait([self._last.future])


def _succeeded(future: asyncio.Future[str]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


class PartialWords:
    """Which words of the partial transcripts go out as deltas: those that two decodes in a row agree on (never a
    word taken back); at the commit, the rest of the final text when it goes on from them."""

    def __init__(self) -> None:
        self.item_id: str | None = None  # the user item the deltas were sent for
        self.sent: list[str] = []
        self._previous: list[str] = []

    def reset(self) -> None:
        self.item_id, self.sent, self._previous = None, [], []

    def partial(self, text: str, item_id: str) -> str | None:
        """The delta to send for a new partial transcript of `item_id`, or None."""
        if item_id != self.item_id:
            self.reset()
            self.item_id = item_id
        words = text.split()
        agreed: list[str] = []
        for mine, theirs in zip(self._previous, words, strict=False):
            if mine != theirs:
                break
            agreed.append(mine)
        self._previous = words
        if len(agreed) <= len(self.sent) or agreed[: len(self.sent)] != self.sent:
            return None
        delta = " ".join(agreed[len(self.sent):])
        delta = delta if not self.sent else " " + delta
        self.sent = agreed
        return delta

    def final(self, text: str, item_id: str) -> list[str]:
        """The deltas that complete the words sent for `item_id` into `text` (none when `text` does not go on
        from them); the next turn starts afresh."""
        sent = self.sent if item_id == self.item_id else []
        self.reset()
        words = text.split()
        if words[: len(sent)] != sent:
            return []
        return [w if (i == 0 and not sent) else " " + w for i, w in enumerate(words[len(sent):])]
