"""RealtimeSession: the asyncio shell around the client core — feeds it server events and user intents, performs
the effects it returns (sends, session events, tool and guardrail tasks), and keeps the typed history.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, cast

from ..protocol import client_events as ce
from ..protocol import core_effects as fx
from ..protocol import names
from ..protocol.client_core import PlaybackPosition
from ..protocol.errors import RealtimeConnectionError
from ..protocol.model_events import RealtimeModelAudioInterruptedEvent
from ..protocol.model_inputs import SendTranslator
from ..protocol.playback import RealtimePlaybackTracker
from ..protocol.secret import Secret
from ..protocol.server_events import AttrDict, ServerEvent
from ..transport.model import ConnectionEvent, RealtimeModel, RealtimeModelConfig, RealtimeModelEvent
from . import events as ev
from ._agent_settings import AgentParts, agent_parts
from ._dispatch import ServerEventHandlers
from ._guardrail_runner import GuardrailRunner
from ._history_feed import HistoryFeed
from ._tool_runner import ToolRunner
from ._typed_model import initial_settings, on_model_event
from .agent import RealtimeAgent
from .config import (
    ModelSettings,
    RunConfigModel,
    build_session_config,
    client_core,
    session_settings,
    validate_run_config,
)
from .context import RunContextWrapper
from .event_buffer import EventBuffer
from .handoffs import as_handoff
from .items import RealtimeItem

_END = object()


class RealtimeSession(ServerEventHandlers):
    """A live conversation with a realtime model.

    Use `async with session:` to connect (it sends the session configuration), then `async for event in session`
    to receive session events and every raw server event. The iteration ends when the connection closes.
    """

    def __init__(self, model: RealtimeModel, agent: RealtimeAgent[Any], context: Any,
                 model_config: RealtimeModelConfig | None = None,
                 run_config: RunConfigModel | dict[str, Any] | None = None) -> None:
        model_config = cast(RealtimeModelConfig, dict(model_config or {}))
        run_config = validate_run_config(run_config)
        settings, starting = session_settings(run_config, model_config)
        self._model = model
        self._agent = agent
        self._starting = starting  # model_config's initial_model_settings: the first configuration only
        self._parts: AgentParts | None = None  # what the last configuration offered the model
        self._context = RunContextWrapper(context)
        self._info = ev.RealtimeEventInfo(context=self._context)
        self._model_config = _hide_key(model_config)
        self._run_config = run_config
        self._settings = settings
        self._queue = EventBuffer()
        self._history = HistoryFeed(self._emit, self._info)
        self._core = client_core(settings)
        self._tracker: RealtimePlaybackTracker | None = model_config.get("playback_tracker")
        self._ended = False
        self._gave_up = False
        self._port = _Port(self)
        self._tools = ToolRunner(self._port)
        self._guardrails = GuardrailRunner(self._port, run_config.guardrails_settings.debounce_text_length)
        self._wire = model.speaks_wire  # False: a custom model with the Agents SDK's typed contract
        self._sends = SendTranslator()
        if self._tracker is not None:
            self._tracker.set_audio_format(self._core.ledger.audio_format)

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
        if not self._wire:  # the settings go with connect(), as the Agents SDK's models expect
            options["initial_model_settings"] = initial_settings(self._settings, await self._agent_parts(self._agent))
            await self._model.connect(options)  # type: ignore[arg-type]
            return self
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
        await self._perform(self._core.user_message(message), safe=False)

    async def send_audio(self, audio: bytes, *, commit: bool = False) -> None:
        """Append input audio (in the session's input format). With `commit=True` the buffer becomes a user turn;
        in manual-turn mode (turn_detection None) the session then asks for a response too.
        """
        await self._perform(self._core.user_audio(audio, commit=commit), safe=False)

    async def create_response(self) -> None:
        """Ask the model to respond; queued until the active response ends, never two at once."""
        if not self._wire and self._sends.take_implied_response():
            return  # a custom model's user input / tool output send starts the response itself
        await self._perform(self._core.request_response(), safe=False)

    async def interrupt(self) -> None:
        """Stop the agent now: flush playback (`audio_interrupted`), truncate what was not heard, cancel."""
        await self._perform(self._core.interrupt(self._playback(), time.monotonic()))

    async def update_agent(self, agent: RealtimeAgent[Any]) -> None:
        """Make `agent` the talking agent (instructions and tools; the session's voice is kept)."""
        self._agent = agent
        self._starting = None
        await self._send(ce.session_update(await self._session_config(agent)))

    async def approve_tool_call(self, call_id: str, *, always: bool = False) -> None:
        """Let a pending call run; with `always`, later calls of the same tool run without asking."""
        if self._core.resolve_approval(call_id, True, always=always):
            self._tools.answer(call_id, True)

    async def reject_tool_call(self, call_id: str, *, always: bool = False,
                               rejection_message: str | None = None) -> None:
        """Refuse a pending call; the model gets `rejection_message` (or a default) as the tool's output."""
        if self._core.resolve_approval(call_id, False, always=always):
            self._tools.answer(call_id, False, rejection_message)

    async def close(self) -> None:
        """Close the connection and end the event stream."""
        if self._core.closed:
            return
        self._core.connection_closed()
        await self._tools.cancel_all()
        self._guardrails.cancel_all()
        with contextlib.suppress(Exception):
            await self._model.close()
        self._model.remove_listener(self)
        self._queue.put(_END)

    async def on_event(self, event: RealtimeModelEvent) -> None:
        """Listener entry point: called by the model for every event, in order."""
        if isinstance(event, ConnectionEvent):
            await self._on_connection(event)
        elif not isinstance(event, ServerEvent):
            await on_model_event(self._port, event)
        else:
            await self._on_server_event(event)

    # --- performing the core's effects -----------------------------------------------------------------------

    async def _perform(self, effects: list[fx.Effect], *, safe: bool = True) -> bool:
        """Carry out effects in order. `safe`: a send on a closed connection becomes an `error` event and stops
        the rest (otherwise it raises). True when all were performed."""
        for effect in effects:
            kind = type(effect)
            if kind is fx.Send:
                event = cast(fx.Send, effect).event
                if not safe:
                    await self._send(event)
                elif not await self._send_safely(event):
                    return False
            elif kind is fx.RequestResponse:
                await self.create_response()
            elif kind is fx.AudioInterrupted:
                cut = cast(fx.AudioInterrupted, effect)
                if self._wire and cut.item_id is not None:  # as the Agents SDK's model reports it
                    self._emit(ev.RealtimeRawModelEvent(
                        RealtimeModelAudioInterruptedEvent(cut.item_id, cut.content_index or 0), self._info))
                self._emit(ev.RealtimeAudioInterrupted(item_id=cut.item_id, content_index=cut.content_index,
                                                       info=self._info))
                if self._tracker is not None:
                    self._tracker.on_interrupted()
            elif kind is fx.Truncated:
                self._history.truncate(cast(fx.Truncated, effect))
            elif kind is fx.ResponseStarted:
                self._guardrails.start_response(cast(fx.ResponseStarted, effect).response_id)
                self._emit(ev.RealtimeAgentStartEvent(agent=self._agent, info=self._info))
            elif kind is fx.ResponseEnded:
                end = cast(fx.ResponseEnded, effect)
                if end.usage is not None:
                    self._context.usage.add(end.usage)
                self._emit(ev.RealtimeAgentEndEvent(agent=self._agent, info=self._info, status=end.status))
            elif kind is fx.ClientError:
                error = cast(fx.ClientError, effect)
                self._emit_error(error.code, error.message)
            elif kind is fx.RunToolCall:
                await self._tools.run(cast(fx.RunToolCall, effect))
        return True

    def _playback(self) -> PlaybackPosition | None:
        if self._tracker is None:
            return None
        state = self._tracker.get_state()
        return state["current_item_id"], state["elapsed_ms"]

    def _emit(self, event: Any) -> None:
        self._queue.put(event)

    def _emit_error(self, code: str, message: str) -> None:
        detail = AttrDict(type="client_error", code=code, message=message, param=None, event_id=None)
        self._emit(ev.RealtimeError(error=detail, info=self._info))

    async def _send(self, event: ce.ClientEvent) -> None:
        if self._wire:
            await self._model.send_event(event)  # type: ignore[arg-type]
            return
        settings = None
        if event["type"] == "session.update":  # the settings of the parts the configuration was built from
            settings = initial_settings(self._settings, self._parts or await self._agent_parts(self._agent))
        for send in self._sends.to_sends(event, settings):
            await self._model.send_event(send)

    async def _send_safely(self, event: ce.ClientEvent) -> bool:
        """Send, turning a closed connection into an `error` event; True when sent."""
        try:
            await self._send(event)
            return True
        except RealtimeConnectionError as exc:
            self._emit_error("connection_closed", str(exc))
            return False

    async def _agent_parts(self, agent: RealtimeAgent[Any]) -> AgentParts:
        self._parts = await agent_parts(agent, self._context, self._starting)
        return self._parts

    async def _session_config(self, agent: RealtimeAgent[Any]) -> Any:
        spec = (await self._agent_parts(agent)).spec(agent.voice)
        return self._core.keep_voice(build_session_config(self._settings, spec))

    async def _handoff(self, call_id: str, agent: RealtimeAgent[Any]) -> bool:
        """Swap the agent, reconfigure the session for it, then answer the handoff's call."""
        previous, self._agent = self._agent, agent
        self._starting = None
        self._emit(ev.RealtimeHandoffEvent(from_agent=previous, to_agent=agent, info=self._info))
        config = await self._session_config(agent)
        return await self._perform(self._core.handoff_output(call_id, agent.name, config))

    # --- connection news -------------------------------------------------------------------------------------

    async def _on_connection(self, event: ConnectionEvent) -> None:
        core = self._core
        if core.closed:
            return
        detail = {"code": event.code, "reason": event.reason, "attempt": event.attempt, "message": event.message}
        if event.status == "reconnecting":
            await self._perform(core.connection_lost())
            self._emit(ev.RealtimeConnectionStatus("reconnecting", self._info, detail))
            return
        if event.status == "reconnected":
            self._emit(ev.RealtimeConnectionStatus("reconnected", self._info, detail))
            await self._perform(core.connection_restored())
            return
        if event.status == "failed":
            self._gave_up = True
            self._emit_error("reconnect_failed", event.message)
            self._emit(ev.RealtimeConnectionStatus("failed", self._info, detail))
            return
        abnormal = event.code not in (names.CLOSE_NORMAL, names.CLOSE_GOING_AWAY, None)
        if event.status == "error" or (abnormal and not self._gave_up):  # a give-up was reported just before
            reason = event.message or event.reason or "connection lost"
            self._emit_error("connection_closed", f"The realtime connection closed abnormally ({event.code}): {reason}")
        self._emit(ev.RealtimeConnectionStatus("closed", self._info, {"code": event.code, "reason": event.reason}))
        core.connection_closed()
        await self._tools.cancel_all()
        self._guardrails.cancel_all()
        self._queue.put(_END)


class _Port:
    """The session as its runners and the typed-model adapter see it (`SessionHost`): the current agent and
    context, event output, and the few intents they feed the core. Not part of the public session."""

    def __init__(self, session: RealtimeSession) -> None:
        self._s = session

    @property
    def current_agent(self) -> RealtimeAgent[Any]:
        return self._s._agent

    @property
    def context_wrapper(self) -> RunContextWrapper[Any]:
        return self._s._context

    @property
    def info(self) -> ev.RealtimeEventInfo:
        return self._s._info

    @property
    def settings(self) -> ModelSettings:
        return self._s._settings

    def callable_tools(self) -> tuple[list[Any], list[Any]]:
        """The function tools and handoffs the last configuration offered the model (the agent's own before any)."""
        parts = self._s._parts
        if parts is None:
            agent = self._s._agent
            return list(agent.tools), [as_handoff(h) for h in agent.handoffs]
        return parts.tools, parts.handoffs

    @property
    def sends(self) -> SendTranslator:
        return self._s._sends

    @property
    def async_tool_calls(self) -> bool:
        return self._s._run_config.async_tool_calls

    def emit(self, event: Any) -> None:
        self._s._emit(event)

    def emit_error(self, code: str, message: str) -> None:
        self._s._emit_error(code, message)

    def guardrails_for_agent(self) -> list[Any]:
        return [*self._s._run_config.output_guardrails, *self._s._agent.output_guardrails]

    def tool_error_formatter(self) -> Any:
        return self._s._run_config.tool_error_formatter

    def approval(self, call_id: str, tool_name: str) -> bool | None:
        return self._s._core.approval(call_id, tool_name)

    async def tool_output(self, call_id: str, output: str) -> bool:
        """Send a call's output and ask for the response that uses it; False when the connection is gone."""
        core = self._s._core
        try:
            return await self._s._perform(core.tool_output(call_id, output))
        finally:
            core.call_finished(call_id)

    async def handoff(self, call_id: str, agent: RealtimeAgent[Any]) -> bool:
        try:
            return await self._s._handoff(call_id, agent)
        finally:
            self._s._core.call_finished(call_id)

    async def guardrail_tripped(self, response_id: str, guardrails: list[str]) -> None:
        session = self._s
        await session._perform(session._core.guardrail_tripped(response_id, guardrails, session._playback(),
                                                               time.monotonic()))

    async def on_event(self, event: Any) -> None:
        await self._s.on_event(event)

    async def on_server_event(self, event: ServerEvent) -> None:
        await self._s._on_server_event(event, surface=False)


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
