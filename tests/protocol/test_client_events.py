"""Every client event we can build is valid in both dialects by the openai package's own unions."""

from __future__ import annotations

from typing import Any

import pytest

from realtime_cli.protocol import client_events as ce
from realtime_cli.protocol.session_config import SessionConfig, session_from_wire, session_to_wire
from support import conformance

FULL: SessionConfig = {
    "model": "gpt-realtime", "instructions": "Be kind.", "voice": "alloy", "speed": 1.1,
    "output_modalities": ["audio"], "input_audio_format": "pcm16", "output_audio_format": "g711_ulaw",
    "input_audio_transcription": {"model": "whisper-1", "language": "en"},
    "input_audio_noise_reduction": {"type": "near_field"},
    "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 200,
                       "create_response": True, "interrupt_response": True, "idle_timeout_ms": 6000},
    "tools": [{"type": "function", "name": "f", "description": "d", "parameters": {"type": "object"}}],
    "tool_choice": "auto", "max_output_tokens": 500,
}

EVENTS: list[ce.ClientEvent] = [
    ce.session_update(FULL),
    ce.session_update({"turn_detection": None, "input_audio_transcription": None}),
    ce.session_update({"turn_detection": {"type": "semantic_vad", "eagerness": "low", "interrupt_response": True}}),
    ce.audio_append(b"\x00\x01" * 10), ce.audio_commit(), ce.audio_clear(),
    ce.user_text_item("hi"), ce.function_output("call_1", "42"),
    ce.item_create({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "x"}]}),
    ce.truncate("item_1", 0, 150), ce.item_delete("item_1"), ce.response_create(), ce.response_cancel("resp_1"),
    ce.response_cancel(),
]


@pytest.mark.parametrize("dialect", ["ga", "beta"])
@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e["type"])
def test_client_event_conforms(event: ce.ClientEvent, dialect: Any) -> None:
    conformance.validate("client", dialect, ce.to_wire(event, dialect))


@pytest.mark.parametrize("dialect", ["ga", "beta"])
def test_session_config_roundtrips(dialect: Any) -> None:
    wire = session_to_wire(FULL, dialect)
    back = session_from_wire(wire, dialect)
    expected = dict(FULL)
    if dialect == "beta":
        expected["turn_detection"] = {k: v for k, v in FULL["turn_detection"].items() if k != "idle_timeout_ms"}  # type: ignore[union-attr]
    else:
        expected.pop("temperature", None)
    assert back == expected


def test_ga_session_shape() -> None:
    wire = session_to_wire(FULL, "ga")
    assert wire["type"] == "realtime"
    assert wire["audio"]["output"] == {"format": {"type": "audio/pcmu"}, "voice": "alloy", "speed": 1.1}
    assert wire["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    beta = session_to_wire(FULL, "beta")
    assert beta["modalities"] == ["text", "audio"] and beta["output_audio_format"] == "g711_ulaw"
    assert beta["max_response_output_tokens"] == 500
