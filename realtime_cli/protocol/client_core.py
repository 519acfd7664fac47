"""The realtime client's decisions as one sans-I/O state object: server events, user intents and connection news
in; client events to send and session-level effects out (core_effects). No sockets, no clocks, no tasks.
"""

from __future__ import annotations

from typing import Any

from . import client_events as ce
from . import names
from .codecs import AudioDecodeError, AudioFormat, decode_audio
from .core_effects import (
    AudioChunk,
    AudioInterrupted,
    ClientError,
    Effect,
    RequestResponse,
    ResponseEnded,
    ResponseStarted,
    RunToolCall,
    Send,
    ServerError,
    Truncated,
)
from .server_events import AttrDict
from .signals import format_guardrail, format_handoff_output
from .state import ACTIVE_RESPONSE_ERROR, CANCEL_NOT_ACTIVE_ERROR, AudioLedger, CancelledResponses, ResponseGate
from .usage import usage_from_response

PlaybackPosition = tuple[str | None, float | None]
"""What the playback tracker says is playing: (item id, elapsed ms), or None for "no tracker: use the clock"."""

DELTA_KINDS = frozenset({names.AUDIO_DELTA, names.TRANSCRIPT_DELTA, names.TEXT_DELTA, names.AUDIO_DONE,
                         names.TRANSCRIPT_DONE, names.TEXT_DONE, names.ARGUMENTS_DELTA})


