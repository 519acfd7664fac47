"""RealtimeSession: one conversation — connects the model, turns server events into session events, runs tools,
handoffs and guardrails, and keeps playback, truncation and response creation consistent.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any, cast

from ..protocol import client_events as ce
from ..protocol import names
from ..protocol.codecs import AudioDecodeError, decode_audio
from ..protocol.errors import RealtimeConnectionError
from ..protocol.playback import RealtimePlaybackTracker
from ..protocol.secret import Secret
from ..protocol.server_events import AttrDict, ServerEvent
from ..protocol.state import (
    ACTIVE_RESPONSE_ERROR,
    CANCEL_NOT_ACTIVE_ERROR,
    AudioLedger,
    CancelledResponses,
    ResponseGate,
    heard_text,
)
from ..transport.model import ConnectionEvent, RealtimeModel, RealtimeModelConfig, RealtimeModelEvent
from . import events as ev
from ._guardrail_runner import GuardrailRunner
from ._tool_runner import ToolRunner
from .agent import RealtimeAgent
from .config import AgentSpec, ModelSettings, RunConfigModel, build_session_config
from .context import RunContextWrapper
from .event_buffer import EventBuffer
from .handoffs import as_handoff
from .items import History, RealtimeItem, item_from_wire

logger = logging.getLogger("realtime_cli.session")

_END = object()
_DELTA_KINDS = frozenset({names.AUDIO_DELTA, names.TRANSCRIPT_DELTA, names.TEXT_DELTA, names.AUDIO_DONE,
                          names.TRANSCRIPT_DONE, names.TEXT_DONE, names.ARGUMENTS_DELTA})


class RealtimeSession:
    """A live conversation with a realtime model.

    Use `async with session:` to connect (it sends the session configuration), then `async for event in session`
    to receive session events and every raw server event. The iteration ends when the connection closes.
    """

    def __init__(self, model: RealtimeModel, agent: RealtimeAgent[Any], context: Any,
                 model_config: RealtimeModelConfig, run_config: RunConfigModel, settings: ModelSettings) -> None:
        self._model = model
        self._agent = agent
        self._context = RunContextWrapper(context)
        self._info = ev.RealtimeEventInfo(context=self._context)
        self._model_config = _hide_key(model_config)
        self._run_config = run_config
        self._settings = settings
        self._queue = EventBuffer()
        self._resume_response = False
        self._history = History()
        self._gate = ResponseGate()
        self._cancelled = CancelledResponses()
        self._ledger = AudioLedger(settings_format(settings))
        self._tracker: RealtimePlaybackTracker | None = model_config.get("playback_tracker")
        self._voice: str | None = None
        self._closed = False
        self._ended = False
        self._tools = ToolRunner(self)
        self._guardrails = GuardrailRunner(self, run_config.guardrails_settings.debounce_text_length)

    # --- public API ------------------------------------------------------------------------------------------

    @property
    def model(self) -> RealtimeModel:
        return self._model

    @property
    def current_agent(self) -> RealtimeAgent[Any]:
        return self._agent

    @property
    def history(self) -> list[RealtimeItem]:
        return self._history.items()

    @property
    def context_wrapper(self) -> RunContextWrapper[Any]:
        return self._context

    async def __aenter__(self) -> RealtimeSession:
        await self.enter()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def enter(self) -> RealtimeSession:
        """Connect and send the session configuration for the starting agent."""
        self._model.add_listener(self)
        options = dict(self._model_config)
        options["initial_model_settings"] = self._settings.model_dump(exclude_none=True)
        await self._model.connect(options)  # type: ignore[arg-type]
        await self._send(ce.session_update(await self._session_config(self._agent)))
        return self

    def __aiter__(self) -> RealtimeSession:
        return self

    async def __anext__(self) -> ev.RealtimeSessionEvent:
        if self._ended and self._queue.empty():
            raise StopAsyncIteration
        item = await self._queue.get()
        if item is _END:
            self._ended = True
            raise StopAsyncIteration
        return item  # type: ignore[no-any-return]

    async def send_message(self, message: str | dict[str, Any]) -> None:
        """Add a user message (text, or a full message item) and ask for a response."""
        if isinstance(message, str):
            await self._send(ce.user_text_item(message))
        else:
            item = dict(message)
            item.setdefault("type", "message")
            item.setdefault("role", "user")
            await self._send(ce.item_create(item))
        await self.create_response()

    async def send_audio(self, audio: bytes, *, commit: bool = False) -> None:
        """Append input audio (in the session's input format). With `commit=True` the buffer becomes a user turn;
        in manual-turn mode (turn_detection None) the session then asks for a response too.
        """
        if audio:
            await self._send(ce.audio_append(audio))
        if commit:
            await self._send(ce.audio_commit())
            if self._manual_turns():
                await self.create_response()

    async def create_response(self) -> None:
        """Ask the model to respond; queued until the active response ends, never two at once."""
        if self._gate.request():
            await self._send(ce.response_create())

    async def interrupt(self) -> None:
        """Stop the agent now: flush playback (`audio_interrupted`), truncate what was not heard, cancel."""
        await self._interrupt(cancel=True)

    async def update_agent(self, agent: RealtimeAgent[Any]) -> None:
        """Make `agent` the talking agent (instructions and tools; the session's voice is kept)."""
        self._agent = agent
        await self._send(ce.session_update(await self._session_config(agent)))

    async def approve_tool_call(self, call_id: str, *, always: bool = False) -> None:
        self._tools.resolve_approval(call_id, True, always)

    async def reject_tool_call(self, call_id: str, *, always: bool = False) -> None:
        self._tools.resolve_approval(call_id, False, always)

    async def close(self) -> None:
        """Close the connection and end the event stream."""
        if self._closed:
            return
        self._closed = True
        await self._tools.cancel_all()
        self._guardrails.cancel_all()
        with contextlib.suppress(Exception):
            await self._model.close()
        self._model.remove_listener(self)
        self._queue.put(_END)

    # --- plumbing shared with the tool and guardrail runners -------------------------------------------------

    def emit(self, event: Any) -> None:
        self._queue.put(event)

    @property
    def info(self) -> ev.RealtimeEventInfo:
        return self._info

    async def _send(self, event: ce.ClientEvent) -> None:
        await self._model.send_event(event)

    async def send_safely(self, event: ce.ClientEvent) -> bool:
        """Send, turning a closed connection into an `error` event; True when sent."""
        try:
            await self._send(event)
            return True
        except RealtimeConnectionError as exc:
            self.emit_error("connection_closed", str(exc))
            return False

    def emit_error(self, code: str, message: str) -> None:
        detail = AttrDict(type="client_error", code=code, message=message, param=None, event_id=None)
        self.emit(ev.RealtimeError(error=detail, info=self._info))

    async def _session_config(self, agent: RealtimeAgent[Any]) -> Any:
        tools = [t.to_spec() for t in await agent.get_all_tools(self._context)]
        tools += [h.to_spec() for h in (as_handoff(x) for x in agent.handoffs) if h.is_enabled]
        spec = AgentSpec(await agent.get_system_prompt(self._context), tools, agent.voice)  # type: ignore[arg-type]
        cfg = build_session_config(self._settings, spec)
        if self._voice is None:
            self._voice = cfg.get("voice")
        elif "voice" in cfg:
            cfg["voice"] = self._voice  # the service rejects a voice change once audio exists
        return cfg

    async def switch_agent(self, agent: RealtimeAgent[Any]) -> None:
        """Handoff: swap the agent and reconfigure the session (before the handoff's tool output is sent)."""
        previous, self._agent = self._agent, agent
        self.emit(ev.RealtimeHandoffEvent(from_agent=previous, to_agent=agent, info=self._info))
        await self.send_safely(ce.session_update(await self._session_config(agent)))

    def _manual_turns(self) -> bool:
        settings = self._settings
        return "turn_detection" in settings.model_fields_set and settings.turn_detection is None

    def guardrails_for_agent(self) -> list[Any]:
        return [*self._run_config.output_guardrails, *self._agent.output_guardrails]

    def tool_error_formatter(self) -> Any:
        return self._run_config.tool_error_formatter

    @property
    def async_tool_calls(self) -> bool:
        return self._run_config.async_tool_calls

    @property
    def active_response_id(self) -> str | None:
        return self._gate.active_response_id

    # --- interruption ----------------------------------------------------------------------------------------

    async def _interrupt(self, *, cancel: bool, response_id: str | None = None) -> None:
        target = response_id or self._gate.active_response_id
        played: float | None = None
        if self._tracker is not None:
            state = self._tracker.get_state()
            same = state.current_item_id == self._ledger.current_item_id
            played = (state.elapsed_ms or 0.0) if same else 0.0
        item_id = self._ledger.current_item_id
        cut = self._ledger.truncation(played, time.monotonic())
        # Cut the item while its response still streams, or while received audio is still being played out.
        playing = cut is not None and (target is not None or cut[2] < self._ledger.received_ms())
        if playing or target is not None:
            content_index = cut[1] if cut else None
            self.emit(ev.RealtimeAudioInterrupted(item_id=item_id, content_index=content_index, info=self._info))
            if self._tracker is not None:
                self._tracker.on_interrupted()
        if cancel and target is not None and target not in self._cancelled:
            self._cancelled.add(target)
            await self.send_safely(ce.response_cancel(target))
        elif target is not None:
            self._cancelled.add(target)
        if cut is not None and playing:
            received_ms = self._ledger.received_ms()
            await self.send_safely(ce.truncate(*cut))
            history_item = self._history.get(cut[0])
            if history_item is not None:
                self._history.truncate(cut[0], heard_text(history_item.text, cut[2], received_ms))
                self.emit(ev.RealtimeHistoryUpdated(history=self.history, info=self._info))
        self._ledger.clear()

    # --- server events ---------------------------------------------------------------------------------------

    async def on_event(self, event: RealtimeModelEvent) -> None:
        """Listener entry point: called by the model for every event, in order."""
        if isinstance(event, ConnectionEvent):
            await self._on_connection(event)
            return
        kind = event.kind
        if kind in _DELTA_KINDS and event.data.get("response_id") in self._cancelled:
            return  # late output of a cancelled response: never surfaces, never plays
        if kind == names.ERROR:
            self._on_error(event)
            return
        self.emit(event)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            try:
                await handler(self, event)
            except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
                # a server event with fields of the wrong shape costs that event, never the session
                logger.debug("unusable %s event: %r", kind, exc)
                self.emit_error("invalid_server_event", f"Ignored a malformed {kind} event from the server: {exc}")

    async def _on_connection(self, event: ConnectionEvent) -> None:
        if self._closed:
            return
        detail = {"code": event.code, "reason": event.reason, "attempt": event.attempt, "message": event.message}
        if event.status == "reconnecting":
            await self._connection_lost()
            self.emit(ev.RealtimeConnectionStatus("reconnecting", self._info, detail))
            return
        if event.status == "reconnected":
            self.emit(ev.RealtimeConnectionStatus("reconnected", self._info, detail))
            if self._resume_response:  # the turn the drop cut short gets its answer on the new connection
                self._resume_response = False
                await self.create_response()
            return
        if event.status == "failed":
            self.emit_error("reconnect_failed", event.message)
            self.emit(ev.RealtimeConnectionStatus("failed", self._info, detail))
            return
        if event.status == "error" or event.code not in (names.CLOSE_NORMAL, names.CLOSE_GOING_AWAY, None):
            reason = event.message or event.reason or "connection lost"
            self.emit_error("connection_closed", f"The realtime connection closed abnormally ({event.code}): {reason}")
        self.emit(ev.RealtimeConnectionStatus("closed", self._info, {"code": event.code, "reason": event.reason}))
        self._closed = True
        await self._tools.cancel_all()
        self._guardrails.cancel_all()
        self._queue.put(_END)

    async def _connection_lost(self) -> None:
        """The socket dropped: a response in flight is lost — report it interrupted and stop its audio, and ask
        again once reconnected unless a running tool will (its output goes with its own response request)."""
        self._resume_response = self._gate.busy and not self._tools.running
        active = self._gate.active_response_id
        if active is not None or self._ledger.current_item_id is not None:
            if active is not None:
                self._cancelled.add(active)
            self.emit(ev.RealtimeAudioInterrupted(item_id=self._ledger.current_item_id, content_index=None,
                                                  info=self._info))
            if self._tracker is not None:
                self._tracker.on_interrupted()
            if active is not None:
                self.emit(ev.RealtimeAgentEndEvent(agent=self._agent, info=self._info, status="interrupted"))
        self._ledger.clear()
        self._gate.reset()

    def _on_error(self, event: ServerEvent) -> None:
        detail = event.data.get("error")
        error = AttrDict(detail) if isinstance(detail, dict) else AttrDict(message=str(detail))
        if not isinstance(error.get("message"), str):  # apps print error.message: always give them a string
            error["message"] = "The server reported an error without a message." if error.get("message") is None \
                else str(error["message"])
        if error.get("code") == ACTIVE_RESPONSE_ERROR:
            self._gate.on_rejected()
        elif error.get("code") == CANCEL_NOT_ACTIVE_ERROR and self._gate.active_response_id is None:
            logger.debug("cancel raced the end of the response: %s", error.get("message"))
            return  # our cancel arrived just after the response ended: nothing was lost
        self.emit(ev.RealtimeError(error=error, info=self._info, raw=event))

    async def _on_response_created(self, event: ServerEvent) -> None:
        response = _as_dict(event.data.get("response"))
        response_id = str(response.get("id", ""))
        self._gate.on_created(response_id)
        self._guardrails.start_response(response_id)
        self.emit(ev.RealtimeAgentStartEvent(agent=self._agent, info=self._info))

    async def _on_response_done(self, event: ServerEvent) -> None:
        response = _as_dict(event.data.get("response"))
        response_id = response.get("id")
        status = str(response.get("status", "completed"))
        send_next = self._gate.on_done(response_id)
        self.emit(ev.RealtimeAgentEndEvent(agent=self._agent, info=self._info, status=status))
        if send_next and not self._closed:
            await self.send_safely(ce.response_create())

    async def _on_audio_delta(self, event: ServerEvent) -> None:
        data = event.data
        try:
            pcm = decode_audio(data["delta"], self._ledger.audio_format)
            item_id: str = data["item_id"]
            content_index: int = data.get("content_index", 0)
            response_id: str = data["response_id"]
        except (AudioDecodeError, KeyError, TypeError) as exc:
            self.emit_error("invalid_audio", f"Server sent an unusable audio delta: {exc}")
            return
        self._ledger.on_delta(item_id, content_index, len(pcm), time.monotonic())
        audio = ev.RealtimeModelAudio(pcm, response_id)
        self._queue.put(ev.RealtimeAudio(audio, item_id, content_index, self._info))

    async def _on_audio_done(self, event: ServerEvent) -> None:
        data = event.data
        index = data.get("content_index")
        self.emit(ev.RealtimeAudioEnd(item_id=str(data.get("item_id", "")),
                                      content_index=index if isinstance(index, int) else 0, info=self._info))

    async def _on_text_delta(self, event: ServerEvent) -> None:
        data = event.data
        item_id, delta = str(data.get("item_id", "")), str(data.get("delta", ""))
        self._history.set_text(item_id, delta, append=True)  # history follows the stream (no event per delta)
        await self._guardrails.on_text(str(data.get("response_id", "")), item_id, delta)

    async def _on_text_done(self, event: ServerEvent) -> None:
        data = event.data
        final = data.get("transcript") if "transcript" in data else data.get("text")
        item_id = str(data.get("item_id", ""))
        if isinstance(final, str) and self._history.set_text(item_id, final):
            self.emit(ev.RealtimeHistoryUpdated(history=self.history, info=self._info))
        await self._guardrails.on_final(str(data.get("response_id", "")), item_id, final)

    async def _on_speech_started(self, event: ServerEvent) -> None:
        td = self._settings.turn_detection
        if td is not None and td.interrupt_response is False:
            return
        await self._interrupt(cancel=False)  # the service cancels the response itself (turn_detected)

    async def _on_output_item_done(self, event: ServerEvent) -> None:
        item = _as_dict(event.data.get("item"))
        self._upsert(item)
        if item.get("type") == "function_call":
            await self._tools.on_function_call(item)

    async def _on_item(self, event: ServerEvent) -> None:
        item = event.data.get("item")
        if isinstance(item, dict):
            self._upsert(item)

    def _upsert(self, wire_item: dict[str, Any]) -> None:
        item = item_from_wire(wire_item)
        if item is None or not item.item_id:
            return
        if self._history.upsert(item):
            self.emit(ev.RealtimeHistoryAdded(item=item, info=self._info))
        self.emit(ev.RealtimeHistoryUpdated(history=self.history, info=self._info))

    async def _on_transcription(self, event: ServerEvent) -> None:
        item = self._history.get(str(event.data.get("item_id", "")))
        if item is not None:
            item.text = str(event.data.get("transcript", ""))
            self.emit(ev.RealtimeHistoryUpdated(history=self.history, info=self._info))

    async def _on_item_deleted(self, event: ServerEvent) -> None:
        self._history.delete(str(event.data.get("item_id", "")))
        self.emit(ev.RealtimeHistoryUpdated(history=self.history, info=self._info))

    async def _on_timeout(self, event: ServerEvent) -> None:
        self.emit(ev.RealtimeInputAudioTimeoutTriggered(info=self._info))

    async def _on_session_updated(self, event: ServerEvent) -> None:
        session = _as_dict(event.data.get("session"))
        voice = session.get("voice") or _as_dict(_as_dict(session.get("audio")).get("output")).get("voice")
        if isinstance(voice, str) and voice and self._voice is None:
            self._voice = voice


def _hide_key(model_config: RealtimeModelConfig) -> RealtimeModelConfig:
    """A copy whose string api_key is wrapped in a Secret (callable, so the model still reads it)."""
    key = model_config.get("api_key")
    if not isinstance(key, str):
        return model_config
    hidden = dict(model_config)
    hidden["api_key"] = Secret(key)
    return cast(RealtimeModelConfig, hidden)


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def settings_format(settings: ModelSettings) -> Any:
    fmt = settings.output_audio_format
    if isinstance(fmt, dict):
        from ..protocol.codecs import FORMAT_FROM_GA_TYPE

        return FORMAT_FROM_GA_TYPE.get(str(fmt.get("type")), "pcm16")
    return fmt or "pcm16"


_HANDLERS = {
    names.RESPONSE_CREATED: RealtimeSession._on_response_created,
    names.RESPONSE_DONE: RealtimeSession._on_response_done,
    names.AUDIO_DELTA: RealtimeSession._on_audio_delta,
    names.AUDIO_DONE: RealtimeSession._on_audio_done,
    names.TRANSCRIPT_DELTA: RealtimeSession._on_text_delta,
    names.TEXT_DELTA: RealtimeSession._on_text_delta,
    names.TRANSCRIPT_DONE: RealtimeSession._on_text_done,
    names.TEXT_DONE: RealtimeSession._on_text_done,
    names.SPEECH_STARTED: RealtimeSession._on_speech_started,
    names.OUTPUT_ITEM_DONE: RealtimeSession._on_output_item_done,
    names.OUTPUT_ITEM_ADDED: RealtimeSession._on_item,
    names.ITEM_ADDED: RealtimeSession._on_item,
    names.ITEM_DONE: RealtimeSession._on_item,
    names.ITEM_RETRIEVED: RealtimeSession._on_item,
    names.TRANSCRIPTION_COMPLETED: RealtimeSession._on_transcription,
    names.ITEM_DELETED: RealtimeSession._on_item_deleted,
    names.BUFFER_TIMEOUT: RealtimeSession._on_timeout,
    names.SESSION_UPDATED: RealtimeSession._on_session_updated,
    names.SESSION_CREATED: RealtimeSession._on_session_updated,
}
