"""Voice activity detection for the local engine: WebRTC VAD gated by loudness and spectral flatness.

Pure and synchronous: feed int16 audio, get `SpeechStarted` / `SpeechStopped` events stamped in milliseconds of
fed audio, as the server_vad turn detector reports them; plus the silence wait that approximates semantic_vad.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import webrtcvad

from realtime_cli.protocol.codecs import PCM16_RATE

Int16Array = npt.NDArray[np.int16]
Eagerness = Literal["low", "medium", "high", "auto"]

FRAME_MS = 20
_WEBRTC_RATES = (8000, 16000, 32000, 48000)
_ONSET_FRAMES = 3  # speech must hold for this many of the last `_ONSET_WINDOW` frames to count as started
_ONSET_WINDOW = 5


@dataclass(frozen=True)
class SpeechStarted:
    """Speech began; `audio_start_ms` already includes the prefix padding (never below 0)."""

    audio_start_ms: int


@dataclass(frozen=True)
class SpeechStopped:
    """Speech ended and the silence wait ran out.

    `audio_end_ms` is where the turn's audio ends: the last speech frame plus the silence wait, as the
    Realtime API reports it. `speech_end_ms` is the end of the last speech frame itself.
    """

    audio_end_ms: int
    speech_end_ms: int


VadEvent = SpeechStarted | SpeechStopped


def energy_gate_dbfs(threshold: float) -> float:
    """The frame loudness (RMS, dB below full scale) a `threshold` in 0..1 requires: 0 → -60 dB, 1 → -20 dB."""
    return -60.0 + 40.0 * min(max(threshold, 0.0), 1.0)


def flatness_limit(threshold: float) -> float:
    """The highest spectral flatness still taken for voice: noise-like frames (white noise ≈ 0.56) are refused."""
    return 0.5 - 0.25 * min(max(threshold, 0.0), 1.0)


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

    `threshold` (0..1) raises the loudness a frame needs and lowers how noise-like it may be; prefix padding
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
        if sample_rate not in _WEBRTC_RATES and sample_rate % 8000:
            raise ValueError(f"unsupported VAD sample rate {sample_rate}; use a multiple of 8000 Hz")
        self.threshold = threshold
        self.prefix_padding_ms = prefix_padding_ms
        self.silence_duration_ms = silence_duration_ms
        self.sample_rate = sample_rate
        self._decimate = 1 if sample_rate in _WEBRTC_RATES else sample_rate // 8000
        self._vad_rate = sample_rate // self._decimate
        self._vad = webrtcvad.Vad(_aggressiveness(threshold))
        self._frame = sample_rate * FRAME_MS // 1000
        self._gate_rms = 32768.0 * 10 ** (energy_gate_dbfs(threshold) / 20)
        self._flatness_limit = flatness_limit(threshold)
        self._window = np.hanning(self._frame).astype(np.float32)
        self._pending = np.zeros(0, dtype=np.int16)
        self._frames_done = 0
        self._recent: list[bool] = []
        self._in_speech = False
        self._last_speech_end_ms = 0
        self._silent_frames = 0

    @property
    def in_speech(self) -> bool:
        """Whether a turn is open (started and not yet stopped)."""
        return self._in_speech

    @property
    def position_ms(self) -> int:
        """Milliseconds of audio analysed so far (whole frames only)."""
        return self._frames_done * FRAME_MS

    def feed(self, samples: Int16Array) -> list[VadEvent]:
        """Analyse more audio (any length); returns the events it completed, in order."""
        audio = np.concatenate([self._pending, np.asarray(samples, dtype=np.int16)])
        usable = audio.size - audio.size % self._frame
        self._pending = audio[usable:]
        events: list[VadEvent] = []
        for start in range(0, usable, self._frame):
            event = self._step(self.is_speech_frame(audio[start : start + self._frame]))
            if event is not None:
                events.append(event)
        return events

    def is_speech_frame(self, frame: Int16Array) -> bool:
        """One frame's verdict: loud enough, not noise-like, and voiced according to WebRTC VAD."""
        values = frame.astype(np.float32)
        if math.sqrt(float(np.mean(values * values))) < self._gate_rms:
            return False
        spectrum = np.abs(np.fft.rfft(values * self._window))[1:] ** 2 + 1e-3
        flatness = float(np.exp(np.mean(np.log(spectrum))) / np.mean(spectrum))
        if flatness > self._flatness_limit:
            return False
        if self._decimate > 1:
            frame = values.reshape(-1, self._decimate).mean(axis=1).astype(np.int16)
        return bool(self._vad.is_speech(frame.astype("<i2").tobytes(), self._vad_rate))

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
            return SpeechStopped(
                audio_end_ms=self._last_speech_end_ms + self.silence_duration_ms,
                speech_end_ms=self._last_speech_end_ms,
            )
        return None


def _aggressiveness(threshold: float) -> int:
    """WebRTC VAD mode (0 = permissive … 3 = strict) for a 0..1 threshold."""
    return min(3, max(0, int(threshold * 4)))
