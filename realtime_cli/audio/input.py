"""What happens to microphone frames: push-to-talk, open mic behind an echo gate, and the mic level meter.

Pure logic over int16 frames at 24 kHz and a clock; no device. The session supplies the callbacks.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..protocol.codecs import PCM16_RATE

Int16Array = npt.NDArray[np.int16]
FrameSink = Callable[[Int16Array], None]
"""Receives 24 kHz mono int16 mic frames (the session appends them to the input audio buffer)."""


@dataclass(frozen=True)
class Level:
    """Loudness of a block: linear RMS and peak in [0, 1] and their dBFS."""

    rms: float
    peak: float

    @property
    def rms_dbfs(self) -> float:
        return 20 * math.log10(max(self.rms, 1e-6))

    @property
    def peak_dbfs(self) -> float:
        return 20 * math.log10(max(self.peak, 1e-6))


SILENT = Level(0.0, 0.0)


def measure(samples: Int16Array) -> Level:
    """RMS and peak of int16 samples, relative to full scale."""
    if len(samples) == 0:
        return SILENT
    x = samples.astype(np.float32).ravel()
    peak = max(float(x.max()), -float(x.min()))
    return Level(math.sqrt(float(np.dot(x, x)) / x.size) / 32768.0, peak / 32768.0)


class LevelMeter:
    """A mic meter for the UI: the latest level plus a peak that falls at `decay_db_per_s`."""

    def __init__(self, decay_db_per_s: float = 20.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._decay = decay_db_per_s
        self._clock = clock
        self.level = SILENT
        self._held_peak = 0.0
        self._held_at = clock()

    def update(self, samples: Int16Array) -> Level:
        self.level = measure(samples)
        if self.level.peak >= self.held_peak:
            self._held_peak, self._held_at = self.level.peak, self._clock()
        return self.level

    @property
    def held_peak(self) -> float:
        elapsed = self._clock() - self._held_at
        return self._held_peak * 10 ** (-self._decay * elapsed / 20)


class EchoGate:
    """Without echo cancellation, let the mic through during playback only when it is clearly louder than echo.

    A frame passes if no agent audio is playing, or if the barge-in warm-up after the agent started speaking is
    over and mic RMS ≥ max(floor, ratio · playback_rms + offset).
    """

    def __init__(
        self,
        *,
        floor: float = 0.015,
        ratio: float = 0.6,
        offset: float = 0.002,
        warmup_s: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.floor, self.ratio, self.offset, self.warmup_s = floor, ratio, offset, warmup_s
        self._clock = clock
        self._speaking_since: float | None = None

    def threshold(self, playback_rms: float) -> float:
        return max(self.floor, self.ratio * playback_rms + self.offset)

    def allows(self, mic_rms: float, playback_rms: float, agent_speaking: bool) -> bool:
        if not agent_speaking:
            self._speaking_since = None
            return True
        now = self._clock()
        if self._speaking_since is None:
            self._speaking_since = now
        if now - self._speaking_since < self.warmup_s:
            return False
        return mic_rms >= self.threshold(playback_rms)


class PushToTalk:
    """Forward what was captured while the talk key was down; end the turn as soon as all of it is in hand.

    Judged by capture time, not arrival time: frames are stamped when the device captured them, so audio still
    queued behind a busy event loop when the key comes up is forwarded in full (the turn is everything stamped
    up to the release plus `tail_ms`, a margin for the stamps' own error), and `preroll_ms` of audio from just
    before a late-read press is kept. `on_turn_end` fires once per turn, as soon as a frame reaching the margin
    arrives (or `poll` finds the mic silent well past it). Pressing while the agent speaks calls `on_barge_in`
    first. The stamps matched an independent recording of the same source within a millisecond (docs/voice.md),
    so the default margin of one 20 ms device block only allows for buffering a real device may add.
    """

    def __init__(
        self,
        sink: FrameSink,
        *,
        on_turn_end: Callable[[], None],
        on_barge_in: Callable[[], None] | None = None,
        agent_speaking: Callable[[], bool] = lambda: False,
        tail_ms: float = 20.0,
        preroll_ms: float = 100.0,
        give_up_s: float = 1.0,
        sample_rate: int = PCM16_RATE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sink = sink
        self._on_turn_end = on_turn_end
        self._on_barge_in = on_barge_in
        self._agent_speaking = agent_speaking
        self._rate = sample_rate
        self._tail_s = tail_ms / 1000
        self._preroll_s = preroll_ms / 1000
        self._give_up_s = give_up_s
        self._clock = clock
        self._press_t: float | None = None
        self._tail_end: float | None = None
        self._next_t: float | None = None
        self._recent: deque[tuple[Int16Array, float]] = deque()
        self.forwarded_samples = 0
        self.turns = 0
        self.released_at: float | None = None
        self.sink_time = 0.0  # capture time of the first sample of what the sink is being handed right now

    @property
    def talking(self) -> bool:
        """True while the key is held or the tail is still being forwarded."""
        return self._press_t is not None or self._tail_end is not None

    @property
    def held(self) -> bool:
        return self._press_t is not None

    def press(self, t: float | None = None) -> None:
        if self._press_t is not None:
            return
        t = self._clock() if t is None else t
        if self._tail_end is not None:  # pressed again during the tail: the same turn continues
            self._tail_end = None
            self._press_t = t
            return
        if self._on_barge_in is not None and self._agent_speaking():
            self._on_barge_in()
        self._press_t = t
        for samples, ft in self._recent:  # the preroll, already delivered before the press was read
            self._forward_from(samples, ft, t - self._preroll_s)
        self._recent.clear()

    def release(self, t: float | None = None) -> None:
        if self._press_t is None:
            return
        t = self._clock() if t is None else t
        self._press_t = None
        self.released_at = t
        self._tail_end = t + self._tail_s
        self._recent.clear()

    def toggle(self, t: float | None = None) -> None:
        """For terminals without key-up events: one key press starts a turn, the next ends it."""
        if self._press_t is not None:
            self.release(t)
        else:
            self.press(t)

    def on_frame(self, samples: Int16Array, t: float | None = None) -> None:
        """Feed every mic frame here (on the event loop), with the capture time of its first sample."""
        if t is None:  # unstamped: assume a continuous stream
            t = self._next_t if self._next_t is not None else self._clock()
        self._next_t = t + len(samples) / self._rate  # (the meter is the device's: DuplexAudio.mic_meter)
        if self._press_t is not None:
            self._forward_from(samples, t, self._press_t - self._preroll_s)
        elif self._tail_end is not None:
            keep = round((self._tail_end - t) * self._rate)
            self._forward(samples[: max(keep, 0)], t)
            if keep <= len(samples):
                self._end_turn()
        else:
            self._remember(samples, t)
        self.poll()

    def poll(self, now: float | None = None) -> None:
        """End a turn whose tail never arrived (the mic stopped delivering); call it from a timer if frames can stop."""
        if self._tail_end is None:
            return
        now = self._clock() if now is None else now
        if now >= self._tail_end + self._give_up_s:
            self._end_turn()

    def _remember(self, samples: Int16Array, t: float) -> None:
        self._recent.append((samples, t))
        while self._recent and self._recent[0][1] + len(self._recent[0][0]) / self._rate < t - self._preroll_s:
            self._recent.popleft()

    def _forward_from(self, samples: Int16Array, t: float, start: float) -> None:
        skip = max(round((start - t) * self._rate), 0)
        self._forward(samples[skip:], t + skip / self._rate)

    def _forward(self, samples: Int16Array, t: float) -> None:
        if len(samples):
            self.forwarded_samples += len(samples)
            self.sink_time = t
            self._sink(samples)

    def _end_turn(self) -> None:
        self._tail_end = None
        self.turns += 1
        self._on_turn_end()


class OpenMic:
    """Always listening; during agent playback frames must pass the echo gate.

    Gated frames are replaced by silence of the same length, so the server's VAD and timestamps see a
    continuous stream. After `barge_in_ms` of consecutive passing frames while the agent speaks, `on_barge_in`
    fires once per agent turn (the session interrupts; server VAD would do it later).
    """

    def __init__(
        self,
        sink: FrameSink,
        *,
        playback_rms: Callable[[], float],
        agent_speaking: Callable[[], bool],
        gate: EchoGate | None = None,
        on_barge_in: Callable[[], None] | None = None,
        barge_in_ms: float = 200.0,
        sample_rate: int = PCM16_RATE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sink = sink
        self._playback_rms = playback_rms
        self._agent_speaking = agent_speaking
        self.gate = gate if gate is not None else EchoGate(clock=clock)
        self._on_barge_in = on_barge_in
        self._barge_samples = int(sample_rate * barge_in_ms / 1000)
        self._passing = 0
        self._barged = False
        self._clock = clock
        self.meter = LevelMeter(clock=clock)
        self.gated_samples = 0
        self.sink_time = 0.0

    def on_frame(self, samples: Int16Array, t: float | None = None) -> None:
        """Feed every mic frame here, with the capture time of its first sample (for the sender's lag)."""
        self.sink_time = self._clock() if t is None else t
        level = self.meter.update(samples)
        speaking = self._agent_speaking()
        if not speaking:
            self._passing, self._barged = 0, False
            self._sink(samples)
            return
        if self.gate.allows(level.rms, self._playback_rms(), speaking):
            self._passing += len(samples)
            self._sink(samples)
            if not self._barged and self._passing >= self._barge_samples and self._on_barge_in is not None:
                self._barged = True
                self._on_barge_in()
        else:
            self._passing = 0
            self.gated_samples += len(samples)
            self._sink(np.zeros_like(samples))
