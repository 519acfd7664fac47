"""What the user has actually heard: the playback tracker the audio layer reports into.

The session reads it when it truncates an interrupted item, so the server's transcript matches what was played.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, cast

from typing_extensions import TypedDict

from .codecs import FORMAT_FROM_GA_TYPE, GA_FORMAT_TYPES, AudioFormat, bytes_to_ms


class RealtimePlaybackState(TypedDict):
    """Which item is playing, its content part, and how many milliseconds of it have been played."""

    current_item_id: str | None
    current_item_content_index: int | None
    elapsed_ms: float | None


class _StateDict(dict[str, Any]):
    """The state mapping; its keys also read as attributes (`state.elapsed_ms`)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


PlaybackState = RealtimePlaybackState  # the name this module used before


def audio_format_of(value: Any) -> AudioFormat:
    """Our format name for a format given as a name (`pcm16`, `audio/pcmu`), a mapping with `type`, or an
    object with a `type` attribute (the openai package's AudioPCM / AudioPCMU / AudioPCMA)."""
    kind = value if isinstance(value, str) else (value.get("type") if isinstance(value, Mapping)
                                                  else getattr(value, "type", None))
    if kind in GA_FORMAT_TYPES:
        return cast(AudioFormat, kind)
    fmt = FORMAT_FROM_GA_TYPE.get(str(kind))
    if fmt is None:
        raise ValueError(f"unknown audio format {value!r}; use pcm16, g711_ulaw or g711_alaw")
    return fmt


class RealtimePlaybackTracker:
    """Counts played audio per item. Safe to call from the audio callback thread.

    The audio layer calls `on_play_bytes` (or `on_play_ms`) after each block it actually sent to the device; the
    session calls `get_state()` when it needs to truncate and `on_interrupted()` once playback was flushed.
    Each call holds a lock for a few attribute writes only, so the audio thread never waits on asyncio code.
    """

    def __init__(self, audio_format: Any = "pcm16") -> None:
        self._format: AudioFormat = audio_format_of(audio_format)
        self._lock = threading.Lock()
        self._item_id: str | None = None
        self._content_index: int | None = None
        self._elapsed_ms = 0.0

    def set_audio_format(self, format: Any) -> None:
        """Tell the tracker how to turn played bytes into milliseconds (a name, mapping or format object)."""
        self._format = audio_format_of(format)

    def on_play_bytes(self, item_id: str, item_content_index: int, bytes: bytes | int) -> None:
        """Report that `bytes` (the audio, or a byte count) of the given item was just played."""
        count = bytes if isinstance(bytes, int) else len(bytes)
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

    def get_state(self) -> RealtimePlaybackState:
        """The item being played and how much of it was heard so far (all None when nothing plays)."""
        with self._lock:
            if self._item_id is None:
                state = _StateDict(current_item_id=None, current_item_content_index=None, elapsed_ms=None)
            else:
                state = _StateDict(current_item_id=self._item_id, current_item_content_index=self._content_index,
                                   elapsed_ms=self._elapsed_ms)
        return cast(RealtimePlaybackState, state)
