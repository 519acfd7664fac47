"""The shape of an agent config file as pydantic models, its JSON Schema, and pydantic errors as positioned problems.

Session settings reuse the SDK's own `ModelSettings` and `GuardrailsSettings`, so the file accepts exactly their keys.
"""

from __future__ import annotations

import copy
import difflib
import typing
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..session.config import GuardrailsSettings, ModelSettings, check_voice
from .agent_config_errors import Problem
from .agent_config_yaml import KeyPath, MarkedTree

_STRICT = ConfigDict(extra="forbid", protected_namespaces=())


class ToolConfig(BaseModel):
    """A function tool, found by import path; the YAML key is the tool's name."""

    model_config = _STRICT
    function: str = Field(description="Import path 'module:function' (relative to the YAML file's folder or "
                                      "installed); a plain function or a FunctionTool")
    description: str | None = Field(None, description="Overrides the description taken from the docstring")
    needs_approval: bool = Field(False, description="Ask the user before each call")
    examples: list[str] = Field(default_factory=list, description="Things a user says to get this tool called; "
                                "added to the description the model (and the local engine's brain and "
                                "recognizer) sees")


class HandoffConfig(BaseModel):
    """A handoff to another agent of this file; plain strings are shorthand for `{agent: key}`."""

    model_config = _STRICT
    agent: str = Field(description="Key of the target agent under 'agents'")
    description: str | None = Field(None, description="Tool description the model sees")
    tool_name: str | None = Field(None, description="Overrides the default tool name transfer_to_<agent name>")


class AgentConfig(BaseModel):
    """One agent; `tools`, `handoffs` and `guardrails` name entries defined elsewhere in the file."""

    model_config = _STRICT
    name: str | None = Field(None, description="Display name (default: the agent's key)")
    instructions: str | None = Field(None, description="System prompt of this agent")
    handoff_description: str | None = Field(None, description="Added to handoff tool descriptions of this agent")
    voice: str | None = Field(None, description="Voice when this agent speaks first")
    tools: list[str] = Field(default_factory=list, description="Keys of entries under the top-level 'tools'")
    handoffs: list[HandoffConfig] = Field(default_factory=list, description="Agents this one may transfer to")
    guardrails: list[str] = Field(default_factory=list, description="Keys of entries under the top-level 'guardrails'")

    _voice = field_validator("voice")(classmethod(lambda cls, v: check_voice(v)))

    @field_validator("handoffs", mode="before")
    @classmethod
    def _plain_references(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"agent": item} if isinstance(item, str) else item for item in value]
        return value


class GuardrailConfig(BaseModel):
    """An output guardrail: by import path (`function`) or declarative (`blocked_words` / `blocked_patterns`)."""

    model_config = _STRICT
    function: str | None = Field(None, description="Import path 'module:name' of an OutputGuardrail or a "
                                                   "function (context, agent, output) -> GuardrailFunctionOutput")
    blocked_words: list[str] = Field(default_factory=list, description="Whole words or phrases, any case")
    blocked_patterns: list[str] = Field(default_factory=list, description="Regular expressions, any case")
    message: str | None = Field(None, description="Reported as the guardrail's output_info when it trips")


