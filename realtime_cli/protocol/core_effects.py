"""What the client core asks its shell to do: small frozen records, one per kind of effect.

The shell (session/session.py) performs them in order: sends, session-level events, tool runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .client_events import ClientEvent
from .server_events import AttrDict
from .usage import Usage


@dataclass(frozen=True)
class Send:
    """Send this client event."""

    event: ClientEvent


@dataclass(frozen=True)
class RequestResponse:
    """Ask for a response through the shell's own path (a custom model's send may already have asked)."""


@dataclass(frozen=True)
class AudioInterrupted:
    """Stop the assistant's audio now (flush playback, tell the playback tracker)."""

    item_id: str | None
    content_index: int | None


@dataclass(frozen=True)
class Truncated:
    """The item was cut at `audio_end_ms` of the `received_ms` received: keep only the heard part of its text."""

    item_id: str
    audio_end_ms: int
    received_ms: float


@dataclass(frozen=True)
class ResponseStarted:
    response_id: str


@dataclass(frozen=True)
class ResponseEnded:
    """A response ended (`status` as the server gave it, or `interrupted` when the connection dropped)."""

    response_id: str | None
    status: str
    usage: Usage | None = None


@dataclass(frozen=True)
class ServerError:
    """Show the server's error (normalised: `message` is always a string)."""

    error: AttrDict


@dataclass(frozen=True)
class ClientError:
    """Show an error the client raises itself."""

    code: str
    message: str


@dataclass(frozen=True)
class RunToolCall:
    """Run this function call (a tool or a handoff); its output is owed until `tool_output` is fed back."""

    call_id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class AudioChunk:
    """Assistant audio to surface and play (decoded PCM16)."""

    pcm: bytes
    response_id: str
    item_id: str
    content_index: int


Effect = Union[Send, RequestResponse, AudioInterrupted, Truncated, ResponseStarted, ResponseEnded, ServerError,
               ClientError, RunToolCall, AudioChunk]
