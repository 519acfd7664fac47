"""The client core with plain data: server events and intents in, client events and effects out — no socket, no
clock (time is passed in), no tasks."""

from __future__ import annotations

from typing import Any

from realtime_cli.protocol import names
from realtime_cli.protocol.client_core import ClientCore
from realtime_cli.protocol.codecs import encode_audio, ms_to_bytes
from realtime_cli.protocol.core_effects import (
    AudioChunk,
    AudioInterrupted,
    ClientError,
    RequestResponse,
    ResponseEnded,
    ResponseStarted,
    RunToolCall,
    Send,
    ServerError,
    Truncated,
)
from realtime_cli.protocol.signals import HandoffDone, parse_guardrail, parse_tool_output


def _sent(effects: list[Any]) -> list[str]:
    return [e.event["type"] for e in effects if isinstance(e, Send)]


def _created(core: ClientCore, response_id: str = "resp_1") -> None:
    assert core.on_response_created({"response": {"id": response_id}}) == ResponseStarted(response_id)


def _audio(core: ClientCore, ms: int, *, item: str = "item_a", response: str = "resp_1", now: float = 0.0) -> Any:
    data = {"delta": encode_audio(b"\x01\x00" * (ms_to_bytes(ms) // 2)), "item_id": item, "content_index": 0,
            "response_id": response}
    return core.on_audio_delta(data, now)


def test_barge_in_during_audio_truncates_at_the_played_ms_and_leaves_the_cancel_to_the_service() -> None:
    core = ClientCore()
    _created(core)
    chunk = _audio(core, 100)
    assert isinstance(chunk, AudioChunk) and len(chunk.pcm) == ms_to_bytes(100) and chunk.item_id == "item_a"
    _audio(core, 100)
    out = core.on_speech_started(("item_a", 120.0), now=5.0)
    assert out[0] == AudioInterrupted("item_a", 0)
    assert _sent(out) == [names.CONVERSATION_ITEM_TRUNCATE]  # server VAD cancels the response itself
    truncate = next(e.event for e in out if isinstance(e, Send))
    assert (truncate["item_id"], truncate["content_index"], truncate["audio_end_ms"]) == ("item_a", 0, 120)
    assert out[-1] == Truncated("item_a", 120, 200.0)
    # the rest of that response never plays
    assert core.drops(names.AUDIO_DELTA, {"response_id": "resp_1"})
    assert core.drops(names.TRANSCRIPT_DELTA, {"response_id": "resp_1"})
    assert not core.drops(names.RESPONSE_DONE, {"response": {"id": "resp_1"}})  # its end still counts
    assert not core.drops(names.AUDIO_DELTA, {"response_id": "resp_2"})


def test_truncation_never_passes_what_was_received() -> None:
    core = ClientCore()
    _created(core)
    _audio(core, 80)
    out = core.interrupt(("item_a", 500.0), now=1.0)
    assert next(e for e in out if isinstance(e, Truncated)) == Truncated("item_a", 80, 80.0)


def test_user_interrupt_cancels_an_active_response_once() -> None:
    core = ClientCore()
    _created(core)
    _audio(core, 40)
    first = core.interrupt(("item_a", 10.0), now=1.0)
    assert _sent(first) == [names.RESPONSE_CANCEL, names.CONVERSATION_ITEM_TRUNCATE]
    assert next(e.event for e in first if isinstance(e, Send))["response_id"] == "resp_1"
    again = core.interrupt(("item_a", 10.0), now=1.1)
    assert names.RESPONSE_CANCEL not in _sent(again)  # already cancelled: never a second cancel


def test_interrupt_with_no_active_response_and_nothing_playing_does_nothing() -> None:
    assert ClientCore().interrupt(None, now=3.0) == []


def test_interrupt_after_the_response_ended_still_cuts_audio_that_is_playing() -> None:
    core = ClientCore()
    _created(core)
    _audio(core, 200)
    core.on_response_done({"response": {"id": "resp_1", "status": "completed"}})
    out = core.interrupt(("item_a", 50.0), now=1.0)
    assert _sent(out) == [names.CONVERSATION_ITEM_TRUNCATE]  # no response to cancel
    assert out[0] == AudioInterrupted("item_a", 0) and out[-1] == Truncated("item_a", 50, 200.0)


def test_interrupt_after_everything_was_played_has_nothing_to_cut() -> None:
    core = ClientCore()
    _created(core)
    _audio(core, 200)
    core.on_response_done({"response": {"id": "resp_1"}})
    assert core.interrupt(("item_a", 200.0), now=9.0) == []


def test_without_a_tracker_the_clock_since_the_first_delta_counts_as_played() -> None:
    core = ClientCore()
    _created(core)
    _audio(core, 100, now=10.0)
    _audio(core, 100, now=10.05)
    out = core.interrupt(None, now=10.07)
    assert next(e for e in out if isinstance(e, Truncated)).audio_end_ms == 70


def test_a_tracker_playing_another_item_means_none_of_this_one_was_heard() -> None:
    core = ClientCore()
    _created(core)
    _audio(core, 100, item="item_b")
    out = core.interrupt(("item_a", 900.0), now=1.0)
    assert next(e for e in out if isinstance(e, Truncated)) == Truncated("item_b", 0, 100.0)


def test_speech_does_not_interrupt_when_the_turn_detector_says_not_to() -> None:
    core = ClientCore(interrupt_on_speech=False)
    _created(core)
    _audio(core, 100)
    assert core.on_speech_started(("item_a", 20.0), now=1.0) == []


def test_two_response_requests_in_a_row_become_one_now_and_one_after_the_first_ends() -> None:
    core = ClientCore()
    assert _sent(core.request_response()) == [names.RESPONSE_CREATE]
    assert core.request_response() == []  # a create is in flight
    _created(core)
    assert core.request_response() == []  # coalesced with the one above
    done = core.on_response_done({"response": {"id": "resp_1", "status": "completed"}})
    assert done[0] == ResponseEnded("resp_1", "completed", None)
    assert _sent(done) == [names.RESPONSE_CREATE]
    _created(core, "resp_2")
    assert _sent(core.on_response_done({"response": {"id": "resp_2"}})) == []


def test_a_stale_response_done_does_not_release_the_active_one() -> None:
    core = ClientCore()
    core.request_response()
    _created(core, "resp_2")
    core.request_response()
    assert _sent(core.on_response_done({"response": {"id": "resp_old"}})) == []
    assert core.active_response_id == "resp_2"


def test_a_create_refused_for_an_active_response_is_asked_again_after_it() -> None:
    core = ClientCore()
    core.request_response()
    out = core.on_error({"error": {"code": "conversation_already_has_active_response", "message": "busy"}})
    assert isinstance(out[0], ServerError) and out[0].error.message == "busy"
    _created(core, "resp_vad")
    assert _sent(core.on_response_done({"response": {"id": "resp_vad"}})) == [names.RESPONSE_CREATE]


def test_a_cancel_that_raced_the_end_of_its_response_is_not_an_error() -> None:
    core = ClientCore()
    assert core.on_error({"error": {"code": "response_cancel_not_active", "message": "x"}}) == []
    _created(core)
    shown = core.on_error({"error": {"code": "response_cancel_not_active", "message": "x"}})
    assert len(shown) == 1  # with a response active it means something went wrong: shown


def test_an_error_without_a_message_still_gets_a_string() -> None:
    out = ClientCore().on_error({"error": {"code": "boom"}})
    assert isinstance(out[0], ServerError) and isinstance(out[0].error.message, str)
    assert ClientCore().on_error({"error": "flat"})[0].error.message == "flat"  # type: ignore[union-attr]


def test_usage_comes_with_the_end_and_a_closed_core_sends_nothing_more() -> None:
    core = ClientCore()
    core.request_response()
    _created(core)
    core.request_response()
    core.connection_closed()
    out = core.on_response_done({"response": {"id": "resp_1", "usage": {"input_tokens": 3, "output_tokens": 4}}})
    assert isinstance(out[0], ResponseEnded) and out[0].usage is not None and out[0].usage.total_tokens == 7
    assert _sent(out) == []


def test_a_tool_call_runs_once_and_its_output_asks_for_the_next_response() -> None:
    core = ClientCore()
    item = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather",
            "arguments": '{"city": "Rome"}'}
    assert core.on_function_call(item) == RunToolCall("call_1", "get_weather", '{"city": "Rome"}')
    assert core.on_function_call(item) is None  # the server repeated it
    assert core.owed_calls == {"call_1"}
    out = core.tool_output("call_1", "sunny")
    assert _sent(out) == [names.CONVERSATION_ITEM_CREATE] and out[-1] == RequestResponse()
    assert out[0].event["item"] == {"type": "function_call_output", "call_id": "call_1", "output": "sunny"}  # type: ignore[union-attr]
    core.call_finished("call_1")
    assert core.owed_calls == frozenset()


def test_tool_call_then_interrupt_cancels_the_response_but_the_call_is_still_answered() -> None:
    core = ClientCore()
    _created(core)
    core.on_function_call({"type": "function_call", "call_id": "call_1", "name": "slow"})
    assert _sent(core.interrupt(None, now=1.0)) == [names.RESPONSE_CANCEL]
    core.on_response_done({"response": {"id": "resp_1", "status": "cancelled"}})
    assert core.owed_calls == {"call_1"}
    out = core.tool_output("call_1", "done")
    assert _sent(out) == [names.CONVERSATION_ITEM_CREATE] and RequestResponse() in out
    assert _sent(core.request_response()) == [names.RESPONSE_CREATE]  # nothing active any more


def test_manual_turns_ask_for_the_answer_on_commit_and_vad_does_not() -> None:
    manual = ClientCore(manual_turns=True).user_audio(b"\x00\x00", commit=True)
    assert _sent(manual) == [names.INPUT_AUDIO_BUFFER_APPEND, names.INPUT_AUDIO_BUFFER_COMMIT]
    assert manual[-1] == RequestResponse()
    vad = ClientCore().user_audio(b"\x00\x00", commit=True)
    assert RequestResponse() not in vad
    assert ClientCore().user_audio(b"") == []


def test_a_user_message_is_an_item_then_a_request() -> None:
    out = ClientCore().user_message("hello")
    assert _sent(out) == [names.CONVERSATION_ITEM_CREATE] and out[-1] == RequestResponse()
    item = ClientCore().user_message({"content": [{"type": "input_text", "text": "hi"}]})[0].event["item"]  # type: ignore[union-attr]
    assert item["type"] == "message" and item["role"] == "user"


def test_drop_mid_response_reports_it_interrupted_and_resumes_once_reconnected() -> None:
    core = ClientCore()
    core.request_response()
    _created(core)
    _audio(core, 60)
    lost = core.connection_lost()
    assert lost == [AudioInterrupted("item_a", None), ResponseEnded("resp_1", "interrupted")]
    assert core.drops(names.AUDIO_DELTA, {"response_id": "resp_1"})  # a late frame of the old socket
    assert core.connection_restored() == [RequestResponse()]
    assert core.connection_restored() == []  # once
    assert _sent(core.request_response()) == [names.RESPONSE_CREATE]  # the gate starts fresh


def test_drop_while_a_tool_owes_its_output_leaves_the_asking_to_the_tool() -> None:
    core = ClientCore()
    core.request_response()
    _created(core)
    core.on_function_call({"type": "function_call", "call_id": "call_1", "name": "slow"})
    core.connection_lost()
    assert core.connection_restored() == []
    assert RequestResponse() in core.tool_output("call_1", "ok")


def test_drop_while_idle_changes_nothing() -> None:
    core = ClientCore()
    assert core.connection_lost() == []
    assert core.connection_restored() == []


def test_handoff_reconfigures_before_answering_and_keeps_the_first_voice() -> None:
    core = ClientCore()
    core.keep_voice({"voice": "alloy", "instructions": "first"})
    core.on_function_call({"type": "function_call", "call_id": "call_h", "name": "transfer_to_billing"})
    out = core.handoff_output("call_h", "Billing", {"voice": "ash", "instructions": "billing"})
    assert _sent(out) == [names.SESSION_UPDATE, names.CONVERSATION_ITEM_CREATE] and out[-1] == RequestResponse()
    assert out[0].event["session"] == {"voice": "alloy", "instructions": "billing"}  # type: ignore[union-attr]
    output = out[1].event["item"]["output"]  # type: ignore[union-attr]
    assert parse_tool_output(output) == HandoffDone("Billing")


def test_the_voice_the_server_reports_first_is_the_one_kept() -> None:
    core = ClientCore()
    core.on_session_updated({"session": {"audio": {"output": {"voice": "marin"}}}})
    assert core.keep_voice({"voice": "ash"}) == {"voice": "marin"}


def test_a_guardrail_trip_on_the_active_response_cancels_it_and_tells_the_model() -> None:
    core = ClientCore()
    _created(core)
    _audio(core, 100)
    out = core.guardrail_tripped("resp_1", ["no_prices", "polite"], ("item_a", 30.0), now=1.0)
    assert _sent(out) == [names.RESPONSE_CANCEL, names.CONVERSATION_ITEM_TRUNCATE, names.CONVERSATION_ITEM_CREATE]
    text = out[-2].event["item"]["content"][0]["text"]  # type: ignore[union-attr]
    assert parse_guardrail(text) is not None and parse_guardrail(text).names == ("no_prices", "polite")  # type: ignore[union-attr]
    assert out[-1] == RequestResponse()


def test_a_guardrail_trip_after_the_response_ended_does_not_cancel() -> None:
    core = ClientCore()
    _created(core)
    core.on_response_done({"response": {"id": "resp_1"}})
    out = core.guardrail_tripped("resp_1", ["g"], None, now=1.0)
    assert names.RESPONSE_CANCEL not in _sent(out)
    assert core.drops(names.TEXT_DELTA, {"response_id": "resp_1"})


def test_an_unusable_audio_delta_is_a_client_error_not_a_crash() -> None:
    core = ClientCore()
    bad = core.on_audio_delta({"delta": "%%%not-base64", "item_id": "i", "response_id": "r"}, 0.0)
    assert isinstance(bad, ClientError) and bad.code == "invalid_audio"
    missing = core.on_audio_delta({"delta": encode_audio(b"\x00\x00")}, 0.0)
    assert isinstance(missing, ClientError)
    assert core.ledger.current_item_id is None  # nothing was counted as received


def test_approvals_are_asked_once_per_call_and_always_answers_later_calls_of_the_tool() -> None:
    core = ClientCore()
    assert core.approval("call_1", "delete_account") is None  # ask the user
    assert core.awaiting_approval == {"call_1"}
    assert core.resolve_approval("call_1", False, always=True)
    assert not core.resolve_approval("call_1", True)  # answered already: a second answer changes nothing
    assert core.approval("call_2", "delete_account") is False  # the standing answer, nobody is asked
    assert core.approval("call_3", "send_email") is None  # another tool still asks
    assert not core.resolve_approval("call_unknown", True)
    assert core.resolve_approval("call_3", True) and core.approval("call_4", "send_email") is None
