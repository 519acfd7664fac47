"""Fuzzing the engine's client-event handling: arbitrary JSON and mutated valid events of every client type never
raise or hang, each rejected event gets exactly one well-formed `error`, and the session still answers after."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from realtime_cli.local.engine import EngineSession
from realtime_cli.local.server import LocalRealtimeServer
from realtime_cli.protocol import names
from support.engine_client import RawClient, ga_session
from support.fuzzing import json_values, mutate

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STEP_TIMEOUT = 5.0
PCM = (np.sin(np.arange(2400) / 7) * 6000).astype("<i2").tobytes()  # 100 ms at 24 kHz
AUDIO = base64.b64encode(PCM).decode()
TOOL = {"type": "function", "name": "get_weather", "description": "Get current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
USER_TEXT = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "weather in Paris?"}]}
VALID_UPDATE = {"type": "session.update", "event_id": "evt_final",
                "session": {"type": "realtime", "instructions": "Still here."}}
VALID_UPDATE_BETA = {"type": "session.update", "event_id": "evt_final", "session": {"instructions": "Still here."}}

VALID: dict[str, list[dict[str, Any]]] = {
    "ga": [
        {"type": "session.update", "event_id": "e1", "session": {
            "type": "realtime", "instructions": "You help with weather.", "tools": [TOOL], "tool_choice": "auto",
            "output_modalities": ["text"], "max_output_tokens": 200,
            "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000},
                                "transcription": {"model": "whisper-1"},
                                "turn_detection": {"type": "server_vad", "threshold": 0.5, "silence_duration_ms": 300,
                                                   "prefix_padding_ms": 200, "idle_timeout_ms": 5000,
                                                   "create_response": True, "interrupt_response": True}},
                      "output": {"format": {"type": "audio/pcmu"}, "voice": "coral", "speed": 1.1}}}},
        {"type": "input_audio_buffer.append", "event_id": "e2", "audio": AUDIO},
        {"type": "input_audio_buffer.commit", "event_id": "e3"},
        {"type": "input_audio_buffer.clear", "event_id": "e4"},
        {"type": "conversation.item.create", "event_id": "e5", "previous_item_id": None, "item": USER_TEXT},
        {"type": "conversation.item.create", "event_id": "e6", "item": {
            "id": "item_call", "type": "function_call", "call_id": "call_1", "name": "get_weather",
            "arguments": '{"city": "Paris"}'}},
        {"type": "conversation.item.create", "event_id": "e7", "item": {
            "type": "function_call_output", "call_id": "call_1", "output": '{"temp": 20}'}},
        {"type": "conversation.item.create", "event_id": "e8", "item": {
            "type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hi!"}]}},
        {"type": "conversation.item.retrieve", "event_id": "e9", "item_id": "item_call"},
        {"type": "conversation.item.truncate", "event_id": "e10", "item_id": "item_call", "content_index": 0,
         "audio_end_ms": 100},
        {"type": "conversation.item.delete", "event_id": "e11", "item_id": "item_call"},
        {"type": "response.create", "event_id": "e12", "response": {
            "instructions": "Be brief.", "output_modalities": ["text"], "tools": [TOOL], "tool_choice": "none",
            "conversation": "none", "metadata": {"topic": "weather"},
            "input": [{"type": "item_reference", "id": "item_call"}]}},
        {"type": "response.create", "event_id": "e13"},
        {"type": "response.cancel", "event_id": "e14", "response_id": "resp_1"},
        {"type": "output_audio_buffer.clear", "event_id": "e15"},
    ],
    "beta": [
        {"type": "session.update", "event_id": "b1", "session": {
            "instructions": "You help with weather.", "modalities": ["text", "audio"], "voice": "verse",
            "input_audio_format": "g711_ulaw", "output_audio_format": "pcm16",
            "input_audio_transcription": {"model": "whisper-1"}, "tools": [TOOL],
            "turn_detection": {"type": "server_vad", "threshold": 0.6}, "max_response_output_tokens": "inf"}},
        {"type": "input_audio_buffer.append", "event_id": "b2", "audio": AUDIO},
        {"type": "conversation.item.create", "event_id": "b3", "item": {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": "hello"}]}},
        {"type": "response.create", "event_id": "b4", "response": {"modalities": ["text"], "voice": "alloy"}},
        {"type": "response.cancel", "event_id": "b5"},
    ],
}
# A short conversation to play before the mutated event, so item ids and the active response exist.
PRELUDE = [
    {"type": "conversation.item.create", "item": {**USER_TEXT, "id": "item_user"}},
    {"type": "conversation.item.create", "item": {"id": "item_call", "type": "function_call", "call_id": "call_1",
                                                  "name": "get_weather", "arguments": "{}"}},
]

HUGE = st.sampled_from(["x" * 200_000, "é" * 50_000, "\U0001f600" * 20_000, "A" * 100_001, "\x00" * 1000])
GARBAGE_B64 = st.sampled_from(["@@@", "A", "AB=", "====", "not base64!", "AAA", "QUFB\nQUFB", "AAAA" * 10 + "*",
                               base64.b64encode(b"\x01").decode(), base64.b64encode(PCM[:7]).decode(),
                               base64.b64encode(PCM[:2401]).decode(), "", " ", "\u00e9\u00e9\u00e9\u00e9"])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63, max_value=2**80).map(lambda n: -n),
    st.floats(), st.text(max_size=40), st.sampled_from([0, -1, 1e308, -0.0, 2**64, "", "null", "0", "audio"]),
)
JSON = json_values(SCALARS)
ODD = st.one_of(SCALARS, JSON, HUGE, GARBAGE_B64, st.just([]), st.just({}), st.just([[[[[]]]]]),
                st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
KEYS = st.one_of(st.sampled_from(["type", "event_id", "item", "session", "response", "audio", "item_id",
                                  "content_index", "audio_end_ms", "response_id", "previous_item_id", "content",
                                  "role", "call_id", "output", "tools", "turn_detection", "voice", "modalities",
                                  "output_modalities", "format", "idle_timeout_ms", "metadata", "conversation"]),
                 st.text(max_size=8))


@st.composite
def mutated(draw: st.DrawFn, events: list[dict[str, Any]]) -> dict[str, Any]:
    """A valid event with one to four mutations: a key deleted, a value replaced by an odd one, a key inserted."""
    return mutate(draw, draw(st.sampled_from(events)), ODD, KEYS)


def encode(value: Any, as_bytes: bool) -> str | bytes:
    text = json.dumps(value)  # NaN and Infinity go out as the non-standard tokens Python reads back
    return text.encode() if as_bytes else text


class Recorder:
    """A collecting `send`, plus whatever went wrong out of sight: failed tasks and logged engine errors."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.problems: list[str] = []

    async def send(self, event: dict[str, Any]) -> None:
        json.dumps(event)  # whatever the engine sends must serialize
        self.sent.append(event)

    def on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.problems.append(f"{context.get('message')}: {context.get('exception')!r}")


