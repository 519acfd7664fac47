"""function_tool's reference options (is_enabled, failure_error_function, timeout), handoff is_enabled callables,
and usage accounting from response.done: over the scripted server and ScriptedRealtimeModel."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pydantic
import pytest

from realtime_cli import (
    ConfigError,
    ModelBehaviorError,
    RealtimeAgent,
    RealtimeAgentHooks,
    RealtimeModelSendUserInput,
    RealtimeRunner,
    RunContextWrapper,
    UserError,
    function_tool,
    realtime_handoff,
)
from realtime_cli.session.tool import ToolTimeoutError
from realtime_cli.testing import RealtimeStep, ScriptedRealtimeModel
from support.harness import of_type, run_scripted
from support.scripted_server import ScriptedConnection
from support.server_events import Events

E = Events("ga")


def _admin_only(ctx: RunContextWrapper[Any], agent: RealtimeAgent[Any]) -> bool:
    return bool(ctx.context and ctx.context.get("admin"))


async def _async_never(ctx: RunContextWrapper[Any], agent: RealtimeAgent[Any]) -> bool:
    return False


@function_tool(is_enabled=_admin_only)
def delete_user(name: str) -> str:
    """Delete a user."""
    return f"deleted {name}"


@function_tool
def lookup(name: str) -> str:
    """Look a user up."""
    return name


async def _initial_settings(agent: RealtimeAgent[Any], context: Any) -> dict[str, Any]:
    model = ScriptedRealtimeModel([RealtimeStep(expect=RealtimeModelSendUserInput)])
    session = await RealtimeRunner(agent, model=model).run(context=context)
    async with session:
        await session.send_message("hi")
    return model.connect_calls[0]["initial_model_settings"]


@pytest.mark.parametrize(("context", "visible"), [({"admin": True}, ["delete_user", "lookup"]), ({}, ["lookup"])])
async def test_is_enabled_decides_which_tools_the_model_sees(context: dict[str, Any], visible: list[str]) -> None:
    billing = RealtimeAgent(name="Billing")
    agent = RealtimeAgent(name="Main", tools=[delete_user, lookup],
                          handoffs=[realtime_handoff(billing, is_enabled=_async_never), RealtimeAgent(name="Tech")])
    settings = await _initial_settings(agent, context)
    assert [t.name for t in settings["tools"]] == visible
    assert [h.tool_name for h in settings["handoffs"]] == ["transfer_to_tech"]  # the async False hides billing


async def test_disabled_handoffs_are_left_out_of_the_wire_session_update() -> None:
    async def script(c: ScriptedConnection) -> None:
        update = await c.expect("session.update")
        assert [t["name"] for t in update["session"]["tools"]] == ["lookup", "transfer_to_tech"]
        await c.close()

    agent = RealtimeAgent(name="Main", tools=[delete_user, lookup],
                          handoffs=[realtime_handoff(RealtimeAgent(name="Billing"), is_enabled=False),
                                    RealtimeAgent(name="Tech")])
    await run_scripted(script, agent)


async def test_failure_error_function_turns_an_exception_into_the_output() -> None:
    def explain(ctx: RunContextWrapper[Any], error: Exception) -> str:
        return f"could not: {error}"

    @function_tool(failure_error_function=explain)
    def fragile(x: int) -> str:
        """Always fails."""
        raise RuntimeError("backend down")

    @function_tool(failure_error_function=None)
    def raw(x: int) -> str:
        """Always fails."""
        raise RuntimeError("backend down")

    ctx = RunContextWrapper(None)
    assert await fragile.on_invoke_tool(ctx, '{"x": 1}') == "could not: backend down"
    with pytest.raises(RuntimeError, match="backend down"):
        await raw.on_invoke_tool(ctx, '{"x": 1}')


async def test_timeout_gives_the_model_a_message_or_raises() -> None:
    never = asyncio.Event()

    @function_tool(timeout=0.05)
    async def slow() -> str:
        """Waits forever."""
        await never.wait()
        return "done"

    @function_tool(timeout=0.05, timeout_behavior="raise_exception")
    async def slow_raising() -> str:
        """Waits forever."""
        await never.wait()
        return "done"

    ctx = RunContextWrapper(None)
    assert await slow.on_invoke_tool(ctx, "{}") == "An error occurred while running the tool slow: it did not " \
        "finish within 0.05 s"
    with pytest.raises(ToolTimeoutError):
        await slow_raising.on_invoke_tool(ctx, "{}")
    with pytest.raises(ValueError, match="positive"):
        function_tool(timeout=-1)


async def test_usage_from_response_done_adds_up_in_the_context() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.expect("conversation.item.create")
        await c.expect("response.create")
        await c.send(*E.assistant_turn("resp_1", "item_a", "Hello"))
        await c.close()

    holder: list[Any] = []

    async def talk(session: Any) -> None:
        holder.append(session)
        await session.send_message("hi")

    await run_scripted(script, RealtimeAgent(name="A"), action=talk)
    usage = holder[0].context_wrapper.usage
    assert (usage.requests, usage.input_tokens, usage.output_tokens, usage.total_tokens) == (1, 4, 6, 10)
    assert len(usage.request_usage_entries) == 1


async def test_reject_with_a_message_answers_the_call_with_it_and_ends_the_tool() -> None:
    @function_tool(needs_approval=True)
    def refund(order: str) -> str:
        """Refund an order."""
        return "refunded"

    outputs: list[dict[str, Any]] = []

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(E.response_created("resp_1"), E.function_call("resp_1", "fc_1", "call_1", "refund",
                                                                   '{"order": "A1"}'), E.response_done("resp_1"))
        outputs.append((await c.expect("conversation.item.create"))["item"])
        await c.expect("response.create")
        await c.close()

    async def on_event(session: Any, event: Any) -> None:
        if event.type == "tool_approval_required":
            await session.reject_tool_call(event.call_id, rejection_message="Refunds need a manager.")

    events, _ = await run_scripted(script, RealtimeAgent(name="A", tools=[refund]), on_event=on_event)
    assert outputs[0]["output"] == "Refunds need a manager."
    assert [e.output for e in events if e.type == "tool_end"] == ["Refunds need a manager."]


class _RecordingHooks(RealtimeAgentHooks):
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def on_start(self, context: Any, agent: Any) -> None:
        self.calls.append("on_start")

    async def on_end(self, context: Any, agent: Any, output: Any) -> None:
        self.calls.append("on_end")

    async def on_handoff(self, context: Any, agent: Any, source: Any) -> None:
        self.calls.append("on_handoff")

    async def on_tool_start(self, context: Any, agent: Any, tool: Any) -> None:
        self.calls.append("on_tool_start")

    async def on_tool_end(self, context: Any, agent: Any, tool: Any, result: str) -> None:
        self.calls.append("on_tool_end")


async def test_input_filter_and_agent_hooks_are_accepted_and_not_called_as_in_the_reference() -> None:
    """The reference's realtime session applies no handoff input_filter (its realtime_handoff sets none) and calls
    no agent hooks; ours does the same (docs/sdk.md), and the tool call and handoff go through regardless."""
    filtered: list[Any] = []
    hooks = _RecordingHooks()
    billing = RealtimeAgent(name="Billing", instructions="Billing.", hooks=hooks)
    to_billing = dataclasses.replace(realtime_handoff(billing), input_filter=lambda data: filtered.append(data))
    main = RealtimeAgent(name="Main", tools=[lookup], handoffs=[to_billing], hooks=hooks)

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(E.response_created("resp_1"), E.function_call("resp_1", "fc_1", "call_1", "lookup", '{"name": "x"}'),
                     E.response_done("resp_1"))
        assert (await c.expect("conversation.item.create"))["item"]["output"] == "x"
        await c.expect("response.create")
        await c.send(E.response_created("resp_2"),
                     E.function_call("resp_2", "fc_2", "call_2", "transfer_to_billing", "{}"), E.response_done("resp_2"))
        await c.expect("session.update")
        assert (await c.expect("conversation.item.create"))["item"]["output"] == '{"assistant": "Billing"}'
        await c.expect("response.create")
        await c.close()

    events, _ = await run_scripted(script, main)
    assert [e.to_agent.name for e in events if e.type == "handoff"] == ["Billing"]
    assert filtered == [] and hooks.calls == []


class Escalation(pydantic.BaseModel):
    reason: str
    priority: int = 1


def test_a_handoff_with_input_type_has_a_strict_schema_and_checks_its_callback() -> None:
    handoff = realtime_handoff(RealtimeAgent(name="Billing"), on_handoff=lambda ctx, data: None,
                               input_type=Escalation)
    schema = handoff.input_json_schema
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["reason", "priority"]  # strict: every property is required
    assert realtime_handoff(RealtimeAgent(name="B")).input_json_schema == {
        "type": "object", "properties": {}, "required": [], "additionalProperties": False}
    with pytest.raises(UserError, match="two arguments: context and input"):
        realtime_handoff(RealtimeAgent(name="B"), on_handoff=lambda ctx: None, input_type=Escalation)
    with pytest.raises(UserError, match="one argument: context"):
        realtime_handoff(RealtimeAgent(name="B"), on_handoff=lambda ctx, data: None)
    with pytest.raises(UserError, match="needs an on_handoff"):
        realtime_handoff(RealtimeAgent(name="B"), input_type=Escalation)


class Address(pydantic.BaseModel):
    city: str
    zip: str | None = None


class Move(pydantic.BaseModel):
    to: Address
    stops: list[Address] = []


def test_nested_objects_become_strict_too() -> None:
    schema = realtime_handoff(RealtimeAgent(name="B"), on_handoff=lambda ctx, m: None,
                              input_type=Move).input_json_schema
    address = schema["$defs"]["Address"]
    assert address["additionalProperties"] is False and address["required"] == ["city", "zip"]
    with pytest.raises(UserError, match="additional properties"):
        realtime_handoff(RealtimeAgent(name="B"), on_handoff=lambda ctx, m: None, input_type=dict[str, int])


async def test_handoff_arguments_are_validated_strictly() -> None:
    received: list[Escalation] = []
    handoff = realtime_handoff(RealtimeAgent(name="Billing"), on_handoff=lambda ctx, data: received.append(data),
                               input_type=Escalation)
    ctx = RunContextWrapper(None)
    agent = await handoff.on_invoke_handoff(ctx, '{"reason": "double charge", "priority": 2}')
    assert agent.name == "Billing" and received == [Escalation(reason="double charge", priority=2)]
    with pytest.raises(ModelBehaviorError, match=r"priority: Input should be a valid integer"):
        await handoff.on_invoke_handoff(ctx, '{"reason": "x", "priority": "2"}')  # no coercion in strict mode
    with pytest.raises(ModelBehaviorError, match="reason: Field required"):
        await handoff.on_invoke_handoff(ctx, "{}")
    with pytest.raises(ModelBehaviorError, match="expected arguments but got none"):
        await handoff.on_invoke_handoff(ctx, None)  # type: ignore[arg-type]
    assert len(received) == 1


async def test_a_handoff_with_bad_arguments_answers_the_call_and_keeps_the_agent() -> None:
    seen: list[Escalation] = []
    billing = RealtimeAgent(name="Billing", instructions="You handle billing.")
    main = RealtimeAgent(name="Main", handoffs=[
        realtime_handoff(billing, on_handoff=lambda ctx, data: seen.append(data),
                         input_type=Escalation)])

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(E.response_created("resp_1"),
                     E.function_call("resp_1", "fc_1", "call_1", "transfer_to_billing", '{"reason": 7}'),
                     E.response_done("resp_1"))
        output = await c.expect("conversation.item.create")
        assert output["item"]["call_id"] == "call_1"
        assert "reason: Input should be a valid string" in output["item"]["output"]
        await c.expect("response.create")
        await c.send(E.response_created("resp_2"),
                     E.function_call("resp_2", "fc_2", "call_2", "transfer_to_billing",
                                     '{"reason": "refund", "priority": 3}'),
                     E.response_done("resp_2"))
        update = await c.expect("session.update")
        assert update["session"]["instructions"] == "You handle billing."
        second = await c.expect("conversation.item.create")
        assert second["item"]["output"] == '{"assistant": "Billing"}'
        await c.close()

    events, _ = await run_scripted(script, main)
    assert [h.to_agent.name for h in of_type(events, "handoff")] == ["Billing"]
    assert seen == [Escalation(reason="refund", priority=3)]


@function_tool
def greet(name: str) -> str:
    """Greet someone."""
    return f"hello {name}"


async def test_initial_model_settings_replace_the_starting_agents_tools_handoffs_and_instructions() -> None:
    tech = RealtimeAgent(name="Tech")
    main = RealtimeAgent(name="Main", instructions="Main's own.", tools=[lookup], handoffs=[tech],
                         prompt={"id": "pmpt_main", "version": "2"})

    async def script(c: ScriptedConnection) -> None:
        first = (await c.expect("session.update"))["session"]
        assert first["instructions"] == "Greeter for this call."
        assert [t["name"] for t in first["tools"]] == ["greet", "transfer_to_billing"]
        assert first["prompt"] == {"id": "pmpt_main", "version": "2"}  # the agent's prompt
        await c.send(E.response_created("resp_1"),  # the replacing tool is the one a call reaches
                     E.function_call("resp_1", "fc_1", "call_1", "greet", '{"name": "Ada"}'),
                     E.response_done("resp_1"))
        output = await c.expect("conversation.item.create")
        assert output["item"]["output"] == "hello Ada"
        await c.expect("response.create")
        second = (await c.expect("session.update"))["session"]  # update_agent: the agent's own from now on
        assert second["instructions"] == "Main's own."
        assert [t["name"] for t in second["tools"]] == ["lookup", "transfer_to_tech"]
        await c.close()

    async def on_event(session: Any, event: Any) -> None:
        if event.type == "tool_end":
            await session.update_agent(main)

    initial = {"instructions": "Greeter for this call.", "tools": [greet],
               "handoffs": [RealtimeAgent(name="Billing"),
                            realtime_handoff(RealtimeAgent(name="Hidden"), is_enabled=False)]}
    events, _ = await run_scripted(script, main, on_event=on_event,
                                   model_config={"initial_model_settings": initial},
                                   config={"model_settings": {"tools": [delete_user]}})  # replaced by the agent's
    assert [e.tool.name for e in of_type(events, "tool_end")] == ["greet"]


def test_settings_tools_and_handoffs_must_be_tools_and_agents() -> None:
    with pytest.raises(ConfigError, match=r"model_settings\.tools.*item 0 is a function, not a function tool"):
        RealtimeRunner(RealtimeAgent(name="A"), config={"model_settings": {"tools": [lambda: None]}})
    with pytest.raises(ConfigError, match=r"model_settings\.handoffs.*item 1 is a str"):
        RealtimeRunner(RealtimeAgent(name="A"), config={"model_settings": {"handoffs": [RealtimeAgent(name="B"), "C"]}})


async def test_a_custom_model_gets_the_replacing_tools_in_connect() -> None:
    model = ScriptedRealtimeModel([RealtimeStep(expect=RealtimeModelSendUserInput)])
    agent = RealtimeAgent(name="Main", tools=[lookup], prompt={"id": "pmpt_1"})
    session = await RealtimeRunner(agent, model=model).run(model_config={"initial_model_settings": {"tools": [greet]}})
    async with session:
        await session.send_message("hi")
    settings = model.connect_calls[0]["initial_model_settings"]
    assert [t.name for t in settings["tools"]] == ["greet"]
    assert settings["prompt"] == {"id": "pmpt_1"}
