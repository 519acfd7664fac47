"""Turn latency: from end of speech to the first heard agent sample, approval waits excluded, p50/p95."""

from __future__ import annotations

import pytest

from realtime_cli.audio.latency import TurnLatency, percentile


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
