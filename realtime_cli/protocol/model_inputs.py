"""The model layer's sends (the Agents SDK's `RealtimeModelSend*` types) and their translation to and from the
canonical client events, so a session can drive a custom model and our model accepts typed sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Union, cast

from typing_extensions import NotRequired, TypedDict

from . import client_events as ce
from .codecs import decode_audio
from .model_events import RealtimeModelToolCallEvent


class RealtimeModelRawClientMessage(TypedDict):
    """A client event by name; `other_data` is merged into the event body."""

    type: str
    other_data: NotRequired[dict[str, Any]]


class RealtimeModelInputTextContent(TypedDict):
    type: Literal["input_text"]
    text: str


class RealtimeModelInputImageContent(TypedDict, total=False):
    type: Literal["input_image"]
    image_url: str
    detail: NotRequired[str]


class RealtimeModelUserInputMessage(TypedDict):
    type: Literal["message"]
    role: Literal["user"]
    content: list[RealtimeModelInputTextContent | RealtimeModelInputImageContent]


RealtimeModelUserInput = Union[str, RealtimeModelUserInputMessage]


@dataclass
class RealtimeModelSendRawMessage:
    message: RealtimeModelRawClientMessage


@dataclass
class RealtimeModelSendUserInput:
    """A user message; the model asks for a response after it."""

    user_input: RealtimeModelUserInput


@dataclass
class RealtimeModelSendAudio:
    audio: bytes
    commit: bool = False


@dataclass
class RealtimeModelSendToolOutput:
    tool_call: RealtimeModelToolCallEvent
    output: str
    start_response: bool


@dataclass
class RealtimeModelSendInterrupt:
    """Stop the current response (`response_id` scopes it when given)."""

    force_response_cancel: bool = False
    response_id: str | None = None
    cancel_response_only: bool = False
    playback_only: bool = False


@dataclass
class RealtimeModelSendSessionUpdate:
    session_settings: Any  # a RealtimeSessionModelSettings mapping


RealtimeModelSendEvent = Union[
    RealtimeModelSendRawMessage,
    RealtimeModelSendUserInput,
    RealtimeModelSendAudio,
    RealtimeModelSendToolOutput,
    RealtimeModelSendInterrupt,
    RealtimeModelSendSessionUpdate,
]


def user_input_item(user_input: RealtimeModelUserInput) -> dict[str, Any]:
    """The conversation item of a user input (a string or a message mapping)."""
    if isinstance(user_input, str):
        return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": user_input}]}
    item = dict(user_input)
    item.setdefault("type", "message")
    item.setdefault("role", "user")
    return item


def send_to_client_events(send: RealtimeModelSendEvent, settings_to_session: Any = None) -> list[ce.ClientEvent]:
    """The canonical client events one typed send stands for. `settings_to_session` turns session settings
    into a canonical session configuration (without it, the settings are sent as given)."""
    if isinstance(send, RealtimeModelSendRawMessage):
        body = {k: v for k, v in send.message.items() if k != "other_data"}
        body.update(send.message.get("other_data") or {})
        return [cast(ce.ClientEvent, body)]
    if isinstance(send, RealtimeModelSendUserInput):
        return [ce.item_create(user_input_item(send.user_input)), ce.response_create()]
    if isinstance(send, RealtimeModelSendAudio):
        out: list[ce.ClientEvent] = [ce.audio_append(send.audio)] if send.audio else []
        return [*out, ce.audio_commit()] if send.commit else out
    if isinstance(send, RealtimeModelSendToolOutput):
        out = [ce.function_output(send.tool_call.call_id, send.output)]
        return [*out, ce.response_create()] if send.start_response else out
    if isinstance(send, RealtimeModelSendInterrupt):
        return [] if send.playback_only else [ce.response_cancel(send.response_id)]
    settings = dict(send.session_settings)
    session = settings_to_session(settings) if settings_to_session is not None else settings
    return [ce.session_update(cast(Any, session))]


class SendTranslator:
    """Turns the session's canonical client events into typed sends for a custom model. A user message or tool
    output becomes one send that starts the response itself: ask `take_implied_response()` before requesting
    the response that follows it."""

    def __init__(self) -> None:
        self._calls: dict[str, RealtimeModelToolCallEvent] = {}
        self._implied = 0  # responses a send already asked for; their response.create is not sent again

    def remember_call(self, call: RealtimeModelToolCallEvent) -> None:
        self._calls[call.call_id] = call

    def take_implied_response(self) -> bool:
        """True (once per such send) when a user input or tool output send already asked for a response, so the
        session's following response request must not be sent again."""
        if self._implied:
            self._implied -= 1
            return True
        return False

    def to_sends(self, event: ce.ClientEvent, settings: Any = None) -> list[RealtimeModelSendEvent]:
        data = cast(dict[str, Any], event)
        kind = data.get("type")
        if kind == "session.update":
            return [RealtimeModelSendSessionUpdate(session_settings=settings if settings is not None
                                                   else dict(data.get("session") or {}))]
        if kind == "input_audio_buffer.append":
            return [RealtimeModelSendAudio(audio=decode_audio(str(data.get("audio", "")), "pcm16"))]
        if kind == "input_audio_buffer.commit":
            return [RealtimeModelSendAudio(audio=b"", commit=True)]
        if kind == "response.cancel":
            return [RealtimeModelSendInterrupt(response_id=data.get("response_id"))]
        if kind == "conversation.item.truncate":
            return []  # a custom model truncates its own audio when it reports an interruption
        item = data.get("item") if kind == "conversation.item.create" else None
        if isinstance(item, dict) and item.get("type") == "function_call_output":
            call_id = str(item.get("call_id"))
            call = self._calls.get(call_id) or RealtimeModelToolCallEvent(name="", call_id=call_id, arguments="")
            self._implied += 1
            return [RealtimeModelSendToolOutput(tool_call=call, output=str(item.get("output", "")),
                                                start_response=True)]
        if isinstance(item, dict) and item.get("type") == "message" and item.get("role") == "user":
            self._implied += 1
            content = item.get("content") or []
            texts = [p.get("text") for p in content if isinstance(p, dict)]
            if len(content) == 1 and content[0].get("type") == "input_text" and isinstance(texts[0], str):
                return [RealtimeModelSendUserInput(user_input=texts[0])]
            message = {"type": "message", "role": "user", "content": content}
            return [RealtimeModelSendUserInput(user_input=cast(RealtimeModelUserInputMessage, message))]
        other = {k: v for k, v in data.items() if k != "type"}
        raw: RealtimeModelRawClientMessage = {"type": str(kind)}
        if other:
            raw["other_data"] = other
        return [RealtimeModelSendRawMessage(message=raw)]
