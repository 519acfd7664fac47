"""The playout jitter buffer between the event loop (which feeds deltas) and the PortAudio callback (which drains).

It owns the ring of int16 samples, the adaptive prebuffer, underrun/overflow accounting, flush-with-fade on
interrupt, and the run-length record of which item each played sample belonged to.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from ..protocol.codecs import PCM16_RATE
from .prebuffer import PrebufferPolicy

Int16Array = npt.NDArray[np.int16]
PlayedCallback = Callable[[str, int, int], None]
"""Called as (item_id, content_index, samples) after each block, outside the buffer's lock."""

PlayState = Literal["idle", "prebuffering", "playing"]

_CANCELLED_MEMORY = 256
_NEVER = float("inf")
_DEFAULT_COVER_PRIOR_MS = 200.0  # a lone 40 ms first delta waits 160 ms while nothing has been learned


@dataclass(frozen=True)
class JitterStats:
    """A snapshot of the buffer's counters, safe to render from the event loop."""

    state: PlayState
    buffered_ms: float
    prebuffer_ms: float
    start_buffer_ms: float
    underruns: int
    overflows: int
    overflow_dropped_samples: int
    dropped_feeds: int
    flushed_samples: int
    played_samples: int


class _Run:
    """Samples of one item up to the absolute write position `end`."""

    __slots__ = ("content_index", "end", "item_id", "response_id")

    def __init__(self, end: int, item_id: str, content_index: int, response_id: str | None) -> None:
        self.end = end
        self.item_id = item_id
        self.content_index = content_index
        self.response_id = response_id


