"""One session of the local engine: applies client events to the session state and answers with the events,
order and errors of the real service. Transport-agnostic: it is handed frames and an async `send`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from ..protocol import names
from ..protocol.codecs import AudioDecodeError, decode_audio, sample_rate
from ..protocol.names import Dialect
from ..protocol.session_config import VOICES, SessionConfig, session_from_wire, session_to_wire
from ..protocol.state import ACTIVE_RESPONSE_ERROR, CANCEL_NOT_ACTIVE_ERROR
from .ahead import PartialWords
from .brain import Brain, BrainContext
from .brain_llm import LlmBrain, default_brain
from .checks import check_item_size, check_response_params, check_session, vocabulary_config
from .conversation import Conversation, Item
from .responder import Decision, Response, ResponseSpec, stream_response, usage, warm_voice
from .speech import domain_model
from .turns import InputTurns, Partial, SpeechStarted, SpeechStopped
from .wire import ClientEventError, ClientGone, check_event_shape, check_item, error_event, new_id, optional, require

logger = logging.getLogger("realtime_cli.local")
Send = Callable[[dict[str, Any]], Awaitable[None]]


def default_config(model: str) -> SessionConfig:
    """What a new session starts with (the service's defaults)."""
    return {"model": model, "instructions": "", "voice": "alloy", "output_modalities": ["audio"],
            "input_audio_format": "pcm16", "output_audio_format": "pcm16", "input_audio_transcription": None,
            "turn_detection": dict(names.SERVER_VAD_DEFAULTS),  # type: ignore[typeddict-item]
            "tools": [], "tool_choice": "auto", "max_output_tokens": "inf"}


class EngineSession:
    """The state of one connection: config, conversation, input audio, the active response."""

    def __init__(self, send: Send, dialect: Dialect, model: str, brain: Brain | LlmBrain | None = None,
                 greet_after_ms: int | None = None) -> None:
        self._send = send
        self.dialect: Dialect = dialect
        self.session_id = new_id("sess")
        self.cfg = default_config(model)
        self.conv = Conversation()
        self.turns = InputTurns()
        self.brain = brain or default_brain()
        self.response: Response | None = None
        self._audio_produced = False
        self._speech_item: str | None = None
        self._partials = PartialWords()  # partial transcript deltas of the turn being spoken
        self._idle_task: asyncio.Task[None] | None = None
        self._model_task: asyncio.Task[None] | None = None
        self._greet_after_ms = greet_after_ms
        self._greet_task: asyncio.Task[None] | None = None
        self._client_spoke = False
        self.turns.configure(self.cfg.get("turn_detection"), "pcm16")

    # --- output ------------------------------------------------------------------------------------------------

    async def emit(self, canonical: str, **fields: Any) -> None:
        await self._send({"type": names.wire_type(canonical, self.dialect), "event_id": new_id("event"), **fields})

    def _session_wire(self) -> dict[str, Any]:
        body = session_to_wire(self.cfg, self.dialect)
        body.update(id=self.session_id, object="realtime.session")
        return body

    async def start(self) -> None:
        await self.emit(names.SESSION_CREATED, session=self._session_wire())
        self._rebuild_model()
        warm_voice(str(self.cfg.get("voice") or "alloy"))

    async def close(self) -> None:
        self.turns.close()
        for task in (self._idle_task, self._model_task, self._greet_task,
                     self.response.task if self.response else None):
            if task is not None:
                task.cancel()

    # --- input -------------------------------------------------------------------------------------------------

    async def handle_frame(self, frame: str | bytes) -> None:
        """Apply one client frame; every problem becomes an `error` event and the session goes on."""
        event_id: str | None = None
        try:
            try:
                event = json.loads(frame)
            except (ValueError, UnicodeDecodeError) as exc:
                raise ClientEventError(f"The server failed to parse the event: {exc}", code="invalid_json") from None
            except RecursionError:
                raise ClientEventError("The server failed to parse the event: it is nested too deeply.",
                                       code="invalid_json") from None
            if isinstance(event, dict) and isinstance(event.get("event_id"), str):
                event_id = event["event_id"]
            kind, event_id = check_event_shape(event)
            if kind != names.SESSION_UPDATE:
                self._client_spoke = True
                if self._greet_task is not None:
                    self._greet_task.cancel()
                    self._greet_task = None
            await _HANDLERS[kind](self, event)
        except ClientEventError as exc:
            await self._send(error_event(exc, event_id))
        except ClientGone:
            raise
        except Exception:  # an engine bug must cost one event, not the session
            logger.exception("engine error while handling a client event")
            await self._send(error_event(ClientEventError(
                "The server had an error while processing your request.", code="server_error", kind="server_error"),
                event_id))

    async def _session_update(self, event: dict[str, Any]) -> None:
        session = require(event, "session", dict, "an object")
        if self.dialect == "ga" and session.get("type") not in ("realtime", None):
            raise ClientEventError(f"Invalid value: '{session.get('type')}'. Supported values are: 'realtime'.",
                                   param="session.type")
        update = session_from_wire(session, self.dialect)
        voice = update.get("voice")
        if voice is not None:
            if voice not in VOICES:
                raise ClientEventError(f"Invalid value: '{voice}'. Supported values are: "
                                       f"{', '.join(repr(v) for v in VOICES)}.", param="session.voice")
            if self._audio_produced and voice != self.cfg.get("voice"):
                raise ClientEventError("Cannot update a conversation's voice if assistant audio is present.",
                                       code="cannot_update_voice", param="session.voice")
        check_session(update)
        merged = cast(SessionConfig, {**self.cfg, **update})
        self.cfg = merged
        self.turns.configure(merged.get("turn_detection"), merged.get("input_audio_format", "pcm16"))
        self.turns.partials_wanted = bool(merged.get("input_audio_transcription"))
        self._rebuild_model()
        if voice is not None:
            warm_voice(voice)
        self._arm_idle_timer()
        await self.emit(names.SESSION_UPDATED, session=self._session_wire())
        if self._greet_after_ms is not None and not self._client_spoke:
            if self._greet_task is not None:
                self._greet_task.cancel()
            self._greet_task = asyncio.create_task(self._greet(self._greet_after_ms))

    async def _greet(self, delay_ms: int) -> None:
        """Speak first when the client stays silent after configuring (an agent that opens the conversation)."""
        await asyncio.sleep(delay_ms / 1000)
        self._greet_task = None
        if not self._client_spoke and self.response is None:
            await self._start_response(None)

    def _rebuild_model(self) -> None:
        cfg = vocabulary_config(self.cfg)

        async def build() -> None:
            model = await asyncio.to_thread(domain_model, cfg)
            self.turns.set_model(model)

        if self._model_task is not None:
            self._model_task.cancel()
        self._model_task = asyncio.create_task(build())

    async def _ready_model(self) -> None:
        if self._model_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._model_task

    async def _append(self, event: dict[str, Any]) -> None:
        audio = require(event, "audio", str, "a string")
        try:
            data = decode_audio(audio, self.cfg.get("input_audio_format", "pcm16"))
        except AudioDecodeError as exc:
            raise ClientEventError(f"Invalid 'audio': {exc}.", param="audio") from None
        await self._ready_model()
        fmt = self.cfg.get("input_audio_format", "pcm16")
        second = sample_rate(fmt) * (2 if fmt == "pcm16" else 1)  # bytes of one second of audio
        for start in range(0, max(len(data), 1), second):  # a long append a second at a time: others run between
            if start:
                await asyncio.sleep(0)
            for vad_event in await self.turns.append(data[start:start + second]):
                if isinstance(vad_event, SpeechStarted):
                    await self._speech_started(vad_event.audio_start_ms)
                elif isinstance(vad_event, SpeechStopped):
                    await self._speech_stopped(vad_event.audio_end_ms)
                elif isinstance(vad_event, Partial):
                    await self._partial(vad_event.text)

    def _turn_item(self) -> str:
        """The id the item of the turn being spoken will have (the speech item with server VAD)."""
        if self._speech_item is None:
            self._speech_item = new_id("item")
        return self._speech_item

    async def _partial(self, text: str) -> None:
        if self.cfg.get("input_audio_transcription"):
            item_id = self._turn_item()
            if delta := self._partials.partial(text, item_id):
                await self.emit(names.TRANSCRIPTION_DELTA, item_id=item_id, content_index=0, delta=delta)

    async def _speech_started(self, audio_start_ms: int) -> None:
        self._cancel_idle_timer()
        self._speech_item = new_id("item")
        await self.emit(names.SPEECH_STARTED, audio_start_ms=audio_start_ms, item_id=self._speech_item)
        td = self.cfg.get("turn_detection") or {}
        if self.response is not None and td.get("interrupt_response", True):
            await self._cancel_response("turn_detected")

    async def _speech_stopped(self, audio_end_ms: int) -> None:
        item_id = self._speech_item or new_id("item")
        await self.emit(names.SPEECH_STOPPED, audio_end_ms=audio_end_ms, item_id=item_id)
        await self._commit_turn(item_id, auto=True)

    async def _commit(self, event: dict[str, Any]) -> None:
        if self.turns.buffered_ms < 100 and self.turns.buffered_ms == 0:
            raise ClientEventError(
                "Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, "
                f"but buffer only has {self.turns.buffered_ms:.2f}ms of audio.",
                code="input_audio_buffer_commit_empty")
        await self._commit_turn(self._turn_item(), auto=False)

    async def _commit_turn(self, item_id: str, *, auto: bool) -> None:
        await self._ready_model()
        turn = await self.turns.commit()
        self._speech_item = None
        if turn is None:
            return
        previous = self.conv.last_id()
        await self.emit(names.BUFFER_COMMITTED, item_id=item_id, previous_item_id=previous)
        item = Item(item_id, "message", role="user", has_audio=True, audio_ms=turn.audio_ms)
        self.conv.add(item)
        await self.emit(names.ITEM_ADDED, previous_item_id=previous, item=item.to_wire(self.dialect))
        if self.dialect == "ga":
            await self.emit(names.ITEM_DONE, previous_item_id=previous, item=item.to_wire(self.dialect))
        item.text = turn.text
        if self.cfg.get("input_audio_transcription"):
            for delta in self._partials.final(turn.text, item_id):
                await self.emit(names.TRANSCRIPTION_DELTA, item_id=item_id, content_index=0, delta=delta)
            await self.emit(names.TRANSCRIPTION_COMPLETED, item_id=item_id, content_index=0, transcript=turn.text,
                            usage={"type": "duration", "seconds": round(turn.audio_ms / 1000, 3)})
        td = self.cfg.get("turn_detection")
        if auto and td and td.get("create_response", True) and self.response is None:
            await self._start_response(None)

    async def _clear(self, event: dict[str, Any]) -> None:
        await self.turns.clear()
        if not self.turns.vad_enabled:
            self._speech_item = None  # its partial transcripts (if any) were of audio now gone
        self._partials.reset()
        await self.emit(names.BUFFER_CLEARED)

    async def _item_create(self, event: dict[str, Any]) -> None:
        raw = check_item(require(event, "item", dict, "an object"))
        check_item_size(raw, len(self.conv))
        previous_id = optional(event, "previous_item_id", str, "a string")
        if previous_id is not None and self.conv.get(previous_id) is None:
            raise ClientEventError(f"Previous item with id '{previous_id}' does not exist.",
                                   param="previous_item_id")
        item_id = str(raw["id"]) if isinstance(raw.get("id"), str) else new_id("item")
        if self.conv.get(item_id) is not None:
            raise ClientEventError(f"Item with id '{item_id}' already exists.", code="item_already_exists",
                                   param="item.id")
        item = Item(item_id, raw["type"], role=raw.get("role"), name=raw.get("name"), call_id=raw.get("call_id"),
                    arguments=raw.get("arguments"), output=raw.get("output"))
        for part in raw.get("content") or []:
            item.text += str(part.get("text") or part.get("transcript") or "")
            item.has_audio = item.has_audio or "audio" in str(part.get("type"))
        previous = self.conv.add(item, previous_id)
        await self.emit(names.ITEM_ADDED, previous_item_id=previous, item=item.to_wire(self.dialect))
        if self.dialect == "ga":
            await self.emit(names.ITEM_DONE, previous_item_id=previous, item=item.to_wire(self.dialect))

    def _existing(self, event: dict[str, Any]) -> Item:
        item_id = require(event, "item_id", str, "a string")
        item = self.conv.get(item_id)
        if item is None:
            raise ClientEventError(f"Item with item_id '{item_id}' not found.", code="item_not_found",
                                   param="item_id")
        return item

    async def _retrieve(self, event: dict[str, Any]) -> None:
        await self.emit(names.ITEM_RETRIEVED, item=self._existing(event).to_wire(self.dialect))

    async def _delete(self, event: dict[str, Any]) -> None:
        item = self._existing(event)
        self.conv.delete(item.id)
        await self.emit(names.ITEM_DELETED, item_id=item.id)

    async def _truncate(self, event: dict[str, Any]) -> None:
        item = self._existing(event)
        content_index = require(event, "content_index", int, "an integer")
        end_ms = require(event, "audio_end_ms", int, "an integer")
        if item.role != "assistant" or not item.has_audio:
            raise ClientEventError("Only model output audio messages can be truncated.", param="item_id")
        if content_index != 0:
            raise ClientEventError(f"Invalid 'content_index': {content_index}; the item has one content part.",
                                   param="content_index")
        if end_ms < 0 or end_ms > round(item.audio_ms):
            raise ClientEventError(f"Audio content of {round(item.audio_ms)}ms is already shorter than {end_ms}ms.",
                                   param="audio_end_ms")
        item.truncate(end_ms)
        await self.emit(names.ITEM_TRUNCATED, item_id=item.id, content_index=0, audio_end_ms=end_ms)

    async def _response_create(self, event: dict[str, Any]) -> None:
        if self.response is not None:
            raise ClientEventError(
                f"Conversation already has an active response in progress: {self.response.id}. Wait until the "
                "response is finished before creating a new one.", code=ACTIVE_RESPONSE_ERROR)
        params = optional(event, "response", dict, "an object") or {}
        check_response_params(params)
        await self._start_response(params)

    async def _response_cancel(self, event: dict[str, Any]) -> None:
        wanted = optional(event, "response_id", str, "a string")
        if self.response is None or (wanted is not None and wanted != self.response.id):
            raise ClientEventError("Cancellation failed: no active response found.",
                                   code=CANCEL_NOT_ACTIVE_ERROR)
        await self._cancel_response("client_cancelled")

    async def _output_clear(self, event: dict[str, Any]) -> None:
        raise ClientEventError("output_audio_buffer.clear is only supported for WebRTC and SIP connections.",
                               code="invalid_value", param="type")

    # --- responses ---------------------------------------------------------------------------------------------

    def _spec(self, params: dict[str, Any] | None) -> ResponseSpec:
        params = params or {}
        modalities: Any = (params.get("output_modalities") or params.get("modalities")
                           or self.cfg.get("output_modalities"))
        modalities = ["audio"] if "audio" in list(modalities or ["audio"]) else ["text"]
        metadata = params.get("metadata") if isinstance(params.get("metadata"), dict) else None
        return ResponseSpec(modalities, str(self.cfg.get("voice") or "alloy"),
                            self.cfg.get("output_audio_format", "pcm16"),
                            add_to_conversation=params.get("conversation") != "none", metadata=metadata)

    async def _start_response(self, params: dict[str, Any] | None) -> None:
        self._cancel_idle_timer()
        response = Response(new_id("resp"), self._spec(params))
        self.response = response
        try:
            await self.emit(names.RESPONSE_CREATED, response=response.wire(self.dialect))
        except BaseException:
            self.response = None  # a response that never started must not block every later one
            raise
        instructions = str((params or {}).get("instructions") or self.cfg.get("instructions") or "")
        own = (params or {}).get("instructions")
        context = BrainContext(instructions=instructions, tools=[dict(t) for t in self.cfg.get("tools") or []],
                               tool_choice=self.cfg.get("tool_choice", "auto"), conversation=self.conv.turns(),
                               response_instructions=own if isinstance(own, str) else None)
        response.task = asyncio.create_task(self._run(response, context))

    async def _run(self, response: Response, context: BrainContext) -> None:
        try:
            # the brain's work (rules or a local LLM client) runs in a thread: other sessions keep the loop
            decision: Decision = await asyncio.to_thread(self.brain.respond, context)
            await stream_response(response, decision, self.conv, self.dialect, self.emit)
        except asyncio.CancelledError:
            if response.cancel_reason is None:
                raise
        except ClientGone:
            return  # nobody to tell: the session is ending
        except Exception:
            logger.exception("response %s failed", response.id)
            response.cancel_reason = "failed"
        self._audio_produced = self._audio_produced or response.produced_audio
        await self._finish(response, context)

    async def _finish(self, response: Response, context: BrainContext) -> None:
        if self.response is response:
            self.response = None
        reason = response.cancel_reason
        if reason == "failed":
            status, details = "failed", {"type": "failed", "error": {"type": "server_error", "code": "engine_error"}}
        elif reason:
            status, details = "cancelled", {"type": "cancelled", "reason": reason}
            for item in response.output:
                if item.status == "in_progress":
                    item.status = "incomplete"
                    await self.emit(names.OUTPUT_ITEM_DONE, response_id=response.id,
                                    output_index=response.output.index(item), item=item.to_wire(self.dialect))
        else:
            status, details = "completed", None
        spoken = " ".join(t.text for t in context.conversation if t.text)
        await self.emit(names.RESPONSE_DONE, response=response.wire(self.dialect, status, details,
                                                                   usage(spoken, response)))
        await self.emit(names.RATE_LIMITS_UPDATED, rate_limits=[
            {"name": "requests", "limit": 5000, "remaining": 4999, "reset_seconds": 0.012},
            {"name": "tokens", "limit": 400000, "remaining": 400000 - response.output_tokens, "reset_seconds": 0.1}])
        self._arm_idle_timer()

    async def _cancel_response(self, reason: str) -> None:
        response = self.response
        if response is None or response.task is None:
            return
        response.cancel_reason = reason
        response.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await response.task

    # --- idle timeout (GA server_vad idle_timeout_ms) ----------------------------------------------------------

    def _cancel_idle_timer(self) -> None:
        if self._idle_task is not None:
            self._idle_task.cancel()
            self._idle_task = None

    def _arm_idle_timer(self) -> None:
        self._cancel_idle_timer()
        td = self.cfg.get("turn_detection") or {}
        timeout = td.get("idle_timeout_ms") if td.get("type") == "server_vad" else None
        if timeout and self.dialect == "ga":
            self._idle_task = asyncio.create_task(self._idle(int(timeout)))

    async def _idle(self, timeout_ms: int) -> None:
        await asyncio.sleep(timeout_ms / 1000)
        if self.response is not None:
            return
        start = int(self.turns.stream_ms)
        item_id = new_id("item")
        await self.emit(names.BUFFER_TIMEOUT, audio_start_ms=start, audio_end_ms=start + timeout_ms, item_id=item_id)
        self._idle_task = None
        await self._start_response(None)


_HANDLERS: dict[str, Callable[[EngineSession, dict[str, Any]], Awaitable[None]]] = {
    names.SESSION_UPDATE: EngineSession._session_update,
    names.INPUT_AUDIO_BUFFER_APPEND: EngineSession._append,
    names.INPUT_AUDIO_BUFFER_COMMIT: EngineSession._commit,
    names.INPUT_AUDIO_BUFFER_CLEAR: EngineSession._clear,
    names.CONVERSATION_ITEM_CREATE: EngineSession._item_create,
    names.CONVERSATION_ITEM_RETRIEVE: EngineSession._retrieve,
    names.CONVERSATION_ITEM_TRUNCATE: EngineSession._truncate,
    names.CONVERSATION_ITEM_DELETE: EngineSession._delete,
    names.RESPONSE_CREATE: EngineSession._response_create,
    names.RESPONSE_CANCEL: EngineSession._response_cancel,
    names.OUTPUT_AUDIO_BUFFER_CLEAR: EngineSession._output_clear,
}
