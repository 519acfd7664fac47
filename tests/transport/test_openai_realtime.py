"""The OpenAI model's connection options as the reference defines them: async key functions, header-only auth
(Azure's `api-key`), `call_id` (the SIP model attaches to an existing call), transport_config, get_api_key."""

from __future__ import annotations

from typing import Any

import pytest

from realtime_cli import (
    OpenAIRealtimeSIPModel,
    OpenAIRealtimeWebSocketModel,
    RealtimeAgent,
    RealtimeModelSendRawMessage,
    RealtimeRunner,
    UserError,
    get_api_key,
)
from support.scripted_server import ScriptedConnection


async def _seen(model: Any, model_config: dict[str, Any]) -> ScriptedConnection:
    seen: list[ScriptedConnection] = []

    async def script(c: ScriptedConnection) -> None:
        seen.append(c)
        await c.expect("session.update")
        raw = await c.expect("conversation.item.retrieve")  # a typed raw send through session.model
        assert raw["item_id"] == "item_1"
        await c.close()

    async def poke(session: Any) -> None:
        await session.model.send_event(RealtimeModelSendRawMessage(
            message={"type": "conversation.item.retrieve", "other_data": {"item_id": "item_1"}}))

    agent = RealtimeAgent(name="A")
    from support.scripted_server import ScriptedServer

    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(agent, model=model).run(model_config={"url": server.url, **model_config})
        async with session:
            await poke(session)
            async for _ in session:
                pass
    return seen[0]


async def test_an_async_key_function_is_awaited() -> None:
    async def key() -> str:
        return "sk-from-a-vault"

    conn = await _seen(OpenAIRealtimeWebSocketModel(), {"api_key": key})
    assert conn.headers["authorization"] == "Bearer sk-from-a-vault"


async def test_header_only_auth_sends_no_bearer() -> None:
    conn = await _seen(OpenAIRealtimeWebSocketModel(transport_config={"ping_interval": 5, "handshake_timeout": 5}),
                       {"headers": {"api-key": "azure-key"}})
    assert conn.headers["api-key"] == "azure-key" and "authorization" not in conn.headers


async def test_the_sip_model_attaches_with_call_id() -> None:
    conn = await _seen(OpenAIRealtimeSIPModel(), {"api_key": "sk-test", "call_id": "rtc_42"})
    assert "call_id=rtc_42" in conn.path and "model=" not in conn.path
    with pytest.raises(UserError, match="call_id"):
        await OpenAIRealtimeSIPModel().connect({"api_key": "sk-test"})


async def test_get_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")

    async def key() -> str:
        return "sk-async"

    assert await get_api_key("sk-str") == "sk-str"
    assert await get_api_key(lambda: "sk-sync") == "sk-sync"
    assert await get_api_key(key) == "sk-async"
    assert await get_api_key(None) == "sk-env"


def test_server_event_type_adapter_parses_into_the_openai_event_models(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("openai.types.realtime")
    from realtime_cli import get_server_event_type_adapter

    reference = pytest.importorskip("agents.realtime.openai_realtime")
    adapter = get_server_event_type_adapter()
    assert adapter is get_server_event_type_adapter()  # built once
    event = {"type": "response.output_audio_transcript.done", "event_id": "ev_1", "response_id": "resp_1",
             "item_id": "item_1", "output_index": 0, "content_index": 0, "transcript": "Hello."}
    ours = adapter.validate_python(event)
    theirs = reference.get_server_event_type_adapter().validate_python(event)
    assert type(ours) is type(theirs) and ours.transcript == "Hello." and ours.model_dump() == theirs.model_dump()


def test_server_event_type_adapter_without_openai_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from realtime_cli.protocol.errors import UserError
    from realtime_cli.transport import openai_realtime

    monkeypatch.setattr(openai_realtime, "_SERVER_EVENT_ADAPTER", None)
    monkeypatch.setitem(sys.modules, "openai.types.realtime.realtime_server_event", None)  # as if not installed
    with pytest.raises(UserError, match="pip install openai"):
        openai_realtime.get_server_event_type_adapter()
