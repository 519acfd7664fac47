"""Agent config files: one YAML file defines the agents, tools, handoffs, guardrails and session settings.

`load_agent_config(path)` returns ready SDK objects or raises AgentConfigError naming file:line:col and the fix.
"""

from __future__ import annotations

import copy
import difflib
import re
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from ..session.agent import RealtimeAgent
from ..session.guardrails import OutputGuardrail
from ..session.handoffs import Handoff, realtime_handoff
from ..session.tool import FunctionTool
from .agent_config_errors import AgentConfigError, Position, Problem
from .agent_config_imports import (
    EntryError,
    blocked_text_guardrail,
    build_guardrail,
    build_tool,
    resolve_import_path,
    valid_tool_name,
)
from .agent_config_schema import AgentConfig, AgentFile, GuardrailConfig, ToolConfig, json_schema, validation_problems
from .agent_config_yaml import KeyPath, MarkedTree, YamlProblems, read_marked_yaml
from .input_files import InputFileError, read_text_file

__all__ = ["AgentConfigError", "LoadedConfig", "json_schema", "load_agent_config"]


@dataclass
class LoadedConfig:
    """A loaded agent config: the agents wired together and the run config for `RealtimeRunner(config=...)`."""

    path: Path
    starting_agent: RealtimeAgent[Any]
    agents: dict[str, RealtimeAgent[Any]]
    run_config: dict[str, Any]
    model_settings: dict[str, Any]
    description: str | None = None
    tools: dict[str, FunctionTool] = field(default_factory=dict)
    guardrails: dict[str, OutputGuardrail] = field(default_factory=dict)


def _read_text(path: Path, label: str) -> str:
    try:
        return read_text_file(path)
    except InputFileError as exc:
        where = Position(exc.line, exc.column or 1) if exc.line is not None else None
        message = exc.message + (" (`rtagent examples` lists the shipped agents)" if exc.message.startswith("no such")
                                  else "")
        raise AgentConfigError(label, [Problem(where, message)]) from None


