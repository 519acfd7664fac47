"""JitterBuffer under a simulated callback clock: prebuffer, adaptation, underrun, overflow, flush, bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest

from realtime_cli.audio.jitter import JitterBuffer
from realtime_cli.protocol.playback import RealtimePlaybackTracker

from .conftest import FakeClock, tone

RATE = 24_000
BLOCK = 240  # 10 ms


def ramp(n: int, start: int = 1) -> np.ndarray:
    """Distinct non-zero samples, so every sample's origin is recognisable in the output."""
    return (np.arange(start, start + n) % 30000 + 1).astype(np.int16)


def tick(buf: JitterBuffer, clock: FakeClock, blocks: int = 1) -> np.ndarray:
    """Run `blocks` callbacks 10 ms apart and return everything they output."""
    out = []
    for _ in range(blocks):
        block = np.full(BLOCK, 12345, dtype=np.int16)  # garbage the callback must overwrite
        buf.read_into(block)
        out.append(block)
        clock.advance(BLOCK / RATE)
    return np.concatenate(out)


def test_time_rule_starts_a_trickle_after_the_start_delay_in_order(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=60)
    data = ramp(720)  # 30 ms: less than the 60 ms start buffer, so only the clock can start it
    buf.feed(data, "item_a", 0, "resp_1")
    silent = tick(buf, clock, 6)  # 0..50 ms: still prebuffering
    assert not silent.any()
    assert buf.state == "prebuffering"
    played = tick(buf, clock, 3)  # the 60 ms callback starts playback
    np.testing.assert_array_equal(played[:720], data)


def test_buffer_rule_starts_as_soon_as_enough_audio_is_queued(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=60)
    data = ramp(4800)
    buf.feed(data[:1200], "item_a", 0, "resp_1")  # 50 ms queued: wait
    assert not tick(buf, clock).any()
    buf.feed(data[1200:], "item_a", 0, "resp_1")  # 200 ms queued: start at the next callback, 10 ms in
    played = tick(buf, clock, 12)
    assert buf.state == "playing"
    np.testing.assert_array_equal(played, data[: 12 * BLOCK])


def test_end_response_starts_short_audio_without_waiting(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=120)
    buf.feed(ramp(100), "item_a", 0, "resp_1")
    buf.end_response("resp_1")
    out = tick(buf, clock)
    np.testing.assert_array_equal(out[:100], ramp(100))
    assert not out[100:].any()
    assert buf.state == "idle"
    assert buf.underruns == 0


def test_a_new_response_id_releases_the_previous_one(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=120)
    buf.feed(ramp(100), "item_a", 0, "resp_1")
    buf.feed(ramp(50), "item_b", 0, "resp_2")
    out = tick(buf, clock)
    assert out[:100].all()


def test_prebuffer_adapts_down_on_steady_arrival_and_up_on_jitter(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock)
    assert buf.prebuffer_ms == 120  # conservative before anything was measured
    assert buf.start_buffer_ms == 120
    for r in range(3):  # deltas of 50 ms arriving every 25 ms: never late, never a gap
        for _ in range(10):
            buf.feed(ramp(1200), "item", 0, f"steady_{r}")
            clock.advance(0.025)
    buf.feed(ramp(10), "item", 0, "next")
    assert buf.prebuffer_ms == 40  # 0 ms lateness + 20 ms margin, clamped to the floor
    assert buf.start_buffer_ms == 40
    for _ in range(10):  # one delta 90 ms behind schedule
        buf.feed(ramp(1200), "item", 0, "jittery")
        clock.advance(0.050)
    buf.feed(ramp(1200), "item", 0, "jittery")
    clock.advance(0.14)
    buf.feed(ramp(1200), "item", 0, "jittery")
    assert buf.prebuffer_ms == pytest.approx(90 + 20, abs=1)
    clock.advance(1.0)
    buf.feed(ramp(1200), "item", 0, "jittery")
    assert buf.prebuffer_ms == 120  # clamped ceiling


def test_start_buffer_learns_the_gap_after_a_short_first_burst(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=120)
    for r in range(4):  # 40 ms arrives, then nothing for 100 ms, then plenty
        buf.feed(ramp(960), "item", 0, f"resp_{r}")
        clock.advance(0.1)
        for _ in range(10):
            buf.feed(ramp(960), "item", 0, f"resp_{r}")
        clock.advance(1.0)
    buf.feed(ramp(10), "item", 0, "next")
    # Starting with 40 ms in hand would have run dry; with the second burst in hand, never.
    assert buf.start_buffer_ms == pytest.approx(40 + 20)
    assert buf.prebuffer_ms == pytest.approx(100 - 40 + 20)


