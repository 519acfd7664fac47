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
from typing import Any, Literal, Union, get_type_hints, overload

import pydantic

from ..protocol.signals import format_tool_error
from .context import AnyContext, RunContextWrapper

ToolFunction = Callable[..., Any]
DEFAULT_TOOL_TIMEOUT_S = 120.0  # a tool call that takes longer gets an error output (per tool: `timeout=`)
NeedsApproval = Union[bool, Callable[[AnyContext, dict[str, Any], str], bool | Awaitable[bool]]]
IsEnabled = Union[bool, Callable[[AnyContext, Any], bool | Awaitable[bool]]]
ToolErrorFunction = Callable[[AnyContext, Exception], Any]
ToolTimeoutBehavior = Literal["error_as_result", "raise_exception"]
_DEFAULT = object()  # failure_error_function not given: the session formats the error (tool_error_formatter)


class ToolTimeoutError(TimeoutError):
    """A tool ran longer than its `timeout` (raised with timeout_behavior="raise_exception")."""

    def __init__(self, tool_name: str, timeout_seconds: float) -> None:
        super().__init__(f"it did not finish within {timeout_seconds:g} s")
        self.tool_name = tool_name
        self.timeout_seconds = timeout_seconds


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


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
    strict_json_schema: bool = True
    is_enabled: IsEnabled = True
    needs_approval: NeedsApproval = False
    timeout_seconds: float | None = None
    timeout_behavior: ToolTimeoutBehavior = "error_as_result"
    timeout_error_function: ToolErrorFunction | None = None
    timeout_handled: bool = False  # on_invoke_tool applies timeout_seconds itself (function_tool(timeout=...))
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def qualified_name(self) -> str:
        return self.name

    async def enabled(self, ctx: AnyContext, agent: Any) -> bool:
        """Evaluate `is_enabled` (a bool, or a sync or async callable of the context and the agent)."""
        rule = self.is_enabled
        return bool(await _maybe_await(rule(ctx, agent))) if callable(rule) else bool(rule)

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


@dataclass
class _ToolOptions:
    name: str | None = None
    description: str | None = None
    use_docstring_info: bool = True
    failure_error_function: Any = _DEFAULT
    strict: bool = True
    is_enabled: IsEnabled = True
    needs_approval: NeedsApproval = False
    timeout: float | None = None
    timeout_behavior: ToolTimeoutBehavior = "error_as_result"
    timeout_error_function: ToolErrorFunction | None = None


def _guarded(run: Callable[[AnyContext, str], Awaitable[Any]], name: str,
             opts: _ToolOptions) -> Callable[[AnyContext, str], Awaitable[Any]]:
    """`run` with the tool's timeout and failure_error_function applied (argument errors always propagate)."""

    async def invoke(ctx: AnyContext, arguments: str) -> Any:
        try:
            if not opts.timeout:
                return await run(ctx, arguments)
            try:
                return await asyncio.wait_for(run(ctx, arguments), opts.timeout)
            except asyncio.TimeoutError:
                error = ToolTimeoutError(name, opts.timeout)
                if opts.timeout_behavior == "raise_exception":
                    raise error from None
                if opts.timeout_error_function is not None:
                    return await _maybe_await(opts.timeout_error_function(ctx, error))
                return format_tool_error(name, str(error))
        except ToolArgumentsError:
            raise
        except Exception as exc:
            if opts.failure_error_function is _DEFAULT or opts.failure_error_function is None or \
                    isinstance(exc, ToolTimeoutError):
                raise
            return await _maybe_await(opts.failure_error_function(ctx, exc))

    return invoke


def argument_problems(exc: pydantic.ValidationError) -> str:
    """What is wrong with a model's arguments, one `path: message` per problem."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors())


def _build_tool(func: ToolFunction, opts: _ToolOptions) -> FunctionTool:
    name, description, strict = opts.name, opts.description, opts.strict
    try:
        hints = get_type_hints(func)
    except Exception:
        hints = {}
    takes_ctx = _takes_context(func, hints)
    summary, arg_docs = parse_docstring(func.__doc__) if opts.use_docstring_info else ("", {})
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
            raise ToolArgumentsError(argument_problems(exc)) from None
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
        on_invoke_tool=_guarded(invoke, tool_name, opts),
        strict_json_schema=strict,
        is_enabled=opts.is_enabled,
        needs_approval=opts.needs_approval,
        timeout_seconds=opts.timeout,
        timeout_handled=bool(opts.timeout),
        timeout_behavior=opts.timeout_behavior,
        timeout_error_function=opts.timeout_error_function,
    )


@overload
def function_tool(func: ToolFunction) -> FunctionTool: ...


@overload
def function_tool(
    *, name_override: str | None = None, description_override: str | None = None,
    docstring_style: str | None = None, use_docstring_info: bool = True, failure_error_function: Any = _DEFAULT,
    strict_mode: bool = True, is_enabled: IsEnabled = True, needs_approval: NeedsApproval = False,
    timeout: float | None = None, timeout_behavior: ToolTimeoutBehavior = "error_as_result",
    timeout_error_function: ToolErrorFunction | None = None,
) -> Callable[[ToolFunction], FunctionTool]: ...


def function_tool(
    func: ToolFunction | None = None,
    *,
    name_override: str | None = None,
    description_override: str | None = None,
    docstring_style: str | None = None,
    use_docstring_info: bool = True,
    failure_error_function: Any = _DEFAULT,
    strict_mode: bool = True,
    is_enabled: IsEnabled = True,
    needs_approval: NeedsApproval = False,
    timeout: float | None = None,
    timeout_behavior: ToolTimeoutBehavior = "error_as_result",
    timeout_error_function: ToolErrorFunction | None = None,
) -> FunctionTool | Callable[[ToolFunction], FunctionTool]:
    """Make a tool of a function (sync or async). Use bare (`@function_tool`) or with options.

    An optional first parameter annotated `RunContextWrapper` receives the run context and is not part of the
    schema. The docstring's first paragraph becomes the description; its `Args:` section describes parameters
    (Google style; `docstring_style` is accepted for compatibility). `is_enabled` (a bool or a callable of the
    context and agent) decides per session update whether the model sees the tool. `failure_error_function(ctx,
    error)` turns an exception into the output the model gets (None: the error goes to the session's formatter).
    A sync function runs in a worker thread. `timeout` seconds bound each call (default DEFAULT_TOOL_TIMEOUT_S; 0:
    no limit): the model gets a timeout message, or `timeout_behavior="raise_exception"` raises ToolTimeoutError.
    """
    if timeout is not None and timeout < 0:
        raise ValueError("function_tool timeout must be a positive number of seconds (or 0 for no limit)")
    opts = _ToolOptions(name_override, description_override, use_docstring_info, failure_error_function,
                        strict_mode, is_enabled, needs_approval, timeout, timeout_behavior, timeout_error_function)

    def decorate(f: ToolFunction) -> FunctionTool:
        return _build_tool(f, opts)

    return decorate(func) if func is not None else decorate


tool = function_tool
