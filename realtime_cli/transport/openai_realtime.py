"""The OpenAI-specific pieces of the model layer: default settings, API key resolution, transport options and the
server event adapter, named as in the Agents SDK's `openai_realtime` module (its SIP model is in `session/sip.py`:
building the accept payload needs the agent layer).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Mapping
from typing import Any

from typing_extensions import NotRequired, TypedDict

from ..protocol import names
from ..protocol.codecs import GA_FORMAT_TYPES, PCM16_RATE
from ..protocol.errors import UserError
from ..protocol.playback import audio_format_of

DEFAULT_MODEL_SETTINGS: dict[str, Any] = {
    "voice": "ash",
    "modalities": ["audio"],
    "input_audio_format": "pcm16",
    "output_audio_format": "pcm16",
    "input_audio_transcription": {"model": names.DEFAULT_TRANSCRIPTION_MODEL},
    "turn_detection": {"type": "semantic_vad", "interrupt_response": True},
}


class TransportConfig(TypedDict):
    """WebSocket options of OpenAIRealtimeWebSocketModel (seconds and bytes)."""

    ping_interval: NotRequired[float | None]
    ping_timeout: NotRequired[float | None]
    handshake_timeout: NotRequired[float]
    max_size: NotRequired[int | None]


async def get_api_key(key: str | Callable[[], Any] | None) -> str | None:
    """The key itself, the result of a (sync or async) key function, or OPENAI_API_KEY when None."""
    if isinstance(key, str):
        return key
    if callable(key):
        value = key()
        if inspect.isawaitable(value):
            value = await value
        return None if value is None else str(value)
    return os.environ.get("OPENAI_API_KEY")


def to_realtime_audio_format(input_audio_format: Any) -> Mapping[str, Any] | None:
    """A format given by name, mapping or format object, as the GA session's `{"type": ..., "rate": ...}`."""
    if input_audio_format is None:
        return None
    fmt = audio_format_of(input_audio_format)
    out: dict[str, Any] = {"type": GA_FORMAT_TYPES[fmt]}
    if fmt == "pcm16":
        out["rate"] = PCM16_RATE
    return out


_SERVER_EVENT_ADAPTER: Any = None


def get_server_event_type_adapter() -> Any:
    """A pydantic TypeAdapter over the openai package's realtime server event union (discriminated by `type`), as
    the Agents SDK gives: `.validate_python(event_dict)` returns the openai event model. Built once, on first use;
    needs the optional `openai` package (our own client reads events without it)."""
    global _SERVER_EVENT_ADAPTER
    if _SERVER_EVENT_ADAPTER is None:
        try:
            from openai.types.realtime.realtime_server_event import RealtimeServerEvent
            from pydantic import Field, TypeAdapter
        except ImportError:
            raise UserError("get_server_event_type_adapter needs the openai package: pip install openai") from None
        from typing import Annotated

        _SERVER_EVENT_ADAPTER = TypeAdapter(Annotated[RealtimeServerEvent, Field(discriminator="type")])
    return _SERVER_EVENT_ADAPTER
