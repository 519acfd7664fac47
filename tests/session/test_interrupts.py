"""Interrupts, truncation, late deltas, handoffs and guardrails against a scripted WebSocket server."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np

from realtime_cli import (
    GuardrailFunctionOutput,
    RealtimeAgent,
    RealtimePlaybackTracker,
    function_tool,
    output_guardrail,
    realtime_handoff,
)
from support.harness import of_type, run_scripted, types
from support.scripted_server import ScriptedConnection
from support.server_events import Events

E = Events("ga")
PCM_1S = (np.sin(np.arange(24000) / 5) * 8000).astype("<i2").tobytes()


async def test_interrupt_truncates_at_played_ms_and_cancels() -> None:
    tracker = RealtimePlaybackTracker()

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(E.response_created("resp_1"), E.output_item_added("resp_1", "item_a"),
                     E.audio_delta("resp_1", "item_a", PCM_1S))
        cancel = await c.expect("response.cancel")
        truncate = await c.expect("conversation.item.truncate")
        assert cancel["response_id"] == "resp_1"
        assert truncate["item_id"] == "item_a" and truncate["content_index"] == 0
        assert truncate["audio_end_ms"] == 250
        # late deltas of the cancelled response must never surface
        await c.send(E.audio_delta("resp_1", "item_a", PCM_1S), E.transcript_delta("resp_1", "item_a", "late"))
        await c.send(E.response_done("resp_1", "cancelled", "client_cancelled"))
        await c.close()

    async def on_event(session: Any, event: Any) -> None:
        if event.type == "audio":
            tracker.on_play_ms(event.item_id, event.content_index, 250)
            await session.interrupt()

    events, _ = await run_scripted(script, RealtimeAgent(name="A"), on_event=on_event,
                                   model_config={"playback_tracker": tracker})
    assert len(of_type(events, "audio")) == 1
    assert not of_type(events, "response.output_audio_transcript.delta")
    assert of_type(events, "audio_interrupted")[0].item_id == "item_a"


async def test_truncate_is_clamped_to_received_audio() -> None:
    tracker = RealtimePlaybackTracker()

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(E.response_created("resp_1"), E.audio_delta("resp_1", "item_a", PCM_1S[:4800]))  # 100 ms
        truncate = await c.expect("conversation.item.truncate")
        assert truncate["audio_end_ms"] == 100  # played 5000 ms by the tracker's count, only 100 received
        await c.close()

    async def on_event(session: Any, event: Any) -> None:
        if event.type == "audio":
            tracker.on_play_ms(event.item_id, 0, 5000)
            await session.interrupt()

    await run_scripted(script, RealtimeAgent(name="A"), on_event=on_event, model_config={"playback_tracker": tracker})


async def test_interrupt_before_any_audio_cancels_without_truncate() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(E.response_created("resp_1"))
        await c.expect("response.cancel")
        await c.send(E.response_done("resp_1", "cancelled", "client_cancelled"))
        await c.expect("session.update")  # sync point: the client's marker, sent after its interrupt() returned
        assert "conversation.item.truncate" not in c.sent_types()
        await c.close()

    async def on_event(session: Any, event: Any) -> None:
        if event.type == "agent_start":
            await session.interrupt()
            await session.update_agent(session.current_agent)  # the marker: anything interrupt sent precedes it

    events, _ = await run_scripted(script, RealtimeAgent(name="A"), on_event=on_event)
    assert of_type(events, "audio_interrupted")


async def test_server_vad_barge_in_truncates_without_cancel() -> None:
    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(E.response_created("resp_1"), E.audio_delta("resp_1", "item_a", PCM_1S))
        await asyncio.sleep(0.05)
        await c.send(E.speech_started("item_u"))
        truncate = await c.expect("conversation.item.truncate")
        assert 0 <= truncate["audio_end_ms"] <= 1000  # wall-clock fallback: what played since arrival, clamped
        # a cancel would have been sent before the truncate (same call), so its absence now is final
        assert "response.cancel" not in c.sent_types()  # the service cancels it itself
        await c.send(E.response_done("resp_1", "cancelled", "turn_detected"))
        await c.close()

    events, _ = await run_scripted(script, RealtimeAgent(name="A"))
    assert "audio_interrupted" in types(events)


billing = RealtimeAgent(name="Billing Support", instructions="You specialize in billing.")
technical = RealtimeAgent(name="Technical Support", instructions="You handle technical troubleshooting.")


async def test_handoff_updates_session_before_output_and_keeps_voice() -> None:
    handed: list[str] = []
    main = RealtimeAgent(
        name="Customer Service", instructions="Main.", voice="alloy",
        handoffs=[realtime_handoff(billing, tool_description="Transfer to billing support",
                                   on_handoff=lambda ctx: handed.append("billing")), technical],
    )

    async def script(c: ScriptedConnection) -> None:
        first = await c.expect("session.update")
        names = [t["name"] for t in first["session"]["tools"]]
        assert names == ["transfer_to_billing_support", "transfer_to_technical_support"]
        assert first["session"]["tools"][0]["description"] == "Transfer to billing support"
        await c.send(*E.assistant_turn("resp_0", "item_0", "hello", PCM_1S[:480]))
        await c.send(E.response_created("resp_1"),
                     E.function_call("resp_1", "fc_1", "call_1", "transfer_to_billing_support", "{}"),
                     E.response_done("resp_1"))
        update = await c.expect("session.update")
        output = await c.expect("conversation.item.create")
        await c.expect("response.create")
        sent = c.sent_types()
        assert sent.index("session.update", 1) < sent.index("conversation.item.create")
        assert update["session"]["instructions"] == "You specialize in billing."
        assert update["session"]["audio"]["output"]["voice"] == "alloy"
        assert update["session"]["audio"]["output"]["format"] == {"type": "audio/pcm", "rate": 24000}
        assert output["item"]["output"] == '{"assistant": "Billing Support"}'
        await c.close()

    events, _ = await run_scripted(script, main)
    handoff = of_type(events, "handoff")[0]
    assert handoff.from_agent.name == "Customer Service" and handoff.to_agent.name == "Billing Support"
    assert handed == ["billing"]


@output_guardrail
def no_refunds(ctx: Any, agent: Any, text: str) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(output_info={"found": "refund" in text}, tripwire_triggered="refund" in text)


async def test_guardrail_trips_mid_response_at_debounce_threshold() -> None:
    filler = "We can certainly look at your account today. "
    long_text = filler * 3 + "I will issue a refund now. " + filler * 2

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(E.response_created("resp_1"), E.output_item_added("resp_1", "item_a"),
                     E.audio_delta("resp_1", "item_a", PCM_1S))
        for i in range(0, len(long_text), 10):
            await c.send(E.transcript_delta("resp_1", "item_a", long_text[i:i + 10]))
        await c.expect("response.cancel")
        message = await c.expect("conversation.item.create")
        assert message["item"]["content"][0]["text"] == "guardrail triggered: no_refunds"
        await c.send(E.response_done("resp_1", "cancelled", "client_cancelled"))
        await c.expect("response.create")
        await c.close()

    events, _ = await run_scripted(script, RealtimeAgent(name="A", output_guardrails=[no_refunds]),
                                   config={"guardrails_settings": {"debounce_text_length": 50}})
    tripped = of_type(events, "guardrail_tripped")
    assert len(tripped) == 1 and "refund" in tripped[0].message
    assert tripped[0].guardrail_results[0].guardrail.get_name() == "no_refunds"
    assert "audio_interrupted" in types(events)


async def test_guardrail_checks_a_short_final_reply() -> None:
    """The reference SDK never checks replies under 100 characters; we check every final text."""

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(*E.assistant_turn("resp_1", "item_a", "Sure, a refund.", PCM_1S[:9600]))
        message = await c.expect("conversation.item.create")
        assert "guardrail triggered" in message["item"]["content"][0]["text"]
        await c.close()

    events, _ = await run_scripted(script, RealtimeAgent(name="A"), config={"output_guardrails": [no_refunds]})
    assert len(of_type(events, "guardrail_tripped")) == 1


async def test_tool_with_context_parameter_gets_run_context() -> None:
    from realtime_cli import RunContextWrapper

    @function_tool
    def whoami(ctx: RunContextWrapper[dict[str, str]]) -> str:
        """Who is calling."""
        return ctx.context["user"]

    async def script(c: ScriptedConnection) -> None:
        update = await c.expect("session.update")
        assert update["session"]["tools"][0]["parameters"]["properties"] == {}
        await c.send(E.response_created("r"), E.function_call("r", "fc", "call_9", "whoami", "{}"), E.response_done("r"))
        output = await c.expect("conversation.item.create")
        assert output["item"]["output"] == "ada"
        await c.close()

    agent = RealtimeAgent(name="A", tools=[whoami])
    from realtime_cli import RealtimeRunner
    from support.scripted_server import ScriptedServer

    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(agent).run(context={"user": "ada"},
                                                   model_config={"url": server.url, "api_key": "k"})
        async with session:
            async for _ in session:
                pass
    server.check()


async def test_history_keeps_the_heard_part_of_an_interrupted_reply() -> None:
    """Interrupted after 250 of 1000 ms: the history item keeps the first quarter of the transcript, marked
    incomplete, even when the cancelled response's final transcript arrives afterwards."""
    tracker = RealtimePlaybackTracker()
    said = "one two three four five six seven eight nine ten eleven twelve"

    async def script(c: ScriptedConnection) -> None:
        await c.expect("session.update")
        await c.send(E.response_created("resp_1"), E.output_item_added("resp_1", "item_a"),
                     E.transcript_delta("resp_1", "item_a", said), E.audio_delta("resp_1", "item_a", PCM_1S))
        await c.expect("conversation.item.truncate")
        await c.send(E.transcript_done("resp_1", "item_a", said),
                     E.output_item_done("resp_1", {**E.assistant_item("item_a"), "status": "incomplete"}),
                     E.response_done("resp_1", "cancelled", "client_cancelled"))
        await c.close()

    history: list[Any] = []

    async def on_event(session: Any, event: Any) -> None:
        if event.type == "audio":
            tracker.on_play_ms(event.item_id, event.content_index, 250)
            await session.interrupt()
        if event.type == "agent_end" or (getattr(event, "kind", "") == "response.done"):
            history[:] = list(session.history)

    await run_scripted(script, RealtimeAgent(name="A"), on_event=on_event, model_config={"playback_tracker": tracker})
    item = next(i for i in history if i.item_id == "item_a")
    assert item.text == "one two three" and item.status == "incomplete"  # "four" was cut mid-word
