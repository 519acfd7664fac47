"""rtagent: realtime voice agents in the terminal — the SDK, the CLI and the embedded local engine.

The SDK mirrors the OpenAI Agents SDK's realtime API: `from realtime_cli import RealtimeAgent, RealtimeRunner`.
Names load on first use, so the `rtagent` command starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__

_EXPORTS: dict[str, tuple[str, str]] = {
    "ConfigError": (".protocol.errors", "ConfigError"),
    "FunctionTool": (".session.tool", "FunctionTool"),
    "GuardrailFunctionOutput": (".session.guardrails", "GuardrailFunctionOutput"),
    "Handoff": (".session.handoffs", "Handoff"),
    "OpenAIRealtimeWebSocketModel": (".transport.websocket", "OpenAIRealtimeWebSocketModel"),
    "OutputGuardrail": (".session.guardrails", "OutputGuardrail"),
    "OutputGuardrailResult": (".session.guardrails", "OutputGuardrailResult"),
    "RealtimeAgent": (".session.agent", "RealtimeAgent"),
    "RealtimeAgentEndEvent": (".session.events", "RealtimeAgentEndEvent"),
    "RealtimeAgentStartEvent": (".session.events", "RealtimeAgentStartEvent"),
    "RealtimeAudio": (".session.events", "RealtimeAudio"),
    "RealtimeAudioEnd": (".session.events", "RealtimeAudioEnd"),
    "RealtimeAudioInterrupted": (".session.events", "RealtimeAudioInterrupted"),
    "RealtimeConnectionError": (".protocol.errors", "RealtimeConnectionError"),
    "RealtimeConnectionStatus": (".session.events", "RealtimeConnectionStatus"),
    "RealtimeError": (".protocol.errors", "RealtimeError"),
    "RealtimeErrorEvent": (".session.events", "RealtimeError"),
    "RealtimeGuardrailTripped": (".session.events", "RealtimeGuardrailTripped"),
    "RealtimeHandoffEvent": (".session.events", "RealtimeHandoffEvent"),
    "RealtimeHistoryAdded": (".session.events", "RealtimeHistoryAdded"),
    "RealtimeHistoryUpdated": (".session.events", "RealtimeHistoryUpdated"),
    "RealtimeInputAudioTimeoutTriggered": (".session.events", "RealtimeInputAudioTimeoutTriggered"),
    "RealtimeItem": (".session.items", "RealtimeItem"),
    "RealtimeModel": (".transport.model", "RealtimeModel"),
    "RealtimeModelConfig": (".transport.model", "RealtimeModelConfig"),
    "RealtimeModelListener": (".transport.model", "RealtimeModelListener"),
    "RealtimePlaybackTracker": (".protocol.playback", "RealtimePlaybackTracker"),
    "RealtimeRunner": (".session.runner", "RealtimeRunner"),
    "RealtimeSession": (".session.session", "RealtimeSession"),
    "RealtimeSessionEvent": (".session.events", "RealtimeSessionEvent"),
    "RealtimeSessionModelSettings": (".session.config", "ModelSettings"),
    "RealtimeToolApprovalRequired": (".session.events", "RealtimeToolApprovalRequired"),
    "RealtimeToolEnd": (".session.events", "RealtimeToolEnd"),
    "RealtimeToolStart": (".session.events", "RealtimeToolStart"),
    "RunContextWrapper": (".session.context", "RunContextWrapper"),
    "ServerEvent": (".protocol.server_events", "ServerEvent"),
    "ToolContext": (".session.context", "ToolContext"),
    "UserError": (".protocol.errors", "UserError"),
    "function_tool": (".session.tool", "function_tool"),
    "output_guardrail": (".session.guardrails", "output_guardrail"),
    "realtime_handoff": (".session.handoffs", "realtime_handoff"),
}

__all__ = [
    "ConfigError",
    "FunctionTool",
    "GuardrailFunctionOutput",
    "Handoff",
    "OpenAIRealtimeWebSocketModel",
    "OutputGuardrail",
    "OutputGuardrailResult",
    "RealtimeAgent",
    "RealtimeAgentEndEvent",
    "RealtimeAgentStartEvent",
    "RealtimeAudio",
    "RealtimeAudioEnd",
    "RealtimeAudioInterrupted",
    "RealtimeConnectionError",
    "RealtimeConnectionStatus",
    "RealtimeError",
    "RealtimeErrorEvent",
    "RealtimeGuardrailTripped",
    "RealtimeHandoffEvent",
    "RealtimeHistoryAdded",
    "RealtimeHistoryUpdated",
    "RealtimeInputAudioTimeoutTriggered",
    "RealtimeItem",
    "RealtimeModel",
    "RealtimeModelConfig",
    "RealtimeModelListener",
    "RealtimePlaybackTracker",
    "RealtimeRunner",
    "RealtimeSession",
    "RealtimeSessionEvent",
    "RealtimeSessionModelSettings",
    "RealtimeToolApprovalRequired",
    "RealtimeToolEnd",
    "RealtimeToolStart",
    "RunContextWrapper",
    "ServerEvent",
    "ToolContext",
    "UserError",
    "function_tool",
    "output_guardrail",
    "realtime_handoff",
]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), attr)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .protocol.errors import ConfigError, RealtimeConnectionError, RealtimeError, UserError
    from .protocol.playback import RealtimePlaybackTracker
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
    from .session.events import RealtimeError as RealtimeErrorEvent
    from .session.guardrails import GuardrailFunctionOutput, OutputGuardrail, OutputGuardrailResult, output_guardrail
    from .session.handoffs import Handoff, realtime_handoff
    from .session.items import RealtimeItem
    from .session.runner import RealtimeRunner
    from .session.session import RealtimeSession
    from .session.tool import FunctionTool, function_tool
    from .transport.model import RealtimeModel, RealtimeModelConfig, RealtimeModelListener
    from .transport.websocket import OpenAIRealtimeWebSocketModel
