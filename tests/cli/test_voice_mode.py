"""Voice mode's pure helpers: the server VAD's silence wait read from session objects."""

from __future__ import annotations

from realtime_cli.cli.voice_mode import _silence_ms


def test_the_vad_silence_wait_is_read_from_either_session_shape() -> None:
    beta = {"turn_detection": {"type": "server_vad", "silence_duration_ms": 500}}
    ga = {"audio": {"input": {"turn_detection": {"type": "server_vad", "silence_duration_ms": 350}}}}
    assert _silence_ms(beta, 0.0) == 500
    assert _silence_ms(ga, 0.0) == 350
    assert _silence_ms({"turn_detection": None}, 500.0) == 0.0  # push-to-talk
    assert _silence_ms({"turn_detection": {"type": "semantic_vad"}}, 500.0) == 0.0
    assert _silence_ms({"instructions": "x"}, 500.0) == 500.0  # not mentioned: unchanged
