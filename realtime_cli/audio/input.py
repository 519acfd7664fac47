"""What happens to microphone frames: push-to-talk, open mic behind an echo gate, and the mic level meter.

Pure logic over int16 frames at 24 kHz and a clock; no device. The session supplies the callbacks.
"""

from __future__ import annotations

import math
import time
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
    x = samples.astype(np.float32) / 32768.0
    return Level(float(np.sqrt(np.mean(x * x))), float(np.max(np.abs(x))))


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
    """Forward mic frames only while the talk key is held; on release, forward a short tail, then end the turn.

    The tail covers audio still in flight from the device when the key came up. `on_turn_end` fires once per
    turn, after the tail (the session then commits the input buffer and creates a response). Pressing while the
    agent speaks calls `on_barge_in` first (the session interrupts playback).
    """

    def __init__(
        self,
        sink: FrameSink,
        *,
        on_turn_end: Callable[[], None],
        on_barge_in: Callable[[], None] | None = None,
        agent_speaking: Callable[[], bool] = lambda: False,
        tail_ms: float = 150.0,
        sample_rate: int = PCM16_RATE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sink = sink
        self._on_turn_end = on_turn_end
        self._on_barge_in = on_barge_in
        self._agent_speaking = agent_speaking
        self._tail_samples = int(sample_rate * tail_ms / 1000)
        self._tail_s = tail_ms / 1000
        self._clock = clock
        self._talking = False
        self._tail_left = 0
        self._tail_deadline: float | None = None
        self.meter = LevelMeter(clock=clock)
        self.forwarded_samples = 0
        self.turns = 0

    @property
    def talking(self) -> bool:
        """True while the key is held or the tail is still being forwarded."""
        return self._talking or self._tail_deadline is not None

    def press(self) -> None:
        if self._talking:
            return
        if self._tail_deadline is not None:  # pressed again during the tail: the same turn continues
            self._tail_deadline = None
        elif self._on_barge_in is not None and self._agent_speaking():
            self._on_barge_in()
        self._talking = True

    def release(self) -> None:
        if not self._talking:
            return
        self._talking = False
        self._tail_left = self._tail_samples
        self._tail_deadline = self._clock() + self._tail_s * 2  # frames normally bring the tail in sooner
        if self._tail_left == 0:
            self._end_turn()

    def toggle(self) -> None:
        """For terminals without key-up events: one key press starts a turn, the next ends it."""
        if self._talking:
            self.release()
        else:
            self.press()

    def on_frame(self, samples: Int16Array) -> None:
        """Feed every mic frame here (on the event loop)."""
        self.meter.update(samples)
        if self._talking:
            self._forward(samples)
        elif self._tail_deadline is not None:
            part = samples[: self._tail_left]
            self._forward(part)
            self._tail_left -= len(part)
            if self._tail_left <= 0:
                self._end_turn()
        self.poll()

    def poll(self) -> None:
        """End a turn whose tail never arrived (the mic stopped delivering); call it from a timer if frames can stop."""
        if self._tail_deadline is not None and self._clock() >= self._tail_deadline:
            self._end_turn()

    def _forward(self, samples: Int16Array) -> None:
        if len(samples):
            self.forwarded_samples += len(samples)
            self._sink(samples)

    def _end_turn(self) -> None:
        self._tail_deadline = None
        self._tail_left = 0
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
        self.meter = LevelMeter(clock=clock)
        self.gated_samples = 0

    def on_frame(self, samples: Int16Array) -> None:
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
