"""Conversation history: one RealtimeItem per conversation item, kept in server order.

Items are filled from `conversation.item.*`, transcription and response events; the session owns the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass
class RealtimeItem:
    """A message, function call or function output, with its text or transcript so far."""

    item_id: str
    type: Literal["message", "function_call", "function_call_output"]
    role: Literal["user", "assistant", "system"] | None = None
    text: str = ""
    has_audio: bool = False
    status: str | None = None
    name: str | None = None
    call_id: str | None = None
    arguments: str | None = None
    output: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def item_from_wire(item: dict[str, Any]) -> RealtimeItem | None:
    """A history item from a wire conversation item (None for types we do not keep)."""
    kind = item.get("type")
    item_id = str(item.get("id") or item.get("call_id") or "")
    if kind == "function_call":
        return RealtimeItem(item_id, "function_call", status=item.get("status"), name=item.get("name"),
                            call_id=item.get("call_id"), arguments=item.get("arguments"), raw=item)
    if kind == "function_call_output":
        return RealtimeItem(item_id, "function_call_output", call_id=item.get("call_id"),
                            output=item.get("output"), raw=item)
    if kind != "message":
        return None
    text_parts: list[str] = []
    has_audio = False
    for part in item.get("content") or []:
        if not isinstance(part, dict):
            continue
        ptype = str(part.get("type", ""))
        if "audio" in ptype:
            has_audio = True
            if part.get("transcript"):
                text_parts.append(str(part["transcript"]))
        elif part.get("text"):
            text_parts.append(str(part["text"]))
    role = item.get("role") if item.get("role") in ("user", "assistant", "system") else None
    return RealtimeItem(item_id, "message", role=role, text="".join(text_parts), has_audio=has_audio,
                        status=item.get("status"), raw=item)


class History:
    """Ordered items by id; `upsert` keeps text already accumulated when the server sends a thinner copy."""

    def __init__(self) -> None:
        self._items: dict[str, RealtimeItem] = {}
        self._truncated: set[str] = set()

    def upsert(self, item: RealtimeItem) -> bool:
        """Insert or update; True when the item is new. A truncated item keeps its heard text and status."""
        old = self._items.get(item.item_id)
        if old is None:
            self._items[item.item_id] = item
            return True
        if item.item_id in self._truncated:
            item.text, item.status = old.text, old.status
        elif not item.text and old.text:
            item.text = old.text
        self._items[item.item_id] = item
        return False

    def get(self, item_id: str) -> RealtimeItem | None:
        return self._items.get(item_id)

    def set_text(self, item_id: str, text: str, *, append: bool = False) -> bool:
        """Replace (or extend) an item's text unless it was truncated; True when it changed."""
        item = self._items.get(item_id)
        if item is None or item_id in self._truncated:
            return False
        item.text = item.text + text if append else text
        return True

    def truncate(self, item_id: str, heard: str) -> bool:
        """The user interrupted this item: keep only the text heard, marked `status="incomplete"`, for good."""
        item = self._items.get(item_id)
        if item is None:
            return False
        item.text, item.status = heard, "incomplete"
        self._truncated.add(item_id)
        return True

    def delete(self, item_id: str) -> None:
        self._items.pop(item_id, None)
        self._truncated.discard(item_id)

    def items(self) -> list[RealtimeItem]:
        return list(self._items.values())

    def __len__(self) -> int:
        return len(self._items)
