"""A custom model with the Agents SDK's typed contract, here `realtime_cli.testing.ScriptedRealtimeModel`, drives
our session: typed sends out, typed model events in, each surfaced as a raw_model_event."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from realtime_cli import (
    AssistantAudio,
    AssistantMessageItem,
    RealtimeAgent,
    RealtimeModelAudioDoneEvent,
    RealtimeModelAudioEvent,
    RealtimeModelItemUpdatedEvent,
    RealtimeModelSendToolOutput,
    RealtimeModelSendUserInput,
    RealtimeModelToolCallEvent,
    RealtimeModelTranscriptDeltaEvent,
    RealtimeModelTurnEndedEvent,
    RealtimeModelTurnStartedEvent,
    RealtimeModelUsageEvent,
    RealtimeRunner,
    RealtimeToolCallItem,
    Usage,
    function_tool,
)
from realtime_cli.testing import (
    RealtimeStep,
    ScriptedRealtimeModel,
    UnconsumedRealtimeSteps,
    UnexpectedRealtimeSend,
)

PCM = b"\x01\x00" * 2400  # 100 ms


async def _collect_until(session: Any, done: Any) -> list[Any]:
    events: list[Any] = []

    async def loop() -> None:
        async for event in session:
            events.append(event)
            if done(events):
                return

    await asyncio.wait_for(loop(), 10)
    return events


def _reply(response_id: str, item_id: str, text: str) -> list[Any]:
    item = AssistantMessageItem(item_id=item_id, status="in_progress", content=[AssistantAudio()])
    return [RealtimeModelTurnStartedEvent(response_id=response_id), RealtimeModelItemUpdatedEvent(item=item),
            RealtimeModelTranscriptDeltaEvent(item_id=item_id, delta=text, response_id=response_id),
            RealtimeModelAudioEvent(data=PCM, response_id=response_id, item_id=item_id, content_index=0),
            RealtimeModelAudioDoneEvent(item_id=item_id, content_index=0),
            RealtimeModelUsageEvent(usage=Usage(requests=1, input_tokens=10, output_tokens=5, total_tokens=15)),
            RealtimeModelTurnEndedEvent(response_id=response_id)]


async def test_a_text_turn_through_a_scripted_model() -> None:
    model = ScriptedRealtimeModel([RealtimeStep(expect=RealtimeModelSendUserInput(user_input="hi"),
                                                emit=_reply("r1", "a1", "Hello there"))])
    agent = RealtimeAgent(name="A", instructions="Be brief.")
    session = await RealtimeRunner(agent, model=model).run()
    async with session:
        await session.send_message("hi")
        events = await _collect_until(session, lambda ev: ev[-1].type == "agent_end")
    model.assert_complete()
    settings = model.connect_calls[0]["initial_model_settings"]
    assert settings["instructions"] == "Be brief." and settings["tools"] == [] and settings["handoffs"] == []
    raw = [e.data.type for e in events if e.type == "raw_model_event"]
    assert raw == ["turn_started", "item_updated", "transcript_delta", "audio", "audio_done", "usage", "turn_ended"]
    audio = next(e for e in events if e.type == "audio")
    assert (audio.audio.data, audio.item_id, audio.audio.item_id, audio.content_index) == (PCM, "a1", "a1", 0)
    assert [e.type for e in events if e.type in ("agent_start", "audio_end", "agent_end")] == \
        ["agent_start", "audio_end", "agent_end"]
    assert session.history[-1].text == "Hello there"
    assert session.context_wrapper.usage.total_tokens == 15


async def test_a_tool_call_answers_with_one_tool_output_send() -> None:
    @function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"Sunny in {city}"

    call = RealtimeModelToolCallEvent(name="get_weather", call_id="c1", arguments='{"city": "Paris"}', id="f1")
    steps = [
        RealtimeStep(expect=RealtimeModelSendUserInput,
                     emit=[RealtimeModelTurnStartedEvent(response_id="r1"), call,
                           RealtimeModelTurnEndedEvent(response_id="r1")]),
        RealtimeStep(expect=lambda e: isinstance(e, RealtimeModelSendToolOutput) and e.start_response
                     and e.output == "Sunny in Paris" and e.tool_call.call_id == "c1",
                     emit=[RealtimeModelItemUpdatedEvent(item=RealtimeToolCallItem(  # as the reference's model does
                         item_id="f1", call_id="c1", status="completed", arguments='{"city": "Paris"}',
                         name="get_weather", output="Sunny in Paris")), *_reply("r2", "a2", "It is sunny.")]),
    ]
    model = ScriptedRealtimeModel(steps)
    session = await RealtimeRunner(RealtimeAgent(name="A", tools=[get_weather]), model=model).run()
    async with session:
        await session.send_message("weather in Paris?")
        events = await _collect_until(session, lambda ev: sum(e.type == "agent_end" for e in ev) == 2)
    model.assert_complete()
    assert model.connect_calls[0]["initial_model_settings"]["tools"] == [get_weather]
    ends = [e for e in events if e.type == "tool_end"]
    assert len(ends) == 1 and ends[0].output == "Sunny in Paris"
    call_item = next(i for i in session.history if i.type == "function_call")
    assert (call_item.output, call_item.status) == ("Sunny in Paris", "completed")


async def test_an_unexpected_send_fails_loudly_and_unconsumed_steps_are_reported() -> None:
    model = ScriptedRealtimeModel([RealtimeStep(expect=RealtimeModelSendToolOutput)])
    session = await RealtimeRunner(RealtimeAgent(name="A"), model=model).run()
    async with session:
        with pytest.raises(UnexpectedRealtimeSend) as info:
            await session.send_message("hi")
        assert isinstance(info.value.actual, RealtimeModelSendUserInput)
    with pytest.raises(UnconsumedRealtimeSteps) as left:
        model.assert_complete()
    assert left.value.remaining_steps == 1


async def test_update_agent_sends_the_new_agents_settings() -> None:
    from realtime_cli import RealtimeModelSendSessionUpdate

    def is_update(e: Any) -> bool:
        return isinstance(e, RealtimeModelSendSessionUpdate) and e.session_settings["instructions"] == "Be B."

    model = ScriptedRealtimeModel([RealtimeStep(expect=is_update)])
    session = await RealtimeRunner(RealtimeAgent(name="A", instructions="Be A."), model=model).run()
    async with session:
        await session.update_agent(RealtimeAgent(name="B", instructions="Be B."))
    model.assert_complete()
    assert model.sent_events[0].session_settings["tools"] == []  # type: ignore[union-attr]
