"""The playback tracker as the reference defines it: `on_play_bytes(item_id, item_content_index, bytes)`,
`set_audio_format` taking names, mappings or the openai package's format objects, and `get_state()` a dict."""

from __future__ import annotations

import pytest

from realtime_cli import RealtimePlaybackTracker


def test_on_play_bytes_takes_the_bytes_keyword_and_counts_ms_in_the_format() -> None:
    tracker = RealtimePlaybackTracker()
    tracker.on_play_bytes(item_id="a1", item_content_index=0, bytes=b"\0" * 4800)  # 100 ms of pcm16 at 24 kHz
    assert tracker.get_state() == {"current_item_id": "a1", "current_item_content_index": 0, "elapsed_ms": 100.0}
    tracker.on_play_ms("a1", 0, 50)
    assert tracker.get_state()["elapsed_ms"] == 150.0
    tracker.on_play_bytes("a2", 0, b"\0" * 480)  # a new item starts its own count
    assert tracker.get_state()["elapsed_ms"] == pytest.approx(10.0)
    tracker.on_interrupted()
    assert tracker.get_state() == {"current_item_id": None, "current_item_content_index": None, "elapsed_ms": None}


@pytest.mark.parametrize("fmt", ["g711_ulaw", "audio/pcmu", {"type": "audio/pcmu"}, "openai"])
def test_set_audio_format_accepts_every_spelling(fmt: object) -> None:
    if fmt == "openai":
        from openai.types.realtime.realtime_audio_formats import AudioPCMU

        fmt = AudioPCMU(type="audio/pcmu")
    tracker = RealtimePlaybackTracker()
    tracker.set_audio_format(fmt)
    tracker.on_play_bytes("a1", 0, b"\xff" * 800)  # 100 ms of 8 kHz µ-law
    assert tracker.get_state()["elapsed_ms"] == pytest.approx(100.0)


def test_state_reads_as_attributes_too_and_unknown_formats_fail() -> None:
    tracker = RealtimePlaybackTracker()
    tracker.on_play_ms("a1", 1, 20)
    state = tracker.get_state()
    assert (state.current_item_id, state.current_item_content_index) == ("a1", 1)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="unknown audio format"):
        tracker.set_audio_format("mp3")
