"""The capture path from the PortAudio callback to the socket: timestamped blocks, a lock-free handoff, coalescing,
and the capture-to-socket lag. Plain data over a clock; the callback side only appends and stamps.
"""

from __future__ import annotations

import bisect
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Int16Array = npt.NDArray[np.int16]
Clock = Callable[[], float]


class CaptureClock:
    """Capture times from the sample count: block n's first sample was captured at t0 + n / rate.

    A callback can run late (a busy interpreter, a sound server that buffered for us) and then sees old audio;
    `now` at that moment says nothing about when it was captured. The count does: t0 is the earliest
    `now - samples_so_far / rate` seen (the callback that ran most on time), allowed to creep up by `drift`
    (device clocks are not exactly the system's) and reset on an input overflow (samples were lost).
    """

    def __init__(self, samplerate: int, drift: float = 2e-4) -> None:
        self.rate = max(samplerate, 1)
        self.drift = drift
        self._t0: float | None = None
        self._n = 0
        self.late_s = 0.0  # how late the latest callback ran after its block ended

    def stamp(self, frames: int, now: float, overflow: bool = False) -> float:
        """The capture time of a block of `frames` that the callback got at `now`."""
        candidate = now - (self._n + frames) / self.rate
        if self._t0 is None or overflow:
            self._t0 = candidate
        else:
            self._t0 = min(candidate, self._t0 + self.drift * frames / self.rate)
        t = self._t0 + self._n / self.rate
        self._n += frames
        self.late_s = max(0.0, now - (t + frames / self.rate))
        return t


@dataclass(frozen=True)
class Block:
    """One device block as captured: raw samples (frames × channels) and its first sample's monotonic time."""

    samples: Int16Array
    t: float


class CaptureQueue:
    """Callback → event loop handoff. `push` (callback thread) appends; `drain` (loop) takes everything at once.

    The loop is woken at most once per drain (`wake` is called only when the queue goes from idle to pending and
    at least `wake_after_s` of audio is waiting), so a slow loop gets one large batch instead of many small ones.
    Bounded: past `max_s` of undelivered audio the oldest blocks go and are counted in `dropped_s`.
    """

    def __init__(self, samplerate: int, *, wake: Callable[[], None] | None = None, wake_after_s: float = 0.0,
                 max_s: float = 120.0) -> None:
        self.samplerate = max(samplerate, 1)
        self.wake = wake
        self.wake_after_s = wake_after_s
        self.max_frames = int(max_s * self.samplerate)
        self._blocks: deque[Block] = deque()
        self._frames = 0
        self._lock = threading.Lock()
        self._wake_pending = False
        self.dropped_s = 0.0
        self.pushed_blocks = 0

    def push(self, samples: Int16Array, t: float) -> None:
        """From the callback: keep a copy of the block stamped with its capture time."""
        with self._lock:
            self._blocks.append(Block(samples.copy(), t))
            self._frames += len(samples)
            self.pushed_blocks += 1
            while self._frames > self.max_frames and len(self._blocks) > 1:
                old = self._blocks.popleft()
                self._frames -= len(old.samples)
                self.dropped_s += len(old.samples) / self.samplerate
            wake = (not self._wake_pending and self.wake is not None
                    and self._frames >= self.wake_after_s * self.samplerate)
            if wake:
                self._wake_pending = True
        if wake and self.wake is not None:
            self.wake()

    def drain(self) -> list[Block]:
        """From the loop: every waiting block, oldest first."""
        with self._lock:
            blocks = list(self._blocks)
            self._blocks.clear()
            self._frames = 0
            self._wake_pending = False
        return blocks

    @property
    def pending_s(self) -> float:
        return self._frames / self.samplerate


def join_blocks(blocks: list[Block]) -> tuple[Int16Array, float] | None:
    """Blocks back to back as one array, with the first one's capture time (None when there are none)."""
    if not blocks:
        return None
    if len(blocks) == 1:
        return blocks[0].samples, blocks[0].t
    return np.concatenate([b.samples for b in blocks]), blocks[0].t


class LagMeter:
    """Capture-to-socket lag: for each append, how long ago its newest sample was captured when the append was
    in the socket (how far the stream the server sees trails the microphone; batching adds up to one batch).

    `last_ms` is the latest, `first_ms` the first of the session; `warning` is set while the lag is over
    `warn_ms` (with `clear_ms` hysteresis so it does not flicker).
    """

    def __init__(self, warn_ms: float = 400.0, clear_ms: float = 200.0, history: int = 4096) -> None:
        self.warn_ms, self.clear_ms = warn_ms, clear_ms
        self.first_ms: float | None = None
        self.last_ms: float | None = None
        self.max_ms = 0.0
        self.samples: deque[float] = deque(maxlen=history)
        self.warning = False
        self.appends = 0
        self._turn: list[float] = []

    def record(self, sent_at: float, captured_at: float) -> float:
        lag = max(0.0, (sent_at - captured_at) * 1000.0)
        if self.first_ms is None:
            self.first_ms = lag
        self.last_ms = lag
        self.max_ms = max(self.max_ms, lag)
        self.samples.append(lag)
        self._turn.append(lag)
        self.appends += 1
        if lag >= self.warn_ms:
            self.warning = True
        elif lag <= self.clear_ms:
            self.warning = False
        return lag

    def end_turn(self) -> float | None:
        """The median lag of the appends since the previous call (one user turn), None if there were none."""
        turn, self._turn = sorted(self._turn), []
        return turn[len(turn) // 2] if turn else None


class StreamClock:
    """Maps a position in the audio sent to the server (ms since the first appended sample) to capture time.

    The server reports speech start/end as `audio_*_ms` on that stream; with this the client knows when, on
    its own monotonic clock, the user actually stopped speaking. Keeps `history` anchor points.
    """

    def __init__(self, samplerate: int, history: int = 20000) -> None:
        self.samplerate = samplerate
        self._offsets: deque[int] = deque(maxlen=history)
        self._times: deque[float] = deque(maxlen=history)
        self.sent_samples = 0

    def sent(self, samples: int, t: float) -> None:
        """`samples` samples whose first one was captured at `t` went to the server."""
        if samples <= 0:
            return
        self._offsets.append(self.sent_samples)
        self._times.append(t)
        self.sent_samples += samples

    def reset(self) -> None:
        """A new server session: its stream starts again at 0."""
        self._offsets.clear()
        self._times.clear()
        self.sent_samples = 0

    def time_at(self, ms: float) -> float | None:
        """Capture time of the sample `ms` into the stream (None when it is not (any longer) known)."""
        if not self._offsets:
            return None
        position = int(ms * self.samplerate / 1000)
        index = bisect.bisect_right(self._offsets, position) - 1
        if index < 0 or position > self.sent_samples:
            return None
        return self._times[index] + (position - self._offsets[index]) / self.samplerate
