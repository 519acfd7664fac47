"""What the tool and guardrail runners and the typed-model adapter need from the session that owns them.

They type against this Protocol instead of importing `session.py`; the session hands them a private port object.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..protocol.model_inputs import SendTranslator
from ..protocol.server_events import ServerEvent
from . import events as ev
from .agent import RealtimeAgent
from .config import ModelSettings
from .context import RunContextWrapper


class SessionHost(Protocol):
    """The session as its helpers see it: the current agent and context, event output, and the intents they
    feed the client core (a call's output, a handoff, a guardrail trip)."""

    @property
    def current_agent(self) -> RealtimeAgent[Any]: ...

    @property
    def context_wrapper(self) -> RunContextWrapper[Any]: ...

    @property
    def info(self) -> ev.RealtimeEventInfo: ...

    @property
    def settings(self) -> ModelSettings: ...

    @property
    def sends(self) -> SendTranslator: ...

    def callable_tools(self) -> tuple[list[Any], list[Any]]: ...

    @property
    def async_tool_calls(self) -> bool: ...

    def emit(self, event: Any) -> None: ...

    def emit_error(self, code: str, message: str) -> None: ...

    def guardrails_for_agent(self) -> list[Any]: ...

    def tool_error_formatter(self) -> Any: ...

    def approval(self, call_id: str, tool_name: str) -> bool | None: ...

    async def tool_output(self, call_id: str, output: str) -> bool: ...

    async def handoff(self, call_id: str, agent: RealtimeAgent[Any]) -> bool: ...

    async def guardrail_tripped(self, response_id: str, guardrails: list[str]) -> None: ...

    async def on_event(self, event: Any) -> None: ...

    async def on_server_event(self, event: ServerEvent) -> None: ...
