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
from support.scripted_server import ScriptedConnection, ScriptedServer


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


async def test_the_sip_accept_payload_is_the_session_the_session_sends() -> None:
    """build_initial_session_payload (reference: the twilio_sip example accepts the call with it) gives the openai
    package's RealtimeSessionCreateRequest for exactly the session.update the session itself sends."""
    from realtime_cli import function_tool, realtime_handoff

    @function_tool
    def lookup_order(order_id: str) -> str:
        """Look an order up."""
        return order_id

    agent = RealtimeAgent(name="Triage", instructions="Triage calls.", tools=[lookup_order],
                          handoffs=[RealtimeAgent(name="Billing"),
                                    realtime_handoff(RealtimeAgent(name="Off"), is_enabled=False)])
    run_config: Any = {"model_settings": {"audio": {"output": {"voice": "marin"}}, "tool_choice": "auto"}}
    model_config: Any = {"initial_model_settings": {"turn_detection": {"type": "semantic_vad",
                                                                       "interrupt_response": True}}}
    payload = await OpenAIRealtimeSIPModel.build_initial_session_payload(
        agent, model_config=model_config, run_config=run_config, overrides={"speed": 1.1})
    from openai.types.realtime import RealtimeSessionCreateRequest

    assert isinstance(payload, RealtimeSessionCreateRequest)
    sent: list[dict[str, Any]] = []

    async def script(c: ScriptedConnection) -> None:
        sent.append((await c.expect("session.update"))["session"])
        await c.close()

    async with ScriptedServer(script) as server:
        runner = RealtimeRunner(agent, config=run_config)
        session = await runner.run(model_config={**model_config, "url": server.url, "api_key": "sk-test",
                                                 "initial_model_settings": {
                                                     **model_config["initial_model_settings"], "speed": 1.1}})
        async with session:
            async for _ in session:
                pass
    body = payload.model_dump(exclude_none=True)
    assert body == sent[0]
    assert [t["name"] for t in body["tools"]] == ["lookup_order", "transfer_to_billing"]
    assert body["audio"]["output"]["voice"] == "marin" and body["audio"]["output"]["speed"] == 1.1
