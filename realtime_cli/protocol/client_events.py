"""Client events: typed shapes, small builders, and serialization to either dialect.

Events are plain dicts in the canonical shape; only `session.update` differs on the wire between dialects.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict, Union, cast

from . import names
from .codecs import encode_audio
from .session_config import SessionConfig, session_to_wire


class _Base(TypedDict, total=False):
    event_id: str


class SessionUpdateEvent(_Base):
    type: Literal["session.update"]
    session: SessionConfig


class InputAudioBufferAppendEvent(_Base):
    type: Literal["input_audio_buffer.append"]
    audio: str


class InputAudioBufferCommitEvent(_Base):
    type: Literal["input_audio_buffer.commit"]


class InputAudioBufferClearEvent(_Base):
    type: Literal["input_audio_buffer.clear"]


class ConversationItemCreateEvent(_Base, total=False):
    type: Literal["conversation.item.create"]
    item: dict[str, Any]
    previous_item_id: str | None


class ConversationItemRetrieveEvent(_Base):
    type: Literal["conversation.item.retrieve"]
    item_id: str


class ConversationItemTruncateEvent(_Base):
    type: Literal["conversation.item.truncate"]
    item_id: str
    content_index: int
    audio_end_ms: int


class ConversationItemDeleteEvent(_Base):
    type: Literal["conversation.item.delete"]
    item_id: str


class ResponseCreateEvent(_Base, total=False):
    type: Literal["response.create"]
    response: dict[str, Any]


class ResponseCancelEvent(_Base, total=False):
    type: Literal["response.cancel"]
    response_id: str


class OutputAudioBufferClearEvent(_Base):
    type: Literal["output_audio_buffer.clear"]


ClientEvent = Union[
    SessionUpdateEvent,
    InputAudioBufferAppendEvent,
    InputAudioBufferCommitEvent,
    InputAudioBufferClearEvent,
    ConversationItemCreateEvent,
    ConversationItemRetrieveEvent,
    ConversationItemTruncateEvent,
    ConversationItemDeleteEvent,
    ResponseCreateEvent,
    ResponseCancelEvent,
    OutputAudioBufferClearEvent,
]


def session_update(session: SessionConfig) -> SessionUpdateEvent:
    return {"type": "session.update", "session": session}


def audio_append(pcm: bytes) -> InputAudioBufferAppendEvent:
    return {"type": "input_audio_buffer.append", "audio": encode_audio(pcm)}


def audio_commit() -> InputAudioBufferCommitEvent:
    return {"type": "input_audio_buffer.commit"}


def audio_clear() -> InputAudioBufferClearEvent:
    return {"type": "input_audio_buffer.clear"}


def user_text_item(text: str) -> ConversationItemCreateEvent:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    return {"type": "conversation.item.create", "item": item}


def item_create(item: dict[str, Any]) -> ConversationItemCreateEvent:
    return {"type": "conversation.item.create", "item": item}


def function_output(call_id: str, output: str) -> ConversationItemCreateEvent:
    item = {"type": "function_call_output", "call_id": call_id, "output": output}
    return {"type": "conversation.item.create", "item": item}


def truncate(item_id: str, content_index: int, audio_end_ms: int) -> ConversationItemTruncateEvent:
    return {"type": "conversation.item.truncate", "item_id": item_id, "content_index": content_index,
            "audio_end_ms": audio_end_ms}


def item_delete(item_id: str) -> ConversationItemDeleteEvent:
    return {"type": "conversation.item.delete", "item_id": item_id}


def response_create(response: dict[str, Any] | None = None) -> ResponseCreateEvent:
    event: ResponseCreateEvent = {"type": "response.create"}
    if response:
        event["response"] = response
    return event


def response_cancel(response_id: str | None = None) -> ResponseCancelEvent:
    event: ResponseCancelEvent = {"type": "response.cancel"}
    if response_id:
        event["response_id"] = response_id
    return event


def _beta_content(item: dict[str, Any]) -> dict[str, Any]:
    """Beta names assistant text parts `text` and assistant audio parts `audio`; GA says `output_*`."""
    content = item.get("content")
    if item.get("role") != "assistant" or not isinstance(content, list):
        return item
    renamed = {"output_text": "text", "output_audio": "audio"}
    parts = [dict(p, type=renamed.get(str(p.get("type")), p.get("type"))) if isinstance(p, dict) else p
             for p in content]
    return dict(item, content=parts)


def to_wire(event: ClientEvent, dialect: names.Dialect) -> dict[str, Any]:
    """The JSON-ready dict of a client event in `dialect`."""
    kind = event["type"]
    if kind == names.SESSION_UPDATE:
        update = cast(SessionUpdateEvent, event)
        wire: dict[str, Any] = {"type": kind, "session": session_to_wire(update["session"], dialect)}
        if "event_id" in update:
            wire["event_id"] = update["event_id"]
        return wire
    if kind == names.CONVERSATION_ITEM_CREATE and dialect == "beta":
        create = cast(ConversationItemCreateEvent, event)
        return dict(create, item=_beta_content(create.get("item", {})))
    return cast(dict[str, Any], event)
