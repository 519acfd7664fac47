"""Attacks from inside tools and guardrails: blocking sync code, a tool that never returns, one that raises
CancelledError, SystemExit or KeyboardInterrupt, one that returns 20 MB. Each call still gets an output and the
turn completes; the program goes on."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from realtime_cli import (
    GuardrailFunctionOutput,
    RealtimeAgent,
    RealtimeSession,
    function_tool,
    output_guardrail,
)
from support.harness import of_type, run_scripted
from support.scripted_server import ScriptedConnection
from support.server_events import Events

e = Events("ga")


def _tool_script(outputs: list[str], name: str = "probe") -> Any:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(e.response_created("resp_1"), e.function_call("resp_1", "item_f1", "call_1", name, "{}"),
                     e.response_done("resp_1"))
        out = await c.expect("conversation.item.create", timeout=20)
        outputs.append(out["item"]["output"])
        await c.expect("response.create")
        await c.send(*e.assistant_turn("resp_2", "item_a2", "done"))
        await c.close(1000)
    return script


async def _call(tool: Any, **kw: Any) -> tuple[list[Any], str]:
    outputs: list[str] = []
    events, _ = await run_scripted(_tool_script(outputs, tool.name), RealtimeAgent(name="A", tools=[tool]),
                                   timeout=30, **kw)
    assert [ev.status for ev in of_type(events, "agent_end")][-1] == "completed"  # the turn completed
    return events, outputs[0]


async def test_a_blocking_sync_tool_runs_off_the_event_loop() -> None:
    gate = threading.Event()

    @function_tool
    def probe() -> str:
        """Blocks until the event loop, still running, releases it."""
        return "released" if gate.wait(10) else "the loop was blocked"

    async def on_event(session: RealtimeSession, event: Any) -> None:
        if event.type == "tool_start":
            gate.set()

    _, output = await _call(probe, on_event=on_event)
    assert output == "released"


async def test_a_tool_that_never_returns_times_out_with_an_error_output() -> None:
    @function_tool(timeout=0.2)
    async def probe() -> str:
        """Hangs."""
        await asyncio.Event().wait()
        return "never"

    _, output = await _call(probe)
    assert "did not finish within 0.2 s" in output


@pytest.mark.parametrize("raised", [asyncio.CancelledError, SystemExit, KeyboardInterrupt])
@pytest.mark.parametrize("sync", [False, True])
async def test_a_tool_raising_a_base_exception_gets_an_error_output(raised: type[BaseException], sync: bool) -> None:
    def boom() -> str:
        raise raised(0) if raised is SystemExit else raised()

    async def aboom() -> str:
        return boom()

    probe = function_tool(boom if sync else aboom, name_override="probe")
    _, output = await _call(probe)
    assert output.startswith("An error occurred while running the tool probe")


async def test_a_20_mb_tool_output_is_replaced_by_an_error_and_the_turn_completes() -> None:
    @function_tool
    async def probe() -> str:
        """Floods."""
        return "x" * 20_000_000

    events, output = await _call(probe)
    assert "more than the 1,000,000" in output
    assert any(ev.error.code == "tool_output_too_large" for ev in of_type(events, "error"))


async def test_a_blocking_sync_guardrail_runs_off_the_event_loop() -> None:
    gate = threading.Event()
    verdicts: list[bool] = []

    @output_guardrail
    def slow_check(ctx: Any, agent: Any, text: Any) -> GuardrailFunctionOutput:
        verdicts.append(gate.wait(10))
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(*e.assistant_turn("resp_1", "item_a1", "a reply long enough to be checked"))
        await c.expect("session.update", timeout=20)  # the test's marker: the guardrail has been answered
        await c.close(1000)

    async def on_event(session: RealtimeSession, event: Any) -> None:
        if event.type == "agent_end":
            gate.set()
            for _ in range(1000):  # the guardrail's thread answers right after the gate opens
                if verdicts:
                    break
                await asyncio.sleep(0.01)
            await session.update_agent(session.current_agent)

    await run_scripted(script, RealtimeAgent(name="A", output_guardrails=[slow_check]), on_event=on_event,
                       timeout=30)
    assert verdicts and all(verdicts)
