"""What the server holds, mirrored on the client: the session configuration last sent and the conversation
items so far, so a new connection can be brought back to the same state (config first, then the items).

Pure: feed it the client events sent and the server events received; ask it for the events to replay.
"""

from __future__ import annotations

from typing import Any, cast

from . import client_events as ce
from . import names
from .session_config import SessionConfig

_LOCAL = "~local-"  # key prefix of items created here and not yet acknowledged by the server
MAX_ITEMS = 200  # older context is dropped from a replay rather than grown without bound


class ConversationMirror:
    """The client-side copy of the server's session state, for reconnecting."""

    def __init__(self, max_items: int = MAX_ITEMS) -> None:
        self.max_items = max_items
        self.session: SessionConfig | None = None
        self._items: dict[str, dict[str, Any]] = {}
        self._pending = 0

    # --- feeding -------------------------------------------------------------------------------------------

    def on_client_event(self, event: ce.ClientEvent) -> None:
        if event["type"] == names.SESSION_UPDATE:
            update = cast(ce.SessionUpdateEvent, event)["session"]
            merged = dict(self.session or {})
            merged.update(update)
            self.session = cast(SessionConfig, merged)
        elif event["type"] == names.CONVERSATION_ITEM_CREATE:
            item = cast(dict[str, Any], event.get("item"))
            if isinstance(item, dict) and not isinstance(item.get("id"), str):
                # Not yet acknowledged: kept under a local key until the server's echo (which carries the id the
                # server gave it) arrives, so a message sent just before a drop is replayed too.
                self._pending += 1
                self._upsert({**item, "id": f"{_LOCAL}{self._pending}"})
            elif isinstance(item, dict):
                self._upsert(item)

    def on_server_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind in (names.ITEM_ADDED, names.ITEM_DONE, names.ITEM_RETRIEVED, names.OUTPUT_ITEM_DONE,
                    names.OUTPUT_ITEM_ADDED):
            item = data.get("item")
            if isinstance(item, dict):
                self._upsert(item)
        elif kind in (names.TRANSCRIPT_DELTA, names.TEXT_DELTA):
            entry = self._items.get(str(data.get("item_id")))
            if entry is not None and isinstance(data.get("delta"), str):
                entry["text"] += data["delta"]
        elif kind in (names.TRANSCRIPT_DONE, names.TEXT_DONE, names.TRANSCRIPTION_COMPLETED):
            entry = self._items.get(str(data.get("item_id")))
            final = data.get("transcript", data.get("text"))
            if entry is not None and isinstance(final, str):
                entry["text"] = final
        elif kind == names.ITEM_DELETED:
            self._items.pop(str(data.get("item_id")), None)

    def _upsert(self, item: dict[str, Any]) -> None:
        item_id = item.get("id")
        kind = item.get("type")
        if not isinstance(item_id, str) or kind not in ("message", "function_call", "function_call_output"):
            return
        entry = self._items.get(item_id)
        if entry is None and not item_id.startswith(_LOCAL):
            entry = self._adopt(item_id, item)
        if entry is None:
            entry = {"id": item_id, "type": kind, "text": ""}
            self._items[item_id] = entry
            while len(self._items) > self.max_items:
                self._items.pop(next(iter(self._items)))
        if kind == "message":
            entry["role"] = item.get("role")
            text = _content_text(item)
            if text:
                entry["text"] = text
        else:
            for key in ("call_id", "name", "arguments", "output"):
                if item.get(key) is not None:
                    entry[key] = item[key]

    def _adopt(self, item_id: str, item: dict[str, Any]) -> dict[str, Any] | None:
        """The server's echo of an item we created: the oldest local entry it matches takes the server's id."""
        for key, entry in self._items.items():
            if key.startswith(_LOCAL) and _same_item(entry, item):
                self._items = {(item_id if k == key else k): v for k, v in self._items.items()}
                entry["id"] = item_id
                return entry
        return None

    # --- replaying -----------------------------------------------------------------------------------------

    def items(self) -> list[dict[str, Any]]:
        """The mirrored items as conversation items to create (canonical GA shape), oldest first. Items the
        server never acknowledged go without an id (the server assigns one)."""
        out: list[dict[str, Any]] = []
        for entry in self._items.values():
            kind = entry["type"]
            if kind == "function_call":
                if entry.get("call_id") and entry.get("name"):
                    out.append({"id": entry["id"], "type": "function_call", "call_id": entry["call_id"],
                                "name": entry["name"], "arguments": entry.get("arguments") or "{}"})
            elif kind == "function_call_output":
                if entry.get("call_id"):
                    out.append({"id": entry["id"], "type": "function_call_output", "call_id": entry["call_id"],
                                "output": str(entry.get("output") or "")})
            elif entry.get("text") and entry.get("role") in ("user", "assistant", "system"):
                part = "output_text" if entry["role"] == "assistant" else "input_text"
                out.append({"id": entry["id"], "type": "message", "role": entry["role"],
                            "content": [{"type": part, "text": entry["text"]}]})
        for item in out:
            if item["id"].startswith(_LOCAL):
                del item["id"]
        return _drop_orphans(out)

    def replay_events(self) -> list[ce.ClientEvent]:
        """The client events that rebuild this state on a fresh connection: the config, then each item."""
        events: list[ce.ClientEvent] = []
        if self.session is not None:
            events.append(ce.session_update(self.session))
        events.extend(ce.item_create(item) for item in self.items())
        return events


def _drop_orphans(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A function output is only valid after its call (a trimmed history may have lost the call)."""
    calls: set[str] = set()
    out = []
    for item in items:
        if item["type"] == "function_call":
            calls.add(item["call_id"])
        elif item["type"] == "function_call_output" and item["call_id"] not in calls:
            continue
        out.append(item)
    return out


def _same_item(entry: dict[str, Any], item: dict[str, Any]) -> bool:
    if entry["type"] != item.get("type"):
        return False
    if entry["type"] == "message":
        return bool(entry.get("role") == item.get("role") and entry["text"] == _content_text(item))
    return bool(entry.get("call_id") == item.get("call_id"))


def _content_text(item: dict[str, Any]) -> str:
    """The text (or transcript) of a message item's content parts, joined."""
    parts = item.get("content")
    return "".join(str(p.get("text") or p.get("transcript") or "") for p in parts or [] if isinstance(p, dict))
