"""Fuzzing the session's server-event handling: arbitrary and mutated GA server events fed to `on_event` never
raise or hang, bad payloads surface as `error` session events or are ignored, and a valid turn still works after."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime_cli import RealtimeAgent, RealtimeRunner, RealtimeSession, function_tool
from realtime_cli.protocol.client_events import ClientEvent
from realtime_cli.protocol.server_events import ServerEvent
from realtime_cli.transport.model import RealtimeModel, RealtimeModelConfig, RealtimeModelListener
from support.fuzzing import json_values, mutate
from support.server_events import Events

FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STEP_TIMEOUT = 5.0
E = Events("ga")
PCM = (np.sin(np.arange(1200) / 5) * 8000).astype("<i2").tobytes()  # 50 ms at 24 kHz
FINAL_TEXT = "All good here"


@function_tool
def get_weather(city: str) -> str:
    """Get current weather for a city."""
    return f"The weather in {city} is sunny."


class RecordingModel(RealtimeModel):
    """A model that never connects: it records what the session sends; the test calls `on_event` itself."""

    def __init__(self) -> None:
        self.sent: list[ClientEvent] = []
        self.listeners: list[RealtimeModelListener] = []

    async def connect(self, options: RealtimeModelConfig) -> None:
        return None

    def add_listener(self, listener: RealtimeModelListener) -> None:
        self.listeners.append(listener)

    def remove_listener(self, listener: RealtimeModelListener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    async def send_event(self, event: ClientEvent) -> None:
        self.sent.append(event)

    async def close(self) -> None:
        return None


def _valid_events() -> list[dict[str, Any]]:
    user = {"id": "item_u", "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_audio", "transcript": None}]}
    assistant = dict(E.assistant_item("item_a", "completed"),
                     content=[{"type": "output_audio", "transcript": "Hi there"}])
    return [
        E.session_created(), E.session_updated(audio={"output": {"voice": "coral"}}, instructions="x"),
        E.response_created("resp_1"), E.response_done("resp_1", output=[assistant]),
        E.response_done("resp_1", status="cancelled", reason="turn_detected"),
        E.output_item_added("resp_1", "item_a"), E.output_item_done("resp_1", assistant),
        E.item_added(user, previous=None), E.audio_delta("resp_1", "item_a", PCM), E.audio_done("resp_1", "item_a"),
        E.transcript_delta("resp_1", "item_a", "Hi"), E.transcript_done("resp_1", "item_a", "Hi there"),
        E.text_delta("resp_1", "item_a", "Hi"), E.text_done("resp_1", "item_a", "Hi there"),
        E.function_call("resp_1", "item_f", "call_1", "get_weather", '{"city": "Paris"}'),
        E.speech_started("item_u"), E.committed("item_u"), E.transcription_completed("item_u", "hello"),
        E.error("invalid_value", "Something was wrong.", "evt_1"),
        {"type": "conversation.item.deleted", "event_id": "e1", "item_id": "item_u"},
        {"type": "conversation.item.done", "event_id": "e2", "item": user},
        {"type": "conversation.item.retrieved", "event_id": "e3", "item": assistant},
        {"type": "input_audio_buffer.timeout_triggered", "event_id": "e4", "audio_start_ms": 0,
         "audio_end_ms": 100, "item_id": "item_t"},
        {"type": "response.function_call_arguments.delta", "event_id": "e5", "response_id": "resp_1",
         "item_id": "item_f", "output_index": 0, "call_id": "call_1", "delta": '{"ci'},
        {"type": "rate_limits.updated", "event_id": "e6", "rate_limits": [{"name": "requests", "limit": 1}]},
        {"type": "some.future.event", "event_id": "e7", "payload": {"a": [1, 2]}},
    ]


VALID = _valid_events()
HUGE = st.sampled_from(["x" * 200_000, "é" * 50_000, "\U0001f600" * 20_000, "\x00" * 500])
BAD_B64 = st.sampled_from(["@@@", "A", "AB=", "====", "not base64!", "AAA", "QUFB\nQUFB", "", " ", "éééé",
                           "AQ==", "AQID", "AAAA" * 3 + "*"])  # "AQ==" / "AQID": odd byte counts
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                    st.sampled_from([0, -1, 2**64, "", "0", "resp_1", "item_a", "call_1", "audio", "message",
                                     "function_call", "completed", "in_progress"]))
JSON = json_values(SCALARS)
ODD = st.one_of(SCALARS, JSON, HUGE, BAD_B64, st.just([]), st.just({}), st.just([[{}]]))
KEYS = st.one_of(st.sampled_from(["type", "event_id", "response_id", "item_id", "delta", "transcript", "text",
                                  "item", "response", "session", "error", "content", "content_index", "status",
                                  "output", "call_id", "name", "arguments", "audio", "output_index", "id"]),
                 st.text(max_size=8))


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A valid GA server event with one to four mutations: a key removed, a value made odd, a key inserted."""
    return mutate(draw, draw(st.sampled_from(VALID)), ODD, KEYS, keep_type=True)


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.items.append(f"{context.get('message')}: {context.get('exception')!r}")


