"""The voice fields of the status bar: agent speaking, the mic-lag warning, latency measured by the front end."""

from __future__ import annotations

from realtime_cli.cli.view import status_line
from realtime_cli.cli.view_state import ViewState


def bar(state: ViewState) -> str:
    return status_line(state.snapshot().status, 200).plain


def test_agent_speaking_shows_while_the_user_is_not_talking() -> None:
    state = ViewState(agent="Helper")
    state.set_agent_speaking(True)
    assert "agent speaking" in bar(state)
    state.set_ptt("talking")
    assert "talking" in bar(state) and "agent speaking" not in bar(state)
    state.set_ptt("idle")
    state.set_agent_speaking(False)
    assert "agent speaking" not in bar(state)


def test_mic_lag_is_shown_only_while_it_warns() -> None:
    state = ViewState()
    state.set_capture_lag(30.0, False)
    assert "lag" not in bar(state)
    state.set_capture_lag(650.0, True)
    assert "mic lag 650 ms" in bar(state)
    state.set_capture_lag(100.0, False)
    assert "lag" not in bar(state)


def test_external_latency_replaces_the_event_clock() -> None:
    state = ViewState()
    state.use_external_latency()
    state.mark_turn_end()  # ignored: the front end times until the first sample is heard
    state.add_latency(312.0)
    status = state.snapshot().status
    assert status.latency_ms == 312.0 and "latency 312 ms" in bar(state)


def test_a_quiet_meter_does_not_change_the_snapshot() -> None:
    state = ViewState()
    for _ in range(10):
        state.set_mic_level(0.0, 0.0)
    version = state.snapshot().version
    state.set_mic_level(0.0, 0.0)
    state.set_ptt(state.snapshot().status.ptt)
    assert state.snapshot().version == version
    state.set_mic_level(0.2, 0.3)
    assert state.snapshot().version != version
