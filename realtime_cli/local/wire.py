"""What the local engine puts on the wire: event ids, item ids, error events, and client-event validation
with the same error types, codes and params as the real service.
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from ..protocol import names

_counter = itertools.count(1)


def new_id(prefix: str) -> str:
    """An id in the service's style (`event_…`, `item_…`, `resp_…`, `call_…`)."""
    return f"{prefix}_{secrets.token_hex(6)}{next(_counter):04d}"


class ClientEventError(Exception):
    """A client event the service would reject; becomes an `error` event, the connection stays open."""

    def __init__(self, message: str, *, code: str = "invalid_value", param: str | None = None,
                 kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.kind = kind


class ClientGone(Exception):
    """The client's connection closed while the engine was sending: the session ends, nothing to report."""


def error_event(exc: ClientEventError, client_event_id: str | None) -> dict[str, Any]:
    return {"type": "error", "event_id": new_id("event"),
            "error": {"type": exc.kind, "code": exc.code, "message": exc.message, "param": exc.param,
                      "event_id": client_event_id}}


def missing(param: str) -> ClientEventError:
    return ClientEventError(f"Missing required parameter: '{param}'.", code="missing_required_parameter",
                            param=param)


def invalid_type(param: str, expected: str, value: Any) -> ClientEventError:
    return ClientEventError(f"Invalid type for '{param}': expected {expected}, but got {type(value).__name__}.",
                            code="invalid_type", param=param)


def require(event: dict[str, Any], key: str, kind: type | tuple[type, ...], expected: str,
            prefix: str = "") -> Any:
    """`event[key]`, checked to be present and of `kind`."""
    if key not in event or event[key] is None:
        raise missing(prefix + key)
    value = event[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise invalid_type(prefix + key, expected, value)
    return value


def optional(event: dict[str, Any], key: str, kind: type | tuple[type, ...], expected: str,
             prefix: str = "") -> Any:
    if event.get(key) is None:
        return None
    return require(event, key, kind, expected, prefix)


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def check_event_shape(event: Any) -> tuple[str, str | None]:
    """(type, event_id) of a parsed frame, or ClientEventError when it is not a known client event."""
    if not isinstance(event, dict):
        raise ClientEventError("The server failed to parse the event: expected a JSON object.", code="invalid_json")
    event_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
    kind = event.get("type")
    if not isinstance(kind, str):
        raise missing("type")
    if kind not in names.CLIENT_EVENT_TYPES:
        supported = ", ".join(f"'{t}'" for t in sorted(names.CLIENT_EVENT_TYPES))
        raise ClientEventError(f"Invalid value: '{kind}'. Supported values are: {supported}.", param="type")
    return kind, event_id


_USER_PARTS = {"input_text", "input_audio", "input_image"}
_ASSISTANT_PARTS = {"output_text", "output_audio", "text", "audio"}


def check_item(item: Any) -> dict[str, Any]:
    """A conversation item from `conversation.item.create`, validated."""
    if not isinstance(item, dict):
        raise invalid_type("item", "an object", item)
    kind = require(item, "type", str, "a string", "item.")
    if kind == "message":
        role = require(item, "role", str, "a string", "item.")
        if role not in ("user", "assistant", "system"):
            raise ClientEventError(f"Invalid value: '{role}'. Supported values are: 'user', 'assistant', 'system'.",
                                   param="item.role")
        content = require(item, "content", list, "an array", "item.")
        allowed = _ASSISTANT_PARTS if role == "assistant" else _USER_PARTS
        for index, part in enumerate(content):
            if not isinstance(part, dict):
                raise invalid_type(f"item.content[{index}]", "an object", part)
            ptype = require(part, "type", str, "a string", f"item.content[{index}].")
            if ptype not in allowed:
                raise ClientEventError(f"Invalid value: '{ptype}'. Supported values are: "
                                       f"{', '.join(sorted(repr(a) for a in allowed))}.",
                                       param=f"item.content[{index}].type")
            if ptype in ("input_text", "output_text", "text"):
                require(part, "text", str, "a string", f"item.content[{index}].")
        return item
    if kind in ("function_call_output", "function_call") and item.get("content") is not None:
        raise ClientEventError("Unknown parameter: 'item.content'.", code="unknown_parameter", param="item.content")
    if kind == "function_call_output":
        require(item, "call_id", str, "a string", "item.")
        require(item, "output", str, "a string", "item.")
        return item
    if kind == "function_call":
        require(item, "name", str, "a string", "item.")
        require(item, "call_id", str, "a string", "item.")
        optional(item, "arguments", str, "a string", "item.")
        return item
    raise ClientEventError(f"Invalid value: '{kind}'. Supported values are: 'message', 'function_call', "
                           "'function_call_output'.", param="item.type")
