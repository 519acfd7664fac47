"""The engine's conversation: items in order, their text, their audio length and where each spoken phrase
starts, so truncation can cut the stored transcript to what the user heard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..protocol.names import Dialect
from .brain import Turn


@dataclass
class PhraseMark:
    start_ms: float
    end_ms: float
    text: str


@dataclass
class Item:
    """One conversation item as the engine stores it."""

    id: str
    type: str  # message | function_call | function_call_output
    role: str | None = None
    text: str = ""  # text or transcript
    audio_ms: float = 0.0  # assistant audio produced (or user audio committed)
    has_audio: bool = False
    name: str | None = None
    call_id: str | None = None
    arguments: str | None = None
    output: str | None = None
    status: str = "completed"
    phrases: list[PhraseMark] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    asks: tuple[str, str] | None = None  # the brain's follow-up state: the (tool, parameter) this message asks for

    def to_wire(self, dialect: Dialect) -> dict[str, Any]:
        base: dict[str, Any] = {"id": self.id, "object": "realtime.item", "type": self.type, "status": self.status}
        if self.type == "function_call":
            base.update(name=self.name, call_id=self.call_id, arguments=self.arguments or "")
            return base
        if self.type == "function_call_output":
            base.update(call_id=self.call_id, output=self.output or "")
            return base
        base["role"] = self.role
        base["content"] = self._content(dialect)
        return base

    def _content(self, dialect: Dialect) -> list[dict[str, Any]]:
        if self.role == "assistant":
            if self.has_audio:
                kind = "output_audio" if dialect == "ga" else "audio"
                return [{"type": kind, "transcript": self.text}]
            return [{"type": "output_text" if dialect == "ga" else "text", "text": self.text}]
        if self.has_audio:
            return [{"type": "input_audio", "transcript": self.text or None}]
        return [{"type": "input_text", "text": self.text}]

    def truncate(self, audio_end_ms: float) -> None:
        """Keep only what was heard: whole phrases before the cut, and the share of words of the cut phrase."""
        kept: list[str] = []
        for mark in self.phrases:
            if mark.end_ms <= audio_end_ms:
                kept.append(mark.text)
            elif mark.start_ms < audio_end_ms:
                words = mark.text.split()
                share = (audio_end_ms - mark.start_ms) / max(1.0, mark.end_ms - mark.start_ms)
                kept.append(" ".join(words[: int(len(words) * share)]))
                break
        self.text = " ".join(k.strip() for k in kept if k.strip())
        self.audio_ms = audio_end_ms
        self.phrases = [m for m in self.phrases if m.start_ms < audio_end_ms]
        self.status = "incomplete"


_ROLES: dict[str, Literal["user", "assistant", "system"]] = {"user": "user", "assistant": "assistant",
                                                               "system": "system"}


class Conversation:
    """Items by id in insertion order."""

    def __init__(self) -> None:
        self._items: dict[str, Item] = {}

    def add(self, item: Item, previous_item_id: str | None = None) -> str | None:
        """Append (or insert after `previous_item_id`); returns the id of the item before it."""
        ids = list(self._items)
        if previous_item_id and previous_item_id in self._items:
            position = ids.index(previous_item_id) + 1
            ordered = [*ids[:position], item.id, *ids[position:]]
            self._items[item.id] = item
            self._items = {i: self._items[i] for i in ordered}
            return previous_item_id
        before = ids[-1] if ids else None
        self._items[item.id] = item
        return before

    def get(self, item_id: str) -> Item | None:
        return self._items.get(item_id)

    def delete(self, item_id: str) -> bool:
        return self._items.pop(item_id, None) is not None

    def last_id(self) -> str | None:
        return next(reversed(self._items), None) if self._items else None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def turns(self) -> list[Turn]:
        """The conversation as the brain reads it."""
        out: list[Turn] = []
        for item in self._items.values():
            if item.type == "function_call":
                out.append(Turn("assistant", call_name=item.name, call_arguments=item.arguments, call_id=item.call_id))
            elif item.type == "function_call_output":
                out.append(Turn("tool", output=item.output, call_id=item.call_id))
            elif item.role in _ROLES:
                out.append(Turn(_ROLES[item.role], text=item.text, asks=item.asks))
        return out
