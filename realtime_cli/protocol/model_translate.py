"""Between the two model contracts: a custom model's typed events as the canonical server events the session
acts on, and server events as the typed model events the Agents SDK's WebSocket model would have derived.

Pure data in and out: `server_events_for(event)` gives the GA-shaped event dicts one model event stands for;
`model_events_for(kind, data)` the typed model events one server event stands for.
"""

from __future__ import annotations

from typing import Any

from . import model_events as me
from . import names
from .codecs import encode_audio
from .items import item_from_wire
from .usage import usage_from_response

_ASSISTANT_WIRE = {"text": "output_text", "audio": "output_audio"}


def item_to_wire(item: Any) -> dict[str, Any]:
    """A typed history item as a wire conversation item."""
    data = item.model_dump(exclude_none=True)
    wire: dict[str, Any] = {"id": data.pop("item_id"), **data}
    wire.pop("previous_item_id", None)
    if wire.get("role") == "assistant":
        wire["content"] = [{**p, "type": _ASSISTANT_WIRE.get(p.get("type"), p.get("type"))}
                           for p in wire.get("content", [])]
    return wire


def _error_body(error: Any) -> dict[str, Any]:
    if isinstance(error, dict):
        return dict(error)
    message = getattr(error, "message", None)
    return {"type": "model_error", "message": str(message if message is not None else error)}


def server_events_for(event: Any) -> list[dict[str, Any]]:
    """The server events (GA names) a typed model event stands for; [] for events with no server meaning
    (raw server events, vendor events, usage and connection news are handled or surfaced by the caller)."""
    if isinstance(event, me.RealtimeModelAudioEvent):
        return [{"type": "response.output_audio.delta", "response_id": event.response_id, "item_id": event.item_id,
                 "content_index": event.content_index, "delta": encode_audio(event.data)}]
    if isinstance(event, me.RealtimeModelAudioDoneEvent):
        return [{"type": "response.output_audio.done", "item_id": event.item_id,
                 "content_index": event.content_index}]
    if isinstance(event, me.RealtimeModelAudioInterruptedEvent):
        return [{"type": "input_audio_buffer.speech_started", "item_id": event.item_id, "audio_start_ms": 0}]
    if isinstance(event, me.RealtimeModelTranscriptDeltaEvent):
        return [{"type": "response.output_audio_transcript.delta", "item_id": event.item_id,
                 "response_id": event.response_id, "delta": event.delta}]
    if isinstance(event, me.RealtimeModelOutputTextDeltaEvent):
        return [{"type": "response.output_text.delta", "item_id": event.item_id,
                 "response_id": event.response_id, "delta": event.delta}]
    if isinstance(event, me.RealtimeModelItemUpdatedEvent):
        return [{"type": "conversation.item.added", "previous_item_id": event.item.previous_item_id,
                 "item": item_to_wire(event.item)}]
    if isinstance(event, me.RealtimeModelItemDeletedEvent):
        return [{"type": "conversation.item.deleted", "item_id": event.item_id}]
    if isinstance(event, me.RealtimeModelToolCallEvent):
        item = {"id": event.id or event.call_id, "type": "function_call", "status": "completed",
                "call_id": event.call_id, "name": event.name, "arguments": event.arguments}
        return [{"type": "response.output_item.done", "item": item}]
    if isinstance(event, me.RealtimeModelTurnStartedEvent):
        return [{"type": "response.created", "response": {"id": event.response_id or "", "status": "in_progress"}}]
    if isinstance(event, me.RealtimeModelTurnEndedEvent):
        return [{"type": "response.done", "response": {"id": event.response_id or "", "status": "completed"}}]
    if isinstance(event, me.RealtimeModelInputAudioTranscriptionCompletedEvent):
        return [{"type": "conversation.item.input_audio_transcription.completed", "item_id": event.item_id,
                 "transcript": event.transcript}]
    if isinstance(event, me.RealtimeModelInputAudioTimeoutTriggeredEvent):
        return [{"type": "input_audio_buffer.timeout_triggered", "item_id": event.item_id,
                 "audio_start_ms": event.audio_start_ms, "audio_end_ms": event.audio_end_ms}]
    if isinstance(event, me.RealtimeModelErrorEvent):
        return [{"type": "error", "error": _error_body(event.error)}]
    if isinstance(event, me.RealtimeModelExceptionEvent):
        where = f" ({event.context})" if event.context else ""
        return [{"type": "error", "error": {"type": "model_exception", "message": f"{event.exception}{where}"}}]
    return []


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _usage_event(response: dict[str, Any]) -> me.RealtimeModelUsageEvent | None:
    usage = usage_from_response(response)
    if usage is None:
        return None
    raw = response["usage"]
    details = raw.get("input_token_details") or raw.get("input_tokens_details")
    out_details = raw.get("output_token_details") or raw.get("output_tokens_details")
    inputs = outputs = None
    if isinstance(details, dict):
        cached = details.get("cached_tokens_details")
        inputs = me.RealtimeModelInputTokensDetails(
            audio_tokens=details.get("audio_tokens"), text_tokens=details.get("text_tokens"),
            image_tokens=details.get("image_tokens"), cached_tokens=details.get("cached_tokens"),
            cached_tokens_details=me.RealtimeModelCachedTokensDetails(**{
                k: cached.get(k) for k in ("audio_tokens", "text_tokens", "image_tokens")})
            if isinstance(cached, dict) else None)
    if isinstance(out_details, dict):
        outputs = me.RealtimeModelOutputTokensDetails(text_tokens=out_details.get("text_tokens"),
                                                      audio_tokens=out_details.get("audio_tokens"))
    return me.RealtimeModelUsageEvent(usage=usage, input_tokens_details=inputs, output_tokens_details=outputs)


