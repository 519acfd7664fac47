"""The session's side of a custom model written for the Agents SDK: its typed events in, typed sends out.

Each typed event is surfaced as a `raw_model_event` and then acted on as the server events it stands for.
"""

from __future__ import annotations

from typing import Any

from ..protocol import model_events as me
from ..protocol.model_translate import server_events_for
from ..protocol.server_events import ServerEvent
from . import events as ev
from ._agent_settings import AgentParts
from ._host import SessionHost
from .config import ModelSettings, settings_data


def initial_settings(settings: ModelSettings, parts: AgentParts) -> dict[str, Any]:
    """The starting agent's settings as `connect()` receives them: the run's model settings plus the agent's
    instructions, prompt, tools and handoffs (the objects, as the Agents SDK passes them)."""
    data = settings_data(settings, exclude_unset=True)
    if parts.instructions is not None:
        data["instructions"] = parts.instructions
    if parts.prompt is not None:
        data["prompt"] = parts.prompt
    data["tools"] = list(parts.tools)
    data["handoffs"] = list(parts.handoffs)
    return data


async def on_model_event(session: SessionHost, event: Any) -> None:
    """One typed event from a custom model: surface it, then act on what it means."""
    session.emit(ev.RealtimeRawModelEvent(data=event, info=session.info))
    if isinstance(event, me.RealtimeModelToolCallEvent):
        session.sends.remember_call(event)
    elif isinstance(event, me.RealtimeModelUsageEvent):
        session.context_wrapper.usage.add(event.usage)
        return
    elif isinstance(event, me.RealtimeModelEndOfStreamEvent):
        from ..transport.model import ConnectionEvent

        await session.on_event(ConnectionEvent("closed"))
        return
    for data in server_events_for(event):
        await session.on_server_event(ServerEvent(data))
