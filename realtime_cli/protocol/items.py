"""Typed conversation items: user, assistant and system messages with their content parts, and tool calls (the
call and its output share one item), as pydantic models; `item_from_wire` reads them from wire items.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

_OPEN = ConfigDict(extra="allow")


class InputText(BaseModel):
    """Text the user (or the system) wrote."""

    model_config = _OPEN
    type: Literal["input_text"] = "input_text"
    text: str | None = None


class InputAudio(BaseModel):
    """Audio the user spoke (base64 when kept), with its transcript once the service has one."""

    model_config = _OPEN
    type: Literal["input_audio"] = "input_audio"
    audio: str | None = None
    transcript: str | None = None


class InputImage(BaseModel):
    """An image the user sent, as a data: or https: URL."""

    model_config = _OPEN
    type: Literal["input_image"] = "input_image"
    image_url: str | None = None
    detail: str | None = None


class AssistantText(BaseModel):
    """Text the assistant wrote."""

    model_config = _OPEN
    type: Literal["text"] = "text"
    text: str | None = None


class AssistantAudio(BaseModel):
    """Audio the assistant spoke, with its transcript (cut to what was heard when the user interrupted)."""

    model_config = _OPEN
    type: Literal["audio"] = "audio"
    audio: str | None = None
    transcript: str | None = None


def _joined(parts: list[Any]) -> str:
    out = []
    for part in parts:
        value = getattr(part, "transcript", None) if "audio" in part.type else getattr(part, "text", None)
        if value:
            out.append(value)
    return "".join(out)


class SystemMessageItem(BaseModel):
    model_config = _OPEN
    item_id: str
    previous_item_id: str | None = None
    type: Literal["message"] = "message"
    role: Literal["system"] = "system"
    content: list[InputText]

    @property
    def text(self) -> str:
        """All text of the message, joined (a convenience; not part of `model_dump()`)."""
        return _joined(self.content)


class UserMessageItem(BaseModel):
    model_config = _OPEN
    item_id: str
    previous_item_id: str | None = None
    type: Literal["message"] = "message"
    role: Literal["user"] = "user"
    content: list[Annotated[Union[InputText, InputAudio, InputImage], Field(discriminator="type")]]

    @property
    def text(self) -> str:
        """Typed text and audio transcripts, joined (a convenience; not part of `model_dump()`)."""
        return _joined(self.content)


class AssistantMessageItem(BaseModel):
    model_config = _OPEN
    item_id: str
    previous_item_id: str | None = None
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    status: Literal["in_progress", "completed", "incomplete"] | None = None
    content: list[Annotated[Union[AssistantText, AssistantAudio], Field(discriminator="type")]]

    @property
    def text(self) -> str:
        """Text and audio transcripts, joined (a convenience; not part of `model_dump()`)."""
        return _joined(self.content)


RealtimeMessageItem = Annotated[Union[SystemMessageItem, UserMessageItem, AssistantMessageItem],
                                Field(discriminator="role")]


class RealtimeToolCallItem(BaseModel):
    """A function call; `output` is filled (and `status` becomes completed) when its output is added."""

    model_config = _OPEN
    item_id: str
    previous_item_id: str | None = None
    call_id: str | None
    type: Literal["function_call"] = "function_call"
    status: Literal["in_progress", "completed"]
    arguments: str
    name: str
    output: str | None = None


RealtimeItem = Union[SystemMessageItem, UserMessageItem, AssistantMessageItem, RealtimeToolCallItem]


class RealtimeResponse(BaseModel):
    """One response of the model and the message items it produced."""

    id: str
    output: list[RealtimeMessageItem]


_MESSAGE: TypeAdapter[Any] = TypeAdapter(RealtimeMessageItem)
_USER_PARTS = {"input_text": "input_text", "input_audio": "input_audio", "input_image": "input_image",
               "text": "input_text"}
_ASSISTANT_PARTS = {"text": "text", "output_text": "text", "audio": "audio", "output_audio": "audio"}


def _parts(content: Any, mapping: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for part in content if isinstance(content, list) else []:
        if isinstance(part, dict) and part.get("type") in mapping:
            out.append({**part, "type": mapping[part["type"]]})
    return out


def item_from_wire(item: dict[str, Any], previous_item_id: str | None = None) -> RealtimeItem | None:
    """A history item from a wire conversation item (None for types kept elsewhere or not at all)."""
    kind, item_id = item.get("type"), str(item.get("id") or item.get("call_id") or "")
    previous = previous_item_id if previous_item_id is not None else item.get("previous_item_id")
    if kind == "function_call":
        status = "completed" if item.get("output") is not None else "in_progress"
        return RealtimeToolCallItem(item_id=item_id, previous_item_id=previous, call_id=item.get("call_id"),
                                    status=status, arguments=str(item.get("arguments") or ""),
                                    name=str(item.get("name") or ""),
                                    output=None if item.get("output") is None else str(item["output"]))
    role = item.get("role")
    if kind != "message" or role not in ("user", "assistant", "system"):
        return None
    mapping = _ASSISTANT_PARTS if role == "assistant" else _USER_PARTS
    content = _parts(item.get("content"), mapping)
    if role == "system":
        content = [p for p in content if p["type"] == "input_text"]
    data: dict[str, Any] = {"item_id": item_id, "previous_item_id": previous, "role": role, "content": content}
    if role == "assistant":
        state = item.get("status")
        data["status"] = state if state in ("in_progress", "completed", "incomplete") else None
    try:
        return _MESSAGE.validate_python(data)  # type: ignore[no-any-return]
    except ValueError:
        return None
