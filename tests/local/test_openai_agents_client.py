"""The openai-agents package's realtime client, unchanged, against the local engine over a real WebSocket:
text turn, spoken turn, tool call, handoff and interruption complete with no error events."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from realtime_cli.local.server import LocalRealtimeServer
from realtime_cli.local.tts import Synthesizer

agents_realtime = pytest.importorskip("agents.realtime", reason="openai-agents is a test dependency")
from agents import function_tool  # noqa: E402
from agents.realtime import RealtimeAgent, RealtimeRunner, realtime_handoff  # noqa: E402


@function_tool
def get_weather(city: str) -> str:
    """Get current weather for a city."""
    return f"The weather in {city} is sunny and 22 degrees."


async def _run(agent: Any, drive: Any, until: Any, settings: dict[str, Any] | None = None,
               timeout: float = 20.0) -> list[Any]:
    events: list[Any] = []
    async with LocalRealtimeServer() as server:
        runner = RealtimeRunner(agent, config={"model_settings": settings or {}})
        session = await runner.run(model_config={"url": server.url + "?model=gpt-realtime", "api_key": "x"})
        async with session:
            driver = asyncio.create_task(drive(session))

            async def consume() -> None:
                async for event in session:
                    events.append(event)
                    if until(events):
                        return

            await asyncio.wait_for(consume(), timeout)
            await driver
    errors = [e for e in events if e.type == "error"]
    assert not errors, errors
    return events


def _transcripts(events: list[Any]) -> list[str]:
    out = []
    for e in events:
        if e.type == "raw_model_event" and getattr(e.data, "type", "") == "raw_server_event":
            raw = e.data.data
            if raw.get("type") == "response.output_audio_transcript.done":
                out.append(raw["transcript"])
    return out


def _count(events: list[Any], kind: str) -> int:
    return sum(1 for e in events if e.type == kind)


async def test_text_turn() -> None:
    agent = RealtimeAgent(name="Assistant", instructions="You are a friendly assistant.")
    events = await _run(agent, lambda s: s.send_message("Hello there!"),
                        lambda ev: _count(ev, "agent_end") >= 1)
    assert _count(events, "audio") > 0 and _transcripts(events)


async def test_tool_call() -> None:
    agent = RealtimeAgent(name="Assistant", instructions="You help with weather.", tools=[get_weather])
    events = await _run(agent, lambda s: s.send_message("What's the weather in Paris?"),
                        lambda ev: _count(ev, "tool_end") >= 1 and _count(ev, "agent_end") >= 2)
    assert any("sunny" in t.lower() for t in _transcripts(events))


async def test_handoff() -> None:
    billing = RealtimeAgent(name="Billing Support", instructions="You specialize in billing and payment issues.")
    main = RealtimeAgent(name="Customer Service", instructions="Hand off to specialists when needed.",
                         handoffs=[realtime_handoff(billing, tool_description_override="Transfer to billing support")])
    events = await _run(main, lambda s: s.send_message("I have a question about my bill, transfer me to billing"),
                        lambda ev: _count(ev, "handoff") >= 1 and _count(ev, "agent_end") >= 2)
    handoff = next(e for e in events if e.type == "handoff")
    assert handoff.to_agent.name == "Billing Support"


async def test_spoken_turn() -> None:
    voice = Synthesizer("alloy").synthesize("what is the weather in paris", 24000)
    audio = np.concatenate([np.zeros(7200, np.int16), voice, np.zeros(24000 * 2, np.int16)]).astype("<i2")

    async def drive(session: Any) -> None:
        data = audio.tobytes()
        for start in range(0, len(data), 4800):
            await session.send_audio(data[start:start + 4800])

    agent = RealtimeAgent(name="Assistant", instructions="You help with weather.", tools=[get_weather])
    settings = {"turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
                "input_audio_transcription": {"model": "whisper-1"}}
    events = await _run(agent, drive, lambda ev: _count(ev, "tool_end") >= 1, settings)
    tool = next(e for e in events if e.type == "tool_end")
    assert "paris" in tool.output.lower()


async def test_interruption() -> None:
    async def drive(session: Any) -> None:
        await session.send_message("Please tell me a long story in detail")

    interrupted: list[bool] = []

    def until(events: list[Any]) -> bool:
        if _count(events, "audio") == 3 and not interrupted:
            interrupted.append(True)
            asyncio.get_running_loop().create_task(session_ref[0].interrupt())
        return bool(interrupted) and _count(events, "agent_end") >= 1

    session_ref: list[Any] = []
    agent = RealtimeAgent(name="Assistant", instructions="You tell stories.")

    async def capture(session: Any) -> None:
        session_ref.append(session)
        await drive(session)

    events = await _run(agent, capture, until)
    assert _count(events, "audio_interrupted") >= 1
