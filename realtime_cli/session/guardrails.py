"""Output guardrails: checks run on what the agent says, which can stop it mid-sentence.

A guardrail function gets (context, agent, text) and returns GuardrailFunctionOutput; sync or async.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Union, overload

from .context import AnyContext

GuardrailFunction = Callable[
    [AnyContext, Any, Any], Union["GuardrailFunctionOutput", Awaitable["GuardrailFunctionOutput"]]
]


@dataclass
class GuardrailFunctionOutput:
    """What a guardrail decided: `tripwire_triggered` stops the agent; `output_info` says why (free form)."""

    output_info: Any
    tripwire_triggered: bool


@dataclass
class OutputGuardrailResult:
    guardrail: OutputGuardrail
    agent_output: Any
    agent: Any
    output: GuardrailFunctionOutput


@dataclass
class OutputGuardrail:
    """A named check on the agent's output text."""

    guardrail_function: GuardrailFunction
    name: str | None = None

    def get_name(self) -> str:
        return self.name or str(getattr(self.guardrail_function, "__name__", "guardrail"))

    async def run(self, context: AnyContext, agent: Any, agent_output: Any) -> OutputGuardrailResult:
        func = self.guardrail_function
        if inspect.iscoroutinefunction(func):
            result = func(context, agent, agent_output)
        else:  # a sync check runs in a worker thread, off the event loop
            sync: Callable[..., Any] = func
            result = await asyncio.to_thread(sync, context, agent, agent_output)
        if inspect.isawaitable(result):
            result = await result
        if not isinstance(result, GuardrailFunctionOutput):
            raise TypeError(f"guardrail {self.get_name()!r} must return GuardrailFunctionOutput, got {result!r}")
        return OutputGuardrailResult(self, agent_output, agent, result)


@overload
def output_guardrail(func: GuardrailFunction, /) -> OutputGuardrail: ...


@overload
def output_guardrail(*, name: str | None = None) -> Callable[[GuardrailFunction], OutputGuardrail]: ...


def output_guardrail(
    func: GuardrailFunction | None = None, /, *, name: str | None = None
) -> OutputGuardrail | Callable[[GuardrailFunction], OutputGuardrail]:
    """Make an OutputGuardrail of a function; use bare or as `@output_guardrail(name=...)`."""

    def decorate(f: GuardrailFunction) -> OutputGuardrail:
        return OutputGuardrail(guardrail_function=f, name=name)

    return decorate(func) if func is not None else decorate
