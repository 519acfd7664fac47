"""Our own SDK against the local engine over a real WebSocket, in both dialects, and the seed's Complete
example running offline with RTAGENT_BACKEND=local and no API key."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from realtime_cli import RealtimeAgent, RealtimeRunner, function_tool, realtime_handoff
from realtime_cli.local.server import LocalRealtimeServer
from realtime_cli.local.tts import Synthesizer
from support import conformance

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@function_tool
def get_weather(city: str) -> str:
    """Get current weather for a city."""
    return f"The weather in {city} is sunny and 22 degrees."


billing = RealtimeAgent(name="Billing Support", instructions="You specialize in billing and payment issues.")
main_agent = RealtimeAgent(
    name="Customer Service", instructions="You are the main customer service agent.", tools=[get_weather],
    handoffs=[realtime_handoff(billing, tool_description="Transfer to billing support")])


def _settings(dialect: str, **extra: Any) -> dict[str, Any]:
    model = "gpt-4o-realtime-preview" if dialect == "beta" else "gpt-realtime"
    return {"model_settings": {"model_name": model, "voice": "alloy", "modalities": ["text", "audio"],
                               "turn_detection": None, **extra}}


async def _converse(dialect: str, drive: Any, until: Any, **extra: Any) -> list[Any]:
    events: list[Any] = []
    async with LocalRealtimeServer() as server:
        session = await RealtimeRunner(main_agent, config=_settings(dialect, **extra)).run(
            model_config={"url": server.url, "api_key": "local"})
        validator = _Validator(dialect)
        session.model.add_listener(validator)
        async with session:
            task = asyncio.create_task(drive(session))

            async def consume() -> None:
                async for event in session:
                    events.append(event)
                    if until(events):
                        return

            await asyncio.wait_for(consume(), 30)
            await task
    assert not [e for e in events if e.type == "error"], [e.error for e in events if e.type == "error"]
    assert validator.count > 10 and not validator.problems, validator.problems[:3]
    return events


class _Validator:
    """A model listener checking every server event against openai's union for the dialect."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.count = 0
        self.problems: list[str] = []

    async def on_event(self, event: Any) -> None:
        if event.type == "connection":
            return
        self.count += 1
        try:
            conformance.validate("server", self.dialect, event.data)
        except Exception as exc:
            self.problems.append(f"{event.type}: {exc}")


def _n(events: list[Any], kind: str) -> int:
    return sum(1 for e in events if e.type == kind)


def _assistant_said(events: list[Any]) -> list[str]:
    return [e.transcript for e in events if getattr(e, "kind", "") == "response.output_audio_transcript.done"]


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_text_turn_tool_call_and_handoff(dialect: str) -> None:
    async def drive(session: Any) -> None:
        await session.send_message("What's the weather in Paris?")
        while _n(events_ref, "agent_end") < 2:
            await asyncio.sleep(0.02)
        await session.send_message("I have a question about my bill")

    events_ref: list[Any] = []

    def until(events: list[Any]) -> bool:
        events_ref[:] = events
        return _n(events, "handoff") >= 1 and _n(events, "agent_end") >= 4

    events = await _converse(dialect, drive, until)
    assert any("sunny" in t.lower() for t in _assistant_said(events))
    assert next(e for e in events if e.type == "tool_end").output.startswith("The weather in Paris")
    assert next(e for e in events if e.type == "handoff").to_agent.name == "Billing Support"
    assert _n(events, "audio") > 0


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_push_to_talk_audio_turn(dialect: str) -> None:
    speech = Synthesizer("alloy").synthesize("what is the weather in london", 24000)
    audio = np.concatenate([np.zeros(4800, np.int16), speech, np.zeros(4800, np.int16)]).astype("<i2").tobytes()

    async def drive(session: Any) -> None:
        for start in range(0, len(audio), 9600):
            await session.send_audio(audio[start:start + 9600])
        await session.send_audio(b"", commit=True)  # manual turns: commit + response

    events = await _converse(dialect, drive, lambda ev: _n(ev, "tool_end") >= 1,
                             input_audio_transcription={"model": "whisper-1"})
    assert "london" in next(e for e in events if e.type == "tool_end").output.lower()
    heard = [e.transcript for e in events
             if getattr(e, "kind", "") == "conversation.item.input_audio_transcription.completed"]
    assert heard and "weather" in heard[0]


async def test_interrupt_truncates_on_the_engine() -> None:
    async def drive(session: Any) -> None:
        await session.send_message("Please tell me a long story in detail")

    interrupted: list[Any] = []

    def until(events: list[Any]) -> bool:
        if _n(events, "audio") == 2 and not interrupted:
            interrupted.append(asyncio.get_running_loop().create_task(holder[0].interrupt()))
        return bool(interrupted) and any(getattr(e, "kind", "") == "conversation.item.truncated" for e in events)

    holder: list[Any] = []

    async def capture(session: Any) -> None:
        holder.append(session)
        await drive(session)

    events = await _converse("ga", capture, until)
    done = [e for e in events if getattr(e, "kind", "") == "response.done"]
    assert done and done[0].response["status"] == "cancelled"
    assert _n(events, "audio_interrupted") == 1


async def test_seed_complete_example_runs_offline() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env.update(RTAGENT_BACKEND="local", RTAGENT_LOCAL_GREET_MS="300")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / "complete.py"), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        async def read_until_assistant() -> None:
            while True:
                line = (await proc.stdout.readline()).decode()  # type: ignore[union-attr]
                if not line:
                    return
                lines.append(line)
                if line.startswith("Assistant:"):
                    return

        await asyncio.wait_for(read_until_assistant(), 60)
    finally:
        proc.kill()
        await proc.wait()
    assert lines[0].startswith("Session started!")
    assert lines[-1].startswith("Assistant: ") and len(lines[-1]) > 20