def test_underrun_outputs_silence_counts_and_reprebuffers(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=40)
    buf.feed(ramp(1200), "item", 0, "resp")  # 50 ms
    out = tick(buf, clock, 10)  # 100 ms: 40 ms wait, 50 ms play, then dry
    assert np.count_nonzero(out) == 1200
    assert buf.state == "idle"
    assert buf.underruns == 0  # dry is not an underrun until more of the same response arrives
    buf.feed(ramp(1200, 5000), "item", 0, "resp")
    assert buf.underruns == 1
    assert buf.state == "prebuffering"
    assert buf.prebuffer_ms > 40  # the late delta raised the target
    assert not tick(buf, clock, 3).any()  # re-prebuffering
    assert tick(buf, clock, 10).any()


def test_overflow_drops_oldest_and_stays_bounded(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, capacity_s=0.1, initial_prebuffer_ms=40)  # 2400 samples
    for i in range(5):
        buf.feed(ramp(1000, 1000 * i), "item", 0, "resp")
    assert buf.buffered_samples == 2400
    assert buf.overflows == 3
    assert buf.overflow_dropped_samples == 2600
    clock.advance(0.05)
    out = np.zeros(2400, dtype=np.int16)
    assert buf.read_into(out) == 2400
    np.testing.assert_array_equal(out, ramp(5000, 0)[2600:])


def test_a_feed_larger_than_the_ring_keeps_its_newest_samples(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, capacity_s=0.01, initial_prebuffer_ms=40)  # 240 samples
    buf.feed(ramp(1000), "item", 0, "resp")
    buf.end_response("resp")
    out = np.zeros(240, dtype=np.int16)
    buf.read_into(out)
    np.testing.assert_array_equal(out, ramp(1000)[-240:])


def test_ring_wraparound_preserves_order(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, capacity_s=0.06, initial_prebuffer_ms=40)  # 1440 samples
    data = ramp(24000)
    played = []
    for i in range(0, 24000, 480):  # feed 20 ms, play 20 ms, 50 times around a 60 ms ring
        buf.feed(data[i : i + 480], "item", 0, "resp")
        played.append(tick(buf, clock, 2))
    buf.end_response("resp")
    played.append(tick(buf, clock, 10))
    out = np.concatenate(played)
    np.testing.assert_array_equal(out[out != 0], data)


def test_flush_mid_block_fades_within_5ms_then_exact_zeros(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=40)
    loud = tone(440, 1000, amplitude=0.9)
    buf.feed(loud, "item", 0, "resp")
    tick(buf, clock, 10)
    last = tick(buf, clock)[-1]
    played = buf.played_samples
    dropped = buf.interrupt("resp")
    assert dropped > 0
    out = tick(buf, clock, 3)
    fade = out[:120]  # 5 ms at 24 kHz
    assert not out[120:].any(), "exact zeros after the fade"
    expected_next = loud[played : played + 120]
    assert last == loud[played - 1]
    # The fade continues the waveform and shrinks to silence: no step larger than the tone's own steepest one
    # (a hard cut would jump by up to the full amplitude, ~29000).
    steps = np.abs(np.diff(np.concatenate([[last], out]).astype(int)))
    steepest = 2 * np.pi * 440 / RATE * 0.9 * 32767
    assert steps.max() <= 1.1 * steepest
    assert np.all(np.abs(fade.astype(int)) <= np.abs(expected_next.astype(int)))
    assert abs(int(fade[-1])) < 0.02 * 32767
    assert buf.state == "idle"
    assert not buf.is_active


def test_interrupt_before_playback_started_emits_nothing(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=100)
    buf.feed(tone(440, 50), "item", 0, "resp")
    tick(buf, clock, 2)
    buf.interrupt("resp")
    assert not tick(buf, clock, 20).any()


def test_late_deltas_of_an_interrupted_response_are_dropped(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=40)
    buf.feed(ramp(2400), "item_1", 0, "resp_1")
    tick(buf, clock, 6)
    buf.interrupt("resp_1")
    assert buf.feed(ramp(2400), "item_1", 0, "resp_1") == 0
    assert buf.dropped_feeds == 1
    assert not tick(buf, clock, 20)[120:].any()
    assert buf.feed(ramp(2400, 7), "item_2", 0, "resp_2") == 2400  # the next response plays normally
    assert tick(buf, clock, 20).any()


def test_interrupt_without_id_cancels_the_response_being_fed(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=40)
    buf.feed(ramp(2400), "item", 0, "resp")
    tick(buf, clock, 6)
    buf.interrupt()
    assert buf.feed(ramp(100), "item", 0, "resp") == 0