async def _drain(session: RealtimeSession) -> list[Any]:
    """Every session event queued so far (and what tool tasks add in the next moment)."""
    out: list[Any] = []
    while True:
        try:
            out.append(await asyncio.wait_for(session.__anext__(), 0.02))
        except (TimeoutError, StopAsyncIteration):
            return out


def _final_turn() -> list[dict[str, Any]]:
    return E.assistant_turn("resp_final_zz", "item_final_zz", FINAL_TEXT, PCM)


async def _play(events: list[dict[str, Any]]) -> tuple[list[Any], RecordingModel]:
    problems = _Problems()
    asyncio.get_running_loop().set_exception_handler(problems.on_loop_error)
    model = RecordingModel()
    agent = RealtimeAgent(name="Fuzz", instructions="You help with weather.", tools=[get_weather])
    session = await RealtimeRunner(agent, model=model).run(model_config={"url": "ws://127.0.0.1:9", "api_key": "x"})
    seen: list[Any] = []
    async with session:
        for data in events:
            await asyncio.wait_for(session.on_event(ServerEvent(data, "ga")), STEP_TIMEOUT)
        seen += await _drain(session)
        for error in (e for e in seen if e.type == "error"):
            assert isinstance(error.error, dict) and isinstance(error.error.get("message", ""), str), error
        # A valid turn still produces its transcript, its audio and its history.
        before = len(seen)
        for data in _final_turn():
            await asyncio.wait_for(session.on_event(ServerEvent(copy.deepcopy(data), "ga")), STEP_TIMEOUT)
        seen += await _drain(session)
        after = seen[before:]
        done = [e for e in after if e.type == "response.output_audio_transcript.done"]
        assert [e.transcript for e in done] == [FINAL_TEXT], [e.type for e in after]
        assert b"".join(e.audio.data for e in after if e.type == "audio") == PCM
    assert not problems.items, problems.items
    return seen, model


def run(coro_fn: Callable[[], Any]) -> Any:
    return asyncio.run(coro_fn())


def fuzz_play(events: list[dict[str, Any]]) -> None:
    run(lambda: _play(events))


# --- property tests ----------------------------------------------------------------------------------------------

@FUZZ
@given(events=st.lists(st.dictionaries(st.text(max_size=10), JSON, max_size=5)
                       | st.builds(lambda t, d: {**d, "type": t}, st.text(max_size=30) | st.sampled_from(
                           [e["type"] for e in VALID]), st.dictionaries(KEYS, JSON, max_size=5)),
                       min_size=1, max_size=4))
def test_arbitrary_server_events_never_break_the_session(events: list[dict[str, Any]]) -> None:
    fuzz_play(events)


@FUZZ
@given(events=st.lists(mutated(), min_size=1, max_size=4))
def test_mutated_server_events_never_break_the_session(events: list[dict[str, Any]]) -> None:
    fuzz_play(events)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_events_inside_a_valid_turn(data: st.DataObject) -> None:
    """Garbage spliced into the middle of a real response: the turn around it still completes."""
    turn = E.assistant_turn("resp_mid", "item_mid", "Sunny in Paris today", PCM, chunks=3)
    position = data.draw(st.integers(0, len(turn)))
    garbage = data.draw(st.lists(mutated(), min_size=1, max_size=3))
    fuzz_play(turn[:position] + garbage + turn[position:])


async def test_bad_audio_deltas_become_error_events() -> None:
    bad = [dict(E.audio_delta("resp_1", "item_a", PCM), delta="@@@"),
           dict(E.audio_delta("resp_1", "item_a", PCM), delta="AQID"),  # 3 bytes: not whole samples
           dict(E.audio_delta("resp_1", "item_a", PCM), delta=None),
           {k: v for k, v in E.audio_delta("resp_1", "item_a", PCM).items() if k != "item_id"}]
    seen, _ = await _play([E.response_created("resp_1"), *bad])
    errors = [e for e in seen if e.type == "error"]
    assert len(errors) >= 3 and all(e.error["code"] == "invalid_audio" for e in errors)
