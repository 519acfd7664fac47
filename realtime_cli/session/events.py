"""Session events: what `async for event in session` yields besides the raw server events.

Each is a small dataclass with a literal `type`; raw server events come through as ServerEvent with their wire type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union

from ..protocol.server_events import AttrDict, ServerEvent
from .agent import RealtimeAgent
from .guardrails import OutputGuardrailResult
from .items import RealtimeItem
from .tool import FunctionTool


@dataclass(slots=True)
class RealtimeEventInfo:
    context: Any


@dataclass(slots=True)
class RealtimeAgentStartEvent:
    """The agent began a response."""

    agent: RealtimeAgent[Any]
    info: RealtimeEventInfo
    type: Literal["agent_start"] = "agent_start"


@dataclass(slots=True)
class RealtimeAgentEndEvent:
    """The agent's response ended (completed, cancelled or failed)."""

    agent: RealtimeAgent[Any]
    info: RealtimeEventInfo
    status: str = "completed"
    type: Literal["agent_end"] = "agent_end"


@dataclass(slots=True)
class RealtimeHandoffEvent:
    from_agent: RealtimeAgent[Any]
    to_agent: RealtimeAgent[Any]
    info: RealtimeEventInfo
    type: Literal["handoff"] = "handoff"


@dataclass(slots=True)
class RealtimeToolStart:
    agent: RealtimeAgent[Any]
    tool: FunctionTool
    arguments: str
    call_id: str
    info: RealtimeEventInfo
    type: Literal["tool_start"] = "tool_start"


@dataclass(slots=True)
class RealtimeToolEnd:
    agent: RealtimeAgent[Any]
    tool: FunctionTool
    arguments: str
    call_id: str
    output: Any
    duration_s: float
    info: RealtimeEventInfo
    type: Literal["tool_end"] = "tool_end"


@dataclass(slots=True)
class RealtimeToolApprovalRequired:
    """A tool marked `needs_approval` wants to run: answer with approve_tool_call / reject_tool_call."""

    agent: RealtimeAgent[Any]
    tool: FunctionTool
    arguments: str
    call_id: str
    info: RealtimeEventInfo
    type: Literal["tool_approval_required"] = "tool_approval_required"


@dataclass(slots=True)
class RealtimeModelAudio:
    data: bytes
    response_id: str


@dataclass(slots=True)
class RealtimeAudio:
    """A chunk of agent audio, in the session's output format."""

    audio: RealtimeModelAudio
    item_id: str
    content_index: int
    info: RealtimeEventInfo
    type: Literal["audio"] = "audio"


@dataclass(slots=True)
class RealtimeAudioEnd:
    item_id: str
    content_index: int
    info: RealtimeEventInfo
    type: Literal["audio_end"] = "audio_end"


@dataclass(slots=True)
class RealtimeAudioInterrupted:
    """Stop playback now and drop queued audio: the user or a guardrail interrupted the agent."""

    item_id: str | None
    content_index: int | None
    info: RealtimeEventInfo
    type: Literal["audio_interrupted"] = "audio_interrupted"


@dataclass(slots=True)
class RealtimeError:
    """An error from the service (`error` has type/code/message/param/event_id) or from the session itself."""

    error: AttrDict
    info: RealtimeEventInfo
    raw: ServerEvent | None = None
    type: Literal["error"] = "error"


@dataclass(slots=True)
class RealtimeHistoryAdded:
    item: RealtimeItem
    info: RealtimeEventInfo
    type: Literal["history_added"] = "history_added"


@dataclass(slots=True)
class RealtimeHistoryUpdated:
    history: list[RealtimeItem]
    info: RealtimeEventInfo
    type: Literal["history_updated"] = "history_updated"


@dataclass(slots=True)
class RealtimeGuardrailTripped:
    guardrail_results: list[OutputGuardrailResult]
    message: str
    info: RealtimeEventInfo
    type: Literal["guardrail_tripped"] = "guardrail_tripped"


@dataclass(slots=True)
class RealtimeInputAudioTimeoutTriggered:
    info: RealtimeEventInfo
    type: Literal["input_audio_timeout_triggered"] = "input_audio_timeout_triggered"


@dataclass(slots=True)
class RealtimeConnectionStatus:
    """The connection changed: `closed` ends the session's event stream."""

    status: Literal["connected", "reconnecting", "reconnected", "failed", "closed"]
    info: RealtimeEventInfo
    detail: dict[str, Any] = field(default_factory=dict)
    type: Literal["connection"] = "connection"


RealtimeSessionEvent = Union[
    RealtimeAgentStartEvent,
    RealtimeAgentEndEvent,
    RealtimeHandoffEvent,
    RealtimeToolStart,
    RealtimeToolEnd,
    RealtimeToolApprovalRequired,
    RealtimeAudio,
    RealtimeAudioEnd,
    RealtimeAudioInterrupted,
    RealtimeError,
    RealtimeHistoryAdded,
    RealtimeHistoryUpdated,
    RealtimeGuardrailTripped,
    RealtimeInputAudioTimeoutTriggered,
    RealtimeConnectionStatus,
    ServerEvent,
]
