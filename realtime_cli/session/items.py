"""Conversation history: the session's typed items in server order, updated from streamed text and transcripts.

`upsert` keeps text the session already has when the server sends a thinner copy; truncated replies keep what was heard.
"""

from __future__ import annotations

from typing import Any, Literal

from ..protocol.items import (
    AssistantAudio,
    AssistantMessageItem,
    AssistantText,
    InputAudio,
    InputImage,
    InputText,
    RealtimeItem,
    RealtimeMessageItem,
    RealtimeResponse,
    RealtimeToolCallItem,
    SystemMessageItem,
    UserMessageItem,
    item_from_wire,
)

__all__ = [
    "AssistantAudio", "AssistantMessageItem", "AssistantText", "History", "InputAudio", "InputImage", "InputText",
    "RealtimeItem", "RealtimeMessageItem", "RealtimeResponse", "RealtimeToolCallItem", "SystemMessageItem",
    "UserMessageItem", "item_from_wire",
]


def _merge_content(old: list[Any], new: list[Any]) -> list[Any]:
    """The server's copy of a message may lack text we already have: keep ours where its part is empty."""
    if not new:
        return list(old)
    merged = list(new)
    for index, part in enumerate(new):
        if index < len(old) and old[index].type == part.type:
            field = "transcript" if "audio" in part.type else "text"
            if getattr(part, field, None) is None and getattr(old[index], field, None) is not None:
                merged[index] = old[index]
    return merged


class History:
    """Items by id in server order. `upsert` keeps text the session already has when the server sends a thinner
    copy; a truncated assistant item keeps only its heard text, for good."""

    def __init__(self) -> None:
        self._items: dict[str, RealtimeItem] = {}
        self._truncated: set[str] = set()

    def upsert(self, item: RealtimeItem) -> bool:
        """Insert or update; True when the item is new."""
        old = self._items.get(item.item_id)
        if old is None:
            self._items[item.item_id] = item
            return True
        if item.item_id in self._truncated:
            return False
        if item.type == "message" and old.type == "message" and item.role == old.role:
            item.content = _merge_content(old.content, item.content)
            if item.previous_item_id is None:
                item.previous_item_id = old.previous_item_id
        elif isinstance(item, RealtimeToolCallItem) and isinstance(old, RealtimeToolCallItem) and old.output:
            item.output, item.status = old.output, old.status
        self._items[item.item_id] = item
        return False

    def get(self, item_id: str) -> RealtimeItem | None:
        return self._items.get(item_id)

    def set_text(self, item_id: str, text: str, *, append: bool = False, audio: bool = True) -> bool:
        """Replace (or extend) an assistant item's transcript (`audio`) or text unless it was truncated; True when
        it changed."""
        item = self._items.get(item_id)
        if not isinstance(item, AssistantMessageItem) or item_id in self._truncated:
            return False
        part = _last_part(item, "audio" if audio else "text")
        field = "transcript" if audio else "text"
        setattr(part, field, (getattr(part, field) or "") + text if append else text)
        return True

    def set_transcript(self, item_id: str, transcript: str) -> bool:
        """The service transcribed a user's audio item; True when the item is known."""
        item = self._items.get(item_id)
        if not isinstance(item, UserMessageItem):
            return False
        audio = [p for p in item.content if isinstance(p, InputAudio)]
        if audio:
            audio[-1].transcript = transcript
        else:
            item.content.append(InputAudio(transcript=transcript))
        return True

    def add_tool_output(self, call_id: str, output: str) -> RealtimeToolCallItem | None:
        """A function output arrived: it completes the call item with that call_id (None if unknown)."""
        for item in self._items.values():
            if isinstance(item, RealtimeToolCallItem) and item.call_id == call_id:
                item.output, item.status = output, "completed"
                return item
        return None

    def truncate(self, item_id: str, heard: str) -> bool:
        """The user interrupted this item: keep only the text heard, marked `status="incomplete"`, for good."""
        item = self._items.get(item_id)
        if not isinstance(item, AssistantMessageItem):
            return False
        audio = [p for p in item.content if isinstance(p, AssistantAudio)]
        part = audio[-1] if audio else _last_part(item, "text")
        if isinstance(part, AssistantAudio):
            part.transcript, part.audio = heard, None
        else:
            part.text = heard
        item.status = "incomplete"
        self._truncated.add(item_id)
        return True

    def delete(self, item_id: str) -> None:
        self._items.pop(item_id, None)
        self._truncated.discard(item_id)

    def items(self) -> list[RealtimeItem]:
        return list(self._items.values())

    def __len__(self) -> int:
        return len(self._items)


def _last_part(item: AssistantMessageItem, kind: Literal["audio", "text"]) -> AssistantAudio | AssistantText:
    for part in reversed(item.content):
        if part.type == kind:
            return part
    new: AssistantAudio | AssistantText = AssistantAudio() if kind == "audio" else AssistantText()
    item.content.append(new)
    return new
