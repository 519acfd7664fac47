"""Handoffs: a tool named `transfer_to_<agent>` that swaps the talking agent.

`realtime_handoff(agent, ...)` customizes one; a plain agent in `handoffs=[...]` gets the defaults.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import pydantic

from .agent import Handoff, RealtimeAgent
from .context import AnyContext

__all__ = ["Handoff", "as_handoff", "default_tool_description", "default_tool_name", "realtime_handoff"]


def default_tool_name(agent: RealtimeAgent[Any]) -> str:
    """`transfer_to_<snake_case name>`: 'Billing Support' → transfer_to_billing_support."""
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", agent.name).strip("_").lower()
    return f"transfer_to_{slug or 'agent'}"


def default_tool_description(agent: RealtimeAgent[Any]) -> str:
    desc = f"Handoff to the {agent.name} agent to handle the request."
    return f"{desc} {agent.handoff_description}" if agent.handoff_description else desc


_EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}


def realtime_handoff(
    agent: RealtimeAgent[Any],
    *,
    tool_name_override: str | None = None,
    tool_description_override: str | None = None,
    tool_description: str | None = None,
    on_handoff: Callable[..., Any] | None = None,
    input_type: type[Any] | None = None,
    is_enabled: bool = True,
) -> Handoff:
    """A handoff to `agent`. `tool_description` (the seed's spelling) and `tool_description_override` are the
    same thing. `on_handoff(context)` — or `on_handoff(context, input)` with `input_type` — runs first.
    """
    adapter = pydantic.TypeAdapter(input_type) if input_type is not None else None
    schema = dict(adapter.json_schema()) if adapter is not None else dict(_EMPTY_SCHEMA)

    async def invoke(ctx: AnyContext, arguments: str) -> RealtimeAgent[Any]:
        if on_handoff is not None:
            if adapter is not None:
                value = adapter.validate_python(json.loads(arguments or "{}"))
                result = on_handoff(ctx, value)
            else:
                result = on_handoff(ctx)
            if inspect.isawaitable(result):
                await result
        return agent

    return Handoff(
        tool_name=tool_name_override or default_tool_name(agent),
        tool_description=tool_description_override or tool_description or default_tool_description(agent),
        input_json_schema=schema,
        on_invoke_handoff=invoke,
        agent_name=agent.name,
        is_enabled=is_enabled,
    )


def as_handoff(item: RealtimeAgent[Any] | Handoff) -> Handoff:
    return item if isinstance(item, Handoff) else realtime_handoff(item)
