"""Handoffs: a tool named `transfer_to_<agent>` that swaps the talking agent.

`realtime_handoff(agent, ...)` customizes one; a plain agent in `handoffs=[...]` gets the defaults.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pydantic

from ..protocol.errors import ModelBehaviorError, UserError
from .agent import Handoff, RealtimeAgent
from .context import AnyContext
from .schema import strict_json_schema
from .tool import argument_problems

THandoffInput = TypeVar("THandoffInput")

__all__ = ["Handoff", "THandoffInput", "as_handoff", "collect_enabled_handoffs", "default_tool_description",
           "default_tool_name", "enabled_handoffs", "filter_enabled_handoffs", "realtime_handoff"]


def default_tool_name(agent: RealtimeAgent[Any]) -> str:
    """`transfer_to_<snake_case name>`: 'Billing Support' → transfer_to_billing_support."""
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", agent.name).strip("_").lower()
    return f"transfer_to_{slug or 'agent'}"


def default_tool_description(agent: RealtimeAgent[Any]) -> str:
    desc = f"Handoff to the {agent.name} agent to handle the request."
    return f"{desc} {agent.handoff_description}" if agent.handoff_description else desc


def realtime_handoff(
    agent: RealtimeAgent[Any],
    tool_name_override: str | None = None,
    tool_description_override: str | None = None,
    on_handoff: Callable[..., Any] | None = None,
    input_type: type[Any] | None = None,
    is_enabled: bool | Callable[[AnyContext, RealtimeAgent[Any]], Any] = True,
    *,
    tool_description: str | None = None,
) -> Handoff:
    """A handoff to `agent`. `tool_description` (the seed's spelling) and `tool_description_override` are the
    same thing. `on_handoff(context)` — or `on_handoff(context, input)` with `input_type` — runs first, with the
    model's arguments validated against `input_type`. `is_enabled` is a bool or a (sync or async) callable of
    the context and the current agent, evaluated at each session update.
    """
    if input_type is not None and on_handoff is None:
        raise UserError("realtime_handoff: input_type needs an on_handoff(context, input) callback")
    if on_handoff is not None:
        _check_arity(on_handoff, 2 if input_type is not None else 1)
    adapter = pydantic.TypeAdapter(input_type) if input_type is not None else None
    schema = strict_json_schema(dict(adapter.json_schema()) if adapter is not None else {})

    async def invoke(ctx: AnyContext, arguments: str | None) -> RealtimeAgent[Any]:
        if on_handoff is None:
            return agent
        value = _validated(adapter, arguments, agent.name) if adapter is not None else None
        result = on_handoff(ctx, value) if adapter is not None else on_handoff(ctx)
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


def _check_arity(callback: Callable[..., Any], wanted: int) -> None:
    """The reference's rule: on_handoff takes (context, input) with an input_type, else (context)."""
    if not callable(callback):
        raise UserError("realtime_handoff: on_handoff must be callable")
    try:
        params = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: let the call itself decide
        return
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return
    if len(params) != wanted:
        shape = "two arguments: context and input" if wanted == 2 else "one argument: context"
        raise UserError(f"realtime_handoff: on_handoff must take {shape}")


def _validated(adapter: pydantic.TypeAdapter[Any], arguments: str | None, agent_name: str) -> Any:
    """The model's handoff arguments, validated strictly (no coercion of "5" to 5) against input_type."""
    if arguments is None:
        raise ModelBehaviorError(f"the handoff to {agent_name} expected arguments but got none")
    try:
        return adapter.validate_json(arguments or "{}", strict=True)
    except pydantic.ValidationError as exc:
        raise ModelBehaviorError(f"invalid arguments for the handoff to {agent_name}: "
                                 f"{argument_problems(exc)}") from None


def as_handoff(item: RealtimeAgent[Any] | Handoff) -> Handoff:
    return item if isinstance(item, Handoff) else realtime_handoff(item)


async def enabled_handoffs(agent: RealtimeAgent[Any], context: AnyContext) -> list[Handoff]:
    """The agent's handoffs whose `is_enabled` holds now."""
    return [h for h in (as_handoff(x) for x in agent.handoffs) if await h.enabled(context, agent)]


async def filter_enabled_handoffs(handoffs: Iterable[Handoff], context_wrapper: AnyContext,
                                  agent: Any) -> list[Handoff]:
    """The handoffs whose `is_enabled` holds for this context and agent."""
    return [h for h in handoffs if await h.enabled(context_wrapper, agent)]


async def collect_enabled_handoffs(agent: RealtimeAgent[Any], context_wrapper: AnyContext) -> list[Handoff]:
    """The agent's handoffs (plain agents wrapped) whose `is_enabled` holds now."""
    return await enabled_handoffs(agent, context_wrapper)
