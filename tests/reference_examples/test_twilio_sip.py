"""The reference's Twilio SIP server (examples/realtime/twilio_sip), import lines changed only, against the local
engine: a webhook's call is observed with OpenAIRealtimeSIPModel attached by call_id, its raw `response.create`
greets the caller with the welcome line word for word, a duplicate webhook is ignored, and the hang-up ends the
observer cleanly. Its accept step posts to the Realtime Calls API, which needs the network; the payload helper
meant for it is tested in tests/transport/test_openai_realtime.py."""

from __future__ import annotations

import asyncio
import logging

import pytest

from realtime_cli.local.server import LocalRealtimeServer


async def _greeting(server: LocalRealtimeServer, call_id: str) -> str:
    """The first finished assistant line of the call's conversation, as the engine holds it."""
    while True:
        session = server.calls.get(call_id)
        turns = session.conv.turns() if session is not None else []
        said = [t.text for t in turns if t.role == "assistant" and t.text]
        if said and session is not None and session.response is None:
            return said[0]
        await asyncio.sleep(0.02)


async def test_sip_observer_greets_and_ends_with_the_call(monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="twilio_sip_example")
    async with LocalRealtimeServer() as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-local-test")
        monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", "whsec_local_test")
        monkeypatch.setenv("RTAGENT_REALTIME_URL", server.url)
        from reference_examples import twilio_sip_server as sip
        from reference_examples.twilio_sip_agents import WELCOME_MESSAGE

        sip._track_call_task("rtc_local_1")
        sip._track_call_task("rtc_local_1")  # Twilio retried the webhook
        task = sip.active_call_tasks["rtc_local_1"]
        assert await asyncio.wait_for(_greeting(server, "rtc_local_1"), 60) == WELCOME_MESSAGE
        engine = server.calls["rtc_local_1"]
        assert "transfer_to_faq_agent" in [t["name"] for t in engine.cfg["tools"]]  # the triage agent is on
        assert await server.hang_up("rtc_local_1")
        await asyncio.wait_for(task, 30)
    messages = [r.getMessage() for r in caplog.records if r.name == "twilio_sip_example"]
    assert "Call rtc_local_1 already has an active observer; ignoring duplicate webhook delivery." in messages
    assert messages[-1] == "Call rtc_local_1 ended"
    assert not [m for m in messages if "error" in m.lower()]
    assert "rtc_local_1" not in sip.active_call_tasks and "rtc_local_1" not in server.calls
