"""What a session built from an agent YAML shows the local brain: instructions, function tools and handoff tools.

Shared by the brain tests so they meet the shipped demos and the unseen domains exactly as the engine does.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from realtime_cli.cli.agent_config import load_agent_config
from realtime_cli.local.brain import Brain, BrainContext, Call, Say, Turn
from realtime_cli.session.handoffs import as_handoff

ROOT = Path(__file__).parents[2]
CONFIGS = ROOT / "configs"
DOMAINS = ROOT / "tests" / "local" / "domains"
TODAY = date(2025, 3, 10)  # a Monday: the day the unseen-domain requests are decided on


def session_of(path: Path, agent: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """(instructions, wire tool specs) of one agent of a config (default: its starting agent), handoffs included."""
    loaded = load_agent_config(path)
    chosen = loaded.agents[agent] if agent is not None else loaded.starting_agent
    tools = [{"type": "function", "name": t.name, "description": t.description, "parameters": t.params_json_schema}
             for t in chosen.tools]
    tools += [as_handoff(h).to_spec() for h in chosen.handoffs]
    return str(chosen.instructions or ""), tools


def decide(domain: str, agent: str | None, *turns: Turn | str) -> Say | Call:
    """What the rule brain does for an unseen-domain agent (tests/local/domains/`domain`) given these turns."""
    instructions, tools = session_of(DOMAINS / domain, agent)
    conversation = [Turn("user", t) if isinstance(t, str) else t for t in turns]
    return Brain(today=TODAY).respond(BrainContext(instructions, tools, "auto", conversation))
