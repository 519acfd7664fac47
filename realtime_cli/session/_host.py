"""What the tool and guardrail runners need from the session that owns them, as a Protocol.

The runners type against this instead of importing `session.py`, so the session module can import them.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..protocol import client_events as ce
from . import events as ev
from .agent import RealtimeAgent
from .context import RunContextWrapper


class SessionHost(Protocol):
    """The session as its runners see it: the current agent and context, event output, sends and handoffs."""

    @property
    def current_agent(self) -> RealtimeAgent[Any]: ...

    @property
    def context_wrapper(self) -> RunContextWrapper[Any]: ...

    @property
    def info(self) -> ev.RealtimeEventInfo: ...

    @property
    def async_tool_calls(self) -> bool: ...

    @property
    def active_response_id(self) -> str | None: ...

    def emit(self, event: Any) -> None: ...

    def emit_error(self, code: str, message: str) -> None: ...

    def guardrails_for_agent(self) -> list[Any]: ...

    def tool_error_formatter(self) -> Any: ...

    async def send_safely(self, event: ce.ClientEvent) -> bool: ...

    async def send_message(self, message: str | dict[str, Any]) -> None: ...

    async def create_response(self) -> None: ...

    async def switch_agent(self, agent: RealtimeAgent[Any]) -> None: ...

    async def _interrupt(self, *, cancel: bool, response_id: str | None = None) -> None: ...