class AgentFile(BaseModel):
    """A whole agent config file."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=(), title="rtagent agent config")
    start: str | None = Field(None, description="Key of the starting agent (optional when there is one agent)")
    description: str | None = Field(None, description="What this configuration is for")
    model_settings: ModelSettings | None = Field(None, description="Session settings, as in RealtimeRunner config")
    guardrails_settings: GuardrailsSettings | None = None
    agents: dict[str, AgentConfig] = Field(min_length=1, description="Agents by key")
    tools: dict[str, ToolConfig] = Field(default_factory=dict, description="Function tools by name")
    guardrails: dict[str, GuardrailConfig] = Field(default_factory=dict, description="Output guardrails by name")

    @field_validator("agents", mode="before")
    @classmethod
    def _empty_agents(cls, value: Any) -> Any:
        if isinstance(value, dict):  # `helper:` with nothing after it is an agent with all defaults
            return {key: {} if agent is None else agent for key, agent in value.items()}
        return value


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of an agent config file, for editors and `rtagent schema`."""
    schema = copy.deepcopy(AgentFile.model_json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    agents = schema["properties"]["agents"]
    agents["additionalProperties"] = {"anyOf": [agents["additionalProperties"], {"type": "null"}]}
    handoffs = schema["$defs"]["AgentConfig"]["properties"]["handoffs"]
    handoffs["items"] = {"anyOf": [{"type": "string", "description": "Key of the target agent"}, handoffs["items"]]}
    return schema


# --- pydantic errors → positioned problems -----------------------------------------------------------------------

_SETTINGS_ROOTS = ("model_settings", "guardrails_settings")
_KINDS = {"agents": "agent", "tools": "tool", "guardrails": "guardrail"}
_EXAMPLES = {
    "agents": "an 'agents:' mapping with at least one agent, e.g. agents: {main: {instructions: ...}}",
    "function": 'function: "tools.mymodule:my_function"',
    "agent": "agent: <key of an agent under 'agents'>",
}


def _dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def container(path: KeyPath) -> str:
    """Where an entry lives, as words: "in agent 'billing'", "in model_settings.turn_detection", ..."""
    if not path:
        return "at the top level"
    if path[0] in _SETTINGS_ROOTS:
        return f"in {_dotted(path)}"
    if len(path) == 1:
        return f"under '{path[0]}'"
    kind = _KINDS.get(str(path[0]))
    if kind and len(path) == 2:
        return f"in {kind} '{path[1]}'"
    if path[0] == "agents" and len(path) == 4 and path[2] == "handoffs" and isinstance(path[3], int):
        return f"in handoff {path[3] + 1} of agent '{path[1]}'"
    return f"in {_dotted(path)}"


def subject(path: KeyPath) -> str:
    """The thing at `path`, as words: "agent 'billing'", "'voice' in model_settings", "item 2 of 'tools' ..."."""
    if not path:
        return "the file"
    kind = _KINDS.get(str(path[0]))
    if kind and len(path) == 2:
        return f"{kind} '{path[1]}'"
    last = path[-1]
    if isinstance(last, int):
        if path[0] == "agents" and len(path) == 4 and path[2] == "handoffs":
            return f"handoff {last + 1} of agent '{path[1]}'"
        return f"item {last + 1} of {subject(path[:-1])}"
    where = container(path[:-1])
    return f"'{last}'" if not path[:-1] else f"'{last}' {where}"


def _resolve(data: Any, loc: tuple[int | str, ...]) -> KeyPath:
    """The part of a pydantic location that exists in the data (drops union tags such as 'literal[...]')."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_dict = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            current = current[part]
            path.append(part)
    return tuple(path)


def _unwrap(annotation: Any, part: str | int) -> Any:
    """The model type one step further down from `annotation` (through Optional, list and dict)."""
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            field = arg.model_fields.get(str(part))
            return field.annotation if field is not None else None
        origin = typing.get_origin(arg)
        if origin in (list, dict):
            return typing.get_args(arg)[-1]
    return None


def known_keys(path: KeyPath) -> list[str]:
    """The valid keys of the mapping at `path`, from the models."""
    current: Any = AgentFile
    for part in path:
        current = _unwrap(current, part)
    for arg in (current, *typing.get_args(current)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return list(arg.model_fields)
    return []


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


def _hint(kind: str, got: Any, path: KeyPath) -> str:
    if kind == "string_type":
        if isinstance(got, (dict, list)):
            if len(path) == 4 and path[0] == "agents" and path[2] in ("tools", "guardrails"):
                return f"; list the key of an entry defined under the top-level '{path[2]}:'"
            return "; write a single text value"
        return "; put the value in quotes (YAML reads yes/no/on/off as booleans and digits as numbers)"
    if kind == "list_type":
        return "; write a list: [a, b] or one '- item' per line"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        if len(path) == 1 and str(path[0]) in _KINDS:
            return f"; write one 'key: {{...}}' entry per {_KINDS[str(path[0])]}, e.g. main: {{...}}"
        keys = known_keys(path)
        return f"; write 'key: value' lines (valid keys: {', '.join(keys)})" if keys else "; write 'key: value' lines"
    if kind in ("bool_type", "bool_parsing"):
        return "; use true or false"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "; use a whole number"
    if kind in ("float_type", "float_parsing"):
        return "; use a number"
    return ""


def _reworded(err: Any) -> str:
    kind = err["type"]
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "should be a mapping"
    if kind == "too_short":
        return "needs at least one entry"
    msg = str(err["msg"])
    for prefix in ("Input should be", "Value error,"):
        if msg.startswith(prefix):
            msg = msg[len(prefix):].strip()
            return msg if prefix == "Value error," else f"should be {msg}"
    return msg[:1].lower() + msg[1:]


def validation_problems(exc: pydantic.ValidationError, tree: MarkedTree) -> list[Problem]:
    """One problem per place: unknown keys with a did-you-mean, missing keys, and wrong values with a fix."""
    problems: list[Problem] = []
    grouped: dict[KeyPath, list[Any]] = {}
    guessed: set[tuple[KeyPath, str]] = set()  # (parent, key) an unknown key probably meant: skip its "missing"
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    for err in errors:
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            path = _resolve(tree.data, loc)
            key = str(path[-1]) if path else str(loc[-1])
            known = known_keys(path[:-1])
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            fix = f"did you mean '{near[0]}'?" if near else f"valid keys: {', '.join(known)}"
            if near:
                guessed.add((path[:-1], near[0]))
            problems.append(Problem(tree.position(path, prefer_key=True),
                                    f"unknown key '{key}' {container(path[:-1])}; {fix}"))
        elif kind == "missing":
            parent = _resolve(tree.data, loc[:-1])
            key = str(loc[-1])
            if (parent, key) in guessed:
                continue
            example = _EXAMPLES.get(key, f"{key}: ...")
            where = "the file" if not parent else subject(parent)
            problems.append(Problem(tree.position(parent, prefer_key=True),
                                    f"{where} is missing the required key '{key}'; add {example}"))
        else:
            grouped.setdefault(_resolve(tree.data, loc), []).append(err)
    for path, errs in grouped.items():
        got = errs[0].get("input")
        what = " or ".join(dict.fromkeys(_reworded(e) for e in errs))
        if errs[0]["type"] == "too_short":
            problems.append(Problem(tree.position(path), f"{subject(path)} {what}; add one"))
            continue
        hint = _hint(errs[0]["type"], got, path) if len(errs) == 1 else ""
        problems.append(Problem(tree.position(path), f"{subject(path)} {what} (got {_shown(got)}){hint}"))
    return problems
