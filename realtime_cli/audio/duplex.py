"""The full-duplex sound device: one PortAudio stream (or an input/output pair) at the device's own format.

It owns the callbacks, the conversion to and from 24 kHz mono, playback reporting and device-health counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ..protocol.codecs import PCM16_RATE, AudioFormat
from .capture import CaptureClock, CaptureQueue, join_blocks
from .device import (
    AudioDeviceError,
    DeviceInfo,
    StreamFormat,
    describe_open_error,
    load_sounddevice,
    negotiate_format,
    resolve_device,
)
from .input import FrameSink, Level, LevelMeter
from .jitter import JitterBuffer, JitterStats
from .resample import StreamResampler, decode_to_pcm16, downmix, upmix_into
from .watchdog import CallbackWatchdog

Int16Array = npt.NDArray[np.int16]


class PlaybackReporter(Protocol):
    """What DuplexAudio needs of a playback tracker (RealtimePlaybackTracker satisfies it)."""

    def on_play_ms(self, item_id: str, item_content_index: int, ms: float) -> None: ...


@dataclass(frozen=True)
class AudioConfig:
    """How to open the device. Devices are an index, a name substring, or None for the system default."""

    input_device: int | str | None = None
    output_device: int | str | None = None
    capture: bool = True
    playback: bool = True
    block_ms: float = 10.0
    latency: float | str = "low"
    min_prebuffer_ms: float = 40.0
    max_prebuffer_ms: float = 120.0
    buffer_s: float = 32.0
    stall_threshold_s: float = 1.0
    start_grace_s: float = 2.0  # no stall verdict until the streams had this long to start
    prefer_duplex: bool = True  # one full-duplex stream when both sides share a rate (else an input/output pair)
    deliver_ms: float = 0.0  # wake the loop for mic audio only once this much is waiting (0: every block)
    input_block_ms: float | None = None  # the input stream's block when it is not one duplex stream (None: block_ms)


@dataclass(frozen=True)
class AudioStats:
    """Device and buffer health, for the status line and `--debug`."""

    jitter: JitterStats | None
    callbacks: int
    output_underflows: int
    input_overflows: int
    other_status_flags: int
    stalls: int
    mic_frames_dropped: int
    output_format: StreamFormat | None = None
    input_format: StreamFormat | None = None
    duplex: bool = field(default=False)


class DuplexAudio:
    """Speaker and microphone at 24 kHz mono int16, whatever the hardware runs at.

    Event-loop side: `start()` (or `async with`), `play()` per audio delta, `end_response()` when a response's
    audio is complete, `interrupt()` on barge-in, `close()`. Mic frames (24 kHz mono int16, one block each) go to
    `mic_sink` on the event loop that called `start()` (or `mic_sink_timed`, which also gets the capture time of
    the first sample); blocks the loop could not take in time arrive together as one longer frame. Played audio
    is reported to `tracker.on_play_ms` from the callback thread right after each block, per item.
    """

    def __init__(
        self,
        config: AudioConfig | None = None,
        *,
        tracker: PlaybackReporter | None = None,
        mic_sink: FrameSink | None = None,
    ) -> None:
        self.config = config if config is not None else AudioConfig()
        self.tracker = tracker
        self.mic_sink = mic_sink
        self.mic_sink_timed: Callable[[Int16Array, float], None] | None = None
        self.capture: CaptureQueue | None = None
        self.capture_clock: CaptureClock | None = None
        self.play_started: tuple[str, float] | None = None  # (item, monotonic time its first sample is heard)
        self.play_callback_at = 0.0  # when the callback that played that first sample ran
        self._dac_delay = 0.0
        self.watchdog = CallbackWatchdog(self.config.stall_threshold_s)
        self.mic_meter = LevelMeter()
        self.output_format: StreamFormat | None = None
        self.input_format: StreamFormat | None = None
        self.output_device: DeviceInfo | None = None
        self.input_device: DeviceInfo | None = None
        self.jitter: JitterBuffer | None = None
        self._streams: list[Any] = []
        self._duplex = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._mono: Int16Array = np.zeros(0, dtype=np.int16)
        self._scratch: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        self._play_resampler: StreamResampler | None = None
        self._play_ids: tuple[str, int, str | None] | None = None
        self._mic_resampler: StreamResampler | None = None
        self._playback_rms = 0.0
        self._callbacks = 0
        self._output_underflows = 0
        self._input_overflows = 0
        self._other_flags = 0
        self._mic_dropped = 0
        self._lock = threading.Lock()  # guards play-side resampler state against interrupt from another thread

    # --- lifecycle -------------------------------------------------------------------------------------------

    def prepare(self, output: StreamFormat | None, input: StreamFormat | None) -> None:
        """Set up buffers and converters for the given device formats; `start()` calls it after negotiating.

        Tests call it directly and drive `output_callback` / `input_callback` with simulated blocks.
        """
        self.output_format, self.input_format = output, input
        if output is not None:
            self.jitter = JitterBuffer(
                sample_rate=output.samplerate,
                capacity_s=self.config.buffer_s,
                min_prebuffer_ms=self.config.min_prebuffer_ms,
                max_prebuffer_ms=self.config.max_prebuffer_ms,
                on_played=self._report_played,
            )
            block = max(int(output.samplerate * self.config.block_ms / 1000), 1)
            self._mono = np.zeros(block, dtype=np.int16)
            self._scratch = np.zeros(block, dtype=np.float32)
        if input is not None:
            self._mic_resampler = StreamResampler(input.samplerate, PCM16_RATE, quality="LQ")
            self.capture = CaptureQueue(input.samplerate, wake=self._wake_loop,
                                        wake_after_s=self.config.deliver_ms / 1000)
            self.capture_clock = CaptureClock(input.samplerate)

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Open and start the device(s). Raises AudioUnavailableError or AudioDeviceError with one-line messages."""
        sd = load_sounddevice()
        cfg = self.config
        if not (cfg.capture or cfg.playback):
            raise AudioDeviceError("Nothing to open: enable capture or playback.")
        if loop is None:
            with contextlib.suppress(RuntimeError):
                loop = asyncio.get_running_loop()
        self._loop = loop
        out_dev = resolve_device(cfg.output_device, "output") if cfg.playback else None
        in_dev = resolve_device(cfg.input_device, "input") if cfg.capture else None
        out_fmt = negotiate_format(out_dev, "output", PCM16_RATE) if out_dev else None
        in_fmt = negotiate_format(in_dev, "input", PCM16_RATE) if in_dev else None
        self.output_device, self.input_device = out_dev, in_dev
        self.prepare(out_fmt, in_fmt)
        try:
            if (cfg.prefer_duplex and out_dev and in_dev and out_fmt and in_fmt
                    and out_fmt.samplerate == in_fmt.samplerate):
                try:
                    self._open_duplex(sd, in_dev, out_dev, in_fmt, out_fmt)
                except sd.PortAudioError:
                    self._close_streams()
                    self._open_pair(sd, in_dev, out_dev, in_fmt, out_fmt)
            else:
                self._open_pair(sd, in_dev, out_dev, in_fmt, out_fmt)
            self.watchdog.arm(grace_s=self.config.start_grace_s)
            for stream in self._streams:
                stream.start()
        except sd.PortAudioError as exc:
            self._close_streams()
            names = " / ".join(repr(d.name) for d in (in_dev, out_dev) if d is not None)
            raise describe_open_error(exc, names) from exc

    def close(self) -> None:
        """Stop and close the streams. Safe to call twice."""
        self.watchdog.disarm()
        self._close_streams()

    async def __aenter__(self) -> DuplexAudio:
        self.start(asyncio.get_running_loop())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    # --- playback (event loop) -------------------------------------------------------------------------------

    def play(
        self,
        audio: bytes | Int16Array,
        *,
        item_id: str,
        content_index: int = 0,
        response_id: str | None = None,
        fmt: AudioFormat = "pcm16",
    ) -> int:
        """Queue one audio delta for playback; returns device-rate samples queued (0 if the response was cancelled)."""
        jitter = self._require_jitter()
        if isinstance(audio, (bytes, bytearray)):
            samples, rate = decode_to_pcm16(bytes(audio), fmt)
        else:
            samples, rate = audio, PCM16_RATE
        with self._lock:
            ids = (item_id, content_index, response_id)
            resampler = self._play_resampler
            if resampler is None or resampler.in_rate != rate or (self._play_ids and self._play_ids[2] != response_id):
                self._drain_playback_locked(jitter)
                resampler = self._play_resampler = StreamResampler(rate, jitter.sample_rate)
            self._play_ids = ids
            converted = resampler.process(samples)
        return jitter.feed(converted, item_id, content_index, response_id)

    def end_response(self, response_id: str | None) -> None:
        """The response's audio is complete: play out the tail now, without waiting for the prebuffer."""
        jitter = self._require_jitter()
        with self._lock:
            if self._play_ids and self._play_ids[2] == response_id:
                self._drain_playback_locked(jitter)
        jitter.end_response(response_id)

    def interrupt(self, response_id: str | None = None) -> int:
        """Silence playback within one block (≤ 5 ms fade) and drop the response's queued and later audio."""
        jitter = self._require_jitter()
        with self._lock:
            if self._play_resampler is not None and (response_id is None or self._play_ids is None
                                                     or self._play_ids[2] == response_id):
                self._play_resampler.reset()
        return jitter.interrupt(response_id)

    def flush(self) -> int:
        """Drop all queued playback (with the short fade); later audio is still accepted."""
        jitter = self._require_jitter()
        with self._lock:
            if self._play_resampler is not None:
                self._play_resampler.reset()
        return jitter.flush()

    @property
    def is_playing(self) -> bool:
        """True while agent audio is queued or audible."""
        return self.jitter is not None and self.jitter.is_active

    @property
    def playback_rms(self) -> float:
        """Recent playback loudness in [0, 1] (peak-held ~250 ms), for the echo gate."""
        return self._playback_rms

    @property
    def mic_level(self) -> Level:
        return self.mic_meter.level

    def stats(self) -> AudioStats:
        return AudioStats(
            jitter=self.jitter.stats() if self.jitter is not None else None,
            callbacks=self._callbacks,
            output_underflows=self._output_underflows,
            input_overflows=self._input_overflows,
            other_status_flags=self._other_flags,
            stalls=self.watchdog.stalls,
            mic_frames_dropped=self._mic_dropped,
            output_format=self.output_format,
            input_format=self.input_format,
            duplex=self._duplex,
        )

    # --- callbacks (PortAudio thread: no logging, no awaiting, no large allocations) ------------------------

    def output_callback(self, outdata: npt.NDArray[np.int16], frames: int, time_info: Any, status: Any) -> None:
        self.watchdog.beat()
        self._callbacks += 1
        if time_info is not None:
            delay = float(getattr(time_info, "outputBufferDacTime", 0.0) or 0.0) - float(
                getattr(time_info, "currentTime", 0.0) or 0.0)
            self._dac_delay = delay if 0.0 <= delay < 1.0 else 0.0
        if status:
            self._count_status(status)
        jitter = self.jitter
        if jitter is None:
            outdata.fill(0)
            return
        mono = self._mono[:frames] if frames <= len(self._mono) else np.zeros(frames, dtype=np.int16)
        if jitter.read_into(mono) == 0 and self._playback_rms < 1e-4:  # idle: silence, nothing to measure
            self._playback_rms = 0.0
            outdata.fill(0)
            return
        scratch = self._scratch[:frames] if frames <= len(self._scratch) else np.zeros(frames, np.float32)
        np.multiply(mono, 1 / 32768, out=scratch, casting="unsafe")
        rms = float(np.sqrt(np.dot(scratch, scratch) / max(frames, 1)))
        decay = 0.5 ** (frames / (0.25 * jitter.sample_rate))  # halves every 250 ms
        self._playback_rms = max(rms, self._playback_rms * decay)
        upmix_into(mono, outdata)

    def input_callback(self, indata: npt.NDArray[np.int16], frames: int, time_info: Any, status: Any) -> None:
        now = time.monotonic()
        self.watchdog.beat(now)  # either direction calling back means the device is alive
        if self.jitter is None:
            self._callbacks += 1
        if status:
            self._count_status(status)
        capture, clock = self.capture, self.capture_clock
        if capture is None or clock is None:
            return
        t = clock.stamp(frames, now, overflow=bool(status) and bool(getattr(status, "input_overflow", False)))
        if self.mic_sink is not None or self.mic_sink_timed is not None:
            capture.push(indata, t)

    def _duplex_callback(
        self, indata: npt.NDArray[np.int16], outdata: npt.NDArray[np.int16], frames: int, time_info: Any, status: Any
    ) -> None:
        self.output_callback(outdata, frames, time_info, status)
        self.input_callback(indata, frames, time_info, None)

    # --- internals --------------------------------------------------------------------------------------------

    def _wake_loop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self.deliver_mic)
        except RuntimeError:  # the loop is closed: the app is shutting down
            self._mic_dropped += 1

    def set_deliver_ms(self, ms: float | None) -> None:
        """Wake the loop once `ms` of mic audio waits (None: `deliver_ms`; 0: every block, for a push-to-talk tail)."""
        if self.capture is not None:
            self.capture.wake_after_s = (self.config.deliver_ms if ms is None else max(ms, 0.0)) / 1000

    def deliver_mic(self) -> None:
        """On the event loop: everything captured so far, downmixed, resampled to 24 kHz, metered, to the sink."""
        joined = join_blocks(self.capture.drain()) if self.capture is not None else None
        if joined is None:
            return
        block, t = joined
        mono = downmix(block)
        if self._mic_resampler is not None:
            mono = self._mic_resampler.process(mono)
        if len(mono) == 0:
            return
        self.mic_meter.update(mono)
        if self.mic_sink_timed is not None:
            self.mic_sink_timed(mono, t)
        elif self.mic_sink is not None:
            self.mic_sink(mono)

    def _report_played(self, item_id: str, content_index: int, samples: int) -> None:
        started = self.play_started
        if started is None or started[0] != item_id:
            now = time.monotonic()
            self.play_callback_at = now
            self.play_started = (item_id, now + self._dac_delay)
        tracker = self.tracker
        if tracker is not None and self.jitter is not None:
            tracker.on_play_ms(item_id, content_index, samples * 1000 / self.jitter.sample_rate)

    def _drain_playback_locked(self, jitter: JitterBuffer) -> None:
        if self._play_resampler is None or self._play_ids is None:
            return
        tail = self._play_resampler.drain()
        if len(tail):
            jitter.feed(tail, *self._play_ids)

    def _require_jitter(self) -> JitterBuffer:
        if self.jitter is None:
            raise RuntimeError("DuplexAudio has no output: call start() (or prepare()) with playback enabled first")
        return self.jitter

    def _count_status(self, status: Any) -> None:
        if getattr(status, "output_underflow", False):
            self._output_underflows += 1
        elif getattr(status, "input_overflow", False):
            self._input_overflows += 1
        else:
            self._other_flags += 1

    def _open_duplex(
        self, sd: Any, in_dev: DeviceInfo, out_dev: DeviceInfo, in_fmt: StreamFormat, out_fmt: StreamFormat
    ) -> None:
        stream = sd.Stream(device=(in_dev.index, out_dev.index), samplerate=out_fmt.samplerate,
                           blocksize=len(self._mono), dtype="int16", channels=(in_fmt.channels, out_fmt.channels),
                           latency=self.config.latency, callback=self._duplex_callback)
        self._streams = [stream]
        self._duplex = True

    def _open_pair(self, sd: Any, in_dev: DeviceInfo | None, out_dev: DeviceInfo | None,
                   in_fmt: StreamFormat | None, out_fmt: StreamFormat | None) -> None:
        self._duplex = False
        common = {"dtype": "int16", "latency": self.config.latency}
        if out_dev is not None and out_fmt is not None:
            self._streams.append(sd.OutputStream(device=out_dev.index, samplerate=out_fmt.samplerate,
                                                 blocksize=len(self._mono), channels=out_fmt.channels,
                                                 callback=self.output_callback, **common))
        if in_dev is not None and in_fmt is not None:
            block_ms = self.config.input_block_ms or self.config.block_ms
            block = max(int(in_fmt.samplerate * block_ms / 1000), 1)
            self._streams.append(sd.InputStream(device=in_dev.index, samplerate=in_fmt.samplerate,
                                                blocksize=block, channels=in_fmt.channels,
                                                callback=self.input_callback, **common))

    def _close_streams(self) -> None:
        streams, self._streams = self._streams, []
        for stream in streams:
            with contextlib.suppress(Exception):
                stream.stop()
            with contextlib.suppress(Exception):
                stream.close()
