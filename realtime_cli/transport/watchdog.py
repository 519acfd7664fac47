"""The application-level timeout of a response: from `response.create` to `response.done`, the server must keep
saying something about it; pings alone do not count. A stalled or lost response turns into a dropped connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

DEFAULT_RESPONSE_TIMEOUT_S = 30.0  # longest silence about a response in flight (model_config response_timeout_s)

_RESPONSE_CREATE = "response.create"
_RESPONSE_CREATED = "response.created"
_RESPONSE_DONE = "response.done"
_ERROR = "error"

Stalled = Callable[[Any, str], Awaitable[None]]


class ResponseWatchdog:
    """Tracks whether a response is in flight and when the server last said anything about one.

    Feed it every client event type sent and every server event kind received; run `watch()` beside the reader
    of each connection; call `reset()` when a new connection takes over. `timeout_s=None` turns it off.
    """

    def __init__(self, timeout_s: float | None) -> None:
        self.timeout_s = timeout_s
        self._awaiting = False
        self._created = False
        self._last = time.monotonic()

    def reset(self) -> None:
        """A new connection: nothing is in flight on it until the client asks."""
        self._awaiting = self._created = False
        self._last = time.monotonic()

    def on_client_event(self, kind: str) -> None:
        if kind == _RESPONSE_CREATE:
            self._awaiting, self._created = True, False
            self._last = time.monotonic()

    def on_server_event(self, kind: str) -> None:
        if kind.startswith("response."):
            self._last = time.monotonic()
            if kind == _RESPONSE_CREATED:
                self._awaiting = self._created = True
            elif kind == _RESPONSE_DONE:
                self._awaiting = False
        elif kind == _ERROR and self._awaiting and not self._created:
            self._awaiting = False  # the request was refused: no response is coming

    def overdue(self) -> float:
        """Seconds until a silence would count as a stall (<= 0: it already does); the timeout when idle."""
        assert self.timeout_s is not None
        if not self._awaiting:
            return self.timeout_s
        return self._last + self.timeout_s - time.monotonic()

    async def watch(self, ws: Any, on_stall: Stalled) -> None:
        """Sleep until a response in flight goes quiet for `timeout_s`, then call `on_stall(ws, message)` once."""
        if self.timeout_s is None:
            return
        while True:
            wait = self.overdue()
            if wait <= 0:
                what = "in the middle of a response" if self._created else "after a response was requested"
                await on_stall(ws, f"The server said nothing for {self.timeout_s:g} s {what}; "
                                   "dropping the connection to recover.")
                return
            await asyncio.sleep(min(wait, self.timeout_s))