class JitterBuffer:
    """A bounded ring of mono int16 samples with an adaptive prebuffer.

    Threading contract: `feed`, `end_response`, `flush`, `interrupt` and `stats` are called from one producer
    thread (the event loop); `read_into` is called from the audio callback. Both sides hold one lock only for
    index arithmetic and copies of at most one delta or one block; `on_played` runs after the lock is released.

    Prebuffer (see PrebufferPolicy): while the gap cover is on, a response starts once the audio queued plus the
    time since the last delta arrived reaches `cover_ms`; otherwise `prebuffer_ms` after its first sample arrived
    or once `start_buffer_ms` are queued, whichever comes first. It starts at once when the response is marked
    ended. The cover is on by default with a `cover_prior_ms` of 200 ms until six responses were measured; passing
    `initial_prebuffer_ms` without `cover_prior_ms` pins the start to the time and buffer rules until then.
    If the buffer runs dry and more audio of the same response arrives, that is an underrun: it is counted and
    the response re-prebuffers, its cover raised to the silence that caused it (the time rule re-anchored).
    """

    def __init__(
        self,
        *,
        sample_rate: int = PCM16_RATE,
        capacity_s: float = 32.0,
        min_prebuffer_ms: float = 40.0,
        max_prebuffer_ms: float = 120.0,
        initial_prebuffer_ms: float | None = None,
        margin_ms: float = 20.0,
        history: int = 32,
        cover_prior_ms: float | None = None,
        fade_ms: float = 5.0,
        on_played: PlayedCallback | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = PrebufferPolicy(
            sample_rate,
            min_ms=min_prebuffer_ms,
            max_ms=max_prebuffer_ms,
            initial_ms=initial_prebuffer_ms,
            margin_ms=margin_ms,
            history=history,
            max_cover_ms=max(3 * max_prebuffer_ms, 2 * _DEFAULT_COVER_PRIOR_MS),
            cover_prior_ms=(
                cover_prior_ms if cover_prior_ms is not None
                else _DEFAULT_COVER_PRIOR_MS if initial_prebuffer_ms is None else None
            ),
        )
        self.sample_rate = sample_rate
        self.capacity = max(int(capacity_s * sample_rate), 1)
        self._ring: Int16Array = np.zeros(self.capacity, dtype=np.int16)
        self._fade_len = max(int(sample_rate * min(fade_ms, 5.0) / 1000), 1)
        self._fade: Int16Array = np.zeros(self._fade_len, dtype=np.int16)
        self._fade_pending = 0
        self._start_samples: int | None = None  # buffer-fill start threshold of the current prebuffer phase
        self._on_played = on_played
        self._clock = clock
        self._lock = threading.Lock()
        self._runs: deque[_Run] = deque()
        self._read = 0  # absolute sample positions; the ring index is position % capacity
        self._write = 0
        self._state: PlayState = "idle"
        self._start_at = 0.0  # clock time at which prebuffering ends by the time rule
        self._cover_at = _NEVER  # clock time at which the audio in hand covers the learned worst gap
        self._feeding: str | None = None  # response currently being fed
        self._ended: set[str | None] = set()
        self._drained_response: str | None = None
        self._drained = False
        self._cancelled: set[str] = set()
        self._cancelled_order: deque[str] = deque()
        self._reports: list[tuple[str, int, int]] = []
        self.underruns = 0
        self.overflows = 0
        self.overflow_dropped_samples = 0
        self.dropped_feeds = 0
        self.flushed_samples = 0
        self.played_samples = 0
        self.generation = 0  # bumped on every flush/interrupt that discarded audio

    # --- producer side (event loop) -------------------------------------------------------------------------

    @property
    def prebuffer_ms(self) -> float:
        """The start delay (time rule) the next prebuffer phase will get."""
        return self.policy.start_delay_ms

    @property
    def start_buffer_ms(self) -> float:
        """The queued audio (buffer rule) at which the next response starts, if the clock has not started it."""
        return self.policy.start_buffer_ms

    @property
    def cover_ms(self) -> float | None:
        """The gap cover (audio queued + time since the last delta) that starts the next response, if on."""
        return self.policy.cover_ms

    @property
    def buffered_samples(self) -> int:
        return self._write - self._read

    @property
    def state(self) -> PlayState:
        return self._state

    @property
    def is_active(self) -> bool:
        """True while audio is queued, prebuffering or playing."""
        return self._state != "idle" or self._fade_pending > 0

    def feed(
        self,
        audio: bytes | Int16Array,
        item_id: str,
        content_index: int = 0,
        response_id: str | None = None,
    ) -> int:
        """Queue pcm16 audio (little-endian bytes or int16 samples at `sample_rate`) of one item.

        Returns the number of samples queued: 0 when the response was cancelled by `interrupt`.
        """
        samples = np.frombuffer(audio, dtype="<i2") if isinstance(audio, (bytes, bytearray)) else audio
        now = self._clock()
        with self._lock:
            if response_id is not None and response_id in self._cancelled:
                self.dropped_feeds += 1
                return 0
            if response_id != self._feeding:
                self._feeding = response_id
            underrun = (
                len(samples) > 0
                and self._state == "idle"
                and self._drained
                and self._drained_response == response_id
                and response_id not in self._ended
            )
            previous_arrival = self.policy.last_arrival
            self.policy.on_arrival(response_id, len(samples), now)
            if underrun:
                self.underruns += 1
                fed_before = self.policy.fed_in_response - len(samples)
                self.policy.on_underrun(now, fed_before, (now - previous_arrival) * 1000)
            if len(samples) == 0:
                return 0
            self._append(samples, item_id, content_index, response_id)
            if self._state == "idle":
                self._start_samples = None if underrun else int(self.start_buffer_ms * self.sample_rate / 1000)
                self._state = "prebuffering"
                self._start_at = now + self.prebuffer_ms / 1000
            if self._state == "prebuffering":
                cover = self.policy.cover_ms
                if cover is None:
                    self._cover_at = _NEVER
                else:  # the cover rule alone: the audio in hand + the silence since this delta >= cover
                    self._cover_at = now + cover / 1000 - (self._write - self._read) / self.sample_rate
                    self._start_at, self._start_samples = _NEVER, None
            self._drained = False
            return len(samples)

    def end_response(self, response_id: str | None) -> None:
        """No more audio will come for `response_id`: play what is queued without waiting out the prebuffer."""
        with self._lock:
            self._ended.add(response_id)
            if len(self._ended) > _CANCELLED_MEMORY:
                self._ended.clear()
                self._ended.add(response_id)

    def flush(self) -> int:
        """Drop everything queued (a short fade of what was playing first). Later feeds are still accepted."""
        with self._lock:
            return self._discard(lambda run: True)

    def interrupt(self, response_id: str | None = None) -> int:
        """Cancel a response: its queued audio goes (after a ≤ 5 ms fade) and its later feeds are dropped.

        With no id, every queued response and the one being fed are cancelled. Returns samples discarded.
        """
        with self._lock:
            if response_id is None:
                ids = {run.response_id for run in self._runs}
                ids.add(self._feeding)
                for rid in ids:
                    if rid is not None:
                        self._cancel(rid)
                return self._discard(lambda run: True)
            self._cancel(response_id)
            return self._discard(lambda run: run.response_id == response_id)

    def stats(self) -> JitterStats:
        with self._lock:
            return JitterStats(
                state=self._state,
                buffered_ms=self.buffered_samples * 1000 / self.sample_rate,
                prebuffer_ms=self.prebuffer_ms,
                start_buffer_ms=self.start_buffer_ms,
                underruns=self.underruns,
                overflows=self.overflows,
                overflow_dropped_samples=self.overflow_dropped_samples,
                dropped_feeds=self.dropped_feeds,
                flushed_samples=self.flushed_samples,
                played_samples=self.played_samples,
            )

    # --- consumer side (audio callback) ---------------------------------------------------------------------

    def read_into(self, out: Int16Array) -> int:
        """Fill `out` (1-D int16) with the next block; silence where there is nothing to play.

        Returns the number of samples of real (non-padding) audio written. Reports played samples per item to
        `on_played` after releasing the lock. Allocates nothing proportional to the buffer.
        """
        n = len(out)
        pos = 0
        reports = self._reports
        with self._lock:
            if self._fade_pending:
                start = self._fade_len - self._fade_pending
                k = min(n, self._fade_pending)
                out[:k] = self._fade[start : start + k]
                self._fade_pending -= k
                pos = k
            elif self._state == "prebuffering" and (
                self._clock() >= min(self._start_at, self._cover_at)
                or (self._start_samples is not None and self._write - self._read >= self._start_samples)
                or self._feeding in self._ended
                or self._feeding_stale()
            ):
                self._state = "playing"
            if self._state == "playing" and pos == 0:
                pos = self._copy_runs(out, reports)
                # Dry only if this block had to be padded: an exactly-filled block still plays for a whole
                # period, and audio arriving before the next callback continues without a gap.
                if pos < n:
                    self._state = "idle"
                    self._drained = True
                    self._drained_response = self._feeding
        if pos < n:
            out[pos:] = 0
        if reports:
            on_played = self._on_played
            if on_played is not None:
                for item_id, content_index, count in reports:
                    on_played(item_id, content_index, count)
            reports.clear()
        return pos

    # --- internals (called with the lock held) --------------------------------------------------------------

    def _feeding_stale(self) -> bool:
        # Queued audio of an earlier response than the one being fed is complete: no reason to wait.
        return bool(self._runs) and self._runs[0].response_id != self._feeding

    def _append(self, samples: Int16Array, item_id: str, content_index: int, response_id: str | None) -> None:
        count = len(samples)
        if count > self.capacity:
            skipped = count - self.capacity
            self.overflows += 1
            self.overflow_dropped_samples += skipped
            samples = samples[skipped:]
            self._write += skipped
            self._read = max(self._read, self._write - self.capacity)
            count = self.capacity
        free = self.capacity - (self._write - self._read)
        if count > free:
            self.overflows += 1
            self.overflow_dropped_samples += count - free
            self._read += count - free
            while self._runs and self._runs[0].end <= self._read:
                self._runs.popleft()
        start = self._write % self.capacity
        first = min(count, self.capacity - start)
        self._ring[start : start + first] = samples[:first]
        if first < count:
            self._ring[: count - first] = samples[first:]
        self._write += count
        last = self._runs[-1] if self._runs else None
        if (
            last is not None
            and last.item_id == item_id
            and last.content_index == content_index
            and last.response_id == response_id
        ):
            last.end = self._write
        else:
            self._runs.append(_Run(self._write, item_id, content_index, response_id))

    def _copy_runs(self, out: Int16Array, reports: list[tuple[str, int, int]]) -> int:
        n = len(out)
        pos = 0
        cancelled = self._cancelled
        while pos < n and self._runs:
            run = self._runs[0]
            if run.response_id is not None and run.response_id in cancelled:
                self.flushed_samples += run.end - self._read
                self._read = run.end
                self._runs.popleft()
                continue
            k = min(n - pos, run.end - self._read)
            start = self._read % self.capacity
            first = min(k, self.capacity - start)
            out[pos : pos + first] = self._ring[start : start + first]
            if first < k:
                out[pos + first : pos + k] = self._ring[: k - first]
            if reports and reports[-1][0] == run.item_id and reports[-1][1] == run.content_index:
                reports[-1] = (run.item_id, run.content_index, reports[-1][2] + k)
            else:
                reports.append((run.item_id, run.content_index, k))
            self._read += k
            pos += k
            self.played_samples += k
            if self._read >= run.end:
                self._runs.popleft()
        return pos

    def _cancel(self, response_id: str) -> None:
        if response_id in self._cancelled:
            return
        self._cancelled.add(response_id)
        self._cancelled_order.append(response_id)
        if len(self._cancelled_order) > _CANCELLED_MEMORY:
            self._cancelled.discard(self._cancelled_order.popleft())

    def _discard(self, doomed: Callable[[_Run], bool]) -> int:
        """Drop the leading queued runs `doomed` selects, fading the audible head. Returns samples dropped.

        Doomed runs behind a kept one stay queued; `_copy_runs` skips them because their response is cancelled.
        """
        dropped_to = self._read
        for run in self._runs:
            if not doomed(run):
                break
            dropped_to = run.end
        dropped = dropped_to - self._read
        if dropped == 0:
            return 0
        if self._state == "playing" and not self._fade_pending:
            k = min(self._fade_len, dropped)
            start = self._read % self.capacity
            first = min(k, self.capacity - start)
            tail = self._fade[self._fade_len - k :]  # read_into plays the last `_fade_pending` samples
            tail[:first] = self._ring[start : start + first]
            if first < k:
                tail[first:] = self._ring[: k - first]
            gains = np.arange(k, 0, -1, dtype=np.float32) / (k + 1)  # k/(k+1) ... 1/(k+1), then silence
            tail[:] = (tail * gains).astype(np.int16)
            self._fade_pending = k
        while self._runs and self._runs[0].end <= dropped_to:
            self._runs.popleft()
        self._read = dropped_to
        self.flushed_samples += dropped
        self.generation += 1
        if self._read == self._write:
            self._state = "idle"
            self._drained = False
        return dropped
