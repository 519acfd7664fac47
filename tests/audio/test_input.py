"""Push-to-talk, open mic and the echo gate, driven with synthetic frames and a hand clock."""

from __future__ import annotations

import numpy as np
import pytest

from realtime_cli.audio.input import EchoGate, LevelMeter, OpenMic, PushToTalk, measure

from .conftest import FakeClock, tone

FRAME = 240  # 10 ms


def frame(level: float, samples: int = 240) -> np.ndarray:
    return tone(1000, samples / 24, amplitude=level)


class Recorder:
    def __init__(self) -> None:
        self.frames: list[np.ndarray] = []
        self.events: list[str] = []

    def sink(self, samples: np.ndarray) -> None:
        self.frames.append(samples)
        self.events.append(f"frame:{len(samples)}")

    @property
    def samples(self) -> int:
        return sum(len(f) for f in self.frames)


def test_measure_levels() -> None:
    full = np.array([32767, -32768] * 100, dtype=np.int16)
    level = measure(full)
    assert level.rms == pytest.approx(1.0, abs=1e-3)
    assert level.peak_dbfs == pytest.approx(0.0, abs=0.01)
    sine = measure(tone(1000, 100, amplitude=0.5))
    assert sine.rms == pytest.approx(0.5 / np.sqrt(2), rel=0.01)
    assert sine.rms_dbfs == pytest.approx(-9.03, abs=0.1)
    assert measure(np.zeros(0, dtype=np.int16)).rms == 0.0


def test_level_meter_holds_then_decays_the_peak(clock: FakeClock) -> None:
    meter = LevelMeter(decay_db_per_s=20, clock=clock)
    meter.update(frame(0.5))
    meter.update(frame(0.01))
    assert meter.held_peak == pytest.approx(0.5, rel=0.01)
    clock.advance(1.0)
    assert meter.held_peak == pytest.approx(0.05, rel=0.02)  # -20 dB after a second


def make_ptt(rec: Recorder, clock: FakeClock, speaking: bool = False, preroll_ms: float = 0.0) -> PushToTalk:
    return PushToTalk(
        rec.sink,
        on_turn_end=lambda: rec.events.append("turn_end"),
        on_barge_in=lambda: rec.events.append("barge_in"),
        agent_speaking=lambda: speaking,
        tail_ms=20,
        preroll_ms=preroll_ms,
        clock=clock,
    )


def test_ptt_forwards_what_was_captured_while_pressed_then_the_tail_then_ends_the_turn(clock: FakeClock) -> None:
    rec = Recorder()
    ptt = make_ptt(rec, clock)
    ptt.on_frame(frame(0.3), 99.99)  # captured before the press: dropped
    assert rec.samples == 0
    ptt.press(100.0)
    for i in range(3):
        ptt.on_frame(frame(0.3), 100.0 + i * 0.01)
    ptt.release(100.03)
    assert ptt.talking and "turn_end" not in rec.events
    ptt.on_frame(frame(0.3), 100.03)  # tail: 20 ms = two frames
    ptt.on_frame(frame(0.3), 100.04)
    ptt.on_frame(frame(0.3), 100.05)  # after the tail: dropped, and the turn ends
    assert rec.events == ["frame:240"] * 5 + ["turn_end"]
    assert ptt.turns == 1
    assert not ptt.talking


def test_ptt_keeps_audio_captured_before_a_late_release_was_read(clock: FakeClock) -> None:
    """The loop was busy: the key-up is read first, then 400 ms of frames captured before it arrive in one go."""
    rec = Recorder()
    ptt = make_ptt(rec, clock)
    ptt.press(100.0)
    ptt.release(100.4)
    ptt.on_frame(tone(1000, 400, amplitude=0.3), 100.0)  # one coalesced frame, captured while the key was down
    assert rec.samples == 9600 and "turn_end" not in rec.events
    ptt.on_frame(frame(0.3), 100.4)
    ptt.on_frame(frame(0.3), 100.41)
    assert rec.samples == 9600 + 480 and rec.events[-1] == "turn_end"


def test_ptt_preroll_keeps_the_start_of_a_late_read_press(clock: FakeClock) -> None:
    rec = Recorder()
    ptt = make_ptt(rec, clock, preroll_ms=50)
    for i in range(10):
        ptt.on_frame(frame(0.3), 100.0 + i * 0.01)  # delivered before the press was read
    ptt.press(100.1)
    assert rec.samples == 5 * 240  # the 50 ms just before the press


def test_ptt_tail_ends_on_a_partial_frame(clock: FakeClock) -> None:
    rec = Recorder()
    ptt = PushToTalk(rec.sink, on_turn_end=lambda: rec.events.append("turn_end"), tail_ms=15, preroll_ms=0,
                     clock=clock)
    ptt.press(100.0)
    ptt.release(100.0)
    ptt.on_frame(frame(0.3), 100.0)
    ptt.on_frame(frame(0.3), 100.01)
    assert rec.events == ["frame:240", "frame:120", "turn_end"]


