"""DuplexAudio: simulated callbacks at non-native formats, then the real (virtual PulseAudio) device.

The audio_device tests need .ci/audio-setup.sh; they capture what we play from vspeaker.monitor with parec and
feed the microphone with paplay into vmic.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from realtime_cli.audio.device import StreamFormat
from realtime_cli.audio.duplex import AudioConfig, DuplexAudio
from realtime_cli.protocol.codecs import ulaw_encode
from realtime_cli.protocol.playback import RealtimePlaybackTracker

from .conftest import peak_frequency, tone


def simulated(output: StreamFormat | None, input: StreamFormat | None, **kw: object) -> DuplexAudio:
    audio = DuplexAudio(AudioConfig(min_prebuffer_ms=40, max_prebuffer_ms=40, **kw),  # type: ignore[arg-type]
                        tracker=RealtimePlaybackTracker())
    audio.prepare(output, input)
    return audio


def run_output(audio: DuplexAudio, blocks: int, channels: int) -> np.ndarray:
    frames = len(audio._mono)
    out = []
    for _ in range(blocks):
        block = np.full((frames, channels), 777, dtype=np.int16)
        audio.output_callback(block, frames, None, None)
        out.append(block)
        time.sleep(0)  # the jitter buffer uses the real clock here; prebuffer is waited out below
    return np.concatenate(out)


def test_48k_stereo_device_plays_24k_audio_at_the_right_speed_on_both_channels() -> None:
    audio = simulated(StreamFormat(48_000, 2), None)
    tracker = audio.tracker
    assert isinstance(tracker, RealtimePlaybackTracker)
    src = tone(440, 500)
    for i in range(0, len(src), 1200):  # 50 ms deltas
        audio.play(src[i : i + 1200].tobytes(), item_id="item_1", response_id="resp_1")
    audio.end_response("resp_1")
    out = run_output(audio, 60, 2)  # 600 ms of 48 kHz stereo
    np.testing.assert_array_equal(out[:, 0], out[:, 1])
    left = out[:, 0]
    audible = np.flatnonzero(np.abs(left) > 100)
    assert abs((audible[-1] - audible[0] + 1) - 24_000) <= 60  # 500 ms at 48 kHz, not 250 ms or 1 s
    assert peak_frequency(left[audible[0] : audible[-1]], 48_000) == pytest.approx(440, abs=3)
    state = tracker.get_state()
    assert state.current_item_id == "item_1"
    assert state.elapsed_ms == pytest.approx(500, abs=2)  # reported in ms of the item, whatever the device rate


def test_g711_deltas_are_decoded_and_resampled_before_buffering() -> None:
    audio = simulated(StreamFormat(24_000, 1), None)
    src = tone(300, 200, rate=8_000)
    audio.play(ulaw_encode(src), item_id="item", response_id="r", fmt="g711_ulaw")
    audio.end_response("r")
    out = run_output(audio, 30, 1)[:, 0]
    audible = np.flatnonzero(np.abs(out) > 200)
    assert abs((audible[-1] - audible[0] + 1) - 4_800) <= 40
    assert peak_frequency(out[audible[0] : audible[-1]], 24_000) == pytest.approx(300, abs=6)


def test_interrupt_silences_the_next_block_after_a_short_fade() -> None:
    audio = simulated(StreamFormat(48_000, 1), None)
    src = tone(440, 2000)
    audio.play(src, item_id="item", response_id="r")
    time.sleep(0.045)
    run_output(audio, 5, 1)
    audio.interrupt("r")
    assert audio.play(src, item_id="item", response_id="r") == 0  # a late delta of the cancelled response
    after = run_output(audio, 3, 1)[:, 0]
    assert np.count_nonzero(after) <= 240  # ≤ 5 ms at 48 kHz
    assert not after[240:].any()
    assert not audio.is_playing


def test_playback_level_is_tracked_for_the_echo_gate() -> None:
    audio = simulated(StreamFormat(24_000, 1), None)
    assert audio.playback_rms == 0.0
    audio.play(tone(440, 300, amplitude=0.5), item_id="item", response_id="r")
    audio.end_response("r")
    run_output(audio, 10, 1)
    assert audio.playback_rms == pytest.approx(0.5 / np.sqrt(2), rel=0.05)
    after = run_output(audio, 400, 1)  # the reply is over: the level decays to zero and the device gets silence
    assert audio.playback_rms == 0.0
    assert not after[-50:].any()


async def test_mic_blocks_reach_the_sink_on_the_loop_as_24k_mono() -> None:
    got: list[np.ndarray] = []
    audio = DuplexAudio(AudioConfig(playback=False), mic_sink=got.append)
    audio.prepare(None, StreamFormat(44_100, 2))
    audio._loop = asyncio.get_running_loop()
    src = tone(1000, 500, rate=44_100)
    stereo = np.stack([src, src], axis=1)
    for i in range(0, len(src), 441):  # the callback runs on another thread in real life
        await asyncio.to_thread(audio.input_callback, stereo[i : i + 441], 441, None, None)
    await asyncio.sleep(0.01)
    mono = np.concatenate(got)
    assert mono.dtype == np.int16 and mono.ndim == 1
    assert 12_000 - 480 <= len(mono) <= 12_000  # soxr LQ holds back ~12 ms until more input comes
    assert peak_frequency(mono, 24_000) == pytest.approx(1000, abs=4)
    assert audio.mic_level.rms > 0.3


def test_a_push_to_talk_tail_gets_each_mic_block_as_it_is_captured() -> None:
    audio = DuplexAudio(AudioConfig(playback=False, deliver_ms=40), mic_sink=lambda samples: None)
    audio.prepare(None, StreamFormat(24_000, 1))
    wakes: list[float] = []
    assert audio.capture is not None
    audio.capture.wake = lambda: wakes.append(audio.capture.pending_s if audio.capture else 0.0)
    block = np.zeros((480, 1), dtype=np.int16)
    audio.input_callback(block, 480, None, None)
    assert not wakes  # 20 ms waiting: batched until 40 ms are
    audio.set_deliver_ms(0)
    audio.capture.drain()
    audio.input_callback(block, 480, None, None)
    assert wakes == [pytest.approx(0.02)]  # the tail: one block is enough to wake the loop
    audio.set_deliver_ms(None)
    audio.capture.drain()
    audio.input_callback(block, 480, None, None)
    assert len(wakes) == 1
    audio.set_deliver_ms(100)  # idle: fewer wake-ups
    audio.capture.drain()
    for _ in range(4):
        audio.input_callback(block, 480, None, None)
    assert len(wakes) == 1
    audio.input_callback(block, 480, None, None)
    assert wakes[-1] == pytest.approx(0.1)


def test_status_flags_are_counted() -> None:
    class Flags:
        def __init__(self, **kw: bool) -> None:
            self.__dict__.update(kw)

        def __bool__(self) -> bool:
            return True

    audio = simulated(StreamFormat(24_000, 1), None)
    block = np.zeros((240, 1), dtype=np.int16)
    audio.output_callback(block, 240, None, Flags(output_underflow=True))
    audio.input_callback(block, 240, None, Flags(input_overflow=True))
    stats = audio.stats()
    assert (stats.output_underflows, stats.input_overflows, stats.callbacks) == (1, 1, 1)


# --- the real (virtual) device -----------------------------------------------------------------------------

@contextmanager
def capture_speaker(path: Path) -> Iterator[None]:
    """Record vspeaker.monitor as raw 24 kHz mono s16le into `path` while the block runs."""
    with path.open("wb") as out:
        proc = subprocess.Popen(
            ["parec", "-d", "vspeaker.monitor", "--rate=24000", "--channels=1", "--format=s16le",
             "--latency-msec=10"],
            stdout=out,
        )
        try:
            time.sleep(0.2)
            yield
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)


def audible_span(samples: np.ndarray, threshold: int = 60) -> tuple[int, int]:
    idx = np.flatnonzero(np.abs(samples.astype(int)) > threshold)
    assert len(idx), "nothing audible was captured"
    return int(idx[0]), int(idx[-1]) + 1


@pytest.mark.audio_device
async def test_tone_played_is_captured_from_the_speaker_monitor(audio_env: None, tmp_path: Path) -> None:
    raw = tmp_path / "speaker.raw"
    tracker = RealtimePlaybackTracker()
    src = tone(660, 600, amplitude=0.4)
    with capture_speaker(raw):
        async with DuplexAudio(AudioConfig(capture=False), tracker=tracker) as audio:
            await asyncio.sleep(0.3)  # a just-opened stream may drop its first blocks while PulseAudio primes it
            for i in range(0, len(src), 2400):
                audio.play(src[i : i + 2400].tobytes(), item_id="item_a", response_id="resp_a")
                await asyncio.sleep(0.02)
            audio.end_response("resp_a")
            while audio.is_playing:
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.2)
            stats = audio.stats()
    captured = np.fromfile(raw, dtype=np.int16)
    start, end = audible_span(captured)
    assert abs((end - start) - len(src)) <= 48  # the whole tone, once, at the right speed (±2 ms)
    body = captured[start:end]
    assert peak_frequency(body, 24_000) == pytest.approx(660, abs=3)
    rms = float(np.sqrt(np.mean((body / 32768.0) ** 2)))
    assert rms == pytest.approx(0.4 / np.sqrt(2), rel=0.1)
    assert stats.jitter is not None and stats.jitter.underruns == 0
    assert tracker.get_state().elapsed_ms == pytest.approx(600, abs=1)


@pytest.mark.audio_device
async def test_interrupt_mid_playback_silences_the_speaker_within_a_block_and_fade(
    audio_env: None, tmp_path: Path
) -> None:
    raw = tmp_path / "speaker.raw"
    src = tone(440, 3000, amplitude=0.4)
    with capture_speaker(raw):
        async with DuplexAudio(AudioConfig(capture=False, block_ms=10)) as audio:
            await asyncio.sleep(0.3)  # a just-opened stream may drop its first blocks while PulseAudio primes it
            audio.play(src, item_id="item", response_id="resp")
            await asyncio.sleep(0.6)
            audio.interrupt("resp")
            jitter = audio.jitter
            assert jitter is not None
            handed_to_device = jitter.played_samples  # everything before the fade
            await asyncio.sleep(0.3)
            assert jitter.played_samples == handed_to_device
    captured = np.fromfile(raw, dtype=np.int16)
    start, end = audible_span(captured)
    heard = end - start
    fade = 120  # 5 ms at 24 kHz
    assert handed_to_device - 48 <= heard <= handed_to_device + fade
    assert not np.any(np.abs(captured[end:].astype(int)) > 60)


@pytest.mark.audio_device
async def test_wav_played_into_vmic_reaches_the_mic_sink(audio_env: None, tmp_path: Path) -> None:
    wav_path = tmp_path / "mic.wav"
    src = tone(1200, 500, amplitude=0.5)
    with wave.open(str(wav_path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(24_000)
        wav.writeframes(src.tobytes())
    got: list[np.ndarray] = []
    async with DuplexAudio(AudioConfig(), mic_sink=got.append) as audio:  # full duplex: speaker and mic
        await asyncio.sleep(0.3)
        proc = await asyncio.create_subprocess_exec("paplay", "-d", "vmic", str(wav_path))
        await asyncio.wait_for(proc.wait(), timeout=5)
        await asyncio.sleep(0.3)
        stats = audio.stats()
    mic = np.concatenate(got)
    start, end = audible_span(mic, threshold=300)
    assert abs((end - start) - len(src)) <= 240
    assert peak_frequency(mic[start:end], 24_000) == pytest.approx(1200, abs=4)
    assert stats.callbacks > 50
    assert stats.stalls == 0


@pytest.mark.audio_device
def test_list_devices_sees_the_virtual_card(audio_env: None) -> None:
    from realtime_cli.audio.device import list_devices, resolve_device

    devices = list_devices()
    assert any(d.is_default_output for d in devices)
    assert resolve_device("pulse", "output").max_output_channels > 0

