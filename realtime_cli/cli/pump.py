"""The event pump shared by the front ends: reads the session's events into the view state and the recorder,
and knows when the agent has finished its turn (no response, tool or approval outstanding).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from ..session import events as ev
from ..session.session import RealtimeSession
from .recorder import Recorder
from .view_state import ViewState

Handler = Callable[[Any], Awaitable[None] | None]


class SessionPump:
    """`await pump.run()` consumes the session until it ends; `await pump.settled(since)` waits for a turn."""

    def __init__(self, session: RealtimeSession, state: ViewState, recorder: Recorder | None = None,
                 handler: Handler | None = None) -> None:
        self.session = session
        self.state = state
        self.recorder = recorder
        self.handler = handler
        self.responses_ended = 0
        self.events: list[Any] = []  # kept for expectations and /history (bounded)
        self._active = 0
        self._tools = 0
        self._approvals: set[str] = set()
        self._reply_due = False  # a tool finished: the session has asked for the answer that uses its output
        self._last_change = time.monotonic()
        self._changed = asyncio.Event()
        self.finished = asyncio.Event()
        self.connection_lost = False  # the session ended because the connection failed for good

    @property
    def pending_approvals(self) -> frozenset[str]:
        """Call ids of tool calls waiting for the user's answer."""
        return frozenset(self._approvals)

    @property
    def busy(self) -> bool:
        return self._active > 0 or self._tools > 0 or bool(self._approvals) or self._reply_due

    async def run(self) -> None:
        try:
            async for event in self.session:
                self._track(event)
                self.state.apply(event)
                if self.recorder is not None:
                    self.recorder.event(event)
                if self.handler is not None:
                    result = self.handler(event)
                    if result is not None:
                        await result
                self._last_change = time.monotonic()
                self._changed.set()
        finally:
            self.finished.set()
            self._changed.set()

    def _track(self, event: Any) -> None:
        kind = event.type
        if getattr(event, "kind", None) is None:  # session events (raw ones are not kept: audio is large)
            self.events.append(event)
            if len(self.events) > 2000:
                del self.events[:500]
        if kind == ev.AGENT_START:
            self._active += 1
            self._reply_due = False
        elif kind == ev.AGENT_END:
            self._active = max(0, self._active - 1)
            self.responses_ended += 1
        elif kind == ev.TOOL_START:
            self._tools += 1
        elif kind == ev.TOOL_END:
            self._tools = max(0, self._tools - 1)
            self._reply_due = True
        elif kind == ev.TOOL_APPROVAL_REQUIRED:
            self._approvals.add(event.call_id)
        elif (kind == ev.CONNECTION and event.status == "failed") or \
                (kind == ev.ERROR and event.error.get("code") == "connection_closed"):
            self.connection_lost = True
        elif kind == ev.ERROR and self._active == 0:
            self.responses_ended += 1  # a rejected request ends the turn too
            self._reply_due = False

    def approval_answered(self, call_id: str) -> None:
        """The user answered: the tool runs (or not) and the agent goes on, so the turn is not over yet."""
        self._approvals.discard(call_id)
        self.touch()

    def touch(self) -> None:
        """Something was just sent on the user's behalf: restart the quiet period."""
        self._last_change = time.monotonic()
        self._changed.set()

    async def settled(self, since: int, *, grace: float = 0.35, timeout: float = 120.0) -> bool:
        """Wait until a response ended after `since` and nothing has been outstanding for `grace` seconds.

        Returns False if the session ended or the timeout passed first.
        """
        deadline = time.monotonic() + timeout
        while not self.finished.is_set():
            now = time.monotonic()
            if now >= deadline:
                return False
            quiet = now - self._last_change
            if self.responses_ended > since and not self.busy and quiet >= grace:
                return True
            self._changed.clear()
            wait = grace - quiet if (self.responses_ended > since and not self.busy) else deadline - now
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), max(0.01, min(wait, deadline - now)))
        return False
