"""ViewState: real session events and server event dicts in, the snapshot the view renders out.

An injected clock makes latency exact; no Rich, no I/O.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from realtime_cli.cli.view_state import (
    GUARDRAIL_MESSAGE,
    AssistantLine,
    ConnectionChange,
    ErrorLine,
    GuardrailTrip,
    HandoffDivider,
    Notice,
    ToolCall,
    UserLine,
    ViewState,
)
from realtime_cli.protocol.server_events import AttrDict, ServerEvent
from realtime_cli.session import events as ev
from realtime_cli.session.agent import RealtimeAgent
from realtime_cli.session.guardrails import GuardrailFunctionOutput, OutputGuardrail, OutputGuardrailResult
from realtime_cli.session.items import RealtimeItem
from realtime_cli.session.tool import FunctionTool

INFO = ev.RealtimeEventInfo(context=None)
SUPPORT = RealtimeAgent(name="Customer Service")
BILLING = RealtimeAgent(name="Billing Support")


class FakeClock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def _noop(_ctx: Any, _args: str) -> str:
    return ""


def tool(name: str = "get_weather") -> FunctionTool:
    return FunctionTool(name=name, description="", params_json_schema={}, on_invoke_tool=_noop)


def server(kind: str, dialect: Any = "ga", **fields: Any) -> ServerEvent:
    return ServerEvent({"type": kind, "event_id": "evt", **fields}, dialect)


def guardrail_trip(name: str, text: str) -> ev.RealtimeGuardrailTripped:
    guard = OutputGuardrail(guardrail_function=lambda c, a, t: GuardrailFunctionOutput(None, True), name=name)
    result = OutputGuardrailResult(guard, text, SUPPORT, GuardrailFunctionOutput({"why": "refund"}, True))
    return ev.RealtimeGuardrailTripped(guardrail_results=[result], message=text, info=INFO)


def state(**kwargs: Any) -> ViewState:
    kwargs.setdefault("agent", "Customer Service")
    kwargs.setdefault("model", "gpt-realtime")
    return ViewState(**kwargs)


def voice_user_turn(view: ViewState, item_id: str, words: list[str]) -> None:
    view.apply(server("input_audio_buffer.speech_started", item_id=item_id, audio_start_ms=0))
    view.apply(server("input_audio_buffer.committed", item_id=item_id, previous_item_id=None))
    for word in words:
        view.apply(server("conversation.item.input_audio_transcription.delta", item_id=item_id, delta=word))
    view.apply(server("conversation.item.input_audio_transcription.completed", item_id=item_id,
                      transcript="".join(words)))


def assistant_says(view: ViewState, item_id: str, text: str, *, kind: str = "response.output_audio_transcript") -> None:
    for word in text.split(" "):
        view.apply(server(f"{kind}.delta", item_id=item_id, delta=word + " "))
    field = "text" if "output_text" in kind else "transcript"
    view.apply(server(f"{kind}.done", item_id=item_id, **{field: text}))


def test_text_turn() -> None:
    clock = FakeClock()
    view = state(mode="text", clock=clock)
    view.add_user_message("What's the weather in Paris?")
    clock.now += 0.25
    view.apply(server("response.created", response={"id": "r1"}))
    view.apply(ev.RealtimeAgentStartEvent(agent=SUPPORT, info=INFO))
    view.apply(server("response.output_text.delta", item_id="a1", delta="Sunny "))
    mid = view.snapshot()
    view.apply(server("response.output_text.delta", item_id="a1", delta="today."))
    view.apply(server("response.output_text.done", item_id="a1", text="Sunny today."))
    snap = view.snapshot()
    assert [type(e) for e in snap.entries] == [UserLine, AssistantLine]
    assert snap.entries[0] == UserLine(1, None, "What's the weather in Paris?", True)
    assert snap.entries[1] == AssistantLine(2, "a1", "Customer Service", "Sunny today.", True)
    assert mid.entries[1].text == "Sunny " and not mid.entries[1].complete  # snapshots never change
    assert snap.status.latency_ms == pytest.approx(250.0)
    assert snap.status.mode == "text"


def test_voice_turn_with_partials() -> None:
    view = state()
    view.apply(server("input_audio_buffer.speech_started", item_id="u1", audio_start_ms=120))
    assert view.snapshot().entries == (UserLine(1, "u1", "", False),)
    view.apply(server("input_audio_buffer.committed", item_id="u1"))
    view.apply(server("conversation.item.input_audio_transcription.delta", item_id="u1", delta="Hello "))
    assert view.snapshot().entries[0].text == "Hello " and not view.snapshot().entries[0].complete
    view.apply(server("conversation.item.input_audio_transcription.delta", item_id="u1", delta="there"))
    view.apply(server("conversation.item.input_audio_transcription.completed", item_id="u1",
                      transcript="Hello there."))
    view.apply(server("response.output_audio_transcript.delta", item_id="a1", delta="Hi! "))
    partial = view.snapshot().entries[1]
    assert partial == AssistantLine(2, "a1", "Customer Service", "Hi! ", False)
    view.apply(server("response.output_audio_transcript.done", item_id="a1", transcript="Hi! How can I help?"))
    entries = view.snapshot().entries
    assert entries[0] == UserLine(1, "u1", "Hello there.", True)
    assert entries[1] == AssistantLine(2, "a1", "Customer Service", "Hi! How can I help?", True)


def test_beta_dialect_wire_names() -> None:
    view = state()
    view.apply(server("response.audio_transcript.delta", "beta", item_id="a1", delta="Bonjour"))
    view.apply(server("response.audio_transcript.done", "beta", item_id="a1", transcript="Bonjour."))
    assert view.snapshot().entries == (AssistantLine(1, "a1", "Customer Service", "Bonjour.", True),)


def test_failed_transcription_and_response_done_finish_lines() -> None:
    view = state()
    view.apply(server("input_audio_buffer.committed", item_id="u1"))
    view.apply(server("conversation.item.input_audio_transcription.failed", item_id="u1", error={}))
    view.apply(server("response.output_audio_transcript.delta", item_id="a1", delta="Sorry"))
    view.apply(server("response.done", response={"id": "r1", "status": "cancelled"}))
    user, assistant = view.snapshot().entries
    assert user == UserLine(1, "u1", "(inaudible)", True)
    assert assistant.complete and assistant.text == "Sorry"


def test_tool_call_with_duration_and_capped_result() -> None:
    view = state()
    view.apply(ev.RealtimeToolStart(agent=SUPPORT, tool=tool(), arguments='{"city": "Paris"}', call_id="c1",
                                    info=INFO))
    assert view.snapshot().entries == (ToolCall(1, "c1", "get_weather", '{"city": "Paris"}', "running"),)
    view.apply(ev.RealtimeToolEnd(agent=SUPPORT, tool=tool(), arguments='{"city": "Paris"}', call_id="c1",
                                  output={"forecast": "x" * 1000}, duration_s=0.0123, info=INFO))
    (call,) = view.snapshot().entries
    assert isinstance(call, ToolCall) and call.state == "done" and call.complete
    assert call.duration_ms == pytest.approx(12.3)
    assert call.result is not None and call.result.startswith('{"forecast": "xxx') and call.result.endswith("…")
    assert len(call.result) == 300


def test_approval_then_approved_run() -> None:
    view = state()
    view.apply(ev.RealtimeToolApprovalRequired(agent=SUPPORT, tool=tool("refund"), arguments='{"amount": 20}',
                                               call_id="c9", info=INFO))
    snap = view.snapshot()
    assert snap.pending_approval == ToolCall(1, "c9", "refund", '{"amount": 20}', "awaiting-approval")
    view.resolve_approval("c9", approved=True)
    assert view.snapshot().pending_approval is None
    assert view.snapshot().entries[0].state == "running"
    view.apply(ev.RealtimeToolStart(agent=SUPPORT, tool=tool("refund"), arguments='{"amount": 20}', call_id="c9",
                                    info=INFO))
    view.apply(ev.RealtimeToolEnd(agent=SUPPORT, tool=tool("refund"), arguments='{"amount": 20}', call_id="c9",
                                  output="refunded", duration_s=0.5, info=INFO))
    assert view.snapshot().entries == (ToolCall(1, "c9", "refund", '{"amount": 20}', "done", "refunded", 500.0),)


def test_approval_rejected() -> None:
    view = state()
    view.apply(ev.RealtimeToolApprovalRequired(agent=SUPPORT, tool=tool("refund"), arguments="{}", call_id="c9",
                                               info=INFO))
    view.resolve_approval("c9", approved=False)
    view.resolve_approval("nope", approved=True)  # unknown call ids are ignored
    snap = view.snapshot()
    assert snap.pending_approval is None
    assert snap.entries == (ToolCall(1, "c9", "refund", "{}", "rejected"),)
    assert snap.entries[0].complete


def test_handoff_changes_agent_and_speaker() -> None:
    view = state()
    view.apply(ev.RealtimeHandoffEvent(from_agent=SUPPORT, to_agent=BILLING, info=INFO))
    assistant_says(view, "a2", "Billing here.")
    snap = view.snapshot()
    assert snap.entries[0] == HandoffDivider(1, "Customer Service", "Billing Support")
    assert snap.entries[1].speaker == "Billing Support"
    assert snap.status.agent == "Billing Support"


def test_agent_start_sets_agent() -> None:
    view = ViewState()
    view.apply(ev.RealtimeAgentStartEvent(agent=BILLING, info=INFO))
    assert view.snapshot().status.agent == "Billing Support"


def test_guardrail_trip_shows_its_message_not_the_flagged_text() -> None:
    view = state()
    view.apply(guardrail_trip("no_refunds", "Sure, I will refund you twice"))
    assert view.snapshot().entries == (GuardrailTrip(1, ("no_refunds",), GUARDRAIL_MESSAGE),)  # no message given
    said = GuardrailFunctionOutput("Refunds are handled by billing.", True)
    guard = OutputGuardrail(guardrail_function=lambda c, a, t: said, name="no_refunds")
    view.apply(ServerEvent({"type": "response.output_audio_transcript.delta", "item_id": "a1",
                            "delta": "Sure, I will refund"}))
    view.apply(ev.RealtimeGuardrailTripped([OutputGuardrailResult(guard, "", BILLING, said)], "Sure, I will refund",
                                           INFO))
    entries = view.snapshot().entries
    assert entries[1] == AssistantLine(2, "a1", "Customer Service", "", False, withheld=True)
    assert entries[2] == GuardrailTrip(3, ("no_refunds",), "Refunds are handled by billing.")


def test_error_with_code_and_session_error() -> None:
    view = state()
    raw = server("error", error={"type": "invalid_request_error", "code": "response_cancel_not_active",
                                 "message": "Cancellation failed: no active response found."})
    view.apply(raw)  # the raw event alone adds nothing: the session's error event carries it
    view.apply(ev.RealtimeError(error=raw.error, info=INFO, raw=raw))
    view.apply(ev.RealtimeError(error=AttrDict(type="client_error", code=None, message="tool blew up"), info=INFO))
    assert view.snapshot().entries == (
        ErrorLine(1, "Cancellation failed: no active response found.", "response_cancel_not_active"),
        ErrorLine(2, "tool blew up", None),
    )


def test_interruption_freezes_text_and_cuts_to_heard() -> None:
    view = state()
    view.apply(server("response.output_audio_transcript.delta", item_id="a1", delta="Our opening hours are "))
    view.apply(ev.RealtimeAudioInterrupted(item_id="a1", content_index=0, info=INFO))
    view.apply(server("response.output_audio_transcript.delta", item_id="a1", delta="nine to five."))
    view.apply(server("response.output_audio_transcript.done", item_id="a1",
                      transcript="Our opening hours are nine to five."))
    line = view.snapshot().entries[0]
    assert line == AssistantLine(1, "a1", "Customer Service", "Our opening hours are ", True, interrupted=True)
    heard = RealtimeItem("a1", "message", role="assistant", text="Our opening")
    view.apply(ev.RealtimeHistoryUpdated(history=[heard], info=INFO))
    assert view.snapshot().entries[0].text == "Our opening"


def test_interruption_without_item_id_hits_latest_speaking_line() -> None:
    view = state()
    assistant_says(view, "a1", "Done.")
    view.apply(server("response.output_audio_transcript.delta", item_id="a2", delta="And"))
    view.apply(ev.RealtimeAudioInterrupted(item_id=None, content_index=None, info=INFO))
    first, second = view.snapshot().entries
    assert not first.interrupted and second.interrupted


def test_latency_from_key_release_to_first_audio() -> None:
    clock = FakeClock(10.0)
    view = state(clock=clock)
    view.mark_turn_end()  # key release at 10.0
    clock.now = 10.2
    view.apply(server("input_audio_buffer.committed", item_id="u1"))  # later commit keeps the key-release time
    clock.now = 10.612
    audio = ev.RealtimeAudio(audio=ev.RealtimeModelAudio(b"\0\0", "r1"), item_id="a1", content_index=0, info=INFO)
    view.apply(audio)
    clock.now = 11.0
    view.apply(audio)  # only the first audio of the turn counts
    assert view.snapshot().status.latency_ms == pytest.approx(612.0)
    view.mark_turn_end(20.0)
    clock.now = 21.5
    view.apply(audio)
    assert view.snapshot().status.latency_ms == pytest.approx(1500.0)
    assert view.snapshot().status.latencies_ms == pytest.approx((612.0, 1500.0))


def test_latency_from_commit_and_speech_restarting_the_turn() -> None:
    clock = FakeClock(5.0)
    view = state(mode="open mic", clock=clock)
    view.apply(server("input_audio_buffer.committed", item_id="u1"))  # turn ends at 5.0 ...
    clock.now = 6.0
    view.apply(server("input_audio_buffer.speech_started", item_id="u2"))  # ... but the user keeps talking
    view.apply(server("response.output_audio_transcript.delta", item_id="a1", delta="Hm"))  # no audio: no turn
    clock.now = 7.0
    view.apply(server("input_audio_buffer.committed", item_id="u2"))
    clock.now = 7.4
    view.apply(ev.RealtimeAudio(audio=ev.RealtimeModelAudio(b"", "r1"), item_id="a1", content_index=0, info=INFO))
    assert view.snapshot().status.latency_ms == pytest.approx(400.0)


def test_entries_are_bounded_and_text_capped() -> None:
    view = state(max_entries=5, max_text=50)
    for i in range(12):
        view.add_notice(f"note {i}")
    view.apply(server("response.output_text.delta", item_id="a1", delta="y" * 80))
    entries = view.snapshot().entries
    assert len(entries) == 5
    assert [e.text for e in entries[:4]] == ["note 8", "note 9", "note 10", "note 11"]
    assert entries[4].text == "y" * 49 + "…"


def test_connection_changes_and_timeout_notice() -> None:
    view = state()
    assert view.snapshot().status.connection == "connecting"
    view.apply(ev.RealtimeConnectionStatus("connected", INFO))
    assert view.snapshot().status.connection == "connected"
    view.apply(ev.RealtimeConnectionStatus("reconnecting", INFO))
    assert view.snapshot().status.connection == "reconnecting"
    view.apply(ev.RealtimeConnectionStatus("failed", INFO))
    view.apply(ev.RealtimeInputAudioTimeoutTriggered(info=INFO))
    snap = view.snapshot()
    assert snap.status.connection == "closed"
    assert snap.entries == (ConnectionChange(1, "connected"), ConnectionChange(2, "reconnecting"),
                            ConnectionChange(3, "failed"), Notice(4, "no speech heard: input audio timed out"))


def test_ui_status_calls() -> None:
    view = state()
    view.set_ptt("talking")
    view.set_mic_level(0.5, 1.7)
    view.set_mic_level(-1.0, 0.2)
    view.set_mode("open mic")
    view.set_key_hints("q quit")
    status = view.snapshot().status
    assert (status.ptt, status.mic_levels, status.mic_peak, status.mode, status.key_hints) == (
        "talking", (0.5, 0.0), 0.2, "open mic", "q quit")
    for _ in range(20):
        view.set_mic_level(0.1, 0.1)
    assert len(view.snapshot().status.mic_levels) == 8


def test_snapshot_is_cached_and_frozen() -> None:
    view = state()
    view.add_notice("hello")
    first = view.snapshot()
    assert view.snapshot() is first
    view.apply(server("rate_limits.updated", rate_limits=[]))  # ignored events change nothing
    assert view.snapshot() is first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.entries[0].text = "changed"  # type: ignore[misc]
    view.add_notice("again")
    assert view.snapshot() is not first and view.snapshot().version > first.version
