"""The session's side of a custom model written for the Agents SDK: its typed events in, typed sends out.

Each typed event is surfaced as a `raw_model_event` and then acted on as the server events it stands for.
"""

from __future__ import annotations

from typing import Any

from ..protocol import model_events as me
from ..protocol.model_translate import server_events_for
from ..protocol.server_events import ServerEvent
from . import events as ev
from ._host import SessionHost
from .agent import RealtimeAgent


async def initial_settings(session: SessionHost, agent: RealtimeAgent[Any]) -> dict[str, Any]:
    """The starting agent's settings as `connect()` receives them: the run's model settings plus the agent's
    instructions, tools and handoffs (the objects, as the Agents SDK passes them)."""
    from .handoffs import enabled_handoffs

    context = session.context_wrapper
    settings: dict[str, Any] = session.settings.model_dump(exclude_unset=True)
    instructions = await agent.get_system_prompt(context)
    if instructions is not None:
        settings["instructions"] = instructions
    settings["tools"] = list(await agent.get_all_tools(context))
    settings["handoffs"] = await enabled_handoffs(agent, context)
    return settings


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
