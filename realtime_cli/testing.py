"""A scripted RealtimeModel for unit tests of realtime agents: expected sends in order, canned events out.

The same API as the Agents SDK's `agents.realtime.testing`; it plugs into `RealtimeRunner(agent, model=...)`.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from typing_extensions import Required, TypedDict

from .protocol.model_inputs import RealtimeModelSendEvent
from .protocol.playback import RealtimePlaybackTracker
from .transport.model import RealtimeModel, RealtimeModelConfig, RealtimeModelListener

__all__ = ["RealtimeConnectCall", "RealtimeScriptError", "RealtimeStep", "ScriptedRealtimeModel",
           "UnconsumedRealtimeSteps", "UnexpectedRealtimeSend"]

RealtimeSendMatcher = Union[Any, type, Callable[[Any], bool]]
"""What a step expects: an equal send, a send type, or a predicate over the send."""


class RealtimeScriptError(Exception):
    """The script was broken: used while disconnected, or not consumed as written."""


class UnexpectedRealtimeSend(RealtimeScriptError):
    """A send did not match the next step (`actual` is the send, `expected` the step's matcher or None)."""

    def __init__(self, message: str, *, actual: RealtimeModelSendEvent, expected: RealtimeSendMatcher | None) -> None:
        super().__init__(message)
        self.actual = actual
        self.expected = expected


class UnconsumedRealtimeSteps(RealtimeScriptError):
    """`assert_complete()` found steps nobody sent for."""

    def __init__(self, message: str, *, remaining_steps: int) -> None:
        super().__init__(message)
        self.remaining_steps = remaining_steps


@dataclass(frozen=True)
class RealtimeStep:
    """One expected send, and the model events it makes the model emit (or the error the send raises)."""

    expect: RealtimeSendMatcher
    emit: Sequence[Any] = field(default_factory=tuple)
    error: Exception | None = None

    def __post_init__(self) -> None:
        if tuple(self.emit) and self.error is not None:
            raise ValueError("A RealtimeStep cannot define both emit events and an error.")
        object.__setattr__(self, "emit", tuple(self.emit))


class RealtimeConnectCall(TypedDict, total=False):
    """What one `connect()` was given, without credentials."""

    api_key_provided: Required[bool]
    headers_provided: Required[bool]
    url: str
    initial_model_settings: dict[str, Any]
    playback_tracker: RealtimePlaybackTracker
    call_id: str


def _settings_copy(settings: dict[str, Any]) -> dict[str, Any]:
    """A deep copy, except tools and handoffs, which stay the same objects."""
    out = copy.deepcopy({k: v for k, v in settings.items() if k not in ("tools", "handoffs")})
    for key in ("tools", "handoffs"):
        if key in settings:
            out[key] = list(settings[key])
    return out


def _url_without_secrets(url: str) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = [(k, "[redacted]" if "key" in k.lower() or "token" in k.lower() else v) for k, v in parse_qsl(parts.query)]
    netloc = parts.netloc.rpartition("@")[2]  # no user or password
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), parts.fragment))


def _snapshot(send: Any) -> Any:
    settings = getattr(send, "session_settings", None)
    if isinstance(settings, dict):
        return type(send)(session_settings=_settings_copy(settings))
    return copy.deepcopy(send)


def _matches(expect: RealtimeSendMatcher, send: Any) -> bool:
    if isinstance(expect, type):
        return isinstance(send, expect)
    if callable(expect):
        return bool(expect(_snapshot(send)))
    return bool(expect == send)