class _LogCatcher(logging.Handler):
    def __init__(self, recorder: Recorder) -> None:
        super().__init__(logging.ERROR)
        self.recorder = recorder

    def emit(self, record: logging.LogRecord) -> None:
        self.recorder.problems.append(f"logged: {record.getMessage()} {record.exc_info and record.exc_info[1]!r}")


def assert_error_shape(event: dict[str, Any]) -> None:
    error = event.get("error")
    assert isinstance(error, dict), event
    for key in ("type", "code", "message"):
        assert isinstance(error.get(key), str) and error[key], event


async def _play(dialect: str, frames: list[str | bytes], *, must_reject: int | None = None,
                prelude: bool = False, settle_s: float = 0.0) -> Recorder:
    recorder = Recorder()
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(recorder.on_loop_error)
    catcher = _LogCatcher(recorder)
    logger = logging.getLogger("realtime_cli.local")
    logger.addHandler(catcher)
    session = EngineSession(recorder.send, dialect, "gpt-realtime")  # type: ignore[arg-type]
    try:
        await asyncio.wait_for(session.start(), STEP_TIMEOUT)
        for event in PRELUDE if prelude else ():
            await asyncio.wait_for(session.handle_frame(json.dumps(event)), STEP_TIMEOUT)
        for index, frame in enumerate(frames):
            before = len(recorder.sent)
            await asyncio.wait_for(session.handle_frame(frame), STEP_TIMEOUT)
            errors = [e for e in recorder.sent[before:] if e.get("type") == "error"]
            assert len(errors) <= 1, errors
            for error in errors:
                assert_error_shape(error)
            if must_reject is not None and index < must_reject:
                assert len(errors) == 1, (frame, recorder.sent[before:])
        if settle_s:
            await asyncio.sleep(settle_s)  # let a started response, an idle timer or a greeting run
        final = VALID_UPDATE if dialect == "ga" else VALID_UPDATE_BETA
        before = len(recorder.sent)
        await asyncio.wait_for(session.handle_frame(json.dumps(final)), STEP_TIMEOUT)
        updated = names.wire_type(names.SESSION_UPDATED, dialect)  # type: ignore[arg-type]
        assert updated in [e.get("type") for e in recorder.sent[before:]], recorder.sent[before:]
    finally:
        await session.close()
        logger.removeHandler(catcher)
    await asyncio.sleep(0)  # cancelled tasks finish; a failure among them reaches the handler
    assert not recorder.problems, recorder.problems
    return recorder


