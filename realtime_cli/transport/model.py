"""The RealtimeModel interface: what a session needs from a connection to a realtime service.

A model connects, sends client events, and hands every server event (and its own connection events) to listeners.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypedDict, Union

from ..protocol.client_events import ClientEvent
from ..protocol.playback import RealtimePlaybackTracker
from ..protocol.server_events import ServerEvent


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


RealtimeModelEvent = Union[ServerEvent, ConnectionEvent]


class RealtimeModelListener(Protocol):
    async def on_event(self, event: RealtimeModelEvent) -> None: ...


class RealtimeModelConfig(TypedDict, total=False):
    """`model_config` keys of `RealtimeRunner.run()`."""

    api_key: str | Callable[[], str]
    url: str
    headers: dict[str, str]
    initial_model_settings: dict[str, Any]
    playback_tracker: RealtimePlaybackTracker
    reconnect: bool | dict[str, Any]
    response_timeout_s: float | None


class RealtimeModel(abc.ABC):
    """A connection to a realtime service. Listeners see every event the service sends, in order."""

    @abc.abstractmethod
    async def connect(self, options: RealtimeModelConfig) -> None:
        """Open the connection; raises on failure. After it returns, events flow to listeners."""

    @abc.abstractmethod
    def add_listener(self, listener: RealtimeModelListener) -> None: ...

    @abc.abstractmethod
    def remove_listener(self, listener: RealtimeModelListener) -> None: ...

    @abc.abstractmethod
    async def send_event(self, event: ClientEvent) -> None:
        """Send one client event (canonical shape; the model writes it in its dialect)."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the connection; listeners get a final `closed` ConnectionEvent."""
