"""The audio layer: sound device, jitter buffer, playback reporting, resampling and microphone input modes.

No printing and no UI here; `sounddevice` (and so PortAudio) is imported only when a device is opened or listed.
"""

from .device import (
    AudioDeviceError,
    AudioError,
    AudioUnavailableError,
    DeviceInfo,
    StreamFormat,
    list_devices,
    resolve_device,
)
from .duplex import AudioConfig, AudioStats, DuplexAudio, PlaybackReporter
from .input import EchoGate, Level, LevelMeter, OpenMic, PushToTalk, measure
from .jitter import JitterBuffer, JitterStats
from .resample import StreamResampler
from .watchdog import CallbackWatchdog, StallReport

__all__ = [
    "AudioConfig",
    "AudioDeviceError",
    "AudioError",
    "AudioStats",
    "AudioUnavailableError",
    "CallbackWatchdog",
    "DeviceInfo",
    "DuplexAudio",
    "EchoGate",
    "JitterBuffer",
    "JitterStats",
    "Level",
    "LevelMeter",
    "OpenMic",
    "PlaybackReporter",
    "PushToTalk",
    "StallReport",
    "StreamFormat",
    "StreamResampler",
    "list_devices",
    "measure",
    "resolve_device",
]
