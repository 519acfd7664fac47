"""What the talking agent contributes to the session configuration, and which tools its calls may reach.

As in the Agents SDK: the agent's instructions, prompt, enabled tools and enabled handoffs, except that for the
first configuration `model_config["initial_model_settings"]` may replace any of them (`starting`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .agent import RealtimeAgent
from .config import AgentSpec, ModelSettings
from .context import RunContextWrapper
from .handoffs import Handoff, as_handoff, enabled_handoffs, filter_enabled_handoffs
from .tool import FunctionTool


@dataclass
class AgentParts:
    instructions: str | None
    prompt: Any = None
    tools: list[FunctionTool] = field(default_factory=list)
    handoffs: list[Handoff] = field(default_factory=list)

    def spec(self, voice: str | None) -> AgentSpec:
        specs = [t.to_spec() for t in self.tools] + [h.to_spec() for h in self.handoffs]
        return AgentSpec(self.instructions, specs, voice, self.prompt)  # type: ignore[arg-type]


async def agent_parts(agent: RealtimeAgent[Any], context: RunContextWrapper[Any],
                      starting: ModelSettings | None = None) -> AgentParts:
    parts = AgentParts(await agent.get_system_prompt(context), agent.prompt,
                       await agent.get_all_tools(context), await enabled_handoffs(agent, context))
    given = starting.model_fields_set if starting is not None else set()
    if starting is None or not given:
        return parts
    if "instructions" in given:
        parts.instructions = starting.instructions
    if "prompt" in given:
        parts.prompt = None if starting.prompt is None else starting.prompt.model_dump(exclude_none=True)
    if "tools" in given:
        parts.tools = [t for t in starting.tools or [] if await t.enabled(context, agent)]
    if "handoffs" in given:
        parts.handoffs = await filter_enabled_handoffs([as_handoff(h) for h in starting.handoffs or []],
                                                       context, agent)
    return parts
