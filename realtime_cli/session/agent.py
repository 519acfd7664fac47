"""RealtimeAgent: a voice agent's instructions, tools, handoffs, guardrails and voice.

Model choice lives at the session level; an agent is plain configuration and is cheap to clone.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Union

from .context import AnyContext, RunContextWrapper, TContext
from .guardrails import OutputGuardrail
from .tool import FunctionTool

Instructions = Union[
    str, Callable[[RunContextWrapper[Any], "RealtimeAgent[Any]"], str | Awaitable[str]], None
]


@dataclass
class RealtimeAgent(Generic[TContext]):
    """An agent in a realtime conversation.

    `instructions` is a string or a function `(context, agent) -> str` (sync or async). `handoffs` takes agents
    or `realtime_handoff(...)` objects. `voice` applies when this agent speaks first; the service does not allow
    changing it once audio was produced, so later agents keep the session's voice.
    """

    name: str
    instructions: Instructions = None
    tools: list[FunctionTool] = field(default_factory=list)
    handoffs: list[RealtimeAgent[Any] | Handoff] = field(default_factory=list)
    output_guardrails: list[OutputGuardrail] = field(default_factory=list)
    handoff_description: str | None = None
    voice: str | None = None
    prompt: Any = None

    def clone(self, **kwargs: Any) -> RealtimeAgent[TContext]:
        """A copy with the given fields replaced (lists are copied, not shared)."""
        changes: dict[str, Any] = {f: list(getattr(self, f)) for f in ("tools", "handoffs", "output_guardrails")}
        changes.update(kwargs)
        return dataclasses.replace(self, **changes)

    async def get_system_prompt(self, context: RunContextWrapper[Any]) -> str | None:
        if self.instructions is None or isinstance(self.instructions, str):
            return self.instructions
        result = self.instructions(context, self)
        if inspect.isawaitable(result):
            result = await result
        return str(result)

    async def get_all_tools(self, context: RunContextWrapper[Any]) -> list[FunctionTool]:
        return list(self.tools)


@dataclass
class Handoff:
    """A transfer to another agent, exposed to the model as a function tool."""

    tool_name: str
    tool_description: str
    input_json_schema: dict[str, Any]
    on_invoke_handoff: Callable[[AnyContext, str], Awaitable[RealtimeAgent[Any]]]
    agent_name: str
    is_enabled: bool = True

    def to_spec(self) -> dict[str, Any]:
        return {"type": "function", "name": self.tool_name, "description": self.tool_description,
                "parameters": self.input_json_schema}
