"""The live view's model: transcript entries and the status bar, updated from session events, read as snapshots.

Pure and single-threaded (no Rich, no I/O): call `apply` on the event loop for every session event, then hand
`snapshot()` (immutable, cached until the next change) to the renderer, which may read it from any thread.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal, Union

from ..protocol import names
from ..protocol.server_events import ServerEvent
from ..session import events as ev

Clock = Callable[[], float]
Mode = Literal["push-to-talk", "open mic", "text"]
ToolState = Literal["running", "done", "awaiting-approval", "rejected"]
ConnectionState = Literal["connecting", "connected", "reconnecting", "closed"]

GUARDRAIL_MESSAGE = "The agent's reply was stopped by a guardrail."
MAX_ENTRIES = 200
MAX_TEXT = 4000
MAX_TOOL_TEXT = 300
MIC_HISTORY = 8
LATENCY_HISTORY = 50


@dataclass(frozen=True, slots=True)
class UserLine:
    """What the user said or typed; `final` is False while the transcription streams (empty text: not yet heard)."""

    seq: int
    item_id: str | None
    text: str
    final: bool

    @property
    def complete(self) -> bool:
        return self.final


@dataclass(frozen=True, slots=True)
class AssistantLine:
    """What an agent said; `interrupted` when its audio was cut off (the text then stops where it was cut);
    `withheld` when an output guardrail stopped it (its text is then gone: the GuardrailTrip says why)."""

    seq: int
    item_id: str
    speaker: str
    text: str
    final: bool
    interrupted: bool = False
    withheld: bool = False

    @property
    def complete(self) -> bool:
        return self.final or self.interrupted or self.withheld  # such a line's text no longer changes


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function tool call: `result` (capped) and `duration_ms` are set once it is done."""

    seq: int
    call_id: str
    name: str
    arguments: str
    state: ToolState
    result: str | None = None
    duration_ms: float | None = None

    @property
    def complete(self) -> bool:
        return self.state in ("done", "rejected")


@dataclass(frozen=True, slots=True)
class HandoffDivider:
    seq: int
    from_agent: str
    to_agent: str
    complete = True


@dataclass(frozen=True, slots=True)
class GuardrailTrip:
    """Output guardrails stopped the agent: their names and what to tell the user (the guardrail's own message,
    e.g. a YAML guardrail's `message:`). The text that tripped them is not kept."""

    seq: int
    guardrails: tuple[str, ...]
    message: str
    complete = True


@dataclass(frozen=True, slots=True)
class ErrorLine:
    seq: int
    message: str
    code: str | None = None
    complete = True


@dataclass(frozen=True, slots=True)
class ConnectionChange:
    """The transport reported `connected`, `reconnecting`, `reconnected`, `failed` or `closed`."""

    seq: int
    status: str
    complete = True


@dataclass(frozen=True, slots=True)
class Notice:
    """A one-line remark from the CLI or the session (input audio timeout, command output)."""

    seq: int
    text: str
    complete = True


Entry = Union[UserLine, AssistantLine, ToolCall, HandoffDivider, GuardrailTrip, ErrorLine, ConnectionChange, Notice]


@dataclass(frozen=True, slots=True)
class StatusBar:
    """Everything the status and footer lines show; `latency_ms` is the last turn's, `latencies_ms` recent ones."""

    backend: str
    model: str
    agent: str
    mode: Mode
    ptt: str
    mic_levels: tuple[float, ...]
    mic_peak: float
    latency_ms: float | None
    latencies_ms: tuple[float, ...]
    connection: ConnectionState
    key_hints: str | None
    lag_ms: float | None = None  # capture-to-socket lag of the mic audio (voice mode)
    lag_warning: bool = False  # the lag is over its threshold: the status bar says so
    agent_speaking: bool = False  # agent audio is queued or audible


