"""Input audio of one engine session: the buffer, server VAD (or manual commits), and recognition of each
committed turn on a worker thread (whisper releases the GIL, so sessions decode in parallel).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import numpy as np
import soxr

from ..protocol.codecs import PCM16_RATE, AudioFormat, sample_rate, to_pcm16_samples
from ..protocol.session_config import TurnDetectionConfig
from .speech import SessionSpeech
from .vad import SpeechStarted, SpeechStopped, VadEvent, VoiceActivityDetector, semantic_silence_ms
from .wire import ClientEventError

MAX_BUFFER_SAMPLES = PCM16_RATE * 60 * 15  # 15 minutes of input audio at most in one buffer (oldest dropped)


@dataclass
class Committed:
    """A committed user turn: its audio length and recognized words."""

    audio_ms: float
    text: str


class InputTurns:
    """Owns the input buffer. `append` returns VAD events; `commit` returns the turn (or None if empty)."""

    def __init__(self) -> None:
        self.input_format: AudioFormat = "pcm16"
        self._chunks: list[np.ndarray] = []
        self._buffered = 0
        self._vad: VoiceActivityDetector | None = None
        self._vad_key: tuple[object, ...] | None = None
        self._model: SessionSpeech | None = None
        self._problem_told = False
        self._held: list[VadEvent] = []  # VAD events of the chunk whose append reported a missing model
        self._resampler: soxr.ResampleStream | None = None
        self.stream_ms = 0.0  # input audio received in this session, for audio_start_ms/audio_end_ms

    def configure(self, turn_detection: TurnDetectionConfig | None, input_format: AudioFormat) -> None:
        if input_format != self.input_format:
            self.input_format = input_format
            self._resampler = None
        if turn_detection is None:
            self._vad, self._vad_key = None, None
            return
        kind = turn_detection.get("type", "server_vad")
        if kind == "semantic_vad":
            silence = semantic_silence_ms(turn_detection.get("eagerness", "auto") or "auto")
            key: tuple[object, ...] = (kind, 0.5, 300, silence)
        else:
            key = (kind, _or(turn_detection.get("threshold"), 0.5), _or(turn_detection.get("prefix_padding_ms"), 300),
                   _or(turn_detection.get("silence_duration_ms"), 500))
        if key != self._vad_key:
            self._vad_key = key
            values = [float(str(k)) for k in key[1:]]
            self._vad = VoiceActivityDetector(values[0], int(values[1]), int(values[2]))

    @property
    def vad_enabled(self) -> bool:
        return self._vad is not None

    def set_model(self, model: SessionSpeech) -> None:
        self._model = model

    def _to_24k(self, data: bytes) -> np.ndarray:
        samples = to_pcm16_samples(data, self.input_format)
        rate = sample_rate(self.input_format)
        if rate == PCM16_RATE:
            return samples
        if self._resampler is None:
            self._resampler = soxr.ResampleStream(rate, PCM16_RATE, 1, dtype="int16")
        return np.asarray(self._resampler.resample_chunk(samples), dtype=np.int16)

    async def append(self, data: bytes) -> list[VadEvent]:
        samples = self._to_24k(data)
        self.stream_ms += samples.size * 1000 / PCM16_RATE
        if self._buffered + samples.size > MAX_BUFFER_SAMPLES:
            drop = self._buffered + samples.size - MAX_BUFFER_SAMPLES
            while drop > 0 and self._chunks:
                first = self._chunks[0]
                if first.size <= drop:
                    self._chunks.pop(0)
                    drop -= first.size
                    self._buffered -= first.size
                else:
                    self._chunks[0] = first[drop:]
                    self._buffered -= drop
                    drop = 0
        self._chunks.append(samples)
        self._buffered += samples.size
        events, self._held = [*self._held, *(self._vad.feed(samples) if self._vad is not None else [])], []
        if self._model is not None and self._model.problem and not self._problem_told:
            self._problem_told, self._held = True, events  # the audio is kept; the client is told once
            raise ClientEventError(self._model.problem, code="speech_model_unavailable", kind="server_error")
        return events

    @property
    def buffered_ms(self) -> float:
        return self._buffered * 1000 / PCM16_RATE

    async def commit(self) -> Committed | None:
        """Take the buffer as a user turn; None when it is empty."""
        if self._buffered == 0:
            return None
        audio_ms = self.buffered_ms
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)
        self._chunks, self._buffered = [], 0
        text = await asyncio.to_thread(self._model.transcribe, audio) if self._model is not None else ""
        return Committed(audio_ms, text)

    async def clear(self) -> None:
        self._chunks, self._buffered = [], 0


__all__ = ["Committed", "InputTurns", "SpeechStarted", "SpeechStopped"]


def _or(value: object, default: float) -> object:
    """A turn-detection field left out or sent as null takes the service's default."""
    return default if value is None else value
