"""Device lookup, format negotiation and error wording, against a stand-in sounddevice module."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from realtime_cli.audio import device as dev
from realtime_cli.audio.device import (
    PORTAUDIO_MISSING,
    AudioDeviceError,
    AudioUnavailableError,
    DeviceInfo,
    StreamFormat,
    describe_open_error,
    list_devices,
    load_sounddevice,
    negotiate_format,
    resolve_device,
)


class FakePortAudioError(Exception):
    pass


def fake_sounddevice(accepts: set[tuple[int, int]] | None = None) -> types.ModuleType:
    """A sounddevice stand-in: a 48 kHz stereo-only USB headset and a mono 16 kHz mic."""
    mod = types.ModuleType("sounddevice")
    devices = [
        {"name": "USB Headset", "hostapi": 0, "max_input_channels": 0, "max_output_channels": 2,
         "default_samplerate": 48000.0},
        {"name": "Built-in Mic", "hostapi": 0, "max_input_channels": 1, "max_output_channels": 0,
         "default_samplerate": 16000.0},
        {"name": "USB Headset Mic", "hostapi": 0, "max_input_channels": 1, "max_output_channels": 0,
         "default_samplerate": 48000.0},
    ]
    # What each device opens with: the headset only 48 kHz stereo, the built-in mic 24 kHz or 16 kHz mono.
    formats = [{(48000, 2)}, {(24000, 1), (16000, 1)}, {(48000, 1)}]
    if accepts is not None:
        formats = [accepts, accepts, accepts]

    def check(device: int, samplerate: int, channels: int, dtype: str) -> None:
        if (samplerate, channels) not in formats[device]:
            raise FakePortAudioError(f"Invalid sample rate [PaErrorCode -9997] ({samplerate}, {channels})")

    mod.query_devices = lambda: devices  # type: ignore[attr-defined]
    mod.query_hostapis = lambda: [{"name": "ALSA"}]  # type: ignore[attr-defined]
    mod.default = types.SimpleNamespace(device=[1, 0])  # type: ignore[attr-defined]
    mod.PortAudioError = FakePortAudioError  # type: ignore[attr-defined]
    mod.check_output_settings = check  # type: ignore[attr-defined]
    mod.check_input_settings = check  # type: ignore[attr-defined]
    return mod


@pytest.fixture
def fake_sd(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    mod = fake_sounddevice()
    monkeypatch.setitem(sys.modules, "sounddevice", mod)
    return mod


def test_missing_portaudio_becomes_a_one_line_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    def import_module(name: str) -> Any:
        raise OSError("PortAudio library not found")  # what `import sounddevice` raises without libportaudio2

    monkeypatch.setattr(dev.importlib, "import_module", import_module)
    with pytest.raises(AudioUnavailableError) as info:
        load_sounddevice()
    message = str(info.value)
    assert "\n" not in message
    assert "libportaudio2" in message and "brew install portaudio" in message
    assert message == PORTAUDIO_MISSING


def test_list_devices_marks_defaults(fake_sd: types.ModuleType) -> None:
    devices = list_devices()
    assert [d.name for d in devices] == ["USB Headset", "Built-in Mic", "USB Headset Mic"]
    assert devices[1].is_default_input and devices[0].is_default_output
    assert devices[0].hostapi == "ALSA"


def test_resolve_by_default_index_and_name(fake_sd: types.ModuleType) -> None:
    assert resolve_device(None, "input").name == "Built-in Mic"
    assert resolve_device(2, "input").name == "USB Headset Mic"
    assert resolve_device("2", "input").name == "USB Headset Mic"
    assert resolve_device("headset", "output").name == "USB Headset"
    assert resolve_device("usb headset mic", "input").index == 2
    assert resolve_device("built", "input").index == 1


@pytest.mark.parametrize(
    ("spec", "direction", "fragment"),
    [
        (7, "input", "No audio device with index 7"),
        (0, "input", "has no input channels"),
        ("speaker", "output", "No audio output device matches 'speaker'"),
    ],
)
def test_resolve_errors_are_one_sentence(fake_sd: types.ModuleType, spec: Any, direction: Any, fragment: str) -> None:
    with pytest.raises(AudioDeviceError) as info:
        resolve_device(spec, direction)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_ambiguous_name_lists_candidates() -> None:
    devices = [DeviceInfo(3, "Mic A", "ALSA", 1, 0, 48000), DeviceInfo(4, "Mic B", "ALSA", 1, 0, 48000)]
    with pytest.raises(AudioDeviceError, match="3: Mic A, 4: Mic B"):
        resolve_device("mic", "input", devices)


def test_no_devices_at_all() -> None:
    with pytest.raises(AudioDeviceError, match="No audio output device found"):
        resolve_device(None, "output", [])


def test_negotiation_prefers_24k_mono_then_native_rate_and_stereo(fake_sd: types.ModuleType) -> None:
    headset, builtin_mic, _ = list_devices()
    assert negotiate_format(headset, "output", 24000) == StreamFormat(48000, 2)  # stereo-only 48 kHz device
    assert negotiate_format(builtin_mic, "input", 24000) == StreamFormat(24000, 1)


def test_negotiation_failure_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice(accepts=set()))
    headset = list_devices()[0]
    with pytest.raises(AudioDeviceError, match="supports no 16-bit mono or stereo format"):
        negotiate_format(headset, "output", 24000)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("Error opening OutputStream: Device unavailable [PaErrorCode -9985]", "is busy"),
        ("Error opening Stream: Invalid sample rate [PaErrorCode -9997]", "rejected the sample rate"),
        ("Invalid number of channels [PaErrorCode -9998]", "rejected the channel count"),
        ("Sample format not supported [PaErrorCode -9994]", "does not support 16-bit"),
        ("Unanticipated host error [PaErrorCode -9999]", "Cannot open the audio device"),
    ],
)
def test_open_errors_are_translated(raw: str, fragment: str) -> None:
    err = describe_open_error(FakePortAudioError(raw), "'pulse'")
    assert fragment in str(err)
    assert "\n" not in str(err)
