"""A custom model's typed events as the canonical server events the session already acts on.

Pure data in and out: `server_events_for(event)` gives the GA-shaped event dicts one model event stands for.
"""

from __future__ import annotations

from typing import Any

from . import model_events as me
from .codecs import encode_audio

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