DERIVED_KINDS = frozenset({  # the server events model_events_for derives typed events from; [] for the rest
    names.TRANSCRIPT_DELTA, names.TEXT_DELTA, names.RESPONSE_CREATED, names.RESPONSE_DONE, names.AUDIO_DONE,
    names.OUTPUT_ITEM_ADDED, names.OUTPUT_ITEM_DONE, names.ITEM_ADDED, names.ITEM_RETRIEVED, names.ITEM_DELETED,
    names.TRANSCRIPTION_COMPLETED, names.BUFFER_TIMEOUT, names.ERROR,
})


def model_events_for(kind: str, data: dict[str, Any]) -> list[Any]:
    """The typed model events the Agents SDK's WebSocket model derives from one server event (`kind` is its
    canonical name, one of DERIVED_KINDS to get any). Output audio is left to the caller, which decodes it once
    for playback anyway, and so is an interrupt of playback, which is the session's decision."""
    if kind in _TEXT_DELTAS:
        return [_TEXT_DELTAS[kind](item_id=_str(data, "item_id"), delta=_str(data, "delta"),
                                   response_id=_str(data, "response_id"))]
    if kind == names.RESPONSE_CREATED:
        response = data.get("response")
        rid = response.get("id") if isinstance(response, dict) else None
        return [me.RealtimeModelTurnStartedEvent(response_id=rid if isinstance(rid, str) else None)]
    if kind == names.RESPONSE_DONE:
        response = data.get("response")
        response = response if isinstance(response, dict) else {}
        rid = response.get("id")
        usage = _usage_event(response)
        ended = me.RealtimeModelTurnEndedEvent(response_id=rid if isinstance(rid, str) else None)
        return [usage, ended] if usage is not None else [ended]
    if kind == names.AUDIO_DONE:
        return [me.RealtimeModelAudioDoneEvent(item_id=_str(data, "item_id"),
                                               content_index=_int(data, "content_index"))]
    if kind in (names.OUTPUT_ITEM_ADDED, names.OUTPUT_ITEM_DONE, names.ITEM_ADDED, names.ITEM_RETRIEVED):
        return _item_events(kind, data)
    if kind == names.ITEM_DELETED:
        return [me.RealtimeModelItemDeletedEvent(item_id=_str(data, "item_id"))]
    if kind == names.TRANSCRIPTION_COMPLETED:
        return [me.RealtimeModelInputAudioTranscriptionCompletedEvent(item_id=_str(data, "item_id"),
                                                                      transcript=_str(data, "transcript"))]
    if kind == names.BUFFER_TIMEOUT:
        return [me.RealtimeModelInputAudioTimeoutTriggeredEvent(
            item_id=_str(data, "item_id"), audio_start_ms=_int(data, "audio_start_ms"),
            audio_end_ms=_int(data, "audio_end_ms"))]
    if kind == names.ERROR:
        return [me.RealtimeModelErrorEvent(error=data.get("error"))]
    return []


_TEXT_DELTAS: dict[str, Any] = {names.TRANSCRIPT_DELTA: me.RealtimeModelTranscriptDeltaEvent,
                                names.TEXT_DELTA: me.RealtimeModelOutputTextDeltaEvent}


def _item_events(kind: str, data: dict[str, Any]) -> list[Any]:
    item = data.get("item")
    if not isinstance(item, dict):
        return []
    output = kind in (names.OUTPUT_ITEM_ADDED, names.OUTPUT_ITEM_DONE)
    if item.get("type") == "function_call":
        if kind != names.OUTPUT_ITEM_DONE or item.get("status") not in (None, "completed"):
            return []
        call = item_from_wire({**item, "output": None})  # the call's item; its output completes it later
        return [me.RealtimeModelItemUpdatedEvent(item=call),  # type: ignore[arg-type]
                me.RealtimeModelToolCallEvent(name=_str(item, "name"), call_id=_str(item, "call_id"),
                                              arguments=_str(item, "arguments"), id=_str(item, "id"))]
    if item.get("type") != "message":
        return []
    previous = None if output else data.get("previous_item_id")
    message = item_from_wire(item, previous if isinstance(previous, str) else None)
    return [me.RealtimeModelItemUpdatedEvent(item=message)] if message is not None else []
