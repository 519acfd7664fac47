"""The run context handed to tools, guardrails, handoff callbacks and dynamic instructions.

It wraps whatever object the application passed to `runner.run(context=...)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ..protocol.usage import Usage

TContext = TypeVar("TContext")


@dataclass
class RunContextWrapper(Generic[TContext]):
    """The application's context object (`.context`), plus per-call details where they apply."""

    context: TContext
    usage: Usage = field(default_factory=Usage)
    tool_name: str | None = None
    tool_call_id: str | None = None
    tool_arguments: str | None = None

    def for_tool(self, name: str, call_id: str, arguments: str) -> RunContextWrapper[TContext]:
        return RunContextWrapper(self.context, self.usage, name, call_id, arguments)


ToolContext = RunContextWrapper
AnyContext = RunContextWrapper[Any]
