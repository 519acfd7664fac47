"""Function tools: `@function_tool` turns a typed Python function into a tool the model can call.

The JSON schema comes from the signature (via pydantic) and the docstring; arguments are validated on each call.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Union, get_type_hints, overload

import pydantic

from .context import AnyContext, RunContextWrapper

ToolFunction = Callable[..., Any]
DEFAULT_TOOL_TIMEOUT_S = 120.0  # a tool call that takes longer gets an error output (per tool: `timeout=`)
NeedsApproval = Union[bool, Callable[[AnyContext, dict[str, Any], str], bool | Awaitable[bool]]]


class ToolArgumentsError(ValueError):
    """The model's arguments for a tool are not valid JSON or do not match the tool's schema."""


@dataclass
class FunctionTool:
    """A tool the model may call: its name, description, JSON schema, and the coroutine that runs it.

    `timeout_seconds` bounds one call (None: DEFAULT_TOOL_TIMEOUT_S; 0: no limit). A sync function runs in a
    worker thread, so it never blocks the event loop (audio, interrupts, the view); on a timeout the call gets an
    error output at once, though the thread itself runs on until the function returns.
    """

    name: str
    description: str
    params_json_schema: dict[str, Any]
    on_invoke_tool: Callable[[AnyContext, str], Awaitable[Any]]
    needs_approval: NeedsApproval = False
    strict_json_schema: bool = True
    metadata: dict[str, Any] = field(default_factory=dict)
    timeout_seconds: float | None = None

    def to_spec(self) -> dict[str, Any]:
        return {"type": "function", "name": self.name, "description": self.description,
                "parameters": self.params_json_schema}

    async def approval_needed(self, ctx: AnyContext, arguments: str) -> bool:
        rule = self.needs_approval
        if not callable(rule):
            return bool(rule)
        try:
            parsed = json.loads(arguments or "{}")
        except ValueError:
            parsed = {}
        verdict = rule(ctx, parsed if isinstance(parsed, dict) else {}, arguments)
        if inspect.isawaitable(verdict):
            verdict = await verdict
        return bool(verdict)


_ARGS_HEADER = re.compile(r"^\s*(args|arguments|parameters|params)\s*:\s*$", re.IGNORECASE)
_ARG_LINE = re.compile(r"^\s*[*]{0,2}(\w+)[*]{0,2}\s*(\([^)]*\))?\s*:\s*(.+)$")
_SECTION = re.compile(r"^\s*(returns?|raises?|yields?|examples?|notes?)\s*:\s*$", re.IGNORECASE)


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """The summary (text before the first section) and per-parameter descriptions of a Google-style docstring."""
    if not doc:
        return "", {}
    lines = inspect.cleandoc(doc).splitlines()
    summary: list[str] = []
    params: dict[str, str] = {}
    in_args = False
    last: str | None = None
    for line in lines:
        if _ARGS_HEADER.match(line):
            in_args, last = True, None
            continue
        if _SECTION.match(line):
            in_args, last = False, None
            continue
        if in_args:
            m = _ARG_LINE.match(line)
            if m:
                last = m.group(1)
                params[last] = m.group(3).strip()
            elif last and line.strip():
                params[last] += " " + line.strip()
        elif not params:
            summary.append(line)
    return " ".join(s.strip() for s in summary if s.strip()), params


def _takes_context(func: ToolFunction, hints: dict[str, Any]) -> bool:
    params = list(inspect.signature(func).parameters.values())
    if not params:
        return False
    first = params[0]
    ann = hints.get(first.name, first.annotation)
    if isinstance(ann, str):  # an annotation that could not be resolved (e.g. a name local to a function)
        return ann.split("[", 1)[0].rsplit(".", 1)[-1] in ("RunContextWrapper", "ToolContext")
    origin = getattr(ann, "__origin__", ann)
    return origin is RunContextWrapper or (isinstance(origin, type) and issubclass(origin, RunContextWrapper))


def _build_tool(func: ToolFunction, name: str | None, description: str | None,
                needs_approval: NeedsApproval, strict: bool, timeout: float | None = None) -> FunctionTool:
    try:
        hints = get_type_hints(func)
    except Exception:
        hints = {}
    takes_ctx = _takes_context(func, hints)
    summary, arg_docs = parse_docstring(func.__doc__)
    fields: dict[str, Any] = {}
    for index, param in enumerate(inspect.signature(func).parameters.values()):
        if index == 0 and takes_ctx:
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        ann = hints.get(param.name, Any if param.annotation is param.empty else param.annotation)
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (ann, pydantic.Field(default, description=arg_docs.get(param.name)))
    tool_name = name or func.__name__
    model = pydantic.create_model(f"{tool_name}_args", __config__=pydantic.ConfigDict(extra="forbid"), **fields)
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    schema.setdefault("required", [])
    schema["additionalProperties"] = False
    is_async = inspect.iscoroutinefunction(func)

    async def invoke(ctx: AnyContext, arguments: str) -> Any:
        try:
            raw = json.loads(arguments) if arguments and arguments.strip() else {}
        except ValueError as exc:
            raise ToolArgumentsError(f"arguments are not valid JSON ({exc})") from None
        if not isinstance(raw, dict):
            raise ToolArgumentsError("arguments must be a JSON object")
        try:
            parsed = model.model_validate(raw)
        except pydantic.ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors()
            )
            raise ToolArgumentsError(problems) from None
        kwargs = {k: getattr(parsed, k) for k in fields}
        args = (ctx,) if takes_ctx else ()
        result = func(*args, **kwargs) if is_async else await asyncio.to_thread(func, *args, **kwargs)
        if is_async or inspect.isawaitable(result):
            result = await result
        return result

    return FunctionTool(
        name=tool_name,
        description=description or summary or tool_name.replace("_", " "),
        params_json_schema=schema,
        on_invoke_tool=invoke,
        needs_approval=needs_approval,
        strict_json_schema=strict,
        timeout_seconds=timeout,
    )


@overload
def function_tool(func: ToolFunction, /) -> FunctionTool: ...


@overload
def function_tool(
    *, name_override: str | None = None, description_override: str | None = None,
    needs_approval: NeedsApproval = False, strict_mode: bool = True, timeout: float | None = None,
) -> Callable[[ToolFunction], FunctionTool]: ...


def function_tool(
    func: ToolFunction | None = None,
    /,
    *,
    name_override: str | None = None,
    description_override: str | None = None,
    needs_approval: NeedsApproval = False,
    strict_mode: bool = True,
    timeout: float | None = None,
) -> FunctionTool | Callable[[ToolFunction], FunctionTool]:
    """Make a tool of a function (sync or async). Use bare (`@function_tool`) or with options.

    An optional first parameter annotated `RunContextWrapper` receives the run context and is not part of the
    schema. The docstring's first paragraph becomes the description; its `Args:` section describes parameters.
    A sync function runs in a worker thread; `timeout` (seconds) bounds each call.
    """

    def decorate(f: ToolFunction) -> FunctionTool:
        return _build_tool(f, name_override, description_override, needs_approval, strict_mode, timeout)

    return decorate(func) if func is not None else decorate
