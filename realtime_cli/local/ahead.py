"""Decode-ahead for one session's input buffer: whisper runs on the words so far at a pause after speech (and now
and then in long speech), so that a commit usually finds its transcript decoded, or nearly, when it arrives.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ..protocol.codecs import PCM16_RATE

PAUSE_MS = 256  # silence after speech that starts a decode ahead; also the silence kept after the last speech
LEAD_MS = 400  # audio kept before the first speech of a buffer
PARTIAL_EVERY_MS = 1000  # in long speech (partial transcripts wanted): a decode after this much more audio
PARTIAL_MIN_MS = 1000  # ... once the utterance is at least this long
_ASR_THREADS = 16  # threads that may wait inside the recognizer at once (it bounds its own parallel decodes)
_pool = ThreadPoolExecutor(max_workers=_ASR_THREADS, thread_name_prefix="rtagent-asr")

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


async def transcribe_off_loop(model: Transcriber, audio: npt.NDArray[np.int16]) -> str:
    """`model.transcribe(audio)` on the recognition threads (never the loop, never the default pool)."""
    return await asyncio.get_running_loop().run_in_executor(_pool, model.transcribe, audio)


@dataclass
class _Decode:
    span: Span
    future: asyncio.Future[str]
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

    def new_buffer(self) -> None:
        self._last = None

    @property
    def busy(self) -> bool:
        return self._last is not None and not self._last.future.done()

    @property
    def last_span(self) -> Span | None:
        return self._last.span if self._last is not None else None

    def start(self, model: Transcriber, audio: npt.NDArray[np.int16], span: Span) -> None:
        future = asyncio.ensure_future(transcribe_off_loop(model, audio))
        future.add_done_callback(_consume)
        self._last = _Decode(span, future)
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

    def partial(self, text: str) -> str | None:
        """The delta to send for a new partial transcript, or None."""
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

    def final(self, text: str) -> list[str]:
        """The deltas that complete the sent words into `text` (none when `text` does not go on from them)."""
        words = text.split()
        if words[: len(self.sent)] != self.sent:
            return []
        rest = words[len(self.sent):]
        return [w if (i == 0 and not self.sent) else " " + w for i, w in enumerate(rest)]
