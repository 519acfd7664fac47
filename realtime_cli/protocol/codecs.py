"""Audio on the wire: pcm16 base64, G.711 µ-law/A-law, and byte ↔ millisecond arithmetic.

Pure functions over bytes and numpy arrays; the single place that knows sample rates and sample widths.
"""

from __future__ import annotations

import binascii
from typing import Literal

import numpy as np
import numpy.typing as npt
import pybase64  # SIMD base64: an audio stream is mostly base64, and decoding it dominated the client's CPU

AudioFormat = Literal["pcm16", "g711_ulaw", "g711_alaw"]
AUDIO_FORMATS: tuple[AudioFormat, ...] = ("pcm16", "g711_ulaw", "g711_alaw")

PCM16_RATE = 24_000
G711_RATE = 8_000

# GA describes formats as objects; beta names them with strings. These two tables are the mapping.
GA_FORMAT_TYPES: dict[AudioFormat, str] = {"pcm16": "audio/pcm", "g711_ulaw": "audio/pcmu", "g711_alaw": "audio/pcma"}
FORMAT_FROM_GA_TYPE: dict[str, AudioFormat] = {v: k for k, v in GA_FORMAT_TYPES.items()}

Int16Array = npt.NDArray[np.int16]


class AudioDecodeError(ValueError):
    """Audio payload that is not valid base64 or not a whole number of samples."""


def sample_rate(fmt: AudioFormat) -> int:
    """Samples per second of a wire format."""
    return PCM16_RATE if fmt == "pcm16" else G711_RATE


def bytes_per_ms(fmt: AudioFormat) -> int:
    """Bytes that one millisecond of audio takes on the wire (48 for pcm16, 8 for G.711)."""
    return PCM16_RATE * 2 // 1000 if fmt == "pcm16" else G711_RATE // 1000


def bytes_to_ms(count: int, fmt: AudioFormat = "pcm16") -> float:
    """Duration in milliseconds of `count` bytes of audio in `fmt`."""
    return count / bytes_per_ms(fmt)


def ms_to_bytes(ms: float, fmt: AudioFormat = "pcm16") -> int:
    """Whole-sample byte count for `ms` milliseconds of `fmt` (rounded down to a sample boundary)."""
    count = int(ms * bytes_per_ms(fmt))
    return count - count % 2 if fmt == "pcm16" else count


def encode_audio(data: bytes) -> str:
    """Base64 text for an audio payload."""
    return pybase64.b64encode_as_string(data)


def decode_audio(text: str, fmt: AudioFormat = "pcm16") -> bytes:
    """Bytes of a base64 audio payload; raises AudioDecodeError on bad base64 or a half sample."""
    try:
        data = pybase64.b64decode(text, validate=True)  # rejects anything outside the alphabet and bad padding
    except (binascii.Error, ValueError, TypeError) as exc:
        raise AudioDecodeError(f"invalid base64 audio: {exc}") from None
    if fmt == "pcm16" and len(data) % 2:
        raise AudioDecodeError("pcm16 audio must have an even number of bytes")
    return data


# --- G.711 (ITU-T) -------------------------------------------------------------------------------------------

_ULAW_BIAS = 0x84


def _build_ulaw_decode_table() -> Int16Array:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _ULAW_BIAS) << exponent) - _ULAW_BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _build_alaw_decode_table() -> Int16Array:
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = np.where(
        exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0)
    )
    return np.where(sign != 0, magnitude, -magnitude).astype(np.int16)


_ULAW_DECODE = _build_ulaw_decode_table()
_ALAW_DECODE = _build_alaw_decode_table()


_ULAW_SEG_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF], dtype=np.int32)
_ALAW_SEG_END = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF], dtype=np.int32)


def ulaw_encode(samples: Int16Array) -> bytes:
    """µ-law bytes for int16 samples (the CCITT G.711 reference algorithm on 14-bit input)."""
    pcm = samples.astype(np.int32) >> 2
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(pcm), 8159) + 33
    seg = np.searchsorted(_ULAW_SEG_END, magnitude).astype(np.int32)
    code = (np.minimum(seg, 7) << 4) | ((magnitude >> (np.minimum(seg, 7) + 1)) & 0x0F)
    code = np.where(seg >= 8, 0x7F, code)
    return ((code ^ mask) & 0xFF).astype(np.uint8).tobytes()


def ulaw_decode(data: bytes) -> Int16Array:
    """int16 samples for µ-law bytes."""
    return _ULAW_DECODE[np.frombuffer(data, dtype=np.uint8)]


def alaw_encode(samples: Int16Array) -> bytes:
    """A-law bytes for int16 samples (the CCITT G.711 reference algorithm on 13-bit input)."""
    pcm = samples.astype(np.int32) >> 3
    mask = np.where(pcm >= 0, 0xD5, 0x55)
    magnitude = np.where(pcm >= 0, pcm, -pcm - 1)
    seg = np.searchsorted(_ALAW_SEG_END, magnitude).astype(np.int32)
    clamped = np.minimum(seg, 7)
    mantissa = np.where(seg < 2, magnitude >> 1, magnitude >> clamped) & 0x0F
    code = np.where(seg >= 8, 0x7F, (clamped << 4) | mantissa)
    return ((code ^ mask) & 0xFF).astype(np.uint8).tobytes()


def alaw_decode(data: bytes) -> Int16Array:
    """int16 samples for A-law bytes."""
    return _ALAW_DECODE[np.frombuffer(data, dtype=np.uint8)]


def to_pcm16_samples(data: bytes, fmt: AudioFormat) -> Int16Array:
    """int16 samples (at the format's own rate) for wire bytes of any format."""
    if fmt == "pcm16":
        return np.frombuffer(data, dtype="<i2").astype(np.int16, copy=False)
    return ulaw_decode(data) if fmt == "g711_ulaw" else alaw_decode(data)


def from_pcm16_samples(samples: Int16Array, fmt: AudioFormat) -> bytes:
    """Wire bytes of `fmt` for int16 samples already at the format's rate."""
    if fmt == "pcm16":
        return samples.astype("<i2", copy=False).tobytes()
    return ulaw_encode(samples) if fmt == "g711_ulaw" else alaw_encode(samples)
