"""The session's typed history fed from server events: items added, streamed text, transcripts, tool outputs,
truncations and deletions, each change announced as history_added / history_updated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..protocol.core_effects import Truncated
from ..protocol.state import heard_text
from . import events as ev
from .items import History, RealtimeItem, item_from_wire


class HistoryFeed:
    """Owns the History; `emit` receives the history events, stamped with `info`."""

    def __init__(self, emit: Callable[[Any], None], info: ev.RealtimeEventInfo) -> None:
        self.history = History()
        self._emit = emit
        self._info = info

    def items(self) -> list[RealtimeItem]:
        return self.history.items()

    def _updated(self) -> None:
        self._emit(ev.RealtimeHistoryUpdated(history=self.history.items(), info=self._info))

    def upsert(self, wire_item: dict[str, Any], previous_item_id: str | None = None) -> None:
        """An item the server added or finished (a tool output attaches to its call)."""
        if wire_item.get("type") == "function_call_output":
            if self.history.add_tool_output(str(wire_item.get("call_id")), str(wire_item.get("output") or "")):
                self._updated()
            return
        item = item_from_wire(wire_item, previous_item_id)
        if item is None or not item.item_id:
            return
        if self.history.upsert(item):
            self._emit(ev.RealtimeHistoryAdded(item=item, info=self._info))
        self._updated()

    def delta(self, item_id: str, delta: str, *, audio: bool) -> None:
        """Streamed text or transcript: the item follows the stream without an event per delta."""
        self.history.set_text(item_id, delta, append=True, audio=audio)

    def final(self, item_id: str, final: object, *, audio: bool) -> None:
        if isinstance(final, str) and self.history.set_text(item_id, final, audio=audio):
            self._updated()

    def transcript(self, item_id: str, transcript: str) -> None:
        """The user's audio was transcribed."""
        if self.history.set_transcript(item_id, transcript):
            self._updated()

    def delete(self, item_id: str) -> None:
        self.history.delete(item_id)
        self._updated()

    def truncate(self, cut: Truncated) -> None:
        """An interrupted reply keeps the part of its transcript that was heard."""
        item = self.history.get(cut.item_id)
        if item is not None:
            self.history.truncate(cut.item_id, heard_text(getattr(item, "text", ""), cut.audio_end_ms,
                                                          cut.received_ms))
            self._updated()
