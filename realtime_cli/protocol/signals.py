"""The SDK's in-band signals: texts the client puts in the conversation to tell the model what happened.

One source of truth for their formats (the Agents SDK's own wording, so any server reads them the same way):
`format_*` builds each signal, `parse_tool_output` / `parse_guardrail` read one back as a typed value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

GUARDRAIL_PREFIX = "guardrail triggered: "
HANDOFF_OUTPUT_KEY = "assistant"
_REJECTED = re.compile(r"^Tool call (?P<tool>\S+) was rejected by the user\.$")
_TOOL_ERROR = re.compile(r"^An error occurred while running the tool (?P<tool>\S+): (?P<message>.*)$", re.S)
_HANDOFF_ERROR = re.compile(r"^Error running (?P<tool>\S+): (?P<message>.*)$", re.S)
_BAD_ARGUMENTS = re.compile(r"^Invalid arguments for tool (?P<tool>\S+): (?P<message>.*)$", re.S)
_NOT_FOUND = re.compile(r"^Tool (?P<tool>\S+) not found$")


@dataclass(frozen=True)
class HandoffDone:
    """A handoff call's output: the conversation now belongs to `agent`."""

    agent: str


@dataclass(frozen=True)
class ToolRejected:
    """The user declined the approval of a call to `tool`."""

    tool: str


@dataclass(frozen=True)
class ToolFailed:
    """Running `tool` raised (or its arguments were refused, or it does not exist); `message` says why."""

    tool: str
    message: str


@dataclass(frozen=True)
class GuardrailTripped:
    """An output guardrail stopped the previous answer; `names` are the guardrails that tripped."""

    names: tuple[str, ...]


ToolSignal = HandoffDone | ToolRejected | ToolFailed


def format_handoff_output(agent: str) -> str:
    return json.dumps({HANDOFF_OUTPUT_KEY: agent})


def format_rejected(tool: str) -> str:
    return f"Tool call {tool} was rejected by the user."


def format_tool_error(tool: str, message: str) -> str:
    return f"An error occurred while running the tool {tool}: {message}"


def format_call_error(tool: str, message: str) -> str:
    """A call that failed outside the tool itself (a handoff callback, a cancelled call)."""
    return f"Error running {tool}: {message}"


def format_bad_arguments(tool: str, message: str) -> str:
    return f"Invalid arguments for tool {tool}: {message}"


def format_not_found(tool: str) -> str:
    return f"Tool {tool} not found"


def format_guardrail(names: list[str]) -> str:
    return GUARDRAIL_PREFIX + ", ".join(names)


def parse_tool_output(output: str) -> ToolSignal | None:
    """The signal a function_call_output carries, or None when it is the tool's own result (an answer, even one
    that reports a miss such as "could not find order 7")."""
    text = output.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and len(data) == 1 and isinstance(data.get(HANDOFF_OUTPUT_KEY), str):
            return HandoffDone(data[HANDOFF_OUTPUT_KEY])
        return None
    if match := _REJECTED.match(text):
        return ToolRejected(match["tool"])
    for pattern in (_TOOL_ERROR, _HANDOFF_ERROR, _BAD_ARGUMENTS):
        if match := pattern.match(text):
            return ToolFailed(match["tool"], match["message"])
    if match := _NOT_FOUND.match(text):
        return ToolFailed(match["tool"], "no such tool")
    return None


def parse_guardrail(text: str) -> GuardrailTripped | None:
    """The guardrail signal in a user message's text, or None."""
    if not text.startswith(GUARDRAIL_PREFIX.rstrip()):
        return None
    names = text[len(GUARDRAIL_PREFIX.rstrip()) :].strip()
    return GuardrailTripped(tuple(name.strip() for name in names.split(",") if name.strip()))