def run(coro_fn: Callable[[], Any]) -> Any:
    return asyncio.run(coro_fn())


def fuzz_play(dialect: str, frames: list[str | bytes], **options: Any) -> None:
    run(lambda: _play(dialect, frames, **options))


# --- property tests ----------------------------------------------------------------------------------------------

@FUZZ
@given(value=JSON, as_bytes=st.booleans(), dialect=st.sampled_from(["ga", "beta"]))
def test_arbitrary_json_is_rejected_with_one_error(value: Any, as_bytes: bool, dialect: str) -> None:
    is_event = isinstance(value, dict) and value.get("type") in names.CLIENT_EVENT_TYPES
    assume(not is_event)
    fuzz_play(dialect, [encode(value, as_bytes)], must_reject=1)


@FUZZ
@given(frame=st.one_of(st.binary(max_size=64), st.text(max_size=64),
                       st.sampled_from(["", " ", "{", "}", "[", "nul", '{"type": ', '{"type": "session.update"',
                                        "\ufeff{}", '{"type": "session.update"}\x00', "[" * 100 + "]" * 100])))
def test_raw_garbage_frames_are_rejected_with_one_error(frame: str | bytes) -> None:
    try:
        value = json.loads(frame)
    except (ValueError, UnicodeDecodeError):
        value = None
    assume(not (isinstance(value, dict) and value.get("type") in names.CLIENT_EVENT_TYPES))
    fuzz_play("ga", [frame], must_reject=1)


@FUZZ
@given(data=st.data(), dialect=st.sampled_from(["ga", "beta"]), as_bytes=st.booleans(), prelude=st.booleans())
def test_mutated_client_events_never_break_the_session(data: st.DataObject, dialect: str, as_bytes: bool,
                                                       prelude: bool) -> None:
    events = data.draw(st.lists(mutated(VALID[dialect]), min_size=1, max_size=3))
    fuzz_play(dialect, [encode(e, as_bytes) for e in events], prelude=prelude)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_mutated_events_then_a_running_response_settles(data: st.DataObject) -> None:
    """Mutations that start responses, timers or audio turns: the background work must not fail either."""
    starters = [e for e in VALID["ga"] if e["type"] in ("response.create", "session.update",
                                                        "input_audio_buffer.append")]
    events = data.draw(st.lists(mutated(starters), min_size=1, max_size=2))
    fuzz_play("ga", [encode(e, False) for e in events], prelude=True, settle_s=0.05)


