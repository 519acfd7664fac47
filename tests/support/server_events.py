"""Builders of realistic server events for scripted tests, in either dialect."""

from __future__ import annotations

import base64
import itertools
from typing import Any

from realtime_cli.protocol.names import Dialect, wire_type

_ids = itertools.count(1)


def _eid() -> str:
    return f"event_{next(_ids)}"


class Events:
    """Server events of one dialect. Canonical names go in; the dialect's wire names come out."""

    def __init__(self, dialect: Dialect = "ga") -> None:
        self.dialect = dialect

    def _ev(self, canonical: str, **fields: Any) -> dict[str, Any]:
        return {"type": wire_type(canonical, self.dialect), "event_id": _eid(), **fields}

    def session_created(self, model: str = "gpt-realtime") -> dict[str, Any]:
        if self.dialect == "ga":
            session = {"type": "realtime", "object": "realtime.session", "id": "sess_1", "model": model,
                       "output_modalities": ["audio"], "instructions": "",
                       "audio": {"output": {"voice": "alloy"}}}
        else:
            session = {"id": "sess_1", "object": "realtime.session", "model": model, "modalities": ["text", "audio"],
                       "voice": "alloy"}
        return self._ev("session.created", session=session)

    def session_updated(self, **session: Any) -> dict[str, Any]:
        base = {"type": "realtime"} if self.dialect == "ga" else {}
        return self._ev("session.updated", session={**base, **session})

    def response_created(self, rid: str) -> dict[str, Any]:
        response = {"id": rid, "object": "realtime.response", "status": "in_progress", "output": []}
        return self._ev("response.created", response=response)

    def response_done(self, rid: str, status: str = "completed", reason: str | None = None,
                      output: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        details = {"type": status, "reason": reason} if reason else None
        response = {"id": rid, "object": "realtime.response", "status": status, "status_details": details,
                    "output": output or [], "usage": {"total_tokens": 10, "input_tokens": 4, "output_tokens": 6}}
        return self._ev("response.done", response=response)

    def assistant_item(self, item_id: str, status: str = "in_progress") -> dict[str, Any]:
        return {"id": item_id, "type": "message", "role": "assistant", "status": status, "content": [],
                "object": "realtime.item"}

    def output_item_added(self, rid: str, item_id: str) -> dict[str, Any]:
        return self._ev("response.output_item.added", response_id=rid, output_index=0,
                        item=self.assistant_item(item_id))

    def output_item_done(self, rid: str, item: dict[str, Any]) -> dict[str, Any]:
        return self._ev("response.output_item.done", response_id=rid, output_index=0, item=item)

    def item_added(self, item: dict[str, Any], previous: str | None = None) -> dict[str, Any]:
        return self._ev("conversation.item.added", item=item, previous_item_id=previous)

    def audio_delta(self, rid: str, item_id: str, pcm: bytes) -> dict[str, Any]:
        return self._ev("response.output_audio.delta", response_id=rid, item_id=item_id, output_index=0,
                        content_index=0, delta=base64.b64encode(pcm).decode())

    def audio_done(self, rid: str, item_id: str) -> dict[str, Any]:
        return self._ev("response.output_audio.done", response_id=rid, item_id=item_id, output_index=0,
                        content_index=0)

    def transcript_delta(self, rid: str, item_id: str, delta: str) -> dict[str, Any]:
        return self._ev("response.output_audio_transcript.delta", response_id=rid, item_id=item_id,
                        output_index=0, content_index=0, delta=delta)

    def transcript_done(self, rid: str, item_id: str, transcript: str) -> dict[str, Any]:
        return self._ev("response.output_audio_transcript.done", response_id=rid, item_id=item_id,
                        output_index=0, content_index=0, transcript=transcript)

    def text_delta(self, rid: str, item_id: str, delta: str) -> dict[str, Any]:
        return self._ev("response.output_text.delta", response_id=rid, item_id=item_id, output_index=0,
                        content_index=0, delta=delta)

    def text_done(self, rid: str, item_id: str, text: str) -> dict[str, Any]:
        return self._ev("response.output_text.done", response_id=rid, item_id=item_id, output_index=0,
                        content_index=0, text=text)

    def function_call(self, rid: str, item_id: str, call_id: str, name: str, arguments: str) -> dict[str, Any]:
        item = {"id": item_id, "type": "function_call", "call_id": call_id, "name": name, "arguments": arguments,
                "status": "completed", "object": "realtime.item"}
        return self.output_item_done(rid, item)

    def speech_started(self, item_id: str, ms: int = 100) -> dict[str, Any]:
        return self._ev("input_audio_buffer.speech_started", audio_start_ms=ms, item_id=item_id)

    def committed(self, item_id: str) -> dict[str, Any]:
        return self._ev("input_audio_buffer.committed", item_id=item_id, previous_item_id=None)

    def transcription_completed(self, item_id: str, transcript: str) -> dict[str, Any]:
        fields: dict[str, Any] = {"item_id": item_id, "content_index": 0, "transcript": transcript,
                                  "usage": {"type": "duration", "seconds": 1.0}}
        return self._ev("conversation.item.input_audio_transcription.completed", **fields)

    def error(self, code: str, message: str, event_id: str | None = None) -> dict[str, Any]:
        return self._ev("error", error={"type": "invalid_request_error", "code": code, "message": message,
                                        "param": None, "event_id": event_id})

    def assistant_turn(self, rid: str, item_id: str, text: str, pcm: bytes = b"", chunks: int = 2) -> list[dict[str, Any]]:
        """A whole audio response: created, item, audio + transcript deltas, dones, response.done."""
        out = [self.response_created(rid), self.output_item_added(rid, item_id)]
        words = text.split(" ")
        step = max(1, len(words) // chunks)
        audio_step = max(2, (len(pcm) // chunks) & ~1) if pcm else 0
        for i in range(chunks):
            piece = " ".join(words[i * step:(i + 1) * step if i < chunks - 1 else None])
            if pcm:
                out.append(self.audio_delta(rid, item_id, pcm[i * audio_step:(i + 1) * audio_step if i < chunks - 1 else None]))
            if piece:
                out.append(self.transcript_delta(rid, item_id, (" " if i else "") + piece))
        if pcm:
            out.append(self.audio_done(rid, item_id))
        out.append(self.transcript_done(rid, item_id, text))
        item = dict(self.assistant_item(item_id, "completed"),
                    content=[{"type": "output_audio" if self.dialect == "ga" else "audio", "transcript": text}])
        out.append(self.output_item_done(rid, item))
        out.append(self.response_done(rid, output=[item]))
        return out
