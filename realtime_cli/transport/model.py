"""The RealtimeModel interface: what a session needs from a connection to a realtime service.

The contract is the Agents SDK's (typed sends in, typed model events out); a model with `speaks_wire = True`
(ours) also takes canonical client events and hands listeners the raw ServerEvents and its ConnectionEvents.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, TypedDict, Union

from ..protocol.model_inputs import RealtimeModelSendEvent
from ..protocol.playback import RealtimePlaybackState, RealtimePlaybackTracker
from ..protocol.server_events import ServerEvent

__all__ = ["ConnectionEvent", "RealtimeModel", "RealtimeModelConfig", "RealtimeModelListener",
           "RealtimePlaybackState", "RealtimePlaybackTracker"]


@dataclass(frozen=True)
class ConnectionEvent:
    """The connection's own news: `reconnecting` / `reconnected` / `failed` while it recovers from a drop, and
    finally `closed` (with the close code and reason) or `error` (a listener failed; with a message)."""

    status: Literal["closed", "error", "reconnecting", "reconnected", "failed"]
    code: int | None = None
    reason: str = ""
    message: str = ""
    attempt: int = 0
    type: Literal["connection"] = "connection"


RealtimeModelEvent = Union[ServerEvent, ConnectionEvent]  # what a wire-speaking model hands its listeners


class RealtimeModelListener(Protocol):
    """Receives a model's events in order: the typed model events, or for a wire-speaking model the raw
    ServerEvents and ConnectionEvents."""

    async def on_event(self, event: Any) -> None: ...


class RealtimeModelConfig(TypedDict, total=False):
    """`model_config` keys of `RealtimeRunner.run()`."""

    api_key: str | Callable[[], Any]
    url: str
    headers: dict[str, str]
    initial_model_settings: dict[str, Any]
    playback_tracker: RealtimePlaybackTracker
    call_id: str
    reconnect: bool | dict[str, Any]
    response_timeout_s: float | None


class RealtimeModel(abc.ABC):
    """A connection to a realtime service. Listeners see every event the service sends, in order."""

    speaks_wire: ClassVar[bool] = False
    """True for models that also take canonical client events and emit raw ServerEvents (the session then
    skips the typed translation); a custom model written for the Agents SDK leaves it False."""

    @abc.abstractmethod
    async def connect(self, options: RealtimeModelConfig) -> None:
        """Open the connection; raises on failure. After it returns, events flow to listeners."""

    @abc.abstractmethod
    def add_listener(self, listener: RealtimeModelListener) -> None: ...

    @abc.abstractmethod
    def remove_listener(self, listener: RealtimeModelListener) -> None: ...

    @abc.abstractmethod
    async def send_event(self, event: RealtimeModelSendEvent) -> None:
        """Send one typed send (a wire-speaking model also takes a canonical client event)."""

    async def send_event_if(self, event: RealtimeModelSendEvent, send_if: Callable[[], bool]) -> bool:
        """Send only if `send_if()` holds when the send commits; models that cannot promise that return False."""
        return False

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the connection; listeners get a final `closed` ConnectionEvent."""
