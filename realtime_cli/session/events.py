"""Session events: what `async for event in session` yields besides the raw server events.

Each is a small dataclass with a literal `type`; raw server events come through as ServerEvent with their wire type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal, Union

from ..protocol.server_events import AttrDict, ServerEvent
from .agent import RealtimeAgent
from .guardrails import OutputGuardrailResult
from .items import RealtimeItem
from .tool import FunctionTool

# The session events' `type` values, spelled once: compare `event.type` with these, never with a bare string.
AGENT_START: Final = "agent_start"
AGENT_END: Final = "agent_end"
HANDOFF: Final = "handoff"
TOOL_START: Final = "tool_start"
TOOL_END: Final = "tool_end"
TOOL_APPROVAL_REQUIRED: Final = "tool_approval_required"
AUDIO: Final = "audio"
AUDIO_END: Final = "audio_end"
AUDIO_INTERRUPTED: Final = "audio_interrupted"
ERROR: Final = "error"
HISTORY_ADDED: Final = "history_added"
HISTORY_UPDATED: Final = "history_updated"
GUARDRAIL_TRIPPED: Final = "guardrail_tripped"
INPUT_AUDIO_TIMEOUT_TRIGGERED: Final = "input_audio_timeout_triggered"
CONNECTION: Final = "connection"
SESSION_EVENT_TYPES: frozenset[str] = frozenset({
    AGENT_START, AGENT_END, HANDOFF, TOOL_START, TOOL_END, TOOL_APPROVAL_REQUIRED, AUDIO, AUDIO_END,
    AUDIO_INTERRUPTED, ERROR, HISTORY_ADDED, HISTORY_UPDATED, GUARDRAIL_TRIPPED, INPUT_AUDIO_TIMEOUT_TRIGGERED,
    CONNECTION,
})


@dataclass(slots=True)
class RealtimeEventInfo:
    context: Any


@dataclass(slots=True)
class RealtimeAgentStartEvent:
    """The agent began a response."""

    agent: RealtimeAgent[Any]
    info: RealtimeEventInfo
    type: Literal["agent_start"] = AGENT_START


@dataclass(slots=True)
class RealtimeAgentEndEvent:
    """The agent's response ended (completed, cancelled or failed)."""

    agent: RealtimeAgent[Any]
    info: RealtimeEventInfo
    status: str = "completed"
    type: Literal["agent_end"] = AGENT_END


@dataclass(slots=True)
class RealtimeHandoffEvent:
    from_agent: RealtimeAgent[Any]
    to_agent: RealtimeAgent[Any]
    info: RealtimeEventInfo
    type: Literal["handoff"] = HANDOFF


@dataclass(slots=True)
class RealtimeToolStart:
    agent: RealtimeAgent[Any]
    tool: FunctionTool
    arguments: str
    call_id: str
    info: RealtimeEventInfo
    type: Literal["tool_start"] = TOOL_START


@dataclass(slots=True)
class RealtimeToolEnd:
    agent: RealtimeAgent[Any]
    tool: FunctionTool
    arguments: str
    call_id: str
    output: Any
    duration_s: float
    info: RealtimeEventInfo
    type: Literal["tool_end"] = TOOL_END


@dataclass(slots=True)
class RealtimeToolApprovalRequired:
    """A tool marked `needs_approval` wants to run: answer with approve_tool_call / reject_tool_call."""

    agent: RealtimeAgent[Any]
    tool: FunctionTool
    arguments: str
    call_id: str
    info: RealtimeEventInfo
    type: Literal["tool_approval_required"] = TOOL_APPROVAL_REQUIRED


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
    type: Literal["audio"] = AUDIO


@dataclass(slots=True)
class RealtimeAudioEnd:
    item_id: str
    content_index: int
    info: RealtimeEventInfo
    type: Literal["audio_end"] = AUDIO_END


@dataclass(slots=True)
class RealtimeAudioInterrupted:
    """Stop playback now and drop queued audio: the user or a guardrail interrupted the agent."""

    item_id: str | None
    content_index: int | None
    info: RealtimeEventInfo
    type: Literal["audio_interrupted"] = AUDIO_INTERRUPTED


@dataclass(slots=True)
class RealtimeError:
    """An error from the service (`error` has type/code/message/param/event_id) or from the session itself."""

    error: AttrDict
    info: RealtimeEventInfo
    raw: ServerEvent | None = None
    type: Literal["error"] = ERROR


@dataclass(slots=True)
class RealtimeHistoryAdded:
    item: RealtimeItem
    info: RealtimeEventInfo
    type: Literal["history_added"] = HISTORY_ADDED


@dataclass(slots=True)
class RealtimeHistoryUpdated:
    history: list[RealtimeItem]
    info: RealtimeEventInfo
    type: Literal["history_updated"] = HISTORY_UPDATED


@dataclass(slots=True)
class RealtimeGuardrailTripped:
    guardrail_results: list[OutputGuardrailResult]
    message: str
    info: RealtimeEventInfo
    type: Literal["guardrail_tripped"] = GUARDRAIL_TRIPPED


@dataclass(slots=True)
class RealtimeInputAudioTimeoutTriggered:
    info: RealtimeEventInfo
    type: Literal["input_audio_timeout_triggered"] = INPUT_AUDIO_TIMEOUT_TRIGGERED


@dataclass(slots=True)
class RealtimeConnectionStatus:
    """The connection changed: `closed` ends the session's event stream."""

    status: Literal["connected", "reconnecting", "reconnected", "failed", "closed"]
    info: RealtimeEventInfo
    detail: dict[str, Any] = field(default_factory=dict)
    type: Literal["connection"] = CONNECTION


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