# --- over a real socket --------------------------------------------------------------------------------------------

async def test_malformed_frames_over_the_socket_then_a_text_turn_completes() -> None:
    frames: list[str | bytes] = ["{not json", b"\xff\xfe\x00garbage", "[1, 2, 3]", '"just a string"', "{}",
                                 '{"type": 42}', '{"type": "no.such.event", "event_id": "x"}', "null",
                                 '{"type": "input_audio_buffer.append", "audio": "@@@"}',
                                 '{"type": "conversation.item.create", "item": {"type": "message", "role": "user", '
                                 '"content": "not a list"}}']
    async with LocalRealtimeServer() as server, RawClient(server.url) as client:
        await client.wait_for("session.created")
        for frame in frames:
            if isinstance(frame, bytes):
                await client._ws.send(frame)
            else:
                await client.send(frame)
            assert_error_shape(await client.wait_for("error"))
        await client.send(ga_session(output_modalities=["text"]))
        await client.wait_for("session.updated")
        await client.send({"type": "conversation.item.create", "item": USER_TEXT})
        await client.send({"type": "response.create"})
        done = await client.wait_for("response.done")
        assert done["response"]["status"] == "completed"
        assert client.types().count("error") == len(frames)
        assert not client.closed


# --- reported engine bugs: each must give one `error` event and leave the session usable -------------------------

def _ga_update(**session: Any) -> str:
    return json.dumps({"type": "session.update", "event_id": "bad", "session": {"type": "realtime", **session}})


def _td(**fields: Any) -> str:
    return _ga_update(audio={"input": {"turn_detection": {"type": "server_vad", **fields}}})


ENGINE_BUGS = [
    pytest.param("[" * 100_000 + "]" * 100_000, id="deeply-nested-json-RecursionError"),
    pytest.param(_ga_update(tools=5), id="session-tools-not-a-list"),
    pytest.param(_ga_update(audio={"input": {"turn_detection": "server_vad"}}), id="turn-detection-not-an-object"),
    pytest.param(_td(threshold="high"), id="turn-detection-threshold-a-string"),
    pytest.param(_td(threshold=float("nan")), id="turn-detection-threshold-nan"),
    pytest.param(_td(silence_duration_ms=[1]), id="turn-detection-silence-a-list"),
    pytest.param(_td(idle_timeout_ms="soon"), id="idle-timeout-a-string"),
    pytest.param(_td(idle_timeout_ms=[1]), id="idle-timeout-a-list"),
    pytest.param(json.dumps({"type": "response.create", "response": {"output_modalities": 1}}),
                 id="response-modalities-not-a-list"),
    pytest.param(json.dumps({"type": "conversation.item.create", "item": {
        "type": "function_call", "call_id": "c", "name": "f", "content": "oops"}}),
                 id="function-call-item-content-a-string"),
    pytest.param(json.dumps({"type": "conversation.item.create", "item": {
        "type": "function_call_output", "call_id": "c", "output": "{}", "content": 3}}),
                 id="function-call-output-item-content-a-number"),
]


@pytest.mark.parametrize("frame", ENGINE_BUGS)
def test_once_crashing_event_is_now_an_error_event(frame: str) -> None:
    run(lambda: _play("ga", [frame], must_reject=1))


def test_null_turn_detection_fields_take_the_defaults() -> None:
    """null for an optional turn-detection field means "the default", as in the typed models: no error."""
    recorder = run(lambda: _play("ga", [_td(threshold=None, silence_duration_ms=None, idle_timeout_ms=None)]))
    assert not [e for e in recorder.sent if e.get("type") == "error"]
