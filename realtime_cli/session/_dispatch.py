"""How a session acts on each server event: the handlers RealtimeSession inherits, one per event kind, each
feeding the client core or the history and performing what comes back.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from ..protocol import core_effects as fx
from ..protocol import names
from ..protocol.client_core import ClientCore, PlaybackPosition
from ..protocol.model_events import RealtimeModelAudioEvent, RealtimeModelRawServerEvent
from ..protocol.model_translate import DERIVED_KINDS, model_events_for
from ..protocol.server_events import ServerEvent
from . import events as ev
from ._guardrail_runner import GuardrailRunner
from ._history_feed import HistoryFeed
from .event_buffer import EventBuffer

logger = logging.getLogger("realtime_cli.session")


class ServerEventHandlers:
    """The server-event half of RealtimeSession (which provides the state and the effect performer)."""

    _core: ClientCore
    _history: HistoryFeed
    _guardrails: GuardrailRunner
    _queue: EventBuffer
    _info: ev.RealtimeEventInfo
    _wire: bool  # the model speaks wire events (ours); False for a custom model with the typed contract

    if TYPE_CHECKING:
        async def _perform(self, effects: list[fx.Effect], *, safe: bool = True) -> bool: ...

        def _emit(self, event: Any) -> None: ...

        def _emit_error(self, code: str, message: str) -> None: ...

        def _playback(self) -> PlaybackPosition | None: ...

    async def _on_server_event(self, event: ServerEvent, *, surface: bool = True) -> None:
        """Act on one server event; `surface` yields it too (as a raw_model_event answering to its wire type)."""
        kind = event.kind
        if self._core.drops(kind, event.data):
            return  # late output of a cancelled response: never surfaces, never plays
        if surface:  # the server event, then the typed model events the Agents SDK's model derives from it
            raw_type = ev.RAW_MODEL_EVENT if kind == names.ERROR else ev.raw_type_for(event.type)
            self._emit(ev.RealtimeRawModelEvent(RealtimeModelRawServerEvent(event.data), self._info, raw_type, event))
            if kind in DERIVED_KINDS:  # a frozenset lookup keeps audio deltas off the call
                try:
                    typed_events = model_events_for(kind, event.data)
                except _MALFORMED:
                    typed_events = []  # the handler below reports the malformed event
                for typed in typed_events:
                    self._emit(ev.RealtimeRawModelEvent(typed, self._info))
        if kind == names.ERROR:
            for effect in self._core.on_error(event.data):
                if isinstance(effect, fx.ServerError):
                    self._emit(ev.RealtimeError(error=effect.error, info=self._info, raw=event))
            return
        handler = _HANDLERS.get(kind)
        if handler is not None:
            try:
                await handler(self, event)
            except _MALFORMED as exc:
                # a server event with fields of the wrong shape costs that event, never the session
                logger.debug("unusable %s event: %r", kind, exc)
                self._emit_error("invalid_server_event", f"Ignored a malformed {kind} event from the server: {exc}")

    async def _on_response_created(self, event: ServerEvent) -> None:
        await self._perform([self._core.on_response_created(event.data)])

    async def _on_response_done(self, event: ServerEvent) -> None:
        await self._perform(self._core.on_response_done(event.data))

    async def _on_audio_delta(self, event: ServerEvent) -> None:
        out = self._core.on_audio_delta(event.data, time.monotonic())
        if type(out) is fx.AudioChunk:
            # The typed audio model event is the `audio` event's `.audio`; it gets no raw_model_event of its own
            # (the reference's would be one more event per delta, and a delta is most of the stream).
            audio = RealtimeModelAudioEvent(out.pcm, out.response_id, out.item_id, out.content_index)
            self._queue.put(ev.RealtimeAudio(audio, out.item_id, out.content_index, self._info))
        else:
            await self._perform([out])

    async def _on_audio_done(self, event: ServerEvent) -> None:
        data = event.data
        index = data.get("content_index")
        self._emit(ev.RealtimeAudioEnd(item_id=str(data.get("item_id", "")),
                                       content_index=index if isinstance(index, int) else 0, info=self._info))

    async def _on_text_delta(self, event: ServerEvent) -> None:
        data = event.data
        item_id, delta = str(data.get("item_id", "")), str(data.get("delta", ""))
        self._history.delta(item_id, delta, audio=event.kind == names.TRANSCRIPT_DELTA)
        await self._guardrails.on_text(str(data.get("response_id", "")), item_id, delta)

    async def _on_text_done(self, event: ServerEvent) -> None:
        data = event.data
        final = data.get("transcript") if "transcript" in data else data.get("text")
        item_id = str(data.get("item_id", ""))
        self._history.final(item_id, final, audio="transcript" in data)
        await self._guardrails.on_final(str(data.get("response_id", "")), item_id, final)

    async def _on_speech_started(self, event: ServerEvent) -> None:
        await self._perform(self._core.on_speech_started(self._playback(), time.monotonic()))

    async def _on_output_item_done(self, event: ServerEvent) -> None:
        item = _as_dict(event.data.get("item"))
        self._history.upsert(item)
        if item.get("type") == "function_call":
            call = self._core.on_function_call(item)
            if call is not None:
                await self._perform([call])

    async def _on_item(self, event: ServerEvent) -> None:
        item = event.data.get("item")
        if isinstance(item, dict):
            self._history.upsert(item, event.data.get("previous_item_id"))

    async def _on_transcription(self, event: ServerEvent) -> None:
        self._history.transcript(str(event.data.get("item_id", "")), str(event.data.get("transcript", "")))

    async def _on_item_deleted(self, event: ServerEvent) -> None:
        self._history.delete(str(event.data.get("item_id", "")))

    async def _on_timeout(self, event: ServerEvent) -> None:
        self._emit(ev.RealtimeInputAudioTimeoutTriggered(info=self._info))

    async def _on_session_updated(self, event: ServerEvent) -> None:
        self._core.on_session_updated(event.data)


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_MALFORMED = (TypeError, ValueError, AttributeError, KeyError, IndexError)  # a server event of the wrong shape

_HANDLERS = {
    names.RESPONSE_CREATED: ServerEventHandlers._on_response_created,
    names.RESPONSE_DONE: ServerEventHandlers._on_response_done,
    names.AUDIO_DELTA: ServerEventHandlers._on_audio_delta,
    names.AUDIO_DONE: ServerEventHandlers._on_audio_done,
    names.TRANSCRIPT_DELTA: ServerEventHandlers._on_text_delta,
    names.TEXT_DELTA: ServerEventHandlers._on_text_delta,
    names.TRANSCRIPT_DONE: ServerEventHandlers._on_text_done,
    names.TEXT_DONE: ServerEventHandlers._on_text_done,
    names.SPEECH_STARTED: ServerEventHandlers._on_speech_started,
    names.OUTPUT_ITEM_DONE: ServerEventHandlers._on_output_item_done,
    names.OUTPUT_ITEM_ADDED: ServerEventHandlers._on_item,
    names.ITEM_ADDED: ServerEventHandlers._on_item,
    names.ITEM_DONE: ServerEventHandlers._on_item,
    names.ITEM_RETRIEVED: ServerEventHandlers._on_item,
    names.TRANSCRIPTION_COMPLETED: ServerEventHandlers._on_transcription,
    names.ITEM_DELETED: ServerEventHandlers._on_item_deleted,
    names.BUFFER_TIMEOUT: ServerEventHandlers._on_timeout,
    names.SESSION_UPDATED: ServerEventHandlers._on_session_updated,
    names.SESSION_CREATED: ServerEventHandlers._on_session_updated,
}
