"""What the user has actually heard: the playback tracker the audio layer reports into.

The session reads it when it truncates an interrupted item, so the server's transcript matches what was played.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..protocol.codecs import AudioFormat, bytes_to_ms


@dataclass(frozen=True)
class PlaybackState:
    """A snapshot: which item is playing and how many milliseconds of it have been played."""

    current_item_id: str | None
    current_item_content_index: int | None
    elapsed_ms: float | None


class RealtimePlaybackTracker:
    """Counts played audio per item. Safe to call from the audio callback thread.

    The audio layer calls `on_play_bytes` (or `on_play_ms`) after each block it actually sent to the device; the
    session calls `get_state()` when it needs to truncate and `on_interrupted()` once playback was flushed.
    Each call holds a lock for a few attribute writes only, so the audio thread never waits on asyncio code.
    """

    def __init__(self, audio_format: AudioFormat = "pcm16") -> None:
        self._format: AudioFormat = audio_format
        self._lock = threading.Lock()
        self._item_id: str | None = None
        self._content_index: int | None = None
        self._elapsed_ms = 0.0

    def set_audio_format(self, audio_format: AudioFormat) -> None:
        """Tell the tracker how to turn played bytes into milliseconds."""
        self._format = audio_format

    def on_play_bytes(self, item_id: str, item_content_index: int, data: bytes | int) -> None:
        """Report that `data` (bytes, or a byte count) of the given item was just played."""
        count = data if isinstance(data, int) else len(data)
        self.on_play_ms(item_id, item_content_index, bytes_to_ms(count, self._format))

    def on_play_ms(self, item_id: str, item_content_index: int, ms: float) -> None:
        """Report that `ms` milliseconds of the given item were just played."""
        with self._lock:
            if item_id != self._item_id or item_content_index != self._content_index:
                self._item_id = item_id
                self._content_index = item_content_index
                self._elapsed_ms = 0.0
            self._elapsed_ms += ms

    def on_interrupted(self) -> None:
        """Forget the current item: playback was flushed and the session has truncated it."""
        with self._lock:
            self._item_id = None
            self._content_index = None
            self._elapsed_ms = 0.0

    def get_state(self) -> PlaybackState:
        """The item being played and how much of it was heard so far."""
        with self._lock:
            if self._item_id is None:
                return PlaybackState(None, None, None)
            return PlaybackState(self._item_id, self._content_index, self._elapsed_ms)
