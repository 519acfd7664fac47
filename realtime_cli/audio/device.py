"""Finding and describing PortAudio devices, and turning every way that can fail into one clear sentence.

`sounddevice` is imported lazily here and only here, so the rest of the package works without PortAudio.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

Direction = Literal["input", "output"]

PORTAUDIO_MISSING = (
    "PortAudio is not installed: install it with `sudo apt-get install libportaudio2` (Debian/Ubuntu) "
    "or `brew install portaudio` (macOS), or use text mode."
)


class AudioError(Exception):
    """Base of the audio layer's user-facing errors; str() is one sentence that says what to do."""


class AudioUnavailableError(AudioError):
    """The PortAudio system library (or sounddevice itself) cannot be loaded."""


class AudioDeviceError(AudioError):
    """No suitable device, a device that is busy, or a format the device refuses."""


@dataclass(frozen=True)
class DeviceInfo:
    """One PortAudio device as the CLI lists it."""

    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False

    def channels(self, direction: Direction) -> int:
        return self.max_input_channels if direction == "input" else self.max_output_channels


@dataclass(frozen=True)
class StreamFormat:
    """What a device was actually opened with; the audio layer converts to and from 24 kHz mono."""

    samplerate: int
    channels: int


def load_sounddevice() -> ModuleType:
    """Import sounddevice, raising AudioUnavailableError (with the package to install) if PortAudio is missing."""
    try:
        return importlib.import_module("sounddevice")
    except OSError as exc:  # sounddevice raises OSError("PortAudio library not found")
        raise AudioUnavailableError(PORTAUDIO_MISSING) from exc
    except ImportError as exc:
        raise AudioUnavailableError(
            "The sounddevice package is not installed: run `pip install sounddevice`, or use text mode."
        ) from exc


def list_devices() -> list[DeviceInfo]:
    """Every device PortAudio reports, with the default input and output marked."""
    sd = load_sounddevice()
    try:
        raw: Any = sd.query_devices()
        hostapis: Any = sd.query_hostapis()
        default_in, default_out = _default_indices(sd)
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"Cannot list audio devices ({_short(exc)}); check your sound system.") from exc
    devices = []
    for index, dev in enumerate(raw):
        hostapi = hostapis[dev["hostapi"]]["name"] if dev["hostapi"] < len(hostapis) else "?"
        devices.append(
            DeviceInfo(
                index=index,
                name=str(dev["name"]),
                hostapi=str(hostapi),
                max_input_channels=int(dev["max_input_channels"]),
                max_output_channels=int(dev["max_output_channels"]),
                default_samplerate=float(dev["default_samplerate"]),
                is_default_input=index == default_in,
                is_default_output=index == default_out,
            )
        )
    return devices


def resolve_device(spec: int | str | None, direction: Direction, devices: list[DeviceInfo] | None = None) -> DeviceInfo:
    """The device for `spec`: None for the default, an index, or a case-insensitive name substring."""
    devices = list_devices() if devices is None else devices
    usable = [d for d in devices if d.channels(direction) > 0]
    if not usable:
        raise AudioDeviceError(
            f"No audio {direction} device found: connect one, or run .ci/audio-setup.sh for a virtual one."
        )
    if spec is None:
        default = next((d for d in usable if getattr(d, f"is_default_{direction}")), None)
        return default if default is not None else usable[0]
    if isinstance(spec, int) or spec.strip().isdigit():
        index = int(spec)
        match = next((d for d in devices if d.index == index), None)
        if match is None:
            raise AudioDeviceError(f"No audio device with index {index}: run `rtagent devices` to list them.")
        if match.channels(direction) == 0:
            raise AudioDeviceError(f"Audio device {index} ({match.name}) has no {direction} channels.")
        return match
    needle = spec.strip().lower()
    matches = [d for d in usable if needle in d.name.lower()]
    exact = [d for d in matches if d.name.lower() == needle]
    if exact:
        return exact[0]
    if not matches:
        raise AudioDeviceError(
            f"No audio {direction} device matches {spec!r}: run `rtagent devices` to list them."
        )
    if len(matches) > 1:
        names = ", ".join(f"{d.index}: {d.name}" for d in matches[:5])
        raise AudioDeviceError(f"{spec!r} matches several {direction} devices ({names}); pick one by index.")
    return matches[0]


def negotiate_format(device: DeviceInfo, direction: Direction, samplerate: int) -> StreamFormat:
    """Mono at `samplerate` if the device takes it; otherwise its native rate and/or two channels.

    Never reports a format the device rejected, so audio is never played at the wrong speed.
    """
    sd = load_sounddevice()
    check = sd.check_input_settings if direction == "input" else sd.check_output_settings
    native = int(device.default_samplerate) or samplerate
    candidates = [StreamFormat(samplerate, 1), StreamFormat(native, 1), StreamFormat(samplerate, 2),
                  StreamFormat(native, 2)]
    last: Exception | None = None
    for fmt in dict.fromkeys(candidates):
        if fmt.channels > device.channels(direction):
            continue
        try:
            check(device=device.index, samplerate=fmt.samplerate, channels=fmt.channels, dtype="int16")
        except (sd.PortAudioError, ValueError) as exc:
            last = exc
            continue
        return fmt
    raise AudioDeviceError(
        f"Audio {direction} device {device.name!r} supports no 16-bit mono or stereo format "
        f"at {samplerate} or {native} Hz ({_short(last)}); pick another device."
    )


def describe_open_error(exc: BaseException, what: str) -> AudioDeviceError:
    """One-line AudioDeviceError for a PortAudioError raised while opening or starting `what`."""
    text = _short(exc)
    low = text.lower()
    if "busy" in low or "unavailable" in low or "-9985" in low:
        return AudioDeviceError(f"The audio device {what} is busy: close the program using it, or pick another.")
    if "sample rate" in low or "-9997" in low:
        return AudioDeviceError(f"The audio device {what} rejected the sample rate ({text}); pick another device.")
    if "channels" in low or "-9998" in low:
        return AudioDeviceError(f"The audio device {what} rejected the channel count ({text}).")
    if "format" in low or "-9994" in low:
        return AudioDeviceError(f"The audio device {what} does not support 16-bit audio ({text}).")
    return AudioDeviceError(f"Cannot open the audio device {what} ({text}); run `rtagent devices` to check it.")


def _default_indices(sd: ModuleType) -> tuple[int, int]:
    default = sd.default.device
    try:
        return int(default[0]), int(default[1])
    except (TypeError, IndexError):
        return -1, -1


def _short(exc: BaseException | None) -> str:
    if exc is None:
        return "no details"
    text = " ".join(str(exc).split())
    return text[:160] if text else type(exc).__name__
