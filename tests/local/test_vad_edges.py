"""SpeechEdges as plain data: block levels in, the end of the last loud block near a frame end out."""

from __future__ import annotations

import numpy as np

from realtime_cli.local.vad_edges import SpeechEdges

RATE = 16_000
FRAME = 512  # 32 ms: four 8 ms blocks


def _fed(levels_dbfs: list[float]) -> SpeechEdges:
    """Edges fed one 8 ms block per level (four to a frame), as constant-level noise-free audio."""
    edges = SpeechEdges(FRAME, RATE)
    blocks = [np.full(FRAME // 4, 10 ** (db / 20), dtype=np.float32) for db in levels_dbfs]
    for f in range(0, len(blocks) // 4):
        edges.add(np.concatenate(blocks[4 * f : 4 * f + 4]), (f + 1) * 32)
    return edges


def test_a_soft_ending_past_the_last_speech_frame_extends_the_end() -> None:
    # 20 loud blocks (160 ms), 5 soft ones (-45 dBFS: under a -40 dB gate, still sound), then silence
    edges = _fed([-20.0] * 20 + [-45.0] * 5 + [-120.0] * 39)
    assert edges.speech_end(160) == 200


def test_a_frame_end_past_the_sound_comes_back_to_where_it_stopped() -> None:
    edges = _fed([-20.0] * 18 + [-120.0] * 46)
    assert edges.speech_end(160) == 144


def test_a_short_closure_inside_an_ending_does_not_end_it() -> None:
    # "…up": the vowel, 16 ms of closure, the release burst
    edges = _fed([-20.0] * 20 + [-120.0] * 2 + [-35.0] * 2 + [-120.0] * 40)
    assert edges.speech_end(160) == 192


def test_a_sound_long_after_the_end_is_not_part_of_it() -> None:
    edges = _fed([-20.0] * 20 + [-120.0] * 8 + [-20.0] * 2 + [-120.0] * 34)
    assert edges.speech_end(160) == 160


def test_the_rooms_noise_raises_the_edge() -> None:
    # noise at -44 dBFS: a -45 dB tail is noise, not speech; the sound stops where the loud part does
    edges = _fed([-20.0] * 20 + [-44.0] * 44)
    assert edges.speech_end(160) == 160


def test_nothing_known_leaves_the_end_as_it_is() -> None:
    assert SpeechEdges(FRAME, RATE).speech_end(320) == 320
    assert _fed([-120.0] * 64).speech_end(160) == 160
