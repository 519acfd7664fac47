"""The capture path as plain data: stamped blocks, one wake per batch, coalescing, the lag meter, the stream clock."""

from __future__ import annotations

import numpy as np
import pytest

from realtime_cli.audio.capture import (
    CaptureClock,
    CaptureQueue,
    LagMeter,
    StreamClock,
    join_blocks,
)


def block(n: int = 480, value: int = 1) -> np.ndarray:
    return np.full((n, 1), value, dtype=np.int16)


def test_a_slow_loop_gets_one_wake_and_one_coalesced_batch_in_capture_order() -> None:
    wakes: list[int] = []
    queue = CaptureQueue(48_000, wake=lambda: wakes.append(1))
    for i in range(30):  # 300 ms captured while the loop did not come round
        queue.push(block(value=i), 100.0 + i * 0.01)
    assert len(wakes) == 1
    joined = join_blocks(queue.drain())
    assert joined is not None
    samples, t = joined
    assert t == 100.0 and len(samples) == 30 * 480
    assert list(samples[::480, 0]) == list(range(30))
    queue.push(block(), 100.3)
    assert len(wakes) == 2  # drained, so the next block wakes the loop again
    assert join_blocks([]) is None


def test_wake_waits_for_enough_audio() -> None:
    wakes: list[int] = []
    queue = CaptureQueue(48_000, wake=lambda: wakes.append(1), wake_after_s=0.04)
    for i in range(3):
        queue.push(block(), 100.0 + i * 0.01)
    assert wakes == []
    queue.push(block(), 100.03)
    assert len(wakes) == 1 and queue.pending_s == pytest.approx(0.04)


def test_the_queue_is_bounded_and_counts_what_it_dropped() -> None:
    queue = CaptureQueue(48_000, max_s=0.1)
    for i in range(20):
        queue.push(block(value=i), 100.0 + i * 0.01)
    blocks = queue.drain()
    assert len(blocks) == 10 and blocks[0].samples[0, 0] == 10
    assert queue.dropped_s == pytest.approx(0.1)


def test_push_copies_the_callback_buffer() -> None:
    queue = CaptureQueue(48_000)
    buffer = block(value=5)
    queue.push(buffer, 1.0)
    buffer[:] = 0  # PortAudio reuses its buffer
    assert queue.drain()[0].samples[0, 0] == 5


def test_lag_meter_tracks_first_last_and_warns_with_hysteresis() -> None:
    lag = LagMeter(warn_ms=400, clear_ms=200)
    assert lag.record(10.05, 10.0) == pytest.approx(50)
    lag.record(11.5, 11.0)
    assert lag.warning and lag.last_ms == pytest.approx(500)
    lag.record(12.3, 12.0)
    assert lag.warning  # 300 ms: between the thresholds, still warning
    lag.record(13.1, 13.0)
    assert not lag.warning
    assert lag.first_ms == pytest.approx(50) and lag.max_ms == pytest.approx(500) and lag.appends == 4
    assert lag.end_turn() == pytest.approx(300)  # the median of 50, 500, 300, 100
    assert lag.end_turn() is None


def test_stream_clock_maps_server_positions_to_capture_time() -> None:
    clock = StreamClock(24_000)
    assert clock.time_at(0) is None
    clock.sent(2400, 100.0)  # 100 ms captured at 100.0
    clock.sent(4800, 105.0)  # a later push-to-talk turn: 200 ms captured at 105.0
    assert clock.time_at(50) == pytest.approx(100.05)
    assert clock.time_at(150) == pytest.approx(105.05)
    assert clock.time_at(300) == pytest.approx(105.2)
    assert clock.time_at(301) is None  # not sent yet
    clock.reset()
    assert clock.time_at(10) is None and clock.sent_samples == 0


def test_capture_clock_sees_through_a_callback_that_ran_late() -> None:
    clock = CaptureClock(48_000)
    for i in range(10):  # on time: each 10 ms block handed over as it completes
        assert clock.stamp(480, 100.01 + i * 0.01) == pytest.approx(100.0 + i * 0.01)
    # the interpreter was stuck for 2 s: the next 200 blocks arrive in a burst at 102.1, all captured earlier
    stamps = [clock.stamp(480, 102.1) for _ in range(200)]
    assert stamps[0] == pytest.approx(100.1, abs=1e-3) and stamps[-1] == pytest.approx(102.09, abs=1e-3)
    assert clock.late_s == pytest.approx(0.0, abs=1e-3)
    stamp = clock.stamp(480, 102.6)  # one more block, handed over 500 ms late
    assert stamp == pytest.approx(102.1, abs=1e-3) and clock.late_s == pytest.approx(0.49, abs=1e-3)


def test_capture_clock_restarts_after_an_overflow_lost_samples() -> None:
    clock = CaptureClock(48_000)
    clock.stamp(480, 100.01)
    assert clock.stamp(480, 101.02, overflow=True) == pytest.approx(101.01)  # a second of audio was lost
    assert clock.stamp(480, 101.03) == pytest.approx(101.02)
