"""rtagent: realtime voice agents in the terminal — the SDK, the CLI and the embedded local engine.

The SDK mirrors the OpenAI Agents SDK's realtime API: `from realtime_cli import RealtimeAgent, RealtimeRunner`.
"""

from .protocol.errors import ConfigError, RealtimeConnectionError, RealtimeError, UserError
from .protocol.server_events import ServerEvent
from .session.agent import RealtimeAgent
from .session.config import ModelSettings as RealtimeSessionModelSettings
from .session.context import RunContextWrapper, ToolContext
from .session.events import (
    RealtimeAgentEndEvent,
    RealtimeAgentStartEvent,
    RealtimeAudio,
    RealtimeAudioEnd,
    RealtimeAudioInterrupted,
    RealtimeConnectionStatus,
    RealtimeGuardrailTripped,
    RealtimeHandoffEvent,
    RealtimeHistoryAdded,
    RealtimeHistoryUpdated,
    RealtimeInputAudioTimeoutTriggered,
    RealtimeSessionEvent,
    RealtimeToolApprovalRequired,
    RealtimeToolEnd,
    RealtimeToolStart,
)
from .session.events import (
    RealtimeError as RealtimeErrorEvent,
)
from .session.guardrails import GuardrailFunctionOutput, OutputGuardrail, OutputGuardrailResult, output_guardrail
from .session.handoffs import Handoff, realtime_handoff
from .session.items import RealtimeItem
from .session.playback import RealtimePlaybackTracker
from .session.runner import RealtimeRunner
from .session.session import RealtimeSession
from .session.tool import FunctionTool, function_tool
from .transport.model import RealtimeModel, RealtimeModelConfig, RealtimeModelListener
from .transport.websocket import OpenAIRealtimeWebSocketModel

__version__ = "0.1.0"

__all__ = [
    "ConfigError", "FunctionTool", "GuardrailFunctionOutput", "Handoff", "OpenAIRealtimeWebSocketModel",
    "OutputGuardrail", "OutputGuardrailResult", "RealtimeAgent", "RealtimeAgentEndEvent", "RealtimeAgentStartEvent",
    "RealtimeAudio", "RealtimeAudioEnd", "RealtimeAudioInterrupted", "RealtimeConnectionError",
    "RealtimeConnectionStatus", "RealtimeError", "RealtimeErrorEvent", "RealtimeGuardrailTripped",
    "RealtimeHandoffEvent", "RealtimeHistoryAdded", "RealtimeHistoryUpdated", "RealtimeInputAudioTimeoutTriggered",
    "RealtimeItem", "RealtimeModel", "RealtimeModelConfig", "RealtimeModelListener", "RealtimePlaybackTracker",
    "RealtimeRunner", "RealtimeSession", "RealtimeSessionEvent", "RealtimeSessionModelSettings",
    "RealtimeToolApprovalRequired", "RealtimeToolEnd", "RealtimeToolStart", "RunContextWrapper", "ServerEvent",
    "ToolContext", "UserError", "function_tool", "output_guardrail", "realtime_handoff",
]