class ClientCore:
    """One conversation's client-side state: the active response and queued requests, cancelled responses, the
    assistant audio received, owed tool outputs, the voice in use, and what to do after a dropped connection.

    `manual_turns`: turn_detection is off, so a committed audio buffer asks for a response. `interrupt_on_speech`:
    the user's speech (speech_started) stops the assistant, as server VAD's interrupt_response does.
    """

    def __init__(self, audio_format: AudioFormat = "pcm16", *, manual_turns: bool = False,
                 interrupt_on_speech: bool = True) -> None:
        self.manual_turns = manual_turns
        self.interrupt_on_speech = interrupt_on_speech
        self.gate = ResponseGate()
        self.cancelled = CancelledResponses()
        self.ledger = AudioLedger(audio_format)
        self.closed = False
        self.voice: Any = None  # the first voice used: the service refuses a change once audio exists
        self._seen_calls: set[str] = set()
        self._owed: dict[str, str] = {}  # call_id -> tool name: calls whose output has not been sent yet
        self._resume = False  # a drop cut a response short: ask again once reconnected
        self._awaiting: dict[str, str] = {}  # call_id -> tool name: calls waiting for the user's approval
        self._always: dict[str, bool] = {}  # tool name -> the answer given with `always`

    # --- queries -------------------------------------------------------------------------------------------

    @property
    def active_response_id(self) -> str | None:
        return self.gate.active_response_id

    @property
    def owed_calls(self) -> frozenset[str]:
        """Function calls received whose output has not been sent yet."""
        return frozenset(self._owed)

    def drops(self, kind: str, data: dict[str, Any]) -> bool:
        """Late output of a cancelled response: it never surfaces and never plays."""
        return kind in DELTA_KINDS and data.get("response_id") in self.cancelled

    # --- user intents --------------------------------------------------------------------------------------

    def user_message(self, message: str | dict[str, Any]) -> list[Effect]:
        """A user message (text, or a full message item), then a response request."""
        if isinstance(message, str):
            return [Send(ce.user_text_item(message)), RequestResponse()]
        item = dict(message)
        item.setdefault("type", "message")
        item.setdefault("role", "user")
        return [Send(ce.item_create(item)), RequestResponse()]

    def user_audio(self, audio: bytes, *, commit: bool = False) -> list[Effect]:
        """Input audio; a commit closes the user turn (and in manual-turn mode asks for the answer)."""
        out: list[Effect] = [Send(ce.audio_append(audio))] if audio else []
        if commit:
            out.append(Send(ce.audio_commit()))
            if self.manual_turns:
                out.append(RequestResponse())
        return out

    def request_response(self) -> list[Effect]:
        """One response at a time: a request while one is active (or asked for) is sent after it ends."""
        return [Send(ce.response_create())] if self.gate.request() else []

    def interrupt(self, playback: PlaybackPosition | None, now: float, *, cancel: bool = True,
                  response_id: str | None = None) -> list[Effect]:
        """Stop the assistant: flush its audio, cancel the response (only one that is active, and only once),
        and truncate the item at the milliseconds played (never past those received; none if none were)."""
        target = response_id or self.gate.active_response_id
        ledger = self.ledger
        played: float | None = None
        if playback is not None:
            item, elapsed = playback
            played = (elapsed or 0.0) if item == ledger.current_item_id else 0.0
        cut = ledger.truncation(played, now)
        received_ms = ledger.received_ms()
        # Cut the item while its response still streams, or while received audio is still being played out.
        playing = cut is not None and (target is not None or cut[2] < received_ms)
        out: list[Effect] = []
        if playing or target is not None:
            out.append(AudioInterrupted(ledger.current_item_id, cut[1] if cut else None))
        if target is not None:
            if cancel and target not in self.cancelled:
                out.append(Send(ce.response_cancel(target)))
            self.cancelled.add(target)
        if cut is not None and playing:
            out.append(Send(ce.truncate(*cut)))
            out.append(Truncated(cut[0], cut[2], received_ms))
        ledger.clear()
        return out

    def guardrail_tripped(self, response_id: str, guardrails: list[str], playback: PlaybackPosition | None,
                          now: float) -> list[Effect]:
        """An output guardrail stopped `response_id`: interrupt it (cancel if still active), then tell the model."""
        active = self.gate.active_response_id == response_id
        out = self.interrupt(playback, now, cancel=active, response_id=response_id)
        return [*out, *self.user_message(format_guardrail(guardrails))]

    def tool_output(self, call_id: str, output: str) -> list[Effect]:
        """A call's output is ready: send it, then ask for the response that uses it. The call stays owed until
        `call_finished`: a drop before that leaves the asking to the call (its send waits for the new socket)."""
        return [Send(ce.function_output(call_id, output)), RequestResponse()]

    def call_finished(self, call_id: str) -> None:
        """The call's output and its response request were sent (or could not be)."""
        self._owed.pop(call_id, None)

    def handoff_output(self, call_id: str, agent_name: str, session_config: Any) -> list[Effect]:
        """A handoff call: reconfigure the session for the new agent first, then answer the call."""
        out: list[Effect] = [Send(ce.session_update(self.keep_voice(session_config)))]
        return [*out, *self.tool_output(call_id, format_handoff_output(agent_name))]

    def keep_voice(self, session_config: Any) -> Any:
        """The configuration with the session's first voice kept (the service rejects a later change)."""
        if self.voice is None:
            self.voice = session_config.get("voice")
        elif "voice" in session_config:
            session_config["voice"] = self.voice
        return session_config

    def approval(self, call_id: str, tool_name: str) -> bool | None:
        """A call needs approval: the standing answer for its tool (given earlier with `always`), or None when the
        user must be asked (the call then waits for `resolve_approval`)."""
        if tool_name in self._always:
            return self._always[tool_name]
        self._awaiting[call_id] = tool_name
        return None

    def resolve_approval(self, call_id: str, approved: bool, *, always: bool = False) -> bool:
        """The user's answer; with `always`, later calls of the same tool get it too. False when no call with
        that id waits (unknown, or already answered)."""
        tool_name = self._awaiting.pop(call_id, None)
        if tool_name is None:
            return False
        if always:
            self._always[tool_name] = approved
        return True

    @property
    def awaiting_approval(self) -> frozenset[str]:
        return frozenset(self._awaiting)

    # --- connection news -----------------------------------------------------------------------------------

    def connection_lost(self) -> list[Effect]:
        """The socket dropped: the response in flight is lost. Report it interrupted and stop its audio; ask again
        once reconnected unless a tool still owes its output (that output asks for its own response)."""
        self._resume = self.gate.busy and not self._owed
        active = self.gate.active_response_id
        out: list[Effect] = []
        if active is not None or self.ledger.current_item_id is not None:
            if active is not None:
                self.cancelled.add(active)
            out.append(AudioInterrupted(self.ledger.current_item_id, None))
            if active is not None:
                out.append(ResponseEnded(active, "interrupted"))
        self.ledger.clear()
        self.gate.reset()
        return out

    def connection_restored(self) -> list[Effect]:
        """The conversation was replayed on a new connection: resume the turn the drop cut short."""
        if not self._resume:
            return []
        self._resume = False
        return [RequestResponse()]

    def connection_closed(self) -> None:
        self.closed = True
        self._resume = False

    # --- server events -------------------------------------------------------------------------------------

    def on_error(self, data: dict[str, Any]) -> list[Effect]:
        detail = data.get("error")
        error = AttrDict(detail) if isinstance(detail, dict) else AttrDict(message=str(detail))
        if not isinstance(error.get("message"), str):  # apps print error.message: always give them a string
            error["message"] = "The server reported an error without a message." if error.get("message") is None \
                else str(error["message"])
        if error.get("code") == ACTIVE_RESPONSE_ERROR:
            self.gate.on_rejected()
        elif error.get("code") == CANCEL_NOT_ACTIVE_ERROR and self.gate.active_response_id is None:
            return []  # our cancel arrived just after the response ended: nothing was lost
        return [ServerError(error)]

    def on_response_created(self, data: dict[str, Any]) -> ResponseStarted:
        response = _as_dict(data.get("response"))
        response_id = str(response.get("id", ""))
        self.gate.on_created(response_id)
        return ResponseStarted(response_id)

    def on_response_done(self, data: dict[str, Any]) -> list[Effect]:
        response = _as_dict(data.get("response"))
        response_id = response.get("id")
        send_next = self.gate.on_done(response_id)
        out: list[Effect] = [ResponseEnded(response_id, str(response.get("status", "completed")),
                                           usage_from_response(response))]
        if send_next and not self.closed:
            out.append(Send(ce.response_create()))
        return out

    def on_audio_delta(self, data: dict[str, Any], now: float) -> AudioChunk | ClientError:
        try:
            pcm = decode_audio(data["delta"], self.ledger.audio_format)
            item_id: str = data["item_id"]
            content_index: int = data.get("content_index", 0)
            response_id: str = data["response_id"]
            self.ledger.on_delta(item_id, content_index, len(pcm), now)
        except (AudioDecodeError, KeyError, TypeError) as exc:
            return ClientError("invalid_audio", f"Server sent an unusable audio delta: {exc}")
        return AudioChunk(pcm, response_id, item_id, content_index)

    def on_speech_started(self, playback: PlaybackPosition | None, now: float) -> list[Effect]:
        """The user started speaking: stop the assistant (the service cancels the response itself)."""
        if not self.interrupt_on_speech:
            return []
        return self.interrupt(playback, now, cancel=False)

    def on_function_call(self, item: dict[str, Any]) -> RunToolCall | None:
        """A completed function call item: run it once, even if the server repeats it."""
        call_id = str(item.get("call_id") or item.get("id") or "")
        if not call_id or call_id in self._seen_calls:
            return None
        self._seen_calls.add(call_id)
        name = str(item.get("name", ""))
        self._owed[call_id] = name
        return RunToolCall(call_id, name, str(item.get("arguments") or ""))

    def on_session_updated(self, data: dict[str, Any]) -> None:
        session = _as_dict(data.get("session"))
        voice = session.get("voice") or _as_dict(_as_dict(session.get("audio")).get("output")).get("voice")
        if isinstance(voice, str) and voice and self.voice is None:
            self.voice = voice


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