def _near(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"defined: {', '.join(known)}" if known else "none are defined yet, so add it there"


class _Checker:
    """Cross-reference checks that need the whole file; collects problems with positions."""

    def __init__(self, spec: AgentFile, tree: MarkedTree) -> None:
        self.spec = spec
        self.tree = tree
        self.problems: list[Problem] = []
        self.keys = {section: _keys(tree.data, section) for section in ("agents", "tools", "guardrails")}

    def add(self, path: KeyPath, message: str, *, prefer_key: bool = False) -> None:
        self.problems.append(Problem(self.tree.position(path, prefer_key=prefer_key), message))

    def start_key(self) -> str | None:
        agents = self.keys["agents"]
        if not agents:
            return None  # a schema problem already says so
        if self.spec.start is None:
            if len(agents) > 1:
                self.add((), f"no 'start' agent; add 'start: <agent key>' (one of: {', '.join(agents)})")
            return agents[0]
        if self.spec.start not in agents:
            close = difflib.get_close_matches(self.spec.start, agents, n=1)
            fix = f"did you mean '{close[0]}'? " if close else ""
            self.add(("start",), f"start names unknown agent '{self.spec.start}'; {fix}known agents: "
                     f"{', '.join(agents)}")
        return self.spec.start

    def check_agents(self) -> None:
        names: dict[str, str] = {}
        for key, agent in self.spec.agents.items():
            name = agent.name or key
            if name in names:
                self.add(("agents", key), f"agent '{key}' has the same name '{name}' as agent '{names[name]}'; "
                         "give it another name (handoff tools are named after agents)", prefer_key=True)
            names.setdefault(name, key)
            self._check_refs(key, "tools", agent.tools, self.keys["tools"])
            self._check_refs(key, "guardrails", agent.guardrails, self.keys["guardrails"])
            targets: set[str] = set()
            for i, handoff in enumerate(agent.handoffs):
                path = ("agents", key, "handoffs", i)
                if handoff.agent == key:
                    self.add(path, f"agent '{key}' hands off to itself; remove this handoff")
                elif handoff.agent not in self.keys["agents"]:
                    self.add(path, f"handoff to unknown agent '{handoff.agent}' in agent '{key}'; "
                             f"{_near(handoff.agent, self.keys['agents'])}")
                elif handoff.agent in targets:
                    self.add(path, f"agent '{key}' hands off to '{handoff.agent}' twice; remove one")
                targets.add(handoff.agent)
                if handoff.tool_name is not None and not valid_tool_name(handoff.tool_name):
                    self.add((*path, "tool_name"), f"tool_name '{handoff.tool_name}' may only contain letters, "
                             "digits, '_' and '-' (at most 64); rename it")

    def _check_refs(self, key: str, kind: str, refs: list[str], defined: list[str]) -> None:
        seen: set[str] = set()
        for i, ref in enumerate(refs):
            path = ("agents", key, kind, i)
            if ref not in defined:
                self.add(path, f"agent '{key}' uses {kind[:-1]} '{ref}', which is not defined under the top-level "
                         f"'{kind}:'; {_near(ref, defined)}")
            elif ref in seen:
                self.add(path, f"agent '{key}' lists {kind[:-1]} '{ref}' twice; remove one")
            seen.add(ref)

    def check_tools(self) -> None:
        for key in self.spec.tools:
            if not valid_tool_name(key):
                self.add(("tools", key), f"tool name '{key}' may only contain letters, digits, '_' and '-' "
                         "(at most 64); rename it", prefer_key=True)

    def check_guardrails(self) -> None:
        for key, entry in self.spec.guardrails.items():
            path = ("guardrails", key)
            declarative = bool(entry.blocked_words or entry.blocked_patterns)
            if entry.function is not None and declarative:
                self.add(path, f"guardrail '{key}' has both 'function' and blocked words/patterns; use one or the "
                         "other (or define two guardrails)", prefer_key=True)
            elif entry.function is None and not declarative:
                self.add(path, f"guardrail '{key}' checks nothing; add 'blocked_words', 'blocked_patterns' or "
                         "'function'", prefer_key=True)
            elif entry.function is not None and entry.message is not None:
                self.add((*path, "message"), f"'message' in guardrail '{key}' only applies to blocked words or "
                         "patterns; return it as output_info from the function instead", prefer_key=True)
            for i, word in enumerate(entry.blocked_words):
                if not word.strip():
                    self.add((*path, "blocked_words", i), f"an empty blocked word in guardrail '{key}'; remove it")
            for i, pattern in enumerate(entry.blocked_patterns):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    self.add((*path, "blocked_patterns", i), f"bad regular expression {pattern!r} in guardrail "
                             f"'{key}': {exc}; escape special characters such as ( [ + ? with a backslash")


def _keys(data: dict[str, Any], section: str) -> list[str]:
    entries = data.get(section)
    return [key for key in entries if isinstance(key, str)] if isinstance(entries, dict) else []


def _valid_parts(data: dict[str, Any]) -> AgentFile:
    """The entries of a file that are valid on their own, so that the later checks still run on them."""
    def valid(model: type[pydantic.BaseModel], section: str, empty: Any) -> dict[str, Any]:
        entries = data.get(section)
        found: dict[str, Any] = {}
        for key in _keys(data, section):
            with suppress(pydantic.ValidationError):
                value = entries[key]  # type: ignore[index]
                found[key] = model.model_validate(empty if value is None else value)
        return found

    start = data.get("start")
    return AgentFile.model_construct(start=start if isinstance(start, str) else None,
                                     agents=valid(AgentConfig, "agents", {}), tools=valid(ToolConfig, "tools", None),
                                     guardrails=valid(GuardrailConfig, "guardrails", None))


def _build_entries(spec: AgentFile, tree: MarkedTree, folder: Path, problems: list[Problem],
                   ) -> tuple[dict[str, FunctionTool], dict[str, OutputGuardrail]]:
    tools: dict[str, FunctionTool] = {}
    for key, tool_entry in spec.tools.items():
        try:
            tools[key] = build_tool(key, tool_entry, resolve_import_path(tool_entry.function, folder))
        except EntryError as exc:
            problems.append(Problem(tree.position(("tools", key, "function")), f"tool '{key}': {exc}"))
    guardrails: dict[str, OutputGuardrail] = {}
    for key, guard_entry in spec.guardrails.items():
        declarative = bool(guard_entry.blocked_words or guard_entry.blocked_patterns)
        if guard_entry.function is None or declarative:  # a guardrail with both is already reported
            with suppress(re.error):  # a bad pattern is already reported, pattern by pattern
                guardrails[key] = blocked_text_guardrail(key, guard_entry)
            continue
        try:
            guardrails[key] = build_guardrail(key, guard_entry, resolve_import_path(guard_entry.function, folder))
        except EntryError as exc:
            problems.append(Problem(tree.position(("guardrails", key, "function")), f"guardrail '{key}': {exc}"))
    return tools, guardrails


def _wire_agents(spec: AgentFile, tree: MarkedTree, tools: dict[str, FunctionTool],
                 guardrails: dict[str, OutputGuardrail], problems: list[Problem]) -> dict[str, RealtimeAgent[Any]]:
    agents: dict[str, RealtimeAgent[Any]] = {
        key: RealtimeAgent(name=entry.name or key, instructions=entry.instructions,
                           tools=[tools[t] for t in entry.tools if t in tools],
                           output_guardrails=[guardrails[g] for g in entry.guardrails if g in guardrails],
                           handoff_description=entry.handoff_description, voice=entry.voice)
        for key, entry in spec.agents.items()
    }
    for key, entry in spec.agents.items():  # second pass: handoffs may form cycles
        handoffs: list[RealtimeAgent[Any] | Handoff] = [
            realtime_handoff(agents[h.agent], tool_name_override=h.tool_name, tool_description=h.description)
            for h in entry.handoffs if h.agent in agents
        ]
        agents[key].handoffs = handoffs
        seen: dict[str, str] = {}
        names = [(t.name, f"tool '{t.name}'") for t in agents[key].tools]
        names += [(h.tool_name, f"the handoff to '{h.agent_name}'") for h in handoffs if isinstance(h, Handoff)]
        for name, what in names:
            if name in seen:
                problems.append(Problem(tree.position(("agents", key), prefer_key=True),
                                        f"agent '{key}' has two tools named '{name}' ({seen[name]} and {what}); "
                                        "rename one (handoffs accept 'tool_name')"))
            seen.setdefault(name, what)
    return agents


def load_agent_config(path: str | Path) -> LoadedConfig:
    """Load and check an agent config file. Raises AgentConfigError (one `file:line:col: ...` line per problem)."""
    file = Path(path)
    label = str(path)
    text = _read_text(file, label)
    try:
        tree = read_marked_yaml(text)
    except YamlProblems as exc:
        raise AgentConfigError(label, exc.problems) from None
    if tree is None:
        raise AgentConfigError(label, [Problem(Position(1, 1), "the file is empty; define 'agents:' (and "
                                               "'start:'), see configs/support.yaml for an example")])
    if not isinstance(tree.data, dict):
        kind = "a list" if isinstance(tree.data, list) else "a single value"
        raise AgentConfigError(label, [Problem(Position(1, 1), f"the file holds {kind}; it must be a mapping with "
                                               "'start:' and 'agents:' keys")])
    problems: list[Problem] = []
    try:
        spec = AgentFile.model_validate(tree.data)
    except pydantic.ValidationError as exc:
        problems.extend(validation_problems(exc, tree))
        spec = _valid_parts(tree.data)  # check and import the rest too: every problem in one run
    checker = _Checker(spec, tree)
    start = checker.start_key()
    checker.check_agents()
    checker.check_tools()
    checker.check_guardrails()
    problems.extend(checker.problems)
    tools, guardrails = _build_entries(spec, tree, file.parent, problems)
    agents = _wire_agents(spec, tree, tools, guardrails, problems)
    if problems or start is None:
        raise AgentConfigError(label, problems)
    model_settings = copy.deepcopy(tree.data.get("model_settings") or {})
    run_config: dict[str, Any] = {"model_settings": copy.deepcopy(model_settings)}
    if tree.data.get("guardrails_settings") is not None:
        run_config["guardrails_settings"] = copy.deepcopy(tree.data["guardrails_settings"])
    return LoadedConfig(path=file, starting_agent=agents[start], agents=agents, run_config=run_config,
                        model_settings=model_settings, description=spec.description, tools=tools,
                        guardrails=guardrails)
