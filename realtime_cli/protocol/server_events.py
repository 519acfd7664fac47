"""Server events as received: the wire dict kept as is, its canonical name beside it, fields as attributes.

`ServerEvent.type` is the wire name (so user code written for either dialect reads as written); `kind` is the
canonical (GA) name that the rest of the code dispatches on. TypedDicts below type the payloads it acts on.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from .names import Dialect, canonical_type


class AttrDict(dict[str, Any]):
    """A dict whose keys also read as attributes (`event.error.message`); nested dicts read the same way."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return _wrap(self[name])
        except KeyError:
            raise AttributeError(name) from None


def _wrap(value: Any) -> Any:
    if type(value) is dict:
        return AttrDict(value)
    return value


class ServerEvent:
    """One server event. Attribute access reads the event's wire fields; `data` is the parsed JSON object."""

    __slots__ = ("data", "kind", "type")

    def __init__(self, data: dict[str, Any], dialect: Dialect = "ga") -> None:
        self.data = data
        kind = data.get("type")
        self.type: str = kind if type(kind) is str else str(kind or "")
        self.kind: str = canonical_type(self.type, dialect)

    def __getattr__(self, name: str) -> Any:
        try:
            return _wrap(self.data[name])
        except KeyError:
            raise AttributeError(f"{self.type!r} event has no field {name!r}") from None

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __repr__(self) -> str:
        return f"ServerEvent({_elide(self.data)})"


def _elide(data: dict[str, Any]) -> str:
    """A short repr with audio payloads replaced by their size."""
    shown = {k: (f"<{len(v)} chars>" if k in ("delta", "audio") and isinstance(v, str) and len(v) > 64 else v)
             for k, v in data.items()}
    return json.dumps(shown, ensure_ascii=False)[:500]


class ServerEventError(ValueError):
    """A frame that is not a JSON object with a string `type`."""


def parse_server_event(text: str | bytes, dialect: Dialect) -> ServerEvent:
    """Parse one frame; raises ServerEventError with a one-line reason when it is not an event."""
    try:
        data = orjson.loads(text)
    except (orjson.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ServerEventError(f"server sent invalid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ServerEventError("server sent a frame that is not an event object with a string 'type'")
    return ServerEvent(data, dialect)
