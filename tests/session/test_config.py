"""Run-config validation: the seed's keys are accepted; mistakes name the key and suggest a fix."""

from __future__ import annotations

import pytest

from realtime_cli import ConfigError, RealtimeAgent, RealtimeRunner
from realtime_cli.session.config import AgentSpec, build_session_config, validate_run_config


def test_seed_config_builds_a_ga_session() -> None:
    cfg = validate_run_config({"model_settings": {
        "model_name": "gpt-4o-realtime-preview", "voice": "alloy", "modalities": ["text", "audio"],
        "input_audio_transcription": {"model": "whisper-1"},
        "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 200},
    }})
    session = build_session_config(cfg.model_settings, AgentSpec("hi"))
    assert session["output_modalities"] == ["audio"]
    assert session["turn_detection"] == {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                         "silence_duration_ms": 200}
    assert session["input_audio_transcription"] == {"model": "whisper-1"}


def test_defaults_match_the_reference_sdk() -> None:
    session = build_session_config(validate_run_config(None).model_settings, AgentSpec(None))
    assert session["voice"] == "ash" and session["output_audio_format"] == "pcm16"
    assert session["turn_detection"] == {"type": "semantic_vad", "interrupt_response": True}


@pytest.mark.parametrize(("config", "message"), [
    ({"model_settings": {"voce": "alloy"}}, "config.model_settings.voce: unknown key; did you mean 'voice'?"),
    ({"model_setings": {}}, "config.model_setings: unknown key; did you mean 'model_settings'?"),
    ({"model_settings": {"turn_detection": {"type": "loud"}}}, "config.model_settings.turn_detection.type"),
    ({"model_settings": {"turn_detection": {"threshold": 3}}}, "less than or equal to 1"),
    ({"model_settings": {"modalities": ["video"]}}, "config.model_settings.modalities.0"),
    ({"guardrails_settings": {"debounce_text_length": 0}}, "debounce_text_length"),
    ({"async_tool_calls": "maybe"}, "config.async_tool_calls"),
    ("nope", "config must be a dict"),
])
def test_bad_config_names_the_key(config: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        RealtimeRunner(RealtimeAgent(name="A"), config=config)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert "\n" not in str(info.value)


async def test_unknown_model_config_key() -> None:
    runner = RealtimeRunner(RealtimeAgent(name="A"))
    with pytest.raises(ConfigError, match="model_config: unknown key 'apikey'"):
        await runner.run(model_config={"apikey": "x"})  # type: ignore[typeddict-unknown-key]


async def test_missing_api_key_is_one_clear_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    from realtime_cli import UserError

    monkeypatch.setenv("RTAGENT_BACKEND", "openai")  # insists on OpenAI: without a key that is an error
    session = await RealtimeRunner(RealtimeAgent(name="A")).run()
    with pytest.raises(UserError, match="No OpenAI API key: set OPENAI_API_KEY"):
        await session.enter()


async def test_without_a_key_the_sdk_talks_to_the_local_engine() -> None:
    from realtime_cli.transport.local_backend import LocalEngineModel

    session = await RealtimeRunner(RealtimeAgent(name="A"), config={"model_settings": {"modalities": ["text"]}}).run()
    assert isinstance(session.model, LocalEngineModel)
    async with session:
        await session.send_message("hello")
        async for event in session:
            if event.type == "agent_end":
                break
    assert any(item.type == "message" and item.role == "assistant" and item.text for item in session.history)


@pytest.mark.parametrize("model_config", [{"api_key": "sk-x"}, {"url": "ws://127.0.0.1:9/v1/realtime"}])
async def test_a_key_or_a_url_means_openai_protocol_over_websocket(model_config: dict[str, str]) -> None:
    from realtime_cli.transport.local_backend import LocalEngineModel

    session = await RealtimeRunner(RealtimeAgent(name="A")).run(model_config=model_config)  # type: ignore[arg-type]
    assert not isinstance(session.model, LocalEngineModel)


async def test_refused_connection_is_a_clear_error() -> None:
    from realtime_cli import RealtimeConnectionError

    session = await RealtimeRunner(RealtimeAgent(name="A")).run(
        model_config={"url": "ws://127.0.0.1:9/v1/realtime", "api_key": "sk-secret-value"})
    with pytest.raises(RealtimeConnectionError) as info:
        await session.enter()
    assert "Could not connect to ws://127.0.0.1:9/v1/realtime" in str(info.value)
    assert "sk-secret-value" not in str(info.value)


def test_agent_clone_copies_lists() -> None:
    a = RealtimeAgent(name="A", instructions="x")
    b = a.clone(name="B")
    b.tools.append(object())  # type: ignore[arg-type]
    assert a.tools == [] and b.name == "B" and b.instructions == "x"
