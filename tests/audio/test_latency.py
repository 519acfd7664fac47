"""Turn latency: from end of speech to the first heard agent sample, approval waits excluded, p50/p95."""

from __future__ import annotations

import pytest

from realtime_cli.audio.latency import STAGES, TurnLatency, TurnTimeline, percentile


def test_latency_runs_from_speech_end_to_the_first_heard_sample() -> None:
    lat = TurnLatency()
    assert lat.agent_audio(5.0) is None  # the agent speaks first: no turn to time
    lat.speech_ended(10.0)
    assert lat.agent_audio(10.35) == pytest.approx(350)
    assert lat.agent_audio(10.5) is None  # only the first sample of the reply counts
    assert lat.last_ms == pytest.approx(350)


def test_time_waiting_for_an_approval_is_not_latency() -> None:
    lat = TurnLatency()
    lat.speech_ended(10.0)
    lat.approval(True, 10.2)
    lat.approval(True, 11.0)  # repeated "still waiting" changes nothing
    lat.approval(False, 24.2)
    assert lat.agent_audio(24.5) == pytest.approx(500)


def test_speaking_again_cancels_the_clock() -> None:
    lat = TurnLatency()
    lat.speech_ended(10.0)
    lat.speech_started()
    assert lat.agent_audio(11.0) is None and not lat.running


def test_percentiles_and_summary() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile(range(1, 101), 95) == 95
    lat = TurnLatency()
    assert lat.summary() is None
    for i, ms in enumerate((300, 320, 900)):
        lat.speech_ended(float(i * 10))
        lat.agent_audio(i * 10 + ms / 1000)
    summary = lat.summary()
    assert summary is not None and "p50 320 ms" in summary and "p95 900 ms" in summary and "3 turns" in summary


def test_timeline_splits_a_turn_into_consecutive_stages() -> None:
    timeline = TurnTimeline()
    timeline.mark("turn_end", 1.0)  # no turn open: ignored
    timeline.begin(10.0)
    timeline.mark("first_delta", 10.2)  # out of order (the commit is not in yet): ignored
    for name, t in [("turn_end", 10.04), ("committed", 10.045), ("first_delta", 10.3), ("first_delta", 10.35),
                    ("played", 10.32), ("heard", 10.34)]:
        timeline.mark(name, t)
    assert timeline.waiting_for is None and len(timeline.turns) == 1
    assert timeline.stage_ms("tail") == [pytest.approx(40)]
    assert timeline.stage_ms("engine") == [pytest.approx(255)]  # the first delta counts, the repeat does not
    assert timeline.stage_ms("prebuffer") == [pytest.approx(20)]
    assert sum(timeline.stage_ms(name)[0] for name, _a, _b in STAGES) == pytest.approx(340)
    summary = timeline.summary()
    assert summary is not None and "over 1 turns" in summary and "engine 255/255" in summary


def test_timeline_drops_a_turn_the_user_talks_over() -> None:
    timeline = TurnTimeline()
    assert timeline.summary() is None
    timeline.begin(5.0)
    timeline.mark("turn_end", 5.05)
    timeline.cancel()  # pressed again before any answer
    assert timeline.waiting_for is None
    timeline.mark("committed", 5.06)
    assert not timeline.turns
    timeline.begin(6.0)
    assert timeline.waiting_for == "turn_end"