def test_flush_keeps_accepting_the_same_response(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=40)
    buf.feed(ramp(2400), "item", 0, "resp")
    buf.flush()
    assert buf.buffered_samples == 0
    assert buf.feed(ramp(100), "item", 0, "resp") == 100
    assert buf.underruns == 0


def test_interrupting_a_response_keeps_the_next_one_queued_behind_it(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=40)
    buf.feed(ramp(2400), "a", 0, "resp_1")
    buf.feed(ramp(480, 20000), "b", 0, "resp_2")
    tick(buf, clock, 5)
    buf.interrupt("resp_1")
    out = tick(buf, clock, 5)
    assert not out[120:BLOCK].any()
    np.testing.assert_array_equal(out[BLOCK : BLOCK + 480], ramp(480, 20000))


def test_played_samples_are_reported_per_item_to_a_real_tracker(clock: FakeClock) -> None:
    tracker = RealtimePlaybackTracker()
    calls: list[tuple[str, int, int]] = []

    def on_played(item_id: str, content_index: int, samples: int) -> None:
        calls.append((item_id, content_index, samples))
        tracker.on_play_ms(item_id, content_index, samples * 1000 / RATE)

    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=120, on_played=on_played)
    buf.feed(ramp(300), "item_a", 0, "resp")  # 12.5 ms
    buf.feed(ramp(700), "item_a", 0, "resp")  # run-length merge with the previous delta
    buf.feed(ramp(1600), "item_b", 1, "resp")  # 67 ms
    tick(buf, clock, 12)  # 108 ms queued < 120 ms: the clock starts it at 120 ms; nothing reported before
    assert calls == []
    tick(buf, clock, 5)  # 1200 samples: 1000 of item_a, 200 of item_b
    assert calls == [("item_a", 0, 240), ("item_a", 0, 240), ("item_a", 0, 240), ("item_a", 0, 240),
                     ("item_a", 0, 40), ("item_b", 1, 200)]
    state = tracker.get_state()
    assert state.current_item_id == "item_b"
    assert state.current_item_content_index == 1
    assert state.elapsed_ms == pytest.approx(200 * 1000 / RATE)
    buf.interrupt("resp")
    tick(buf, clock, 3)  # the fade is not reported: truncation uses what was fully played
    assert tracker.get_state().elapsed_ms == pytest.approx(200 * 1000 / RATE)


def test_pcm16_bytes_are_accepted(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=40)
    data = ramp(480)
    buf.feed(data.astype("<i2").tobytes(), "item", 0, "resp")
    buf.end_response("resp")
    np.testing.assert_array_equal(tick(buf, clock, 2), data)


def test_stats_snapshot(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, initial_prebuffer_ms=40)
    buf.feed(ramp(2400), "item", 0, "resp")
    stats = buf.stats()
    assert stats.state == "prebuffering"
    assert stats.buffered_ms == pytest.approx(100)
    assert stats.prebuffer_ms == 40
    assert stats.played_samples == 0


def test_cover_rule_starts_when_audio_in_hand_plus_silence_reaches_the_cover(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, cover_prior_ms=100)
    assert buf.cover_ms == 100
    buf.feed(ramp(960), "item", 0, "resp")  # 40 ms in hand: start 60 ms after this delta
    assert not tick(buf, clock, 6).any()
    assert buf.state == "prebuffering"
    assert tick(buf, clock).any()


def test_cover_rule_starts_at_once_when_a_burst_covers_it(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock, cover_prior_ms=100)
    buf.feed(ramp(960), "item", 0, "resp")
    clock.advance(0.02)
    buf.feed(ramp(1920, 2000), "item", 0, "resp")  # 120 ms in hand >= 100 ms
    assert tick(buf, clock).any()


def test_default_buffer_never_underruns_on_a_steady_faster_than_real_time_stream(clock: FakeClock) -> None:
    buf = JitterBuffer(clock=clock)
    for r in range(10):  # 40 ms deltas every 30 ms, a 150 ms pause after the first of each response
        t0 = clock.now
        buf.feed(ramp(960), "item", 0, f"r{r}")
        for i in range(1, 40):
            while clock.now < t0 + 0.15 + i * 0.03:
                tick(buf, clock)
            buf.feed(ramp(960), "item", 0, f"r{r}")
        buf.end_response(f"r{r}")
        tick(buf, clock, 200)
    assert buf.underruns == 0
    # Learned: 40 ms in hand + (180 - 40) ms until the earliest safe start, + 20 ms margin (block-rounded).
    assert buf.cover_ms is not None and 200 <= buf.cover_ms <= 215