class ScriptedRealtimeModel(RealtimeModel):
    """An in-memory model: each send must match the next step (unless `strict=False`), and the step's events go
    to the listeners in order before `send_event` returns. Sends made by a listener while events are being
    delivered are matched at once and their events delivered after the current ones."""

    def __init__(self, steps: Iterable[RealtimeStep] = (), *, connect_events: Iterable[Any] = (),
                 connect_error: Exception | None = None, close_error: Exception | None = None,
                 strict: bool = True) -> None:
        events = tuple(connect_events)
        if events and connect_error is not None:
            raise ValueError("A ScriptedRealtimeModel cannot define both connect events and a connect error.")
        self._steps = list(steps)
        self._connect_events = events
        self._connect_error = connect_error
        self._close_error = close_error
        self._strict = strict
        self._listeners: list[RealtimeModelListener] = []
        self._connect_calls: list[RealtimeConnectCall] = []
        self._sent: list[Any] = []
        self._pending: deque[Any] = deque()
        self._delivering = False
        self.connected = False
        self.closed = False
        self.close_calls = 0

    @property
    def listeners(self) -> tuple[RealtimeModelListener, ...]:
        return tuple(self._listeners)

    @property
    def connect_calls(self) -> tuple[RealtimeConnectCall, ...]:
        return tuple(copy.copy(call) for call in self._connect_calls)

    @property
    def sent_events(self) -> tuple[RealtimeModelSendEvent, ...]:
        return tuple(_snapshot(send) for send in self._sent)

    @property
    def remaining_steps(self) -> int:
        return len(self._steps)

    async def connect(self, options: RealtimeModelConfig) -> None:
        if self.connected:
            raise AssertionError("Already connected")
        call: RealtimeConnectCall = {"api_key_provided": "api_key" in options,
                                     "headers_provided": "headers" in options}
        if "url" in options:
            call["url"] = _url_without_secrets(options["url"])
        if "initial_model_settings" in options:
            call["initial_model_settings"] = _settings_copy(dict(options["initial_model_settings"]))
        if "playback_tracker" in options:
            call["playback_tracker"] = options["playback_tracker"]
        if "call_id" in options:
            call["call_id"] = options["call_id"]
        self._connect_calls.append(call)
        if self._connect_error is not None:
            raise self._connect_error
        self.connected, self.closed = True, False
        await self._deliver(self._connect_events)

    def add_listener(self, listener: RealtimeModelListener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove_listener(self, listener: RealtimeModelListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def send_event(self, event: RealtimeModelSendEvent) -> None:
        self._check("send an event")
        step = self._next_step(event)
        self._sent.append(_snapshot(event))
        if step is None:
            return
        if step.error is not None:
            raise step.error
        await self._deliver(step.emit)

    async def send_event_if(self, event: RealtimeModelSendEvent, send_if: Callable[[], bool]) -> bool:
        self._check("send an event")
        if not send_if():
            return False
        await self.send_event(event)
        return True

    async def emit(self, *events: Any) -> None:
        """Deliver model events to the listeners now, as if the service sent them."""
        self._check("emit events")
        await self._deliver(events)

    async def close(self) -> None:
        self.close_calls += 1
        if self.closed:
            return
        self.connected, self.closed = False, True
        self._pending.clear()
        if self._close_error is not None:
            raise self._close_error

    def assert_complete(self) -> None:
        """Raise UnconsumedRealtimeSteps when expected sends remain."""
        if self._steps:
            raise UnconsumedRealtimeSteps(f"{len(self._steps)} scripted Realtime step(s) were not consumed.",
                                          remaining_steps=len(self._steps))

    def _check(self, what: str) -> None:
        if not self.connected or self.closed:
            raise RealtimeScriptError(f"Cannot {what} while the scripted model is disconnected.")

    def _next_step(self, event: Any) -> RealtimeStep | None:
        if not self._steps:
            if not self._strict:
                return None
            raise UnexpectedRealtimeSend("Unexpected Realtime send: no scripted steps remain.",
                                         actual=_snapshot(event), expected=None)
        step = self._steps[0]
        if not _matches(step.expect, event):
            if not self._strict:
                return None
            raise UnexpectedRealtimeSend("Unexpected Realtime send: event did not match the next scripted expectation.",
                                         actual=_snapshot(event), expected=step.expect)
        return self._steps.pop(0)

    async def _deliver(self, events: Sequence[Any]) -> None:
        self._pending.extend(copy.copy(e) for e in events)
        if self._delivering:
            return  # a listener sent while we deliver: its events follow the current ones
        self._delivering = True
        try:
            while self._pending and not self.closed:
                event = self._pending.popleft()
                for listener in tuple(self._listeners):
                    await listener.on_event(event)
        finally:
            self._delivering = False
