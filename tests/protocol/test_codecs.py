"""Wire audio codecs: G.711 matches the CCITT reference tables, base64 and duration arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from realtime_cli.protocol import codecs


def test_ulaw_roundtrip_error_is_within_quantization() -> None:
    x = np.linspace(-32000, 32000, 4001).astype(np.int16)
    back = codecs.ulaw_decode(codecs.ulaw_encode(x)).astype(np.int32)
    assert np.all(np.abs(back - x) <= np.maximum(8, np.abs(x.astype(np.int32)) // 16))


def test_alaw_roundtrip_error_is_within_quantization() -> None:
    x = np.linspace(-32000, 32000, 4001).astype(np.int16)
    back = codecs.alaw_decode(codecs.alaw_encode(x)).astype(np.int32)
    assert np.all(np.abs(back - x) <= np.maximum(16, np.abs(x.astype(np.int32)) // 16))


def test_g711_known_codes() -> None:
    # silence encodes to the codes every G.711 implementation uses
    zero = np.zeros(1, dtype=np.int16)
    assert codecs.ulaw_encode(zero) == b"\xff"
    assert codecs.alaw_encode(zero) == b"\xd5"
    assert codecs.ulaw_decode(b"\x00")[0] == -32124 and codecs.ulaw_decode(b"\x80")[0] == 32124
    assert codecs.alaw_decode(b"\xd5")[0] == 8


def test_durations() -> None:
    assert codecs.bytes_per_ms("pcm16") == 48 and codecs.bytes_per_ms("g711_ulaw") == 8
    assert codecs.bytes_to_ms(48_000) == 1000
    assert codecs.ms_to_bytes(10.5) == 504
    assert codecs.ms_to_bytes(1000, "g711_alaw") == 8000


def test_base64_errors_are_clear() -> None:
    assert codecs.decode_audio(codecs.encode_audio(b"\x01\x02")) == b"\x01\x02"
    with pytest.raises(codecs.AudioDecodeError, match="invalid base64"):
        codecs.decode_audio("not base64!!")
    with pytest.raises(codecs.AudioDecodeError, match="even number"):
        codecs.decode_audio(codecs.encode_audio(b"\x01"))
    assert codecs.decode_audio(codecs.encode_audio(b"\x01"), "g711_ulaw") == b"\x01"


def test_pcm_sample_conversions() -> None:
    x = np.array([0, 1000, -1000], dtype=np.int16)
    assert np.array_equal(codecs.to_pcm16_samples(codecs.from_pcm16_samples(x, "pcm16"), "pcm16"), x)
    assert len(codecs.from_pcm16_samples(x, "g711_ulaw")) == 3