@dataclass(frozen=True, slots=True)
class ViewSnapshot:
    """One consistent picture of the view; `version` grows with every change."""

    entries: tuple[Entry, ...]
    status: StatusBar
    pending_approval: ToolCall | None
    version: int


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _stringify(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


_CONNECTION: dict[str, ConnectionState] = {
    "connected": "connected", "reconnected": "connected", "reconnecting": "reconnecting",
    "failed": "closed", "closed": "closed",
}


class ViewState:
    """The view model. Feed it every session event with `apply`; the UI adds what only it knows.

    UI calls: `set_mic_level` per mic block, `mark_turn_end` when the user's turn ends (key release / commit),
    `add_user_message` when a typed message is sent, `resolve_approval` after answering an approval prompt,
    and `set_mode` / `set_ptt` / `set_connection` / `set_key_hints` / `add_notice` as things change.
    """

    def __init__(self, *, backend: str = "local engine", model: str = "", agent: str = "",
                 mode: Mode = "push-to-talk", clock: Clock = time.monotonic, max_entries: int = MAX_ENTRIES,
                 max_text: int = MAX_TEXT) -> None:
        self._clock = clock
        self._max_entries = max(1, max_entries)
        self._max_text = max(2, max_text)
        self._entries: dict[str, Entry] = {}
        self._next_seq = itertools.count(1).__next__
        self._backend, self._model, self._agent, self._mode = backend, model, agent, mode
        self._ptt = "idle"
        self._mic: deque[float] = deque(maxlen=MIC_HISTORY)
        self._mic_peak = 0.0
        self._latencies: deque[float] = deque(maxlen=LATENCY_HISTORY)
        self._connection: ConnectionState = "connecting"
        self._key_hints: str | None = None
        self._turn_end: float | None = None
        self._external_latency = False
        self._lag_ms: float | None = None
        self._lag_warning = False
        self._agent_speaking = False
        self._cut_pending: set[str] = set()
        self._version = 0
        self._cached: ViewSnapshot | None = None
        self._session_handlers: dict[str, Callable[[Any], None]] = {
            ev.AGENT_START: lambda e: self._set_agent(e.agent.name), ev.AGENT_END: self._on_response_end,
            ev.HANDOFF: self._on_handoff, ev.TOOL_START: self._on_tool_start, ev.TOOL_END: self._on_tool_end,
            ev.TOOL_APPROVAL_REQUIRED: self._on_approval, ev.AUDIO: lambda _e: self._first_agent_output(),
            ev.AUDIO_INTERRUPTED: self._on_interrupted, ev.ERROR: self._on_error,
            ev.HISTORY_UPDATED: self._on_history, ev.GUARDRAIL_TRIPPED: self._on_guardrail,
            ev.INPUT_AUDIO_TIMEOUT_TRIGGERED: lambda _e: self.add_notice("no speech heard: input audio timed out"),
            ev.CONNECTION: self._on_connection,
        }
        self._server_handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            names.SPEECH_STARTED: self._on_speech_started, names.BUFFER_COMMITTED: self._on_committed,
            names.TRANSCRIPTION_DELTA: self._on_user_delta, names.TRANSCRIPTION_COMPLETED: self._on_user_done,
            names.TRANSCRIPTION_FAILED: self._on_user_failed,
            names.TRANSCRIPT_DELTA: self._on_assistant_delta, names.TEXT_DELTA: self._on_text_delta,
            names.TRANSCRIPT_DONE: self._on_assistant_done, names.TEXT_DONE: self._on_assistant_done,
            names.RESPONSE_DONE: lambda _data: self._on_response_end(None),
        }

    # --- reading ---------------------------------------------------------------------------------------------

    def snapshot(self) -> ViewSnapshot:
        """The current picture; the same object until something changes."""
        if self._cached is None or self._cached.version != self._version:
            entries = tuple(self._entries.values())
            pending = next((e for e in entries if isinstance(e, ToolCall) and e.state == "awaiting-approval"), None)
            status = StatusBar(self._backend, self._model, self._agent, self._mode, self._ptt, tuple(self._mic),
                               self._mic_peak, self._latencies[-1] if self._latencies else None,
                               tuple(self._latencies), self._connection, self._key_hints, self._lag_ms,
                               self._lag_warning, self._agent_speaking)
            self._cached = ViewSnapshot(entries, status, pending, self._version)
        return self._cached

    # --- session events --------------------------------------------------------------------------------------

    def apply(self, event: object) -> None:
        """Update from one event yielded by the session (typed session events and raw ServerEvents alike)."""
        if isinstance(event, ServerEvent):
            server_handler = self._server_handlers.get(event.kind)
            if server_handler is not None:
                server_handler(event.data)
            return
        handler = self._session_handlers.get(str(getattr(event, "type", "")))
        if handler is not None:
            handler(event)

    def _on_handoff(self, event: ev.RealtimeHandoffEvent) -> None:
        self._append(HandoffDivider(self._next_seq(), event.from_agent.name, event.to_agent.name))
        self._set_agent(event.to_agent.name)

    def _on_tool_start(self, event: ev.RealtimeToolStart) -> None:
        self._put_tool(event.call_id, event.tool.name, event.arguments, state="running")

    def _on_tool_end(self, event: ev.RealtimeToolEnd) -> None:
        self._put_tool(event.call_id, event.tool.name, event.arguments, state="done",
                       result=_cap(_stringify(event.output), MAX_TOOL_TEXT),
                       duration_ms=max(0.0, event.duration_s * 1000.0))

    def _on_approval(self, event: ev.RealtimeToolApprovalRequired) -> None:
        self._put_tool(event.call_id, event.tool.name, event.arguments, state="awaiting-approval")

    def _on_interrupted(self, event: ev.RealtimeAudioInterrupted) -> None:
        key = f"assistant:{event.item_id}" if event.item_id else None
        if key is None:  # no item named: the latest line still speaking
            key = next((k for k, e in reversed(self._entries.items())
                        if isinstance(e, AssistantLine) and not e.final), None)
        line = self._entries.get(key) if key else None
        if isinstance(line, AssistantLine) and key is not None and not line.interrupted:
            self._set(key, replace(line, interrupted=True))
            self._cut_pending.add(line.item_id)

    def _on_history(self, event: ev.RealtimeHistoryUpdated) -> None:
        if not self._cut_pending:
            return
        for item in event.history:
            line = self._entries.get(f"assistant:{item.item_id}") if item.item_id in self._cut_pending else None
            if isinstance(line, AssistantLine) and item.text and line.text.startswith(item.text) \
                    and len(item.text) < len(line.text):
                self._set(f"assistant:{item.item_id}", replace(line, text=item.text))
                self._cut_pending.discard(item.item_id)

    def _on_error(self, event: ev.RealtimeError) -> None:
        message, code = event.error.get("message") or event.error.get("type"), event.error.get("code")
        self._append(ErrorLine(self._next_seq(), _cap(str(message or "unknown error"), MAX_TOOL_TEXT),
                               str(code) if code else None))

    def _on_guardrail(self, event: ev.RealtimeGuardrailTripped) -> None:
        tripped = tuple(r.guardrail.get_name() for r in event.guardrail_results)
        said = [r.output.output_info for r in event.guardrail_results
                if isinstance(r.output.output_info, str) and r.output.output_info.strip()]
        self._withhold_reply(event.message)
        self._append(GuardrailTrip(self._next_seq(), tripped, _cap(" ".join(said) or GUARDRAIL_MESSAGE, MAX_TOOL_TEXT)))

    def _withhold_reply(self, flagged: str) -> None:
        """Blank the reply the guardrail stopped: the newest agent line that is still streaming or that holds
        the flagged text."""
        for key, entry in reversed(self._entries.items()):
            if not isinstance(entry, AssistantLine) or entry.withheld:
                continue
            if not entry.final or (flagged and flagged[:40] in entry.text) or (entry.text and entry.text in flagged):
                self._set(key, replace(entry, text="", withheld=True))
                self._cut_pending.discard(entry.item_id)
                return

    def _on_connection(self, event: ev.RealtimeConnectionStatus) -> None:
        self._append(ConnectionChange(self._next_seq(), event.status))
        self.set_connection(_CONNECTION.get(event.status, "closed"))

    def _on_response_end(self, _event: object) -> None:
        for key, entry in list(self._entries.items()):
            if isinstance(entry, AssistantLine) and not entry.final:
                self._set(key, replace(entry, final=True))

    # --- raw server events -----------------------------------------------------------------------------------

    def _on_speech_started(self, data: dict[str, Any]) -> None:
        self._turn_end = None  # the user is (again) speaking: the turn has not ended
        self._user_line(data)

    def _on_committed(self, data: dict[str, Any]) -> None:
        if self._turn_end is None and not self._external_latency:  # keep an earlier key-release time
            self._turn_end = self._clock()
        self._user_line(data)

    def _on_user_delta(self, data: dict[str, Any]) -> None:
        key, line = self._user_line(data)
        if line is not None and not line.final:
            self._set(key, replace(line, text=_cap(line.text + str(data.get("delta") or ""), self._max_text)))

    def _on_user_done(self, data: dict[str, Any]) -> None:
        key, line = self._user_line(data)
        if line is not None:
            text = str(data.get("transcript") or "").strip() or line.text
            self._set(key, replace(line, text=_cap(text, self._max_text), final=True))

    def _on_user_failed(self, data: dict[str, Any]) -> None:
        key, line = self._user_line(data)
        if line is not None and not line.final:
            self._set(key, replace(line, text=line.text or "(inaudible)", final=True))

    def _user_line(self, data: dict[str, Any]) -> tuple[str, UserLine | None]:
        item_id = str(data.get("item_id") or "")
        if not item_id:
            return "", None
        key = f"user:{item_id}"
        line = self._entries.get(key)
        if line is None:
            line = UserLine(self._next_seq(), item_id, "", False)
            self._append(line, key)
        return key, line if isinstance(line, UserLine) else None

    def _on_text_delta(self, data: dict[str, Any]) -> None:
        self._first_agent_output()
        self._on_assistant_delta(data)

    def _on_assistant_delta(self, data: dict[str, Any]) -> None:
        key, line = self._assistant_line(data, create=True)
        if line is not None and not line.complete:
            self._set(key, replace(line, text=_cap(line.text + str(data.get("delta") or ""), self._max_text)))

    def _on_assistant_done(self, data: dict[str, Any]) -> None:
        final = data.get("transcript") if "transcript" in data else data.get("text")
        key, line = self._assistant_line(data, create=bool(final))
        if line is not None:
            # An interrupted line keeps the text shown when it was cut: the rest was never heard.
            text = line.text if line.interrupted or line.withheld or not isinstance(final, str) else final
            self._set(key, replace(line, text=_cap(text, self._max_text), final=True))

    def _assistant_line(self, data: dict[str, Any], *, create: bool) -> tuple[str, AssistantLine | None]:
        item_id = str(data.get("item_id") or "")
        key = f"assistant:{item_id}"
        line = self._entries.get(key)
        if line is None and create:
            line = AssistantLine(self._next_seq(), item_id, self._agent or "assistant", "", False)
            self._append(line, key)
        return key, line if isinstance(line, AssistantLine) else None

    # --- UI-side calls ---------------------------------------------------------------------------------------

    def mark_turn_end(self, t: float | None = None) -> None:
        """The user's turn ended at `t` (default: now): latency runs from here to the agent's first output."""
        if self._external_latency:
            return
        self._turn_end = self._clock() if t is None else t

    def add_user_message(self, text: str) -> None:
        """The user sent a typed message: show it and start the latency clock."""
        self._append(UserLine(self._next_seq(), None, _cap(text, self._max_text), True))
        self.mark_turn_end()

    def resolve_approval(self, call_id: str, approved: bool) -> None:
        """The user answered the approval prompt for `call_id` (the session emits nothing for a rejection)."""
        entry = self._entries.get(f"tool:{call_id}")
        if isinstance(entry, ToolCall) and entry.state == "awaiting-approval":
            self._set(f"tool:{call_id}", replace(entry, state="running" if approved else "rejected"))

    def set_mic_level(self, rms: float, peak: float) -> None:
        """The latest mic block's loudness, both in 0..1 (full scale)."""
        before, old_peak = tuple(self._mic), self._mic_peak
        self._mic.append(min(1.0, max(0.0, rms)))
        self._mic_peak = min(1.0, max(0.0, peak))
        if len(self._mic) != len(before) or tuple(self._mic) != before or self._mic_peak != old_peak:
            self._changed()  # an unchanged meter (a quiet room) does not make the view redraw

    def set_mode(self, mode: Mode) -> None:
        self._mode = mode
        self._changed()

    def set_ptt(self, state: str) -> None:
        """Push-to-talk (or mic) state as the UI names it: idle, talking, muted, …"""
        if state != self._ptt:
            self._ptt = state
            self._changed()

    def set_connection(self, state: ConnectionState) -> None:
        self._connection = state
        self._changed()

    def set_key_hints(self, hints: str | None) -> None:
        """Replace the footer's default key hints (None restores them)."""
        self._key_hints = hints
        self._changed()

    def use_external_latency(self) -> None:
        """The front end measures latency itself (voice mode: until the first sample is heard) via `add_latency`."""
        self._external_latency = True
        self._turn_end = None

    def add_latency(self, ms: float) -> None:
        self._latencies.append(max(0.0, ms))
        self._changed()

    def set_capture_lag(self, ms: float | None, warning: bool) -> None:
        """Mic capture-to-socket lag; the status bar shows it only while `warning`."""
        if warning != self._lag_warning or (warning and ms != self._lag_ms):
            self._changed()
        self._lag_ms, self._lag_warning = ms, warning

    def set_agent_speaking(self, speaking: bool) -> None:
        if speaking != self._agent_speaking:
            self._agent_speaking = speaking
            self._changed()

    def add_notice(self, text: str) -> None:
        self._append(Notice(self._next_seq(), _cap(text, self._max_text)))

    # --- internals -------------------------------------------------------------------------------------------

    def _first_agent_output(self) -> None:
        if self._turn_end is not None and not self._external_latency:
            self._latencies.append(max(0.0, (self._clock() - self._turn_end) * 1000.0))
            self._turn_end = None
            self._changed()

    def _set_agent(self, name: str) -> None:
        if name != self._agent:
            self._agent = name
            self._changed()

    def _put_tool(self, call_id: str, name: str, arguments: str, *, state: ToolState, result: str | None = None,
                  duration_ms: float | None = None) -> None:
        key = f"tool:{call_id}"
        entry = self._entries.get(key)
        if isinstance(entry, ToolCall):
            self._set(key, replace(entry, state=state, result=result, duration_ms=duration_ms))
        else:
            self._append(ToolCall(self._next_seq(), call_id, name, _cap(arguments, MAX_TOOL_TEXT), state, result,
                                  duration_ms), key)

    def _append(self, entry: Entry, key: str | None = None) -> None:
        self._entries[key or f"#{entry.seq}"] = entry
        while len(self._entries) > self._max_entries:
            oldest = next(iter(self._entries))
            dropped = self._entries.pop(oldest)
            if isinstance(dropped, AssistantLine):
                self._cut_pending.discard(dropped.item_id)
        self._changed()

    def _set(self, key: str, entry: Entry) -> None:
        self._entries[key] = entry
        self._version += 1

    def _changed(self) -> None:
        self._version += 1
