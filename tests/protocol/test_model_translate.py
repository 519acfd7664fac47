"""Server events as the typed model events the Agents SDK's WebSocket model derives from them, with plain data."""

from __future__ import annotations

from realtime_cli.protocol import model_events as me
from realtime_cli.protocol import names
from realtime_cli.protocol.items import AssistantMessageItem, RealtimeToolCallItem, UserMessageItem
from realtime_cli.protocol.model_translate import model_events_for

USAGE = {"total_tokens": 30, "input_tokens": 12, "output_tokens": 18,
         "input_token_details": {"text_tokens": 2, "audio_tokens": 10, "cached_tokens": 4,
                                 "cached_tokens_details": {"text_tokens": 1, "audio_tokens": 3}},
         "output_token_details": {"text_tokens": 5, "audio_tokens": 13}}


def test_a_response_is_a_turn_with_its_usage() -> None:
    assert model_events_for(names.RESPONSE_CREATED, {"response": {"id": "resp_1"}}) == [
        me.RealtimeModelTurnStartedEvent(response_id="resp_1")]
    usage, ended = model_events_for(names.RESPONSE_DONE, {"response": {"id": "resp_1", "usage": USAGE}})
    assert ended == me.RealtimeModelTurnEndedEvent(response_id="resp_1")
    assert isinstance(usage, me.RealtimeModelUsageEvent)
    assert (usage.usage.requests, usage.usage.input_tokens, usage.usage.output_tokens, usage.usage.total_tokens) \
        == (1, 12, 18, 30)
    assert usage.usage.input_tokens_details.cached_tokens == 4
    assert usage.input_tokens_details == me.RealtimeModelInputTokensDetails(
        text_tokens=2, audio_tokens=10, image_tokens=None, cached_tokens=4,
        cached_tokens_details=me.RealtimeModelCachedTokensDetails(text_tokens=1, audio_tokens=3))
    assert usage.output_tokens_details == me.RealtimeModelOutputTokensDetails(text_tokens=5, audio_tokens=13)
    assert model_events_for(names.RESPONSE_DONE, {"response": {"id": "resp_2"}}) == [
        me.RealtimeModelTurnEndedEvent(response_id="resp_2")]  # no usage reported, no usage event


def test_deltas_transcripts_timeouts_deletions_and_errors() -> None:
    delta = {"item_id": "item_a", "response_id": "resp_1", "delta": "Hel"}
    assert model_events_for(names.TRANSCRIPT_DELTA, delta) == [
        me.RealtimeModelTranscriptDeltaEvent(item_id="item_a", delta="Hel", response_id="resp_1")]
    assert model_events_for(names.TEXT_DELTA, delta) == [
        me.RealtimeModelOutputTextDeltaEvent(item_id="item_a", delta="Hel", response_id="resp_1")]
    assert model_events_for(names.AUDIO_DONE, {"item_id": "item_a", "content_index": 0}) == [
        me.RealtimeModelAudioDoneEvent(item_id="item_a", content_index=0)]
    assert model_events_for(names.TRANSCRIPTION_COMPLETED, {"item_id": "item_u", "transcript": "hi"}) == [
        me.RealtimeModelInputAudioTranscriptionCompletedEvent(item_id="item_u", transcript="hi")]
    assert model_events_for(names.BUFFER_TIMEOUT, {"item_id": "item_u", "audio_start_ms": 5, "audio_end_ms": 900}) \
        == [me.RealtimeModelInputAudioTimeoutTriggeredEvent(item_id="item_u", audio_start_ms=5, audio_end_ms=900)]
    assert model_events_for(names.ITEM_DELETED, {"item_id": "item_u"}) == [
        me.RealtimeModelItemDeletedEvent(item_id="item_u")]
    error = {"type": "invalid_request_error", "message": "bad"}
    assert model_events_for(names.ERROR, {"error": error}) == [me.RealtimeModelErrorEvent(error=error)]
    # audio is decoded once by the session, which reports it as the `audio` event; others have no typed event
    assert model_events_for(names.AUDIO_DELTA, {"delta": "AAAA"}) == []
    assert model_events_for(names.SESSION_UPDATED, {"session": {}}) == []


def test_items_become_typed_item_updates_and_a_finished_call_a_tool_call() -> None:
    user = {"id": "item_u", "type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    (updated,) = model_events_for(names.ITEM_ADDED, {"item": user, "previous_item_id": "item_0"})
    assert isinstance(updated.item, UserMessageItem) and updated.item.previous_item_id == "item_0"
    assistant = {"id": "item_a", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    (updated,) = model_events_for(names.OUTPUT_ITEM_ADDED, {"item": assistant})
    assert isinstance(updated.item, AssistantMessageItem) and updated.item.status == "in_progress"
    call = {"id": "fc_1", "type": "function_call", "status": "completed", "call_id": "call_1", "name": "lookup",
            "arguments": '{"q": 1}'}
    assert model_events_for(names.OUTPUT_ITEM_ADDED, {"item": {**call, "status": "in_progress"}}) == []
    item, tool_call = model_events_for(names.OUTPUT_ITEM_DONE, {"item": call})
    assert isinstance(item.item, RealtimeToolCallItem) and item.item.status == "in_progress"
    assert tool_call == me.RealtimeModelToolCallEvent(name="lookup", call_id="call_1", arguments='{"q": 1}', id="fc_1")
    assert model_events_for(names.ITEM_ADDED, {"item": {"type": "function_call_output", "call_id": "call_1"}}) == []
    assert model_events_for(names.ITEM_ADDED, {"item": "not an item"}) == []
