"""Session events: what `async for event in session` yields, each a small dataclass with a literal `type`.

Every model event comes wrapped in a `raw_model_event`; one wrapping a server event also answers to its wire type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal, Union

from ..protocol.model_events import RealtimeModelAudioEvent, RealtimeModelConnectionStatusEvent
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
RAW_MODEL_EVENT: Final = "raw_model_event"
SESSION_EVENT_TYPES: frozenset[str] = frozenset({
    AGENT_START, AGENT_END, HANDOFF, TOOL_START, TOOL_END, TOOL_APPROVAL_REQUIRED, AUDIO, AUDIO_END,
    AUDIO_INTERRUPTED, ERROR, HISTORY_ADDED, HISTORY_UPDATED, GUARDRAIL_TRIPPED, INPUT_AUDIO_TIMEOUT_TRIGGERED,
    CONNECTION, RAW_MODEL_EVENT,
})


class RawEventType(str):
    """The `type` of a raw_model_event that carries a server event: the string "raw_model_event", which also
    compares equal to the server event's wire type, so `event.type == "response.output_audio_transcript.done"`
    and `event.type == "raw_model_event"` both hold. (It hashes as "raw_model_event".)"""

    wire: str

    def __new__(cls, wire: str) -> RawEventType:
        self = super().__new__(cls, RAW_MODEL_EVENT)
        self.wire = wire
        return self

    def __eq__(self, other: object) -> bool:
        if other.__class__ is str:  # the usual `event.type == "audio"`: two comparisons done in C
            return other == RAW_MODEL_EVENT or other == self.wire
        return str.__eq__(self, other) is True or self.wire == other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


_RAW_TYPES: dict[str, RawEventType] = {}


def raw_type_for(wire: str) -> RawEventType:
    """One shared RawEventType per wire type (the set of wire types is small)."""
    found = _RAW_TYPES.get(wire)
    if found is None:
        found = _RAW_TYPES[wire] = RawEventType(wire)
    return found


@dataclass(slots=True)
class RealtimeEventInfo:
    context: Any


@dataclass(slots=True, eq=False)
class RealtimeRawModelEvent:
    """One model event as is. When it carries a server event (`data` is a RealtimeModelRawServerEvent),
    `server_event` is set, `type` also equals the wire type, and the wire fields read as attributes
    (`event.transcript`), as the raw server events this session yielded before."""

    data: Any
    info: RealtimeEventInfo
    type: str = RAW_MODEL_EVENT
    server_event: ServerEvent | None = None

    def __getattr__(self, name: str) -> Any:
        server_event = object.__getattribute__(self, "server_event")
        if server_event is None:
            raise AttributeError(name)
        return getattr(server_event, name)


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
    type: Literal["agent_end"] = AGENT_END
    status: str = "completed"


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
    info: RealtimeEventInfo
    type: Literal["tool_start"] = TOOL_START
    call_id: str = ""


@dataclass(slots=True)
class RealtimeToolEnd:
    agent: RealtimeAgent[Any]
    tool: FunctionTool
    arguments: str
    output: Any
    info: RealtimeEventInfo
    type: Literal["tool_end"] = TOOL_END
    call_id: str = ""
    duration_s: float = 0.0


@dataclass(slots=True)
class RealtimeToolApprovalRequired:
    """A tool marked `needs_approval` wants to run: answer with approve_tool_call / reject_tool_call."""

    agent: RealtimeAgent[Any]
    tool: FunctionTool
    call_id: str
    arguments: str
    info: RealtimeEventInfo
    type: Literal["tool_approval_required"] = TOOL_APPROVAL_REQUIRED


RealtimeModelAudio = RealtimeModelAudioEvent  # the name this module used before the model layer


@dataclass(slots=True)
class RealtimeAudio:
    """A chunk of agent audio, in the session's output format."""

    audio: RealtimeModelAudioEvent
    item_id: str
    content_index: int
    info: RealtimeEventInfo
    type: Literal["audio"] = AUDIO


@dataclass(slots=True)
class RealtimeAudioEnd:
    info: RealtimeEventInfo
    item_id: str
    content_index: int
    type: Literal["audio_end"] = AUDIO_END


@dataclass(slots=True)
class RealtimeAudioInterrupted:
    """Stop playback now and drop queued audio: the user or a guardrail interrupted the agent."""

    info: RealtimeEventInfo
    item_id: str | None
    content_index: int | None
    type: Literal["audio_interrupted"] = AUDIO_INTERRUPTED


@dataclass(slots=True)
class RealtimeError:
    """An error from the service (`error` has type/code/message/param/event_id) or from the session itself."""

    error: AttrDict
    info: RealtimeEventInfo
    type: Literal["error"] = ERROR
    raw: ServerEvent | None = None


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


_CONNECTION_TYPE = raw_type_for(CONNECTION)
_MODEL_STATUS: dict[str, Literal["connecting", "connected", "disconnected"]] = {
    "connected": "connected", "reconnecting": "connecting", "reconnected": "connected"}


@dataclass(slots=True, eq=False)
class RealtimeConnectionStatus:
    """The connection changed: `closed` ends the session's event stream. The reference SDK has no such session
    event, so it comes as a raw_model_event (`data` is the model layer's connection status event) whose `type`
    also equals "connection"."""

    status: Literal["connected", "reconnecting", "reconnected", "failed", "closed"]
    info: RealtimeEventInfo
    detail: dict[str, Any] = field(default_factory=dict)
    type: str = _CONNECTION_TYPE

    @property
    def data(self) -> RealtimeModelConnectionStatusEvent:
        return RealtimeModelConnectionStatusEvent(status=_MODEL_STATUS.get(self.status, "disconnected"))


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
    RealtimeRawModelEvent,
]
