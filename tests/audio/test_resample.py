"""Rate and channel conversion: frequencies survive resampling, chunking adds no clicks, mixing is exact."""

from __future__ import annotations

import numpy as np
import pytest

from realtime_cli.audio.resample import StreamResampler, decode_to_pcm16, downmix, rms_dbfs, upmix_into
from realtime_cli.protocol.codecs import ulaw_encode

from .conftest import peak_frequency, tone


@pytest.mark.parametrize("out_rate", [44_100, 48_000, 16_000])
@pytest.mark.parametrize("freq", [440.0, 3_000.0])
def test_streaming_resample_preserves_frequency_and_duration(out_rate: int, freq: float) -> None:
    src = tone(freq, 1000)
    rs = StreamResampler(24_000, out_rate)
    chunks = [rs.process(src[i : i + 480]) for i in range(0, len(src), 480)]  # 20 ms deltas
    chunks.append(rs.drain())
    out = np.concatenate(chunks)
    assert abs(len(out) - out_rate) <= 2  # one second in, one second out: never the wrong speed
    assert peak_frequency(out, out_rate) == pytest.approx(freq, abs=2.0)


def test_chunked_output_matches_one_shot_output() -> None:
    src = tone(1000, 500)
    whole = StreamResampler(24_000, 48_000)
    one = np.concatenate([whole.process(src), whole.drain()])
    parts = StreamResampler(24_000, 48_000)
    many = np.concatenate([*(parts.process(src[i : i + 100]) for i in range(0, len(src), 100)), parts.drain()])
    assert len(one) == len(many)
    assert np.max(np.abs(one.astype(int) - many.astype(int))) <= 2  # no seams at chunk edges


def test_mic_direction_44k1_to_24k() -> None:
    src = tone(700, 500, rate=44_100)
    rs = StreamResampler(44_100, 24_000, quality="LQ")
    out = np.concatenate([rs.process(src[i : i + 441]) for i in range(0, len(src), 441)] + [rs.drain()])
    assert abs(len(out) - 12_000) <= 2
    assert peak_frequency(out, 24_000) == pytest.approx(700, abs=3.0)


def test_equal_rates_pass_through_and_reset_discards_the_tail() -> None:
    same = StreamResampler(24_000, 24_000)
    src = tone(440, 10)
    assert same.passthrough
    assert same.process(src) is src
    assert len(same.drain()) == 0
    rs = StreamResampler(24_000, 48_000)
    rs.process(tone(440, 100))
    rs.reset()
    assert len(rs.drain()) == 0  # nothing of the interrupted stream leaks into the next one


def test_downmix_stereo_and_passthrough_mono() -> None:
    left = np.array([100, -200, 32767], dtype=np.int16)
    right = np.array([300, -400, 32767], dtype=np.int16)
    np.testing.assert_array_equal(downmix(np.stack([left, right], axis=1)), [200, -300, 32767])
    np.testing.assert_array_equal(downmix(left[:, None]), left)
    assert downmix(left) is left


def test_upmix_writes_every_channel() -> None:
    mono = np.array([1, 2, 3], dtype=np.int16)
    out = np.zeros((3, 2), dtype=np.int16)
    upmix_into(mono, out)
    np.testing.assert_array_equal(out, [[1, 1], [2, 2], [3, 3]])


def test_g711_is_decoded_to_pcm16_at_8k() -> None:
    src = tone(500, 100, rate=8_000)
    samples, rate = decode_to_pcm16(ulaw_encode(src), "g711_ulaw")
    assert rate == 8_000
    assert samples.dtype == np.int16
    assert np.max(np.abs(samples.astype(int) - src.astype(int))) < 0.03 * 32768


def test_rms_dbfs() -> None:
    assert rms_dbfs(1.0) == pytest.approx(0.0)
    assert rms_dbfs(0.1) == pytest.approx(-20.0)
    assert rms_dbfs(0.0) == pytest.approx(-120.0)
