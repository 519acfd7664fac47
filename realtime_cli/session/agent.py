"""RealtimeAgent: a voice agent's instructions, tools, handoffs, guardrails and voice.

Model choice lives at the session level; an agent is plain configuration and is cheap to clone.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
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
    handoff_description: str | None = None
    tools: list[FunctionTool] = field(default_factory=list)
    mcp_servers: list[Any] = field(default_factory=list)
    mcp_config: dict[str, Any] = field(default_factory=dict)
    instructions: Instructions = None
    prompt: Any = None
    handoffs: list[RealtimeAgent[Any] | Handoff] = field(default_factory=list)
    output_guardrails: list[OutputGuardrail] = field(default_factory=list)
    hooks: RealtimeAgentHooks | None = None
    voice: str | None = None

    def __post_init__(self) -> None:
        if self.voice is not None:
            from ..protocol.errors import ConfigError
            from .config import check_voice

            try:
                check_voice(self.voice)
            except ValueError as exc:
                raise ConfigError(f"Agent {self.name!r}: voice {exc} (got {self.voice!r})") from None
        if self.mcp_servers:
            from ..protocol.errors import UserError

            raise UserError(f"Agent {self.name!r}: MCP servers are not supported by rtagent yet; pass the tools "
                            "as function tools instead.")

    def clone(self, **kwargs: Any) -> RealtimeAgent[TContext]:
        """A copy with the given fields replaced (lists are copied, not shared)."""
        changes: dict[str, Any] = {f: list(getattr(self, f)) for f in ("tools", "handoffs", "output_guardrails")}
        changes.update(kwargs)
        return dataclasses.replace(self, **changes)

    async def get_system_prompt(self, run_context: RunContextWrapper[Any]) -> str | None:
        if self.instructions is None or isinstance(self.instructions, str):
            return self.instructions
        result = self.instructions(run_context, self)
        if inspect.isawaitable(result):
            result = await result
        return str(result)

    async def get_mcp_tools(self, context: RunContextWrapper[Any]) -> list[FunctionTool]:
        """MCP servers are not supported (the constructor refuses them), so there are none."""
        return []

    async def get_all_tools(self, context: RunContextWrapper[Any]) -> list[FunctionTool]:
        """The tools the model may see now: those whose `is_enabled` holds for this context and agent."""
        return [t for t in self.tools if not isinstance(t, FunctionTool) or await t.enabled(context, self)]


class RealtimeAgentHooks:
    """Callbacks for one agent's lifecycle (override the ones you need; all are no-ops)."""

    async def on_start(self, context: RunContextWrapper[Any], agent: RealtimeAgent[Any]) -> None:
        """The agent became the talking agent."""

    async def on_end(self, context: RunContextWrapper[Any], agent: RealtimeAgent[Any], output: Any) -> None:
        """The agent stopped being the talking agent."""

    async def on_handoff(self, context: RunContextWrapper[Any], agent: RealtimeAgent[Any],
                         source: RealtimeAgent[Any]) -> None:
        """`source` handed off to this agent."""

    async def on_tool_start(self, context: RunContextWrapper[Any], agent: RealtimeAgent[Any], tool: Any) -> None:
        """A tool of this agent is about to run."""

    async def on_tool_end(self, context: RunContextWrapper[Any], agent: RealtimeAgent[Any], tool: Any,
                          result: str) -> None:
        """A tool of this agent finished."""


class RealtimeRunHooks(RealtimeAgentHooks):
    """Callbacks for every agent of a run (same methods as RealtimeAgentHooks)."""


@dataclass
class Handoff:
    """A transfer to another agent, exposed to the model as a function tool."""

    tool_name: str
    tool_description: str
    input_json_schema: dict[str, Any]
    on_invoke_handoff: Callable[[AnyContext, str], Awaitable[RealtimeAgent[Any]]]
    agent_name: str
    input_filter: Callable[[Any], Any] | None = None
    strict_json_schema: bool = True
    is_enabled: bool | Callable[[RunContextWrapper[Any], RealtimeAgent[Any]], Any] = True

    async def enabled(self, context: RunContextWrapper[Any], agent: RealtimeAgent[Any]) -> bool:
        """Evaluate `is_enabled` (a bool, or a sync or async callable of the context and the current agent)."""
        rule = self.is_enabled
        if not callable(rule):
            return bool(rule)
        verdict = rule(context, agent)
        return bool(await verdict if inspect.isawaitable(verdict) else verdict)

    def get_transfer_message(self, agent: RealtimeAgent[Any]) -> str:
        """The tool output the model gets for this handoff."""
        return json.dumps({"assistant": agent.name})

    def to_spec(self) -> dict[str, Any]:
        return {"type": "function", "name": self.tool_name, "description": self.tool_description,
                "parameters": self.input_json_schema}
