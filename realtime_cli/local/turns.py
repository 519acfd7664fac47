"""Input audio of one engine session: the buffer, server VAD (or manual commits), and recognition of each
committed turn on a worker thread (whisper releases the GIL), decoded ahead at pauses while the user speaks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import soxr

from ..protocol.codecs import PCM16_RATE, AudioFormat, sample_rate, to_pcm16_samples
from ..protocol.session_config import TurnDetectionConfig
from .ahead import (
    PARTIAL_EVERY_MS,
    PARTIAL_MIN_MS,
    PAUSE_MS,
    DecodeAhead,
    Span,
    Transcriber,
    ms_samples,
    spare_recognizer,
    transcribe_off_loop,
    utterance_span,
)
from .vad import FRAME_MS, SpeechStarted, SpeechStopped, VadEvent, VoiceActivityDetector, semantic_silence_ms
from .wire import ClientEventError

MAX_BUFFER_SAMPLES = PCM16_RATE * 60 * 15  # 15 minutes of input audio at most in one buffer (oldest dropped)
LIVE_FRACTION = 0.5  # audio is live (worth decoding ahead) when it came in at least half as slowly as it plays


@dataclass
class Committed:
    """A committed user turn: its audio length and recognized words (`ahead`: decoded before the commit came)."""

    audio_ms: float
    text: str
    ahead: bool = False


@dataclass(frozen=True)
class Partial:
    """The words of the speech so far, from a decode ahead (may still change; the commit's text is final)."""

    text: str


TurnEvent = SpeechStarted | SpeechStopped | Partial


class InputTurns:
    """Owns the input buffer. `append` returns VAD events; `commit` returns the turn (or None if empty)."""

    def __init__(self) -> None:
        self.input_format: AudioFormat = "pcm16"
        self._chunks: list[np.ndarray] = []
        self._buffered = 0
        self._vad: VoiceActivityDetector | None = None
        self._vad_key: tuple[object, ...] | None = None
        self._listener: VoiceActivityDetector | None = None  # hears pauses for decode-ahead when commits are manual
        self._vad_origin = 0  # buffer-independent sample count at which the detector in use was created
        self._model: Transcriber | None = None
        self._problem_told = False
        self._held: list[VadEvent] = []  # VAD events of the chunk whose append reported a missing model
        self._resampler: soxr.ResampleStream | None = None
        self.stream_ms = 0.0  # input audio received in this session, for audio_start_ms/audio_end_ms
        self._received = 0  # samples received in this session
        self._buffer_start = 0  # ... when the current buffer began
        self._first_voiced: int | None = None  # buffer samples: where speech was first / last heard in it
        self._last_voiced: int | None = None
        self.ahead = DecodeAhead()
        self.clock: Callable[[], float] = time.monotonic  # seconds; when the buffer's audio came in
        self._began: float | None = None
        self.partials_wanted = False  # decode ahead in long speech too, for partial transcripts

    def configure(self, turn_detection: TurnDetectionConfig | None, input_format: AudioFormat) -> None:
        if input_format != self.input_format:
            self.input_format = input_format
            self._resampler = None
        if turn_detection is None:
            if self._vad is not None or self._listener is None:
                self._vad, self._vad_key = None, None
                self._listener = VoiceActivityDetector(0.5, 0, PAUSE_MS)
                self._vad_origin = self._received
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
            self._listener, self._vad_origin = None, self._received

    @property
    def vad_enabled(self) -> bool:
        return self._vad is not None

    def set_model(self, model: Transcriber) -> None:
        self._model = model
        self.ahead.new_buffer()  # a new prompt: what was decoded with the old one is not reused

    def _to_24k(self, data: bytes) -> np.ndarray:
        samples = to_pcm16_samples(data, self.input_format)
        rate = sample_rate(self.input_format)
        if rate == PCM16_RATE:
            return samples
        if self._resampler is None:
            self._resampler = soxr.ResampleStream(rate, PCM16_RATE, 1, dtype="int16")
        return np.asarray(self._resampler.resample_chunk(samples), dtype=np.int16)

    async def append(self, data: bytes) -> list[TurnEvent]:
        samples = self._to_24k(data)
        self.stream_ms += samples.size * 1000 / PCM16_RATE
        self._received += samples.size
        if self._buffered + samples.size > MAX_BUFFER_SAMPLES:
            drop = self._buffered + samples.size - MAX_BUFFER_SAMPLES
            self._moved(drop)
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
        if self._began is None:
            self._began = self.clock()
        self._chunks.append(samples)
        self._buffered += samples.size
        fresh = self._vad.feed(samples) if self._vad is not None else []
        if self._listener is not None:
            self._heard(self._listener, self._listener.feed(samples))
        else:
            self._heard(self._vad, fresh)
        events, self._held = [*self._held, *fresh], []
        if self._model is not None and self._model.problem and not self._problem_told:
            self._problem_told, self._held = True, events  # the audio is kept; the client is told once
            raise ClientEventError(self._model.problem, code="speech_model_unavailable", kind="server_error")
        return [*events, *self._look_ahead()]

    # --- decode-ahead ------------------------------------------------------------------------------------------

    def _moved(self, dropped: int) -> None:
        """The oldest `dropped` samples left the buffer: shift what was heard, forget what was decoded."""
        self._buffer_start += dropped
        shift = [None if v is None or v < dropped else v - dropped for v in (self._first_voiced, self._last_voiced)]
        self._first_voiced = None if shift[1] is None else (shift[0] or 0)
        self._last_voiced = shift[1]
        self.ahead.new_buffer()

    def _in_buffer(self, ms: int | None) -> int | None:
        """A detector time (ms since it was created) in samples of the current buffer; None before the buffer."""
        if ms is None:
            return None
        at = self._vad_origin + ms_samples(ms) - self._buffer_start
        return at if at >= 0 else None

    def _heard(self, detector: VoiceActivityDetector | None, events: list[VadEvent]) -> None:
        if detector is None:
            return
        for event in events:
            if isinstance(event, SpeechStarted) and self._first_voiced is None:
                self._first_voiced = max(0, self._in_buffer(event.audio_start_ms) or 0)
        end = self._in_buffer(detector.speech_end_ms)
        # (a speech end in the first frames of a buffer that heard no onset is the detector catching up with the
        # audio of the turn just committed, not speech of this one)
        if end is not None and end > (0 if self._first_voiced is not None else ms_samples(2 * FRAME_MS)):
            self._last_voiced = end
            if self._first_voiced is None:
                self._first_voiced = 0  # the speech began before this buffer did

    def _span(self) -> Span:
        return utterance_span(self._buffered, self._first_voiced, self._last_voiced)

    def _audio(self, span: Span) -> np.ndarray:
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)
        return audio[span[0]:span[1]]

    def _look_ahead(self) -> list[Partial]:
        """Start a decode of the speech so far at a pause after it (or, for partial transcripts, after each
        PARTIAL_EVERY_MS more of long speech); hand out the text of one that finished."""
        text = self.ahead.finished_text()
        out = [Partial(text)] if text else []
        model, detector = self._model, self._listener or self._vad
        if model is None or model.problem or detector is None or self._last_voiced is None or self.ahead.busy:
            return out
        if (self.clock() - (self._began or 0.0)) * 1000 < LIVE_FRACTION * self.buffered_ms:
            return out  # audio sent faster than it is spoken (a file, a script): its commit comes next, not later
        heard = self._in_buffer(detector.position_ms) or 0
        span = self._span()
        if heard - self._last_voiced >= ms_samples(PAUSE_MS):
            if self.ahead.last_span != span:
                self.ahead.start(model, self._audio(span), span)
        elif (self.partials_wanted and self._buffered - span[0] >= ms_samples(PARTIAL_MIN_MS)
              and spare_recognizer()):
            last = self.ahead.last_span
            if last is None or self._buffered - last[1] >= ms_samples(PARTIAL_EVERY_MS):
                now = (span[0], self._buffered)
                self.ahead.start(model, self._audio(now), now, partial=True)
        return out

    async def settle(self) -> None:
        """Wait for the decode ahead in flight, if any (a sync point for tests and benchmarks)."""
        await self.ahead.settle()

    def _new_buffer(self) -> None:
        self._chunks, self._buffered = [], 0
        self._buffer_start = self._received
        self._first_voiced = self._last_voiced = None
        self._began = None
        self.ahead.new_buffer()

    @property
    def buffered_ms(self) -> float:
        return self._buffered * 1000 / PCM16_RATE

    async def commit(self) -> Committed | None:
        """Take the buffer as a user turn; None when it is empty."""
        if self._buffered == 0:
            return None
        audio_ms = self.buffered_ms
        span = self._span()
        audio = self._audio(span)
        ready = self.ahead.take(span)
        self._new_buffer()
        model = self._model
        if model is None:
            return Committed(audio_ms, "")
        if ready is not None:
            try:
                text = await ready
            except Exception:  # the decode ahead failed: decode again, and let that one report it
                pass
            else:
                self.ahead.reused += 1
                return Committed(audio_ms, text, ahead=True)
        return Committed(audio_ms, await transcribe_off_loop(model, audio))

    async def clear(self) -> None:
        self._new_buffer()

    def close(self) -> None:
        """The session ended: a decode ahead still waiting for its turn is skipped."""
        self.ahead.new_buffer(cancel=True)


__all__ = ["Committed", "InputTurns", "Partial", "SpeechStarted", "SpeechStopped", "TurnEvent"]


def _or(value: object, default: float) -> object:
    """A turn-detection field left out or sent as null takes the service's default."""
    return default if value is None else value
