"""Fixtures for the audio tests: a hand-advanced clock, test signals, and the virtual-device probe."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pytest


class FakeClock:
    """A monotonic clock the test advances by hand."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def tone(freq: float, ms: float, rate: int = 24_000, amplitude: float = 0.5) -> npt.NDArray[np.int16]:
    """A sine burst as int16."""
    t = np.arange(int(rate * ms / 1000)) / rate
    return (np.sin(2 * np.pi * freq * t) * amplitude * 32767).astype(np.int16)


def peak_frequency(samples: npt.NDArray[np.int16], rate: int) -> float:
    """The frequency of the strongest FFT bin (Hann window)."""
    x = samples.astype(np.float64) * np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(x))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def _device_problem() -> str | None:
    """Why the audio_device tests cannot run here, or None when a PortAudio device is reachable."""
    from realtime_cli.audio.device import AudioError, list_devices

    if not os.environ.get("PULSE_SERVER"):
        return "no PULSE_SERVER: run .ci/audio-setup.sh and source /tmp/rtagent-pulse/env.sh"
    for tool in ("parecord", "paplay", "pactl"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (.ci/audio-setup.sh installs pulseaudio-utils)"
    try:
        devices = list_devices()
    except AudioError as exc:
        return str(exc)
    if not any(d.max_output_channels > 0 for d in devices) or not any(d.max_input_channels > 0 for d in devices):
        return "PortAudio sees no input and output device"
    return None


@pytest.fixture(scope="session")
def audio_env() -> Iterator[None]:
    """Skip unless the virtual PulseAudio device from .ci/audio-setup.sh is reachable; with
    RTAGENT_REQUIRE_AUDIO_DEVICE set (as CI sets it), a missing device fails instead, so CI never skips silently."""
    problem = _device_problem()
    if problem is not None:
        if os.environ.get("RTAGENT_REQUIRE_AUDIO_DEVICE"):
            pytest.fail(f"RTAGENT_REQUIRE_AUDIO_DEVICE is set but there is no audio device: {problem}")
        pytest.skip(f"no audio device: {problem}")
    yield
