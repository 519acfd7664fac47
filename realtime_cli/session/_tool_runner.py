"""Runs the model's function calls for a session: tools, handoffs, approvals, and always an output.

Every call ends in exactly one `function_call_output` (errors, timeouts, oversized outputs and a tool raising
CancelledError, SystemExit or KeyboardInterrupt included) followed by a serialized response.create.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from typing import Any

from ..protocol.core_effects import RunToolCall
from ..protocol.signals import (
    format_bad_arguments,
    format_call_error,
    format_not_found,
    format_rejected,
    format_tool_error,
)
from . import events as ev
from ._host import SessionHost
from .handoffs import Handoff
from .tool import DEFAULT_TOOL_TIMEOUT_S, FunctionTool, ToolArgumentsError

MAX_TOOL_OUTPUT_CHARS = 1_000_000  # a longer output is replaced by an error (a frame carries at most 16 MiB)


class ToolTimeoutError(Exception):
    """A tool ran longer than its timeout."""


class ToolRunner:
    """Owns the in-flight tool tasks and pending approvals of one session."""

    def __init__(self, session: SessionHost) -> None:
        self._session = session
        self._tasks: set[asyncio.Task[None]] = set()
        self._approvals: dict[str, asyncio.Future[bool]] = {}  # calls the user is asked about
        self._rejections: dict[str, str] = {}
        self._closing = False  # set by cancel_all: only then does a CancelledError end a tool task

    async def run(self, call: RunToolCall) -> None:
        """Run one call the core handed over (in a task unless the run config says async_tool_calls=False)."""
        name = call.name
        coro = self._run(name, call.call_id, call.arguments)
        if self._session.async_tool_calls:
            task = asyncio.create_task(coro, name=f"rtagent-tool-{name}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            await coro

    async def _lookup(self, name: str) -> tuple[FunctionTool | None, Handoff | None]:
        agent = self._session.current_agent
        tools, handoffs = self._session.callable_tools()
        for tool in tools:
            if tool.name == name:
                return tool, None
        for handoff in handoffs:
            if handoff.tool_name == name and await handoff.enabled(self._session.context_wrapper, agent):
                return None, handoff
        return None, None

    async def _run(self, name: str, call_id: str, arguments: str) -> None:
        session = self._session
        ctx = session.context_wrapper.for_tool(name, call_id, arguments)
        try:
            tool, handoff = await self._lookup(name)
            if handoff is not None:
                new_agent = await handoff.on_invoke_handoff(ctx, arguments)
                await session.handoff(call_id, new_agent)  # the session update, then the call's output
                return
            if tool is None:
                output = format_not_found(name)
            else:
                output = await self._run_tool(tool, ctx, name, call_id, arguments)
        except asyncio.CancelledError:
            if self._closing:
                raise
            output = format_call_error(name, "it was cancelled")
        except Exception as exc:  # a handoff callback (or its is_enabled) failed: still answer the call
            output = format_call_error(name, str(exc))
        if len(output) > MAX_TOOL_OUTPUT_CHARS:
            message = (f"Tool {name} returned {len(output):,} characters, more than the {MAX_TOOL_OUTPUT_CHARS:,} "
                       "a realtime conversation item can carry; the output was not sent.")
            session.emit_error("tool_output_too_large", message)
            output = message
        await session.tool_output(call_id, output)

    async def _run_tool(self, tool: FunctionTool, ctx: Any, name: str, call_id: str, arguments: str) -> str:
        session = self._session
        agent = session.current_agent
        if await tool.approval_needed(ctx, arguments) and not await self._approved(tool, call_id, arguments):
            message = self._rejections.pop(call_id, None) or format_rejected(name)
            session.emit(ev.RealtimeToolEnd(agent=agent, tool=tool, arguments=arguments, call_id=call_id,
                                            output=message, duration_s=0.0, info=session.info))
            return message
        session.emit(ev.RealtimeToolStart(agent=agent, tool=tool, arguments=arguments, call_id=call_id,
                                          info=session.info))
        started = time.perf_counter()
        timeout = tool.timeout_seconds if tool.timeout_seconds is not None else DEFAULT_TOOL_TIMEOUT_S
        if tool.timeout_handled:
            timeout = 0  # the tool bounds itself, with the reference's timeout options
        try:
            result: Any = await self._invoke(tool, ctx, arguments, timeout)
            output = result if isinstance(result, str) else _stringify(result)
        except ToolArgumentsError as exc:
            result = output = format_bad_arguments(name, str(exc))
        except asyncio.CancelledError:
            if self._closing:
                raise
            result = output = await self._format_error(RuntimeError("the tool was cancelled"), ctx, name)
        except (SystemExit, KeyboardInterrupt) as exc:  # a tool must not end the program
            why = RuntimeError(f"the tool raised {type(exc).__name__}({exc})")
            result = output = await self._format_error(why, ctx, name)
        except Exception as exc:
            result = output = await self._format_error(exc, ctx, name)
        session.emit(ev.RealtimeToolEnd(agent=agent, tool=tool, arguments=arguments, call_id=call_id,
                                        output=result, duration_s=time.perf_counter() - started,
                                        info=session.info))
        return output

    async def _invoke(self, tool: FunctionTool, ctx: Any, arguments: str, timeout: float | None) -> Any:
        """Run the tool in this task (so whatever it raises passes through here first), bounded by `timeout`."""
        if not timeout:
            return await tool.on_invoke_tool(ctx, arguments)
        task = asyncio.current_task()
        assert task is not None
        fired = False

        def expire() -> None:
            nonlocal fired
            fired = True
            task.cancel()

        handle = asyncio.get_running_loop().call_later(timeout, expire)
        try:
            return await tool.on_invoke_tool(ctx, arguments)
        except asyncio.CancelledError:
            if not fired:
                raise
            uncancel = getattr(task, "uncancel", None)
            if uncancel is not None:
                uncancel()
            raise ToolTimeoutError(f"it did not finish within {timeout:g} s") from None
        finally:
            handle.cancel()

    async def _format_error(self, exc: Exception, ctx: Any, name: str) -> str:
        formatter = self._session.tool_error_formatter()
        if formatter is not None:
            try:
                text = formatter(exc, ctx) if len(inspect.signature(formatter).parameters) > 1 else formatter(exc)
                if inspect.isawaitable(text):
                    text = await text
                if text:
                    return str(text)
            except Exception:
                pass
        return format_tool_error(name, str(exc))

    async def _approved(self, tool: FunctionTool, call_id: str, arguments: str) -> bool:
        session = self._session
        standing = session.approval(call_id, tool.name)
        if standing is not None:
            return standing
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._approvals[call_id] = future
        session.emit(ev.RealtimeToolApprovalRequired(agent=session.current_agent, tool=tool, arguments=arguments,
                                                     call_id=call_id, info=session.info))
        try:
            decision = await future
        finally:
            self._approvals.pop(call_id, None)
        return decision

    def answer(self, call_id: str, approved: bool, message: str | None = None) -> None:
        """Wake the call waiting for this answer (the core has recorded it)."""
        future = self._approvals.get(call_id)
        if future is None or future.done():
            return
        if message:
            self._rejections[call_id] = message
        future.set_result(approved)

    async def cancel_all(self) -> None:
        self._closing = True
        for future in self._approvals.values():
            if not future.done():
                future.cancel()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _stringify(value: Any) -> str:
    if hasattr(value, "model_dump_json"):
        return str(value.model_dump_json())
    import json

    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