def test_ptt_turn_ends_with_the_first_block_that_reaches_the_release_margin(clock: FakeClock) -> None:
    """The default margin is one 20 ms device block past the release; device blocks need not align with it."""
    rec = Recorder()
    ptt = PushToTalk(rec.sink, on_turn_end=lambda: rec.events.append("turn_end"), preroll_ms=0, clock=clock)
    ptt.press(99.0)
    ptt.on_frame(frame(0.3, 480), 99.975)  # captured before the release, delivered after it
    ptt.release(100.0)
    ptt.on_frame(frame(0.3, 480), 99.995)  # ends 100.015: short of release + 20 ms, the turn stays open
    assert "turn_end" not in rec.events
    ptt.on_frame(frame(0.3, 480), 100.015)  # reaches 100.02: 5 ms of it kept, and the turn is over
    assert rec.events == ["frame:480", "frame:480", "frame:120", "turn_end"]
    ptt.on_frame(frame(0.3, 480), 100.035)
    assert rec.samples == 1080  # after the turn: nothing more is sent


def test_ptt_turn_ends_by_deadline_when_the_mic_stops(clock: FakeClock) -> None:
    rec = Recorder()
    ptt = make_ptt(rec, clock)
    ptt.press()
    ptt.release()
    ptt.poll()
    assert "turn_end" not in rec.events
    clock.advance(0.5)
    ptt.poll()
    assert "turn_end" not in rec.events  # frames may still be on their way from a busy loop
    clock.advance(0.6)
    ptt.poll()
    assert rec.events == ["turn_end"]


def test_ptt_press_while_agent_speaks_barges_in_first(clock: FakeClock) -> None:
    rec = Recorder()
    ptt = make_ptt(rec, clock, speaking=True)
    ptt.press()
    ptt.on_frame(frame(0.3))
    assert rec.events == ["barge_in", "frame:240"]


def test_ptt_repress_during_tail_continues_the_turn_and_toggle_works(clock: FakeClock) -> None:
    rec = Recorder()
    ptt = make_ptt(rec, clock, speaking=True)
    ptt.toggle(100.0)
    ptt.toggle(100.0)
    ptt.press(100.0)  # back within the tail: same turn, no second barge-in
    ptt.on_frame(frame(0.3), 100.0)
    ptt.release(100.01)
    ptt.on_frame(frame(0.3), 100.01)
    ptt.on_frame(frame(0.3), 100.02)
    ptt.on_frame(frame(0.3), 100.03)
    assert rec.events.count("barge_in") == 1
    assert rec.events.count("turn_end") == 1


def test_echo_gate_threshold_and_warmup(clock: FakeClock) -> None:
    gate = EchoGate(floor=0.015, ratio=0.6, offset=0.002, warmup_s=0.5, clock=clock)
    assert gate.threshold(0.0) == 0.015
    assert gate.threshold(0.1) == pytest.approx(0.062)
    assert gate.allows(0.001, 0.5, agent_speaking=False)  # nobody talking over: everything passes
    assert not gate.allows(0.9, 0.1, agent_speaking=True)  # warm-up: even loud speech is held
    clock.advance(0.6)
    assert gate.allows(0.07, 0.1, agent_speaking=True)
    assert not gate.allows(0.05, 0.1, agent_speaking=True)  # echo-level mic stays gated
    gate.allows(0.0, 0.0, agent_speaking=False)
    assert not gate.allows(0.9, 0.1, agent_speaking=True)  # a new agent turn: warm-up again


def test_open_mic_replaces_echo_with_silence_and_barges_in_on_real_speech(clock: FakeClock) -> None:
    rec = Recorder()
    state = {"speaking": False, "playback": 0.2}
    mic = OpenMic(
        rec.sink,
        playback_rms=lambda: state["playback"],
        agent_speaking=lambda: bool(state["speaking"]),
        gate=EchoGate(warmup_s=0.1, clock=clock),
        on_barge_in=lambda: rec.events.append("barge_in"),
        barge_in_ms=30,
        clock=clock,
    )
    mic.on_frame(frame(0.01))
    assert rec.frames[-1].any()  # idle: passes untouched
    state["speaking"] = True
    for _ in range(5):  # echo at 0.1 RMS-ish while playback is at 0.2: gated
        mic.on_frame(frame(0.1))
        clock.advance(0.01)
    assert not any(f.any() for f in rec.frames[1:])
    assert all(len(f) == FRAME for f in rec.frames)  # gated frames keep the stream continuous
    clock.advance(0.2)
    for _ in range(4):  # the user talks over the agent, clearly louder than the echo
        mic.on_frame(frame(0.5))
        clock.advance(0.01)
    assert rec.events.count("barge_in") == 1
    assert rec.frames[-1].any()
    assert mic.gated_samples == 5 * FRAME
